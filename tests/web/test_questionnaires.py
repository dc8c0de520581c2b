"""Questionnaire template pages: list, version view, builder, import, export, roles."""

from __future__ import annotations

import html as html_lib

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, TemplateVersion
from app.services import Actor
from app.services import templates as service
from tests import factories

MINI = {
    "key": "mini-web",
    "name": "Müller Präzisionsteile check",
    "scope": "supplier",
    "sections": [
        {
            "key": "gov",
            "title": "Governance",
            "questions": [
                {
                    "key": "policy",
                    "text": "Do you have a policy?",
                    "type": "ynp",
                    "controls": ["GV.SC-01"],
                    "evidence": "when_yes",
                    "weight": 4,
                },
                {
                    "key": "owner",
                    "text": "Who owns it?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "in": ["yes", "partial"]},
                },
            ],
        },
        {
            "key": "ops",
            "title": "Operations",
            "questions": [{"key": "mfa", "text": "MFA?", "type": "ynp", "controls": ["SR-6"]}],
        },
    ],
}


def _setup(app, publish=False, document=MINI) -> dict:
    with app.app_context():
        result = service.import_document(
            db.session, Actor.system("test"), document, publish_it=publish
        )
        db.session.commit()
        return {
            "template_id": result.template.id,
            "version_id": result.version.id,
            "hash": result.version.content_hash,
        }


def _versions(app, template_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(TemplateVersion.number, TemplateVersion.status)
            .where(TemplateVersion.template_id == template_id)
            .order_by(TemplateVersion.number)
        )
        return [tuple(r) for r in rows]


def _document(app, template_id: int) -> dict:
    with app.app_context():
        template = service.get_template(db.session, template_id)
        return service.document_of(template.versions[-1])


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


QUESTION = {
    "section": "gov",
    "key": "audit",
    "text": "Last audit date?",
    "type": "date",
    "required": "y",
    "weight": "2",
    "evidence": "none",
    "controls": "SR-6",
    "cond_question": "",
    "cond_op": "equals",
    "cond_value": "",
}


def test_empty_list_explains_how_to_start(app, client, login_as):
    login_as("analyst")
    body = text_of(client.get("/questionnaires/"))
    assert "No questionnaire templates yet" in body
    assert "flask --app wsgi template sync" in body


def test_list_shows_the_shipped_templates_with_versions(app, client, login_as):
    with app.app_context():
        service.sync_shipped(db.session, Actor.system("test"))
        db.session.commit()
    login_as("admin")
    body = text_of(client.get("/questionnaires/"))
    for name in ("C-SCRM Core", "ISO 28000 Supply Chain Security", "Connection Security"):
        assert name in body
    assert "One partner connection" in body and "Published" in body
    assert body.count("v1") >= 6


@pytest.mark.parametrize("role", ["executive", "supplier"])
def test_other_roles_are_refused_everywhere(app, client, login_as, role):
    ids = _setup(app)
    login_as(role)
    tid, vid = ids["template_id"], ids["version_id"]
    for url in (
        "/questionnaires/",
        "/questionnaires/new",
        "/questionnaires/import",
        f"/questionnaires/{tid}",
        f"/questionnaires/versions/{vid}",
        f"/questionnaires/versions/{vid}/export",
        f"/questionnaires/{tid}/questions/policy/edit",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/questionnaires/versions/{vid}/publish",
        f"/questionnaires/{tid}/details",
        f"/questionnaires/{tid}/questions/policy/delete",
        f"/questionnaires/{tid}/sections/ops/move",
    ):
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    assert _versions(app, tid) == [(1, "draft")]


def test_builder_and_version_pages_show_every_rule(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    body = text_of(client.get(f"/questionnaires/{ids['template_id']}"))
    assert "Müller Präzisionsteile check" in body and "Editing version 1" in body
    assert "is a draft: edits change it directly" in body
    assert "Shown only when policy is one of “Yes” or “Partially”" in body
    assert "Evidence required when the answer is yes" in body and "Weight 4" in body
    assert "GV.SC-01" in body and "Yes / No / Partially / N/A" in body
    assert "Publish version 1" in body
    body = text_of(client.get(f"/questionnaires/versions/{ids['version_id']}"))
    assert "Used by 0 assessments" in body and "Who owns it?" in body
    assert client.get("/questionnaires/424242").status_code == 404
    assert client.get("/questionnaires/versions/424242").status_code == 404


def test_export_downloads_yaml_that_imports_back(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    response = client.get(f"/questionnaires/versions/{ids['version_id']}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert 'filename="mini-web-v1.yaml"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert yaml.safe_load(text)["key"] == "mini-web" and "Müller" in text
    response = client.post("/questionnaires/import", data={"text": text}, follow_redirects=True)
    assert "is unchanged (same as version 1)" in text_of(response)
    assert _versions(app, ids["template_id"]) == [(1, "draft")]


def test_publish_then_an_edit_creates_a_new_draft_and_says_so(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    response = client.post(
        f"/questionnaires/versions/{ids['version_id']}/publish", follow_redirects=True
    )
    assert "is published and can be sent" in text_of(response)
    body = text_of(client.get(f"/questionnaires/{ids['template_id']}"))
    assert "your next edit is saved as a new draft version 2" in body
    response = client.post(
        f"/questionnaires/versions/{ids['version_id']}/publish", follow_redirects=True
    )
    assert "already published" in text_of(response)
    response = client.post(
        f"/questionnaires/{ids['template_id']}/questions/new",
        data=QUESTION,
        follow_redirects=True,
    )
    body = text_of(response)
    assert "version 1 is published, so the change was saved as new draft version 2" in body
    assert _versions(app, ids["template_id"]) == [(1, "published"), (2, "draft")]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["template.version.publish", "template.version.create"]


def test_in_use_version_is_kept_by_its_assessment(app, client, login_as, users):
    ids = _setup(app, publish=True)
    with app.app_context():
        supplier = db.session.get(factories.Supplier, users["supplier_a"].id)
        version = db.session.get(TemplateVersion, ids["version_id"])
        factories.make_assessment(db.session, supplier, version)
        db.session.commit()
    login_as("analyst")
    assert "in use by 1 assessment" in text_of(client.get(f"/questionnaires/{ids['template_id']}"))
    form = {**QUESTION, "key": "policy", "text": "Policy, reworded?", "type": "ynp"}
    response = client.post(
        f"/questionnaires/{ids['template_id']}/questions/policy/edit",
        data={**form, "evidence": "when_yes"},
        follow_redirects=True,
    )
    assert "version 1 is in use" in text_of(response)
    with app.app_context():
        kept = db.session.get(TemplateVersion, ids["version_id"])
        assert kept.definition["sections"][0]["questions"][0]["text"] == "Do you have a policy?"
    doc = _document(app, ids["template_id"])
    assert doc["sections"][0]["questions"][0]["text"] == "Policy, reworded?"


def test_question_form_round_trip_and_condition(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    tid = ids["template_id"]
    body = text_of(client.get(f"/questionnaires/{tid}/questions/owner/edit"))
    assert 'value="policy" selected' in body or 'selected value="policy"' in body
    assert 'value="yes, partial"' in body
    data = {
        **QUESTION,
        "key": "tier",
        "text": "Which tier?",
        "type": "single_choice",
        "options": "gold | Gold | 1\nsilver | Silver | 0.5\nnone | None | 0",
        "cond_question": "owner",
        "cond_op": "answered",
        "cond_value": "yes",
        "base": ids["hash"],
    }
    response = client.post(f"/questionnaires/{tid}/questions/new", data=data)
    assert response.status_code == 302
    doc = _document(app, tid)
    tier = doc["sections"][0]["questions"][-1]
    assert tier["show_when"] == {"question": "owner", "answered": True}
    assert [o["score"] for o in tier["options"]] == [1, 0.5, 0]
    body = text_of(client.get(f"/questionnaires/{tid}"))
    assert "Shown only when owner is answered" in body and "(0.5)" in body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cond_question": "ghost", "cond_value": "yes"}, "unknown question 'ghost'"),
        ({"cond_question": "mfa", "cond_value": "yes"}, "may only refer to an earlier question"),
        ({"key": "mfa"}, "Another question already uses the key 'mfa'"),
        (
            {"type": "single_choice", "options": "a | A | 1\nb | B | 7"},
            "Option 2: must be a number from 0 to 1",
        ),
        ({"controls": ""}, "must list at least one control identifier"),
        ({"weight": "lots"}, "Enter a number"),
    ],
)
def test_bad_question_input_rerenders_with_the_message(app, client, login_as, change, message):
    ids = _setup(app)
    login_as("analyst")
    response = client.post(
        f"/questionnaires/{ids['template_id']}/questions/new", data={**QUESTION, **change}
    )
    assert response.status_code == 200
    body = text_of(response)
    assert message in body
    assert 'class="invalid-feedback d-block"' in body  # next to the field
    assert "Please correct" in body
    assert _document(app, ids["template_id"]) == _document(app, ids["template_id"])
    assert len(_document(app, ids["template_id"])["sections"][0]["questions"]) == 2


def test_stale_form_is_refused_not_overwriting(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    response = client.post(
        f"/questionnaires/{ids['template_id']}/questions/new",
        data={**QUESTION, "base": "0" * 64},
    )
    assert response.status_code == 200
    assert "changed since you opened this page" in text_of(response)


def test_sections_add_edit_move_delete(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    tid = ids["template_id"]
    new = {
        "key": "res",
        "title": "Resilience",
        "description": "Continuity",
        "q_key": "bcp",
        "q_text": "Continuity plan?",
        "q_type": "ynp",
        "q_controls": "SR-5",
    }
    assert client.post(f"/questionnaires/{tid}/sections/new", data=new).status_code == 302
    again = client.post(f"/questionnaires/{tid}/sections/new", data={**new, "q_key": "b2"})
    assert "Another section already uses the key 'res'" in text_of(again)
    response = client.post(
        f"/questionnaires/{tid}/sections/ops/edit", data={"key": "ops", "title": "Ops & IT"}
    )
    assert response.status_code == 302
    assert client.post(f"/questionnaires/{tid}/sections/res/move", data={"direction": "up"})
    doc = _document(app, tid)
    assert [s["key"] for s in doc["sections"]] == ["gov", "res", "ops"]
    assert doc["sections"][2]["title"] == "Ops & IT"
    response = client.post(
        f"/questionnaires/{tid}/sections/gov/move", data={"direction": "up"}, follow_redirects=True
    )
    assert "already the first" in text_of(response)
    client.post(f"/questionnaires/{tid}/sections/res/delete")
    assert [s["key"] for s in _document(app, tid)["sections"]] == ["gov", "ops"]
    assert client.get(f"/questionnaires/{tid}/sections/nope/edit").status_code == 404


def test_questions_move_and_delete_with_guard(app, client, login_as):
    ids = _setup(app)
    login_as("analyst")
    tid = ids["template_id"]
    response = client.post(f"/questionnaires/{tid}/questions/policy/delete", follow_redirects=True)
    assert "used in the condition of owner" in text_of(response)
    response = client.post(
        f"/questionnaires/{tid}/questions/owner/move",
        data={"direction": "up"},
        follow_redirects=True,
    )
    body = text_of(response)
    assert "question owner › show_when.question" in body and "earlier question" in body
    client.post(f"/questionnaires/{tid}/questions/owner/move", data={"direction": "down"})
    doc = _document(app, tid)
    assert [[q["key"] for q in s["questions"]] for s in doc["sections"]] == [
        ["policy"],
        ["owner", "mfa"],
    ]
    client.post(f"/questionnaires/{tid}/questions/mfa/delete")
    assert [q["key"] for q in _document(app, tid)["sections"][1]["questions"]] == ["owner"]
    assert client.get(f"/questionnaires/{tid}/questions/ghost/edit").status_code == 404


def test_details_and_new_template(app, client, login_as):
    ids = _setup(app)
    login_as("admin")
    tid = ids["template_id"]
    response = client.post(
        f"/questionnaires/{tid}/details",
        data={"name": "深圳精密电子有限公司 check", "description": "", "scope": "connection"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/questionnaires/{tid}/details", data={"name": "bell\x07", "scope": "supplier"}
    )
    assert "contains invisible control characters" in text_of(response)
    response = client.post(f"/questionnaires/{tid}/details", data={"name": "", "scope": "x"})
    body = text_of(response)
    assert response.status_code == 200 and "is required" in body and "must be one of" in body
    blank = {
        "key": "vn-steel",
        "name": "Công ty TNHH Thép Việt",
        "scope": "supplier",
        "copy_from": "",
        "section_title": "Chung",
        "q_key": "q1",
        "q_text": "Do you certify your steel?",
        "q_type": "ynp",
        "q_controls": "SR-11",
    }
    response = client.post("/questionnaires/new", data=blank)
    assert response.status_code == 302
    response = client.post("/questionnaires/new", data=blank)
    assert "already exists" in text_of(response)
    response = client.post(
        "/questionnaires/new", data={**blank, "key": "copy-1", "copy_from": str(tid)}
    )
    assert response.status_code == 302
    body = text_of(client.get("/questionnaires/"))
    assert "Công ty TNHH Thép Việt" in body and "深圳精密电子有限公司 check" in body


def test_import_paste_upload_and_errors(app, client, login_as):
    login_as("analyst")
    assert "Import a questionnaire template" in text_of(client.get("/questionnaires/import"))
    response = client.post("/questionnaires/import", data={"text": ""})
    assert "Choose a YAML file or paste the YAML" in text_of(response)
    response = client.post("/questionnaires/import", data={"text": "key: [\n"})
    body = text_of(response)
    assert "Nothing was imported" in body and "line 2, column 1" in body
    bad = {
        **MINI,
        "sections": [
            dict(
                MINI["sections"][0],
                questions=[
                    dict(MINI["sections"][0]["questions"][0], type="colour"),
                ],
            )
        ],
    }
    response = client.post(
        "/questionnaires/import", data={"text": yaml.safe_dump(bad, allow_unicode=True)}
    )
    assert "sections[0].questions[0].type: must be one of" in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 0
    from io import BytesIO

    upload = yaml.safe_dump(MINI, allow_unicode=True).encode()
    response = client.post(
        "/questionnaires/import",
        data={"file": (BytesIO(upload), "mini.yaml"), "publish": "y"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = text_of(response)
    assert "Template mini-web was created as version 1" in body and "Published" in body
