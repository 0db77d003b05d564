"""Cuts: assembling a rough cut from a selection of tags, and editing it by hand.

``new_cut`` parses the selection query (:mod:`btslog.cut.query`), finds the tags it selects,
and assembles the segments (:mod:`btslog.cut.assemble`: handles, max segment, order, no frame
twice, restricted ranges out).  ``move_segment``, ``trim_segment`` and ``drop_segments``
change one cut by hand; positions are 1-based, as ``btslog cut show`` numbers them.  Every
change writes an audit entry in the same transaction (``btslog history`` shows it).

**Restricted ranges are never in a cut.**  Assembly subtracts them; a trim may not reach into
one; and a cut is read back (:func:`get_cut`, :func:`list_cuts`) with the restricted tags of
*now* subtracted again, so a range marked restricted after the cut was made is left out of
everything that reads the cut (render, export), and the next change to the cut stores it so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from fractions import Fraction
from typing import TYPE_CHECKING

from btslog.cut.model import Cut, CutOptions, Segment
from btslog.errors import InvalidInput, NotFound, TimecodeError
from btslog.model import Clip, Tag
from btslog.ops.project import Project

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from btslog.cut.query import Selection

_NAME_RE = re.compile(r"^\w[\w .+-]{0,99}$")
NAME_HINT = (
    "a cut name is letters, digits, spaces, '.', '-', '+' or '_' (up to 100), e.g. making_of"
)


# --- names and options -----------------------------------------------------------------------


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or name != name.strip():
        raise InvalidInput(f"{name!r} is not a cut name", hint=NAME_HINT)
    return name


def _not_found(connection: Connection, name: str) -> NotFound:
    from btslog.db import cuts as cut_rows

    names = cut_rows.cut_names(connection)
    hint = ("cuts: " + ", ".join(names)) if names else "there are no cuts yet"
    return NotFound(
        f"no cut {name!r} in this project",
        hint=hint + "; make one with `btslog cut new NAME --select QUERY`",
    )


def parse_query(project: Project, query: str) -> Selection:
    """The selection ``query`` writes, checked against the project: kinds it knows, clips it
    holds (clip names become the clips' own names)."""
    from btslog.cut.query import Condition, Selection, parse_selection
    from btslog.ops.clips import resolve_clip
    from btslog.ops.tags import known_kinds

    selection = parse_selection(query)
    kinds = known_kinds(project)
    conditions = []
    for condition in selection.conditions:
        if condition.field == "kind":
            for kind in condition.values:
                if kind not in kinds:
                    raise InvalidInput(
                        f"selection {query!r}: unknown kind {kind!r}",
                        hint="known kinds: " + ", ".join(sorted(kinds))
                        + "; add one to btslog.toml as [kinds.NAME]",
                    )  # fmt: skip
        if condition.field == "clip":
            names = tuple(resolve_clip(project, value).name for value in condition.values)
            condition = Condition("clip", names, condition.negated)
        conditions.append(condition)
    return Selection(tuple(conditions))


def check_options(project: Project, options: CutOptions) -> Selection:
    """Check everything about ``options`` (the query included); returns the selection."""
    from btslog.cut.assemble import check_options as check_lengths

    check_lengths(options, project.rate)
    return parse_query(project, options.query)


# --- selecting and assembling ------------------------------------------------------------


def _ascii(value: str | None) -> str | None:
    """``value`` if SQL may compare it without regard to case (SQLite folds ASCII only)."""
    return value if value is not None and value.isascii() else None


def select_tags(connection: Connection, selection: Selection) -> tuple[list[Tag], dict[int, Clip]]:
    """The tags ``selection`` selects (never restricted ones, never removed ones) and their
    clips.  Indexed filters narrow the search; :meth:`Selection.matches` decides."""
    from btslog.cut.query import TEXT
    from btslog.db import clips as clip_rows
    from btslog.db import tags as tag_rows

    statuses = selection.statuses()
    if statuses == ():
        return [], {}
    kind_terms = [c for c in selection.conditions if c.field == "kind" and not c.negated]
    clip_name = selection.single("clip")
    clip_id = None
    if clip_name is not None:
        found = clip_rows.clips_matching(connection, clip_name)
        clip_id = found[0].id if len(found) == 1 else None
    where = tag_rows.TagFilter(
        kinds=list(kind_terms[0].values) if len(kind_terms) == 1 else (),
        camera=_ascii(selection.single("camera")),
        day=selection.single("day"),
        clip_id=clip_id,
        person=_ascii(selection.single("who")),
        circled=True if selection.has_flag("circled") else None,
        statuses=list(statuses or ()),
        words=[value for c in selection.conditions if c.field == TEXT and not c.negated
               for value in c.values if value.isascii()],
        scene=_ascii(selection.single("scene")),
    )  # fmt: skip
    candidates = [tag for tag in tag_rows.find_tags(connection, where) if tag.kind != "restricted"]
    clips = clip_rows.clips_by_ids(connection, {tag.clip_id for tag in candidates})
    selected = [tag for tag in candidates if selection.matches(tag, clips[tag.clip_id])]
    return selected, {tag.clip_id: clips[tag.clip_id] for tag in selected}


def _restricted(connection: Connection) -> dict[int, list[tuple[int, int]]]:
    """Every restricted range of the project (any status, not removed), by clip id."""
    from btslog.cut.assemble import restricted_spans
    from btslog.db import tags as tag_rows

    return restricted_spans(
        tag_rows.find_tags(connection, tag_rows.TagFilter(kinds=["restricted"]))
    )


def _kind_order(project: Project) -> list[str]:
    from btslog.ops.tags import known_kinds

    return list(known_kinds(project))


def new_cut(project: Project, name: str, options: CutOptions) -> Cut:
    """Assemble and store cut ``name`` from the tags ``options.query`` selects; returns it."""
    from btslog.clock import now_iso
    from btslog.cut.assemble import assemble
    from btslog.db import audit
    from btslog.db import cuts as cut_rows
    from btslog.db import tags as tag_rows

    check_name(name)
    selection = check_options(project, options)
    kind_order = _kind_order(project)
    with project.db.write() as connection:
        if cut_rows.get_cut(connection, name) is not None:
            raise InvalidInput(
                f"a cut named {name!r} already exists",
                hint=f"remove it first with `btslog cut rm {name}`, or choose another name",
            )
        tags, clips = select_tags(connection, selection)
        if not tags:
            raise InvalidInput(
                f"the selection {options.query!r} selects no tags",
                hint="only accepted tags count unless the query says status:...; "
                "see `btslog tags` for what is logged",
            )
        restricted = tag_rows.find_tags(connection, tag_rows.TagFilter(kinds=["restricted"]))
        segments = assemble(tags, clips, restricted, options, kind_order)
        if not segments:
            raise InvalidInput(
                f"the selection {options.query!r} selects {len(tags)} tag"
                f"{'s' if len(tags) != 1 else ''}, all inside restricted ranges",
                hint="restricted ranges are never used in a cut; see `btslog tags --kind "
                "restricted`",
            )
        now = now_iso()
        cut_id = cut_rows.insert_cut(connection, name, options, now)
        cut_rows.replace_segments(connection, cut_id, segments)
        audit.record(connection, author=project.author, action="cut.new", entity="cut",
                     entity_id=cut_id, after={"name": name, **asdict(options),
                                              "segments": len(segments)})  # fmt: skip
        return _effective(connection, name)


# --- reading ---------------------------------------------------------------------------------


def _with_restrictions_applied(cut: Cut, restricted: dict) -> Cut:
    from btslog.cut.assemble import without_restricted

    segments = without_restricted(cut.segments, restricted)
    if segments == cut.segments:
        return cut
    removed = sum(s.frames for s in cut.segments) - sum(s.frames for s in segments)
    return replace(cut, segments=segments,
                   extra={**cut.extra, "restricted_frames_removed": removed})  # fmt: skip


def _effective(connection: Connection, name: str) -> Cut:
    from btslog.db import cuts as cut_rows

    cut = cut_rows.get_cut(connection, name)
    if cut is None:
        raise _not_found(connection, name)
    return _with_restrictions_applied(cut, _restricted(connection))


def get_cut(project: Project, name: str) -> Cut:
    """Cut ``name`` (restricted ranges left out); :class:`NotFound` lists the cuts there are."""
    with project.db.read() as connection:
        return _effective(connection, name)


def list_cuts(project: Project) -> list[Cut]:
    """Every cut, by name (restricted ranges left out)."""
    from btslog.db import cuts as cut_rows

    with project.db.read() as connection:
        restricted = _restricted(connection)
        return [_with_restrictions_applied(cut, restricted)
                for cut in cut_rows.list_cuts(connection)]  # fmt: skip


# --- editing ---------------------------------------------------------------------------------


def _index(cut: Cut, position: int, what: str = "position") -> int:
    count = len(cut.segments)
    if not isinstance(position, int) or not 1 <= position <= count:
        raise InvalidInput(
            f"{what} {position} is not a segment of cut {cut.name!r} (1 to {count})",
            hint=f"see `btslog cut show {cut.name}`",
        )
    return position - 1


def _store(connection: Connection, project: Project, cut: Cut, segments: Sequence[Segment], *,
           action: str, before: dict, after: dict) -> Cut:  # fmt: skip
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import cuts as cut_rows

    cut_rows.replace_segments(connection, cut.id, segments)
    cut_rows.touch_cut(connection, cut.id, now_iso())
    audit.record(connection, author=project.author, action=action, entity="cut",
                 entity_id=cut.id, before={"name": cut.name, **before},
                 after={"name": cut.name, **after})  # fmt: skip
    return _effective(connection, cut.name)


def _span_text(clip: Clip, segment: Segment) -> str:
    from btslog.ops.tags import _label

    return f"{segment.clip} {_label(clip, segment.in_frame)}-{_label(clip, segment.out_frame)}"


def move_segment(project: Project, name: str, position: int, to: int) -> Cut:
    """Move the segment at ``position`` to position ``to`` (the others shift)."""
    with project.db.write() as connection:
        cut = _effective(connection, name)
        index = _index(cut, position)
        target = _index(cut, to, "target position")
        if index == target:
            return cut
        segments = list(cut.segments)
        segments.insert(target, segments.pop(index))
        return _store(connection, project, cut, segments, action="cut.move",
                      before={"position": position, "clip": cut.segments[index].clip},
                      after={"moved": position, "to": to})  # fmt: skip


def _trim_point(clip: Clip, text: str, current: int, option: str) -> int:
    """Frames from the clip's first frame to the point ``text``: a time of day of the clip,
    or ``+12f``/``-0.5s`` from the segment's ``current`` point."""
    from btslog.ops.tags import _offset_of
    from btslog.timecode import looks_like_timecode, parse_position

    stripped = (text or "").strip()
    if stripped[:1] in ("+", "-"):
        try:
            return current + parse_position(stripped, clip.rate, clip.drop_frame).frames
        except TimecodeError as error:
            raise TimecodeError(f"{option} {text!r}: {error.message}", hint=error.hint) from None
    if looks_like_timecode(stripped):
        return _offset_of(clip, stripped, option)
    raise InvalidInput(
        f"{option} {text!r} is neither a time of day nor an offset",
        hint="write the clip's time of day (14:03:15:00) or move the point by an offset "
        "(+12f later, -0.5s earlier)",
    )


def trim_segment(project: Project, name: str, position: int, *, in_: str | None = None,
                 out: str | None = None) -> Cut:  # fmt: skip
    """Move the in and/or out point of the segment at ``position``.

    A point is the clip's time of day (``14:03:15:00``; out exclusive) or an offset from the
    segment's current point (``+12f``, ``-0.5s``).  The segment must stay inside its clip,
    outside every restricted range, and clear of the cut's other segments of that clip.
    """
    from btslog.db import clips as clip_rows
    from btslog.ops.tags import _label, clip_span

    if in_ is None and out is None:
        raise InvalidInput("give --in, --out or both", hint="e.g. --in +12f --out 14:03:19:00")
    with project.db.write() as connection:
        cut = _effective(connection, name)
        index = _index(cut, position)
        segment = cut.segments[index]
        clip = clip_rows.get_clip(connection, segment.clip_id)
        in_frame = segment.in_frame if in_ is None else _trim_point(
            clip, in_, segment.in_frame, "--in")  # fmt: skip
        out_frame = segment.out_frame if out is None else _trim_point(
            clip, out, segment.out_frame, "--out")  # fmt: skip
        shown = f"{_label(clip, in_frame)}-{_label(clip, out_frame)}"
        if in_frame < 0 or out_frame > clip.duration_frames or in_frame >= clip.duration_frames:
            moved = "--in" if (in_frame < 0 or in_frame >= clip.duration_frames) else "--out"
            point = _label(clip, in_frame if moved == "--in" else out_frame)
            raise InvalidInput(
                f"{moved} {point} is outside clip {clip.name} ({clip_span(clip)})",
                hint="a segment stays inside its clip",
            )
        if out_frame <= in_frame:
            raise InvalidInput(
                f"segment {position} would end ({_label(clip, out_frame)}) before it starts "
                f"({_label(clip, in_frame)})",
                hint="the out point is exclusive: the first frame after the segment",
            )
        for start, end in sorted(_restricted(connection).get(clip.id, ())):
            if start < out_frame and end > in_frame:
                raise InvalidInput(
                    f"segment {position} trimmed to {shown} would reach into the restricted "
                    f"range {_label(clip, start)}-{_label(clip, end)} of clip {clip.name}",
                    hint="restricted ranges are never used in a cut; end the segment at "
                    f"{_label(clip, start)} or start it at {_label(clip, end)}",
                )
        for other_position, other in enumerate(cut.segments, start=1):
            if (other_position != position and other.clip_id == clip.id
                    and other.in_frame < out_frame and other.out_frame > in_frame):  # fmt: skip
                raise InvalidInput(
                    f"segment {position} trimmed to {shown} would repeat frames of segment "
                    f"{other_position} ({_span_text(clip, other)})",
                    hint="the same frame is never used twice in a cut; trim or drop the other "
                    "segment first",
                )
        if (in_frame, out_frame) == (segment.in_frame, segment.out_frame):
            return cut
        segments = list(cut.segments)
        segments[index] = replace(segment, in_frame=in_frame, out_frame=out_frame)
        return _store(
            connection, project, cut, segments, action="cut.trim",
            before={"position": position, "clip": clip.name,
                    "in_tc": _label(clip, segment.in_frame),
                    "out_tc": _label(clip, segment.out_frame)},
            after={"position": position, "clip": clip.name, "in_tc": _label(clip, in_frame),
                   "out_tc": _label(clip, out_frame)},
        )  # fmt: skip


def drop_segments(project: Project, name: str, positions: Iterable[int]) -> Cut:
    """Take the segments at ``positions`` out of the cut (the others close up)."""
    positions = sorted(set(positions))
    if not positions:
        raise InvalidInput("give the positions of the segments to drop")
    with project.db.write() as connection:
        cut = _effective(connection, name)
        indexes = {_index(cut, position) for position in positions}
        if len(indexes) == len(cut.segments):
            raise InvalidInput(
                f"dropping {len(indexes)} of {len(cut.segments)} segments would leave cut "
                f"{name!r} empty",
                hint=f"remove the whole cut with `btslog cut rm {name}`",
            )
        kept = [s for index, s in enumerate(cut.segments) if index not in indexes]
        dropped = [_segment_snapshot(cut.segments[index]) for index in sorted(indexes)]
        return _store(connection, project, cut, kept, action="cut.drop",
                      before={"positions": positions, "segments": dropped},
                      after={"positions": positions})  # fmt: skip


def _segment_snapshot(segment: Segment) -> dict:
    values = asdict(segment)
    values["people"] = list(segment.people)
    return values


def remove_cut(project: Project, name: str) -> Cut:
    """Delete cut ``name``; returns it as it was (the audit entry keeps it whole)."""
    from btslog.db import audit
    from btslog.db import cuts as cut_rows

    with project.db.write() as connection:
        cut = cut_rows.get_cut(connection, name)
        if cut is None:
            raise _not_found(connection, name)
        cut_rows.delete_cut(connection, cut.id)
        audit.record(connection, author=project.author, action="cut.rm", entity="cut",
                     entity_id=cut.id,
                     before={"name": cut.name, **asdict(cut.options),
                             "segments": [_segment_snapshot(s) for s in cut.segments]})  # fmt: skip
        return cut


# --- rows ------------------------------------------------------------------------------------


def segment_label(segment: Segment) -> str:
    """A segment's lower-third text: ``Take · scene 12A take 3 · Eileen, Grace``."""
    parts = [segment.kind.capitalize()]
    if segment.scene or segment.take:
        parts.append(" ".join(part for part in (
            f"scene {segment.scene}" if segment.scene else "",
            f"take {segment.take}" if segment.take else "") if part))  # fmt: skip
    if segment.people:
        parts.append(", ".join(segment.people))
    return " · ".join(parts)


def running_time(seconds: Fraction) -> str:
    """``H:MM:SS.mmm`` of an exact running time (milliseconds rounded half up)."""
    millis = int(seconds * 1000 + Fraction(1, 2))
    whole, millis = divmod(millis, 1000)
    minutes, second = divmod(whole, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}.{millis:03d}"


def cut_seconds(cut: Cut, clips: dict[int, Clip]) -> Fraction:
    """The exact running time of the cut's segments (each at its clip's own rate)."""
    return sum((Fraction(s.frames) / clips[s.clip_id].rate for s in cut.segments), Fraction(0))


def segment_rows(project: Project, cut: Cut) -> list[dict]:
    """The cut's segments as rows with stable keys: position, the clip's time-of-day in/out
    (drop-frame where the clip is), frames, duration, where it starts in the cut, labels."""
    from btslog.ops.tags import _label, clips_by_id
    from btslog.timecode import format_seconds, format_timecode

    clips = clips_by_id(project, {segment.clip_id for segment in cut.segments})
    rows = []
    elapsed = Fraction(0)
    for position, segment in enumerate(cut.segments, start=1):
        clip = clips[segment.clip_id]
        seconds = Fraction(segment.frames) / clip.rate
        rows.append({
            "position": position, "clip": segment.clip, "camera": clip.camera,
            "day": clip.day, "kind": segment.kind, "label": segment_label(segment),
            "in_tc": _label(clip, segment.in_frame), "out_tc": _label(clip, segment.out_frame),
            "in_frame": segment.in_frame, "out_frame": segment.out_frame,
            "duration_tc": format_timecode(segment.frames, clip.rate, clip.drop_frame),
            "seconds": format_seconds(seconds, 3), "starts_at": running_time(elapsed),
            "scene": segment.scene, "take": segment.take, "rating": segment.rating,
            "circled": segment.circled, "people": list(segment.people), "note": segment.note,
            "tag_id": segment.tag_id,
        })  # fmt: skip
        elapsed += seconds
    return rows


def cut_rows(project: Project, cuts: Sequence[Cut]) -> list[dict]:
    """One row a cut: name, segments, running time, query and the other options."""
    from btslog.ops.tags import clips_by_id
    from btslog.timecode import format_seconds

    clips = clips_by_id(project, {s.clip_id for cut in cuts for s in cut.segments})
    rows = []
    for cut in cuts:
        seconds = cut_seconds(cut, clips)
        rows.append({
            "name": cut.name, "segments": len(cut.segments), "duration": running_time(seconds),
            "seconds": format_seconds(seconds, 3), **asdict(cut.options),
            "created_at": cut.created_at, "updated_at": cut.updated_at,
        })  # fmt: skip
    return rows


def total_seconds(project: Project, cut: Cut) -> Fraction:
    from btslog.ops.tags import clips_by_id

    return cut_seconds(cut, clips_by_id(project, {s.clip_id for s in cut.segments}))
