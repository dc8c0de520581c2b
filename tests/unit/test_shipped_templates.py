"""The shipped questionnaire templates (questionnaires/templates/*.yaml), without a database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from questionnaires.engine import AnswerData, Progress, missing, progress, visible_keys
from questionnaires.fields import FIELD_TYPES
from questionnaires.schema import dump_template, load_template

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
TEMPLATES = ROOT / "templates"
CATALOGS = ROOT / "catalogs"

# The identifiers of the standards reference (CSF 2.0 GV.SC, SP 800-53r5 SR and the other
# SP 800-53r5 controls SP 800-161r1 emphasises for suppliers, ISO 28000:2022 clauses).
GV_SC = {f"GV.SC-{n:02d}" for n in range(1, 11)}
SR = {f"SR-{n}" for n in range(1, 13)} | {
    "SR-2(1)",
    *(f"SR-3({n})" for n in (1, 2, 3)),
    *(f"SR-4({n})" for n in (1, 2, 3, 4)),
    "SR-5(1)",
    "SR-5(2)",
    "SR-6(1)",
    "SR-9(1)",
    *(f"SR-11({n})" for n in (1, 2, 3)),
}
C_SCRM_OVERLAY = set(
    "AC-20 AC-20(1) AC-20(3) AC-21 AT-3 CA-2(3) CA-3 CA-7 CM-8 CM-8(9) CM-14 CP-2(7) CP-8(4) "
    "IR-4 IR-4(10) IR-4(11) IR-6(3) MA-2 MA-5 PE-20 PL-8(2) PM-9 PM-16 PM-17 PM-30 PM-30(1) "
    "PM-31 PS-7 RA-3 RA-3(1) RA-3(2) RA-5 RA-7 RA-9 SA-4 SA-4(5) SA-8 SA-9 SA-9(2) SA-9(3) "
    "SA-9(5) SA-10 SA-11 SA-15 SA-17 SA-20 SA-21 SA-22 SC-38 SI-4 SI-5 SI-7".split()
)
# The SP 800-53r5 controls that describe one partner connection.
CONNECTION = set(
    "AC-6 AC-17 AC-17(2) AU-2 AU-6 AU-11 CM-3 IA-2 IA-2(1) IA-2(2) IA-5 SC-7 SC-8 SC-8(1) "
    "SC-12".split()
)
ISO_CLAUSES = {
    f"ISO28000-{c}"
    for c in "4.1 4.2 4.3 4.4 5.1 5.2 5.3 6.1 6.2 6.3 7.1 7.2 7.3 7.4 7.5 "
    "8.1 8.2 8.3 8.4 8.5 8.6 9.1 9.2 9.3 10.1 10.2".split()
}
REFERENCE = GV_SC | SR | C_SCRM_OVERLAY | CONNECTION | ISO_CLAUSES


def _doc(key: str) -> dict:
    return yaml.safe_load((TEMPLATES / f"{key}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped():
    return {
        key: load_template(_doc(key)) for key in ("cscrm-core", "iso28000", "connection-security")
    }


def answers(**values):
    return {k: AnswerData(v) for k, v in values.items()}


def test_exactly_the_three_templates_ship_and_each_file_is_named_by_its_key():
    files = sorted(p.stem for p in TEMPLATES.glob("*.yaml"))
    assert files == ["connection-security", "cscrm-core", "iso28000"]
    for key in files:
        assert _doc(key)["key"] == key


@pytest.mark.parametrize(
    ("key", "name", "scope", "low", "high"),
    [
        ("cscrm-core", "C-SCRM Core", "supplier", 55, 70),
        ("iso28000", "ISO 28000 Supply Chain Security", "supplier", 38, 48),
        ("connection-security", "Connection Security", "connection", 15, 20),
    ],
)
def test_names_scope_and_question_counts(shipped, key, name, scope, low, high):
    template = shipped[key]
    assert (template.name, template.scope) == (name, scope)
    assert low <= len(template.questions) <= high


def test_every_question_type_is_used_and_cscrm_core_alone_uses_them_all(shipped):
    used = {q.type for t in shipped.values() for q in t.questions}
    assert used == set(FIELD_TYPES)
    assert {q.type for q in shipped["cscrm-core"].questions} == set(FIELD_TYPES)


def test_every_question_maps_a_control_of_the_reference(shipped):
    for key, template in shipped.items():
        for q in template.questions:
            assert q.controls, q.key
            unknown = set(q.controls) - REFERENCE
            assert not unknown, f"{key}.{q.key} maps {unknown}"


def test_the_frameworks_are_covered(shipped):
    core = {c for q in shipped["cscrm-core"].questions for c in q.controls}
    assert GV_SC <= core, GV_SC - core
    assert {f"SR-{n}" for n in range(1, 13)} <= core
    iso = {c for q in shipped["iso28000"].questions for c in q.controls}
    majors = {c.split("-")[1].split(".")[0] for c in iso if c.startswith("ISO28000-")}
    assert majors == {str(n) for n in range(4, 11)}
    connection = {c for q in shipped["connection-security"].questions for c in q.controls}
    assert {"CA-3", "AC-20", "SA-9(2)", "SI-4", "SR-8", "IR-6(3)", "GV.SC-08"} <= connection
    assert CONNECTION <= connection, CONNECTION - connection


def test_connection_questions_map_to_the_precise_controls(shipped):
    conn = shipped["connection-security"]
    expected = {
        "auth_method": {"IA-2", "IA-5"},
        "auth_mfa": {"IA-2(1)", "AC-17"},
        "auth_shared": {"IA-2", "IA-5"},
        "cred_rotation": {"IA-5", "SC-12"},
        "cred_storage": {"IA-5", "SC-12"},
        "tls_version": {"SC-8", "SC-8(1)"},
        "tls_verify": {"SC-8(1)", "IA-5"},
        "log_events": {"AU-2"},
        "log_retention_days": {"AU-11"},
        "log_review": {"AU-6"},
        "priv_scope": {"AC-6"},
        "priv_people": {"AC-6", "AC-17"},
        "seg_own": {"SC-7"},
        "seg_erp": {"SC-7"},
        "chg_process": {"CM-3"},
        "chg_notice_days": {"CM-3"},
    }
    for key, controls in expected.items():
        assert controls <= set(conn.question(key).controls), key
    # The stand-ins used before the catalog had these controls are gone where they misled.
    assert "PS-7" not in {c for q in conn.questions for c in q.controls}
    assert "MA-5" not in conn.question("auth_mfa").controls


def test_mapped_controls_exist_in_the_catalog_files_when_they_are_there(shipped):
    files = sorted(CATALOGS.glob("*.yaml")) if CATALOGS.is_dir() else []
    catalogs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files]
    catalogs = [c for c in catalogs if isinstance(c, dict) and c.get("kind") == "catalog"]
    if not catalogs:
        pytest.skip("no control catalog files yet")
    known = {
        control["identifier"]
        for catalog in catalogs
        for control in catalog["controls"]
        if not control.get("withdrawn")
    }
    for key, template in shipped.items():
        missing_ids = {c for q in template.questions for c in q.controls} - known
        assert not missing_ids, f"{key} maps controls the catalog lacks: {sorted(missing_ids)}"


def test_weights_are_whole_numbers_from_1_to_5_and_scores_from_0_to_1(shipped):
    for template in shipped.values():
        for q in template.questions:
            assert q.weight in (1, 2, 3, 4, 5), q.key
            for option in q.options:
                assert option.score is None or 0 <= option.score <= 1, (q.key, option)


def test_yaml_pitfalls_are_avoided():
    """Plain yes/no become booleans in YAML, and a comma in a flow mapping splits it."""
    for path in TEMPLATES.glob("*.yaml"):
        for section in yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]:
            for q in section["questions"]:
                for option in q.get("options", []):
                    assert set(option) <= {"value", "label", "score"}, (path.name, q["key"], option)
                    assert isinstance(option["value"], str) and isinstance(option["label"], str)
                assert isinstance(q["text"], str) and isinstance(q.get("help", ""), str)


def test_policy_questions_ask_for_evidence_when_yes(shipped):
    core = shipped["cscrm-core"]
    for key in ("gov_program", "gov_policy", "gov_plan", "inc_plan", "sup_flowdown"):
        assert core.question(key).evidence == "when_yes", key
    rules = {q.evidence for t in shipped.values() for q in t.questions}
    assert {"none", "optional", "when_yes"} <= rules


def test_iso_starts_with_the_certificate_with_file_evidence(shipped):
    first = shipped["iso28000"].questions[0]
    assert first.key == "iso_certified"
    assert "ISO 28000 certificate" in first.text
    assert first.type == "ynp" and first.evidence == "when_yes" and first.required
    titles = [s.title for s in shipped["iso28000"].sections]
    assert [f"clause {n}" in " ".join(titles) for n in range(4, 11)] == [True] * 7


def test_chained_conditions_in_cscrm_core(shipped):
    core = shipped["cscrm-core"]
    shown = visible_keys(core, answers())
    assert "gov_policy_review" not in shown and "gov_policy_cycle" not in shown
    shown = visible_keys(core, answers(gov_policy="yes"))
    assert "gov_policy_review" in shown and "gov_policy_cycle" not in shown
    chain = answers(gov_policy="yes", gov_policy_review="2025-01-31")
    assert {"gov_policy_review", "gov_policy_cycle"} <= visible_keys(core, chain)
    # The first link breaks: the whole chain hides, even with the middle answer still saved.
    broken = answers(gov_policy="no", gov_policy_review="2025-01-31")
    assert not {"gov_policy_review", "gov_policy_cycle"} & visible_keys(core, broken)

    assert "dev_sbom_file" not in visible_keys(core, answers(dev_sbom="on_request"))
    sbom = answers(dev_applicable="yes", dev_sbom="on_request")
    assert "dev_sbom_file" in visible_keys(core, sbom)
    assert "dev_sbom_file" not in visible_keys(core, answers(dev_applicable="yes", dev_sbom="no"))

    frameworks = answers(gov_frameworks=["tisax", "nist_csf"])
    assert "gov_cert_file" in visible_keys(core, frameworks)
    assert "gov_cert_file" not in visible_keys(core, answers(gov_frameworks=["none"]))


def test_chains_in_iso_and_connection_templates(shipped):
    iso = shipped["iso28000"]
    assert "iso_cert_gaps" not in visible_keys(iso, answers(iso_certified="partial"))
    assert "iso_cert_gaps" in visible_keys(
        iso, answers(iso_certified="partial", iso_cert_until="2027-03-31")
    )
    assert "iso_cert_gaps" not in visible_keys(
        iso, answers(iso_certified="no", iso_cert_until="2027-03-31")
    )
    conn = shipped["connection-security"]
    assert "log_review" not in visible_keys(conn, answers(log_events=["none"]))
    assert "log_review" in visible_keys(conn, answers(log_events=["logins"], log_retention_days=90))


def test_hidden_questions_are_not_required(shipped):
    core = shipped["cscrm-core"]
    gated = answers(dev_applicable="no", acc_remote="no", gov_policy="no")
    keys = {m.question for m in missing(core, gated)}
    assert not keys & {"dev_sdlc", "dev_sbom", "acc_mfa", "gov_policy_review", "gov_owner_role"}
    assert {"gov_program", "inc_notify"} <= keys


def test_documents_round_trip(shipped):
    for template in shipped.values():
        assert load_template(dump_template(template)) == template


def test_identifiers_have_the_reference_spelling(shipped):
    pattern = re.compile(
        r"^(GV\.SC-(0[1-9]|10)|[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?|ISO28000-(4|5|6|7|8|9|10)\.\d)$"
    )
    for template in shipped.values():
        for q in template.questions:
            for c in q.controls:
                assert pattern.match(c), (template.key, q.key, c)


# --- ISO 28000: a valid certificate stands in for the clause checklist ---------------------

CERTIFICATION = {"iso_certified", "iso_cert_body", "iso_cert_until", "iso_cert_gaps"}


def _clause_keys(template) -> set[str]:
    return {q.key for q in template.questions if q.section != "certification"}


def test_iso_certified_supplier_answers_only_the_certificate_question(shipped):
    iso = shipped["iso28000"]
    certified = answers(iso_certified="yes")
    assert visible_keys(iso, certified) == {"iso_certified"}
    # Required, and "yes" needs the certificate attached.
    assert [(m.question, m.reason) for m in missing(iso, certified)] == [
        ("iso_certified", "evidence")
    ]
    done = {"iso_certified": AnswerData("yes", "", evidence_count=1)}
    assert missing(iso, done) == []
    assert progress(iso, done) == Progress(done=1, required=1, answered=1, visible=1)
    # Answers saved earlier in the checklist stay hidden and do not count.
    stale = {**done, "ctx_issues": AnswerData("no"), "lead_policy": AnswerData("yes")}
    assert visible_keys(iso, stale) == {"iso_certified"}
    assert missing(iso, stale) == []


@pytest.mark.parametrize("value", [None, "no", "partial", "na"])
def test_iso_without_a_certificate_the_clause_checklist_is_required(shipped, value):
    iso = shipped["iso28000"]
    given = answers(iso_certified=value) if value else {}
    shown = visible_keys(iso, given)
    # Every clause question without a condition of its own shows, and the required ones
    # are missing until answered; chained ones wait for the question they depend on.
    unconditional = {
        q.key
        for q in iso.questions
        if q.section != "certification" and "iso_certified" in q.show_when.questions()
    }
    assert len(unconditional) >= 30
    assert unconditional <= shown
    required = {q.key for q in iso.questions if q.key in unconditional and q.required}
    assert required <= {m.question for m in missing(iso, given)}
    assert progress(iso, given).required >= len(required)
    assert not {"iso_cert_body", "iso_cert_until"} & shown or value == "partial"


def test_iso_every_clause_question_depends_on_the_certificate_answer(shipped):
    iso = shipped["iso28000"]
    by_key = {q.key: q for q in iso.questions}
    for key in _clause_keys(iso):
        condition = by_key[key].show_when
        assert condition is not None, key
        # Directly, or through an earlier clause question that does.
        assert "iso_certified" in condition.questions() or all(
            "iso_certified" in by_key[dep].show_when.questions() for dep in condition.questions()
        ), key
    chained = answers(iso_certified="yes", lead_policy="yes", op_plans="yes", perf_audit="yes")
    assert visible_keys(iso, chained) == {"iso_certified"}
    partial = visible_keys(iso, answers(iso_certified="partial", lead_policy="yes"))
    assert {"iso_cert_body", "iso_cert_until", "lead_policy_date"} <= partial
    assert CERTIFICATION - partial == {"iso_cert_gaps"}  # asked once the date is given
