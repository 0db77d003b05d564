"""Clip rows: the only SQL that reads and writes ``clips``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from fractions import Fraction

from sqlalchemy import Connection, func, insert, or_, select, update

from btslog.db.schema import clips
from btslog.model import AudioStreamInfo, Clip, MediaInfo


def _to_clip(row) -> Clip:
    values = row._mapping
    return Clip(
        id=values["id"],
        name=values["name"],
        path=values["path"],
        source_path=values["source_path"],
        camera=values["camera"],
        roll=values["roll"],
        operator=values["operator"],
        day=values["day"],
        container=values["container"],
        codec=values["codec"],
        width=values["width"],
        height=values["height"],
        rate=Fraction(values["rate_num"], values["rate_den"]),
        vfr=bool(values["vfr"]),
        duration_frames=values["duration_frames"],
        start_frame=values["start_frame"],
        drop_frame=bool(values["drop_frame"]),
        timecode_source=values["timecode_source"],
        reel=values["reel"],
        creation_time=values["creation_time"],
        audio=tuple(AudioStreamInfo(**item) for item in json.loads(values["audio_json"])),
        size_bytes=values["size_bytes"],
        xxh64=values["xxh64"],
        mhl_path=values["mhl_path"],
        proxy_path=values["proxy_path"],
        poster_path=values["poster_path"],
        sheet_path=values["sheet_path"],
        sync_offset_frames=values["sync_offset_frames"],
        added_at=values["added_at"],
    )


def media_columns(info: MediaInfo) -> dict:
    """Column values that come from probing a file."""
    return {
        "container": info.container,
        "codec": info.codec,
        "width": info.width,
        "height": info.height,
        "rate_num": info.rate.numerator,
        "rate_den": info.rate.denominator,
        "vfr": info.vfr,
        "duration_frames": info.duration_frames,
        "start_frame": info.start_frame,
        "drop_frame": info.drop_frame,
        "timecode_source": info.timecode_source,
        "reel": info.reel,
        "creation_time": info.creation_time,
        "audio_json": json.dumps([vars(stream) for stream in info.audio]),
        "size_bytes": info.size_bytes,
    }


def insert_clip(connection: Connection, values: dict) -> int:
    return connection.execute(insert(clips).values(**values)).inserted_primary_key[0]


def update_clip(connection: Connection, clip_id: int, values: dict) -> None:
    connection.execute(update(clips).where(clips.c.id == clip_id).values(**values))


def get_clip(connection: Connection, clip_id: int) -> Clip | None:
    row = connection.execute(select(clips).where(clips.c.id == clip_id)).first()
    return _to_clip(row) if row else None


def clips_by_ids(connection: Connection, clip_ids: Iterable[int]) -> dict[int, Clip]:
    """The clips with these ids (id -> clip): only those, however many the project holds."""
    wanted = sorted(set(clip_ids))
    found: dict[int, Clip] = {}
    for start in range(0, len(wanted), 900):  # SQLite before 3.32 takes 999 parameters
        query = select(clips).where(clips.c.id.in_(wanted[start : start + 900]))
        found.update((row.id, _to_clip(row)) for row in connection.execute(query))
    return found


def clips_matching(
    connection: Connection, reference: str, paths: Sequence[str] = (), *, prefix: bool = False
) -> list[Clip]:
    """Clips whose name equals (or with ``prefix``, starts with) ``reference``, case-insensitively,
    or whose path is in ``paths``."""
    name = func.lower(clips.c.name)
    condition = (
        name.like(_escape_like(reference.lower()) + "%", escape="\\")
        if prefix
        else (name == reference.lower())
    )
    if paths:
        condition = or_(condition, clips.c.path.in_(list(paths)))
    return [_to_clip(row) for row in connection.execute(select(clips).where(condition))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def clip_names_like(connection: Connection, stem: str) -> set[str]:
    rows = connection.execute(
        select(clips.c.name).where(
            func.lower(clips.c.name).like(_escape_like(stem.lower()) + "%", escape="\\")
        )
    )
    return {row[0].lower() for row in rows}


def clip_by_path(connection: Connection, path: str) -> Clip | None:
    row = connection.execute(select(clips).where(clips.c.path == path)).first()
    return _to_clip(row) if row else None


def list_clips(
    connection: Connection,
    *,
    camera: str | None = None,
    day: str | None = None,
    roll: str | None = None,
) -> list[Clip]:
    query = select(clips)
    if camera:
        query = query.where(func.lower(clips.c.camera) == camera.lower())
    if day:
        query = query.where(clips.c.day == day)
    if roll:
        query = query.where(func.lower(clips.c.roll) == roll.lower())
    query = query.order_by(clips.c.day, clips.c.camera, clips.c.start_frame, clips.c.name)
    return [_to_clip(row) for row in connection.execute(query)]
