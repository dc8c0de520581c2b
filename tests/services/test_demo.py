"""The demo network builder: counts, scripts, flags, 4th parties, idempotency, bulk path."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Connection, ConnectionDataClass, Supplier, User, supplier_links
from app.services import Actor, ServiceError
from app.services import demo_data as data
from app.services.audit import verify_chain
from app.services.connections import clean_connection, flags_for
from app.services.demo import (
    SupplierSpec,
    build_demo,
    connection_values,
    generated_spec,
    supplier_values,
    templates_for,
)
from app.services.inventory_stats import overview
from app.services.suppliers import clean_supplier
from risk_models import vocab

TODAY = dt.date(2025, 3, 14)
ACTOR = Actor.system("test-demo")
CURATED = [SupplierSpec._make(row) for row in data.SUPPLIERS]


def _build(app, **kwargs):
    with app.app_context():
        result = build_demo(db.session, ACTOR, today=TODAY, **kwargs)
        db.session.commit()
        return result


def _counts(session) -> dict[str, int]:
    tables = {
        "suppliers": Supplier,
        "connections": Connection,
        "data_classes": ConnectionDataClass,
        "users": User,
        "events": AuditEvent,
    }
    counts = {k: session.scalar(select(func.count()).select_from(m)) for k, m in tables.items()}
    counts["links"] = session.scalar(select(func.count()).select_from(supplier_links))
    return counts


def _names(session) -> set[str]:
    return set(session.scalars(select(Supplier.legal_name)))


# -- the curated network ------------------------------------------------------------


def test_curated_network(app):
    """One build, checked from every side (each check below names what it covers)."""
    result = _build(app)
    _check_curated_network_counts(app, result)
    _check_names_in_many_scripts(app, result)
    _check_suppliers_have_owners_dates_and_single_sources(app, result)
    _check_connections_are_plausible_per_category(app, result)
    _check_attention_flags_show_something(app, result)
    _check_shared_fourth_parties(app, result)
    _check_users_of_every_role_and_contacts_bound(app, result)
    _check_audit_trail_is_real(app, result)


def _check_curated_network_counts(app, result):
    assert (result.suppliers, result.users) == (40, 7)
    assert 110 <= result.connections <= 130
    assert result.links >= 25 and not result.bulk
    with app.app_context():
        counts = _counts(db.session)
        assert counts["suppliers"] == 40
        assert counts["connections"] == result.connections
        archived = db.session.scalars(select(Supplier).where(Supplier.archived_at.is_not(None)))
        assert [s.code for s in archived] == ["V100129"]
        categories = set(db.session.scalars(select(Supplier.category)))
        countries = set(db.session.scalars(select(Supplier.country)))
        statuses = set(db.session.scalars(select(Supplier.status)))
    assert categories == set(vocab.SUPPLIER_CATEGORIES)
    assert {"DE", "VN", "CN", "TR", "PL", "CZ", "IT", "US", "MX", "IN", "JP", "KR", "NL", "FR"} <= (
        countries
    )
    assert {"active", "onboarding", "suspended"} <= statuses


def _check_names_in_many_scripts(app, result):
    with app.app_context():
        names = _names(db.session)
        thep = db.session.scalar(select(Supplier).where(Supplier.code == "V100101"))
        assert thep.search_key == "cong ty tnhh thep viet"
    for wanted in (
        "Công ty TNHH Thép Việt",
        "深圳精密电子有限公司",
        "Müller Präzisionsteile GmbH",
        "İstanbul Lojistik A.Ş.",
    ):
        assert wanted in names
    assert any(re.search(r"[\u3040-\u30ff]|株式会社", n) for n in names)  # Japanese
    assert any(re.search(r"[\uac00-\ud7af]", n) for n in names)  # Korean
    assert any("ł" in n and ("ś" in n.lower()) for n in names)  # Polish
    assert any("ř" in n for n in names)  # Czech


def _check_suppliers_have_owners_dates_and_single_sources(app, result):
    with app.app_context():
        analysts = {u.id for u in db.session.scalars(select(User)) if u.role == "analyst"}
        suppliers = db.session.scalars(select(Supplier)).all()
        owners = {s.owner_id for s in suppliers}
        assert owners <= analysts and len(owners) == 2
        assert all(
            s.next_reassessment_on is None or s.next_reassessment_on > TODAY for s in suppliers
        )
        assert sum(s.next_reassessment_on is not None for s in suppliers) >= 30
        single = [s for s in suppliers if s.single_source]
        assert 3 <= len(single) <= 8
        assert {s.criticality for s in suppliers} == set(vocab.CRITICALITIES)
        assert all(re.fullmatch(r"V1\d{5}", s.code) for s in suppliers)


def _check_connections_are_plausible_per_category(app, result):
    with app.app_context():
        rows = db.session.scalars(select(Connection).join(Supplier)).all()
        by_supplier = {}
        for c in rows:
            by_supplier.setdefault(c.supplier.code, []).append(c)
            assert c.data_classes, c.name
            assert c.owner_id == c.supplier.owner_id
            if c.authentication in (
                "certificate",
                "api_key",
                "password",
                "oauth2_client_credentials",
            ):
                assert c.credential_expires_on is not None, c.name
        thep = {c.name: c for c in by_supplier["V100101"]}
        assert thep["EDI VAN orders (ORDERS/ORDRSP)"].kind == "edi_van"
        mueller = {c.kind: c for c in by_supplier["V100111"]}
        assert mueller["sftp"].endpoint == "sftp://files.mueller-praezision.de:22"
        assert mueller["edi_as2"].endpoint == "as2://edi.mueller-praezision.de"
        mes = {c.kind: c for c in by_supplier["V100137"]}["vendor_remote_access"]
        assert (mes.authentication, mes.integration_layer) == ("password", "direct_core")
        assert "credentials" in mes.data_classes
        tpl = {c.kind for c in by_supplier["V100124"]}
        assert {"edi_as2", "rest_api"} <= tpl
        cm = {c.kind for c in by_supplier["V100118"]}
        assert {"sftp", "vpn_site_to_site"} <= cm
        assert all(c.status == "retired" for c in by_supplier["V100129"])
        assert {c.status for c in by_supplier["V100121"]} == {"planned"}


def _check_attention_flags_show_something(app, result):
    with app.app_context():
        stats = overview(db.session, today=TODAY)
        assert stats.suppliers == 39  # the archived one is not counted
        flags = stats.attention
        assert 1 <= flags["credential_expired"] <= 3
        assert 2 <= flags["credential_expiring"] <= 6
        assert 1 <= flags["no_encryption"] <= 2
        assert flags["direct_core"] >= 3
        assert flags["not_reviewed"] >= 4
        conns = db.session.scalars(select(Connection)).all()
        never = [c for c in conns if c.last_reviewed_on is None]
        stale = [
            c
            for c in conns
            if c.last_reviewed_on and c.last_reviewed_on < TODAY - dt.timedelta(days=365)
        ]
        assert never and stale
        plain = next(c for c in conns if c.name == "Price list HTTP feed")
        assert "no_encryption" in flags_for(plain, TODAY)
        assert plain.endpoint.startswith("http://")


def _check_shared_fourth_parties(app, result):
    with app.app_context():
        by_code = {s.code: s for s in db.session.scalars(select(Supplier))}
        broker = by_code["V100130"]
        assert len([c for c in broker.customers if c.category == "logistics"]) >= 3
        assert len(by_code["V100134"].customers) >= 6  # the EDI VAN
        assert len(by_code["V100138"].customers) >= 5  # the cloud host
        assert {s.code for s in by_code["V100118"].sub_suppliers} == {"V100108", "V100117"}


def _check_users_of_every_role_and_contacts_bound(app, result):
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert {u.role for u in users.values()} == set(vocab.ROLES)
        contact = users["contact@thepviet.vn"]
        assert contact.role == "supplier"
        assert contact.supplier.legal_name == "Công ty TNHH Thép Việt"
        assert sum(u.role == "analyst" for u in users.values()) == 2
    assert ("supplier", "contact@thepviet.vn", "Công ty TNHH Thép Việt") in result.logins
    assert result.logins[0] == ("admin", "admin@demo.chainlight", "")


def _check_audit_trail_is_real(app, result):
    with app.app_context():
        assert verify_chain(db.session).ok
        actions = db.session.execute(
            select(AuditEvent.entity_type, AuditEvent.action, func.count()).group_by(
                AuditEvent.entity_type, AuditEvent.action
            )
        ).all()
    counts = {(t, a): n for t, a, n in actions}
    assert counts[("supplier", "create")] == 40
    assert counts[("connection", "create")] >= 110
    assert counts[("user", "create")] == 7
    assert counts[("supplier", "archive")] == 1
    assert ("supplier", "bulk_create") not in counts


def test_second_run_changes_nothing(app):
    _build(app)
    with app.app_context():
        before = _counts(db.session)
    again = _build(app)
    assert not again.changed
    with app.app_context():
        assert _counts(db.session) == before


def test_missing_pieces_are_added_and_edits_kept(app):
    _build(app)
    with app.app_context():
        gone = db.session.scalar(select(Connection).where(Connection.name == "TMS REST API"))
        db.session.delete(gone)
        supplier = db.session.scalar(select(Supplier).where(Supplier.code == "V100102"))
        supplier.notes = "edited by hand"
        db.session.commit()
    result = _build(app)
    assert (result.suppliers, result.connections, result.users, result.links) == (0, 1, 0, 0)
    with app.app_context():
        supplier = db.session.scalar(select(Supplier).where(Supplier.code == "V100102"))
        assert supplier.notes == "edited by hand"


def test_existing_user_with_demo_email_is_kept(app):
    from tests.factories import make_user

    with app.app_context():
        make_user(db.session, "analyst", "analyst@demo.chainlight", name="Somebody Else")
        db.session.commit()
    result = _build(app)
    assert result.users == 6
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "analyst@demo.chainlight"))
        assert user.name == "Somebody Else"


def test_fewer_suppliers_than_curated(app):
    result = _build(app, suppliers=5)
    assert result.suppliers == 5
    with app.app_context():
        codes = set(db.session.scalars(select(Supplier.code)))
        assert codes == {row[0] for row in data.SUPPLIERS[:5]}
        links = db.session.execute(select(supplier_links)).all()
        ids = set(db.session.scalars(select(Supplier.id)))
        assert all(sub in ids for _, sub in links)
        emails = set(db.session.scalars(select(User.email)))
    assert "contact@thepviet.vn" in emails  # V100101 is among the first five
    assert "contact@mueller-praezision.de" not in emails


@pytest.mark.parametrize("bad", [0, -1, 10**7])
def test_supplier_count_out_of_range(app, bad):
    with app.app_context(), pytest.raises(ServiceError, match="between 1 and"):
        build_demo(db.session, ACTOR, suppliers=bad, today=TODAY)


# -- generated suppliers ----------------------------------------------------------------


def test_generated_suppliers_through_services(app):
    result = _build(app, suppliers=46, bulk=False)
    assert result.suppliers == 46 and not result.bulk
    with app.app_context():
        generated = db.session.scalars(select(Supplier).where(Supplier.code.like("V2%"))).all()
        assert len(generated) == 6
        events = db.session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "supplier", AuditEvent.action == "create"
            )
        )
        assert events == 46
        for s in generated:
            assert 2 <= len(s.connections) <= 4
    assert not _build(app, suppliers=46, bulk=False).changed


def test_bulk_path_writes_one_summary_event(app):
    result = _build(app, suppliers=140, bulk=True)
    assert result.bulk and result.suppliers == 140
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Supplier)) == 140
        bulk_events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bulk_create")
        ).all()
        assert len(bulk_events) == 1
        after = bulk_events[0].after
        assert after["suppliers"] == 100 and after["first_code"] == "V200001"
        assert after["last_code"] == "V200100"
        assert after["connections"] == db.session.scalar(
            select(func.count())
            .select_from(Connection)
            .join(Supplier)
            .where(Supplier.code.like("V2%"))
        )
        assert verify_chain(db.session).ok
        generated = db.session.scalars(select(Supplier).where(Supplier.code.like("V2%"))).all()
        for s in generated:
            assert s.search_key and s.created_at and 2 <= len(s.connections) <= 4
            assert all(c.data_classes for c in s.connections)
        linked = db.session.scalar(
            select(func.count())
            .select_from(supplier_links)
            .where(supplier_links.c.supplier_id.in_([s.id for s in generated]))
        )
        assert linked > 10
        before = _counts(db.session)
    assert not _build(app, suppliers=140, bulk=True).changed
    with app.app_context():
        assert _counts(db.session) == before


def test_bulk_is_chosen_above_the_threshold(app, monkeypatch):
    from app.services import demo

    monkeypatch.setattr(demo, "BULK_THRESHOLD", 3)
    assert _build(app, suppliers=44).bulk
    assert not _build(app, suppliers=43).bulk  # nothing new above the threshold


def test_generated_rows_pass_the_service_validation():
    for i in range(400):
        spec = generated_spec(i, 7)
        values, errors = clean_supplier(supplier_values(spec, TODAY, None), TODAY)
        assert not errors, (spec, errors)
        for template in templates_for(spec):
            cvalues, cerrors = clean_connection(connection_values(spec, template, 7, TODAY), TODAY)
            assert not cerrors, (spec.code, template.name, cerrors)


def test_generation_is_deterministic_and_varied():
    first = [generated_spec(i, 1) for i in range(200)]
    assert first == [generated_spec(i, 1) for i in range(200)]
    assert first != [generated_spec(i, 2) for i in range(200)]
    assert len({s.country for s in first}) >= 10
    assert len({s.category for s in first}) == len(data.GENERATED_CATEGORIES)
    assert len({s.code for s in first}) == 200


def test_curated_tables_are_consistent():
    codes = {s.code for s in CURATED}
    assert len(codes) == len(CURATED)
    for spec in CURATED:
        assert spec.connections <= len(data.PROFILES[spec.profile])
        assert spec.owner in data.OWNERS
        clean, errors = clean_supplier(supplier_values(spec, TODAY, None), TODAY)
        assert not errors, (spec.code, errors)
        for template in templates_for(spec):
            _, cerrors = clean_connection(connection_values(spec, template, 1, TODAY), TODAY)
            assert not cerrors, (spec.code, template.name, cerrors)
    for code, name in data.OVERRIDES:
        spec = next(s for s in CURATED if s.code == code)
        assert name in {t.name for t in templates_for(spec)}, (code, name)
    for code, subs in data.SUB_SUPPLIERS.items():
        assert code in codes and set(subs) <= codes and code not in subs
    assert {c[3] for c in data.CONTACT_USERS} <= codes - data.ARCHIVED
