"""A corpus of malformed and hostile inputs to the ``pmo`` command line.

Each :class:`Case` writes its files into a scratch folder and returns the arguments of one
``pmo`` run, the exit code it must end with and a fragment its message must hold (the JSON
path, file or option at fault). :data:`MALFORMED` must all end with exit 4 (invalid input);
:data:`HOSTILE` are valid inputs built to break the printing (markup, emoji codes, control
characters) or to take time (longest names and ids, a far absence), which must end normally.
Used by ``benchmarks/hardening_bench.py`` and ``tests/api/test_hardening.py``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "examples" / "small.json"
INVALID = 4

Build = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One run of ``pmo``: its arguments (built in a scratch folder), the exit code it must
    end with, and a fragment the output must contain."""

    name: str
    build: Build
    expect: str
    code: int = INVALID


@cache
def _small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


def small() -> dict[str, Any]:
    """A fresh copy of examples/small.json."""
    return copy.deepcopy(json.loads(_small_text()))


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def solve_text(content: str | bytes, *extra: str) -> Build:
    """``pmo solve`` of a file holding ``content``."""
    return lambda folder: ["solve", str(_write(folder, "p.json", content)), "--levelling-only", *extra]


def solve_edit(change: Callable[[dict[str, Any]], object], *extra: str) -> Build:
    """``pmo solve`` of examples/small.json changed by ``change`` (it edits the dict in place)."""

    def build(folder: Path) -> list[str]:
        data = small()
        change(data)
        return ["solve", str(_write(folder, "p.json", json.dumps(data))), "--levelling-only", *extra]

    return build


def solve_args(*args: str) -> Build:
    """``pmo solve`` of examples/small.json with these options."""
    return lambda folder: ["solve", str(SMALL), "--levelling-only", *args]


def settings(text: str | bytes) -> Build:
    """``pmo solve --settings`` of a TOML file holding ``text``."""
    return lambda folder: ["solve", str(SMALL), "--levelling-only", "--settings", str(_write(folder, "s.toml", text))]


def _plan(folder: Path) -> dict[str, Any]:
    """A plan of examples/small.json (computed once per scratch folder)."""
    path = folder / "good-plan.json"
    if not path.exists():
        from typer.testing import CliRunner

        from api.cli import app

        CliRunner().invoke(app, ["solve", str(SMALL), "--levelling-only", "-o", str(path)])
    return json.loads(path.read_text(encoding="utf-8"))


def check_edit(change: Callable[[dict[str, Any]], object]) -> Build:
    """``pmo check`` of examples/small.json against a valid plan changed by ``change``."""

    def build(folder: Path) -> list[str]:
        plan = _plan(folder)
        change(plan)
        return ["check", str(SMALL), str(_write(folder, "plan.json", json.dumps(plan)))]

    return build


def check_text(content: str | bytes) -> Build:
    """``pmo check`` of examples/small.json against a plan file holding ``content``."""
    return lambda folder: ["check", str(SMALL), str(_write(folder, "plan.json", content))]


def replan_args(*args: str) -> Build:
    """``pmo replan`` of examples/small.json from a valid plan, with these options."""

    def build(folder: Path) -> list[str]:
        _plan(folder)
        return ["replan", str(SMALL), "--baseline", str(folder / "good-plan.json"), "-t", "1", *args]

    return build


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """Set ``a.0.b`` (list indices as numbers) to ``value``."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[int(last) if isinstance(node, list) else last] = value

    return change


def _add_person(person_id: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["people"].append({"id": person_id, "skills": {"pm": 3}})


def _nested(depth: int, opener: str, closer: str) -> str:
    return '{"name": ' + opener * depth + "1" + closer * depth + "}"


def _deep_objects(depth: int) -> str:
    return '{"name": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def _cycle(length: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        req = [{"skill": "pm", "level": 1}]
        tasks = [
            {"id": f"c{k}", "duration": 1, "requirements": req, "dependencies": [{"task": f"c{(k + 1) % length}"}]}
            for k in range(length)
        ]
        data["projects"].append({"id": "loop", "tasks": tasks})

    return change


def _many_bad_tasks(count: int) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["projects"].append({"id": "many", "tasks": [{"id": f"t{k}"} for k in range(count)]})


def _many_unknown_skills(count: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["people"][0]["skills"] = {f"nope{k}": 1 for k in range(count)}

    return change


def _sparse(size: int) -> Build:
    def build(folder: Path) -> list[str]:
        path = folder / "huge.json"
        with path.open("wb") as handle:
            handle.truncate(size)
        return ["solve", str(path), "--levelling-only"]

    return build


def _fifo_output(folder: Path) -> list[str]:
    fifo = folder / "out.fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    return ["solve", str(SMALL), "--levelling-only", "-o", str(fifo)]


def _scenario(base: str) -> Build:
    def build(folder: Path) -> list[str]:
        inner = folder / "inner"
        inner.mkdir(exist_ok=True)
        scenario = _write(inner, "s.json", json.dumps({"base": base, "changes": []}))
        return ["compare", str(SMALL), str(scenario), "-t", "1"]

    return build


def _scenario_cycle(folder: Path) -> list[str]:
    _write(folder, "a.json", json.dumps({"base": "b.json", "changes": []}))
    _write(folder, "b.json", json.dumps({"base": "a.json", "changes": []}))
    return ["compare", str(SMALL), str(folder / "a.json"), "-t", "1"]


WEIGHTS = ("tardiness", "completion", "cost", "continuity", "makespan", "project_delay")
T0 = "projects.0.tasks"  # crm: scoping, design, backend (effort), ui, testing, golive
MB = "x" * (1 << 20)

MALFORMED: tuple[Case, ...] = (
    # the file itself
    Case("missing-file", lambda f: ["solve", str(f / "nope.json")], "cannot read file"),
    Case("folder-as-file", lambda f: ["solve", str(f)], "cannot read file"),
    Case("dev-zero", lambda f: ["solve", "/dev/zero"], "larger than the input limit"),
    Case("sparse-20-MB", _sparse(20 << 20), "larger than the input limit"),
    Case("empty-file", solve_text(""), "not valid JSON"),
    Case("invalid-utf8", solve_text(b'{"name": "caf\xe9"}'), "not UTF-8"),
    Case("utf16", solve_text(json.dumps(small()).encode("utf-16")), "not UTF-8"),
    Case("nul-bytes", solve_text(b"\x00\x00\x00"), "not valid JSON"),
    Case("plain-text", solve_text("hello"), "not valid JSON"),
    Case("truncated", solve_text(_small_text()[:500]), "not valid JSON"),
    Case("trailing-garbage", solve_text(_small_text() + "}"), "not valid JSON"),
    Case("raw-control-char", solve_text('{"name": "a\x01b"}'), "not valid JSON"),
    Case("top-level-array", solve_text("[]"), "valid dictionary"),
    Case("top-level-null", solve_text("null"), "valid dictionary"),
    Case("top-level-string", solve_text('"portfolio"'), "valid dictionary"),
    Case("arrays-10k-deep", solve_text(_nested(10_000, "[", "]")), "nested deeper"),
    Case("objects-100k-deep", solve_text(_deep_objects(100_000)), "nested deeper"),
    Case("arrays-50-deep", solve_text(_nested(50, "[", "]")), "nested deeper"),
    Case("integer-5000-digits", solve_text(_small_text().replace('"priority": 8', '"priority": ' + "9" * 5000, 1)), "projects[0].priority"),
    Case("integer-20-digits", solve_edit(_set("projects.0.priority", 10**19)), "projects[0].priority"),
    Case("float-1e400", solve_text(_small_text().replace('"name": "Small', '"objective": {"cost": 1e400}, "name": "Small', 1)), "objective.cost"),
    Case("nan-literal", solve_text(_small_text().replace('"priority": 8', '"priority": NaN', 1)), "not a JSON number"),
    Case("infinity-literal", solve_text(_small_text().replace('"priority": 8', '"priority": Infinity', 1)), "not a JSON number"),
    Case("minus-infinity", solve_text(_small_text().replace('"priority": 8', '"priority": -Infinity', 1)), "not a JSON number"),
    Case("surrogate-in-name", solve_text(_small_text().replace('"Small IT', '"\\ud800 Small IT', 1)), "surrogate"),
    Case("surrogate-in-id", solve_text(_small_text().replace('"id": "alice"', '"id": "al\\udfffice"', 1)), "surrogate"),
    Case("surrogate-in-key", solve_text(_small_text().replace('"pm": 4', '"\\ud83d": 4', 1)), "surrogate"),
    Case("repeated-key", solve_text(_small_text().replace('"name": "Small', '"name": "a", "name": "Small', 1)), "more than once"),
    # size and magnitude
    Case("no-projects", solve_edit(_set("projects", [])), "projects: the portfolio has no projects"),
    Case("no-calendar", solve_edit(lambda d: d.pop("calendar")), "calendar"),
    Case("horizon-to-9999", solve_edit(_set("calendar.end", "9999-12-31")), "calendar.end"),
    Case("horizon-year-1", solve_edit(_set("calendar.start", "0001-01-01")), "calendar.end"),
    Case("horizon-101-years", solve_edit(_set("calendar.end", "2128-01-01")), "calendar.end"),
    Case("name-50-KB", solve_edit(_set("name", "n" * 50_000)), "name: 50,000 characters"),
    Case("name-1-MB", solve_edit(_set("name", MB)), "name: a text of 1,048,576 characters"),
    Case("id-1-MB", solve_edit(_set("people.0.id", MB)), "people[0].id"),
    Case("skill-key-1-MB", solve_edit(_set("people.0.skills", {MB: 3})), "people[0].skills"),
    Case("field-name-1-MB", solve_edit(_set(MB, 1)), "a key of 1,048,576 characters"),
    Case("long-id-201", solve_edit(_set("people.0.id", "p" * 201)), "people[0].id"),
    Case("cost-1e308", solve_edit(_set("people.0.cost_per_day", 1e308)), "people[0].cost_per_day"),
    *(
        Case(f"weight-{w}-1e308", solve_edit(_set(f"objective.{w}", 1e308)), f"objective.{w}")
        for w in WEIGHTS
    ),
    Case("weight-negative", solve_edit(_set("objective.cost", -1)), "objective.cost"),
    Case("budget-10^30", solve_edit(_set("projects.0.budgets", {"money": 10**30})), "projects[0].budgets.money"),
    Case("budget-10^17", solve_edit(_set("projects.0.budgets", {"money": 10**17})), "projects[0].budgets.money"),
    Case("consumes-10^15", solve_edit(lambda d: (_set("projects.0.budgets", {"m": 1})(d), _set(f"{T0}.0.consumes", {"m": 10**15})(d))), "consumes.m"),
    Case("budget-negative", solve_edit(_set("projects.0.budgets", {"money": -1})), "projects[0].budgets.money"),
    Case("effort-1e308", solve_edit(_set(f"{T0}.2.effort", 1e308)), "projects[0].tasks[2].effort"),
    Case("effort-1e-300", solve_edit(_set(f"{T0}.2.effort", 1e-300)), "projects[0].tasks[2].effort"),
    Case("effort-three-decimals", solve_edit(_set(f"{T0}.2.effort", 1.234)), "projects[0].tasks[2].effort"),
    Case("duration-10^9", solve_edit(_set(f"{T0}.0.duration", 10**9)), "projects[0].tasks[0].duration"),
    Case("duration-0", solve_edit(_set(f"{T0}.0.duration", 0)), "projects[0].tasks[0].duration"),
    Case("duration-negative", solve_edit(_set(f"{T0}.0.duration", -3)), "projects[0].tasks[0].duration"),
    Case("duration-float", solve_edit(_set(f"{T0}.0.duration", 2.5)), "projects[0].tasks[0].duration"),
    Case("duration-string", solve_edit(_set(f"{T0}.0.duration", "5")), "projects[0].tasks[0].duration"),
    Case("priority-true", solve_edit(_set("projects.0.priority", True)), "projects[0].priority"),
    Case("priority-11", solve_edit(_set("projects.0.priority", 11)), "projects[0].priority"),
    Case("capacity-0", solve_edit(_set("people.0.capacity", 0)), "people[0].capacity"),
    Case("lag-10^6", solve_edit(_set(f"{T0}.1.dependencies.0.lag", 10**6)), "dependencies[0].lag"),
    Case("level-6", solve_edit(_set("people.0.skills.pm", 6)), "people[0].skills.pm"),
    Case("allocation-101", solve_edit(_set(f"{T0}.0.requirements.0.allocation", 101)), "requirements[0].allocation"),
    Case("count-0", solve_edit(_set(f"{T0}.0.requirements.0.count", 0)), "requirements[0].count"),
    Case("pool-capacity-huge", solve_edit(lambda d: d.setdefault("pools", []).append({"id": "rig", "capacity": 10**12})), "pools[0].capacity"),
    # dates
    Case("workdays-empty", solve_edit(_set("calendar.workdays", [])), "calendar.workdays"),
    Case("workdays-unknown", solve_edit(_set("calendar.workdays", ["mon", "funday"])), "calendar.workdays[1]"),
    Case("holiday-not-a-date", solve_edit(_set("calendar.holidays", ["soon"])), "calendar.holidays[0]"),
    Case("date-feb-30", solve_edit(_set("projects.0.due", "2027-02-30")), "projects[0].due"),
    Case("date-with-time", solve_edit(_set("projects.0.due", "2027-02-03T10:00:00")), "projects[0].due"),
    Case("date-year-0", solve_edit(_set("projects.0.due", "0000-01-01")), "projects[0].due"),
    Case("date-as-number", solve_edit(_set("projects.0.due", 20270203.5)), "projects[0].due"),
    Case("calendar-reversed", solve_edit(_set("calendar.end", "2026-01-01")), "calendar.end"),
    Case("due-outside-horizon", solve_edit(_set("projects.0.due", "2030-01-01")), "projects[0].due"),
    Case("deadline-before-release", solve_edit(lambda d: d["projects"][0].update(release="2027-03-01", deadline="2027-02-01")), "projects[0].deadline"),
    Case("absence-reversed", solve_edit(_set("people.0.absences", [{"start": "2027-03-01", "end": "2027-02-01"}])), "people[0].absences[0].end"),
    Case("fixed-start-weekend", solve_edit(_set(f"{T0}.0.fixed_start", "2027-01-09")), "projects[0].tasks[0].fixed_start"),
    # ids
    Case("zero-width-id", solve_edit(_add_person("al\u200bice")), "invisible"),
    Case("bidi-override-id", solve_edit(_add_person("\u202eecila")), "invisible"),
    Case("escape-code-id", solve_edit(_add_person("\x1b[31mred")), "invisible"),
    Case("newline-id", solve_edit(_add_person("a\nb")), "invisible"),
    Case("padded-id", solve_edit(_add_person(" alice")), "white space"),
    Case("empty-id", solve_edit(_set("people.0.id", "")), "people[0].id"),
    Case("full-width-look-alike", solve_edit(_add_person("ａｌｉｃｅ")), "looks like"),
    Case("ligature-look-alike", solve_edit(lambda d: d["skills"].append({"id": "ﬁnance"}) or d["skills"].append({"id": "finance"})), "looks like"),
    Case("nfd-duplicate", solve_edit(lambda d: (_add_person("jos\u00e9")(d), _add_person("jose\u0301")(d))), "duplicate id"),
    Case("duplicate-person", solve_edit(_add_person("alice")), "duplicate id 'alice'"),
    Case("zero-width-skill-key", solve_edit(_set("people.0.skills", {"p\u200bm": 3})), "people[0].skills"),
    # structure and references
    Case("unknown-field", solve_edit(_set("colour", "blue")), "unknown field 'colour'"),
    Case("unknown-field-markup", solve_edit(_set("[/x]", 1)), "unknown field '[/x]'"),
    Case("unknown-skill-markup", solve_edit(_set(f"{T0}.0.requirements.0.skill", "[bold]pm")), "unknown skill '[bold]pm'"),
    Case("unknown-skill-1000", solve_edit(_many_unknown_skills(1000)), "more"),
    Case("bad-tasks-200k", solve_edit(_many_bad_tasks(200_000)), "projects[4].tasks: 200,000 items"),
    Case("bad-tasks-50k-in-many-projects", solve_edit(lambda d: d["projects"].extend({"id": f"q{k}", "tasks": [{"id": f"t{j}"} for j in range(100)]} for k in range(600))), "tasks in all"),
    Case("bad-tasks-49k", solve_edit(_many_bad_tasks(49_000)), "49,000 problem(s)"),
    Case("people-20k", solve_edit(lambda d: d["people"].extend({"id": f"x{k}"} for k in range(20_000))), "20,"),
    Case("holidays-200k", solve_edit(_set("calendar.holidays", ["2027-01-05"] * 200_000)), "calendar.holidays"),
    Case("cycle-2000", solve_edit(_cycle(2000)), "dependency cycle"),
    Case("self-dependency", solve_edit(_set(f"{T0}.1.dependencies", [{"task": "design"}])), "depends on itself"),
    Case("unknown-dependency", solve_edit(_set(f"{T0}.1.dependencies", [{"task": "nope/x"}])), "unknown task"),
    Case("unknown-fixed-person", solve_edit(_set(f"{T0}.0.fixed_people", ["ghost"])), "unknown person 'ghost'"),
    Case("duration-and-effort", solve_edit(_set(f"{T0}.0.effort", 5)), "projects[0].tasks[0]"),
    Case("requirement-empty", solve_edit(_set(f"{T0}.0.requirements", [{}])), "requirements[0]"),
    Case("modes-empty", solve_edit(lambda d: d["projects"][0]["tasks"][0].update(modes=[], duration=None)), "projects[0].tasks[0].modes"),
    Case("crew-reversed", solve_edit(_set(f"{T0}.2.crew", {"min": 3, "max": 1})), "projects[0].tasks[2].crew.max"),
    Case("people-as-object", solve_edit(_set("people", {"alice": {}})), "people"),
    Case("projects-as-string", solve_edit(_set("projects", "crm")), "projects"),
    Case("markup-path", lambda f: ["solve", str(f / "[red]x[/].json")], "cannot read file"),
    # command-line options
    Case("time-limit-text", solve_args("-t", "abc"), "--time-limit"),
    Case("time-limit-negative", solve_args("-t", "-1"), "time_limit"),
    Case("time-limit-zero", solve_args("-t", "0"), "time_limit"),
    Case("time-limit-nan", solve_args("-t", "nan"), "time_limit"),
    Case("time-limit-inf", solve_args("-t", "inf"), "time_limit"),
    Case("time-limit-1e308", solve_args("-t", "1e308"), "time_limit"),
    Case("workers-0", solve_args("-w", "0"), "workers"),
    Case("workers-10^30", solve_args("-w", str(10**30)), "workers"),
    Case("seed-negative", solve_args("--seed", "-1"), "seed"),
    Case("seed-10^30", solve_args("--seed", str(10**30)), "seed"),
    Case("preset-unknown", solve_args("--preset", "turbo"), "unknown preset 'turbo'"),
    Case("preset-markup", solve_args("--preset", "[/x]"), "unknown preset '[/x]'"),
    Case("format-unknown", solve_args("--format", "nope"), "--format"),
    Case("format-markup", solve_args("--format", "[/x]"), "unknown format '[/x]'"),
    Case("format-bad-file", lambda f: ["solve", str(_write(f, "x.sm", "garbage")), "--format", "psplib"], "x.sm"),
    Case("format-dev-zero", lambda f: ["solve", "/dev/zero", "--format", "psplib"], "larger than the input limit"),
    Case("unknown-option", solve_args("--frobnicate"), "No such option"),
    Case("missing-argument", lambda f: ["solve"], "Missing argument"),
    Case("unknown-command", lambda f: ["frobnicate"], "No such command"),
    Case("unknown-command-markup", lambda f: ["[/x]"], "No such command '[/x]'"),
    Case("no-command-option", lambda f: ["--frobnicate"], "No such option"),
    Case("output-folder", lambda f: ["solve", str(SMALL), "-o", str(f)], "--output"),
    Case("output-fifo", _fifo_output, "--output"),
    Case("output-device", solve_args("-o", "/dev/null"), "--output"),
    Case("output-under-a-file", lambda f: ["solve", str(SMALL), "-o", str(SMALL / "plan.json")], "--output"),
    Case("output-in-proc", solve_args("-o", "/proc/pmo-plan.json"), "--output"),
    Case("report-folder", lambda f: ["solve", str(SMALL), "--report", str(f)], "--report"),
    # settings files
    Case("settings-missing", lambda f: ["solve", str(SMALL), "--settings", str(f / "nope.toml")], "nope.toml"),
    Case("settings-invalid-utf8", settings(b"time_limit = 1 # caf\xe9\n"), "not UTF-8"),
    Case("settings-dev-zero", lambda f: ["solve", str(SMALL), "--settings", "/dev/zero"], "larger than the input limit"),
    Case("settings-not-toml", settings("[solver\n"), "not valid TOML"),
    Case("settings-deep", settings("a = " + "[" * 5000 + "]" * 5000 + "\n"), "s.toml"),
    Case("settings-5000-digits", settings("seed = " + "9" * 5000 + "\n"), "s.toml"),
    Case("settings-inf", settings("[solver]\ntime_limit = inf\n"), "time_limit"),
    Case("settings-unknown-key", settings("[solver]\ncolour = 1\n"), "colour"),
    Case("settings-seed-huge", settings("[solver]\nseed = 9223372036854775807\n"), "seed"),
    Case("settings-cp-sat-huge", settings("[solver]\ncp_sat_parameters = {num_workers = 2}\n"), "num_workers"),
    Case("settings-cp-sat-unknown", settings("[solver]\ncp_sat_parameters = {frob = 2}\n"), "frob"),
    # plans given to check
    Case("plan-not-json", check_text("{"), "not valid JSON"),
    Case("plan-invalid-utf8", check_text(b"\xff\xfe"), "not UTF-8"),
    Case("plan-deep", check_text(_nested(10_000, "[", "]")), "nested deeper"),
    Case("plan-mode-true", check_edit(_set("assignments.0.mode", True)), "assignments[0].mode"),
    Case("plan-mode-text", check_edit(_set("assignments.0.mode", "1")), "assignments[0].mode"),
    Case("plan-allocation-text", check_edit(_set("assignments.0.people.0.allocation", "50")), "allocation"),
    Case("plan-unknown-field", check_edit(_set("colour", 1)), "unknown field 'colour'"),
    Case("plan-stats-deep", check_text('{"status": "feasible", "stats": ' + _nested(40, "[", "]")[9:]), "nested deeper"),
    Case("plan-zero-width-person", check_edit(_set("assignments.0.people.0.id", "al\u200bice")), "invisible"),
    Case("plan-status-unknown", check_edit(_set("status", "great")), "status"),
    # replan options
    Case("replan-as-of-text", replan_args("--as-of", "soon"), "--as-of"),
    Case("replan-as-of-markup", replan_args("--as-of", "[/x]"), "not an ISO date: '[/x]'"),
    Case("replan-max-changes-negative", replan_args("--as-of", "2027-03-01", "--max-changes", "-1"), "--max-changes"),
    Case("replan-weight-inf", replan_args("--as-of", "2027-03-01", "--move-weight", "inf"), "--move-weight"),
    Case("replan-weight-nan", replan_args("--as-of", "2027-03-01", "--shift-weight", "nan"), "--shift-weight"),
    Case("replan-weight-1e308", replan_args("--as-of", "2027-03-01", "--people-weight", "1e308"), "--people-weight"),
    Case("replan-baseline-missing", lambda f: ["replan", str(SMALL), "--baseline", str(f / "no.json"), "--as-of", "2027-03-01"], "no.json"),
    # scenarios
    Case("scenario-base-outside", _scenario("../../outside.json"), "base"),
    Case("scenario-base-absolute", _scenario(str(SMALL)), "base"),
    Case("scenario-cycle", _scenario_cycle, "cycle"),
    # generate
    Case("generate-projects-0", lambda f: ["generate", "--projects", "0"], "--projects"),
    Case("generate-projects-10^9", lambda f: ["generate", "--projects", str(10**9)], "--projects"),
    Case("generate-people-negative", lambda f: ["generate", "--projects", "3", "--people", "-1"], "--people"),
    Case("generate-months-0", lambda f: ["generate", "--projects", "3", "--months", "0"], "--months"),
    Case("generate-seed-negative", lambda f: ["generate", "tiny", "--seed", "-1"], "--seed"),
    Case("generate-size-markup", lambda f: ["generate", "[/x]"], "unknown size '[/x]'"),
)
"""Inputs that must end with exit 4 and a message naming what is wrong."""


HOSTILE: tuple[Case, ...] = (
    Case("markup-name", solve_edit(_set("name", "Q1 plan [/x]")), "Q1 plan [/x]", 0),
    Case("markup-person-id", solve_edit(lambda d: (_set("people.0.id", "[/]")(d), _set(f"{T0}.0.fixed_people", ["[/]"])(d))), "[/]", 0),
    Case("markup-project-id", solve_edit(_set("projects.1.id", "[bold]dwh")), "[bold]dwh", 0),
    Case("emoji-code-name", solve_edit(_set("name", "plan :smile: :x:")), ":smile:", 0),
    Case("escape-codes-name", solve_edit(_set("name", "\x1b[2J\x1b[31mred")), "red", 0),
    Case("name-1000", solve_edit(_set("name", "n" * 1000)), "nnnn", 0),
    Case("ids-200", solve_edit(_set("projects.3.id", "p" * 200)), "ppp", 0),
    Case("horizon-99-years", solve_edit(_set("calendar.end", "2125-12-31"), "-t", "1"), "Small IT", 0),
    Case("far-absence", solve_edit(_set("people.0.absences", [{"start": "0001-01-01", "end": "9999-12-31"}])), "infeasible", 2),
    Case("far-availability", solve_edit(lambda d: d["people"][0].update(available_from="0001-01-01", available_until="9999-12-31")), "Small IT", 0),
    Case("markup-json", solve_edit(_set("name", "[/x]"), "--json"), '"status"', 0),
    Case("markup-report", lambda f: ["solve", str(_write(f, "p.json", json.dumps({**small(), "name": "[/x] | pipe"}))), "--levelling-only", "--report", str(f / "r.md")], "report written", 0),
    Case("check-markup-person", check_edit(_set("assignments.0.people.0.id", "[/]")), "[/]", 2),
    Case("check-far-dates", check_edit(lambda p: p["assignments"][0].update(start="0001-01-01", finish="9999-12-31")), "violation", 2),
)
"""Valid inputs that must end normally (exit 0, or 2 for a broken plan given to check)."""
