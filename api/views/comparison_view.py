"""The data the comparison page draws: key figures side by side, project finishes, who moves where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.compare_report import _FIGURES as FIGURES


def _moves(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each person who joins or leaves a project in a scenario against the baseline."""
    moves = []
    for person in data.get("people", []):
        for name, cell in person.get("cells", {}).items():
            joins, leaves = cell.get("added_projects", []), cell.get("removed_projects", [])
            if not (joins or leaves):
                continue
            share, delta = cell.get("utilisation"), cell.get("utilisation_delta")
            text = "—" if share is None else f"{100 * share:.0f} %"
            if delta is not None:
                text += f" ({100 * delta:+.0f} pt)"
            moves.append(
                {
                    "person": person["id"],
                    "scenario": name,
                    "joins": joins,
                    "leaves": leaves,
                    "utilisation": text,
                }
            )
    return moves


def comparison_view(data: Mapping[str, Any], title: str = "What-if comparison") -> dict[str, Any]:
    """The chart data of a comparison (``compare --json``, as the service stores it), ready for JSON.

    Parameters
    ----------
    data
        The comparison as JSON data (``Comparison.model_dump(mode="json")``).
    title
        The heading.

    Returns
    -------
    dict
        ``baseline``, ``scenarios`` (status, figures, deltas, explanation), ``figures`` (label,
        key, percent), ``projects`` (cells per scenario with finish deltas), ``moves`` and
        ``on_time`` (scenario → project → P(finish ≤ due), for scenarios with risk figures).
    """
    return {
        "title": title,
        "baseline": data.get("baseline"),
        "scenarios": [
            {
                "name": o["name"],
                "baseline": o.get("baseline", False),
                "status": o.get("status"),
                "figures": o.get("figures"),
                "delta": o.get("delta"),
                "explanation": o.get("explanation", []),
            }
            for o in data.get("scenarios", [])
        ],
        "figures": [{"label": label, "key": key, "percent": percent} for label, key, _, percent in FIGURES],
        "projects": [
            {"id": p["id"], "name": p.get("name"), "priority": p.get("priority"), "cells": p.get("cells", {})}
            for p in data.get("projects", [])
        ],
        "moves": _moves(data),
        "on_time": data.get("on_time", {}),
    }
