"""The ISO 28000 certificate on record as an assessment sees it: which one, and its flags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from app.extensions import db
from app.models import Certification
from app.services import certifications as svc
from questionnaires.schema import load_template
from tests import factories

TODAY = dt.date(2026, 3, 1)
ISO_DOC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "questionnaires/templates/iso28000.yaml").read_text(
        encoding="utf-8"
    )
)


def _add(supplier_id: int, until_days: int, **values) -> Certification:
    cert = Certification(
        supplier_id=supplier_id,
        standard=values.pop("standard", "iso28000"),
        valid_until=TODAY + dt.timedelta(days=until_days),
        **values,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def test_the_longest_valid_certificate_is_chosen_and_flags_follow_the_due_date(app, users):
    with app.app_context():
        a = users["supplier_a"].id
        _add(a, 30, certificate_number="OLD")
        longest = _add(a, 500, certificate_number="NEW")
        _add(a, 900, certificate_number="ARCH", archived_at=dt.datetime(2026, 1, 1))
        _add(a, 1000, standard="iso27001")
        record = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert record.covers and record.view.cert.id == longest.id
        assert record.question == "iso_certified"
        assert not record.flagged and record.warnings == []
        due_late = TODAY + dt.timedelta(days=600)
        late = svc.iso28000_on_record(db.session, a, due_on=due_late, today=TODAY)
        assert late.expires_before_due and late.flagged
        assert late.warnings == [
            "Expires before the assessment is due (2027-10-22): ask for the renewed certificate."
        ]


def test_expiring_expired_not_yet_valid_and_none(app, users):
    with app.app_context():
        a, b = users["supplier_a"].id, users["supplier_b"].id
        assert svc.iso28000_on_record(db.session, a, today=TODAY).view is None
        _add(b, 400)  # another supplier's certificate never counts
        none = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert (none.view, none.covers, none.flagged, none.warnings) == (None, False, False, [])

        expired = _add(a, -1)
        record = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert record.view.cert.id == expired.id and not record.covers and record.flagged
        assert record.warnings == ["Expired on 2026-02-28."]

        future = _add(a, 700, valid_from=TODAY + dt.timedelta(days=10))
        record = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert record.view.cert.id == future.id and not record.covers
        assert record.warnings == ["Not valid before 2026-03-11."]

        _add(a, 1)
        record = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert record.covers and record.expiring and record.flagged
        assert record.warnings == ["Expires within 60 days (in 1 day)."]
        _add(a, 0)
        _add(a, 61)
        record = svc.iso28000_on_record(db.session, a, today=TODAY)
        assert record.covers and not record.expiring and not record.flagged


def test_send_note_needs_a_valid_certificate_and_an_iso_questionnaire(app, users):
    with app.app_context():
        a = users["supplier_a"].id
        _add(a, 400)
        factories.make_template_version(db.session)  # not an ISO 28000 questionnaire
        assert svc.iso28000_send_note(db.session, a, today=TODAY) is None
        factories.make_template_version(db.session, ISO_DOC)
        factories.make_template_version(db.session, ISO_DOC, status="draft")
        note = svc.iso28000_send_note(db.session, a, today=TODAY)
        assert note.questionnaires == ["ISO 28000 Supply Chain Security"]
        assert note.record.covers
        assert svc.iso28000_send_note(db.session, users["supplier_b"].id, today=TODAY) is None


def test_which_questionnaires_ask_for_the_certificate():
    assert svc.asks_for_iso28000_certificate(load_template(ISO_DOC))
    copy = yaml.safe_load(yaml.safe_dump(ISO_DOC))
    copy["key"] = "iso28000-lite"
    assert svc.asks_for_iso28000_certificate(load_template(copy))
    assert not svc.asks_for_iso28000_certificate(load_template(factories.MINI_TEMPLATE))
