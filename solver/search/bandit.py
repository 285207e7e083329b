"""Time slices among searches by what each has been buying: a small bandit over two lanes.

Which search improves a plan further depends on the instance: CP-SAT's own search proves
and polishes small models, the population search rebuilds thousands of schedules a second
on RCPSP-like ones, the iterated rebuilds switch modes. Rather than a size rule, each
search (an *arm*) gets the time in slices; after each slice its score moves towards the
relative improvement of the shared incumbent it bought per second. Each lane (one per core)
takes the free arm with the best score, the least used on ties, and now and then a random
one so that none goes unmeasured. Every arm starts each slice from the shared incumbent,
so each one's plans reach the others (:class:`Incumbent`).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.construct.levelling import Placement
from solver.settings import BanditTuning


@dataclass
class Incumbent:
    """The best plan of all lanes, shared between threads.

    ``on_better(placements, value, source)`` is called, under the lock, for every plan
    that beats it; ``gains`` sums, per source, the relative improvements it made.
    """

    placements: dict[int, Placement]
    objective: float
    on_better: Callable[[dict[int, Placement], float, str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    gains: dict[str, float] = field(default_factory=dict)

    def offer(self, placements: dict[int, Placement], value: float, source: str) -> bool:
        """Keep ``placements`` if strictly better; True when kept."""
        with self.lock:
            if value >= self.objective - 1e-9:
                return False
            gain = (self.objective - value) / max(abs(self.objective), 1e-9)
            self.gains[source] = self.gains.get(source, 0.0) + gain
            self.placements, self.objective = placements, value
            if self.on_better is not None:
                self.on_better(placements, value, source)
            return True

    def best(self) -> tuple[dict[int, Placement], float]:
        """The current best plan and its value."""
        with self.lock:
            return self.placements, self.objective


@dataclass
class Arm:
    """One search the lanes can give a slice to.

    ``run(until)`` searches from the shared incumbent until the ``perf_counter`` time
    ``until`` (or earlier, when the solve ends) and offers its plans to the incumbent.
    """

    name: str
    run: Callable[[float], None]
    score: float = math.inf  # untried arms come first
    slices: int = 0
    seconds: float = 0.0
    gain: float = 0.0  # relative improvement bought, in total
    busy: bool = False


@dataclass
class BanditStats:
    """What each arm was given and bought."""

    arms: list[Arm]

    def as_dict(self) -> dict[str, dict[str, float]]:
        """Per arm: slices, seconds and relative improvement (per cent)."""
        return {
            arm.name: {
                "slices": arm.slices,
                "seconds": round(arm.seconds, 2),
                "gain_pct": round(100 * arm.gain, 3),
            }
            for arm in self.arms
        }


def run_lanes(
    arms: list[Arm],
    incumbent: Incumbent,
    *,
    lanes: int,
    deadline: float,
    ended: Callable[[], bool],
    tuning: BanditTuning,
    time_limit: float,
    seed: int,
) -> BanditStats:
    """Give slices of the time until ``deadline`` to ``arms``, ``lanes`` at a time, until
    ``ended()``; returns what each arm was given and bought.

    A slice is :meth:`~solver.settings.BanditTuning.slice_seconds` long (never past the
    deadline); an arm whose slice improved the incumbent gets its next one twice as long
    (up to :meth:`~solver.settings.BanditTuning.max_slice_seconds`): a search that keeps
    paying is not cut off every slice.
    """
    lock = threading.Lock()
    rng = random.Random(seed)
    first, longest = tuning.slice_seconds(time_limit), tuning.max_slice_seconds(time_limit)
    lengths = {arm.name: first for arm in arms}
    errors: list[BaseException] = []

    def pick() -> Arm | None:
        with lock:
            free = [arm for arm in arms if not arm.busy]
            if not free:
                return None
            if rng.random() < tuning.explore:
                arm = rng.choice(free)
            else:
                arm = max(free, key=lambda a: (a.score, -a.slices))
            arm.busy = True
            return arm

    def bought(arm: Arm) -> float:
        with incumbent.lock:
            return incumbent.gains.get(arm.name, 0.0)

    def lane() -> None:
        while not errors and not ended() and deadline - time.perf_counter() > tuning.min_slice_seconds:
            arm = pick()
            if arm is None:
                return
            before = bought(arm)
            began = time.perf_counter()
            until = min(deadline, began + lengths[arm.name])
            try:
                arm.run(until)
            except BaseException as exc:  # re-raised by the caller's thread below
                errors.append(exc)
            finally:
                spent = max(time.perf_counter() - began, 1e-3)
                gain = bought(arm) - before
                with lock:
                    arm.busy = False
                    arm.slices += 1
                    arm.seconds += spent
                    arm.gain += gain
                    rate = gain / spent
                    arm.score = (
                        rate
                        if math.isinf(arm.score)
                        else tuning.memory * arm.score + (1 - tuning.memory) * rate
                    )
                    lengths[arm.name] = min(longest, 2 * lengths[arm.name]) if gain > 0 else first

    threads = [threading.Thread(target=lane, name=f"bandit-{k}", daemon=True) for k in range(max(1, lanes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return BanditStats(arms)
