"""Connection inventory pages: list and filters, per-supplier view, detail, forms, roles."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Connection, Supplier
from app.models.base import utcnow
from tests.factories import make_connection, make_supplier

TODAY = dt.date.today()


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def add_connection(app, supplier_id: int, **kw) -> int:
    with app.app_context():
        kw.setdefault("last_reviewed_on", day(-30))
        c = make_connection(db.session, db.session.get(Supplier, supplier_id), **kw)
        db.session.commit()
        return c.id


def add_supplier(app, **kw) -> int:
    with app.app_context():
        s = make_supplier(db.session, **kw)
        db.session.commit()
        return s.id


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Connection)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def load(app, connection_id: int) -> Connection:
    with app.app_context():
        c = db.session.get(Connection, connection_id)
        _ = c.data_classes
        db.session.expunge(c)
        return c


def audit_actions(app, connection_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.entity_type == "connection",
                    AuditEvent.entity_id == str(connection_id),
                )
                .order_by(AuditEvent.id)
            )
        )


def form_data(supplier_id, /, **overrides) -> dict:
    data = {
        "supplier_id": str(supplier_id),
        "name": "Order API",
        "kind": "rest_api",
        "direction": "inbound",
        "internal_system": "erp",
        "data_classes": ["orders", "pii"],
        "authentication": "mtls",
        "encryption": "tls13",
        "integration_layer": "api_gateway",
        "access_level": "write",
        "endpoint": "https://api.example.com/orders",
        "credential_expires_on": day(200).isoformat(),
        "owner_id": "",
        "status": "active",
        "last_reviewed_on": day(-3).isoformat(),
        "notes": "Orders and delivery addresses.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def row_names(html: str) -> list[str]:
    """Connection names in table order (the links to connection detail pages)."""
    return re.findall(r'<a href="/connections/\d+">([^<]+)</a>', html)


# --- list -------------------------------------------------------------------------------


def test_list_shows_connections_across_suppliers(app, client, users, login_as):
    vn = add_supplier(app, code="VN-7", legal_name="Công ty TNHH Thép Việt", country="VN")
    add_connection(app, vn, name="Đơn hàng EDI", kind="edi_as2", data_classes=["orders", "pii"])
    add_connection(
        app,
        users["supplier_b"].id,
        name="深圳 VPN",
        kind="vpn_site_to_site",
        encryption="none",
        authentication="password",
    )
    login_as("executive")
    html = client.get("/connections/").get_data(as_text=True)
    assert "Connection inventory" in html
    assert row_names(html) == ["深圳 VPN", "Đơn hàng EDI"]  # Beta Logistics < Công ty
    assert f'href="/suppliers/{vn}"' in html and "Công ty TNHH Thép Việt" in html
    for text in ("EDI AS2", "VPN site-to-site", "Orders, Personal data (PII)", "Password"):
        assert text in html
    assert "No encryption in transit" in html  # the flag is written out, not a colour
    assert "<strong>2</strong> connections" in html
    assert "Add connection" not in html  # executives are read-only


@pytest.fixture
def inventory(app, users):
    """A named connection per filterable attribute (names are unique in the page)."""
    a, b = users["supplier_a"].id, users["supplier_b"].id
    tr = add_supplier(
        app,
        code="TR-9",
        legal_name="İstanbul Lojistik A.Ş.",
        country="TR",
        category="logistics",
        criticality="critical",
    )
    specs = {
        "plain-link": (a, {}),
        "sftp-link": (a, {"kind": "sftp", "endpoint": "sftp.partner.example"}),
        "wms-link": (a, {"internal_system": "wms"}),
        "design-link": (a, {"data_classes": ["design_ip"]}),
        "apikey-link": (a, {"authentication": "api_key"}),
        "planned-link": (a, {"status": "planned"}),
        "owned-link": (a, {"owner_id": users["analyst"].id}),
        "expired-link": (a, {"credential_expires_on": day(-1)}),
        "expiring-link": (a, {"credential_expires_on": day(30)}),
        "later-link": (a, {"credential_expires_on": day(31)}),
        "clear-link": (a, {"encryption": "none", "status": "retired"}),
        "core-link": (a, {"integration_layer": "direct_core"}),
        "stale-link": (a, {"last_reviewed_on": day(-366)}),
        "never-link": (a, {"last_reviewed_on": None}),
        "year-link": (a, {"last_reviewed_on": day(-365)}),
        "beta-link": (b, {"encryption": "none"}),
        "turkish-link": (tr, {}),
    }
    for name, (supplier_id, kw) in specs.items():
        add_connection(app, supplier_id, name=name, **kw)
    return set(specs)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "SFTP.PARTNER"}, {"sftp-link"}),
        ({"q": "istanbul"}, {"turkish-link"}),
        ({"q": "stale"}, {"stale-link"}),
        ({"kind": "sftp"}, {"sftp-link"}),
        ({"internal_system": "wms"}, {"wms-link"}),
        ({"data_class": "design_ip"}, {"design-link"}),
        ({"authentication": "api_key"}, {"apikey-link"}),
        ({"status": "planned"}, {"planned-link"}),
        ({"category": "logistics"}, {"turkish-link"}),
        ({"criticality": "critical"}, {"turkish-link"}),
        ({"country": "TR"}, {"turkish-link"}),
        ({"flag": "credential_expired"}, {"expired-link"}),
        ({"flag": "credential_expiring"}, {"expiring-link"}),
        ({"flag": "no_encryption"}, {"beta-link"}),  # the retired one raises no flag
        ({"flag": "direct_core"}, {"core-link"}),
        ({"flag": "not_reviewed"}, {"stale-link", "never-link"}),
        ({"kind": "sftp", "flag": "direct_core"}, set()),
    ],
)
def test_each_filter(client, login_as, inventory, query, expected):
    login_as("analyst")
    html = client.get("/connections/", query_string=query).get_data(as_text=True)
    assert set(row_names(html)) == expected
    if not expected:
        assert "No connections match these filters." in html


def test_owner_and_supplier_filters(client, users, login_as, inventory):
    login_as("analyst")
    html = client.get(f"/connections/?owner={users['analyst'].id}").get_data(as_text=True)
    assert row_names(html) == ["owned-link"]
    html = client.get(f"/connections/?supplier_id={users['supplier_b'].id}").get_data(as_text=True)
    assert row_names(html) == ["beta-link"]


def test_unknown_filter_values_are_ignored(client, login_as, inventory):
    login_as("analyst")
    response = client.get("/connections/?kind=telnet&flag=all&owner=x&sort=evil&page=abc")
    assert response.status_code == 200
    assert set(row_names(response.get_data(as_text=True))) == inventory


def test_sort_columns(app, client, users, login_as):
    a = users["supplier_a"].id
    add_connection(app, a, name="b-link", credential_expires_on=day(5), kind="sftp")
    add_connection(app, a, name="a-link", credential_expires_on=None, kind="email")
    add_connection(app, a, name="c-link", credential_expires_on=day(90), kind="rest_api")
    login_as("analyst")

    def names(sort):
        return row_names(client.get(f"/connections/?sort={sort}").get_data(as_text=True))

    assert names("name") == ["a-link", "b-link", "c-link"]
    assert names("-name") == ["c-link", "b-link", "a-link"]
    assert names("expires") == ["b-link", "c-link", "a-link"]
    assert names("kind") == ["a-link", "c-link", "b-link"]
    html = client.get("/connections/?sort=name").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=-name" in html


def test_pagination(app, client, users, login_as):
    with app.app_context():
        supplier = db.session.get(Supplier, users["supplier_a"].id)
        for i in range(26):
            make_connection(db.session, supplier, name=f"link-{i:02d}")
        db.session.commit()
    login_as("analyst")
    first = client.get("/connections/?sort=name").get_data(as_text=True)
    assert len(row_names(first)) == 25 and "<strong>26</strong> connections" in first
    second = client.get("/connections/?sort=name&page=2").get_data(as_text=True)
    assert row_names(second) == ["link-25"]
    assert client.get("/connections/?page=99").status_code == 200


def test_empty_inventory(client, users, login_as):
    login_as("analyst")
    html = client.get("/connections/").get_data(as_text=True)
    assert "The connection inventory is empty." in html
    assert 'href="/connections/new"' in html


# --- per-supplier view ------------------------------------------------------------------


def test_per_supplier_view(app, client, users, login_as):
    a, b = users["supplier_a"].id, users["supplier_b"].id
    add_connection(app, a, name="alpha-link")
    add_connection(app, b, name="beta-link")
    login_as("analyst")
    html = client.get(f"/connections/?supplier_id={a}").get_data(as_text=True)
    assert '<h1 class="h3 mb-1">Connections of Alpha Components GmbH</h1>' in html
    assert row_names(html) == ["alpha-link"]
    assert f'href="/connections/new?supplier_id={a}"' in html
    assert f'name="supplier_id" value="{a}"' in html  # filters stay on this supplier
    empty = add_supplier(app, legal_name="Müller Präzisionsteile GmbH")
    html = client.get(f"/connections/?supplier_id={empty}").get_data(as_text=True)
    assert "No connections recorded for Müller Präzisionsteile GmbH yet." in html
    assert client.get("/connections/?supplier_id=99999").status_code == 404


def test_archived_supplier_view_lists_but_offers_no_add(app, client, users, login_as):
    gone = add_supplier(app, legal_name="Gone Ltd", archived_at=utcnow())
    add_connection(app, gone, name="old-link")
    login_as("analyst")
    assert "old-link" not in client.get("/connections/").get_data(as_text=True)
    html = client.get(f"/connections/?supplier_id={gone}").get_data(as_text=True)
    assert row_names(html) == ["old-link"]
    assert "This supplier is archived" in html and "/connections/new" not in html


# --- detail -----------------------------------------------------------------------------


def test_detail_shows_facts_flags_and_history(app, client, users, login_as):
    cid = add_connection(
        app,
        users["supplier_a"].id,
        name="Remote support",
        kind="vendor_remote_access",
        integration_layer="direct_core",
        credential_expires_on=day(7),
        endpoint="rdp.alpha.example",
        owner_id=users["analyst"].id,
        data_classes=["credentials", "ot_commands"],
    )
    login_as("analyst")
    client.post(f"/connections/{cid}/review")
    html = client.get(f"/connections/{cid}").get_data(as_text=True)
    for text in (
        "Remote support",
        "Vendor remote access",
        "Direct to ERP core",
        "Credentials",
        "OT commands",
        "rdp.alpha.example",
        "analyst@example.com",
        "Direct access to the ERP core",
        "bypassing the integration layer",
        "Credential expires within 30 days",
        "(in 7 days)",
        "Reviewed connection Remote support",
        "Mark reviewed today",
    ):
        assert text in html, text
    assert "Not reviewed within a year" not in html
    assert client.get("/connections/99999").status_code == 404


def test_detail_of_a_healthy_connection_says_so(app, client, users, login_as):
    cid = add_connection(app, users["supplier_a"].id, last_reviewed_on=day(-1))
    login_as("analyst")
    assert "Nothing needs attention" in client.get(f"/connections/{cid}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["executive", "supplier"])
def test_read_only_roles_get_no_action_buttons(app, client, users, login_as, role):
    cid = add_connection(app, users["supplier_a"].id, name="Order API")
    login_as(role)
    response = client.get(f"/connections/{cid}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Order API" in html
    for action in ("/edit", "/archive", "/review", "Mark reviewed today"):
        assert action not in html


def test_supplier_contact_sees_only_its_own_connections(app, client, users, login_as):
    own = add_connection(app, users["supplier_a"].id, name="Own link", notes="internal remark")
    other = add_connection(app, users["supplier_b"].id, name="Other link")
    login_as("analyst")
    client.post(f"/connections/{own}/review")
    login_as("supplier")
    html = client.get(f"/connections/{own}").get_data(as_text=True)
    assert "Own link" in html
    assert "internal remark" not in html and "analyst@example.com" not in html  # staff only
    assert client.get(f"/connections/{other}").status_code == 404
    assert client.get("/connections/").status_code == 403
    login_as("other_supplier")
    assert client.get(f"/connections/{own}").status_code == 404
    assert client.get(f"/connections/{other}").status_code == 200


# --- create -----------------------------------------------------------------------------


def test_create_form_preselects_supplier_and_lists_choices(app, client, users, login_as):
    a = users["supplier_a"].id
    add_supplier(app, legal_name="Archived Co", archived_at=utcnow())
    login_as("analyst")
    html = client.get(f"/connections/new?supplier_id={a}").get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{a}">Alpha Components GmbH \(SUP-A\)</option>', html
    )
    assert "Archived Co" not in html
    assert re.search(rf'<option selected value="{users["analyst"].id}">', html)  # owner: me
    assert "Executive" not in html.split('id="owner_id"')[1].split("</select>")[0]
    assert 'type="date"' in html and 'type="checkbox"' in html


def test_create_happy_path(app, client, users, login_as):
    a = users["supplier_a"].id
    login_as("analyst")
    data = form_data(a, owner_id=str(users["admin"].id), name="Đặt hàng API")
    response = client.post("/connections/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalar(select(Connection))
        assert (c.supplier_id, c.name, c.access_level) == (a, "Đặt hàng API", "write")
        assert c.data_classes == ["orders", "pii"] and c.owner_id == users["admin"].id
        assert c.last_reviewed_on == day(-3)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create"))
        assert event.entity_id == str(c.id) and event.actor_id == users["analyst"].id
    assert response.headers["Location"].endswith(f"/connections/{c.id}")
    assert "added" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"supplier_id": ""}, "supplier_id", "This field is required."),
        ({"supplier_id": None}, "supplier_id", "This field is required."),
        ({"supplier_id": "99999"}, "supplier_id", "No supplier"),
        ({"kind": "telnet"}, "kind", "Unknown value"),
        ({"data_classes": None}, "data_classes", "Choose at least one."),
        ({"data_classes": ["orders", "gold"]}, "data_classes", "Unknown value"),
        ({"name": "x" * 200}, "name", "At most 120 characters (got 200)."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Existing"}, "name", "already has a connection named"),
        ({"last_reviewed_on": day(1).isoformat()}, "last_reviewed_on", "cannot be in the future"),
        ({"credential_expires_on": "31/12/2027"}, "credential_expires_on", "Not a date"),
        ({"owner_id": "99999"}, "owner_id", "No user"),
        ({"endpoint": "e" * 300}, "endpoint", "At most 255"),
    ],
)
def test_create_bad_input_rerenders_and_writes_nothing(
    app, client, users, login_as, overrides, field, message
):
    add_connection(app, users["supplier_a"].id, name="Existing")
    login_as("analyst")
    before = counts(app)
    response = client.post("/connections/new", data=form_data(users["supplier_a"].id, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please correct the field" in html
    assert message in html.replace("&#39;", "'")
    assert f'id="{field}"' in html and "is-invalid" in html
    assert counts(app) == before


def test_create_refuses_archived_supplier(app, client, users, login_as):
    gone = add_supplier(app, code="OLD-1", archived_at=utcnow())
    login_as("analyst")
    before = counts(app)
    response = client.post("/connections/new", data=form_data(gone))
    assert response.status_code == 200
    assert "Supplier OLD-1 is archived." in response.get_data(as_text=True)
    assert counts(app) == before


def test_create_keeps_what_was_typed(client, users, login_as):
    login_as("analyst")
    html = client.post(
        "/connections/new",
        data=form_data(users["supplier_a"].id, kind="", name="Müller EDI", data_classes=["pii"]),
    ).get_data(as_text=True)
    assert 'value="Müller EDI"' in html
    assert re.search(r'<input checked class="form-check-input[^"]*" id="data_classes-3"', html)


# --- edit, archive, review --------------------------------------------------------------


def test_edit_form_shows_current_values(app, client, users, login_as):
    cid = add_connection(
        app,
        users["supplier_a"].id,
        name="Forecast SFTP",
        kind="sftp",
        credential_expires_on=dt.date(2027, 5, 1),
        data_classes=["forecasts"],
    )
    login_as("admin")
    html = client.get(f"/connections/{cid}/edit").get_data(as_text=True)
    assert 'value="Forecast SFTP"' in html and 'value="2027-05-01"' in html
    assert '<option selected value="sftp">SFTP</option>' in html
    assert re.search(r'<input checked class="form-check-input" id="data_classes-1"', html)


def test_edit_happy_path_audits_changes(app, client, users, login_as):
    a = users["supplier_a"].id
    cid = add_connection(app, a, name="Order API", encryption="tls12", data_classes=["orders"])
    login_as("analyst")
    data = form_data(a, name="Order API", encryption="none", data_classes=["orders", "pricing"])
    response = client.post(f"/connections/{cid}/edit", data=data)
    assert response.status_code == 302
    c = load(app, cid)
    assert c.encryption == "none" and c.data_classes == ["orders", "pricing"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
        assert event.before["encryption"] == "tls12" and event.after["encryption"] == "none"
        assert event.after["data_classes"] == ["orders", "pricing"]
    html = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "orders, pricing" in html and "No encryption in transit" in html


def test_edit_can_move_connection_to_another_supplier(app, client, users, login_as):
    cid = add_connection(app, users["supplier_a"].id, name="Shared portal")
    login_as("analyst")
    client.post(f"/connections/{cid}/edit", data=form_data(users["supplier_b"].id))
    assert load(app, cid).supplier_id == users["supplier_b"].id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"data_classes": None}, "Choose at least one."),
        ({"kind": "carrier_pigeon"}, "Unknown value"),
        ({"last_reviewed_on": day(30).isoformat()}, "cannot be in the future"),
        ({"name": "Sibling"}, "already has a connection named"),
    ],
)
def test_edit_bad_input_changes_nothing(app, client, users, login_as, overrides, message):
    a = users["supplier_a"].id
    add_connection(app, a, name="Sibling")
    cid = add_connection(app, a, name="Order API", kind="rest_api", data_classes=["orders"])
    login_as("analyst")
    before = counts(app)
    response = client.post(f"/connections/{cid}/edit", data=form_data(a, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    c = load(app, cid)
    assert (c.name, c.kind, c.data_classes, c.encryption) == (
        "Order API",
        "rest_api",
        ["orders"],
        "tls13",
    )
    assert counts(app) == before


def test_archive_and_review(app, client, users, login_as):
    a = users["supplier_a"].id
    cid = add_connection(app, a, name="Old VPN", last_reviewed_on=None)
    login_as("analyst")
    response = client.post(f"/connections/{cid}/review", follow_redirects=True)
    assert "marked as reviewed today" in response.get_data(as_text=True)
    assert load(app, cid).last_reviewed_on == TODAY
    response = client.post(f"/connections/{cid}/archive")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/connections/?supplier_id={a}")
    assert load(app, cid).archived_at is not None
    assert audit_actions(app, cid) == ["review", "archive"]
    assert row_names(client.get("/connections/").get_data(as_text=True)) == []
    assert row_names(client.get("/connections/?archived=1").get_data(as_text=True)) == ["Old VPN"]
    # An archived connection can be looked at but not changed.
    html = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "Archived" in html and "Mark reviewed today" not in html
    for url in (f"/connections/{cid}/archive", f"/connections/{cid}/review"):
        response = client.post(url, follow_redirects=True)
        assert "archived" in response.get_data(as_text=True)
    response = client.get(f"/connections/{cid}/edit")
    assert response.status_code == 302
    assert audit_actions(app, cid) == ["review", "archive"]


def test_forms_need_a_csrf_token(app, client, users, login_as):
    cid = add_connection(app, users["supplier_a"].id, last_reviewed_on=None)
    login_as("analyst")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/connections/{cid}/review").status_code == 400
    assert (
        client.post("/connections/new", data=form_data(users["supplier_a"].id)).status_code == 400
    )
    assert load(app, cid).last_reviewed_on is None
    html = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert html.count('name="csrf_token"') >= 3  # review, archive, log-out forms


# --- roles ------------------------------------------------------------------------------

EDIT_ROUTES = [
    ("get", "/connections/new"),
    ("post", "/connections/new"),
    ("get", "/connections/{own}/edit"),
    ("post", "/connections/{own}/edit"),
    ("post", "/connections/{own}/archive"),
    ("post", "/connections/{own}/review"),
]


@pytest.mark.parametrize("role", ["admin", "analyst", "executive", "supplier"])
def test_role_matrix(app, client, users, login_as, role):
    own = add_connection(app, users["supplier_a"].id, name="Own link")
    other = add_connection(app, users["supplier_b"].id, name="Other link")
    login_as(role)
    editor = role in ("admin", "analyst")
    assert client.get("/connections/").status_code == (403 if role == "supplier" else 200)
    assert client.get(f"/connections/{own}").status_code == 200
    assert client.get(f"/connections/{other}").status_code == (404 if role == "supplier" else 200)
    before = counts(app)
    for method, url in EDIT_ROUTES:
        data = form_data(users["supplier_a"].id, name="New name") if method == "post" else None
        response = getattr(client, method)(url.format(own=other if editor else own), data=data)
        if editor:
            assert response.status_code in (200, 302), (method, url)
        else:
            assert response.status_code == 403, (role, method, url)
    if not editor:
        assert counts(app) == before
        assert load(app, own).archived_at is None


def test_anonymous_is_sent_to_log_in(app, client, users):
    cid = add_connection(app, users["supplier_a"].id)
    for url in ("/connections/", f"/connections/{cid}", "/connections/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/connections/{cid}/archive").status_code == 302
    assert load(app, cid).archived_at is None
