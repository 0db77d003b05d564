"""Automatic analysis: the only SQL for cached analyzer results, the confidence of suggested
tags, how clips were synced, and transcripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, func, insert, select

from btslog.clock import now_iso
from btslog.db.schema import (
    analyses,
    audit_log,
    clip_sync,
    clips,
    tag_detections,
    transcript_segments,
)
from btslog.db.tags import CLIP_ORDER

_CHUNK = 900  # bound parameters in one IN list (SQLite before 3.32 takes 999 a statement)


# --- the cache --------------------------------------------------------------------------------


def _key_conditions(file_hash: str, other_hash: str, analyzer: str, version: str,
                    params_key: str) -> list:  # fmt: skip
    return [analyses.c.file_hash == file_hash, analyses.c.other_hash == other_hash,
            analyses.c.analyzer == analyzer, analyses.c.version == version,
            analyses.c.params_key == params_key]  # fmt: skip


def cached(connection: Connection, file_hash: str, other_hash: str, analyzer: str, version: str,
           params_key: str) -> dict | None:  # fmt: skip
    """The stored result (``data``) under that key, or None."""
    row = connection.execute(
        select(analyses.c.data_json).where(
            *_key_conditions(file_hash, other_hash, analyzer, version, params_key)
        )
    ).first()
    return json.loads(row[0]) if row else None


def store(connection: Connection, file_hash: str, other_hash: str, analyzer: str, version: str,
          params_key: str, params: dict, data: dict) -> None:  # fmt: skip
    """Store one result, replacing a result stored under the same key."""
    conditions = _key_conditions(file_hash, other_hash, analyzer, version, params_key)
    connection.execute(delete(analyses).where(*conditions))
    connection.execute(
        insert(analyses).values(
            file_hash=file_hash, other_hash=other_hash, analyzer=analyzer, version=version,
            params_key=params_key, params_json=json.dumps(params, sort_keys=True),
            data_json=json.dumps(data, sort_keys=True), created_at=now_iso(),
        )
    )  # fmt: skip


def count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(analyses)).scalar_one()


# --- confidence of suggested tags -------------------------------------------------------------


def set_confidences(connection: Connection, pairs: Iterable[tuple[int, float | None]]) -> None:
    rows = [{"tag_id": tag_id, "confidence": confidence} for tag_id, confidence in pairs]
    if rows:
        connection.execute(insert(tag_detections), rows)


def confidences(connection: Connection, tag_ids: Iterable[int]) -> dict[int, float | None]:
    wanted = sorted(set(tag_ids))
    found: dict[int, float | None] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(tag_detections).where(
            tag_detections.c.tag_id.in_(wanted[start : start + _CHUNK])
        )
        found.update((row.tag_id, row.confidence) for row in connection.execute(query))
    return found


def edited_tags(connection: Connection, tag_ids: Sequence[int]) -> set[int]:
    """Those of ``tag_ids`` an editor changed (a ``tag.edit`` in the audit log)."""
    wanted = sorted(set(tag_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        query = select(audit_log.c.entity_id).where(
            audit_log.c.action == "tag.edit",
            audit_log.c.entity == "tag",
            audit_log.c.entity_id.in_(wanted[start : start + _CHUNK]),
        )
        found.update(connection.execute(query).scalars())
    return found


# --- sync ---------------------------------------------------------------------------------


def replace_sync(connection: Connection, rows: Sequence[dict]) -> None:
    """Forget how every clip was synced, then store ``rows`` (``clip_sync`` columns)."""
    connection.execute(delete(clip_sync))
    if rows:
        connection.execute(insert(clip_sync), [dict(row) for row in rows])


def sync_rows(connection: Connection) -> dict[int, dict]:
    """clip id -> how its offset was found (the ``clip_sync`` columns)."""
    return {row.clip_id: dict(row._mapping) for row in connection.execute(select(clip_sync))}


# --- transcripts ---------------------------------------------------------------------------


def replace_transcript(connection: Connection, clip_id: int, segments: Sequence[dict]) -> None:
    """The clip's transcript becomes ``segments`` (``start_sample``, ``end_sample``, ``text``)."""
    connection.execute(delete(transcript_segments).where(transcript_segments.c.clip_id == clip_id))
    rows = [{"clip_id": clip_id, "start_sample": int(segment["start_sample"]),
             "end_sample": int(segment["end_sample"]), "text": str(segment["text"]).strip()}
            for segment in segments
            if int(segment["end_sample"]) > int(segment["start_sample"])
            and str(segment["text"]).strip()]  # fmt: skip
    if rows:
        connection.execute(insert(transcript_segments), rows)


def transcript(connection: Connection, clip_id: int) -> list[dict]:
    query = (
        select(transcript_segments)
        .where(transcript_segments.c.clip_id == clip_id)
        .order_by(transcript_segments.c.start_sample, transcript_segments.c.id)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def clips_with_transcripts(connection: Connection) -> set[int]:
    return set(connection.execute(select(transcript_segments.c.clip_id).distinct()).scalars())


def search_transcripts(connection: Connection, words: Sequence[str], *,
                       clip_ids: Sequence[int] | None = None) -> list[dict]:  # fmt: skip
    """Segments holding every one of ``words`` (any case), by clip then time."""
    from btslog.db.tags import _like_pattern  # the same escaping as the search in tag notes

    conditions = [func.lower(transcript_segments.c.text).like(_like_pattern(word), escape="\\")
                  for word in words]  # fmt: skip
    if clip_ids is not None:
        if not clip_ids:
            return []
        conditions.append(transcript_segments.c.clip_id.in_(list(clip_ids)))
    query = (
        select(transcript_segments)
        .join(clips, clips.c.id == transcript_segments.c.clip_id)
        .where(*conditions)
        .order_by(*CLIP_ORDER, transcript_segments.c.start_sample)
    )
    return [dict(row._mapping) for row in connection.execute(query)]
