"""cuts keep their options as JSON, segments their label fields

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

0001 made placeholder ``cuts`` and ``cut_segments`` tables that no btslog wrote to.  A cut now
keeps its options (query, order, handles, max segment, titles) as one JSON value, and each
segment the kind, scene, take, note, rating, circle and people of the tag it came from (so a
later tag edit does not change a cut silently).  The tables are made anew; any rows they hold
are carried over (the query into the options, the label fields from the tag where it exists).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _create_cuts() -> sa.Table:
    return op.create_table(
        "cuts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cuts")),
        sa.UniqueConstraint("name", name=op.f("uq_cuts_name")),
    )


def _create_segments() -> sa.Table:
    table = op.create_table(
        "cut_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cut_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("in_frame", sa.Integer(), nullable=False),
        sa.Column("out_frame", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("scene", sa.String(length=20), nullable=True),
        sa.Column("take", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("circled", sa.Boolean(), nullable=False),
        sa.Column("people_json", sa.Text(), nullable=False),
        sa.CheckConstraint("out_frame > in_frame", name=op.f("ck_cut_segments_out_after_in")),
        sa.CheckConstraint("in_frame >= 0", name=op.f("ck_cut_segments_in_not_negative")),
        sa.CheckConstraint("position >= 1", name=op.f("ck_cut_segments_positive_position")),
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
    with op.batch_alter_table("cut_segments", schema=None) as batch_op:
        batch_op.create_index("ix_cut_segments_clip_id", ["clip_id"], unique=False)
    return table


def upgrade() -> None:
    bind = op.get_bind()
    old_cuts = bind.execute(
        sa.text("SELECT id, name, query, settings_json, created_at, updated_at FROM cuts")
    ).mappings().all()  # fmt: skip
    old_segments = bind.execute(
        sa.text(
            "SELECT s.cut_id, s.position, s.clip_id, s.in_frame, s.out_frame, s.tag_id, "
            "t.kind, t.scene, t.take, t.note, t.rating, t.circled "
            "FROM cut_segments s LEFT JOIN tags t ON t.id = s.tag_id ORDER BY s.cut_id, s.position"
        )
    ).mappings().all()  # fmt: skip
    op.drop_table("cut_segments")
    op.drop_table("cuts")
    cuts = _create_cuts()
    segments = _create_segments()
    if old_cuts:
        rows = []
        for row in old_cuts:
            try:
                settings = json.loads(row["settings_json"] or "{}")
            except ValueError:
                settings = {}
            options = {**(settings if isinstance(settings, dict) else {}),
                       "query": row["query"] or ""}  # fmt: skip
            rows.append({"id": row["id"], "name": row["name"],
                         "options_json": json.dumps(options, sort_keys=True),
                         "created_at": row["created_at"], "updated_at": row["updated_at"]})  # fmt: skip
        op.bulk_insert(cuts, rows)
    if old_segments:
        positions: dict[int, int] = {}
        rows = []
        for row in old_segments:
            position = positions[row["cut_id"]] = positions.get(row["cut_id"], 0) + 1
            rows.append({
                "cut_id": row["cut_id"], "position": position, "clip_id": row["clip_id"],
                "in_frame": max(0, row["in_frame"]), "out_frame": row["out_frame"],
                "tag_id": row["tag_id"], "kind": row["kind"] or "take", "scene": row["scene"],
                "take": row["take"], "note": row["note"] or "", "rating": row["rating"],
                "circled": bool(row["circled"]), "people_json": "[]",
            })  # fmt: skip
        op.bulk_insert(segments, rows)


def downgrade() -> None:
    bind = op.get_bind()
    old_cuts = bind.execute(
        sa.text("SELECT id, name, options_json, created_at, updated_at FROM cuts")
    ).mappings().all()  # fmt: skip
    old_segments = bind.execute(
        sa.text("SELECT cut_id, position, clip_id, in_frame, out_frame, tag_id FROM cut_segments")
    ).mappings().all()  # fmt: skip
    with op.batch_alter_table("cut_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_cut_segments_clip_id")
    op.drop_table("cut_segments")
    op.drop_table("cuts")
    cuts = op.create_table(
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
    segments = op.create_table(
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
    if old_cuts:
        rows = []
        for row in old_cuts:
            options = json.loads(row["options_json"] or "{}")
            query = options.pop("query", "")
            rows.append({"id": row["id"], "name": row["name"], "query": query,
                         "settings_json": json.dumps(options, sort_keys=True),
                         "created_at": row["created_at"], "updated_at": row["updated_at"]})  # fmt: skip
        op.bulk_insert(cuts, rows)
    if old_segments:
        op.bulk_insert(segments, [dict(row) for row in old_segments])
