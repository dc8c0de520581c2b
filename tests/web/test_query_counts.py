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
