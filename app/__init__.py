"""Chainlight web application: `create_app()` builds it as a list of named steps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.config import load_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `test_config` laid over it."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.update(test_config)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_errors(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_input_guard(app)
    register_cli(app)
    register_jobs(app)
    return app


def register_jobs(app: Flask) -> None:
    """Under `make run` (CHAINLIGHT_JOBS_IN_PROCESS) the job runner ticks in this process,
    started by the first request so that CLI commands never start it."""
    if not app.config.get("CHAINLIGHT_JOBS_IN_PROCESS"):
        return
    from flask import request

    @app.before_request
    def _start_jobs():
        if request.endpoint != "static" and "chainlight_jobs" not in app.extensions:
            from app.jobs.runner import start_in_process

            app.extensions["chainlight_jobs"] = start_in_process(app)


def register_extensions(app: Flask) -> None:
    from flask_security import SQLAlchemyUserDatastore

    from app import models
    from app.extensions import csrf, db, mail, migrate, security
    from app.security import ChainlightLoginForm, connect_signals

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    datastore = SQLAlchemyUserDatastore(db, models.User, models.Role)
    security.init_app(app, datastore, login_form=ChainlightLoginForm)
    connect_signals(app)


def register_converters(app: Flask) -> None:
    """`<int:...>` in routes matches database ids only: a larger number is a plain 404."""
    from werkzeug.routing import IntegerConverter

    from app.services.validation import MAX_ID

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.assessments import bp as assessments_bp
    from app.catalog import bp as catalog_bp
    from app.connections import bp as connections_bp
    from app.imports import bp as imports_bp
    from app.main import bp as main_bp
    from app.mitigations import bp as mitigations_bp
    from app.portal import bp as portal_bp
    from app.questionnaires import bp as questionnaires_bp
    from app.reporting import bp as reporting_bp
    from app.suppliers import bp as suppliers_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(suppliers_bp, url_prefix="/suppliers")
    app.register_blueprint(connections_bp, url_prefix="/connections")
    app.register_blueprint(imports_bp, url_prefix="/import")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(assessments_bp, url_prefix="/assessments")
    app.register_blueprint(questionnaires_bp, url_prefix="/questionnaires")
    app.register_blueprint(catalog_bp, url_prefix="/catalog")
    app.register_blueprint(mitigations_bp, url_prefix="/findings")
    app.register_blueprint(reporting_bp, url_prefix="/reports")


def register_errors(app: Flask) -> None:
    from app.main.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app.main.helpers import register

    register(app)


def register_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if app.config["CHAINLIGHT_PRODUCTION"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def register_input_guard(app: Flask) -> None:
    """Refuse NUL characters in query or form values: no field accepts them and
    PostgreSQL cannot store them, so they only ever come from probes."""
    from flask import abort, request

    @app.before_request
    def _refuse_nul():
        for values in (request.args, request.form):
            for value in values.listvalues():
                if any("\x00" in item for item in value):
                    abort(400, description="The request contained a NUL character.")


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
