"""Pure finding rules: which framework a control is in, milestone lines, reminders."""

from __future__ import annotations

import datetime as dt

from risk_models.findings import (
    MAX_MILESTONES,
    Milestone,
    framework_of,
    needs_reminder,
    parse_milestones,
)

D = dt.date(2026, 3, 1)


def test_framework_of_each_catalogs_identifiers():
    assert framework_of("GV.SC-07") == "csf2"
    assert framework_of("ISO28000-8.2") == "iso28000"
    assert framework_of("SR-6") == framework_of("AC-17") == framework_of("SR-3(1)") == "sp800-53r5"
    assert framework_of("") == ""


def test_milestones_parse_sorted_with_any_separator():
    text = "2026-04-30 — Roll out MFA to all vendor accounts\n\n2026-03-15: Pick the MFA product\n"
    milestones, problems = parse_milestones(text, not_before=D, not_after=dt.date(2026, 5, 1))
    assert problems == []
    assert milestones == [
        Milestone(dt.date(2026, 3, 15), "Pick the MFA product"),
        Milestone(dt.date(2026, 4, 30), "Roll out MFA to all vendor accounts"),
    ]


def test_each_bad_milestone_line_is_named():
    text = "\n".join(
        [
            "next week: do it",  # 1: no date
            "2026-03-10",  # 2: no step
            "2026-02-01 too early",  # 3: before not_before
            "2026-06-01 too late",  # 4: after the target
            "2026-03-20 fine",
        ]
    )
    milestones, problems = parse_milestones(text, not_before=D, not_after=dt.date(2026, 5, 1))
    assert [m.title for m in milestones] == ["fine"]
    assert [p.split(":")[0] for p in problems] == ["Line 1", "Line 2", "Line 3", "Line 4"]
    assert "after the plan's target date 2026-05-01" in problems[3]


def test_too_many_milestones_are_refused_whole():
    text = "\n".join(f"2026-04-{n:02d} step {n}" for n in range(1, MAX_MILESTONES + 2))
    milestones, problems = parse_milestones(text, not_before=D)
    assert milestones == [] and "At most" in problems[0]


def test_reminders_a_week_before_and_weekly():
    today = dt.date(2026, 3, 10)
    assert not needs_reminder(today + dt.timedelta(days=8), None, today)
    assert needs_reminder(today + dt.timedelta(days=7), None, today)
    assert needs_reminder(today - dt.timedelta(days=30), None, today)  # overdue
    assert not needs_reminder(today, today - dt.timedelta(days=6), today)
    assert needs_reminder(today, today - dt.timedelta(days=7), today)
