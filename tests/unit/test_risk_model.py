"""The risk model's rules, one example each, and the documented worked example."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from risk_models import example
from risk_models.controls import (
    Catalog,
    control_scores,
    counted,
    coverage,
    effectiveness,
    summarise,
)
from risk_models.explain import as_text
from risk_models.history import trend, what_moved
from risk_models.inherent import impact, is_critical_connection, likelihood, tier
from risk_models.model import MODEL_VERSION, evaluate, fingerprint
from risk_models.portfolio import breakdown, concentration, heatmap, share
from risk_models.residual import band, grid_row, residual_likelihood
from risk_models.types import (
    Appetite,
    ConnectionInput,
    MitigationInput,
    QuestionResult,
    SupplierInput,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "risk-model.md"


def conn(id=1, **kw) -> ConnectionInput:
    base = dict(
        name=f"link {id}", kind="rest_api", direction="inbound", internal_system="erp",
        authentication="oauth2_client_credentials", encryption="tls13",
        integration_layer="api_gateway", access_level="read", data_classes=("orders",),
    )  # fmt: skip
    return ConnectionInput(id, **(base | kw))


def supplier(**kw) -> SupplierInput:
    base = dict(id=1, name="S", category="component", criticality="medium", single_source=False)
    return SupplierInput(**(base | kw))


def q(
    key="q",
    score=1.0,
    status="answered",
    accepted=True,
    required=True,
    weight=1.0,
    controls=("SR-1",),
):
    return QuestionResult(key, controls, weight, required, status, score, accepted)


def test_the_worked_example_in_the_docs_is_what_the_code_prints():
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"## 8\. Worked example.*?```text\n(.*?)```", text, re.S)
    assert block, "docs/risk-model.md lost its worked example block"
    result = evaluate(example.SUPPLIER, example.CATALOG)
    assert block.group(1).rstrip("\n") == as_text(result.to_dict())
    assert (result.impact, result.likelihood, result.tier) == (5, 5, 1)
    assert result.effectiveness == pytest.approx(10.5 / 16, abs=1e-4)
    assert result.residual_likelihood == pytest.approx(1.625)
    assert (result.cell, result.band) == ((2, 5), "high")
    assert MODEL_VERSION in text


def test_impact_takes_the_most_sensitive_data_class():
    value, factors = impact(
        supplier(connections=(conn(1), conn(2, data_classes=("pii", "pricing"))))
    )
    assert value == 4
    assert "Personal data" in factors[0].label and "link 2" in factors[0].label


def test_single_source_critical_supplier_has_impact_at_least_four():
    assert impact(supplier(criticality="critical", single_source=True))[0] == 4
    assert impact(supplier(criticality="critical"))[0] == 3
    assert impact(supplier(criticality="low"))[0] == 1


def test_write_access_into_the_erp_core_raises_impact_one_step():
    direct = conn(integration_layer="direct_core", access_level="write", data_classes=("pricing",))
    value, factors = impact(supplier(connections=(direct,)))
    assert value == 4
    assert factors[-1].effect == "+1"
    read_only = dataclasses.replace(direct, access_level="read")
    assert impact(supplier(connections=(read_only,)))[0] == 3


def test_likelihood_adds_exposure_steps_and_caps_at_five():
    value, factors = likelihood(
        supplier(connections=(conn(kind="edi_as2", authentication="certificate"),))
    )
    assert value == 2
    weak = conn(kind="sftp", authentication="password", encryption="none")
    value, factors = likelihood(supplier(connections=(weak,)))
    assert value == 5  # 3 + password 1 + no encryption 1
    assert [f.effect for f in factors] == ["= 3", "+1", "+1"]
    remote = conn(kind="vendor_remote_access", authentication="none")
    value, factors = likelihood(supplier(connections=(remote,)))
    assert value == 5 and factors[-1].label == "Capped at the top of the scale"


def test_many_connections_sub_suppliers_and_software_raise_likelihood():
    five = tuple(conn(i, kind="supplier_portal") for i in range(1, 6))
    assert likelihood(supplier(connections=five[:4]))[0] == 1
    assert likelihood(supplier(connections=five))[0] == 2
    assert likelihood(supplier(sub_supplier_count=3))[0] == 2
    assert likelihood(supplier(category="software"))[0] == 2


def test_no_connection_means_lowest_inherent_risk():
    r = evaluate(supplier())
    assert (r.impact, r.likelihood, r.tier) == (1, 1, 4)
    assert r.effectiveness == 0 and "No approved assessment" in r.effectiveness_factors[0].label


@pytest.mark.parametrize(
    ("score", "expected"), [(25, 1), (20, 1), (19, 2), (12, 2), (11, 3), (6, 3), (5, 4), (1, 4)]
)
def test_tier_floors(score, expected):
    assert tier(score) == expected


def test_counting_rules():
    assert counted(q(score=0.5)) == 0.5
    assert counted(q(score=1.0, accepted=False)) == 0.0  # required, not reviewed
    assert counted(q(score=1.0, accepted=False, required=False)) is None
    assert counted(q(score=None, status="unanswered")) == 0.0
    assert counted(q(score=None, status="unanswered", required=False)) is None
    assert counted(q(score=None, status="na", accepted=True)) is None
    assert counted(q(score=None, status="na", accepted=False)) == 0.0
    assert counted(q(score=None)) is None  # an unscored answer


def test_effectiveness_is_the_weighted_mean_and_names_the_biggest_gaps():
    questions = [q("a", 1.0, weight=3), q("b", 0.0, weight=1), q("c", None, "na", accepted=True)]
    value, factors = effectiveness([summarise(questions, "Round 1")])
    assert value == pytest.approx(0.75)
    assert factors[0].label == "Reviewed answers earn 3 of 4 weighted points"
    assert factors[1].label.startswith("b: scored 0%")
    assert factors[0].detail == "Round 1"
    assert factors[-1].label == "1 question(s) left out"


def test_control_scores_and_coverage_per_framework():
    catalog = Catalog({"sp800-53r5": ("SR-1", "SR-2", "SR-3"), "iso28000": ("ISO28000-8.1",)})
    questions = [
        q("a", 1.0, controls=("SR-1", "SR-2"), weight=2),
        q("b", 0.0, controls=("SR-2",), weight=2),
    ]
    scores = control_scores([summarise(questions, "R")], catalog)
    by_id = {s.control: s for s in scores}
    assert by_id["SR-1"].score == 1.0 and by_id["SR-2"].score == 0.5
    cov = {c.framework: c for c in coverage(scores, catalog)}
    assert (cov["sp800-53r5"].assessed, cov["sp800-53r5"].total, cov["sp800-53r5"].met) == (2, 3, 1)
    assert cov["sp800-53r5"].percent_assessed == 67
    assert cov["iso28000"].assessed == 0 and cov["iso28000"].score is None


def test_a_valid_iso28000_certificate_covers_the_clauses_no_answer_reached():
    catalog = Catalog({"iso28000": ("ISO28000-8.1", "ISO28000-8.2")})
    answers = [summarise([q("a", 0.5, controls=("ISO28000-8.1",))], "R")]
    scores = control_scores(answers, catalog, certified=True)
    by_id = {s.control: s for s in scores}
    assert by_id["ISO28000-8.1"].score == 0.5 and not by_id["ISO28000-8.1"].by_certificate
    assert by_id["ISO28000-8.2"].by_certificate and by_id["ISO28000-8.2"].score == 1.0
    assert len(control_scores(answers, catalog, certified=False)) == 1


def test_residual_likelihood_and_verified_mitigations():
    value, factors = residual_likelihood(5, 0.5, [])
    assert value == 3.0 and factors[0].effect == "5 → 3"
    mitigations = [
        MitigationInput(1, "low one", "low", True),
        MitigationInput(2, "not yet", "critical", False),
        MitigationInput(3, "big one", "critical", True),
    ]
    value, factors = residual_likelihood(5, 0.5, mitigations)
    assert value == 1.75
    assert [f.label for f in factors[1:]] == [
        "Verified mitigation: big one (critical)",
        "Verified mitigation: low one (low)",
    ]
    value, factors = residual_likelihood(2, 0.9, [MitigationInput(1, "x", "critical", True)])
    assert value == 1.0


def test_bands_follow_the_appetite():
    appetite = Appetite(4, 9, 15)
    assert [band(1, 4, appetite), band(2, 5, appetite), band(3, 5, appetite), band(4, 4, appetite)] == [
        "low", "high", "high", "critical",
    ]  # fmt: skip
    assert band(2, 5, Appetite(4, 10, 15)) == "medium"
    assert grid_row(1.5) == 2 and grid_row(1.49) == 1 and grid_row(5.0) == 5


def test_appetite_problems():
    assert Appetite(4, 9, 15).problems() == []
    assert Appetite(9, 4, 15).problems()
    assert Appetite(0, 4, 15).problems()
    assert Appetite(4, 9, 25).problems()


def test_fingerprint_changes_with_inputs_model_and_catalog():
    s = supplier(connections=(conn(),))
    assert fingerprint(s) == fingerprint(dataclasses.replace(s))
    assert fingerprint(s) != fingerprint(dataclasses.replace(s, criticality="high"))
    assert fingerprint(s, Catalog({}, "a")) != fingerprint(s, Catalog({}, "b"))


def test_critical_connections():
    assert is_critical_connection(conn(data_classes=("pii",)))
    assert is_critical_connection(conn(kind="vpn_site_to_site"))
    assert is_critical_connection(conn(integration_layer="direct_core", access_level="admin"))
    assert not is_critical_connection(conn())


def test_what_moved_says_why_in_plain_sentences():
    before = evaluate(supplier(connections=(conn(),))).to_dict()
    after = evaluate(supplier(connections=(conn(), conn(2, kind="vendor_remote_access")))).to_dict()
    lines = what_moved(before, after)
    assert "Inherent likelihood 3 → 5." in lines
    assert any(
        "Vendor remote access" in line and line.startswith("Inherent likelihood: now")
        for line in lines
    )
    assert what_moved(None, after) == ["First score."]
    assert what_moved(after, after) == []
    assert trend(before, after) == "worse" and trend(after, before) == "better"


def test_portfolio_helpers():
    grid = heatmap({(5, 5): 3, (1, 1): 2}, Appetite())
    assert grid[0][4].count == 3 and grid[0][4].band == "critical"
    assert grid[4][0].count == 2 and grid[4][0].band == "low"
    rows = breakdown([("DE", 1, 2), ("DE", 3, 1), ("VN", 2, 5)], {"DE": "Germany"})
    assert rows[0].label == "Germany" and rows[0].total == 3 and rows[1].by_tier[2] == 5
    found = concentration(
        [(1, "A", 4), (2, "B", 1)], [(9, "Port X", 3, ["A", "B", "C"]), (8, "Y", 1, ["A"])]
    )
    assert [(c.kind, c.party, c.count) for c in found] == [
        ("critical_links", "A", 4),
        ("shared_fourth_party", "Port X", 3),
    ]
    assert share(1, 3) == 33 and share(1, 0) == 0


def test_summaries_add_up_to_counting_every_question():
    qs = [
        q("a", 1.0, weight=3, controls=("SR-1",)),
        q("b", 0.5, weight=2, controls=("SR-1", "SR-2")),
    ]
    qs2 = [q("c", 0.0, weight=1, controls=("SR-2",)), q("d", None, "unanswered", weight=4)]
    split = [summarise(qs, "one"), summarise(qs2, "two")]
    whole = [summarise(qs + qs2, "both")]
    assert effectiveness(split)[0] == pytest.approx(effectiveness(whole)[0])
    assert [f.label for f in effectiveness(split)[1][1:]] == [
        f.label for f in effectiveness(whole)[1][1:]
    ]
    assert control_scores(split) == control_scores(whole)
    assert summarise(qs, "one").digest == summarise(list(qs), "one").digest
    assert summarise(qs, "one").digest != summarise(qs2, "one").digest


def test_a_summary_survives_json():
    from risk_models.types import AnswerSummary

    s = summarise(
        [q("a", 0.5, controls=("SR-1", "GV.SC-01")), q("b", None, "na", accepted=False)], "R"
    )
    assert AnswerSummary.from_json(s.to_json()) == s
    again = AnswerSummary.from_json(s.to_json(), s.questions_json())
    assert again.control_questions == (("GV.SC-01", ("a",)), ("SR-1", ("a", "b")))
