"""The time slices among searches: the one that buys improvement gets the time, none goes
untried, plans reach the shared incumbent only when better, and an arm's error reaches
the caller."""

from __future__ import annotations

import time

import pytest

from solver.search import bandit
from solver.settings import BanditTuning

TUNING = BanditTuning(slice_share=0.02, min_slice_seconds=0.01, max_slice_share=0.02, explore=0.0)


def _arm(name: str, incumbent: bandit.Incumbent, step: float) -> bandit.Arm:
    """An arm that lowers the incumbent by ``step`` per slice (0: never improves)."""

    def run(until: float) -> None:
        time.sleep(max(0.0, until - time.perf_counter()))
        if step:
            incumbent.offer({}, incumbent.best()[1] - step, name)

    return bandit.Arm(name, run)


def _run(arms: list[bandit.Arm], incumbent: bandit.Incumbent, lanes: int = 1) -> bandit.BanditStats:
    return bandit.run_lanes(
        arms,
        incumbent,
        lanes=lanes,
        deadline=time.perf_counter() + 1.0,
        ended=lambda: False,
        tuning=TUNING,
        time_limit=1.0,
        seed=0,
    )


def test_the_arm_that_improves_gets_the_time() -> None:
    incumbent = bandit.Incumbent({}, 1000.0)
    arms = [_arm("idle", incumbent, 0), _arm("good", incumbent, 1.0), _arm("idle too", incumbent, 0)]
    stats = _run(arms, incumbent).as_dict()
    assert all(s["slices"] >= 1 for s in stats.values())  # every arm measured
    assert stats["good"]["slices"] > 3 * (stats["idle"]["slices"] + stats["idle too"]["slices"])
    assert stats["good"]["gain_pct"] > 0 and stats["idle"]["gain_pct"] == 0
    assert incumbent.best()[1] == 1000.0 - stats["good"]["slices"]


def test_two_lanes_never_run_one_arm_twice_at_once() -> None:
    incumbent = bandit.Incumbent({}, 1000.0)
    running: set[str] = set()
    overlaps: list[str] = []

    def arm(name: str) -> bandit.Arm:
        def run(until: float) -> None:
            if name in running:
                overlaps.append(name)
            running.add(name)
            time.sleep(max(0.0, until - time.perf_counter()))
            incumbent.offer({}, incumbent.best()[1] - 1, name)
            running.discard(name)

        return bandit.Arm(name, run)

    stats = _run([arm("a"), arm("b"), arm("c")], incumbent, lanes=2).as_dict()
    assert not overlaps
    assert sum(s["slices"] for s in stats.values()) >= 2


def test_the_incumbent_keeps_only_better_plans() -> None:
    seen: list[tuple[float, str]] = []
    incumbent = bandit.Incumbent({}, 10.0, on_better=lambda _p, value, source: seen.append((value, source)))
    assert incumbent.offer({1: None}, 8.0, "a")  # type: ignore[dict-item]
    assert not incumbent.offer({2: None}, 8.0, "b")  # type: ignore[dict-item]
    assert not incumbent.offer({}, 9.0, "b")
    assert incumbent.best() == ({1: None}, 8.0)
    assert seen == [(8.0, "a")]
    assert incumbent.gains == {"a": pytest.approx(0.2)}


def test_an_error_in_an_arm_reaches_the_caller() -> None:
    def broken(until: float) -> None:
        raise RuntimeError("arm failed")

    with pytest.raises(RuntimeError, match="arm failed"):
        _run([bandit.Arm("broken", broken)], bandit.Incumbent({}, 1.0))
