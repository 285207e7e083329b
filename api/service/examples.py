"""Examples shown in the OpenAPI document (each one valid: the tests post them)."""

from __future__ import annotations

from typing import Any

PORTFOLIO_EXAMPLE: dict[str, Any] = {
    "name": "Two projects, three people",
    "calendar": {"start": "2027-01-04", "end": "2027-03-26", "holidays": ["2027-03-01"]},
    "skills": [{"id": "backend", "name": "Backend development"}, {"id": "qa", "name": "Testing"}],
    "people": [
        {"id": "ana", "name": "Ana", "skills": {"backend": 4}},
        {"id": "ben", "name": "Ben", "skills": {"backend": 3, "qa": 2}},
        {"id": "cleo", "name": "Cleo", "skills": {"qa": 4}, "capacity": 50},
    ],
    "projects": [
        {
            "id": "crm",
            "name": "CRM upgrade",
            "priority": 8,
            "due": "2027-02-19",
            "tasks": [
                {"id": "build", "duration": 10, "requirements": [{"skill": "backend", "level": 3}]},
                {
                    "id": "test",
                    "duration": 5,
                    "requirements": [{"skill": "qa", "level": 2}],
                    "dependencies": [{"task": "build"}],
                },
            ],
        },
        {
            "id": "portal",
            "name": "Customer portal",
            "priority": 5,
            "due": "2027-03-12",
            "tasks": [{"id": "api", "duration": 15, "requirements": [{"skill": "backend", "level": 4}]}],
        },
    ],
}

SCENARIO_CHANGES_EXAMPLE: list[dict[str, Any]] = [
    {"op": "hire", "role": "backend developer", "skill": "backend", "level": 4, "from": "2027-01-18"},
    {"op": "change_priority", "project": "portal", "priority": 9},
]

SOLVE_EXAMPLE: dict[str, Any] = {"kind": "solve", "portfolio": "PORTFOLIO_ID", "settings": {"time_limit": 10}}
COMPARE_EXAMPLE: dict[str, Any] = {
    "kind": "compare",
    "portfolio": "PORTFOLIO_ID",
    "scenarios": ["SCENARIO_ID"],
    "settings": {"time_limit": 10},
}
REPLAN_EXAMPLE: dict[str, Any] = {
    "kind": "replan",
    "baseline": "PLAN_ID",
    "as_of": "2027-02-01",
    "max_changes": 5,
    "settings": {"time_limit": 10},
}
SWEEP_EXAMPLE: dict[str, Any] = {
    "kind": "sweep",
    "portfolio": "PORTFOLIO_ID",
    "vary": [
        {"op": "hire", "skill": "qa", "level": 2, "count": [0, 1, 2]},
        {"op": "priority", "crm": [5, 10]},
    ],
    "rank_by": ["weighted_lateness", "late_projects", "cost"],
    "settings": {"time_limit": 10},
}
