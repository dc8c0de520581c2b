"""The template builder's edits: details, sections and questions, from form input.

Each edit copies the latest version's document, changes one thing and saves it through
app.services.templates.save_version, so every rule (validation by load_template, the
versioning rule, the audit) is the same as for a YAML import. Refusals come back as
TemplateInvalid whose `errors` are keyed by the form's field names when the problem is in
the edited item, and otherwise by the problem's place in words, for the top of the form.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.models import QuestionnaireTemplate
from app.services import Actor, ServiceError
from app.services.templates import (
    SaveResult,
    TemplateInvalid,
    create_template,
    document_of,
    explain_path,
    get_by_key,
    get_template,
    latest_version,
    save_version,
)
from questionnaires.fields import YNP_SCORES
from questionnaires.schema import CONDITION_OPS

CHOICE_TYPES = ("single_choice", "multiple_choice")
QUESTION_FIELDS = ("key", "text", "help", "type", "required", "weight", "evidence", "controls")
TRUE_WORDS = {"", "yes", "true", "1", "answered"}
FALSE_WORDS = {"no", "false", "0", "not answered", "unanswered"}

FieldMap = Callable[[str], tuple[str, str | None] | None]


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()


def _number(raw: str) -> int | float | None:
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def current_document(template: QuestionnaireTemplate) -> dict:
    """A private copy of the latest version's document, to change and save."""
    version = latest_version(template)
    if version is None:
        raise ServiceError(f"Template {template.key} has no version yet.")
    return copy.deepcopy(document_of(version))


def _where(document: dict, key: str) -> tuple[int, int] | None:
    for i, section in enumerate(document["sections"]):
        for j, question in enumerate(section["questions"]):
            if question["key"] == key:
                return i, j
    return None


def _section_index(document: dict, key: str) -> int | None:
    return next((i for i, s in enumerate(document["sections"]) if s["key"] == key), None)


def _refers_to(condition: Any, keys: set[str]) -> bool:
    if not isinstance(condition, dict):
        return False
    if condition.get("question") in keys:
        return True
    return any(_refers_to(c, keys) for c in condition.get("all", []) + condition.get("any", []))


def _rename(condition: Any, old: str, new: str) -> None:
    if not isinstance(condition, dict):
        return
    if condition.get("question") == old:
        condition["question"] = new
    for sub in condition.get("all", []) + condition.get("any", []):
        _rename(sub, old, new)


def _dependants(document: dict, keys: set[str]) -> list[str]:
    return [
        q["key"]
        for s in document["sections"]
        for q in s["questions"]
        if q["key"] not in keys and _refers_to(q.get("show_when"), keys)
    ]


def _save(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    document: dict,
    base_hash: str | None,
    change: str,
    field_map: FieldMap = lambda path: None,
) -> SaveResult:
    try:
        return save_version(session, actor, template, document, base_hash=base_hash, change=change)
    except TemplateInvalid as exc:
        raise _mapped(exc, document, field_map) from exc


def _mapped(exc: TemplateInvalid, document: dict, field_map: FieldMap) -> TemplateInvalid:
    errors: dict[str, str] = {}
    for path, message in exc.problems:
        mapped = field_map(path)
        if mapped:
            name, text = mapped[0], (mapped[1] or "") + message
        else:
            name, text = explain_path(document, path), message
        errors[name] = f"{errors[name]}; {text}" if name in errors else text
    return TemplateInvalid(exc.problems, exc.message, errors)


def _question_map(prefix: str, field_prefix: str = "") -> FieldMap:
    """Map the engine's paths inside one question onto the question form's fields."""

    def field_map(path: str) -> tuple[str, str | None] | None:
        if path == prefix:
            return f"{field_prefix}key", None
        if not path.startswith(prefix + "."):
            return None
        suffix = path[len(prefix) + 1 :]
        name = suffix.split(".", 1)[0].split("[", 1)[0]
        if name in QUESTION_FIELDS or name in ("min", "max"):
            return f"{field_prefix}{name}", None
        if name == "options":
            match = re.match(r"options\[(\d+)\]", suffix)
            return f"{field_prefix}options", f"Option {int(match.group(1)) + 1}: " if match else ""
        if name == "scores":
            match = re.match(r"scores\.(yes|partial|no)", suffix)
            return f"{field_prefix}score_{match.group(1) if match else 'yes'}", None
        if name == "show_when":
            rest = suffix[len("show_when") :]
            if rest == "":
                return f"{field_prefix}cond_op", None
            if rest.endswith(".question"):
                return f"{field_prefix}cond_question", None
            return f"{field_prefix}cond_value", None
        return None

    return field_map


# --- turning form input into a question ------------------------------------------------------


def _options(raw: str, errors: dict[str, str]) -> list[dict]:
    """'value | label | score' per line; label and score may be left out."""
    options = []
    for n, line in enumerate(raw.split("\n"), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            errors["options"] = f"Line {n}: write value | label | score (label and score optional)."
            return []
        option: dict[str, Any] = {
            "value": parts[0],
            "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
        }
        score = parts[2] if len(parts) > 2 else ""
        if score:
            number = _number(score)
            option["score"] = number if number is not None else score  # the engine says why
        else:
            option["score"] = None
        options.append(option)
    return options


def _condition_value(op: str, raw: str, target: dict | None, errors: dict[str, str]) -> Any:
    if op == "answered":
        word = raw.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        errors["cond_value"] = "For “is answered”, write yes or no."
        return None
    values = [v.strip() for v in raw.split(",")] if op == "in" else [raw]
    values = [v for v in values if v]
    if not values:
        errors["cond_value"] = "Enter the value to compare with" + (
            " (several: separate them with commas)." if op == "in" else "."
        )
        return None
    options = _target_options(target)
    resolved = []
    for value in values:
        match = next(
            (v for v, label in options if value.casefold() in (v.casefold(), label.casefold())),
            None,
        )
        if match is None and target is not None and target.get("type") == "number":
            number = _number(value)
            match = number if number is not None else value
        resolved.append(match if match is not None else value)
    return resolved if op == "in" else resolved[0]


def _target_options(target: dict | None) -> list[tuple[str, str]]:
    if target is None:
        return []
    if target.get("type") == "ynp":
        return [(value, label) for value, (label, _score) in YNP_SCORES.items()]
    return [(o["value"], str(o.get("label") or o["value"])) for o in target.get("options", [])]


def question_from_form(data: Mapping[str, Any], document: dict, existing: dict | None) -> dict:
    """The question document for the question form's input; ServiceError on malformed input."""
    errors: dict[str, str] = {}
    qtype = _clean(data.get("type"))
    question: dict[str, Any] = {
        "key": _clean(data.get("key")),
        "text": _clean(data.get("text")),
        "type": qtype,
    }
    help_ = _clean(data.get("help"))
    if help_:
        question["help"] = help_
    question["required"] = bool(data.get("required"))
    weight_raw = _clean(data.get("weight"))
    weight = _number(weight_raw) if weight_raw else 1
    if weight is None:
        errors["weight"] = "Enter a number, e.g. 1 (minor) to 5 (most important)."
    question["weight"] = weight if weight is not None else 1
    evidence = _clean(data.get("evidence")) or "none"
    if evidence != "none":
        question["evidence"] = evidence
    question["controls"] = list(
        dict.fromkeys(c for c in re.split(r"[,;\s]+", _clean(data.get("controls"))) if c)
    )
    if qtype in CHOICE_TYPES:
        question["options"] = _options(_clean(data.get("options")), errors)
    elif qtype == "ynp":
        scores = {}
        for value in ("yes", "partial", "no"):
            raw = _clean(data.get(f"score_{value}"))
            if raw:
                number = _number(raw)
                scores[value] = number if number is not None else raw
        if scores:
            question["scores"] = scores
    elif qtype == "number":
        for bound in ("min", "max"):
            raw = _clean(data.get(bound))
            if raw:
                number = _number(raw)
                if number is None:
                    errors[bound] = "Enter a number or leave it empty."
                else:
                    question[bound] = number
    condition = _condition_from_form(data, document, existing, errors)
    if condition is not None:
        question["show_when"] = condition
    if errors:
        raise TemplateInvalid([], "Please correct the fields marked below.", errors)
    return question


def _condition_from_form(
    data: Mapping[str, Any], document: dict, existing: dict | None, errors: dict[str, str]
) -> dict | None:
    old = (existing or {}).get("show_when")
    if data.get("keep_condition") and isinstance(old, dict) and ("all" in old or "any" in old):
        return old
    target_key = _clean(data.get("cond_question"))
    if not target_key:
        return None
    op = _clean(data.get("cond_op")) or "equals"
    if op not in CONDITION_OPS:
        errors["cond_op"] = "Choose how the answer is compared."
        return None
    where = _where(document, target_key)
    target = document["sections"][where[0]]["questions"][where[1]] if where else None
    value = _condition_value(op, _clean(data.get("cond_value")), target, errors)
    return {"question": target_key, op: value}


# --- the edits -----------------------------------------------------------------------------


def update_details(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    data: Mapping[str, Any],
    base_hash: str | None = None,
) -> SaveResult:
    """Change the template's name, description and scope."""
    document = current_document(template)
    document["name"] = _clean(data.get("name"))
    description = _clean(data.get("description"))
    if description:
        document["description"] = description
    else:
        document.pop("description", None)
    document["scope"] = _clean(data.get("scope"))
    fields = {"$.name": "name", "$.description": "description", "$.scope": "scope"}
    return _save(
        session,
        actor,
        template,
        document,
        base_hash,
        "name and description edited",
        lambda path: (fields[path], None) if path in fields else None,
    )


def save_question(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    question_key: str | None,
    data: Mapping[str, Any],
    base_hash: str | None = None,
) -> SaveResult:
    """Add a question (question_key None) or change one; it may move to another section."""
    document = current_document(template)
    existing = None
    if question_key is not None:
        where = _where(document, question_key)
        if where is None:
            raise ServiceError(f"Question {question_key} is no longer in the template.")
        existing = document["sections"][where[0]]["questions"][where[1]]
    target = _section_index(document, _clean(data.get("section")))
    question = question_from_form(data, document, existing)
    errors = {}
    if target is None:
        errors["section"] = "Choose a section."
    key = question["key"]
    if key and key != question_key and _where(document, key) is not None:
        errors["key"] = f"Another question already uses the key {key!r}."
    if errors:
        raise TemplateInvalid([], "Please correct the fields marked below.", errors)
    if existing is not None:
        i, j = _where(document, question_key)
        if i == target:
            document["sections"][i]["questions"][j] = question
        else:
            del document["sections"][i]["questions"][j]
            document["sections"][target]["questions"].append(question)
        if key and key != question_key:
            for s in document["sections"]:
                for q in s["questions"]:
                    _rename(q.get("show_when"), question_key, key)
    else:
        document["sections"][target]["questions"].append(question)
    if existing is not None and not document["sections"][i]["questions"]:
        raise TemplateInvalid(
            [],
            "Not saved.",
            {"section": "This was the last question of its section: it cannot move."},
        )
    i, j = (
        _where(document, key)
        if key
        else (target, len(document["sections"][target]["questions"]) - 1)
    )
    change = f"question {key or '?'} {'edited' if existing is not None else 'added'}"
    return _save(
        session,
        actor,
        template,
        document,
        base_hash,
        change,
        _question_map(f"sections[{i}].questions[{j}]"),
    )


def delete_question(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    question_key: str,
    base_hash: str | None = None,
) -> SaveResult:
    """Remove a question that no condition refers to; a section keeps at least one."""
    document = current_document(template)
    where = _where(document, question_key)
    if where is None:
        raise ServiceError(f"Question {question_key} is no longer in the template.")
    users = _dependants(document, {question_key})
    if users:
        raise ServiceError(
            f"Question {question_key} is used in the condition of {', '.join(users)}: "
            "change those conditions first."
        )
    questions = document["sections"][where[0]]["questions"]
    if len(questions) == 1:
        raise ServiceError(
            f"Question {question_key} is the only question of its section: "
            "delete the section instead."
        )
    del questions[where[1]]
    return _save(session, actor, template, document, base_hash, f"question {question_key} deleted")


def move_question(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    question_key: str,
    direction: str,
    base_hash: str | None = None,
) -> SaveResult:
    """Move a question one place up or down; past a section's edge it joins the next section."""
    document = current_document(template)
    where = _where(document, question_key)
    if where is None:
        raise ServiceError(f"Question {question_key} is no longer in the template.")
    if direction not in ("up", "down"):
        raise ServiceError("Choose up or down.")
    i, j = where
    sections = document["sections"]
    questions = sections[i]["questions"]
    step = -1 if direction == "up" else 1
    if 0 <= j + step < len(questions):
        questions[j], questions[j + step] = questions[j + step], questions[j]
    elif 0 <= i + step < len(sections):
        if len(questions) == 1:
            raise ServiceError(
                f"Question {question_key} is the only question of its section: it cannot leave it."
            )
        question = questions.pop(j)
        if step < 0:
            sections[i - 1]["questions"].append(question)
        else:
            sections[i + 1]["questions"].insert(0, question)
    else:
        raise ServiceError(
            f"Question {question_key} is already the {'first' if step < 0 else 'last'}."
        )
    return _save(
        session, actor, template, document, base_hash, f"question {question_key} moved {direction}"
    )


def _section_map(index: int) -> FieldMap:
    prefix = f"sections[{index}]"
    first_question = _question_map(f"{prefix}.questions[0]", "q_")

    def field_map(path: str) -> tuple[str, str | None] | None:
        if path in (f"{prefix}.key", f"{prefix}.title", f"{prefix}.description"):
            return path.rsplit(".", 1)[1], None
        return first_question(path)

    return field_map


def save_section(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    section_key: str | None,
    data: Mapping[str, Any],
    base_hash: str | None = None,
) -> SaveResult:
    """Add a section with its first question (section_key None), or change a section's text."""
    document = current_document(template)
    key = _clean(data.get("key"))
    if key != section_key and _section_index(document, key) is not None:
        raise TemplateInvalid(
            [],
            "Please correct the fields marked below.",
            {"key": f"Another section already uses the key {key!r}."},
        )
    fields = {"key": key, "title": _clean(data.get("title"))}
    description = _clean(data.get("description"))
    if description:
        fields["description"] = description
    if section_key is None:
        first = {name[2:]: value for name, value in data.items() if name.startswith("q_")}
        first.setdefault("required", True)
        try:
            question = question_from_form(first, document, None)
        except TemplateInvalid as exc:
            errors = {f"q_{name}": message for name, message in exc.errors.items()}
            raise TemplateInvalid([], exc.message, errors) from exc
        if question["key"] and _where(document, question["key"]) is not None:
            raise TemplateInvalid(
                [],
                "Please correct the fields marked below.",
                {"q_key": f"Another question already uses the key {question['key']!r}."},
            )
        document["sections"].append({**fields, "questions": [question]})
        index = len(document["sections"]) - 1
        change = f"section {key or '?'} added"
    else:
        index = _section_index(document, section_key)
        if index is None:
            raise ServiceError(f"Section {section_key} is no longer in the template.")
        section = document["sections"][index]
        document["sections"][index] = {**fields, "questions": section["questions"]}
        change = f"section {section_key} edited"
    return _save(session, actor, template, document, base_hash, change, _section_map(index))


def delete_section(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    section_key: str,
    base_hash: str | None = None,
) -> SaveResult:
    """Remove a section and its questions, unless other questions' conditions need them."""
    document = current_document(template)
    index = _section_index(document, section_key)
    if index is None:
        raise ServiceError(f"Section {section_key} is no longer in the template.")
    if len(document["sections"]) == 1:
        raise ServiceError("A template needs at least one section: this is the last one.")
    keys = {q["key"] for q in document["sections"][index]["questions"]}
    users = [k for k in _dependants(document, keys)]
    if users:
        raise ServiceError(
            f"Questions of section {section_key} are used in the condition of {', '.join(users)}: "
            "change those conditions first."
        )
    del document["sections"][index]
    return _save(session, actor, template, document, base_hash, f"section {section_key} deleted")


def move_section(
    session: Session,
    actor: Actor,
    template: QuestionnaireTemplate,
    section_key: str,
    direction: str,
    base_hash: str | None = None,
) -> SaveResult:
    """Swap a section with the one above or below it."""
    document = current_document(template)
    index = _section_index(document, section_key)
    if index is None:
        raise ServiceError(f"Section {section_key} is no longer in the template.")
    if direction not in ("up", "down"):
        raise ServiceError("Choose up or down.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(document["sections"]):
        raise ServiceError(
            f"Section {section_key} is already the {'first' if other < 0 else 'last'}."
        )
    sections = document["sections"]
    sections[index], sections[other] = sections[other], sections[index]
    return _save(
        session, actor, template, document, base_hash, f"section {section_key} moved {direction}"
    )


def new_template(session: Session, actor: Actor, data: Mapping[str, Any]) -> SaveResult:
    """A new template: a copy of another one's latest version, or one section and one question."""
    key = _clean(data.get("key"))
    document: dict[str, Any] = {"key": key, "name": _clean(data.get("name"))}
    description = _clean(data.get("description"))
    if description:
        document["description"] = description
    document["scope"] = _clean(data.get("scope")) or "supplier"
    source_id = _clean(data.get("copy_from"))
    if source_id:
        source = get_template(session, int(source_id)) if source_id.isdigit() else None
        if source is None or latest_version(source) is None:
            raise TemplateInvalid([], "Not created.", {"copy_from": "Choose a template to copy."})
        document["sections"] = current_document(source)["sections"]
    else:
        first = {name[2:]: value for name, value in data.items() if name.startswith("q_")}
        first.setdefault("required", True)
        try:
            question = question_from_form(first, {"sections": []}, None)
        except TemplateInvalid as exc:
            errors = {f"q_{name}": message for name, message in exc.errors.items()}
            raise TemplateInvalid([], exc.message, errors) from exc
        title = _clean(data.get("section_title")) or "General"
        document["sections"] = [{"key": "general", "title": title, "questions": [question]}]
    if key and get_by_key(session, key) is not None:
        raise TemplateInvalid(
            [], "Not created.", {"key": f"A template with key {key!r} already exists."}
        )
    fields = {
        "$.key": "key",
        "$.name": "name",
        "$.description": "description",
        "$.scope": "scope",
        "sections[0].title": "section_title",
    }
    first_question = _question_map("sections[0].questions[0]", "q_")
    try:
        return create_template(session, actor, document, source="builder")
    except TemplateInvalid as exc:
        raise _mapped(
            exc,
            document,
            lambda p: (
                (fields[p], None) if p in fields else (None if source_id else first_question(p))
            ),
        ) from exc


def question_form_data(question: dict) -> dict[str, Any]:
    """The question form's values for a stored question (the inverse of question_from_form)."""
    data: dict[str, Any] = {
        "key": question["key"],
        "text": question["text"],
        "help": question.get("help", ""),
        "type": question["type"],
        "required": question.get("required", True),
        "weight": f"{question.get('weight', 1):g}",
        "evidence": question.get("evidence", "none"),
        "controls": ", ".join(question.get("controls", [])),
        "min": "" if question.get("min") is None else f"{question['min']:g}",
        "max": "" if question.get("max") is None else f"{question['max']:g}",
    }
    lines = []
    for option in question.get("options", []):
        score = option.get("score")
        label = option.get("label") or option["value"]
        lines.append(f"{option['value']} | {label}" + ("" if score is None else f" | {score:g}"))
    data["options"] = "\n".join(lines)
    for value in ("yes", "partial", "no"):
        score = question.get("scores", {}).get(value)
        data[f"score_{value}"] = "" if score is None else f"{score:g}"
    condition = question.get("show_when")
    if isinstance(condition, dict) and "question" in condition:
        op = next((o for o in CONDITION_OPS if o in condition), "equals")
        value = condition.get(op)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        data.update(cond_question=condition["question"], cond_op=op, cond_value=str(value))
    else:
        data.update(cond_question="", cond_op="equals", cond_value="")
        data["keep_condition"] = isinstance(condition, dict)
    return data
