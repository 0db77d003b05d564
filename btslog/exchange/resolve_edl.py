"""DaVinci Resolve "Timeline Markers from EDL": one clip's markers as 1-frame CMX events.

Layout, as Resolve exports it (FORMATS.md §2.1)::

    TITLE: <title>
    FCM: NON-DROP FRAME                      (or DROP FRAME, with ';' before the frames)

    001  001      V     C        14:03:13:00 14:03:13:01 14:03:13:00 14:03:13:01
    <note> |C:ResolveColorGreen |M:<marker name> |D:<duration in frames>

Source and record columns both hold the marker's camera time of day (the clip's first label
plus the marker's offset, wrapping at midnight), so the markers land where they belong on a
Resolve timeline whose start timecode is the clip's own (a timeline made from the clip with
its source timecode).  Notes and names are written on one line with ``|`` replaced by ``¦``
(:func:`carried_note`, :func:`carried_name`); the colour is ``marker.colors["resolve"]``.

Files are UTF-8 with LF line ends, as in the examples of FORMATS.md (which does not say what
Resolve writes); reading also takes CRLF and a byte-order mark.  The reader is strict: any
line that is not part of a marker EDL is an error naming ``file:line``.
"""

from __future__ import annotations

import re

from btslog.errors import InvalidInput
from btslog.exchange import Format
from btslog.exchange.model import MarkerDocument, ReadMarker, one_line, single_clip
from btslog.exchange.text import text_lines
from btslog.timecode import (
    MAX_RATE,
    SECONDS_PER_DAY,
    format_timecode,
    is_drop_frame_string,
    looks_like_timecode,
)

COLORS = (
    "ResolveColorBlue", "ResolveColorCyan", "ResolveColorGreen", "ResolveColorYellow",
    "ResolveColorRed", "ResolveColorPink", "ResolveColorPurple", "ResolveColorFuchsia",
    "ResolveColorRose", "ResolveColorLavender", "ResolveColorSky", "ResolveColorMint",
    "ResolveColorLemon", "ResolveColorSand", "ResolveColorCocoa", "ResolveColorCream",
)  # fmt: skip
DEFAULT_COLOR = "ResolveColorBlue"
MAX_EVENTS = 999  # CMX3600 event numbers have three digits
MAX_FRAMES = int(MAX_RATE) * SECONDS_PER_DAY  # one day at the fastest rate btslog accepts

_FCM = {"DROP FRAME": True, "NON-DROP FRAME": False}
_EVENT_RE = re.compile(
    r"^(?P<number>\d{3})\s+(?P<reel>\S+)\s+(?P<channel>\S+)\s+(?P<transition>\S+)"
    r"\s+(?P<src_in>\S+)\s+(?P<src_out>\S+)\s+(?P<rec_in>\S+)\s+(?P<rec_out>\S+)\s*$"
)
_NOTE_RE = re.compile(
    r"^(?P<note>[^|]*)\|C:(?P<color>[^|]*)\|M:(?P<name>[^|]*)\|D:(?P<duration>[^|]*)$"
)
_SYNTAX_HINT = (
    "a Resolve marker EDL has TITLE:, FCM: and per marker an event line "
    "'001  001      V     C        <tc> <tc+1> <tc> <tc+1>' followed by "
    "'<note> |C:ResolveColor<Name> |M:<name> |D:<frames>'"
)


def carried_note(note: str) -> str:
    """What of a note the file keeps: one line, ``|`` as ``¦``."""
    return one_line(note, "|")


def carried_name(name: str) -> str:
    """What of a marker name the file keeps: one line, ``|`` as ``¦``."""
    return one_line(name, "|")


# --- write -----------------------------------------------------------------------------------


def write(document: MarkerDocument) -> bytes:
    """The marker EDL of the document's one clip (UTF-8, LF line ends)."""
    clip = single_clip(document, "a Resolve marker EDL holds one clip's markers")
    if len(clip.markers) > MAX_EVENTS:
        raise InvalidInput(
            f"clip {clip.name} has {len(clip.markers)} markers; an EDL holds at most "
            f"{MAX_EVENTS} events",
            hint="export fewer tags (--kind) or use another format (csv, otio)",
        )
    lines = [
        f"TITLE: {one_line(document.title)}",
        f"FCM: {'DROP FRAME' if clip.drop_frame else 'NON-DROP FRAME'}",
    ]
    for number, marker in enumerate(clip.markers, start=1):
        color = marker.colors.get("resolve") or DEFAULT_COLOR
        if color not in COLORS:
            raise InvalidInput(
                f"{color!r} (kind {marker.kind}) is not a Resolve marker colour",
                hint="Resolve colours: " + ", ".join(COLORS),
            )
        first = clip.start_frame + marker.in_frame
        tc_in = format_timecode(first, clip.rate, clip.drop_frame)
        tc_out = format_timecode(first + 1, clip.rate, clip.drop_frame)
        event = f"{number:03d}  001      V     C        {tc_in} {tc_out} {tc_in} {tc_out}  "
        note = carried_note(marker.note)
        lines += ["", event, f"{note} |C:{color} |M:{carried_name(marker.name)} |D:{marker.frames}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- read ------------------------------------------------------------------------------------


def _text_lines(data: bytes, source: str) -> list[str]:
    return text_lines(data, source, what="a marker EDL", hint=_SYNTAX_HINT,
                      save_hint="a Resolve marker EDL is UTF-8 text; export it again from Resolve")  # fmt: skip


def _check_timecode(text: str, drop_frame: bool, where: str, column: str) -> None:
    """A timecode field's shape, and that its separator agrees with the FCM line."""
    if not looks_like_timecode(text):
        raise InvalidInput(f"{where}: {column} {text!r} is not a timecode", hint=_SYNTAX_HINT)
    written_drop_frame = is_drop_frame_string(text)
    if not written_drop_frame and set(re.sub(r"\d", "", text)) != {":"}:
        raise InvalidInput(
            f"{where}: {column} {text!r} mixes separators",
            hint="write HH:MM:SS:FF, or HH:MM:SS;FF under FCM: DROP FRAME",
        )
    if written_drop_frame != drop_frame:
        if drop_frame:
            problem = "is non-drop-frame (':' before the frames), but the file says FCM: DROP FRAME"
        else:
            problem = "is drop-frame (';' before the frames), but the file says FCM: NON-DROP FRAME"
        raise InvalidInput(
            f"{where}: {column} {text!r} {problem}",
            hint="every timecode must match the FCM line; export the markers again",
        )
    hours, minutes, seconds = (int(field) for field in re.split(r"[:;.]", text)[:3])
    if hours >= 24 or minutes >= 60 or seconds >= 60:
        raise InvalidInput(
            f"{where}: {column} {text!r} is not a time of day",
            hint="hours run 00-23, minutes and seconds 00-59",
        )


def _read_note_line(text: str, where: str) -> tuple[str, str, str, int]:
    """(note, colour, name, duration) of a ``<note> |C: |M: |D:`` line."""
    match = _NOTE_RE.match(text)
    if not match:
        raise InvalidInput(
            f"{where}: malformed marker line {text[:80]!r}",
            hint="expected '<note> |C:ResolveColor<Name> |M:<name> |D:<frames>'",
        )
    color = match["color"].strip()
    if color not in COLORS:
        raise InvalidInput(
            f"{where}: unknown colour {color[:40]!r}", hint="Resolve colours: " + ", ".join(COLORS)
        )
    duration_text = match["duration"].strip()
    if not re.fullmatch(r"\d{1,12}", duration_text) or int(duration_text) < 1:
        raise InvalidInput(
            f"{where}: duration |D:{duration_text[:20]} is not a positive number of frames",
            hint="|D: counts frames; 1 is a point marker",
        )
    duration = int(duration_text)
    if duration > MAX_FRAMES:
        raise InvalidInput(
            f"{where}: duration |D:{duration} is longer than a day of frames",
            hint="|D: counts frames; 1 is a point marker",
        )
    return match["note"].strip(), color, match["name"].strip(), duration


def read(data: bytes, *, source: str) -> list[ReadMarker]:
    """The markers of a Resolve marker EDL: position = the record-in timecode as written."""
    lines = _text_lines(data, source)
    drop_frame: bool | None = None
    seen_content = False
    markers: list[ReadMarker] = []
    index = 0
    while index < len(lines):
        number = index + 1
        where = f"{source}:{number}"
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        if line.startswith("TITLE:"):
            if seen_content:
                raise InvalidInput(f"{where}: TITLE: must be the first line", hint=_SYNTAX_HINT)
            seen_content = True
            continue
        seen_content = True
        if line.startswith("FCM:"):
            mode = " ".join(line[4:].split()).upper()
            if mode not in _FCM:
                raise InvalidInput(
                    f"{where}: unknown frame code mode {line[4:].strip()[:40]!r}",
                    hint="write FCM: DROP FRAME or FCM: NON-DROP FRAME",
                )
            if drop_frame is not None and _FCM[mode] != drop_frame:
                raise InvalidInput(
                    f"{where}: FCM: {mode} contradicts the earlier FCM line",
                    hint="a marker EDL has one frame code mode",
                )
            drop_frame = _FCM[mode]
            continue
        event = _EVENT_RE.match(line)
        if not event:
            if "|C:" in line or "|M:" in line:
                problem = "a marker line without an event line before it"
            elif re.match(r"\d{3}\s", line):
                problem = f"malformed event line {line[:80]!r}"
            elif markers or drop_frame is not None:
                problem = f"unexpected line {line[:80]!r}"
            else:
                problem = "not a Resolve marker EDL (no TITLE:/FCM: header)"
            raise InvalidInput(f"{where}: {problem}", hint=_SYNTAX_HINT)
        if drop_frame is None:
            raise InvalidInput(
                f"{where}: event before the FCM: line",
                hint="the file must say FCM: DROP FRAME or FCM: NON-DROP FRAME first",
            )
        for column in ("src_in", "src_out", "rec_in", "rec_out"):
            _check_timecode(event[column], drop_frame, where, column.replace("_", " "))
        if index >= len(lines) or not lines[index].strip():
            raise InvalidInput(
                f"{where}: event {event['number']} has no marker line after it",
                hint="expected '<note> |C:ResolveColor<Name> |M:<name> |D:<frames>' next",
            )
        note, color, name, duration = _read_note_line(lines[index], f"{source}:{index + 1}")
        index += 1
        markers.append(
            ReadMarker(
                position=event["rec_in"],
                duration=duration,
                name=name,
                note=note,
                color=color,
                line=number,
            )
        )
    if not seen_content:
        raise InvalidInput(f"{source}:1: empty file, not a marker EDL", hint=_SYNTAX_HINT)
    if drop_frame is None:
        raise InvalidInput(f"{source}: no FCM: line, not a marker EDL", hint=_SYNTAX_HINT)
    return markers


FORMAT = Format(
    name="resolve-edl",
    suffixes=(".edl",),
    description="DaVinci Resolve timeline markers (EDL with |C: |M: |D:), one file per clip",
    per_clip=True,
    write=write,
    read=read,
)
