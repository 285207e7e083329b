"""Readers of the multi-mode / multi-skill benchmark families: MISTA 2013, iMOPSE, MSPSP.

Counts are checked against the files for every instance shipped in ``tests/data/public``;
a few activities are checked by hand against the raw data; the MISTA CPDs against the
critical path of the portfolio; the MSPSP known values against ``best_known.csv``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from api.formats import imopse, mista, mspsp, read_instance
from model.kpis import critical_path_lengths
from model.load import parse_portfolio
from tests.conftest import PUBLIC_DATA, deps, tasks_by_id

MISTA = PUBLIC_DATA / "mista2013_mrcmpsp" / "instances"
IMOPSE = PUBLIC_DATA / "imopse_msrcpsp"
MSPSP = PUBLIC_DATA / "mspsp_instlib"

MISTA_FILES = sorted(MISTA.glob("*.txt"))
IMOPSE_FILES = sorted(IMOPSE.glob("*/*.def"))
MSPSP_FILES = sorted(MSPSP.glob("set-*/*.dzn"))


def test_every_family_folder_ships_files() -> None:
    # the loops below are parametrised over these lists: an empty one would test nothing
    assert (len(MISTA_FILES), len(IMOPSE_FILES), len(MSPSP_FILES)) == (4, 9, 8)


def shortest_mode_critical_path(project: dict[str, Any]) -> int:
    """Longest FS path of a project with every task in its shortest mode (independent of the readers)."""
    tasks = tasks_by_id(project)
    length = {
        tid: min(m["duration"] for m in t["modes"]) if "modes" in t else t["duration"]
        for tid, t in tasks.items()
    }
    finish: dict[str, int] = {}

    def earliest_finish(tid: str) -> int:
        if tid not in finish:
            finish[tid] = max((earliest_finish(p) for p in deps(tasks[tid])), default=0) + length[tid]
        return finish[tid]

    return max(earliest_finish(tid) for tid in tasks)


# --------------------------------------------------------------------------- MISTA


def test_mista_a1_by_hand() -> None:
    inst = read_instance("mista", MISTA / "A-1.txt")
    pf = inst.portfolio
    assert (inst.family, inst.name, inst.objective) == ("mista", "A-1", "total_project_delay")
    assert pf["objective"] == {
        "tardiness": 0,
        "completion": 0,
        "cost": 0,
        "continuity": 0,
        "project_delay": 1000,
        "makespan": 1,
    }
    # `16 -1 -1 -1`: R1 global (16), R2 local to each project (12/13 and 18/24 in the .mm files)
    assert pf["pools"] == [
        {"id": "R1", "capacity": 16},
        {"id": "p1_R2", "capacity": 13},
        {"id": "p2_R2", "capacity": 24},
    ]
    p1, p2 = pf["projects"]
    assert (p1["id"], p1["release"], p1["status"], p1["priority"]) == ("p1", "2000-01-03", "committed", 5)
    assert (p2["id"], p2["release"]) == ("p2", "2000-01-07")  # released at 4
    assert p1["budgets"] == {"N1": 44, "N2": 39}
    assert p2["budgets"] == {"N1": 66, "N2": 56}
    assert inst.extra["cpd"] == {"p1": 10, "p2": 19}
    t1 = tasks_by_id(p1)
    assert sorted(t1, key=int) == [str(j) for j in range(2, 12)]  # jobs 1 and 12 are dummies
    # job 2: modes (1; R1 8; N2 7), (5; R2 6; N1 3), (6; R2 6; N2 5)
    assert t1["2"]["modes"] == [
        {"duration": 1, "requirements": [{"pool": "R1", "units": 8}], "consumes": {"N2": 7}},
        {"duration": 5, "requirements": [{"pool": "p1_R2", "units": 6}], "consumes": {"N1": 3}},
        {"duration": 6, "requirements": [{"pool": "p1_R2", "units": 6}], "consumes": {"N2": 5}},
    ]
    # job 8 mode 2: 3 periods, R1 1, N2 2
    assert t1["8"]["modes"][1] == {
        "duration": 3,
        "requirements": [{"pool": "R1", "units": 1}],
        "consumes": {"N2": 2},
    }
    # successors of the source (2 3 4) lose their only predecessor; the sink's (9 10 11) vanish
    assert [deps(t1[j]) for j in ("2", "3", "4")] == [[], [], []]
    assert deps(t1["6"]) == ["4", "5"]
    assert deps(t1["9"]) == ["3", "6", "7"]
    assert deps(t1["11"]) == ["2", "8"]
    assert all("12" not in deps(t) for t in t1.values())


def test_mista_global_second_resource() -> None:
    pf = read_instance("mista", MISTA / "A-3.txt").portfolio  # `-1 49 -1 -1`
    assert [p["id"] for p in pf["pools"]] == ["R2", "p1_R1", "p2_R1"]
    assert pf["pools"][0]["capacity"] == 49
    used = {
        r["pool"] for p in pf["projects"] for t in p["tasks"] for m in t["modes"] for r in m["requirements"]
    }
    assert used <= {"R2", "p1_R1", "p2_R1"}
    assert not any(
        r["pool"] == "p1_R1"
        for t in pf["projects"][1]["tasks"]
        for m in t["modes"]
        for r in m["requirements"]
    )


@pytest.mark.parametrize("path", MISTA_FILES, ids=lambda p: p.stem)
def test_mista_counts_and_cpd(path: Path) -> None:
    tokens = path.read_text().split()
    n_projects = int(tokens[0])
    files = tokens[3 : 3 * n_projects + 1 : 3]
    types = [int(v) for v in tokens[3 * n_projects + 2 :]]
    inst = mista.read(path)
    pf = inst.portfolio
    assert len(pf["projects"]) == n_projects
    n_global = sum(v >= 0 for v in types)
    n_local = sum(v < 0 for v in types[:2])  # R1 R2 renewable, N1 N2 non-renewable
    assert len(pf["pools"]) == n_global + n_projects * n_local
    for project, file in zip(pf["projects"], files, strict=True):
        text = (MISTA / file).read_text()
        n_jobs = int(re.search(r"jobs \(incl\. supersource/sink \)\s*:\s*(\d+)", text).group(1))  # type: ignore[union-attr]
        assert len(project["tasks"]) == n_jobs - 2
        assert all(len(t["modes"]) == 3 for t in project["tasks"])
        assert set(project["budgets"]) == {"N1", "N2"}
        for task in project["tasks"]:
            for mode in task["modes"]:
                assert mode["duration"] >= 1
                assert set(mode.get("consumes", {})) <= {"N1", "N2"}
                assert all(r["units"] > 0 for r in mode["requirements"])
        # the CPD of the problem file is the critical path with the shortest modes
        assert shortest_mode_critical_path(project) == inst.extra["cpd"][project["id"]]
    end = pf["calendar"]["end"]
    assert end > max(p["release"] for p in pf["projects"])
    parsed = parse_portfolio(pf)  # the contract accepts pools, modes, budgets, new weights
    assert sum(len(t.modes or []) for p in parsed.projects for t in p.tasks) == 3 * sum(
        len(p["tasks"]) for p in pf["projects"]
    )
    # the engine's `project_delay` uses the same critical paths (shortest modes, even the
    # modes that need more of a pool than its capacity: 4 projects differ otherwise)
    assert critical_path_lengths(parsed) == inst.extra["cpd"]


MM_WITH_INNER_DUMMY = """\
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  6
horizon                       :  20
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  1   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        2          1           4
   3        1          1           4
   4        1          1           5
   5        1          1           6
   6        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  N 1
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     3       2    4
         2     5       1    0
  3      1     2       0    1
  4      1     0       0    0
  5      1     4       3    0
  6      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  N 1
    3    5
************************************************************************
"""


def write_mista(tmp_path: Path, mm: str, types: str = "-1\t-1", crlf: bool = False) -> Path:
    (tmp_path / "x").mkdir(exist_ok=True)
    newline = "\r\n" if crlf else "\n"
    (tmp_path / "x" / "a.mm").write_bytes(mm.replace("\n", newline).encode())
    problem = tmp_path / "P.txt"
    k = len(types.split())
    problem.write_bytes(
        f"1{newline}2{newline}  7 {newline}x/a.mm{newline}{k}{newline}{types}{newline}{newline}".encode()
    )
    return problem


def test_mista_rewires_around_inner_dummy(tmp_path: Path) -> None:
    inst = mista.read(write_mista(tmp_path, MM_WITH_INNER_DUMMY, crlf=True))
    (project,) = inst.portfolio["projects"]
    tasks = tasks_by_id(project)
    assert list(tasks) == ["2", "3", "5"]  # 1, 4 and 6 have zero duration
    assert deps(tasks["5"]) == ["2", "3"]  # 2 -> 4 -> 5 and 3 -> 4 -> 5
    assert tasks["2"]["modes"] == [
        {"duration": 3, "requirements": [{"pool": "p1_R1", "units": 2}], "consumes": {"N1": 4}},
        {"duration": 5, "requirements": [{"pool": "p1_R1", "units": 1}]},
    ]
    assert project["release"] == "2000-01-05"
    assert project["budgets"] == {"N1": 5}
    assert inst.portfolio["pools"] == [{"id": "p1_R1", "capacity": 3}]
    assert shortest_mode_critical_path(project) == 7
    # horizon: release 2 + longest modes 5 + 2 + 4, + 1
    assert inst.portfolio["calendar"]["end"] == "2000-01-17"


@pytest.mark.parametrize(
    ("mm", "types", "message"),
    [
        (MM_WITH_INNER_DUMMY, "-1", "1 resource types declared but x/a.mm has 1 renewable + 1 non-renewable"),
        (MM_WITH_INNER_DUMMY, "-1\t7", "non-renewable resource N1 declared global"),
        (
            MM_WITH_INNER_DUMMY.replace("         2     5       1    0\n", ""),
            "-1\t-1",
            "2 modes declared, 1 given",
        ),
        (
            MM_WITH_INNER_DUMMY.replace("   3        1          1           4", "   3        1          1"),
            "-1\t-1",
            "precedence line",
        ),
        (MM_WITH_INNER_DUMMY.replace("    3    5", "    3"), "-1\t-1", "RESOURCEAVAILABILITIES"),
        (MM_WITH_INNER_DUMMY.split("REQUESTS")[0], "-1\t-1", "REQUESTS/DURATIONS"),
        (
            MM_WITH_INNER_DUMMY.replace("  3      1     2       0    1", "  3      1     2       0    x"),
            "-1\t-1",
            "not a line of integers",
        ),
    ],
)
def test_mista_malformed(tmp_path: Path, mm: str, types: str, message: str) -> None:
    problem = write_mista(tmp_path, mm, types)
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        mista.read(problem)
    assert str(tmp_path) in str(err.value)


def test_mista_malformed_problem_file(tmp_path: Path) -> None:
    problem = tmp_path / "P.txt"
    problem.write_text("2\n0\n10\nmissing.mm\n")
    with pytest.raises(ValueError, match=r"P\.txt: unexpected end of file"):
        mista.read(problem)
    problem.write_text("1\n0\n10\nmissing.mm\n1\n-1\n")
    with pytest.raises(ValueError, match=re.escape("'missing.mm' of project 1 not found")):
        mista.read(problem)
    problem.write_text("one\n")
    with pytest.raises(ValueError, match="number of projects: expected an integer"):
        mista.read(problem)


# --------------------------------------------------------------------------- iMOPSE


def test_imopse_small_by_hand() -> None:
    inst = read_instance("imopse", IMOPSE / "Small" / "10_3_5_3.def")
    pf = inst.portfolio
    assert (inst.family, inst.name, inst.objective, inst.best_known) == (
        "imopse",
        "10_3_5_3",
        "makespan",
        None,
    )
    assert pf["objective"] == {"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, "makespan": 1}
    assert [s["id"] for s in pf["skills"]] == ["Q0", "Q1", "Q2"]
    # `2  53.6  Q2: 2  Q0: 1`: levels shifted by one
    assert pf["people"][1] == {"id": "r2", "skills": {"Q2": 3, "Q0": 2}, "cost_per_day": 53.6}
    assert pf["people"][2]["skills"] == {"Q0": 2, "Q1": 1}
    (project,) = pf["projects"]
    tasks = tasks_by_id(project)
    assert len(tasks) == 10
    # `7  13  Q1: 0  4  5`
    assert tasks["7"] == {
        "id": "7",
        "duration": 13,
        "requirements": [{"skill": "Q1", "level": 1}],
        "dependencies": [{"task": "4"}, {"task": "5"}],
    }
    assert tasks["2"]["requirements"] == [{"skill": "Q2", "level": 3}]
    assert deps(tasks["1"]) == []
    # critical path 5 -> 7 -> 9 = 36 + 13 + 36; work 271 / 3 people
    assert inst.extra["critical_path"] == 85
    assert inst.extra["work_bound"] == 91
    assert inst.extra["lower_bound_simple"] == 91


def test_imopse_noncontiguous_skills_and_header_oddity() -> None:
    pf = imopse.read(IMOPSE / "GenRegular" / "200_5_512_5_D.def").portfolio
    assert [s["id"] for s in pf["skills"]] == ["Q1", "Q2", "Q3", "Q4"]  # header: 4 skill types
    inst = imopse.read(IMOPSE / "NoConstr" / "200_20_0_0.def")
    assert inst.extra["header_mismatches"] == {"precedence relations": {"header": 1, "table": 0}}


@pytest.mark.parametrize("path", IMOPSE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_imopse_counts(path: Path) -> None:
    text = path.read_text()

    def header(label: str) -> int:
        return int(re.search(label + r":\s*(\d+)", text).group(1))  # type: ignore[union-attr]

    inst = imopse.read(path)
    pf = inst.portfolio
    (project,) = pf["projects"]
    assert len(project["tasks"]) == header("Tasks")
    assert len(pf["people"]) == header("Resources")
    assert len(pf["skills"]) == header("Number of skill types")
    n_precs = sum(len(deps(t)) for t in project["tasks"])
    assert n_precs == header("Precedence relations") or "header_mismatches" in inst.extra
    levels = [lv for p in pf["people"] for lv in p["skills"].values()]
    levels += [r["level"] for t in project["tasks"] for r in t["requirements"]]
    assert min(levels) >= 1
    assert max(levels) <= 4
    assert inst.extra["lower_bound_simple"] >= shortest_mode_critical_path(project)
    assert len(parse_portfolio(pf).people) == header("Resources")


IMOPSE_SMALL = """\
=====
General characteristics:
Tasks: 2
Resources: 1
Precedence relations: 1
Number of skill types: 1
=====
ResourceID \t Salary \t Skills
1\t \t \t10.5\t \t Q0: 3 \t
=====
TaskID \t Duration \t Skill \t Predecessor IDs
1\t \t \t4\t Q0: 1\t \t
2\t \t \t3\t Q0: 0\t \t1\t
=====
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Tasks: 2", "Tasks: 3", "header says 3 tasks"),
        ("Q0: 3 ", "Q0: 7 ", "skill level 7 outside 0..4"),
        ("\t1\t\n=", "\t9\t\n=", "unknown predecessor 9"),
        ("Resources: 1\n", "", "'Resources:' not found"),
        ("10.5", "ten", "not a resource line"),
        ("3\t Q0: 0", "3\t Q0", "not a task line"),
        ("1\t \t \t4\t Q0: 1\t \t\n", "1\t \t \t4\t Q0: 1\t \t2\n", "cycle"),
    ],
)
def test_imopse_malformed(tmp_path: Path, old: str, new: str, message: str) -> None:
    good = tmp_path / "ok.def"
    good.write_text(IMOPSE_SMALL.replace("\n", "\r\n"))
    inst = imopse.read(good)
    assert inst.extra["lower_bound_simple"] == 7
    bad = tmp_path / "bad.def"
    assert old in IMOPSE_SMALL
    bad.write_text(IMOPSE_SMALL.replace(old, new))
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        imopse.read(bad)
    assert "bad.def" in str(err.value)


# --------------------------------------------------------------------------- MSPSP


MSPSP_FIRST = MSPSP / "set-1a" / "inst_set1a_sf0.5_nc1.5_n20_m10_00.dzn"


def test_mspsp_by_hand() -> None:
    inst = read_instance("mspsp", MSPSP_FIRST)
    pf = inst.portfolio
    assert (inst.family, inst.objective) == ("mspsp", "makespan")
    assert (inst.best_known, inst.best_lower_bound) == (61, 61)  # optimal in best_known.csv
    assert inst.extra["mint"] == 48 and inst.extra["optimal"] is True
    assert [s["id"] for s in pf["skills"]] == ["S1", "S2", "S3", "S4"]
    assert len(pf["people"]) == 10
    assert pf["people"][0] == {"id": "r1", "skills": {"S1": 1, "S2": 1, "S3": 1}}
    assert pf["people"][9] == {"id": "r10", "skills": {"S1": 1, "S3": 1, "S4": 1}}
    tasks = tasks_by_id(pf["projects"][0])
    assert sorted(tasks, key=int) == [str(a) for a in range(2, 22)]  # 1 and 22 are dummies
    # activity 4: dur 9, sreq 3,0,3,0
    assert tasks["4"]["duration"] == 9
    assert tasks["4"]["requirements"] == [{"skill": "S1", "count": 3}, {"skill": "S3", "count": 3}]
    assert tasks["10"]["requirements"] == [{"skill": "S2", "count": 3}, {"skill": "S4", "count": 2}]
    assert deps(tasks["6"]) == ["4", "5"]
    assert deps(tasks["21"]) == ["2", "11"]
    assert [deps(tasks[a]) for a in ("2", "3", "4")] == [[], [], []]  # only after the source
    assert shortest_mode_critical_path(pf["projects"][0]) <= 61


def test_mspsp_not_optimal_row() -> None:
    inst = mspsp.read(MSPSP / "set-2a" / "inst_set2a_sf0_nc1.8_n18_l3_m11_00.dzn")
    assert (inst.best_known, inst.best_lower_bound) == (125, 44)
    assert inst.extra["optimal"] is False


def test_mspsp_every_file_and_known_values() -> None:
    with (MSPSP / "best_known.csv").open(newline="") as handle:
        rows = {(r["subset"], r["instance"]): r for r in csv.DictReader(handle)}
    assert len(rows) == len(MSPSP_FILES)
    for path in MSPSP_FILES:
        data = mspsp.parse_dzn(path)
        inst = mspsp.read(path)
        pf = inst.portfolio
        row = rows[(path.parent.name, path.name)]
        assert inst.best_known == int(row["best_makespan"])
        assert inst.best_lower_bound == (
            int(row["best_makespan"]) if row["optimal"] == "1" else int(row["lb"])
        )
        (project,) = pf["projects"]
        assert len(project["tasks"]) == data["nActs"] - 2
        assert len(pf["people"]) == data["nResources"]
        assert len(pf["skills"]) == data["nSkills"]
        n_units = sum(r["count"] for t in project["tasks"] for r in t["requirements"])
        assert n_units == sum(map(sum, data["sreq"]))
        # inner precedences survive; those of the dummies are dropped
        inner = sum(p > 1 and s < data["nActs"] for p, s in zip(data["pred"], data["succ"], strict=True))
        assert sum(len(deps(t)) for t in project["tasks"]) == inner
        assert inst.best_known >= shortest_mode_critical_path(project)
        assert len(parse_portfolio(pf).projects[0].tasks) == data["nActs"] - 2


DZN = """\
% a comment; with = signs
n = 3;   m = 2 ;
d = [0, 4,
     0];  % trailing comment
flag = true;
a = array2d(1..3, 1..2, [1, 0, 2, 5, 0, 0]);
b = [| true, false
     | false, true |];
s = [{}, {1,2}, 3..4];
neg = -2;
"""


def test_dzn_parser(tmp_path: Path) -> None:
    path = tmp_path / "x.dzn"
    path.write_bytes(DZN.replace("\n", "\r\n").encode())
    data = mspsp.parse_dzn(path)
    assert data == {
        "n": 3,
        "m": 2,
        "d": [0, 4, 0],
        "flag": True,
        "a": [[1, 0], [2, 5], [0, 0]],
        "b": [[True, False], [False, True]],
        "s": [frozenset(), frozenset({1, 2}), frozenset({3, 4})],
        "neg": -2,
    }


MSPSP_SMALL = """\
nActs = 4; dur = [0, 2, 3, 0];
nSkills = 2; sreq = [| 0,0 | 1,0 | 2,1 | 0,0 |];
nResources = 2; mastery = array2d(1..2, 1..2, [true, true, false, true]);
nPrecs = 4; pred = [1, 1, 2, 3]; succ = [2, 3, 4, 4];
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("nSkills = 2;", "", "'nSkills' missing"),
        ("[0, 2, 3, 0]", "[0, 2, 3]", "'dur' missing or not an array of 4"),
        ("| 2,1 |", "| 2 |", "different lengths"),
        ("succ = [2, 3, 4, 4]", "succ = [2, 3, 4, 9]", "precedence 4 (3 -> 9)"),
        ("[true, true, false, true]", "[1, 1, 0, 1]", "'mastery' must hold booleans"),
        ("pred = [1, 1, 2, 3];", "pred = [1, 1, 2, 3]", "expected ';'"),
        ("dur = ", "dur = @", "unexpected character"),
    ],
)
def test_mspsp_malformed(tmp_path: Path, old: str, new: str, message: str) -> None:
    good = tmp_path / "ok.dzn"
    good.write_text(MSPSP_SMALL)
    inst = mspsp.read(good)
    assert inst.best_known is None
    tasks = tasks_by_id(inst.portfolio["projects"][0])
    assert tasks["3"]["requirements"] == [{"skill": "S1", "count": 2}, {"skill": "S2", "count": 1}]
    assert inst.portfolio["people"][1]["skills"] == {"S2": 1}
    assert old in MSPSP_SMALL
    bad = tmp_path / "bad.dzn"
    bad.write_text(MSPSP_SMALL.replace(old, new))
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        mspsp.read(bad)
    assert "bad.dzn" in str(err.value)
