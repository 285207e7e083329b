"""Reader of the MISTA 2013 challenge instances (multi-mode resource-constrained multi-project).

A problem file (``A-1.txt``) lists the projects (release date, critical-path duration
CPD and the path of a PSPLIB multi-mode ``.mm`` file, relative to the problem file's
folder) and, for each resource type of the project files, the capacity of a *global*
renewable resource shared by all projects or ``-1`` for a *local* resource::

    <P>
    <release> <CPD> <project file>      (P times; whitespace-separated, any line layout)
    <K>
    <K values: capacity of a global resource, or -1 = local>

The K resource types are the project files' renewable resources ``R1..Rr`` followed by
their non-renewable ones ``N1..Nn``. Mapping onto the contract (one day = one period):

* project ``i`` (1-based, file order) → project ``p<i>``, committed, priority 5,
  ``release`` = :data:`~api.formats.BENCHMARK_START` + release days;
* global renewable resource ``Rk`` → pool ``R<k>`` (capacity from the problem file);
* local renewable resource ``Rk`` of project ``i`` → pool ``p<i>_R<k>`` (capacity from
  the project file);
* non-renewable resource ``Nk`` → project budget ``N<k>`` (availability from the project
  file);
* each non-dummy job → a task (id = PSPLIB job number) with one ``modes`` entry per
  PSPLIB mode: duration, pool requirements (zero demands omitted) and ``consumes``
  (zero amounts omitted);
* zero-duration dummy jobs (source, sink) are dropped and their precedences rewired
  (predecessors → successors, finish-to-start, lag 0).

The family objective is the total project delay TPD = Σ (completion − release − CPD),
then the total makespan TMS as tie-break: weights ``project_delay`` 1000 and
``makespan`` 1. The CPD of each project is kept in ``extra["cpd"]``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.formats import BENCHMARK_START, Instance
from model.load import read_bytes

OBJECTIVE_WEIGHTS: dict[str, float] = {
    "tardiness": 0,
    "completion": 0,
    "cost": 0,
    "continuity": 0,
    "project_delay": 1000,
    "makespan": 1,
}
"""TPD first (weight 1000), TMS as tie-break (weight 1)."""

WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""Every day of the week is a working day: one day = one time unit."""


@dataclass(frozen=True)
class Mode:
    """One execution mode of a PSPLIB job.

    Attributes
    ----------
    duration
        Length in periods.
    renewable
        Demand per period on each renewable resource ``R1..Rr``.
    nonrenewable
        Total consumption of each non-renewable resource ``N1..Nn``.
    """

    duration: int
    renewable: tuple[int, ...]
    nonrenewable: tuple[int, ...]


@dataclass(frozen=True)
class Job:
    """A PSPLIB job: its number, modes and successors (job numbers)."""

    number: int
    modes: tuple[Mode, ...]
    successors: tuple[int, ...]

    @property
    def is_dummy(self) -> bool:
        """True for a job whose every mode lasts zero periods (source, sink)."""
        return all(mode.duration == 0 for mode in self.modes)


@dataclass(frozen=True)
class MultiModeProject:
    """A parsed PSPLIB multi-mode (``.mm``) project file.

    Attributes
    ----------
    jobs
        Jobs in file order (numbered 1..n).
    renewable_capacity
        Availability per period of ``R1..Rr``.
    nonrenewable_capacity
        Total availability of ``N1..Nn``.
    """

    jobs: tuple[Job, ...]
    renewable_capacity: tuple[int, ...]
    nonrenewable_capacity: tuple[int, ...]


def fail(path: Path, message: str) -> ValueError:
    """The error for a malformed benchmark file: names the file and the problem."""
    return ValueError(f"{path}: {message}")


def read_text(path: Path) -> str:
    """The text of ``path`` with line endings normalised; undecodable text is a ``ValueError``."""
    if not path.exists():
        raise fail(path, "file not found")
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def to_int(path: Path, token: str, what: str) -> int:
    """Parse an integer token, or fail naming ``what`` it should have been."""
    try:
        return int(token)
    except ValueError:
        raise fail(path, f"{what}: expected an integer, got {token!r}") from None


def drop_dummies(predecessors: dict[int, list[int]], dummies: set[int], path: Path) -> dict[int, list[int]]:
    """Remove dummy activities from a precedence network, rewiring around them.

    Parameters
    ----------
    predecessors
        Activity → its direct predecessors (every activity is a key).
    dummies
        Activities to drop.
    path
        File the network comes from (named in errors).

    Returns
    -------
    dict
        Each non-dummy activity → its non-dummy predecessors, reached directly or
        through chains of dummies; sorted, without duplicates.

    Raises
    ------
    ValueError
        If dummies form a precedence cycle.
    """
    reached: dict[int, list[int]] = {}

    def real_preds(dummy: int, trail: tuple[int, ...]) -> list[int]:
        if dummy in reached:
            return reached[dummy]
        if dummy in trail:
            raise fail(path, f"precedence cycle through dummy activities {[*trail, dummy]}")
        found: set[int] = set()
        for pred in predecessors.get(dummy, []):
            found.update(real_preds(pred, (*trail, dummy)) if pred in dummies else [pred])
        reached[dummy] = sorted(found)
        return reached[dummy]

    result: dict[int, list[int]] = {}
    for act, preds in predecessors.items():
        if act in dummies:
            continue
        found: set[int] = set()
        for pred in preds:
            found.update(real_preds(pred, ()) if pred in dummies else [pred])
        result[act] = sorted(found)
    return result


def _data_rows(path: Path, lines: list[str], header: str) -> list[list[str]]:
    """Token rows of a ``.mm`` section: the all-numeric lines up to the next ``***`` line."""
    starts = [i for i, line in enumerate(lines) if line.strip().upper().startswith(header)]
    if not starts:
        raise fail(path, f"section '{header}' not found")
    rows: list[list[str]] = []
    for line in lines[starts[0] + 1 :]:
        stripped = line.strip()
        if stripped.startswith("*"):
            break
        tokens = stripped.split()
        if tokens and all(re.fullmatch(r"-?\d+", tok) for tok in tokens):
            rows.append(tokens)
        elif tokens and rows:  # column headers come before the data, never inside it
            raise fail(path, f"section '{header}': not a line of integers: {stripped!r}")
    return rows


def _header_count(path: Path, text: str, pattern: str, what: str) -> int:
    match = re.search(pattern, text, flags=re.IGNORECASE)
    if match is None:
        raise fail(path, f"header line '{what}' not found")
    return int(match.group(1))


def parse_mm(path: Path) -> MultiModeProject:
    """Parse a PSPLIB multi-mode project file (``.mm``).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    MultiModeProject
        Jobs with their modes and successors, and the resource availabilities.

    Raises
    ------
    ValueError
        If the file is malformed (missing section, wrong number of values, unknown
        job, inconsistent mode numbering, doubly constrained resources, …).
    """
    text = read_text(path)
    lines = text.split("\n")
    n_jobs = _header_count(path, text, r"jobs\s*\(incl\.[^)]*\)\s*:\s*(\d+)", "jobs (incl. supersource/sink)")
    n_ren = _header_count(path, text, r"-\s*renewable\s*:\s*(\d+)", "- renewable")
    n_non = _header_count(path, text, r"-\s*nonrenewable\s*:\s*(\d+)", "- nonrenewable")
    doubly = re.search(r"-\s*doubly constrained\s*:\s*(\d+)", text, flags=re.IGNORECASE)
    if doubly is not None and int(doubly.group(1)) != 0:
        raise fail(path, "doubly constrained resources are not supported")
    n_res = n_ren + n_non

    successors: dict[int, tuple[int, ...]] = {}
    mode_counts: dict[int, int] = {}
    for row in _data_rows(path, lines, "PRECEDENCE RELATIONS"):
        values = [int(tok) for tok in row]
        if len(values) < 3 or len(values) != 3 + values[2]:
            raise fail(
                path, f"precedence line {' '.join(row)!r}: expected job, #modes, #successors, successors"
            )
        job, n_modes = values[0], values[1]
        if job in successors:
            raise fail(path, f"job {job} listed twice in PRECEDENCE RELATIONS")
        if n_modes < 1:
            raise fail(path, f"job {job} has {n_modes} modes")
        successors[job] = tuple(values[3:])
        mode_counts[job] = n_modes
    if sorted(successors) != list(range(1, n_jobs + 1)):
        raise fail(
            path, f"PRECEDENCE RELATIONS must list jobs 1..{n_jobs} (header), got {len(successors)} jobs"
        )
    for job, succs in successors.items():
        for succ in succs:
            if succ not in successors:
                raise fail(path, f"job {job} has unknown successor {succ}")

    modes: dict[int, list[Mode]] = {job: [] for job in successors}
    current: int | None = None
    for row in _data_rows(path, lines, "REQUESTS/DURATIONS"):
        values = [int(tok) for tok in row]
        if len(values) == 3 + n_res:
            current, values = values[0], values[1:]
            if current not in modes:
                raise fail(path, f"REQUESTS/DURATIONS: unknown job {current}")
            if modes[current]:
                raise fail(path, f"REQUESTS/DURATIONS: job {current} listed twice")
        elif len(values) != 2 + n_res or current is None:
            raise fail(path, f"REQUESTS/DURATIONS line {' '.join(row)!r}: expected {3 + n_res} values")
        mode_no, duration, demands = values[0], values[1], values[2:]
        if mode_no != len(modes[current]) + 1:
            raise fail(path, f"job {current}: mode {mode_no} out of order")
        if duration < 0 or any(d < 0 for d in demands):
            raise fail(path, f"job {current} mode {mode_no}: negative duration or demand")
        modes[current].append(Mode(duration, tuple(demands[:n_ren]), tuple(demands[n_ren:])))
    for job, job_modes in modes.items():
        if len(job_modes) != mode_counts[job]:
            raise fail(path, f"job {job}: {mode_counts[job]} modes declared, {len(job_modes)} given")

    avail = _data_rows(path, lines, "RESOURCEAVAILABILITIES")
    if len(avail) != 1 or len(avail[0]) != n_res:
        raise fail(path, f"RESOURCEAVAILABILITIES: expected one line of {n_res} values")
    capacities = [int(tok) for tok in avail[0]]
    if any(c < 0 for c in capacities):
        raise fail(path, "RESOURCEAVAILABILITIES: negative availability")
    jobs = tuple(Job(j, tuple(modes[j]), successors[j]) for j in sorted(successors))
    return MultiModeProject(jobs, tuple(capacities[:n_ren]), tuple(capacities[n_ren:]))


@dataclass(frozen=True)
class ProblemEntry:
    """One project line of a MISTA problem file."""

    release: int
    cpd: int
    file: str


def parse_problem(path: Path) -> tuple[list[ProblemEntry], list[int]]:
    """Parse a MISTA problem file.

    Returns
    -------
    tuple
        The project entries and the K resource-type values (capacity or ``-1``).

    Raises
    ------
    ValueError
        If a count or value is missing or not an integer, or there is trailing data.
    """
    tokens = read_text(path).split()
    pos = 0

    def take(what: str) -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise fail(path, f"unexpected end of file, expected {what}")
        pos += 1
        return tokens[pos - 1]

    n_projects = to_int(path, take("the number of projects"), "number of projects")
    if n_projects < 1:
        raise fail(path, f"number of projects must be at least 1, got {n_projects}")
    entries = []
    for i in range(1, n_projects + 1):
        release = to_int(path, take(f"release of project {i}"), f"release of project {i}")
        cpd = to_int(path, take(f"CPD of project {i}"), f"CPD of project {i}")
        file = take(f"file of project {i}").replace("\\", "/")
        if release < 0 or cpd < 0:
            raise fail(path, f"project {i}: negative release or CPD")
        entries.append(ProblemEntry(release, cpd, file))
    n_types = to_int(path, take("the number of resource types"), "number of resource types")
    types = [to_int(path, take(f"resource type {k + 1}"), f"resource type {k + 1}") for k in range(n_types)]
    if pos != len(tokens):
        raise fail(path, f"unexpected trailing data {tokens[pos]!r}")
    for k, value in enumerate(types, start=1):
        if value < -1:
            raise fail(path, f"resource type {k}: capacity {value} (use -1 for a local resource)")
    return entries, types


def _mode_json(mode: Mode, pool_ids: list[str], budget_ids: list[str]) -> dict[str, Any]:
    mode_json: dict[str, Any] = {
        "duration": mode.duration,
        "requirements": [
            {"pool": pool, "units": units}
            for pool, units in zip(pool_ids, mode.renewable, strict=True)
            if units
        ],
    }
    consumes = {b: amount for b, amount in zip(budget_ids, mode.nonrenewable, strict=True) if amount}
    if consumes:
        mode_json["consumes"] = consumes
    return mode_json


def read(path: Path) -> Instance:
    """Read a MISTA 2013 problem file and the project files it references.

    Parameters
    ----------
    path
        The problem file (e.g. ``instances/A-1.txt``).

    Returns
    -------
    Instance
        Family ``mista``, objective ``total_project_delay``; ``extra["cpd"]`` maps each
        project id to the CPD of the problem file, ``extra["project_files"]`` to its
        project file. No best-known values are shipped with the data.

    Raises
    ------
    ValueError
        If the problem file or a project file is malformed or inconsistent (e.g. the
        number of resource types differs from a project file's, or a non-renewable
        resource is declared global).
    """
    path = Path(path)
    entries, types = parse_problem(path)
    start = dt.date.fromisoformat(BENCHMARK_START)
    pools: list[dict[str, Any]] = []
    projects: list[dict[str, Any]] = []
    cpd: dict[str, int] = {}
    files: dict[str, str] = {}
    longest_total = 0
    n_ren_global: int | None = None
    for i, entry in enumerate(entries, start=1):
        pid = f"p{i}"
        mm_path = path.parent / entry.file
        if not mm_path.is_file():
            raise fail(path, f"project file {entry.file!r} of project {i} not found")
        project = parse_mm(mm_path)
        n_ren, n_non = len(project.renewable_capacity), len(project.nonrenewable_capacity)
        if n_ren + n_non != len(types):
            raise fail(
                path,
                f"{len(types)} resource types declared but {entry.file} has {n_ren} renewable "
                f"+ {n_non} non-renewable",
            )
        if n_ren_global is None:
            n_ren_global = n_ren
            for k, value in enumerate(types[n_ren:], start=1):
                if value != -1:
                    raise fail(path, f"non-renewable resource N{k} declared global ({value}): not supported")
            pools.extend(
                {"id": f"R{k}", "capacity": types[k - 1]} for k in range(1, n_ren + 1) if types[k - 1] >= 0
            )
        elif n_ren != n_ren_global:
            raise fail(
                path, f"{entry.file} has {n_ren} renewable resources, the first project {n_ren_global}"
            )
        pool_ids = [f"R{k}" if types[k - 1] >= 0 else f"{pid}_R{k}" for k in range(1, n_ren + 1)]
        pools.extend(
            {"id": pool_ids[k - 1], "capacity": project.renewable_capacity[k - 1]}
            for k in range(1, n_ren + 1)
            if types[k - 1] < 0
        )
        budget_ids = [f"N{k}" for k in range(1, n_non + 1)]

        dummies = set()
        for job in project.jobs:
            if job.is_dummy:
                if any(any(m.renewable) or any(m.nonrenewable) for m in job.modes):
                    raise fail(mm_path, f"zero-duration job {job.number} has resource demands")
                dummies.add(job.number)
            elif any(m.duration == 0 for m in job.modes):
                raise fail(mm_path, f"job {job.number} mixes zero-duration and positive-duration modes")
        direct: dict[int, list[int]] = {job.number: [] for job in project.jobs}
        for job in project.jobs:
            for succ in job.successors:
                direct[succ].append(job.number)
        preds = drop_dummies(direct, dummies, mm_path)

        tasks = []
        for job in project.jobs:
            if job.number in dummies:
                continue
            longest_total += max(m.duration for m in job.modes)
            task: dict[str, Any] = {
                "id": str(job.number),
                "modes": [_mode_json(m, pool_ids, budget_ids) for m in job.modes],
            }
            if preds[job.number]:
                task["dependencies"] = [{"task": str(p)} for p in preds[job.number]]
            tasks.append(task)
        project_json: dict[str, Any] = {
            "id": pid,
            "name": entry.file,
            "priority": 5,
            "status": "committed",
            "release": (start + dt.timedelta(days=entry.release)).isoformat(),
            "tasks": tasks,
        }
        if budget_ids:
            project_json["budgets"] = dict(zip(budget_ids, project.nonrenewable_capacity, strict=True))
        projects.append(project_json)
        cpd[pid] = entry.cpd
        files[pid] = entry.file

    horizon = max(e.release for e in entries) + longest_total + 1
    portfolio: dict[str, Any] = {
        "name": f"MISTA 2013 {path.stem}",
        "calendar": {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=horizon)).isoformat(),
            "workdays": list(WEEK),
            "holidays": [],
        },
        "skills": [],
        "people": [],
        "pools": pools,
        "projects": projects,
        "objective": dict(OBJECTIVE_WEIGHTS),
    }
    return Instance(
        family="mista",
        name=path.stem,
        portfolio=portfolio,
        objective="total_project_delay",
        extra={"cpd": cpd, "project_files": files},
    )
