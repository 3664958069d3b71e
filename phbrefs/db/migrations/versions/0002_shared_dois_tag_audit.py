"""a DOI may be shared by distinct works; who tagged a work, and when

Conference supplements, journal issues and books give one DOI to many different works, so the
DOI is indexed but no longer unique (``phbrefs add`` still treats a stored DOI as the same work).
Plain index and column changes: no table rebuild, which on SQLite would cascade deletes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_work_doi", table_name="work")
    op.create_index("ix_work_doi", "work", ["doi"], unique=False)
    op.add_column("work_tag", sa.Column("tagged_by", sa.String(), nullable=True))
    op.add_column("work_tag", sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_tag") as batch_op:
        batch_op.drop_column("tagged_at")
        batch_op.drop_column("tagged_by")
    op.drop_index("ix_work_doi", table_name="work")
    op.create_index("ix_work_doi", "work", ["doi"], unique=True)
