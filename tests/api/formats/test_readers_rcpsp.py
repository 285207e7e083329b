"""Readers of the RCPSP families: PSPLIB (``.sm``), MPSPLIB (``.rcmp``) and MPLIB1 set 3.

Hand-checked values below come from reading the data files directly; the files are the
subset shipped in ``tests/data/public`` (see ``tests/data/README.md``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from api.formats import BENCHMARK_START, Instance, psplib, rcmp, read_instance
from model.load import parse_portfolio
from tests.conftest import PUBLIC_DATA, deps, tasks_by_id

PSPLIB = PUBLIC_DATA / "psplib_rcpsp"
MPSPLIB = PUBLIC_DATA / "mpsplib_rcmpsp" / "instances"
MPLIB = PUBLIC_DATA / "mplib1_set3_rcmpsp" / "instances"

START = dt.date.fromisoformat(BENCHMARK_START)


def tasks_of(instance: Instance, project: int = 0) -> dict[str, dict[str, Any]]:
    return tasks_by_id(instance.portfolio["projects"][project])


def reqs(task: dict[str, Any]) -> dict[str, int]:
    return {r["pool"]: r["units"] for r in task["requirements"]}


def pools(instance: Instance) -> dict[str, int]:
    return {p["id"]: p["capacity"] for p in instance.portfolio["pools"]}


# --------------------------------------------------------------------------- PSPLIB


def test_psplib_j301_1_by_hand() -> None:
    inst = psplib.read(PSPLIB / "j30" / "j301_1.sm")
    assert (inst.family, inst.name, inst.objective) == ("psplib", "j301_1", "makespan")
    assert pools(inst) == {"R1": 12, "R2": 13, "R3": 4, "R4": 12}
    (project,) = inst.portfolio["projects"]
    assert (project["id"], project["status"], project["priority"]) == ("j301_1", "committed", 5)
    tasks = tasks_of(inst)
    assert list(tasks) == [str(j) for j in range(2, 32)]  # dummies 1 and 32 dropped
    assert tasks["2"]["duration"] == 8 and reqs(tasks["2"]) == {"R1": 4}
    assert tasks["26"]["duration"] == 7 and reqs(tasks["26"]) == {"R3": 4}
    assert tasks["8"]["duration"] == 9 and reqs(tasks["8"]) == {"R2": 1}
    # successors of the source: no dependency left; 20 follows 5, 11 and 18
    assert deps(tasks["2"]) == deps(tasks["3"]) == deps(tasks["4"]) == []
    assert deps(tasks["20"]) == ["5", "11", "18"]
    assert deps(tasks["14"]) == ["9", "12"]
    assert all(
        d.get("type", "FS") == "FS" and d.get("lag", 0) == 0
        for t in tasks.values()
        for d in t["dependencies"]
    )
    # 29, 30, 31 lead to the sink only: nobody depends on them
    assert not {"29", "30", "31"} & {d for t in tasks.values() for d in deps(t)}
    cal = inst.portfolio["calendar"]
    assert cal["start"] == BENCHMARK_START and len(cal["workdays"]) == 7 and cal["holidays"] == []
    assert dt.date.fromisoformat(cal["end"]) == START + dt.timedelta(days=158 + 1)  # horizon 158 = Σ d
    assert inst.portfolio["skills"] == [] and inst.portfolio["people"] == []
    assert inst.portfolio["objective"] == {
        "tardiness": 0,
        "completion": 0,
        "cost": 0,
        "continuity": 0,
        "makespan": 1,
    }
    assert (inst.best_known, inst.best_lower_bound) == (43, 43)
    assert inst.extra["cpsat_900s_obj"] == 43 and inst.extra["cpo_900s_status"] == "Optimal"
    assert "best_ub" not in inst.extra


def _arcs_between_real_jobs(path: Path) -> int:
    """Independent count of the precedence arcs of a .sm file that join two real jobs."""
    lines = path.read_text().splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("PRECEDENCE")) + 2
    rows = [list(map(int, line.split())) for line in lines[first:] if line.strip()[:1].isdigit()]
    rows = rows[: next(k for k, r in enumerate(rows) if r[2] == 0) + 1]
    sink = len(rows)
    return sum(1 for r in rows[1:] for s in r[3:] if s != sink)


@pytest.mark.parametrize("name", ["j301_1", "j3048_10", "j6013_5", "j9025_4", "j12060_10"])
def test_psplib_dependency_count(name: str) -> None:
    folder = re.match(r"j(30|60|90|120)", name).group(0)  # type: ignore[union-attr]
    path = PSPLIB / folder / f"{name}.sm"
    inst = psplib.read(path)
    assert sum(len(t["dependencies"]) for t in tasks_of(inst).values()) == _arcs_between_real_jobs(path)


def test_psplib_j120_by_hand() -> None:
    inst = psplib.read(PSPLIB / "j120" / "j1201_1.sm")
    assert len(tasks_of(inst)) == 120 and len(inst.portfolio["pools"]) == 4
    assert pools(inst) == {"R1": 14, "R2": 12, "R3": 13, "R4": 9}
    tasks = tasks_of(inst)
    assert tasks["65"]["duration"] == 2 and reqs(tasks["65"]) == {"R1": 4}
    assert deps(tasks["65"]) == ["2"]
    assert tasks["12"]["duration"] == 4 and reqs(tasks["12"]) == {"R3": 9}
    # open in the UGent table (104..105), closed by the 900 s CP-SAT run
    assert (inst.best_known, inst.best_lower_bound) == (105, 105)
    assert inst.extra["lb"] == 104 and inst.extra["cpsat_900s_status"] == "Optimal"


def test_psplib_open_instance_bounds() -> None:
    inst = psplib.read(PSPLIB / "j90" / "j9025_4.sm")
    assert (inst.best_known, inst.best_lower_bound) == (137, 128)


def test_psplib_registry() -> None:
    inst = read_instance("psplib", PSPLIB / "j30" / "j301_1.sm")
    assert inst.name == "j301_1" and inst.best_known == 43


def _j301_1_text() -> str:
    return (PSPLIB / "j30" / "j301_1.sm").read_text()


def test_psplib_crlf_blank_lines_and_tabs(tmp_path: Path) -> None:
    text = _j301_1_text().replace("\n", "\r\n\r\n").replace("   ", "\t ")
    path = tmp_path / "j301_1.sm"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    original = psplib.read(PSPLIB / "j30" / "j301_1.sm", known=PSPLIB / "best_known.csv")
    again = psplib.read(path, known=PSPLIB / "best_known.csv")
    assert again.portfolio == original.portfolio
    assert again.best_known == 43


def test_psplib_zero_duration_real_job_is_bridged(tmp_path: Path) -> None:
    # job 5 (after 4, before 20) gets duration 0: 20 must now follow 4 directly
    text = _j301_1_text().replace("\n  5      1     3       3", "\n  5      1     0       3")
    path = tmp_path / "zero.sm"
    path.write_text(text)
    inst = psplib.read(path)
    tasks = tasks_of(inst)
    assert "5" not in tasks and len(tasks) == 29
    assert deps(tasks["20"]) == ["4", "11", "18"]
    assert (inst.best_known, inst.best_lower_bound, inst.extra) == (None, None, {})
    parse_portfolio(inst.portfolio)


def test_psplib_zero_duration_chain() -> None:
    durations = {1: 0, 2: 3, 3: 0, 4: 0, 5: 2, 6: 0}
    successors = {1: [2, 3], 2: [3, 5], 3: [4], 4: [5, 3], 5: [6]}
    assert psplib.contract_zero_durations(durations, successors) == {2: [], 5: [2]}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t[: t.index("REQUESTS/DURATIONS")], r"REQUESTS/DURATIONS is missing"),
        (lambda t: t[: t.index(" 20      1     7")], r"line \d+ \(REQUESTS/DURATIONS\): expected 32 rows"),
        (
            lambda t: t.replace(
                "   5        1          1          20", "   5        1          1          x"
            ),
            r"line 23 \(PRECEDENCE RELATIONS\): expected integers, found 'x'",
        ),
        (
            lambda t: t.replace(
                "   5        1          1          20", "   5        1          2          20"
            ),
            r"line 23 \(PRECEDENCE RELATIONS\): job 5 announces 2 successors",
        ),
        (
            lambda t: t.replace(
                "   5        1          1          20", "   5        1          1          40"
            ),
            r"line 23 \(PRECEDENCE RELATIONS\): job 5 has successor 40",
        ),
        (
            lambda t: t.replace(
                "   5        1          1          20", "   5        2          1          20"
            ),
            r"job 5 has 2 modes",
        ),
        (
            lambda t: t.replace("   12   13    4   12", "   12   13    4"),
            r"RESOURCEAVAILABILITIES\): expected 4 non-negative capacities",
        ),
        (
            lambda t: t.replace(
                "jobs (incl. supersource/sink ):  32", "jobs (incl. supersource/sink ):  many"
            ),
            r"line 6: header 'jobs'",
        ),
        (
            lambda t: t.replace("  - nonrenewable              :  0", "  - nonrenewable              :  2"),
            r"non-renewable",
        ),
        (lambda t: "", r"header line 'jobs"),
    ],
)
def test_psplib_malformed(tmp_path: Path, edit: Any, message: str) -> None:
    path = tmp_path / "bad.sm"
    path.write_text(edit(_j301_1_text()))
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + message):
        psplib.read(path)


def test_psplib_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.sm"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="not a text file"):
        psplib.read(path)


# --------------------------------------------------------------------------- MPSPLIB


def test_rcmp_mp_j30_a2_nr2_by_hand() -> None:
    inst = rcmp.read(MPSPLIB / "mp_j30_a2_nr2.rcmp")
    assert (inst.family, inst.name, inst.objective) == ("rcmp", "mp_j30_a2_nr2", "total_project_delay")
    assert pools(inst) == {
        "R1": 21,
        "p1_R2": 15,
        "p1_R3": 15,
        "p1_R4": 16,
        "p2_R5": 11,
        "p2_R6": 9,
        "p2_R7": 7,
    }
    projects = inst.portfolio["projects"]
    assert [(p["id"], p["release"], len(p["tasks"])) for p in projects] == [
        ("p1", "2000-01-03", 30),
        ("p2", "2000-01-08", 30),
    ]
    p1, p2 = tasks_of(inst, 0), tasks_of(inst, 1)
    assert p1["2"]["duration"] == 5 and reqs(p1["2"]) == {"R1": 5, "p1_R3": 8, "p1_R4": 3}
    assert deps(p1["2"]) == [] and "2" in deps(p1["6"]) and "2" in deps(p1["9"])
    assert p2["2"]["duration"] == 1 and reqs(p2["2"]) == {"p2_R7": 1}
    assert p2["3"]["duration"] == 2 and reqs(p2["3"]) == {"p2_R5": 2}
    assert "2" in deps(p2["5"]) and "3" in deps(p2["7"])
    assert "1" not in p1 and "32" not in p1
    assert inst.portfolio["objective"] == {
        "tardiness": 0,
        "completion": 0,
        "cost": 0,
        "continuity": 0,
        "project_delay": 1,
    }
    durations = sum(t["duration"] for p in projects for t in p["tasks"])
    end = dt.date.fromisoformat(inst.portfolio["calendar"]["end"])
    assert end == START + dt.timedelta(days=5 + durations + 1)
    assert inst.best_known is None and inst.best_lower_bound is None
    assert inst.extra["tms_lb_critical_path_with_arrivals"] == 47
    assert inst.extra["tms_psgs_minslk_msproject"] == 68


def test_rcmp_many_projects() -> None:
    inst = rcmp.read(MPSPLIB / "mp_j90_a10_nr1.rcmp")
    assert len(inst.portfolio["projects"]) == 10
    assert all(len(p["tasks"]) == 90 for p in inst.portfolio["projects"])
    ids = list(pools(inst))
    shared = [i for i in ids if not i.startswith("p")]
    assert shared and all(re.fullmatch(r"R\d+", i) for i in shared)
    assert all(re.fullmatch(r"p([1-9]|10)_R\d+", i) for i in ids if i not in shared)
    assert read_instance("rcmp", MPSPLIB / "mp_j90_a10_nr1.rcmp").portfolio == inst.portfolio


SYNTHETIC = """\
2
3
10 5 4

4 0
1 1 0
0 0 0 0 1 1:2
3 2 1 0 2 1:3 2:3
2 1 0 0 1 1:4
0 0 0 0 0

5 2
1 0 1
0 0 0 0 1 2:2
4 1 0 3 1 2:3
0 0 0 0 1 2:4
1 0 0 1 1 2:5
0 0 0 0 0
"""


def test_rcmp_cross_project_and_zero_duration(tmp_path: Path) -> None:
    # none of the stored files has cross-project successors: a small synthetic one
    path = tmp_path / "tiny.rcmp"
    path.write_text(SYNTHETIC.replace("\n", "\r\n"))
    inst = rcmp.read(path)
    assert pools(inst) == {"R1": 10, "p1_R2": 5, "p2_R3": 4}
    p1, p2 = tasks_of(inst, 0), tasks_of(inst, 1)
    assert list(p1) == ["2", "3"] and list(p2) == ["2", "4"]  # p2 activity 3 has duration 0
    assert reqs(p1["2"]) == {"R1": 2, "p1_R2": 1} and reqs(p2["2"]) == {"R1": 1, "p2_R3": 3}
    assert deps(p1["3"]) == ["2"]
    assert deps(p2["4"]) == ["p1/2", "2"]  # through the zero-duration activity 2:3
    assert inst.portfolio["projects"][1]["release"] == "2000-01-05"
    assert inst.portfolio["calendar"]["end"] == (START + dt.timedelta(days=2 + 10 + 1)).isoformat()
    assert inst.extra == {}
    parse_portfolio(inst.portfolio)


def test_rcmp_unflagged_demand_makes_a_resource_shared(tmp_path: Path) -> None:
    path = tmp_path / "tiny.rcmp"
    path.write_text(SYNTHETIC.replace("4 1 0 3 1 2:3", "4 1 2 3 1 2:3"))  # p2 uses R2 unflagged
    inst = rcmp.read(path)
    assert pools(inst) == {"R1": 10, "R2": 5, "p2_R3": 4}
    assert reqs(tasks_of(inst, 1)["2"]) == {"R1": 1, "R2": 2, "p2_R3": 3}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t[:40], r"line 8: the file ends while reading project 1 activity 2"),
        (
            lambda t: t.replace("1:2\n", "1-2\n"),
            r"line 7: project 1 activity 1: successor 1: expected 'project:activity'",
        ),
        (
            lambda t: t.replace("1:3 2:3", "1:3 2:9"),
            r"line 8: project 1 activity 2: successor 2:9 does not exist",
        ),
        (
            lambda t: t.replace("1:3 2:3", "1:3 3:1"),
            r"line 8: project 1 activity 2: successor 3:1 does not exist",
        ),
        (lambda t: t.replace("1:4\n", "1:3\n"), r"line 9: project 1 activity 3 is its own successor"),
        (
            lambda t: t.replace("1 0 1\n", "1 0 2\n"),
            r"line 13: project 2: flag of resource \(number 3 of 3\): 2 is not in 0…1",
        ),
        (
            lambda t: t.replace("10 5 4", "10 five 4"),
            r"line 3: capacity of resource \(number 2 of 3\): expected an integer",
        ),
        (
            lambda t: t.replace("2 1 0 0 1 1:4", "2 -1 0 0 1 1:4"),
            r"line 9: project 1 activity 3: .*-1 is not ≥ 0",
        ),
        (lambda t: t + "7\n", r"line 19: unexpected '7' after the last of the 2 projects"),
        (lambda t: "", r"line 0: the file ends while reading number of projects"),
    ],
)
def test_rcmp_malformed(tmp_path: Path, edit: Any, message: str) -> None:
    path = tmp_path / "bad.rcmp"
    path.write_text(edit(SYNTHETIC))
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": " + message):
        rcmp.read(path)


# --------------------------------------------------------------------------- MPLIB


def test_mplib_set3_0_by_hand() -> None:
    inst = rcmp.read_mplib(MPLIB / "MPLIB1_Set3_0.txt")
    assert (inst.family, inst.name, inst.objective) == ("mplib", "MPLIB1_Set3_0", "makespan")
    assert pools(inst) == {"R1": 164, "R2": 1894, "R3": 1879, "R4": 1433}
    projects = inst.portfolio["projects"]
    assert len(projects) == 24 and all(len(p["tasks"]) == 60 for p in projects)
    assert all(p["release"] == BENCHMARK_START for p in projects)
    p1 = tasks_of(inst, 0)
    assert p1["2"]["duration"] == 5 and reqs(p1["2"]) == {"R1": 6, "R2": 4, "R3": 10, "R4": 6}
    assert p1["3"]["duration"] == 1 and reqs(p1["3"]) == {"R1": 10, "R2": 8, "R3": 3, "R4": 4}
    assert deps(p1["2"]) == [] and "2" in deps(p1["14"]) and "3" in deps(p1["6"])
    assert inst.portfolio["objective"]["makespan"] == 1
    assert (inst.best_known, inst.best_lower_bound) == (373, 371)
    assert inst.extra["bks_makespan_ugent"] == 374 and inst.extra["cpo_900s_lb"] == 297
    assert "best_ub" not in inst.extra and "best_lb" not in inst.extra
    assert read_instance("mplib", MPLIB / "MPLIB1_Set3_0.txt").best_known == 373


# --------------------------------------------------------------------------- every shipped file parses


def critical_path(portfolio: dict[str, Any]) -> int:
    """Earliest makespan ignoring resources (releases included), from the portfolio dict."""
    start = dt.date.fromisoformat(portfolio["calendar"]["start"])
    release: dict[tuple[str, str], int] = {}
    duration: dict[tuple[str, str], int] = {}
    preds: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for project in portfolio["projects"]:
        pid = project["id"]
        rel = (dt.date.fromisoformat(project.get("release", portfolio["calendar"]["start"])) - start).days
        for task in project["tasks"]:
            key = (pid, task["id"])
            release[key], duration[key] = rel, task["duration"]
            preds[key] = [
                tuple(d["task"].split("/", 1)) if "/" in d["task"] else (pid, d["task"])  # type: ignore[misc]
                for d in task["dependencies"]
            ]
    finish: dict[tuple[str, str], int] = {}

    def earliest_finish(key: tuple[str, str]) -> int:
        if key not in finish:
            finish[key] = max([release[key], *(earliest_finish(q) for q in preds[key])]) + duration[key]
        return finish[key]

    return max(earliest_finish(k) for k in duration)


def mpm_time(path: Path) -> int:
    """The critical path length (MPM-Time) of the PROJECT INFORMATION section of a .sm file."""
    lines = path.read_text().splitlines()
    row = lines[next(k for k, line in enumerate(lines) if line.startswith("PROJECT INFORMATION")) + 2]
    return int(row.split()[5])


def test_every_j30_file_is_a_valid_portfolio() -> None:
    files = sorted((PSPLIB / "j30").glob("*.sm"))
    assert len(files) == 8  # the shipped j30 subset (tests/data/README.md)
    for path in files:
        inst = psplib.read(path)
        assert len(tasks_of(inst)) == 30 and inst.best_known is not None, path.name
        assert inst.best_known == inst.best_lower_bound, path.name  # j30 is closed
        # the rewired network keeps every path: same critical path as the file states
        assert critical_path(inst.portfolio) == mpm_time(path), path.name
        parse_portfolio(inst.portfolio)


def test_every_rcmp_file_is_a_valid_portfolio() -> None:
    files = sorted(MPSPLIB.glob("*.rcmp"))
    assert files
    for path in files:
        inst = rcmp.read(path)
        size = int(re.match(r"mp_j(\d+)_a(\d+)", path.name).group(1))  # type: ignore[union-attr]
        assert all(len(p["tasks"]) == size for p in inst.portfolio["projects"]), path.name
        assert critical_path(inst.portfolio) == inst.extra["tms_lb_critical_path_with_arrivals"], path.name
        parse_portfolio(inst.portfolio)


def test_every_mplib_file_is_a_valid_portfolio() -> None:
    files = sorted(MPLIB.glob("*.txt"))
    assert files
    for path in files:
        inst = rcmp.read_mplib(path)
        assert inst.best_known is not None and inst.best_lower_bound is not None, path.name
        assert critical_path(inst.portfolio) <= inst.best_lower_bound <= inst.best_known, path.name
        parse_portfolio(inst.portfolio)
