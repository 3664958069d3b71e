"""merge log: what a merge changed and who made it, so that it can be undone (phbrefs unmerge)

Revision ID: 0004_merge_log
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_merge_log"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merge_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.String(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("merged_by", sa.String(), nullable=True),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_log_work_id"), ["work_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_log_merge_id"), ["merge_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_log_merge_id"))
        batch_op.drop_index(batch_op.f("ix_merge_log_work_id"))
    op.drop_table("merge_log")
