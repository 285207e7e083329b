"""The initial schema: workspaces, keys, portfolios and versions, scenarios, runs and events, plans.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=36)
WHEN = sa.DateTime(timezone=True)

INDEXES = {
    "api_keys": ["workspace_id"],
    "portfolios": ["workspace_id"],
    "portfolio_versions": ["portfolio_id"],
    "scenarios": ["workspace_id"],
    "runs": ["workspace_id", "state", "created_at"],
    "run_events": ["run_id"],
    "plans": ["workspace_id"],
}


def _workspace() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("workspace_id", ID, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "workspaces",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(length=1000), nullable=False, unique=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", ID, primary_key=True),
        _workspace(),
        sa.Column("key_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
    )
    op.create_table(
        "portfolios",
        sa.Column("id", ID, primary_key=True),
        _workspace(),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("deleted_at", WHEN, nullable=True),
    )
    op.create_table(
        "portfolio_versions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("portfolio_id", ID, sa.ForeignKey("portfolios.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("portfolio_id", "number"),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", ID, primary_key=True),
        _workspace(),
        sa.Column("name", sa.String(length=1000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("base_version_id", ID, sa.ForeignKey("portfolio_versions.id"), nullable=True),
        sa.Column("base_scenario_id", ID, sa.ForeignKey("scenarios.id"), nullable=True),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("applied", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("deleted_at", WHEN, nullable=True),
    )
    op.create_table(
        "runs",
        sa.Column("id", ID, primary_key=True),
        _workspace(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("targets", JSON, nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("first_plan_seconds", sa.Float(), nullable=True),
        sa.Column("plan_id", ID, nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("workspace_id", "idempotency_key"),
    )
    op.create_table(
        "run_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("run_id", "seq"),
    )
    op.create_table(
        "plans",
        sa.Column("id", ID, primary_key=True),
        _workspace(),
        sa.Column("run_id", ID, sa.ForeignKey("runs.id", ondelete="SET NULL"), nullable=True),
        sa.Column("label", sa.String(length=1000), nullable=False),
        sa.Column("portfolio_version_id", ID, sa.ForeignKey("portfolio_versions.id"), nullable=True),
        sa.Column("scenario_id", ID, sa.ForeignKey("scenarios.id"), nullable=True),
        sa.Column("baseline_plan_id", ID, sa.ForeignKey("plans.id"), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("run_id", "label"),
    )
    for table, columns in INDEXES.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    """Drop every table."""
    for table, columns in INDEXES.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in ("plans", "run_events", "runs", "scenarios", "portfolio_versions", "portfolios", "api_keys"):
        op.drop_table(table)
    op.drop_table("workspaces")
