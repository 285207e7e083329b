"""Reader of the iMOPSE multi-skill RCPSP instances (``.def`` files).

A ``.def`` file has a free-text header, ``General characteristics`` (``Tasks:``,
``Resources:``, ``Precedence relations:``, ``Number of skill types:``) and two tables
separated by ``=====`` lines::

    ResourceID   Salary   Skills
    1            56.0     Q1: 0   Q2: 1
    TaskID       Duration Skill   Predecessor IDs
    7            13       Q1: 0   4  5

Mapping onto the contract (one day = one time unit, one project ``p``):

* resource ``k`` → person ``r<k>`` with ``cost_per_day`` = salary and
  ``skills`` ``{"Q<j>": level + 1}``;
* task ``t`` → task ``"<t>"`` with ``duration``, one requirement
  ``{"skill": "Q<j>", "level": level + 1}`` and finish-to-start dependencies on its
  predecessors.

Skill levels in the data run from 0 to 3 (a person "has" a skill at level 0; a task
asking for level 0 accepts anyone who has the skill). The contract's levels are 1…5, so
every level ``L`` becomes ``L + 1``: the shift is monotone, so "person level ≥ task
level" is unchanged. A level above 4 cannot be shifted into 1…5 and is rejected.

The skills declared are those used in the file (``Number of skill types`` counts the
distinct skills; their indices are not always contiguous). The objective is the
makespan; no best-known values ship with the data, so ``extra["lower_bound_simple"]``
holds max(critical path, ⌈total work / number of people⌉).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from api.formats import BENCHMARK_START, MAKESPAN_OBJECTIVE, Instance
from api.formats.mista import WEEK, fail, read_text

OBJECTIVE_WEIGHTS = MAKESPAN_OBJECTIVE
"""Makespan only."""

MAX_FILE_LEVEL = 4
"""Highest level in a file that still fits the contract's 1…5 after the +1 shift."""

_HEADER = {
    "tasks": r"Tasks",
    "resources": r"Resources",
    "precedences": r"Precedence relations",
    "skills": r"Number of skill types",
}
_SKILL = re.compile(r"Q(\d+)\s*:\s*(-?\d+)")
_RESOURCE = re.compile(r"(\d+)\s+(\d+(?:\.\d*)?|\.\d+)\s*(.*)")
_TASK = re.compile(r"(\d+)\s+(\d+)\s+Q(\d+)\s*:\s*(-?\d+)\s*(.*)")


def _skill_pairs(path: Path, line_no: int, rest: str) -> list[tuple[int, int]]:
    """The ``Qk: level`` pairs of a resource line; anything else on the line is an error."""
    pairs = [(int(q), int(level)) for q, level in _SKILL.findall(rest)]
    leftover = _SKILL.sub("", rest).strip()
    if leftover:
        raise fail(path, f"line {line_no}: unexpected text {leftover!r} in the skills of a resource")
    return pairs


def _level(path: Path, line_no: int, level: int) -> int:
    """A file level shifted into the contract's 1…5."""
    if not 0 <= level <= MAX_FILE_LEVEL:
        raise fail(path, f"line {line_no}: skill level {level} outside 0..{MAX_FILE_LEVEL}")
    return level + 1


def critical_path(durations: dict[str, int], preds: dict[str, list[str]]) -> int:
    """Length of the longest finish-to-start path (preds must form a DAG over ``durations``)."""
    finish: dict[str, int] = {}
    indegree = {t: 0 for t in durations}
    succs: dict[str, list[str]] = {t: [] for t in durations}
    for t, ps in preds.items():
        for p in ps:
            succs[p].append(t)
            indegree[t] += 1
    ready = [t for t, d in indegree.items() if d == 0]
    earliest = dict.fromkeys(durations, 0)
    while ready:
        t = ready.pop()
        finish[t] = earliest[t] + durations[t]
        for s in succs[t]:
            earliest[s] = max(earliest[s], finish[t])
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    if len(finish) != len(durations):
        raise ValueError("precedence cycle")
    return max(finish.values(), default=0)


def read(path: Path) -> Instance:
    """Read an iMOPSE ``.def`` file.

    Parameters
    ----------
    path
        The file (e.g. ``d36/100_5_22_15.def``).

    Returns
    -------
    Instance
        Family ``imopse``, objective ``makespan``, no best-known values;
        ``extra`` holds ``lower_bound_simple``, ``critical_path``, ``work_bound``,
        ``folder`` and, if any, ``header_mismatches`` (header counts that differ from
        the tables, other than tasks and resources).

    Raises
    ------
    ValueError
        If the file is malformed: missing header count or table, task or resource
        count different from the header, duplicate or unknown ids, level outside 0…4,
        precedence cycle.
    """
    path = Path(path)
    lines = read_text(path).split("\n")
    header: dict[str, int] = {}
    people: dict[int, tuple[float, list[tuple[int, int]]]] = {}
    tasks: dict[int, tuple[int, int, int, list[int]]] = {}
    table: str | None = None
    for line_no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("="):
            table = None
            continue
        if stripped.startswith("ResourceID"):
            table = "resources"
            continue
        if stripped.startswith("TaskID"):
            table = "tasks"
            continue
        if table is None:
            for key, label in _HEADER.items():
                match = re.fullmatch(label + r"\s*:\s*(\S+)", stripped)
                if match:
                    if not match.group(1).isdigit():
                        raise fail(path, f"line {line_no}: {label} is not a count: {match.group(1)!r}")
                    header[key] = int(match.group(1))
            continue
        if table == "resources":
            match = _RESOURCE.fullmatch(stripped)
            if match is None:
                raise fail(
                    path, f"line {line_no}: not a resource line (id, salary, Qk: level…): {stripped!r}"
                )
            rid = int(match.group(1))
            if rid in people:
                raise fail(path, f"line {line_no}: resource {rid} listed twice")
            pairs = _skill_pairs(path, line_no, match.group(3))
            if len({q for q, _ in pairs}) != len(pairs):
                raise fail(path, f"line {line_no}: resource {rid} lists a skill twice")
            people[rid] = (float(match.group(2)), [(q, _level(path, line_no, lv)) for q, lv in pairs])
        else:
            match = _TASK.fullmatch(stripped)
            if match is None:
                raise fail(
                    path,
                    f"line {line_no}: not a task line (id, duration, Qk: level, predecessors): {stripped!r}",
                )
            tid, duration, skill = int(match.group(1)), int(match.group(2)), int(match.group(3))
            if tid in tasks:
                raise fail(path, f"line {line_no}: task {tid} listed twice")
            if duration < 1:
                raise fail(path, f"line {line_no}: task {tid} has duration {duration} (at least 1)")
            pred_tokens = match.group(5).split()
            if not all(tok.isdigit() for tok in pred_tokens):
                raise fail(
                    path, f"line {line_no}: predecessor ids of task {tid} are not integers: {pred_tokens}"
                )
            level = _level(path, line_no, int(match.group(4)))
            tasks[tid] = (duration, skill, level, [int(tok) for tok in pred_tokens])

    for key, label in _HEADER.items():
        if key not in header:
            raise fail(path, f"header count '{label}:' not found")
    if not tasks or not people:
        raise fail(path, "resource or task table missing or empty")
    if len(tasks) != header["tasks"]:
        raise fail(path, f"header says {header['tasks']} tasks, the table has {len(tasks)}")
    if len(people) != header["resources"]:
        raise fail(path, f"header says {header['resources']} resources, the table has {len(people)}")
    for tid, (_, _, _, preds) in tasks.items():
        for pred in preds:
            if pred not in tasks:
                raise fail(path, f"task {tid} has unknown predecessor {pred}")
            if pred == tid:
                raise fail(path, f"task {tid} precedes itself")

    skill_ids = sorted({q for _, pairs in people.values() for q, _ in pairs} | {t[1] for t in tasks.values()})
    mismatches: dict[str, dict[str, int]] = {}
    n_precs = sum(len(set(t[3])) for t in tasks.values())
    if n_precs != header["precedences"]:
        mismatches["precedence relations"] = {"header": header["precedences"], "table": n_precs}
    if len(skill_ids) != header["skills"]:
        mismatches["skill types"] = {"header": header["skills"], "table": len(skill_ids)}

    durations = {str(tid): t[0] for tid, t in tasks.items()}
    preds_by_id = {str(tid): sorted({str(p) for p in t[3]}, key=int) for tid, t in tasks.items()}
    try:
        cp = critical_path(durations, preds_by_id)
    except ValueError:
        raise fail(path, "the precedence relations contain a cycle") from None
    total = sum(durations.values())
    work_bound = math.ceil(total / len(people))

    tasks_json: list[dict[str, Any]] = []
    for tid, (duration, skill, level, _) in tasks.items():
        task: dict[str, Any] = {
            "id": str(tid),
            "duration": duration,
            "requirements": [{"skill": f"Q{skill}", "level": level}],
        }
        if preds_by_id[str(tid)]:
            task["dependencies"] = [{"task": p} for p in preds_by_id[str(tid)]]
        tasks_json.append(task)
    start = dt.date.fromisoformat(BENCHMARK_START)
    portfolio: dict[str, Any] = {
        "name": f"iMOPSE {path.stem}",
        "calendar": {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=total + 1)).isoformat(),
            "workdays": list(WEEK),
            "holidays": [],
        },
        "skills": [{"id": f"Q{q}"} for q in skill_ids],
        "people": [
            {"id": f"r{rid}", "skills": {f"Q{q}": lv for q, lv in pairs}, "cost_per_day": salary}
            for rid, (salary, pairs) in people.items()
        ],
        "projects": [
            {"id": "p", "name": path.stem, "priority": 5, "status": "committed", "tasks": tasks_json}
        ],
        "objective": dict(OBJECTIVE_WEIGHTS),
    }
    extra: dict[str, Any] = {
        "lower_bound_simple": max(cp, work_bound),
        "critical_path": cp,
        "work_bound": work_bound,
        "folder": path.parent.name,
    }
    if mismatches:
        extra["header_mismatches"] = mismatches
    return Instance(family="imopse", name=path.stem, portfolio=portfolio, objective="makespan", extra=extra)
