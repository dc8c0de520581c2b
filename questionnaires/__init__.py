"""Questionnaire catalogs, templates and answer logic: pure Python (no Flask, no database)."""
