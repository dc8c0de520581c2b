"""The shipped catalog files load and validate; broken files are refused with file and path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from questionnaires import catalog as cat

SR_ENHANCEMENTS = {
    "SR-2(1)": "SR-2",
    "SR-3(1)": "SR-3",
    "SR-3(2)": "SR-3",
    "SR-3(3)": "SR-3",
    "SR-4(1)": "SR-4",
    "SR-4(2)": "SR-4",
    "SR-4(3)": "SR-4",
    "SR-4(4)": "SR-4",
    "SR-5(1)": "SR-5",
    "SR-5(2)": "SR-5",
    "SR-6(1)": "SR-6",
    "SR-9(1)": "SR-9",
    "SR-11(1)": "SR-11",
    "SR-11(2)": "SR-11",
    "SR-11(3)": "SR-11",
}
# The SP 800-161r1 overlay controls the reference lists (§2.2), beyond the SR family.
OVERLAY = """AC-20 AC-20(1) AC-20(3) AC-21 AT-3 CA-2(3) CA-3 CA-7 CM-8 CM-8(9) CM-14 CP-2(7) CP-8(4)
IR-4 IR-4(10) IR-4(11) IR-6(3) MA-2 MA-5 PE-20 PL-8(2) PM-9 PM-16 PM-17 PM-30 PM-30(1) PM-31
PS-7 RA-3 RA-3(1) RA-3(2) RA-5 RA-7 RA-9 SA-4 SA-4(5) SA-8 SA-9 SA-9(2) SA-9(3) SA-9(5) SA-10
SA-11 SA-15 SA-17 SA-20 SA-21 SA-22 SC-38 SI-4 SI-5 SI-7""".split()
# The SP 800-53r5 controls that describe one partner connection (Connection Security template).
CONNECTION = {
    "AC-6": "Least Privilege",
    "AC-17": "Remote Access",
    "AC-17(2)": "Protection of Confidentiality and Integrity Using Encryption",
    "AU-2": "Event Logging",
    "AU-6": "Audit Record Review, Analysis, and Reporting",
    "AU-11": "Audit Record Retention",
    "CM-3": "Configuration Change Control",
    "IA-2": "Identification and Authentication (Organizational Users)",
    "IA-2(1)": "Multi-factor Authentication to Privileged Accounts",
    "IA-2(2)": "Multi-factor Authentication to Non-privileged Accounts",
    "IA-5": "Authenticator Management",
    "SC-7": "Boundary Protection",
    "SC-8": "Transmission Confidentiality and Integrity",
    "SC-8(1)": "Cryptographic Protection",
    "SC-12": "Cryptographic Key Establishment and Management",
}
ISO_CLAUSES = """4 4.1 4.2 4.2.1 4.2.2 4.2.3 4.3 4.4 5 5.1 5.2 5.2.1 5.2.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3
6.2 6.2.1 6.2.2 6.3 7 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3 8.4 8.5 8.5.1 8.5.2
8.5.3 8.6 8.6.1 8.6.2 8.6.3 8.6.4 8.6.5 9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1
10.2""".split()


@pytest.fixture(scope="module")
def shipped() -> cat.CatalogSet:
    return cat.load_directory()


def _by_framework(catalogs: cat.CatalogSet) -> dict[str, cat.Catalog]:
    return {c.framework: c for c in catalogs.catalogs}


def test_three_frameworks_each_with_a_version(shipped):
    frameworks = _by_framework(shipped)
    assert list(frameworks) == ["csf2", "sp800-53r5", "iso28000"]
    for catalog in shipped.catalogs:
        assert catalog.catalog_version, catalog.framework
        assert catalog.source, catalog.framework
    assert shipped.crosswalk_version


def test_every_gv_sc_outcome_with_its_official_statement(shipped):
    csf = _by_framework(shipped)["csf2"]
    assert [c.identifier for c in csf.controls] == [f"GV.SC-{n:02d}" for n in range(1, 11)]
    gv_sc_04 = shipped.control("GV.SC-04")
    assert gv_sc_04.summary == "Suppliers are known and prioritized by criticality"
    assert shipped.control("GV.SC-10").summary.startswith(
        "Cybersecurity supply chain risk management plans include provisions"
    )
    assert all(c.family.startswith("GV.SC") for c in csf.controls)


def test_every_sr_control_and_enhancement_with_its_parent(shipped):
    sp = _by_framework(shipped)["sp800-53r5"]
    ids = [c.identifier for c in sp.controls]
    for n in range(1, 13):
        assert f"SR-{n}" in ids
    for enhancement, parent in SR_ENHANCEMENTS.items():
        control = shipped.control(enhancement)
        assert control is not None, enhancement
        assert control.parent_identifier == parent
        assert control.family == "SR – Supply Chain Risk Management"
    assert shipped.control("SR-6").title == "Supplier Assessments and Reviews"
    assert shipped.control("SR-3(1)").title == "Diverse Supply Base"


def test_the_overlay_controls_the_reference_lists(shipped):
    for identifier in OVERLAY:
        control = shipped.control(identifier)
        assert control is not None, identifier
        assert control.framework == "sp800-53r5"
        assert control.family.startswith(identifier.split("-")[0] + " – ")
    # Every enhancement has its parent in the catalog, listed before it.
    sp = _by_framework(shipped)["sp800-53r5"]
    position = {c.identifier: n for n, c in enumerate(sp.controls)}
    for c in sp.controls:
        base = re.match(r"^(.+)\(\d+\)$", c.identifier)
        if base:
            assert c.parent_identifier == base.group(1)
            assert position[c.parent_identifier] < position[c.identifier]


def test_the_connection_controls_with_official_titles_families_and_parents(shipped):
    sp = _by_framework(shipped)["sp800-53r5"]
    assert sp.catalog_version == "5.1.1+r2"
    families = {
        "AC": "AC – Access Control",
        "AU": "AU – Audit and Accountability",
        "CM": "CM – Configuration Management",
        "IA": "IA – Identification and Authentication",
        "SC": "SC – System and Communications Protection",
    }
    for identifier, title in CONNECTION.items():
        control = shipped.control(identifier)
        assert control is not None, identifier
        assert (control.framework, control.title) == ("sp800-53r5", title)
        assert control.family == families[identifier.split("-")[0]]
        assert control.summary and len(control.summary) <= 160, identifier
        base = re.match(r"^(.+)\(\d+\)$", identifier)
        assert control.parent_identifier == (base.group(1) if base else "")
        assert identifier in shipped.known_identifiers()
    # Reasoned crosswalk links where these controls clearly support an outcome.
    links = {(e.source, e.target): e for e in shipped.crosswalk}
    for pair in [("GV.SC-07", "AU-6"), ("GV.SC-07", "AC-17"), ("GV.SC-10", "IA-5")]:
        assert links[pair].basis == "reasoned" and links[pair].note, pair


def test_sa_12_is_kept_as_withdrawn_and_not_offered_to_questionnaires(shipped):
    assert shipped.control("SA-12").withdrawn
    assert "SA-12" not in shipped.known_identifiers()
    assert {"SR-6", "GV.SC-05", "ISO28000-8.2"} <= shipped.known_identifiers()


def test_iso_28000_clauses_by_number_with_short_own_summaries(shipped):
    iso = _by_framework(shipped)["iso28000"]
    assert [c.identifier for c in iso.controls] == [f"ISO28000-{n}" for n in ISO_CLAUSES]
    assert shipped.control("ISO28000-8.2").title == "Identification of processes and activities"
    for c in iso.controls:
        assert c.summary and len(c.summary) <= 160, c.identifier  # one line of our own
        if "." in c.identifier:
            assert c.parent_identifier == c.identifier.rsplit(".", 1)[0]
        else:
            assert c.parent_identifier == ""


def test_identifiers_are_unique_across_every_framework(shipped):
    ids = [c.identifier for c in shipped.controls()]
    assert len(ids) == len(set(ids))


def test_crosswalk_covers_every_outcome_with_sr_and_iso(shipped):
    targets: dict[str, list[str]] = {}
    for entry in shipped.crosswalk:
        assert shipped.control(entry.source) is not None
        assert shipped.control(entry.target) is not None
        targets.setdefault(entry.source, []).append(entry.target)
        if entry.basis == "reasoned":
            assert entry.note and entry.stored_note.startswith("Reasoned: ")
        else:
            assert "reference" in entry.note
    assert sorted(targets) == [f"GV.SC-{n:02d}" for n in range(1, 11)]
    for outcome, ids in targets.items():
        assert any(i.startswith("SR-") for i in ids), outcome
        assert any(i.startswith("ISO28000-") for i in ids), outcome
    pairs = [(e.source, e.target) for e in shipped.crosswalk]
    assert len(pairs) == len(set(pairs))
    # The pairings the reference states are there.
    for pair in [("GV.SC-08", "SR-8"), ("GV.SC-10", "SR-12"), ("GV.SC-04", "RA-9")]:
        assert pair in pairs


# --- broken files ------------------------------------------------------------------------


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    """A copy of the shipped catalog files to break."""
    target = tmp_path / "catalogs"
    shutil.copytree(cat.DEFAULT_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _refused(directory: Path) -> cat.CatalogError:
    with pytest.raises(cat.CatalogError) as info:
        cat.load_directory(directory)
    return info.value


def _paths(error: cat.CatalogError) -> list[tuple[str, str]]:
    return [(Path(i.file).name, i.path) for i in error.issues]


def test_duplicate_identifier_names_file_and_path(catalog_dir):
    _edit(
        catalog_dir / "csf2-gv-sc.yaml",
        lambda d: d["controls"][1].update(identifier="GV.SC-01"),
    )
    error = _refused(catalog_dir)
    assert ("csf2-gv-sc.yaml", "controls[1].identifier") in _paths(error)
    assert "duplicate identifier 'GV.SC-01'" in str(error)
    assert "\n" not in str(error)


def test_missing_title_wrong_type_and_unknown_key(catalog_dir):
    def change(doc):
        del doc["controls"][0]["title"]
        doc["controls"][1]["summary"] = ["a", "list"]
        doc["controls"][2]["colour"] = "red"

    _edit(catalog_dir / "csf2-gv-sc.yaml", change)
    error = _refused(catalog_dir)
    assert _paths(error)[:3] == [
        ("csf2-gv-sc.yaml", "controls[0].title"),
        ("csf2-gv-sc.yaml", "controls[1].summary"),
        ("csf2-gv-sc.yaml", "controls[2].colour"),
    ]
    assert str(error).endswith("(and 2 more problems)"), str(error)


def test_bad_identifiers_and_parents(catalog_dir):
    def change(doc):
        controls = doc["controls"]
        controls[0]["identifier"] = "SR 1"  # not an SP 800-53 identifier
        sr_2_1 = next(c for c in controls if c["identifier"] == "SR-2(1)")
        del sr_2_1["parent"]
        sr_3 = next(c for c in controls if c["identifier"] == "SR-3")
        sr_3["parent"] = "SR-9"  # listed later in the file

    _edit(catalog_dir / "sp800-53r5-scrm.yaml", change)
    messages = [i.message for i in _refused(catalog_dir).issues]
    assert "'SR 1' is not a sp800-53r5 identifier" in messages
    assert "an enhancement needs parent: SR-2" in messages
    assert "'SR-9' must be listed before this control in the file" in messages


def test_unknown_framework_family_and_missing_version(catalog_dir):
    def change(doc):
        doc["framework"] = "cobit"
        del doc["catalog_version"]

    _edit(catalog_dir / "iso28000-2022.yaml", change)
    error = _refused(catalog_dir)
    assert ("iso28000-2022.yaml", "framework") in _paths(error)
    assert ("iso28000-2022.yaml", "catalog_version") in _paths(error)

    _edit(catalog_dir / "iso28000-2022.yaml", lambda d: d.update(framework="iso28000"))
    _edit(catalog_dir / "iso28000-2022.yaml", lambda d: d.update(catalog_version="1"))
    _edit(catalog_dir / "iso28000-2022.yaml", lambda d: d["controls"][0].update(family="11"))
    assert "unknown family '11'" in str(_refused(catalog_dir))


def test_too_long_title_is_refused(catalog_dir):
    _edit(catalog_dir / "csf2-gv-sc.yaml", lambda d: d["controls"][0].update(title="x" * 300))
    assert "is too long (300 characters; at most 255)" in str(_refused(catalog_dir))


def test_invalid_yaml_names_the_line(catalog_dir):
    path = catalog_dir / "csf2-gv-sc.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(14, "  - identifier: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    error = _refused(catalog_dir)
    assert len(error.issues) == 1
    assert re.search(r"csf2-gv-sc\.yaml: line \d+, column \d+: invalid YAML", str(error))


def test_crosswalk_refuses_unknown_same_framework_withdrawn_and_repeated_links(catalog_dir):
    def change(doc):
        targets = doc["mappings"][0]["targets"]
        targets.append({"id": "SR-99", "basis": "reasoned", "note": "x"})
        targets.append({"id": "GV.SC-02", "basis": "reasoned", "note": "x"})
        targets.append({"id": "SA-12", "basis": "reasoned", "note": "x"})
        targets.append({"id": "SR-1", "basis": "reasoned", "note": "again"})
        doc["mappings"].append(
            {"source": "SR-6", "targets": [{"id": "ISO28000-8.2", "basis": "reference"}]}
        )

    _edit(catalog_dir / "crosswalk.yaml", change)
    messages = [str(i) for i in _refused(catalog_dir).issues]
    joined = "\n".join(messages)
    assert len(messages) == 5, joined
    assert "GV.SC-01 -> SR-99: unknown target control 'SR-99'" in joined
    assert "GV.SC-01 -> GV.SC-02: a crosswalk link must join two different frameworks" in joined
    assert "GV.SC-01 -> SA-12: SA-12 is withdrawn" in joined
    assert "GV.SC-01 -> SR-1: this link is listed twice" in joined
    assert "SR-6 -> ISO28000-8.2: the source must be a CSF 2.0 outcome" in joined


def test_crosswalk_needs_a_reason_for_reasoned_links_and_a_known_basis(catalog_dir):
    def change(doc):
        doc["mappings"][0]["targets"].append("SR-4")  # reasoned by default, without a note
        doc["mappings"][1]["targets"].append({"id": "SR-5", "basis": "hunch", "note": "x"})

    _edit(catalog_dir / "crosswalk.yaml", change)
    messages = [str(i) for i in _refused(catalog_dir).issues]
    assert [m.split("crosswalk.yaml: ")[1] for m in messages] == [
        "mappings[0].targets[8].note: is required",
        "mappings[1].targets[6].basis: unknown basis 'hunch'; use one of: reference, reasoned",
    ]


def test_identifier_reused_by_another_framework_and_framework_defined_twice(catalog_dir):
    extra = {
        "kind": "catalog",
        "framework": "csf2",
        "catalog_version": "x1",
        "controls": [{"identifier": "GV.SC-11", "title": "Extra"}],
    }
    (catalog_dir / "zz-extra.yaml").write_text(yaml.safe_dump(extra), encoding="utf-8")
    assert "'csf2' is also defined in" in str(_refused(catalog_dir))


def test_kind_is_required_and_empty_directory_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("framework: csf2\n", encoding="utf-8")
    error = _refused(tmp_path)
    assert _paths(error) == [("a.yaml", "kind")]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no *.yaml files" in str(_refused(empty))
    assert "is not a directory" in str(_refused(tmp_path / "missing"))


def test_document_loader_works_on_plain_data():
    catalog = cat.load_catalog_document(
        {
            "kind": "catalog",
            "framework": "iso28000",
            "catalog_version": "t1",
            "controls": [
                {"identifier": "ISO28000-4", "title": "Context"},
                {"identifier": "ISO28000-4.1", "title": "Sub", "parent": "ISO28000-4"},
            ],
        }
    )
    assert [c.sort_key for c in catalog.controls] == [10, 20]
    assert catalog.name == cat.FRAMEWORKS["iso28000"]
    with pytest.raises(cat.CatalogError) as info:
        cat.load_catalog_document(
            {"kind": "catalog", "framework": "csf2", "catalog_version": "1", "controls": []}
        )
    assert str(info.value) == "<catalog>: controls: must be a non-empty list"
