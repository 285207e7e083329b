"""Invalid input: every rule of the contract is reported with its JSON path.

Each row starts from the valid examples/small.json, applies one mutation and
expects :class:`model.load.InvalidInput` with an issue at an exact JSON path
whose message contains a fragment a PMO can act on.

Rows where the code rejects the input but names a vaguer path than a PMO needs
are marked ``xfail(raises=WrongPathError, strict=True)``: they still fail for real if
the input stops being rejected or the message changes. Rows where the input is
not rejected at all are ``xfail(raises=NotRejectedError, strict=True)``.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from model.load import InvalidInput, parse_portfolio
from model.portfolio import Portfolio
from model.rules import Issue
from tests.conftest import EXAMPLE_FILES, ROOT, SMALL, small_dict


class WrongPathError(AssertionError):
    """The problem is reported, but not at the path a PMO expects."""


class NotRejectedError(AssertionError):
    """Invalid input that parses without any issue."""


DELETE = object()


def edit(*ops: tuple[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """A mutation: ``("projects.0.tasks.1.duration", 3)`` sets, ``DELETE`` removes,
    a path ending in ``.+`` appends to a list."""

    def apply(data: dict[str, Any]) -> dict[str, Any]:
        for path, value in ops:
            *parents, last = path.split(".")
            node: Any = data
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if last == "+":
                node.append(value)
            elif value is DELETE:
                del node[last]
            elif isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value
        return data

    return apply


def issues_of(data: Any) -> list[Issue]:
    """Issues reported for ``data`` (raises NotRejectedError when it parses)."""
    try:
        parse_portfolio(data)
    except InvalidInput as exc:
        assert exc.issues, "InvalidInput without issues"
        assert str(exc), "InvalidInput without a message"
        return exc.issues
    raise NotRejectedError("the input was accepted")


def expect_issue(data: Any, path: str, fragment: str) -> None:
    issues = issues_of(data)
    about = [i for i in issues if fragment in i.message]
    assert about, f"no issue mentions {fragment!r}: {[str(i) for i in issues]}"
    if not any(i.path == path for i in about):
        raise WrongPathError(f"expected path {path!r}, got {[i.path for i in about]}")


def row(
    case_id: str,
    mutate: Callable[[dict[str, Any]], Any],
    path: str,
    fragment: str,
    *,
    xfail: type[AssertionError] | None = None,
    reason: str = "",
) -> Any:
    marks = [pytest.mark.xfail(raises=xfail, strict=True, reason=reason)] if xfail else []
    return pytest.param(mutate, path, fragment, id=case_id, marks=marks)


T = "projects.0.tasks"  # crm: scoping, design, backend (effort), ui, testing, golive
INVALID = [
    # --- references
    row(
        "unknown-skill-in-requirement",
        edit(("projects.2.tasks.1.requirements.0.skill", "cobol")),
        "projects[2].tasks[1].requirements[0].skill",
        "unknown skill 'cobol'",
    ),
    row(
        "unknown-skill-of-person",
        edit(("people.2.skills.cobol", 3)),
        "people[2].skills.cobol",
        "unknown skill 'cobol'",
    ),
    row(
        "unknown-fixed-person",
        edit((f"{T}.1.fixed_people", ["zoe"])),
        "projects[0].tasks[1].fixed_people[0]",
        "unknown person 'zoe'",
    ),
    row(
        "unknown-dependency-same-project",
        edit((f"{T}.1.dependencies.0.task", "scopin")),
        "projects[0].tasks[1].dependencies[0].task",
        "unknown task 'scopin'",
    ),
    row(
        "unknown-dependency-cross-project-task",
        edit(("projects.2.tasks.1.dependencies.0.task", "crm/desing")),
        "projects[2].tasks[1].dependencies[0].task",
        "unknown task 'crm/desing'",
    ),
    row(
        "unknown-dependency-cross-project-project",
        edit(("projects.2.tasks.1.dependencies.0.task", "crn/design")),
        "projects[2].tasks[1].dependencies[0].task",
        "unknown task 'crn/design'",
    ),
    row(
        "self-dependency",
        edit((f"{T}.1.dependencies.0.task", "design")),
        "projects[0].tasks[1].dependencies[0].task",
        "depends on itself",
    ),
    row(
        "self-dependency-qualified",
        edit((f"{T}.1.dependencies.0.task", "crm/design")),
        "projects[0].tasks[1].dependencies[0].task",
        "depends on itself",
    ),
    row("duplicate-skill-id", edit(("skills.+", {"id": "pm"})), "skills[8].id", "duplicate id 'pm'"),
    row("duplicate-person-id", edit(("people.+", {"id": "alice"})), "people[8].id", "duplicate id 'alice'"),
    row("duplicate-project-id", edit(("projects.+", {"id": "crm"})), "projects[4].id", "duplicate id 'crm'"),
    row(
        "duplicate-task-id-in-project",
        edit((f"{T}.+", {"id": "design", "duration": 1})),
        "projects[0].tasks[6].id",
        "duplicate task id 'design' in project 'crm'",
    ),
    row(
        "dependency-cycle",
        edit((f"{T}.0.dependencies", [{"task": "golive"}])),
        "projects[0].tasks[0].dependencies[0].task",
        "dependency cycle: ",
    ),
    row(
        "committed-depends-on-proposed",
        edit((f"{T}.5.dependencies.+", {"task": "ml/modelling"})),
        "projects[0].tasks[5].dependencies[1].task",
        "committed project 'crm' may not depend on proposed project 'ml'",
    ),
    # --- task shape
    row(
        "both-duration-and-effort",
        edit((f"{T}.0.effort", 3)),
        "projects[0].tasks[0]",
        "exactly one of `duration`, `effort` and `modes`",
    ),
    row(
        "neither-duration-nor-effort",
        edit((f"{T}.0.duration", DELETE)),
        "projects[0].tasks[0]",
        "exactly one of `duration`, `effort` and `modes`",
    ),
    row(
        "effort-task-with-two-requirements",
        edit((f"{T}.2.requirements.+", {"skill": "qa"})),
        "projects[0].tasks[2].requirements",
        "exactly one requirement, not 2",
    ),
    row(
        "crew-min-above-max",
        edit((f"{T}.2.crew", {"min": 3, "max": 2})),
        "projects[0].tasks[2].crew.max",
        "crew bounds reversed: max 2 < min 3",
    ),
    row(
        "crew-on-duration-task",
        edit((f"{T}.0.crew", {"min": 1, "max": 2})),
        "projects[0].tasks[0].crew",
        "only for effort-driven tasks",
    ),
    # --- dates in the horizon (2027-01-04 … 2027-06-30)
    row(
        "release-outside-horizon",
        edit(("projects.0.release", "2026-12-31")),
        "projects[0].release",
        "date 2026-12-31 is outside the horizon 2027-01-04…2027-06-30",
    ),
    row(
        "deadline-outside-horizon",
        edit(("projects.2.deadline", "2027-07-01")),
        "projects[2].deadline",
        "outside the horizon",
    ),
    row(
        "due-outside-horizon",
        edit(("projects.1.due", "2027-07-15")),
        "projects[1].due",
        "outside the horizon",
    ),
    row(
        "fixed-start-outside-horizon",
        edit(("projects.1.tasks.0.fixed_start", "2027-07-05")),
        "projects[1].tasks[0].fixed_start",
        "outside the horizon",
    ),
    row(
        "earliest-start-outside-horizon",
        edit((f"{T}.0.earliest_start", "2027-08-02")),
        "projects[0].tasks[0].earliest_start",
        "outside the horizon",
    ),
    row(
        "latest-finish-outside-horizon",
        edit((f"{T}.0.latest_finish", "2026-12-01")),
        "projects[0].tasks[0].latest_finish",
        "outside the horizon",
    ),
    row(
        "fixed-start-on-weekend",
        edit((f"{T}.0.fixed_start", "2027-01-09")),
        "projects[0].tasks[0].fixed_start",
        "2027-01-09 is not a working day",
    ),
    row(
        "fixed-start-on-holiday",
        edit((f"{T}.3.fixed_start", "2027-03-29")),
        "projects[0].tasks[3].fixed_start",
        "2027-03-29 is not a working day",
    ),
    # --- reversed ranges (the path names the later field, as for deadline < release)
    row(
        "calendar-end-before-start",
        edit(("calendar.end", "2027-01-01")),
        "calendar.end",
        "reversed range: end 2027-01-01 is before start 2027-01-04",
    ),
    row(
        "absence-end-before-start",
        edit(("people.1.absences.0.end", "2027-04-01")),
        "people[1].absences[0].end",
        "reversed range: end 2027-04-01 is before start 2027-04-19",
    ),
    row(
        "available-until-before-from",
        edit(("people.0.available_from", "2027-03-01"), ("people.0.available_until", "2027-02-01")),
        "people[0].available_until",
        "available_until 2027-02-01 is before available_from 2027-03-01",
    ),
    row(
        "deadline-before-release",
        edit(("projects.2.deadline", "2027-01-15")),
        "projects[2].deadline",
        "reversed range: deadline 2027-01-15 is before release 2027-02-01",
    ),
    row(
        "latest-finish-before-earliest-start",
        edit((f"{T}.0.earliest_start", "2027-03-01"), (f"{T}.0.latest_finish", "2027-02-01")),
        "projects[0].tasks[0].latest_finish",
        "latest_finish 2027-02-01 is before earliest_start 2027-03-01",
    ),
    row(
        "fixed-start-before-earliest-start",
        edit((f"{T}.0.fixed_start", "2027-01-04"), (f"{T}.0.earliest_start", "2027-01-05")),
        "projects[0].tasks[0].fixed_start",
        "is before earliest_start 2027-01-05",
    ),
    row(
        "fixed-start-before-release",
        edit(("projects.1.tasks.0.fixed_start", "2027-01-04")),
        "projects[1].tasks[0].fixed_start",
        "before the project's release 2027-01-18",
    ),
    row(
        "fixed-start-after-latest-finish",
        edit((f"{T}.0.fixed_start", "2027-02-04"), (f"{T}.0.latest_finish", "2027-01-29")),
        "projects[0].tasks[0].fixed_start",
        "after latest_finish",
    ),
    # --- ranges of numbers
    row(
        "person-skill-level-0",
        edit(("people.0.skills.pm", 0)),
        "people[0].skills.pm",
        "greater than or equal to 1",
    ),
    row(
        "person-skill-level-6",
        edit(("people.0.skills.pm", 6)),
        "people[0].skills.pm",
        "less than or equal to 5",
    ),
    row(
        "requirement-level-6",
        edit((f"{T}.0.requirements.0.level", 6)),
        "projects[0].tasks[0].requirements[0].level",
        "less than or equal to 5",
    ),
    row("capacity-0", edit(("people.0.capacity", 0)), "people[0].capacity", "greater than or equal to 1"),
    row("capacity-101", edit(("people.0.capacity", 101)), "people[0].capacity", "less than or equal to 100"),
    row(
        "requirement-allocation-0",
        edit((f"{T}.0.requirements.0.allocation", 0)),
        "projects[0].tasks[0].requirements[0].allocation",
        "greater than or equal to 1",
    ),
    row("priority-11", edit(("projects.0.priority", 11)), "projects[0].priority", "less than or equal to 10"),
    row("priority-0", edit(("projects.0.priority", 0)), "projects[0].priority", "greater than or equal to 1"),
    row(
        "duration-0",
        edit((f"{T}.0.duration", 0)),
        "projects[0].tasks[0].duration",
        "greater than or equal to 1",
    ),
    row(
        "crew-min-0",
        edit((f"{T}.2.crew", {"min": 0, "max": 2})),
        "projects[0].tasks[2].crew.min",
        "greater than or equal to 1",
    ),
    # --- unknown fields, anywhere
    row(
        "unknown-field-project-prority",
        edit(("projects.0.prority", 3)),
        "projects[0].prority",
        "unknown field 'prority'",
    ),
    row("unknown-field-top-level", edit(("calender", {})), "calender", "unknown field 'calender'"),
    row(
        "unknown-field-calendar",
        edit(("calendar.holiday", [])),
        "calendar.holiday",
        "unknown field 'holiday'",
    ),
    row("unknown-field-skill", edit(("skills.0.label", "x")), "skills[0].label", "unknown field 'label'"),
    row(
        "unknown-field-person", edit(("people.3.capacty", 50)), "people[3].capacty", "unknown field 'capacty'"
    ),
    row(
        "unknown-field-absence",
        edit(("people.1.absences.0.reason", "x")),
        "people[1].absences[0].reason",
        "unknown field 'reason'",
    ),
    row(
        "unknown-field-task",
        edit((f"{T}.1.durration", 3)),
        "projects[0].tasks[1].durration",
        "unknown field 'durration'",
    ),
    row(
        "unknown-field-requirement",
        edit((f"{T}.1.requirements.0.lvl", 3)),
        "projects[0].tasks[1].requirements[0].lvl",
        "unknown field 'lvl'",
    ),
    row(
        "unknown-field-dependency",
        edit((f"{T}.1.dependencies.0.lagg", 3)),
        "projects[0].tasks[1].dependencies[0].lagg",
        "unknown field 'lagg'",
    ),
    row(
        "unknown-field-crew",
        edit((f"{T}.2.crew.maximum", 3)),
        "projects[0].tasks[2].crew.maximum",
        "unknown field 'maximum'",
    ),
    row(
        "unknown-field-objective",
        edit(("objective", {"tardines": 1})),
        "objective.tardines",
        "unknown field 'tardines'",
    ),
    # --- types and syntax
    row(
        "wrong-type-duration-ten",
        edit((f"{T}.0.duration", "ten")),
        "projects[0].tasks[0].duration",
        "valid integer",
    ),
    row(
        "wrong-type-duration-fraction",
        edit((f"{T}.0.duration", 2.5)),
        "projects[0].tasks[0].duration",
        "valid integer",
    ),
    row(
        "wrong-type-duration-true",
        edit((f"{T}.0.duration", True)),
        "projects[0].tasks[0].duration",
        "valid integer",
    ),
    row(
        "effort-infinity",
        lambda data: json.dumps(edit((f"{T}.2.effort", math.inf))(data)),
        "projects[0].tasks[2].effort",
        "finite",
    ),
    row(
        "cost-per-day-infinity",
        lambda data: json.dumps(edit(("people.0.cost_per_day", math.inf))(data)),
        "people[0].cost_per_day",
        "finite",
    ),
    row("wrong-type-date", edit(("projects.0.due", "2027-02-30")), "projects[0].due", "valid date"),
    row(
        "wrong-dependency-type",
        edit((f"{T}.1.dependencies.0.type", "XX")),
        "projects[0].tasks[1].dependencies[0].type",
        "'FS', 'SS', 'FF' or 'SF'",
    ),
    row("wrong-weekday", edit(("calendar.workdays", ["monday"])), "calendar.workdays[0]", "'mon'"),
    row(
        "wrong-status",
        edit(("projects.0.status", "maybe")),
        "projects[0].status",
        "'committed' or 'proposed'",
    ),
    row("invalid-json-text", lambda data: json.dumps(data)[:-7], "", "not valid JSON"),
    row(
        "empty-horizon",
        edit(("calendar.start", "2027-01-09"), ("calendar.end", "2027-01-10"), ("projects", [])),
        "calendar",
        "the horizon has no working day",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "fragment"), INVALID)
def test_invalid_input_is_reported_at_its_path(
    mutate: Callable[[dict[str, Any]], Any], path: str, fragment: str
) -> None:
    data = small_dict()
    mutated = mutate(data)
    expect_issue(mutated if mutated is not None else data, path, fragment)


def test_base_portfolio_of_the_table_is_valid() -> None:
    assert isinstance(parse_portfolio(small_dict()), Portfolio)


# --------------------------------------------------------------------------- cycles


def test_dependency_cycle_names_every_task_of_the_cycle() -> None:
    data = edit((f"{T}.0.dependencies", [{"task": "design"}]))(small_dict())
    [issue] = issues_of(data)
    match = re.fullmatch(r"dependency cycle: (.+)", issue.message)
    assert match, issue.message
    names = match.group(1).split(" → ")
    assert names[0] == names[-1], "the cycle is closed"
    assert sorted(names[:-1]) == ["crm/design", "crm/scoping"]


def test_cross_project_cycle_is_named() -> None:
    data = edit((f"{T}.0.dependencies", [{"task": "portal/api"}]))(small_dict())
    [issue] = issues_of(data)
    assert issue.message.startswith("dependency cycle: ")
    assert {"crm/scoping", "crm/design", "portal/api"} <= set(issue.message[18:].split(" → "))


_CYCLE_SCRIPT = """
import json, sys
from model.load import parse_portfolio, InvalidInput
data = json.load(open(sys.argv[1]))
data["projects"][0]["tasks"][0]["dependencies"] = [{"task": "design"}]
try:
    parse_portfolio(data)
except InvalidInput as exc:
    print([str(i) for i in exc.issues])
"""


def test_cycle_message_does_not_depend_on_the_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _CYCLE_SCRIPT, str(SMALL)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


# --------------------------------------------------------------------------- all at once


def test_two_schema_errors_are_reported_together() -> None:
    data = edit(("projects.0.prority", 3), ("people.0.capacity", 0))(small_dict())
    paths = {i.path for i in issues_of(data)}
    assert paths == {"projects[0].prority", "people[0].capacity"}


def test_two_reference_errors_are_reported_together() -> None:
    data = edit(("projects.2.tasks.1.requirements.0.skill", "cobol"), (f"{T}.1.fixed_people", ["zoe"]))(
        small_dict()
    )
    paths = {i.path for i in issues_of(data)}
    assert paths == {"projects[2].tasks[1].requirements[0].skill", "projects[0].tasks[1].fixed_people[0]"}


def test_schema_errors_come_before_reference_rules() -> None:
    """Documented: cross-reference rules run once the schema is valid (docs/portfolio-format.md)."""
    data = edit(("projects.0.prority", 3), (f"{T}.1.fixed_people", ["zoe"]))(small_dict())
    paths = {i.path for i in issues_of(data)}
    assert paths == {"projects[0].prority"}


def test_every_issue_is_in_the_exception_text() -> None:
    data = edit(("projects.0.prority", 3), ("people.0.capacity", 0))(small_dict())
    with pytest.raises(InvalidInput) as info:
        parse_portfolio(data)
    text = str(info.value)
    assert "projects[0].prority: unknown field 'prority'" in text
    assert "people[0].capacity:" in text


# --------------------------------------------------------------------------- valid input


VALID_FILES = [SMALL, *EXAMPLE_FILES]


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_examples_parse(path: Path) -> None:
    from_path = parse_portfolio(path)
    from_text = parse_portfolio(path.read_text(encoding="utf-8"))
    from_dict = parse_portfolio(json.loads(path.read_text(encoding="utf-8")))
    assert from_path == from_text == from_dict
    assert from_path.projects and from_path.people
    assert from_path.work_calendar.num_days > 0


def test_example_files_are_shipped() -> None:
    assert EXAMPLE_FILES, "no tests/data/examples/*.json found"


def test_missing_file_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InvalidInput) as info:
        parse_portfolio(missing)
    [issue] = info.value.issues
    assert issue.path == str(missing)
    assert "cannot read file" in issue.message
