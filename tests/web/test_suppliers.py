"""Supplier inventory pages: list, search, filters, sorting, paging, profile, forms, roles."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AuditEvent, Supplier
from app.models.base import utcnow
from app.services.validation import country_name
from tests import factories

VIET = "Công ty TNHH Thép Việt"
CHINA = "深圳精密电子有限公司"
GERMAN = "Müller Präzisionsteile GmbH"
TURKISH = "İstanbul Lojistik A.Ş."
WORLD = {
    "VN-01": (VIET, "VN", "raw_material", "high"),
    "CN-01": (CHINA, "CN", "component", "critical"),
    "DE-01": (GERMAN, "DE", "contract_manufacturer", "medium"),
    "TR-01": (TURKISH, "TR", "logistics", "low"),
}


def _world(app, users) -> dict[str, int]:
    """The four suppliers named in four scripts (plus the standard Alpha and Beta)."""
    with app.app_context():
        ids = {}
        for code, (name, country, category, crit) in WORLD.items():
            s = factories.make_supplier(
                db.session,
                code=code,
                legal_name=name,
                country=country,
                category=category,
                criticality=crit,
            )
            ids[code] = s.id
        db.session.commit()
    return ids


def _count(app, model=Supplier) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.entity_type == "supplier")
        return db.session.scalars(stmt.order_by(AuditEvent.id)).all()


def _supplier(app, code: str) -> Supplier | None:
    with app.app_context():
        s = db.session.scalar(select(Supplier).where(Supplier.code == code))
        if s is not None:
            db.session.expunge(s)
        return s


def _rows(html: str) -> list[str]:
    """The supplier names of the list's rows, in page order."""
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/suppliers/\d+">([^<]+)</a>', body)


def _form(**overrides) -> dict:
    data = {
        "code": "NEW-1",
        "legal_name": VIET,
        "country": "VN",
        "category": "raw_material",
        "criticality": "high",
        "single_source": "y",
        "status": "active",
        "owner": "",
        "website": "https://thepviet.example.vn",
        "contact_email": "Sales@ThepViet.example.vn",
        "next_reassessment_on": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
        "notes": "Hot-rolled coil.\nSecond line.",
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------------


def test_list_shows_names_in_every_script_with_country_names(app, client, users, login_as):
    _world(app, users)
    login_as("analyst")
    response = client.get("/suppliers/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, country, _cat, _crit in WORLD.values():
        assert name in html
        assert country_name(country) in html
    assert "6 suppliers" in html
    assert "Add supplier" in html
    assert 'class="badge crit-critical"' in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("thep viet", VIET),
        ("THÉP VIỆT", VIET),
        ("viet thep", VIET),
        ("精密", CHINA),
        ("muller", GERMAN),
        ("MÜLLER präzision", GERMAN),
        ("istanbul", TURKISH),
        ("İSTANBUL", TURKISH),
        ("lojistik a.s", TURKISH),
        ("de-01", GERMAN),
    ],
)
def test_search_ignores_accents_case_and_script(app, client, users, login_as, q, expected):
    _world(app, users)
    login_as("analyst")
    html = client.get("/suppliers/", query_string={"q": q}).get_data(as_text=True)
    assert _rows(html) == [expected]
    assert "1 supplier match" in html


def test_search_treats_wildcards_literally(app, client, users, login_as):
    _world(app, users)
    with app.app_context():
        factories.make_supplier(db.session, code="X_1", legal_name="Under_score Ltd")
        db.session.commit()
    login_as("analyst")
    assert _rows(client.get("/suppliers/?q=_").get_data(as_text=True)) == ["Under_score Ltd"]
    assert _rows(client.get("/suppliers/?q=%25").get_data(as_text=True)) == []


def test_search_without_match_has_a_helpful_empty_state(app, client, users, login_as):
    login_as("analyst")
    html = client.get("/suppliers/?q=zzzz").get_data(as_text=True)
    assert "No supplier matches these filters" in html
    assert "Clear filters" in html


def test_empty_inventory_invites_to_add(app, client, users, login_as):
    with app.app_context():
        for s in db.session.scalars(select(Supplier)):
            s.archived_at = utcnow()
        db.session.commit()
    login_as("analyst")
    html = client.get("/suppliers/").get_data(as_text=True)
    assert "No suppliers yet" in html
    assert 'href="/suppliers/new"' in html


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"category": "logistics"}, [TURKISH]),
        ({"criticality": "critical"}, [CHINA]),
        ({"country": "vn"}, [VIET]),
        ({"country": "DE"}, ["Alpha Components GmbH", "Beta Logistics Ltd", GERMAN]),
        ({"status": "suspended"}, [GERMAN]),
        ({"category": "logistics", "criticality": "high"}, []),
        ({"category": "no-such-thing"}, None),  # unknown values are ignored
    ],
)
def test_filters(app, client, users, login_as, args, expected):
    ids = _world(app, users)
    with app.app_context():
        db.session.get(Supplier, ids["DE-01"]).status = "suspended"
        db.session.commit()
    login_as("analyst")
    response = client.get("/suppliers/", query_string=args)
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    if expected is None:
        assert len(rows) == 6
    else:
        assert rows == expected


def test_owner_filter_and_owner_column(app, client, users, login_as):
    ids = _world(app, users)
    with app.app_context():
        db.session.get(Supplier, ids["CN-01"]).owner_id = users["analyst"].id
        db.session.commit()
    login_as("admin")
    html = client.get(f"/suppliers/?owner={users['analyst'].id}").get_data(as_text=True)
    assert _rows(html) == [CHINA]
    assert f'<option value="{users["analyst"].id}" selected>' in html
    # A malformed owner is ignored, not a 500.
    assert client.get("/suppliers/?owner=99999999999999999999").status_code == 200


def test_archived_toggle_lists_only_archived(app, client, users, login_as):
    ids = _world(app, users)
    with app.app_context():
        db.session.get(Supplier, ids["TR-01"]).archived_at = utcnow()
        db.session.commit()
    login_as("analyst")
    live = _rows(client.get("/suppliers/").get_data(as_text=True))
    assert TURKISH not in live and len(live) == 5
    html = client.get("/suppliers/?archived=1").get_data(as_text=True)
    assert _rows(html) == [TURKISH]
    assert "Archived" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha Components GmbH", "Beta Logistics Ltd", VIET, TURKISH, GERMAN, CHINA]),
        ("-name", [CHINA, GERMAN, TURKISH, VIET, "Beta Logistics Ltd", "Alpha Components GmbH"]),
        # By country name: China, Germany (Alpha, Beta, Müller by name), Türkiye, Vietnam.
        (
            "country",
            [CHINA, "Alpha Components GmbH", "Beta Logistics Ltd", GERMAN, TURKISH, VIET],
        ),
        # Most critical first; ties by name.
        (
            "criticality",
            [CHINA, VIET, "Alpha Components GmbH", "Beta Logistics Ltd", GERMAN, TURKISH],
        ),
        ("code", ["CN-01", "DE-01", "SUP-A", "SUP-B", "TR-01", "VN-01"]),
    ],
)
def test_sorting(app, client, users, login_as, sort, expected):
    _world(app, users)
    login_as("analyst")
    html = client.get("/suppliers/", query_string={"sort": sort}).get_data(as_text=True)
    if sort == "code":
        body = html.split("<tbody>", 1)[1]
        codes = re.findall(r'<td class="mono">([^<]+)</td>', body)
        assert codes == expected
    else:
        assert _rows(html) == expected
    assert 'aria-sort="' in html


def test_sorting_by_reassessment_puts_undated_last(app, client, users, login_as):
    ids = _world(app, users)
    today = dt.date.today()
    with app.app_context():
        db.session.get(Supplier, ids["DE-01"]).next_reassessment_on = today + dt.timedelta(days=5)
        db.session.get(Supplier, ids["VN-01"]).next_reassessment_on = today + dt.timedelta(days=1)
        db.session.commit()
    login_as("analyst")
    rows = _rows(client.get("/suppliers/?sort=reassessment").get_data(as_text=True))
    assert rows[:2] == [VIET, GERMAN]
    rows = _rows(client.get("/suppliers/?sort=-reassessment").get_data(as_text=True))
    assert rows[:2] == [GERMAN, VIET]


def test_pagination_25_a_page(app, client, users, login_as):
    with app.app_context():
        for n in range(58):
            factories.make_supplier(db.session, code=f"P{n:03d}", legal_name=f"Paged {n:03d} Ltd")
        db.session.commit()
    login_as("analyst")
    first = client.get("/suppliers/").get_data(as_text=True)
    assert len(_rows(first)) == 25
    assert "60 suppliers" in first and "showing 1–25" in first
    third = client.get("/suppliers/?page=3").get_data(as_text=True)
    assert len(_rows(third)) == 10
    assert _rows(third)[-1] == "Paged 057 Ltd"
    # Every supplier appears exactly once across the pages.
    seen = []
    for page in (1, 2, 3):
        seen += _rows(client.get(f"/suppliers/?page={page}").get_data(as_text=True))
    assert len(seen) == len(set(seen)) == 60
    too_far = client.get("/suppliers/?page=99&q=paged")
    assert too_far.status_code == 302 and "page=3" in too_far.headers["Location"]
    assert client.get("/suppliers/?page=abc").status_code == 200
    assert client.get("/suppliers/?page=-4").status_code == 200


def test_live_connection_counts_in_one_query(app, client, users, login_as):
    """The connection count column costs one grouped query, whatever the number of rows."""
    with app.app_context():
        busy = factories.make_supplier(db.session, legal_name="Busy Links AG")
        factories.make_connection(db.session, busy)
        factories.make_connection(db.session, busy)
        factories.make_connection(db.session, busy, status="retired")
        factories.make_connection(db.session, busy, archived_at=utcnow())
        db.session.commit()
        engine = db.engine
    login_as("analyst")
    html = client.get("/suppliers/?q=busy").get_data(as_text=True)
    assert re.search(r'<td class="text-end">2</td>', html)

    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        client.get("/suppliers/")
        few = len(statements)
        with app.app_context():
            for _n in range(20):
                s = factories.make_supplier(db.session)
                factories.make_connection(db.session, s)
            db.session.commit()
        statements.clear()
        client.get("/suppliers/")
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert many == few


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_profile_links_connections_and_history(app, client, users, login_as):
    ids = _world(app, users)
    login_as("analyst")
    # History comes from the real services, through the pages.
    client.post(
        f"/suppliers/{ids['VN-01']}/sub-suppliers", data={"sub_suppliers": [str(ids["CN-01"])]}
    )
    client.post(
        f"/suppliers/{ids['DE-01']}/sub-suppliers", data={"sub_suppliers": [str(ids["CN-01"])]}
    )
    with app.app_context():
        s = db.session.get(Supplier, ids["CN-01"])
        conn = factories.make_connection(
            db.session, s, name="ERP order feed", data_classes=["orders", "pricing"]
        )
        conn_id = conn.id
        db.session.commit()
    html = client.get(f"/suppliers/{ids['VN-01']}").get_data(as_text=True)
    assert VIET in html and "Vietnam" in html
    assert CHINA in html  # its sub-supplier
    assert "Sub-suppliers of VN-01 changed" in html  # audit history
    china = client.get(f"/suppliers/{ids['CN-01']}").get_data(as_text=True)
    # Customers: both suppliers that use it as a 4th party.
    used_by = china.split('id="h-customers"', 1)[1].split("</section>", 1)[0]
    assert VIET in used_by and GERMAN in used_by
    assert "ERP order feed" in china and "Pricing" in china and "Orders" in china
    if "connections.detail" in app.view_functions:
        assert f'href="/connections/{conn_id}"' in china
    assert "Edit" in china and "Archive" in china


def test_detail_of_unknown_supplier_is_404(app, client, users, login_as):
    login_as("analyst")
    assert client.get("/suppliers/999999").status_code == 404
    assert client.get("/suppliers/99999999999999999999").status_code == 404


def test_executive_reads_but_sees_no_actions(app, client, users, login_as):
    login_as("executive")
    assert client.get("/suppliers/").status_code == 200
    html = client.get(f"/suppliers/{users['supplier_a'].id}").get_data(as_text=True)
    assert "Alpha Components GmbH" in html
    assert "/edit" not in html and "/archive" not in html and "Add supplier" not in html


def test_supplier_contact_sees_only_its_own_supplier(app, client, users, login_as):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        b = db.session.get(Supplier, users["supplier_b"].id)
        b.sub_suppliers = [a]  # Beta uses Alpha: Alpha's contact must not learn that
        a.notes = "Internal: price negotiation pending"
        a.criticality = "critical"
        db.session.commit()
    login_as("supplier")
    response = client.get(f"/suppliers/{users['supplier_a'].id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha Components GmbH" in html
    assert "Beta Logistics" not in html
    assert "price negotiation" not in html
    assert "crit-critical" not in html
    assert "Recent changes" not in html and "/edit" not in html
    assert client.get(f"/suppliers/{users['supplier_b'].id}").status_code == 404
    assert client.get("/suppliers/999999").status_code == 404


# --- create and edit ----------------------------------------------------------------------


def test_create_supplier(app, client, users, login_as):
    login_as("analyst")
    form = client.get("/suppliers/new").get_data(as_text=True)
    assert "Legal name" in form and "Vietnam" in form
    assert f'<option selected value="{users["analyst"].id}">' in form  # owner defaults to me
    decomposed = unicodedata.normalize("NFD", VIET)
    response = client.post(
        "/suppliers/new", data=_form(legal_name=f"  {decomposed} ", owner=users["analyst"].id)
    )
    assert response.status_code == 302
    created = _supplier(app, "NEW-1")
    assert response.headers["Location"].endswith(f"/suppliers/{created.id}")
    assert created.legal_name == VIET  # stored NFC and trimmed
    assert created.search_key == "cong ty tnhh thep viet"
    assert created.single_source is True
    assert created.owner_id == users["analyst"].id
    assert created.contact_email == "sales@thepviet.example.vn"
    assert created.notes == "Hot-rolled coil.\nSecond line."
    events = _events(app)
    assert [(e.action, e.entity_id) for e in events] == [("create", str(created.id))]
    assert events[0].after["legal_name"] == VIET
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert VIET in page and "was added" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"legal_name": ""}, "legal_name", "This field is required."),
        ({"legal_name": "x" * 300}, "legal_name", "At most 255 characters"),
        ({"code": ""}, "code", "This field is required."),
        ({"code": "SUP-A"}, "code", "already used"),
        ({"code": "bad code!"}, "code", "Use letters, digits"),
        ({"category": "spaceship"}, "category", "Unknown value"),
        ({"criticality": ""}, "criticality", "This field is required."),
        ({"country": "Atlantis"}, "country", "Unknown country"),
        ({"status": "zombie"}, "status", "Unknown value"),
        ({"next_reassessment_on": "2001-01-01"}, "next_reassessment_on", "cannot be in the past"),
        ({"next_reassessment_on": "31/12/2099"}, "next_reassessment_on", "Not a date"),
        ({"contact_email": "not-an-address"}, "contact_email", "Not an e-mail address"),
        ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
        ({"legal_name": "Bell\x07Byte Ltd"}, "legal_name", "control characters"),
        ({"owner": "999999"}, "owner", "No user"),
        ({"owner": "executive"}, "owner", "not an analyst or admin"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    app, client, users, login_as, overrides, field, message
):
    if overrides.get("owner") == "executive":
        overrides["owner"] = str(users["executive"].id)
    login_as("analyst")
    before = _count(app)
    response = client.post("/suppliers/new", data=_form(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    # The message sits next to its field, which is marked invalid.
    [tag] = re.findall(rf'<(?:input|select|textarea)[^>]* id="{field}"[^>]*>', html)
    assert "is-invalid" in tag
    assert "Please correct" in html
    assert _count(app) == before
    assert _events(app) == []


def test_create_keeps_what_was_typed_after_an_error(app, client, users, login_as):
    login_as("analyst")
    html = client.post("/suppliers/new", data=_form(code="", legal_name=CHINA)).get_data(
        as_text=True
    )
    assert f'value="{CHINA}"' in html


def test_edit_supplier(app, client, users, login_as):
    ids = _world(app, users)
    login_as("admin")
    form = client.get(f"/suppliers/{ids['TR-01']}/edit").get_data(as_text=True)
    assert f'value="{TURKISH}"' in form
    response = client.post(
        f"/suppliers/{ids['TR-01']}/edit",
        data=_form(
            code="TR-01",
            legal_name="İstanbul Lojistik ve Depolama A.Ş.",
            country="TR",
            category="logistics",
            criticality="critical",
            owner=str(users["analyst"].id),
        ),
    )
    assert response.status_code == 302
    changed = _supplier(app, "TR-01")
    assert changed.legal_name == "İstanbul Lojistik ve Depolama A.Ş."
    assert changed.search_key == "istanbul lojistik ve depolama a.s."
    assert changed.criticality == "critical"
    [update] = [e for e in _events(app) if e.action == "update"]
    assert update.before["criticality"] == "low" and update.after["criticality"] == "critical"
    assert update.after["owner_id"] == users["analyst"].id


def test_edit_refuses_bad_input_and_changes_nothing(app, client, users, login_as):
    ids = _world(app, users)
    login_as("analyst")
    response = client.post(
        f"/suppliers/{ids['DE-01']}/edit",
        data=_form(code="CN-01", legal_name=GERMAN, owner=str(users["executive"].id)),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Supplier code CN-01 is already used." in html
    assert "cannot own suppliers" in html
    assert _supplier(app, "DE-01").legal_name == GERMAN
    assert _events(app) == []


def test_edit_keeps_a_past_reassessment_date_already_stored(app, client, users, login_as):
    past = dt.date.today() - dt.timedelta(days=10)
    with app.app_context():
        s = factories.make_supplier(db.session, code="OLD-1", next_reassessment_on=past)
        db.session.commit()
        sid = s.id
    login_as("analyst")
    response = client.post(
        f"/suppliers/{sid}/edit",
        data=_form(code="OLD-1", legal_name="Old Date Ltd", next_reassessment_on=past.isoformat()),
    )
    assert response.status_code == 302
    assert _supplier(app, "OLD-1").legal_name == "Old Date Ltd"


# --- archive, restore, sub-suppliers --------------------------------------------------------


def test_archive_and_restore(app, client, users, login_as):
    sid = users["supplier_b"].id
    login_as("analyst")
    response = client.post(f"/suppliers/{sid}/archive")
    assert response.status_code == 302
    assert _supplier(app, "SUP-B").archived_at is not None
    assert "Beta Logistics Ltd" not in client.get("/suppliers/").get_data(as_text=True)
    again = client.post(f"/suppliers/{sid}/archive", follow_redirects=True)
    assert again.status_code == 200 and "already archived" in again.get_data(as_text=True)
    assert "Restore" in client.get(f"/suppliers/{sid}").get_data(as_text=True)
    assert client.post(f"/suppliers/{sid}/restore").status_code == 302
    assert _supplier(app, "SUP-B").archived_at is None
    assert [e.action for e in _events(app)] == ["archive", "restore"]
    assert client.get(f"/suppliers/{sid}/archive").status_code == 405
    assert client.post("/suppliers/999999/archive").status_code == 404


def test_sub_supplier_page_lists_many_and_saves(app, client, users, login_as):
    with app.app_context():
        parent = factories.make_supplier(db.session, code="PARENT", legal_name="Parent AG")
        others = [factories.make_supplier(db.session, code=f"S{n:02d}") for n in range(45)]
        gone = factories.make_supplier(db.session, code="GONE", archived_at=utcnow())
        db.session.commit()
        pid, other_ids, gone_id = parent.id, [o.id for o in others], gone.id
    login_as("analyst")
    html = client.get(f"/suppliers/{pid}/sub-suppliers").get_data(as_text=True)
    boxes = re.findall(r'name="sub_suppliers" value="(\d+)"', html)
    assert len(boxes) == 47  # 45 + Alpha + Beta; not itself, not the archived one
    assert str(pid) not in boxes and str(gone_id) not in boxes
    response = client.post(
        f"/suppliers/{pid}/sub-suppliers", data={"sub_suppliers": [str(i) for i in other_ids[:3]]}
    )
    assert response.status_code == 302
    with app.app_context():
        linked = {s.id for s in db.session.get(Supplier, pid).sub_suppliers}
    assert linked == set(other_ids[:3])
    [event_] = _events(app)
    assert event_.after == {"sub_suppliers": ["S00", "S01", "S02"]}
    # Linked ones stay visible (ticked) even when the search would hide them.
    page = client.get(f"/suppliers/{pid}/sub-suppliers?q=alpha").get_data(as_text=True)
    assert "Alpha Components GmbH" in page
    ticked = re.findall(r'name="sub_suppliers" value="(\d+)" id="sub-\d+" checked', page)
    assert sorted(ticked) == sorted(str(i) for i in other_ids[:3])
    assert len(re.findall(r'name="sub_suppliers"', page)) == 4
    # Unticking all removes the links.
    assert client.post(f"/suppliers/{pid}/sub-suppliers", data={}).status_code == 302
    with app.app_context():
        assert db.session.get(Supplier, pid).sub_suppliers == []


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("self", "cannot be its own sub-supplier"),
        ("999999", "do not exist"),
        ("abc", "do not exist"),
        ("archived", "Archived suppliers cannot become sub-suppliers"),
    ],
)
def test_sub_suppliers_refuse_bad_choices(app, client, users, login_as, ids, message):
    sid = users["supplier_a"].id
    with app.app_context():
        gone = factories.make_supplier(db.session, code="GONE", archived_at=utcnow())
        db.session.commit()
        gone_id = gone.id
    posted = [{"self": str(sid), "archived": str(gone_id)}.get(ids, ids)]
    login_as("analyst")
    response = client.post(f"/suppliers/{sid}/sub-suppliers", data={"sub_suppliers": posted})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Supplier, sid).sub_suppliers == []
    assert _events(app) == []


# --- access -------------------------------------------------------------------------------


def _routes(users) -> list[tuple[str, str]]:
    a = users["supplier_a"].id
    return [
        ("GET", "/suppliers/"),
        ("GET", "/suppliers/new"),
        ("POST", "/suppliers/new"),
        ("GET", f"/suppliers/{a}"),
        ("GET", f"/suppliers/{a}/edit"),
        ("POST", f"/suppliers/{a}/edit"),
        ("POST", f"/suppliers/{a}/archive"),
        ("POST", f"/suppliers/{a}/restore"),
        ("GET", f"/suppliers/{a}/sub-suppliers"),
        ("POST", f"/suppliers/{a}/sub-suppliers"),
    ]


@pytest.mark.parametrize("role", ["executive", "supplier"])
def test_read_only_roles_are_refused_every_change(app, client, users, login_as, role):
    login_as(role)
    a = users["supplier_a"].id
    for method, url in _routes(users):
        status = client.open(url, method=method, data=_form(code="SUP-A")).status_code
        template = url.replace(str(a), "{a}")
        if (method, template) == ("GET", "/suppliers/{a}"):
            assert status == 200, (role, method, url)
        elif (method, template) == ("GET", "/suppliers/") and role == "executive":
            assert status == 200, (role, method, url)
        else:
            assert status == 403, (role, method, url, status)
    assert _events(app) == []
    assert _supplier(app, "SUP-A").archived_at is None


def test_supplier_contact_gets_404_for_another_supplier(app, client, users, login_as):
    login_as("supplier")
    assert client.get(f"/suppliers/{users['supplier_b'].id}").status_code == 404
    # Its own supplier's pages that change things stay refused by role.
    assert client.get(f"/suppliers/{users['supplier_a'].id}/edit").status_code == 403


def test_anonymous_is_sent_to_login_everywhere(app, client, users):
    for method, url in _routes(users):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]
    assert _events(app) == []
