"""Reading the audit trail: filters, entity links, before/after rows, formula-safe CSV."""

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import AuditEvent
from app.services import Actor
from app.services import audit_search as search
from app.services.audit import record


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def _event(
    session, actor="ana@example.com", action="update", entity=("supplier", 1), when=None, **kw
):
    event = record(session, Actor(user_id=None, email=actor), action, *entity, **kw)
    session.flush()  # record() leaves the insert to the next flush; backdating needs the id
    if when is not None:
        # Backdating breaks the hash, which these read-side tests do not care about.
        session.execute(
            update(AuditEvent).where(AuditEvent.id == event.id).values(occurred_at=when)
        )
    return event


def _ids(session, **filters) -> list[int]:
    return [e.id for e in session.scalars(search.list_query(search.AuditFilters(**filters)))]


def test_filters_combine_and_list_newest_first(ctx):
    a = _event(ctx, "Ana@Example.com", "create", ("supplier", 7), dt.datetime(2026, 3, 1, 0, 0))
    b = _event(
        ctx, "bob@example.com", "update", ("supplier", 7), dt.datetime(2026, 3, 2, 23, 59, 59)
    )
    c = _event(ctx, "ana@example.com", "update", ("connection", 7), dt.datetime(2026, 3, 3, 0, 0))
    d = _event(ctx, "a_b@example.com", "login", ("user", 70), dt.datetime(2026, 3, 4))
    ctx.flush()
    assert _ids(ctx) == [d.id, c.id, b.id, a.id]
    assert _ids(ctx, actor="ANA@") == [c.id, a.id]
    assert _ids(ctx, actor="_") == [d.id]  # wildcards are literal
    assert _ids(ctx, action="update") == [c.id, b.id]
    assert _ids(ctx, entity_type="supplier") == [b.id, a.id]
    assert _ids(ctx, entity_id="7") == [c.id, b.id, a.id]
    assert _ids(ctx, event_id=b.id) == [b.id]
    # Date bounds are whole UTC days, both inclusive.
    assert _ids(ctx, date_from=dt.date(2026, 3, 2)) == [d.id, c.id, b.id]
    assert _ids(ctx, date_to=dt.date(2026, 3, 2)) == [b.id, a.id]
    assert _ids(ctx, date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 3)) == [c.id, b.id]
    assert _ids(ctx, actor="ana", action="update", entity_type="connection") == [c.id]


def test_known_values(ctx):
    _event(ctx, action="update", entity=("supplier", 1))
    _event(ctx, action="create", entity=("connection", 2))
    _event(ctx, action="update", entity=("supplier", 3))
    assert search.known_values(ctx) == (["create", "update"], ["connection", "supplier"])


def test_entity_page():
    assert search.entity_page("supplier", "12") == ("suppliers.detail", {"supplier_id": 12})
    assert search.entity_page("connection", "3") == ("connections.detail", {"connection_id": 3})
    assert search.entity_page("user", "5") == ("admin.edit_user", {"user_id": 5})
    assert search.entity_page("import", "abc") is None
    assert search.entity_page("supplier", "../x") is None
    assert search.entity_page("report", "4") is None


def test_diff_rows_and_values():
    rows = search.diff_rows({"name": "Old", "tags": ["a"]}, {"name": "Mới", "active": False})
    assert rows == [("name", "Old", "Mới"), ("tags", ["a"], None), ("active", None, False)]
    assert search.diff_rows(None, None) == []
    assert [search.show_value(v) for v in (None, True, False, ["深圳"], 3, "x")] == [
        "—",
        "yes",
        "no",
        '["深圳"]',
        "3",
        "x",
    ]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Công ty =1", "Công ty =1"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(raw, safe):
    assert search.safe_cell(raw) == safe


def test_csv_lines_export_the_filtered_events_in_batches(ctx, monkeypatch):
    monkeypatch.setattr(search, "CSV_BATCH", 2)
    for i in range(5):
        _event(
            ctx,
            "=cmd@example.com" if i == 0 else "ana@example.com",
            "update",
            ("supplier", i),
            summary=f"Renamed {i}",
            before={"legal_name": "=1+1"},
            after={"legal_name": "Müller Präzisionsteile GmbH"},
        )
    _event(ctx, "ana@example.com", "login", ("user", 1))
    ctx.flush()
    text = "".join(search.csv_lines(ctx, search.AuditFilters(action="update")))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == search.CSV_COLUMNS
    body = rows[1:]
    assert [r[7] for r in body] == ["4", "3", "2", "1", "0"]  # newest first, no duplicates
    assert all(r[5] == "update" for r in body)
    assert body[-1][2] == "'=cmd@example.com"
    assert body[0][10] == '{"legal_name": "Müller Präzisionsteile GmbH"}'
    assert body[0][1].endswith("Z")
    assert all(len(r[12]) == 64 for r in body)  # the hash, for re-verification elsewhere
