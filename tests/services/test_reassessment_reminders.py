"""Reassessment reminders: owners hear about suppliers due within two weeks, at most weekly,
never for one whose questionnaire is already out, through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from app.extensions import db
from app.jobs.definitions import BY_NAME
from app.models import Supplier
from app.services import Actor, reassessments
from tests import factories

TODAY = dt.date(2026, 12, 7)


def test_owners_hear_about_due_reassessments_once_a_week(app, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        ana = factories.make_user(db.session, "analyst", "ana@example.com")
        due = factories.make_supplier(
            db.session, legal_name="Công ty TNHH Thép Việt", owner_id=ana.id,
            next_reassessment_on=TODAY + dt.timedelta(days=10),
        )  # fmt: skip
        factories.make_supplier(
            db.session, legal_name="深圳精密电子有限公司", owner_id=ana.id,
            next_reassessment_on=TODAY - dt.timedelta(days=3),
        )  # fmt: skip
        factories.make_supplier(  # not yet: three weeks away
            db.session, owner_id=ana.id, next_reassessment_on=TODAY + dt.timedelta(days=21)
        )
        out = factories.make_supplier(  # its questionnaire is already out
            db.session, owner_id=ana.id, next_reassessment_on=TODAY
        )
        factories.make_assessment(db.session, out, status="in_progress")
        factories.make_supplier(db.session, next_reassessment_on=TODAY)  # nobody owns it
        db.session.commit()
        job = BY_NAME["remind-reassessments"]
        assert job.run(db.session, Actor.system("job"), TODAY) == "2 supplier(s) in reminders sent"
        db.session.commit()
        assert job.run(db.session, Actor.system("job"), TODAY).startswith("0 ")
        assert db.session.get(Supplier, due.id).reassessment_reminded_on == TODAY
        later = TODAY + dt.timedelta(days=7)  # a week on: both again, and the third is near
        assert reassessments.remind_owners(db.session, Actor.system(), later) == 3
    assert len(handler.messages) == 2
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["ana@example.com"]
    body = email.message_from_bytes(envelope.content, policy=email.policy.default).get_content()
    assert "Công ty TNHH Thép Việt" in body and "深圳精密电子有限公司" in body
    assert f"{TODAY - dt.timedelta(days=3):%Y-%m-%d} (OVERDUE)" in body
    assert body.count("\n- ") == 2, body


def test_without_a_mail_server_nothing_is_marked(app):
    app.config["MAIL_SERVER"] = ""
    with app.app_context():
        ana = factories.make_user(db.session, "analyst", "ana@example.com")
        s = factories.make_supplier(db.session, owner_id=ana.id, next_reassessment_on=TODAY)
        assert reassessments.remind_owners(db.session, Actor.system(), TODAY) == 0
        assert s.reassessment_reminded_on is None
