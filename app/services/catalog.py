"""Control catalogs in the database: sync from the YAML files, list, search, crosswalk, CSV.

`sync_catalogs` upserts every control by (framework, identifier) and replaces the crosswalk
links with the file's; a control that left the files is marked withdrawn, never deleted
(questionnaires and answers may still point at it). Running it twice changes nothing the
second time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Control, CrosswalkLink
from app.services import Actor
from app.services.audit import record
from app.services.tabular import neutralise
from questionnaires import catalog as files

FIELDS = ("title", "summary", "family", "parent_identifier", "sort_key", "catalog_version")
REASONED = "Reasoned"


@dataclass
class SyncResult:
    """What a sync did, counted."""

    frameworks: int = 0
    added: int = 0
    changed: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    links_added: int = 0
    links_changed: int = 0
    links_removed: int = 0

    @property
    def touched(self) -> bool:
        return any(
            (self.added, self.changed, self.withdrawn, self.links_added, self.links_changed)
        ) or bool(self.links_removed)

    def summary(self) -> str:
        return (
            f"Catalogs synced ({self.frameworks} frameworks): {self.added} added, "
            f"{self.changed} changed, {self.withdrawn} withdrawn, {self.unchanged} unchanged; "
            f"crosswalk: {self.links_added} added, {self.links_changed} changed, "
            f"{self.links_removed} removed."
        )


def framework_name(key: str) -> str:
    return files.FRAMEWORKS.get(key, key)


def _values(control: files.CatalogControl, version: str) -> dict:
    return {
        "title": control.title,
        "summary": control.summary,
        "family": control.family,
        "parent_identifier": control.parent_identifier,
        "sort_key": control.sort_key,
        "catalog_version": version,
    }


def sync_catalogs(
    session: Session, actor: Actor, catalogs: files.CatalogSet | None = None
) -> SyncResult:
    """Bring Control and CrosswalkLink in line with the catalog files (audited when it changes).

    Raises questionnaires.catalog.CatalogError (before writing anything) when a file is bad.
    """
    catalogs = catalogs if catalogs is not None else files.load_directory()
    result = SyncResult(frameworks=len(catalogs.catalogs))
    existing = {(c.framework, c.identifier): c for c in session.scalars(select(Control))}
    wanted: set[tuple[str, str]] = set()
    for catalog in catalogs.catalogs:
        for item in catalog.controls:
            key = (item.framework, item.identifier)
            wanted.add(key)
            values = _values(item, catalog.catalog_version)
            row = existing.get(key)
            if row is None:
                row = Control(framework=item.framework, identifier=item.identifier, **values)
                row.withdrawn = item.withdrawn
                session.add(row)
                existing[key] = row
                result.added += 1
                continue
            differs = [name for name, value in values.items() if getattr(row, name) != value]
            for name in differs:
                setattr(row, name, values[name])
            if row.withdrawn != item.withdrawn:
                row.withdrawn = item.withdrawn
                differs.append("withdrawn")
            if differs:
                result.changed += 1
            else:
                result.unchanged += 1
    for key, row in existing.items():
        if key not in wanted and not row.withdrawn:
            row.withdrawn = True
            result.withdrawn += 1
    session.flush()
    _sync_links(session, catalogs, existing, result)
    if result.touched:
        record(
            session,
            actor,
            "catalog_sync",
            "catalog",
            "",
            result.summary(),
            after={
                "versions": {c.framework: c.catalog_version for c in catalogs.catalogs},
                "crosswalk_version": catalogs.crosswalk_version,
                "added": result.added,
                "changed": result.changed,
                "withdrawn": result.withdrawn,
                "links_added": result.links_added,
                "links_changed": result.links_changed,
                "links_removed": result.links_removed,
            },
        )
    return result


def _sync_links(
    session: Session,
    catalogs: files.CatalogSet,
    controls: dict[tuple[str, str], Control],
    result: SyncResult,
) -> None:
    by_identifier = {c.identifier: c for c in controls.values() if not c.withdrawn}
    current = {
        (link.source_id, link.target_id): link for link in session.scalars(select(CrosswalkLink))
    }
    wanted: set[tuple[int, int]] = set()
    for entry in catalogs.crosswalk:
        source, target = by_identifier[entry.source], by_identifier[entry.target]
        key = (source.id, target.id)
        wanted.add(key)
        link = current.get(key)
        if link is None:
            session.add(
                CrosswalkLink(
                    source_id=source.id,
                    target_id=target.id,
                    relation=entry.relation,
                    note=entry.stored_note,
                )
            )
            result.links_added += 1
        elif (link.relation, link.note) != (entry.relation, entry.stored_note):
            link.relation, link.note = entry.relation, entry.stored_note
            result.links_changed += 1
    for key, link in current.items():
        if key not in wanted:
            session.delete(link)
            result.links_removed += 1
    session.flush()


def sync_from_directory(session: Session, actor: Actor, directory: Path | str) -> SyncResult:
    return sync_catalogs(session, actor, files.load_directory(directory))


# --- reading -----------------------------------------------------------------------------


def _framework_rank(column):
    """Sort by the framework order of FRAMEWORKS rather than alphabetically."""
    keys = list(files.FRAMEWORKS)
    return case({key: n for n, key in enumerate(keys)}, value=column, else_=len(keys))


@dataclass
class FrameworkGroup:
    """One framework's controls as a page lists them, split by family."""

    key: str
    name: str
    version: str
    controls: list[Control] = field(default_factory=list)

    @property
    def families(self) -> list[tuple[str, list[Control]]]:
        groups: dict[str, list[Control]] = {}
        for control in self.controls:
            groups.setdefault(control.family, []).append(control)
        return list(groups.items())


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def list_controls(
    session: Session,
    *,
    framework: str | None = None,
    q: str = "",
    include_withdrawn: bool = False,
) -> list[Control]:
    """Controls in catalog order; every word of `q` must appear in the identifier or title."""
    stmt = select(Control)
    if framework:
        stmt = stmt.where(Control.framework == framework)
    if not include_withdrawn:
        stmt = stmt.where(Control.withdrawn.is_(False))
    for word in q.split()[:8]:
        pattern = _like(word)
        stmt = stmt.where(
            or_(
                func.lower(Control.identifier).like(pattern, escape="\\"),
                func.lower(Control.title).like(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(_framework_rank(Control.framework), Control.sort_key, Control.id)
    return list(session.scalars(stmt))


def grouped(controls: list[Control]) -> list[FrameworkGroup]:
    """Controls grouped by framework, in the framework order of the catalogs."""
    groups: dict[str, FrameworkGroup] = {}
    for control in controls:
        group = groups.get(control.framework)
        if group is None:
            group = groups[control.framework] = FrameworkGroup(
                control.framework, framework_name(control.framework), control.catalog_version
            )
        group.controls.append(control)
    return list(groups.values())


def counts_by_framework(session: Session) -> dict[str, int]:
    """Live (not withdrawn) controls per framework."""
    rows = session.execute(
        select(Control.framework, func.count())
        .where(Control.withdrawn.is_(False))
        .group_by(Control.framework)
    )
    return {framework: n for framework, n in rows}


def known_identifiers(session: Session) -> set[str]:
    """Identifiers a questionnaire question may map to (live controls only)."""
    return set(session.scalars(select(Control.identifier).where(Control.withdrawn.is_(False))))


def get_control(session: Session, control_id: int) -> Control | None:
    return session.get(Control, control_id)


def find_control(session: Session, identifier: str) -> Control | None:
    return session.scalar(select(Control).where(Control.identifier == identifier).limit(1))


@dataclass
class LinkView:
    """One crosswalk link seen from one side: the control at the other end and the note."""

    control: Control
    note: str
    relation: str

    @property
    def reasoned(self) -> bool:
        return self.note.startswith(REASONED)

    @property
    def reason(self) -> str:
        """The note without its basis prefix (pages show the basis as a badge)."""
        for label in files.BASES.values():
            if self.note.startswith(f"{label}: "):
                return self.note[len(label) + 2 :]
        return "" if self.note in files.BASES.values() else self.note


@dataclass
class ControlDetail:
    control: Control
    parent: Control | None
    enhancements: list[Control]
    supports: list[LinkView]  # outcomes this control supports (it is the target)
    supported_by: list[FrameworkGroup]  # controls supporting this outcome, by framework
    supported_by_links: dict[int, LinkView]


def control_detail(session: Session, control: Control) -> ControlDetail:
    """A control with its parent, its enhancements and its crosswalk links both ways."""
    parent = None
    if control.parent_identifier:
        parent = session.scalar(
            select(Control).where(
                Control.framework == control.framework,
                Control.identifier == control.parent_identifier,
            )
        )
    enhancements = list(
        session.scalars(
            select(Control)
            .where(
                Control.framework == control.framework,
                Control.parent_identifier == control.identifier,
            )
            .order_by(Control.sort_key, Control.id)
        )
    )
    source = aliased(Control)
    supports = [
        LinkView(src, link.note, link.relation)
        for link, src in session.execute(
            select(CrosswalkLink, source)
            .join(source, CrosswalkLink.source_id == source.id)
            .where(CrosswalkLink.target_id == control.id)
            .order_by(source.sort_key, source.id)
        )
    ]
    target = aliased(Control)
    links: dict[int, LinkView] = {}
    targets: list[Control] = []
    for link, tgt in session.execute(
        select(CrosswalkLink, target)
        .join(target, CrosswalkLink.target_id == target.id)
        .where(CrosswalkLink.source_id == control.id)
        .order_by(_framework_rank(target.framework), target.sort_key, target.id)
    ):
        links[tgt.id] = LinkView(tgt, link.note, link.relation)
        targets.append(tgt)
    return ControlDetail(control, parent, enhancements, supports, grouped(targets), links)


@dataclass
class CrosswalkRow:
    """One CSF outcome and the controls supporting it, per target framework."""

    source: Control
    targets: dict[str, list[LinkView]]


def crosswalk_rows(session: Session) -> list[CrosswalkRow]:
    """Every CSF outcome (even one without links) with its supporting controls."""
    source, target = aliased(Control), aliased(Control)
    outcomes = list(
        session.scalars(
            select(Control)
            .where(Control.framework == "csf2", Control.withdrawn.is_(False))
            .order_by(Control.sort_key, Control.id)
        )
    )
    rows = {c.id: CrosswalkRow(c, {}) for c in outcomes}
    pairs = session.execute(
        select(CrosswalkLink, source, target)
        .join(source, CrosswalkLink.source_id == source.id)
        .join(target, CrosswalkLink.target_id == target.id)
        .order_by(source.sort_key, _framework_rank(target.framework), target.sort_key, target.id)
    )
    for link, src, tgt in pairs:
        row = rows.get(src.id)
        if row is None:
            continue
        row.targets.setdefault(tgt.framework, []).append(LinkView(tgt, link.note, link.relation))
    return list(rows.values())


def target_frameworks(rows: list[CrosswalkRow]) -> list[tuple[str, str]]:
    """(key, name) of the frameworks the crosswalk maps to, in catalog order."""
    present = {key for row in rows for key in row.targets}
    return [(key, framework_name(key)) for key in files.FRAMEWORKS if key in present]


CSV_HEADER = [
    "csf_outcome",
    "csf_title",
    "target_framework",
    "target_identifier",
    "target_title",
    "relation",
    "note",
]


def crosswalk_csv(session: Session) -> str:
    """The crosswalk as CSV, one line per link; cells a spreadsheet would run are quoted off."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in crosswalk_rows(session):
        for framework, links in row.targets.items():
            for link in links:
                cells = [
                    row.source.identifier,
                    row.source.title,
                    framework,
                    link.control.identifier,
                    link.control.title,
                    link.relation,
                    link.note,
                ]
                writer.writerow([neutralise(str(cell)) for cell in cells])
    return "\ufeff" + buffer.getvalue()
