"""One clip's notes as subtitles (SubRip .srt, WebVTT .vtt), to read over the footage.

Cue times count from the clip's first frame (``00:00:00,000`` is the clip's first frame,
whatever its timecode): a marker from ``in_frame`` to ``out_frame`` (exclusive) is shown from
``in_frame / rate`` to ``out_frame / rate`` seconds, each rounded half up to the millisecond
from the exact fraction.  Cues are written in time order.  A cue's text is the marker's name
on one line, then the note's lines without blank ones (a blank line would end the cue), each
line stripped (:func:`carried_name`, :func:`carried_note`).

* SRT: cues numbered 1, 2, ...; ``HH:MM:SS,mmm``; no escaping (text is shown as written).
* VTT: ``WEBVTT``, a ``NOTE`` block naming the clip and its start timecode, cue ids = btslog
  tag ids when known; ``HH:MM:SS.mmm``; ``&``, ``<`` and ``>`` escaped as ``&amp;`` ``&lt;``
  ``&gt;`` (so a note can never hold ``-->`` or a tag); reading drops tags (``<i>``) and
  unescapes character references.

Files are UTF-8 with LF line ends; reading also takes CRLF, CR and a byte-order mark.

Subtitles carry no frame rate, so **reading needs the clip's rate**:
``read_srt(data, source=..., rate=clip.rate)``.  Positions come back as ints (frames from
the clip's first frame), each time converted to the nearest frame; a cue shorter than a frame
reads as a 1-frame marker.  Below 1000 fps the millisecond rounding never moves a frame, so
every marker (points included) comes back on the frames it was written from.
"""

from __future__ import annotations

import html
import math
import re
from fractions import Fraction

from btslog.errors import InvalidInput
from btslog.exchange import Format
from btslog.exchange.model import ClipMarkers, MarkerDocument, ReadMarker, one_line, single_clip
from btslog.exchange.text import text_lines
from btslog.timecode import format_timecode, rate_label, seconds_to_frames

MAX_HOURS = 99

_SRT_TIME = r"(\d{2,}):(\d{2}):(\d{2})[,.](\d{3})"
_SRT_TIMING_RE = re.compile(rf"^{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s.*)?$")
_VTT_TIME = r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING_RE = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")
_VTT_HEADER_RE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TAG_RE = re.compile(r"<[^>]*>")
_SRT_HINT = "an SRT cue is a number, a line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', then text lines"
_VTT_HINT = "a WebVTT file starts with WEBVTT; a cue has 'HH:MM:SS.mmm --> HH:MM:SS.mmm' then text"


def carried_name(name: str) -> str:
    """What of a marker name the cue keeps: one line."""
    return one_line(name)


def carried_note(note: str) -> str:
    """What of a note the cue keeps: its non-blank lines, each stripped, joined by ``\\n``."""
    return "\n".join(line.strip() for line in note.splitlines() if line.strip())


def milliseconds(frames: int, rate: Fraction) -> int:
    """The running time of ``frames`` frames at ``rate``, to the millisecond, halves up."""
    return math.floor(Fraction(frames * 1000) / rate + Fraction(1, 2))


def frames_at(milliseconds: int, rate: Fraction) -> int:
    """The frame nearest to ``milliseconds`` from the clip's first frame."""
    return seconds_to_frames(Fraction(milliseconds, 1000), rate)


def _clock(milliseconds: int, separator: str) -> str:
    seconds, millis = divmod(milliseconds, 1000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}{separator}{millis:03d}"


# --- write -----------------------------------------------------------------------------------


def _cues(clip: ClipMarkers, separator: str):
    """(marker, timing line, text lines) in time order."""
    for marker in sorted(clip.markers, key=lambda marker: (marker.in_frame, marker.out_frame)):
        start = _clock(milliseconds(marker.in_frame, clip.rate), separator)
        end = _clock(milliseconds(marker.out_frame, clip.rate), separator)
        note = carried_note(marker.note)
        name = carried_name(marker.name)  # none for a marker without a kind: a transcript cue
        text = [*([name] if name else []), *(note.split("\n") if note else ())]
        yield marker, f"{start} --> {end}", text


def write_srt(document: MarkerDocument) -> bytes:
    """The notes of the document's one clip as SubRip subtitles (UTF-8, LF)."""
    clip = single_clip(document, "SRT subtitles hold one clip's notes")
    blocks = []
    for number, (_marker, timing, text) in enumerate(_cues(clip, ","), start=1):
        blocks.append("\n".join([str(number), timing, *text]) + "\n")
    return "\n".join(blocks).encode("utf-8")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(document: MarkerDocument) -> bytes:
    """The notes of the document's one clip as WebVTT subtitles (UTF-8, LF)."""
    clip = single_clip(document, "WebVTT subtitles hold one clip's notes")
    start_tc = format_timecode(clip.start_frame, clip.rate, clip.drop_frame)
    described = one_line(f"{clip.name} ({clip.file_name})").replace("-->", "->")
    note = (
        f"NOTE\nbtslog markers of clip {described}\n"
        f"first frame {start_tc} at {rate_label(clip.rate)} fps; cue times count from it\n"
    )
    blocks = ["WEBVTT\n", note]
    for marker, timing, text in _cues(clip, "."):
        cue_id = [str(marker.tag_id)] if marker.tag_id is not None else []
        blocks.append("\n".join([*cue_id, timing, *map(_vtt_escape, text)]) + "\n")
    return "\n".join(blocks).encode("utf-8")


# --- read ------------------------------------------------------------------------------------


def _blocks(data: bytes, source: str, hint: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each run of non-blank lines."""
    lines = text_lines(
        data, source, what="subtitles", hint=hint, save_hint="save the subtitles as UTF-8"
    )
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _milliseconds(groups: tuple, where: str, hint: str) -> int:
    hours, minutes, seconds, millis = (int(group) if group else 0 for group in groups)
    if hours > MAX_HOURS or minutes >= 60 or seconds >= 60:
        raise InvalidInput(
            f"{where}: time {hours:02d}:{minutes:02d}:{seconds:02d} is out of range",
            hint=f"hours run 00-{MAX_HOURS}, minutes and seconds 00-59; " + hint,
        )
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _cue(
    timing: re.Match, text: list[str], rate: Fraction, where: str, first_line: int, hint: str
) -> ReadMarker:
    start = _milliseconds(timing.groups()[:4], where, hint)
    end = _milliseconds(timing.groups()[4:], where, hint)
    if end <= start:
        raise InvalidInput(
            f"{where}: the cue ends ({_clock(end, '.')}) before it starts ({_clock(start, '.')})",
            hint="a cue needs an end time after its start time",
        )
    first = frames_at(start, rate)
    duration = max(1, frames_at(end, rate) - first)
    lines = [text_line.strip() for text_line in text]
    return ReadMarker(
        position=first,
        duration=duration,
        name=lines[0] if lines else "",
        note="\n".join(text_line for text_line in lines[1:] if text_line),
        line=first_line,
    )


def read_srt(data: bytes, *, source: str, rate: Fraction) -> list[ReadMarker]:
    """The cues of SubRip subtitles for a clip at ``rate``, as markers (frames from its start)."""
    markers = []
    for first_line, lines in _blocks(data, source, _SRT_HINT):
        where = f"{source}:{first_line}"
        timing_at = 0 if "-->" in lines[0] else 1
        if timing_at == 1 and not re.fullmatch(r"\s*\d{1,9}\s*", lines[0]):
            raise InvalidInput(
                f"{where}: expected a cue number, found {lines[0].strip()[:60]!r}", hint=_SRT_HINT
            )
        if timing_at >= len(lines):
            raise InvalidInput(f"{where}: cue without a timing line", hint=_SRT_HINT)
        timing = _SRT_TIMING_RE.match(lines[timing_at].strip())
        if not timing:
            raise InvalidInput(
                f"{source}:{first_line + timing_at}: malformed timing line "
                f"{lines[timing_at].strip()[:60]!r}",
                hint=_SRT_HINT,
            )
        text = lines[timing_at + 1 :]
        markers.append(
            _cue(timing, text, rate, f"{source}:{first_line + timing_at}", first_line, _SRT_HINT)
        )
    return markers


def read_vtt(data: bytes, *, source: str, rate: Fraction) -> list[ReadMarker]:
    """The cues of WebVTT subtitles for a clip at ``rate``, as markers (frames from its start)."""
    blocks = _blocks(data, source, _VTT_HINT)
    if not blocks or blocks[0][0] != 1 or not _VTT_HEADER_RE.match(blocks[0][1][0].rstrip()):
        raise InvalidInput(f"{source}:1: not a WebVTT file (no WEBVTT line)", hint=_VTT_HINT)
    for offset, header_line in enumerate(blocks[0][1][1:], start=2):
        if "-->" in header_line:
            raise InvalidInput(
                f"{source}:{offset}: a cue inside the WEBVTT header",
                hint="leave a blank line after the header; " + _VTT_HINT,
            )
    markers = []
    for first_line, lines in blocks[1:]:
        where = f"{source}:{first_line}"
        if re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            if lines[0].startswith("NOTE") or "-->" not in "".join(lines):
                continue
            raise InvalidInput(f"{where}: {lines[0].split()[0]} block holds '-->'", hint=_VTT_HINT)
        timing_at = 0 if "-->" in lines[0] else 1
        if timing_at >= len(lines) or "-->" not in lines[timing_at]:
            raise InvalidInput(
                f"{where}: expected a cue timing line 'HH:MM:SS.mmm --> HH:MM:SS.mmm', found "
                f"{lines[0].strip()[:60]!r}",
                hint=_VTT_HINT,
            )
        timing = _VTT_TIMING_RE.match(lines[timing_at].strip())
        if not timing:
            raise InvalidInput(
                f"{source}:{first_line + timing_at}: malformed timing line "
                f"{lines[timing_at].strip()[:60]!r}",
                hint=_VTT_HINT,
            )
        text = [html.unescape(_TAG_RE.sub("", line)) for line in lines[timing_at + 1 :]]
        markers.append(
            _cue(timing, text, rate, f"{source}:{first_line + timing_at}", first_line, _VTT_HINT)
        )
    return markers


FORMATS = (
    Format(
        name="srt",
        suffixes=(".srt",),
        description="one clip's notes as SubRip subtitles, timed from the clip's first frame",
        per_clip=True,
        write=write_srt,
        read=read_srt,
    ),
    Format(
        name="vtt",
        suffixes=(".vtt",),
        description="one clip's notes as WebVTT subtitles, timed from the clip's first frame",
        per_clip=True,
        write=write_vtt,
        read=read_vtt,
    ),
)
