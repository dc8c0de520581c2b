"""The test suite's N+1 detector (tests/nplusone.py): it fails a lazy load per object of a
list, and lets eager loading, a single lazy load and allow-listed cases through."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Supplier
from tests.factories import make_connection, make_supplier
from tests.nplusone import NPlusOneError, allow_nplusone, detecting


@pytest.fixture
def three_suppliers(app):
    with app.app_context():
        for _ in range(3):
            make_connection(db.session, make_supplier(db.session))
        db.session.commit()


def _suppliers(*options):
    stmt = select(Supplier).options(*options).order_by(Supplier.id)
    return db.session.scalars(stmt).unique().all()


def test_a_lazy_load_per_object_of_a_list_fails_naming_the_relationship(app, three_suppliers):
    with app.test_request_context(), detecting() as found:
        suppliers = _suppliers()
        assert len(suppliers[0].connections) == 1  # one lazy load is not N+1
        with pytest.raises(NPlusOneError) as caught:
            for s in suppliers[1:]:
                _ = s.connections
    message = str(caught.value)
    assert "Supplier.connections" in message
    assert "3 Supplier objects" in message
    assert "selectinload(Supplier.connections)" in message
    assert "tests/services/test_nplusone_detector.py" in message  # where it happened
    assert found == [message]


@pytest.mark.parametrize("loader", [selectinload, joinedload])
def test_eager_loading_passes(app, three_suppliers, loader):
    with app.test_request_context(), detecting() as found:
        suppliers = _suppliers(loader(Supplier.connections))
        assert [len(s.connections) for s in suppliers] == [1, 1, 1]
    assert found == []


def test_objects_loaded_one_by_one_are_not_a_group(app, three_suppliers):
    with app.app_context():
        ids = db.session.scalars(select(Supplier.id)).all()
    with app.test_request_context(), detecting() as found:
        for sid in ids:
            _ = db.session.get(Supplier, sid).connections
    assert found == []


def test_an_allow_listed_relationship_passes_and_others_still_fail(app, three_suppliers):
    with app.test_request_context(), detecting() as found:
        with allow_nplusone("Supplier.connections", reason="test of the allow-list"):
            for s in _suppliers():
                _ = s.connections
        with allow_nplusone("Supplier.owner", reason="another relationship"):
            with pytest.raises(NPlusOneError):
                for s in _suppliers(selectinload(Supplier.owner)):
                    db.session.expire(s, ["connections"])
                    _ = s.connections
    assert len(found) == 1
    with pytest.raises(ValueError):
        with allow_nplusone(reason=" "):
            pass


def test_only_requests_are_checked_unless_asked(app, three_suppliers):
    with app.app_context(), detecting() as found:
        for s in _suppliers():
            _ = s.connections  # test setup code outside a request: not checked
    assert found == []
    with app.app_context(), detecting(only_in_request=False) as found:
        with pytest.raises(NPlusOneError):
            for s in _suppliers():
                _ = s.connections


def test_a_request_with_an_n_plus_1_fails_through_the_test_client(app, backend, three_suppliers):
    """Inside a real request the problem is recorded even where the app turns the
    exception into an error page, so the guard fixture can fail the test afterwards."""
    from app import create_app
    from tests.conftest import base_config

    other = create_app(base_config(backend[1]))

    @other.route("/n-plus-1")
    def n_plus_1():
        return str(sum(len(s.connections) for s in _suppliers()))

    @other.route("/eager")
    def eager():
        return str(sum(len(s.connections) for s in _suppliers(selectinload(Supplier.connections))))

    client = other.test_client()
    with detecting() as found:
        assert client.get("/eager").get_data(as_text=True) == "3"
    assert found == []
    with detecting() as found:
        try:
            client.get("/n-plus-1")
        except NPlusOneError:
            pass  # TESTING propagates it; either way it is recorded
    assert len(found) == 1 and "Supplier.connections" in found[0]
    with other.app_context():
        db.engine.dispose()
