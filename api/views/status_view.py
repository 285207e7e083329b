"""The data the status page draws: the report's tables and each project's slip against the baseline."""

from __future__ import annotations

import re
from typing import Any

from api.status_report import sections
from model.actuals import StatusReport


def _section_id(title: str, first: bool) -> str:
    """A stable element id: the first table is the projects'; the others are named by their title's first words."""
    words = ["projects"] if first else re.findall(r"[a-z]+", title.lower())[:3]
    return "pmo-status-" + "-".join(words)


def status_view(report: StatusReport) -> dict[str, Any]:
    """The chart data of a status report, ready for JSON.

    Parameters
    ----------
    report
        Progress against the baseline (:func:`model.actuals.status_report`).

    Returns
    -------
    dict
        ``title``, ``notes`` (how SPI is computed, the forecast's status), ``tables`` (id, title,
        columns, rows: the same tables as the terminal and markdown report) and ``finishes`` (per
        project its baseline and forecast finish, ISO, and slip in working days; None when either
        finish is missing).
    """
    tables = [
        {"id": _section_id(title, k == 0), "title": title, "columns": columns, "rows": [list(r) for r in rows]}
        for k, (title, columns, rows, _) in enumerate(sections(report))
    ]
    return {
        "title": f"Status as of {report.status_date.isoformat()}",
        "notes": [
            f"Forecast plan (the remaining work replanned with the actuals frozen): {report.forecast_status}.",
            f"{report.spi_method}. Slip and the pain points' figures are working days.",
        ],
        "tables": tables,
        "finishes": [
            {
                "project": r.project,
                "baseline": r.baseline_finish.isoformat() if r.baseline_finish else None,
                "forecast": r.forecast_finish.isoformat() if r.forecast_finish else None,
                "slip": r.slip_days,
                "spi": r.spi,
            }
            for r in report.projects
        ],
    }
