"""List pages issue the same number of SQL statements whatever the inventory's size."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from tests.factories import make_connection, make_supplier

PAGES = [
    "/",
    "/suppliers/",
    "/suppliers/?sort=-criticality&q=supplier",
    "/connections/",
    "/connections/?flag=any&sort=-expires",
    "/admin/audit",
    "/admin/users",
]


@contextmanager
def counting(app):
    with app.app_context():
        engine = db.engine
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _grow(app, suppliers: int, connections_each: int) -> None:
    with app.app_context():
        for _ in range(suppliers):
            s = make_supplier(db.session)
            for _ in range(connections_each):
                make_connection(db.session, s, encryption="none")
        db.session.commit()


def _counts(app, client) -> dict[str, int]:
    result = {}
    for path in PAGES:
        client.get(path)  # warm caches (roles, metadata) so only the page's own queries count
        with counting(app) as counter:
            assert client.get(path).status_code == 200, path
        result[path] = counter["n"]
    return result


def test_query_count_does_not_grow_with_the_inventory(app, client, login_as):
    login_as("admin")
    _grow(app, 3, 2)
    small = _counts(app, client)
    _grow(app, 40, 3)
    large = _counts(app, client)
    assert large == small


# --- the risk pages at 10 and at 500 suppliers ---------------------------------------------

RISK_PAGES = [("analyst", "/"), ("analyst", "/portfolio"), ("executive", "/")]


def _bulk_portfolio(app, suppliers: int) -> int:
    """`suppliers` more scored suppliers, each with two connections and an approved, accepted
    assessment (Core inserts: 500 through the factories would take minutes); returns the
    first new supplier's id."""
    import datetime as dt
    import random

    from sqlalchemy import func, insert, select

    from app.models import Answer, Assessment, Connection, ConnectionDataClass, Supplier
    from app.models.text import search_key
    from app.services.demo_assessments import plan_answers
    from app.services.risk import recompute
    from app.services.templates import template_of
    from tests.factories import make_template_version

    rng = random.Random(suppliers)
    today = dt.date.today()
    with app.app_context():
        session = db.session
        version = make_template_version(session)
        answers = [
            p
            for p in plan_answers(template_of(version), rng, quality=0.6, today=today)
            if p.value is not None
        ]
        start = (session.scalar(select(func.max(Supplier.id))) or 0) + 1
        rows = [
            {
                "code": f"Q{start + i:06d}",
                "legal_name": f"Bulk {start + i}",
                "search_key": search_key(f"Bulk {start + i}"),
                "country": rng.choice(["DE", "VN", "CN", "US"]),
                "category": rng.choice(["component", "logistics", "software"]),
                "criticality": rng.choice(["low", "medium", "high", "critical"]),
                "single_source": rng.random() < 0.3,
                "status": "active",
            }
            for i in range(suppliers)
        ]
        ids = session.scalars(
            insert(Supplier).returning(Supplier.id, sort_by_parameter_order=True), rows
        ).all()
        conns = [
            {
                "supplier_id": sid,
                "name": f"Link {sid}-{k}",
                "kind": rng.choice(["rest_api", "sftp", "vendor_remote_access"]),
                "direction": "inbound",
                "internal_system": rng.choice(["erp", "wms", "mes"]),
                "authentication": rng.choice(["password", "mtls", "oauth2_client_credentials"]),
                "encryption": rng.choice(["tls13", "none"]),
                "integration_layer": "api_gateway",
                "access_level": rng.choice(["read", "write", "admin"]),
                "status": "active",
                "credential_expires_on": today + dt.timedelta(days=rng.randint(-20, 90)),
            }
            for sid in ids
            for k in range(2)
        ]
        conn_ids = session.scalars(
            insert(Connection).returning(Connection.id, sort_by_parameter_order=True), conns
        ).all()
        session.execute(
            insert(ConnectionDataClass),
            [
                {"connection_id": c, "data_class": rng.choice(["orders", "pii", "credentials"])}
                for c in conn_ids
            ],
        )
        assessment_ids = session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
            [
                {
                    "supplier_id": sid,
                    "template_version_id": version.id,
                    "status": "approved",
                    "due_on": today - dt.timedelta(days=rng.randint(0, 400)),
                    "approved_at": dt.datetime(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
                }
                for sid in ids
            ],
        ).all()
        session.execute(
            insert(Answer),
            [
                {"assessment_id": a, "question_key": p.key, "value": p.value, "verdict": "accepted"}
                for a in assessment_ids
                for p in answers
            ],
        )
        recompute(session)
        session.commit()
        return ids[0]


def _risk_counts(app, client, login_as, supplier_id: int) -> dict[str, int]:
    result = {}
    for role, path in [*RISK_PAGES, ("analyst", f"/suppliers/{supplier_id}/risk")]:
        login_as(role)
        client.get(path)  # warm caches (roles, metadata) so only the page's own queries count
        with counting(app) as counter:
            assert client.get(path).status_code == 200, (role, path)
        result[f"{role} {path.replace(str(supplier_id), '<id>')}"] = counter["n"]
    return result


def test_risk_pages_issue_as_many_queries_at_500_suppliers_as_at_10(app, client, login_as):
    first = _bulk_portfolio(app, 10)
    small = _risk_counts(app, client, login_as, first)
    _bulk_portfolio(app, 490)
    large = _risk_counts(app, client, login_as, first)
    assert large == small
