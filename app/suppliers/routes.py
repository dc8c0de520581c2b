"""Supplier inventory views: list, profile, create, edit, archive/restore, sub-suppliers."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from app.extensions import db
from app.main.actions import attempt
from app.main.helpers import page_number, url_with
from app.models import Supplier
from app.security import (
    ALL_ROLES,
    EDITORS,
    STAFF,
    check_supplier_access,
    current_actor,
    roles_allowed,
)
from app.services import ServiceError, risk_views
from app.services import certifications as certification_service
from app.services import suppliers as service
from app.services.validation import country_name
from app.suppliers import bp
from app.suppliers.forms import SupplierForm


@bp.context_processor
def _helpers():
    return {"country_name": country_name, "link_for": link_for}


def link_for(endpoint: str, **values) -> str | None:
    """A URL for another blueprint's endpoint, or None while it does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _supplier_or_404(supplier_id: int) -> Supplier:
    check_supplier_access(supplier_id)
    supplier = service.get_supplier(db.session, supplier_id)
    if supplier is None:
        abort(404)
    return supplier


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """The inventory: search, filters, sortable columns, 25 a page."""
    filters = service.SupplierFilters.from_args(request.args)
    page = db.paginate(
        service.list_query(filters),
        page=page_number(),
        per_page=service.PER_PAGE,
        error_out=False,
    )
    if not page.items and page.total and page.page > 1:
        return redirect(url_with(page=page.pages))
    return render_template(
        "suppliers/index.html",
        page=page,
        filters=filters,
        counts=service.live_connection_counts(db.session, [s.id for s in page.items]),
        risk=service.current_risk(db.session, [s.id for s in page.items]),
        owners=service.owner_options(db.session, include_id=filters.owner_id),
        countries=service.countries_in_use(db.session),
    )


@bp.route("/<int:supplier_id>")
@roles_allowed(*ALL_ROLES)
def detail(supplier_id: int):
    """One supplier's profile; a supplier contact sees only its own (404 for any other)."""
    supplier = _supplier_or_404(supplier_id)
    internal = current_user.role != "supplier"
    profile = service.supplier_profile(db.session, supplier, events=10 if internal else 0)
    return render_template(
        "suppliers/detail.html",
        supplier=supplier,
        profile=profile,
        certs=certification_service.card(db.session, supplier.id),
        risk=risk_views.card(db.session, supplier.id) if internal else None,
        internal=internal,
        can_edit=current_user.role in EDITORS,
    )


def _save(form: SupplierForm, supplier: Supplier | None):
    """Run the create or update service; on refusal put its messages on the form."""
    try:
        if supplier is None:
            supplier = service.create_supplier(db.session, current_actor(), form.service_data())
        else:
            service.update_supplier(db.session, current_actor(), supplier, form.service_data())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        form.show_errors(exc)
        return None
    except IntegrityError:
        # Another request took the same code between our check and the insert.
        db.session.rollback()
        form.show_errors(ServiceError("The supplier was not saved.", {"code": "Already used."}))
        return None
    return supplier


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def create():
    """Add a supplier."""
    form = SupplierForm(owners=service.owner_options(db.session))
    if request.method == "GET":
        form.owner.data = str(current_user.id)
    if form.validate_on_submit() and (supplier := _save(form, None)):
        flash(f"Supplier {supplier.code} {supplier.legal_name} was added.", "success")
        return redirect(url_for(".detail", supplier_id=supplier.id))
    return render_template("suppliers/form.html", form=form, supplier=None)


@bp.route("/<int:supplier_id>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def edit(supplier_id: int):
    """Change a supplier's fields."""
    supplier = _supplier_or_404(supplier_id)
    owners = service.owner_options(db.session, include_id=supplier.owner_id)
    form = SupplierForm.for_supplier(supplier, owners)
    if form.validate_on_submit() and _save(form, supplier):
        flash(f"Supplier {supplier.code} was saved.", "success")
        return redirect(url_for(".detail", supplier_id=supplier.id))
    return render_template("suppliers/form.html", form=form, supplier=supplier)


def _change_archived(supplier_id: int, change, done: str):
    supplier = _supplier_or_404(supplier_id)
    attempt(lambda: change(db.session, current_actor(), supplier), done.format(code=supplier.code))
    return redirect(url_for(".detail", supplier_id=supplier_id))


@bp.route("/<int:supplier_id>/archive", methods=["POST"])
@roles_allowed(*EDITORS)
def archive(supplier_id: int):
    """Take a supplier out of the inventory (restorable)."""
    return _change_archived(supplier_id, service.archive_supplier, "Supplier {code} was archived.")


@bp.route("/<int:supplier_id>/restore", methods=["POST"])
@roles_allowed(*EDITORS)
def restore(supplier_id: int):
    """Bring an archived supplier back."""
    return _change_archived(supplier_id, service.restore_supplier, "Supplier {code} was restored.")


@bp.route("/<int:supplier_id>/sub-suppliers", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def sub_suppliers(supplier_id: int):
    """Choose the supplier's 4th parties among the other live suppliers."""
    supplier = _supplier_or_404(supplier_id)
    q = request.args.get("q", "")[:100]
    error = None
    selected = {s.id for s in supplier.sub_suppliers}
    if request.method == "POST":
        posted = request.form.getlist("sub_suppliers")
        try:
            service.set_sub_suppliers(db.session, current_actor(), supplier, posted)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            detail = exc.errors.get("sub_suppliers")
            error = f"{exc.message} {detail}" if detail else exc.message
            selected = {int(i) for i in posted if i.isascii() and i.isdigit()}
        else:
            flash(f"Sub-suppliers of {supplier.code} were saved.", "success")
            return redirect(url_for(".detail", supplier_id=supplier.id))
    candidates, total = service.sub_supplier_candidates(db.session, supplier, q)
    linked = {s.id for s in supplier.sub_suppliers}
    return render_template(
        "suppliers/sub_suppliers.html",
        supplier=supplier,
        current=supplier.sub_suppliers,
        candidates=[s for s in candidates if s.id not in linked],
        total=total,
        shown=len(candidates),
        selected=selected,
        q=q,
        error=error,
    )
