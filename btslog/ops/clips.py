"""Registering clips in place, listing them, and finding one from what a user typed."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from btslog.clock import now_iso
from btslog.errors import BtslogError, InvalidInput, NotFound
from btslog.model import Clip, MediaInfo
from btslog.ops.project import Project


@dataclass(frozen=True)
class ItemResult:
    """What happened to one file of a batch: ``added``, ``skipped`` or ``failed``."""

    path: str
    status: str
    reason: str = ""
    clip: Clip | None = None


def unique_name(stem: str, taken: set[str]) -> str:
    """``stem`` or ``stem_2``, ``stem_3``, ... whichever is not in ``taken`` (lowercase names)."""
    stem = re.sub(r"\s+", "_", stem.strip()) or "clip"
    if stem.lower() not in taken:
        return stem
    number = 2
    while f"{stem}_{number}".lower() in taken:
        number += 1
    return f"{stem}_{number}"


def day_of(info: MediaInfo) -> str | None:
    """The shoot day from the file's creation time (``YYYY-MM-DD``), if it records one."""
    if info.creation_time and re.match(r"^\d{4}-\d{2}-\d{2}", info.creation_time):
        return info.creation_time[:10]
    return None


def check_day(day: str | None) -> str | None:
    """A shoot day as ``YYYY-MM-DD`` (a real calendar date), or a clear error."""
    import datetime

    if day is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            datetime.date.fromisoformat(day)
            return day
    except ValueError:
        pass
    raise InvalidInput(f"--day {day!r} is not a date written as YYYY-MM-DD", hint="e.g. 2026-11-20")


def register_clip(
    project: Project,
    info: MediaInfo,
    *,
    xxh64: str | None,
    source_path: str | None = None,
    camera: str | None = None,
    roll: str | None = None,
    operator: str | None = None,
    day: str | None = None,
    mhl_path: str | None = None,
) -> Clip:
    """Insert one probed file as a clip (with an audit entry) in one transaction."""
    from btslog.db import audit
    from btslog.db import clips as clip_rows

    stored = project.stored_path(Path(info.path))
    with project.db.write() as connection:
        existing = clip_rows.clip_by_path(connection, stored)
        if existing is not None:
            return existing
        stem = Path(info.path).stem
        name = unique_name(stem, clip_rows.clip_names_like(connection, stem))
        values = clip_rows.media_columns(info) | {
            "name": name,
            "path": stored,
            "source_path": source_path,
            "camera": camera,
            "roll": roll,
            "operator": operator,
            "day": day or day_of(info),
            "xxh64": xxh64,
            "mhl_path": mhl_path,
            "added_at": now_iso(),
        }
        clip_id = clip_rows.insert_clip(connection, values)
        clip = clip_rows.get_clip(connection, clip_id)
        audit.record(
            connection,
            author=project.author,
            action="clip.add",
            entity="clip",
            entity_id=clip_id,
            after={"name": name, "path": stored, "xxh64": xxh64},
        )
    return clip


def add_clips(
    project: Project,
    paths: Iterable[str | os.PathLike],
    *,
    camera: str | None = None,
    roll: str | None = None,
    operator: str | None = None,
    day: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> list[ItemResult]:
    """Register files (or every media file in folders) in place, with probe data and xxh64.

    Each file succeeds or fails on its own; a failed file is not registered.
    """
    from btslog.db import clips as clip_rows
    from btslog.ingest.discover import find_media
    from btslog.ingest.hashing import xxh64_file
    from btslog.media.probe import probe

    check_day(day)
    files = find_media(paths)
    if not files:
        raise NotFound(
            "no media files found in " + ", ".join(str(path) for path in paths),
            hint="name clip files or folders holding them",
        )
    results: list[ItemResult] = []
    for path in files:
        if on_file is not None:
            on_file(path)
        stored = project.stored_path(path)
        with project.db.read() as connection:
            known = clip_rows.clip_by_path(connection, stored)
        if known is not None:
            results.append(ItemResult(str(path), "skipped", "already registered", known))
            continue
        try:
            info = probe(path)
            checksum = xxh64_file(path)
        except BtslogError as error:
            results.append(ItemResult(str(path), "failed", error.message))
            continue
        except OSError as error:
            results.append(ItemResult(str(path), "failed", f"{path}: {error.strerror}"))
            continue
        clip = register_clip(
            project, info, xxh64=checksum, camera=camera, roll=roll, operator=operator, day=day
        )
        results.append(ItemResult(str(path), "added", "", clip))
    return results


def list_clips(
    project: Project, *, camera: str | None = None, day: str | None = None, roll: str | None = None
) -> list[Clip]:
    from btslog.db import clips as clip_rows

    with project.db.read() as connection:
        return clip_rows.list_clips(connection, camera=camera, day=day, roll=roll)


def resolve_clip(project: Project, reference: str) -> Clip:
    """The clip a user means by ``reference``: its id, its name, its file's path, or the
    start of its name when no other clip's name starts the same way."""
    from btslog.db import clips as clip_rows

    reference = reference.strip()
    with project.db.read() as connection:
        if reference.isdigit():
            clip = clip_rows.get_clip(connection, int(reference))
            if clip is not None:
                return clip
        candidates = {project.stored_path(Path(reference)), reference}
        matches = clip_rows.clips_matching(connection, reference, sorted(candidates))
        if not matches:  # the start of a name is enough when only one clip has it
            matches = clip_rows.clips_matching(connection, reference, prefix=True)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(
            f"no clip {reference!r} in this project",
            hint="see `btslog clips` for names and ids",
        )
    names = ", ".join(f"{clip.name} (id {clip.id})" for clip in matches)
    raise InvalidInput(
        f"clip name {reference!r} is ambiguous: it matches {names}",
        hint="type more of the name, or use the clip's id",
    )


def clip_row(clip: Clip) -> dict:
    """A clip as a row with stable field names (JSON, CSV, table).  ``start_tc``/``end_tc`` are
    on the synced clock (btslog.ops.sync; ``btslog sync --report`` shows the camera's own)."""
    from btslog.ops.sync import synced_start_frame
    from btslog.timecode import format_timecode, rate_label

    start = synced_start_frame(clip)
    end_label = start + clip.duration_frames
    return {
        "id": clip.id,
        "name": clip.name,
        "path": clip.path,
        "camera": clip.camera,
        "roll": clip.roll,
        "operator": clip.operator,
        "day": clip.day,
        "rate": f"{clip.rate.numerator}/{clip.rate.denominator}",
        "rate_label": rate_label(clip.rate),
        "drop_frame": clip.drop_frame,
        "vfr": clip.vfr,
        "start_tc": format_timecode(start, clip.rate, clip.drop_frame),
        "end_tc": format_timecode(end_label, clip.rate, clip.drop_frame),
        "duration_frames": clip.duration_frames,
        "duration_tc": format_timecode(clip.duration_frames, clip.rate, clip.drop_frame),
        "timecode_source": clip.timecode_source,
        "width": clip.width,
        "height": clip.height,
        "codec": clip.codec,
        "container": clip.container,
        "audio": [
            f"{stream.codec} {stream.channels}ch {stream.sample_rate} Hz" for stream in clip.audio
        ],
        "reel": clip.reel,
        "creation_time": clip.creation_time,
        "size_bytes": clip.size_bytes,
        "xxh64": clip.xxh64,
        "source_path": clip.source_path,
    }
