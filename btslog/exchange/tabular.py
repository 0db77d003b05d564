"""Markers as a table: CSV for spreadsheets, JSON for scripts.  Every clip in one file.

One row per marker, with these columns in this order (:data:`COLUMNS`)::

    clip file camera reel rate drop_frame in_tc out_tc in_frame out_frame duration_frames
    kind name note scene take rating circled ng people color_resolve color_avid

* ``rate`` is exact (``24000/1001``, ``25``); ``in_tc``/``out_tc`` are camera time of day
  (``out`` exclusive, wrapping at midnight); ``in_frame``/``out_frame`` count from the clip's
  first frame.
* ``name`` is :func:`~btslog.exchange.model.marker_name`, which carries kind, scene/take,
  rating, circled/NG and people; reading takes the fields from it (the separate columns are
  for people reading the table).  A row with an empty ``name`` gets one built from its
  ``kind``/``scene``/``take``/``rating``/``circled``/``ng``/``people`` columns.
* CSV: UTF-8 without a byte-order mark, a header row, RFC 4180 quoting and CRLF record ends
  (so notes with commas, quotes and line breaks survive); empty cells for missing values,
  ``true``/``false``, people joined with ``;``.  A cell a spreadsheet would run as a formula
  (one starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``,
  as does one that already starts with ``'``; reading takes that one ``'`` off again
  (:func:`spreadsheet_safe`, :func:`from_spreadsheet_safe`).
* JSON: a list of objects with the same keys (UTF-8, not ASCII-escaped, indent 2); ``null``
  for missing values, booleans, people as a list.

Reading is strict and names ``file:line`` (CSV: the line the row starts on) or
``file:[index]`` (JSON: the 0-based position in the list).  The position read back is
``in_frame`` when present, else the ``in_tc`` string; the duration is ``out_frame -
in_frame``, else ``duration_frames``, else ``out_tc - in_tc`` at ``rate``.  The colour read
back is ``color_resolve``.
"""

from __future__ import annotations

import csv
import io
import json
import re

from btslog.errors import InvalidInput, TimecodeError
from btslog.exchange import Format
from btslog.exchange.model import Marker, MarkerDocument, ReadMarker, marker_name
from btslog.exchange.text import decode_text
from btslog.timecode import (
    MAX_RATE,
    SECONDS_PER_DAY,
    format_timecode,
    frames_since,
    is_drop_frame_string,
    looks_like_timecode,
    parse_rate,
    parse_timecode,
)

COLUMNS = (
    "clip", "file", "camera", "reel", "rate", "drop_frame", "in_tc", "out_tc", "in_frame",
    "out_frame", "duration_frames", "kind", "name", "note", "scene", "take", "rating",
    "circled", "ng", "people", "color_resolve", "color_avid",
)  # fmt: skip
MAX_FRAMES = int(MAX_RATE) * SECONDS_PER_DAY  # one day at the fastest rate btslog accepts

_TEXT = ("clip", "file", "camera", "reel", "in_tc", "out_tc", "kind", "name", "note", "scene",
         "take", "color_resolve", "color_avid")  # fmt: skip
_COUNTS = ("in_frame", "out_frame", "duration_frames", "rating")
_FLAGS = ("drop_frame", "circled", "ng")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
_KIND_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_CSV_HINT = "a btslog marker table has a header row naming its columns: " + ", ".join(COLUMNS)
_JSON_HINT = 'a btslog marker list is a JSON list of objects: [{"clip": ..., "in_frame": ...}]'


# --- write -----------------------------------------------------------------------------------


def rows(document: MarkerDocument) -> list[dict]:
    """One dict per marker, keys :data:`COLUMNS`, values typed as JSON writes them."""
    table = []
    for clip in document.clips:
        for marker in clip.markers:
            if marker.in_frame < 0 or marker.frames < 1:
                raise InvalidInput(
                    f"clip {clip.name}: marker {marker.name!r} runs from frame "
                    f"{marker.in_frame} to {marker.out_frame}; a marker needs at least one frame"
                )
            table.append({
                "clip": clip.name,
                "file": clip.file_name,
                "camera": clip.camera,
                "reel": clip.reel,
                "rate": str(clip.rate),
                "drop_frame": clip.drop_frame,
                "in_tc": format_timecode(clip.start_frame + marker.in_frame, clip.rate,
                                         clip.drop_frame),
                "out_tc": format_timecode(clip.start_frame + marker.out_frame, clip.rate,
                                          clip.drop_frame),
                "in_frame": marker.in_frame,
                "out_frame": marker.out_frame,
                "duration_frames": marker.frames,
                "kind": marker.kind,
                "name": marker.name,
                "note": marker.note,
                "scene": marker.scene,
                "take": marker.take,
                "rating": marker.rating,
                "circled": marker.circled,
                "ng": marker.ng,
                "people": list(marker.people),
                "color_resolve": marker.colors.get("resolve"),
                "color_avid": marker.colors.get("avid"),
            })  # fmt: skip
    return table


# What makes a spreadsheet read a cell as a formula (CSV injection), and the escape itself.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs: a note such as
    ``=HYPERLINK(...)`` or ``-2 takes`` gets a leading ``'`` (so does a text already starting
    with one, which keeps :func:`from_spreadsheet_safe` exact)."""
    return _ESCAPE + text if text.startswith((*_FORMULA_STARTS, _ESCAPE)) else text


def from_spreadsheet_safe(text: str) -> str:
    """The text :func:`spreadsheet_safe` was given."""
    if text.startswith(_ESCAPE) and text[1:].startswith((*_FORMULA_STARTS, _ESCAPE)):
        return text[1:]
    return text


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return spreadsheet_safe(";".join(value))
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def write_csv(document: MarkerDocument) -> bytes:
    """Every clip's markers as CSV: header row, RFC 4180 quoting, CRLF, UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(document):
        writer.writerow([_csv_cell(row[column]) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def write_json(document: MarkerDocument) -> bytes:
    """Every clip's markers as a JSON list of objects (UTF-8, indent 2)."""
    return (json.dumps(rows(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- read ------------------------------------------------------------------------------------


def _decode(data: bytes, source: str, hint: str) -> str:
    return decode_text(data, source, what="a marker table", hint=hint,
                       save_hint="save the file as UTF-8 (in a spreadsheet: CSV UTF-8)")  # fmt: skip


def _count(value: object, column: str, where: str) -> int | None:
    """A whole number >= 0 from a CSV cell or JSON value (None when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,12}\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(
            f"{where}: {column} {str(value)[:40]!r} is not a whole number",
            hint="rating is 1-5 (stars), or empty"
            if column == "rating"
            else f"{column} counts frames from the clip's first frame (0, 1, 2 ...)",
        )
    if value > MAX_FRAMES:
        raise InvalidInput(
            f"{where}: {column} {value} is more frames than a day holds",
            hint="in_frame/out_frame count from the clip's first frame",
        )
    return value


def _flag(value: object, column: str, where: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return None if not value.strip() else value.strip().lower() in _TRUE
    raise InvalidInput(
        f"{where}: {column} {str(value)[:40]!r} is not true or false", hint="write true or false"
    )


def _text(value: object, column: str, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(
            f"{where}: {column} must be text, not {type(value).__name__}",
            hint=f'write {column} as a string, e.g. "{column}": "..."',
        )
    return str(value)


def _people(value: object, where: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(person.strip() for person in value.split(";") if person.strip())
    if isinstance(value, list) and all(isinstance(person, str) for person in value):
        return tuple(value)
    raise InvalidInput(f"{where}: people must be a list of names", hint='e.g. ["Eileen", "Grace"]')


def _marker(record: dict, where: str, line: int) -> ReadMarker:
    """One row (CSV cells or JSON values) as a ReadMarker, checked."""
    text = {column: _text(record.get(column), column, where) for column in _TEXT}
    counts = {column: _count(record.get(column), column, where) for column in _COUNTS}
    flags = {column: _flag(record.get(column), column, where) for column in _FLAGS}
    rate = None
    raw_rate = record.get("rate")
    if raw_rate not in (None, ""):
        if isinstance(raw_rate, bool) or not isinstance(raw_rate, str | int):
            raise InvalidInput(f"{where}: rate {raw_rate!r} is not a frame rate",
                               hint='write the rate as text, e.g. "24000/1001" or "25"')  # fmt: skip
        try:
            rate = parse_rate(str(raw_rate))
        except TimecodeError as error:
            raise InvalidInput(f"{where}: {error.message}", hint=error.hint) from None
    drop_frame = flags["drop_frame"]
    for column in ("in_tc", "out_tc"):
        value = text[column].strip()
        if not value:
            continue
        if not looks_like_timecode(value):
            raise InvalidInput(
                f"{where}: {column} {value[:40]!r} is not a timecode",
                hint="write HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame",
            )
        if drop_frame is not None and is_drop_frame_string(value) != drop_frame:
            mode = "drop-frame" if drop_frame else "non-drop-frame"
            raise InvalidInput(
                f"{where}: {column} {value} does not match drop_frame={str(drop_frame).lower()}",
                hint=f"this clip's timecode is {mode}: "
                + ("HH:MM:SS;FF" if drop_frame else "HH:MM:SS:FF"),
            )
        if rate is not None:
            try:
                parse_timecode(value, rate, drop_frame)
            except TimecodeError as error:
                raise InvalidInput(f"{where}: {column}: {error.message}", hint=error.hint) from None
    clip = text["clip"].strip() or text["file"].strip()
    if not clip:
        raise InvalidInput(f"{where}: no clip or file named", hint="fill in the clip column")
    in_frame, out_frame = counts["in_frame"], counts["out_frame"]
    duration = counts["duration_frames"]
    if in_frame is not None and out_frame is not None:
        if out_frame <= in_frame:
            raise InvalidInput(
                f"{where}: out_frame {out_frame} is not after in_frame {in_frame}",
                hint="out_frame is exclusive: a one-frame marker has out_frame = in_frame + 1",
            )
        if duration is not None and duration != out_frame - in_frame:
            raise InvalidInput(
                f"{where}: duration_frames {duration} is not out_frame - in_frame "
                f"({out_frame - in_frame})",
                hint="fix one of them, or leave duration_frames empty",
            )
        duration = out_frame - in_frame
    elif duration is None and text["in_tc"].strip() and text["out_tc"].strip() and rate:
        mode = is_drop_frame_string(text["in_tc"])
        try:
            start = parse_timecode(text["in_tc"], rate, mode)
            end = parse_timecode(text["out_tc"], rate, mode)
        except TimecodeError as error:
            raise InvalidInput(f"{where}: out_tc: {error.message}", hint=error.hint) from None
        duration = frames_since(start, end, rate, mode)
    if duration is None or duration < 1:
        raise InvalidInput(
            f"{where}: no positive duration (out_frame, duration_frames, or out_tc with rate)",
            hint="a one-frame marker has duration_frames 1",
        )
    if in_frame is not None:
        position: str | int = in_frame
    elif text["in_tc"].strip():
        position = text["in_tc"].strip()
    else:
        raise InvalidInput(f"{where}: no in_frame or in_tc", hint="fill in in_frame or in_tc")
    name = text["name"]  # as written: marker names carry people's names verbatim
    if not name.strip() and text["kind"].strip():
        kind = text["kind"].strip()
        if not _KIND_RE.match(kind):
            raise InvalidInput(f"{where}: kind {kind[:40]!r} is not a tag kind",
                               hint="kinds are lower-case words: take, flub, ...")  # fmt: skip
        rating = counts["rating"]
        if rating is not None and not 1 <= rating <= 5:
            raise InvalidInput(f"{where}: rating {rating} is not 1-5",
                               hint="rating counts stars, 1-5, or stays empty")  # fmt: skip
        name = marker_name(Marker(
            0, 1, kind, scene=text["scene"].strip() or None, take=text["take"].strip() or None,
            rating=rating, circled=bool(flags["circled"]), ng=bool(flags["ng"]),
            people=_people(record.get("people"), where)))  # fmt: skip
    return ReadMarker(
        position=position,
        duration=duration,
        name=name,
        note=text["note"],
        clip=clip,
        color=text["color_resolve"].strip() or None,
        rate=rate,
        line=line,
    )


def read_csv(data: bytes, *, source: str) -> list[ReadMarker]:
    """The markers of a btslog CSV table (any column order; unknown columns ignored)."""
    text = _decode(data, source, _CSV_HINT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    markers = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InvalidInput(f"{source}:{reader.line_num}: malformed CSV ({error})",
                               hint="quote cells with commas, quotes or line breaks") from None  # fmt: skip
        if not cells or all(not cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in cells]
            header_line = line
            duplicates = sorted({name for name in header if header.count(name) > 1 and name})
            if duplicates:
                raise InvalidInput(f"{source}:{line}: column {duplicates[0]!r} appears twice",
                                   hint=_CSV_HINT)  # fmt: skip
            missing = [
                need for need in ("name", "in_frame|in_tc",
                                  "out_frame|duration_frames|out_tc", "clip|file")
                if not set(need.split("|")) & set(header)
            ]  # fmt: skip
            if missing:
                raise InvalidInput(
                    f"{source}:{line}: not a btslog marker table: the header has no "
                    f"{missing[0].replace('|', ' or ')} column",
                    hint=_CSV_HINT,
                )
            continue
        if len(cells) != len(header):
            raise InvalidInput(
                f"{source}:{line}: {len(cells)} cells, but the header (line {header_line}) "
                f"names {len(header)} columns",
                hint="quote cells that contain commas",
            )
        record = {column: from_spreadsheet_safe(cell)
                  for column, cell in zip(header, cells, strict=True) if column}  # fmt: skip
        markers.append(_marker(record, f"{source}:{line}", line))
    if header is None:
        raise InvalidInput(f"{source}:1: empty file, no header row", hint=_CSV_HINT)
    return markers


def _element_lines(text: str) -> list[int]:
    """The 1-based line each element of the (valid) top-level JSON list starts on."""
    decoder = json.JSONDecoder()
    space = re.compile(r"[ \t\n\r]*")
    index = space.match(text).end() + 1  # after "["
    index = space.match(text, index).end()
    lines, line, counted = [], 1, 0
    while index < len(text) and text[index] != "]":
        line += text.count("\n", counted, index)
        counted = index
        lines.append(line)
        _, index = decoder.raw_decode(text, index)
        index = space.match(text, index).end()
        if index < len(text) and text[index] == ",":
            index = space.match(text, index + 1).end()
    return lines


def read_json(data: bytes, *, source: str) -> list[ReadMarker]:
    """The markers of a btslog JSON list."""
    text = _decode(data, source, _JSON_HINT)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source}:{error.lineno}:{error.colno}: not valid JSON ({error.msg})", hint=_JSON_HINT
        ) from None
    except (ValueError, RecursionError) as error:
        raise InvalidInput(f"{source}:1: not usable JSON ({error})", hint=_JSON_HINT) from None
    if not isinstance(value, list):
        raise InvalidInput(
            f"{source}:1: expected a list of markers, found a JSON {type(value).__name__}",
            hint=_JSON_HINT,
        )
    lines = _element_lines(text)
    markers = []
    for index, (record, line) in enumerate(zip(value, lines, strict=True)):
        where = f"{source}:[{index}]"
        if not isinstance(record, dict):
            raise InvalidInput(f"{where}: expected an object, found {type(record).__name__}",
                               hint=_JSON_HINT)  # fmt: skip
        markers.append(_marker(record, where, line))
    return markers


FORMATS = (
    Format(
        name="csv",
        suffixes=(".csv",),
        description="a spreadsheet table of every clip's markers (UTF-8 CSV with a header)",
        per_clip=False,
        write=write_csv,
        read=read_csv,
    ),
    Format(
        name="json",
        suffixes=(".json",),
        description="every clip's markers as a JSON list of objects",
        per_clip=False,
        write=write_json,
        read=read_json,
    ),
)
