"""The public benchmark runner: solve instances of a public family with the engine.

Usage::

    python -m benchmarks run psplib --set j30 --sample 48 --time-limit 10 --workers 2 --peer
    python -m benchmarks run mspsp --time-limit 10 --workers 2
    python -m benchmarks run psplib --instances j301_1 j301_2 --time-limit 2 --out /tmp/bench

Each instance is read with :func:`api.formats.read_instance`, validated with
:func:`model.load.parse_portfolio` and solved by :func:`solver.solve.solve`: the same engine
and settings as any portfolio, no family-specific solver. Every solve (and every peer
solve, ``--peer``) runs in a fresh process, so its peak memory is its own. Results are in
the family's terms (see :mod:`api.benchmark_format`): one CSV row per instance and a
markdown summary, both written to ``--out`` and the summary printed.

``--sample N`` is a fixed, evenly spread sample: the instance names in natural order
(``j301_1, j301_2, …, j3010_1``), every ``len/N``-th from the first. With several
``--set`` values the sample is taken in each set. The same command always runs the same
instances.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measure import markdown_table, run_isolated

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Family:
    """Where a family's instance files are.

    Attributes
    ----------
    key
        Family key of :mod:`api.formats`.
    folder
        Folder below the data root.
    pattern
        Glob of the instance files, relative to ``folder``.
    sets
        Whether the files are grouped in set folders (``j30/``, ``set-1a/``, ``d36/``)
        that ``--set`` selects.
    """

    key: str
    folder: str
    pattern: str
    sets: bool = False


FAMILIES: dict[str, Family] = {
    "psplib": Family("psplib", "psplib_rcpsp", "j*/*.sm", sets=True),
    "rcmp": Family("rcmp", "mpsplib_rcmpsp", "instances/*.rcmp"),
    "mplib": Family("mplib", "mplib1_set3_rcmpsp", "instances/*.txt"),
    "mista": Family("mista", "mista2013_mrcmpsp", "instances/*.txt"),
    "imopse": Family("imopse", "imopse_msrcpsp", "*/*.def", sets=True),
    "mspsp": Family("mspsp", "mspsp_instlib", "set-*/*.dzn", sets=True),
}
"""The six families and their folders under the data root (``shared/benchmarks``)."""

COLUMNS = [
    "family",
    "instance",
    "status",
    "objective",
    "lower_bound",
    "best_known",
    "gap_to_best_known_pct",
    "gap_to_bound_pct",
    "time_to_first_plan_s",
    "time_to_best_s",
    "total_s",
    "peak_mb",
    "valid",
]
"""The CSV columns of every run."""

PEER_COLUMNS = [
    "peer_status",
    "peer_objective",
    "peer_lower_bound",
    "peer_total_s",
    "ratio",
    "our_time_to_peer_value_s",
    "peer_valid",
    "peer_peak_mb",
    "peer_note",
]
"""Further columns with ``--peer``."""

EXTRA_COLUMNS = [
    "tms",
    "best_lower_bound",
    "contract_objective",
    "contract_lower_bound",
    "contract_status",
    "method",
    "engine_best_plan_s",
    "violations",
    "error",
]
"""Further columns of every run (TMS for rcmp/mista; the contract's own figures)."""


# --------------------------------------------------------------------------- data


def default_data_root(start: Path = REPO_ROOT) -> Path:
    """The ``shared/benchmarks`` folder nearest above ``start`` (the repository root).

    Looks for ``<dir>/shared/benchmarks`` in ``start`` and each of its parents, so both
    ``/work/main/../shared/benchmarks`` and a CI layout ``<clone>/../shared/benchmarks``
    are found. Returns the first candidate (``<start>/../shared/benchmarks``) when none
    exists, so error messages name a sensible place.
    """
    for folder in (start, *start.parents):
        candidate = folder / "shared" / "benchmarks"
        if candidate.is_dir():
            return candidate
    return start.parent / "shared" / "benchmarks"


def natural_key(text: str) -> list[Any]:
    """Sort key that orders digit runs by value (``j302_1`` before ``j3010_1``)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def instance_id(family: str, path: Path) -> str:
    """The name of an instance in reports: the file stem, prefixed by its set folder for
    ``imopse`` and ``mspsp`` (whose stems are only unique within a set)."""
    if family in ("imopse", "mspsp"):
        return f"{path.parent.name}/{path.stem}"
    return path.stem


def family_folder(family: str, data_root: Path) -> Path:
    """The folder of a family's files; a clear error if the data are missing.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    """
    folder = data_root / FAMILIES[family].folder
    if not folder.is_dir():
        raise FileNotFoundError(
            f"benchmark data for '{family}' not found: {folder} does not exist "
            f"(give the folder holding {FAMILIES[family].folder}/ with --data)"
        )
    return folder


def instance_files(family: str, data_root: Path, sets: Sequence[str] | None = None) -> list[Path]:
    """All instance files of a family (optionally of some sets), in natural name order.

    Raises
    ------
    FileNotFoundError
        If the family's folder is missing.
    ValueError
        If ``sets`` is given for a family without sets, or names an unknown set.
    """
    spec = FAMILIES[family]
    folder = family_folder(family, data_root)
    files = [p for p in folder.glob(spec.pattern) if p.is_file()]
    if sets:
        if not spec.sets:
            raise ValueError(f"family '{family}' has no sets (--set is for psplib, imopse and mspsp)")
        known = sorted({p.parent.name for p in files}, key=natural_key)
        unknown = [s for s in sets if s not in known]
        if unknown:
            raise ValueError(f"unknown set(s) {unknown} of '{family}' (one of {', '.join(known)})")
        files = [p for p in files if p.parent.name in sets]
    return sorted(files, key=lambda p: natural_key(instance_id(family, p)))


def even_sample(items: Sequence[Any], size: int | None) -> list[Any]:
    """A fixed, evenly spread sample: ``items[floor(i·n/size)]`` for ``i < size``.

    Every ``n/size``-th item from the first; all items when ``size`` is None or ≥ n.
    """
    if size is None or size >= len(items):
        return list(items)
    if size <= 0:
        return []
    return [items[i * len(items) // size] for i in range(size)]


def select_instances(
    family: str,
    data_root: Path,
    *,
    sets: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    sample: int | None = None,
) -> list[Path]:
    """The files a run solves: by name, or a sample of the family (per set).

    Parameters
    ----------
    names
        Instance names: a stem (``j301_1``), ``set/stem`` or a file name; each must match.
    sample
        Size of the even sample (per set when several sets are given).

    Raises
    ------
    ValueError
        If a name matches no file.
    """
    files = instance_files(family, data_root, sets)
    if names:
        chosen: list[Path] = []
        for name in names:
            found = [
                p
                for p in files
                if name in (p.stem, p.name, instance_id(family, p), f"{p.parent.name}/{p.name}")
            ]
            if not found:
                raise ValueError(f"no instance named '{name}' in {family_folder(family, data_root)}")
            chosen.extend(p for p in found if p not in chosen)
        files = chosen
    if sets and len(sets) > 1:
        return [p for s in sets for p in even_sample([f for f in files if f.parent.name == s], sample)]
    return even_sample(files, sample)


# --------------------------------------------------------------------------- one instance


def measure_ours(
    family: str,
    path: str,
    time_limit: float,
    workers: int,
    seed: int,
    cp_sat_parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Solve one instance with the engine (runs in a fresh process).

    Returns
    -------
    dict
        The row's own columns plus ``progress``: the ``(seconds, contract objective)`` of
        each improvement, to compare with the peer afterwards.
    """
    from api.benchmark_format import solve_instance
    from api.formats import read_instance
    from model.checker import check_plan
    from solver.settings import SolverSettings
    from solver.solve import Progress

    events: list[tuple[float, float]] = []

    def record(event: Progress) -> None:
        if event.objective is not None:
            events.append((round(event.seconds, 3), float(event.objective)))

    began = time.perf_counter()
    instance = read_instance(family, Path(path))
    settings = SolverSettings(
        time_limit=time_limit, workers=workers, seed=seed, cp_sat_parameters=cp_sat_parameters or {}
    )
    portfolio, plan = solve_instance(instance, settings, record)
    total = time.perf_counter() - began
    rechecked = check_plan(portfolio, plan) if plan.status.has_plan else []
    # after a whole-model CP-SAT solve the engine's "best_plan_seconds" is when that solve
    # ended, not when its best plan appeared: the progress events tell when the final
    # objective was first reached (the stat is kept as engine_best_plan_s)
    best_seconds = time_to_reach(events, plan.stats.get("contract_objective"))
    if best_seconds is None:
        best_seconds = plan.stats.get("best_plan_seconds", plan.stats.get("first_plan_seconds"))
    best_lb = instance.best_lower_bound
    if best_lb is None and isinstance(instance.extra.get("lower_bound_simple"), int | float):
        best_lb = float(instance.extra["lower_bound_simple"])
    return {
        "status": plan.status.value,
        "objective": plan.objective,
        "lower_bound": plan.lower_bound,
        "best_known": instance.best_known,
        "best_lower_bound": best_lb,
        "time_to_first_plan_s": plan.stats.get("first_plan_seconds"),
        "time_to_best_s": best_seconds,
        "engine_best_plan_s": plan.stats.get("best_plan_seconds"),
        "total_s": round(total, 3),
        "valid": plan.status.has_plan and not plan.violations and not rechecked,
        "violations": len(plan.violations) + len(rechecked),
        "tms": plan.stats.get("tms"),
        "contract_objective": plan.stats.get("contract_objective"),
        "contract_lower_bound": plan.stats.get("contract_lower_bound"),
        "contract_status": plan.stats.get("contract_status"),
        "method": plan.stats.get("method"),
        "progress": events,
    }


def gap_pct(value: float | None, reference: float | None, *, over: str = "reference") -> float | None:
    """Relative gap in percent: ``100 (value − reference) / reference`` (``over="reference"``)
    or ``100 (value − reference) / value`` (``over="value"``); 0 when both are 0."""
    if value is None or reference is None:
        return None
    denominator = reference if over == "reference" else value
    if denominator == 0:
        return 0.0 if value == reference else None
    return round(100 * (value - reference) / denominator, 3)


def time_to_reach(events: Sequence[Sequence[float]], target: float | None) -> float | None:
    """First time at which an event's objective is ≤ ``target`` (None if never)."""
    if target is None:
        return None
    for seconds, objective in events:
        if objective <= target + 1e-6:
            return float(seconds)
    return None


def finish_row(row: dict[str, Any], peer: dict[str, Any] | None) -> dict[str, Any]:
    """Add the gaps (and the comparison with the peer) to a measured row."""
    row["gap_to_best_known_pct"] = gap_pct(row.get("objective"), row.get("best_known"))
    row["gap_to_bound_pct"] = gap_pct(row.get("objective"), row.get("lower_bound"), over="value")
    if "error" in row:
        row["status"] = "error"
        row["valid"] = False
    if peer is not None:
        row.update(
            {
                "peer_status": peer.get("status", "error" if "error" in peer else None),
                "peer_objective": peer.get("objective"),
                "peer_lower_bound": peer.get("lower_bound"),
                "peer_total_s": peer.get("total_s"),
                "peer_valid": peer.get("valid"),
                "peer_peak_mb": peer.get("peak_mb"),
                "peer_note": peer.get("note") or _short(peer.get("error")),
                "peer_contract_objective": peer.get("contract_objective"),
            }
        )
        ours, theirs = row.get("objective"), peer.get("objective")
        if ours is not None and theirs is not None:
            row["ratio"] = round(ours / theirs, 4) if theirs else (1.0 if ours == theirs else None)
        row["our_time_to_peer_value_s"] = time_to_reach(
            row.get("progress", []), peer.get("contract_objective")
        )
    row.pop("progress", None)
    if "error" in row:
        row["error"] = _short(row["error"])
    return row


def _short(text: Any) -> str | None:
    """The last line of an error text (a traceback's message)."""
    if not text:
        return None
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else None


# --------------------------------------------------------------------------- summary


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def summarise(rows: Sequence[dict[str, Any]], peer: bool) -> list[tuple[str, Any]]:
    """The summary figures of one family's rows, as (label, value) pairs."""

    def numbers(key: str, source: Sequence[dict[str, Any]] = rows) -> list[float]:
        return [float(r[key]) for r in source if isinstance(r.get(key), int | float)]

    with_bk = [r for r in rows if r.get("best_known") is not None and r.get("objective") is not None]
    figures: list[tuple[str, Any]] = [
        ("instances", len(rows)),
        ("valid plans", sum(1 for r in rows if r.get("valid"))),
        ("errors / no plan", sum(1 for r in rows if not r.get("valid"))),
        ("proven optimal (status optimal)", sum(1 for r in rows if r.get("status") == "optimal")),
        ("with a best-known value", len(with_bk)),
        ("matching best-known", sum(1 for r in with_bk if r["objective"] <= r["best_known"] + 1e-6)),
        ("better than best-known", sum(1 for r in with_bk if r["objective"] < r["best_known"] - 1e-6)),
        ("mean gap to best-known %", _mean(numbers("gap_to_best_known_pct"))),
        ("median gap to best-known %", _median(numbers("gap_to_best_known_pct"))),
        ("max gap to best-known %", max(numbers("gap_to_best_known_pct"), default=None)),
        ("mean gap to own bound %", _mean(numbers("gap_to_bound_pct"))),
        ("median time to first plan s", _median(numbers("time_to_first_plan_s"))),
        ("median time to best s", _median(numbers("time_to_best_s"))),
        ("mean total s", _mean(numbers("total_s"))),
        ("max total s", max(numbers("total_s"), default=None)),
        ("max peak MB", max(numbers("peak_mb"), default=None)),
    ]
    below = [
        r
        for r in rows
        if r.get("objective") is not None
        and r.get("best_lower_bound") is not None
        and r["objective"] < r["best_lower_bound"] - 1e-6
    ]
    bound_above = [
        r
        for r in rows
        if r.get("lower_bound") is not None
        and r.get("best_known") is not None
        and r["lower_bound"] > r["best_known"] + 1e-6
    ]
    figures.append(("objective below the known lower bound (bug!)", len(below)))
    figures.append(("own bound above best-known (bug!)", len(bound_above)))
    if peer:
        compared = [r for r in rows if r.get("objective") is not None and r.get("peer_objective") is not None]
        peer_bk = [r for r in rows if r.get("best_known") and r.get("peer_objective") is not None]
        figures += [
            ("peer: instances compared", len(compared)),
            (
                "ours better than peer",
                sum(1 for r in compared if r["objective"] < r["peer_objective"] - 1e-6),
            ),
            (
                "ours equal to peer",
                sum(1 for r in compared if abs(r["objective"] - r["peer_objective"]) <= 1e-6),
            ),
            ("ours worse than peer", sum(1 for r in compared if r["objective"] > r["peer_objective"] + 1e-6)),
            ("mean ratio ours / peer", _mean(numbers("ratio"))),
            ("peer: valid plans", sum(1 for r in rows if r.get("peer_valid"))),
            ("peer: proven optimal", sum(1 for r in rows if r.get("peer_status") == "optimal")),
            (
                "peer: mean gap to best-known %",
                _mean([gap_pct(r["peer_objective"], r["best_known"]) or 0.0 for r in peer_bk]),
            ),
            ("peer: mean total s", _mean(numbers("peer_total_s"))),
            ("median our time to peer's value s", _median(numbers("our_time_to_peer_value_s"))),
        ]
    return figures


def summary_markdown(
    family: str, rows: Sequence[dict[str, Any]], settings: dict[str, Any], peer: bool
) -> str:
    """The markdown summary of a run: settings, figures, the worst instances."""
    lines = [f"## {family}: {len(rows)} instance(s)", ""]
    lines.append(", ".join(f"{k} = {v}" for k, v in settings.items()))
    lines += [
        "",
        markdown_table([{"figure": k, "value": v} for k, v in summarise(rows, peer)], ["figure", "value"]),
    ]

    def worst_key(row: dict[str, Any]) -> tuple[float, float]:
        def value(key: str) -> float:
            gap = row.get(key)
            return -math.inf if gap is None else float(gap)

        return value("gap_to_best_known_pct"), value("gap_to_bound_pct")

    gapped = [r for r in rows if r.get("valid") and max(worst_key(r)) > 1e-9]
    ranked = sorted(gapped, key=worst_key, reverse=True)[:5]
    invalid = [r for r in rows if not r.get("valid")]
    columns = ["instance", "status", "objective", "lower_bound", "best_known", "gap_to_best_known_pct"]
    columns += ["gap_to_bound_pct", "time_to_best_s", "total_s"]
    if peer:
        columns += ["peer_objective", "peer_status"]
    if ranked:
        lines += ["", "Largest gaps (to best-known, then to our bound):", "", markdown_table(ranked, columns)]
    else:
        lines += ["", "No gap: every plan matches its best-known value and our bound."]
    if invalid:
        lines += ["", "Without a valid plan:", "", markdown_table(invalid, [*columns, "error"])]
    slow = sorted(rows, key=lambda r: float(r.get("total_s") or 0), reverse=True)[:3]
    lines += ["", "Slowest:", "", markdown_table(slow, ["instance", "total_s", "time_to_best_s", "peak_mb"])]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the run


def code_version() -> str:
    """The repository's commit (``+dirty`` with uncommitted changes), or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def _output_paths(out: Path, family: str) -> tuple[Path, Path]:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"{family}-{stamp}"
    k = 1
    while base.with_suffix(".csv").exists():
        k += 1
        base = out / f"{family}-{stamp}-{k}"
    return base.with_suffix(".csv"), base.with_suffix(".md")


def cp_sat_parameter(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of ``--cp-sat``: the value read as JSON (numbers, true, lists), else as text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}': expected NAME=VALUE")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return name.strip(), value


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks run``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks run",
        description="Solve public benchmark instances with the engine (and optionally the peer).",
    )
    p.add_argument("family", choices=sorted(FAMILIES), help="benchmark family")
    p.add_argument(
        "--set", dest="sets", nargs="+", metavar="SET", help="psplib j30…j120, mspsp set-1a…, imopse d36…"
    )
    p.add_argument("--instances", nargs="+", metavar="NAME", help="instance names (stem or set/stem)")
    p.add_argument("--sample", type=int, metavar="N", help="fixed even sample of N instances (per set)")
    p.add_argument(
        "--half",
        type=int,
        choices=(1, 2),
        metavar="H",
        help="only the 1st, 3rd, … (1) or the 2nd, 4th, … (2) of the selected instances: choose on one, report on the other",
    )
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="seconds per instance (10)")
    p.add_argument("--workers", type=int, default=2, metavar="W", help="CP-SAT workers (2)")
    p.add_argument("--seed", type=int, default=0, metavar="K", help="random seed (0)")
    p.add_argument("--peer", action="store_true", help="also solve each instance with PyJobShop")
    p.add_argument(
        "--cp-sat",
        dest="cp_sat",
        action="append",
        type=cp_sat_parameter,
        default=[],
        metavar="NAME=VALUE",
        help="a CP-SAT parameter for our engine's solves (repeatable; VALUE as JSON, else text), "
        'e.g. --cp-sat num_full_subsolvers=2 --cp-sat \'subsolvers=["default_lp","core"]\'',
    )
    p.add_argument(
        "--data", type=Path, metavar="DIR", help="folder of the family folders (shared/benchmarks)"
    )
    p.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "out", metavar="DIR")
    return p


@dataclass(frozen=True)
class RunResult:
    """What a run wrote: the CSV, the markdown summary and the rows."""

    csv_path: Path
    summary_path: Path
    rows: list[dict[str, Any]]


def run(args: argparse.Namespace) -> RunResult:
    """Solve the selected instances one after the other and write CSV and summary."""
    data_root = args.data or default_data_root()
    files = select_instances(args.family, data_root, sets=args.sets, names=args.instances, sample=args.sample)
    if args.half:
        files = files[args.half - 1 :: 2]
    if not files:
        raise ValueError(f"no instances selected for '{args.family}' in {data_root}")
    cp_sat_parameters = dict(args.cp_sat)
    if cp_sat_parameters:  # a bad name or value stops the run here, not in every child
        from model.load import InvalidInput, parse_model
        from solver.settings import SolverSettings

        try:
            parse_model(SolverSettings, {"cp_sat_parameters": cp_sat_parameters})
        except InvalidInput as exc:
            raise ValueError("--cp-sat: " + "; ".join(str(issue) for issue in exc.issues)) from None
    # Load the engine once, before forking: every instance of the run then uses the same
    # engine code even if the files change on disk meanwhile (children are forked).
    import api.benchmark_format  # noqa: F401
    from solver.search.warm import compile_kernels

    compile_kernels()  # the children inherit the compiled kernels instead of each loading them

    peer_fn = None
    if args.peer:
        from benchmarks import peer as peer_module

        if not peer_module.available():
            print(peer_module.MISSING_MESSAGE, file=sys.stderr)
        elif args.family not in peer_module.SUPPORTED:
            print(
                f"peer: PyJobShop comparison not supported for '{args.family}': {peer_module.SUPPORTED_NOTE}"
            )
        else:
            peer_fn = peer_module.measure_peer
    columns = COLUMNS + (PEER_COLUMNS if args.peer else []) + EXTRA_COLUMNS
    csv_path, md_path = _output_paths(args.out, args.family)
    timeout = 5 * args.time_limit + 300
    rows: list[dict[str, Any]] = []
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for k, path in enumerate(files, start=1):
            name = instance_id(args.family, path)
            same = (args.family, str(path), args.time_limit, args.workers, args.seed)  # both sides
            ours = run_isolated(measure_ours, *same, cp_sat_parameters, timeout=timeout)
            theirs = None
            if args.peer:
                if peer_fn is None:
                    theirs = {"note": "peer not available for this family"}
                else:
                    theirs = run_isolated(peer_fn, *same, timeout=timeout)
            row = finish_row({"family": args.family, "instance": name, **ours}, theirs)
            rows.append(row)
            writer.writerow(row)
            handle.flush()
            peer_text = f" | peer {row.get('peer_status')} {row.get('peer_objective')}" if args.peer else ""
            print(
                f"[{k}/{len(files)}] {name}: {row['status']} {row.get('objective')} "
                f"(lb {row.get('lower_bound')}, best-known {row.get('best_known')}) "
                f"{row.get('total_s')} s valid={row.get('valid')}{peer_text}"
                + (f" ERROR {row['error']}" if row.get("error") else ""),
                flush=True,
            )
    settings = {
        "time limit s": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "sets": " ".join(args.sets) if args.sets else "all",
        "sample": args.sample if args.sample else "all",
        "half": args.half if args.half else "both",
        "peer": "PyJobShop (CP-SAT)" if args.peer else "no",
        "CP-SAT parameters (ours)": json.dumps(cp_sat_parameters)
        if cp_sat_parameters
        else "the engine's own",
        "date": dt.date.today().isoformat(),
        "commit": code_version(),
        "csv": csv_path.name,
    }
    text = summary_markdown(args.family, rows, settings, args.peer)
    md_path.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"wrote {csv_path} and {md_path}")
    return RunResult(csv_path, md_path, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks run``; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        run(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
