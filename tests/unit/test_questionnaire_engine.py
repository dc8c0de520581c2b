"""The questionnaire engine without a database: loading, visibility, validation, completion."""

import pytest

from questionnaires.engine import (
    AnswerData,
    clean_answer,
    diff,
    missing,
    progress,
    score_answer,
    visible_keys,
)
from questionnaires.fields import AnswerError
from questionnaires.schema import TemplateError, dump_template, load_template

DOC = {
    "key": "mini",
    "name": "Mini",
    "sections": [
        {
            "key": "gov",
            "title": "Governance",
            "questions": [
                {
                    "key": "policy",
                    "text": "Policy?",
                    "type": "ynp",
                    "controls": ["GV.SC-01"],
                    "evidence": "when_yes",
                    "weight": 3,
                },
                {
                    "key": "owner",
                    "text": "Who owns it?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "in": ["yes", "partial"]},
                },
                {
                    "key": "reviewed",
                    "text": "Reviewed yearly?",
                    "type": "ynp",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "owner", "answered": True},
                },
            ],
        },
        {
            "key": "ops",
            "title": "Operations",
            "questions": [
                {
                    "key": "tier",
                    "text": "Tier",
                    "type": "single_choice",
                    "controls": ["SR-6"],
                    "options": [
                        {"value": "a", "label": "A", "score": 1},
                        {"value": "b", "label": "B", "score": 0.25},
                    ],
                },
                {
                    "key": "certs",
                    "text": "Certs",
                    "type": "multiple_choice",
                    "required": False,
                    "controls": ["SR-6"],
                    "options": [
                        {"value": "iso27001", "label": "ISO 27001", "score": 0.6},
                        {"value": "iso28000", "label": "ISO 28000", "score": 0.6},
                        {"value": "none", "label": "None", "score": 0},
                    ],
                },
                {
                    "key": "staff",
                    "text": "Staff",
                    "type": "number",
                    "min": 0,
                    "max": 100000,
                    "controls": ["SR-3"],
                    "required": False,
                },
                {
                    "key": "audit_date",
                    "text": "Last audit",
                    "type": "date",
                    "controls": ["SR-6"],
                    "show_when": {"question": "certs", "includes": "iso28000"},
                },
                {
                    "key": "report",
                    "text": "Upload your report",
                    "type": "file",
                    "controls": ["SR-6"],
                    "required": False,
                },
            ],
        },
    ],
}


@pytest.fixture
def template():
    return load_template(DOC)


def answers(**values):
    return {k: v if isinstance(v, AnswerData) else AnswerData(v) for k, v in values.items()}


def test_load_and_dump_round_trip(template):
    assert [q.key for q in template.questions] == [
        "policy",
        "owner",
        "reviewed",
        "tier",
        "certs",
        "staff",
        "audit_date",
        "report",
    ]
    assert load_template(dump_template(template)) == template


def test_invalid_template_lists_every_error_with_its_path():
    bad = {
        "key": "Bad Key",
        "name": "",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {"key": "q1", "text": "Q", "type": "colour", "controls": []},
                    {
                        "key": "q1",
                        "text": "Q",
                        "type": "ynp",
                        "controls": ["SR-1"],
                        "show_when": {"question": "ghost", "equals": "yes"},
                    },
                    {
                        "key": "q3",
                        "text": "Q",
                        "type": "single_choice",
                        "controls": ["SR-1"],
                        "options": [{"value": "x", "score": 2}],
                    },
                ],
            }
        ],
    }
    with pytest.raises(TemplateError) as info:
        load_template(bad)
    paths = {path for path, _ in info.value.errors}
    assert {
        "$.key",
        "$.name",
        "sections[0].questions[0].type",
        "sections[0].questions[0].controls",
        "sections[0].questions[1].key",
        "sections[0].questions[1].show_when.question",
        "sections[0].questions[2].options",
    } <= paths


def test_condition_must_point_to_an_earlier_question_and_a_real_option():
    doc = {
        "key": "t",
        "name": "T",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {
                        "key": "a",
                        "text": "A",
                        "type": "ynp",
                        "controls": ["X"],
                        "show_when": {"question": "b", "equals": "yes"},
                    },
                    {
                        "key": "b",
                        "text": "B",
                        "type": "ynp",
                        "controls": ["X"],
                        "show_when": {"question": "a", "equals": "maybe"},
                    },
                ],
            }
        ],
    }
    with pytest.raises(TemplateError) as info:
        load_template(doc)
    messages = dict(info.value.errors)
    assert "earlier question" in messages["sections[0].questions[0].show_when.question"]
    assert "no option 'maybe'" in messages["sections[0].questions[1].show_when.equals"]


def test_unknown_controls_are_refused_when_the_catalog_is_given():
    with pytest.raises(TemplateError, match="unknown control 'SR-3'"):
        load_template(DOC, known_controls={"GV.SC-01", "GV.SC-02", "SR-6"})


def test_chained_conditions(template):
    assert visible_keys(template, answers()) == {"policy", "tier", "certs", "staff", "report"}
    assert "owner" in visible_keys(template, answers(policy="partial"))
    assert "reviewed" not in visible_keys(template, answers(policy="yes"))
    assert "reviewed" in visible_keys(template, answers(policy="yes", owner="CISO"))
    # Hiding the first link hides the whole chain, even with answers still stored.
    assert not {"owner", "reviewed"} & visible_keys(template, answers(policy="no", owner="CISO"))
    assert "audit_date" in visible_keys(template, answers(certs=["iso28000"]))


def test_clean_answer_per_type(template):
    q = template.question
    assert clean_answer(q("policy"), "yes") == "yes"
    with pytest.raises(AnswerError):
        clean_answer(q("policy"), "maybe")
    with pytest.raises(AnswerError):
        clean_answer(q("tier"), "z")
    assert clean_answer(q("certs"), ["iso28000", "iso27001", "iso28000"]) == [
        "iso27001",
        "iso28000",
    ]
    assert clean_answer(q("staff"), "1,5") == 1.5
    assert clean_answer(q("staff"), "12") == 12
    for bad in ("lots", "-1", "1e9", "nan", True):
        with pytest.raises(AnswerError):
            clean_answer(q("staff"), bad)
    assert clean_answer(q("audit_date"), "2026-03-01") == "2026-03-01"
    with pytest.raises(AnswerError):
        clean_answer(q("audit_date"), "01/03/2026")
    assert clean_answer(q("owner"), "   ") is None
    with pytest.raises(AnswerError):
        clean_answer(q("owner"), "x" * 5001)


def test_scores(template):
    q = template.question
    assert score_answer(q("policy"), "yes") == 1.0
    assert score_answer(q("policy"), "partial") == 0.5
    assert score_answer(q("policy"), "na") is None
    assert score_answer(q("tier"), "b") == 0.25
    assert score_answer(q("certs"), ["iso27001", "iso28000"]) == 1.0
    assert score_answer(q("owner"), "someone") is None


def test_missing_lists_what_blocks_submission(template):
    found = missing(template, answers())
    assert [(m.question, m.reason) for m in found] == [
        ("policy", "unanswered"),
        ("tier", "unanswered"),
    ]
    found = missing(template, answers(policy="yes", tier="a"))
    assert [(m.question, m.reason) for m in found] == [
        ("policy", "evidence"),
        ("owner", "unanswered"),
    ]
    ready = answers(
        policy=AnswerData("yes", evidence_count=1),
        owner="CISO",
        reviewed=AnswerData("na", comment="We have no policy board"),
        tier="a",
    )
    assert missing(template, ready) == []
    unjustified = dict(ready, reviewed=AnswerData("na"))
    assert [m.reason for m in missing(template, unjustified)] == ["justify_na"]


def test_hidden_required_questions_do_not_block(template):
    assert [m.question for m in missing(template, answers(policy="no", tier="a"))] == []


def test_progress_counts_visible_required_questions(template):
    p = progress(template, answers())
    assert (p.done, p.required, p.percent) == (0, 2, 0)
    p = progress(template, answers(policy="no", tier="a", staff=5))
    assert (p.done, p.required, p.answered, p.percent) == (2, 2, 3, 100)
    assert progress(template, answers(policy="no"), section="gov").percent == 100
    assert progress(template, answers(policy="no"), section="ops").percent == 0


def test_diff_between_rounds(template):
    before = answers(policy="partial", owner="Ops", tier="a")
    after = answers(policy="yes", owner="Ops", tier="a", staff=40)
    changes = diff(template, before, after)
    assert [(c.question, c.kind, c.before, c.after) for c in changes] == [
        ("policy", "changed", "partial", "yes"),
        ("staff", "added", None, 40),
    ]
    with_file = dict(after, report=AnswerData(None, evidence_count=1))
    assert [c.kind for c in diff(template, after, with_file)] == ["evidence"]
