"""Connection inventory views: list (all or one supplier), detail, create, edit, archive, review."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.connections import bp
from app.connections.forms import ConnectionForm, choices
from app.extensions import db
from app.main.actions import attempt
from app.main.helpers import page_number
from app.models import Connection, Supplier
from app.security import (
    ALL_ROLES,
    EDITORS,
    STAFF,
    check_supplier_access,
    current_actor,
    roles_allowed,
)
from app.services import ServiceError
from app.services import connections as service
from app.services.validation import country_name


def _connection_or_404(connection_id: int) -> Connection:
    connection = db.get_or_404(Connection, connection_id)
    check_supplier_access(connection.supplier_id)
    return connection


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """Every connection across suppliers (or one supplier's, with ?supplier_id=), filtered."""
    today = dt.date.today()
    filters = service.ConnectionFilters.from_args(request.args)
    supplier = None
    if filters.supplier_id:
        supplier = db.get_or_404(Supplier, filters.supplier_id)
    page = db.paginate(
        service.list_query(filters, today),
        page=page_number(),
        per_page=service.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "connections/index.html",
        page=page,
        filters=filters,
        supplier=supplier,
        flags={c.id: service.flags_for(c, today) for c in page.items},
        owners=service.owner_choices(db.session, keep_id=filters.owner_id),
        countries=[(code, country_name(code)) for code in service.filter_countries(db.session)],
        filtered=any(
            request.args.get(key)
            for key in request.args
            if key not in ("sort", "page", "supplier_id")
        ),
    )


@bp.route("/<int:connection_id>")
@roles_allowed(*ALL_ROLES)
def detail(connection_id: int):
    """All facts of one connection, its flags explained, and its recent audit history."""
    connection = _connection_or_404(connection_id)
    staff = current_user.role in STAFF
    return render_template(
        "connections/detail.html",
        connection=connection,
        flags=service.explain_flags(connection),
        history=service.history(db.session, connection.id) if staff else [],
        can_edit=current_user.role in EDITORS and connection.archived_at is None,
        staff=staff,
    )


def _form_choices(form: ConnectionForm, connection: Connection | None = None) -> None:
    keep = connection.supplier if connection is not None else None
    form.supplier_id.choices = choices(
        service.supplier_choices(db.session, keep=keep), "Choose a supplier…"
    )
    owner_id = connection.owner_id if connection is not None else None
    form.owner_id.choices = choices(
        service.owner_choices(db.session, keep_id=owner_id), "No owner yet"
    )


def _render_form(form: ConnectionForm, connection: Connection | None, status: int = 200):
    return (
        render_template("connections/form.html", form=form, connection=connection),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def create():
    """Add a connection; ?supplier_id= preselects the supplier."""
    form = ConnectionForm()
    _form_choices(form)
    if request.method == "GET":
        form.supplier_id.data = request.args.get("supplier_id", "")
        form.owner_id.data = str(current_user.id)
        return _render_form(form, None)
    try:
        connection = service.create_connection(db.session, current_actor(), form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.add_service_errors(exc.errors)
        return _render_form(form, None)
    db.session.commit()
    flash(f"Connection “{connection.name}” added.", "success")
    return redirect(url_for("connections.detail", connection_id=connection.id))


@bp.route("/<int:connection_id>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def edit(connection_id: int):
    """Change a connection's facts (audited with what changed)."""
    connection = _connection_or_404(connection_id)
    if connection.archived_at is not None:
        flash("This connection is archived and can no longer be changed.", "warning")
        return redirect(url_for("connections.detail", connection_id=connection.id))
    form = ConnectionForm() if request.method == "POST" else ConnectionForm(obj=connection)
    _form_choices(form, connection)
    if request.method == "GET":
        return _render_form(form, connection)
    try:
        service.update_connection(db.session, current_actor(), connection, form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.add_service_errors(exc.errors)
        return _render_form(form, connection)
    db.session.commit()
    flash(f"Connection “{connection.name}” saved.", "success")
    return redirect(url_for("connections.detail", connection_id=connection.id))


@bp.route("/<int:connection_id>/archive", methods=["POST"])
@roles_allowed(*EDITORS)
def archive(connection_id: int):
    """Take a connection out of the inventory (kept, with its history)."""
    connection = _connection_or_404(connection_id)
    if attempt(
        lambda: service.archive_connection(db.session, current_actor(), connection),
        f"Connection “{connection.name}” archived.",
    ):
        return redirect(url_for("connections.index", supplier_id=connection.supplier_id))
    return redirect(url_for("connections.detail", connection_id=connection_id))


@bp.route("/<int:connection_id>/review", methods=["POST"])
@roles_allowed(*EDITORS)
def review(connection_id: int):
    """Record that the connection was reviewed today."""
    connection = _connection_or_404(connection_id)
    attempt(
        lambda: service.mark_reviewed(db.session, current_actor(), connection),
        f"Connection “{connection.name}” marked as reviewed today.",
    )
    return redirect(url_for("connections.detail", connection_id=connection_id))


@bp.context_processor
def _helpers() -> dict:
    def supplier_url(supplier_id: int) -> str:
        """A supplier's page."""
        return url_for("suppliers.detail", supplier_id=supplier_id)

    return {"supplier_url": supplier_url}
