"""Solver settings as typed data, with presets and TOML loading."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from solver.cpsat.parameters import ParameterValue, check_parameters

CpSatParameters = dict[str, ParameterValue]


def _checked_parameters(value: CpSatParameters) -> CpSatParameters:
    check_parameters(value)
    return value


def _times_only_parameters() -> CpSatParameters:
    return {
        "ignore_subsolvers": [
            "graph_arc_lns",
            "graph_cst_lns",
            "graph_dec_lns",
            "graph_var_lns",
            "rnd_cst_lns",
            "rnd_var_lns",
            "feasibility_pump",
        ],
        "lns_initial_deterministic_limit": 0.02,
    }


def _parameters(**values: ParameterValue) -> CpSatParameters:
    return dict(values)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Stall(_Frozen):
    """When a search that has a plan counts as stalled: no better plan for
    ``max(minimum, share × its running time)``, in the search's own units (seconds for
    CP-SAT, rebuilds for the schedule search, generations for the population search).

    Attributes
    ----------
    minimum
        Progress-free stretch that always counts as a stall, at the least.
    share
        Share of the search's running time without progress that counts as a stall
        (0 to 1; at 1 the search never stalls).
    """

    minimum: float = Field(ge=0)
    share: float = Field(ge=0, le=1)

    def exceeded(self, since_progress: float, running: float) -> bool:
        """Whether this long without progress, after this long running, is a stall."""
        return since_progress > max(self.minimum, self.share * running)


class FullModelTuning(_Frozen):
    """When the optimiser solves one CP-SAT model of everything, and how.

    Attributes
    ----------
    max_assignments
        Largest full model, in (requirement, eligible person) pairs, that strategy
        ``auto`` solves whole; above it, neighbourhoods. Past it presolve alone takes
        seconds (RESULTS: Whole model or neighbourhoods). Levelling that leaves tasks out
        still hands models of up to twice this to CP-SAT.
    times_only_cp_sat_parameters
        CP-SAT parameters of whole models that decide task times only (pools, one mode per
        task, nobody to name, no optional project): only the scheduling neighbourhoods (time
        windows, intervals, precedences), in short steps, because the generic ones, which
        free random start variables, rarely shorten a plan there and overrun their budget.
        Models with modes or people keep CP-SAT's defaults: there the generic ones pay
        (RESULTS: CP-SAT parameters).
    min_round_seconds
        No new CP-SAT or schedule-search round starts with less time than this left.
    max_shared_intervals
        Largest full model, in optional intervals of people who share their days between
        tasks (:func:`solver.search.optimiser.shared_interval_count`), that strategy
        ``auto`` solves whole. Each makes CP-SAT's search slower per node (about 0.02 s
        per deterministic second each, :class:`DeterministicTuning`); past it the whole
        model was still improving at the limit, seed by seed by very different amounts,
        while neighbourhoods converged (the demo: 1,152; p10, proven whole in seconds:
        498; RESULTS: Stable quality).
    """

    max_assignments: int = Field(default=6000, ge=0)
    times_only_cp_sat_parameters: CpSatParameters = Field(default_factory=_times_only_parameters)
    min_round_seconds: float = Field(default=0.2, ge=0)
    max_shared_intervals: int = Field(default=800, ge=0)

    _times_only_known = field_validator("times_only_cp_sat_parameters")(_checked_parameters)


class ConstructionTuning(_Frozen):
    """The search among levelling orders that gives the optimiser its start
    (:mod:`solver.construct.task_orders`).

    Attributes
    ----------
    share_of_time_limit
        At most this share of the time limit goes to levelling in other orders before
        CP-SAT (the search gives up earlier when it stops finding better plans).
    patience_share
        The slack orders end once this share of the time limit has passed without a
        better plan: on p60 at 30 s the last better order came at 7 s and the search went
        on to 15 s, half of the time the neighbourhoods then lacked (RESULTS: Stable quality).
    deterministic_seconds_per_task
        Deterministic runs cannot read the clock: each levelling pass is charged this many
        deterministic seconds per task (about its wall time on these machines: 0.9-1.5e-4 s
        per task, RESULTS: Deterministic runs) ...
    min_deterministic_seconds
        ... and at least this many.
    slack_steps
        Working days per priority step of the slack orders searched from, in turn. Small
        steps win once late projects yield, but which one wins is erratic, so several are
        tried (RESULTS: Slack orders and the yield search).
    repair_rounds
        Times a levelling order is rerun with the committed projects it left without room
        moved to the front.
    yield_step
        Working days a late project of the middle priority moves back in the order per day
        late, in each pass of the yield search ...
    yield_middle_priority
        ... where a project of priority ``p`` moves ``(yield_middle_priority / p)²`` times
        as far, so low-priority work yields first.
    yield_patience
        Passes without a better plan before the yield search goes back to its best order.
    yield_returns
        Returns to the best order without a better plan before the yield search gives up.
    """

    share_of_time_limit: float = Field(default=0.5, ge=0, le=1)
    patience_share: float = Field(default=0.1, ge=0, le=1)
    deterministic_seconds_per_task: float = Field(default=1.3e-4, ge=0)
    min_deterministic_seconds: float = Field(default=0.01, ge=0)
    slack_steps: tuple[Annotated[int, Field(ge=1)], ...] = Field(default=(2, 4, 1, 6, 3, 12), min_length=1)
    repair_rounds: int = Field(default=3, ge=0)
    yield_step: float = Field(default=0.02, ge=0)
    yield_middle_priority: float = Field(default=5.0, gt=0)
    yield_patience: int = Field(default=5, ge=1)
    yield_returns: int = Field(default=3, ge=0)


class LnsTuning(_Frozen):
    """Large-neighbourhood search: how many tasks a step frees and how far they may move
    (RESULTS: LNS neighbourhood size).

    Attributes
    ----------
    start_size
        Tasks freed by the first neighbourhood. The size grows by 15 % after a step solved
        to optimality in under half its time limit and shrinks by 15 % after one that was
        not, between ``min_size`` and ``max_size``.
    min_size
        Fewest tasks a neighbourhood frees.
    max_size
        Most tasks a neighbourhood frees.
    max_delay_days
        Working days a freed task may end later than in the incumbent (tight domains keep
        small models fast).
    max_advance_days
        Working days a freed task may start earlier than in the incumbent.
    max_candidates
        People kept per requirement in a neighbourhood (the incumbent's first).
    min_step_deterministic_seconds
        Seconds of a deterministic run's limit charged at least per neighbourhood (besides
        what its CP-SAT solve is charged, :class:`DeterministicTuning`), so deterministic runs
        end in bounded wall time even when the steps cost CP-SAT almost nothing.
    step_workers
        CP-SAT workers of one neighbourhood solve. Neighbourhood models are small: one
        worker solves them faster than two share them (RESULTS: Stable quality).
    lanes
        Neighbourhood searches run side by side, each in its own thread with its own plan
        and random numbers, from the same start (0: the solve's workers divided by
        ``step_workers``; deterministic runs always run one). One lane: on the shared
        2-core machines a second one halved each lane's steps and lost on the demo
        (RESULTS: Stable quality). Two steps on one shared plan undo each other (the one
        that lands second was built on a plan that is gone), hence a plan per lane.
    adopt_after
        Steps without a better plan after which a lane takes up the best plan of any lane,
        when that is better than its own.
    late_work_weight
        First score of the neighbourhoods around late projects
        (:data:`solver.search.neighbourhoods.LATE_WORK`); the others start at 1. Each step
        draws a neighbourhood (:data:`solver.search.neighbourhoods.NEIGHBOURHOODS`) with a
        chance that grows with its score.
    scoring
        How a step changes its neighbourhood's score. ``gain``: the score is a moving
        average of the percent by which its steps improved the plan (keeping
        ``gain_memory`` of the old score each step), so the neighbourhoods that make the
        large gains are drawn most. ``count``: +1 for a step that improves the plan by any
        amount, 5 % off (down to 0.2) for one that does not; the first neighbourhoods to
        improve a poor plan, whichever they were, then crowded out the others, and how
        fast the demo converged depended on which came first (RESULTS: Stable quality).
    gain_memory
        Share of its score a neighbourhood keeps at each of its steps (``gain`` scoring).
    gain_floor
        Every neighbourhood is drawn as if its score were at least this share of the best
        one's (``gain`` scoring).
    cp_sat_parameters
        CP-SAT parameters of every neighbourhood solve. Neighbourhood models are small and
        solved hundreds of times: no symmetry detection saves presolve time. Not
        ``max_presolve_iterations = 1``, although faster: with 2 workers OR-Tools 9.15 dies
        on some models under it (tests/data/lns_crash_model.pbtxt.gz; RESULTS: CP-SAT
        parameters).
    single_worker_cp_sat_parameters
        Added to ``cp_sat_parameters`` when a step runs on one worker (``step_workers = 1``,
        and every deterministic step): no probing makes a step about 40 % faster there
        (RESULTS: Stable quality). Never with more workers: with 2, OR-Tools 9.15 died under
        it on tests/data/lns_crash_model.pbtxt.gz in 7 runs of 10.
    """

    start_size: int = Field(default=60, ge=1)
    min_size: int = Field(default=12, ge=1)
    max_size: int = Field(default=400, ge=1)
    max_delay_days: int = Field(default=30, ge=0)
    max_advance_days: int = Field(default=60, ge=0)
    max_candidates: int = Field(default=8, ge=1)
    min_step_deterministic_seconds: float = Field(default=0.05, gt=0)
    step_workers: int = Field(default=1, ge=1, le=64)
    lanes: int = Field(default=1, ge=0, le=64)
    adopt_after: int = Field(default=3, ge=1)
    late_work_weight: float = Field(default=4.0, gt=0)
    scoring: Literal["gain", "count"] = "gain"
    gain_memory: float = Field(default=0.7, ge=0, lt=1)
    gain_floor: float = Field(default=0.05, gt=0, le=1)
    cp_sat_parameters: CpSatParameters = Field(default_factory=lambda: _parameters(symmetry_level=0))
    single_worker_cp_sat_parameters: CpSatParameters = Field(
        default_factory=lambda: _parameters(cp_model_probing_level=0)
    )

    _parameters_known = field_validator("cp_sat_parameters", "single_worker_cp_sat_parameters")(
        _checked_parameters
    )

    def step_parameters(self, workers: int) -> CpSatParameters:
        """CP-SAT parameters of a neighbourhood solve on ``workers`` workers."""
        if workers == 1:
            return {**self.cp_sat_parameters, **self.single_worker_cp_sat_parameters}
        return dict(self.cp_sat_parameters)

    @model_validator(mode="after")
    def _sizes_in_order(self) -> LnsTuning:
        if not self.min_size <= self.start_size <= self.max_size:
            raise ValueError(
                f"need min_size <= start_size <= max_size, got {self.min_size}, {self.start_size}, "
                f"{self.max_size}"
            )
        return self


class StaffingTuning(_Frozen):
    """Whole models that name people: the start-order search and the redundant staffing
    constraints.

    Attributes
    ----------
    search_max_tasks
        Largest model (in tasks) whose whole-model solves run a second full search, the
        start-order one, beside CP-SAT's default from the start (with 2 workers or more,
        not deterministic). It is a complete search: it closes proofs on tens of tasks and
        is missed as a neighbourhood thread on hundreds (RESULTS: Staffing search).
    switch_max_tasks
        Largest model (in tasks) that takes the start-order search up once CP-SAT's own
        search stalls, above ``search_max_tasks``; on larger ones the switch made plans worse
        (RESULTS: Staffing search).
    cp_sat_parameters
        CP-SAT parameters of a whole-model solve with the start-order search and 2 workers:
        from 3 workers CP-SAT runs its "fixed" search itself once the model has a strategy,
        with 2 it gives the second thread to neighbourhoods unless asked for two full
        searches (RESULTS: CP-SAT parameters).
    redundant_constraints_max_tasks
        Largest model (in tasks) that gets the redundant staffing cumulatives (skill pools,
        head count): they close proofs on small models but slow every step of a large one
        (RESULTS: Redundant constraints).
    """

    search_max_tasks: int = Field(default=50, ge=0)
    switch_max_tasks: int = Field(default=100, ge=0)
    cp_sat_parameters: CpSatParameters = Field(default_factory=lambda: _parameters(num_full_subsolvers=2))
    redundant_constraints_max_tasks: int = Field(default=100, ge=0)

    _parameters_known = field_validator("cp_sat_parameters")(_checked_parameters)


class StallTuning(_Frozen):
    """When CP-SAT and the schedule searches count as stalled, which hands the time
    between them.

    Attributes
    ----------
    cp_sat
        CP-SAT's stall, in seconds: early enough for large pool-only models, where CP-SAT
        stops improving while schedule rebuilds go on, late enough to leave alone CP-SAT
        searches that improve every second or two (RESULTS: Stall rules).
    probe_share_of_limit
        Before the first look beside it, CP-SAT may also go this share of the time limit
        without a better plan: on multi-mode models it keeps improving for the whole of a
        long solve (RESULTS: Stall rules).
    schedule_search
        The schedule search's stall, in rebuilds (RESULTS: Stall rules).
    population
        The population search's stall, in generations (not measured on its own; RESULTS:
        Stall rules).
    probe_poll_seconds
        How often the first round looks whether CP-SAT has stalled.
    watch_poll_seconds
        How often a stall watcher that stops CP-SAT looks at the clock.
    """

    cp_sat: Stall = Field(default_factory=lambda: Stall(minimum=1.0, share=0.5))
    probe_share_of_limit: float = Field(default=0.1, ge=0, le=1)
    schedule_search: Stall = Field(default_factory=lambda: Stall(minimum=30, share=0.5))
    population: Stall = Field(default_factory=lambda: Stall(minimum=10, share=0.5))
    probe_poll_seconds: float = Field(default=0.05, gt=0)
    watch_poll_seconds: float = Field(default=0.05, gt=0)

    def probe_stall(self, time_limit: float) -> Stall:
        """When CP-SAT counts as stalled before the first look beside it: as :attr:`cp_sat`,
        and at least :attr:`probe_share_of_limit` of ``time_limit`` without a better plan."""
        patience = max(self.cp_sat.minimum, self.probe_share_of_limit * time_limit)
        return Stall(minimum=patience, share=self.cp_sat.share)


class ScheduleSearchTuning(_Frozen):
    """The iterated schedule rebuilds (:mod:`solver.search.schedule_search`).

    Attributes
    ----------
    noise_levels_days
        Noise (in days) added to each task's start before a rebuild sorts them, one level
        drawn per rebuild: small values swap neighbours, larger ones move tasks past
        several others.
    fit_window_days
        A rebuild looks for room in windows of this many days (plus 4 task lengths) at a
        time (speed only: the first start with room is found either way).
    mode_switch_share
        Share of rebuilds that first switch one or two tasks to another mode, when some
        task has alternatives.
    """

    noise_levels_days: tuple[Annotated[float, Field(ge=0)], ...] = Field(
        default=(1, 2, 5, 10, 20), min_length=1
    )
    fit_window_days: int = Field(default=64, ge=1)
    mode_switch_share: float = Field(default=0.5, ge=0, le=1)


class PopulationTuning(_Frozen):
    """The population search (:mod:`solver.search.population`), a biased random-key
    genetic algorithm.

    Attributes
    ----------
    size
        Individuals per generation.
    elite_share
        Share of the best individuals kept in each generation (at least 2).
    mutant_share
        Share of random individuals added per generation (at least 1).
    elite_key_bias
        Chance that a child takes a key from its elite parent.
    min_tasks
        Smallest plan (in tasks) it takes: CP-SAT proves most smaller models alone, and the
        search beside it costs proofs there (RESULTS: Population search).
    max_tasks
        Largest plan (in tasks) it takes (None: no limit; the time slices among the
        searches give it time by what it buys, RESULTS: Population search).
    min_generations
        The search takes a plan only when the time limit buys it at least this many
        generations at the speed measured on the plan, with ``size`` individuals or, halving
        the population, no fewer than ``min_size`` (a genetic algorithm needs hundreds of
        generations; below that the rebuilds from the incumbent pay more; RESULTS:
        Population search).
    min_size
        The smallest population it halves down to.
    sample_rows
        Schedules built to measure that speed.
    objective_keys
        Whether the first population holds keys of priority rules that know the objective
        (:func:`solver.search.population.objective_keys`; else the plan and random keys). Off:
        on generated pool-only portfolios they made the search alone worse (RESULTS:
        Population search).
    rule_share
        Share of the first population drawn around the keys of priority rules that know the
        objective (:func:`solver.search.population.objective_keys`), beside the rules' own keys.
    rule_noise
        Spread of those draws, as a share of the rules' range of keys.
    call_work
        Generations per call of the compiled loop: this many task placements (individuals ×
        tasks) per call, at least one generation. The loop runs without the GIL; between
        calls the search asks whether to stop and hands out its best plan.
    min_window_days
        Days of timetable a row looks at per try, at least (and at least twice the longest
        task).
    max_window_growth
        The window doubles on each miss, up to this many times its first size.
    """

    size: int = Field(default=256, ge=4)
    elite_share: float = Field(default=0.2, gt=0, lt=1)
    mutant_share: float = Field(default=0.15, gt=0, lt=1)
    elite_key_bias: float = Field(default=0.7, ge=0, le=1)
    min_tasks: int = Field(default=61, ge=1)
    max_tasks: int | None = Field(default=None, ge=1)
    min_generations: int = Field(default=300, ge=0)
    min_size: int = Field(default=64, ge=4)
    sample_rows: int = Field(default=8, ge=1)
    objective_keys: bool = False
    rule_share: float = Field(default=0.15, ge=0, le=1)
    rule_noise: float = Field(default=0.05, ge=0)
    call_work: int = Field(default=150_000, ge=1)
    min_window_days: int = Field(default=32, ge=1)
    max_window_growth: int = Field(default=8, ge=1)

    def generations_per_call(self, tasks: int) -> int:
        """Generations per call of the compiled loop on a plan of ``tasks`` tasks."""
        return max(1, self.call_work // max(1, self.size * tasks))

    @property
    def num_elite(self) -> int:
        """Individuals kept from one generation to the next."""
        return max(2, int(self.elite_share * self.size))

    @property
    def num_mutants(self) -> int:
        """Random individuals added per generation."""
        return max(1, int(self.mutant_share * self.size))

    @model_validator(mode="after")
    def _room_for_children(self) -> PopulationTuning:
        if self.size - self.num_elite - self.num_mutants < 1:
            raise ValueError("elite_share and mutant_share leave no room for children in a generation")
        if self.max_tasks is not None and self.min_tasks > self.max_tasks:
            raise ValueError(f"need min_tasks <= max_tasks, got {self.min_tasks} > {self.max_tasks}")
        return self


class DeterministicTuning(_Frozen):
    """Deterministic runs (``SolverSettings.deterministic``): what a second of their time
    limit buys, so that they end near it.

    A deterministic run cannot read the clock to decide anything, or two runs would differ.
    Its time limit is spent in charges instead, each about the wall time of the work on
    these machines: each levelling pass and neighbourhood step a fixed share
    (:class:`ConstructionTuning`, :class:`LnsTuning`), each CP-SAT solve an estimate from
    its model and the deterministic time CP-SAT reports (:func:`solver.cpsat.model.cp_sat_cost`).
    A wall-clock guard at the time limit ends the run if the charges fell short; the plan
    then says it was cut there and may differ from another run with the same seed.

    CP-SAT's deterministic second is far from a wall second and not the same on every
    model: about 4 s on pool-only and one-task-at-a-time models, 20-55 s on the generated
    staffed portfolios, whose people share their days between tasks (RESULTS:
    Deterministic runs). Taken at face value, a 5 s deterministic limit ran for 53-78 s.

    Attributes
    ----------
    seconds_per_unit
        Wall seconds per CP-SAT deterministic second on a model without shared people ...
    seconds_per_unit_per_shared_interval
        ... plus this many per optional interval in a cumulative constraint (a person
        booked on a share of their day, a pool, a skill pool).
    seconds_per_model_element
        Wall seconds charged per variable and constraint of every CP-SAT model (building
        it, presolve and loading, which CP-SAT's deterministic time barely counts).
    search_share
        Share of the time limit the search may charge: compiling, levelling, the bounds
        and checking the plan run before and after it, uncharged.
    """

    seconds_per_unit: float = Field(default=4.0, gt=0)
    seconds_per_unit_per_shared_interval: float = Field(default=0.02, ge=0)
    seconds_per_model_element: float = Field(default=1.25e-4, ge=0)
    search_share: float = Field(default=0.8, gt=0, le=1)


class BanditTuning(_Frozen):
    """The time slices among searches once CP-SAT's first solve of a pool-only model has
    been beaten or has stalled (:mod:`solver.search.bandit`).

    Attributes
    ----------
    slice_share
        A slice's length as a share of the time limit...
    min_slice_seconds
        ... and at least this long; no slice starts with less time than this left.
    max_slice_share
        A search whose slice improved the plan gets its next one twice as long, up to this
        share of the time limit.
    explore
        Chance that a lane takes a random free search instead of the best-scored one.
    memory
        Weight of a search's old score against its last slice's improvement per second.
    cp_sat_workers
        CP-SAT workers in a slice (the other lane's search has the other core).
    islands
        Population searches of their own (own individuals and seed) among the arms, where
        the population search applies.
    """

    slice_share: float = Field(default=0.05, gt=0, le=1)
    min_slice_seconds: float = Field(default=0.3, gt=0)
    max_slice_share: float = Field(default=0.4, gt=0, le=1)
    explore: float = Field(default=0.1, ge=0, le=1)
    memory: float = Field(default=0.5, ge=0, lt=1)
    cp_sat_workers: int = Field(default=1, ge=1)
    islands: int = Field(default=2, ge=0)

    def slice_seconds(self, time_limit: float) -> float:
        """A first slice's length in seconds."""
        return max(self.min_slice_seconds, self.slice_share * time_limit)

    def max_slice_seconds(self, time_limit: float) -> float:
        """The longest slice in seconds."""
        return max(self.slice_seconds(time_limit), self.max_slice_share * time_limit)


class SearchTuning(_Frozen):
    """The optimiser's tuning: thresholds, sizes, stall rules and CP-SAT parameters the
    engine chose from measurements (benchmarks/RESULTS.md). The defaults are the engine's;
    change them for experiments (TOML: ``[solver.tuning]`` and its sub-tables).

    Attributes
    ----------
    full_model
        When and how one CP-SAT model of everything is solved.
    construction
        The search among levelling orders for a starting plan.
    lns
        Large-neighbourhood search.
    staffing
        Whole models that name people.
    stalls
        When CP-SAT and the schedule searches count as stalled.
    schedule_search
        The iterated schedule rebuilds.
    population
        The population search.
    bandit
        Time slices among CP-SAT, the rebuilds and the population search.
    deterministic
        What a second of a deterministic run's time limit buys.
    """

    full_model: FullModelTuning = Field(default_factory=FullModelTuning)
    construction: ConstructionTuning = Field(default_factory=ConstructionTuning)
    lns: LnsTuning = Field(default_factory=LnsTuning)
    staffing: StaffingTuning = Field(default_factory=StaffingTuning)
    stalls: StallTuning = Field(default_factory=StallTuning)
    schedule_search: ScheduleSearchTuning = Field(default_factory=ScheduleSearchTuning)
    population: PopulationTuning = Field(default_factory=PopulationTuning)
    bandit: BanditTuning = Field(default_factory=BanditTuning)
    deterministic: DeterministicTuning = Field(default_factory=DeterministicTuning)


Preset = Literal["fast", "balanced", "thorough"]
MAX_TIME_LIMIT = 7 * 24 * 3600.0  # a week: beyond it a time limit is a typo, not a plan


class SolverSettings(BaseModel):
    """How long and how hard to search.

    ``deterministic`` runs one worker with a deterministic time limit so the same
    seed always gives the same plan: the time limit is spent in charges calibrated to
    take about as long on these machines (:class:`DeterministicTuning`), and a wall-clock
    guard at the time limit cuts a run whose charges fell short (``plan.stats``
    ``cut_by_wall_guard``: that plan may differ from another run with the same seed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    time_limit: float = Field(
        default=10.0, gt=0, le=MAX_TIME_LIMIT, description="Wall-clock seconds for the whole solve."
    )
    workers: int = Field(default=2, ge=1, le=64, description="CP-SAT search workers.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Random seed (CP-SAT takes 32 bits).")
    deterministic: bool = Field(
        default=False,
        description="Reproducible mode: 1 worker, the time limit spent in calibrated charges; a "
        "wall-clock guard at the limit cuts a run whose charges fell short (stats: cut_by_wall_guard).",
    )
    optimise: bool = Field(default=True, description="Improve the levelling plan with CP-SAT.")
    schedule_search: bool = Field(
        default=True,
        description="When no task has people to staff, alternate CP-SAT with schedule rebuilds "
        "(serial generation + double justification) whenever CP-SAT stalls.",
    )
    lns_seconds: float = Field(
        default=0.5, gt=0, le=MAX_TIME_LIMIT, description="Time limit of one neighbourhood re-solve."
    )
    strategy: Literal["auto", "full", "lns"] = Field(
        default="auto",
        description="`full`: one CP-SAT model of everything; `lns`: neighbourhoods around the "
        "incumbent; `auto`: full for small portfolios, LNS for large ones.",
    )
    log: bool = Field(default=False, description="Print CP-SAT's search log.")
    explain: bool = Field(
        default=True, description="Attach bottlenecks, late-project reasons and slack to the plan."
    )
    cp_sat_parameters: dict[str, ParameterValue] = Field(
        default_factory=dict,
        description="CP-SAT parameters set on every optimiser solve (whole model and "
        "neighbourhoods), over the engine's own choice, e.g. {num_full_subsolvers = 2}. For "
        "experiments: time limit, workers, seed and log have their own settings.",
    )

    tuning: SearchTuning = Field(
        default_factory=SearchTuning,
        description="The optimiser's thresholds, sizes, stall rules and CP-SAT parameters "
        "(defaults measured in benchmarks/RESULTS.md; for experiments).",
    )

    _known_parameters = field_validator("cp_sat_parameters")(_checked_parameters)

    @classmethod
    def preset(cls, name: Preset, **overrides: object) -> SolverSettings:
        """Settings of a named preset, with overrides."""
        presets: dict[str, dict[str, object]] = {
            "fast": {"time_limit": 5.0},
            "balanced": {"time_limit": 30.0},
            "thorough": {"time_limit": 120.0},
        }
        base = presets[name]
        return cls.model_validate({**base, **overrides})

    @classmethod
    def from_toml(cls, path: Path) -> SolverSettings:
        """Load settings from the ``[solver]`` table (or the top level) of a TOML file."""
        table = toml_table(path)
        preset = table.pop("preset", None)
        return cls.preset(preset, **table) if preset else cls.model_validate(table)  # type: ignore[arg-type]


def toml_table(source: Path | str) -> dict[str, object]:
    """The ``[solver]`` table (or the top level) of a TOML settings file or text.

    Raises
    ------
    OSError, tomllib.TOMLDecodeError
        The file cannot be read or is not TOML.
    """
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    data = tomllib.loads(text)
    table = data.get("solver", data)
    return dict(table) if isinstance(table, dict) else {}
