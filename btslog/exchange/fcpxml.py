"""Final Cut Pro markers as FCPXML 1.9 / 1.10 / 1.11: browser clips with markers, keywords
and ratings.

The file holds one ``<format>`` per distinct rate and frame size (``frameDuration`` exact:
``1001/24000s``, ``100/2400s``; FCP's ``FFVideoFormat…`` name where one exists), one
``<asset>`` per clip (``<media-rep>`` with the file's URL, ``start`` = the camera start
timecode as a time, reel and camera as metadata), and a ``<library><event>`` named after the
document holding one ``<asset-clip>`` per clip.  Importing it (``File > Import > XML``) gives
an event of clips covering their whole media, each with its markers.

Every time is an exact rational on the clip's frame grid: a label count times
``frameDuration`` (so at 29.97 drop-frame 01:00:00;00 is frame 107892, ``8999991/2500s``).
A marker's ``start`` is in the clip's local (media) time: clip start + in frame.

FCPXML has no marker colours, so btslog's fields travel like this:

==================  =======================================================================
btslog              FCPXML (children of the asset-clip, all over the marker's range)
==================  =======================================================================
name, note          ``<marker value=NAME note=NOTE>`` (the name carries kind, scene/take,
                    stars, circled/NG and people, see ``btslog.exchange.model``)
kind flub,          the marker is a to-do (``completed="0"``): red in FCP's marker list
restricted
kind                ``<keyword value=KIND>``: FCP's keyword collections group the ranges
NG                  ``<rating value="reject">``
circled, rating>=4  ``<rating value="favorite">`` (NG wins over circled)
==================  =======================================================================

Reading takes the ``<marker>`` and ``<chapter-marker>`` elements of every ``<asset-clip>``
(browser or timeline): position in frames from the asset's first frame, duration in frames
(a point marker is one frame), ``value`` as the name, ``note``, and the clip's rate.  Keywords
and ratings are not read back: the marker name carries the same fields.  A time that is not
on the clip's frame grid is an error, as is any malformed or unsafe XML (see
:func:`btslog.exchange.xmeml.parse_xml`).

A cut is written as a project (a sequence of asset-clips on the original media) by
:func:`write_timeline`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from btslog.errors import InvalidInput
from btslog.exchange import Format
from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument, ReadMarker, Timeline
from btslog.exchange.xmeml import file_url, parse_xml, xml_text
from btslog.timecode import frames_per_day

VERSIONS = ("1.9", "1.10", "1.11")
DEFAULT_VERSION = "1.10"

#: kinds whose markers become FCP to-do items (``completed="0"``)
TODO_KINDS = frozenset({"flub", "restricted"})
#: a rating from this many stars up makes the range a favourite
FAVORITE_STARS = 4

# FCP's own format names: frame size part x rate part (FCPXML 1.5 list of FFVideoFormat
# identifiers); other sizes and rates get a nameless format FCP reads from its attributes.
_SIZE_NAMES = {(1920, 1080): "1080", (1280, 720): "720", (1440, 1080): "1440x1080",
               (2048, 1080): "2048x1080", (3840, 2160): "3840x2160",
               (4096, 2160): "4096x2160"}  # fmt: skip
_RATE_NAMES = {Fraction(24000, 1001): "2398", Fraction(24): "24", Fraction(25): "25",
               Fraction(30000, 1001): "2997", Fraction(30): "30", Fraction(50): "50",
               Fraction(60000, 1001): "5994", Fraction(60): "60"}  # fmt: skip

_TIME = re.compile(r"^\s*(-?\d+)(?:/(\d+))?s\s*$")


# --- time -----------------------------------------------------------------------------------


def frame_duration(rate: Fraction) -> str:
    """FCP's spelling of one frame at ``rate``: ``1001/24000s``, ``100/2400s``, ``1/25s``…"""
    if rate.denominator == 1001:
        return f"1001/{rate.numerator}s"
    if rate.denominator == 1:
        return f"100/{rate.numerator * 100}s"
    return f"{rate.denominator}/{rate.numerator}s"


def fcp_time(seconds: Fraction) -> str:
    """``seconds`` as an FCPXML time: ``0s``, ``3600s``, ``11011/1000s`` (reduced)."""
    if seconds == 0:
        return "0s"
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def frames_time(frames: int, rate: Fraction) -> str:
    """The time of ``frames`` frames at ``rate`` (exact: frames x frameDuration)."""
    return fcp_time(Fraction(frames) / rate)


def parse_time(text: str | None, *, source: str, line: int | None, what: str) -> Fraction:
    """An FCPXML time (``1001/24000s``, ``10s``) as exact seconds."""
    match = _TIME.match(text or "")
    if not match or (match[2] is not None and int(match[2]) == 0):
        raise InvalidInput(
            f"{source}:{line or 1}: {what} is {text!r}, not an FCPXML time",
            hint="FCPXML times are rational seconds such as 1001/24000s or 10s",
        )
    return Fraction(int(match[1]), int(match[2] or 1))


# --- writing --------------------------------------------------------------------------------


def _sub(parent, tag: str, attributes: dict):
    from lxml import etree

    return etree.SubElement(
        parent, tag, {key: xml_text(str(value)) for key, value in attributes.items()}
    )


def format_name(rate: Fraction, width: int, height: int) -> str | None:
    """FCP's name for a progressive format (``FFVideoFormat1080p2398``), or None."""
    size, rate_part = _SIZE_NAMES.get((width, height)), _RATE_NAMES.get(rate)
    if size is None or rate_part is None:
        return None
    return f"FFVideoFormat{size}p{rate_part}"


def _start_label(clip: ClipMarkers) -> int:
    """The clip's first label wrapped into one day (a clip after midnight starts at 00:…)."""
    return clip.start_frame % frames_per_day(clip.rate, clip.drop_frame)


def _marker_children(parent, marker: Marker, clip_start: int, rate: Fraction) -> None:
    start = frames_time(clip_start + marker.in_frame, rate)
    duration = frames_time(marker.frames, rate)
    attributes = {"start": start, "duration": duration, "value": marker.name}
    if marker.kind in TODO_KINDS:
        attributes["completed"] = "0"
    if marker.note:
        attributes["note"] = marker.note
    _sub(parent, "marker", attributes)
    _sub(parent, "keyword", {"start": start, "duration": duration, "value": marker.kind})
    if marker.ng:
        rating = "reject"
    elif marker.circled or (marker.rating or 0) >= FAVORITE_STARS:
        rating = "favorite"
    else:
        return
    _sub(parent, "rating", {"start": start, "duration": duration, "value": rating})


def _checked_version(version: str) -> str:
    version = str(version)
    if version not in VERSIONS:
        raise InvalidInput(
            f"FCPXML version {version!r} is not one btslog writes",
            hint="choose " + ", ".join(VERSIONS) + " (Resolve reads up to 1.10)",
        )
    return version


def _add_formats(resources, keys) -> dict[tuple[Fraction, int, int], str]:
    """One ``<format>`` per distinct (rate, width, height) of ``keys``, ids ``r1``, ``r2``…"""
    format_ids: dict[tuple[Fraction, int, int], str] = {}
    for key in keys:
        if key not in format_ids:
            format_ids[key] = f"r{len(format_ids) + 1}"
            attributes = {"id": format_ids[key]}
            name = format_name(*key)
            if name:
                attributes["name"] = name
            rate, width, height = key
            attributes.update(frameDuration=frame_duration(rate), width=width, height=height)
            _sub(resources, "format", attributes)
    return format_ids


def _format_key(clip: ClipMarkers) -> tuple[Fraction, int, int]:
    return (clip.rate, clip.width, clip.height)


def _add_asset(resources, clip: ClipMarkers, asset_id: str, format_id: str) -> None:
    """The clip's media as an ``<asset>`` starting at its camera time of day."""
    attributes = {
        "id": asset_id,
        "name": clip.name,
        "start": frames_time(_start_label(clip), clip.rate),
        "duration": frames_time(clip.duration_frames, clip.rate),
        "hasVideo": "1",
        "format": format_id,
        "videoSources": "1",
    }
    if clip.audio_channels > 0:
        attributes.update(hasAudio="1", audioSources="1", audioChannels=clip.audio_channels)
    asset = _sub(resources, "asset", attributes)
    _sub(asset, "media-rep", {"kind": "original-media", "src": file_url(clip.path)})
    metadata = [("com.apple.proapps.studio.reel", clip.reel),
                ("com.apple.proapps.mio.cameraName", clip.camera)]  # fmt: skip
    if any(value for _, value in metadata):
        element = _sub(asset, "metadata", {})
        for key, value in metadata:
            if value:
                _sub(element, "md", {"key": key, "value": value})


def _document(root) -> bytes:
    from lxml import etree

    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body


def write(document: MarkerDocument, *, version: str = DEFAULT_VERSION, **options) -> bytes:
    """``document`` as FCPXML ``version`` (1.9, 1.10 or 1.11) for FCP's File > Import > XML."""
    from lxml import etree

    root = etree.Element("fcpxml", version=_checked_version(version))
    resources = _sub(root, "resources", {})
    format_ids = _add_formats(resources, [_format_key(clip) for clip in document.clips])
    asset_ids = []
    for number, clip in enumerate(document.clips, start=len(format_ids) + 1):
        asset_ids.append(f"r{number}")
        _add_asset(resources, clip, asset_ids[-1], format_ids[_format_key(clip)])
    event = _sub(_sub(root, "library", {}), "event", {"name": document.title})
    for clip, asset_id in zip(document.clips, asset_ids, strict=True):
        start = _start_label(clip)
        asset_clip = _sub(
            event,
            "asset-clip",
            {
                "ref": asset_id,
                "name": clip.name,
                "start": frames_time(start, clip.rate),
                "duration": frames_time(clip.duration_frames, clip.rate),
                "format": format_ids[_format_key(clip)],
                "tcFormat": "DF" if clip.drop_frame else "NDF",
            },
        )
        for marker in clip.markers:
            _marker_children(asset_clip, marker, start, clip.rate)
    return _document(root)


# --- writing a timeline ---------------------------------------------------------------------

#: the keyword (a keyword collection in FCP's browser) on every range btslog blurs
BLUR_KEYWORD = "faces blurred (consent)"
# conform-rate's srcFrameRate vocabulary (DTD 1.9-1.11)
_CONFORM_RATES = {Fraction(24000, 1001): "23.98", Fraction(24): "24", Fraction(25): "25",
                  Fraction(30000, 1001): "29.97", Fraction(30): "30", Fraction(60): "60",
                  Fraction(48000, 1001): "47.95", Fraction(48): "48", Fraction(50): "50",
                  Fraction(60000, 1001): "59.94"}  # fmt: skip


def _clip_local_start(start: Fraction, duration: Fraction, clip: ClipMarkers) -> Fraction:
    """The asset-clip's ``start``: ``start`` unless its ``duration`` (on the sequence's grid)
    would run past the asset's last frame, then the latest frame of the clip that fits."""
    end = Fraction(_start_label(clip) + clip.duration_frames) / clip.rate
    if start + duration <= end:
        return start
    frames = math.floor((end - duration) * clip.rate)
    return Fraction(max(frames, _start_label(clip))) / clip.rate


def write_timeline(timeline: Timeline, *, version: str = DEFAULT_VERSION, **options) -> bytes:
    """``timeline`` as an FCPXML ``version`` project for FCP's File > Import > XML.

    Resources: the sequence's ``<format>`` (``r1``), one per other clip rate and size, and one
    ``<asset>`` per clip (``start`` = its camera time of day, ``<media-rep>`` with its URL).
    ``<library><event><project><sequence>`` named after the timeline: ``tcStart`` is its
    start timecode as a time on its frame grid (01:00:00;00 at 29.97 DF is frame 107892,
    ``8999991/2500s``), ``tcFormat`` its drop-frame mode, and the spine holds one
    ``<asset-clip>`` per event, back to back: ``offset`` and ``duration`` on the sequence's
    frame grid (tcStart + record position; :func:`btslog.exchange.placed_events`), ``start``
    the event's in point in the clip's own time (camera time of day, on the clip's grid).
    A clip at another rate than the sequence gets ``<conform-rate scaleEnabled="0">`` (plays
    at normal speed, frames sampled to the sequence's rate) and its duration is the segment's
    length rounded to sequence frames (its start moves back at most one frame when that would
    run past the media's end).

    Inside each asset-clip, in clip time over the event's range: a ``<marker>`` with the
    label (``value``) and note, a ``<keyword>`` with the kind, and for an event btslog blurs a
    to-do marker (``completed="0"``, red in FCP's marker list) named
    :data:`btslog.exchange.BLUR_FLAG` plus the keyword :data:`BLUR_KEYWORD` (a keyword
    collection gathering every blurred range).  FCPXML has no clip colours.
    """
    from lxml import etree

    from btslog.exchange import BLUR_FLAG, placed_events

    placed = placed_events(timeline)
    rate = timeline.rate
    root = etree.Element("fcpxml", version=_checked_version(version))
    resources = _sub(root, "resources", {})
    clips = list(dict.fromkeys(item.event.clip for item in placed))
    sequence_key = (rate, timeline.width, timeline.height)
    format_ids = _add_formats(resources, [sequence_key, *map(_format_key, clips)])
    asset_ids = {}
    for number, clip in enumerate(clips, start=len(format_ids) + 1):
        asset_ids[clip] = f"r{number}"
        _add_asset(resources, clip, asset_ids[clip], format_ids[_format_key(clip)])
    library = _sub(root, "library", {})
    project = _sub(_sub(library, "event", {"name": timeline.title}), "project",
                   {"name": timeline.title})  # fmt: skip
    tc_start = Fraction(timeline.start_frame) / rate
    sequence = _sub(
        project,
        "sequence",
        {
            "format": format_ids[sequence_key],
            "duration": frames_time(placed[-1].record_out, rate),
            "tcStart": fcp_time(tc_start),
            "tcFormat": "DF" if timeline.drop_frame else "NDF",
        },
    )
    spine = _sub(sequence, "spine", {})
    for item in placed:
        event, clip = item.event, item.event.clip
        duration = Fraction(item.record_frames) / rate
        in_time = Fraction(_start_label(clip) + event.in_frame) / clip.rate
        start = _clip_local_start(in_time, duration, clip)
        asset_clip = _sub(
            spine,
            "asset-clip",
            {
                "ref": asset_ids[clip],
                "offset": fcp_time(tc_start + Fraction(item.record_in) / rate),
                "name": clip.name,
                "start": fcp_time(start),
                "duration": fcp_time(duration),
                "tcFormat": "DF" if clip.drop_frame else "NDF",
            },
        )
        if clip.rate != rate:
            conform = {"scaleEnabled": "0"}
            if clip.rate in _CONFORM_RATES:
                conform["srcFrameRate"] = _CONFORM_RATES[clip.rate]
            _sub(asset_clip, "conform-rate", conform)
        marked = {"start": fcp_time(in_time), "duration": frames_time(event.frames, clip.rate)}
        if event.label or event.note:
            attributes = {**marked, "value": event.label or event.kind or clip.name}
            if event.note:
                attributes["note"] = event.note
            _sub(asset_clip, "marker", attributes)
        if event.blurred:
            _sub(asset_clip, "marker", {**marked, "value": BLUR_FLAG, "completed": "0"})
        if event.kind:
            _sub(asset_clip, "keyword", {**marked, "value": event.kind})
        if event.blurred:
            _sub(asset_clip, "keyword", {**marked, "value": BLUR_KEYWORD})
    return _document(root)


# --- reading --------------------------------------------------------------------------------


def _frames(seconds: Fraction, rate: Fraction, *, source: str, line: int, what: str) -> int:
    frames = seconds * rate
    if frames.denominator != 1:
        raise InvalidInput(
            f"{source}:{line}: {what} {fcp_time(seconds)} is not on a frame at "
            f"{float(rate):.3f} fps (frame {float(frames):.3f})",
            hint="FCPXML times must fall on the clip's frame boundaries (its frameDuration)",
        )
    return frames.numerator


def _rate_of_format(element, *, source: str) -> Fraction:
    line = element.sourceline
    duration = parse_time(
        element.get("frameDuration"), source=source, line=line, what="format frameDuration"
    )
    if duration <= 0:
        raise InvalidInput(f"{source}:{line}: format frameDuration must be positive")
    return 1 / duration


def read(data: bytes, *, source: str) -> list[ReadMarker]:
    """The markers of every asset-clip in an FCPXML file (see the module docstring)."""
    root = parse_xml(data, source=source, root="fcpxml", what="FCPXML")
    formats = {element.get("id"): element for element in root.iter("format")}
    assets = {element.get("id"): element for element in root.iter("asset")}
    rates: dict[str, Fraction] = {}

    def rate_for(format_id: str | None, line: int) -> Fraction:
        if format_id not in formats:
            raise InvalidInput(
                f"{source}:{line}: the clip's format {format_id!r} is not among the resources",
                hint="the file is damaged or was not written by Final Cut Pro",
            )
        if format_id not in rates:
            rates[format_id] = _rate_of_format(formats[format_id], source=source)
        return rates[format_id]

    markers = []
    for clip in root.iter("asset-clip"):
        line = clip.sourceline
        asset = assets.get(clip.get("ref"))
        if asset is None:
            raise InvalidInput(
                f"{source}:{line}: <asset-clip> refers to asset {clip.get('ref')!r}, "
                "which the resources do not hold",
                hint="the file is damaged or was not written by Final Cut Pro",
            )
        format_id = clip.get("format") or asset.get("format")
        if format_id is None:
            format_id = next(
                (parent.get("format") for parent in clip.iterancestors() if parent.get("format")),
                None,
            )
        rate = rate_for(format_id, line)
        origin = parse_time(
            asset.get("start", "0s"), source=source, line=asset.sourceline, what="asset start"
        )
        name = clip.get("name") or asset.get("name")
        for element in clip:
            if element.tag not in ("marker", "chapter-marker"):
                continue
            where = element.sourceline
            start = parse_time(
                element.get("start"), source=source, line=where, what=f"{element.tag} start"
            )
            position = _frames(
                start - origin, rate, source=source, line=where, what=f"{element.tag} start"
            )
            duration = 1
            if element.get("duration") is not None:
                length = parse_time(
                    element.get("duration"), source=source, line=where, what="marker duration"
                )
                if length < 0:
                    raise InvalidInput(f"{source}:{where}: the marker's duration is negative")
                duration = max(
                    1, _frames(length, rate, source=source, line=where, what="marker duration")
                )
            if element.get("value") is None:
                raise InvalidInput(f"{source}:{where}: <{element.tag}> has no value (its name)")
            if element.tag == "chapter-marker":
                kind = "chapter"
            else:
                kind = {"0": "to-do", "1": "completed"}.get(element.get("completed") or "")
            markers.append(
                ReadMarker(
                    position=position,
                    duration=duration,
                    name=element.get("value"),
                    note=element.get("note") or "",
                    clip=name,
                    color=kind,
                    rate=rate,
                    line=where,
                )
            )
    if not markers and not any(True for _ in root.iter("asset-clip")):
        raise InvalidInput(
            f"{source}:{root.sourceline or 1}: the file holds no <asset-clip>",
            hint="export clips or a project from Final Cut Pro (File > Export XML)",
        )
    return markers


FORMAT = Format(
    name="fcpxml",
    suffixes=(".fcpxml",),
    description="Final Cut Pro: FCPXML event of clips with markers, keywords and ratings "
    "(File > Import > XML)",
    per_clip=False,
    write=write,
    read=read,
    write_timeline=write_timeline,
)
