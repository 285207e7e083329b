"""What-if scenarios (model/scenario.py): validation with exact paths, every op, chains of files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from model.load import InvalidInput
from model.portfolio import ObjectiveWeights, Person, Portfolio, Project, ProjectStatus, Task
from model.scenario import (
    OPS,
    ChangeObjective,
    ModifyPerson,
    ModifyProject,
    ModifyTask,
    Scenario,
    apply_changes,
    apply_scenario,
    is_scenario_data,
    load_for_compare,
    load_portfolio_or_scenario,
    load_scenario,
    parse_scenario,
    scenario_portfolio,
    settable_fields,
)
from tests.conftest import SMALL, small_dict, small_portfolio

D = dt.date.fromisoformat
ONE_OF = f"(one of {', '.join(OPS)})"


def run(changes: list[dict[str, Any]], base: Any = None) -> Portfolio:
    """Apply ``changes`` to examples/small.json (or ``base``)."""
    scenario = parse_scenario({"base": small_dict() if base is None else base, "changes": changes})
    return apply_scenario(scenario, base_dir=SMALL.parent)


def issues_of(changes: list[dict[str, Any]], base: Any = None) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        run(changes, base)
    return [str(i) for i in info.value.issues]


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


OK_PRIORITY = {"op": "change_priority", "project": "crm", "priority": 9}
PIN_BRUNO = {"op": "modify_task", "project": "crm", "task": "design", "fixed_people": ["bruno"]}

# --------------------------------------------------------------------------- validation table

INVALID: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    (
        "unknown project (4th change)",
        [OK_PRIORITY, OK_PRIORITY, OK_PRIORITY, {"op": "change_priority", "project": "crmm", "priority": 3}],
        ["changes[3].project: unknown project 'crmm'"],
    ),
    (
        "unknown project of a task op",
        [{"op": "remove_task", "project": "nope", "task": "design"}],
        ["changes[0].project: unknown project 'nope'"],
    ),
    (
        "unknown task",
        [{"op": "modify_task", "project": "crm", "task": "desing", "duration": 3}],
        ["changes[0].task: unknown task 'desing' in project 'crm'"],
    ),
    (
        "unknown person",
        [{"op": "change_capacity", "person": "zed", "capacity": 50}],
        ["changes[0].person: unknown person 'zed'"],
    ),
    (
        "unknown person in add_absence",
        [{"op": "add_absence", "person": "zed", "start": "2027-03-01", "end": "2027-03-05"}],
        ["changes[0].person: unknown person 'zed'"],
    ),
    (
        "unknown pinned person",
        [{"op": "modify_task", "project": "crm", "task": "design", "fixed_people": ["bruno", "zed"]}],
        ["changes[0].fixed_people[1]: unknown person 'zed'"],
    ),
    (
        "every unknown name at once",
        [
            {"op": "remove_person", "person": "zed"},
            OK_PRIORITY,
            {"op": "change_due", "project": "x", "due": None},
        ],
        ["changes[0].person: unknown person 'zed'", "changes[2].project: unknown project 'x'"],
    ),
    ("bad op", [{"op": "fire", "person": "bruno"}], [f"changes[0].op: unknown op 'fire' {ONE_OF}"]),
    ("missing op", [{"person": "bruno"}], [f"changes[0].op: missing `op` {ONE_OF}"]),
    (
        "unknown field",
        [{"op": "change_priority", "project": "crm", "prio": 9, "priority": 9}],
        ["changes[0].prio: unknown field 'prio'"],
    ),
    (
        "unknown field in an added object",
        [{"op": "add_person", "person": {"id": "zoe", "skils": {}}}],
        ["changes[0].person.skils: unknown field 'skils'"],
    ),
    (
        "value out of range",
        [{"op": "change_priority", "project": "crm", "priority": 11}],
        ["changes[0].priority: Input should be less than or equal to 10"],
    ),
    (
        "string for an integer",
        [{"op": "change_capacity", "person": "bruno", "capacity": "50"}],
        ["changes[0].capacity: Input should be a valid integer"],
    ),
    (
        "null where a value is needed",
        [{"op": "modify_project", "project": "crm", "priority": None}],
        ["changes[0].priority: `priority` may not be null (leave it out to keep the current value)"],
    ),
    (
        "modify without a field",
        [{"op": "modify_person", "person": "bruno"}],
        [
            "changes[0]: give at least one field to change (name, capacity, skills, add_skills, "
            "available_from, available_until, cost_per_day, max_parallel_projects)"
        ],
    ),
    (
        "duration and effort together",
        [{"op": "modify_task", "project": "crm", "task": "ui", "duration": 3, "effort": 4}],
        ["changes[0]: give at most one of `duration` and `effort`"],
    ),
    (
        "reversed absence",
        [{"op": "add_absence", "person": "bruno", "start": "2027-03-05", "end": "2027-03-01"}],
        ["changes[0].end: reversed range: end 2027-03-01 is before start 2027-03-05"],
    ),
    (
        "reversed hire dates",
        [{"op": "hire", "skill": "data", "from": "2027-03-05", "until": "2027-03-01"}],
        ["changes[0].until: reversed range: until 2027-03-01 is before from 2027-03-05"],
    ),
    (
        "schema error inside an added task",
        [{"op": "add_task", "project": "crm", "task": {"id": "x", "requirements": []}}],
        ["changes[0].task: give exactly one of `duration`, `effort` and `modes`"],
    ),
    (
        "hire with an unknown skill",
        [{"op": "hire", "skill": "dta"}],
        ["changes[0].skill: unknown skill 'dta'"],
    ),
    (
        "unknown skill in change_skills",
        [{"op": "change_skills", "person": "bruno", "skills": {"backend": 4, "rust": 2}}],
        ["changes[0].skills.rust: unknown skill 'rust'"],
    ),
    (
        "unknown skill in add_skills",
        [{"op": "modify_person", "person": "bruno", "add_skills": {"rust": 2}}],
        ["changes[0].add_skills.rust: unknown skill 'rust'"],
    ),
    (
        "unknown skill of an added person",
        [{"op": "add_person", "person": {"id": "zoe", "skills": {"ai": 3}}}],
        ["changes[0].person.skills.ai: unknown skill 'ai'"],
    ),
    (
        "duplicate person",
        [{"op": "add_person", "person": {"id": "alice"}}],
        ["changes[0].person.id: person 'alice' already exists"],
    ),
    (
        "duplicate project",
        [{"op": "add_project", "project": {"id": "crm"}}],
        ["changes[0].project.id: project 'crm' already exists"],
    ),
    (
        "duplicate task",
        [{"op": "add_task", "project": "crm", "task": {"id": "ui", "duration": 2}}],
        ["changes[0].task.id: task 'ui' already exists in project 'crm'"],
    ),
    (
        "duplicate skill",
        [{"op": "add_skill", "skill": {"id": "qa"}}],
        ["changes[0].skill.id: skill 'qa' already exists"],
    ),
    (
        "removed task still depended on",
        [{"op": "remove_task", "project": "crm", "task": "design"}],
        [
            "changes[0].task: task 'crm/design' is a predecessor of crm/backend, crm/ui, portal/api; "
            'set "cascade": true to drop those dependencies'
        ],
    ),
    (
        "removed project still depended on",
        [{"op": "remove_project", "project": "crm"}],
        [
            "changes[0].project: other projects depend on project 'crm' (portal/api → crm/design); "
            'set "cascade": true to drop those dependencies'
        ],
    ),
    (
        "removed person still pinned",
        [PIN_BRUNO, {"op": "remove_person", "person": "bruno"}],
        [
            "changes[1].person: person 'bruno' is pinned (fixed_people) on crm/design; "
            'set "cascade": true to unpin them'
        ],
    ),
    (
        "result: dependency on a task removed earlier",
        [
            {"op": "remove_task", "project": "crm", "task": "design", "cascade": True},
            OK_PRIORITY,
            {
                "op": "add_task",
                "project": "dwh",
                "task": {"id": "x", "duration": 2, "dependencies": [{"task": "crm/design"}]},
            },
        ],
        ["after changes[2] (add_task): projects[1].tasks[5].dependencies[0].task: unknown task 'crm/design'"],
    ),
    (
        "result: deadline outside the horizon",
        [{"op": "change_deadline", "project": "portal", "deadline": "2028-01-01"}],
        [
            "after changes[0] (change_deadline): projects[2].deadline: date 2028-01-01 is outside "
            "the horizon 2027-01-04…2027-06-30"
        ],
    ),
    (
        "result: pinned person loses the skill",
        [PIN_BRUNO, OK_PRIORITY, {"op": "change_skills", "person": "bruno", "skills": {"backend": 4}}],
        [
            "after changes[2] (change_skills): projects[0].tasks[1].fixed_people[0]: person 'bruno' "
            "cannot fill any requirement of task 'design' (skill, level or capacity)"
        ],
    ),
    (
        "result: committed project on a now-proposed one",
        [{"op": "modify_project", "project": "crm", "status": "proposed"}],
        [
            "after changes[0] (modify_project): projects[2].tasks[1].dependencies[0].task: "
            "committed project 'portal' may not depend on proposed project 'crm'"
        ],
    ),
    (
        "result: a task switched to effort keeps two requirements",
        [{"op": "modify_task", "project": "crm", "task": "scoping", "effort": 4}],
        [
            "after changes[0] (modify_task): projects[0].tasks[0].requirements: "
            "an effort-driven task has exactly one requirement, not 2"
        ],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [r[1:] for r in INVALID], ids=[r[0] for r in INVALID])
def test_invalid_scenarios_report_exact_paths(changes: list[dict[str, Any]], expected: list[str]) -> None:
    assert issues_of(changes) == expected


def test_invalid_inline_base_is_prefixed() -> None:
    bad = small_dict()
    bad["people"].append({"id": "alice"})
    assert issues_of([], base=bad) == [
        "base.people[0].id: duplicate id 'alice'",
        "base.people[8].id: duplicate id 'alice'",
    ]
    no_end = small_dict()
    del no_end["calendar"]["end"]
    assert issues_of([], base=no_end) == ["base.calendar.end: Field required"]
    assert issues_of([], base=5) == [
        "base: give a portfolio object or the name of a portfolio or scenario file"
    ]


def test_unknown_top_level_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_scenario({"base": "small.json", "chnages": []})
    assert [str(i) for i in info.value.issues] == ["chnages: unknown field 'chnages'"]


def test_no_base_needs_a_default() -> None:
    scenario = parse_scenario({"changes": [OK_PRIORITY]})
    with pytest.raises(InvalidInput) as info:
        apply_scenario(scenario)
    assert [str(i) for i in info.value.issues] == [
        "base: no base portfolio: give `base` (an object or a file name)"
    ]
    assert apply_scenario(scenario, default_base=small_portfolio()).project("crm").priority == 9


# --------------------------------------------------------------------------- each op


def _project(p: Portfolio, pid: str) -> Any:
    return next((x for x in p.projects if x.id == pid), None)


def _person(p: Portfolio, pid: str) -> Any:
    return next((x for x in p.people if x.id == pid), None)


def _task(p: Portfolio, pid: str, tid: str) -> Any:
    return next((t for t in p.project(pid).tasks if t.id == tid), None)


def test_add_and_remove_project() -> None:
    new = {"id": "erp", "priority": 9, "due": "2027-05-31", "tasks": [{"id": "a", "duration": 3}]}
    p = run([{"op": "add_project", "project": new}])
    assert [x.id for x in p.projects] == ["crm", "dwh", "portal", "ml", "erp"]
    assert p.project("erp").due == D("2027-05-31")
    p = run([{"op": "remove_project", "project": "ml"}])
    assert _project(p, "ml") is None
    p = run([{"op": "remove_project", "project": "crm", "cascade": True}])
    assert _project(p, "crm") is None
    assert _task(p, "portal", "api").dependencies == []


def test_modify_project_and_shortcuts() -> None:
    p = run(
        [
            {
                "op": "modify_project",
                "project": "dwh",
                "name": "Warehouse",
                "priority": 2,
                "status": "proposed",
                "release": "2027-02-01",
                "due": None,
                "deadline": "2027-06-25",
            }
        ]
    )
    dwh = p.project("dwh")
    assert (dwh.name, dwh.priority, dwh.status) == ("Warehouse", 2, ProjectStatus.proposed)
    assert (dwh.release, dwh.due, dwh.deadline) == (D("2027-02-01"), None, D("2027-06-25"))
    p = run(
        [
            {"op": "change_priority", "project": "ml", "priority": 10},
            {"op": "change_due", "project": "ml", "due": "2027-05-14"},
            {"op": "change_deadline", "project": "portal", "deadline": None},
        ]
    )
    assert (p.project("ml").priority, p.project("ml").due) == (10, D("2027-05-14"))
    assert p.project("portal").deadline is None
    base = small_portfolio()
    assert p.project("crm") == base.project("crm")  # untouched


def test_add_remove_modify_task() -> None:
    task = {
        "id": "docs",
        "duration": 4,
        "requirements": [{"skill": "analyst"}],
        "dependencies": [{"task": "ui"}],
    }
    p = run([{"op": "add_task", "project": "crm", "task": task}])
    assert _task(p, "crm", "docs").dependencies[0].task == "ui"
    p = run([{"op": "remove_task", "project": "crm", "task": "golive"}])
    assert _task(p, "crm", "golive") is None
    p = run([{"op": "remove_task", "project": "crm", "task": "design", "cascade": True}])
    assert _task(p, "crm", "design") is None
    assert _task(p, "crm", "backend").dependencies == []
    assert [d.task for d in _task(p, "crm", "ui").dependencies] == []
    assert _task(p, "portal", "api").dependencies == []

    p = run(
        [
            {
                "op": "modify_task",
                "project": "crm",
                "task": "backend",
                "duration": 12,
                "earliest_start": "2027-02-01",
                "latest_finish": "2027-05-28",
                "fixed_start": "2027-02-15",
                "fixed_people": ["chloe"],
            }
        ]
    )
    backend = _task(p, "crm", "backend")
    assert (backend.duration, backend.effort, backend.crew) == (12, None, None)
    assert (backend.earliest_start, backend.latest_finish) == (D("2027-02-01"), D("2027-05-28"))
    assert (backend.fixed_start, backend.fixed_people) == (D("2027-02-15"), ["chloe"])

    p = run(
        [
            {
                "op": "modify_task",
                "project": "crm",
                "task": "ui",
                "effort": 20,
                "crew": {"min": 1, "max": 2},
                "requirements": [{"skill": "frontend", "level": 2}],
                "name": "User interface",
            }
        ]
    )
    ui = _task(p, "crm", "ui")
    assert (ui.duration, ui.effort, ui.crew_bounds, ui.name) == (None, 20, (1, 2), "User interface")
    assert ui.requirements[0].level == 2
    assert ui.dependencies == small_portfolio().project("crm").tasks[3].dependencies


def test_add_remove_modify_person() -> None:
    p = run([{"op": "add_person", "person": {"id": "zoe", "skills": {"qa": 5}, "capacity": 80}}])
    assert _person(p, "zoe").skills == {"qa": 5}
    p = run([{"op": "remove_person", "person": "gaelle"}])
    assert _person(p, "gaelle") is None
    p = run([PIN_BRUNO, {"op": "remove_person", "person": "bruno", "cascade": True}])
    assert _person(p, "bruno") is None
    assert _task(p, "crm", "design").fixed_people == []

    p = run(
        [
            {
                "op": "modify_person",
                "person": "gaelle",
                "name": "Gaëlle",
                "capacity": 80,
                "skills": {"data": 4},
                "add_skills": {"qa": 2},
                "available_from": "2027-02-01",
                "available_until": None,
                "cost_per_day": 500,
                "max_parallel_projects": 2,
            }
        ]
    )
    g = _person(p, "gaelle")
    assert (g.name, g.capacity, g.skills) == ("Gaëlle", 80, {"data": 4, "qa": 2})
    assert (g.available_from, g.available_until) == (D("2027-02-01"), None)
    assert (g.cost_per_day, g.max_parallel_projects) == (500, 2)

    p = run([{"op": "modify_person", "person": "bruno", "add_skills": {"backend": 5, "ops": 1}}])
    assert _person(p, "bruno").skills == {"architect": 5, "backend": 5, "ops": 1}
    p = run(
        [
            {"op": "change_capacity", "person": "david", "capacity": 100},
            {"op": "change_skills", "person": "hugo", "skills": {"frontend": 5}},
        ]
    )
    assert (_person(p, "david").capacity, _person(p, "hugo").skills) == (100, {"frontend": 5})


def test_add_absence_appends() -> None:
    p = run([{"op": "add_absence", "person": "bruno", "start": "2027-06-01", "end": "2027-06-10"}])
    absences = _person(p, "bruno").absences
    assert len(absences) == 2
    assert (absences[-1].start, absences[-1].end) == (D("2027-06-01"), D("2027-06-10"))


def test_hire_creates_numbered_placeholders() -> None:
    hire = {
        "op": "hire",
        "role": "data engineer",
        "skill": "data",
        "level": 4,
        "other_skills": {"backend": 2},
        "from": "2027-04-01",
        "count": 2,
        "capacity": 80,
        "cost_per_day": 600,
        "max_parallel_projects": 2,
    }
    p = run([hire, {"op": "hire", "skill": "data"}])
    new = p.people[-3:]
    assert [x.id for x in new] == ["hire-data-1", "hire-data-2", "hire-data-3"]
    first = new[0]
    assert first.name == "data engineer #1"
    assert first.skills == {"backend": 2, "data": 4}
    assert (first.available_from, first.available_until, first.capacity) == (D("2027-04-01"), None, 80)
    assert (first.cost_per_day, first.max_parallel_projects) == (600, 2)
    assert new[2].name == "data hire #3"
    assert (new[2].skills, new[2].capacity, new[2].available_from) == ({"data": 3}, 100, None)


def test_add_skill_and_change_objective() -> None:
    p = run(
        [
            {"op": "add_skill", "skill": {"id": "ai", "name": "Machine learning"}},
            {"op": "hire", "skill": "ai", "level": 5},
            {"op": "change_objective", "cost": 1, "continuity": 10},
        ]
    )
    assert p.skills[-1].id == "ai"
    assert _person(p, "hire-ai-1").skills == {"ai": 5}
    assert (p.objective.cost, p.objective.continuity, p.objective.tardiness) == (1, 10, 1000)


def test_changes_apply_in_order() -> None:
    p = run(
        [
            {"op": "add_task", "project": "ml", "task": {"id": "extra", "duration": 2}},
            {"op": "modify_task", "project": "ml", "task": "extra", "duration": 5},
            {"op": "change_priority", "project": "ml", "priority": 1},
            {"op": "change_priority", "project": "ml", "priority": 7},
            {"op": "remove_task", "project": "ml", "task": "extra"},
        ]
    )
    assert _task(p, "ml", "extra") is None
    assert p.project("ml").priority == 7


def test_no_changes_gives_the_base_and_base_is_not_mutated() -> None:
    base = small_portfolio()
    before = base.model_dump()
    assert apply_changes(base, []) == base
    scenario = parse_scenario({"changes": [{"op": "remove_project", "project": "ml"}]})
    changed = apply_changes(base, scenario.changes)
    assert _project(changed, "ml") is None
    assert base.model_dump() == before


# --------------------------------------------------------------------------- files, chains, cycles


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SMALL, tmp_path / "portfolio.json")
    return tmp_path


def test_path_base_relative_to_the_scenario_file(folder: Path) -> None:
    write(
        folder / "sub" / "s.json", {"base": "../portfolio.json", "changes": [{"op": "hire", "skill": "qa"}]}
    )
    scenario = load_scenario(folder / "sub" / "s.json")
    assert scenario.source == (folder / "sub" / "s.json").resolve()
    assert _person(apply_scenario(scenario), "hire-qa-1") is not None
    assert _person(scenario_portfolio(folder / "sub" / "s.json"), "hire-qa-1") is not None


def test_scenarios_build_on_scenarios(folder: Path) -> None:
    write(
        folder / "s1.json",
        {"name": "one", "base": "portfolio.json", "changes": [{"op": "hire", "skill": "data"}]},
    )
    write(folder / "deeper" / "s2.json", {"base": "../s1.json", "changes": [{"op": "hire", "skill": "data"}]})
    write(
        folder / "s3.json",
        {"base": "deeper/s2.json", "changes": [{"op": "remove_person", "person": "hire-data-1"}]},
    )
    p = scenario_portfolio(folder / "s3.json")
    assert [x.id for x in p.people if x.id.startswith("hire-")] == ["hire-data-2"]
    assert len(p.people) == len(small_portfolio().people) + 1


def test_errors_in_referenced_files_name_the_file(folder: Path) -> None:
    write(
        folder / "s1.json",
        {
            "base": "portfolio.json",
            "changes": [OK_PRIORITY, {"op": "change_due", "project": "crmm", "due": None}],
        },
    )
    write(folder / "s2.json", {"base": "s1.json", "changes": []})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "s2.json")
    assert [str(i) for i in info.value.issues] == ["base[s1.json].changes[1].project: unknown project 'crmm'"]

    write(folder / "s3.json", {"base": "s4.json"})
    write(
        folder / "s4.json",
        {
            "base": "portfolio.json",
            "changes": [{"op": "change_deadline", "project": "crm", "deadline": "2027-12-31"}],
        },
    )
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "s3.json")
    assert [str(i) for i in info.value.issues] == [
        "base[s4.json] after changes[0] (change_deadline): projects[0].deadline: date 2027-12-31 is "
        "outside the horizon 2027-01-04…2027-06-30"
    ]

    bad = small_dict()
    bad["projects"][0]["priority"] = 0
    write(folder / "bad.json", bad)
    write(folder / "s5.json", {"base": "bad.json"})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "s5.json")
    assert [str(i) for i in info.value.issues] == [
        "base[bad.json].projects[0].priority: Input should be greater than or equal to 1"
    ]


def test_missing_and_broken_base_files(folder: Path) -> None:
    write(folder / "s.json", {"base": "nope.json"})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "s.json")
    assert [str(i) for i in info.value.issues] == ["base: cannot read 'nope.json': No such file or directory"]
    (folder / "broken.json").write_text("{", encoding="utf-8")
    write(folder / "t.json", {"base": "broken.json"})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "t.json")
    assert str(info.value.issues[0]).startswith("base[broken.json]: not valid JSON")


def test_reference_cycles_are_named(folder: Path) -> None:
    write(folder / "a.json", {"base": "b.json", "changes": []})
    write(folder / "b.json", {"base": "c.json", "changes": []})
    write(folder / "c.json", {"base": "a.json", "changes": []})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "a.json")
    assert [str(i) for i in info.value.issues] == [
        "base[b.json].base[c.json].base: scenario reference cycle: a.json → b.json → c.json → a.json"
    ]
    write(folder / "self.json", {"base": "self.json"})
    with pytest.raises(InvalidInput) as info:
        scenario_portfolio(folder / "self.json")
    assert [str(i) for i in info.value.issues] == ["base: scenario reference cycle: self.json → self.json"]


def test_the_same_base_twice_is_no_cycle(folder: Path) -> None:
    write(folder / "s1.json", {"base": "portfolio.json", "changes": []})
    write(folder / "s2.json", {"base": "s1.json", "changes": []})
    write(folder / "s3.json", {"base": "s2.json", "changes": []})
    assert scenario_portfolio(folder / "s3.json") == small_portfolio()


def test_load_portfolio_or_scenario_and_load_for_compare(folder: Path) -> None:
    assert is_scenario_data({"changes": []}) and not is_scenario_data(small_dict())
    assert load_portfolio_or_scenario(folder / "portfolio.json") == small_portfolio()
    write(folder / "hire.json", {"name": "Hire a tester", "changes": [{"op": "hire", "skill": "qa"}]})
    write(folder / "later.json", {"base": "portfolio.json", "changes": [OK_PRIORITY]})
    write(folder / "same.json", {"name": "Hire a tester", "changes": []})
    out = load_for_compare(
        [folder / "portfolio.json", folder / "hire.json", folder / "later.json", folder / "same.json"]
    )
    assert list(out) == ["Small IT portfolio (example)", "Hire a tester", "later", "Hire a tester #2"]
    assert _person(out["Hire a tester"], "hire-qa-1") is not None  # applied to the baseline
    assert out["later"].project("crm").priority == 9

    write(folder / "wrong.json", {"changes": [{"op": "hire", "skill": "dta"}]})
    with pytest.raises(InvalidInput) as info:
        load_for_compare([folder / "portfolio.json", folder / "wrong.json"])
    assert [str(i) for i in info.value.issues] == ["wrong.json: changes[0].skill: unknown skill 'dta'"]


# --------------------------------------------------------------------------- round trip

EVERY_OP: list[dict[str, Any]] = [
    {"op": "add_skill", "skill": {"id": "ai"}},
    {
        "op": "add_project",
        "project": {"id": "erp", "tasks": [{"id": "a", "duration": 2, "requirements": [{"skill": "qa"}]}]},
    },
    {"op": "modify_project", "project": "erp", "priority": 7, "due": "2027-04-30"},
    {"op": "change_priority", "project": "crm", "priority": 10},
    {"op": "change_due", "project": "crm", "due": "2027-03-31"},
    {"op": "change_deadline", "project": "crm", "deadline": None},
    {
        "op": "add_task",
        "project": "erp",
        "task": {"id": "b", "effort": 3.5, "crew": {"max": 2}, "requirements": [{"skill": "backend"}]},
    },
    {"op": "modify_task", "project": "erp", "task": "b", "fixed_people": ["chloe"]},
    {"op": "remove_task", "project": "ml", "task": "deployment"},
    {"op": "add_person", "person": {"id": "zoe", "skills": {"qa": 4}}},
    {"op": "modify_person", "person": "zoe", "add_skills": {"ai": 2}, "available_until": None},
    {"op": "change_capacity", "person": "gaelle", "capacity": 100},
    {"op": "change_skills", "person": "david", "skills": {"frontend": 5}},
    {"op": "add_absence", "person": "zoe", "start": "2027-02-01", "end": "2027-02-05"},
    {
        "op": "hire",
        "role": "data engineer",
        "skill": "data",
        "level": 3,
        "from": "2027-04-01",
        "count": 2,
        "capacity": 100,
        "cost_per_day": 550,
    },
    {"op": "remove_person", "person": "hire-data-2"},
    {"op": "remove_project", "project": "ml"},
    {"op": "change_objective", "cost": 0.5},
]


def test_every_op_is_covered_and_round_trips() -> None:
    assert {c["op"] for c in EVERY_OP} == set(OPS)
    scenario = parse_scenario(
        {"name": "all", "description": "every op", "base": small_dict(), "changes": EVERY_OP}
    )
    text = scenario.model_dump_json()
    again = parse_scenario(text)
    assert again == scenario
    assert json.loads(again.model_dump_json()) == json.loads(text)
    assert json.loads(text)["changes"][14]["from"] == "2027-04-01"  # the alias, not `from_`
    assert Scenario.model_validate(scenario.model_dump()) == scenario
    p = apply_scenario(again)
    assert p == apply_scenario(scenario)
    assert [x.id for x in p.projects] == ["crm", "dwh", "portal", "erp"]
    assert [x.id for x in p.people][-2:] == ["zoe", "hire-data-1"]


def test_path_base_round_trips(folder: Path) -> None:
    write(folder / "s.json", {"name": "x", "base": "portfolio.json", "changes": EVERY_OP[3:6]})
    scenario = load_scenario(folder / "s.json")
    again = Scenario.model_validate_json(scenario.model_dump_json())
    assert again.model_dump() == scenario.model_dump() and again.base == "portfolio.json"
    assert apply_scenario(again, base_dir=folder) == apply_scenario(scenario)


# --------------------------------------------------------------------------- field lists from the models

NOT_SET_BY_MODIFY = {
    # ids are the address; tasks, absences have their own changes; budgets, modes, what a task
    # consumes and its risk estimate are left to a new portfolio version
    Project: {"id", "tasks", "budgets"},
    Task: {"id", "modes", "consumes", "estimate"},
    Person: {"id", "absences"},
}


@pytest.mark.parametrize(
    ("change", "target"), [(ModifyProject, Project), (ModifyTask, Task), (ModifyPerson, Person)]
)
def test_modify_changes_set_the_fields_of_the_portfolio_models(change: type, target: type) -> None:
    settable = set(settable_fields(change)) - {"add_skills"}
    assert settable <= set(target.model_fields), "a settable field the portfolio does not have"
    assert set(target.model_fields) - settable == NOT_SET_BY_MODIFY[target], (
        "a portfolio field the scenario format has not decided about"
    )


def test_change_objective_has_every_weight() -> None:
    assert set(ChangeObjective.model_fields) - {"op"} == set(ObjectiveWeights.model_fields)
