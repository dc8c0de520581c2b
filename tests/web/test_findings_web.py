"""Findings screens for staff (/findings): the register and its filters, the overdue
worklist, the exceptions list, a supplier's plan, adding and editing, the workflow, plan
review, risk acceptance, evidence, the thread, bulk reassignment, exports and roles."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Finding,
    FindingComment,
    FindingEvidence,
    FindingMilestone,
    RiskAcceptance,
    Supplier,
)
from app.services import Actor, remediation
from app.services.findings_views import EXPORT_COLUMNS
from tests.factories import make_connection
from tests.web.test_query_counts import counting

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def add_finding(app, supplier_id: int, **values) -> int:
    """A finding straight in the database (no audit), open and due in 30 days by default."""
    row = {
        "title": "A finding",
        "severity": "medium",
        "status": "open",
        "opened_on": day(-10),
        "due_on": day(30),
    }
    row.update(values)
    with app.app_context():
        finding = Finding(supplier_id=supplier_id, **row)
        db.session.add(finding)
        db.session.commit()
        return finding.id


def get(app, model, id_):
    with app.app_context():
        obj = db.session.get(model, id_)
        db.session.expunge(obj)
        return obj


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def finding_ids(response) -> list[int]:
    """The findings a list page links to, in page order."""
    assert response.status_code == 200, response.status_code
    found = re.findall(r'href="/findings/(\d+)"', response.get_data(as_text=True))
    return list(dict.fromkeys(int(i) for i in found))


def contact_actor(users) -> Actor:
    return Actor(
        user_id=users["supplier"].id,
        email=users["supplier"].email,
        role="supplier",
        supplier_id=users["supplier_a"].id,
    )


def propose(app, users, finding_id: int, target: dt.date = None) -> None:
    """Supplier A's contact proposes a plan with one milestone (through the use case)."""
    target = target or day(40)
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        remediation.propose_plan(
            db.session,
            contact_actor(users),
            finding,
            {"plan": "Rotate keys, then enforce MFA.", "plan_due_on": target.isoformat(),
             "milestones": f"{day(5).isoformat()} Rotate keys"},
        )  # fmt: skip
        db.session.commit()


def attach(app, finding_id: int, actor: Actor, name: str = "fix.pdf") -> int:
    from app.services import files as file_store

    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        ev = remediation.add_evidence(
            db.session, actor, finding, file_store.Upload(name, PDF), "",
            root=Path(app.config["CHAINLIGHT_UPLOAD_DIR"]),
        )  # fmt: skip
        db.session.commit()
        return ev.id


ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")


# --- the register -------------------------------------------------------------------------


@pytest.fixture
def register(app, users):
    """Five findings across both suppliers, severities, statuses, controls, owners, plans."""
    a, b = users["supplier_a"].id, users["supplier_b"].id
    analyst, admin = users["analyst"].id, users["admin"].id
    return {
        "f1": add_finding(app, a, title="Shared admin password", severity="critical",
                          due_on=day(-5), control="GV.SC-05", owner_id=analyst,
                          plan_status="proposed"),
        "f2": add_finding(app, a, title="No MFA on VPN", severity="high", status="in_progress",
                          due_on=day(20), control="SR-6", owner_id=admin, plan_status="accepted"),
        "f3": add_finding(app, b, title="Seal checks missing", severity="low", status="verified",
                          due_on=day(-2), control="ISO28000-8.1", owner_id=analyst),
        "f4": add_finding(app, b, title="Old TLS on SFTP", severity="medium", status="accepted",
                          due_on=day(60)),
        "f5": add_finding(app, b, title="Unpatched EDI gateway", severity="high",
                          status="resolved", control="SR-6", owner_id=admin),
    }  # fmt: skip


def test_each_register_filter_narrows_the_list(app, client, users, login_as, register):
    f = register
    a, b = users["supplier_a"].id, users["supplier_b"].id
    login_as("analyst")
    cases = {
        "": {"f1", "f2", "f3", "f4", "f5"},
        "severity=high": {"f2", "f5"},
        "status=active": {"f1", "f2", "f5"},
        "status=unfixed": {"f1", "f2"},
        "status=verified": {"f3"},
        "status=accepted": {"f4"},
        "overdue=1": {"f1"},
        f"supplier_id={a}": {"f1", "f2"},
        "control=SR-6": {"f2", "f5"},
        "framework=csf2": {"f1"},
        "framework=iso28000": {"f3"},
        "framework=sp800-53r5": {"f2", "f5"},
        f"owner={users['analyst'].id}": {"f1", "f3"},
        "plan=proposed": {"f1"},
        "plan=none": {"f3", "f4", "f5"},
        "q=password": {"f1"},
        "q=beta": {"f3", "f4", "f5"},
        f"severity=high&supplier_id={b}": {"f5"},
    }
    for query, expected in cases.items():
        shown = set(finding_ids(client.get(f"/findings/?{query}")))
        assert shown == {f[k] for k in expected}, query
    ordered = finding_ids(client.get("/findings/?sort=-due"))
    assert ordered[0] == f["f4"] and ordered[-1] == f["f1"]
    body = text(client.get("/findings/?severity=low&status=open"))
    assert "No findings match these filters." in body


def test_register_shows_counts_exports_and_the_reassign_form_to_editors(
    app, client, login_as, register
):
    login_as("analyst")
    body = text(client.get("/findings/?severity=high"))
    overdue = re.search(
        r'stat-value[^"]*">(\d+)</span>\s*<span class="small text-muted">Overdue<', body
    )
    assert overdue and overdue.group(1) == "1"
    assert 'href="/findings/export.csv?severity=high"' in body
    assert 'action="/findings/reassign"' in body and 'name="ids"' in body
    login_as("executive")
    body = text(client.get("/findings/"))
    assert 'action="/findings/reassign"' not in body and 'name="ids"' not in body
    assert 'href="/findings/new"' not in body
    assert re.search(r'class="nav-link active" href="/findings/"', body)


def test_empty_register_says_what_to_do(client, login_as):
    login_as("analyst")
    body = text(client.get("/findings/"))
    assert "No findings yet." in body and 'href="/findings/new"' in body


# --- overdue, acceptances, supplier plan --------------------------------------------------


def test_overdue_worklist_most_overdue_first_and_only_mine(app, client, users, login_as):
    a = users["supplier_a"].id
    analyst, admin = users["analyst"].id, users["admin"].id
    late30 = add_finding(
        app, a, title="Late 30", opened_on=day(-90), due_on=day(-30), owner_id=analyst
    )
    late3 = add_finding(app, a, title="Late 3", opened_on=day(-90), due_on=day(-3), owner_id=admin)
    late10 = add_finding(app, a, title="Late 10", status="in_progress", opened_on=day(-90),
                         due_on=day(-10), owner_id=analyst)  # fmt: skip
    add_finding(
        app, a, title="Resolved late", status="resolved", opened_on=day(-90), due_on=day(-40)
    )
    add_finding(app, a, title="Not yet due", due_on=day(5), owner_id=analyst)
    login_as("analyst")
    response = client.get("/findings/overdue")
    assert finding_ids(response) == [late30, late10, late3]
    assert "30 days" in text(response) and "3 days" in text(response)
    assert finding_ids(client.get("/findings/overdue?mine=1")) == [late30, late10]
    login_as("admin")
    assert finding_ids(client.get("/findings/overdue?mine=1")) == [late3]
    login_as("executive")
    assert finding_ids(client.get("/findings/overdue")) == [late30, late10, late3]


def _accepted(app, supplier_id, title, expires, lapsed=None):
    fid = add_finding(app, supplier_id, title=title, status="open" if lapsed else "accepted")
    with app.app_context():
        db.session.add(
            RiskAcceptance(finding_id=fid, reason=f"Reason for {title}", expires_on=expires,
                           approved_by_email="exec@example.com", lapsed_on=lapsed)
        )  # fmt: skip
        db.session.commit()
    return fid


def test_acceptances_tabs(app, client, users, login_as):
    a = users["supplier_a"].id
    far = _accepted(app, a, "Far expiry", day(100))
    soon = _accepted(app, a, "Soon expiry", day(10))
    gone = _accepted(app, a, "Lapsed one", day(-5), lapsed=day(-4))
    login_as("executive")
    response = client.get("/findings/acceptances")
    assert finding_ids(response) == [soon, far]
    body = text(response)
    assert "Reason for Soon expiry" in body and "exec@example.com" in body
    assert day(100).isoformat() in body
    assert finding_ids(client.get("/findings/acceptances?view=expiring")) == [soon]
    lapsed = client.get("/findings/acceptances?view=lapsed")
    assert finding_ids(lapsed) == [gone]
    assert day(-4).isoformat() in text(lapsed)
    assert finding_ids(client.get("/findings/acceptances?view=nonsense")) == [soon, far]
    login_as("analyst")
    with app.app_context():
        db.session.execute(RiskAcceptance.__table__.delete())
        db.session.commit()
    assert "No risk is accepted at the moment." in text(client.get("/findings/acceptances"))


def test_supplier_plan_shows_plans_and_milestone_states(app, client, users, login_as):
    a, b = users["supplier_a"].id, users["supplier_b"].id
    fid = add_finding(app, a, title="Plan finding", plan_status="accepted",
                      plan_text="Replace the shared account.", plan_due_on=day(20))  # fmt: skip
    add_finding(app, b, title="Beta only finding")
    with app.app_context():
        db.session.add_all([
            FindingMilestone(finding_id=fid, title="Step done", due_on=day(5), done_on=day(-1)),
            FindingMilestone(finding_id=fid, title="Step late", due_on=day(-2)),
            FindingMilestone(finding_id=fid, title="Step pending", due_on=day(10)),
        ])  # fmt: skip
        db.session.commit()
    login_as("executive")
    response = client.get(f"/findings/supplier/{a}")
    body = text(response)
    assert finding_ids(response) == [fid]
    assert "Replace the shared account." in body and "Beta only finding" not in body
    for state in ("Step done", "Step late", "Step pending", ">Done<", ">Late<", ">Pending<"):
        assert state in body, state
    assert client.get("/findings/supplier/424242").status_code == 404
    assert "Beta only finding" in text(client.get(f"/findings/supplier/{b}"))
    login_as("analyst")
    supplier_page = text(client.get(f"/suppliers/{a}"))
    assert f'href="/findings/supplier/{a}"' in supplier_page


# --- adding and editing -------------------------------------------------------------------


def test_create_refuses_bad_input_and_saves_nothing(app, client, users, login_as):
    with app.app_context():
        theirs = make_connection(db.session, db.session.get(Supplier, users["supplier_b"].id)).id
        db.session.commit()
    login_as("analyst")
    response = client.post(
        "/findings/new",
        data={"supplier": str(users["supplier_a"].id), "title": "", "severity": "huge",
              "connection": str(theirs), "due_on": day(-1).isoformat(), "control": "SR-6"},
    )  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    for message in ("This field is required.", "Choose critical, high, medium or low.",
                    "Choose one of this supplier's connections.",
                    "The due date cannot be before today."):  # fmt: skip
        assert message in body, message
    assert 'value="SR-6"' in body  # what was typed stays
    response = client.post("/findings/new", data={"supplier": "", "title": "x", "severity": "low"})
    assert "Choose a live supplier." in text(response)
    assert count(app, Finding) == 0


def test_create_adds_a_finding_with_the_sla_due_date(app, client, users, login_as):
    a = users["supplier_a"].id
    with app.app_context():
        link = make_connection(db.session, db.session.get(Supplier, a), name="Order API").id
        db.session.commit()
    login_as("analyst")
    form = client.get(f"/findings/new?supplier_id={a}")
    assert re.search(
        rf'<option selected value="{a}">|<option value="{a}" selected>', form.get_data(as_text=True)
    )
    assert "Order API" in text(form)
    response = client.post(
        "/findings/new",
        data={"supplier": str(a), "title": "Shared admin password", "severity": "high",
              "connection": str(link), "control": " GV.SC-05 ", "description": "Seen in audit."},
    )  # fmt: skip
    assert response.status_code == 302
    (finding,) = _all(app, Finding)
    assert response.headers["Location"].endswith(f"/findings/{finding.id}")
    assert (finding.owner_id, finding.connection_id, finding.control) == (
        users["analyst"].id, link, "GV.SC-05",
    )  # fmt: skip
    assert finding.due_on == day(60)
    assert "Shared admin password" in text(client.get(f"/findings/{finding.id}"))


def _all(app, model):
    with app.app_context():
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_edit_refuses_a_due_date_before_opening_and_saves_good_input(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id, title="Old title", opened_on=day(-10))
    login_as("analyst")
    page = text(client.get(f"/findings/{fid}/edit"))
    assert 'value="Old title"' in page and "Supplier contact" in page
    data = {"title": "New title", "severity": "critical", "due_on": day(-20).isoformat(),
            "owner": str(users["admin"].id), "contact": str(users["supplier"].id)}  # fmt: skip
    response = client.post(f"/findings/{fid}/edit", data=data)
    assert response.status_code == 400
    assert f"The due date cannot be before the finding was opened ({day(-10).isoformat()})" in text(
        response
    )
    assert 'value="New title"' in text(response)
    assert get(app, Finding, fid).title == "Old title"
    bad_contact = {
        **data,
        "due_on": day(15).isoformat(),
        "contact": str(users["other_supplier"].id),
    }
    assert "Choose a contact of this supplier." in text(
        client.post(f"/findings/{fid}/edit", data=bad_contact)
    )
    response = client.post(f"/findings/{fid}/edit", data={**data, "due_on": day(15).isoformat()})
    assert response.status_code == 302
    saved = get(app, Finding, fid)
    assert (saved.title, saved.severity, saved.due_on) == ("New title", "critical", day(15))
    assert (saved.owner_id, saved.contact_id) == (users["admin"].id, users["supplier"].id)


# --- workflow, plan review, acceptance ----------------------------------------------------


def test_status_moves_allowed_and_refused(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    login_as("analyst")
    page = text(client.get(f"/findings/{fid}"))
    assert 'value="in_progress"' in page and 'value="resolved"' in page
    assert 'value="verified"' not in page
    response = client.post(f"/findings/{fid}/status", data={"to": "verified", "note": "jump"})
    assert response.status_code == 400
    body = text(response)
    assert "A finding that is open cannot become verified." in body
    assert "jump</textarea>" in body  # the typed note is kept
    assert get(app, Finding, fid).status == "open"
    assert "Unknown status." in text(client.post(f"/findings/{fid}/status", data={"to": "gone"}))
    response = client.post(f"/findings/{fid}/status", data={"to": "in_progress", "note": "Started"})
    assert response.status_code == 302
    assert get(app, Finding, fid).status == "in_progress"
    assert client.post(f"/findings/{fid}/status", data={"to": "resolved"}).status_code == 302
    response = client.post(f"/findings/{fid}/status", data={"to": "verified", "note": "Scan clean"})
    assert response.status_code == 400
    assert "Attach evidence of the fix first" in text(response)
    assert get(app, Finding, fid).status == "resolved"
    attach(app, fid, ANALYST)
    response = client.post(f"/findings/{fid}/status", data={"to": "verified", "note": ""})
    assert "Say what shows the fix works." in text(response)
    response = client.post(f"/findings/{fid}/status", data={"to": "verified", "note": "Scan clean"})
    assert response.status_code == 302
    assert get(app, Finding, fid).status == "verified"
    thread = text(client.get(f"/findings/{fid}"))
    assert "Resolved → Verified. Scan clean" in thread and "analyst@example.com" in thread


def test_plan_review_accept_and_reject(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    login_as("analyst")
    response = client.post(f"/findings/{fid}/plan", data={"decision": "accept"})
    assert "There is no proposed plan to review." in text(response)
    propose(app, users, fid)
    page = text(client.get(f"/findings/{fid}"))
    assert "Rotate keys, then enforce MFA." in page and 'value="reject"' in page
    response = client.post(f"/findings/{fid}/plan", data={"decision": "reject", "note": " "})
    assert response.status_code == 400
    assert "Say why the plan is rejected." in text(response)
    assert get(app, Finding, fid).plan_status == "proposed"
    response = client.post(
        f"/findings/{fid}/plan", data={"decision": "reject", "note": "Too late."}
    )
    assert response.status_code == 302
    assert get(app, Finding, fid).plan_status == "rejected"
    propose(app, users, fid, target=day(45))
    assert client.post(f"/findings/{fid}/plan", data={"decision": "accept"}).status_code == 302
    saved = get(app, Finding, fid)
    assert (saved.plan_status, saved.status, saved.due_on) == ("accepted", "in_progress", day(45))


def test_milestone_done_once(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    propose(app, users, fid)
    (milestone,) = _all(app, FindingMilestone)
    login_as("analyst")
    url = f"/findings/{fid}/milestones/{milestone.id}/done"
    response = client.post(url, follow_redirects=True)
    assert "Milestone marked done." in text(response)
    assert get(app, FindingMilestone, milestone.id).done_on == TODAY
    assert "That milestone is done already." in text(client.post(url, follow_redirects=True))
    other = add_finding(app, users["supplier_a"].id)
    wrong = client.post(f"/findings/{other}/milestones/{milestone.id}/done", follow_redirects=True)
    assert "No such milestone on this finding." in text(wrong)


def test_acceptance_by_executive_and_refusals(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    login_as("analyst")
    page = text(client.get(f"/findings/{fid}"))
    assert f'action="/findings/{fid}/accept"' not in page
    good = {"reason": "Supplier replaced next quarter.", "expires_on": day(90).isoformat()}
    assert client.post(f"/findings/{fid}/accept", data=good).status_code == 403
    login_as("executive")
    page = text(client.get(f"/findings/{fid}"))
    assert f'action="/findings/{fid}/accept"' in page
    for action in ("status", "comments", "evidence", "plan"):
        assert f'action="/findings/{fid}/{action}"' not in page, action
    response = client.post(f"/findings/{fid}/accept", data={"reason": "", "expires_on": ""})
    assert response.status_code == 400
    body = text(response)
    assert "Say why the risk is accepted." in body and "An acceptance needs an expiry date." in body
    typed = {"reason": "Typed reason", "expires_on": day(500).isoformat()}
    body = text(client.post(f"/findings/{fid}/accept", data=typed))
    assert "The expiry must be after today and within a year." in body
    assert "Typed reason</textarea>" in body and f'value="{day(500).isoformat()}"' in body
    assert count(app, RiskAcceptance) == 0
    response = client.post(f"/findings/{fid}/accept", data=good)
    assert response.status_code == 302
    assert get(app, Finding, fid).status == "accepted"
    (acceptance,) = _all(app, RiskAcceptance)
    assert (acceptance.approved_by_email, acceptance.expires_on) == ("exec@example.com", day(90))
    assert "Supplier replaced next quarter." in text(client.get(f"/findings/{fid}"))
    again = client.post(f"/findings/{fid}/accept", data=good)
    assert "Only an open finding's risk can be accepted." in text(again)


# --- evidence and the thread --------------------------------------------------------------


def test_evidence_upload_download_and_refusals(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    other = add_finding(app, users["supplier_a"].id)
    login_as("analyst")
    upload = {"file": (io.BytesIO(PDF), "scan report.pdf"), "note": "Clean scan"}
    response = client.post(
        f"/findings/{fid}/evidence", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    (evidence,) = _all(app, FindingEvidence)
    page = text(client.get(f"/findings/{fid}"))
    assert "scan report.pdf" in page and "Clean scan" in page
    exe = {"file": (io.BytesIO(EXE), "fix.pdf"), "note": "sneaky"}
    response = client.post(
        f"/findings/{fid}/evidence", data=exe, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "This kind of file is not accepted" in text(response)
    response = client.post(f"/findings/{fid}/evidence", data={"note": "no file"})
    assert "Choose a file to upload." in text(response)
    assert count(app, FindingEvidence) == 1
    app.config["CHAINLIGHT_MAX_FILE_BYTES"] = 40
    big = {"file": (io.BytesIO(PDF), "big.pdf")}
    response = client.post(
        f"/findings/{fid}/evidence", data=big, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "The file is larger than" in text(response)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    huge = {"file": (io.BytesIO(PDF + b"0" * 4096), "huge.pdf")}
    response = client.post(
        f"/findings/{fid}/evidence", data=huge, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert "The file was not attached." in text(response) and 'id="evidence"' in text(response)
    assert count(app, FindingEvidence) == 1
    login_as("executive")
    download = client.get(f"/findings/{fid}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/findings/{other}/evidence/{evidence.id}").status_code == 404


def test_thread_comments(app, client, users, login_as):
    fid = add_finding(app, users["supplier_a"].id)
    login_as("analyst")
    page = text(client.get(f"/findings/{fid}"))
    assert "Visible to the supplier" in page and "No messages yet." in page
    response = client.post(f"/findings/{fid}/comments", data={"body": "  "})
    assert response.status_code == 400 and "This field is required." in text(response)
    assert count(app, FindingComment) == 0
    response = client.post(f"/findings/{fid}/comments", data={"body": "Please send the report."})
    assert response.status_code == 302
    page = text(client.get(f"/findings/{fid}"))
    assert "Please send the report." in page and "analyst@example.com" in page


# --- bulk reassignment --------------------------------------------------------------------


def test_bulk_reassign(app, client, users, login_as):
    a = users["supplier_a"].id
    f1 = add_finding(app, a, owner_id=users["analyst"].id)
    f2 = add_finding(app, a)
    f3 = add_finding(app, a, owner_id=users["analyst"].id)
    login_as("analyst")
    data = {"ids": [str(f1), str(f2)], "owner": str(users["admin"].id),
            "next": "/findings/?severity=medium&page=2"}  # fmt: skip
    response = client.post("/findings/reassign", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/findings/?severity=medium&page=2")
    assert "2 findings reassigned." in text(client.get("/findings/"))
    owners = {f.id: f.owner_id for f in _all(app, Finding)}
    assert owners == {f1: users["admin"].id, f2: users["admin"].id, f3: users["analyst"].id}
    for not_staff in ("executive", "supplier"):
        refused = {**data, "ids": [str(f3)], "owner": str(users[not_staff].id)}
        body = text(client.post("/findings/reassign", data=refused, follow_redirects=True))
        assert "Choose an active analyst or administrator as the new owner." in body
    assert get(app, Finding, f3).owner_id == users["analyst"].id
    body = text(client.post("/findings/reassign", data={**data, "ids": []}, follow_redirects=True))
    assert "Tick the findings to reassign." in body
    for evil in (
        "https://evil.example/findings/",
        "//evil.example/",
        "/admin/users",
        "/findings/../admin",
    ):
        response = client.post("/findings/reassign", data={**data, "next": evil})
        assert response.headers["Location"].endswith("/findings/"), evil
        assert "evil" not in response.headers["Location"]
    login_as("executive")
    assert client.post("/findings/reassign", data=data).status_code == 403


# --- exports ------------------------------------------------------------------------------


def test_csv_and_xlsx_exports_follow_the_filters_and_neutralise_formulas(
    app, client, users, login_as
):
    a, b = users["supplier_a"].id, users["supplier_b"].id
    add_finding(
        app, a, title=FORMULA, severity="high", control="SR-6", owner_id=users["analyst"].id
    )
    add_finding(app, b, title="+1 call me", severity="high", due_on=day(-3), opened_on=day(-30))
    add_finding(app, b, title="Low one", severity="low")
    login_as("executive")
    response = client.get("/findings/export.csv?severity=high&page=3")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(EXPORT_COLUMNS)
    by_title = {r[3]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_title) == {"'" + FORMULA, "'+1 call me"}
    formula = by_title["'" + FORMULA]
    assert (formula["supplier_code"], formula["framework"], formula["owner"]) == (
        "SUP-A", "sp800-53r5", "analyst@example.com",
    )  # fmt: skip
    assert by_title["'+1 call me"]["overdue"] == "yes"
    assert by_title["'+1 call me"]["due_on"] == day(-3).isoformat()
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell

    xlsx = client.get("/findings/export.xlsx?severity=high")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(EXPORT_COLUMNS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert sheet.max_row == 3
    for value in (FORMULA, "+1 call me"):
        (cell,) = [c for c in cells if c.value == value]
        assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for c in cells)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
        assert [e.entity_type for e in events] == ["finding", "finding"]
        assert events[0].after["filters"]["severity"] == "high"
        assert events[0].actor_email == "exec@example.com"


# --- roles --------------------------------------------------------------------------------


def _mitigation_routes(app, values):
    from flask import url_for

    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("mitigations."):
                url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield rule.endpoint, method, url


@pytest.fixture
def own_finding(app, users):
    """A finding of supplier A (the contact's own company), with a milestone and a file."""
    fid = add_finding(app, users["supplier_a"].id, title="Alpha finding")
    propose(app, users, fid)
    attachment = attach(app, fid, ANALYST)
    (milestone,) = _all(app, FindingMilestone)
    return {
        "finding_id": fid,
        "milestone_id": milestone.id,
        "attachment_id": attachment,
        "supplier_id": users["supplier_a"].id,
        "fmt": "csv",
    }


def test_supplier_contacts_get_403_on_every_findings_route(app, client, login_as, own_finding):
    login_as("supplier")
    seen = 0
    for endpoint, method, url in _mitigation_routes(app, own_finding):
        response = client.open(url, method=method, data={"to": "resolved", "body": "hi"})
        response.get_data()
        assert response.status_code == 403, f"{endpoint} {method} {url}"
        seen += 1
    assert seen >= 17
    assert get(app, Finding, own_finding["finding_id"]).status == "open"


def test_executives_post_only_acceptances(app, client, login_as, own_finding):
    login_as("executive")
    posts = 0
    for endpoint, method, url in _mitigation_routes(app, own_finding):
        if method == "GET":
            response = client.get(url)
            response.get_data()  # an export streams: read it to the end
            editing = endpoint in ("mitigations.create", "mitigations.edit")
            assert response.status_code == (403 if editing else 200), url
            continue
        response = client.post(url, data={"to": "resolved", "body": "x", "owner": "1"})
        if endpoint == "mitigations.accept":
            assert response.status_code == 400  # reached the use case, which wants a reason
        else:
            assert response.status_code == 403, url
            posts += 1
    assert posts == 8
    assert count(app, FindingComment, FindingComment.kind == "comment") == 0


# --- query counts -------------------------------------------------------------------------


def _grow(app, users, n: int) -> int:
    a = users["supplier_a"].id
    last = 0
    for i in range(n):
        last = add_finding(app, a, title=f"Grown {i}", owner_id=users["analyst"].id,
                           due_on=day(-1 - i), opened_on=day(-60))  # fmt: skip
        with app.app_context():
            db.session.add_all([
                FindingMilestone(finding_id=last, title=f"M{i}", due_on=day(3)),
                FindingComment(finding_id=last, body=f"C{i}", author_email="x@example.com"),
                RiskAcceptance(finding_id=last, reason="r", expires_on=day(9), lapsed_on=day(-1)),
            ])  # fmt: skip
            db.session.commit()
    attach(app, last, ANALYST)
    return last


def test_findings_pages_issue_a_fixed_number_of_queries(app, client, users, login_as):
    login_as("analyst")
    a = users["supplier_a"].id

    def measure(finding_id: int) -> dict[str, int]:
        paths = ["/findings/", "/findings/?sort=-severity&status=active", "/findings/overdue",
                 "/findings/acceptances?view=lapsed", f"/findings/supplier/{a}",
                 f"/findings/{finding_id}", f"/findings/{finding_id}/edit"]  # fmt: skip
        result = {}
        for path in paths:
            client.get(path)
            with counting(app) as counter:
                assert client.get(path).status_code == 200, path
            result[path.replace(str(finding_id), "<id>")] = counter["n"]
        return result

    small = measure(_grow(app, users, 2))
    large = measure(_grow(app, users, 12))
    assert small == large
