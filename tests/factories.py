"""Builders for test data: plain functions that add rows and flush (no audit events)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from types import SimpleNamespace

from flask_security.utils import hash_password
from sqlalchemy import func, select

from app.models import (
    Assessment,
    Connection,
    QuestionnaireTemplate,
    Supplier,
    TemplateVersion,
    User,
)
from app.models.base import utcnow
from app.models.text import normalise, search_key
from app.services.users import ensure_roles
from questionnaires.schema import content_hash, dump_template, load_template

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_supplier(session, **overrides) -> Supplier:
    n = next(_seq)
    values = {
        "code": f"V{n:05d}",
        "legal_name": f"Supplier {n} GmbH",
        "country": "DE",
        "category": "component",
        "criticality": "medium",
        "single_source": False,
        "status": "active",
    }
    values.update(overrides)
    values["legal_name"] = normalise(values["legal_name"])
    supplier = Supplier(search_key=search_key(values["legal_name"]), **values)
    session.add(supplier)
    session.flush()
    return supplier


def make_connection(session, supplier: Supplier, **overrides) -> Connection:
    n = next(_seq)
    data_classes = overrides.pop("data_classes", ["orders"])
    values = {
        "name": f"Link {n}",
        "kind": "rest_api",
        "direction": "inbound",
        "internal_system": "erp",
        "authentication": "oauth2_client_credentials",
        "encryption": "tls13",
        "integration_layer": "api_gateway",
        "access_level": "read",
        "status": "active",
        "last_reviewed_on": dt.date.today() - dt.timedelta(days=30),
    }
    values.update(overrides)
    connection = Connection(supplier=supplier, **values)
    connection.data_classes = data_classes
    session.add(connection)
    session.flush()
    return connection


def make_user(
    session,
    role: str,
    email: str | None = None,
    supplier: Supplier | None = None,
    password: str = PASSWORD,
    **overrides,
) -> User:
    roles = ensure_roles(session)
    user = User(
        email=email or f"{role}{next(_seq)}@example.com",
        name=overrides.pop("name", role.title()),
        password=hash_password(password),
        active=overrides.pop("active", True),
        fs_uniquifier=uuid.uuid4().hex,
        supplier_id=supplier.id if supplier else None,
        roles=[roles[role]],
        **overrides,
    )
    session.add(user)
    session.flush()
    return user


def ref(obj) -> SimpleNamespace:
    """A plain copy of a row's columns, usable after its session is gone."""
    values = {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}
    if isinstance(obj, User):
        values["role"] = obj.role
    return SimpleNamespace(**values)


def standard_users(session) -> dict[str, SimpleNamespace]:
    """admin, analyst, executive, supplier (bound to supplier_a), other_supplier (supplier_b)."""
    supplier_a = make_supplier(session, code="SUP-A", legal_name="Alpha Components GmbH")
    supplier_b = make_supplier(session, code="SUP-B", legal_name="Beta Logistics Ltd")
    result = {
        "admin": make_user(session, "admin", "admin@example.com"),
        "analyst": make_user(session, "analyst", "analyst@example.com"),
        "executive": make_user(session, "executive", "exec@example.com"),
        "supplier": make_user(session, "supplier", "contact@alpha.example", supplier_a),
        "other_supplier": make_user(session, "supplier", "contact@beta.example", supplier_b),
        "supplier_a": supplier_a,
        "supplier_b": supplier_b,
    }
    session.commit()
    return {key: ref(obj) for key, obj in result.items()}


# A small template: one condition, one evidence rule, two sections.
MINI_TEMPLATE = {
    "key": "mini",
    "name": "Mini check",
    "scope": "supplier",
    "sections": [
        {
            "key": "gov",
            "title": "Governance",
            "questions": [
                {
                    "key": "policy",
                    "text": "Do you have a supply-chain security policy?",
                    "type": "ynp",
                    "controls": ["GV.SC-01"],
                    "evidence": "when_yes",
                },
                {
                    "key": "owner",
                    "text": "Who owns it?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "in": ["yes", "partial"]},
                },
            ],
        },
        {
            "key": "ops",
            "title": "Operations",
            "questions": [
                {
                    "key": "mfa",
                    "text": "Is MFA enforced for remote access?",
                    "type": "ynp",
                    "controls": ["SR-6"],
                },
            ],
        },
    ],
}


def make_template_version(session, document=None, status="published", **overrides):
    """A TemplateVersion (and its template, found or made by the document's key) from a document."""
    doc = dump_template(load_template(document or MINI_TEMPLATE))
    template = session.scalar(
        select(QuestionnaireTemplate).where(QuestionnaireTemplate.key == doc["key"])
    )
    if template is None:
        template = QuestionnaireTemplate(
            key=doc["key"], name=doc["name"], scope=doc.get("scope", "supplier")
        )
        session.add(template)
        session.flush()
    number = (
        session.scalar(
            select(func.max(TemplateVersion.number)).where(
                TemplateVersion.template_id == template.id
            )
        )
        or 0
    ) + 1
    version = TemplateVersion(
        template=template,
        number=number,
        status=status,
        definition=doc,
        content_hash=content_hash(doc),
        question_count=sum(len(s["questions"]) for s in doc["sections"]),
        published_at=utcnow() if status == "published" else None,
        **overrides,
    )
    session.add(version)
    session.flush()
    return version


def make_assessment(session, supplier: Supplier, version=None, **overrides) -> Assessment:
    """An assessment of `supplier` (status "sent", due in 30 days unless overridden)."""
    values = {
        "status": "sent",
        "due_on": dt.date.today() + dt.timedelta(days=30),
        "message": "",
    }
    values.update(overrides)
    assessment = Assessment(
        supplier=supplier,
        template_version=version or make_template_version(session),
        **values,
    )
    session.add(assessment)
    session.flush()
    return assessment
