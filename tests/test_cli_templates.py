"""flask template sync | import FILE [--publish] | export KEY [--version N] --out FILE | list."""

from __future__ import annotations

import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, QuestionnaireTemplate, TemplateVersion

DOC = {
    "key": "cli-check",
    "name": "İstanbul Lojistik A.Ş. check",
    "sections": [
        {
            "key": "s",
            "title": "Seals",
            "questions": [
                {"key": "seals", "text": "ISO 17712 seals?", "type": "ynp", "controls": ["SR-9"]},
            ],
        }
    ],
}


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (QuestionnaireTemplate, TemplateVersion, AuditEvent)
        )


def test_sync_loads_the_shipped_templates_once(app, runner):
    result = runner.invoke(args=["template", "sync"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "connection-security.yaml: Template connection-security was created as version 1.",
        "cscrm-core.yaml: Template cscrm-core was created as version 1.",
        "iso28000.yaml: Template iso28000 was created as version 1.",
    ]
    before = counts(app)
    result = runner.invoke(args=["template", "sync"])
    assert result.exit_code == 0 and result.output.count("is unchanged") == 3
    assert counts(app) == before
    result = runner.invoke(args=["template", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("cscrm-core\tC-SCRM Core\tv1 published\t66 questions\tsent as v1")


def test_list_when_empty(app, runner):
    result = runner.invoke(args=["template", "list"])
    assert result.exit_code == 0 and "template sync" in result.output


def test_import_then_export_round_trip(app, runner, tmp_path):
    source = tmp_path / "check.yaml"
    source.write_text(yaml.safe_dump(DOC, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["template", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Template cli-check was created as version 1. Version 1 is draft."
    )
    result = runner.invoke(args=["template", "import", str(source), "--publish"])
    assert "is unchanged" in result.output and "Version 1 is published." in result.output
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["template", "export", "cli-check", "--out", str(out)])
    assert result.exit_code == 0 and "Exported cli-check version 1" in result.output
    exported = out.read_text(encoding="utf-8")
    assert "İstanbul Lojistik A.Ş." in exported
    assert yaml.safe_load(exported)["sections"][0]["questions"][0]["key"] == "seals"
    result = runner.invoke(args=["template", "export", "cli-check", "--version", "1", "--out", "-"])
    assert result.exit_code == 0 and result.output.startswith("# İstanbul Lojistik")
    edited = dict(DOC, name="Edited")
    source.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["template", "import", str(source)])
    assert "version 1 is published, so the change was saved as new draft version 2" in (
        result.output
    )


def test_invalid_template_exits_1_with_one_line_per_error(app, runner, tmp_path):
    bad = dict(DOC)
    bad["sections"] = [
        {
            "key": "s",
            "title": "S",
            "questions": [
                {"key": "a", "text": "A", "type": "colour", "controls": ["SR-1"]},
                {
                    "key": "b",
                    "text": "B",
                    "type": "ynp",
                    "controls": ["SR-1"],
                    "show_when": {"question": "ghost", "equals": "yes"},
                },
            ],
        }
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    before = counts(app)
    result = runner.invoke(args=["template", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("sections[0].questions[0].type: must be one of")
    assert lines[1].startswith("sections[0].questions[1].show_when.question: unknown question")
    assert lines[-1] == "Error: The template was not saved: 2 problems."
    assert len(lines) == 3
    assert counts(app) == before


def test_bad_files_and_names_exit_1(app, runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("key: x\n  name: y\n", encoding="utf-8")
    result = runner.invoke(args=["template", "import", str(broken)])
    assert result.exit_code == 1
    assert result.output.startswith("line 2, column 7:")
    assert "Error: The YAML could not be read." in result.output
    result = runner.invoke(args=["template", "import", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1 and "Cannot read" in result.output
    result = runner.invoke(args=["template", "export", "nope", "--out", "-"])
    assert result.exit_code == 1 and "There is no template 'nope'" in result.output
    runner.invoke(args=["template", "sync"])
    result = runner.invoke(args=["template", "export", "iso28000", "--version", "9", "--out", "-"])
    assert result.exit_code == 1 and "no version 9 of template 'iso28000'" in result.output
    result = runner.invoke(args=["template", "export", "iso28000", "--version", "0", "--out", "-"])
    assert result.exit_code == 2
    result = runner.invoke(
        args=["template", "export", "iso28000", "--out", str(tmp_path / "no" / "dir.yaml")]
    )
    assert result.exit_code == 1 and "Cannot write" in result.output
