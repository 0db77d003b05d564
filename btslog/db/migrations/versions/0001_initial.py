"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["audit_log.id"], name=op.f("fk_audit_log_undone_by_audit_log")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "clips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("camera", sa.String(length=50), nullable=True),
        sa.Column("roll", sa.String(length=50), nullable=True),
        sa.Column("operator", sa.String(length=100), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("container", sa.String(length=50), nullable=False),
        sa.Column("codec", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("rate_num", sa.Integer(), nullable=False),
        sa.Column("rate_den", sa.Integer(), nullable=False),
        sa.Column("vfr", sa.Boolean(), nullable=False),
        sa.Column("duration_frames", sa.Integer(), nullable=False),
        sa.Column("start_frame", sa.Integer(), nullable=False),
        sa.Column("drop_frame", sa.Boolean(), nullable=False),
        sa.Column("timecode_source", sa.String(length=20), nullable=False),
        sa.Column("reel", sa.String(length=100), nullable=True),
        sa.Column("creation_time", sa.String(length=40), nullable=True),
        sa.Column("audio_json", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("xxh64", sa.String(length=16), nullable=True),
        sa.Column("mhl_path", sa.Text(), nullable=True),
        sa.Column("proxy_path", sa.Text(), nullable=True),
        sa.Column("poster_path", sa.Text(), nullable=True),
        sa.Column("sheet_path", sa.Text(), nullable=True),
        sa.Column("sync_offset_frames", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint("duration_frames > 0", name=op.f("ck_clips_positive_duration")),
        sa.CheckConstraint("rate_num > 0 AND rate_den > 0", name=op.f("ck_clips_positive_rate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clips")),
        sa.UniqueConstraint("name", name=op.f("uq_clips_name")),
        sa.UniqueConstraint("path", name=op.f("uq_clips_path")),
    )
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.create_index("ix_clips_camera_day", ["camera", "day"], unique=False)

    op.create_table(
        "cuts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("preset", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cuts")),
        sa.UniqueConstraint("name", name=op.f("uq_cuts_name")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("consent", sa.String(length=20), nullable=False),
        sa.Column("release_ref", sa.String(length=100), nullable=True),
        sa.Column("signed_on", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "consent IN ('released', 'opted_out', 'pending')", name=op.f("ck_people_known_consent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("before", sa.String(length=20), nullable=True),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("release_ref", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_consent_events_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    op.create_table(
        "face_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("first_frame", sa.Integer(), nullable=False),
        sa.Column("last_frame", sa.Integer(), nullable=False),
        sa.Column("boxes", sa.LargeBinary(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=True),
        sa.Column("scan_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint("last_frame >= first_frame", name=op.f("ck_face_tracks_ordered_frames")),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_face_tracks_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_face_tracks_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_tracks")),
    )
    with op.batch_alter_table("face_tracks", schema=None) as batch_op:
        batch_op.create_index("ix_face_tracks_clip", ["clip_id"], unique=False)

    op.create_table(
        "person_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("added_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_photos_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_photos")),
        sa.UniqueConstraint("person_id", "sha256", name=op.f("uq_person_photos_person_id_sha256")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("in_frame", sa.Integer(), nullable=False),
        sa.Column("out_frame", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("scene", sa.String(length=20), nullable=True),
        sa.Column("take", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("circled", sa.Boolean(), nullable=False),
        sa.Column("ng", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("deleted_at", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "status IN ('suggested', 'accepted', 'rejected')", name=op.f("ck_tags_known_status")
        ),
        sa.CheckConstraint("in_frame >= 0", name=op.f("ck_tags_in_not_negative")),
        sa.CheckConstraint("out_frame > in_frame", name=op.f("ck_tags_out_after_in")),
        sa.CheckConstraint(
            "rating IS NULL OR (rating BETWEEN 1 AND 5)", name=op.f("ck_tags_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_tags_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index("ix_tags_clip_in", ["clip_id", "in_frame"], unique=False)
        batch_op.create_index("ix_tags_kind", ["kind"], unique=False)

    op.create_table(
        "cut_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cut_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("in_frame", sa.Integer(), nullable=False),
        sa.Column("out_frame", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.CheckConstraint("out_frame > in_frame", name=op.f("ck_cut_segments_out_after_in")),
        sa.ForeignKeyConstraint(
            ["clip_id"],
            ["clips.id"],
            name=op.f("fk_cut_segments_clip_id_clips"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["cut_id"], ["cuts.id"], name=op.f("fk_cut_segments_cut_id_cuts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_cut_segments_tag_id_tags"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cut_segments")),
        sa.UniqueConstraint("cut_id", "position", name=op.f("uq_cut_segments_cut_id_position")),
    )
    op.create_table(
        "tag_people",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_people_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tag_id", "person", name=op.f("pk_tag_people")),
    )
    with op.batch_alter_table("tag_people", schema=None) as batch_op:
        batch_op.create_index("ix_tag_people_person", ["person"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("tag_people", schema=None) as batch_op:
        batch_op.drop_index("ix_tag_people_person")

    op.drop_table("tag_people")
    op.drop_table("cut_segments")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index("ix_tags_kind")
        batch_op.drop_index("ix_tags_clip_in")

    op.drop_table("tags")
    op.drop_table("person_photos")
    with op.batch_alter_table("face_tracks", schema=None) as batch_op:
        batch_op.drop_index("ix_face_tracks_clip")

    op.drop_table("face_tracks")
    op.drop_table("consent_events")
    op.drop_table("people")
    op.drop_table("cuts")
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.drop_index("ix_clips_camera_day")

    op.drop_table("clips")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
