"""The project database schema (SQLAlchemy Core).

Migrations in ``btslog/db/migrations/versions`` create and change these tables; a test checks
that the migrated database and this metadata agree.  Frame numbers are integers counted from
a clip's first frame (``out_frame`` exclusive); rates are stored as numerator/denominator.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

clips = Table(
    "clips",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("path", Text, nullable=False, unique=True),
    Column("source_path", Text),
    Column("camera", String(50)),
    Column("roll", String(50)),
    Column("operator", String(100)),
    Column("day", String(10)),
    Column("container", String(50), nullable=False),
    Column("codec", String(50), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("rate_num", Integer, nullable=False),
    Column("rate_den", Integer, nullable=False),
    Column("vfr", Boolean, nullable=False, default=False),
    Column("duration_frames", Integer, nullable=False),
    Column("start_frame", Integer, nullable=False, default=0),
    Column("drop_frame", Boolean, nullable=False, default=False),
    Column("timecode_source", String(20), nullable=False, default="none"),
    Column("reel", String(100)),
    Column("creation_time", String(40)),
    Column("audio_json", Text, nullable=False, default="[]"),
    Column("size_bytes", Integer, nullable=False),
    Column("xxh64", String(16)),
    Column("mhl_path", Text),
    Column("proxy_path", Text),
    Column("poster_path", Text),
    Column("sheet_path", Text),
    Column("sync_offset_frames", Integer, nullable=False, default=0),
    Column("added_at", String(40), nullable=False),
    CheckConstraint("duration_frames > 0", name="positive_duration"),
    CheckConstraint("rate_num > 0 AND rate_den > 0", name="positive_rate"),
)
Index("ix_clips_camera_day", clips.c.camera, clips.c.day)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("clip_id", Integer, ForeignKey("clips.id", ondelete="CASCADE"), nullable=False),
    Column("in_frame", Integer, nullable=False),
    Column("out_frame", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("scene", String(20)),
    Column("take", String(20)),
    Column("note", Text, nullable=False, default=""),
    Column("rating", Integer),
    Column("circled", Boolean, nullable=False, default=False),
    Column("ng", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False, default="accepted"),
    Column("source", String(60), nullable=False, default="manual"),
    Column("author", String(100)),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("deleted_at", String(40)),
    CheckConstraint("out_frame > in_frame", name="out_after_in"),
    CheckConstraint("in_frame >= 0", name="in_not_negative"),
    CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
    CheckConstraint("status IN ('suggested', 'accepted', 'rejected')", name="known_status"),
)
Index("ix_tags_clip_in", tags.c.clip_id, tags.c.in_frame)
Index("ix_tags_kind", tags.c.kind)

tag_people = Table(
    "tag_people",
    metadata,
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("person", String(100), primary_key=True),
)
# `btslog tags --who` matches names case-insensitively: an index on lower(person) answers it
# (migration 0002; an index on person itself cannot serve lower(person) = ?).
Index("ix_tag_people_lower_person", func.lower(tag_people.c.person))

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(100)),
    Column("consent", String(20), nullable=False, default="pending"),
    Column("release_ref", String(100)),
    Column("signed_on", String(10)),
    Column("created_at", String(40), nullable=False),
    CheckConstraint("consent IN ('released', 'opted_out', 'pending')", name="known_consent"),
)

person_photos = Table(
    "person_photos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("embedding", LargeBinary),
    Column("model", String(100)),
    Column("added_at", String(40), nullable=False),
    UniqueConstraint("person_id", "sha256"),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("at", String(40), nullable=False),
    Column("author", String(100), nullable=False),
    Column("before", String(20)),
    Column("after", String(20), nullable=False),
    Column("release_ref", String(100)),
    Column("note", Text),
)

face_tracks = Table(
    "face_tracks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("clip_id", Integer, ForeignKey("clips.id", ondelete="CASCADE"), nullable=False),
    Column("first_frame", Integer, nullable=False),
    Column("last_frame", Integer, nullable=False),
    Column("boxes", LargeBinary, nullable=False),  # per-frame boxes, see faces.track
    Column("embedding", LargeBinary),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("confidence", Integer),  # similarity x 1000
    Column("assigned_by", String(100)),  # set when an editor overrode the machine
    Column("scan_key", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    CheckConstraint("last_frame >= first_frame", name="ordered_frames"),
)
Index("ix_face_tracks_clip", face_tracks.c.clip_id)

# A cut: its options (the selection query, order, handles ... as JSON, see cut.model.CutOptions)
# and its segments in order.  A segment copies the label fields of the tag it came from, so a
# later tag edit does not change a cut silently; ``tag_id`` is kept only to point back.
cuts = Table(
    "cuts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("options_json", Text, nullable=False, default="{}"),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

cut_segments = Table(
    "cut_segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cut_id", Integer, ForeignKey("cuts.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),  # 1, 2, 3 ... as `btslog cut show` numbers
    Column("clip_id", Integer, ForeignKey("clips.id", ondelete="RESTRICT"), nullable=False),
    Column("in_frame", Integer, nullable=False),
    Column("out_frame", Integer, nullable=False),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="SET NULL")),
    Column("kind", String(40), nullable=False),
    Column("scene", String(20)),
    Column("take", String(20)),
    Column("note", Text, nullable=False, default=""),
    Column("rating", Integer),
    Column("circled", Boolean, nullable=False, default=False),
    Column("people_json", Text, nullable=False, default="[]"),
    CheckConstraint("out_frame > in_frame", name="out_after_in"),
    CheckConstraint("in_frame >= 0", name="in_not_negative"),
    CheckConstraint("position >= 1", name="positive_position"),
    UniqueConstraint("cut_id", "position"),
)
Index("ix_cut_segments_clip_id", cut_segments.c.clip_id)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), nullable=False),
    Column("author", String(100), nullable=False),
    Column("action", String(40), nullable=False),  # e.g. "tag.add", "clip.add", "person.consent"
    Column("entity", String(40), nullable=False),
    Column("entity_id", Integer),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("undone_by", Integer, ForeignKey("audit_log.id")),
)
Index("ix_audit_log_entity", audit_log.c.entity, audit_log.c.entity_id)

# --- automatic analysis (migration 0004) ------------------------------------------------------

# Analyzer results, cached by what they are a function of: the media file's content hash (and,
# for the sync of two clips, the other file's), the analyzer, its version and its parameters
# (``params_key``: a hash of the parameters as canonical JSON).  ``data_json`` is the result
# as the analyzer documents it (btslog.analyze.model.Analysis.data).
analyses = Table(
    "analyses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_hash", String(64), nullable=False),
    Column("other_hash", String(64), nullable=False, default=""),
    Column("analyzer", String(20), nullable=False),
    Column("version", String(20), nullable=False),
    Column("params_key", String(64), nullable=False),
    Column("params_json", Text, nullable=False),
    Column("data_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("file_hash", "other_hash", "analyzer", "version", "params_key"),
)

# How sure the analyzer was of a suggested tag (0..1), for tags it suggested.
tag_detections = Table(
    "tag_detections",
    metadata,
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("confidence", Float),
)

# How a clip's ``sync_offset_frames`` was found: against which clip of the reference camera,
# the exact offset in seconds (a fraction as text), the analyzer's confidence, and the method
# (``reference``: a clip of the reference camera; ``audio``: cross-correlation with an
# overlapping clip; ``camera``: the median of its camera's other clips).
clip_sync = Table(
    "clip_sync",
    metadata,
    Column("clip_id", Integer, ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True),
    Column("reference_camera", String(50), nullable=False),
    Column("matched_clip_id", Integer, ForeignKey("clips.id", ondelete="SET NULL")),
    Column("offset_seconds", String(40), nullable=False),
    Column("confidence", Float),
    Column("method", String(20), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# What was said, per clip (from the transcribe analyzer): samples at 48 kHz from the clip's
# first audio sample; searched by ``btslog search``.
transcript_segments = Table(
    "transcript_segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("clip_id", Integer, ForeignKey("clips.id", ondelete="CASCADE"), nullable=False),
    Column("start_sample", Integer, nullable=False),
    Column("end_sample", Integer, nullable=False),
    Column("text", Text, nullable=False),
    CheckConstraint("end_sample > start_sample", name="end_after_start"),
)
Index("ix_transcript_segments_clip_start", transcript_segments.c.clip_id,
      transcript_segments.c.start_sample)  # fmt: skip
