"""A cut as a CMX 3600 EDL (``.edl``): one video event per segment, for Resolve, Premiere and
Avid to conform from the original media.

Layout (FORMATS.md §5)::

    TITLE: Making of
    FCM: NON-DROP FRAME                    (DROP FRAME for a 29.97/59.94 DF sequence)

    001  A001     AA/V  C        14:03:13:00 14:03:15:00 01:00:00:00 01:00:02:00
    * FROM CLIP NAME: A001C001.MP4
    * SOURCE FILE: /Volumes/Shoot Day 1/A001C001.MP4
    * COMMENT: take 12A/3 ★★★★ circled with Eileen, Grace
    * COMMENT: NOTE: first full take
    * COMMENT: faces blurred in btslog render (consent)
    * LOC: 01:00:00:00 RED     faces blurred in btslog render (consent)

* **Record** timecodes count at the sequence's rate from its start (01:00:00:00), events back
  to back (:func:`btslog.exchange.placed_events`); outs are exclusive.
* **Source** timecodes are the clip's camera time of day at the clip's own rate and
  drop-frame mode (``;`` before the frames for a drop-frame clip): the numbers on the media's
  timecode track, which NLEs match when they relink by reel and timecode.  A midnight in the
  middle of a segment wraps the source out to ``00:…``.
* **Mixed rates**: an EDL has one rate, the sequence's, and no field for a source's rate.  A
  clip at another rate keeps its own source timecode (its in label plus the segment's frames at
  the clip's rate) while its record duration is the segment's length in sequence frames
  (:func:`btslog.exchange.model.record_frames`), so source and record durations differ for that
  event; no ``M2`` speed line is written (the clip plays at normal speed; the NLE conforms its
  rate).  OpenTimelineIO's ``cmx_3600`` reader reads every timecode at one rate, so it needs
  ``ignore_timecode_mismatch=True`` for such an EDL and then misplaces those events: prefer
  FCPXML, FCP7 XML or OTIO for mixed-rate cuts.
* **Channels**: one line per event, ``AA/V`` (video with audio channels 1 and 2) for a clip
  with two or more audio channels, ``B`` (video and channel 1) for a mono clip, ``V`` for a
  clip without audio.  A combined line keeps event numbers equal to the cut's segment
  numbers; Resolve imports the video of an EDL as one track, Premiere and Avid also lay the
  audio (CMX 3600 addresses two channels; the rest of a clip's audio is not named).
* **Reels**: CMX 3600 reel names are at most 8 characters without spaces.  The clip's reel
  (or card roll, else its name) keeps its ASCII letters, digits and ``_`` and is cut to 8
  characters (``AX``, "auxiliary source", when nothing is left); the full file name travels
  in ``* FROM CLIP NAME:`` (how Resolve matches clips) and the path in ``* SOURCE FILE:``.
* **Blur flag**: an event whose faces btslog's render blurs (consent) gets a
  ``* COMMENT:`` and an Avid locator ``* LOC:`` (red, at the event's record in) saying
  :data:`btslog.exchange.BLUR_FLAG`.  EDLs have no clip colours.
* Label and note travel as ``* COMMENT:`` lines (one line each, the note prefixed ``NOTE:``).

At most 999 events (three-digit event numbers).  UTF-8, LF line ends.
"""

from __future__ import annotations

import re

from btslog.errors import InvalidInput
from btslog.exchange import BLUR_FLAG, Format, placed_events
from btslog.exchange.model import ClipMarkers, Timeline, one_line
from btslog.timecode import format_timecode

MAX_EVENTS = 999
REEL_LENGTH = 8
AUXILIARY_REEL = "AX"
BLUR_LOCATOR_COLOR = "RED"

_NOT_REEL = re.compile(r"[^A-Za-z0-9_]")


def reel_name(clip: ClipMarkers) -> str:
    """The CMX 3600 reel of ``clip``: its reel (else name), letters, digits and ``_`` only,
    at most 8 characters; ``AX`` when nothing is left."""
    reel = _NOT_REEL.sub("", clip.reel or clip.name)[:REEL_LENGTH]
    return reel or AUXILIARY_REEL


def channels(clip: ClipMarkers) -> str:
    """The event's channel field: ``AA/V``, ``B`` (mono) or ``V`` (no audio)."""
    if clip.audio_channels >= 2:
        return "AA/V"
    return "B" if clip.audio_channels == 1 else "V"


def comment(text: str) -> str:
    return f"* COMMENT: {one_line(text)}"


def write_timeline(timeline: Timeline, **options) -> bytes:
    """``timeline`` as a CMX 3600 EDL (see the module docstring)."""
    placed = placed_events(timeline)
    if len(placed) > MAX_EVENTS:
        raise InvalidInput(
            f"timeline {timeline.title!r} has {len(placed)} events; a CMX 3600 EDL holds at "
            f"most {MAX_EVENTS}",
            hint="export it as fcpxml, premiere-xml or otio, or split the cut",
        )
    rate, drop_frame = timeline.rate, timeline.drop_frame
    lines = [
        f"TITLE: {one_line(timeline.title)}".rstrip(),
        f"FCM: {'DROP FRAME' if drop_frame else 'NON-DROP FRAME'}",
    ]
    for item in placed:
        event, clip = item.event, item.event.clip
        source_in = clip.start_frame + event.in_frame
        src_in = format_timecode(source_in, clip.rate, clip.drop_frame)
        src_out = format_timecode(source_in + event.frames, clip.rate, clip.drop_frame)
        rec_in = format_timecode(timeline.start_frame + item.record_in, rate, drop_frame)
        rec_out = format_timecode(timeline.start_frame + item.record_out, rate, drop_frame)
        event_line = (f"{item.number:03d}  {reel_name(clip):<8} {channels(clip):<5} C        "
                      f"{src_in} {src_out} {rec_in} {rec_out}")  # fmt: skip
        lines += [
            "",
            event_line,
            f"* FROM CLIP NAME: {one_line(clip.file_name)}",
            f"* SOURCE FILE: {one_line(clip.path)}",
        ]
        if one_line(event.label):
            lines.append(comment(event.label))
        if one_line(event.note):
            lines.append(comment(f"NOTE: {event.note}"))
        if event.blurred:
            lines.append(comment(BLUR_FLAG))
            lines.append(f"* LOC: {rec_in} {BLUR_LOCATOR_COLOR:<7} {BLUR_FLAG}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _not_markers(document, **options) -> bytes:
    raise InvalidInput(
        "edl is a timeline format; for markers use resolve-edl",
        hint="btslog export markers --format resolve-edl, or btslog export timeline --format edl",
    )


FORMAT = Format(
    name="edl",
    suffixes=(".edl",),
    description="CMX 3600 EDL of a cut (Resolve, Premiere, Avid: import EDL)",
    per_clip=False,
    write=_not_markers,
    write_timeline=write_timeline,
)
