"""Disruption against a baseline plan: what replanning may change and what it costs.

Replanning keeps done and in-progress work as it is (frozen), lets the rest
move no earlier than the as-of day (or the freeze date), and charges every
change against the baseline: a moved task, each working day it shifts, each
person taken off a task. An optional hard budget caps the number of changed
tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from solver.construct.levelling import Placement


@dataclass(frozen=True)
class DisruptionWeights:
    """Cost of each kind of change, in the units of the objective (tardiness = 1000 per priority-day)."""

    moved_task: float = 500.0
    shifted_day: float = 50.0
    changed_person: float = 500.0

    @property
    def free(self) -> bool:
        """Whether every change costs nothing."""
        return not (self.moved_task or self.shifted_day or self.changed_person)


@dataclass
class Disruption:
    """The baseline to stay close to and the rules of the replan."""

    reference: dict[int, Placement]  # baseline placements by task index (tasks still in the portfolio)
    weights: DisruptionWeights = field(default_factory=DisruptionWeights)
    frozen: set[int] = field(default_factory=set)  # done or in progress, or before the freeze date
    earliest_day: int = 0  # no free task starts before this working day
    max_changes: int | None = None  # at most this many changed tasks (None: no cap)
    focus: tuple[int, ...] = ()  # projects changed since the baseline: the search works around them

    def without_weights(self) -> Disruption:
        """The same rules (frozen work, earliest day, cap on changes) with every change free:
        what the plan could be if disruption cost nothing."""
        return replace(self, weights=DisruptionWeights(0.0, 0.0, 0.0))

    def changed(self, task: int, placement: Placement | None) -> bool:
        """Whether a task differs from the baseline (start, mode or people)."""
        ref = self.reference.get(task)
        if ref is None or placement is None:
            return False
        return (
            ref.start != placement.start
            or ref.mode != placement.mode
            or {p for p, _ in ref.people} != {p for p, _ in placement.people}
        )

    def cost(self, placements: dict[int, Placement]) -> float:
        """Weighted disruption of a plan against the baseline."""
        w = self.weights
        total = 0.0
        for t, ref in self.reference.items():
            pl = placements.get(t)
            if pl is None:
                continue
            if pl.start != ref.start:
                total += w.moved_task + w.shifted_day * abs(pl.start - ref.start)
            kept = {p for p, _ in pl.people}
            total += w.changed_person * sum(1 for p, _ in ref.people if p not in kept)
        return total

    def change_count(self, placements: dict[int, Placement]) -> int:
        """Number of baseline tasks that changed."""
        return sum(1 for t in self.reference if self.changed(t, placements.get(t)))
