"""Catalog sync (idempotent, withdraws rather than deletes), search, detail, crosswalk, CSV."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Control, CrosswalkLink
from app.services import Actor
from app.services import catalog as svc
from questionnaires import catalog as files

ACTOR = Actor(user_id=None, email="tester@example.com", role="admin")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(scope="module")
def shipped() -> files.CatalogSet:
    return files.load_directory()


@pytest.fixture
def synced(app, shipped):
    with app.app_context():
        svc.sync_catalogs(db.session, ACTOR, shipped)
        db.session.commit()


def _control(identifier: str) -> Control:
    return db.session.scalar(select(Control).where(Control.identifier == identifier))


def test_sync_loads_everything_then_changes_nothing(app, shipped):
    total = len(shipped.controls())
    with app.app_context():
        first = svc.sync_catalogs(db.session, ACTOR, shipped)
        db.session.commit()
        assert (first.added, first.changed, first.withdrawn) == (total, 0, 0)
        assert first.links_added == len(shipped.crosswalk)
        assert _count(Control) == total
        assert _count(CrosswalkLink) == len(shipped.crosswalk)

        second = svc.sync_catalogs(db.session, ACTOR, shipped)
        db.session.commit()
        assert "0 added, 0 changed, 0 withdrawn" in second.summary()
        assert (second.unchanged, second.links_added, second.links_removed) == (total, 0, 0)
        # One audit event for the run that changed something, none for the idle one.
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "catalog_sync")
        ).all()
        assert len(events) == 1
        assert events[0].after["versions"]["csf2"] == "2.0+r1"
        sr_3_1 = _control("SR-3(1)")
        assert (sr_3_1.framework, sr_3_1.parent_identifier) == ("sp800-53r5", "SR-3")
        assert sr_3_1.catalog_version == "5.1.1+r2"
        assert _control("SA-12").withdrawn


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogs"
    shutil.copytree(files.DEFAULT_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_removed_control_is_withdrawn_not_deleted_and_comes_back(app, synced, tmp_path):
    directory = _copy(tmp_path)

    def drop_sr_12(doc):
        doc["controls"] = [c for c in doc["controls"] if c["identifier"] != "SR-12"]
        doc["catalog_version"] = "5.1.1+r3"

    _edit(directory / "sp800-53r5-scrm.yaml", drop_sr_12)
    _edit(
        directory / "crosswalk.yaml",
        lambda d: [
            m.update(targets=[t for t in m["targets"] if t["id"] != "SR-12"]) for m in d["mappings"]
        ],
    )
    with app.app_context():
        sr_12_id = _control("SR-12").id
        result = svc.sync_from_directory(db.session, ACTOR, directory)
        db.session.commit()
        assert result.withdrawn == 1 and result.added == 0
        assert result.links_removed == 1
        # Every other SP 800-53 row got the new version stamp; nothing else moved.
        assert result.changed == len(files.load_directory(directory).catalogs[1].controls)
        sr_12 = db.session.get(Control, sr_12_id)
        assert sr_12 is not None and sr_12.withdrawn
        assert "SR-12" not in svc.known_identifiers(db.session)
        assert "SR-12" not in [c.identifier for c in svc.list_controls(db.session, q="SR-12")]
        withdrawn = svc.list_controls(db.session, q="SR-12", include_withdrawn=True)
        assert [c.identifier for c in withdrawn] == ["SR-12"]

        back = svc.sync_catalogs(db.session, ACTOR)
        db.session.commit()
        assert back.added == 0 and back.links_added == 1
        assert db.session.get(Control, sr_12_id).withdrawn is False


def test_changed_title_and_note_are_updated(app, synced, tmp_path):
    directory = _copy(tmp_path)
    _edit(
        directory / "csf2-gv-sc.yaml",
        lambda d: d["controls"][3].update(title="Suppliers known and ranked"),
    )
    _edit(
        directory / "crosswalk.yaml",
        lambda d: d["mappings"][0]["targets"][0].update(note="A better reason."),
    )
    with app.app_context():
        result = svc.sync_from_directory(db.session, ACTOR, directory)
        db.session.commit()
        assert (result.added, result.changed, result.links_changed) == (0, 1, 1)
        assert _control("GV.SC-04").title == "Suppliers known and ranked"
        link = db.session.scalar(
            select(CrosswalkLink).where(
                CrosswalkLink.source_id == _control("GV.SC-01").id,
                CrosswalkLink.target_id == _control("SR-1").id,
            )
        )
        assert link.note == "Reasoned: A better reason."


def test_a_broken_file_writes_nothing(app, tmp_path):
    directory = _copy(tmp_path)
    _edit(directory / "csf2-gv-sc.yaml", lambda d: d["controls"][0].pop("title"))
    with app.app_context():
        with pytest.raises(files.CatalogError):
            svc.sync_from_directory(db.session, ACTOR, directory)
        db.session.rollback()
        assert _count(Control) == 0
        assert _count(AuditEvent) == 0


def test_search_by_identifier_or_title_words(app, synced):
    with app.app_context():
        ids = [c.identifier for c in svc.list_controls(db.session, q="sr-6")]
        assert ids == ["SR-6", "SR-6(1)"]
        ids = [c.identifier for c in svc.list_controls(db.session, q="provenance")]
        assert ids == ["SR-4"]
        ids = [c.identifier for c in svc.list_controls(db.session, q="supplier assessments")]
        assert ids == ["SR-6"]
        ids = [c.identifier for c in svc.list_controls(db.session, q="8.2")]
        assert "ISO28000-8.2" in ids
        # LIKE wildcards are plain characters, not "match anything".
        assert svc.list_controls(db.session, q="%") == []
        assert svc.list_controls(db.session, q="_") == []
        csf = svc.list_controls(db.session, framework="csf2")
        assert [c.identifier for c in csf] == [f"GV.SC-{n:02d}" for n in range(1, 11)]
        assert svc.list_controls(db.session, framework="csf2", q="SR-6") == []


def test_grouped_in_framework_order_and_by_family(app, synced):
    with app.app_context():
        groups = svc.grouped(svc.list_controls(db.session))
        assert [g.key for g in groups] == ["csf2", "sp800-53r5", "iso28000"]
        families = [name for name, _ in groups[1].families]
        assert families[0] == "SR – Supply Chain Risk Management"
        assert "RA – Risk Assessment" in families
        assert svc.counts_by_framework(db.session) == {
            "csf2": 10,
            "sp800-53r5": 101,
            "iso28000": 59,
        }


def test_control_detail_shows_parent_enhancements_and_links_both_ways(app, synced):
    with app.app_context():
        sr_3 = svc.control_detail(db.session, _control("SR-3"))
        assert [e.identifier for e in sr_3.enhancements] == ["SR-3(1)", "SR-3(2)", "SR-3(3)"]
        assert sr_3.parent is None
        sr_3_1 = svc.control_detail(db.session, _control("SR-3(1)"))
        assert sr_3_1.parent.identifier == "SR-3"
        assert [v.control.identifier for v in sr_3_1.supports] == ["GV.SC-07"]

        sr_8 = svc.control_detail(db.session, _control("SR-8"))
        assert [v.control.identifier for v in sr_8.supports] == ["GV.SC-05", "GV.SC-08"]
        reference = next(v for v in sr_8.supports if v.control.identifier == "GV.SC-08")
        assert not reference.reasoned and reference.note.startswith("Reference: ")
        assert reference.reason.startswith("Notification and incident links")
        reasoned = next(v for v in sr_8.supports if v.control.identifier == "GV.SC-05")
        assert reasoned.reasoned and reasoned.reason.startswith("Notification duties are")

        gv_sc_08 = svc.control_detail(db.session, _control("GV.SC-08"))
        assert [g.key for g in gv_sc_08.supported_by] == ["sp800-53r5", "iso28000"]
        sp_ids = [c.identifier for c in gv_sc_08.supported_by[0].controls]
        assert sp_ids[:3] == ["SR-8", "CP-2(7)", "IR-4(10)"]  # SR first, then catalog order
        iso = [c.identifier for c in gv_sc_08.supported_by[1].controls]
        assert iso == ["ISO28000-8.6", "ISO28000-8.6.3", "ISO28000-8.6.5"]


def test_crosswalk_rows_and_csv(app, synced, shipped):
    with app.app_context():
        rows = svc.crosswalk_rows(db.session)
        assert [r.source.identifier for r in rows] == [f"GV.SC-{n:02d}" for n in range(1, 11)]
        assert all(set(r.targets) == {"sp800-53r5", "iso28000"} for r in rows)
        assert [k for k, _ in svc.target_frameworks(rows)] == ["sp800-53r5", "iso28000"]
        text = svc.crosswalk_csv(db.session)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == svc.CSV_HEADER
    assert len(lines) == 1 + len(shipped.crosswalk)
    assert ["GV.SC-10", "Provisions for the end of a partnership", "sp800-53r5", "SR-12"] == lines[
        -6
    ][:4]


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_cannot_run_as_formulas(app, synced, evil):
    with app.app_context():
        _control("GV.SC-01").title = evil
        link = db.session.scalars(select(CrosswalkLink)).first()
        link.note = evil
        db.session.flush()
        text = svc.crosswalk_csv(db.session)
        db.session.rollback()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + evil in cells
    assert evil not in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)


def test_empty_database_gives_empty_views(app):
    with app.app_context():
        assert svc.list_controls(db.session) == []
        assert svc.crosswalk_rows(db.session) == []
        assert svc.counts_by_framework(db.session) == {}
        assert svc.known_identifiers(db.session) == set()
        assert svc.crosswalk_csv(db.session).strip() == "\ufeff" + ",".join(svc.CSV_HEADER)
