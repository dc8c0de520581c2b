"""Error pages (HTML) and JSON errors for /api/ paths: never a bare traceback."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "Your role does not allow this page.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "The file is larger than the upload limit.",
    500: "Something went wrong on our side; the error was logged.",
}


def _respond(code: int, message: str):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _respond(
            400, "The form expired or was sent from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        custom = exc.description and exc.description != type(exc).description
        return _respond(code, exc.description if custom else MESSAGES.get(code, "Error"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return _respond(500, MESSAGES[500])
