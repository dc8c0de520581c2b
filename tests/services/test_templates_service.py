"""Template service: YAML import, the versioning rule, publishing, export, sync, builder edits."""

from __future__ import annotations

import copy

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Control, QuestionnaireTemplate, TemplateVersion
from app.services import Actor, ServiceError
from app.services import template_builder as edits
from app.services import templates as service
from tests import factories

ACTOR = Actor(user_id=None, email="analyst@example.com", role="analyst")

DOC = {
    "key": "vendor-check",
    "name": "Vendor check für Müller Präzisionsteile",
    "description": "Kurz.",
    "scope": "supplier",
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
                },
                {
                    "key": "owner",
                    "text": "Who owns it?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "equals": "yes"},
                },
                {
                    "key": "tier",
                    "text": "Tier",
                    "type": "single_choice",
                    "controls": ["SR-6"],
                    "options": [
                        {"value": "a", "label": "A", "score": 1},
                        {"value": "b", "label": "B", "score": 0.2},
                    ],
                },
            ],
        },
        {
            "key": "ops",
            "title": "Operations",
            "questions": [
                {"key": "mfa", "text": "MFA?", "type": "ynp", "controls": ["SR-6"]},
            ],
        },
    ],
}


def _yaml(doc=DOC) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(QuestionnaireTemplate)),
        db.session.scalar(select(func.count()).select_from(TemplateVersion)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _import(doc=DOC, **kwargs):
    result = service.import_yaml(db.session, ACTOR, _yaml(doc), **kwargs)
    db.session.commit()
    return result


def _edited(doc=DOC, text="Do you have a policy?"):
    changed = copy.deepcopy(doc)
    changed["sections"][0]["questions"][0]["text"] = text
    return changed


def test_import_creates_a_draft_version_1_with_an_audit_event(app):
    with app.app_context():
        result = _import()
        assert result.outcome == "created"
        template, version = result.template, result.version
        assert (template.key, template.name, template.scope) == (
            "vendor-check",
            DOC["name"],
            "supplier",
        )
        assert (version.number, version.status, version.question_count) == (1, "draft", 4)
        assert version.definition["sections"][0]["questions"][0]["key"] == "policy"
        assert len(version.content_hash) == 64
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event.action == "template.create" and "vendor-check" in event.summary


def test_identical_reimport_creates_nothing(app):
    with app.app_context():
        _import()
        before = _counts()
        # Same content in another key order and layout is still the same content.
        reordered = {k: DOC[k] for k in reversed(list(DOC))}
        result = _import(reordered)
        assert result.outcome == "unchanged" and not result.changed
        assert _counts() == before


def test_unused_draft_is_updated_in_place(app):
    with app.app_context():
        first = _import()
        result = service.save_version(db.session, ACTOR, first.template, _edited())
        db.session.commit()
        assert result.outcome == "updated"
        assert result.version.id == first.version.id and result.version.number == 1
        assert result.version.definition["sections"][0]["questions"][0]["text"] == (
            "Do you have a policy?"
        )
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 1


def test_published_version_is_never_changed_a_new_draft_is_made(app):
    with app.app_context():
        first = _import(publish_it=True)
        assert first.version.status == "published" and first.version.published_at
        old_hash = first.version.content_hash
        result = service.save_version(db.session, ACTOR, first.template, _edited())
        db.session.commit()
        assert result.outcome == "new_version" and result.version.number == 2
        assert result.version.status == "draft"
        assert "version 1 is published" in result.summary()
        db.session.refresh(first.version)
        assert first.version.content_hash == old_hash
        assert first.version.definition["sections"][0]["questions"][0]["text"] == "Policy?"
        # The new draft is then edited in place.
        again = service.save_version(db.session, ACTOR, first.template, _edited(text="Policy 3?"))
        assert (again.outcome, again.version.number) == ("updated", 2)


def test_version_used_by_an_assessment_keeps_its_content(app):
    with app.app_context():
        first = _import()
        supplier = factories.make_supplier(db.session, legal_name="Công ty TNHH Thép Việt")
        # Even a draft (made so by hand here) is frozen once an assessment uses it.
        assessment = factories.make_assessment(db.session, supplier, first.version)
        db.session.commit()
        result = service.save_version(db.session, ACTOR, first.template, _edited())
        db.session.commit()
        assert result.outcome == "new_version" and "in use" in result.summary()
        db.session.refresh(assessment)
        assert assessment.template_version_id == first.version.id
        assert assessment.template_version.definition == first.version.definition
        assert service.usage_counts(db.session, [first.version.id]) == {first.version.id: 1}


def test_reimport_after_edits_makes_a_new_version_but_not_for_an_old_content(app):
    with app.app_context():
        _import(publish_it=True)
        second = _import(_edited())
        assert (second.outcome, second.version.number) == ("new_version", 2)
        # The original file again: it matches version 1, so nothing is created or undone.
        assert _import().outcome == "unchanged"
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 2


def test_invalid_documents_list_every_path_and_write_nothing(app):
    bad = copy.deepcopy(DOC)
    bad["sections"][0]["questions"][1]["show_when"] = {"question": "ghost", "equals": "yes"}
    bad["sections"][0]["questions"][2]["options"][1]["score"] = 2
    bad["sections"][1]["questions"].append(dict(bad["sections"][1]["questions"][0]))
    with app.app_context():
        before = _counts()
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_yaml(db.session, ACTOR, _yaml(bad))
        db.session.rollback()
        paths = {path for path, _ in info.value.problems}
        assert paths == {
            "sections[0].questions[1].show_when.question",
            "sections[0].questions[2].options[1].score",
            "sections[1].questions[1].key",
        }
        assert (
            "unknown question 'ghost'"
            in info.value.errors["sections[0].questions[1].show_when.question"]
        )
        assert _counts() == before


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("key: x\nname: [unclosed\n", "line 3, column 1"),
        ("key: x\n  name: y\n", "line 2, column 7"),
        ("", "$"),
        (b"\xff\xfe\x00bad", "$"),
        ("- just\n- a list\n", "$"),
        ("[" * 5000 + "]" * 5000, "$"),
    ],
)
def test_unreadable_yaml_says_where(app, text, where):
    with app.app_context():
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_yaml(db.session, ACTOR, text)
        assert info.value.problems[0][0] == where


def test_control_characters_and_alias_bombs_are_refused(app):
    with app.app_context():
        bad = copy.deepcopy(DOC)
        bad["sections"][0]["questions"][0]["text"] = "Policy\x00?"
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_document(db.session, ACTOR, bad)
        assert info.value.problems == [
            ("sections[0].questions[0].text", "contains invisible control characters")
        ]
        bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_yaml(db.session, ACTOR, bomb)
        assert "more than" in info.value.problems[0][1]
        deep = copy.deepcopy(DOC)
        condition = {"question": "policy", "equals": "yes"}
        for _ in range(3000):
            condition = {"all": [condition]}
        deep["sections"][0]["questions"][1]["show_when"] = condition
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_document(db.session, ACTOR, deep)
        assert info.value.problems == [("$", "conditions are nested too deeply")]


def test_controls_are_checked_against_the_catalog_once_loaded(app):
    with app.app_context():
        db.session.add_all(
            [
                Control(framework="csf2", identifier="GV.SC-01", title="Program"),
                Control(framework="csf2", identifier="GV.SC-02", title="Roles"),
                Control(framework="sp800-53r5", identifier="SR-5", title="Acquisition"),
                Control(framework="sp800-53r5", identifier="SR-6", title="Old", withdrawn=True),
            ]
        )
        db.session.flush()
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_document(db.session, ACTOR, DOC)
        assert info.value.errors == {
            "sections[0].questions[2].controls": "unknown control 'SR-6'",
            "sections[1].questions[0].controls": "unknown control 'SR-6'",
        }


def test_key_cannot_change_and_stale_edits_are_refused(app):
    with app.app_context():
        first = _import()
        other = dict(DOC, key="another-key")
        with pytest.raises(service.TemplateInvalid) as info:
            service.save_version(db.session, ACTOR, first.template, other)
        assert "$.key" in info.value.errors
        with pytest.raises(ServiceError, match="changed since you opened"):
            service.save_version(db.session, ACTOR, first.template, _edited(), base_hash="0" * 64)
        ok = service.save_version(
            db.session, ACTOR, first.template, _edited(), base_hash=first.version.content_hash
        )
        assert ok.outcome == "updated"


def test_too_long_key_is_refused_before_the_database(app):
    with app.app_context():
        with pytest.raises(service.TemplateInvalid) as info:
            service.import_document(db.session, ACTOR, dict(DOC, key="k" * 61))
        assert info.value.errors == {"$.key": "must be at most 60 characters"}


def test_publish_once_and_sendable_versions(app):
    with app.app_context():
        first = _import()
        assert service.sendable_versions(db.session) == []
        service.publish(db.session, ACTOR, first.version)
        with pytest.raises(ServiceError, match="already published"):
            service.publish(db.session, ACTOR, first.version)
        second = service.save_version(db.session, ACTOR, first.template, _edited())
        db.session.commit()
        # The draft version 2 is not sendable yet: version 1 still is.
        assert [v.id for v in service.sendable_versions(db.session)] == [first.version.id]
        assert service.sendable_versions(db.session, scope="connection") == []
        service.publish(db.session, ACTOR, second.version)
        assert [v.number for v in service.sendable_versions(db.session)] == [2]
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions.count("template.version.publish") == 2


def test_export_is_yaml_that_imports_back_unchanged(app):
    with app.app_context():
        first = _import()
        text = service.export_yaml(first.version)
        assert text.startswith("# Vendor check für Müller Präzisionsteile: version 1 (draft)")
        assert "Müller" in text  # not escaped
        assert list(yaml.safe_load(text))[:4] == ["key", "name", "description", "scope"]
        assert service.import_yaml(db.session, ACTOR, text).outcome == "unchanged"
        assert service.export_filename(first.version) == "vendor-check-v1.yaml"
        assert service.find_version(db.session, "vendor-check").id == first.version.id
        assert service.find_version(db.session, "vendor-check", 7) is None


def test_sync_loads_the_shipped_templates_published_and_is_idempotent(app):
    with app.app_context():
        results = service.sync_shipped(db.session, ACTOR)
        db.session.commit()
        assert [(name, r.outcome, r.version.status) for name, r in results] == [
            ("connection-security.yaml", "created", "published"),
            ("cscrm-core.yaml", "created", "published"),
            ("iso28000.yaml", "created", "published"),
        ]
        before = _counts()
        assert {r.outcome for _, r in service.sync_shipped(db.session, ACTOR)} == {"unchanged"}
        assert _counts() == before
        # An analyst's edit is not undone by the next sync.
        core = service.get_by_key(db.session, "cscrm-core")
        doc = service.document_of(core.versions[0])
        doc["name"] = "C-SCRM Core (ours)"
        service.save_version(db.session, ACTOR, core, doc)
        service.sync_shipped(db.session, ACTOR)
        assert [v.number for v in core.versions] == [1, 2] and core.name == "C-SCRM Core (ours)"


def test_shipped_templates_load_against_the_shipped_catalog(app):
    catalog = pytest.importorskip("app.services.catalog")
    with app.app_context():
        catalog.sync_catalogs(db.session, ACTOR)
        assert service.known_controls(db.session)
        results = service.sync_shipped(db.session, ACTOR)
        assert [r.version.question_count for _, r in results] == [20, 66, 42]
        titles = service.control_titles(db.session)
        assert titles["SR-6"] == "Supplier Assessments and Reviews"


def test_sync_refuses_every_bad_file_and_writes_nothing(app, tmp_path):
    (tmp_path / "good.yaml").write_text(_yaml(), encoding="utf-8")
    bad = copy.deepcopy(DOC)
    bad["key"] = "bad"
    bad["sections"][0]["questions"][0]["type"] = "colour"
    (tmp_path / "bad.yaml").write_text(_yaml(bad), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("key: [", encoding="utf-8")
    with app.app_context():
        before = _counts()
        with pytest.raises(service.TemplateInvalid) as info:
            service.sync_shipped(db.session, ACTOR, tmp_path)
        db.session.rollback()
        paths = [path for path, _ in info.value.problems]
        assert paths[0] == "bad.yaml: sections[0].questions[0].type"
        assert paths[-1].startswith("broken.yaml: line 1")
        assert not any(p.startswith("good.yaml") for p in paths)
        assert _counts() == before


def test_condition_text_and_explained_paths(app):
    with app.app_context():
        template = service.template_of(_import().version)
        owner = template.question("owner")
        assert service.condition_text(template, owner.show_when) == "policy is “Yes”"
        assert service.explain_path(DOC, "sections[0].questions[1].show_when.question") == (
            "Section 1 “Governance” › question owner › show_when.question"
        )
        assert service.explain_path(DOC, "$.name") == "$.name"


# --- builder edits -------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "section": "gov",
        "key": "audit",
        "text": "When was your last audit?",
        "type": "date",
        "required": True,
        "weight": "2",
        "evidence": "none",
        "controls": "SR-6, GV.SC-07",
    }
    data.update(overrides)
    return data


def test_builder_adds_edits_and_renames_a_question(app):
    with app.app_context():
        template = _import(publish_it=True).template
        added = edits.save_question(db.session, ACTOR, template, None, _form())
        assert (added.outcome, added.version.number) == ("new_version", 2)
        question = added.version.definition["sections"][0]["questions"][-1]
        assert question == {
            "key": "audit",
            "text": "When was your last audit?",
            "type": "date",
            "required": True,
            "weight": 2,
            "controls": ["SR-6", "GV.SC-07"],
        }
        choice = _form(
            key="level",
            type="single_choice",
            options="high | High | 1\nlow | Low | 0,25\nunsure",
            cond_question="policy",
            cond_op="in",
            cond_value="Yes, partial",
        )
        saved = edits.save_question(db.session, ACTOR, template, "audit", choice)
        assert saved.outcome == "updated"
        question = saved.version.definition["sections"][0]["questions"][-1]
        assert question["options"] == [
            {"value": "high", "label": "High", "score": 1},
            {"value": "low", "label": "Low", "score": 0.25},
            {"value": "unsure", "label": "unsure", "score": None},
        ]
        assert question["show_when"] == {"question": "policy", "in": ["yes", "partial"]}
        # Renaming a question renames it in the conditions that use it.
        data = edits.question_form_data(saved.version.definition["sections"][0]["questions"][0])
        renamed = edits.save_question(
            db.session, ACTOR, template, "policy", {**data, "section": "gov", "key": "c_policy"}
        )
        owner = renamed.version.definition["sections"][0]["questions"][1]
        assert owner["show_when"] == {"question": "c_policy", "equals": "yes"}


BAD_QUESTIONS = [
    ({"cond_question": "ghost", "cond_value": "yes"}, "cond_question", "unknown question"),
    ({"cond_question": "mfa", "cond_value": "yes"}, "cond_question", "earlier question"),
    ({"cond_question": "policy", "cond_value": "maybe"}, "cond_value", "no option 'maybe'"),
    (
        {"cond_question": "policy", "cond_op": "answered", "cond_value": "perhaps"},
        "cond_value",
        "yes or no",
    ),
    ({"key": "mfa"}, "key", "already uses the key 'mfa'"),
    ({"key": "Bad Key"}, "key", "lower-case"),
    (
        {"type": "single_choice", "options": "a | A | 1\nb | B | 2"},
        "options",
        "Option 2: must be a number from 0 to 1",
    ),
    (
        {"type": "single_choice", "options": "a | A | x\nb"},
        "options",
        "Option 1: must be a number",
    ),
    ({"type": "single_choice", "options": "a|b|c|d"}, "options", "Line 1"),
    ({"type": "single_choice", "options": "only"}, "options", "at least two options"),
    ({"type": "ynp", "score_partial": "1.5"}, "score_partial", "from 0 to 1"),
    ({"type": "text", "evidence": "when_yes"}, "evidence", "when_yes applies"),
    ({"type": "number", "min": "ten"}, "min", "Enter a number"),
    ({"weight": "heavy"}, "weight", "Enter a number"),
    ({"weight": "0"}, "weight", "above 0"),
    ({"controls": ""}, "controls", "at least one control"),
    ({"text": ""}, "text", "is required"),
    ({"type": "colour"}, "type", "must be one of"),
    ({"section": "nowhere"}, "section", "Choose a section"),
]


def test_builder_question_errors_land_on_their_field(app):
    with app.app_context():
        template = _import().template
        before = _counts()
        for change, field, text in BAD_QUESTIONS:
            with pytest.raises(service.TemplateInvalid) as info:
                edits.save_question(db.session, ACTOR, template, "owner", _form(**change))
            db.session.rollback()
            assert text in info.value.errors.get(field, ""), (change, info.value.errors)
            assert _counts() == before


def test_builder_keeps_a_combined_condition_unless_replaced(app):
    doc = copy.deepcopy(DOC)
    doc["sections"][1]["questions"][0]["show_when"] = {
        "any": [{"question": "policy", "equals": "yes"}, {"question": "tier", "equals": "a"}]
    }
    with app.app_context():
        template = _import(doc).template
        data = edits.question_form_data(doc["sections"][1]["questions"][0])
        assert data["keep_condition"] is True and data["cond_question"] == ""
        kept = edits.save_question(
            db.session, ACTOR, template, "mfa", {**data, "section": "ops", "text": "MFA now?"}
        )
        assert "any" in kept.version.definition["sections"][1]["questions"][0]["show_when"]
        dropped = edits.save_question(
            db.session, ACTOR, template, "mfa", {**data, "section": "ops", "keep_condition": False}
        )
        assert "show_when" not in dropped.version.definition["sections"][1]["questions"][0]


def test_builder_delete_and_move_questions(app):
    with app.app_context():
        template = _import().template
        with pytest.raises(ServiceError, match="used in the condition of owner"):
            edits.delete_question(db.session, ACTOR, template, "policy")
        with pytest.raises(ServiceError, match="only question of its section"):
            edits.delete_question(db.session, ACTOR, template, "mfa")
        with pytest.raises(ServiceError, match="already the first"):
            edits.move_question(db.session, ACTOR, template, "policy", "up")
        # Moving owner above policy breaks its condition: refused with the place in words.
        with pytest.raises(service.TemplateInvalid) as info:
            edits.move_question(db.session, ACTOR, template, "owner", "up")
        assert "Section 1 “Governance” › question owner › show_when.question" in info.value.errors
        db.session.rollback()
        moved = edits.move_question(db.session, ACTOR, template, "tier", "down")
        keys = [[q["key"] for q in s["questions"]] for s in moved.version.definition["sections"]]
        assert keys == [["policy", "owner"], ["tier", "mfa"]]
        deleted = edits.delete_question(db.session, ACTOR, template, "owner")
        assert deleted.version.question_count == 3


def test_builder_sections(app):
    with app.app_context():
        template = _import().template
        first = {
            "q_key": "bcp",
            "q_text": "Continuity plan?",
            "q_type": "ynp",
            "q_controls": "SR-5",
        }
        added = edits.save_section(
            db.session,
            ACTOR,
            template,
            None,
            {"key": "res", "title": "Resilience", "description": "", **first},
        )
        db.session.commit()
        assert added.version.definition["sections"][-1] == {
            "key": "res",
            "title": "Resilience",
            "questions": [
                {
                    "key": "bcp",
                    "text": "Continuity plan?",
                    "type": "ynp",
                    "required": True,
                    "weight": 1,
                    "controls": ["SR-5"],
                }
            ],
        }
        with pytest.raises(service.TemplateInvalid) as info:
            edits.save_section(
                db.session, ACTOR, template, None, {"key": "gov", "title": "Again", **first}
            )
        assert "already uses the key 'gov'" in info.value.errors["key"]
        with pytest.raises(service.TemplateInvalid) as info:
            edits.save_section(
                db.session,
                ACTOR,
                template,
                None,
                {"key": "new", "title": "", **first, "q_key": "mfa"},
            )
        assert "q_key" in info.value.errors
        with pytest.raises(service.TemplateInvalid) as info:
            edits.save_section(
                db.session,
                ACTOR,
                template,
                None,
                {"key": "new", "title": "", **first, "q_key": "b2"},
            )
        assert info.value.errors == {"title": "is required"}
        db.session.rollback()
        edited = edits.save_section(
            db.session, ACTOR, template, "ops", {"key": "operations", "title": "Operations 2"}
        )
        assert [s["key"] for s in edited.version.definition["sections"]] == [
            "gov",
            "operations",
            "res",
        ]
        moved = edits.move_section(db.session, ACTOR, template, "operations", "up")
        assert [s["key"] for s in moved.version.definition["sections"]] == [
            "operations",
            "gov",
            "res",
        ]


def test_builder_section_moves_and_deletes(app):
    doc = copy.deepcopy(DOC)
    doc["sections"][1]["questions"][0]["show_when"] = {"question": "tier", "equals": "a"}
    with app.app_context():
        template = _import(doc).template
        with pytest.raises(ServiceError, match="used in the condition of mfa"):
            edits.delete_section(db.session, ACTOR, template, "gov")
        with pytest.raises(service.TemplateInvalid):
            edits.move_section(db.session, ACTOR, template, "ops", "up")
        db.session.rollback()
        with pytest.raises(ServiceError, match="already the last"):
            edits.move_section(db.session, ACTOR, template, "ops", "down")
        deleted = edits.delete_section(db.session, ACTOR, template, "ops")
        assert [s["key"] for s in deleted.version.definition["sections"]] == ["gov"]
        with pytest.raises(ServiceError, match="at least one section"):
            edits.delete_section(db.session, ACTOR, template, "gov")


def test_builder_details_and_new_templates(app):
    with app.app_context():
        template = _import().template
        saved = edits.update_details(
            db.session,
            ACTOR,
            template,
            {"name": "深圳精密电子 check", "description": "", "scope": "connection"},
        )
        assert (template.name, template.scope, template.description) == (
            "深圳精密电子 check",
            "connection",
            "",
        )
        assert "description" not in saved.version.definition
        with pytest.raises(service.TemplateInvalid) as info:
            edits.update_details(db.session, ACTOR, template, {"name": "", "scope": "planet"})
        assert set(info.value.errors) == {"name", "scope"}
        db.session.rollback()

        blank = {
            "key": "logistics",
            "name": "İstanbul Lojistik A.Ş. check",
            "scope": "supplier",
            "section_title": "",
            "q_key": "seals",
            "q_text": "Do you use ISO 17712 seals?",
            "q_type": "ynp",
            "q_controls": "SR-9",
        }
        created = edits.new_template(db.session, ACTOR, blank)
        assert created.outcome == "created" and created.version.question_count == 1
        assert created.version.definition["sections"][0]["title"] == "General"
        with pytest.raises(service.TemplateInvalid) as info:
            edits.new_template(db.session, ACTOR, blank)
        assert "already exists" in info.value.errors["key"]
        with pytest.raises(service.TemplateInvalid) as info:
            edits.new_template(db.session, ACTOR, {**blank, "key": "x2", "q_controls": ""})
        assert "q_controls" in info.value.errors
        db.session.rollback()
        copied = edits.new_template(
            db.session,
            ACTOR,
            {"key": "copy", "name": "Copy", "scope": "supplier", "copy_from": str(template.id)},
        )
        assert copied.version.question_count == 4
        with pytest.raises(service.TemplateInvalid) as info:
            edits.new_template(db.session, ACTOR, {"key": "c3", "name": "C", "copy_from": "999"})
        assert "copy_from" in info.value.errors
