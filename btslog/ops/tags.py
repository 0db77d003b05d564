"""Logging by timecode: tags on clips, their list, the take list, history and undo.

What an editor types is a :class:`TagSpec` (timecode strings as typed); :func:`prepare` checks
it against the clip (kind, range inside the clip, timecode that exists at the clip's rate and
drop-frame mode) and turns it into frames.  Every change writes an audit entry with the tag
before and after, in the same transaction, so ``btslog history`` shows it and ``btslog undo``
can revert it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from btslog.errors import InvalidInput, NotFound, TimecodeError
from btslog.model import Clip, Tag
from btslog.ops.project import Project

if TYPE_CHECKING:
    from sqlalchemy import Connection

_KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_TAKE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,19}$")


@dataclass(frozen=True)
class TagSpec:
    """A tag as an editor gives it: a clip (or a camera and a time of day) and typed times."""

    in_text: str
    kind: str
    out_text: str | None = None
    duration: str | None = None
    clip: str | None = None  # name, id or path; None: found from camera + time of day
    camera: str | None = None
    day: str | None = None
    note: str = ""
    scene: str | None = None
    take: str | None = None
    rating: int | None = None
    circled: bool = False
    ng: bool = False
    people: tuple[str, ...] = ()
    status: str = "accepted"
    source: str = "manual"
    # Times of day are read on the synced clock, as btslog shows them; True reads them on the
    # camera's own timecode (marker files from an NLE, which knows only the media's timecode).
    camera_clock: bool = False


@dataclass(frozen=True)
class TagChanges:
    """What ``btslog tag edit`` changes; ``None`` leaves a field as it is."""

    in_text: str | None = None
    out_text: str | None = None
    duration: str | None = None
    kind: str | None = None
    note: str | None = None
    scene: str | None = None
    take: str | None = None
    rating: int | None = None
    circled: bool | None = None
    ng: bool | None = None
    people: tuple[str, ...] | None = None
    status: str | None = None


# --- kinds -----------------------------------------------------------------------------------


def known_kinds(project: Project) -> dict[str, str]:
    """Tag kinds (name -> description): the shipped ones plus ``[kinds.*]`` in btslog.toml."""
    from btslog.presets import load_toml, merged

    kinds = merged(load_toml("kinds.toml").get("kinds", {}), project.config.get("kinds", {}))
    return {name: (value or {}).get("description", "") for name, value in kinds.items()}


def check_kind(project: Project, kind: str) -> str:
    name = (kind or "").strip().lower()
    kinds = known_kinds(project)
    if name not in kinds or not _KIND_RE.match(name):
        raise InvalidInput(
            f"unknown kind {kind!r}",
            hint="known kinds: " + ", ".join(sorted(kinds))
            + "; add one to btslog.toml as [kinds.NAME]",
        )  # fmt: skip
    return name


# --- finding clips and ranges ----------------------------------------------------------------


def _start(clip: Clip, camera_clock: bool = False) -> int:
    """The label count of the clip's first frame: on the synced clock (what btslog shows and
    reads, see btslog.ops.sync), or with ``camera_clock`` the camera's own timecode."""
    from btslog.ops.sync import synced_start_frame

    return clip.start_frame if camera_clock else synced_start_frame(clip)


def _label(clip: Clip, offset: int) -> str:
    from btslog.timecode import timecode_formatter

    return timecode_formatter(clip.rate, clip.drop_frame)(_start(clip) + offset)


def clip_span(clip: Clip) -> str:
    return f"{_label(clip, 0)}-{_label(clip, clip.duration_frames)}"


def _offset_of(clip: Clip, text: str, what: str, camera_clock: bool = False) -> int:
    """Frames from the clip's first frame to the position ``text`` (time of day or offset)."""
    from btslog.timecode import parse_position

    try:
        position = parse_position(text, clip.rate, clip.drop_frame)
    except TimecodeError as error:
        mode = "drop-frame (write ;)" if clip.drop_frame else "non-drop-frame (write :)"
        raise TimecodeError(
            f"{what} {text!r} for clip {clip.name}: {error.message}",
            hint=error.hint or f"{clip.name} runs at {clip.rate} {mode}",
        ) from None
    return position.offset_in_clip(_start(clip, camera_clock), clip.rate, clip.drop_frame)


def clip_range(
    clip: Clip,
    in_text: str,
    out_text: str | None = None,
    duration: str | None = None,
    *,
    camera_clock: bool = False,
) -> tuple[int, int]:
    """(in_frame, out_frame) in ``clip`` for typed in/out (out exclusive) or in + duration.

    Without out and duration the tag marks the one frame at ``in``.  Times of day are on the
    synced clock unless ``camera_clock``.
    """
    from btslog.timecode import parse_duration

    if out_text is not None and duration is not None:
        raise InvalidInput("give OUT or --dur, not both")
    in_frame = _offset_of(clip, in_text, "in", camera_clock)
    if out_text is not None:
        out_frame = _offset_of(clip, out_text, "out", camera_clock)
    elif duration is not None:
        try:
            out_frame = in_frame + parse_duration(duration, clip.rate)
        except TimecodeError as error:
            raise TimecodeError(f"--dur {duration!r}: {error.message}", hint=error.hint) from None
    else:
        out_frame = in_frame + 1
    outside = not (0 <= in_frame < clip.duration_frames and out_frame <= clip.duration_frames)
    if out_frame <= in_frame and not outside:
        raise InvalidInput(
            f"out {out_text or duration} is not after in {in_text} on clip {clip.name}",
            hint="the out point is exclusive: the first frame after the range",
        )
    if outside:
        raise InvalidInput(
            f"{in_text}" + (f"-{out_text}" if out_text else "") + f" is outside clip "
            f"{clip.name} ({clip_span(clip)})",
            hint="give a time of day inside the clip, or an offset such as +10s",
        )
    return in_frame, out_frame


def clip_at(project: Project, text: str, *, camera: str | None = None, day: str | None = None,
            camera_clock: bool = False) -> Clip:  # fmt: skip
    """The clip (of ``camera``, on ``day``) whose time-of-day range covers timecode ``text``
    (on the synced clock, unless ``camera_clock``)."""
    from btslog.db import clips as clip_rows
    from btslog.timecode import looks_like_timecode, parse_timecode

    if not looks_like_timecode(text):
        raise TimecodeError(f"--at {text!r} is not a time-of-day timecode",
                            hint="write it as 14:05:10:00 (or 14:05:10;00 drop-frame)")  # fmt: skip
    with project.db.read() as connection:
        candidates = clip_rows.list_clips(connection, camera=camera, day=day)
    covering = []
    errors = []
    for clip in candidates:
        try:
            label = parse_timecode(text, clip.rate, clip.drop_frame)
        except TimecodeError as error:
            errors.append(f"{clip.name}: {error.message}")
            continue
        from btslog.timecode import frames_since

        start = _start(clip, camera_clock)
        if frames_since(start, label, clip.rate, clip.drop_frame) < clip.duration_frames:
            covering.append(clip)
    where = " ".join(part for part in (f"camera {camera}" if camera else "",
                                       f"on {day}" if day else "") if part)  # fmt: skip
    if not covering:
        reason = f" ({errors[0]})" if errors and len(errors) == len(candidates) else ""
        raise NotFound(
            f"no clip {where + ' ' if where else ''}covers {text}{reason}",
            hint="see `btslog clips` for each clip's start and end",
        )
    if len(covering) > 1:
        names = ", ".join(f"{clip.name} (camera {clip.camera}, {clip.day})" for clip in covering)
        raise InvalidInput(
            f"{text} is covered by several clips: {names}",
            hint="say which with --camera (and --day), or name the clip",
        )
    return covering[0]


# --- rows ------------------------------------------------------------------------------------


def _snapshot(values: dict, people: Iterable[str]) -> dict:
    return {**values, "people": sorted(set(people))}


def _check_details(spec_or_changes) -> None:
    rating = spec_or_changes.rating
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput(f"rating {rating} is not 1 to 5")
    for name in ("scene", "take"):
        value = getattr(spec_or_changes, name)
        if value is not None and value != "" and not _TAKE_RE.match(value):
            raise InvalidInput(f"--{name} {value!r} is not a scene/take number, e.g. 12A or 3")
    if getattr(spec_or_changes, "circled", None) and getattr(spec_or_changes, "ng", None):
        raise InvalidInput("a take cannot be circled and NG at once")
    status = spec_or_changes.status
    if status is not None and status not in ("suggested", "accepted", "rejected"):
        raise InvalidInput(f"status {status!r} is not suggested, accepted or rejected")


def prepare(project: Project, spec: TagSpec, clip: Clip | None = None, *,
            author: str | None = None) -> tuple[dict, tuple]:  # fmt: skip
    """Check ``spec`` and return the tag's column values and people (nothing written).

    ``author`` is who logs it (a reviewer on the review page); default the project's user."""
    from btslog.clock import now_iso
    from btslog.ops.clips import resolve_clip

    kind = check_kind(project, spec.kind)
    _check_details(spec)
    if clip is None and spec.clip:
        clip = resolve_clip(project, spec.clip)
    elif clip is None:
        clip = clip_at(project, spec.in_text, camera=spec.camera, day=spec.day,
                       camera_clock=spec.camera_clock)  # fmt: skip
    in_frame, out_frame = clip_range(clip, spec.in_text, spec.out_text, spec.duration,
                                     camera_clock=spec.camera_clock)  # fmt: skip
    now = now_iso()
    values = {
        "clip_id": clip.id, "in_frame": in_frame, "out_frame": out_frame, "kind": kind,
        "note": spec.note.strip(), "scene": spec.scene or None, "take": spec.take or None,
        "rating": spec.rating, "circled": spec.circled, "ng": spec.ng, "status": spec.status,
        "source": spec.source, "author": author or project.author, "created_at": now,
        "updated_at": now, "deleted_at": None,
    }  # fmt: skip
    people = tuple(sorted({name.strip() for name in spec.people if name.strip()}))
    return values, people


def _get(connection: Connection, tag_id: int, hint: str = "see `btslog tags` for ids") -> Tag:
    from btslog.db import tags as tag_rows

    tag = tag_rows.get_tag(connection, tag_id)
    if tag is None:
        raise NotFound(f"no tag {tag_id} in this project", hint=hint)
    return tag


def get_tag(project: Project, tag_id: int, *, hint: str = "see `btslog tags` for ids") -> Tag:
    """The tag ``tag_id`` (removed ones too); :class:`NotFound` with ``hint`` if none."""
    with project.db.read() as connection:
        return _get(connection, tag_id, hint)


def _values_of(tag: Tag) -> dict:
    from btslog.db.tags import TAG_FIELDS

    return {name: getattr(tag, name) for name in TAG_FIELDS}


def add_tag(project: Project, spec: TagSpec, *, author: str | None = None) -> Tag:
    """Check and store one tag (with an audit entry); returns it.  ``author`` is who logs it
    (default: the project's user, see :func:`btslog.ops.project.current_author`)."""
    from btslog.db import audit
    from btslog.db import tags as tag_rows

    values, people = prepare(project, spec, author=author)
    with project.db.write() as connection:
        tag_id = tag_rows.insert_tag(connection, values, people)
        audit.record(connection, author=author or project.author, action="tag.add",
                     entity="tag", entity_id=tag_id, after=_snapshot(values, people))  # fmt: skip
        return _get(connection, tag_id)


def add_tags(project: Project, prepared: Sequence[tuple[dict, tuple]], *, action: str,
             detail: str) -> list[int]:  # fmt: skip
    """Store already-checked tags all at once (one transaction, one audit entry)."""
    from btslog.db import audit
    from btslog.db import tags as tag_rows

    with project.db.write() as connection:
        ids = tag_rows.insert_tags(connection, prepared)
        audit.record(connection, author=project.author, action=action, entity="tag",
                     entity_id=None, after={"ids": ids, "from": detail})  # fmt: skip
    return ids


def edit_tag(project: Project, tag_id: int, changes: TagChanges, *,
             author: str | None = None) -> Tag:  # fmt: skip
    """Apply ``changes`` to tag ``tag_id`` (audited as ``author``, default the project's user)."""
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import clips as clip_rows
    from btslog.db import tags as tag_rows

    _check_details(changes)
    with project.db.write() as connection:
        tag = _get(connection, tag_id)
        if tag.deleted_at:
            raise InvalidInput(f"tag {tag_id} was removed", hint=f"`btslog tag restore {tag_id}`")
        before = _snapshot(_values_of(tag), tag.people)
        values = _values_of(tag)
        if changes.kind is not None:
            values["kind"] = check_kind(project, changes.kind)
        if changes.in_text or changes.out_text or changes.duration:
            # Moving one end keeps the other where it is (a trim), unless --dur is given.
            clip = clip_rows.get_clip(connection, tag.clip_id)
            in_text = changes.in_text or f"+{tag.in_frame}f"
            out_text = None if changes.duration else (changes.out_text or f"+{tag.out_frame}f")
            values["in_frame"], values["out_frame"] = clip_range(
                clip, in_text, out_text, changes.duration
            )
        for name in ("note", "scene", "take", "rating", "circled", "ng", "status"):
            value = getattr(changes, name)
            if value is not None:
                values[name] = (value or None) if name in ("scene", "take") else value
        if values["circled"] and values["ng"]:
            raise InvalidInput("a take cannot be circled and NG at once",
                               hint="use --no-circle with --ng, or --no-ng with --circle")  # fmt: skip
        people = tag.people if changes.people is None else tuple(sorted(set(changes.people)))
        values["updated_at"] = now_iso()
        after = _snapshot(values, people)
        if {k: v for k, v in after.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }:
            return tag
        tag_rows.update_tag(connection, tag_id, values)
        tag_rows.set_people(connection, tag_id, people)
        audit.record(connection, author=author or project.author, action="tag.edit",
                     entity="tag", entity_id=tag_id, before=before, after=after)  # fmt: skip
        return _get(connection, tag_id)


def _set_deleted(project: Project, tag_id: int, deleted: bool) -> Tag:
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import tags as tag_rows

    with project.db.write() as connection:
        tag = _get(connection, tag_id)
        if bool(tag.deleted_at) == deleted:
            state = "already removed" if deleted else "not removed"
            raise InvalidInput(f"tag {tag_id} is {state}")
        before = _snapshot(_values_of(tag), tag.people)
        stamp = now_iso() if deleted else None
        tag_rows.update_tag(connection, tag_id, {"deleted_at": stamp})
        audit.record(connection, author=project.author,
                     action="tag.rm" if deleted else "tag.restore", entity="tag",
                     entity_id=tag_id, before=before, after={**before, "deleted_at": stamp})  # fmt: skip
        return _get(connection, tag_id)


def remove_tag(project: Project, tag_id: int) -> Tag:
    """Remove a tag from lists and exports; ``tag restore`` or ``undo`` brings it back."""
    return _set_deleted(project, tag_id, True)


def restore_tag(project: Project, tag_id: int) -> Tag:
    return _set_deleted(project, tag_id, False)


# --- listing ---------------------------------------------------------------------------------


def find_tags(project: Project, *, kinds: Sequence[str] = (), camera: str | None = None,
              day: str | None = None, clip: str | None = None, person: str | None = None,
              circled: bool | None = None, words: Sequence[str] = (),
              statuses: Sequence[str] = (), scene: str | None = None,
              include_deleted: bool = False) -> list[Tag]:  # fmt: skip
    from btslog.db import tags as tag_rows
    from btslog.ops.clips import check_day, resolve_clip

    check_day(day)
    for status in statuses:
        if status not in ("suggested", "accepted", "rejected"):
            raise InvalidInput(f"--status {status!r} is not suggested, accepted or rejected")
    clip_id = resolve_clip(project, clip).id if clip else None
    where = tag_rows.TagFilter(
        kinds=[kind.lower() for kind in kinds], camera=camera, day=day, clip_id=clip_id,
        person=person, circled=circled, statuses=list(statuses), words=list(words),
        scene=scene, include_deleted=include_deleted,
    )  # fmt: skip
    with project.db.read() as connection:
        return tag_rows.find_tags(connection, where)


def clips_by_id(project: Project, ids: Iterable[int]) -> dict[int, Clip]:
    from btslog.db import clips as clip_rows

    with project.db.read() as connection:
        return clip_rows.clips_by_ids(connection, ids)


def tag_row(tag: Tag, clip: Clip) -> dict:
    """A tag with stable field names: time of day (synced, see btslog.ops.sync) and frames
    from the clip's start."""
    from btslog.timecode import timecode_formatter

    label = timecode_formatter(clip.rate, clip.drop_frame)
    start = _start(clip)
    return {
        "id": tag.id, "clip": tag.clip, "camera": clip.camera, "day": clip.day,
        "kind": tag.kind, "in_tc": label(start + tag.in_frame),
        "out_tc": label(start + tag.out_frame), "in_frame": tag.in_frame,
        "out_frame": tag.out_frame, "duration_tc": label(tag.frames),
        "note": tag.note, "scene": tag.scene, "take": tag.take, "rating": tag.rating,
        "circled": tag.circled, "ng": tag.ng, "people": list(tag.people),
        "status": tag.status, "source": tag.source, "author": tag.author,
        "created_at": tag.created_at, "updated_at": tag.updated_at,
        "deleted": tag.deleted_at is not None,
    }  # fmt: skip


def tag_rows_for(project: Project, tags: Sequence[Tag]) -> list[dict]:
    clips = clips_by_id(project, {tag.clip_id for tag in tags})
    return [tag_row(tag, clips[tag.clip_id]) for tag in tags]


def _natural(text: str | None) -> tuple:
    """Sort key for scene and take numbers: 2 before 10, 12 before 12A."""
    parts = re.findall(r"\d+|\D+", text or "")
    return (text is None, [(0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                           for part in parts])  # fmt: skip


def take_rows(project: Project, **filters) -> list[dict]:
    """The take list: by day, scene and take, then camera; with time of day, circled/NG, notes."""
    tags = find_tags(project, kinds=["take"], **filters)
    rows = []
    for row in tag_rows_for(project, tags):
        mark = "circled" if row["circled"] else ("NG" if row["ng"] else "")
        rows.append({
            "id": row["id"], "scene": row["scene"], "take": row["take"],
            "camera": row["camera"], "day": row["day"], "clip": row["clip"],
            "in_tc": row["in_tc"], "out_tc": row["out_tc"], "duration_tc": row["duration_tc"],
            "mark": mark, "rating": row["rating"], "note": row["note"],
            "people": row["people"], "status": row["status"],
        })  # fmt: skip
    rows.sort(key=lambda row: (row["day"] or "", _natural(row["scene"]), _natural(row["take"]),
                               row["camera"] or "", row["in_tc"]))  # fmt: skip
    return rows


# --- history and undo ------------------------------------------------------------------------


def history(project: Project, *, limit: int = 50, entity: str | None = None) -> list[dict]:
    from btslog.db import audit

    with project.db.read() as connection:
        return audit.entries(connection, limit=limit, entity=entity)


UNDOABLE = ("tag.add", "tag.edit", "tag.rm", "tag.restore", "tag.import", "tag.accept",
            "tag.reject")  # fmt: skip


def undo(project: Project) -> dict:
    """Revert your last change that is not undone yet; returns the audit entry it reverted."""
    from btslog.db import audit
    from btslog.db import tags as tag_rows

    with project.db.write() as connection:
        entry = audit.last_undoable(connection, author=project.author)
        if entry is None:
            raise NotFound(f"nothing of {project.author}'s to undo",
                           hint="`btslog history` lists the changes")  # fmt: skip
        action = entry["action"]
        if action not in UNDOABLE:
            raise InvalidInput(
                f"your last change ({action} at {entry['at']}) cannot be undone",
                hint="undo covers tag changes; see `btslog history`",
            )
        if action in ("tag.add",):
            tag_rows.delete_tags_for_good(connection, [entry["entity_id"]])
        elif action == "tag.import":
            tag_rows.delete_tags_for_good(connection, entry["after"]["ids"])
        elif action in ("tag.accept", "tag.reject"):  # suggestions decided: back to suggested
            for tag_id, snapshot in entry["before"]["tags"].items():
                tag_rows.update_tag(connection, int(tag_id), {
                    "status": snapshot["status"], "updated_at": snapshot["updated_at"]})  # fmt: skip
        else:
            before = dict(entry["before"])
            people = before.pop("people", [])
            tag_rows.update_tag(connection, entry["entity_id"], before)
            tag_rows.set_people(connection, entry["entity_id"], people)
        undo_id = audit.record(connection, author=project.author, action="undo",
                               entity=entry["entity"], entity_id=entry["entity_id"],
                               before=entry["after"], after={"undid": entry["id"]})  # fmt: skip
        audit.mark_undone(connection, entry["id"], undo_id)
    return entry


def describe(entry: dict) -> str:
    """One line for ``btslog history``."""
    action, after, before = entry["action"], entry["after"] or {}, entry["before"] or {}
    if action == "tag.import":
        return f"{len(after.get('ids', []))} tags from {after.get('from', '?')}"
    if action in ("tag.accept", "tag.reject"):
        count = len(after.get("ids", []))
        return f"{after.get('status')} {count} suggestion{'s' * (count != 1)} ({after.get('from')})"
    if action == "tag.suggest":
        return (f"{len(after.get('ids', []))} suggested, {len(after.get('removed', []))} "
                f"replaced ({after.get('from')})")  # fmt: skip
    if action == "undo":
        return f"undid change {after.get('undid')}"
    if action == "tag.edit":
        changed = sorted(
            key for key in after if key != "updated_at" and before.get(key) != after[key]
        )
        return "changed " + ", ".join(
            f"{key}: {before.get(key)!r} -> {after[key]!r}" for key in changed
        )
    snapshot = after or before
    if entry["entity"] == "tag":
        return f"{snapshot.get('kind', '')} {snapshot.get('note', '')}".strip()
    return ", ".join(f"{key}={value}" for key, value in sorted(snapshot.items()))[:120]
