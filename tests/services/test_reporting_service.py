"""Report schedules: validation, audit, next and latest fire times in the schedule's
timezone, periods, requests, and e-mail delivery of the PDF through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ReportRun, ReportSchedule
from app.services import Actor, ServiceError, reporting
from tests import factories
from tests.jobs_child import FAKE_PDF

ADMIN = Actor(user_id=None, email="admin@example.com", role="admin")
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
GOOD = {"name": "Board pack", "kind": "portfolio", "cadence": "monthly",
        "timezone": "Asia/Ho_Chi_Minh", "recipients": "ceo@example.com, cfo@example.com"}  # fmt: skip


def test_bad_schedules_are_refused_field_by_field(app):
    with app.app_context():
        with pytest.raises(ServiceError) as bad:
            reporting.create_schedule(
                db.session,
                ADMIN,
                {"name": "", "kind": "supplier", "supplier": "424242", "cadence": "hourly",
                 "timezone": "Mars/Olympus", "recipients": "ceo@example.com\nnot-an-address"},
            )  # fmt: skip
        assert set(bad.value.errors) == {"name", "supplier", "cadence", "timezone", "recipients"}
        for cron, message in (
            ("", "Give a cron expression"),
            ("61 7 * * *", "Not a valid cron expression"),
            ("* 7 * * *", "at most once an hour"),
            ("0 7 * *", "Not a valid cron expression"),
        ):
            with pytest.raises(ServiceError) as bad:
                reporting.create_schedule(
                    db.session, ADMIN, {**GOOD, "cadence": "cron", "cron": cron}
                )
            assert message in bad.value.errors["cron"], cron
        with pytest.raises(ServiceError, match="Only an administrator"):
            reporting.create_schedule(db.session, ANALYST, GOOD)
        assert db.session.scalar(select(ReportSchedule)) is None


def test_a_schedule_is_saved_audited_and_fires_in_its_timezone(app):
    with app.app_context():
        schedule = reporting.create_schedule(db.session, ADMIN, GOOD)
        assert (schedule.cron, schedule.recipient_list) == (
            "0 7 1 * *", ["ceo@example.com", "cfo@example.com"]
        )  # fmt: skip
        now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
        # 07:00 in Ho Chi Minh City (UTC+7) on the 1st is 00:00 UTC.
        assert reporting.next_due(schedule, now) == dt.datetime(
            2027, 1, 1, 7, 0, tzinfo=reporting.ZoneInfo("Asia/Ho_Chi_Minh")
        )
        fire = reporting.latest_due(schedule, now, now - dt.timedelta(days=90))
        assert fire.astimezone(dt.UTC) == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
        assert reporting.period_for(schedule, fire) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
        reporting.update_schedule(
            db.session, ADMIN, schedule, {**GOOD, "cadence": "cron", "cron": "30 6 * * fri"}
        )
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions == ["schedule_create", "schedule_edit"]
        fire = reporting.latest_due(schedule, now, now - dt.timedelta(days=30))
        assert fire.weekday() == 4 and (fire.hour, fire.minute) == (6, 30)
        start, end = reporting.period_for(schedule, fire)
        assert (end - start).days == 7  # from the previous Friday


def test_supplier_reports_need_a_live_supplier(app):
    with app.app_context():
        supplier = factories.make_supplier(db.session)
        schedule = reporting.create_schedule(
            db.session, ADMIN, {**GOOD, "kind": "supplier", "supplier": str(supplier.id)}
        )
        assert schedule.supplier_id == supplier.id
        with pytest.raises(ServiceError, match="needs a supplier"):
            reporting.request_run(db.session, ADMIN, kind="supplier", supplier_id=424242)


def test_requests_are_for_admins_and_sending_needs_recipients(app):
    with app.app_context():
        silent = reporting.create_schedule(db.session, ADMIN, {**GOOD, "recipients": ""})
        with pytest.raises(ServiceError, match="no recipients"):
            reporting.request_run(db.session, ADMIN, kind="portfolio", schedule=silent, send=True)
        with pytest.raises(ServiceError, match="Only an administrator"):
            reporting.request_run(db.session, ANALYST, kind="portfolio")
        run = reporting.request_run(db.session, ADMIN, kind="portfolio", schedule=silent)
        assert (run.status, run.period_key, run.schedule_id) == (
            "queued", f"request-{run.id}", silent.id
        )  # fmt: skip


def test_the_pdf_is_mailed_to_the_recipients_through_a_real_smtp_server(app, smtp_server, tmp_path):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():  # the real report: a supplier with a Vietnamese name
        factories.make_supplier(db.session, legal_name="Công ty TNHH Thép Việt")
        schedule = reporting.create_schedule(db.session, ADMIN, GOOD)
        run = reporting.request_run(
            db.session, ADMIN, kind="portfolio", schedule=schedule, send=True
        )
        db.session.commit()
        storage = reporting.Storage(root=tmp_path, org_name="Nhà máy Hải Phòng")
        run = reporting.execute(db.session, run.id, storage, today=dt.date(2026, 12, 6))
        assert (run.status, run.emailed_to) == ("succeeded", "ceo@example.com\ncfo@example.com")
    (envelope,) = handler.messages
    assert sorted(envelope.rcpt_tos) == ["ceo@example.com", "cfo@example.com"]  # a set inside
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert "Nhà máy Hải Phòng: Executive portfolio report" in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "chainlight-portfolio-2026-12-06.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Nhà máy Hải Phòng" in text and "Công ty TNHH Thép Việt" in text
    assert len(pdf.pages) == run.pages > 1


def test_without_a_mail_server_the_run_says_it_was_not_sent(app, monkeypatch, tmp_path):
    app.config["MAIL_SERVER"] = ""
    monkeypatch.setattr(reporting, "build", lambda *a, **k: (FAKE_PDF, None))
    with app.app_context():
        schedule = reporting.create_schedule(db.session, ADMIN, GOOD)
        run = reporting.request_run(
            db.session, ADMIN, kind="portfolio", schedule=schedule, send=True
        )
        db.session.commit()
        run = reporting.execute(
            db.session, run.id, reporting.Storage(tmp_path, "Org"), today=dt.date(2026, 12, 6)
        )
        assert (run.status, run.emailed_to) == ("succeeded", "")
        assert run.error == "Not e-mailed: no mail server is configured."
        assert db.session.scalar(select(ReportRun.size)) == len(FAKE_PDF)
