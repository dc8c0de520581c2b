"""Home-page counts: live suppliers by criticality, live connections by kind, attention flags."""

import datetime as dt

from app.extensions import db
from app.models.base import utcnow
from app.services import connections as svc
from app.services.inventory_stats import overview
from risk_models.attention import FLAGS
from tests.factories import make_connection, make_supplier

TODAY = dt.date(2026, 11, 25)


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_empty_inventory_counts_zero(app):
    with app.app_context():
        result = overview(db.session, TODAY)
    assert result.suppliers == 0 and result.connections == 0
    assert result.by_criticality == {} and result.by_kind == {}
    assert result.attention == dict.fromkeys(FLAGS, 0)


def test_counts_leave_out_archived_and_retired(app):
    with app.app_context():
        crit = make_supplier(db.session, criticality="critical")
        make_supplier(db.session, criticality="critical")
        low = make_supplier(db.session, criticality="low")
        gone = make_supplier(db.session, criticality="critical", archived_at=utcnow())
        fresh = {"last_reviewed_on": TODAY}
        make_connection(db.session, crit, kind="sftp", **fresh)
        make_connection(db.session, crit, kind="sftp", encryption="none", **fresh)
        make_connection(db.session, low, kind="email", credential_expires_on=day(10), **fresh)
        make_connection(db.session, low, kind="email", status="retired", encryption="none")
        make_connection(db.session, low, kind="email", archived_at=utcnow(), encryption="none")
        make_connection(db.session, gone, kind="vpn_site_to_site", encryption="none")
        result = overview(db.session, TODAY)
    assert result.suppliers == 3
    assert result.by_criticality == {"critical": 2, "low": 1}
    assert result.connections == 3
    assert result.by_kind == {"sftp": 2, "email": 1}
    assert result.attention == {
        "credential_expired": 0,
        "credential_expiring": 1,
        "no_encryption": 1,
        "direct_core": 0,
        "not_reviewed": 0,
    }


def test_attention_counts_agree_with_flags_and_list_filter(app):
    with app.app_context():
        s = make_supplier(db.session)
        variants = [
            {"credential_expires_on": day(-1)},
            {"credential_expires_on": day(30)},
            {"credential_expires_on": day(31)},
            {"credential_expires_on": TODAY, "encryption": "none"},
            {"integration_layer": "direct_core", "last_reviewed_on": None},
            {"last_reviewed_on": day(-366)},
            {"last_reviewed_on": day(-365)},
            {"status": "retired", "last_reviewed_on": None},
            {"status": "suspended", "encryption": "none"},
        ]
        connections = [
            make_connection(db.session, s, **{"last_reviewed_on": day(-30), **kw})
            for kw in variants
        ]
        result = overview(db.session, TODAY)
        for key in FLAGS:
            by_flags = sum(key in svc.flags_for(c, TODAY) for c in connections)
            listed = db.session.scalars(svc.list_query(svc.ConnectionFilters(flag=key), TODAY))
            assert result.attention[key] == by_flags == len(listed.unique().all()), key
    assert result.attention == {
        "credential_expired": 1,
        "credential_expiring": 2,
        "no_encryption": 2,
        "direct_core": 1,
        "not_reviewed": 2,
    }


def test_needing_attention_counts_each_connection_once(app):
    with app.app_context():
        s = make_supplier(db.session)
        fresh = {"last_reviewed_on": TODAY}
        make_connection(db.session, s, encryption="none", integration_layer="direct_core", **fresh)
        make_connection(db.session, s, credential_expires_on=day(5), **fresh)
        make_connection(db.session, s, **fresh)
        result = overview(db.session, TODAY)
        listed = db.session.scalars(svc.list_query(svc.ConnectionFilters(flag="any"), TODAY)).all()
    assert sum(result.attention.values()) == 3
    assert result.needing_attention == 2
    assert len(listed) == 2
