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
"""

from __future__ import annotations

import re
from fractions import Fraction

from btslog.errors import InvalidInput
from btslog.exchange import Format
from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument, ReadMarker
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


def write(document: MarkerDocument, *, version: str = DEFAULT_VERSION, **options) -> bytes:
    """``document`` as FCPXML ``version`` (1.9, 1.10 or 1.11) for FCP's File > Import > XML."""
    from lxml import etree

    version = str(version)
    if version not in VERSIONS:
        raise InvalidInput(
            f"FCPXML version {version!r} is not one btslog writes",
            hint="choose " + ", ".join(VERSIONS) + " (Resolve reads up to 1.10)",
        )
    root = etree.Element("fcpxml", version=version)
    resources = _sub(root, "resources", {})
    format_ids: dict[tuple[Fraction, int, int], str] = {}
    for clip in document.clips:
        key = (clip.rate, clip.width, clip.height)
        if key not in format_ids:
            format_ids[key] = f"r{len(format_ids) + 1}"
            attributes = {"id": format_ids[key]}
            name = format_name(*key)
            if name:
                attributes["name"] = name
            attributes.update(
                frameDuration=frame_duration(clip.rate), width=clip.width, height=clip.height
            )
            _sub(resources, "format", attributes)
    asset_ids = []
    for number, clip in enumerate(document.clips, start=len(format_ids) + 1):
        asset_id = f"r{number}"
        asset_ids.append(asset_id)
        attributes = {
            "id": asset_id,
            "name": clip.name,
            "start": frames_time(_start_label(clip), clip.rate),
            "duration": frames_time(clip.duration_frames, clip.rate),
            "hasVideo": "1",
            "format": format_ids[(clip.rate, clip.width, clip.height)],
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
                "format": format_ids[(clip.rate, clip.width, clip.height)],
                "tcFormat": "DF" if clip.drop_frame else "NDF",
            },
        )
        for marker in clip.markers:
            _marker_children(asset_clip, marker, start, clip.rate)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body


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
)
