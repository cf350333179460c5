"""The plain data the audit report is built from: team, work plan, focus, causes, balances."""

import json
from datetime import date

from cleanprod.audits.balancing import balance_results
from cleanprod.audits.focus import choose_focus
from cleanprod.audits.models import StepStatus, TeamMember
from cleanprod.audits.services import cause_table, focus_decision, team_table, work_plan

from .conftest import first_step


def test_team_table_leader_first(audit_a, alice):
    TeamMember.objects.create(audit=audit_a, name="王工", organisation="咨询公司", role="consultant")
    TeamMember.objects.create(audit=audit_a, user=alice, role="leader", responsibilities="全面负责")

    rows = team_table(audit_a)

    assert [(row["name"], row["role"], row["is_user"]) for row in rows] == [
        ("Alice", "leader", True),
        ("王工", "consultant", False),
    ]


def test_work_plan_lists_steps(audit_a, alice):
    step = first_step(audit_a)
    step.owner = alice
    step.due_on = date(2024, 5, 1)
    step.status = StepStatus.DONE
    step.save()

    plan = work_plan(audit_a)

    assert [phase["number"] for phase in plan] == [1, 2, 3, 4, 5, 6, 7]
    assert plan[0]["steps"][0] == {
        "title": step.title,
        "owner": "Alice",
        "due_on": "2024-05-01",
        "status": "done",
        "status_label": "done",
    }
    assert (plan[0]["closed"], plan[0]["total"]) == (1, 5)


def test_report_data_is_json(filled_audit, alice):
    audit = filled_audit["audit"]
    choose_focus(audit, filled_audit["candidate"], acting_user=alice)

    focus = focus_decision(audit)
    causes = cause_table(audit)
    data = {"team": team_table(audit), "plan": work_plan(audit), "focus": focus, "causes": causes}

    assert json.loads(json.dumps(data)) == data
    assert focus is not None
    assert focus["unit_code"] == "ws1"
    assert causes[0]["causes"][0]["aspect"] == "equipment"
    result = balance_results(audit)[0]
    assert result.overall is not None
    assert (result.overall.inputs, result.overall.outputs) == (10.0, 0.0)
    assert result.overall.within_tolerance is False


def test_no_focus_decision(audit_a):
    assert focus_decision(audit_a) is None
