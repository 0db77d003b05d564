"""Avid Media Composer marker list: one clip's markers as TAB-separated text (FORMATS.md §4).

One line per marker, six fields, no header::

    user<TAB>timecode<TAB>V1<TAB>colour<TAB>comment<TAB>duration in frames

* ``timecode`` is the marker's camera time of day (the clip's first label plus the marker's
  offset, wrapping at midnight); drop-frame is written ``HH:MM:SS;FF``.
* ``colour`` is ``marker.colors["avid"]``, one of the classic eight (red green blue cyan
  magenta yellow black white; default cyan) that every Media Composer version imports.
* ``comment`` is ``name: note`` (just ``name`` without a note), on one line.  The reader
  splits it at the first ``": "``, so a name must not contain ``": "``: the writer writes
  any ``": "`` inside a name as ``":"`` (:func:`carried_name`).  btslog's marker names
  (``take 12A/3 ★★★★ circled with Grace``) contain one only if a person's name does.
* ``user`` is the ``user`` option (default ``btslog``).

Files are UTF-8 with LF line ends, as in the example of FORMATS.md (which does not say what
Avid writes); reading also takes CRLF and a byte-order mark.  The user field is not read back.
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

COLORS = ("red", "green", "blue", "cyan", "magenta", "yellow", "black", "white")
DEFAULT_COLOR = "cyan"
DEFAULT_USER = "btslog"
TRACK = "V1"
MAX_FRAMES = int(MAX_RATE) * SECONDS_PER_DAY  # one day at the fastest rate btslog accepts

_TRACK_RE = re.compile(r"^(?:V|A|TC)\d{1,3}$")
_SYNTAX_HINT = (
    "an Avid marker list has one line per marker with six TAB-separated fields: "
    "user, timecode, track (V1), colour, comment, duration in frames"
)


def carried_note(note: str) -> str:
    """What of a note the file keeps: one line."""
    return one_line(note)


def carried_name(name: str) -> str:
    """What of a marker name the file keeps: one line, without ``": "`` (written ``":"``)."""
    return one_line(name).replace(": ", ":")


def comment(name: str, note: str) -> str:
    """The comment field: ``name: note``, or ``name`` alone when there is no note."""
    name, note = carried_name(name), carried_note(note)
    return f"{name}: {note}" if note else name


# --- write -----------------------------------------------------------------------------------


def write(document: MarkerDocument, *, user: str = DEFAULT_USER) -> bytes:
    """The marker list of the document's one clip (UTF-8, LF line ends)."""
    clip = single_clip(document, "an Avid marker list holds one clip's markers")
    user = one_line(str(user)) or DEFAULT_USER
    lines = []
    for marker in clip.markers:
        color = marker.colors.get("avid") or DEFAULT_COLOR
        if color not in COLORS:
            raise InvalidInput(
                f"{color!r} (kind {marker.kind}) is not one of Avid's classic marker colours",
                hint="Avid colours: " + ", ".join(COLORS),
            )
        timecode = format_timecode(clip.start_frame + marker.in_frame, clip.rate, clip.drop_frame)
        fields = (user, timecode, TRACK, color, comment(marker.name, marker.note), marker.frames)
        lines.append("\t".join(str(field) for field in fields))
    return "".join(line + "\n" for line in lines).encode("utf-8")


# --- read ------------------------------------------------------------------------------------


def _text_lines(data: bytes, source: str) -> list[str]:
    return text_lines(data, source, what="a marker list", hint=_SYNTAX_HINT,
                      save_hint="save the marker list as UTF-8 text")  # fmt: skip


def _timecode_mode(text: str, where: str) -> bool:
    """Whether the timecode field is drop-frame; its shape checked without a rate."""
    if not looks_like_timecode(text):
        raise InvalidInput(f"{where}: {text[:40]!r} is not a timecode", hint=_SYNTAX_HINT)
    drop_frame = is_drop_frame_string(text)
    if not drop_frame and set(re.sub(r"\d", "", text)) != {":"}:
        raise InvalidInput(
            f"{where}: timecode {text!r} mixes separators",
            hint="write HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame",
        )
    hours, minutes, seconds = (int(field) for field in re.split(r"[:;.]", text)[:3])
    if hours >= 24 or minutes >= 60 or seconds >= 60:
        raise InvalidInput(
            f"{where}: timecode {text!r} is not a time of day",
            hint="hours run 00-23, minutes and seconds 00-59",
        )
    return drop_frame


def read(data: bytes, *, source: str) -> list[ReadMarker]:
    """The markers of an Avid marker list: position = the timecode as written."""
    markers: list[ReadMarker] = []
    file_drop_frame: bool | None = None
    for index, line in enumerate(_text_lines(data, source)):
        number = index + 1
        where = f"{source}:{number}"
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 6:
            raise InvalidInput(
                f"{where}: {len(fields)} TAB-separated fields, expected 6", hint=_SYNTAX_HINT
            )
        _user, timecode, track, color, text, duration_text = (field.strip() for field in fields)
        drop_frame = _timecode_mode(timecode, where)
        if file_drop_frame is None:
            file_drop_frame = drop_frame
        elif drop_frame != file_drop_frame:
            written = "drop-frame (';')" if drop_frame else "non-drop-frame (':')"
            earlier = "drop-frame" if file_drop_frame else "non-drop-frame"
            raise InvalidInput(
                f"{where}: timecode {timecode} is {written}, but the earlier markers are {earlier}",
                hint="one marker list has one timecode mode; export the markers again",
            )
        if not _TRACK_RE.match(track):
            raise InvalidInput(
                f"{where}: {track[:20]!r} is not a track (V1, A1, TC1 ...)", hint=_SYNTAX_HINT
            )
        if color.lower() not in COLORS:
            raise InvalidInput(
                f"{where}: unknown colour {color[:40]!r}",
                hint="Avid's classic colours: " + ", ".join(COLORS),
            )
        if not re.fullmatch(r"\d{1,12}", duration_text) or int(duration_text) < 1:
            raise InvalidInput(
                f"{where}: duration {duration_text[:20]!r} is not a positive number of frames",
                hint="the last field counts frames; 1 is a point marker",
            )
        if int(duration_text) > MAX_FRAMES:
            raise InvalidInput(
                f"{where}: duration {duration_text} is longer than a day of frames",
                hint="the last field counts frames; 1 is a point marker",
            )
        name, _, note = text.partition(": ")
        markers.append(
            ReadMarker(
                position=timecode,
                duration=int(duration_text),
                name=name.strip(),
                note=note.strip(),
                color=color.lower(),
                line=number,
            )
        )
    return markers


FORMAT = Format(
    name="avid",
    suffixes=(".txt",),
    description="Avid Media Composer marker list (TAB-separated text), one file per clip",
    per_clip=True,
    write=write,
    read=read,
)
