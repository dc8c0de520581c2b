"""Control catalogs and the crosswalk as data files: load, validate, return plain dataclasses.

A directory (by default `questionnaires/catalogs/`) holds YAML files of two kinds:

    kind: catalog             one framework's controls, in display order
    kind: crosswalk           which controls of other frameworks support a CSF outcome

Every problem is reported with the file and the path inside it (`controls[3].parent`),
all at once, through CatalogError. Nothing here touches Flask or a database: the app's
catalog service syncs what this returns into the Control and CrosswalkLink tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIR = Path(__file__).resolve().parent / "catalogs"

# The frameworks we know, in the order pages list them: key -> display name.
FRAMEWORKS: dict[str, str] = {
    "csf2": "NIST CSF 2.0 (GV.SC)",
    "sp800-53r5": "NIST SP 800-53 Rev. 5 (SR and C-SCRM overlay)",
    "iso28000": "ISO 28000:2022",
}
# How each framework spells its identifiers.
IDENTIFIER_PATTERNS: dict[str, re.Pattern[str]] = {
    "csf2": re.compile(r"^[A-Z]{2}\.[A-Z]{2}-\d{2}$"),
    "sp800-53r5": re.compile(r"^[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?$"),
    "iso28000": re.compile(r"^ISO28000-\d{1,2}(\.\d{1,2}){0,3}$"),
}
RELATIONS = ("supports",)
BASES = {"reference": "Reference", "reasoned": "Reasoned"}
# Column sizes of the tables the catalogs are synced into.
MAX_LEN = {
    "identifier": 40,
    "title": 255,
    "summary": 4000,
    "family": 80,
    "catalog_version": 40,
    "note": 240,
}
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_ -]*$")


@dataclass(frozen=True)
class CatalogIssue:
    """One problem: which file, where in it, and what is wrong."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class CatalogError(ValueError):
    """The catalog files were refused; `issues` lists every problem found."""

    def __init__(self, issues: list[CatalogIssue]):
        self.issues = issues
        first = str(issues[0]) if issues else "the catalog files are invalid"
        more = len(issues) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)


@dataclass(frozen=True)
class CatalogControl:
    """One control, outcome or clause as its catalog file describes it."""

    framework: str
    identifier: str
    title: str
    summary: str = ""
    family: str = ""
    parent_identifier: str = ""
    sort_key: int = 0
    withdrawn: bool = False


@dataclass(frozen=True)
class Catalog:
    """One framework's controls (in file order) and the version of the file."""

    framework: str
    name: str
    catalog_version: str
    source: str
    controls: tuple[CatalogControl, ...]
    file: str = ""


@dataclass(frozen=True)
class CrosswalkEntry:
    """`source` (a CSF outcome) is supported by `target`, for the reason in `note`."""

    source: str
    target: str
    relation: str = "supports"
    basis: str = "reasoned"
    note: str = ""

    @property
    def stored_note(self) -> str:
        """The note as kept in the database: the basis first, so a reader sees it."""
        return f"{BASES[self.basis]}: {self.note}" if self.note else BASES[self.basis]


@dataclass(frozen=True)
class Crosswalk:
    catalog_version: str
    entries: tuple[CrosswalkEntry, ...]
    file: str = ""


@dataclass(frozen=True)
class CatalogSet:
    """Every catalog and crosswalk entry of a directory, validated together."""

    catalogs: tuple[Catalog, ...]
    crosswalk: tuple[CrosswalkEntry, ...] = ()
    crosswalk_version: str = ""
    _index: dict[str, CatalogControl] = field(default_factory=dict, repr=False, compare=False)

    def control(self, identifier: str) -> CatalogControl | None:
        return self._index.get(identifier)

    def controls(self) -> list[CatalogControl]:
        return [c for catalog in self.catalogs for c in catalog.controls]

    def known_identifiers(self) -> set[str]:
        """Identifiers a questionnaire may map to: every control that is not withdrawn."""
        return {c.identifier for c in self.controls() if not c.withdrawn}


class _Collector:
    """Gathers issues for one file."""

    def __init__(self, file: str, issues: list[CatalogIssue]):
        self.file = file
        self.issues = issues

    def err(self, path: str, message: str) -> None:
        self.issues.append(CatalogIssue(self.file, path, message))

    def text(
        self, doc: dict, key: str, path: str, *, required: bool, max_len: int | None = None
    ) -> str:
        value = doc.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(where, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.err(where, f"must be text, not {type(value).__name__}")
            return ""
        cleaned = " ".join(str(value).split())
        limit = max_len or MAX_LEN.get(key)
        if limit and len(cleaned) > limit:
            self.err(where, f"is too long ({len(cleaned)} characters; at most {limit})")
            return ""
        return cleaned

    def flag(self, doc: dict, key: str, path: str) -> bool:
        value = doc.get(key, False)
        if not isinstance(value, bool):
            self.err(f"{path}.{key}", "must be true or false")
            return False
        return value

    def unknown_keys(self, doc: dict, allowed: Iterable[str], path: str) -> None:
        for key in doc:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.err(where, f"unknown key; allowed: {', '.join(sorted(allowed))}")


def display_path(path: Path) -> str:
    """A short name for messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_yaml(text: str, file: str) -> Any:
    """The YAML document, or CatalogError naming the line of a syntax error."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise CatalogError([CatalogIssue(file, where, f"invalid YAML: {problem}")]) from exc


_CATALOG_KEYS = {"kind", "framework", "name", "catalog_version", "source", "families", "controls"}
_CONTROL_KEYS = {"identifier", "title", "summary", "family", "parent", "withdrawn"}


def load_catalog_document(doc: Any, file: str = "<catalog>") -> Catalog:
    """Validate one `kind: catalog` document; CatalogError lists every problem."""
    issues: list[CatalogIssue] = []
    catalog = _catalog(doc, _Collector(file, issues))
    if issues:
        raise CatalogError(issues)
    assert catalog is not None
    return catalog


def _version(doc: dict, c: _Collector) -> str:
    version = c.text(doc, "catalog_version", "", required=True)
    if version and not _VERSION.match(version):
        c.err("catalog_version", "use letters, digits and . + _ - only")
    return version


def _catalog(doc: Any, c: _Collector) -> Catalog | None:
    if not isinstance(doc, dict):
        c.err("", "the file must be a mapping with kind, framework, catalog_version and controls")
        return None
    c.unknown_keys(doc, _CATALOG_KEYS, "")
    framework = c.text(doc, "framework", "", required=True, max_len=20)
    if framework and framework not in FRAMEWORKS:
        c.err("framework", f"unknown framework {framework!r}; use one of: {', '.join(FRAMEWORKS)}")
        framework = ""
    version = _version(doc, c)
    name = c.text(doc, "name", "", required=False, max_len=120) or FRAMEWORKS.get(framework, "")
    source = c.text(doc, "source", "", required=False, max_len=500)
    families = doc.get("families", {})
    if not isinstance(families, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in families.items()
    ):
        c.err("families", "must map family codes to names")
        families = {}
    raw = doc.get("controls")
    if not isinstance(raw, list) or not raw:
        c.err("controls", "must be a non-empty list")
        raw = []
    controls: list[CatalogControl] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(raw):
        control = _control(item, f"controls[{index}]", framework, families, index, seen, c)
        if control is not None:
            controls.append(control)
    return Catalog(framework, name, version, source, tuple(controls), c.file)


def _control(
    item: Any,
    path: str,
    framework: str,
    families: dict[str, str],
    index: int,
    seen: dict[str, str],
    c: _Collector,
) -> CatalogControl | None:
    if not isinstance(item, dict):
        c.err(path, "must be a mapping with identifier and title")
        return None
    c.unknown_keys(item, _CONTROL_KEYS, path)
    identifier = c.text(item, "identifier", path, required=True)
    pattern = IDENTIFIER_PATTERNS.get(framework)
    if identifier and pattern and not pattern.match(identifier):
        c.err(f"{path}.identifier", f"{identifier!r} is not a {framework} identifier")
    if identifier in seen:
        c.err(
            f"{path}.identifier",
            f"duplicate identifier {identifier!r} (also at {seen[identifier]})",
        )
    elif identifier:
        seen[identifier] = path
    title = c.text(item, "title", path, required=True)
    summary = c.text(item, "summary", path, required=False)
    family = c.text(item, "family", path, required=False, max_len=20)
    if family and families:
        if family not in families:
            c.err(f"{path}.family", f"unknown family {family!r}; declare it under families")
        else:
            family = f"{family} – {families[family]}"[: MAX_LEN["family"]]
    parent = c.text(item, "parent", path, required=False)
    if parent:
        if parent == identifier:
            c.err(f"{path}.parent", "a control cannot be its own parent")
        elif parent not in seen:
            c.err(f"{path}.parent", f"{parent!r} must be listed before this control in the file")
    enhancement = re.match(r"^(.+)\(\d+\)$", identifier or "")
    if framework == "sp800-53r5" and enhancement and parent != enhancement.group(1):
        c.err(f"{path}.parent", f"an enhancement needs parent: {enhancement.group(1)}")
    withdrawn = c.flag(item, "withdrawn", path)
    return CatalogControl(
        framework=framework,
        identifier=identifier,
        title=title,
        summary=summary,
        family=family,
        parent_identifier=parent,
        sort_key=(index + 1) * 10,
        withdrawn=withdrawn,
    )


_CROSSWALK_KEYS = {"kind", "catalog_version", "source", "mappings"}
_MAPPING_KEYS = {"source", "targets"}
_TARGET_KEYS = {"id", "basis", "note", "relation"}


def _crosswalk(doc: Any, c: _Collector) -> Crosswalk | None:
    if not isinstance(doc, dict):
        c.err("", "the file must be a mapping with kind, catalog_version and mappings")
        return None
    c.unknown_keys(doc, _CROSSWALK_KEYS, "")
    version = _version(doc, c)
    raw = doc.get("mappings")
    if not isinstance(raw, list) or not raw:
        c.err("mappings", "must be a non-empty list")
        raw = []
    entries: list[CrosswalkEntry] = []
    for i, mapping in enumerate(raw):
        path = f"mappings[{i}]"
        if not isinstance(mapping, dict):
            c.err(path, "must be a mapping with source and targets")
            continue
        c.unknown_keys(mapping, _MAPPING_KEYS, path)
        source = c.text(mapping, "source", path, required=True, max_len=MAX_LEN["identifier"])
        targets = mapping.get("targets")
        if not isinstance(targets, list) or not targets:
            c.err(f"{path}.targets", "must be a non-empty list")
            continue
        for j, target in enumerate(targets):
            entry = _target(target, f"{path}.targets[{j}]", source, c)
            if entry is not None:
                entries.append(entry)
    return Crosswalk(version, tuple(entries), c.file)


def _target(target: Any, path: str, source: str, c: _Collector) -> CrosswalkEntry | None:
    if isinstance(target, str):
        target = {"id": target}
    if not isinstance(target, dict):
        c.err(path, "must be an identifier or a mapping with id, basis and note")
        return None
    c.unknown_keys(target, _TARGET_KEYS, path)
    identifier = c.text(target, "id", path, required=True, max_len=MAX_LEN["identifier"])
    basis = c.text(target, "basis", path, required=False, max_len=20) or "reasoned"
    if basis not in BASES:
        c.err(f"{path}.basis", f"unknown basis {basis!r}; use one of: {', '.join(BASES)}")
        basis = "reasoned"
    relation = c.text(target, "relation", path, required=False, max_len=20) or "supports"
    if relation not in RELATIONS:
        c.err(
            f"{path}.relation", f"unknown relation {relation!r}; use one of: {', '.join(RELATIONS)}"
        )
    note = c.text(target, "note", path, required=basis == "reasoned", max_len=MAX_LEN["note"])
    if not identifier or not source:
        return None
    return CrosswalkEntry(source, identifier, relation, basis, note)


def _check_crosswalk(
    crosswalks: list[Crosswalk], index: dict[str, CatalogControl], issues: list[CatalogIssue]
) -> None:
    """Every identifier exists, links cross frameworks, sources are CSF outcomes, no pair twice."""
    seen: set[tuple[str, str]] = set()
    for crosswalk in crosswalks:
        c = _Collector(crosswalk.file, issues)
        for entry in crosswalk.entries:
            where = f"mappings: {entry.source} -> {entry.target}"
            source = index.get(entry.source)
            target = index.get(entry.target)
            if source is None:
                c.err(where, f"unknown source control {entry.source!r}")
            elif source.framework != "csf2":
                c.err(where, f"the source must be a CSF 2.0 outcome, not {source.framework}")
            if target is None:
                c.err(where, f"unknown target control {entry.target!r}")
            elif target.withdrawn:
                c.err(where, f"{entry.target} is withdrawn; map to what replaced it")
            if source is not None and target is not None and source.framework == target.framework:
                c.err(where, "a crosswalk link must join two different frameworks")
            if (entry.source, entry.target) in seen:
                c.err(where, "this link is listed twice")
            seen.add((entry.source, entry.target))


def load_file(path: Path) -> Catalog | Crosswalk:
    """One catalog or crosswalk file, validated on its own."""
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([CatalogIssue(file, "", f"cannot be read: {exc}")]) from exc
    doc = parse_yaml(text, file)
    issues: list[CatalogIssue] = []
    c = _Collector(file, issues)
    kind = doc.get("kind") if isinstance(doc, dict) else None
    result: Catalog | Crosswalk | None
    if kind == "catalog":
        result = _catalog(doc, c)
    elif kind == "crosswalk":
        result = _crosswalk(doc, c)
    else:
        c.err("kind", "must be 'catalog' or 'crosswalk'")
        result = None
    if issues:
        raise CatalogError(issues)
    assert result is not None
    return result


def load_directory(directory: Path | str = DEFAULT_DIR) -> CatalogSet:
    """Every *.yaml file of `directory`, validated alone and then together."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CatalogError([CatalogIssue(display_path(directory), "", "is not a directory")])
    paths = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not paths:
        raise CatalogError([CatalogIssue(display_path(directory), "", "holds no *.yaml files")])
    issues: list[CatalogIssue] = []
    catalogs: list[Catalog] = []
    crosswalks: list[Crosswalk] = []
    for path in paths:
        try:
            loaded = load_file(path)
        except CatalogError as exc:
            issues.extend(exc.issues)
            continue
        (catalogs if isinstance(loaded, Catalog) else crosswalks).append(loaded)
    index: dict[str, CatalogControl] = {}
    owner: dict[str, str] = {}
    frameworks: dict[str, str] = {}
    for catalog in catalogs:
        if catalog.framework in frameworks:
            issues.append(
                CatalogIssue(
                    catalog.file,
                    "framework",
                    f"{catalog.framework!r} is also defined in {frameworks[catalog.framework]}",
                )
            )
            continue
        frameworks[catalog.framework] = catalog.file
        for n, control in enumerate(catalog.controls):
            if control.identifier in index:
                issues.append(
                    CatalogIssue(
                        catalog.file,
                        f"controls[{n}].identifier",
                        f"{control.identifier!r} is already used in {owner[control.identifier]}",
                    )
                )
                continue
            index[control.identifier] = control
            owner[control.identifier] = catalog.file
    if not issues:  # with a broken file, "unknown control" in the crosswalk would be noise
        _check_crosswalk(crosswalks, index, issues)
    if issues:
        raise CatalogError(issues)
    order = {key: n for n, key in enumerate(FRAMEWORKS)}
    catalogs.sort(key=lambda cat: order[cat.framework])
    entries = tuple(e for cw in crosswalks for e in cw.entries)
    version = "+".join(cw.catalog_version for cw in crosswalks)
    return CatalogSet(tuple(catalogs), entries, version, index)
