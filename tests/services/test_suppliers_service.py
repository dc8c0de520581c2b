"""Supplier use cases: cleaning input, saving with audit, sub-suppliers, listing and sorting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Supplier
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import suppliers as svc
from tests import factories

TODAY = dt.date(2030, 6, 1)
ACTOR = Actor(user_id=None, email="tester@example.com", role="analyst")
NAMES = {
    "VN": "Công ty TNHH Thép Việt",
    "CN": "深圳精密电子有限公司",
    "DE": "Müller Präzisionsteile GmbH",
    "TR": "İstanbul Lojistik A.Ş.",
}


def _raw(**overrides) -> dict:
    data = {
        "code": " vn-100 ",
        "legal_name": "  Công ty   TNHH Thép Việt ",
        "country": "Viet Nam",
        "category": "Raw material",
        "criticality": "HIGH",
        "single_source": "yes",
        "status": "",
        "website": "https://thep.example.vn",
        "contact_email": "Sales@Thep.example.VN",
        "next_reassessment_on": "2030-12-31",
        "notes": "line one\r\nline two",
    }
    data.update(overrides)
    return data


# --- clean_supplier (no database) ---------------------------------------------------------


def test_clean_supplier_normalises_every_field():
    values, errors = svc.clean_supplier(_raw(), TODAY)
    assert errors == {}
    assert values == {
        "code": "VN-100",
        "legal_name": "Công ty TNHH Thép Việt",
        "country": "VN",
        "category": "raw_material",
        "criticality": "high",
        "single_source": True,
        "status": "active",
        "website": "https://thep.example.vn",
        "contact_email": "sales@thep.example.vn",
        "notes": "line one\nline two",
        "next_reassessment_on": dt.date(2030, 12, 31),
    }


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("legal_name", "", "required"),
        ("legal_name", "   ", "required"),
        ("legal_name", "n" * 300, "At most 255"),
        ("legal_name", "Nul\x00Byte", "control characters"),
        ("code", "", "required"),
        ("code", "has space", "letters, digits"),
        ("code", "C" * 41, "At most 40"),
        ("country", "", "required"),
        ("country", "Narnia", "Unknown country"),
        ("category", "", "required"),
        ("category", "spaceship", "Unknown value"),
        ("criticality", "extreme", "Unknown value"),
        ("status", "zombie", "Unknown value"),
        ("single_source", "perhaps", "yes or no"),
        ("website", "ftp://x.example", "http"),
        ("contact_email", "nobody", "e-mail"),
        ("notes", "x" * 5001, "At most 5000"),
        ("next_reassessment_on", "2030-02-30", "Not a date"),
        ("next_reassessment_on", "2030-05-31", "past"),
    ],
)
def test_clean_supplier_refuses_bad_values(field, raw, message):
    _values, errors = svc.clean_supplier(_raw(**{field: raw}), TODAY)
    assert list(errors) == [field]
    assert message in errors[field]


def test_clean_supplier_keeps_a_past_date_the_supplier_already_has():
    previous = Supplier(next_reassessment_on=dt.date(2030, 1, 1))
    data = _raw(next_reassessment_on="2030-01-01")
    assert svc.clean_supplier(data, TODAY, previous=previous)[1] == {}
    assert "next_reassessment_on" in svc.clean_supplier(data, TODAY)[1]
    other_past = _raw(next_reassessment_on="2030-01-02")
    assert "next_reassessment_on" in svc.clean_supplier(other_past, TODAY, previous=previous)[1]


def test_filters_from_args_ignore_garbage():
    f = svc.SupplierFilters.from_args(
        {
            "q": "x" * 500,
            "category": "nope",
            "criticality": "critical",
            "country": "germany",
            "owner": "99999999999999999999",
            "status": "active",
            "archived": "on",
            "sort": "-password",
        }
    )
    assert len(f.q) == 100
    assert (f.category, f.criticality, f.country, f.owner_id) == ("", "critical", "", None)
    assert (f.status, f.archived, f.sort) == ("active", True, "name")
    assert svc.SupplierFilters.from_args({"country": "vn", "sort": "-country"}).country == "VN"
    assert not svc.SupplierFilters.from_args({"sort": "-code"}).active
    assert svc.SupplierFilters.from_args({"q": "x"}).active


# --- create / update / archive (database) ---------------------------------------------------


def _audit(app) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_create_and_update_are_audited(app, users):
    with app.app_context():
        s = svc.create_supplier(db.session, ACTOR, _raw(owner=users["analyst"].email), TODAY)
        db.session.commit()
        assert s.search_key == "cong ty tnhh thep viet"
        assert s.owner_id == users["analyst"].id
        svc.update_supplier(
            db.session, ACTOR, s, _raw(owner=str(users["admin"].id), criticality="low"), TODAY
        )
        # Saving again without a change writes no event.
        svc.update_supplier(
            db.session, ACTOR, s, _raw(owner=str(users["admin"].id), criticality="low"), TODAY
        )
        db.session.commit()
    create, update = _audit(app)
    assert create.action == "create" and create.after["code"] == "VN-100"
    assert update.before == {"criticality": "high", "owner_id": users["analyst"].id}
    assert update.after == {"criticality": "low", "owner_id": users["admin"].id}


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ("exec@example.com", "cannot own suppliers"),
        ("contact@alpha.example", "cannot own suppliers"),
        ("ghost@example.com", "No user"),
        ("99999999999999999999", "No user"),
    ],
)
def test_owner_must_be_an_active_analyst_or_admin(app, users, owner, message):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            svc.create_supplier(db.session, ACTOR, _raw(owner=owner), TODAY)
        assert message in caught.value.errors["owner"]
        db.session.rollback()
    assert _audit(app) == []


def test_a_deactivated_owner_may_stay_but_not_be_chosen(app, users):
    with app.app_context():
        gone = factories.make_user(db.session, "analyst", "gone@example.com", active=False)
        s = factories.make_supplier(db.session, owner_id=gone.id)
        data = _raw(code=s.code, owner=str(gone.id))
        svc.update_supplier(db.session, ACTOR, s, data, TODAY)
        assert s.owner_id == gone.id
        other = factories.make_supplier(db.session)
        with pytest.raises(ServiceError) as caught:
            svc.update_supplier(db.session, ACTOR, other, _raw(code=other.code, owner=gone.id))
        assert "deactivated" in caught.value.errors["owner"]


def test_duplicate_code_is_refused_case_insensitively(app, users):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            svc.create_supplier(db.session, ACTOR, _raw(code="sup-a"), TODAY)
        assert "already used" in caught.value.errors["code"]
        # Keeping one's own code is fine.
        a = db.session.get(Supplier, users["supplier_a"].id)
        svc.update_supplier(db.session, ACTOR, a, _raw(code="SUP-A"), TODAY)
        assert a.code == "SUP-A"


def test_archive_and_restore(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        svc.archive_supplier(db.session, ACTOR, a)
        with pytest.raises(ServiceError):
            svc.archive_supplier(db.session, ACTOR, a)
        svc.restore_supplier(db.session, ACTOR, a)
        with pytest.raises(ServiceError):
            svc.restore_supplier(db.session, ACTOR, a)
        db.session.commit()
    assert [e.action for e in _audit(app)] == ["archive", "restore"]


# --- sub-suppliers --------------------------------------------------------------------------


def test_a_supplier_can_be_sub_supplier_of_several(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        b = db.session.get(Supplier, users["supplier_b"].id)
        shared = factories.make_supplier(db.session, code="SHARED")
        svc.set_sub_suppliers(db.session, ACTOR, a, [shared.id])
        svc.set_sub_suppliers(db.session, ACTOR, b, [str(shared.id), str(shared.id)])
        db.session.commit()
        assert {c.code for c in shared.customers} == {"SUP-A", "SUP-B"}
        assert [s.code for s in b.sub_suppliers] == ["SHARED"]
        # An archived sub-supplier already linked may stay; a new archived one may not.
        shared.archived_at = utcnow()
        svc.set_sub_suppliers(db.session, ACTOR, a, [shared.id])
        other = factories.make_supplier(db.session, code="OTHER", archived_at=utcnow())
        with pytest.raises(ServiceError, match="Archived"):
            svc.set_sub_suppliers(db.session, ACTOR, a, [shared.id, other.id])
        with pytest.raises(ServiceError, match="own sub-supplier"):
            svc.set_sub_suppliers(db.session, ACTOR, a, [a.id])
        for bad in (["x"], [0], [-3], [2**40], [True]):
            with pytest.raises(ServiceError, match="do not exist"):
                svc.set_sub_suppliers(db.session, ACTOR, a, bad)
    assert [e.summary for e in _audit(app)] == [
        "Sub-suppliers of SUP-A changed",
        "Sub-suppliers of SUP-B changed",
    ]


def test_sub_supplier_candidates_exclude_itself_and_archived(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        for n in range(45):
            factories.make_supplier(db.session, code=f"C{n:02d}", legal_name=f"Cand {n:02d}")
        factories.make_supplier(db.session, code="ARCH", archived_at=utcnow())
        found, total = svc.sub_supplier_candidates(db.session, a)
        assert total == 46 and len(found) == 46  # 45 + Beta
        assert a not in found and "ARCH" not in {s.code for s in found}
        # Every word must appear somewhere: "1" matches 01, 10-19, 21, 31 and 41.
        found, total = svc.sub_supplier_candidates(db.session, a, "cand 1", limit=5)
        assert total == 14 and [s.code for s in found] == ["C01", "C10", "C11", "C12", "C13"]


# --- listing --------------------------------------------------------------------------------


def _world(session) -> dict[str, Supplier]:
    made = {}
    for country, name in NAMES.items():
        made[country] = factories.make_supplier(
            session, code=f"{country}-1", legal_name=name, country=country
        )
    return made


def _names(session, **filters) -> list[str]:
    stmt = svc.list_query(svc.SupplierFilters(**filters))
    return [s.legal_name for s in session.scalars(stmt)]


def test_list_query_orders_by_folded_name_on_every_backend(app, users):
    with app.app_context():
        _world(db.session)
        expected = [
            "Alpha Components GmbH",
            "Beta Logistics Ltd",
            NAMES["VN"],
            NAMES["TR"],
            NAMES["DE"],
            NAMES["CN"],
        ]
        assert _names(db.session) == expected
        assert _names(db.session, sort="-name") == expected[::-1]


def test_list_query_orders_country_by_name_and_criticality_by_severity(app, users):
    with app.app_context():
        made = _world(db.session)
        made["VN"].criticality = "critical"
        made["TR"].criticality = "low"
        db.session.flush()
        # China, Germany (Alpha, Beta, Müller), Türkiye, Vietnam.
        assert _names(db.session, sort="country")[0] == NAMES["CN"]
        assert _names(db.session, sort="country")[-2:] == [NAMES["TR"], NAMES["VN"]]
        assert _names(db.session, sort="-country")[0] == NAMES["VN"]
        assert _names(db.session, sort="criticality")[0] == NAMES["VN"]
        assert _names(db.session, sort="criticality")[-1] == NAMES["TR"]
        assert _names(db.session, sort="-criticality")[0] == NAMES["TR"]


def test_list_query_puts_undated_reassessments_last_both_ways(app, users):
    with app.app_context():
        made = _world(db.session)
        made["DE"].next_reassessment_on = dt.date(2031, 1, 1)
        made["VN"].next_reassessment_on = dt.date(2030, 1, 1)
        db.session.flush()
        assert _names(db.session, sort="reassessment")[:2] == [NAMES["VN"], NAMES["DE"]]
        assert _names(db.session, sort="-reassessment")[:2] == [NAMES["DE"], NAMES["VN"]]


@pytest.mark.parametrize(
    ("q", "country"),
    [
        ("thep viet", "VN"),
        ("Thép Việt", "VN"),
        ("viet tnhh", "VN"),
        ("精密", "CN"),
        ("muller", "DE"),
        ("MÜLLER", "DE"),
        ("istanbul", "TR"),
        ("İstanbul", "TR"),
        ("ISTANBUL", "TR"),
        ("tr-1", "TR"),
    ],
)
def test_list_query_search_is_accent_and_case_insensitive(app, users, q, country):
    with app.app_context():
        _world(db.session)
        assert _names(db.session, q=q) == [NAMES[country]]


def test_list_query_filters_and_archive_toggle(app, users):
    with app.app_context():
        made = _world(db.session)
        made["TR"].archived_at = utcnow()
        made["CN"].owner_id = users["analyst"].id
        made["DE"].status = "suspended"
        db.session.flush()
        assert NAMES["TR"] not in _names(db.session)
        assert _names(db.session, archived=True) == [NAMES["TR"]]
        assert _names(db.session, owner_id=users["analyst"].id) == [NAMES["CN"]]
        assert _names(db.session, status="suspended") == [NAMES["DE"]]
        assert _names(db.session, country="vn") == [NAMES["VN"]]
        assert _names(db.session, q="nothing like this") == []


def test_live_connection_counts(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        b = db.session.get(Supplier, users["supplier_b"].id)
        factories.make_connection(db.session, a)
        factories.make_connection(db.session, a)
        factories.make_connection(db.session, a, status="retired")
        factories.make_connection(db.session, b, archived_at=utcnow())
        assert svc.live_connection_counts(db.session, [a.id, b.id]) == {a.id: 2}
        assert svc.live_connection_counts(db.session, []) == {}


def test_owner_options_are_active_editors(app, users):
    with app.app_context():
        gone = factories.make_user(db.session, "analyst", "gone@example.com", active=False)
        emails = [u.email for u in svc.owner_options(db.session)]
        assert sorted(emails) == ["admin@example.com", "analyst@example.com"]
        emails = [u.email for u in svc.owner_options(db.session, include_id=gone.id)]
        assert "gone@example.com" in emails


def test_profile_lists_connections_and_latest_events(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        factories.make_connection(db.session, a, name="B link")
        factories.make_connection(db.session, a, name="A link", status="retired")
        factories.make_connection(db.session, a, name="C link", archived_at=utcnow())
        for n in range(12):
            svc.update_supplier(db.session, ACTOR, a, _raw(code="SUP-A", notes=f"v{n}"), TODAY)
        profile = svc.supplier_profile(db.session, a)
        assert [c.name for c in profile.connections] == ["A link", "B link"]
        assert profile.live_connections == 1
        assert len(profile.events) == 10
        assert profile.events[0].after["notes"] == "v11"
        assert svc.supplier_profile(db.session, a, events=0).events == []
        assert svc.get_supplier(db.session, 2**40) is None
        assert svc.get_supplier(db.session, "abc") is None
