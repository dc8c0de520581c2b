"""Portal views: a supplier contact's read-only view of its own company."""

from flask import abort, render_template
from flask_login import current_user

from app.extensions import db
from app.portal import bp
from app.security import check_supplier_access, roles_allowed
from app.services import certifications as certification_service
from app.services import suppliers as service
from app.services.validation import country_name


@bp.context_processor
def _helpers():
    return {"country_name": country_name, "link_for": lambda endpoint, **values: None}


@bp.route("/")
@roles_allowed("supplier")
def home():
    """'My company': the contact's supplier profile and its connections, read-only."""
    supplier_id = current_user.supplier_id
    if supplier_id is None:
        abort(404)
    check_supplier_access(supplier_id)
    supplier = service.get_supplier(db.session, supplier_id)
    if supplier is None:
        abort(404)
    profile = service.supplier_profile(db.session, supplier, events=0)
    return render_template(
        "portal/home.html",
        supplier=supplier,
        profile=profile,
        certs=certification_service.card(db.session, supplier.id),
    )
