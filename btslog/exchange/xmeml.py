"""Premiere Pro markers as FCP7 XML (xmeml v4/v5): one sequence per clip, sequence markers.

Premiere cannot import a marker list, but it imports FCP7 XML (``File > Import``) and turns a
sequence's ``<marker>`` elements into sequence markers with name, comment, duration and
colour.  So each clip becomes a sequence named after it, holding the clip as its only
clipitem from its first frame to its last, with the sequence timecode set to the clip's
camera start timecode: sequence time is the camera's time of day, and a marker ``<in>`` is
frames from the clip's first frame.  One clip: a single ``<sequence>`` under ``<xmeml>``;
several: a ``<bin>`` named after the document holding them (Premiere and OTIO's ``fcp_xml``
adapter read both).

Written per marker: ``<comment>`` (the note), ``<name>`` (btslog's marker name, which carries
kind, scene/take, rating, circled/NG and people), ``<in>``/``<out>`` (out exclusive) and
``<pproColor>`` (Premiere's packed colour, from ``marker.colors["premiere"]``; omitted when
absent).  Rates are an integer ``<timebase>`` with ``<ntsc>``; drop-frame shows only in the
``<timecode>`` elements (``<displayformat>DF``, ``01:00:00;00``).  Names and notes keep
every character XML 1.0 can hold (newlines, tabs, ``<&"``, any script); C0 control
characters other than tab, newline and return are dropped.

Reading is safe: no DTD is loaded, no entity is expanded, nothing is fetched; a file that
declares entities, an internal DTD subset or an external DTD is refused.  Each sequence
marker is placed on the top video clipitem under it, in frames from that media file's first
frame (``in - clipitem start + clipitem in``), and names the sequence when the sequence holds
one clipitem (as btslog writes it: the sequence is named after the clip), else the
clipitem's file name; a marker over no clipitem counts from the sequence's first frame and
names the sequence.  Clip markers (inside ``<clipitem>``/``<file>``) are not read.

A cut is written as a timeline by :func:`write_timeline`: one sequence of clipitems on the
original media files (see its docstring).

This module also holds the XML helpers the FCPXML and OTIO formats share
(:func:`parse_xml`, :func:`xml_text`, :func:`file_url`).
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from urllib.parse import quote

from btslog.errors import InvalidInput
from btslog.exchange import Format
from btslog.exchange.model import ClipMarkers, MarkerDocument, ReadMarker, Timeline
from btslog.timecode import format_timecode, frames_per_day, nominal_fps

VERSIONS = (4, 5)

# Characters XML 1.0 cannot hold (C0 controls other than tab/newline/return, surrogates,
# U+FFFE/U+FFFF): dropped from names and notes on write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[^\s\[>]+\s*(?P<rest>[^>]*)")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_INTEGER = re.compile(r"^\s*-?\d+\s*$")


# --- helpers shared by the XML formats ------------------------------------------------------


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (everything else is kept)."""
    return _NOT_XML.sub("", text)


def file_url(path: str, host: str = "") -> str:
    """A percent-encoded ``file://`` URL for an absolute path (``host="localhost"`` gives
    Premiere's ``file://localhost/Volumes/My%20Disk/A.MP4``); Windows drive paths become
    ``/C%3A/...`` as Premiere writes them."""
    text = path.replace("\\", "/") if _WINDOWS_DRIVE.match(path) else path
    if not text.startswith("/"):
        text = "/" + text
    return f"file://{host}{quote(text, safe='/')}"


def line_of(data: bytes, index: int) -> int:
    return data.count(b"\n", 0, max(index, 0)) + 1


def parse_xml(data: bytes | str, *, source: str, root: str, what: str):
    """The root element of ``data``, parsed without DTDs, entities or network.

    Raises :class:`InvalidInput` naming ``source`` and the line for XML that is not
    well-formed, that declares a DTD (internal subset, entities, SYSTEM/PUBLIC id), or whose
    root element is not ``root`` (``what`` names the format in the message).
    """
    from lxml import etree

    if isinstance(data, str):
        data = data.encode("utf-8")
    match = _DOCTYPE.search(data[:4096])
    if match and match["rest"].strip():
        raise InvalidInput(
            f"{source}:{line_of(data, match.start())}: the file declares a DTD "
            f"({match['rest'].strip()[:40].decode('utf-8', 'replace')!r}...); btslog reads no "
            "DTDs, entities or external references",
            hint=f"export the file again from the NLE; a {what} file starts with "
            f"<!DOCTYPE {root}> or no DOCTYPE at all",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    parser.resolvers.add(_refuse_external())
    try:
        element = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        message = re.sub(r",? line \d+, column \d+$", "", error.msg or "malformed XML")
        raise InvalidInput(
            f"{source}:{line}: not well-formed XML: {message}",
            hint=f"the file is damaged or not a {what} file",
        ) from None
    except ValueError as error:  # e.g. a str with an encoding declaration
        raise InvalidInput(f"{source}:1: cannot be read as XML: {error}") from None
    info = element.getroottree().docinfo
    internal = info.internalDTD
    declares = internal is not None and (
        any(True for _ in internal.iterentities()) or any(True for _ in internal.iterelements())
    )
    if info.system_url or info.public_id or declares or _has_entity_references(element):
        at = data.find(b"<!DOCTYPE")
        raise InvalidInput(
            f"{source}:{line_of(data, at) if at >= 0 else 1}: the file declares a DTD or "
            "entities; btslog reads no DTDs, entities or external references",
            hint=f"export the file again from the NLE; a {what} file starts with "
            f"<!DOCTYPE {root}> or no DOCTYPE at all",
        )
    if element.tag != root:
        raise InvalidInput(
            f"{source}:{element.sourceline or 1}: the root element is <{element.tag}>, "
            f"not <{root}>: this is not a {what} file",
            hint=f"a {what} file's first element is <{root}>",
        )
    return element


def _has_entity_references(element) -> bool:
    from lxml import etree

    return any(True for _ in element.iter(etree.Entity))


@functools.cache
def _refuse_external():
    """An lxml resolver that answers every request for an external entity or DTD with an
    empty document (the parser is told not to ask; this makes sure nothing is read)."""
    from lxml import etree

    class RefuseExternal(etree.Resolver):
        def resolve(self, url, public_id, context):
            return self.resolve_string("", context)

    return RefuseExternal()


def child_text(element, tag: str, *, source: str, required: bool = True) -> str | None:
    """The text of ``element``'s first ``tag`` child ("" when empty), or None / an error."""
    child = element.find(tag)
    if child is None:
        if required:
            raise InvalidInput(
                f"{source}:{element.sourceline or 1}: <{element.tag}> has no <{tag}>",
                hint="the file is damaged or was not written by an NLE",
            )
        return None
    return child.text or ""


def child_int(element, tag: str, *, source: str, required: bool = True) -> int | None:
    text = child_text(element, tag, source=source, required=required)
    if text is None:
        return None
    if not _INTEGER.match(text):
        child = element.find(tag)
        raise InvalidInput(
            f"{source}:{child.sourceline or element.sourceline or 1}: <{element.tag}><{tag}> "
            f"is {text.strip()[:30]!r}, not a whole number of frames",
            hint="FCP7 XML counts time in whole frames",
        )
    return int(text)


# --- writing ---------------------------------------------------------------------------------


def _sub(parent, tag: str, text: str | int | None = None, **attributes):
    from lxml import etree

    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = xml_text(str(text))
    return element


def _add_rate(parent, rate: Fraction) -> None:
    element = _sub(parent, "rate")
    _sub(element, "timebase", nominal_fps(rate))
    _sub(element, "ntsc", "TRUE" if rate.denominator == 1001 else "FALSE")


def _start_label(clip: ClipMarkers) -> int:
    """The clip's first label, wrapped into one day (a later clip of a shoot that crossed
    midnight starts at 00:00:xx, not at 24:00:xx)."""
    return clip.start_frame % frames_per_day(clip.rate, clip.drop_frame)


def _add_timecode(parent, rate: Fraction, drop_frame: bool, label: int,
                  reel: str | None = None) -> None:  # fmt: skip
    timecode = _sub(parent, "timecode")
    _add_rate(timecode, rate)
    _sub(timecode, "string", format_timecode(label, rate, drop_frame))
    _sub(timecode, "frame", label)
    _sub(timecode, "displayformat", "DF" if drop_frame else "NDF")
    if reel:  # the tape/reel name of the media file
        _sub(_sub(timecode, "reel"), "name", reel)


def _check_rate(rate: Fraction, what: str) -> None:
    nominal = nominal_fps(rate)
    if rate != nominal and rate != Fraction(nominal * 1000, 1001):
        raise InvalidInput(
            f"{what} runs at {float(rate):.3f} fps, which FCP7 XML cannot state "
            "(it knows whole rates and NTSC rates x*1000/1001 only)",
            hint="export this clip in another format (fcpxml, otio, resolve-edl)",
        )


def _ppro_color(color, clip: ClipMarkers) -> int:
    """Premiere's packed colour (0xAABBGGRR) as the unsigned 32-bit number it writes."""
    if isinstance(color, int) and not isinstance(color, bool) and 0 <= color < 2**32:
        return color
    if isinstance(color, str) and color.strip().isdigit() and int(color) < 2**32:
        return int(color)
    raise InvalidInput(
        f"clip {clip.name}: marker colour {color!r} is not a Premiere pproColor number",
        hint="Premiere colours come from [premiere_palette] in presets/markers.toml",
    )


def _add_marker(parent, name: str, note: str, in_frame: int, out_frame: int,
                color: int | None = None) -> None:  # fmt: skip
    element = _sub(parent, "marker")
    _sub(element, "comment", note)
    _sub(element, "name", name)
    _sub(element, "in", in_frame)
    _sub(element, "out", out_frame)
    if color is not None:
        _sub(element, "pproColor", color)


def _add_sample_format(parent, rate: Fraction, width: int, height: int) -> None:
    characteristics = _sub(_sub(parent, "format"), "samplecharacteristics")
    _add_rate(characteristics, rate)
    _sub(characteristics, "width", width)
    _sub(characteristics, "height", height)
    _sub(characteristics, "pixelaspectratio", "square")


def _add_file(parent, clip: ClipMarkers, file_id: str, *, audio: bool = False) -> None:
    """The media file of ``clip``: URL, rate, duration and camera timecode (with reel), frame
    size and, with ``audio``, its audio channel count."""
    file = _sub(parent, "file", id=file_id)
    _sub(file, "name", clip.file_name)
    _sub(file, "pathurl", file_url(clip.path, "localhost"))
    _add_rate(file, clip.rate)
    _sub(file, "duration", clip.duration_frames)
    _add_timecode(file, clip.rate, clip.drop_frame, _start_label(clip), reel=clip.reel)
    media = _sub(file, "media")
    file_characteristics = _sub(_sub(media, "video"), "samplecharacteristics")
    _sub(file_characteristics, "width", clip.width)
    _sub(file_characteristics, "height", clip.height)
    if audio and clip.audio_channels > 0:
        _sub(_sub(media, "audio"), "channelcount", clip.audio_channels)


def _add_sequence(parent, clip: ClipMarkers, number: int) -> None:
    _check_rate(clip.rate, f"clip {clip.name}")
    sequence = _sub(parent, "sequence", id=f"sequence-{number}")
    _sub(sequence, "name", clip.name)
    _sub(sequence, "duration", clip.duration_frames)
    _add_rate(sequence, clip.rate)
    media = _sub(sequence, "media")
    video = _sub(media, "video")
    _add_sample_format(video, clip.rate, clip.width, clip.height)
    clipitem = _sub(_sub(video, "track"), "clipitem", id=f"clipitem-{number}")
    _sub(clipitem, "name", clip.file_name)
    _sub(clipitem, "enabled", "TRUE")
    _sub(clipitem, "duration", clip.duration_frames)
    _add_rate(clipitem, clip.rate)
    _sub(clipitem, "start", 0)
    _sub(clipitem, "end", clip.duration_frames)
    _sub(clipitem, "in", 0)
    _sub(clipitem, "out", clip.duration_frames)
    _add_file(clipitem, clip, f"file-{number}")
    _add_timecode(sequence, clip.rate, clip.drop_frame, _start_label(clip))
    for marker in clip.markers:
        color = marker.colors.get("premiere")
        _add_marker(sequence, marker.name, marker.note, marker.in_frame, marker.out_frame,
                    None if color is None else _ppro_color(color, clip))  # fmt: skip


def _checked_version(version: int | str) -> str:
    if str(version) not in {str(known) for known in VERSIONS}:
        raise InvalidInput(
            f"FCP7 XML version {version!r} is not 4 or 5", hint="Premiere imports 4 and 5"
        )
    return str(version)


def _document(root) -> bytes:
    from lxml import etree

    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body


def write(document: MarkerDocument, *, version: int | str = 5, **options) -> bytes:
    """``document`` as FCP7 XML (``version`` 4 or 5) for Premiere Pro's File > Import."""
    from lxml import etree

    root = etree.Element("xmeml", version=_checked_version(version))
    if len(document.clips) == 1:
        parent = root
    else:
        bin_element = _sub(root, "bin")
        _sub(bin_element, "name", document.title)
        parent = _sub(bin_element, "children")
    for number, clip in enumerate(document.clips, start=1):
        _add_sequence(parent, clip, number)
    return _document(root)


# --- writing a timeline ------------------------------------------------------------------------

#: Premiere's label colour for a clipitem whose faces btslog blurs (its red label) [unverified:
#: Premiere's label names as third-party tools write them, not tested in Premiere]
BLUR_LABEL = "Rose"
#: Premiere's packed red (0xFF362CD2, FORMATS.md 1.2) for the blur flag's sequence marker
BLUR_MARKER_COLOR = 4281740498
AUDIO_TRACKS = 2  # stereo as two mono tracks, as FCP7 and Premiere lay out A1/A2


def on_sequence_grid(frames: int, clip_rate: Fraction, sequence_rate: Fraction) -> int:
    """``frames`` of a clip at ``clip_rate`` counted in frames at ``sequence_rate`` (the same
    seconds, rounded to the nearest frame; unchanged when the rates agree)."""
    return round(Fraction(frames) * sequence_rate / clip_rate)


def _add_clipitem(track, item, file_ids: dict, sequence_rate: Fraction, *,
                  audio_channel: int | None = None):  # fmt: skip
    """A clipitem of a placed event on ``track``: its video, or its ``audio_channel``."""
    event, clip = item.event, item.event.clip
    clipitem = _sub(track, "clipitem")
    _sub(clipitem, "name", clip.file_name)
    _sub(clipitem, "enabled", "TRUE")
    # in/out on the sequence's frame grid (source seconds x sequence rate), with the
    # clipitem's <rate> the sequence's: Premiere and Resolve read them so whatever rate
    # the clipitem states (barefootford/buttercut PR #133); OTIO's fcp_xml adapter reads
    # them at the clipitem's rate.  Same-rate clips keep their source frames exactly.
    duration = on_sequence_grid(clip.duration_frames, clip.rate, sequence_rate)
    source_in = on_sequence_grid(event.in_frame, clip.rate, sequence_rate)
    source_in = max(0, min(source_in, duration - item.record_frames))
    _sub(clipitem, "duration", duration)
    _add_rate(clipitem, sequence_rate)
    _sub(clipitem, "start", item.record_in)
    _sub(clipitem, "end", item.record_out)
    _sub(clipitem, "in", source_in)
    _sub(clipitem, "out", source_in + item.record_frames)
    key = (clip.name, clip.path)
    if key in file_ids:
        _sub(clipitem, "file", id=file_ids[key])  # written in full by an earlier clipitem
    else:
        file_ids[key] = f"file-{len(file_ids) + 1}"
        _add_file(clipitem, clip, file_ids[key], audio=True)
    if audio_channel is not None:
        source_track = _sub(clipitem, "sourcetrack")
        _sub(source_track, "mediatype", "audio")
        _sub(source_track, "trackindex", audio_channel)
    return clipitem


def write_timeline(timeline: Timeline, *, version: int | str = 5, **options) -> bytes:
    """``timeline`` as an FCP7 XML sequence (``version`` 4 or 5) for Premiere's File > Import.

    One ``<sequence>`` named after the timeline at its rate and frame size, its ``<timecode>``
    the timeline's start (01:00:00:00); video track V1 holds one clipitem per event, back to
    back, and audio tracks A1/A2 the events' audio channels 1 and 2 (linked to the video).
    Each clipitem names its media ``<file>`` (``file://localhost/`` URL, the media's own rate,
    duration and camera time-of-day ``<timecode>`` with drop-frame mode and reel), written in
    full the first time and by ``id`` after.  ``<start>``/``<end>`` are sequence frames from
    the sequence's first frame; ``<in>``/``<out>`` count from the media's first frame on the
    sequence's frame grid (see :func:`on_sequence_grid`; for a clip at another rate the
    source in is the nearest sequence frame).  Sequence markers: the event's label (name) and
    note (comment) over the event, and for an event btslog blurs a red marker
    (``pproColor``) named :data:`btslog.exchange.BLUR_FLAG`; such a clipitem also gets
    Premiere's red label (``<labels><label2>Rose``).
    """
    from lxml import etree

    from btslog.exchange import BLUR_FLAG, placed_events

    placed = placed_events(timeline)
    rate = timeline.rate
    _check_rate(rate, f"timeline {timeline.title!r}")
    for item in placed:
        _check_rate(item.event.clip.rate, f"clip {item.event.clip.name}")
    root = etree.Element("xmeml", version=_checked_version(version))
    sequence = _sub(root, "sequence", id="sequence-1")
    _sub(sequence, "name", timeline.title)
    _sub(sequence, "duration", placed[-1].record_out)
    _add_rate(sequence, rate)
    media = _sub(sequence, "media")
    video = _sub(media, "video")
    _add_sample_format(video, rate, timeline.width, timeline.height)
    tracks = {0: _sub(video, "track")}  # 0: video, n: audio channel n
    audio = _sub(media, "audio")
    tracks.update({channel: _sub(audio, "track") for channel in range(1, AUDIO_TRACKS + 1)})
    file_ids: dict = {}
    for item in placed:
        channels = range(1, min(item.event.clip.audio_channels, AUDIO_TRACKS) + 1)
        linked = []  # (clipitem, track number, index of the clipitem in its track)
        for channel in (0, *channels):
            element = _add_clipitem(tracks[channel], item, file_ids, rate,
                                    audio_channel=channel or None)  # fmt: skip
            linked.append((element, channel, len(tracks[channel])))
        if item.event.blurred:
            _sub(_sub(linked[0][0], "labels"), "label2", BLUR_LABEL)
        for element, channel, _ in linked:
            element.set("id", f"clipitem-{item.number}" + (f"-a{channel}" if channel else ""))
        for element, _, _ in linked:  # the event's clipitems move together
            for other, channel, index in linked:
                link = _sub(element, "link")
                _sub(link, "linkclipref", other.get("id"))
                _sub(link, "mediatype", "audio" if channel else "video")
                _sub(link, "trackindex", channel or 1)
                _sub(link, "clipindex", index)
    _add_timecode(sequence, rate, timeline.drop_frame, timeline.start_frame)
    for item in placed:
        event = item.event
        if event.label or event.note:
            _add_marker(sequence, event.label, event.note, item.record_in, item.record_out)
        if event.blurred:
            _add_marker(sequence, BLUR_FLAG, "", item.record_in, item.record_out,
                        BLUR_MARKER_COLOR)  # fmt: skip
    return _document(root)


# --- reading ---------------------------------------------------------------------------------


def _rate_of(element, *, source: str) -> Fraction | None:
    """The rate an element's ``<rate>`` child states, or None without one."""
    rate = element.find("rate")
    if rate is None:
        return None
    timebase = child_text(rate, "timebase", source=source)
    if not re.fullmatch(r"\s*[1-9]\d{0,3}\s*", timebase):
        raise InvalidInput(
            f"{source}:{rate.find('timebase').sourceline}: <timebase> is "
            f"{timebase.strip()[:20]!r}, not a whole frame rate",
            hint="FCP7 XML states 29.97 as <timebase>30</timebase><ntsc>TRUE</ntsc>",
        )
    ntsc = (child_text(rate, "ntsc", source=source, required=False) or "FALSE").strip().upper()
    if ntsc not in ("TRUE", "FALSE"):
        raise InvalidInput(
            f"{source}:{rate.find('ntsc').sourceline}: <ntsc> is {ntsc[:20]!r}, not TRUE or FALSE"
        )
    base = int(timebase)
    return Fraction(base * 1000, 1001) if ntsc == "TRUE" else Fraction(base)


def _sequences(root):
    yield from root.findall("sequence")
    yield from root.iterfind(".//children/sequence")


def _clipitems(sequence, files: dict, *, source: str) -> list[tuple[int, int, int, str, object]]:
    """(start, end, in, name, rate) of the sequence's video clipitems, top track first."""
    items = []
    tracks = sequence.findall("media/video/track")
    for track in reversed(tracks):  # FCP7 stacks later tracks on top
        for clipitem in track.findall("clipitem"):
            start = child_int(clipitem, "start", source=source, required=False)
            end = child_int(clipitem, "end", source=source, required=False)
            source_in = child_int(clipitem, "in", source=source, required=False)
            if None in (start, end, source_in) or start < 0 or end <= start:
                continue  # placeholders and transition-bound items (-1) place nothing
            file = clipitem.find("file")
            if file is not None and file.get("id") in files:
                file = files[file.get("id")]
            name = None
            if file is not None:
                name = child_text(file, "name", source=source, required=False)
            name = name or child_text(clipitem, "name", source=source, required=False)
            rate = _rate_of(clipitem, source=source)
            items.append((start, end, source_in, (name or "").strip(), rate))
    return items


def read(data: bytes, *, source: str) -> list[ReadMarker]:
    """The sequence markers of an FCP7 XML file (see the module docstring for placement)."""
    root = parse_xml(data, source=source, root="xmeml", what="FCP7 XML (xmeml)")
    files = {}
    for file in root.iter("file"):
        if file.get("id") and len(file):
            files.setdefault(file.get("id"), file)
    markers = []
    found = False
    for sequence in _sequences(root):
        found = True
        rate = _rate_of(sequence, source=source)
        if rate is None:
            raise InvalidInput(
                f"{source}:{sequence.sourceline}: <sequence> states no <rate>",
                hint="the file is damaged or was not written by an NLE",
            )
        name = (child_text(sequence, "name", source=source, required=False) or "").strip()
        items = _clipitems(sequence, files, source=source)
        for element in sequence.findall("marker"):
            start = child_int(element, "in", source=source)
            out = child_int(element, "out", source=source, required=False)
            line = element.sourceline
            if start < 0:
                raise InvalidInput(f"{source}:{line}: marker <in> {start} is before frame 0")
            if out is None or out == -1 or out == start:
                duration = 1
            elif out < start:
                raise InvalidInput(
                    f"{source}:{line}: marker <out> {out} is before its <in> {start}",
                    hint="<out> is the exclusive end frame, or -1 for a point marker",
                )
            else:
                duration = out - start
            clip, position, clip_rate = name or None, start, rate
            under = next((item for item in items if item[0] <= start < item[1]), None)
            if under is not None:
                item_start, _, item_in, item_name, item_rate = under
                if item_rate is not None and item_rate != rate:
                    raise InvalidInput(
                        f"{source}:{line}: the marker lies on a clip at {float(item_rate):.3f} "
                        f"fps in a sequence at {float(rate):.3f} fps; frames cannot be "
                        "placed exactly",
                        hint="export from a sequence at the clip's rate",
                    )
                if len(items) > 1 or not clip:
                    clip = item_name or clip
                position = start - item_start + item_in
            color = child_text(element, "pproColor", source=source, required=False)
            markers.append(
                ReadMarker(
                    position=position,
                    duration=duration,
                    name=child_text(element, "name", source=source, required=False) or "",
                    note=child_text(element, "comment", source=source, required=False) or "",
                    clip=clip,
                    color=color.strip() if color and color.strip() else None,
                    rate=clip_rate,
                    line=line,
                )
            )
    if not found:
        raise InvalidInput(
            f"{source}:{root.sourceline or 1}: the file holds no <sequence>",
            hint="export a sequence from Premiere (File > Export > Final Cut Pro XML)",
        )
    return markers


FORMAT = Format(
    name="premiere-xml",
    suffixes=(".xml",),
    description="Premiere Pro: FCP7 XML, one sequence per clip with sequence markers "
    "(File > Import)",
    per_clip=False,
    write=write,
    read=read,
    write_timeline=write_timeline,
)
