"""OpenTimelineIO markers (``.otio``, OTIO JSON): one video track of clips with clip markers.

Each clip becomes an OTIO ``Clip`` on track ``V1`` (in the document's order) whose
``ExternalReference`` points at the media file (``file://`` URL) with ``available_range``
starting at the clip's camera start timecode, and whose ``source_range`` is the whole clip.
Each marker is a ``Marker`` (schema ``Marker.2``) on its clip, in the clip's media time
(clip start + in frame), with ``name`` = btslog's marker name, ``comment`` = the note,
``color`` = ``marker.colors["otio"]`` (``CYAN`` when absent) and
``metadata["btslog"]`` = kind, tag id, scene/take, rating, circled, NG and people.

OTIO stores rates as floats (``23.976023976023978``); every value written is a whole number
of frames at the clip's rate, and reading turns the float back into the exact rate
(``24000/1001``).  Markers on tracks or on the timeline's stack are not read: btslog writes
clip markers, and only those are tied to a clip.

A cut is written as an OTIO timeline of its events by :func:`write_timeline`.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

from btslog.errors import InvalidInput, TimecodeError
from btslog.exchange import Format
from btslog.exchange.model import ClipMarkers, MarkerDocument, ReadMarker, Timeline
from btslog.exchange.xmeml import file_url
from btslog.timecode import format_timecode, frames_per_day, parse_rate

DEFAULT_COLOR = "CYAN"
_ON_FRAME = 1e-6  # how far (in frames) a float value may be from a whole frame


def otio_text(text: str | None) -> str | None:
    """``text`` as OTIO can hold it: its C++ core ends a string at the first NUL character,
    so NULs are dropped (every other character is kept)."""
    return None if text is None else text.replace("\x00", "")


def _start_label(clip: ClipMarkers) -> int:
    """The clip's first label wrapped into one day (a clip after midnight starts at 00:…)."""
    return clip.start_frame % frames_per_day(clip.rate, clip.drop_frame)


def _frames(value: int, rate: Fraction):
    import opentimelineio as otio

    return otio.opentime.RationalTime(value, float(rate))  # OTIO's rate is a double


def _reference(clip: ClipMarkers):
    """The clip's media file, its whole range starting at the camera time of day."""
    import opentimelineio as otio

    whole = otio.opentime.TimeRange(
        _frames(_start_label(clip), clip.rate), _frames(clip.duration_frames, clip.rate)
    )
    return otio.schema.ExternalReference(target_url=file_url(clip.path), available_range=whole)


def _clip_metadata(clip: ClipMarkers) -> dict:
    return {
        "clip": otio_text(clip.name),
        "file_name": otio_text(clip.file_name),
        "start_timecode": format_timecode(_start_label(clip), clip.rate, clip.drop_frame),
        "drop_frame": clip.drop_frame,
        "reel": otio_text(clip.reel),
        "camera": otio_text(clip.camera),
    }


def _clip(clip: ClipMarkers):
    import opentimelineio as otio

    start = _start_label(clip)
    reference = _reference(clip)
    markers = [
        otio.schema.Marker(
            name=otio_text(marker.name),
            marked_range=otio.opentime.TimeRange(
                _frames(start + marker.in_frame, clip.rate), _frames(marker.frames, clip.rate)
            ),
            color=str(marker.colors.get("otio") or DEFAULT_COLOR),
            comment=otio_text(marker.note),
            metadata={
                "btslog": {
                    "kind": marker.kind,
                    "tag_id": marker.tag_id,
                    "scene": otio_text(marker.scene),
                    "take": otio_text(marker.take),
                    "rating": marker.rating,
                    "circled": marker.circled,
                    "ng": marker.ng,
                    "people": [otio_text(person) for person in marker.people],
                }
            },
        )
        for marker in clip.markers
    ]
    return otio.schema.Clip(
        name=otio_text(clip.name),
        media_reference=reference,
        source_range=reference.available_range,
        metadata={"btslog": _clip_metadata(clip)},
        markers=markers,
    )


def write(document: MarkerDocument, **options) -> bytes:
    """``document`` as an OTIO JSON timeline (one video track, a clip per clip)."""
    import opentimelineio as otio

    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for clip in document.clips:
        track.append(_clip(clip))
    timeline = otio.schema.Timeline(name=otio_text(document.title), tracks=[track])
    return (otio.adapters.write_to_string(timeline, "otio_json") + "\n").encode("utf-8")


# --- writing a timeline ---------------------------------------------------------------------

#: the colour of the marker on a clip btslog blurs, and of a label marker
BLUR_COLOR = "RED"
LABEL_COLOR = DEFAULT_COLOR


def _event_clip(item, timeline, *, video: bool):
    """The OTIO clip of a placed event: its source range in the clip's media time."""
    import opentimelineio as otio

    from btslog.exchange import BLUR_FLAG

    event, clip = item.event, item.event.clip
    in_point = _frames(_start_label(clip) + event.in_frame, clip.rate)
    source_range = otio.opentime.TimeRange(in_point, _frames(event.frames, clip.rate))
    metadata = {
        **_clip_metadata(clip),
        "event": item.number,
        "label": otio_text(event.label),
        "note": otio_text(event.note),
        "kind": otio_text(event.kind),
        "tag_id": event.tag_id,
        "blurred": event.blurred,
        "record_in": format_timecode(
            timeline.start_frame + item.record_in, timeline.rate, timeline.drop_frame
        ),
        "record_frames": item.record_frames,
    }
    markers = []
    if video and (event.label or event.note):
        label = otio.schema.Marker(name=otio_text(event.label), marked_range=source_range,
                                   color=LABEL_COLOR, comment=otio_text(event.note))  # fmt: skip
        markers.append(label)
    if video and event.blurred:
        flag = otio.schema.Marker(name=BLUR_FLAG, marked_range=source_range, color=BLUR_COLOR,
                                  metadata={"btslog": {"blurred": True}})  # fmt: skip
        markers.append(flag)
    result = otio.schema.Clip(
        name=otio_text(clip.name),
        media_reference=_reference(clip),
        source_range=source_range,
        metadata={"btslog": metadata},
        markers=markers,
    )
    color = getattr(otio.core, "Color", None)  # Item.color: OTIO 0.18
    if event.blurred and color is not None:
        result.color = color.RED
    return result


def write_timeline(timeline: Timeline, **options) -> bytes:
    """``timeline`` as an OTIO JSON timeline (``.otio``, schema ``Timeline.1``).

    ``global_start_time`` is the timeline's start (01:00:00:00) at its rate; track ``V1``
    (video) holds one clip per event and ``A1`` (audio) the same clips (a gap where a clip
    has no audio).  Each clip's ``ExternalReference`` points at the original media
    (``file://`` URL) with ``available_range`` starting at the camera time of day, and its
    ``source_range`` is the event's in point and length at the clip's own rate, so a clip at
    another rate keeps its exact frames (OTIO tracks are rate-free; the NLE conforms).
    ``metadata["btslog"]`` holds the clip's name, file, start timecode, reel and camera and the
    event's number, label, note, kind, tag id, ``blurred`` and its record in/length at the
    sequence's rate (as the EDL and XML formats place it).  On the video clip, over the
    event: a marker with the label and note, and for an event btslog blurs a red marker named
    :data:`btslog.exchange.BLUR_FLAG`; such a clip (video and audio) is coloured red too.
    """
    import opentimelineio as otio

    from btslog.exchange import placed_events

    placed = placed_events(timeline)
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for item in placed:
        video.append(_event_clip(item, timeline, video=True))
        if item.event.clip.audio_channels > 0:
            audio.append(_event_clip(item, timeline, video=False))
        else:
            clip = item.event.clip
            audio.append(otio.schema.Gap(duration=_frames(item.event.frames, clip.rate)))
    result = otio.schema.Timeline(
        name=otio_text(timeline.title),
        global_start_time=_frames(timeline.start_frame, timeline.rate),
        tracks=[video, audio],
        metadata={"btslog": {"rate": f"{timeline.rate.numerator}/{timeline.rate.denominator}",
                             "drop_frame": timeline.drop_frame,
                             "width": timeline.width, "height": timeline.height}},
    )  # fmt: skip
    return (otio.adapters.write_to_string(result, "otio_json") + "\n").encode("utf-8")


# --- reading --------------------------------------------------------------------------------


def exact_rate(value: float, *, source: str, where: str) -> Fraction:
    """The exact rate an OTIO float rate means: 23.976023976023978 is 24000/1001, 24.0 is
    24, 29.97 (as some tools write it) is 30000/1001; others are kept as written."""
    from btslog.media.probe import snap_rate

    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{source}: {where}: rate {value!r} is not a frame rate")
    for candidate in (Fraction(round(value)), Fraction(round(value * 1001), 1001)):
        if candidate > 0 and abs(float(candidate) - value) <= 1e-9 * value:
            rate = candidate
            break
    else:
        rate = snap_rate(Fraction(value).limit_denominator(1_000_000))
    try:
        return parse_rate(rate)
    except TimecodeError as error:
        raise InvalidInput(f"{source}: {where}: {error.message}", hint=error.hint) from None


def _whole_frames(value: float, *, source: str, where: str) -> int:
    frames = round(value)
    if not math.isfinite(value) or abs(value - frames) > _ON_FRAME:
        raise InvalidInput(
            f"{source}: {where}: {value!r} is not on a frame of the clip",
            hint="markers must start and end on the clip's frames",
        )
    return frames


def _clips_of(result, *, source: str) -> list:
    import opentimelineio as otio

    if isinstance(result, otio.schema.Clip):
        return [result]
    if hasattr(result, "find_clips"):
        return list(result.find_clips())
    raise InvalidInput(
        f"{source}: the file holds an OTIO {type(result).__name__}, not a timeline",
        hint="export a timeline (.otio) from the NLE",
    )


def _read_clip(clip, *, source: str) -> list[ReadMarker]:
    where = f"clip {clip.name!r}"
    reference = clip.media_reference
    available = getattr(reference, "available_range", None)
    if available is None:
        available = clip.source_range
    if available is None:
        if not clip.markers:
            return []
        raise InvalidInput(
            f"{source}: {where} states neither its media's range nor a source range, so "
            "its markers cannot be placed",
        )
    origin = available.start_time
    rate = exact_rate(origin.rate, source=source, where=where)
    markers = []
    for marker in clip.markers:
        at = f"{where}, marker {marker.name!r}"
        marked = marker.marked_range
        position = _whole_frames(
            (marked.start_time - origin).value_rescaled_to(origin.rate), source=source, where=at
        )
        duration = _whole_frames(
            marked.duration.value_rescaled_to(origin.rate), source=source, where=at
        )
        if duration < 0:
            raise InvalidInput(f"{source}: {at}: the marker's duration is negative")
        markers.append(
            ReadMarker(
                position=position,
                duration=max(1, duration),
                name=marker.name,
                note=marker.comment or "",
                clip=clip.name or None,
                color=marker.color or None,
                rate=rate,
            )
        )
    return markers


def read(data: bytes, *, source: str) -> list[ReadMarker]:
    """The clip markers of an OTIO JSON file (positions in frames from each clip's media
    start, its ``available_range``, or its ``source_range`` when the media range is absent)."""
    import opentimelineio as otio

    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{source}: not UTF-8 text ({error.reason})") from None
    try:
        json.loads(text)  # syntax errors with their line (OTIO's parser gives no line for them)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source}:{error.lineno}: not valid JSON: {error.msg}",
            hint="the file is damaged or not an OTIO file",
        ) from None
    except RecursionError:
        raise InvalidInput(f"{source}: the JSON is nested too deeply to be an OTIO file") from None
    try:
        result = otio.adapters.read_from_string(text, "otio_json")
        clips = _clips_of(result, source=source)
        return [marker for clip in clips for marker in _read_clip(clip, source=source)]
    except (ValueError, TypeError, LookupError, RuntimeError, otio.exceptions.OTIOError) as error:
        # OTIO reports a missing field as KeyError, a wrong type as ValueError
        raise InvalidInput(
            f"{source}: OpenTimelineIO cannot read the file: {error}",
            hint="the file is damaged or not an OTIO timeline",
        ) from None


FORMAT = Format(
    name="otio",
    suffixes=(".otio",),
    description="OpenTimelineIO (.otio): a track of clips with clip markers (Resolve 18.5+, "
    "Avid, Kdenlive, any OTIO tool)",
    per_clip=False,
    write=write,
    read=read,
    write_timeline=write_timeline,
)
