"""What exporters write and importers read: plain values, no database, no files.

Exporters get a :class:`MarkerDocument` (clips, each with its markers in frames from the
clip's first frame, out exclusive, and the clip's camera time-of-day start) and return bytes.
Importers get bytes and return :class:`ReadMarker` values; ``btslog.ops.exchange`` maps them
onto the project's clips and checks them.

Formats without fields for btslog's kind, scene/take, rating, circled/NG and people carry
them in the marker's name, written by :func:`marker_name` and read back by
:func:`parse_marker_name`:  ``take 12A/3 ★★★★ circled with Grace, Eileen``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Marker:
    """One tag as a marker.  ``colors`` maps an NLE (``resolve``, ``premiere``, ``avid``,
    ``otio``) to the colour in its own vocabulary (from presets/markers.toml)."""

    in_frame: int
    out_frame: int  # exclusive
    kind: str
    note: str = ""
    scene: str | None = None
    take: str | None = None
    rating: int | None = None
    circled: bool = False
    ng: bool = False
    people: tuple[str, ...] = ()
    colors: dict = field(default_factory=dict, compare=False, hash=False)
    tag_id: int | None = None

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame

    @property
    def name(self) -> str:
        return marker_name(self)


@dataclass(frozen=True)
class ClipMarkers:
    """A clip and its markers.  ``start_frame`` is the time-of-day label of its first frame."""

    name: str  # btslog's clip name, e.g. A001C001
    file_name: str  # the media file's name, e.g. A001C001.MP4
    path: str  # absolute path of the media file (for file:// URLs)
    rate: Fraction
    drop_frame: bool
    start_frame: int
    duration_frames: int
    width: int = 1920
    height: int = 1080
    reel: str | None = None
    camera: str | None = None
    audio_channels: int = 2
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class MarkerDocument:
    title: str
    clips: tuple[ClipMarkers, ...]


@dataclass(frozen=True)
class ReadMarker:
    """A marker as a file states it, before it is placed on a clip.

    ``position`` is either a time-of-day timecode string exactly as written (``14:03:15;02``)
    or an int: frames from the clip's first frame.  ``clip`` is the clip the file names (its
    name or file name), or None when the file names none (per-clip formats).  ``rate`` is the
    rate the file states for the clip, if any, so a wrong rate is caught.
    """

    position: str | int
    duration: int  # frames, >= 1
    name: str = ""
    note: str = ""
    clip: str | None = None
    color: str | None = None  # in the format's own vocabulary
    rate: Fraction | None = None
    line: int | None = None  # 1-based line in the file, for error messages


# --- names that carry btslog's fields ------------------------------------------------------

_NAME_RE = re.compile(
    r"^(?P<kind>[a-z][a-z0-9_-]*)"
    r"(?: (?P<scene>[A-Za-z0-9._-]*)/(?P<take>[A-Za-z0-9._-]*))?"
    r"(?: (?P<stars>★{1,5}))?"
    r"(?: (?P<mark>circled|NG))?"
    r"(?: with (?P<people>.+))?$"
)


@dataclass(frozen=True)
class NameFields:
    kind: str
    scene: str | None = None
    take: str | None = None
    rating: int | None = None
    circled: bool = False
    ng: bool = False
    people: tuple[str, ...] = ()


def marker_name(marker: Marker) -> str:
    """``kind[ scene/take][ ★…][ circled|NG][ with A, B]`` (see :func:`parse_marker_name`)."""
    parts = [marker.kind]
    if marker.scene or marker.take:
        parts.append(f"{marker.scene or ''}/{marker.take or ''}")
    if marker.rating:
        parts.append("★" * marker.rating)
    if marker.circled:
        parts.append("circled")
    elif marker.ng:
        parts.append("NG")
    if marker.people:
        parts.append("with " + ", ".join(marker.people))
    return " ".join(parts)


def parse_marker_name(name: str) -> NameFields | None:
    """The fields :func:`marker_name` wrote, or None for a name an editor typed in the NLE."""
    match = _NAME_RE.match(name.strip())
    if not match:
        return None
    people = tuple(p.strip() for p in (match["people"] or "").split(",") if p.strip())
    return NameFields(
        kind=match["kind"],
        scene=match["scene"] or None,
        take=match["take"] or None,
        rating=len(match["stars"]) if match["stars"] else None,
        circled=match["mark"] == "circled",
        ng=match["mark"] == "NG",
        people=people,
    )


def single_clip(document: MarkerDocument, holds: str) -> ClipMarkers:
    """The one clip of a per-clip format's document, its markers checked to span a frame.

    ``holds`` names what the format holds, e.g. "a Resolve marker EDL holds one clip's markers".
    """
    from btslog.errors import InvalidInput

    if len(document.clips) != 1:
        raise InvalidInput(f"{holds}, not {len(document.clips)} clips",
                           hint="export one file per clip")  # fmt: skip
    (clip,) = document.clips
    for marker in clip.markers:
        if marker.in_frame < 0 or marker.frames < 1:
            raise InvalidInput(
                f"clip {clip.name}: marker {marker.name!r} runs from frame {marker.in_frame} "
                f"to {marker.out_frame}; a marker needs at least one frame"
            )
    return clip


def one_line(text: str, forbidden: str = "") -> str:
    """``text`` on one line, without the characters a format uses as separators."""
    text = " ".join(text.split())
    for character in forbidden:
        text = text.replace(character, "¦" if character == "|" else " ")
    return text


# --- timelines (a cut handed to the NLE) ---------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One edit of a timeline: ``in_frame``..``out_frame`` (exclusive, frames from the
    source clip's first frame at the clip's rate) of ``clip`` (its ``markers`` are empty).

    ``blurred`` says btslog's render hides faces in this range (consent): writers flag it
    (a marker, a comment or a clip colour) so the editor conforming the original media knows
    the range needs the same treatment.  ``label`` is the segment's lower-third text.
    """

    clip: ClipMarkers
    in_frame: int
    out_frame: int
    label: str = ""
    note: str = ""
    kind: str = ""
    blurred: bool = False
    tag_id: int | None = None

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame


@dataclass(frozen=True)
class Timeline:
    """A cut as a sequence: events back to back from ``start_frame`` (a timecode label count
    at ``rate``/``drop_frame``, e.g. 01:00:00:00).  An event whose clip runs at another rate
    takes :func:`record_frames` frames of the sequence."""

    title: str
    rate: Fraction
    drop_frame: bool
    start_frame: int
    width: int
    height: int
    events: tuple[TimelineEvent, ...]


def record_frames(event: TimelineEvent, rate: Fraction) -> int:
    """How many frames of a sequence at ``rate`` the event fills: its source duration in
    seconds at the sequence rate, rounded to the nearest frame (at least one)."""
    seconds = Fraction(event.frames) / event.clip.rate
    return max(1, round(seconds * rate))
