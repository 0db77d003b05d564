"""Exporters and importers for NLE interchange: one module per format, found by name or suffix.

Each format module defines ``FORMAT = Format(...)`` with:

* ``name`` (as typed after ``--format``), ``suffixes`` (``.edl`` ...), ``description``;
* ``per_clip``: True when the format holds one clip's markers (several clips -> one file each);
* ``write(document, **options) -> bytes`` for a :class:`~btslog.exchange.model.MarkerDocument`;
* ``read(data, *, source) -> list[ReadMarker]`` (``source`` names the file in errors), or None
  when the format cannot be imported;
* ``write_timeline(timeline, **options) -> bytes`` for a
  :class:`~btslog.exchange.model.Timeline` (a cut as a sequence referencing the original
  media), or None when the format holds no timelines.

Marker formats are listed in :data:`MODULES`, timeline formats in :data:`TIMELINE_MODULES`
(``edl`` is a CMX 3600 timeline only: a marker EDL is ``resolve-edl``).  Modules are imported
only when a format is used, so ``btslog --help`` stays instant.

:func:`placed_events` lays a timeline's events out back to back (record positions) and checks
them; every timeline writer uses it, so all formats agree on where each event sits.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.errors import InvalidInput

if TYPE_CHECKING:
    from btslog.exchange.model import Timeline, TimelineEvent

# format name -> module; the order is the order `--help` lists them in.
MODULES = {
    "resolve-edl": "btslog.exchange.resolve_edl",
    "premiere-xml": "btslog.exchange.xmeml",
    "fcpxml": "btslog.exchange.fcpxml",
    "avid": "btslog.exchange.avid",
    "otio": "btslog.exchange.otio",
    "csv": "btslog.exchange.tabular",
    "json": "btslog.exchange.tabular",
    "srt": "btslog.exchange.subtitles",
    "vtt": "btslog.exchange.subtitles",
}

# timeline format name -> module (the order `--help` lists them in).
TIMELINE_MODULES = {
    "edl": "btslog.exchange.edl",
    "premiere-xml": "btslog.exchange.xmeml",
    "fcpxml": "btslog.exchange.fcpxml",
    "otio": "btslog.exchange.otio",
}

#: what every timeline format says of an event whose faces btslog's render blurs
BLUR_FLAG = "faces blurred in btslog render (consent)"


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    description: str
    per_clip: bool
    write: Callable[..., bytes]
    read: Callable[..., list] | None = None
    write_timeline: Callable[..., bytes] | None = None


def _format_in(modules: dict[str, str], name: str) -> Format:
    module = importlib.import_module(modules[name])
    formats = getattr(module, "FORMATS", None) or (module.FORMAT,)
    for candidate in formats:
        if candidate.name == name:
            return candidate
    raise AssertionError(f"{modules[name]} does not define format {name}")  # pragma: no cover


def get_format(name: str) -> Format:
    """The marker format registered as ``name``."""
    if name not in MODULES:
        hint = "marker formats: " + ", ".join(MODULES)
        if name in TIMELINE_MODULES:  # e.g. edl: a marker EDL is resolve-edl
            raise InvalidInput(f"{name} is a timeline format (btslog export timeline), "
                               "not a marker format", hint=hint)  # fmt: skip
        raise InvalidInput(f"unknown marker format {name!r}", hint=hint)
    return _format_in(MODULES, name)


def get_timeline_format(name: str) -> Format:
    """The timeline format registered as ``name`` (edl, premiere-xml, fcpxml, otio)."""
    if name not in TIMELINE_MODULES:
        raise InvalidInput(
            f"unknown timeline format {name!r}", hint="formats: " + ", ".join(TIMELINE_MODULES)
        )
    return _format_in(TIMELINE_MODULES, name)


def timeline_format_for_path(path: str | Path) -> Format:
    """The timeline format a file's suffix names (``.edl`` is a CMX 3600 EDL here)."""
    return _format_for_suffix(path, TIMELINE_MODULES, get_timeline_format, "timeline format")


def format_for_path(path: str | Path) -> Format:
    """The format a file's suffix names (``.edl`` is a Resolve marker EDL, ``.xml`` xmeml)."""
    return _format_for_suffix(path, MODULES, get_format, "format")


def _format_for_suffix(path: str | Path, modules: dict, get: Callable[[str], Format],
                       what: str) -> Format:  # fmt: skip
    suffix = Path(path).suffix.lower()
    for name in modules:
        candidate = get(name)
        if suffix in candidate.suffixes:
            return candidate
    raise InvalidInput(
        f"{path}: cannot tell the {what} from the suffix {suffix or '(none)'}",
        hint="give --format: " + ", ".join(modules),
    )


# --- timelines: where each event sits -------------------------------------------------------


@dataclass(frozen=True)
class PlacedEvent:
    """An event of a timeline and its place in the sequence: ``record_in`` frames after the
    sequence's first frame, ``record_frames`` long (both at the sequence's rate)."""

    number: int  # 1-based, in timeline order
    event: TimelineEvent
    record_in: int
    record_frames: int

    @property
    def record_out(self) -> int:
        return self.record_in + self.record_frames


def placed_events(timeline: Timeline) -> list[PlacedEvent]:
    """The timeline's events back to back from its first frame, each checked to hold at
    least one frame inside its clip; :class:`InvalidInput` names the event otherwise."""
    from btslog.exchange.model import record_frames
    from btslog.timecode import format_timecode

    if not timeline.events:
        raise InvalidInput(
            f"timeline {timeline.title!r} has no events", hint="add segments to the cut first"
        )
    format_timecode(timeline.start_frame, timeline.rate, timeline.drop_frame)  # checks the mode
    placed, position = [], 0
    for number, event in enumerate(timeline.events, start=1):
        clip = event.clip
        if event.in_frame < 0 or event.frames < 1 or event.out_frame > clip.duration_frames:
            raise InvalidInput(
                f"event {number} ({clip.name}): frames {event.in_frame} to {event.out_frame} "
                f"do not lie inside the clip's {clip.duration_frames} frames",
                hint="the cut refers to a range the clip does not hold; assemble the cut again",
            )
        frames = record_frames(event, timeline.rate)
        placed.append(PlacedEvent(number, event, position, frames))
        position += frames
    return placed
