"""The demo builder: the network (counts, scripts, flags, 4th parties, bulk path), the
questionnaire side (catalogs, templates, certificates, assessments in every status) and the
findings worked through remediation, all idempotent."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    AnswerComment,
    Assessment,
    AuditEvent,
    Certification,
    Connection,
    ConnectionDataClass,
    Control,
    Evidence,
    Finding,
    FindingComment,
    FindingEvidence,
    FindingMilestone,
    Invitation,
    ReportRun,
    ReportSchedule,
    RiskAcceptance,
    RiskSnapshot,
    StoredFile,
    Supplier,
    TemplateVersion,
    User,
    supplier_links,
)
from app.models.assessment import ASSESSMENT_STATUSES
from app.models.base import utcnow
from app.models.finding import FINDING_STATUSES
from app.services import Actor, ServiceError, answering, dashboard, review, risk
from app.services import demo_data as data
from app.services import files as file_store
from app.services.assessments import display_status
from app.services.audit import verify_chain
from app.services.connections import clean_connection, flags_for
from app.services.demo import (
    DEFAULT_SEED,
    SupplierSpec,
    build_demo,
    connection_values,
    generated_spec,
    supplier_values,
    templates_for,
)
from app.services.demo_assessments import certificate_pdf, document_pdf, plan_answers
from app.services.inventory_stats import overview
from app.services.suppliers import clean_supplier
from questionnaires import engine
from questionnaires.schema import load_template
from risk_models import certifications as cert_rules
from risk_models import vocab

TODAY = dt.date(2025, 3, 14)
ACTOR = Actor.system("test-demo")
CURATED = [SupplierSpec._make(row) for row in data.SUPPLIERS]


def _build(app, **kwargs):
    with app.app_context():
        result = build_demo(db.session, ACTOR, today=TODAY, **kwargs)
        db.session.commit()
        return result


def _counts(session) -> dict[str, int]:
    tables = {
        "suppliers": Supplier,
        "connections": Connection,
        "data_classes": ConnectionDataClass,
        "users": User,
        "events": AuditEvent,
        "controls": Control,
        "template_versions": TemplateVersion,
        "certifications": Certification,
        "assessments": Assessment,
        "invitations": Invitation,
        "answers": Answer,
        "evidence": Evidence,
        "comments": AnswerComment,
        "files": StoredFile,
        "snapshots": RiskSnapshot,
        "findings": Finding,
        "finding_comments": FindingComment,
        "milestones": FindingMilestone,
        "finding_evidence": FindingEvidence,
        "acceptances": RiskAcceptance,
        "report_schedules": ReportSchedule,
        "report_runs": ReportRun,
    }
    counts = {k: session.scalar(select(func.count()).select_from(m)) for k, m in tables.items()}
    counts["links"] = session.scalar(select(func.count()).select_from(supplier_links))
    return counts


def _names(session) -> set[str]:
    return set(session.scalars(select(Supplier.legal_name)))


# -- the curated network ------------------------------------------------------------


def test_curated_network(app):
    """One build, checked from every side (each check below names what it covers)."""
    result = _build(app)
    _check_curated_network_counts(app, result)
    _check_names_in_many_scripts(app, result)
    _check_suppliers_have_owners_dates_and_single_sources(app, result)
    _check_connections_are_plausible_per_category(app, result)
    _check_attention_flags_show_something(app, result)
    _check_shared_fourth_parties(app, result)
    _check_users_of_every_role_and_contacts_bound(app, result)
    _check_audit_trail_is_real(app, result)
    _check_catalogs_and_templates_loaded(app, result)
    _check_certificates_valid_expiring_expired(app, result)
    _check_assessments_in_every_status(app, result)
    _check_every_answer_is_valid(app, result)
    _check_review_story(app, result)
    _check_questionnaire_audit_trail(app, result)
    _check_findings_in_every_status(app, result)
    _check_a_monthly_report_with_last_months_run(app, result)


def _check_a_monthly_report_with_last_months_run(app, result):
    assert result.reports == 1
    with app.app_context():
        (schedule,) = db.session.scalars(select(ReportSchedule)).all()
        assert (schedule.kind, schedule.cadence, schedule.active) == ("portfolio", "monthly", True)
        assert schedule.recipient_list == ["exec@demo.chainlight", "admin@demo.chainlight"]
        (run,) = db.session.scalars(select(ReportRun)).all()
        assert (run.schedule_id, run.status, run.trigger) == (schedule.id, "succeeded", "schedule")
        assert run.period_end.day == 1 and run.period_end <= TODAY  # the last 1st of a month
        assert run.pages > 3 and run.facts is not None
        assert run.file.content_type == "application/pdf" and run.file.size == run.size


def _check_curated_network_counts(app, result):
    assert (result.suppliers, result.users) == (40, 8)  # 8th: invited by link
    assert 110 <= result.connections <= 130
    assert result.links >= 25 and not result.bulk
    with app.app_context():
        counts = _counts(db.session)
        assert counts["suppliers"] == 40
        assert counts["connections"] == result.connections
        archived = db.session.scalars(select(Supplier).where(Supplier.archived_at.is_not(None)))
        assert [s.code for s in archived] == ["V100129"]
        categories = set(db.session.scalars(select(Supplier.category)))
        countries = set(db.session.scalars(select(Supplier.country)))
        statuses = set(db.session.scalars(select(Supplier.status)))
    assert categories == set(vocab.SUPPLIER_CATEGORIES)
    assert {"DE", "VN", "CN", "TR", "PL", "CZ", "IT", "US", "MX", "IN", "JP", "KR", "NL", "FR"} <= (
        countries
    )
    assert {"active", "onboarding", "suspended"} <= statuses


def _check_names_in_many_scripts(app, result):
    with app.app_context():
        names = _names(db.session)
        thep = db.session.scalar(select(Supplier).where(Supplier.code == "V100101"))
        assert thep.search_key == "cong ty tnhh thep viet"
    for wanted in (
        "Công ty TNHH Thép Việt",
        "深圳精密电子有限公司",
        "Müller Präzisionsteile GmbH",
        "İstanbul Lojistik A.Ş.",
    ):
        assert wanted in names
    assert any(re.search(r"[\u3040-\u30ff]|株式会社", n) for n in names)  # Japanese
    assert any(re.search(r"[\uac00-\ud7af]", n) for n in names)  # Korean
    assert any("ł" in n and ("ś" in n.lower()) for n in names)  # Polish
    assert any("ř" in n for n in names)  # Czech


def _check_suppliers_have_owners_dates_and_single_sources(app, result):
    with app.app_context():
        analysts = {u.id for u in db.session.scalars(select(User)) if u.role == "analyst"}
        suppliers = db.session.scalars(select(Supplier)).all()
        owners = {s.owner_id for s in suppliers}
        assert owners <= analysts and len(owners) == 2
        assert all(
            s.next_reassessment_on is None or s.next_reassessment_on > TODAY for s in suppliers
        )
        assert sum(s.next_reassessment_on is not None for s in suppliers) >= 30
        single = [s for s in suppliers if s.single_source]
        assert 3 <= len(single) <= 8
        assert {s.criticality for s in suppliers} == set(vocab.CRITICALITIES)
        assert all(re.fullmatch(r"V1\d{5}", s.code) for s in suppliers)


def _check_connections_are_plausible_per_category(app, result):
    with app.app_context():
        rows = db.session.scalars(select(Connection).join(Supplier)).all()
        by_supplier = {}
        for c in rows:
            by_supplier.setdefault(c.supplier.code, []).append(c)
            assert c.data_classes, c.name
            assert c.owner_id == c.supplier.owner_id
            if c.authentication in (
                "certificate",
                "api_key",
                "password",
                "oauth2_client_credentials",
            ):
                assert c.credential_expires_on is not None, c.name
        thep = {c.name: c for c in by_supplier["V100101"]}
        assert thep["EDI VAN orders (ORDERS/ORDRSP)"].kind == "edi_van"
        mueller = {c.kind: c for c in by_supplier["V100111"]}
        assert mueller["sftp"].endpoint == "sftp://files.mueller-praezision.de:22"
        assert mueller["edi_as2"].endpoint == "as2://edi.mueller-praezision.de"
        mes = {c.kind: c for c in by_supplier["V100137"]}["vendor_remote_access"]
        assert (mes.authentication, mes.integration_layer) == ("password", "direct_core")
        assert "credentials" in mes.data_classes
        tpl = {c.kind for c in by_supplier["V100124"]}
        assert {"edi_as2", "rest_api"} <= tpl
        cm = {c.kind for c in by_supplier["V100118"]}
        assert {"sftp", "vpn_site_to_site"} <= cm
        assert all(c.status == "retired" for c in by_supplier["V100129"])
        assert {c.status for c in by_supplier["V100121"]} == {"planned"}


def _check_attention_flags_show_something(app, result):
    with app.app_context():
        stats = overview(db.session, today=TODAY)
        assert stats.suppliers == 39  # the archived one is not counted
        flags = stats.attention
        assert 1 <= flags["credential_expired"] <= 3
        assert 2 <= flags["credential_expiring"] <= 6
        assert 1 <= flags["no_encryption"] <= 2
        assert flags["direct_core"] >= 3
        assert flags["not_reviewed"] >= 4
        conns = db.session.scalars(select(Connection)).all()
        never = [c for c in conns if c.last_reviewed_on is None]
        stale = [
            c
            for c in conns
            if c.last_reviewed_on and c.last_reviewed_on < TODAY - dt.timedelta(days=365)
        ]
        assert never and stale
        plain = next(c for c in conns if c.name == "Price list HTTP feed")
        assert "no_encryption" in flags_for(plain, TODAY)
        assert plain.endpoint.startswith("http://")


def _check_shared_fourth_parties(app, result):
    with app.app_context():
        by_code = {s.code: s for s in db.session.scalars(select(Supplier))}
        broker = by_code["V100130"]
        assert len([c for c in broker.customers if c.category == "logistics"]) >= 3
        assert len(by_code["V100134"].customers) >= 6  # the EDI VAN
        assert len(by_code["V100138"].customers) >= 5  # the cloud host
        assert {s.code for s in by_code["V100118"].sub_suppliers} == {"V100108", "V100117"}


def _check_users_of_every_role_and_contacts_bound(app, result):
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert {u.role for u in users.values()} == set(vocab.ROLES)
        contact = users["contact@thepviet.vn"]
        assert contact.role == "supplier"
        assert contact.supplier.legal_name == "Công ty TNHH Thép Việt"
        assert sum(u.role == "analyst" for u in users.values()) == 2
        invited = users["it-security@rhein-main-logistik.de"]
        assert (invited.role, invited.supplier.code) == ("supplier", "V100124")
    assert ("supplier", "contact@thepviet.vn", "Công ty TNHH Thép Việt") in result.logins
    assert ("supplier", "it-security@rhein-main-logistik.de", "Rhein-Main Logistik GmbH") in (
        result.logins
    )
    assert result.logins[0] == ("admin", "admin@demo.chainlight", "")


def _check_audit_trail_is_real(app, result):
    with app.app_context():
        assert verify_chain(db.session).ok
        actions = db.session.execute(
            select(AuditEvent.entity_type, AuditEvent.action, func.count()).group_by(
                AuditEvent.entity_type, AuditEvent.action
            )
        ).all()
    counts = {(t, a): n for t, a, n in actions}
    assert counts[("supplier", "create")] == 40
    assert counts[("connection", "create")] >= 110
    assert counts[("user", "create")] == 8
    assert counts[("supplier", "archive")] == 1
    assert ("supplier", "bulk_create") not in counts


# -- the questionnaire side ------------------------------------------------------------

CONTACTS = {row[3]: row[0] for row in data.CONTACT_USERS + data.INVITED_CONTACTS}
REVIEWED = ("submitted", "under_review", "changes_requested", "approved")
AGO = {(code, key, connection): ago for code, key, connection, ago in data.APPROVED_HISTORY}
HISTORY = set(AGO)


def _assessments(session) -> dict[tuple, list[Assessment]]:
    """(supplier code, template key, connection name) -> its assessments, oldest first."""
    found: dict[tuple, list[Assessment]] = {}
    for a in session.scalars(select(Assessment).order_by(Assessment.id)):
        key = (a.supplier.code, a.template_version.template.key, a.connection and a.connection.name)
        found.setdefault(key, []).append(a)
    return found


def _upload_root(app) -> Path:
    return Path(app.config["CHAINLIGHT_UPLOAD_DIR"])


def _check_catalogs_and_templates_loaded(app, result):
    q = result.questionnaires
    assert q.controls > 100 and q.templates == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Control)) == q.controls
        published = {
            v.template.key
            for v in db.session.scalars(select(TemplateVersion))
            if v.status == "published"
        }
    assert {"cscrm-core", "iso28000", "connection-security"} <= published


def _check_certificates_valid_expiring_expired(app, result):
    assert result.questionnaires.certifications == len(data.CERTIFICATIONS)
    with app.app_context():
        certs = db.session.scalars(select(Certification)).all()
        state = {
            (db.session.get(Supplier, c.supplier_id).code, c.standard): cert_rules.validity(
                c.valid_from, c.valid_until, TODAY
            )
            for c in certs
        }
        with_file = [c for c in certs if c.file_id is not None]
        assert len(with_file) >= 3
        for cert in with_file:
            assert cert.file.content_type == "application/pdf"
            assert file_store.read(cert.file, _upload_root(app)).startswith(b"%PDF-")
    assert state[("V100111", "iso28000")] == cert_rules.VALID
    assert state[("V100123", "iso28000")] == cert_rules.EXPIRING
    assert state[("V100126", "iso28000")] == cert_rules.EXPIRED
    assert state[("V100101", "iso27001")] == cert_rules.VALID


def _check_assessments_in_every_status(app, result):
    with app.app_context():
        found = _assessments(db.session)
        statuses = {a.status for group in found.values() for a in group}
        assert statuses == set(ASSESSMENT_STATUSES)
        shown = {display_status(a, TODAY) for group in found.values() for a in group}
        assert "overdue" in shown
        first, second = found[("V100101", "cscrm-core", None)]
        assert (first.status, first.round, second.status, second.round) == (
            "approved",
            1,
            "in_progress",
            2,
        )
        assert second.previous_id == first.id
        changes = review.changes_since_previous(second)
        assert len(changes) >= 3, changes
        assert all(a.verdict == "accepted" for a in first.answers if review.has_content(a))
        assert [a.status for a in found[("V100111", "iso28000", None)]] == ["submitted"]
        [istanbul] = found[("V100123", "cscrm-core", None)]
        assert istanbul.status == "changes_requested"
        [erp] = found[("V100124", "connection-security", "Goods receipt posting into ERP")]
        assert erp.status == "submitted" and erp.connection.integration_layer == "direct_core"
        [partly] = found[("V100124", "cscrm-core", None)]
        progress = answering.overview(partly, TODAY).progress
        assert partly.status == "in_progress" and 0 < progress.done < progress.required
        [overdue] = found[("V100137", "cscrm-core", None)]
        assert overdue.status == "sent" and overdue.due_on < TODAY
        [cancelled] = found[("V100127", "cscrm-core", None)]
        assert cancelled.status == "cancelled"
        assert all(
            i.revoked_at is not None
            for i in db.session.scalars(
                select(Invitation).where(Invitation.assessment_id == cancelled.id)
            )
        )
    assert result.questionnaires.assessments == 10 + len(HISTORY)
    assert all([a.status for a in found[key]] == ["approved"] for key in HISTORY)


def _check_every_answer_is_valid(app, result):
    """Every answer fits its question and is shown; submitted ones miss nothing."""
    with app.app_context():
        answers = files = 0
        for a in db.session.scalars(select(Assessment)):
            template = answering.template_of(a)
            data_ = answering.load_answers(a, TODAY)
            shown = engine.visible_keys(template, data_)
            for answer in a.answers:
                question = template.question(answer.question_key)
                assert question is not None and answer.question_key in shown
                assert engine.clean_answer(question, answer.value) == answer.value
                answers += 1
                for evidence in answer.evidence:
                    stored = evidence.file
                    assert stored.content_type == "application/pdf"
                    assert file_store.read(stored, _upload_root(app)).startswith(b"%PDF-")
                    assert evidence.effective_on <= TODAY
                    files += 1
            if a.status in REVIEWED:
                assert engine.missing(template, data_) == [], (a.id, a.status)
        assert answers == result.questionnaires.answers > 150
        assert files == result.questionnaires.evidence > 20


def _check_review_story(app, result):
    with app.app_context():
        found = _assessments(db.session)
        [istanbul] = found[("V100123", "cscrm-core", None)]
        asked = review.clarifications(istanbul)
        assert len(asked) == 2 and all(item.answer.verdict_note for item in asked)
        threads = [a.comments for a in istanbul.answers if a.comments]
        assert len(threads) == 1 and len(threads[0]) == 2
        assert threads[0][1].author_email == CONTACTS["V100123"]
        flagged = answering.expiring_evidence(istanbul, TODAY)
        assert [flag for _, _, flag in flagged] == ["expiring"]
        [api] = found[("V100111", "connection-security", "Price catalogue API")]
        assert api.status == "under_review"
        verdicts = [a.verdict for a in api.answers if a.verdict]
        assert "clarify" in verdicts and "accepted" in verdicts


def _check_questionnaire_audit_trail(app, result):
    with app.app_context():
        assert verify_chain(db.session).ok
        rows = db.session.execute(
            select(AuditEvent.entity_type, AuditEvent.action, func.count()).group_by(
                AuditEvent.entity_type, AuditEvent.action
            )
        ).all()
        found = _assessments(db.session)
        first = found[("V100101", "cscrm-core", None)][0]
        carried = sum(len(a.evidence) for a in first.answers)  # into round 2, not uploaded
        # Past rounds are recorded with one event each, their files with them.
        recorded = sum(len(a.evidence) for key in HISTORY for a in found[key][0].answers)
        contact = db.session.scalar(
            select(func.count()).where(
                AuditEvent.action == "answer_save",
                AuditEvent.actor_email == CONTACTS["V100101"],
            )
        )
    counts = {(t, a): n for t, a, n in rows}
    assert counts[("assessment", "send")] == 9
    assert counts[("assessment", "assessment_reassess")] == 1
    assert counts[("invitation", "invite")] == 10
    assert counts[("invitation", "accept")] == 7
    assert counts[("invitation", "revoke")] == 1
    assert counts[("assessment", "review_approve")] == 1 + len(HISTORY)
    assert counts[("assessment", "record_past_round")] == len(HISTORY)
    assert counts[("assessment", "review_request_changes")] == 1
    assert counts[("answer", "answer_comment")] == 2
    assert counts[("answer", "evidence_add")] == (
        result.questionnaires.evidence - carried - recorded
    )
    assert counts[("certification", "create")] == len(data.CERTIFICATIONS)
    assert ("catalog", "catalog_sync") in counts
    assert counts[("template_version", "template.version.publish")] == 3
    assert contact > 40  # the supplier's own contact answered, not the seeding process


# -- findings ----------------------------------------------------------------------------


def _check_findings_in_every_status(app, result):
    """The FINDINGS rows, played through the services: every status, plans, evidence,
    acceptances ending soon and lapsed, an overdue plan, threads from both sides."""
    assert result.findings == len(data.FINDINGS)
    with app.app_context():
        session = db.session
        every = session.scalars(select(Finding)).all()
        assert {f.status for f in every} == set(FINDING_STATUSES)
        by_row = {}
        for code, control, *_ in data.FINDINGS:  # one finding per row, none duplicated
            [finding] = [f for f in every if f.supplier.code == code and f.control == control]
            by_row[code] = finding
        users = {u.id: u for u in session.scalars(select(User))}
        contacts = {row[3]: row[0] for row in data.CONTACT_USERS + data.INVITED_CONTACTS}
        for code, finding in by_row.items():
            assert users[finding.owner_id].role == "analyst", code
            contact = users.get(finding.contact_id)
            assert (contact.email if contact else None) == contacts.get(code), code
        # An approved assessment's finding for the control was taken, not duplicated.
        thep = by_row["V100101"]
        assert thep.source == "assessment" and thep.opened_on == TODAY
        assert thep.title == "Sub-tier suppliers (ore, coke, zinc) not risk-assessed"
        assert (
            "Opened by the approved assessment as: GV.SC-07 Supplier risks managed over the relationship: scored"
            in thep.description
        )
        # Open, no plan; a proposed plan with milestones awaiting review.
        assert (by_row["V100123"].status, by_row["V100123"].plan_status) == ("open", "none")
        assert (thep.status, thep.plan_status) == ("open", "proposed")
        assert len(thep.milestones) == 3 and all(m.done_on is None for m in thep.milestones)
        # In progress with an accepted plan and its first milestone done.
        mueller = by_row["V100111"]
        assert (mueller.status, mueller.plan_status) == ("in_progress", "accepted")
        assert [m.done_on is not None for m in mueller.milestones] == [True, False, False]
        assert mueller.due_on == mueller.plan_due_on > TODAY and mueller.overdue_since is None
        # Resolved by the supplier with a PDF, waiting for verification.
        resolved = by_row["V100124"]
        assert resolved.status == "resolved" and resolved.verified_at is None
        [evidence] = resolved.attachments
        assert evidence.uploaded_by_role == "supplier"
        assert evidence.file.content_type == "application/pdf"
        assert file_store.read(evidence.file, _upload_root(app)).startswith(b"%PDF-")
        # Verified: the supplier's residual risk went down with it, today.
        verified = by_row["V100137"]
        assert verified.status == "verified" and verified.attachments
        snaps = session.scalars(
            select(RiskSnapshot)
            .where(RiskSnapshot.supplier_id == verified.supplier_id)
            .order_by(RiskSnapshot.computed_at, RiskSnapshot.id)
        ).all()
        assert snaps[-1].latest and snaps[-1].trigger == "mitigation_changed"
        assert snaps[-1].residual_score < snaps[-2].residual_score
        assert any(
            "Verified mitigation: No MFA on vendor remote access" in m for m in snaps[-1].moved
        )
        # Risk accepted by the executive: one acceptance ends within 14 days, one later.
        executive = {u.email: u for u in users.values()}["exec@demo.chainlight"]
        live = {code: by_row[code].acceptances[-1] for code in ("V100134", "V100126")}
        for code, acceptance in live.items():
            assert by_row[code].status == "accepted" and acceptance.lapsed_on is None
            assert acceptance.approved_by_id == executive.id and acceptance.reason
        assert TODAY < live["V100134"].expires_on <= TODAY + dt.timedelta(days=14)
        assert live["V100126"].expires_on > TODAY + dt.timedelta(days=60)
        # A lapsed acceptance reopened its finding, now overdue.
        lapsed = by_row["V100118"]
        [old] = lapsed.acceptances
        assert old.lapsed_on is not None and old.expires_on < old.lapsed_on <= TODAY
        assert lapsed.status == "open" and lapsed.reopened_on == old.lapsed_on
        assert lapsed.overdue_since == TODAY
        # An accepted plan whose date passed: overdue.
        late = by_row["V100114"]
        assert (late.status, late.plan_status) == ("in_progress", "accepted")
        assert late.due_on < TODAY and late.overdue_since == TODAY
        # A plan sent back with the reason.
        assert by_row["V100105"].plan_status == "rejected" and by_row["V100105"].plan_review_note
        # Threads with comments from both sides.
        both = [
            f
            for f in by_row.values()
            if {c.author_role for c in f.comments if c.kind == "comment"} == {"analyst", "supplier"}
        ]
        assert len(both) >= 3
        rows = session.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.entity_type == "finding")
            .group_by(AuditEvent.action)
        ).all()
    counts = dict(rows)
    assert counts["finding_plan"] == 6 and counts["finding_plan_review"] == 5
    assert counts["finding_accept"] == 3 and counts["finding_reopen"] == 1
    assert counts["finding_evidence"] == 2 and counts["finding_milestone"] == 6


def test_second_run_changes_nothing(app):
    _build(app)
    with app.app_context():
        before = _counts(db.session)
    again = _build(app)
    assert not again.changed and not again.questionnaires.changed
    with app.app_context():
        assert _counts(db.session) == before
        # A scenario whose assessment is gone is made again; nothing else changes.
        sent = _assessments(db.session)[("V100126", "iso28000", None)][0]
        for invitation in db.session.scalars(
            select(Invitation).where(Invitation.assessment_id == sent.id)
        ):
            db.session.delete(invitation)
        db.session.delete(sent)
        db.session.commit()
    third = _build(app)
    assert (third.questionnaires.assessments, third.questionnaires.answers) == (1, 0)
    with app.app_context():
        after = _counts(db.session)
        assert after["events"] == before["events"] + 2  # sent, invited
        assert {k: v for k, v in after.items() if k != "events"} == {
            k: v for k, v in before.items() if k != "events"
        }


def test_risk_snapshots_tell_a_history(app):
    _build(app)
    with app.app_context():
        session = db.session
        live = session.scalar(
            select(func.count()).select_from(Supplier).where(Supplier.archived_at.is_(None))
        )
        latest = session.scalar(
            select(func.count()).select_from(RiskSnapshot).where(RiskSnapshot.latest.is_(True))
        )
        assert latest >= live > 0  # every live supplier is scored (archived ones keep theirs)
        rows = session.execute(
            select(Supplier.code, RiskSnapshot)
            .join(RiskSnapshot, RiskSnapshot.supplier_id == Supplier.id)
            .order_by(RiskSnapshot.computed_at, RiskSnapshot.id)
        ).all()
        history: dict[str, list[RiskSnapshot]] = {}
        for code, snap in rows:
            history.setdefault(code, []).append(snap)
        moved = [c for c, snaps in history.items() if len(snaps) >= 2 and snaps[-1].moved]
        assert moved
        for code, snaps in history.items():
            assert snaps[0].moved == ["First score."], code
            assert snaps[-1].latest, code  # the newest by date is the current one
        # The approved supplier: scored months ago, a change 90 days ago, approved today.
        thep = history["V100101"]
        span = thep[-1].computed_at - thep[0].computed_at
        assert span >= dt.timedelta(days=data.HISTORY_START_DAYS_AGO - 1)
        assert thep[-1].trigger == "assessment_approved"
        assert any("Control effectiveness 0%" in line for line in thep[-1].moved)
        assert any("no longer No encryption in transit" in line for s in thep for line in s.moved)
        assert [s.trigger for s in thep] == ["demo", "connection_changed", "assessment_approved"]
        vpn = history["V100118"][-1]
        assert vpn.trigger == "connection_changed"
        assert any("Direct to the ERP core" in line for line in vpn.moved)


def test_approved_history_makes_the_dashboards_meaningful(app):
    """Past rounds of varied quality, approved over months: scores spread, the trend improves."""
    _build(app)
    now = utcnow()
    with app.app_context():
        session = db.session
        latest = session.execute(
            select(Supplier.code, RiskSnapshot)
            .join(RiskSnapshot, RiskSnapshot.supplier_id == Supplier.id)
            .where(RiskSnapshot.latest.is_(True), Supplier.archived_at.is_(None))
        ).all()
        current = dict(latest)
        assert sum(1 for snap in current.values() if snap.effectiveness > 0) >= 10
        bands = {snap.band for snap in current.values()}
        assert len(bands) >= 3, bands
        strong = [c for c, snap in current.items() if snap.effectiveness >= 0.85]
        weak = [c for c, snap in current.items() if 0 < snap.effectiveness < 0.6]
        assert strong and weak
        # Tier 1 suppliers nobody assessed still stand out.
        unassessed = {
            code
            for code, snap in current.items()
            if snap.tier == 1
            and snap.effectiveness == 0
            and (code, "cscrm-core", None) not in HISTORY
        }
        assert {"V100118", "V100138"} <= unassessed
        due, _total = dashboard.due_reassessments(session, dt.date.today())
        assert any(item.code == "V100118" and "never assessed" in item.reason for item in due)

        found = _assessments(session)
        approvals = []
        for key in HISTORY:
            [past] = found[key]
            template = answering.template_of(past)
            assert engine.missing(template, review.answer_data(review.answers_by_key(past))) == []
            assert past.sent_at < past.submitted_at < past.approved_at < now
            assert all(a.verdict == "accepted" for a in past.answers)
            assert all(a.reviewed_at == past.approved_at for a in past.answers)
            answered = TODAY - dt.timedelta(days=AGO[key] + data.HISTORY_SUBMITTED_DAYS)
            files = [e for a in past.answers for e in a.evidence]
            assert all(e.effective_on <= answered for e in files)
            approvals.append(past.approved_at)
        # Spread over about five months, each scored on its day.
        assert now - min(approvals) >= dt.timedelta(days=120)
        assert len({(d.year, d.month) for d in approvals}) >= 4
        for code, _key, _conn, ago in data.APPROVED_HISTORY:
            snaps = {
                s.computed_at.date()
                for s in session.scalars(
                    select(RiskSnapshot)
                    .join(Supplier)
                    .where(Supplier.code == code, RiskSnapshot.trigger == "assessment_approved")
                )
            }
            assert (now - dt.timedelta(days=ago)).date() in snaps, (code, ago)
        for code in {row[0] for row in data.APPROVED_HISTORY}:
            assert current[code].trigger == "assessment_approved"
            assert current[code].computed_at < now - dt.timedelta(days=7)

        points = [p for p in dashboard.trend(session, dt.date.today()) if p.scored]
        means = [round(p.mean_score, 2) for p in points]
        assert len(set(means)) >= 3, means
        assert means[-1] < means[0] and points[-1].severe < points[0].severe
        executive = dashboard.executive(session, dt.date.today())
        assert executive.approved_recent >= 5
        assert 0.2 < executive.scores.mean_effectiveness < 0.6


def test_a_past_round_added_later_is_dated_now(app):
    """Seeding over a supplier scored since (an older demo): its round comes today, so its
    newest snapshot stays the current one."""
    _build(app)
    with app.app_context():
        [past] = _assessments(db.session)[("V100139", "cscrm-core", None)]
        supplier_id = past.supplier_id
        db.session.delete(past)
        db.session.flush()
        risk.recompute(db.session, "recompute", [supplier_id])  # no credit: scored again now
        db.session.commit()
    again = _build(app)
    assert again.questionnaires.assessments == 1
    with app.app_context():
        [past] = _assessments(db.session)[("V100139", "cscrm-core", None)]
        snaps = db.session.scalars(
            select(RiskSnapshot)
            .where(RiskSnapshot.supplier_id == supplier_id)
            .order_by(RiskSnapshot.computed_at, RiskSnapshot.id)
        ).all()
        assert snaps[-1].latest and snaps[-1].trigger == "assessment_approved"
        assert snaps[-1].effectiveness > 0
        assert utcnow() - past.approved_at < dt.timedelta(hours=1)


def test_answer_profiles_come_from_the_seed():
    from app.services.demo_assessments import history_profile, history_scenarios

    codes = sorted({row[0] for row in data.APPROVED_HISTORY})
    mixes = {seed: tuple(history_profile(seed, c) for c in codes) for seed in range(12)}
    assert mixes[1] == tuple(history_profile(1, c) for c in codes)  # deterministic
    assert len(set(mixes.values())) > 1  # the seed decides who answers how
    for mix in mixes.values():  # ... but every seed gives the same spread
        assert sorted(mix) == sorted(data.PROFILE_MIX)
    rows = history_scenarios(DEFAULT_SEED)
    assert [ago for _, ago in rows] == sorted(
        (row[3] for row in data.APPROVED_HISTORY), reverse=True
    )
    assert all(sc.outcome == "approved" for sc, _ in rows)
    assert history_profile(DEFAULT_SEED, "V100118") is None


def test_missing_pieces_are_added_and_edits_kept(app):
    _build(app, questionnaires=False)
    with app.app_context():
        gone = db.session.scalar(select(Connection).where(Connection.name == "TMS REST API"))
        db.session.delete(gone)
        supplier = db.session.scalar(select(Supplier).where(Supplier.code == "V100102"))
        supplier.notes = "edited by hand"
        db.session.commit()
    result = _build(app, questionnaires=False)
    assert (result.suppliers, result.connections, result.users, result.links) == (0, 1, 0, 0)
    with app.app_context():
        supplier = db.session.scalar(select(Supplier).where(Supplier.code == "V100102"))
        assert supplier.notes == "edited by hand"


def test_existing_user_with_demo_email_is_kept(app):
    from tests.factories import make_user

    with app.app_context():
        make_user(db.session, "analyst", "analyst@demo.chainlight", name="Somebody Else")
        db.session.commit()
    result = _build(app, questionnaires=False)
    assert result.users == 6
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "analyst@demo.chainlight"))
        assert user.name == "Somebody Else"


def test_fewer_suppliers_than_curated(app):
    result = _build(app, suppliers=5)
    assert result.suppliers == 5
    with app.app_context():
        codes = set(db.session.scalars(select(Supplier.code)))
        assert codes == {row[0] for row in data.SUPPLIERS[:5]}
        links = db.session.execute(select(supplier_links)).all()
        ids = set(db.session.scalars(select(Supplier.id)))
        assert all(sub in ids for _, sub in links)
        emails = set(db.session.scalars(select(User.email)))
    assert "contact@thepviet.vn" in emails  # V100101 is among the first five
    assert "contact@mueller-praezision.de" not in emails
    with app.app_context():  # only the scenarios of suppliers that exist
        assert set(_assessments(db.session)) == {("V100101", "cscrm-core", None)} | {
            key for key in HISTORY if key[0] in codes
        }
        codes = {
            db.session.get(Supplier, c.supplier_id).code
            for c in db.session.scalars(select(Certification))
        }
        assert codes == {"V100101"}


def test_scenarios_whose_contact_cannot_answer_are_skipped(app):
    """A deactivated demo contact or an archived supplier does not stop the seed."""
    _build(app, suppliers=23, questionnaires=False)
    with app.app_context():
        contact = db.session.scalar(
            select(User).where(User.email == "contact@istanbul-lojistik.com.tr")
        )
        contact.active = False
        mueller = db.session.scalar(select(Supplier).where(Supplier.code == "V100111"))
        mueller.archived_at = dt.datetime(2025, 1, 1)
        db.session.commit()
    result = _build(app, suppliers=23)
    first = {row[0] for row in data.SUPPLIERS[:23]} - {"V100111"}
    past = {key for key in HISTORY if key[0] in first}
    with app.app_context():
        assert set(_assessments(db.session)) == {("V100101", "cscrm-core", None)} | past
    assert result.questionnaires.assessments == 2 + len(past)


@pytest.mark.parametrize("bad", [0, -1, 10**7])
def test_supplier_count_out_of_range(app, bad):
    with app.app_context(), pytest.raises(ServiceError, match="between 1 and"):
        build_demo(db.session, ACTOR, suppliers=bad, today=TODAY)


# -- generated suppliers ----------------------------------------------------------------


def test_generated_suppliers_through_services(app):
    result = _build(app, suppliers=46, bulk=False, questionnaires=False)
    assert result.suppliers == 46 and not result.bulk
    with app.app_context():
        generated = db.session.scalars(select(Supplier).where(Supplier.code.like("V2%"))).all()
        assert len(generated) == 6
        events = db.session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "supplier", AuditEvent.action == "create"
            )
        )
        assert events == 46
        for s in generated:
            assert 2 <= len(s.connections) <= 4
    assert not _build(app, suppliers=46, bulk=False, questionnaires=False).changed


def test_bulk_path_writes_one_summary_event(app):
    result = _build(app, suppliers=140, bulk=True, questionnaires=False)
    assert result.bulk and result.suppliers == 140
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Supplier)) == 140
        bulk_events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bulk_create")
        ).all()
        assert len(bulk_events) == 1
        after = bulk_events[0].after
        assert after["suppliers"] == 100 and after["first_code"] == "V200001"
        assert after["last_code"] == "V200100"
        assert after["connections"] == db.session.scalar(
            select(func.count())
            .select_from(Connection)
            .join(Supplier)
            .where(Supplier.code.like("V2%"))
        )
        assert verify_chain(db.session).ok
        generated = db.session.scalars(select(Supplier).where(Supplier.code.like("V2%"))).all()
        for s in generated:
            assert s.search_key and s.created_at and 2 <= len(s.connections) <= 4
            assert all(c.data_classes for c in s.connections)
        linked = db.session.scalar(
            select(func.count())
            .select_from(supplier_links)
            .where(supplier_links.c.supplier_id.in_([s.id for s in generated]))
        )
        assert linked > 10
        before = _counts(db.session)
    assert not _build(app, suppliers=140, bulk=True, questionnaires=False).changed
    with app.app_context():
        assert _counts(db.session) == before


def test_bulk_is_chosen_above_the_threshold(app, monkeypatch):
    from app.services import demo

    monkeypatch.setattr(demo, "BULK_THRESHOLD", 3)
    assert _build(app, suppliers=44, questionnaires=False).bulk
    assert not _build(
        app, suppliers=43, questionnaires=False
    ).bulk  # nothing new above the threshold


def test_generated_rows_pass_the_service_validation():
    for i in range(400):
        spec = generated_spec(i, 7)
        values, errors = clean_supplier(supplier_values(spec, TODAY, None), TODAY)
        assert not errors, (spec, errors)
        for template in templates_for(spec):
            cvalues, cerrors = clean_connection(connection_values(spec, template, 7, TODAY), TODAY)
            assert not cerrors, (spec.code, template.name, cerrors)


def test_generation_is_deterministic_and_varied():
    first = [generated_spec(i, 1) for i in range(200)]
    assert first == [generated_spec(i, 1) for i in range(200)]
    assert first != [generated_spec(i, 2) for i in range(200)]
    assert len({s.country for s in first}) >= 10
    assert len({s.category for s in first}) == len(data.GENERATED_CATEGORIES)
    assert len({s.code for s in first}) == 200


def test_curated_tables_are_consistent():
    codes = {s.code for s in CURATED}
    assert len(codes) == len(CURATED)
    for spec in CURATED:
        assert spec.connections <= len(data.PROFILES[spec.profile])
        assert spec.owner in data.OWNERS
        clean, errors = clean_supplier(supplier_values(spec, TODAY, None), TODAY)
        assert not errors, (spec.code, errors)
        for template in templates_for(spec):
            _, cerrors = clean_connection(connection_values(spec, template, 1, TODAY), TODAY)
            assert not cerrors, (spec.code, template.name, cerrors)
    for code, name in data.OVERRIDES:
        spec = next(s for s in CURATED if s.code == code)
        assert name in {t.name for t in templates_for(spec)}, (code, name)
    for code, subs in data.SUB_SUPPLIERS.items():
        assert code in codes and set(subs) <= codes and code not in subs
    assert {c[3] for c in data.CONTACT_USERS} <= codes - data.ARCHIVED


# -- picking answers (no database) ---------------------------------------------------------

SHIPPED = sorted(
    (Path(__file__).resolve().parents[2] / "questionnaires" / "templates").glob("*.yaml")
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_planned_answers_are_valid_shown_and_complete(path):
    template = load_template(yaml.safe_load(path.read_text(encoding="utf-8")))
    for seed in range(25):
        for quality in (0.2, 0.7, 1.0):
            plan = plan_answers(template, random.Random(seed), quality=quality, today=TODAY)
            given = {p.key: engine.AnswerData(p.value, p.comment, int(p.evidence)) for p in plan}
            shown = engine.visible_keys(template, given)
            assert set(given) <= shown
            for item in plan:
                question = template.question(item.key)
                assert engine.clean_answer(question, item.value) == item.value
                assert item.value is not None or question.type == "file"
            answerable = {q.key for q in template.questions if q.type != "file"}
            assert shown & answerable <= set(given)  # every question shown is answered
            assert engine.missing(template, given) == [], (path.stem, seed, quality)
    first = plan_answers(template, random.Random(3), quality=0.7, today=TODAY)
    assert first == plan_answers(template, random.Random(3), quality=0.7, today=TODAY)


def test_fixed_answers_are_used_when_they_fit_and_replaced_when_not():
    path = next(p for p in SHIPPED if p.stem == "connection-security")
    template = load_template(yaml.safe_load(path.read_text(encoding="utf-8")))
    fixed = {"auth_method": "oauth2", "auth_mfa": "na", "tls_version": "carrier pigeon"}
    plan = {
        p.key: p
        for p in plan_answers(
            template,
            random.Random(1),
            quality=0.8,
            today=TODAY,
            fixed=fixed,
            comments={"auth_method": "Client credentials."},
        )
    }
    assert plan["auth_method"].value == "oauth2"
    assert plan["auth_method"].comment == "Client credentials."
    assert (plan["auth_mfa"].value, plan["auth_mfa"].comment) == ("na", data.NA_COMMENT)
    assert template.question("tls_version").option(plan["tls_version"].value) is not None


def test_demo_pdfs_are_small_valid_and_deterministic():
    values = {
        "standard": "iso28000",
        "certificate_number": "TR-1",
        "certification_body": "TÜV",
        "scope": "Gebze cross-dock",
        "valid_from": TODAY,
        "valid_until": TODAY + dt.timedelta(days=30),
    }
    cert = certificate_pdf("İstanbul Lojistik A.Ş.", values)
    doc = document_pdf("Supplier security policy", "Công ty TNHH Thép Việt", "A question?")
    for pdf in (cert, doc):
        assert pdf.startswith(b"%PDF-") and len(pdf) < 100_000
        assert file_store.detect_type(pdf, "x.pdf") == "application/pdf"
    assert cert == certificate_pdf("İstanbul Lojistik A.Ş.", values)


def test_scenario_tables_are_consistent():
    codes = {row[0] for row in data.SUPPLIERS}
    outcomes = {"approved", "submitted", "under_review", "changes_requested"}
    outcomes |= {"in_progress", "sent", "overdue", "cancelled"}
    for row in data.ASSESSMENTS:
        code, key, connection, outcome, invitee = row[:5]
        assert code in codes - data.ARCHIVED and outcome in outcomes
        spec = next(s for s in CURATED if s.code == code)
        if connection is not None:
            names = {connection_values(spec, t, 1, TODAY)["name"] for t in templates_for(spec)}
            assert connection in names, (code, connection)
        if invitee is not None:
            assert invitee in set(CONTACTS.values()), invitee
    for row in data.CERTIFICATIONS:
        assert row[0] in codes and row[1] in cert_rules.STANDARDS and row[5] < row[6]
    assert {row[3] for row in data.ASSESSMENTS} == outcomes


def test_picked_values_respect_the_limits_of_any_template():
    """A template the demo does not know (odd limits, no options to rank) still gets valid answers."""
    question = {"text": "Q?", "controls": ["SR-1"]}
    template = load_template(
        {
            "key": "odd",
            "name": "Odd",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "questions": [
                        {**question, "key": "tiny", "type": "number", "min": 0.5, "max": 0.9},
                        {**question, "key": "negative", "type": "number", "min": -5, "max": -1},
                        {**question, "key": "when", "type": "date"},
                        {**question, "key": "words", "type": "text"},
                        {
                            **question,
                            "key": "only_none",
                            "type": "multiple_choice",
                            "options": [
                                {"value": "none", "label": "None"},
                                {"value": "dont_know", "label": "Do not know"},
                            ],
                        },
                    ],
                }
            ],
        }
    )
    for seed in range(30):
        plan = plan_answers(template, random.Random(seed), quality=0.5, today=TODAY)
        assert [p.key for p in plan] == [q.key for q in template.questions]
        for item in plan:
            assert engine.clean_answer(template.question(item.key), item.value) == item.value
    by_key = {p.key: p.value for p in plan}
    assert by_key["words"] == data.TEXT_FALLBACK and by_key["only_none"] == ["none"]
