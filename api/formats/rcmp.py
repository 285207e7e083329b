"""Reader for multi-project RCPSP files in the UGent "RCMP" text format.

Two families use the format: MPSPLIB (``.rcmp``, Homberger; objective total project
delay) and MPLIB1 set 3 (``.txt``, Van Eynde & Vanhoucke; objective portfolio makespan).

Mapping onto the portfolio contract (see ``benchmarks/README.md``):

* project ``k`` (1-based) becomes the committed project ``p<k>`` released ``<release>``
  days after :data:`BENCHMARK_START`; its activity ``a`` becomes task ``"<a>"``;
* a resource that exactly one project uses (flag 1, or a positive demand) becomes the pool
  ``p<k>_R<r>`` that only that project's tasks ask for; any other resource (shared by
  several projects) becomes the global pool ``R<r>``;
* successors ``k:a`` become finish-to-start dependencies with lag 0 (``p<k>/<a>`` when
  across projects); activities of duration 0 (the dummies) are dropped and their
  predecessors linked to their successors, as in :mod:`api.formats.psplib`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from api.formats import BENCHMARK_START, Instance
from api.formats.psplib import calendar, contract_zero_durations, read_text, table_row

MPSPLIB_VALUES = "reference_bounds.csv"
"""MPSPLIB reference values, looked up next to the ``instances`` folder."""
MPLIB_VALUES = "best_known.csv"
"""MPLIB best-known values, looked up next to the ``instances`` folder."""

Activity = tuple[int, int]
"""(project, activity), both 1-based as in the file."""


class _Tokens:
    """The whitespace-separated tokens of a file, each with its line number."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.tokens: list[str] = []
        self.lines: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            self.tokens.extend(parts)
            self.lines.extend([number] * len(parts))
        self.pos = 0

    def error(self, message: str, line: int | None = None) -> ValueError:
        if line is None:
            line = self.lines[min(self.pos, len(self.lines) - 1)] if self.lines else 0
        return ValueError(f"{self.path}: line {line}: {message}")

    def next(self, what: str) -> str:
        if self.pos >= len(self.tokens):
            last = self.lines[-1] if self.lines else 0
            raise ValueError(f"{self.path}: line {last}: the file ends while reading {what}")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def ints(self, count: int, what: str, minimum: int = 0, maximum: int | None = None) -> list[int]:
        """The next ``count`` integers, each in ``minimum…maximum`` (``what`` names them in errors)."""
        chunk = self.tokens[self.pos : self.pos + count]
        try:
            values = [int(t) for t in chunk]
            ok = len(values) == count and (not values or min(values) >= minimum)
            ok = ok and (maximum is None or not values or max(values) <= maximum)
        except ValueError:
            ok = False
        if ok:
            self.pos += count
            return values
        for k in range(count):  # slow path: find the culprit
            self.integer(f"{what} (number {k + 1} of {count})" if count > 1 else what, minimum, maximum)
        raise AssertionError("unreachable")  # pragma: no cover

    def integer(self, what: str, minimum: int = 0, maximum: int | None = None) -> int:
        """The next token as an integer in ``minimum…maximum``."""
        token = self.next(what)
        line = self.lines[self.pos - 1]
        try:
            value = int(token)
        except ValueError:
            raise self.error(f"{what}: expected an integer, found '{token}'", line) from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"≥ {minimum}" if maximum is None else f"in {minimum}…{maximum}"
            raise self.error(f"{what}: {value} is not {bounds}", line)
        return value

    def successor(self, what: str, project: int) -> tuple[Activity, int]:
        """A successor ``k:a`` (or ``a`` in the same project) and its line."""
        token = self.next(what)
        line = self.lines[self.pos - 1]
        left, colon, right = token.partition(":")
        try:
            succ = (int(left), int(right)) if colon else (project, int(left))
        except ValueError:
            raise self.error(f"{what}: expected 'project:activity', found '{token}'", line) from None
        return succ, line

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)


def _parse(path: Path) -> tuple[list[int], list[dict[str, Any]]]:
    """Capacities and projects (``release``, ``flags``, ``activities``) of an RCMP file.

    Each activity is ``(duration, demands, [(successor, line), ...])``. Successors are
    checked to name existing activities.
    """
    tok = _Tokens(path, read_text(path))
    n_projects = tok.integer("number of projects", 1)
    n_resources = tok.integer("number of resources")
    capacities = tok.ints(n_resources, "capacity of resource")
    projects: list[dict[str, Any]] = []
    for p in range(1, n_projects + 1):
        n_acts, release = tok.ints(2, f"project {p}: number of activities, release date")
        if n_acts < 1:
            raise tok.error(f"project {p} has no activity", tok.lines[tok.pos - 2])
        flags = tok.ints(n_resources, f"project {p}: flag of resource", 0, 1)
        activities = []
        for a in range(1, n_acts + 1):
            row = tok.ints(
                2 + n_resources, f"project {p} activity {a}: duration, demands, number of successors"
            )
            count = row[-1]
            succ = [tok.successor(f"project {p} activity {a}: successor {s + 1}", p) for s in range(count)]
            activities.append((row[0], row[1:-1], succ))
        projects.append({"release": release, "flags": flags, "activities": activities})
    if not tok.at_end():
        raise tok.error(f"unexpected '{tok.tokens[tok.pos]}' after the last of the {n_projects} projects")
    for p, project in enumerate(projects, start=1):
        for a, (_, _, succ) in enumerate(project["activities"], start=1):
            for (sp, sa), line in succ:
                if not 1 <= sp <= n_projects or not 1 <= sa <= len(projects[sp - 1]["activities"]):
                    raise tok.error(f"project {p} activity {a}: successor {sp}:{sa} does not exist", line)
                if (sp, sa) == (p, a):
                    raise tok.error(f"project {p} activity {a} is its own successor", line)
    return capacities, projects


def _portfolio(path: Path, objective: dict[str, float]) -> dict[str, Any]:
    """The contract portfolio of an RCMP file (see the module docstring)."""
    capacities, projects = _parse(path)
    users: list[list[int]] = [[] for _ in capacities]  # resource → projects that use it
    for p, project in enumerate(projects, start=1):
        demanded = [any(column) for column in zip(*(act[1] for act in project["activities"]), strict=True)]
        for r, flag in enumerate(project["flags"]):
            if flag or (demanded and demanded[r]):
                users[r].append(p)
    local = {r: users[r][0] for r in range(len(capacities)) if len(users[r]) == 1}

    def pool_id(project: int, r: int) -> str:
        return f"p{project}_R{r + 1}" if r in local else f"R{r + 1}"

    pools = []
    for r, capacity in enumerate(capacities):
        if r in local:
            name = f"resource {r + 1} of project {local[r]}"
        else:
            name = f"global resource {r + 1}"
        pools.append({"id": pool_id(local.get(r, 0), r), "name": name, "capacity": capacity})

    durations: dict[Activity, int] = {}
    successors: dict[Activity, list[Activity]] = {}
    for p, project in enumerate(projects, start=1):
        for a, (duration, _, succ) in enumerate(project["activities"], start=1):
            durations[p, a] = duration
            successors[p, a] = [s for s, _ in succ]
    predecessors = contract_zero_durations(durations, successors)

    start = dt.date.fromisoformat(BENCHMARK_START)
    contract_projects = []
    for p, project in enumerate(projects, start=1):
        tasks = []
        for a, (duration, demands, _) in enumerate(project["activities"], start=1):
            if duration == 0:
                continue
            tasks.append(
                {
                    "id": str(a),
                    "duration": duration,
                    "requirements": [
                        {"pool": pool_id(p, r), "units": u} for r, u in enumerate(demands) if u > 0
                    ],
                    "dependencies": [
                        {"task": str(pa) if pp == p else f"p{pp}/{pa}"} for pp, pa in predecessors[p, a]
                    ],
                }
            )
        release = start + dt.timedelta(days=project["release"])
        contract_projects.append(
            {
                "id": f"p{p}",
                "priority": 5,
                "status": "committed",
                "release": release.isoformat(),
                "tasks": tasks,
            }
        )
    horizon = max(p["release"] for p in projects) + sum(durations.values()) + 1
    return {
        "name": path.stem,
        "calendar": calendar(horizon),
        "skills": [],
        "people": [],
        "pools": pools,
        "projects": contract_projects,
        "objective": {"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, **objective},
    }


def read(path: Path, known: Path | None = None) -> Instance:
    """Read an MPSPLIB ``.rcmp`` file (objective: total project delay).

    Parameters
    ----------
    path
        The ``.rcmp`` file.
    known
        CSV of reference values; default ``reference_bounds.csv`` in the instance's folder
        or its parent.

    Returns
    -------
    Instance
        Family ``rcmp``, objective ``total_project_delay``, objective weight
        ``project_delay`` 1. No best-known value is public; the CSV columns (e.g.
        ``tms_lb_critical_path_with_arrivals``, a bound on the total makespan, not on the
        delay) go into ``extra``.

    Raises
    ------
    ValueError
        If the file is malformed; the message names the file and the line.
    """
    path = Path(path)
    portfolio = _portfolio(path, {"project_delay": 1})
    row = table_row(path, MPSPLIB_VALUES, known) or {}
    return Instance(
        family="rcmp",
        name=path.stem,
        portfolio=portfolio,
        objective="total_project_delay",
        extra=dict(row),
    )


def read_mplib(path: Path, known: Path | None = None) -> Instance:
    """Read an MPLIB1 (set 3) ``.txt`` file (objective: portfolio makespan).

    Parameters
    ----------
    path
        The ``.txt`` file, in the RCMP format.
    known
        CSV of best-known values (columns ``best_ub``, ``best_lb``, …); default
        ``best_known.csv`` in the instance's folder or its parent.

    Returns
    -------
    Instance
        Family ``mplib``, objective ``makespan``; ``best_known`` = ``best_ub`` and
        ``best_lower_bound`` = ``best_lb`` of the CSV (None if not listed), the other
        columns in ``extra``.

    Raises
    ------
    ValueError
        If the file is malformed; the message names the file and the line.
    """
    path = Path(path)
    portfolio = _portfolio(path, {"makespan": 1})
    row = table_row(path, MPLIB_VALUES, known) or {}
    best_ub, best_lb = row.get("best_ub"), row.get("best_lb")
    return Instance(
        family="mplib",
        name=path.stem,
        portfolio=portfolio,
        objective="makespan",
        best_known=best_ub if isinstance(best_ub, int | float) else None,
        best_lower_bound=best_lb if isinstance(best_lb, int | float) else None,
        extra={k: v for k, v in row.items() if k not in ("best_ub", "best_lb")},
    )
