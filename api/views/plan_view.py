"""The data the plan charts draw: Gantt by person and by project, load heatmaps, late projects, changes.

One JSON-ready dictionary per plan, the same for the self-contained HTML report and for the web
UI (``/v1/views/plans/{id}``), so that both draw from one preparation. Days are calendar-day
offsets from the horizon's first day; a bar covers ``[s, e)``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np

from api.report import STATUS_TEXT, lateness_text
from model.calendar import WorkCalendar
from model.kpis import availability_matrix, load_matrix
from model.plan import Assignment, Plan
from model.portfolio import Portfolio, Requirement, Task

VIEW_RISK_SAMPLES = 2_000  # S-curves of a plan without risk figures: smooth enough, well under a second
HIGH_LOAD = 0.9  # a person-week at or above this share of capacity is marked as (nearly) full


def _iso(day: dt.date | None) -> str | None:
    """A date as ISO text (None stays None)."""
    return day.isoformat() if day is not None else None


def _week_groups(cal: WorkCalendar) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The ISO weeks holding working days, and each working day's week index."""
    weeks: list[dict[str, Any]] = []
    of_day = np.zeros(cal.num_days, dtype=np.int64)
    for i, day in enumerate(cal.dates):
        label = cal.iso_week(i)
        if not weeks or weeks[-1]["id"] != label:
            monday = day - dt.timedelta(days=day.weekday())
            start, end = (monday - cal.start).days, (monday - cal.start).days + 7
            weeks.append({"id": label, "s": max(0, start), "e": end})
        of_day[i] = len(weeks) - 1
    return weeks, of_day


def _off_ranges(portfolio: Portfolio, offset: Any) -> list[list[list[int]]]:
    """Per person, the calendar ranges ``[s, e)`` they cannot work: absences and outside their dates."""
    last = offset(portfolio.calendar.end) + 1
    ranges = []
    for person in portfolio.people:
        off = [[offset(a.start), offset(a.end) + 1] for a in person.absences]
        if person.available_from is not None and offset(person.available_from) > 0:
            off.append([0, offset(person.available_from)])
        if person.available_until is not None and offset(person.available_until) + 1 < last:
            off.append([offset(person.available_until) + 1, last])
        ranges.append(sorted(off))
    return ranges


def _requirements(task: Task, assignment: Assignment) -> list[Requirement]:
    """The skill requirements of the way ``assignment`` runs ``task``."""
    chosen = task.requirements
    if task.modes is not None:
        chosen = task.modes[assignment.mode or 0].requirements
    return [r for r in chosen if r.skill is not None]


def _skill_of_each_person(portfolio: Portfolio, task: Task, assignment: Assignment) -> list[str | None]:
    """Which of the task's skills each assigned person fills (the first open slot they qualify for)."""
    skills_of = {p.id: p.skills for p in portfolio.people}
    wanted = _requirements(task, assignment)
    left = [r.count if task.effort is None else len(assignment.people) for r in wanted]
    filled: list[str | None] = []
    for member in assignment.people:
        held = skills_of.get(member.id, {})
        fits = [k for k, r in enumerate(wanted) if held.get(r.skill or "", 0) >= r.level]
        chosen = next((k for k in fits if left[k] > 0), fits[0] if fits else None)
        if chosen is not None:
            left[chosen] -= 1
        filled.append(wanted[chosen].skill if chosen is not None else None)
    return filled


def _weekly(values: np.ndarray, of_day: np.ndarray, weeks: int) -> np.ndarray:
    """Sums over the working days of each week (rows of ``values`` are kept)."""
    out = np.zeros((values.shape[0], weeks))
    for row in range(values.shape[0]):
        out[row] = np.bincount(of_day, weights=values[row], minlength=weeks)
    return out


def _skill_heat(
    portfolio: Portfolio, plan: Plan, cal: WorkCalendar, of_day: np.ndarray, weeks: int
) -> list[dict[str, Any]]:
    """Per skill and week: person-days booked on it against the person-days its holders offer."""
    skills = [s.id for s in portfolio.skills]
    row = {s: k for k, s in enumerate(skills)}
    tasks = {(p.id, t.id): t for p in portfolio.projects for t in p.tasks}
    demand = np.zeros((len(skills), cal.num_days))
    for a in plan.assignments:
        lo, hi = cal.ceil_index(a.start), cal.floor_index(a.finish)
        task = tasks.get((a.project, a.task))
        if task is None or lo > hi:
            continue
        for member, skill in zip(a.people, _skill_of_each_person(portfolio, task, a), strict=True):
            if skill in row:
                demand[row[skill], lo : hi + 1] += member.allocation / 100
    avail = availability_matrix(portfolio) * np.array([p.capacity / 100 for p in portfolio.people])[:, None]
    capacity = np.zeros_like(demand)
    for i, person in enumerate(portfolio.people):
        for skill in person.skills:
            if skill in row:
                capacity[row[skill]] += avail[i]
    demand_w, capacity_w = _weekly(demand, of_day, weeks), _weekly(capacity, of_day, weeks)
    return [
        {
            "id": s,
            "demand": np.round(demand_w[k], 1).tolist(),
            "capacity": np.round(capacity_w[k], 1).tolist(),
        }
        for k, s in enumerate(skills)
    ]


def _people_heat(portfolio: Portfolio, plan: Plan, of_day: np.ndarray, weeks: int) -> list[list[int | None]]:
    """Per person and week: percent of the capacity they offer that week that is booked (None: none offered)."""
    if not portfolio.people:
        return []
    load = _weekly(load_matrix(portfolio, plan.assignments).astype(np.float64), of_day, weeks)
    capacity = np.array([p.capacity for p in portfolio.people], dtype=np.float64)[:, None]
    offered = _weekly(availability_matrix(portfolio) * capacity, of_day, weeks)
    return [
        [round(100 * b / o) if o > 0 else None for b, o in zip(booked, offers, strict=True)]
        for booked, offers in zip(load, offered, strict=True)
    ]


def _late_projects(plan: Plan) -> list[dict[str, Any]]:
    """Late projects with the explanation's chain of waits (or only the figures when there is none)."""
    detail = plan.explanation_detail
    if detail is not None and detail.late_projects:
        return [
            {
                "project": late.project,
                "priority": late.priority,
                "due": late.due.isoformat(),
                "finish": late.finish.isoformat(),
                "late_days": late.late_days,
                "message": late.message,
                "chain": [link.message for link in late.chain],
                "waits": sorted(
                    {busy.message for link in late.chain for short in link.waited_for for busy in short.busy}
                ),
            }
            for late in detail.late_projects
        ]
    return [
        {
            "project": r.id,
            "due": _iso(r.due),
            "finish": _iso(r.finish),
            "late_days": r.late_days,
            "message": f"{r.late_days} working day(s) late (this plan carries no explanation: `pmo explain` gives one)",
            "chain": [],
            "waits": [],
        }
        for r in plan.projects
        if r.scheduled and r.late_days > 0
    ]


def _replan_projects(plan: Plan) -> list[dict[str, Any]]:
    """A replan's projects whose finish or lateness moved against the baseline (from its stats)."""
    replan = plan.stats.get("replan")
    rows = replan.get("projects") if isinstance(replan, dict) else None
    if not isinstance(rows, list):
        return []
    keys = (("finish_before", "finish_after"), ("late_days_before", "late_days_after"))
    return [r for r in rows if isinstance(r, dict) and any(r.get(a) != r.get(b) for a, b in keys)]


def _summary(plan: Plan) -> dict[str, Any]:
    """Status and headline figures."""
    k = plan.kpis
    gap = None
    if plan.objective and plan.lower_bound is not None:
        gap = round(100 * max(0.0, plan.objective - plan.lower_bound) / abs(plan.objective), 1)
    return {
        "status": plan.status.value,
        "status_text": STATUS_TEXT[plan.status],
        "objective": plan.objective,
        "bound": plan.lower_bound,
        "gap_pct": gap,
        "lateness": lateness_text(plan),
        "late_projects": k.late_projects,
        "late_days": k.late_days,
        "weighted_tardiness": k.weighted_tardiness,
        "makespan_days": k.makespan_days,
        "total_cost": k.total_cost,
        "assignments": len(plan.assignments),
        "explanation": list(plan.explanation),
        "summary": list(plan.explanation_detail.summary) if plan.explanation_detail else [],
    }


def _uncertain(portfolio: Portfolio) -> bool:
    """Whether any task's length is uncertain (a default spread or a task's own estimate)."""
    if portfolio.risk is not None and portfolio.risk.default_spread is not None:
        return True
    return any(t.estimate is not None for p in portfolio.projects for t in p.tasks)


def _risk(portfolio: Portfolio, plan: Plan, offset: Any) -> dict[str, Any] | None:
    """The S-curve of each project's finish: the plan's own risk figures (``plan.stats["risk"]``),
    else a fresh simulation when the portfolio gives uncertainty; None without either."""
    from api.risk_commands import RISK_STATS, attach_risk

    stats = plan.stats.get(RISK_STATS)
    if not isinstance(stats, dict):
        if not (plan.status.has_plan and plan.assignments and _uncertain(portfolio)):
            return None
        stats = attach_risk(portfolio, plan.model_copy(), VIEW_RISK_SAMPLES).stats[RISK_STATS]
    projects = [
        {
            "id": pid,
            "p_on_time": row.get("p_on_time"),
            "p_by_deadline": row.get("p_by_deadline"),
            "p50": row.get("p50_finish"),
            "p80": row.get("p80_finish"),
            "curve": [[p, offset(dt.date.fromisoformat(day))] for p, day in row.get("s_curve", [])],
        }
        for pid, row in stats.get("projects", {}).items()
    ]
    return {
        "samples": stats.get("samples"),
        "uncertain_tasks": stats.get("uncertain_tasks"),
        "projects": projects,
    }


def plan_view(portfolio: Portfolio, plan: Plan, title: str | None = None) -> dict[str, Any]:
    """The chart data of ``plan`` (made for ``portfolio``), ready for JSON.

    Parameters
    ----------
    portfolio
        The validated portfolio the plan was made for.
    plan
        A plan of it (checked by the caller).
    title
        The heading (default: the portfolio's name).

    Returns
    -------
    dict
        ``summary``, ``weeks``, ``projects``, ``people`` (with the ranges they are off), ``tasks``
        (one per assignment, project by project, in start order), ``deps`` (row pairs),
        ``heat_people`` (percent per person-week), ``heat_skills`` (demand and capacity per
        skill-week), ``late``, ``changes`` and, for a replan, ``replan_projects`` (finish and
        lateness before and after, where they moved) and ``risk`` (per project its on-time
        probabilities and the S-curve ``[p, day]`` of its finish; None when the plan carries no
        risk figures and the portfolio gives no uncertainty).
    """
    cal = portfolio.work_calendar
    weeks, of_day = _week_groups(cal)

    def offset(day: dt.date) -> int:
        return (day - cal.start).days

    projects = {p.id: k for k, p in enumerate(portfolio.projects)}
    people = {p.id: k for k, p in enumerate(portfolio.people)}
    due = {p.id: p.due for p in portfolio.projects}
    ordered = sorted(
        plan.assignments, key=lambda a: (projects.get(a.project, len(projects)), a.start, a.task)
    )
    rows: list[dict[str, Any]] = []
    row_of: dict[tuple[str, str], int] = {}
    for a in ordered:
        project_due = due.get(a.project)
        row_of[(a.project, a.task)] = len(rows)
        rows.append(
            {
                "p": projects.get(a.project, -1),
                "t": a.task,
                "s": offset(a.start),
                "e": offset(a.finish) + 1,
                "who": [people[m.id] for m in a.people if m.id in people],
                "pct": [m.allocation for m in a.people if m.id in people],
                "late": offset(project_due) + 1
                if project_due is not None and a.finish > project_due
                else None,
            }
        )
    deps: list[list[Any]] = []
    for project in portfolio.projects:
        for task in project.tasks:
            succ = row_of.get((project.id, task.id))
            for dep in task.dependencies:
                pred = row_of.get(portfolio.task_key(project.id, dep.task))
                if succ is not None and pred is not None:
                    deps.append([pred, succ, dep.type.value])
    results = {r.id: r for r in plan.projects}
    by_project: dict[int, int] = defaultdict(int)
    for r in rows:
        by_project[r["p"]] += 1
    return {
        "title": title or portfolio.name or "Portfolio",
        "start": cal.start.isoformat(),
        "days": offset(cal.end) + 1,
        "summary": _summary(plan),
        "weeks": weeks,
        "projects": [
            {
                "id": p.id,
                "name": p.name,
                "priority": p.priority,
                "due": offset(p.due) if p.due else None,
                "deadline": offset(p.deadline) if p.deadline else None,
                "finish": _iso(results[p.id].finish) if p.id in results else None,
                "late_days": results[p.id].late_days if p.id in results else 0,
                "scheduled": bool(p.id in results and results[p.id].scheduled),
                "tasks": by_project.get(k, 0),
            }
            for k, p in enumerate(portfolio.projects)
        ],
        "people": [
            {"id": p.id, "name": p.name, "capacity": p.capacity, "off": off}
            for p, off in zip(portfolio.people, _off_ranges(portfolio, offset), strict=True)
        ],
        "holidays": [offset(d) for d in portfolio.calendar.holidays if cal.start <= d <= cal.end],
        "tasks": rows,
        "deps": deps,
        "heat_people": _people_heat(portfolio, plan, of_day, len(weeks)),
        "heat_skills": _skill_heat(portfolio, plan, cal, of_day, len(weeks)),
        "high_load": round(100 * HIGH_LOAD),
        "late": _late_projects(plan),
        "replan": bool(plan.changes) or "baseline_tasks" in plan.stats,
        "changes": [c.model_dump(mode="json") for c in plan.changes],
        "replan_projects": _replan_projects(plan),
        "risk": _risk(portfolio, plan, offset),
    }
