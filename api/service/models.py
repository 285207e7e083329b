"""The stored records (SQLAlchemy 2 typed ORM): workspaces, keys, portfolios and their versions,
scenarios, runs with their events, plans.

Every record a client can name belongs to a workspace; queries always filter on it.
JSON documents are ``JSON`` on SQLite and ``JSONB`` on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
ID_LENGTH = 36
NAME_LENGTH = 1000
KEY_LENGTH = 200


def new_id() -> str:
    """A fresh record id (a UUID in text)."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every record."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
        dt.datetime: DateTime(timezone=True),
    }


class Workspace(Base):
    """A tenant: its keys see its records and nobody else's."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key, stored as its SHA-256 digest only."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PortfolioRecord(Base):
    """A portfolio under one id; its content lives in numbered versions."""

    __tablename__ = "portfolios"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PortfolioVersion(Base):
    """One stored version of a portfolio, never changed once written."""

    __tablename__ = "portfolio_versions"
    __table_args__ = (UniqueConstraint("portfolio_id", "number"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    portfolio_id: Mapped[str] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScenarioRecord(Base):
    """A base (a portfolio version or another scenario) and typed changes, with the result applied."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    base_version_id: Mapped[str | None] = mapped_column(ForeignKey("portfolio_versions.id"), default=None)
    base_scenario_id: Mapped[str | None] = mapped_column(ForeignKey("scenarios.id"), default=None)
    changes: Mapped[list[Any]]
    applied: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class RunRecord(Base):
    """A solve, comparison or replan: the queue entry and its outcome."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("workspace_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[dict[str, Any]]
    request_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), default=None)
    targets: Mapped[list[Any]]
    time_limit: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(KEY_LENGTH), default=None)
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    bound: Mapped[float | None] = mapped_column(Float, default=None)
    first_plan_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    plan_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, default=None)
    event_seq: Mapped[int] = mapped_column(Integer, default=0)


class RunEvent(Base):
    """A change of a run (its state, or an improvement), numbered from 1 for server-sent events."""

    __tablename__ = "run_events"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PlanRecord(Base):
    """A plan (the contract's JSON) and what it was made for; a run's best plan so far is updated in place."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("run_id", "label"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), default=None)
    label: Mapped[str] = mapped_column(String(NAME_LENGTH))
    portfolio_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("portfolio_versions.id"), default=None
    )
    scenario_id: Mapped[str | None] = mapped_column(ForeignKey("scenarios.id"), default=None)
    baseline_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"), default=None)
    status: Mapped[str] = mapped_column(String(16))
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
