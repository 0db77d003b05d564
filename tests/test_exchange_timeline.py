"""Cuts exported as timelines: CMX 3600 EDL, FCP7 XML (xmeml), FCPXML 1.9-1.11 and OTIO.

Every format is checked against the golden files (tests/golden/timeline/, rewritten by
tests/golden/regenerate.py) and read back by an outside reader where one exists:

* EDL: OpenTimelineIO's ``cmx_3600`` adapter for same-rate sequences (source and record
  positions, reels, comments, non-drop-frame locators) and btslog's strict parser below for
  every file (the adapter reads every timecode at one rate, so it cannot read a mixed-rate
  EDL, and it silently drops drop-frame ``* LOC:`` lines: FORMATS.md §5);
* FCP7 XML: OpenTimelineIO's ``fcp_xml`` adapter (start timecode, record and source positions,
  media URLs and ranges, sequence markers with pproColor, audio tracks) plus lxml for what the
  adapter keeps only as opaque metadata (labels, links, file references);
* FCPXML: Apple's DTD of each version (skipped when ../shared is absent, failing in CI), exact
  times on the right frame grids, and btslog's own FCPXML reader for the markers (OTIO's
  ``fcpx_xml`` adapter truncates NTSC rates and ignores tcStart: FORMATS.md §3.6);
* OTIO: OpenTimelineIO's ``otio_json`` reader.

The positions every format states are compared with each other (one record layout for all).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import shared_path
from golden.regenerate import timeline_golden_path
from golden.timeline_samples import TIMELINE_LABELS, clip, sample_timeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btslog.errors import InvalidInput, TimecodeError
from btslog.exchange import (
    BLUR_FLAG,
    MODULES,
    TIMELINE_MODULES,
    edl,
    fcpxml,
    format_for_path,
    get_format,
    get_timeline_format,
    placed_events,
    timeline_format_for_path,
    xmeml,
)
from btslog.exchange import otio as otio_format
from btslog.exchange.model import Timeline, TimelineEvent, record_frames
from btslog.timecode import format_timecode, frames_per_day, parse_timecode

FORMATS = tuple(TIMELINE_MODULES)
FCPXML_VERSIONS = fcpxml.VERSIONS
SAME_RATE = ("2398", "2997DF")


def written(name: str, timeline: Timeline, **options) -> bytes:
    return get_timeline_format(name).write_timeline(timeline, **options)


def start_label(item_clip) -> int:
    return item_clip.start_frame % frames_per_day(item_clip.rate, item_clip.drop_frame)


def expected_markers(timeline: Timeline) -> list[tuple[str, str, int, int]]:
    """(name, note, record in, record frames) of the label and blur markers, in order."""
    markers = []
    for item in placed_events(timeline):
        event = item.event
        if event.label or event.note:
            markers.append((event.label, event.note, item.record_in, item.record_frames))
        if event.blurred:
            markers.append((BLUR_FLAG, "", item.record_in, item.record_frames))
    return markers


# --- golden files, registry -----------------------------------------------------------------


@pytest.mark.parametrize("label", TIMELINE_LABELS)
@pytest.mark.parametrize("name", FORMATS)
def test_output_matches_the_golden_file(name, label):
    path = timeline_golden_path(get_timeline_format(name), label)
    assert path.exists(), f"{path} is missing: run `python tests/golden/regenerate.py {name}`"
    assert written(name, sample_timeline(label)) == path.read_bytes(), (
        f"{path.name} differs; if the change is intended, run tests/golden/regenerate.py "
        f"{name} and review the diff"
    )


@pytest.mark.parametrize("name", FORMATS)
def test_writers_are_deterministic_and_pure(name):
    timeline = sample_timeline("mixed")
    before = dataclasses.replace(timeline)
    assert written(name, timeline) == written(name, timeline)
    assert timeline == before


def test_timeline_formats_are_found_by_name_and_suffix():
    for name, suffix in (("edl", ".edl"), ("premiere-xml", ".xml"), ("fcpxml", ".fcpxml"),
                         ("otio", ".otio")):  # fmt: skip
        entry = get_timeline_format(name)
        assert entry.name == name and suffix in entry.suffixes and entry.write_timeline
        assert timeline_format_for_path(f"/tmp/cut{suffix.upper()}").name == name
    with pytest.raises(InvalidInput, match="unknown timeline format 'avid'"):
        get_timeline_format("avid")
    with pytest.raises(InvalidInput, match="suffix .txt"):
        timeline_format_for_path("cut.txt")
    # `edl` is a timeline only: markers stay resolve-edl, by name and by suffix
    assert "edl" not in MODULES
    with pytest.raises(InvalidInput, match="edl is a timeline format") as refused:
        get_format("edl")
    assert "resolve-edl" in refused.value.hint
    assert format_for_path("markers.edl").name == "resolve-edl"
    with pytest.raises(InvalidInput, match="for markers use resolve-edl"):
        get_timeline_format("edl").write(None)
    for name in ("resolve-edl", "avid", "csv", "json", "srt", "vtt"):
        assert get_format(name).write_timeline is None


def test_importing_the_registry_loads_no_format_module():
    code = (
        "import sys; from btslog.exchange import get_timeline_format as g; "
        "assert 'btslog.exchange.edl' not in sys.modules; g('edl'); "
        "assert not {'lxml', 'opentimelineio', 'btslog.exchange.xmeml'} & set(sys.modules), "
        "sorted(m for m in sys.modules if 'lxml' in m or 'otio' in m or 'xmeml' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the layout every format shares ---------------------------------------------------------


def test_events_are_placed_back_to_back_at_the_sequence_rate():
    timeline = sample_timeline("mixed")
    placed = placed_events(timeline)
    assert [(p.number, p.record_in, p.record_frames) for p in placed] == [
        (1, 0, 60),  # 48 frames at 23.976 = 60 at 29.97
        (2, 60, 60),
        (3, 120, 60),  # 50 frames at 25 = 2 s = 59.94 -> 60
        (4, 180, 90),  # 180 frames at 59.94
        (5, 270, 4),  # 3 frames at 23.976 = 3.75 -> 4
    ]
    assert all(p.record_frames == record_frames(p.event, timeline.rate) for p in placed)


@pytest.mark.parametrize(
    "change, message",
    [(lambda e: dataclasses.replace(e, out_frame=e.clip.duration_frames + 1), "event 1"),
     (lambda e: dataclasses.replace(e, in_frame=-1), "frames -1 to"),
     (lambda e: dataclasses.replace(e, out_frame=e.in_frame), "do not lie inside")],
)  # fmt: skip
@pytest.mark.parametrize("name", FORMATS)
def test_events_outside_their_clip_are_refused(name, change, message):
    timeline = sample_timeline("2398")
    bad = dataclasses.replace(timeline, events=(change(timeline.events[0]),))
    with pytest.raises(InvalidInput, match=message):
        written(name, bad)
    with pytest.raises(InvalidInput, match="no events"):
        written(name, dataclasses.replace(timeline, events=()))
    with pytest.raises(TimecodeError, match="drop-frame"):
        written(name, dataclasses.replace(timeline, drop_frame=True))  # at 23.976


# --- EDL ------------------------------------------------------------------------------------

_EVENT = re.compile(
    r"^(?P<number>\d{3})  (?P<reel>[A-Za-z0-9_]{1,8}) *(?<= )(?P<channels>V|B|AA/V) +C {8}"
    r"(?P<src_in>\d\d:\d\d:\d\d[:;]\d\d) (?P<src_out>\d\d:\d\d:\d\d[:;]\d\d) "
    r"(?P<rec_in>\d\d:\d\d:\d\d[:;]\d\d) (?P<rec_out>\d\d:\d\d:\d\d[:;]\d\d)$"
)


def parse_edl(data: bytes) -> tuple[str, bool, list[dict]]:
    """btslog's own strict reading of an EDL it wrote: (title, drop frame, events), each event
    its fields, comments and locators as written (the OTIO adapter's gaps are covered here)."""
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "" and all(not line.endswith((" ", "\r")) for line in lines)
    assert lines[0].startswith("TITLE:") and lines[1] in ("FCM: DROP FRAME", "FCM: NON-DROP FRAME")
    events: list[dict] = []
    for line in lines[2:-1]:
        if not line:
            continue
        match = _EVENT.match(line)
        if match:
            events.append({**match.groupdict(), "comments": [], "locators": []})
        elif line.startswith("* LOC: "):
            events[-1]["locators"].append(line[len("* LOC: ") :])
        else:
            assert line.startswith("* ") and events, line
            events[-1]["comments"].append(line[2:])
    return lines[0][len("TITLE:") :].strip(), lines[1] == "FCM: DROP FRAME", events


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_edl_fields_read_back_with_btslogs_parser(label):
    timeline = sample_timeline(label)
    title, drop_frame, events = parse_edl(written("edl", timeline))
    assert title == timeline.title and drop_frame == timeline.drop_frame
    placed = placed_events(timeline)
    assert [int(event["number"]) for event in events] == [item.number for item in placed]
    for event, item in zip(events, placed, strict=True):
        source = item.event.clip
        # source timecode: the clip's own time of day, rate and drop-frame mode
        day = frames_per_day(source.rate, source.drop_frame)
        first = parse_timecode(event["src_in"], source.rate, source.drop_frame)
        last = parse_timecode(event["src_out"], source.rate, source.drop_frame)
        assert first == (source.start_frame + item.event.in_frame) % day
        assert (last - first) % day == item.event.frames
        assert (";" in event["src_in"]) == source.drop_frame
        # record timecode: the sequence's, back to back from its start
        rec_in = parse_timecode(event["rec_in"], timeline.rate, timeline.drop_frame)
        rec_out = parse_timecode(event["rec_out"], timeline.rate, timeline.drop_frame)
        assert rec_in == timeline.start_frame + item.record_in
        assert rec_out == timeline.start_frame + item.record_out
        assert event["reel"] == edl.reel_name(source)
        assert event["channels"] == edl.channels(source)
        comments = event["comments"]
        assert comments[:2] == [f"FROM CLIP NAME: {source.file_name}",
                                f"SOURCE FILE: {source.path}"]  # fmt: skip
        assert ("COMMENT: " + BLUR_FLAG in comments) == item.event.blurred
        expected_locators = [f"{event['rec_in']} RED     {BLUR_FLAG}"] if item.event.blurred else []
        assert event["locators"] == expected_locators
        if item.event.label:
            assert f"COMMENT: {item.event.label}" in comments
        if item.event.note:
            assert f"COMMENT: NOTE: {' '.join(item.event.note.split())}" in comments


@pytest.mark.parametrize("label", SAME_RATE)
def test_edl_reads_back_through_otios_cmx_3600_adapter(label):
    import opentimelineio as otio

    timeline = sample_timeline(label)
    result = otio.adapters.read_from_string(
        written("edl", timeline).decode("utf-8"), "cmx_3600", rate=float(timeline.rate)
    )
    assert result.name == timeline.title
    tracks = {track.name: track for track in result.tracks}
    assert set(tracks) == {"V", "A1", "A2"}
    video = tracks["V"]
    # the adapter places the track so that its first record frame is the timeline's start
    assert -video.source_range.start_time.value == timeline.start_frame
    placed = placed_events(timeline)
    assert len(video) == len(placed)
    for item, read in zip(placed, video, strict=True):
        source = item.event.clip
        assert read.name == source.file_name
        assert read.source_range.start_time.value == source.start_frame + item.event.in_frame
        assert read.source_range.duration.value == item.event.frames
        assert read.range_in_parent().start_time.value == item.record_in
        assert read.metadata["cmx_3600"]["reel"] == edl.reel_name(source)
        comments = read.metadata["cmx_3600"]["comments"]
        assert ("COMMENT: " + BLUR_FLAG in comments) == item.event.blurred
        # * LOC: lines become red markers at the record timecode -- but only at non-drop
        # frame: the adapter's regex drops drop-frame locators (checked by our parser above)
        expected = []
        if item.event.blurred and not timeline.drop_frame:
            expected = [(BLUR_FLAG, "RED", timeline.start_frame + item.record_in)]
        assert [(m.name, m.color, m.marked_range.start_time.value) for m in read.markers] == (
            expected
        )
    # audio: AA/V lays channels 1 and 2, B channel 1 only
    audio = [clip for clip in tracks["A1"] if isinstance(clip, otio.schema.Clip)]
    assert len(audio) == sum(item.event.clip.audio_channels > 0 for item in placed)


def test_edl_reels_channels_and_limits():
    base = sample_timeline("2398").events[0].clip
    assert edl.reel_name(dataclasses.replace(base, reel="A001")) == "A001"
    assert edl.reel_name(dataclasses.replace(base, reel="D-ROLL 7 long")) == "DROLL7lo"
    assert edl.reel_name(dataclasses.replace(base, reel=None, name="IMG_0002")) == "IMG_0002"
    assert edl.reel_name(dataclasses.replace(base, reel="é-ü")) == "AX"
    assert [edl.channels(dataclasses.replace(base, audio_channels=n)) for n in (0, 1, 2, 8)] == [
        "V", "B", "AA/V", "AA/V"
    ]  # fmt: skip
    event = TimelineEvent(base, 0, 1)
    timeline = dataclasses.replace(sample_timeline("2398"), events=(event,) * 1000)
    with pytest.raises(InvalidInput, match="at most 999"):
        written("edl", timeline)
    assert written("edl", dataclasses.replace(timeline, events=(event,) * 999))
    one_line = TimelineEvent(base, 0, 1, label="two\nlines", note="tab\there", blurred=True)
    text = written("edl", dataclasses.replace(timeline, title="a\nb", events=(one_line,)))
    assert b"TITLE: a b\n" in text and b"* COMMENT: two lines\n" in text
    assert b"* COMMENT: NOTE: tab here\n" in text


def test_edl_mixed_rate_source_timecodes_are_each_clips_own():
    _, _, events = parse_edl(written("edl", sample_timeline("mixed")))
    assert [(e["src_in"], e["src_out"], e["rec_in"], e["rec_out"]) for e in events] == [
        ("14:03:13:00", "14:03:15:00", "01:00:00;00", "01:00:02;00"),  # 23.976 NDF
        ("14:03:23;12", "14:03:25;12", "01:00:02;00", "01:00:04;00"),  # 29.97 DF
        ("10:00:00:00", "10:00:02:00", "01:00:04;00", "01:00:06;00"),  # 25
        ("23:59:59;00", "00:00:02;00", "01:00:06;00", "01:00:09;00"),  # 59.94 DF, midnight
        ("14:03:31:21", "14:03:32:00", "01:00:09;00", "01:00:09;04"),  # 3 frames -> 4
    ]


# --- FCP7 XML -------------------------------------------------------------------------------


def fcp_xml_timeline(data: bytes):
    import opentimelineio as otio

    return otio.adapters.read_from_string(data.decode("utf-8"), "fcp_xml")


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_xmeml_reads_back_through_otios_fcp_xml_adapter(label):
    import opentimelineio as otio

    timeline = sample_timeline(label)
    result = fcp_xml_timeline(written("premiere-xml", timeline))
    assert result.name == timeline.title
    assert result.global_start_time.value == timeline.start_frame
    assert result.global_start_time.rate == pytest.approx(float(timeline.rate))
    video, first_audio, second_audio = result.tracks
    assert video.kind == "Video" and first_audio.kind == second_audio.kind == "Audio"
    placed = placed_events(timeline)
    half_frame = 1 / (2 * float(timeline.rate))
    for item, read in zip(placed, video, strict=True):
        source = item.event.clip
        assert read.name == source.file_name
        assert read.range_in_parent().start_time.value == item.record_in
        assert read.range_in_parent().duration.value == item.record_frames
        reference = read.media_reference
        assert reference.target_url == xmeml.file_url(source.path, "localhost")
        assert reference.available_range.start_time.value == start_label(source)
        assert reference.available_range.start_time.rate == pytest.approx(float(source.rate))
        assert reference.available_range.duration.value == source.duration_frames
        in_seconds = (start_label(source) + item.event.in_frame) / source.rate
        read_seconds = read.source_range.start_time.to_seconds()
        if source.rate == timeline.rate:  # exact
            assert read.source_range.start_time.value == start_label(source) + item.event.in_frame
        else:  # in on the sequence's frame grid: the nearest frame
            assert abs(read_seconds - float(in_seconds)) <= half_frame + 1e-9
        assert (read.metadata["fcp_xml"].get("labels") == {"label2": "Rose"}) == (
            item.event.blurred
        )
    # audio: channel 1 of every clip with audio, channel 2 of stereo clips, gaps between
    for track, channels in ((first_audio, 1), (second_audio, 2)):
        starts = [c.range_in_parent().start_time.value for c in track
                  if isinstance(c, otio.schema.Clip)]  # fmt: skip
        assert starts == [item.record_in for item in placed
                          if item.event.clip.audio_channels >= channels]  # fmt: skip
    markers = result.tracks.markers
    assert [
        (m.name, m.metadata["fcp_xml"].get("comment") or "", m.marked_range.start_time.value,
         m.marked_range.duration.value)
        for m in markers
    ] == [(name, xmeml.xml_text(note), at, frames)
          for name, note, at, frames in expected_markers(timeline)]  # fmt: skip
    colours = [m.metadata["fcp_xml"].get("pproColor") for m in markers]
    assert colours == [str(xmeml.BLUR_MARKER_COLOR) if m[0] == BLUR_FLAG else None
                       for m in expected_markers(timeline)]  # fmt: skip


def test_xmeml_structure_files_links_and_rates():
    from lxml import etree

    timeline = sample_timeline("mixed")
    root = etree.fromstring(written("premiere-xml", timeline))
    assert root.get("version") == "5" and [child.tag for child in root] == ["sequence"]
    sequence = root.find("sequence")
    assert sequence.find("timecode/string").text == "01:00:00;00"
    assert sequence.find("timecode/displayformat").text == "DF"
    assert sequence.find("media/video/format/samplecharacteristics/width").text == "1920"
    # every clipitem counts at the sequence's rate; each file states its own
    assert {(c.find("rate/timebase").text, c.find("rate/ntsc").text)
            for c in sequence.iter("clipitem")} == {("30", "TRUE")}  # fmt: skip
    full = [f for f in sequence.iter("file") if len(f)]
    assert [f.find("name").text for f in full] == [
        "A001C001.MP4", "B001C007.MP4", "C0042.MP4", "D5994_0001.MP4"
    ]  # fmt: skip
    by_name = {f.find("name").text: f for f in full}
    assert by_name["A001C001.MP4"].find("timecode/string").text == "14:03:12:00"
    assert by_name["A001C001.MP4"].find("rate/timebase").text == "24"
    assert by_name["D5994_0001.MP4"].find("timecode/string").text == "23:59:58;00"
    assert by_name["D5994_0001.MP4"].find("timecode/displayformat").text == "DF"
    assert by_name["D5994_0001.MP4"].find("timecode/reel/name").text == "D-ROLL 7"
    references = [f.get("id") for f in sequence.iter("file") if not len(f)]
    assert set(references) <= {f.get("id") for f in full}
    # an event's clipitems are linked to each other
    first = sequence.find("media/video/track/clipitem")
    assert [link.find("linkclipref").text for link in first.findall("link")] == [
        "clipitem-1", "clipitem-1-a1", "clipitem-1-a2"
    ]  # fmt: skip
    # the last event ends on its clip's last frame and stays inside the media
    last = sequence.findall("media/video/track/clipitem")[-1]
    assert int(last.find("out").text) <= int(last.find("duration").text)


def test_xmeml_refuses_rates_it_cannot_state():
    timeline = sample_timeline("2398")
    odd = dataclasses.replace(timeline.events[0].clip, rate=Fraction(25, 2))
    bad = dataclasses.replace(timeline, events=(dataclasses.replace(timeline.events[0],
                                                                    clip=odd),))  # fmt: skip
    with pytest.raises(InvalidInput, match="clip A001C001 runs at 12.500 fps"):
        written("premiere-xml", bad)
    with pytest.raises(InvalidInput, match="not 4 or 5"):
        written("premiere-xml", timeline, version=3)
    assert b'<xmeml version="4">' in written("premiere-xml", timeline, version=4)


# --- FCPXML ---------------------------------------------------------------------------------


@functools.cache
def apple_dtd(version: str):
    from lxml import etree

    return etree.DTD(str(shared_path("formats", "dtd", f"FCPXMLv{version.replace('.', '_')}.dtd")))


def parsed(data: bytes):
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True))


@pytest.mark.parametrize("version", FCPXML_VERSIONS)
@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_fcpxml_is_valid_against_apples_dtd(label, version):
    data = written("fcpxml", sample_timeline(label), version=version)
    root = parsed(data)
    assert root.get("version") == version and b"<!DOCTYPE fcpxml>" in data
    dtd = apple_dtd(version)
    assert dtd.validate(root), dtd.error_log.filter_from_errors()


def seconds(text: str) -> Fraction:
    return fcpxml.parse_time(text, source="t", line=1, what="t")


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_fcpxml_spine_times_are_exact_and_on_their_grids(label):
    timeline = sample_timeline(label)
    root = parsed(written("fcpxml", timeline))
    rate = timeline.rate
    sequence = root.find("library/event/project/sequence")
    formats = {f.get("id"): f for f in root.iter("format")}
    assert formats[sequence.get("format")].get("frameDuration") == fcpxml.frame_duration(rate)
    assert seconds(sequence.get("tcStart")) == Fraction(timeline.start_frame) / rate
    assert sequence.get("tcFormat") == ("DF" if timeline.drop_frame else "NDF")
    placed = placed_events(timeline)
    assert seconds(sequence.get("duration")) * rate == placed[-1].record_out
    assets = {a.get("id"): a for a in root.iter("asset")}
    asset_clips = sequence.findall("spine/asset-clip")
    assert len(asset_clips) == len(placed)
    for item, element in zip(placed, asset_clips, strict=True):
        source = item.event.clip
        asset = assets[element.get("ref")]
        assert seconds(asset.get("start")) * source.rate == start_label(source)
        assert asset.find("media-rep").get("src") == xmeml.file_url(source.path)
        # offset and duration on the sequence's grid, back to back from tcStart
        offset = seconds(element.get("offset")) - seconds(sequence.get("tcStart"))
        assert offset * rate == item.record_in
        assert seconds(element.get("duration")) * rate == item.record_frames
        # start in the clip's own time (its time of day), on the clip's grid, inside the media
        start = seconds(element.get("start")) * source.rate
        assert start.denominator == 1
        media_end = Fraction(start_label(source) + source.duration_frames) / source.rate
        assert seconds(element.get("start")) + seconds(element.get("duration")) <= media_end
        wanted = start_label(source) + item.event.in_frame
        assert start == wanted or (start == wanted - 1 and item.event.out_frame
                                   == source.duration_frames)  # fmt: skip
        conform = element.find("conform-rate")
        assert (conform is not None) == (source.rate != rate)
        for child in element.iter("marker", "keyword"):
            assert (seconds(child.get("start")) * source.rate).denominator == 1
            assert (seconds(child.get("duration")) * source.rate) == item.event.frames


def test_fcpxml_flags_blurred_ranges_as_todo_markers_and_a_keyword():
    root = parsed(written("fcpxml", sample_timeline("mixed")))
    clips = root.findall("library/event/project/sequence/spine/asset-clip")
    assert [(e.tag, e.get("value"), e.get("completed")) for e in clips[1]] == [
        ("marker", "conversation", None),
        ("marker", BLUR_FLAG, "0"),
        ("keyword", "conversation", None),
        ("keyword", fcpxml.BLUR_KEYWORD, None),
    ]
    conform = clips[0][0]
    assert (conform.tag, conform.get("srcFrameRate"), conform.get("scaleEnabled")) == (
        "conform-rate", "23.98", "0"
    )  # fmt: skip
    assert clips[2].find("conform-rate").get("srcFrameRate") == "25"
    # the 3-frame 23.976 event fills 4 sequence frames: its start moves back one clip frame
    # so that it ends on the media's last frame, not after it
    last = clips[4]
    source = sample_timeline("mixed").events[4].clip
    assert seconds(last.get("start")) * source.rate == start_label(source) + 476
    with pytest.raises(InvalidInput, match="1.12"):
        written("fcpxml", sample_timeline("2398"), version="1.12")


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_fcpxml_markers_read_back_with_btslogs_reader(label):
    timeline = sample_timeline(label)
    markers = fcpxml.read(written("fcpxml", timeline), source="cut.fcpxml")
    expected = []
    for item in placed_events(timeline):
        event = item.event
        at = (event.clip.name, event.in_frame, event.frames)
        if event.label or event.note:
            expected.append((*at, event.label, xmeml.xml_text(event.note), None))
        if event.blurred:
            expected.append((*at, BLUR_FLAG, "", "to-do"))
    assert [(m.clip, m.position, m.duration, m.name, m.note, m.color) for m in markers] == (
        expected
    )


# --- OTIO -----------------------------------------------------------------------------------


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_otio_reads_back_with_otio_json(label):
    import opentimelineio as otio

    timeline = sample_timeline(label)
    result = otio.adapters.read_from_string(written("otio", timeline).decode(), "otio_json")
    assert result.name == timeline.title
    assert result.global_start_time.value == timeline.start_frame
    assert result.global_start_time.rate == float(timeline.rate)
    video, audio = result.tracks
    assert (video.name, video.kind, audio.name, audio.kind) == ("V1", "Video", "A1", "Audio")
    placed = placed_events(timeline)
    for item, read in zip(placed, video, strict=True):
        event, source = item.event, item.event.clip
        reference = read.media_reference
        assert reference.target_url == xmeml.file_url(source.path)
        assert reference.available_range.start_time.value == start_label(source)
        assert reference.available_range.start_time.rate == float(source.rate)
        assert reference.available_range.duration.value == source.duration_frames
        assert read.source_range.start_time.value == start_label(source) + event.in_frame
        assert read.source_range.start_time.rate == float(source.rate)
        assert read.source_range.duration.value == event.frames
        fields = read.metadata["btslog"]
        assert (fields["label"], fields["note"], fields["kind"], fields["tag_id"],
                fields["blurred"], fields["event"]) == (
            event.label, otio_format.otio_text(event.note), event.kind, event.tag_id,
            event.blurred, item.number)  # fmt: skip
        assert fields["record_in"] == format_timecode(
            timeline.start_frame + item.record_in, timeline.rate, timeline.drop_frame
        )
        assert fields["record_frames"] == item.record_frames
        assert (read.color is not None and read.color.name == "Red") == event.blurred
        flags = [m for m in read.markers if m.name == BLUR_FLAG]
        assert [(m.color, m.marked_range) for m in flags] == (
            [("RED", read.source_range)] if event.blurred else []
        )
    assert [type(item).__name__ for item in audio] == [
        "Clip" if item.event.clip.audio_channels else "Gap" for item in placed
    ]
    assert video.duration() == audio.duration()


# --- all formats agree ----------------------------------------------------------------------


@pytest.mark.parametrize("label", TIMELINE_LABELS)
def test_every_format_places_every_event_at_the_same_record_frame(label):
    timeline = sample_timeline(label)
    wanted = [(item.record_in, item.record_frames) for item in placed_events(timeline)]
    _, _, events = parse_edl(written("edl", timeline))
    rate, drop_frame, start = timeline.rate, timeline.drop_frame, timeline.start_frame
    from_edl = [
        (parse_timecode(e["rec_in"], rate, drop_frame) - start,
         parse_timecode(e["rec_out"], rate, drop_frame) - parse_timecode(e["rec_in"], rate,
                                                                          drop_frame))
        for e in events
    ]  # fmt: skip
    video = fcp_xml_timeline(written("premiere-xml", timeline)).tracks[0]
    from_xmeml = [(int(c.range_in_parent().start_time.value),
                   int(c.range_in_parent().duration.value)) for c in video]  # fmt: skip
    sequence = parsed(written("fcpxml", timeline)).find("library/event/project/sequence")
    tc_start = seconds(sequence.get("tcStart"))
    from_fcpxml = [
        (int((seconds(e.get("offset")) - tc_start) * rate), int(seconds(e.get("duration")) * rate))
        for e in sequence.iter("asset-clip")
    ]
    import opentimelineio as otio

    read = otio.adapters.read_from_string(written("otio", timeline).decode(), "otio_json")
    from_otio = [
        (parse_timecode(c.metadata["btslog"]["record_in"], rate, drop_frame) - start,
         c.metadata["btslog"]["record_frames"])
        for c in read.tracks[0]
    ]  # fmt: skip
    assert from_edl == from_xmeml == from_fcpxml == from_otio == wanted


# --- random timelines -----------------------------------------------------------------------

RATES = [(Fraction(24000, 1001), False), (Fraction(24), False), (Fraction(25), False),
         (Fraction(30000, 1001), True), (Fraction(30000, 1001), False), (Fraction(30), False),
         (Fraction(50), False), (Fraction(60000, 1001), True), (Fraction(60), False)]  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list("<&\"\t\n|é")),
               max_size=20)  # fmt: skip


@st.composite
def timelines(draw) -> Timeline:
    rate, drop_frame = draw(st.sampled_from(RATES))
    sources = []
    for number in range(draw(st.integers(1, 3))):
        clip_rate, clip_drop_frame = draw(st.sampled_from(RATES))
        day = frames_per_day(clip_rate, clip_drop_frame)
        start = format_timecode(draw(st.integers(0, day - 1)), clip_rate, clip_drop_frame)
        sources.append(clip(f"C{number:03d}", clip_rate, clip_drop_frame, start,
                            draw(st.integers(1, 3000)),
                            audio_channels=draw(st.integers(0, 2))))  # fmt: skip
    events = []
    for _ in range(draw(st.integers(1, 5))):
        source = draw(st.sampled_from(sources))
        first = draw(st.integers(0, source.duration_frames - 1))
        events.append(TimelineEvent(
            source, first, draw(st.integers(first + 1, source.duration_frames)),
            label=xmeml.xml_text(draw(TEXT)), note=xmeml.xml_text(draw(TEXT)),
            kind=draw(st.sampled_from(["take", "flub", "conversation", ""])),
            blurred=draw(st.booleans()), tag_id=draw(st.none() | st.integers(1, 10**6)),
        ))  # fmt: skip
    start_tc = "01:00:00;00" if drop_frame else "01:00:00:00"
    return Timeline(title=xmeml.xml_text(draw(TEXT)), rate=rate, drop_frame=drop_frame,
                    start_frame=parse_timecode(start_tc, rate), width=1920, height=1080,
                    events=tuple(events))  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timeline=timelines())
def test_random_timelines_are_valid_in_every_format(timeline):
    wanted = [(item.record_in, item.record_frames) for item in placed_events(timeline)]
    _, _, events = parse_edl(written("edl", timeline))
    assert len(events) == len(wanted)
    root = parsed(written("fcpxml", timeline))
    assert apple_dtd("1.10").validate(root), apple_dtd("1.10").error_log
    video = fcp_xml_timeline(written("premiere-xml", timeline)).tracks[0]
    assert [(int(c.range_in_parent().start_time.value),
             int(c.range_in_parent().duration.value)) for c in video] == wanted  # fmt: skip
    import opentimelineio as otio

    read = otio.adapters.read_from_string(written("otio", timeline).decode(), "otio_json")
    assert [c.metadata["btslog"]["record_frames"] for c in read.tracks[0]] == [w[1] for w in wanted]


# --- a project's cut, through ops and the CLI -------------------------------------------------
# Written against btslog.ops.cuts (new_cut/get_cut), being written at the same time as this
# file: the tests below need it.


@pytest.fixture
def cut_project(project, media):
    from btslog.ops.clips import add_clips
    from btslog.ops.tags import TagSpec, add_tag

    add_clips(project, [media["a2398"]], camera="A", day="2026-11-20")
    add_clips(project, [media["b2997df"]], camera="B", day="2026-11-20")
    add_tag(project, TagSpec(clip="A001C001", in_text="14:03:12:12", out_text="14:03:13:00",
                             kind="take", scene="12A", take="3", circled=True,
                             note="first full take"))  # fmt: skip
    add_tag(project, TagSpec(clip="B001_0001", in_text="14:03:20;10", duration="15f",
                             kind="take", note="second angle"))  # fmt: skip
    return project


def test_export_timeline_of_a_projects_cut(cut_project, tmp_path):
    from btslog.cut.model import CutOptions
    from btslog.ops.cuts import get_cut, new_cut
    from btslog.ops.exchange import export_markers, export_timeline, timeline_for

    new_cut(cut_project, "rough", CutOptions(query="kind:take"))
    cut = get_cut(cut_project, "rough")
    timeline = timeline_for(cut_project, cut, blurred=frozenset({1}))
    assert timeline.title == "rough" and timeline.rate == cut_project.rate
    assert format_timecode(timeline.start_frame, timeline.rate, timeline.drop_frame) in (
        "01:00:00:00", "01:00:00;00"
    )  # fmt: skip
    assert [(e.clip.name, e.in_frame, e.out_frame, e.blurred) for e in timeline.events] == [
        (s.clip, s.in_frame, s.out_frame, i == 1) for i, s in enumerate(cut.segments)
    ]
    assert all(Path(e.clip.path).is_absolute() and Path(e.clip.path).exists()
               for e in timeline.events)  # fmt: skip
    for name, suffix in (("edl", ".edl"), ("premiere-xml", ".xml"), ("fcpxml", ".fcpxml"),
                         ("otio", ".otio")):  # fmt: skip
        path = export_timeline(cut_project, cut, format_name=name, output=tmp_path / f"r{suffix}",
                               blurred=frozenset({1}))  # fmt: skip
        assert path.read_bytes() == written(name, timeline)
    # the format from the suffix; a folder gets a file named after the cut
    assert export_timeline(cut_project, cut, output=tmp_path / "x.otio").suffix == ".otio"
    assert export_timeline(cut_project, cut, format_name="edl", output=tmp_path) == (
        tmp_path / "rough.edl"
    )
    with pytest.raises(InvalidInput, match="suffix"):
        export_timeline(cut_project, cut, output=tmp_path / "x.mov")
    assert not list(tmp_path.glob(".*partial"))
    # markers of the tags behind the cut
    (path,) = export_markers(cut_project, "csv", tmp_path / "m.csv", cut="rough")
    assert path.read_text().count("\n") == 1 + len([s for s in cut.segments if s.tag_id])


def test_cli_export_timeline(cut_project, tmp_path):
    from conftest import run_cli

    run_cli("cut", "new", "rough", "--select", "kind:take", cwd=cut_project.root, check=0)
    result = run_cli("export", "timeline", "--cut", "rough", "--format", "fcpxml",
                     "--fcpxml-version", "1.9", "-o", str(tmp_path / "rough.fcpxml"),
                     cwd=cut_project.root)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = (tmp_path / "rough.fcpxml").read_bytes()
    assert b'<fcpxml version="1.9">' in data
    # no face scan was run: the render would refuse these clips, so every segment is flagged
    assert "2 segments, 2 flagged" in result.stdout
    assert data.count(f'value="{BLUR_FLAG}" completed="0"'.encode()) == 2
    missing = run_cli("export", "timeline", "--cut", "nope", "-o", str(tmp_path / "n.edl"),
                      cwd=cut_project.root)  # fmt: skip
    assert missing.returncode == 1 and "nope" in missing.stderr


def test_export_timeline_help_lists_the_formats():
    from conftest import run_cli

    result = run_cli("export", "timeline", "--help")
    assert result.returncode == 0
    for name in FORMATS:
        assert name in result.stdout
    markers = run_cli("export", "markers", "--help").stdout
    assert "resolve-edl" in markers and "[resolve-edl|premiere-xml" in markers
    assert "|edl|" not in markers
