"""Premiere FCP7 XML, FCPXML and OTIO marker files: golden files, Apple's DTDs, OTIO's own
readers, write -> read round trips, and hostile input."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import threading
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import shared_path
from exchange_samples import COLORS, RATES, sample_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btslog.errors import InvalidInput
from btslog.exchange import fcpxml, get_format, xmeml
from btslog.exchange import otio as otio_format
from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument
from btslog.timecode import frames_per_day

GOLDEN = Path(__file__).parent / "golden" / "exchange"
FORMATS = ("premiere-xml", "fcpxml", "otio")
LABELS = [label for label, *_ in RATES]
FCPXML_VERSIONS = ("1.9", "1.10", "1.11")
XML_FORMATS = ("premiere-xml", "fcpxml")


def golden_path(name: str, label: str) -> Path:
    return GOLDEN / f"{name}_{label}{get_format(name).suffixes[0]}"


def written(name: str, document: MarkerDocument, **options) -> bytes:
    return get_format(name).write(document, **options)


def start_label(clip: ClipMarkers) -> int:
    return clip.start_frame % frames_per_day(clip.rate, clip.drop_frame)


def expected_color(name: str, marker: Marker):
    """What each reader gives back as the colour (in the format's own vocabulary)."""
    if name == "premiere-xml":
        color = marker.colors.get("premiere")
        return None if color is None else str(color)
    if name == "fcpxml":  # no colours in FCPXML: the marker type stands in
        return "to-do" if marker.kind in fcpxml.TODO_KINDS else None
    return marker.colors.get("otio", otio_format.DEFAULT_COLOR)


def expected(name: str, document: MarkerDocument) -> list[tuple]:
    carried = xmeml.xml_text if name in XML_FORMATS else otio_format.otio_text
    return [
        (clip.name, marker.in_frame, marker.frames, carried(marker.name),
         carried(marker.note), expected_color(name, marker), clip.rate)
        for clip in document.clips
        for marker in clip.markers
    ]  # fmt: skip


def read_back(name: str, data: bytes) -> list[tuple]:
    return [
        (marker.clip, marker.position, marker.duration, marker.name, marker.note, marker.color,
         marker.rate)
        for marker in get_format(name).read(data, source=f"back.{name}")
    ]  # fmt: skip


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("name", FORMATS)
def test_output_matches_the_golden_file(name, label):
    path = golden_path(name, label)
    assert path.exists(), f"{path} is missing: run `python tests/golden/regenerate.py`"
    assert written(name, sample_document(label)) == path.read_bytes(), (
        f"{path.name} differs; if the change is intended, run tests/golden/regenerate.py "
        "and review the diff"
    )


@pytest.mark.parametrize("name", FORMATS)
def test_writers_are_deterministic_and_pure(name):
    document = sample_document("2997DF")
    before = dataclasses.replace(document)
    assert written(name, document) == written(name, document)
    assert document == before


# --- FCPXML: Apple's DTDs -------------------------------------------------------------------


@functools.cache
def apple_dtd(version: str):
    from lxml import etree

    return etree.DTD(str(shared_path("formats", "dtd", f"FCPXMLv{version.replace('.', '_')}.dtd")))


@pytest.mark.parametrize("version", FCPXML_VERSIONS)
@pytest.mark.parametrize("label", LABELS)
def test_fcpxml_is_valid_against_apples_dtd(label, version):
    from lxml import etree

    data = written("fcpxml", sample_document(label), version=version)
    root = etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True))
    assert root.get("version") == version
    dtd = apple_dtd(version)
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert b"<!DOCTYPE fcpxml>" in data


def test_fcpxml_times_are_exact_and_on_the_frame_grid():
    from lxml import etree

    for label, rate, *_ in RATES:
        root = etree.fromstring(written("fcpxml", sample_document(label)))
        frame = 1 / rate
        assert {f.get("frameDuration") for f in root.iter("format")} == {
            fcpxml.frame_duration(rate)
        }
        for element in root.iter("asset", "asset-clip", "marker", "keyword", "rating"):
            for attribute in ("start", "duration"):
                seconds = fcpxml.parse_time(element.get(attribute), source="t", line=1, what="t")
                assert (seconds / frame).denominator == 1, (label, element.attrib)
    assert fcpxml.frame_duration(Fraction(24000, 1001)) == "1001/24000s"
    assert fcpxml.frame_duration(Fraction(24)) == "100/2400s"
    # 29.97 drop-frame 01:00:00;00 is label 107892 (FORMATS.md 3.3)
    assert fcpxml.frames_time(107892, Fraction(30000, 1001)) == "8999991/2500s"
    assert fcpxml.format_name(Fraction(24000, 1001), 1920, 1080) == "FFVideoFormat1080p2398"
    assert fcpxml.format_name(Fraction(48), 1920, 1080) is None


def test_fcpxml_maps_kinds_to_todo_keywords_and_ratings():
    from lxml import etree

    root = etree.fromstring(written("fcpxml", sample_document("24")))
    first, second = root.iter("asset-clip")
    assert [(e.tag, e.get("value"), e.get("completed")) for e in first] == [
        ("marker", "take 12A/3 ★★★★ circled with Eileen, Grace", None),
        ("keyword", "take", None),
        ("rating", "favorite", None),  # circled
        ("marker", "flub", "0"),  # a flub is a to-do
        ("keyword", "flub", None),
        ("marker", "conversation", None),
        ("keyword", "conversation", None),
    ]
    assert [(e.tag, e.get("value")) for e in second if e.tag == "rating"] == [("rating", "reject")]
    assert first.getparent().tag == "event" and first.get("tcFormat") == "NDF"


def test_fcpxml_versions_and_unknown_version():
    for version in FCPXML_VERSIONS:
        assert f'<fcpxml version="{version}">'.encode() in written(
            "fcpxml", sample_document(), version=version
        )
    with pytest.raises(InvalidInput, match="1.12"):
        written("fcpxml", sample_document(), version="1.12")


# --- xmeml: OTIO's fcp_xml reader -----------------------------------------------------------


def fcp_xml_timelines(data: bytes) -> list:
    import opentimelineio as otio

    result = otio.adapters.read_from_string(data.decode("utf-8"), "fcp_xml")
    return [result] if isinstance(result, otio.schema.Timeline) else list(result)


@pytest.mark.parametrize("label", LABELS)
def test_xmeml_reads_back_through_otios_fcp_xml_adapter(label):
    # OTIO's fcp_xml adapter keeps marker positions and durations and the sequence's start
    # timecode; it reads every colour as RED and keeps <comment>/<pproColor> only as opaque
    # metadata (FORMATS.md 1.6, 6.2), so colours and notes are checked with btslog's own
    # reader in test_every_format_round_trips_every_rate.
    document = sample_document(label)
    timelines = fcp_xml_timelines(written("premiere-xml", document))
    assert [timeline.name for timeline in timelines] == [clip.name for clip in document.clips]
    for timeline, clip in zip(timelines, document.clips, strict=True):
        assert timeline.global_start_time.value == start_label(clip)
        assert timeline.global_start_time.rate == pytest.approx(float(clip.rate))
        (item,) = timeline.find_clips()
        assert item.source_range.duration.value == clip.duration_frames
        assert item.media_reference.target_url.startswith("file://localhost/Volumes/Shoot%20")
        assert [
            (m.name, m.marked_range.start_time.value, m.marked_range.duration.value)
            for m in timeline.tracks.markers
        ] == [(xmeml.xml_text(m.name), m.in_frame, m.frames) for m in clip.markers]
        assert [m.metadata["fcp_xml"].get("comment") for m in timeline.tracks.markers] == [
            m.note or None for m in clip.markers
        ]


def test_xmeml_one_clip_is_a_lone_sequence_several_are_a_bin():
    from lxml import etree

    document = sample_document("25")
    one = MarkerDocument(title="one", clips=document.clips[:1])
    root = etree.fromstring(written("premiere-xml", one))
    assert [child.tag for child in root] == ["sequence"]
    assert len(fcp_xml_timelines(written("premiere-xml", one))) == 1
    root = etree.fromstring(written("premiere-xml", document))
    assert [child.tag for child in root] == ["bin"]
    assert root.find("bin/name").text == document.title
    assert len(root.findall("bin/children/sequence")) == 2


def test_xmeml_rates_timecodes_and_urls():
    from lxml import etree

    root = etree.fromstring(written("premiere-xml", sample_document("2997DF"), version=4))
    assert root.get("version") == "4"
    assert {e.text for e in root.iter("timebase")} == {"30"}
    assert {e.text for e in root.iter("ntsc")} == {"TRUE"}
    assert {e.text for e in root.iter("displayformat")} == {"DF"}
    sequence = root.find("bin/children/sequence")
    assert sequence.find("timecode/string").text == "14:03:17;17"
    assert sequence.find(".//file/timecode/string").text == "14:03:17;17"
    assert sequence.find(".//file/timecode/reel/name").text == "A001"
    root = etree.fromstring(written("premiere-xml", sample_document("24")))
    assert {e.text for e in root.iter("ntsc")} == {"FALSE"}
    assert all(re.fullmatch(r"\d+", e.text) for e in root.iter("timebase"))
    with pytest.raises(InvalidInput, match="not 4 or 5"):
        written("premiere-xml", sample_document(), version=6)
    odd = sample_document("24")
    odd = MarkerDocument("odd", (dataclasses.replace(odd.clips[0], rate=Fraction(25, 2)),))
    with pytest.raises(InvalidInput, match="FCP7 XML cannot state"):
        written("premiere-xml", odd)
    clip = sample_document("24").clips[1]
    purple = dataclasses.replace(clip.markers[0], colors={"premiere": "purple"})
    with pytest.raises(InvalidInput, match="'purple' is not a Premiere pproColor"):
        written(
            "premiere-xml", MarkerDocument("c", (dataclasses.replace(clip, markers=(purple,)),))
        )


def test_file_urls_are_percent_encoded():
    assert xmeml.file_url("/Volumes/Shoot Day 1/A#1 é.MP4", "localhost") == (
        "file://localhost/Volumes/Shoot%20Day%201/A%231%20%C3%A9.MP4"
    )
    assert xmeml.file_url("C:\\Users\\me\\A 1.mp4", "localhost") == (
        "file://localhost/C%3A/Users/me/A%201.mp4"
    )
    assert xmeml.file_url("/a/b.mov") == "file:///a/b.mov"


# --- OTIO JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_otio_reads_back_with_otio_json(label):
    import opentimelineio as otio

    document = sample_document(label)
    timeline = otio.adapters.read_from_string(
        written("otio", document).decode("utf-8"), "otio_json"
    )
    clips = list(timeline.find_clips())
    assert [clip.name for clip in clips] == [clip.name for clip in document.clips]
    for item, clip in zip(clips, document.clips, strict=True):
        available = item.media_reference.available_range
        assert available.start_time.value == start_label(clip)
        assert available.start_time.rate == float(clip.rate)
        assert item.source_range == available
        assert [
            (m.name, m.comment, m.color, m.marked_range.start_time.value,
             m.marked_range.duration.value, m.metadata["btslog"]["kind"],
             m.metadata["btslog"]["tag_id"], m.metadata["btslog"]["rating"],
             list(m.metadata["btslog"]["people"]))
            for m in item.markers
        ] == [
            (m.name, m.note, m.colors["otio"], start_label(clip) + m.in_frame, m.frames,
             m.kind, m.tag_id, m.rating, list(m.people))
            for m in clip.markers
        ]  # fmt: skip


def test_otio_float_rates_become_exact():
    def rate(value):
        return otio_format.exact_rate(value, source="f.otio", where="clip")

    assert rate(24000 / 1001) == Fraction(24000, 1001)
    assert rate(29.97) == Fraction(30000, 1001)
    assert rate(59.94005994005994) == Fraction(60000, 1001)
    assert rate(25.0) == 25 and rate(12.5) == Fraction(25, 2)
    with pytest.raises(InvalidInput, match="f.otio"):
        rate(0.0)


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("name", FORMATS)
def test_every_format_round_trips_every_rate(name, label):
    document = sample_document(label)
    assert read_back(name, written(name, document)) == expected(name, document)


@pytest.mark.parametrize("version", FCPXML_VERSIONS)
def test_every_fcpxml_version_round_trips(version):
    document = sample_document("5994DF")
    assert read_back("fcpxml", written("fcpxml", document, version=version)) == expected(
        "fcpxml", document
    )


def test_markers_read_from_the_shared_examples():
    xml = shared_path("formats", "examples", "premiere_xmeml_v4_24.xml").read_bytes()
    # sequence markers land on the clipitem under them, in that file's frames
    assert [
        (m.clip, m.position, m.duration, m.name, m.note, m.color, m.rate)
        for m in xmeml.read(xml, source="p.xml")
    ] == [
        ("interview_A.mov", 264, 48, "Great quote", "Use as opener", "4281740498", 24),
        ("broll_B.mov", 72, 12, "Fix audio", "Pop at 6s", "4294741314", 24),
    ]
    # FCPXML: markers and chapter markers in clip-local time, counted from the asset's start
    for name, rate, scale in (("roughcut_fcpxml_v1_11_24.fcpxml", 24, 1),
                              ("roughcut_fcpxml_v1_11_2997DF.fcpxml", Fraction(30000, 1001),
                               Fraction(5, 4))):  # fmt: skip
        data = shared_path("formats", "examples", name).read_bytes()
        assert [
            (m.clip, m.position, m.duration, m.name, m.note, m.color, m.rate)
            for m in fcpxml.read(data, source=name)
        ] == [
            ("interview_A", 264 * scale, 48 * scale, "Great quote", "Use as opener", "to-do", rate),
            ("interview_A", 240 * scale, 1, "Chapter 1", "", "chapter", rate),
            ("broll_B", 72 * scale, 12 * scale, "Fix audio", "Pop at 6s", None, rate),
        ]
    data = shared_path("formats", "examples", "roughcut_24_clip_markers.otio").read_bytes()
    assert [
        (m.clip, m.position, m.duration, m.name, m.note, m.color, m.rate)
        for m in otio_format.read(data, source="r.otio")
    ] == [
        ("interview_A", 264, 48, "Great quote", "Use as opener", "RED", 24),
        ("broll_B", 72, 12, "Fix audio", "Pop at 6s", "BLUE", 24),
    ]


KINDS = ["take", "flub", "conversation", "setup", "highlight", "restricted"]
WORD = st.from_regex(r"[A-Za-z0-9._-]{1,4}", fullmatch=True)
PERSON = st.from_regex(r"[A-Z][a-zé]{1,8}( [A-Z][a-z]{1,8})?", fullmatch=True)
# Notes: anything but lone surrogates (which no UTF-8 file can hold), with XML's specials.
NOTE = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list("<>&\"'\t\n\r|é★")),
    max_size=40,
)


@st.composite
def documents(draw) -> MarkerDocument:
    label, rate, drop_frame, _, _ = draw(st.sampled_from(RATES))
    day = frames_per_day(rate, drop_frame)
    clips = []
    for number in range(draw(st.integers(1, 2))):
        length = draw(st.integers(1, 2000))
        markers = []
        for _ in range(draw(st.integers(0, 4))):
            first = draw(st.integers(0, length - 1))
            scene = draw(st.none() | WORD)
            mark = draw(st.sampled_from(["", "circled", "ng"]))
            markers.append(Marker(
                first, draw(st.integers(first + 1, length)), draw(st.sampled_from(KINDS)),
                draw(NOTE), scene=scene, take=draw(WORD) if scene else None,
                rating=draw(st.none() | st.integers(1, 5)), circled=mark == "circled",
                ng=mark == "ng", people=tuple(draw(st.lists(PERSON, max_size=3, unique=True))),
                colors=draw(st.sampled_from([{}, *COLORS.values()])),
                tag_id=draw(st.none() | st.integers(1, 10**6)),
            ))  # fmt: skip
        clips.append(ClipMarkers(
            name=f"A001C{number:03d}", file_name=f"A001C{number:03d}.MOV",
            path=f"/Volumes/Card A/{label}/A001C{number:03d}.MOV", rate=rate,
            drop_frame=drop_frame, start_frame=draw(st.integers(0, day - 1)),
            duration_frames=length, markers=tuple(markers),
        ))  # fmt: skip
    return MarkerDocument(title=draw(st.text(max_size=10).map(xmeml.xml_text)), clips=tuple(clips))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FORMATS), document=documents())
def test_random_markers_round_trip(name, document):
    data = written(name, document)
    assert read_back(name, data) == expected(name, document)
    if name == "fcpxml":
        assert apple_dtd("1.10").validate(_parse(data)), apple_dtd("1.10").error_log


def _parse(data: bytes):
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True))


# --- hostile and broken input ---------------------------------------------------------------

ROOTS = {"premiere-xml": "xmeml", "fcpxml": "fcpxml"}
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n<{root}>&lol9;</{root}>\n"
)


def rejected(name: str, data: bytes | str, source: str = "/cards/evil.xml") -> InvalidInput:
    """The InvalidInput reading ``data`` raises; checks it names the file (and a line)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(InvalidInput) as caught:
        get_format(name).read(data, source=source)
    error = caught.value
    assert str(error).startswith(source), str(error)
    if name in XML_FORMATS:
        assert re.match(rf"{re.escape(source)}:\d+: ", str(error)), str(error)
    # no chained traceback: nothing from lxml/OTIO/json shows behind the message
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return error


@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize("padding", [0, 5000], ids=["doctype-first", "doctype-after-comment"])
def test_external_entities_are_refused_and_never_read(name, padding, tmp_path):
    root = ROOTS[name]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    fifo = tmp_path / "entity.fifo"  # opening a FIFO to read blocks: a read attempt shows
    os.mkfifo(fifo)
    comment = f"<!-- {'x' * padding} -->\n" if padding else ""
    for target in (secret, fifo):
        data = (
            f'<?xml version="1.0"?>\n{comment}<!DOCTYPE {root} [\n'
            f'  <!ENTITY xxe SYSTEM "file://{target}">\n'
            f'  <!ENTITY % remote SYSTEM "file://{target}"> %remote;\n]>\n'
            f"<{root}><sequence><name>&xxe;</name></sequence></{root}>\n"
        ).encode()
        outcome = {}

        def attempt(data=data, outcome=outcome):
            try:
                get_format(name).read(data, source="evil.xml")
            except InvalidInput as error:
                outcome["error"] = error

        thread = threading.Thread(target=attempt, daemon=True)
        thread.start()
        thread.join(10)
        if thread.is_alive():  # the parser opened the FIFO: release it, then fail
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(descriptor)
            thread.join(10)
            pytest.fail(f"reading {name} opened the external entity {target}")
        assert "error" in outcome, "the external entity was accepted"
        message = str(outcome["error"])
        assert message.startswith("evil.xml:") and "DTD" in message
        assert "TOP SECRET" not in message
    rejected(name, data)


@pytest.mark.parametrize("name", XML_FORMATS)
def test_entity_expansion_is_refused_quickly(name):
    import time

    root = ROOTS[name]
    started = time.perf_counter()
    error = rejected(name, BILLION_LAUGHS.format(root=root))
    assert time.perf_counter() - started < 1
    assert ":2: " in str(error)  # the DOCTYPE's line


@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize(
    "doctype",
    ['<!DOCTYPE {root} SYSTEM "http://example.com/evil.dtd">',
     '<!DOCTYPE {root} PUBLIC "-//evil//EN" "file:///etc/passwd">',
     "<!DOCTYPE {root} [<!ELEMENT {root} ANY>]>"],
)  # fmt: skip
def test_doctypes_with_ids_or_declarations_are_refused(name, doctype):
    root = ROOTS[name]
    error = rejected(name, f'<?xml version="1.0"?>\n{doctype.format(root=root)}\n<{root}/>\n')
    assert ":2: " in str(error)


@pytest.mark.parametrize("name", XML_FORMATS)
def test_truncated_xml_names_file_and_line(name):
    data = written(name, sample_document("25"))
    error = rejected(name, data[: len(data) // 2])
    assert "not well-formed XML" in str(error)


@pytest.mark.parametrize("name", XML_FORMATS)
def test_wrong_root_element(name):
    other = "fcpxml" if name == "premiere-xml" else "premiere-xml"
    error = rejected(name, written(other, sample_document("25")))
    assert f"not <{ROOTS[name]}>" in str(error)
    rejected(name, "<html><body>hello</body></html>")
    rejected(name, b"")


def test_xmeml_bad_marker_values_name_their_line():
    data = written("premiere-xml", sample_document("24")).decode()
    bad = data.replace("<in>100</in>", "<in>1OO</in>", 1)
    line = bad[: bad.index("<in>1OO</in>")].count("\n") + 1
    error = rejected("premiere-xml", bad)
    assert f":{line}: " in str(error) and "'1OO'" in str(error)
    backwards = data.replace("<out>101</out>", "<out>90</out>", 1)
    assert "before its <in>" in str(rejected("premiere-xml", backwards))
    fractional = data.replace("<timebase>24</timebase>", "<timebase>23.976</timebase>")
    assert "not a whole frame rate" in str(rejected("premiere-xml", fractional))
    no_rate = re.sub(
        r"(<sequence id=\"sequence-1\">.*?)<rate>.*?</rate>", r"\1", data, 1, re.DOTALL
    )
    assert "no <rate>" in str(rejected("premiere-xml", no_rate))
    no_in = data.replace("<in>24</in>", "", 1)
    assert "has no <in>" in str(rejected("premiere-xml", no_in))
    assert "no <sequence>" in str(rejected("premiere-xml", '<xmeml version="5"/>'))


def test_xmeml_point_markers_and_stated_rate():
    data = written("premiere-xml", sample_document("24")).decode()
    point = data.replace("<out>101</out>", "<out>-1</out>", 1)
    markers = xmeml.read(point.encode(), source="p.xml")
    assert (markers[1].position, markers[1].duration) == (100, 1)
    # the file says 23.976 where the clip runs at 24: the reader reports what the file
    # states, and btslog.ops.exchange refuses the mismatch against the project's clip
    ntsc = data.replace("<ntsc>FALSE</ntsc>", "<ntsc>TRUE</ntsc>")
    assert {m.rate for m in xmeml.read(ntsc.encode(), source="p.xml")} == {Fraction(24000, 1001)}


def test_fcpxml_time_off_the_frame_grid_names_its_line():
    data = written("fcpxml", sample_document("24")).decode()
    start = re.search(r'<marker start="([^"]+)"', data)[1]
    seconds = fcpxml.parse_time(start, source="t", line=1, what="t") + Fraction(1, 1000)
    bad = data.replace(f'<marker start="{start}"', f'<marker start="{fcpxml.fcp_time(seconds)}"')
    line = bad[: bad.index("<marker ")].count("\n") + 1
    error = rejected("fcpxml", bad)
    assert f":{line}: " in str(error) and "not on a frame" in str(error)
    garbage = data.replace(f'<marker start="{start}"', '<marker start="soon"', 1)
    assert "not an FCPXML time" in str(rejected("fcpxml", garbage))
    no_format = data.replace('frameDuration="100/2400s" ', "")
    assert "frameDuration" in str(rejected("fcpxml", no_format))
    dangling = data.replace('ref="r2"', 'ref="r9"')
    assert "'r9'" in str(rejected("fcpxml", dangling))


def test_fcpxml_stated_rate_is_returned_as_stated():
    # 24 fps markers in a file whose format says 48 fps: every 24 fps time is on the 48 grid,
    # so the reader gives the positions at 48 and the rate 48; the caller compares rates.
    data = written("fcpxml", sample_document("24")).decode()
    doubled = data.replace('frameDuration="100/2400s"', 'frameDuration="100/4800s"')
    markers = fcpxml.read(doubled.encode(), source="d.fcpxml")
    assert {m.rate for m in markers} == {48}
    assert (markers[0].position, markers[0].duration) == (48, 96)


def test_otio_broken_files():
    data = written("otio", sample_document("24")).decode()
    error = rejected("otio", data[: len(data) // 2], source="cut.otio")
    assert re.match(r"cut\.otio:\d+: not valid JSON", str(error))
    assert "not a timeline" in str(rejected("otio", '{"OTIO_SCHEMA": "Nope.1"}'))
    assert "OpenTimelineIO cannot read" in str(
        rejected("otio", '{"OTIO_SCHEMA": "Clip.2", "name": 5}')
    )
    import opentimelineio as otio

    marker = otio.adapters.write_to_string(otio.schema.Marker(), "otio_json")
    assert "OTIO Marker, not a timeline" in str(rejected("otio", marker))
    assert "cannot read" in str(rejected("otio", '{"OTIO_SCHEMA": "RationalTime.1"}'))
    rejected("otio", b"\xff\xfe\x00garbage")
    timeline = json.loads(data)
    marker = timeline["tracks"]["children"][0]["children"][0]["markers"][0]
    marker["marked_range"]["start_time"]["value"] += 0.5
    off_grid = rejected("otio", json.dumps(timeline, indent=2), source="grid.otio")
    assert "marker 'take 12A/3" in str(off_grid) and "not on a frame" in str(off_grid)
    # a contradicting rate is reported as the file states it (the caller checks)
    stated = data.replace('"rate": 24.0', '"rate": 25.0')
    assert {m.rate for m in otio_format.read(stated.encode(), source="s.otio")} == {25}


def test_formats_are_registered():
    for name, suffix in (("premiere-xml", ".xml"), ("fcpxml", ".fcpxml"), ("otio", ".otio")):
        entry = get_format(name)
        assert entry.suffixes == (suffix,) and not entry.per_clip and entry.read is not None
