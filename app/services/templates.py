"""Questionnaire templates in the database: YAML import and export, versions, publishing.

A template (QuestionnaireTemplate, found by its key) has versions 1..n (TemplateVersion).
Every document passes through questionnaires.schema.load_template, checked against the
control catalog when one is loaded, so nothing invalid is ever stored. Versioning rule:
the latest version is changed in place only while it is a draft that no assessment uses;
otherwise a change becomes a new draft version, and an assessment keeps the version it was
sent with. Only published versions can be sent. The builder's edits live in
app/services/template_builder.py and end here, in `save_version`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import Assessment, Control, QuestionnaireTemplate, TemplateVersion
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services.audit import record
from app.services.validation import has_control_chars
from questionnaires.schema import (
    Condition,
    Template,
    TemplateError,
    content_hash,
    dump_template,
    load_template,
)

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "questionnaires" / "templates"
MAX_YAML_BYTES = 1_000_000
MAX_NODES = 50_000  # values in one document: stops alias bombs before they are expanded
KEY_MAX = 60  # QuestionnaireTemplate.key column
VERSION_STATUSES = {"draft": "Draft", "published": "Published"}


class TemplateInvalid(ServiceError):
    """A template document was refused. `problems` lists (path, message) as the engine gave
    them; `errors` maps each path (or a form field, when a caller mapped it) to its message."""

    def __init__(
        self,
        problems: Iterable[tuple[str, str]],
        message: str | None = None,
        errors: dict[str, str] | None = None,
    ):
        self.problems = list(problems)
        if errors is None:
            errors = {}
            for path, text in self.problems:
                errors[path] = f"{errors[path]}; {text}" if path in errors else text
        count = len(self.problems)
        super().__init__(
            message
            or f"The template was not saved: {count} {'problem' if count == 1 else 'problems'}.",
            errors,
        )


@dataclass(frozen=True)
class SaveResult:
    """What a save did: `outcome` is created | new_version | updated | unchanged."""

    template: QuestionnaireTemplate
    version: TemplateVersion
    outcome: str
    note: str = ""  # for a new version: why the previous one could not change

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"

    def summary(self) -> str:
        key, number = self.template.key, self.version.number
        return {
            "created": f"Template {key} was created as version {number}.",
            "new_version": (
                f"Template {key}: {self.note}, so the change was saved as new draft version "
                f"{number}. Publish it when it is ready to send."
                if self.note
                else f"Template {key}: draft version {number} was created."
            ),
            "updated": f"Template {key}: draft version {number} was updated.",
            "unchanged": f"Template {key} is unchanged (same as version {number}).",
        }[self.outcome]


# --- reading YAML ------------------------------------------------------------------------


def parse_yaml(data: str | bytes) -> Any:
    """The document in a YAML text; TemplateInvalid with the line and column of a syntax error."""
    if isinstance(data, bytes):
        if len(data) > MAX_YAML_BYTES:
            raise TemplateInvalid([("$", f"the file is larger than {MAX_YAML_BYTES:,} bytes")])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateInvalid(
                [("$", f"the file is not UTF-8 text (byte {exc.start + 1})")]
            ) from exc
    if len(data) > MAX_YAML_BYTES:
        raise TemplateInvalid([("$", f"the text is longer than {MAX_YAML_BYTES:,} characters")])
    if not data.strip():
        raise TemplateInvalid([("$", "the YAML document is empty")])
    try:
        return yaml.safe_load(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "$"
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise TemplateInvalid([(where, problem)], "The YAML could not be read.") from exc
    except yaml.YAMLError as exc:
        raise TemplateInvalid([("$", str(exc))], "The YAML could not be read.") from exc
    except RecursionError as exc:
        raise TemplateInvalid(
            [("$", "the YAML is nested too deeply")], "The YAML could not be read."
        ) from exc


def _check_values(document: Any) -> list[tuple[str, str]]:
    """Refuse control characters (PostgreSQL cannot store NUL) and oversized documents."""
    problems: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("$", document)]
    seen = 0
    while stack:
        path, value = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return [("$", f"the document has more than {MAX_NODES:,} values")]
        if isinstance(value, dict):
            for k, v in value.items():
                # The engine's spelling: "$.name" at the top, "sections[0]..." below.
                top = "sections" if k == "sections" else f"$.{k}"
                stack.append((f"{path}.{k}" if path != "$" else top, v))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
        elif has_control_chars(value):
            problems.append((path, "contains invisible control characters"))
    return problems


# --- validating ----------------------------------------------------------------------------


def known_controls(session: Session) -> set[str] | None:
    """Identifiers of the live controls in the catalog, or None while no catalog is loaded."""
    if session.scalar(select(Control.id).limit(1)) is None:
        return None
    return set(session.scalars(select(Control.identifier).where(Control.withdrawn.is_(False))))


def control_titles(session: Session) -> dict[str, str]:
    """identifier -> title for every control in the catalog (empty while none is loaded)."""
    rows = session.execute(select(Control.identifier, Control.title))
    return {identifier: title for identifier, title in rows}


def validate(session: Session, document: Any) -> tuple[Template, dict]:
    """The Template and its canonical document, or TemplateInvalid listing every problem."""
    problems = _check_values(document)
    if problems:
        raise TemplateInvalid(problems)
    try:
        template = load_template(document, known_controls(session))
    except TemplateError as exc:
        raise TemplateInvalid(exc.errors) from exc
    except RecursionError as exc:  # conditions nested thousands deep
        raise TemplateInvalid([("$", "conditions are nested too deeply")]) from exc
    if len(template.key) > KEY_MAX:
        raise TemplateInvalid([("$.key", f"must be at most {KEY_MAX} characters")])
    return template, dump_template(template)


# --- reading the database ------------------------------------------------------------------


def get_template(session: Session, template_id: int) -> QuestionnaireTemplate | None:
    return session.get(QuestionnaireTemplate, template_id)


def get_by_key(session: Session, key: str) -> QuestionnaireTemplate | None:
    return session.scalar(select(QuestionnaireTemplate).where(QuestionnaireTemplate.key == key))


def get_version(session: Session, version_id: int) -> TemplateVersion | None:
    return session.get(TemplateVersion, version_id)


def find_version(session: Session, key: str, number: int | None = None) -> TemplateVersion | None:
    """Version `number` of the template `key`, or its latest version."""
    template = get_by_key(session, key)
    if template is None or not template.versions:
        return None
    if number is None:
        return template.versions[-1]
    return next((v for v in template.versions if v.number == number), None)


def latest_version(template: QuestionnaireTemplate) -> TemplateVersion | None:
    return template.versions[-1] if template.versions else None


def usage_counts(session: Session, version_ids: Iterable[int]) -> dict[int, int]:
    """version id -> number of assessments that use it."""
    ids = list(version_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Assessment.template_version_id, func.count())
        .where(Assessment.template_version_id.in_(ids))
        .group_by(Assessment.template_version_id)
    )
    return {version_id: count for version_id, count in rows}


def in_use(session: Session, version: TemplateVersion) -> bool:
    """Whether any assessment was sent with this version (then it never changes)."""
    return bool(usage_counts(session, [version.id]))


@dataclass(frozen=True)
class TemplateRow:
    template: QuestionnaireTemplate
    latest: TemplateVersion | None
    published: TemplateVersion | None  # the newest published version: what is sent
    uses: dict[int, int]  # version id -> assessments


def list_templates(session: Session) -> list[TemplateRow]:
    """Every template with its versions and how many assessments use each (three queries)."""
    templates = session.scalars(
        select(QuestionnaireTemplate)
        .options(selectinload(QuestionnaireTemplate.versions))
        .order_by(QuestionnaireTemplate.name, QuestionnaireTemplate.key)
    ).all()
    uses = usage_counts(session, [v.id for t in templates for v in t.versions])
    return [
        TemplateRow(
            t,
            latest_version(t),
            current_published(t),
            {v.id: uses.get(v.id, 0) for v in t.versions},
        )
        for t in templates
    ]


def current_published(template: QuestionnaireTemplate) -> TemplateVersion | None:
    """The newest published version of a template (the one to send), if any."""
    return next((v for v in reversed(template.versions) if v.status == "published"), None)


def sendable_versions(session: Session, scope: str | None = None) -> list[TemplateVersion]:
    """The newest published version of each live template, by template name."""
    stmt = (
        select(QuestionnaireTemplate)
        .options(selectinload(QuestionnaireTemplate.versions))
        .where(QuestionnaireTemplate.archived_at.is_(None))
        .order_by(QuestionnaireTemplate.name)
    )
    if scope is not None:
        stmt = stmt.where(QuestionnaireTemplate.scope == scope)
    versions = (current_published(t) for t in session.scalars(stmt))
    return [v for v in versions if v is not None]


_TEMPLATES: dict[str, Template] = {}


def template_of(version: TemplateVersion) -> Template:
    """The engine's Template for a stored version (kept in memory by content hash)."""
    cached = _TEMPLATES.get(version.content_hash)
    if cached is None:
        if len(_TEMPLATES) > 64:
            _TEMPLATES.clear()
        cached = _TEMPLATES[version.content_hash] = load_template(version.definition)
    return cached


def document_of(version: TemplateVersion) -> dict:
    """The version's document in canonical key order (what is exported and edited)."""
    return dump_template(template_of(version))


def export_yaml(version: TemplateVersion) -> str:
    """The version as YAML, ready to edit and import again."""
    header = (
        f"# {version.template.name}: version {version.number} ({version.status}), "
        f"exported from Chainlight.\n"
    )
    body = yaml.safe_dump(document_of(version), allow_unicode=True, sort_keys=False, width=100)
    return header + body


def export_filename(version: TemplateVersion) -> str:
    return f"{version.template.key}-v{version.number}.yaml"


# --- writing -------------------------------------------------------------------------------

_FIELDS = ["name", "description", "scope"]


def _apply_details(template: QuestionnaireTemplate, document: dict) -> None:
    template.name = document["name"]
    template.description = document.get("description", "")
    template.scope = document.get("scope", "supplier")


def _new_version(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    document: dict,
    parsed: Template,
    number: int,
) -> TemplateVersion:
    version = TemplateVersion(
        template=template,
        number=number,
        status="draft",
        definition=document,
        content_hash=content_hash(document),
        question_count=len(parsed.questions),
        created_by_id=actor.user_id,
    )
    session.add(version)
    return version


def create_template(
    session: Session, actor: Actor, document: Any, *, source: str = "builder"
) -> SaveResult:
    """A new template with version 1 (a draft); ServiceError when the key is taken."""
    parsed, canonical = validate(session, document)
    if get_by_key(session, parsed.key) is not None:
        raise TemplateInvalid(
            [("$.key", f"a template with key {parsed.key!r} already exists")],
            "The template was not created.",
        )
    template = QuestionnaireTemplate(key=parsed.key)
    _apply_details(template, canonical)
    session.add(template)
    version = _new_version(session, actor, template, canonical, parsed, 1)
    session.flush()
    record(
        session,
        actor,
        "template.create",
        "questionnaire_template",
        template.id,
        f"Template {template.key} created ({source}), version 1 with "
        f"{version.question_count} questions",
        None,
        {
            "key": template.key,
            **{f: getattr(template, f) for f in _FIELDS},
            "version": 1,
            "content_hash": version.content_hash,
        },
    )
    return SaveResult(template, version, "created")


def save_version(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    document: Any,
    *,
    base_hash: str | None = None,
    change: str = "edited",
) -> SaveResult:
    """Store a new content for a template following the versioning rule (module docstring).

    `base_hash` is the content hash of the version the editor started from: when the template
    changed since, the save is refused rather than silently overwriting someone's edit.
    """
    parsed, canonical = validate(session, document)
    if parsed.key != template.key:
        raise TemplateInvalid(
            [("$.key", f"must stay {template.key!r} (import a new template for another key)")]
        )
    latest = latest_version(template)
    if base_hash and latest is not None and base_hash != latest.content_hash:
        raise ServiceError(
            f"Template {template.key} changed since you opened this page (it is now version "
            f"{latest.number}). Reload it and make your change again."
        )
    digest = content_hash(canonical)
    if latest is not None and latest.content_hash == digest:
        return SaveResult(template, latest, "unchanged")
    note = ""
    before = {f: getattr(template, f) for f in _FIELDS}
    _apply_details(template, canonical)
    after = {f: getattr(template, f) for f in _FIELDS}
    if latest is not None and latest.status == "draft" and not in_use(session, latest):
        before.update(content_hash=latest.content_hash, question_count=latest.question_count)
        latest.definition = canonical
        latest.content_hash = digest
        latest.question_count = len(parsed.questions)
        after.update(content_hash=digest, question_count=latest.question_count)
        version, outcome, action = latest, "updated", "template.version.update"
        summary = f"Template {template.key} draft version {latest.number} {change}"
    else:
        number = latest.number + 1 if latest is not None else 1
        version = _new_version(session, actor, template, canonical, parsed, number)
        if latest is not None:
            before.update(version=latest.number, content_hash=latest.content_hash)
        after.update(version=number, content_hash=digest, question_count=version.question_count)
        outcome, action = "new_version", "template.version.create"
        if latest is not None:
            note = f"version {latest.number} is {_why_frozen(session, latest)}"
        summary = f"Template {template.key} version {number} created: {change}"
        summary += f" ({note})" if note else ""
    session.flush()
    record(session, actor, action, "template_version", version.id, summary, before, after)
    return SaveResult(template, version, outcome, note)


def _why_frozen(session: Session, version: TemplateVersion) -> str:
    if in_use(session, version):
        return "in use"
    return "published" if version.status == "published" else "not the latest"


def publish(session: Session, actor: Actor, version: TemplateVersion) -> TemplateVersion:
    """Make a draft version sendable; a published version stays as it is, forever."""
    if version.status == "published":
        raise ServiceError(
            f"Version {version.number} of {version.template.key} is already published."
        )
    version.status = "published"
    version.published_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "template.version.publish",
        "template_version",
        version.id,
        f"Template {version.template.key} version {version.number} published",
        {"status": "draft"},
        {"status": "published", "content_hash": version.content_hash},
    )
    return version


def import_document(
    session: Session,
    actor: Actor,
    document: Any,
    *,
    publish_it: bool = False,
    source: str = "import",
) -> SaveResult:
    """Create or update the template named by the document's key.

    Content identical to any existing version of the template creates nothing (re-importing
    a file, or syncing the shipped templates after an analyst edited them, is harmless).
    """
    parsed, canonical = validate(session, document)
    template = get_by_key(session, parsed.key)
    if template is None:
        result = create_template(session, actor, canonical, source=source)
    else:
        digest = content_hash(canonical)
        same = next((v for v in template.versions if v.content_hash == digest), None)
        if same is not None:
            result = SaveResult(template, same, "unchanged")
        else:
            result = save_version(session, actor, template, canonical, change=f"{source}")
    if publish_it and result.version.status == "draft":
        publish(session, actor, result.version)
    return result


def import_yaml(
    session: Session,
    actor: Actor,
    data: str | bytes,
    *,
    publish_it: bool = False,
    source: str = "import",
) -> SaveResult:
    """Import one YAML template document (text or bytes)."""
    return import_document(session, actor, parse_yaml(data), publish_it=publish_it, source=source)


def sync_shipped(
    session: Session, actor: Actor, directory: Path = SHIPPED_DIR
) -> list[tuple[str, SaveResult]]:
    """Load every questionnaires/templates/*.yaml, published; idempotent.

    All files are checked first: if any is refused, TemplateInvalid lists the problems of
    every file (paths prefixed by the file name) and nothing is written.
    """
    files = sorted(directory.glob("*.yaml"))
    documents, problems = [], []
    for path in files:
        try:
            document = parse_yaml(path.read_bytes())
            validate(session, document)
        except TemplateInvalid as exc:
            problems.extend((f"{path.name}: {p}", m) for p, m in exc.problems)
            continue
        documents.append((path.name, document))
    if problems:
        raise TemplateInvalid(
            problems, f"The shipped templates were not loaded: {len(problems)} problems."
        )
    return [
        (name, import_document(session, actor, doc, publish_it=True, source=f"shipped file {name}"))
        for name, doc in documents
    ]


# --- words for people ----------------------------------------------------------------------

_OPS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "includes": "includes",
}


def _value_words(template: Template, key: str, value: Any) -> str:
    question = template.question(key)
    values = value if isinstance(value, list) else [value]
    labels = []
    for v in values:
        option = question.option(v) if question and isinstance(v, str) else None
        labels.append(f"“{option.label if option else v}”")
    return " or ".join(labels)


def condition_text(template: Template, condition: Condition | None) -> str:
    """A condition in words: 'gov_policy is “Yes” or “Partially”'."""
    if condition is None:
        return ""
    if condition.all:
        return " and ".join(f"({condition_text(template, c)})" for c in condition.all)
    if condition.any:
        return " or ".join(f"({condition_text(template, c)})" for c in condition.any)
    if condition.op == "answered":
        return f"{condition.question} is {'answered' if condition.value else 'not answered'}"
    op = _OPS.get(condition.op, condition.op)
    return (
        f"{condition.question} {op} {_value_words(template, condition.question, condition.value)}"
    )


_SECTION = re.compile(r"^sections\[(\d+)\](?:\.questions\[(\d+)\])?\.?(.*)$")


def explain_path(document: Any, path: str) -> str:
    """'sections[1].questions[2].type' -> 'Section “Suppliers” › question sup_x › type'."""
    match = _SECTION.match(path)
    if not match or not isinstance(document, dict):
        return path
    sections = document.get("sections") if isinstance(document.get("sections"), list) else []
    i = int(match.group(1))
    section = sections[i] if i < len(sections) and isinstance(sections[i], dict) else {}
    parts = [f"Section {i + 1}" + (f" “{section['title']}”" if section.get("title") else "")]
    if match.group(2) is not None:
        j = int(match.group(2))
        questions = section.get("questions") if isinstance(section.get("questions"), list) else []
        question = questions[j] if j < len(questions) and isinstance(questions[j], dict) else {}
        key = question.get("key")
        parts.append(f"question {key}" if isinstance(key, str) and key else f"question {j + 1}")
    if match.group(3):
        parts.append(match.group(3))
    return " › ".join(parts)
