"""flask import suppliers|connections FILE (stub until the importer lands)."""

from __future__ import annotations


def register(app) -> None:
    return None
