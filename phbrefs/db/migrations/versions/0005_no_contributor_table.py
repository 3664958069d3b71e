"""no contributor table: a work's people live in its record (work.data) and its search row

The table copied every person of every work into rows that nothing read (listing, search,
citing and de-duplication all read the record), while each import, add and merge wrote them:
an eighth of storing a large import, and two indexes kept up for no query.

Revision ID: 0005_no_contributor_table
Revises: 0003_enrichment
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005_no_contributor_table"
down_revision = "0003_enrichment"
branch_labels = None
depends_on = None

_BATCH = 5000  # rows per insert when the table is rebuilt


def upgrade() -> None:
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.drop_index("ix_contributor_work_position")
        batch_op.drop_index(batch_op.f("ix_contributor_family"))
    op.drop_table("contributor")


def downgrade() -> None:
    """The table as revision 0003 had it, filled again from each work's record."""
    table = op.create_table(
        "contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("given", sa.String(), nullable=True),
        sa.Column("family", sa.String(), nullable=True),
        sa.Column("literal", sa.String(), nullable=True),
        sa.Column("orcid", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contributor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contributor_family"), ["family"], unique=False)
        batch_op.create_index("ix_contributor_work_position", ["work_id", "position"], unique=False)
    rows = []
    works = op.get_bind().execute(sa.text("SELECT id, data FROM work ORDER BY id")).all()
    for work_id, data in works:
        record = json.loads(data) if isinstance(data, str) else data
        for position, person in enumerate(record.get("contributors") or []):
            rows.append(
                {
                    "work_id": work_id,
                    "position": position,
                    "role": person.get("role") or "author",
                    **{part: person.get(part) for part in ("given", "family", "literal", "orcid")},
                }
            )
            if len(rows) >= _BATCH:
                op.bulk_insert(table, rows)
                rows = []
    if rows:
        op.bulk_insert(table, rows)
