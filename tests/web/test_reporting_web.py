"""Report screens (/reports): the archive and its filters and downloads, the schedules
(add, edit, delete, run now, run and e-mail now) with field-by-field refusals, the
portfolio and supplier PDFs made on demand, the buttons that lead there, and roles."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import runner
from app.models import AuditEvent, ReportRun, ReportSchedule
from app.services import Actor, reporting
from app.services import files as file_store
from tests import factories
from tests.jobs_child import FAKE_PDF
from tests.web.test_query_counts import counting

TODAY = dt.date.today()
GOOD = {
    "name": "Monthly board pack",
    "kind": "portfolio",
    "supplier": "",
    "cadence": "monthly",
    "cron": "",
    "timezone": "Europe/Berlin",
    "recipients": "ceo@example.com, cfo@example.com",
    "active": "y",
}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def fake_build(monkeypatch):
    """Reports built instantly: a tiny PDF (the real builders are tested once per kind)."""
    calls = []

    def build(session, kind, **kwargs):
        calls.append((kind, kwargs))
        return FAKE_PDF, ({"suppliers": {}} if kind == "portfolio" else None)

    monkeypatch.setattr(reporting, "build", build)
    return calls


def add_schedule(app, **values) -> int:
    data = {**GOOD, **values}
    with app.app_context():
        schedule = reporting.create_schedule(db.session, Actor.system("test"), data)
        db.session.commit()
        return schedule.id


def add_run(app, *, stored: bool = False, **values) -> int:
    """A report run straight in the database (succeeded, portfolio, by default)."""
    row = {
        "kind": "portfolio",
        "trigger": "request",
        "period_start": TODAY - dt.timedelta(days=30),
        "period_end": TODAY,
        "status": "succeeded",
        "requested_by_email": "admin@example.com",
    }
    row.update(values)
    with app.app_context():
        run = ReportRun(**row)
        if stored:
            run.file = file_store.store(
                db.session,
                Actor.system("test"),
                file_store.Upload("chainlight-portfolio-test.pdf", FAKE_PDF),
                root=Path(app.config["CHAINLIGHT_UPLOAD_DIR"]),
                supplier_id=run.supplier_id,
            )
            run.size, run.pages = len(FAKE_PDF), 1
        db.session.add(run)
        db.session.flush()
        run.period_key = run.period_key or f"test-{run.id}"
        db.session.commit()
        return run.id


def run_ids(response) -> list[int]:
    """The report runs the archive lists, in page order (by their "#id")."""
    assert response.status_code == 200, response.status_code
    return [int(i) for i in re.findall(r'<span class="text-muted">#(\d+)</span>', text(response))]


# --- schedules -------------------------------------------------------------------------------


def test_admin_adds_a_schedule_and_sees_when_it_fires(app, client, login_as):
    login_as("admin")
    form = client.get("/reports/schedules/new")
    assert form.status_code == 200
    page = text(form)
    for name in ("name", "kind", "supplier", "cadence", "cron", "timezone", "recipients", "active"):
        assert f'name="{name}"' in page, name
    assert 'value="UTC"' in page and '<option value="Europe/Berlin">' in page
    assert "minute hour day month weekday" in page
    response = client.post("/reports/schedules/new", data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reports/schedules")
    with app.app_context():
        schedule = db.session.scalar(select(ReportSchedule))
        assert (schedule.name, schedule.cron, schedule.timezone, schedule.active) == (
            "Monthly board pack",
            "0 7 1 * *",
            "Europe/Berlin",
            True,
        )
        assert schedule.recipient_list == ["ceo@example.com", "cfo@example.com"]
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "schedule_create"
        )
        fire = reporting.next_due(schedule, dt.datetime.now(dt.UTC))
    listing = text(client.get("/reports/schedules"))
    assert "Schedule “Monthly board pack” added." in listing
    assert "Monthly (1st, 07:00)" in listing and "2 addresses" in listing
    local = fire.astimezone(reporting.ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M")
    utc = fire.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    assert f'{local} <span class="text-muted">Europe/Berlin</span>' in listing
    assert f"{utc} UTC" in listing
    assert "Never run" in listing


def test_a_supplier_report_on_a_cron_expression(app, client, login_as, users):
    login_as("admin")
    supplier_id = users["supplier_b"].id
    form = text(client.get(f"/reports/schedules/new?kind=supplier&supplier_id={supplier_id}"))
    assert f'<option selected value="{supplier_id}">Beta Logistics Ltd (SUP-B)</option>' in form
    response = client.post(
        "/reports/schedules/new",
        data={
            **GOOD,
            "name": "Beta weekly",
            "kind": "supplier",
            "supplier": str(supplier_id),
            "cadence": "cron",
            "cron": "30  6 * * fri",
            "timezone": "UTC",
            "recipients": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        schedule = db.session.scalar(select(ReportSchedule))
        assert (schedule.kind, schedule.supplier_id, schedule.cron, schedule.recipients) == (
            "supplier",
            supplier_id,
            "30 6 * * fri",
            "",
        )
    listing = text(client.get("/reports/schedules"))
    assert "Beta Logistics Ltd" in listing and "30 6 * * fri" in listing
    assert "None (archive only)" in listing
    assert re.search(
        r'disabled title="This schedule has no recipients">Run and e-mail now', listing
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", None),
        ({"kind": "carrier-pigeon"}, "kind", "Choose the portfolio or the supplier report."),
        ({"kind": "supplier", "supplier": "424242"}, "supplier", "needs a live supplier"),
        ({"cadence": "hourly"}, "cadence", "Choose weekly, monthly, quarterly"),
        ({"cadence": "cron", "cron": ""}, "cron", "Give a cron expression"),
        ({"cadence": "cron", "cron": "* 7 * * *"}, "cron", "at most once an hour"),
        ({"cadence": "cron", "cron": "61 7 * * *"}, "cron", "Not a valid cron expression"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown timezone 'Mars/Olympus'"),
        ({"recipients": "ceo@example.com\nnot-an-address"}, "recipients", None),
    ],
)
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_saved(
    app, client, login_as, changes, field, message
):
    login_as("admin")
    response = client.post("/reports/schedules/new", data={**GOOD, **changes})
    assert response.status_code == 400
    page = text(response)
    assert "Please correct the field marked below." in page
    # The message sits right after the field it is about, which is marked invalid.
    shown = re.search(
        rf'id="{field}"[^>]*>(?:[^<]*</(?:select|textarea)>)?'
        r"(?:\s*<option[^>]*>[^<]*</option>)*\s*(?:</select>)?\s*"
        r'<div class="invalid-feedback d-block">([^<]+)</div>',
        page,
    )
    assert shown, page[page.find(f'id="{field}"') - 200 :][:1500]
    if message:
        assert message in shown.group(1)
    assert re.search(
        rf'<(?:input|select|textarea)[^>]* class="[^"]*is-invalid"[^>]* id="{field}"', page
    )
    # What was typed is kept.
    assert 'value="Europe/Berlin"' in page or changes.get("timezone")
    assert count(app, ReportSchedule) == 0


def test_several_bad_fields_are_all_shown(app, client, login_as):
    login_as("admin")
    response = client.post(
        "/reports/schedules/new",
        data={
            "name": "",
            "kind": "supplier",
            "supplier": "",
            "cadence": "cron",
            "cron": "",
            "timezone": "Nowhere",
            "recipients": "x",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert page.count('class="invalid-feedback d-block"') == 5
    assert "Please correct the fields marked below." in page
    assert count(app, ReportSchedule) == 0


def test_admin_edits_a_schedule(app, client, login_as):
    login_as("admin")
    schedule_id = add_schedule(app)
    form = text(client.get(f"/reports/schedules/{schedule_id}/edit"))
    assert 'value="Monthly board pack"' in form and 'value="Europe/Berlin"' in form
    assert "ceo@example.com\ncfo@example.com</textarea>" in form
    assert 'id="active" name="active" type="checkbox" value="y"' in form
    assert re.search(r'<input [^>]*checked class="form-check-input"[^>]*id="active"', form)
    # The cron expression a preset cadence comes down to is not shown as if typed.
    assert re.search(r'id="cron"[^>]*value=""', form) or 'id="cron" maxlength' in form
    bad = client.post(
        f"/reports/schedules/{schedule_id}/edit", data={**GOOD, "cadence": "cron", "cron": "x"}
    )
    assert bad.status_code == 400
    assert "Not a valid cron expression" in text(bad)
    with app.app_context():
        assert db.session.get(ReportSchedule, schedule_id).cadence == "monthly"
    # Unticking "active" (the box is then simply not sent) pauses the schedule.
    edited = {k: v for k, v in GOOD.items() if k != "active"}
    edited.update(name="Weekly board pack", cadence="weekly", timezone="UTC")
    response = client.post(f"/reports/schedules/{schedule_id}/edit", data=edited)
    assert response.status_code == 302
    with app.app_context():
        schedule = db.session.get(ReportSchedule, schedule_id)
        assert (schedule.name, schedule.cron, schedule.active) == (
            "Weekly board pack",
            "0 7 * * mon",
            False,
        )
        assert "schedule_edit" in db.session.scalars(select(AuditEvent.action)).all()
    listing = text(client.get("/reports/schedules"))
    assert "Paused" in listing and "Weekly (Monday 07:00)" in listing
    assert client.get("/reports/schedules/424242/edit").status_code == 404


def test_admin_deletes_a_schedule_and_its_reports_stay(app, client, login_as):
    login_as("admin")
    schedule_id = add_schedule(app)
    run_id = add_run(app, schedule_id=schedule_id, trigger="schedule")
    response = client.post(f"/reports/schedules/{schedule_id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "deleted; the reports it made stay in the archive" in text(response)
    assert count(app, ReportSchedule) == 0
    with app.app_context():
        assert db.session.get(ReportRun, run_id).schedule_id is None
    assert client.post("/reports/schedules/424242/delete").status_code == 404


def test_the_delete_button_asks_first(app, client, login_as):
    login_as("admin")
    add_schedule(app)
    listing = text(client.get("/reports/schedules"))
    assert 'data-confirm="Delete the schedule “Monthly board pack”?' in listing


# --- run now, the runner and the archive -----------------------------------------------------


def test_run_now_queues_a_run_the_runner_makes_and_the_archive_lists(
    app, client, login_as, fake_build
):
    admin = login_as("admin")
    schedule_id = add_schedule(app)
    response = client.post(f"/reports/schedules/{schedule_id}/run", data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reports/")
    archive = text(client.get("/reports/"))
    assert "“Monthly board pack” is queued, to be made and archived." in archive
    assert "flask --app wsgi jobs run" in archive
    assert "Queued" in archive and "Being made…" in archive
    with app.app_context():
        run = db.session.scalar(select(ReportRun))
        assert (run.status, run.send, run.trigger, run.requested_by_id) == (
            "queued",
            False,
            "request",
            admin.id,
        )
        run_id = run.id
        runner.tick()
        run = db.session.get(ReportRun, run_id)
        assert (run.status, run.size, run.pages, run.emailed_to) == (
            "succeeded",
            len(FAKE_PDF),
            1,
            "",
        )
    assert fake_build[0][0] == "portfolio"
    archive = client.get("/reports/")
    assert run_ids(archive) == [run_id]
    page = text(archive)
    assert "Done" in page and "All suppliers" in page and "Monthly board pack" in page
    assert "admin@example.com" in page and f"1 page · {len(FAKE_PDF)} bytes" in page
    assert f'href="/reports/runs/{run_id}.pdf"' in page
    download = client.get(f"/reports/runs/{run_id}.pdf")
    assert download.status_code == 200
    assert download.data == FAKE_PDF
    assert download.mimetype == "application/pdf"
    assert (
        f"chainlight-portfolio-{TODAY.isoformat()}.pdf" in download.headers["Content-Disposition"]
    )
    schedules = text(client.get("/reports/schedules"))
    assert "Never run" not in schedules and "Done" in schedules


def test_run_and_email_now_sends_the_pdf(app, client, login_as, fake_build, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    login_as("admin")
    schedule_id = add_schedule(app)
    response = client.post(
        f"/reports/schedules/{schedule_id}/run", data={"send": "1"}, follow_redirects=True
    )
    assert "to be made and e-mailed to 2 recipients" in text(response)
    assert "To be e-mailed" in text(response)
    with app.app_context():
        runner.tick()
    (envelope,) = handler.messages
    assert sorted(envelope.rcpt_tos) == ["ceo@example.com", "cfo@example.com"]
    page = text(client.get("/reports/"))
    assert "<div>ceo@example.com</div><div>cfo@example.com</div>" in page


def test_run_and_email_needs_recipients(app, client, login_as):
    login_as("admin")
    schedule_id = add_schedule(app, recipients="")
    response = client.post(
        f"/reports/schedules/{schedule_id}/run", data={"send": "1"}, follow_redirects=True
    )
    assert "This schedule has no recipients to send the report to." in text(response)
    assert count(app, ReportRun) == 0
    assert client.post("/reports/schedules/424242/run").status_code == 404


def test_the_archive_shows_failures_and_mail_problems(app, client, login_as):
    login_as("analyst")
    add_run(app, status="failed", error="ValueError: no fonts")
    add_run(app, stored=True, send=True, error="Not e-mailed: no mail server is configured.")
    page = text(client.get("/reports/"))
    assert "Failed" in page and "ValueError: no fonts" in page
    assert "Not e-mailed" in page and "no mail server is configured" in page
    assert "No file" in page


def test_the_archive_filters_by_kind_status_and_trigger(app, client, login_as, users):
    login_as("executive")
    supplier_id = users["supplier_a"].id
    schedule_id = add_schedule(app, name="Alpha", kind="supplier", supplier=str(supplier_id))
    done = add_run(app, stored=True)
    failed = add_run(app, status="failed", error="boom")
    alpha = add_run(
        app,
        kind="supplier",
        supplier_id=supplier_id,
        schedule_id=schedule_id,
        trigger="schedule",
        requested_by_email="",
    )
    queued = add_run(app, status="queued")
    assert run_ids(client.get("/reports/")) == [queued, alpha, failed, done]
    assert run_ids(client.get("/reports/?kind=supplier")) == [alpha]
    assert run_ids(client.get("/reports/?kind=portfolio&status=succeeded")) == [done]
    assert run_ids(client.get("/reports/?status=failed")) == [failed]
    assert run_ids(client.get("/reports/?trigger=schedule")) == [alpha]
    page = text(client.get("/reports/?kind=supplier"))
    assert "Alpha Components GmbH" in page and "SUP-A" in page and "The schedule" in page
    assert "data-autosubmit" in page and "Clear filters" in page
    # Unknown values are ignored, never an error.
    assert len(run_ids(client.get("/reports/?kind=pigeon&status=x&trigger=y&page=-1"))) == 4
    empty = text(client.get("/reports/?status=running"))
    assert "No report matches these filters." in empty


def test_the_archive_pages(app, client, login_as):
    login_as("admin")
    for _ in range(27):
        add_run(app)
    first = client.get("/reports/")
    assert len(run_ids(first)) == 25 and "27 results" in text(first)
    assert len(run_ids(client.get("/reports/?page=2"))) == 2


def _grow(app, n: int) -> None:
    """n supplier schedules, each with a run, plus n portfolio runs."""
    with app.app_context():
        suppliers = [factories.make_supplier(db.session).id for _ in range(n)]
        db.session.commit()
    for supplier_id in suppliers:
        schedule_id = add_schedule(app, kind="supplier", supplier=str(supplier_id))
        add_run(
            app,
            stored=True,
            kind="supplier",
            supplier_id=supplier_id,
            schedule_id=schedule_id,
            trigger="schedule",
        )
        add_run(app, status="failed", error="boom")


def test_the_lists_query_the_same_however_many_reports(app, client, login_as):
    login_as("admin")
    pages = ("/reports/", "/reports/?kind=supplier", "/reports/schedules")

    def counts() -> list[int]:
        result = []
        for path in pages:
            client.get(path)  # warm caches so only the page's own queries count
            with counting(app) as counter:
                assert client.get(path).status_code == 200, path
            result.append(counter["n"])
        return result

    _grow(app, 2)
    small = counts()
    _grow(app, 9)
    assert counts() == small


def test_the_empty_archive_explains_how_reports_are_made(app, client, login_as):
    login_as("admin")
    page = text(client.get("/reports/"))
    assert "No reports have been archived yet." in page
    assert "report schedule" in page and "Download PDF" in page
    assert "flask --app wsgi report generate" in page
    assert 'href="/reports/schedules/new"' in page
    login_as("executive")
    page = text(client.get("/reports/"))
    assert "No reports have been archived yet." in page
    assert "/reports/schedules" not in page


def test_download_is_404_without_a_file(app, client, login_as):
    login_as("admin")
    queued = add_run(app, status="queued")
    assert client.get(f"/reports/runs/{queued}.pdf").status_code == 404
    assert client.get("/reports/runs/424242.pdf").status_code == 404


# --- made on demand --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_the_portfolio_pdf_on_demand(app, client, login_as, fake_build, role):
    login_as(role)
    add_run(app, stored=True, facts={"suppliers": {"1": {"band": "high"}}})
    response = client.get("/reports/portfolio.pdf")
    assert response.status_code == 200
    assert response.data == FAKE_PDF and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=chainlight-portfolio-{TODAY.isoformat()}.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    ((kind, kwargs),) = fake_build
    assert kind == "portfolio" and kwargs["today"] == TODAY
    # "Changes since the last report" compare with the last archived portfolio report.
    assert kwargs["previous"] == {"suppliers": {"1": {"band": "high"}}}
    assert count(app, ReportRun) == 1  # not archived
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event.action == "report_download"
        assert "Executive portfolio report downloaded" in event.summary


def test_the_supplier_pdf_on_demand(app, client, login_as, fake_build, users):
    login_as("executive")
    supplier_id = users["supplier_b"].id
    response = client.get(f"/reports/supplier/{supplier_id}.pdf")
    assert response.status_code == 200 and response.data == FAKE_PDF
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=chainlight-supplier-SUP-B-{TODAY.isoformat()}.pdf"
    )
    ((kind, kwargs),) = fake_build
    assert (kind, kwargs["supplier_id"]) == ("supplier", supplier_id)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert (event.action, event.entity_type, event.entity_id) == (
            "report_download",
            "supplier",
            str(supplier_id),
        )
        assert "Beta Logistics Ltd (SUP-B)" in event.summary
    assert count(app, ReportRun) == 0
    assert client.get("/reports/supplier/424242.pdf").status_code == 404
    assert client.get("/reports/supplier/99999999999999999999.pdf").status_code == 404


def test_the_real_portfolio_pdf(app, client, login_as):
    login_as("executive")
    response = client.get("/reports/portfolio.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_the_real_supplier_pdf(app, client, login_as, users):
    login_as("analyst")
    response = client.get(f"/reports/supplier/{users['supplier_a'].id}.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


# --- where the buttons are -------------------------------------------------------------------


def test_download_buttons_and_navigation(app, client, login_as, users):
    supplier_id = users["supplier_a"].id
    login_as("analyst")
    dashboard = text(client.get("/"))
    assert 'href="/reports/portfolio.pdf"' in dashboard and "Download PDF" in dashboard
    assert re.search(r'href="/reports/"\s*>Reports</a>', dashboard)
    assert "Report schedules" not in dashboard
    detail = text(client.get(f"/suppliers/{supplier_id}"))
    assert f'href="/reports/supplier/{supplier_id}.pdf"' in detail
    login_as("executive")
    assert 'href="/reports/portfolio.pdf"' in text(client.get("/"))
    assert 'href="/reports/portfolio.pdf"' in text(client.get("/portfolio"))
    detail = text(client.get(f"/suppliers/{supplier_id}"))
    assert f'href="/reports/supplier/{supplier_id}.pdf"' in detail
    login_as("admin")
    page = text(client.get("/"))
    assert 'href="/reports/schedules">Report schedules</a>' in page
    login_as("supplier")
    page = text(client.get(f"/suppliers/{supplier_id}", follow_redirects=True))
    assert "/reports/" not in page


# --- roles -----------------------------------------------------------------------------------


def _urls(app, users):
    schedule_id = add_schedule(app)
    run_id = add_run(app, stored=True)
    supplier_id = users["supplier_a"].id
    reads = [
        "/reports/",
        f"/reports/runs/{run_id}.pdf",
        "/reports/portfolio.pdf",
        f"/reports/supplier/{supplier_id}.pdf",
    ]
    admin_reads = [
        "/reports/schedules",
        "/reports/schedules/new",
        f"/reports/schedules/{schedule_id}/edit",
    ]
    posts = [
        "/reports/schedules/new",
        f"/reports/schedules/{schedule_id}/edit",
        f"/reports/schedules/{schedule_id}/run",
        f"/reports/schedules/{schedule_id}/delete",
    ]
    return reads, admin_reads, posts


def test_supplier_contacts_are_refused_everything(app, client, login_as, users, fake_build):
    reads, admin_reads, posts = _urls(app, users)
    login_as("supplier")
    for url in reads + admin_reads:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data=GOOD).status_code == 403, url
    assert fake_build == []


def test_executives_read_and_download_but_change_nothing(app, client, login_as, users, fake_build):
    reads, admin_reads, posts = _urls(app, users)
    login_as("executive")
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url in admin_reads:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={**GOOD, "send": "1"}).status_code == 403, url
    assert count(app, ReportSchedule) == 1 and count(app, ReportRun) == 1


def test_analysts_read_but_do_not_manage_schedules(app, client, login_as, users, fake_build):
    reads, admin_reads, posts = _urls(app, users)
    login_as("analyst")
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url in admin_reads:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data=GOOD).status_code == 403, url
    page = text(client.get("/reports/"))
    assert "New schedule" not in page and "/reports/schedules" not in page
    assert count(app, ReportSchedule) == 1 and count(app, ReportRun) == 1
