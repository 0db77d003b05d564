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
from btslog.exchange.model import ClipMarkers, MarkerDocument, ReadMarker
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


def _add_rate(parent, clip: ClipMarkers) -> None:
    rate = _sub(parent, "rate")
    _sub(rate, "timebase", nominal_fps(clip.rate))
    _sub(rate, "ntsc", "TRUE" if clip.rate.denominator == 1001 else "FALSE")


def _start_label(clip: ClipMarkers) -> int:
    """The clip's first label, wrapped into one day (a later clip of a shoot that crossed
    midnight starts at 00:00:xx, not at 24:00:xx)."""
    return clip.start_frame % frames_per_day(clip.rate, clip.drop_frame)


def _add_timecode(parent, clip: ClipMarkers, *, reel: bool = False) -> None:
    timecode = _sub(parent, "timecode")
    _add_rate(timecode, clip)
    start = _start_label(clip)
    _sub(timecode, "string", format_timecode(start, clip.rate, clip.drop_frame))
    _sub(timecode, "frame", start)
    _sub(timecode, "displayformat", "DF" if clip.drop_frame else "NDF")
    if reel and clip.reel:  # the tape/reel name of the media file
        _sub(_sub(timecode, "reel"), "name", clip.reel)


def _check_rate(clip: ClipMarkers) -> None:
    rate = clip.rate
    nominal = nominal_fps(rate)
    if rate != nominal and rate != Fraction(nominal * 1000, 1001):
        raise InvalidInput(
            f"clip {clip.name} runs at {float(rate):.3f} fps, which FCP7 XML cannot state "
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


def _add_sequence(parent, clip: ClipMarkers, number: int) -> None:
    _check_rate(clip)
    sequence = _sub(parent, "sequence", id=f"sequence-{number}")
    _sub(sequence, "name", clip.name)
    _sub(sequence, "duration", clip.duration_frames)
    _add_rate(sequence, clip)
    media = _sub(sequence, "media")
    video = _sub(media, "video")
    characteristics = _sub(_sub(video, "format"), "samplecharacteristics")
    _add_rate(characteristics, clip)
    _sub(characteristics, "width", clip.width)
    _sub(characteristics, "height", clip.height)
    _sub(characteristics, "pixelaspectratio", "square")
    clipitem = _sub(_sub(video, "track"), "clipitem", id=f"clipitem-{number}")
    _sub(clipitem, "name", clip.file_name)
    _sub(clipitem, "enabled", "TRUE")
    _sub(clipitem, "duration", clip.duration_frames)
    _add_rate(clipitem, clip)
    _sub(clipitem, "start", 0)
    _sub(clipitem, "end", clip.duration_frames)
    _sub(clipitem, "in", 0)
    _sub(clipitem, "out", clip.duration_frames)
    file = _sub(clipitem, "file", id=f"file-{number}")
    _sub(file, "name", clip.file_name)
    _sub(file, "pathurl", file_url(clip.path, "localhost"))
    _add_rate(file, clip)
    _sub(file, "duration", clip.duration_frames)
    _add_timecode(file, clip, reel=True)
    file_video = _sub(_sub(file, "media"), "video")
    file_characteristics = _sub(file_video, "samplecharacteristics")
    _sub(file_characteristics, "width", clip.width)
    _sub(file_characteristics, "height", clip.height)
    _add_timecode(sequence, clip)
    for marker in clip.markers:
        element = _sub(sequence, "marker")
        _sub(element, "comment", marker.note)
        _sub(element, "name", marker.name)
        _sub(element, "in", marker.in_frame)
        _sub(element, "out", marker.out_frame)
        color = marker.colors.get("premiere")
        if color is not None:
            _sub(element, "pproColor", _ppro_color(color, clip))


def write(document: MarkerDocument, *, version: int | str = 5, **options) -> bytes:
    """``document`` as FCP7 XML (``version`` 4 or 5) for Premiere Pro's File > Import."""
    from lxml import etree

    if str(version) not in {str(known) for known in VERSIONS}:
        raise InvalidInput(
            f"FCP7 XML version {version!r} is not 4 or 5", hint="Premiere imports 4 and 5"
        )
    root = etree.Element("xmeml", version=str(version))
    if len(document.clips) == 1:
        parent = root
    else:
        bin_element = _sub(root, "bin")
        _sub(bin_element, "name", document.title)
        parent = _sub(bin_element, "children")
    for number, clip in enumerate(document.clips, start=1):
        _add_sequence(parent, clip, number)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body


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
)
