"""Admin views: user management and the audit trail browser (admins only)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.admin import bp
from app.admin.forms import (
    NO_SUPPLIER,
    AuditFilterForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)
from app.extensions import db
from app.main.actions import attempt
from app.main.helpers import page_number
from app.models import User
from app.models.base import utcnow
from app.security import current_actor, roles_allowed
from app.services import ServiceError, audit_search
from app.services import users as users_service
from app.services.audit import ChainWatch

_WATCHES: dict[str, ChainWatch] = {}


def _chain_watch() -> ChainWatch:
    """This process's watch over this database's chain (new events checked on every view)."""
    key = db.engine.url.render_as_string(hide_password=True)
    if key not in _WATCHES:
        _WATCHES[key] = ChainWatch(current_app.config["CHAINLIGHT_AUDIT_FULL_VERIFY_SECONDS"])
    return _WATCHES[key]


USERS_PER_PAGE = 25


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id) if user_id <= users_service.MAX_ID else None
    if user is None:
        abort(404)
    return user


def _supplier_choices(form: FlaskForm, keep_id: int | None = None) -> None:
    form.supplier_id.choices = [
        NO_SUPPLIER,
        *(SelectChoice(i, text) for i, text in users_service.supplier_choices(db.session, keep_id)),
    ]


def _refused(form: FlaskForm, exc: ServiceError) -> None:
    """Undo the attempt and show the service's reasons next to the fields they concern."""
    db.session.rollback()
    for name, message in exc.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)
    if not exc.errors:
        form.form_errors.append(exc.message)


# --- users -----------------------------------------------------------------------------


@bp.route("/users")
@roles_allowed("admin")
def users():
    """Every account, filtered by role, status and a search on e-mail or name."""
    filters = users_service.UserFilters.from_args(request.args)
    page = db.paginate(
        users_service.list_query(filters),
        page=page_number(),
        per_page=USERS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/users.html",
        page=page,
        filters=filters,
        statuses=users_service.USER_STATUSES,
        now=utcnow(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_allowed("admin")
def create_user():
    form = UserCreateForm()
    _supplier_choices(form)
    if form.validate_on_submit():
        try:
            user = users_service.create_user(
                db.session,
                current_actor(),
                email=form.email.data,
                name=form.name.data or "",
                role=form.role.data,
                supplier_id=form.supplier_id.data,
                password=form.password.data,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"Created {user.email}. Give them their password through a safe channel.")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _render_edit(user: User, edit_form=None, password_form=None):
    if edit_form is None:
        edit_form = UserEditForm(formdata=None, obj=user)
        _supplier_choices(edit_form, user.supplier_id)
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=edit_form,
        password_form=password_form or PasswordResetForm(formdata=None),
        is_self=user.id == current_actor().user_id,
        locked=user.is_locked(),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_allowed("admin")
def edit_user(user_id: int):
    """Change name, role, supplier binding and active flag; reset, unlock, deactivate."""
    user = _get_user(user_id)
    if request.method == "GET":
        return _render_edit(user)
    form = UserEditForm(obj=user)
    _supplier_choices(form, user.supplier_id)
    if form.validate_on_submit():
        try:
            users_service.update_user(
                db.session,
                current_actor(),
                user,
                name=form.name.data or "",
                role=form.role.data,
                supplier_id=form.supplier_id.data,
                active=form.active.data,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _render_edit(user, edit_form=form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_allowed("admin")
def reset_password(user_id: int):
    """Set a new password for the user; their sessions end and any lockout lifts."""
    user = _get_user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            users_service.set_password(db.session, current_actor(), user, form.password.data)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"New password set for {user.email}; their sessions have ended.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _render_edit(user, password_form=form)


def _account_action(user_id: int, action, done: str) -> Response:
    user = _get_user(user_id)
    attempt(
        lambda: action(db.session, current_actor(), user),
        done.format(email=user.email),
        refused_category="warning",
    )
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_allowed("admin")
def unlock_user(user_id: int):
    return _account_action(user_id, users_service.unlock, "Unlocked {email}.")


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_allowed("admin")
def deactivate_user(user_id: int):
    return _account_action(
        user_id,
        lambda s, a, u: users_service.set_active(s, a, u, False),
        "Deactivated {email}; their sessions have ended.",
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_allowed("admin")
def reactivate_user(user_id: int):
    return _account_action(
        user_id,
        lambda s, a, u: users_service.set_active(s, a, u, True),
        "Reactivated {email}.",
    )


# --- audit trail -------------------------------------------------------------------------


def _audit_filters() -> tuple[AuditFilterForm, audit_search.AuditFilters]:
    """The filter form bound to the query string; fields with errors are not applied."""
    actions, types = audit_search.known_values(db.session)
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "Any action"), *(SelectChoice(a) for a in actions)]
    form.entity_type.choices = [SelectChoice("", "Any type"), *(SelectChoice(t) for t in types)]
    form.validate()

    def ok(field):
        return None if field.errors else field.data

    return form, audit_search.AuditFilters(
        actor=ok(form.actor) or "",
        action=ok(form.action) or "",
        entity_type=ok(form.entity_type) or "",
        entity_id=ok(form.entity_id) or "",
        event_id=ok(form.event),
        date_from=ok(form.date_from),
        date_to=ok(form.date_to),
    )


@bp.route("/audit")
@roles_allowed("admin")
def audit():
    """The audit trail, newest first, with the hash chain's status on top."""
    form, filters = _audit_filters()
    page = db.paginate(
        audit_search.list_query(filters),
        page=page_number(),
        per_page=audit_search.PER_PAGE,
        error_out=False,
    )
    chain = _chain_watch().status(db.session)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        chain=chain,
        filtered=any(v for k, v in args.items() if k in form),
        csv_url=url_for("admin.audit_csv", **args),
        entity_href=_entity_href,
        diff_rows=audit_search.diff_rows,
        show_value=audit_search.show_value,
    )


def _entity_href(entity_type: str, entity_id: str) -> str | None:
    page = audit_search.entity_page(entity_type, entity_id)
    return url_for(page[0], **page[1]) if page else None


@bp.route("/audit.csv")
@roles_allowed("admin")
def audit_csv():
    """The filtered events as CSV (cells that could run as formulas are quoted)."""
    _, filters = _audit_filters()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(audit_search.csv_lines(db.session, filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="chainlight-audit-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
