"""Reader for PSPLIB single-mode RCPSP files (``.sm``: j30, j60, j90, j120).

Mapping onto the portfolio contract (see ``benchmarks/README.md``):

* each renewable resource ``R<r>`` becomes a pool ``{"id": "R<r>", "capacity": c}``;
* each job with a positive duration becomes a task ``"<job number>"`` of one committed
  project named after the instance, asking for ``units`` of each pool it uses;
* precedences become finish-to-start dependencies with lag 0. Jobs of duration 0 (the
  dummy source and sink, and any other) are dropped and their predecessors are linked
  to their successors, which keeps every path of the network;
* every day of the week is a working day from :data:`BENCHMARK_START`, so a day index
  is a PSPLIB time unit and the plan's makespan equals the PSPLIB makespan.

The helpers :func:`contract_zero_durations`, :func:`read_text`, :func:`load_table` and
:func:`table_row` are shared with the multi-project reader :mod:`api.formats.rcmp`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from api.formats import BENCHMARK_START, MAKESPAN_OBJECTIVE, Instance
from model.load import read_bytes

ALL_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""Every day is a working day: one benchmark time unit is one day."""

KNOWN_VALUES = "best_known.csv"
"""File of best-known values, looked up next to the instance folder."""

_SECTIONS = ("PROJECT INFORMATION", "PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES")
_INT = re.compile(r"[+-]?\d+\Z")

Node = TypeVar("Node", bound=Hashable)


# --------------------------------------------------------------------------- shared helpers


def read_text(path: Path) -> str:
    """The text of ``path`` (UTF-8, an optional BOM removed).

    Raises
    ------
    ValueError
        If the file is not text.
    """
    try:
        return read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a text file ({exc.reason} at byte {exc.start})") from None


def contract_zero_durations(
    durations: Mapping[Node, int], successors: Mapping[Node, Sequence[Node]]
) -> dict[Node, list[Node]]:
    """Predecessors of each positive-duration node once zero-duration nodes are removed.

    A finish-to-start arc with lag 0 through a node of duration 0 is the same as a direct
    arc from each of its predecessors to each of its successors, so a node ``i`` becomes a
    predecessor of ``j`` when the network has a path ``i → … → j`` whose inner nodes all
    have duration 0. Duplicate arcs collapse into one.

    Parameters
    ----------
    durations
        Every node's duration, in the order the predecessors should be listed.
    successors
        Direct successors of each node (nodes with none may be left out).

    Returns
    -------
    dict
        Every node of positive duration → its predecessors of positive duration, in the
        order of ``durations``.
    """
    order = {node: k for k, node in enumerate(durations)}
    reach_through: dict[Node, set[Node]] = {}  # zero node → positive nodes reached through zeros

    def reached(zero: Node) -> set[Node]:
        if zero not in reach_through:
            found: set[Node] = set()
            seen = {zero}
            stack = [zero]
            while stack:
                for nxt in successors.get(stack.pop(), ()):
                    if durations[nxt] > 0:
                        found.add(nxt)
                    elif nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            reach_through[zero] = found
        return reach_through[zero]

    preds: dict[Node, set[Node]] = {node: set() for node, d in durations.items() if d > 0}
    for node in preds:
        for nxt in successors.get(node, ()):
            targets = {nxt} if durations[nxt] > 0 else reached(nxt)
            for target in targets:
                preds[target].add(node)
    return {node: sorted(found, key=order.__getitem__) for node, found in preds.items()}


def calendar(horizon_days: int) -> dict[str, Any]:
    """A calendar of ``horizon_days + 1`` days from :data:`BENCHMARK_START`, every day worked."""
    start = dt.date.fromisoformat(BENCHMARK_START)
    end = start + dt.timedelta(days=horizon_days)
    return {"start": BENCHMARK_START, "end": end.isoformat(), "workdays": list(ALL_WEEKDAYS), "holidays": []}


def _number(text: str) -> int | float | str | None:
    """A CSV cell as an int, a float, a string, or None if empty."""
    text = text.strip()
    if not text:
        return None
    if _INT.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


@lru_cache(maxsize=16)
def load_table(path: Path) -> dict[str, dict[str, int | float | str | None]]:
    """A CSV of reference values: instance file name → column → value.

    The first column names the instance (with or without its extension). Cells are
    converted to int or float where they are numbers; empty cells become None.

    Raises
    ------
    ValueError
        If the file has no header or no instance column.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows or not rows[0]:
        raise ValueError(f"{path}: empty CSV, expected a header line")
    header = [h.strip() for h in rows[0]]
    table: dict[str, dict[str, int | float | str | None]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{path}: line {line}: {len(row)} cells, the header has {len(header)}")
        table[row[0].strip()] = {h: _number(v) for h, v in zip(header[1:], row[1:], strict=True)}
    return table


def table_row(
    instance: Path, file_name: str, known: Path | None
) -> dict[str, int | float | str | None] | None:
    """The reference values of ``instance`` from ``known`` or from ``file_name`` nearby.

    Without ``known``, ``file_name`` is looked for in the instance's folder and its parent
    (``<family>/j30/j301_1.sm`` → ``<family>/best_known.csv``). The row is matched on the
    file name, then on the stem. None if there is no table or no row.
    """
    if known is None:
        candidates = [folder / file_name for folder in (instance.parent, instance.parent.parent)]
        known = next((c for c in candidates if c.is_file()), None)
        if known is None:
            return None
    table = load_table(known.resolve())
    return table.get(instance.name, table.get(instance.stem))


def _float(value: int | float | str | None) -> float | None:
    return value if isinstance(value, int | float) else None


# --------------------------------------------------------------------------- the .sm format


class _SmFile:
    """The lines of a ``.sm`` file, split into header fields and numeric sections."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.header: dict[str, tuple[int, str]] = {}  # key → (line number, value text)
        self.sections: dict[str, list[tuple[int, list[str]]]] = {}  # title → data rows
        current: str | None = None
        in_data = False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            title = next((s for s in _SECTIONS if line.upper().startswith(s)), None)
            if title is not None:
                if title in self.sections:
                    raise self.error(number, f"section {title} appears twice")
                current, in_data = title, False
                self.sections[title] = []
                continue
            if line.startswith("*"):
                current = None
                continue
            if current is None:
                if ":" in line:
                    key, _, value = line.partition(":")
                    self.header[key.strip().lstrip("-").strip().lower()] = (number, value.strip())
                continue
            tokens = line.split()
            if not in_data and not _INT.match(tokens[0]):
                continue  # column titles and the dashed rule above the data
            in_data = True
            self.sections[current].append((number, tokens))

    def error(self, line: int | None, message: str, section: str | None = None) -> ValueError:
        where = f"line {line}" if line is not None else "end of file"
        if section is not None:
            where += f" ({section})"
        return ValueError(f"{self.path}: {where}: {message}")

    def header_int(self, prefix: str, default: int | None = None) -> int:
        """The integer after the colon of the header line whose key starts with ``prefix``."""
        found = next(((n, v) for k, (n, v) in self.header.items() if k.startswith(prefix)), None)
        if found is None:
            if default is not None:
                return default
            raise self.error(None, f"header line '{prefix} : <number>' is missing")
        number, value = found
        first = value.split()[0] if value.split() else ""
        if not _INT.match(first):
            raise self.error(number, f"header '{prefix}': expected an integer, found '{value}'")
        return int(first)

    def rows(self, title: str) -> list[tuple[int, list[str]]]:
        if title not in self.sections:
            raise self.error(None, f"section {title} is missing")
        return self.sections[title]

    def ints(self, title: str, number: int, tokens: list[str]) -> list[int]:
        for token in tokens:
            if not _INT.match(token):
                raise self.error(number, f"expected integers, found '{token}'", title)
        return [int(t) for t in tokens]


def read(path: Path, known: Path | None = None) -> Instance:
    """Read a PSPLIB single-mode ``.sm`` file as a one-project portfolio.

    Parameters
    ----------
    path
        The ``.sm`` file.
    known
        CSV of best-known values (columns ``instance``, ``best_ub``, ``best_lb``, …);
        default: ``best_known.csv`` in the instance's folder or its parent.

    Returns
    -------
    Instance
        Family ``psplib``, objective ``makespan``; ``best_known`` is the best upper bound
        and ``best_lower_bound`` the best lower bound of the CSV (None if not listed), the
        other CSV columns are in ``extra``.

    Raises
    ------
    ValueError
        If the file is malformed (the message names the file and the line or section),
        multi-mode, or has non-renewable resources.
    """
    path = Path(path)
    sm = _SmFile(path, read_text(path))
    jobs = sm.header_int("jobs")
    renewable = sm.header_int("renewable")
    others = sm.header_int("nonrenewable", 0) + sm.header_int("doubly constrained", 0)
    if others:
        raise sm.error(None, "non-renewable or doubly constrained resources are not supported")
    if jobs < 1 or renewable < 0:
        raise sm.error(None, f"header: {jobs} jobs and {renewable} renewable resources")

    successors = _precedences(sm, jobs)
    durations, demands = _requests(sm, jobs, renewable)
    capacities = _availabilities(sm, renewable)

    predecessors = contract_zero_durations(durations, successors)
    tasks = []
    for job, preds in predecessors.items():
        tasks.append(
            {
                "id": str(job),
                "duration": durations[job],
                "requirements": [
                    {"pool": f"R{r + 1}", "units": u} for r, u in enumerate(demands[job]) if u > 0
                ],
                "dependencies": [{"task": str(p)} for p in preds],
            }
        )
    name = path.stem
    portfolio = {
        "name": f"PSPLIB {name}",
        "calendar": calendar(sum(durations.values()) + 1),
        "skills": [],
        "people": [],
        "pools": [
            {"id": f"R{r + 1}", "name": f"renewable resource {r + 1}", "capacity": c}
            for r, c in enumerate(capacities)
        ],
        "projects": [{"id": name, "priority": 5, "status": "committed", "tasks": tasks}],
        "objective": dict(MAKESPAN_OBJECTIVE),
    }
    row = table_row(path, KNOWN_VALUES, known) or {}
    extra = {k: v for k, v in row.items() if k not in ("best_ub", "best_lb")}
    return Instance(
        family="psplib",
        name=name,
        portfolio=portfolio,
        objective="makespan",
        best_known=_float(row.get("best_ub")),
        best_lower_bound=_float(row.get("best_lb")),
        extra=extra,
    )


def _precedences(sm: _SmFile, jobs: int) -> dict[int, list[int]]:
    """Job → successors from the PRECEDENCE RELATIONS section (rows may wrap)."""
    title = "PRECEDENCE RELATIONS"
    tokens: list[tuple[int, int]] = []  # (value, line)
    for number, row in sm.rows(title):
        tokens.extend((v, number) for v in sm.ints(title, number, row))
    successors: dict[int, list[int]] = {}
    pos = 0
    for expected in range(1, jobs + 1):
        if pos + 3 > len(tokens):
            line = tokens[-1][1] if tokens else None
            raise sm.error(line, f"expected {jobs} jobs, the section ends after job {expected - 1}", title)
        (job, line), (modes, _), (count, _) = tokens[pos : pos + 3]
        if job != expected:
            raise sm.error(line, f"expected job {expected}, found job {job}", title)
        if modes != 1:
            raise sm.error(line, f"job {job} has {modes} modes: only single-mode files are supported", title)
        if count < 0 or pos + 3 + count > len(tokens):
            raise sm.error(line, f"job {job} announces {count} successors, fewer are listed", title)
        succ = [v for v, _ in tokens[pos + 3 : pos + 3 + count]]
        nxt = tokens[pos + 3 + count][0] if pos + 3 + count < len(tokens) else None
        if nxt is not None and nxt != expected + 1:
            # the next number must start the next job: anything else is a wrong count
            raise sm.error(line, f"job {job} announces {count} successors, the row does not match", title)
        wrong = next((s for s in succ if not 1 <= s <= jobs or s == job), None)
        if wrong is not None:
            raise sm.error(line, f"job {job} has successor {wrong}, not another job 1…{jobs}", title)
        successors[job] = succ
        pos += 3 + count
    return successors


def _requests(sm: _SmFile, jobs: int, resources: int) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Durations and demands from the REQUESTS/DURATIONS section."""
    title = "REQUESTS/DURATIONS"
    rows = sm.rows(title)
    width = 3 + resources
    tokens: list[tuple[int, int]] = []
    for number, row in rows:
        tokens.extend((v, number) for v in sm.ints(title, number, row))
    if len(tokens) != jobs * width:
        line = rows[-1][0] if rows else None
        raise sm.error(
            line,
            f"expected {jobs} rows of {width} numbers (job, mode, duration, demands), "
            f"found {len(tokens)} numbers",
            title,
        )
    durations: dict[int, int] = {}
    demands: dict[int, list[int]] = {}
    for k in range(jobs):
        chunk = tokens[k * width : (k + 1) * width]
        job, line = chunk[0]
        if job != k + 1:
            raise sm.error(line, f"expected job {k + 1}, found job {job}", title)
        if chunk[1][0] != 1:
            raise sm.error(
                line, f"job {job} is in mode {chunk[1][0]}: only single-mode files are supported", title
            )
        values = [v for v, _ in chunk[2:]]
        if min(values) < 0:
            raise sm.error(line, f"job {job} has a negative duration or demand", title)
        durations[job] = values[0]
        demands[job] = values[1:]
    return durations, demands


def _availabilities(sm: _SmFile, resources: int) -> list[int]:
    """Capacities from the RESOURCEAVAILABILITIES section."""
    title = "RESOURCEAVAILABILITIES"
    rows = sm.rows(title)
    values = [v for number, row in rows for v in sm.ints(title, number, row)]
    if len(values) != resources or min(values, default=0) < 0:
        line = rows[0][0] if rows else None
        raise sm.error(line, f"expected {resources} non-negative capacities, found {values}", title)
    return values
