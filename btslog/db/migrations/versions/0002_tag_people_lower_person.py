"""index tag people by lower(person), for `btslog tags --who` at any case

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

``--who`` compares ``lower(person)``; the index on ``person`` itself could not answer that,
so every tag was tested in turn.  This index replaces it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tag_people_person", table_name="tag_people")
    op.create_index("ix_tag_people_lower_person", "tag_people", [sa.text("lower(person)")])


def downgrade() -> None:
    op.drop_index("ix_tag_people_lower_person", table_name="tag_people")
    op.create_index("ix_tag_people_person", "tag_people", ["person"], unique=False)
