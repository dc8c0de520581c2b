"""flask catalog sync | check | list: output, idempotency, exit codes, one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import Control
from questionnaires import catalog as files


def _controls(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Control))


@pytest.fixture
def broken_dir(tmp_path) -> Path:
    directory = tmp_path / "catalogs"
    shutil.copytree(files.DEFAULT_DIR, directory)
    path = directory / "sp800-53r5-scrm.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["controls"][5]["parent"] = "SR-99"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return directory


def test_sync_twice_then_list(app, runner):
    first = runner.invoke(args=["catalog", "sync"])
    assert first.exit_code == 0, first.output
    assert "171 added, 0 changed, 0 withdrawn" in first.output
    second = runner.invoke(args=["catalog", "sync"])
    assert second.exit_code == 0
    assert "0 added, 0 changed" in second.output
    assert "crosswalk: 0 added, 0 changed, 0 removed" in second.output

    listed = runner.invoke(args=["catalog", "list", "--framework", "csf2"])
    assert listed.exit_code == 0
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 10
    assert lines[0] == "csf2\tGV.SC-01\tC-SCRM program, strategy and policies established"
    everything = runner.invoke(args=["catalog", "list"]).stdout.strip().splitlines()
    assert len(everything) == 170  # SA-12 is withdrawn and hidden
    withdrawn = runner.invoke(args=["catalog", "list", "--withdrawn", "--framework", "sp800-53r5"])
    assert "sp800-53r5\tSA-12\tSupply Chain Protection [withdrawn]" in withdrawn.stdout


def test_list_refuses_an_unknown_framework_and_explains_an_empty_database(app, runner):
    result = runner.invoke(args=["catalog", "list", "--framework", "cobit"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: unknown framework 'cobit'; use one of: csf2, sp800-53r5, iso28000."
    )
    empty = runner.invoke(args=["catalog", "list"])
    assert empty.exit_code == 0
    assert "No controls loaded; run `flask --app wsgi catalog sync` first." in empty.output


def test_broken_file_exits_1_with_one_line_naming_file_and_path(app, runner, broken_dir):
    result = runner.invoke(args=["catalog", "sync", "--dir", str(broken_dir)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert "sp800-53r5-scrm.yaml: controls[5].parent: 'SR-99' must be listed before" in lines[0]
    assert _controls(app) == 0
    check = runner.invoke(args=["catalog", "check", "--dir", str(broken_dir)])
    assert check.exit_code == 1 and "controls[5].parent" in check.output


def test_invalid_yaml_and_missing_directory_exit_1(app, runner, tmp_path):
    (tmp_path / "bad.yaml").write_text("kind: catalog\ncontrols: [\n", encoding="utf-8")
    result = runner.invoke(args=["catalog", "sync", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yaml: line 3, column 1: invalid YAML" in result.output
    missing = runner.invoke(args=["catalog", "sync", "--dir", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert "is not a directory" in missing.output


def test_check_validates_without_the_database(app, runner):
    result = runner.invoke(args=["catalog", "check"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        "Catalog files are valid: 3 frameworks, 171 controls, 77 crosswalk links."
    )
    assert _controls(app) == 0
