"""The shape of a questionnaire template, and loading one from a plain document (YAML/JSON).

`load_template(document)` returns a Template or raises TemplateError listing every problem
with its path (`sections[1].questions[3].show_when.question: ...`), so a person can fix a
YAML file or a builder form in one pass. `dump_template(template)` gives the document back.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from questionnaires.fields import FIELD_TYPES, YNP_SCORES

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
EVIDENCE_RULES = ("none", "optional", "when_yes", "required")
SCOPES = ("supplier", "connection")
CONDITION_OPS = ("equals", "not_equals", "in", "includes", "answered")


class TemplateError(ValueError):
    """A template document was refused; `errors` lists (path, message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: float | None = None


@dataclass(frozen=True)
class Condition:
    """Show a question when another answer matches; `all`/`any` combine conditions."""

    question: str = ""
    op: str = ""
    value: Any = None
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    def questions(self) -> set[str]:
        keys = {self.question} if self.question else set()
        for sub in (*self.all, *self.any):
            keys |= sub.questions()
        return keys


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    type: str
    controls: tuple[str, ...]
    section: str = ""
    help: str = ""
    required: bool = True
    weight: float = 1.0
    evidence: str = "none"
    options: tuple[Option, ...] = ()
    show_when: Condition | None = None
    min: float | None = None
    max: float | None = None

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str = ""
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str = ""
    scope: str = "supplier"
    sections: tuple[Section, ...] = ()
    _index: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question | None:
        return self._index.get(key)


class _Loader:
    """Collects every error instead of stopping at the first."""

    def __init__(self, known_controls: set[str] | None):
        self.errors: list[tuple[str, str]] = []
        self.known_controls = known_controls
        self.seen: dict[str, Question] = {}

    def err(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def text(
        self, doc: dict, name: str, path: str, *, required: bool = True, max_len: int = 2000
    ) -> str:
        value = doc.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(f"{path}.{name}", "is required")
            return ""
        if not isinstance(value, str):
            self.err(f"{path}.{name}", "must be text")
            return ""
        if len(value) > max_len:
            self.err(f"{path}.{name}", f"must be at most {max_len} characters")
        return value.strip()

    def key(self, doc: dict, path: str) -> str:
        value = doc.get("key")
        if not isinstance(value, str) or not KEY.match(value):
            self.err(f"{path}.key", "must be lower-case letters, digits, _ . - (up to 80)")
            return ""
        return value

    def template(self, doc: Any) -> Template | None:
        if not isinstance(doc, dict):
            self.err("$", "a template must be a mapping with key, name and sections")
            return None
        key = self.key(doc, "$")
        name = self.text(doc, "name", "$", max_len=200)
        description = self.text(doc, "description", "$", required=False, max_len=5000)
        scope = doc.get("scope", "supplier")
        if scope not in SCOPES:
            self.err("$.scope", f"must be one of {', '.join(SCOPES)}")
        raw_sections = doc.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.err("$.sections", "must be a non-empty list")
            raw_sections = []
        sections, section_keys = [], set()
        for i, raw in enumerate(raw_sections):
            section = self.section(raw, f"sections[{i}]")
            if section is None:
                continue
            if section.key in section_keys:
                self.err(f"sections[{i}].key", f"duplicate section key {section.key!r}")
            section_keys.add(section.key)
            sections.append(section)
        if self.errors:
            return None
        return Template(key, name, description, scope, tuple(sections), dict(self.seen))

    def section(self, doc: Any, path: str) -> Section | None:
        if not isinstance(doc, dict):
            self.err(path, "must be a mapping")
            return None
        key = self.key(doc, path)
        title = self.text(doc, "title", path, max_len=200)
        description = self.text(doc, "description", path, required=False, max_len=5000)
        raw_questions = doc.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.err(f"{path}.questions", "must be a non-empty list")
            raw_questions = []
        questions = []
        for j, raw in enumerate(raw_questions):
            question = self.question(raw, f"{path}.questions[{j}]", key)
            if question is not None:
                questions.append(question)
        return Section(key, title, description, tuple(questions))

    def question(self, doc: Any, path: str, section: str) -> Question | None:
        if not isinstance(doc, dict):
            self.err(path, "must be a mapping")
            return None
        key = self.key(doc, path)
        if key and key in self.seen:
            self.err(f"{path}.key", f"duplicate question key {key!r}")
        text = self.text(doc, "text", path, max_len=1000)
        help_ = self.text(doc, "help", path, required=False, max_len=2000)
        qtype = doc.get("type")
        if qtype not in FIELD_TYPES:
            self.err(f"{path}.type", f"must be one of {', '.join(FIELD_TYPES)}")
            qtype = None
        required = doc.get("required", True)
        if not isinstance(required, bool):
            self.err(f"{path}.required", "must be true or false")
        weight = doc.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            self.err(f"{path}.weight", "must be a number above 0 and at most 100")
            weight = 1
        evidence = doc.get("evidence", "none")
        if evidence not in EVIDENCE_RULES:
            self.err(f"{path}.evidence", f"must be one of {', '.join(EVIDENCE_RULES)}")
        elif evidence == "when_yes" and qtype != "ynp":
            self.err(f"{path}.evidence", "when_yes applies to yes/no/partial/N-A questions")
        controls = doc.get("controls")
        if isinstance(controls, str):
            controls = [controls]
        if (
            not isinstance(controls, list)
            or not controls
            or not all(isinstance(c, str) and c.strip() for c in controls)
        ):
            self.err(f"{path}.controls", "must list at least one control identifier")
            controls = []
        elif self.known_controls is not None:
            for c in controls:
                if c not in self.known_controls:
                    self.err(f"{path}.controls", f"unknown control {c!r}")
        options = self.options(doc, path, qtype)
        low, high = doc.get("min"), doc.get("max")
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int | float)
            ):
                self.err(f"{path}.{name}", "must be a number")
        show_when = None
        if "show_when" in doc and doc["show_when"] is not None:
            show_when = self.condition(doc["show_when"], f"{path}.show_when")
        question = Question(
            key=key,
            text=text,
            type=qtype or "text",
            controls=tuple(c.strip() for c in controls),
            section=section,
            help=help_,
            required=bool(required),
            weight=float(weight),
            evidence=evidence if evidence in EVIDENCE_RULES else "none",
            options=options,
            show_when=show_when,
            min=low if isinstance(low, int | float) else None,
            max=high if isinstance(high, int | float) else None,
        )
        if key:
            self.seen[key] = question
        return question

    def options(self, doc: dict, path: str, qtype: str | None) -> tuple[Option, ...]:
        raw = doc.get("options")
        if qtype == "ynp":
            scores = doc.get("scores") or {}
            if not isinstance(scores, dict) or set(scores) - {"yes", "partial", "no"}:
                self.err(f"{path}.scores", "may only set scores for yes, partial, no")
                scores = {}
            result = []
            for value, (label, default) in YNP_SCORES.items():
                score = scores.get(value, default)
                if score is not None and not self._score_ok(score):
                    self.err(f"{path}.scores.{value}", "must be a number from 0 to 1")
                    score = default
                result.append(Option(value, label, score))
            return tuple(result)
        if qtype not in ("single_choice", "multiple_choice"):
            if raw:
                self.err(f"{path}.options", f"only choice questions have options, not {qtype}")
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            self.err(f"{path}.options", "a choice question needs at least two options")
            return ()
        result, values = [], set()
        for k, item in enumerate(raw):
            opath = f"{path}.options[{k}]"
            if not isinstance(item, dict) or not isinstance(item.get("value"), str):
                self.err(opath, "must be a mapping with value, label and score")
                continue
            if item["value"] in values:
                self.err(f"{opath}.value", f"duplicate option {item['value']!r}")
            values.add(item["value"])
            score = item.get("score")
            if score is not None and not self._score_ok(score):
                self.err(f"{opath}.score", "must be a number from 0 to 1")
                score = None
            label = item.get("label") or item["value"]
            result.append(Option(item["value"], str(label), score))
        return tuple(result)

    @staticmethod
    def _score_ok(score: Any) -> bool:
        return not isinstance(score, bool) and isinstance(score, int | float) and 0 <= score <= 1

    def condition(self, doc: Any, path: str) -> Condition | None:
        if not isinstance(doc, dict):
            self.err(path, "must be a mapping")
            return None
        if "all" in doc or "any" in doc:
            kind = "all" if "all" in doc else "any"
            items = doc[kind]
            if not isinstance(items, list) or not items:
                self.err(f"{path}.{kind}", "must be a non-empty list of conditions")
                return None
            subs = [self.condition(c, f"{path}.{kind}[{i}]") for i, c in enumerate(items)]
            subs = tuple(s for s in subs if s is not None)
            return Condition(all=subs) if kind == "all" else Condition(any=subs)
        target = doc.get("question")
        ops = [op for op in CONDITION_OPS if op in doc]
        if len(ops) != 1:
            self.err(path, f"needs exactly one of {', '.join(CONDITION_OPS)}")
            return None
        op = ops[0]
        if target not in self.seen:
            self.err(
                f"{path}.question",
                f"unknown question {target!r} (conditions may only refer to an earlier question)",
            )
            return None
        value = doc[op]
        referenced = self.seen[target]
        allowed = {o.value for o in referenced.options}
        wanted = value if isinstance(value, list) else [value]
        if op == "answered":
            if not isinstance(value, bool):
                self.err(f"{path}.answered", "must be true or false")
        elif op == "in" and not isinstance(value, list):
            self.err(f"{path}.in", "must be a list of values")
        elif op == "includes" and referenced.type != "multiple_choice":
            self.err(f"{path}.includes", "applies to multiple-choice questions")
        elif allowed and any(v not in allowed for v in wanted):
            self.err(
                f"{path}.{op}",
                f"{target!r} has no option {value!r}; it has {', '.join(sorted(allowed))}",
            )
        return Condition(question=target, op=op, value=value)


def load_template(document: Any, known_controls: set[str] | None = None) -> Template:
    """Validate a template document and build the Template; TemplateError lists every problem."""
    loader = _Loader(known_controls)
    template = loader.template(document)
    if loader.errors or template is None:
        raise TemplateError(loader.errors or [("$", "not a template")])
    return template


def _dump_condition(c: Condition) -> dict:
    if c.all:
        return {"all": [_dump_condition(s) for s in c.all]}
    if c.any:
        return {"any": [_dump_condition(s) for s in c.any]}
    return {"question": c.question, c.op: c.value}


def dump_template(template: Template) -> dict:
    """The plain document of a template (what is stored as JSON and exported as YAML)."""
    sections = []
    for s in template.sections:
        questions = []
        for q in s.questions:
            doc: dict[str, Any] = {"key": q.key, "text": q.text, "type": q.type}
            if q.help:
                doc["help"] = q.help
            doc["required"] = q.required
            doc["weight"] = int(q.weight) if q.weight == int(q.weight) else q.weight
            if q.evidence != "none":
                doc["evidence"] = q.evidence
            doc["controls"] = list(q.controls)
            if q.type == "ynp":
                custom = {
                    o.value: o.score
                    for o in q.options
                    if o.value in YNP_SCORES and YNP_SCORES[o.value][1] != o.score
                }
                if custom:
                    doc["scores"] = custom
            elif q.options:
                doc["options"] = [
                    {"value": o.value, "label": o.label, "score": o.score} for o in q.options
                ]
            if q.min is not None:
                doc["min"] = q.min
            if q.max is not None:
                doc["max"] = q.max
            if q.show_when is not None:
                doc["show_when"] = _dump_condition(q.show_when)
            questions.append(doc)
        section = {"key": s.key, "title": s.title}
        if s.description:
            section["description"] = s.description
        section["questions"] = questions
        sections.append(section)
    document = {"key": template.key, "name": template.name}
    if template.description:
        document["description"] = template.description
    document["scope"] = template.scope
    document["sections"] = sections
    return document


def content_hash(document: dict) -> str:
    """A stable hash of a template document (same content, same hash)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
