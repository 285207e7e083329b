"""MS Project XML: every export fits the schema subset, round trips give back the plan as pins,
a file the engine did not write imports, and MPXJ (a real MSPDI reader) reads the exports."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, seed, settings
from lxml import etree

from api.generate import generate_size
from api.interchange import mspdi_fields as f
from api.interchange.mspdi_read import GENERAL_SKILL, Pins, read_portfolio_mspdi
from api.interchange.mspdi_schema import validate_mspdi
from api.interchange.mspdi_write import plan_mspdi
from model.checker import check_plan
from model.load import InvalidInput, parse_portfolio
from model.plan import Plan
from model.portfolio import ObjectiveWeights, Portfolio
from tests.api.interchange.helpers import HAND_MADE, levelled_plan, small_plan
from tests.conftest import build, person, portfolio_dict, project, small_portfolio, task, valid_portfolios

NS = {"p": f.NAMESPACE}


def _xml_text(name: str | None) -> str | None:
    """A name as XML holds it: characters XML 1.0 forbids become U+FFFD; empty is none."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", name) if name else None


def expected_after_round_trip(portfolio: Portfolio, plan: Plan) -> Portfolio:
    """What an MSPDI export of ``plan`` reads back as: the portfolio with the plan as pins, less
    what MS Project has no place for (docs/interchange.md): skill names and unused skills,
    objective weights, the order of workdays, an empty name."""
    by_task = {(a.project, a.task): a for a in plan.assignments}
    data = portfolio.model_dump(mode="json")
    used = {s for p in portfolio.people for s in p.skills}
    used |= {
        r.skill for pr in portfolio.projects for t in pr.tasks for _, r in t.all_requirements() if r.skill
    }
    data["skills"] = [{"id": s["id"], "name": None} for s in data["skills"] if s["id"] in used]
    data["objective"] = ObjectiveWeights().model_dump()
    data["calendar"]["workdays"] = [
        d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if d in data["calendar"]["workdays"]
    ]
    data["calendar"]["holidays"] = sorted(set(data["calendar"]["holidays"]))
    data["name"] = _xml_text(data["name"])
    for item in [*data["people"], *data["pools"]]:
        item["name"] = _xml_text(item["name"])
    for pr in data["projects"]:
        pr["name"] = _xml_text(pr["name"])
        for t in pr["tasks"]:
            t["name"] = _xml_text(t["name"])
            a = by_task.get((pr["id"], t["id"]))
            if a is not None:
                t["fixed_start"] = a.start.isoformat()
                t["fixed_people"] = [p.id for p in a.people]
            for d in t["dependencies"]:
                owner, tid = portfolio.task_key(pr["id"], d["task"])
                d["task"] = tid if owner == pr["id"] else f"{owner}/{tid}"
    return parse_portfolio(data)


def _sorted_skills(portfolio: Portfolio) -> Portfolio:
    return portfolio.model_copy(update={"skills": sorted(portfolio.skills, key=lambda s: s.id)})


def assert_round_trip(portfolio: Portfolio, plan: Plan) -> Portfolio:
    data = plan_mspdi(portfolio, plan)
    assert validate_mspdi(data) == []
    result = read_portfolio_mspdi(data)
    assert result.notes == []
    again = result.portfolio
    assert _sorted_skills(again) == _sorted_skills(expected_after_round_trip(portfolio, plan))
    # the pins reproduce the plan: it is a valid plan of the imported portfolio
    assert check_plan(again, plan) == []
    return again


# --------------------------------------------------------------------------- schema


def test_every_export_fits_the_schema_and_a_misplaced_element_does_not() -> None:
    data = plan_mspdi(small_portfolio(), small_plan())
    assert validate_mspdi(data) == []
    root = etree.fromstring(data)
    task = root.find("p:Tasks/p:Task", NS)
    assert task is not None
    start, finish = task.find("p:Start", NS), task.find("p:Finish", NS)
    assert start is not None and finish is not None
    task.remove(start)
    finish.addnext(start)  # Start after Finish: the schema's sequence forbids it
    problems = validate_mspdi(etree.tostring(root))
    assert problems and "Start" in problems[0]


def test_export_content() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    root = etree.fromstring(plan_mspdi(portfolio, plan))
    tasks = root.findall("p:Tasks/p:Task", NS)
    summaries = [t for t in tasks if t.findtext("p:Summary", namespaces=NS) == "1"]
    assert [s.findtext("p:Name", namespaces=NS) for s in summaries] == [
        p.name or p.id for p in portfolio.projects
    ]
    by_name = {t.findtext("p:Name", namespaces=NS): t for t in tasks}
    ui = by_name["ui"]
    link = ui.find("p:PredecessorLink", NS)
    assert link is not None
    assert link.findtext("p:Type", namespaces=NS) == "1"  # FS
    assert link.findtext("p:LinkLag", namespaces=NS) == str(2 * 4800)  # lag 2 working days
    a = next(x for x in plan.assignments if (x.project, x.task) == ("crm", "ui"))
    assert ui.findtext("p:Start", namespaces=NS) == f"{a.start}T08:00:00"
    assert ui.findtext("p:Finish", namespaces=NS) == f"{a.finish}T17:00:00"
    assert ui.findtext("p:Duration", namespaces=NS) == "PT120H0M0S"
    holidays = root.findall("p:Calendars/p:Calendar[p:UID='1']/p:Exceptions/p:Exception", NS)
    assert [h.findtext("p:TimePeriod/p:FromDate", namespaces=NS)[:10] for h in holidays] == [
        d.isoformat() for d in portfolio.calendar.holidays
    ]
    bruno = next(
        c
        for c in root.findall("p:Calendars/p:Calendar", NS)
        if c.findtext("p:Name", namespaces=NS) == "Bruno Leroy"
    )
    assert (
        bruno.findtext("p:Exceptions/p:Exception/p:TimePeriod/p:FromDate", namespaces=NS)
        == "2027-04-19T00:00:00"
    )
    units = sorted(float(u.text or 0) for u in root.findall("p:Assignments/p:Assignment/p:Units", NS))
    assert 0.5 in units and 1.0 in units


def test_sf_lag_is_shifted_by_a_day_both_ways() -> None:
    pf = build(
        portfolio_dict(
            [
                project(
                    "p", [task("a", 3), task("b", 3, dependencies=[{"task": "a", "type": "SF", "lag": 2}])]
                )
            ],
            [person("ann"), person("bob")],
        )
    )
    plan = levelled_plan(pf)
    root = etree.fromstring(plan_mspdi(pf, plan))
    lag = root.findtext("p:Tasks/p:Task/p:PredecessorLink/p:LinkLag", namespaces=NS)
    assert lag == str(3 * 4800)
    assert_round_trip(pf, plan)


# --------------------------------------------------------------------------- round trips


def test_small_round_trips_with_pins() -> None:
    again = assert_round_trip(small_portfolio(), small_plan())
    # and the optimiser, given the pins, plans what was exported
    replanned = levelled_plan(again)
    assert replanned.status.has_plan
    key = {
        (a.project, a.task): (a.start, a.finish, sorted(p.id for p in a.people))
        for a in small_plan().assignments
    }
    assert {
        (a.project, a.task): (a.start, a.finish, sorted(p.id for p in a.people))
        for a in replanned.assignments
    } == key


def test_generated_portfolio_round_trips() -> None:
    pf = parse_portfolio(generate_size("p10", seed=2))
    assert_round_trip(pf, levelled_plan(pf))


@seed(25)
@settings(deadline=None, max_examples=25)
@given(valid_portfolios())
def test_any_plan_round_trips_as_pins(data: dict[str, Any]) -> None:
    pf = parse_portfolio(data)
    plan = levelled_plan(pf)
    assume(plan.status.has_plan)
    assert_round_trip(pf, plan)


@pytest.mark.parametrize("pins", [Pins.people, Pins.none])
def test_fewer_pins(pins: Pins) -> None:
    got = read_portfolio_mspdi(plan_mspdi(small_portfolio(), small_plan()), pins=pins).portfolio
    tasks = [t for p in got.projects for t in p.tasks]
    original = {(p.id, t.id): t for p in small_portfolio().projects for t in p.tasks}
    assert all(t.fixed_start == original[(p.id, t.id)].fixed_start for p in got.projects for t in p.tasks)
    assert any(t.fixed_people for t in tasks) == (pins == Pins.people)


# --------------------------------------------------------------------------- a file the engine did not write


def test_hand_made_file_imports() -> None:
    result = read_portfolio_mspdi(HAND_MADE.read_bytes())
    pf = result.portfolio
    assert pf.name == "Website relaunch"
    assert (pf.calendar.start.isoformat(), pf.calendar.end.isoformat()) == ("2027-03-01", "2027-04-30")
    assert [d.isoformat() for d in pf.calendar.holidays] == [
        "2027-03-26",
        "2027-03-27",
        "2027-03-28",
        "2027-03-29",
    ]
    assert [p.id for p in pf.projects] == ["Design", "Build"]
    design, build_ = pf.projects
    assert (design.priority, str(design.due)) == (7, "2027-03-19")
    assert str(build_.release) == "2027-03-15"
    # the nested summary "Frontend" is flattened: its task belongs to Build
    assert [t.id for t in build_.tasks] == ["Templates", "Backend", "Go live"]
    tasks = {t.id: t for p in pf.projects for t in p.tasks}
    assert tasks["Visual design"].duration == 8
    assert [(d.task, d.type.value, d.lag) for d in tasks["Visual design"].dependencies] == [
        ("Wireframes", "SS", 2)
    ]
    # a lag given in hours, a cross-project link, a negative FF lag
    assert [(d.task, d.type.value, d.lag) for d in tasks["Backend"].dependencies] == [("Templates", "SS", 2)]
    assert [(d.task, d.type.value) for d in tasks["Templates"].dependencies] == [
        ("Design/Visual design", "FS")
    ]
    assert [(d.task, d.type.value, d.lag) for d in tasks["Go live"].dependencies] == [
        ("Backend", "FS", 0),
        ("Templates", "FF", -1),
    ]
    # pins from the assignments; the milestone after Backend starts the next working day
    assert str(tasks["Backend"].fixed_start) == "2027-03-17" and tasks["Backend"].fixed_people == [
        "Sam Okafor"
    ]
    assert str(tasks["Go live"].fixed_start) == "2027-04-09" and tasks["Go live"].duration == 1
    assert tasks["Visual design"].requirements[0].allocation == 50
    people = {p.id: p for p in pf.people}
    assert people["Ines Novak"].skills == {"ux": 4, "frontend": 2}
    assert people["Ines Novak"].cost_per_day == 600
    assert [(str(a.start), str(a.end)) for a in people["Ines Novak"].absences] == [
        ("2027-03-15", "2027-03-19")
    ]
    assert people["Tom Berg"].capacity == 80
    assert people["Sam Okafor"].skills == {GENERAL_SKILL: 1}
    assert set(people) == {"Ines Novak", "Tom Berg", "Sam Okafor"}
    assert result.notes == [
        "Resource UID 4 'Paper': material resources are not mapped",
        "Task UID 21 'Frontend': a nested summary task is flattened into its project",
        "Task UID 24 'Go live': a milestone becomes a 1-day task",
    ]


def test_hand_made_file_plans() -> None:
    pf = read_portfolio_mspdi(HAND_MADE.read_bytes()).portfolio
    plan = levelled_plan(pf)
    assert plan.status.has_plan and plan.violations == []


def test_skills_from_a_mapping_file_win() -> None:
    pf = read_portfolio_mspdi(HAND_MADE.read_bytes(), skills={"Sam Okafor": {"backend": 5}}).portfolio
    assert next(p for p in pf.people if p.id == "Sam Okafor").skills == {"backend": 5}
    backend = next(t for p in pf.projects for t in p.tasks if t.id == "Backend")
    assert backend.requirements[0].skill == "backend"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<Project", "not well-formed XML"),
        (b"<Plan xmlns='http://schemas.microsoft.com/project'/>", "not an MS Project XML file"),
        (b"<Project xmlns='urn:other'/>", "not an MS Project XML file"),
    ],
)
def test_not_an_mspdi_file(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_portfolio_mspdi(data)
    assert caught.value.issues[0].message.startswith(message)


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<Project xmlns="http://schemas.microsoft.com/project"><Title>&x;</Title>'
        "<StartDate>2027-01-04T08:00:00</StartDate><FinishDate>2027-02-26T17:00:00</FinishDate></Project>"
    ).encode()
    try:
        pf = read_portfolio_mspdi(doc).portfolio
    except InvalidInput:
        return
    assert "top secret" not in (pf.name or "")


def test_an_invalid_result_names_the_task() -> None:
    doc = HAND_MADE.read_bytes().replace(b"<Name>Wireframes</Name>", b"<Name>Visual design</Name>")
    pf = read_portfolio_mspdi(doc).portfolio  # a repeated name gets the UID
    assert "Visual design (12)" in [t.id for p in pf.projects for t in p.tasks]


# --------------------------------------------------------------------------- a real MSPDI reader

MPXJ_SCRIPT = """
import json, sys, jpype, mpxj
jpype.startJVM()
from org.mpxj.reader import UniversalProjectReader
project = UniversalProjectReader().read(sys.argv[1])
tasks = [
    {"name": str(t.getName()), "start": str(t.getStart())[:10], "finish": str(t.getFinish())[:10],
     "days": float(t.getDuration().getDuration()), "summary": bool(t.getSummary()),
     "links": [(str(r.getPredecessorTask().getName()), str(r.getType())) for r in t.getPredecessors()]}
    for t in project.getTasks() if t.getName() is not None
]
resources = [str(r.getName()) for r in project.getResources() if r.getName() is not None]
units = sorted(float(a.getUnits()) for a in project.getResourceAssignments())
holidays = [str(e.getFromDate()) for e in project.getDefaultCalendar().getCalendarExceptions()]
print(json.dumps({"tasks": tasks, "resources": resources, "units": units, "holidays": holidays}))
"""


def _mpxj_missing() -> str | None:
    if shutil.which("java") is None:
        return "no Java runtime: MPXJ (the independent MSPDI reader) cannot run"
    if importlib.util.find_spec("mpxj") is None or importlib.util.find_spec("jpype") is None:
        return "the mpxj and jpype1 packages are not installed"
    return None


@pytest.mark.skipif(_mpxj_missing() is not None, reason=str(_mpxj_missing()))
def test_mpxj_reads_the_export(tmp_path: Path) -> None:
    portfolio, plan = small_portfolio(), small_plan()
    path = tmp_path / "plan.xml"
    path.write_bytes(plan_mspdi(portfolio, plan))
    done = subprocess.run(
        [sys.executable, "-c", MPXJ_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    leaves = {t["name"]: t for t in seen["tasks"] if not t["summary"]}
    for a in plan.assignments:
        t = next(x for x in portfolio.project(a.project).tasks if x.id == a.task)
        got = leaves[t.name or t.id]
        assert (got["start"], got["finish"]) == (a.start.isoformat(), a.finish.isoformat())
    assert leaves["ui"]["links"] == [["design", "FS"]]
    assert leaves["ui"]["days"] == 15
    assert sorted(seen["resources"]) == sorted(p.name or p.id for p in portfolio.people)
    assert len(seen["units"]) == sum(len(a.people) for a in plan.assignments)
    assert seen["holidays"] == [d.isoformat() for d in portfolio.calendar.holidays]
    summaries = [t["name"] for t in seen["tasks"] if t["summary"]]
    assert all((p.name or p.id) in summaries for p in portfolio.projects)


def test_an_invalid_import_names_the_task_by_uid() -> None:
    # Tom Berg gives at most 80 % of a day: a full-time assignment cannot be pinned
    doc = HAND_MADE.read_bytes().replace(b"<Units>0.8</Units>", b"<Units>1</Units>")
    with pytest.raises(InvalidInput) as caught:
        read_portfolio_mspdi(doc)
    assert [str(i) for i in caught.value.issues] == [
        "Task UID 22 'Templates': person 'Tom Berg' cannot fill any requirement of task 'Templates' "
        "(skill, level or capacity)"
    ]
