"""Tiny hand-made portfolios for solver tests."""

from __future__ import annotations

import copy
from typing import Any

from model.load import parse_portfolio
from model.portfolio import Portfolio

# 2027-01-04 is a Monday; two weeks = 10 working days.
START = "2027-01-04"


def person(pid: str, skills: dict[str, int], **kw: Any) -> dict[str, Any]:
    """A person dict."""
    return {"id": pid, "skills": skills, **kw}


def task(tid: str, duration: int | None = None, reqs: list[dict] | None = None, **kw: Any) -> dict[str, Any]:
    """A task dict (``duration`` or ``effort=`` in kw)."""
    out: dict[str, Any] = {"id": tid, "requirements": reqs if reqs is not None else [{"skill": "dev"}], **kw}
    if duration is not None:
        out["duration"] = duration
    return out


def project(pid: str, tasks: list[dict], **kw: Any) -> dict[str, Any]:
    """A project dict."""
    return {"id": pid, "tasks": tasks, **kw}


def portfolio(
    people: list[dict],
    projects: list[dict],
    *,
    end: str = "2027-01-15",
    skills: tuple[str, ...] = ("dev", "qa", "pm"),
    **kw: Any,
) -> Portfolio:
    """A validated portfolio over ``START … end`` (default two working weeks)."""
    data = {
        "name": "test",
        "calendar": {"start": START, "end": end},
        "skills": [{"id": s} for s in skills],
        "people": copy.deepcopy(people),
        "projects": copy.deepcopy(projects),
        **kw,
    }
    return parse_portfolio(data)
