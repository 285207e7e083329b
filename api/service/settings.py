"""The service's settings: one pydantic-settings class, read from ``PMO_*`` environment variables."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/pmo.db"
MIB = 2**20


def default_run_workers() -> int:
    """Runs at a time: one per core (each solve's CP-SAT workers share the cores)."""
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything the service reads from its environment (``PMO_DATABASE_URL``, ``PMO_RUN_WORKERS`` …).

    Attributes
    ----------
    database_url
        SQLAlchemy URL: a SQLite file (created on first start) or ``postgresql+psycopg://…``.
    run_workers
        Worker processes, so runs executing at once (default: the number of cores).
    max_body_bytes
        Largest request body; above it the answer is 413.
    workspace_run_quota
        Runs a workspace may have queued or running at once; above it the answer is 429.
    max_time_limit
        Largest ``time_limit`` a run may ask for, in seconds.
    max_solver_workers
        Largest ``workers`` (CP-SAT threads) a run may ask for.
    progress_interval
        Seconds between two stored improvements of a run, at least.
    queue_poll_interval
        Seconds an idle worker waits before it looks at the queue again (a submission wakes it sooner).
    cancel_poll_interval
        Seconds between two looks of a running worker at its run's cancel request.
    event_interval
        Seconds between two server-sent events of a run's stream, at least.
    cancel_wait
        Seconds ``DELETE /v1/runs/{id}`` waits for the run to reach its final state.
    run_backend
        Where a sweep run's solves go: ``local`` (inside its worker, one after another) or ``ray``.
    ray_address
        The Ray cluster of ``run_backend = "ray"`` (``PMO_RAY_ADDRESS``); none: a private local Ray.
    ray_auth_token
        That cluster's authentication token (``PMO_RAY_AUTH_TOKEN``; default: Ray's ``$RAY_AUTH_TOKEN``).
    max_sweep_scenarios
        Most scenarios one sweep run may expand to.
    """

    model_config = SettingsConfigDict(env_prefix="PMO_", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    run_workers: int = Field(default_factory=default_run_workers, ge=1, le=256)
    max_body_bytes: int = Field(default=10 * MIB, ge=1024)
    workspace_run_quota: int = Field(default=8, ge=1)
    max_time_limit: float = Field(default=3600.0, gt=0)
    max_solver_workers: int = Field(default_factory=default_run_workers, ge=1, le=64)
    progress_interval: float = Field(default=1.0, ge=0.05)
    queue_poll_interval: float = Field(default=0.5, gt=0)
    cancel_poll_interval: float = Field(default=0.05, gt=0)
    event_interval: float = Field(default=1.0, ge=0.05)
    cancel_wait: float = Field(default=3.0, ge=0)
    run_backend: Literal["local", "ray"] = Field(default="local")
    ray_address: str | None = Field(default=None)
    ray_auth_token: str | None = Field(default=None, repr=False)
    max_sweep_scenarios: int = Field(default=200, ge=1, le=1000)
