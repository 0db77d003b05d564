"""Assembling a cut: the selected tags become an ordered list of segments (pure functions).

From each selected tag to the segments of the cut:

1. **Handles** (``--handles 12f`` or ``0.5s``, converted at each clip's own rate) extend the
   tag at both ends, clamped to the clip.
2. **Max segment** (``--max-segment 20s`` or ``480f``): a range longer than that keeps its head.
3. **Order** (``--order``):

   * ``time``: the camera's time of day (the shoot day, then the clip's start timecode as its
     label reads plus the in point's offset; ties by clip name).  Overlapping or adjacent
     ranges of one clip merge into one segment carrying the first tag's label fields (and
     a merged range longer than ``--max-segment`` keeps its head too);
   * ``kind``: by kind, in the order of ``presets/kinds.toml`` (then the project's own kinds,
     then any other, by name), then time;
   * ``rating``: highest rated first (unrated last), then time;
   * ``scene``: natural scene then take order (2 before 10, 12 before 12A; tags without a
     scene last), then time.

   With an order other than ``time``, frames already used by an earlier segment are taken out
   of later ones, so **the same source frame never appears twice in a cut**.
4. **Restricted ranges** (every tag of kind ``restricted`` on the clip, whatever its status)
   are subtracted from every segment, after handles: a segment split by one becomes two, and
   nothing of a restricted range is ever in a cut.

Frames are integers from the clip's first frame, out exclusive, at the clip's own rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from btslog.cut.model import CutOptions, Segment
from btslog.errors import InvalidInput, TimecodeError
from btslog.model import TAG_KINDS, Clip, Tag

ORDERS = ("time", "kind", "rating", "scene")
LENGTH_HINT = "write frames (12f) or seconds (0.5s)"

Span = tuple[int, int]  # (in_frame, out_frame), out exclusive


def parse_length(text: str | None, rate: Fraction, option: str) -> int:
    """Frames of ``text`` (``"12f"``, ``"12"``, ``"0.5s"``) at ``rate``; 0 for None/empty.

    Raises :class:`InvalidInput` naming ``option`` (e.g. ``--handles``).
    """
    from btslog.timecode import parse_duration

    if text is None or not str(text).strip():
        return 0
    try:
        return parse_duration(str(text), rate)
    except TimecodeError as error:
        raise InvalidInput(f"{option} {text!r}: {error.message}", hint=LENGTH_HINT) from None


def check_options(options: CutOptions, rate: Fraction) -> None:
    """Refuse options that cannot assemble a cut (at ``rate``, e.g. the project's)."""
    if options.order not in ORDERS:
        raise InvalidInput(f"--order {options.order!r} is not one of {', '.join(ORDERS)}")
    parse_length(options.handles, rate, "--handles")
    if (
        options.max_segment is not None
        and parse_length(options.max_segment, rate, "--max-segment") < 1
    ):
        raise InvalidInput(f"--max-segment {options.max_segment!r} is shorter than one frame",
                           hint=LENGTH_HINT)  # fmt: skip


# --- spans -----------------------------------------------------------------------------------


def subtract(span: Span, removed: Iterable[Span]) -> list[Span]:
    """The parts of ``span`` outside every span of ``removed``, in order (empty parts vanish)."""
    pieces = [span]
    for cut_in, cut_out in sorted(removed):
        if cut_out <= cut_in:
            continue
        kept = []
        for piece_in, piece_out in pieces:
            if cut_out <= piece_in or cut_in >= piece_out:
                kept.append((piece_in, piece_out))
                continue
            if piece_in < cut_in:
                kept.append((piece_in, cut_in))
            if cut_out < piece_out:
                kept.append((cut_out, piece_out))
        pieces = kept
    return [(start, end) for start, end in pieces if end > start]


def restricted_spans(restricted: Iterable[Tag]) -> dict[int, list[Span]]:
    """The restricted tags' ranges by clip id (every one, whatever its status)."""
    spans: dict[int, list[Span]] = {}
    for tag in restricted:
        if tag.kind == "restricted" and tag.deleted_at is None:
            spans.setdefault(tag.clip_id, []).append((tag.in_frame, tag.out_frame))
    return spans


def without_restricted(
    segments: Iterable[Segment], restricted: Mapping[int, Sequence[Span]]
) -> tuple[Segment, ...]:
    """``segments`` with every restricted span of their clip taken out (a segment may split)."""
    from dataclasses import replace

    result = []
    for segment in segments:
        spans = restricted.get(segment.clip_id, ())
        pieces = subtract((segment.in_frame, segment.out_frame), spans)
        if pieces == [(segment.in_frame, segment.out_frame)]:
            result.append(segment)
            continue
        result.extend(replace(segment, in_frame=start, out_frame=end) for start, end in pieces)
    return tuple(result)


# --- order -----------------------------------------------------------------------------------


def start_seconds(clip: Clip) -> Fraction:
    """The time of day of the clip's first frame in seconds, on the reference camera's clock
    (its timecode plus its sync offset), so cameras synced by sound interleave truly."""
    from btslog.timecode import label_seconds

    return label_seconds(clip.synced_start_frame, clip.rate, clip.drop_frame)


def time_key(clip: Clip, in_frame: int) -> tuple:
    """Sort key of a point of a clip by the camera's time of day (day first; ties by name)."""
    return (clip.day or "", start_seconds(clip) + Fraction(in_frame) / clip.rate, clip.name,
            in_frame)  # fmt: skip


def natural_key(text: str | None) -> tuple:
    """Sort key for scene and take numbers: 2 before 10, 12 before 12A, none last."""
    parts = re.findall(r"\d+|\D+", text or "")
    return (text is None or text == "",
            [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
             for part in parts])  # fmt: skip


@dataclass
class _Range:
    tag: Tag
    clip: Clip
    in_frame: int
    out_frame: int


def _order_key(order: str, kind_order: Sequence[str]):
    ranks = {kind: index for index, kind in enumerate(kind_order)}

    def key(item: _Range) -> tuple:
        when = (time_key(item.clip, item.in_frame), item.tag.id)
        if order == "kind":
            return (ranks.get(item.tag.kind, len(ranks)), item.tag.kind, when)
        if order == "rating":
            return (-(item.tag.rating or 0), when)
        if order == "scene":
            return (natural_key(item.tag.scene), natural_key(item.tag.take), when)
        return when

    return key


# --- assembly --------------------------------------------------------------------------------


def _segment(item: _Range, span: Span) -> Segment:
    tag = item.tag
    return Segment(
        clip_id=tag.clip_id, clip=item.clip.name, in_frame=span[0], out_frame=span[1],
        kind=tag.kind, tag_id=tag.id, scene=tag.scene, take=tag.take, note=tag.note or "",
        rating=tag.rating, circled=tag.circled, people=tuple(tag.people),
    )  # fmt: skip


def assemble(
    tags: Iterable[Tag],
    clips: Mapping[int, Clip],
    restricted: Iterable[Tag],
    options: CutOptions,
    kind_order: Sequence[str] = TAG_KINDS,
) -> tuple[Segment, ...]:
    """The segments of a cut of ``tags`` (each on ``clips[tag.clip_id]``), in order.

    ``restricted`` are the restricted tags of those clips (others are ignored); they are never
    in the result, whatever ``tags`` holds.  See the module's documentation for the rules.
    """
    if options.order not in ORDERS:
        raise InvalidInput(f"--order {options.order!r} is not one of {', '.join(ORDERS)}")
    ranges: list[_Range] = []
    for tag in tags:
        if tag.kind == "restricted" or tag.deleted_at is not None:
            continue
        clip = clips[tag.clip_id]
        handles = parse_length(options.handles, clip.rate, "--handles")
        in_frame = max(0, tag.in_frame - handles)
        out_frame = min(clip.duration_frames, tag.out_frame + handles)
        out_frame = _capped(in_frame, out_frame, options.max_segment, clip)
        if out_frame > in_frame:
            ranges.append(_Range(tag, clip, in_frame, out_frame))
    ranges.sort(key=_order_key(options.order, kind_order))

    if options.order == "time":
        merged: list[_Range] = []
        last_of_clip: dict[int, _Range] = {}
        for item in ranges:  # of one clip, in in-point order
            last = last_of_clip.get(item.clip.id)
            if last is not None and item.in_frame <= last.out_frame:
                last.out_frame = max(last.out_frame, item.out_frame)
                continue
            merged_item = _Range(item.tag, item.clip, item.in_frame, item.out_frame)
            merged.append(merged_item)
            last_of_clip[item.clip.id] = merged_item
        pieces = [
            (item, (item.in_frame, _capped(item.in_frame, item.out_frame, options.max_segment,
                                           item.clip)))
            for item in merged
        ]  # fmt: skip
    else:
        used: dict[int, list[Span]] = {}
        pieces = []
        for item in ranges:
            taken = used.setdefault(item.clip.id, [])
            pieces.extend((item, span) for span in subtract((item.in_frame, item.out_frame), taken))
            taken.append((item.in_frame, item.out_frame))

    spans = restricted_spans(restricted)
    return without_restricted((_segment(item, span) for item, span in pieces), spans)


def _capped(in_frame: int, out_frame: int, max_segment: str | None, clip: Clip) -> int:
    if max_segment is None:
        return out_frame
    limit = parse_length(max_segment, clip.rate, "--max-segment")
    if limit < 1:
        raise InvalidInput(f"--max-segment {max_segment!r} is shorter than one frame",
                           hint=LENGTH_HINT)  # fmt: skip
    return min(out_frame, in_frame + limit)
