"""automatic analysis: cached analyzer results, suggestion confidence, sync, transcripts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

``analyses`` caches what an analyzer found in a media file, keyed by the file's content hash
(and the second file's, for the sync of two clips), the analyzer, its version and its
parameters, so a second ``btslog analyze`` with nothing changed decodes nothing.
``tag_detections`` keeps the analyzer's confidence for the tags it suggested, ``clip_sync`` how
each clip's ``sync_offset_frames`` was found, and ``transcript_segments`` what was said.
New tables only: nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("other_hash", sa.String(length=64), nullable=False),
        sa.Column("analyzer", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("params_key", sa.String(length=64), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyses")),
        sa.UniqueConstraint(
            "file_hash", "other_hash", "analyzer", "version", "params_key",
            name=op.f("uq_analyses_file_hash_other_hash_analyzer_version_params_key"),
        ),
    )  # fmt: skip
    op.create_table(
        "tag_detections",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_detections_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tag_id", name=op.f("pk_tag_detections")),
    )
    op.create_table(
        "clip_sync",
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("reference_camera", sa.String(length=50), nullable=False),
        sa.Column("matched_clip_id", sa.Integer(), nullable=True),
        sa.Column("offset_seconds", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_clip_sync_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["matched_clip_id"], ["clips.id"], name=op.f("fk_clip_sync_matched_clip_id_clips"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("clip_id", name=op.f("pk_clip_sync")),
    )  # fmt: skip
    op.create_table(
        "transcript_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("start_sample", sa.Integer(), nullable=False),
        sa.Column("end_sample", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "end_sample > start_sample", name=op.f("ck_transcript_segments_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_transcript_segments_clip_id_clips"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_segments")),
    )  # fmt: skip
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transcript_segments_clip_start", ["clip_id", "start_sample"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_transcript_segments_clip_start")
    op.drop_table("transcript_segments")
    op.drop_table("clip_sync")
    op.drop_table("tag_detections")
    op.drop_table("analyses")
