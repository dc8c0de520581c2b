"""The audit trail browser and its CSV download: access, filters, chain banner, diff, export."""

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select, text, update

from app.extensions import db
from app.models import AuditEvent
from app.services import Actor
from app.services.audit import record

ROUTES = ["/admin/audit", "/admin/audit?action=login&page=2", "/admin/audit.csv"]


def _write(app, n=1, **kw):
    """Write n events through the real chain; return their ids."""
    values = {
        "action": "update",
        "entity_type": "supplier",
        "entity_id": 7,
        "summary": "Updated supplier SUP-7",
        "before": {"legal_name": "Old name", "criticality": "low"},
        "after": {"legal_name": "Công ty TNHH Thép Việt", "criticality": "high"},
    }
    values.update(kw)
    actor = Actor(user_id=None, email=values.pop("actor", "ana@example.com"))
    with app.app_context():
        events = [record(db.session, actor, **values) for _ in range(n)]
        db.session.commit()
        ids = [e.id for e in events]
    return ids


def _rows(body):
    """The event ids shown in the table, in page order."""
    return [int(i) for i in re.findall(r'<td class="mono">(\d+)</td>', body)]


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "executive", "supplier", "other_supplier"])
def test_other_roles_are_refused(client, login_as, users, role):
    login_as(role)
    for url in ROUTES:
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client, users):
    for url in ROUTES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admin_sees_the_trail(client, login_as, users):
    login_as("admin")
    for url in ROUTES:
        assert client.get(url).status_code == 200, url


# --- the list -------------------------------------------------------------------------------


def test_rows_show_when_who_what_and_a_side_by_side_diff(app, client, login_as, users):
    [event_id] = _write(app, actor="ana@example.com")
    _write(
        app,
        entity_type="connection",
        entity_id=12,
        summary="Updated connection",
        before=None,
        after=None,
    )
    login_as("admin")
    body = client.get("/admin/audit").get_data(as_text=True)
    with app.app_context():
        event = db.session.get(AuditEvent, event_id)
        day = event.occurred_at.strftime("%Y-%m-%d")
        time = event.occurred_at.strftime("%H:%M:%S")
    assert f'<span class="text-nowrap">{day}</span> <span class="text-nowrap">{time}</span>' in body
    assert "When (UTC)" in body
    assert "ana@example.com" in body
    assert '<a href="/suppliers/7">supplier 7</a>' in body
    assert '<a href="/connections/12">connection 12</a>' in body
    assert "Updated supplier SUP-7" in body
    assert body.count("<details") == 1  # only the event with before/after values
    details = body.split("<details", 1)[1].split("</details>", 1)[0]
    assert re.search(
        r"legal_name</th>\s*<td[^>]*>Old name</td>\s*<td[^>]*>Công ty TNHH Thép Việt</td>", details
    )
    assert re.search(r"criticality</th>\s*<td[^>]*>low</td>\s*<td[^>]*>high</td>", details)
    # Newest first: the admin's own log-in is on top.
    ids = _rows(body)
    assert ids == sorted(ids, reverse=True)
    assert "login" in body.split("<tbody>", 1)[1].split("</tr>", 1)[0]


def test_values_are_escaped(app, client, login_as, users):
    _write(app, summary="<script>alert(1)</script>", after={"name": "<b>x</b>"}, before=None)
    login_as("admin")
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "<b>x</b>" not in body
    assert "&lt;script&gt;" in body


def test_a_plain_or_partly_filtered_page_shows_no_filter_errors(app, client, login_as, users):
    _write(app)
    login_as("admin")
    for query in ["", "actor=ana", "action=update", "entity_type=supplier&date_from=2020-01-01"]:
        body = client.get("/admin/audit?" + query).get_data(as_text=True)
        assert "not applied" not in body and "is-invalid" not in body, query


def test_filters(app, client, login_as, users):
    [a] = _write(app, actor="ana@example.com", action="create", entity_type="supplier", entity_id=1)
    [b] = _write(app, actor="bob@example.com", action="update", entity_type="supplier", entity_id=2)
    [c] = _write(
        app, actor="bob@example.com", action="update", entity_type="connection", entity_id=2
    )
    with app.app_context():
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == a)
            .values(occurred_at=dt.datetime(2025, 1, 1, 12))
        )
        db.session.commit()
    login_as("admin")

    def shown(query):
        response = client.get("/admin/audit?" + query)
        assert response.status_code == 200
        return [i for i in _rows(response.get_data(as_text=True)) if i in (a, b, c)]

    assert shown("") == [c, b, a]
    assert shown("actor=BOB") == [c, b]
    assert shown("action=create") == [a]
    assert shown("entity_type=connection") == [c]
    assert shown("entity_id=2") == [c, b]
    assert shown("entity_type=supplier&entity_id=2") == [b]
    assert shown(f"event={b}") == [b]
    assert shown("date_to=2025-01-01") == [a]
    assert shown("date_from=2025-01-02") == [c, b]
    assert shown("date_from=2025-01-01&date_to=2025-01-01&actor=ana") == [a]
    body = client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert "No audit event matches these filters" in body
    # The action and type choices come from the trail itself.
    assert '<option value="create">create</option>' in client.get("/admin/audit").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=yesterday", "Not a valid date value"),
        ("date_to=2025-13-40", "Not a valid date value"),
        ("date_from=2025-02-01&date_to=2025-01-01", "The end date is before the start date."),
        ("action=drop_table", "Not a valid choice"),
        ("entity_type=%3Cscript%3E", "Not a valid choice"),
        ("event=abc", "Not a valid integer value"),
        ("event=-3", "A positive event number."),
        ("event=99999999999999999999", "A positive event number."),
    ],
)
def test_bad_filters_are_explained_and_not_applied(app, client, login_as, users, query, message):
    [event_id] = _write(app)
    login_as("admin")
    response = client.get("/admin/audit?" + query)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body and "This filter was not applied." in body
    assert event_id in _rows(body)


def test_junk_query_arguments_never_fail(client, login_as, users):
    login_as("admin")
    for query in [
        "page=abc",
        "page=-1",
        "page=9999",
        "page=99999999999999999999999",
        "actor=" + "x" * 500,
        "entity_id=%07%25_",
        "actor=%1b",
    ]:
        assert client.get("/admin/audit?" + query).status_code == 200, query
        assert client.get("/admin/audit.csv?" + query).status_code == 200, query


def test_pagination_is_fifty_a_page(app, client, login_as, users):
    ids = _write(app, 55)
    login_as("admin")  # one more event: the log-in
    first = _rows(client.get("/admin/audit").get_data(as_text=True))
    second = _rows(client.get("/admin/audit?page=2").get_data(as_text=True))
    assert len(first) == 50 and len(second) == 6
    assert set(first + second) >= set(ids)
    assert min(first) > max(second)
    body = client.get("/admin/audit?action=update&page=2").get_data(as_text=True)
    assert "action=update" in body.split('aria-label="Pages"', 1)[1]  # links keep filters


def test_empty_trail(client, login_as, users, app):
    login_as("admin")
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.commit()
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "No audit events yet" in body
    assert "all 0 events verified" in body


# --- the chain banner -----------------------------------------------------------------------


def test_banner_says_the_chain_is_intact(app, client, login_as, users):
    _write(app, 3)
    login_as("admin")  # the log-in is the fourth event
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "Chain intact:" in body and "all 4 events verified" in body
    assert "Chain broken" not in body


def test_banner_names_the_first_broken_event(app, client, login_as, users):
    ids = _write(app, 3)
    with app.app_context():
        db.session.execute(
            text("UPDATE audit_event SET summary = 'forged' WHERE id = :id"), {"id": ids[1]}
        )
        db.session.commit()
    login_as("admin")
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "Chain broken at event <a" in body
    assert f">#{ids[1]}</a>" in body
    assert "its content does not match its hash" in body
    assert "The 1 event before it verified." in body
    assert "table-danger" in body  # the broken row is marked
    # The banner's link shows just that event.
    assert _rows(client.get(f"/admin/audit?event={ids[1]}").get_data(as_text=True)) == [ids[1]]


def test_banner_reports_a_deleted_event(app, client, login_as, users):
    ids = _write(app, 3)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
        db.session.commit()
    login_as("admin")
    body = client.get("/admin/audit").get_data(as_text=True)
    assert f">#{ids[2]}</a>" in body and "previous-hash link does not match" in body


# --- CSV ------------------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_download_is_filtered_and_formula_safe(app, client, login_as, users):
    _write(app, actor="=evil@example.com", summary="+SUM(A1:A9)", entity_id="-5")
    _write(
        app,
        actor="ana@example.com",
        action="create",
        summary="@import",
        entity_id=8,
        after={"legal_name": "深圳精密电子有限公司"},
        before=None,
    )
    login_as("admin")
    rows = _csv(client.get("/admin/audit.csv"))
    assert rows[0][:3] == ["id", "occurred_at_utc", "actor_email"]
    by_action = {r[5]: r for r in rows[1:]}
    assert set(by_action) == {"update", "create", "login"}
    evil = by_action["update"]
    assert evil[2] == "'=evil@example.com"
    assert evil[7] == "'-5"
    assert evil[8] == "'+SUM(A1:A9)"
    created = by_action["create"]
    assert created[8] == "'@import"
    assert "深圳精密电子有限公司" in created[10]
    # The same filters as the page.
    rows = _csv(client.get("/admin/audit.csv?action=create"))
    assert [r[5] for r in rows[1:]] == ["create"]
    rows = _csv(client.get("/admin/audit.csv?actor=nobody"))
    assert rows[1:] == []


def test_page_links_to_the_csv_with_its_filters(app, client, login_as, users):
    _write(app)
    login_as("admin")
    body = client.get("/admin/audit?action=update&page=1").get_data(as_text=True)
    link = re.search(r'href="(/admin/audit\.csv[^"]*)"', body).group(1)
    assert "action=update" in link and "page=" not in link
    assert "Download CSV (filtered)" in body


def test_browsing_writes_nothing_to_the_trail(app, client, login_as, users):
    login_as("admin")
    client.get("/admin/audit")
    client.get("/admin/audit.csv")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["login"]
