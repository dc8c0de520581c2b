"""Supplier certifications: validity rules (pure), validation, create/update/archive, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Certification, StoredFile, Supplier
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import certifications as svc
from app.services.files import Upload
from risk_models import certifications as rules
from tests import factories

TODAY = dt.date(2030, 6, 1)
ACTOR = Actor(user_id=None, email="tester@example.com", role="analyst")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def _cert(standard="iso28000", start=None, until=TODAY, archived=False):
    return SimpleNamespace(
        standard=standard,
        valid_from=start,
        valid_until=until,
        archived_at=utcnow() if archived else None,
    )


# --- pure rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "until", "state"),
    [
        (None, TODAY + dt.timedelta(days=61), rules.VALID),
        (None, TODAY + dt.timedelta(days=60), rules.EXPIRING),
        (TODAY, TODAY, rules.EXPIRING),
        (None, TODAY - dt.timedelta(days=1), rules.EXPIRED),
        (TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=400), rules.NOT_YET_VALID),
    ],
)
def test_validity_states(start, until, state):
    assert rules.validity(start, until, TODAY) == state


def test_iso28000_coverage_needs_a_live_valid_iso28000_certificate():
    later = TODAY + dt.timedelta(days=365)
    assert rules.iso28000_coverage([_cert(until=later)], TODAY)
    assert rules.iso28000_coverage([_cert(until=TODAY)], TODAY)  # expiring still counts
    assert not rules.iso28000_coverage([], TODAY)
    assert not rules.iso28000_coverage([_cert(until=TODAY - dt.timedelta(days=1))], TODAY)
    assert not rules.iso28000_coverage([_cert(until=later, archived=True)], TODAY)
    assert not rules.iso28000_coverage([_cert("iso27001", until=later)], TODAY)
    not_yet = _cert(start=TODAY + dt.timedelta(days=3), until=later)
    assert not rules.iso28000_coverage([not_yet], TODAY)
    assert rules.iso28000_coverage(
        [
            _cert("tisax", until=later),
            _cert(until=TODAY - dt.timedelta(days=9)),
            _cert(until=later),
        ],
        TODAY,
    )


# --- validation --------------------------------------------------------------------------


def _data(**overrides) -> dict:
    data = {
        "standard": "ISO 28000",
        "scope": "Lagerhaltung und Transport, Werk Müller Präzisionsteile",
        "certification_body": " TÜV SÜD Industrie Service GmbH ",
        "certificate_number": "12 100 54321 TMS",
        "valid_from": "2029-01-15",
        "valid_until": "2032-01-14",
    }
    data.update(overrides)
    return data


def test_clean_accepts_labels_and_any_script():
    values, errors = svc.clean_certification(
        _data(scope="深圳精密电子有限公司 全部场地", standard="soc 2 type ii"), TODAY
    )
    assert errors == {}
    assert values["standard"] == "soc2_type2"
    assert values["certification_body"] == "TÜV SÜD Industrie Service GmbH"
    assert values["valid_until"] == dt.date(2032, 1, 14)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"standard": ""}, "standard", "This field is required."),
        ({"standard": "ISO 9001"}, "standard", "Unknown value 'ISO 9001'"),
        ({"valid_until": ""}, "valid_until", "This field is required."),
        ({"valid_until": "2028-12-31"}, "valid_until", "Must be after the valid-from date."),
        ({"valid_until": "2029-01-15"}, "valid_until", "Must be after the valid-from date."),
        ({"valid_until": "31/12/2031"}, "valid_until", "Not a date"),
        ({"valid_from": "1900-01-01"}, "valid_from", "Must not be before 1970-01-01"),
        ({"valid_until": "2099-01-01"}, "valid_until", "Must not be after"),
        ({"certification_body": "x" * 256}, "certification_body", "At most 255 characters"),
        ({"certificate_number": "x" * 121}, "certificate_number", "At most 120 characters"),
        ({"scope": "a\x00b"}, "scope", "invisible control characters"),
        ({"standard": "other", "scope": ""}, "scope", "Name the standard"),
    ],
)
def test_clean_refuses_bad_input(overrides, field, message):
    _values, errors = svc.clean_certification(_data(**overrides), TODAY)
    assert message in errors[field]


def test_past_validity_is_history_not_an_error():
    values, errors = svc.clean_certification(
        _data(valid_from="2020-01-01", valid_until="2023-01-01"), TODAY
    )
    assert errors == {}
    assert rules.validity(values["valid_from"], values["valid_until"], TODAY) == rules.EXPIRED


# --- use cases ---------------------------------------------------------------------------


@pytest.fixture
def supplier_id(app) -> int:
    with app.app_context():
        s = factories.make_supplier(db.session, legal_name="Công ty TNHH Thép Việt", code="VN-1")
        db.session.commit()
        return s.id


def _storage(tmp_path: Path, max_bytes: int = 10_000) -> svc.StorageOptions:
    return svc.StorageOptions(root=tmp_path / "uploads", max_bytes=max_bytes)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_with_file_is_stored_and_audited(app, supplier_id, tmp_path):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        cert = svc.create_certification(
            db.session,
            ACTOR,
            supplier,
            _data(),
            Upload("Zertifikat ISO 28000.pdf", PDF),
            _storage(tmp_path),
            today=TODAY,
        )
        db.session.commit()
        assert cert.standard == "iso28000" and cert.file.content_type == "application/pdf"
        assert cert.file.supplier_id == supplier_id
        assert cert.file.original_name == "Zertifikat ISO 28000.pdf"
        stored = tmp_path / "uploads" / cert.file.storage_key[:2] / cert.file.storage_key[2:4]
        assert (stored / cert.file.storage_key).read_bytes() == PDF
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity_type == "certification")
        )
        assert event.action == "create" and event.entity_id == str(cert.id)
        assert event.summary == "Added ISO 28000 certificate of VN-1 (valid until 2032-01-14)"
        assert event.after["supplier_id"] == supplier_id


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("certificate.pdf", EXE), "This kind of file is not accepted"),
        (Upload("big.pdf", PDF + b"x" * 20_000), "At most"),
        (Upload("empty.pdf", b""), "The file is empty."),
    ],
)
def test_bad_file_saves_nothing(app, supplier_id, tmp_path, upload, message):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        with pytest.raises(ServiceError) as info:
            svc.create_certification(
                db.session, ACTOR, supplier, _data(), upload, _storage(tmp_path), today=TODAY
            )
        db.session.rollback()
        assert message in info.value.errors["file"]
        assert _count(Certification) == 0 and _count(StoredFile) == 0
        assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_field_errors_and_file_errors_come_together(app, supplier_id, tmp_path):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        with pytest.raises(ServiceError) as info:
            svc.create_certification(
                db.session,
                ACTOR,
                supplier,
                _data(standard=""),
                Upload("evil.pdf", EXE),
                _storage(tmp_path),
                today=TODAY,
            )
        assert set(info.value.errors) == {"standard", "file"}
        with pytest.raises(ServiceError) as info:
            svc.create_certification(
                db.session,
                ACTOR,
                supplier,
                _data(standard=""),
                Upload("ok.pdf", PDF),
                _storage(tmp_path),
                today=TODAY,
            )
        assert "Choose the file again" in info.value.errors["file"]
        db.session.rollback()
        assert _count(StoredFile) == 0


def test_duplicate_number_is_refused_case_insensitively(app, supplier_id, tmp_path):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        first = svc.create_certification(
            db.session, ACTOR, supplier, _data(), None, _storage(tmp_path), today=TODAY
        )
        with pytest.raises(ServiceError) as info:
            svc.create_certification(
                db.session,
                ACTOR,
                supplier,
                _data(certificate_number="12 100 54321 tms"),
                None,
                _storage(tmp_path),
                today=TODAY,
            )
        assert "already has this certificate" in info.value.errors["certificate_number"]
        # Another standard with the same number, or no number, is fine.
        svc.create_certification(
            db.session, ACTOR, supplier, _data(standard="tisax"), None, _storage(tmp_path)
        )
        # Once the first is archived, the number may be recorded again, but not restored twice.
        svc.archive_certification(db.session, ACTOR, first)
        svc.create_certification(
            db.session, ACTOR, supplier, _data(), None, _storage(tmp_path), today=TODAY
        )
        with pytest.raises(ServiceError, match="same number exists"):
            svc.restore_certification(db.session, ACTOR, first)


def test_archived_supplier_takes_no_new_certificates(app, supplier_id, tmp_path):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        supplier.archived_at = utcnow()
        with pytest.raises(ServiceError, match="archived"):
            svc.create_certification(
                db.session, ACTOR, supplier, _data(), None, _storage(tmp_path), today=TODAY
            )


def test_update_replaces_or_removes_the_file_and_audits_the_change(app, supplier_id, tmp_path):
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        cert = svc.create_certification(
            db.session, ACTOR, supplier, _data(), Upload("a.pdf", PDF), _storage(tmp_path)
        )
        old_file = cert.file_id
        svc.update_certification(
            db.session,
            ACTOR,
            cert,
            _data(valid_until="2033-01-14"),
            Upload("renewed.pdf", PDF + b"%renewed\n"),
            _storage(tmp_path),
            today=TODAY,
        )
        assert cert.file_id != old_file and db.session.get(StoredFile, old_file) is not None
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id)
        ).all()[-1]
        assert event.before == {"valid_until": "2032-01-14", "file_id": old_file}
        assert event.after == {"valid_until": "2033-01-14", "file_id": cert.file_id}

        svc.update_certification(
            db.session,
            ACTOR,
            cert,
            _data(valid_until="2033-01-14"),
            None,
            _storage(tmp_path),
            remove_file=True,
            today=TODAY,
        )
        assert cert.file_id is None
        # Saving the same values again records nothing.
        before = _count(AuditEvent)
        svc.update_certification(
            db.session, ACTOR, cert, _data(valid_until="2033-01-14"), None, _storage(tmp_path)
        )
        assert _count(AuditEvent) == before

        with pytest.raises(ServiceError) as info:
            svc.update_certification(
                db.session,
                ACTOR,
                cert,
                _data(valid_until="2020-01-01"),
                None,
                _storage(tmp_path),
                today=TODAY,
            )
        assert info.value.errors == {"valid_until": "Must be after the valid-from date."}
        db.session.refresh(cert)
        assert cert.valid_until == dt.date(2033, 1, 14)


def test_archive_restore_and_listing_with_flags(app, supplier_id, tmp_path):
    today = dt.date.today()
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)

        def add(standard, until, number):
            return svc.create_certification(
                db.session,
                ACTOR,
                supplier,
                _data(
                    standard=standard,
                    valid_from="2015-01-01",
                    valid_until=until.isoformat(),
                    certificate_number=number,
                ),
                None,
                _storage(tmp_path),
            )

        iso = add("iso28000", today + dt.timedelta(days=30), "A")
        add("iso27001", today - dt.timedelta(days=3), "B")
        add("tisax", today + dt.timedelta(days=500), "C")
        views = svc.list_certifications(db.session, supplier_id)
        assert [(v.cert.certificate_number, v.state) for v in views] == [
            ("C", "valid"),
            ("A", "expiring"),
            ("B", "expired"),
        ]
        assert [v.flagged for v in views] == [False, True, True]
        assert views[1].days_left == 30 and views[1].badge == "text-bg-warning"
        assert svc.iso28000_covered(views)

        svc.archive_certification(db.session, ACTOR, iso)
        with pytest.raises(ServiceError, match="already archived"):
            svc.archive_certification(db.session, ACTOR, iso)
        views = svc.list_certifications(db.session, supplier_id)
        assert not svc.iso28000_covered(views)
        archived = svc.list_certifications(db.session, supplier_id, archived=True)
        assert [v.cert.id for v in archived] == [iso.id]
        assert archived[0].state_label == "Archived"
        with pytest.raises(ServiceError, match="archived"):
            svc.update_certification(db.session, ACTOR, iso, _data(), None, _storage(tmp_path))

        svc.restore_certification(db.session, ACTOR, iso)
        with pytest.raises(ServiceError, match="not archived"):
            svc.restore_certification(db.session, ACTOR, iso)
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(iso.id))
        ).all()
        assert actions == ["create", "archive", "restore"]


def test_get_certification_checks_the_supplier(app, supplier_id, tmp_path):
    with app.app_context():
        other = factories.make_supplier(db.session)
        supplier = db.session.get(Supplier, supplier_id)
        cert = svc.create_certification(
            db.session, ACTOR, supplier, _data(), None, _storage(tmp_path)
        )
        assert svc.get_certification(db.session, supplier_id, cert.id) is cert
        assert svc.get_certification(db.session, other.id, cert.id) is None
        assert svc.get_certification(db.session, supplier_id, 424242) is None
