"""Reader of the MSPSP instance library (Young, Feydy, Schutt 2017), MiniZinc ``.dzn`` files.

The data used: ``nActs``, ``dur`` (first and last activities are zero-duration dummies),
``nSkills``, ``sreq`` (``nActs × nSkills`` units of each skill required), ``nResources``,
``mastery`` (``nResources × nSkills`` booleans), ``nPrecs``, ``pred``/``succ``
(1-based precedence pairs) and, if present, ``mint`` (a makespan lower bound).

Mapping onto the contract (one day = one time unit, one project ``p``):

* resource ``k`` → person ``r<k>`` with ``skills`` ``{"S<j>": 1}`` for each mastered skill;
* skill ``j`` → skill ``S<j>``;
* activity ``a`` of positive duration → task ``"<a>"`` with ``duration`` and one
  requirement ``{"skill": "S<j>", "count": units}`` per skill with non-zero units (a
  person fills at most one slot of a task, as in the MSPSP);
* ``pred[i] → succ[i]`` → finish-to-start dependency; zero-duration activities are
  dropped and their precedences rewired.

The objective is the makespan. ``best_known`` / ``best_lower_bound`` come from the
library's ``best_known.csv`` (next to the set folders), keyed by set folder and file
name; the lower bound is the best makespan when it is proven optimal, else the csv's
``lb``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from api.formats import BENCHMARK_START, MAKESPAN_OBJECTIVE, Instance
from api.formats.mista import WEEK, drop_dummies, fail, read_text

OBJECTIVE_WEIGHTS = MAKESPAN_OBJECTIVE
"""Makespan only."""

DznValue = Any
"""A parsed ``.dzn`` value: int, bool, list (1-D array), list of lists (2-D), or frozenset (set)."""

_TOKEN = re.compile(r"\s+|(\[\||\|\]|\.\.|-?\d+|[A-Za-z_][A-Za-z0-9_]*|[\[\]{}(),|=;])|(.)", re.DOTALL)


def _tokenize(path: Path, text: str) -> list[str]:
    """Tokens of MiniZinc data with ``%`` comments removed."""
    text = "\n".join(line.split("%", 1)[0] for line in text.split("\n"))
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            snippet = text[match.start() : match.start() + 20].strip()
            raise fail(path, f"unexpected character in MiniZinc data near {snippet!r}")
        if match.group(1) is not None:
            tokens.append(match.group(1))
    return tokens


class _DznParser:
    """Recursive-descent parser of the ``.dzn`` subset used by the library."""

    def __init__(self, path: Path, tokens: list[str]) -> None:
        self.path = path
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise fail(self.path, f"unexpected end of data (expected {expected or 'a value'})")
        if expected is not None and token != expected:
            raise fail(self.path, f"expected {expected!r}, got {token!r}")
        self.pos += 1
        return token

    def assignments(self) -> dict[str, DznValue]:
        result: dict[str, DznValue] = {}
        while self.peek() is not None:
            name = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise fail(self.path, f"expected a name, got {name!r}")
            self.take("=")
            value = self.value()
            if name in result:
                raise fail(self.path, f"'{name}' assigned twice")
            result[name] = value
            if self.peek() is not None:
                self.take(";")
        return result

    def scalar(self) -> int | bool:
        token = self.take()
        if token in ("true", "false"):
            return token == "true"
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        raise fail(self.path, f"expected a number or boolean, got {token!r}")

    def value(self) -> DznValue:
        token = self.peek()
        if token == "[|":
            return self.matrix()
        if token == "[":
            return self.array()
        if token == "{":
            return self.set_literal()
        if token == "array2d":
            return self.array2d()
        if token == "array1d":
            self.take()
            self.take("(")
            self.value()  # index set, ignored
            self.take(",")
            values = self.value()
            self.take(")")
            return values
        first = self.scalar()
        if self.peek() == "..":  # a range set a..b
            self.take()
            last = self.scalar()
            return frozenset(range(int(first), int(last) + 1))
        return first

    def array(self) -> list[DznValue]:
        self.take("[")
        items: list[DznValue] = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() == ",":
                self.take()
            elif self.peek() != "]":
                raise fail(self.path, f"expected ',' or ']' in an array, got {self.peek()!r}")
        self.take("]")
        return items

    def set_literal(self) -> frozenset[int]:
        self.take("{")
        items: list[int] = []
        while self.peek() != "}":
            items.append(int(self.scalar()))
            if self.peek() == ",":
                self.take()
            elif self.peek() != "}":
                raise fail(self.path, f"expected ',' or '}}' in a set, got {self.peek()!r}")
        self.take("}")
        return frozenset(items)

    def matrix(self) -> list[list[DznValue]]:
        self.take("[|")
        rows: list[list[DznValue]] = [[]]
        while True:
            token = self.peek()
            if token == "|]":
                self.take()
                break
            if token == "|":
                self.take()
                if self.peek() == "]":  # `| ]` written with a space
                    self.take()
                    break
                rows.append([])
                continue
            if token == ",":
                self.take()
                continue
            rows[-1].append(self.scalar())
        if rows and not rows[-1]:
            rows.pop()  # trailing `|` before `|]`
        if len({len(row) for row in rows}) > 1:
            raise fail(self.path, "rows of a 2-D array literal have different lengths")
        return rows

    def array2d(self) -> list[list[DznValue]]:
        self.take("array2d")
        self.take("(")
        dims = []
        for _ in range(2):
            index_set = self.value()
            if not isinstance(index_set, frozenset):
                raise fail(self.path, "array2d index sets must be ranges or sets")
            dims.append(len(index_set))
            self.take(",")
        flat = self.value()
        self.take(")")
        if not isinstance(flat, list) or len(flat) != dims[0] * dims[1]:
            raise fail(self.path, f"array2d: expected {dims[0]} x {dims[1]} values")
        return [flat[r * dims[1] : (r + 1) * dims[1]] for r in range(dims[0])]


def parse_dzn(path: Path) -> dict[str, DznValue]:
    """Parse a MiniZinc data file (the subset used by instance libraries).

    Supported: ``name = value;`` with integers, booleans, 1-D arrays ``[…]``, 2-D
    arrays as ``[| … | … |]`` or ``array2d(a..b, c..d, […])``, sets ``{…}`` and
    ranges ``a..b``; ``%`` comments; any whitespace and line endings.

    Raises
    ------
    ValueError
        On anything else, naming the file.
    """
    path = Path(path)
    return _DznParser(path, _tokenize(path, read_text(path))).assignments()


def _int(path: Path, data: dict[str, DznValue], name: str, minimum: int = 0) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, f"'{name}' missing or not an integer")
    if value < minimum:
        raise fail(path, f"'{name}' = {value} is below {minimum}")
    return value


def _vector(path: Path, data: dict[str, DznValue], name: str, length: int) -> list[int]:
    value = data.get(name)
    if not isinstance(value, list) or len(value) != length:
        raise fail(path, f"'{name}' missing or not an array of {length} integers")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
        raise fail(path, f"'{name}' must hold non-negative integers")
    return value


def _matrix(
    path: Path, data: dict[str, DznValue], name: str, rows: int, cols: int, kind: type
) -> list[list[Any]]:
    value = data.get(name)
    if (
        not isinstance(value, list)
        or len(value) != rows
        or not all(isinstance(row, list) and len(row) == cols for row in value)
    ):
        raise fail(path, f"'{name}' missing or not a {rows} x {cols} array")
    for row in value:
        for v in row:
            if kind is bool and not isinstance(v, bool):
                raise fail(path, f"'{name}' must hold booleans")
            if kind is int and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise fail(path, f"'{name}' must hold non-negative integers")
    return value


@lru_cache(maxsize=8)
def _known_values(csv_path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Rows of ``best_known.csv`` keyed by (set folder, instance file name)."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"subset", "instance", "optimal", "lb", "best_makespan"} - set(reader.fieldnames or [])
        if missing:
            raise fail(csv_path, f"missing columns {sorted(missing)}")
        return {(row["subset"].strip(), row["instance"].strip()): row for row in reader}


def known_values(path: Path) -> dict[str, Any] | None:
    """The ``best_known.csv`` row of an instance file, with numbers parsed; None if absent."""
    for folder in (path.parent.parent, path.parent):
        csv_path = folder / "best_known.csv"
        if csv_path.is_file():
            row = _known_values(csv_path.resolve()).get((path.parent.name, path.name))
            if row is None:
                return None
            try:
                return {
                    "optimal": row["optimal"].strip() == "1",
                    "lb": int(row["lb"]),
                    "best_makespan": int(row["best_makespan"]),
                    "ub_initial": int(row["ub_initial"]) if row.get("ub_initial") else None,
                    "runtime_s": float(row["runtime_s"]) if row.get("runtime_s") else None,
                }
            except ValueError as exc:
                raise fail(csv_path, f"row of {path.parent.name}/{path.name}: {exc}") from None
    return None


def read(path: Path) -> Instance:
    """Read an MSPSP ``.dzn`` instance.

    Parameters
    ----------
    path
        The file (e.g. ``set-1a/inst_set1a_sf0.5_nc1.5_n20_m10_00.dzn``).

    Returns
    -------
    Instance
        Family ``mspsp``, objective ``makespan``; best-known makespan and lower bound
        from ``best_known.csv`` (None if the instance is not listed); ``extra`` holds
        ``mint`` (the file's lower bound), ``set`` and the csv row (``optimal``,
        ``ub_initial``, ``runtime_s``).

    Raises
    ------
    ValueError
        If a required parameter is missing or has the wrong shape, a precedence names
        an unknown activity, or the data do not parse.
    """
    path = Path(path)
    data = parse_dzn(path)
    n_acts = _int(path, data, "nActs", 1)
    n_skills = _int(path, data, "nSkills")
    n_res = _int(path, data, "nResources")
    n_precs = _int(path, data, "nPrecs")
    dur = _vector(path, data, "dur", n_acts)
    sreq = _matrix(path, data, "sreq", n_acts, n_skills, int)
    mastery = _matrix(path, data, "mastery", n_res, n_skills, bool)
    pred = _vector(path, data, "pred", n_precs)
    succ = _vector(path, data, "succ", n_precs)

    preds: dict[int, list[int]] = {a: [] for a in range(1, n_acts + 1)}
    for i, (p, s) in enumerate(zip(pred, succ, strict=True), start=1):
        if not (1 <= p <= n_acts and 1 <= s <= n_acts) or p == s:
            raise fail(path, f"precedence {i} ({p} -> {s}) names an unknown activity or a self-loop")
        preds[s].append(p)
    dummies = {a for a in preds if dur[a - 1] == 0}
    real_preds = drop_dummies(preds, dummies, path)

    tasks: list[dict[str, Any]] = []
    for act in range(1, n_acts + 1):
        if act in dummies:
            continue
        task: dict[str, Any] = {
            "id": str(act),
            "duration": dur[act - 1],
            "requirements": [
                {"skill": f"S{j}", "count": units} for j, units in enumerate(sreq[act - 1], start=1) if units
            ],
        }
        if real_preds[act]:
            task["dependencies"] = [{"task": str(p)} for p in real_preds[act]]
        tasks.append(task)

    start = dt.date.fromisoformat(BENCHMARK_START)
    portfolio: dict[str, Any] = {
        "name": f"MSPSP {path.parent.name}/{path.stem}",
        "calendar": {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=sum(dur) + 1)).isoformat(),
            "workdays": list(WEEK),
            "holidays": [],
        },
        "skills": [{"id": f"S{j}"} for j in range(1, n_skills + 1)],
        "people": [
            {"id": f"r{k}", "skills": {f"S{j}": 1 for j, has in enumerate(row, start=1) if has}}
            for k, row in enumerate(mastery, start=1)
        ],
        "projects": [{"id": "p", "name": path.stem, "priority": 5, "status": "committed", "tasks": tasks}],
        "objective": dict(OBJECTIVE_WEIGHTS),
    }
    extra: dict[str, Any] = {"set": path.parent.name}
    mint = data.get("mint")
    if isinstance(mint, int) and not isinstance(mint, bool):
        extra["mint"] = mint
    known = known_values(path)
    best_known: float | None = None
    best_lower: float | None = None
    if known is not None:
        best_known = known["best_makespan"]
        best_lower = known["best_makespan"] if known["optimal"] else known["lb"]
        extra.update(
            {"optimal": known["optimal"], "ub_initial": known["ub_initial"], "runtime_s": known["runtime_s"]}
        )
    return Instance(
        family="mspsp",
        name=path.stem,
        portfolio=portfolio,
        objective="makespan",
        best_known=best_known,
        best_lower_bound=best_lower,
        extra=extra,
    )
