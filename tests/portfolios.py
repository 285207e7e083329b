"""Tiny hand-made portfolios for solver tests: tasks with several requirements
over two working weeks (the builders of ``tests.helpers`` underneath).
"""

from __future__ import annotations

from typing import Any

from model.portfolio import Portfolio
from tests.helpers import build, person, portfolio_dict, project

__all__ = ["START", "person", "portfolio", "project", "task"]

# 2027-01-04 is a Monday; two weeks = 10 working days.
START = "2027-01-04"


def task(tid: str, duration: int | None = None, reqs: list[dict] | None = None, **kw: Any) -> dict[str, Any]:
    """A task dict (``duration`` or ``effort=`` in kw)."""
    out: dict[str, Any] = {"id": tid, "requirements": reqs if reqs is not None else [{"skill": "dev"}], **kw}
    if duration is not None:
        out["duration"] = duration
    return out


def portfolio(
    people: list[dict],
    projects: list[dict],
    *,
    end: str = "2027-01-15",
    skills: tuple[str, ...] = ("dev", "qa", "pm"),
    **kw: Any,
) -> Portfolio:
    """A validated portfolio over ``START … end`` (default two working weeks)."""
    return build(portfolio_dict(projects, people, start=START, end=end, skills=skills, **kw))
