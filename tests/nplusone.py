"""An N+1 query detector for the test suite (SQLAlchemy 2 ORM events).

The N+1 pattern: a query returns N objects, then the code touches a lazy relationship on
each of them, one SELECT per object. The detector sees it through two ORM events:

- `load` (every mapped class): objects built from the rows of ONE query execution share a
  group (the run id of the QueryContext they were loaded with);
- `do_orm_execute`: a lazy load carries the object it loads for
  (`ORMExecuteState.lazy_loaded_from`) and the relationship (`loader_strategy_path`).

When the same relationship is lazily loaded (with SQL) for a second object of the same
group, that is an N+1 and NPlusOneError is raised on the spot, naming the relationship and
the fix. A single lazy load (a detail page touching `supplier.owner`) is fine; a many-to-one
lazy load answered from the identity map issues no SQL and is not counted.

The `nplusone_guard` fixture in tests/conftest.py turns it on for every web test, inside
requests only (not in the tests' own setup). For the rare justified case:

    with allow_nplusone("Answer.comments", reason="..."):
        client.get(...)

Eager loading (selectinload / joinedload / subqueryload) is never flagged: those loads
are one statement for the whole group and carry no `lazy_loaded_from`.
"""

from __future__ import annotations

import contextlib
import traceback
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session


class NPlusOneError(Exception):
    """A relationship was lazily loaded, one query per object, for a group of objects."""


@dataclass
class _Tracker:
    """What one session has loaded: object -> group, group sizes, lazy loads per group."""

    groups: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)
    sizes: dict[int, int] = field(default_factory=dict)
    lazy: dict[tuple[int, str], int] = field(default_factory=dict)


@dataclass
class _State:
    active: bool = False
    only_in_request: bool = True
    allowed: list[set[str] | None] = field(default_factory=list)  # None: allow everything
    found: list[str] = field(default_factory=list)
    trackers: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)


_state = _State()
_installed = False


def _checking() -> bool:
    if not _state.active:
        return False
    if _state.only_in_request:
        from flask import has_request_context

        return has_request_context()
    return True


def _allowed(name: str) -> bool:
    return any(a is None or name in a for a in _state.allowed)


def _scope(session: Session):
    """What one tracker covers: the current request (a test client may keep one session
    across requests), else the session."""
    from flask import globals as flask_globals
    from flask import has_request_context

    if has_request_context():
        return (flask_globals.request_ctx._get_current_object(), session)
    return (None, session)


def _tracker(session: Session) -> _Tracker:
    owner, session = _scope(session)
    per_session = _state.trackers.get(owner if owner is not None else session)
    if per_session is None:
        per_session = _state.trackers[owner if owner is not None else session] = {}
    key = id(session)
    if key not in per_session:
        per_session[key] = (weakref.ref(session), _Tracker())
    ref, tracker = per_session[key]
    if ref() is not session:  # a new session at a reused address
        tracker = _Tracker()
        per_session[key] = (weakref.ref(session), tracker)
    return tracker


def _group_of(context) -> int:
    """A number for one query execution: SQLAlchemy's run id, new for each load run."""
    return context.runid


def _on_load(target, context) -> None:
    if not _checking():
        return
    session = context.session
    if session is None:
        return
    tracker = _tracker(session)
    group = _group_of(context)
    try:
        tracker.groups[target] = group
    except TypeError:
        return
    tracker.sizes[group] = tracker.sizes.get(group, 0) + 1


def _relationship_name(state) -> str:
    path = state.loader_strategy_path
    if path is None or len(path) < 2:
        return "?"
    prop = path[-1]
    owner = getattr(getattr(prop, "parent", None), "class_", None)
    return f"{owner.__name__ if owner else '?'}.{getattr(prop, 'key', prop)}"


_ROOT = Path(__file__).resolve().parent.parent


def _where() -> str:
    """The innermost application frames (Python and templates) that did the lazy load."""
    frames = []
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if ".venv" in path.parts or "site-packages" in path.parts or path.name == "nplusone.py":
            continue
        try:
            shown = path.resolve().relative_to(_ROOT)
        except ValueError:
            continue
        frames.append(f"{shown}:{frame.lineno} ({frame.name})")
        if len(frames) == 3:
            break
    return f", at {' <- '.join(frames)}" if frames else ""


def _on_execute(orm_state) -> None:
    if not _checking() or not orm_state.is_select:
        return
    parent = orm_state.lazy_loaded_from
    if parent is None:
        return
    obj = parent.obj()
    if obj is None:
        return
    tracker = _tracker(orm_state.session)
    group = tracker.groups.get(obj)
    if group is None or tracker.sizes.get(group, 0) < 2:
        return
    name = _relationship_name(orm_state)
    key = (group, name)
    tracker.lazy[key] = tracker.lazy.get(key, 0) + 1
    if tracker.lazy[key] != 2 or _allowed(name):
        return
    message = (
        f"N+1 query: {name} is lazily loaded once per object for the "
        f"{tracker.sizes[group]} {type(obj).__name__} objects one query returned{_where()}. "
        f"Load it with the list (selectinload({name}) or joinedload({name})) in the "
        "service query, or wrap a justified case in tests.nplusone.allow_nplusone()."
    )
    _state.found.append(message)
    raise NPlusOneError(message)


def install() -> None:
    """Register the ORM listeners once (they do nothing until `detecting` is active)."""
    global _installed
    if _installed:
        return
    event.listen(Mapper, "load", _on_load)
    event.listen(Session, "do_orm_execute", _on_execute)
    _installed = True


@contextlib.contextmanager
def detecting(*, only_in_request: bool = True) -> Iterator[list[str]]:
    """Check for N+1 loads inside the block; yields the list of problems found.

    `only_in_request` limits the check to code running inside a Flask request (the
    application under test), not the test's own setup code.
    """
    install()
    before = (_state.active, _state.only_in_request, _state.found)
    _state.active, _state.only_in_request, _state.found = True, only_in_request, []
    found = _state.found
    try:
        yield found
    finally:
        _state.active, _state.only_in_request, _state.found = before
        _state.trackers = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def allow_nplusone(*relationships: str, reason: str) -> Iterator[None]:
    """Allow the N+1 pattern inside the block: for the named relationships
    ("Class.attribute"), or for every relationship when none is named. Say why."""
    if not reason.strip():
        raise ValueError("allow_nplusone needs a reason")
    entry: set[str] | None = set(relationships) or None
    _state.allowed.append(entry)
    depth = len(_state.allowed)
    try:
        yield
    finally:
        del _state.allowed[depth - 1 :]


def report(found: list[str]) -> str:
    return "\n".join(dict.fromkeys(found))


__all__: list[str] = [
    "NPlusOneError",
    "allow_nplusone",
    "detecting",
    "install",
    "report",
]
