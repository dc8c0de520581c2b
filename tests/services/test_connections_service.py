"""Connection use cases: validation, create/update/archive/review with audit, flags, list query."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Connection
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import connections as svc
from risk_models.attention import FLAGS
from tests.factories import make_connection, make_supplier, make_user

TODAY = dt.date(2026, 11, 25)
ACTOR = Actor(user_id=None, email="tester@example.com", role="analyst")


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def valid(**overrides) -> dict:
    data = {
        "name": "Order API",
        "kind": "rest_api",
        "direction": "inbound",
        "internal_system": "erp",
        "data_classes": ["orders", "pricing"],
        "authentication": "mtls",
        "encryption": "tls13",
        "integration_layer": "api_gateway",
        "endpoint": "https://api.example.com/orders",
        "credential_expires_on": "2027-03-01",
        "last_reviewed_on": "2026-10-01",
    }
    data.update(overrides)
    return data


# --- clean_connection -------------------------------------------------------------------


def test_clean_accepts_values_and_labels():
    values, errors = svc.clean_connection(
        valid(kind="REST API", data_classes="Orders; pii", encryption="TLS 1.3"), TODAY
    )
    assert errors == {}
    assert values["kind"] == "rest_api"
    assert values["data_classes"] == ["orders", "pii"]
    assert values["encryption"] == "tls13"
    assert values["access_level"] == "read" and values["status"] == "active"
    assert values["credential_expires_on"] == dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("name", "", "required"),
        ("name", "   ", "required"),
        ("name", "x" * 200, "At most 120"),
        ("kind", "telnet", "Unknown value"),
        ("kind", "", "required"),
        ("direction", "sideways", "Unknown value"),
        ("internal_system", "crm", "Unknown value"),
        ("data_classes", [], "at least one"),
        ("data_classes", ["orders", "secrets"], "Unknown value"),
        ("authentication", "kerberos", "Unknown value"),
        ("encryption", "rot13", "Unknown value"),
        ("integration_layer", "", "required"),
        ("access_level", "root", "Unknown value"),
        ("status", "gone", "Unknown value"),
        ("endpoint", "h" * 256, "At most 255"),
        ("credential_expires_on", "next week", "Not a date"),
        ("last_reviewed_on", "2026-13-01", "Not a date"),
        ("last_reviewed_on", day(1).isoformat(), "cannot be in the future"),
        ("notes", "n" * 5001, "At most 5000"),
    ],
)
def test_clean_refuses_bad_values(field, raw, message):
    _, errors = svc.clean_connection(valid(**{field: raw}), TODAY)
    assert list(errors) == [field]
    assert message in errors[field]


def test_clean_accepts_a_past_expiry_and_a_review_today():
    values, errors = svc.clean_connection(
        valid(credential_expires_on=day(-10).isoformat(), last_reviewed_on=TODAY.isoformat()),
        TODAY,
    )
    assert errors == {}
    assert values["credential_expires_on"] == day(-10)


# --- create / update / archive / review -------------------------------------------------


def test_create_writes_connection_and_audit(app):
    with app.app_context():
        supplier = make_supplier(db.session, legal_name="深圳精密电子有限公司")
        analyst = make_user(db.session, "analyst")
        c = svc.create_connection(
            db.session, ACTOR, valid(supplier=str(supplier.id), owner=analyst.email), TODAY
        )
        db.session.commit()
        assert c.supplier_id == supplier.id and c.owner_id == analyst.id
        assert c.data_classes == ["orders", "pricing"]
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.entity_type, event.entity_id) == (
            "create",
            "connection",
            str(c.id),
        )
        assert event.after["data_classes"] == ["orders", "pricing"]


def test_create_resolves_supplier_by_code(app):
    with app.app_context():
        supplier = make_supplier(db.session, code="VN-0042")
        c = svc.create_connection(db.session, ACTOR, valid(supplier="vn-0042"), TODAY)
        assert c.supplier_id == supplier.id


@pytest.mark.parametrize(
    ("supplier", "message"),
    [(None, "required"), ("", "required"), ("999999", "No supplier"), ("NOPE", "No supplier")],
)
def test_create_refuses_missing_or_unknown_supplier(app, supplier, message):
    with app.app_context():
        with pytest.raises(ServiceError) as exc:
            svc.create_connection(db.session, ACTOR, valid(supplier=supplier), TODAY)
        assert message in exc.value.errors["supplier"]
        assert db.session.scalar(select(func.count()).select_from(Connection)) == 0


def test_create_refuses_archived_supplier(app):
    with app.app_context():
        supplier = make_supplier(db.session, archived_at=utcnow())
        with pytest.raises(ServiceError) as exc:
            svc.create_connection(db.session, ACTOR, valid(supplier=supplier.id), TODAY)
        assert "archived" in exc.value.errors["supplier"]


def test_create_refuses_duplicate_name_for_same_supplier_only(app):
    with app.app_context():
        a, b = make_supplier(db.session), make_supplier(db.session)
        make_connection(db.session, a, name="Order API")
        with pytest.raises(ServiceError) as exc:
            svc.create_connection(db.session, ACTOR, valid(supplier=a.id), TODAY)
        assert "already has a connection named" in exc.value.errors["name"]
        assert svc.create_connection(db.session, ACTOR, valid(supplier=b.id), TODAY).id


@pytest.mark.parametrize("role", ["executive", "supplier"])
def test_create_refuses_owner_who_is_not_staff_editor(app, role):
    with app.app_context():
        supplier = make_supplier(db.session)
        user = make_user(db.session, role, supplier=supplier if role == "supplier" else None)
        with pytest.raises(ServiceError) as exc:
            svc.create_connection(
                db.session, ACTOR, valid(supplier=supplier.id, owner=user.id), TODAY
            )
        assert "cannot own" in exc.value.errors["owner"]


def test_create_reports_every_bad_field_at_once(app):
    with app.app_context():
        with pytest.raises(ServiceError) as exc:
            svc.create_connection(db.session, ACTOR, {"name": "x" * 121, "kind": "telnet"}, TODAY)
        assert {"supplier", "name", "kind", "data_classes", "encryption"} <= set(exc.value.errors)


def test_update_audits_only_changed_fields(app):
    with app.app_context():
        supplier = make_supplier(db.session)
        c = svc.create_connection(db.session, ACTOR, valid(supplier=supplier.id), TODAY)
        svc.update_connection(
            db.session,
            ACTOR,
            c,
            valid(supplier=str(supplier.id), encryption="none", data_classes=["pii"]),
            TODAY,
        )
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "update"
        assert event.before == {"encryption": "tls13", "data_classes": ["orders", "pricing"]}
        assert event.after == {"encryption": "none", "data_classes": ["pii"]}
        # Saving the same values again records nothing.
        svc.update_connection(
            db.session,
            ACTOR,
            c,
            valid(supplier=str(supplier.id), encryption="none", data_classes=["pii"]),
            TODAY,
        )
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_update_allows_keeping_own_name_and_refuses_a_sibling_name(app):
    with app.app_context():
        supplier = make_supplier(db.session)
        make_connection(db.session, supplier, name="ASN over AS2")
        c = svc.create_connection(db.session, ACTOR, valid(supplier=supplier.id), TODAY)
        svc.update_connection(db.session, ACTOR, c, valid(supplier=supplier.id), TODAY)
        with pytest.raises(ServiceError) as exc:
            svc.update_connection(
                db.session, ACTOR, c, valid(supplier=supplier.id, name="ASN over AS2"), TODAY
            )
        assert "name" in exc.value.errors
        assert c.name == "Order API"


def test_archived_connection_cannot_be_changed_or_reviewed(app):
    with app.app_context():
        c = make_connection(db.session, make_supplier(db.session))
        svc.archive_connection(db.session, ACTOR, c)
        assert c.archived_at is not None
        with pytest.raises(ServiceError):
            svc.archive_connection(db.session, ACTOR, c)
        with pytest.raises(ServiceError):
            svc.update_connection(db.session, ACTOR, c, valid(supplier=c.supplier_id), TODAY)
        with pytest.raises(ServiceError):
            svc.mark_reviewed(db.session, ACTOR, c, TODAY)
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions == ["archive"]


def test_mark_reviewed_sets_today_and_audits(app):
    with app.app_context():
        c = make_connection(db.session, make_supplier(db.session), last_reviewed_on=None)
        svc.mark_reviewed(db.session, ACTOR, c, TODAY)
        assert c.last_reviewed_on == TODAY
        event = db.session.scalar(select(AuditEvent))
        assert event.action == "review"
        assert event.before == {"last_reviewed_on": None}
        assert event.after == {"last_reviewed_on": TODAY.isoformat()}
        assert svc.history(db.session, c.id)[0].id == event.id


def test_history_is_newest_first_and_limited(app):
    with app.app_context():
        c = make_connection(db.session, make_supplier(db.session))
        other = make_connection(db.session, make_supplier(db.session))
        for _ in range(12):
            svc.mark_reviewed(db.session, ACTOR, c, TODAY)
        svc.mark_reviewed(db.session, ACTOR, other, TODAY)
        events = svc.history(db.session, c.id)
        assert len(events) == 10
        assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)
        assert {e.entity_id for e in events} == {str(c.id)}


# --- flags ------------------------------------------------------------------------------


def test_flags_for_each_flag(app):
    with app.app_context():
        s = make_supplier(db.session)

        def flags(**kw):
            kw.setdefault("last_reviewed_on", TODAY)
            return svc.flags_for(make_connection(db.session, s, **kw), TODAY)

        assert flags() == []
        assert flags(credential_expires_on=day(30)) == ["credential_expiring"]
        assert flags(credential_expires_on=TODAY) == ["credential_expiring"]
        assert flags(credential_expires_on=day(31)) == []
        assert flags(credential_expires_on=day(-1)) == ["credential_expired"]
        assert flags(encryption="none") == ["no_encryption"]
        assert flags(integration_layer="direct_core") == ["direct_core"]
        assert flags(last_reviewed_on=None) == ["not_reviewed"]
        assert flags(last_reviewed_on=day(-365)) == []
        assert flags(last_reviewed_on=day(-366)) == ["not_reviewed"]
        assert flags(encryption="none", status="retired") == []


def test_explain_flags_says_why(app):
    with app.app_context():
        c = make_connection(
            db.session,
            make_supplier(db.session),
            credential_expires_on=day(12),
            integration_layer="direct_core",
            last_reviewed_on=None,
        )
        explained = dict(svc.explain_flags(c, TODAY))
        assert list(explained) == [
            FLAGS["credential_expiring"],
            FLAGS["direct_core"],
            FLAGS["not_reviewed"],
        ]
        assert "in 12 days" in explained[FLAGS["credential_expiring"]]
        assert "never been reviewed" in explained[FLAGS["not_reviewed"]]


# --- list query -------------------------------------------------------------------------


def _ids(filters, today=TODAY):
    return {c.id for c in db.session.scalars(svc.list_query(filters, today)).unique()}


def _names(filters, today=TODAY):
    return [c.name for c in db.session.scalars(svc.list_query(filters, today)).unique()]


def test_flag_filters_match_the_pure_flags_exactly(app):
    """Every boundary case: the SQL filter and risk_models.attention agree."""
    with app.app_context():
        s = make_supplier(db.session)
        cases = [
            {"credential_expires_on": d}
            for d in (day(-400), day(-1), TODAY, day(1), day(29), day(30), day(31), None)
        ]
        cases += [{"last_reviewed_on": d} for d in (None, day(-366), day(-365), day(-1), TODAY)]
        cases += [{"encryption": e} for e in ("none", "tls12", "ssh")]
        cases += [{"integration_layer": v} for v in ("direct_core", "ipaas")]
        cases += [
            {"status": st, "encryption": "none", "last_reviewed_on": None}
            for st in ("planned", "active", "suspended", "retired")
        ]
        connections = [make_connection(db.session, s, **kw) for kw in cases]
        for key in FLAGS:
            expected = {c.id for c in connections if key in svc.flags_for(c, TODAY)}
            assert expected, key
            assert _ids(svc.ConnectionFilters(flag=key)) == expected, key


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "sftp"}, {"sftp"}),
        ({"internal_system": "wms"}, {"wms"}),
        ({"data_class": "pii"}, {"pii", "sftp"}),
        ({"authentication": "password"}, {"password"}),
        ({"status": "suspended"}, {"suspended"}),
        ({"category": "logistics"}, {"logistics"}),
        ({"criticality": "critical"}, {"logistics"}),
        ({"country": "vn"}, {"viet"}),
        ({"q": "viet"}, {"viet"}),
        ({"q": "THÉP"}, {"viet"}),
        ({"q": "精密"}, {"cn"}),
        ({"q": "müller"}, {"base", "sftp", "wms", "pii", "password", "suspended", "owned"}),
        ({"q": "sftp.partner"}, {"sftp"}),
        ({"q": "100%"}, set()),
        ({"q": "V_"}, set()),
        ({"q": "VN-"}, {"viet"}),
    ],
)
def test_each_filter(app, filters, expected):
    with app.app_context():
        de = make_supplier(db.session, code="DE-1", legal_name="Müller Präzisionsteile GmbH")
        vn = make_supplier(
            db.session, code="VN-1", legal_name="Công ty TNHH Thép Việt", country="VN"
        )
        cn = make_supplier(db.session, code="CN-1", legal_name="深圳精密电子有限公司", country="CN")
        lg = make_supplier(
            db.session,
            code="TR-1",
            legal_name="İstanbul Lojistik A.Ş.",
            country="TR",
            category="logistics",
            criticality="critical",
        )
        make_connection(db.session, de, name="base")
        make_connection(
            db.session,
            de,
            name="sftp",
            kind="sftp",
            endpoint="sftp.partner.example",
            data_classes=["pii"],
        )
        make_connection(db.session, de, name="wms", internal_system="wms")
        make_connection(db.session, de, name="pii", data_classes=["orders", "pii"])
        make_connection(db.session, de, name="password", authentication="password")
        make_connection(db.session, de, name="suspended", status="suspended")
        make_connection(db.session, vn, name="viet")
        make_connection(db.session, cn, name="cn")
        make_connection(db.session, lg, name="logistics")
        owner = make_user(db.session, "analyst")
        make_connection(db.session, de, name="owned", owner_id=owner.id)
        assert set(_names(svc.ConnectionFilters.from_args(filters))) == expected
        assert set(_names(svc.ConnectionFilters(owner_id=owner.id))) == {"owned"}


def test_archived_rows_and_per_supplier_view(app):
    with app.app_context():
        live = make_supplier(db.session)
        gone = make_supplier(db.session, archived_at=utcnow())
        a = make_connection(db.session, live, name="a")
        b = make_connection(db.session, live, name="b", archived_at=utcnow())
        c = make_connection(db.session, gone, name="c")
        assert _ids(svc.ConnectionFilters()) == {a.id}
        assert _ids(svc.ConnectionFilters(archived=True)) == {b.id}
        assert _ids(svc.ConnectionFilters(supplier_id=live.id)) == {a.id}
        # An archived supplier's own view still lists its connections.
        assert _ids(svc.ConnectionFilters(supplier_id=gone.id)) == {c.id}


def test_sort_orders_and_blank_dates_last(app):
    with app.app_context():
        zed = make_supplier(db.session, legal_name="Zeta AG")
        alpha = make_supplier(db.session, legal_name="Ärzte Alpha GmbH")
        make_connection(db.session, zed, name="z1", credential_expires_on=day(5), kind="sftp")
        make_connection(db.session, alpha, name="a2", credential_expires_on=None, kind="email")
        make_connection(db.session, alpha, name="a1", credential_expires_on=day(90))

        def names(sort):
            return _names(svc.ConnectionFilters.from_args({"sort": sort}))

        assert names("supplier") == ["a1", "a2", "z1"]
        assert names("-supplier") == ["z1", "a1", "a2"]
        assert names("name") == ["a1", "a2", "z1"]
        assert names("-name") == ["z1", "a2", "a1"]
        assert names("expires") == ["z1", "a1", "a2"]
        assert names("-expires") == ["a1", "z1", "a2"]
        assert names("kind") == ["a2", "a1", "z1"]  # email, rest_api, sftp
        assert names("bogus") == names("supplier")


def test_filters_from_args_ignore_bad_values():
    f = svc.ConnectionFilters.from_args(
        {
            "kind": "telnet",
            "flag": "everything",
            "owner": "abc",
            "supplier_id": "-3",
            "sort": "password",
            "country": "germany",
            "archived": "maybe",
            "q": "x" * 500,
        }
    )
    assert (f.kind, f.flag, f.owner_id, f.supplier_id, f.sort) == ("", "", None, None, "supplier")
    assert f.country == "" and f.archived is False and len(f.q) == 100


def test_form_choices(app):
    with app.app_context():
        make_supplier(db.session, legal_name="Zeta AG", code="Z")
        gone = make_supplier(db.session, legal_name="Gone Ltd", code="G", archived_at=utcnow())
        make_supplier(db.session, legal_name="Ärzte GmbH", code="A")
        assert [label for _, label in svc.supplier_choices(db.session)] == [
            "Ärzte GmbH (A)",
            "Zeta AG (Z)",
        ]
        assert svc.supplier_choices(db.session, keep=gone)[0] == (str(gone.id), "Gone Ltd (G)")
        analyst = make_user(db.session, "analyst", name="Ana")
        admin = make_user(db.session, "admin", name="Bob")
        make_user(db.session, "executive", name="Eve")
        idle = make_user(db.session, "analyst", name="Idle", active=False)
        assert [int(i) for i, _ in svc.owner_choices(db.session)] == [analyst.id, admin.id]
        assert str(idle.id) in dict(svc.owner_choices(db.session, keep_id=idle.id))
