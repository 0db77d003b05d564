"""The text exchange formats: Resolve marker EDL, Avid marker list, CSV/JSON, SRT/VTT.

Each format is checked against its golden files, round-trips every sample rate and random
markers, follows the syntax FORMATS.md gives, and turns every broken file into an
InvalidInput that names the file and line.
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from fractions import Fraction

import pytest
from conftest import shared_path
from exchange_samples import COLORS, RATES, sample_document
from golden.regenerate import available_formats, golden_document, golden_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btslog.errors import InvalidInput
from btslog.exchange import get_format
from btslog.exchange import resolve_edl as resolve_module
from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument, one_line
from btslog.exchange.subtitles import frames_at, milliseconds
from btslog.timecode import format_timecode, frames_per_day, frames_since, parse_timecode

FORMATS = ("resolve-edl", "avid", "csv", "json", "srt", "vtt")
LABELS = [label for label, *_ in RATES]
RATE_OF = {label: (rate, drop_frame) for label, rate, drop_frame, *_ in RATES}
RESOLVE_COLORS = resolve_module.COLORS
AVID_COLORS = ("red", "green", "blue", "cyan", "magenta", "yellow", "black", "white")


def _note_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# What each format keeps of a marker's name and note (FORMATS.md: Resolve and Avid are one
# line per marker; Resolve splits on '|'; a subtitle cue may not hold a blank line).
KEPT = {
    "resolve-edl": (lambda name: one_line(name, "|"), lambda note: one_line(note, "|")),
    "avid": (lambda name: one_line(name).replace(": ", ":"), one_line),
    "csv": (str, str),
    "json": (str, str),
    "srt": (one_line, _note_lines),
    "vtt": (one_line, _note_lines),
}
COLOR_KEY = {"resolve-edl": "resolve", "avid": "avid", "csv": "resolve", "json": "resolve"}


def read(fmt: str, data: bytes, clip: ClipMarkers | None = None, source: str = "markers"):
    options = {"rate": clip.rate} if fmt in ("srt", "vtt") else {}
    return get_format(fmt).read(data, source=source, **options)


def frames_from_start(position: str | int, clip: ClipMarkers) -> int:
    if isinstance(position, int):
        return position
    label = parse_timecode(position, clip.rate, clip.drop_frame)
    return frames_since(clip.start_frame, label, clip.rate, clip.drop_frame)


def expected(fmt: str, clip: ClipMarkers) -> list[tuple]:
    keep_name, keep_note = KEPT[fmt]
    markers = list(clip.markers)
    if fmt in ("srt", "vtt"):  # cues are written in time order
        markers.sort(key=lambda marker: (marker.in_frame, marker.out_frame))
    key = COLOR_KEY.get(fmt)
    default = {"resolve": "ResolveColorBlue", "avid": "cyan"}
    return [
        (marker.in_frame, marker.frames, keep_name(marker.name), keep_note(marker.note),
         (marker.colors.get(key) or default[key]) if fmt in ("resolve-edl", "avid")
         else marker.colors.get(key) if key else None)
        for marker in markers
    ]  # fmt: skip


def round_trip(fmt: str, document: MarkerDocument) -> dict[str, list[tuple]]:
    """clip name -> (frames from clip start, duration, name, note, colour) read back."""
    file_format = get_format(fmt)
    back: dict[str, list[tuple]] = {}
    parts = [MarkerDocument(document.title, (clip,)) for clip in document.clips]
    for part in parts if file_format.per_clip else [document]:
        for marker in read(fmt, file_format.write(part), part.clips[0]):
            clip = next(c for c in part.clips if marker.clip in (None, c.name))
            if marker.rate is not None:
                assert marker.rate == clip.rate
            back.setdefault(clip.name, []).append(
                (frames_from_start(marker.position, clip), marker.duration, marker.name,
                 marker.note, marker.color)
            )  # fmt: skip
    return back


# --- golden files ------------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_matches_the_golden_file(fmt, label):
    file_format = get_format(fmt)
    path = golden_path(file_format, label)
    assert path.exists(), f"{path.name} is missing: run tests/golden/regenerate.py {fmt}"
    assert file_format.write(golden_document(file_format, label)) == path.read_bytes(), (
        f"{path.name} differs: check the change, then run tests/golden/regenerate.py {fmt}"
    )


def test_regenerate_skips_formats_whose_module_does_not_exist(monkeypatch, capsys):
    from golden import regenerate

    monkeypatch.setitem(regenerate.MODULES, "future", "btslog.exchange.not_written_yet")
    formats, missing = available_formats()
    assert missing == ["future"]
    assert {"resolve-edl", "avid", "csv", "json", "srt", "vtt"} <= {f.name for f in formats}
    assert regenerate.main(["future"]) == 0
    assert "skipped future: btslog.exchange.not_written_yet does not exist yet" in (
        capsys.readouterr().out
    )


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_rate_round_trips(fmt, label):
    document = sample_document(label)
    back = round_trip(fmt, document)
    assert back == {clip.name: expected(fmt, clip) for clip in document.clips}


def test_tabular_rows_name_the_clip_and_rate():
    document = sample_document("2997DF")
    for fmt in ("csv", "json"):
        markers = read(fmt, get_format(fmt).write(document))
        assert [m.clip for m in markers] == ["A001C001"] * 3 + ["A001C002"]
        assert {m.rate for m in markers} == {Fraction(30000, 1001)}
        assert markers[0].name == "take 12A/3 ★★★★ circled with Eileen, Grace"


def test_csv_rebuilds_an_empty_name_from_the_columns():
    data = (
        b"clip,in_frame,out_frame,kind,name,scene,take,rating,circled,people\r\n"
        b"A001C001,0,5,take,,12A,3,4,true,Eileen;Grace\r\n"
    )
    (marker,) = read("csv", data)
    assert marker.name == "take 12A/3 ★★★★ circled with Eileen, Grace"
    assert (marker.position, marker.duration) == (0, 5)


def test_csv_takes_a_duration_from_timecodes_alone():
    data = b"clip,rate,in_tc,out_tc,name\nA,30000/1001,14:03:59;29,14:04:00;02,x\n"
    (marker,) = read("csv", data)
    assert (marker.position, marker.duration, marker.clip) == ("14:03:59;29", 1, "A")


@pytest.mark.parametrize("label", LABELS)
def test_point_markers_survive_millisecond_rounding(label):
    rate, drop_frame = RATE_OF[label]
    day = frames_per_day(rate, drop_frame)
    for frame in [*range(3000), *range(3000, day, 7919)]:
        start, end = milliseconds(frame, rate), milliseconds(frame + 1, rate)
        assert end > start
        assert frames_at(start, rate) == frame
        assert frames_at(end, rate) == frame + 1


# --- syntax ------------------------------------------------------------------------------------

_TC = {False: r"\d\d:\d\d:\d\d:\d\d", True: r"\d\d:\d\d:\d\d;\d\d"}


@pytest.mark.parametrize("label", LABELS)
def test_resolve_lines_follow_the_marker_edl_syntax(label):
    document = sample_document(label)
    clip = document.clips[0]
    text = get_format("resolve-edl").write(MarkerDocument(document.title, (clip,))).decode()
    tc = _TC[clip.drop_frame]
    event_re = re.compile(rf"^(\d{{3}})  001      V     C        ({tc}) ({tc}) \2 \3  $")
    colors = "|".join(RESOLVE_COLORS)
    note_re = re.compile(rf"^([^|\r\n]*) \|C:({colors}) \|M:([^|\r\n]*) \|D:([1-9]\d*)$")
    lines = text.split("\n")
    assert "\r" not in text and text.endswith("\n")
    assert lines[0] == "TITLE: Making of: sample shoot"
    assert lines[1] == ("FCM: DROP FRAME" if clip.drop_frame else "FCM: NON-DROP FRAME")
    events = lines[2:-1]
    assert len(events) == 3 * len(clip.markers)
    for number, marker in enumerate(clip.markers, start=1):
        blank, event, note = events[3 * (number - 1) : 3 * number]
        assert blank == ""
        event_match, note_match = event_re.match(event), note_re.match(note)
        assert event_match and note_match, (event, note)
        assert int(event_match[1]) == number
        first = clip.start_frame + marker.in_frame
        assert event_match[2] == format_timecode(first, clip.rate, clip.drop_frame)
        assert event_match[3] == format_timecode(first + 1, clip.rate, clip.drop_frame)
        assert note_match[2] == marker.colors["resolve"]
        assert int(note_match[4]) == marker.frames


@pytest.mark.parametrize("label", LABELS)
def test_avid_lines_have_six_fields_and_a_classic_colour(label):
    document = sample_document(label)
    clip = document.clips[0]
    text = get_format("avid").write(MarkerDocument(document.title, (clip,))).decode()
    lines = text.split("\n")
    assert lines[-1] == "" and "\r" not in text
    for line, marker in zip(lines[:-1], clip.markers, strict=True):
        user, timecode, track, color, comment, frames = line.split("\t")
        assert (user, track) == ("btslog", "V1")
        assert re.fullmatch(_TC[clip.drop_frame], timecode)
        assert color in AVID_COLORS and color == marker.colors["avid"]
        assert comment.startswith(marker.name) and "\n" not in comment
        assert frames == str(marker.frames)


def test_avid_user_option_and_names_holding_colon_space():
    clip = sample_document("25").clips[0]
    marker = Marker(0, 1, "take", "note: with colon", people=("Dr: Who",))
    document = MarkerDocument("t", (replace(clip, markers=(marker,)),))
    data = get_format("avid").write(document, user="Mara\tJ")
    assert data.decode() == "Mara J\t10:00:00:00\tV1\tcyan\ttake with Dr:Who: note: with colon\t1\n"
    (back,) = read("avid", data)
    assert (back.name, back.note, back.color) == ("take with Dr:Who", "note: with colon", "cyan")


def test_the_formats_md_examples_read_back():
    examples = shared_path("formats", "examples")
    (first, second) = read("resolve-edl", (examples / "resolve_timeline_markers_2997DF.edl")
                           .read_bytes())  # fmt: skip
    assert first.position == "01:00:01;00" and first.duration == 60
    assert (first.name, first.note, first.color) == (
        "Great quote", "Use as opener", "ResolveColorRed")  # fmt: skip
    assert (second.position, second.duration, second.line) == ("01:00:06;00", 15, 7)
    avid = read("avid", (examples / "avid_markers_24.txt").read_bytes())
    assert [(m.position, m.duration, m.name, m.note, m.color) for m in avid] == [
        ("01:00:01:00", 48, "Great quote", "Use as opener", "red"),
        ("01:00:06:00", 12, "Fix audio", "Pop at 6s", "blue"),
    ]


def test_resolve_reads_an_empty_note_crlf_and_a_bom():
    data = (
        "\ufeffTITLE: Timeline 1\r\nFCM: NON-DROP FRAME\r\n\r\n"
        "001  001      V     C        01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01  \r\n"
        " |C:ResolveColorPurple |M:Marker 1 |D:1\r\n"
    ).encode()
    (marker,) = read("resolve-edl", data)
    assert (marker.position, marker.name, marker.note, marker.duration, marker.line) == (
        "01:00:00:00", "Marker 1", "", 1, 4)  # fmt: skip


def test_writers_refuse_what_the_format_cannot_hold():
    document = sample_document("24")
    for fmt in ("resolve-edl", "avid", "srt", "vtt"):
        with pytest.raises(InvalidInput, match="one clip"):
            get_format(fmt).write(document)
    clip = document.clips[0]
    many = tuple(Marker(i, i + 1, "take") for i in range(1000))
    with pytest.raises(InvalidInput, match="at most 999"):
        get_format("resolve-edl").write(MarkerDocument("t", (replace(clip, markers=many),)))
    for fmt, nle, color in (("resolve-edl", "resolve", "ResolveColorOrange"),
                            ("avid", "avid", "orange")):  # fmt: skip
        odd = (Marker(0, 1, "take", colors={nle: color}),)
        with pytest.raises(InvalidInput, match="colour"):
            get_format(fmt).write(MarkerDocument("t", (replace(clip, markers=odd),)))


# --- broken files ------------------------------------------------------------------------------

EDL_HEAD = "TITLE: x\nFCM: NON-DROP FRAME\n\n"
EVENT = "001  001      V     C        14:03:12:00 14:03:12:01 14:03:12:00 14:03:12:01  \n"
DF_EVENT = "001  001      V     C        14:03:12;00 14:03:12;01 14:03:12;00 14:03:12;01  \n"
NOTE = "note |C:ResolveColorRed |M:flub |D:{}\n"
CSV_HEAD = "clip,rate,drop_frame,in_tc,in_frame,out_frame,name,note\r\n"
SRT_CUE = "1\n00:00:01,000 --> 00:00:02,000\nflub\n"
JUNK = bytes(range(128, 256)) + b"\x00\x01\x02 junk \xff\xfe"

BROKEN = [
    # (format, file contents, where the error must point, words the message must hold)
    ("resolve-edl", EDL_HEAD + "001  001      V     C        14:03", 4, "malformed event line"),
    ("resolve-edl", EDL_HEAD + EVENT, 4, "no marker line"),
    ("resolve-edl", EDL_HEAD + EVENT + "\n" + NOTE.format(1), 4, "no marker line"),
    ("resolve-edl", "hello, world\nthis is text\n", 1, "not a Resolve marker EDL"),
    ("resolve-edl", "", 1, "empty file"),
    ("resolve-edl", JUNK, 1, "not UTF-8"),
    ("resolve-edl", b"TITLE: x\n\x00\x01\x02", 2, "binary"),
    ("resolve-edl", EDL_HEAD + EVENT + NOTE.format("99999999999999999999"), 5, "positive"),
    ("resolve-edl", EDL_HEAD + EVENT + NOTE.format("999999999"), 5, "longer than a day"),
    ("resolve-edl", EDL_HEAD + EVENT + NOTE.format(0), 5, "positive"),
    ("resolve-edl", EDL_HEAD + EVENT + NOTE.format(-3), 5, "positive"),
    ("resolve-edl", EDL_HEAD + EVENT + "x |C:ResolveColorOrange |M:a |D:1\n", 5, "unknown colour"),
    ("resolve-edl", EDL_HEAD + EVENT + "x |C:ResolveColorRed |D:1\n", 5, "malformed marker line"),
    ("resolve-edl", EDL_HEAD + DF_EVENT + NOTE.format(1), 4, "FCM: NON-DROP FRAME"),
    ("resolve-edl", EDL_HEAD.replace("NON-DROP", "DROP") + EVENT + NOTE.format(1), 4,
     "FCM: DROP FRAME"),
    ("resolve-edl", EDL_HEAD + EVENT.replace("14:03:12:00 14", "14:03;12:00 14", 1)
     + NOTE.format(1), 4, "mixes separators"),
    ("resolve-edl", EDL_HEAD + EVENT.replace("14:03:12:00", "25:03:12:00") + NOTE.format(1), 4,
     "not a time of day"),
    ("resolve-edl", "TITLE: x\n\n" + EVENT + NOTE.format(1), 3, "before the FCM"),
    ("resolve-edl", EDL_HEAD + NOTE.format(1), 4, "without an event"),
    ("resolve-edl", EDL_HEAD + EVENT + NOTE.format(1) + "FCM: DROP FRAME\n", 6, "contradicts"),
    ("resolve-edl", EDL_HEAD + "* FROM CLIP NAME: a.mov\n", 4, "unexpected line"),
    ("avid", "editor\t14:03:12:00\tV1\tred\tflub\n", 1, "5 TAB-separated fields"),
    ("avid", "editor\t14:03:12:00\tV1\tred\tflub\t1\textra\n", 1, "7 TAB-separated fields"),
    ("avid", "a\t14:03:12:00\tV1\tred\tflub\t1\nb\t14:03:1", 2, "2 TAB-separated"),
    ("avid", "editor\t14:03:12:00\tV1\torange\tflub\t1\n", 1, "unknown colour"),
    ("avid", "editor\tnoon\tV1\tred\tflub\t1\n", 1, "not a timecode"),
    ("avid", "editor\t14:03:12:00\tV1\tred\tflub\t0\n", 1, "positive"),
    ("avid", "editor\t14:03:12:00\tV1\tred\tflub\t1.5\n", 1, "positive"),
    ("avid", "editor\t14:03:12:00\tV1\tred\tflub\t123456789012345678901234567890\n", 1,
     "positive"),
    ("avid", "e\t14:03:12:00\tV1\tred\ta\t1\ne\t14:03:12;02\tV1\tred\tb\t1\n", 2, "drop-frame"),
    ("avid", "editor\t14:03:12:00\tQ7\tred\tflub\t1\n", 1, "not a track"),
    ("avid", "editor\t99:03:12:00\tV1\tred\tflub\t1\n", 1, "not a time of day"),
    ("avid", JUNK, 1, "not UTF-8"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12:00,0,1,flub,x\r\nA001,24,false,14:03\r\n", 3,
     "4 cells"),
    ("csv", "hello,world\r\n1,2\r\n", 1, "not a btslog marker table"),
    ("csv", "", 1, "empty file"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12:00,zero,1,flub,x\r\n", 2, "not a whole number"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12:00,123456789012345,1,flub,x\r\n", 2,
     "not a whole number"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12:00,99999999999,99999999999,flub,x\r\n", 2,
     "more frames than a day"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12:00,5,5,flub,x\r\n", 2, "not after in_frame"),
    ("csv", CSV_HEAD + "A001,24,false,14:03:12;00,0,1,flub,x\r\n", 2, "drop_frame=false"),
    ("csv", CSV_HEAD + "A001,fast,false,14:03:12:00,0,1,flub,x\r\n", 2, "not a frame rate"),
    ("csv", CSV_HEAD + "A001,25,false,14:03:12:27,0,1,flub,x\r\n", 2, "frame 27"),
    ("csv", CSV_HEAD + 'A001,24,false,14:03:12:00,0,1,flub,"never closed\r\n', 2,
     "malformed CSV"),
    ("csv", CSV_HEAD + ",24,false,14:03:12:00,0,1,flub,x\r\n", 2, "no clip"),
    ("csv", "clip,rate,in_tc,out_tc,name\nA,30000/1001,14:03:12;02,14:03:13:00,x\n", 2,
     "written as non-drop-frame"),
    ("csv", JUNK, 1, "not UTF-8"),
    ("json", '[{"clip": "A001", "in_frame": 0, "out_frame": 1, "name": "flub"}', 1,
     "not valid JSON"),
    ("json", '{"clip": "A001"}', 1, "expected a list"),
    ("json", '[{"clip": "A", "in_frame": 0, "out_frame": 1, "name": "f"},\n 7]', "[1]",
     "expected an object"),
    ("json", '[{"clip": "A", "in_frame": 1.5, "out_frame": 3, "name": "f"}]', "[0]",
     "not a whole number"),
    ("json", '[{"clip": "A", "in_frame": 0, "out_frame": 1e400, "name": "f"}]', "[0]",
     "not a whole number"),
    ("json", '[{"clip": "A", "in_frame": 0, "out_frame": 100000000000000000000000, "name": 1}]',
     "[0]", "more frames than a day"),
    ("json", '[{"clip": "A", "in_frame": 0, "out_frame": 1, "name": "f", "rate": true}]', "[0]",
     "not a frame rate"),
    ("json", '[{"clip": "A", "in_frame": 0, "out_frame": 1, "name": ["f"]}]', "[0]",
     "must be text"),
    ("json", "[" * 100_000, 1, "JSON"),
    ("json", JUNK, 1, "not UTF-8"),
    ("srt", SRT_CUE + "\n2\n00:00:03,000 --> 00:00\n", 6, "malformed timing line"),
    ("srt", SRT_CUE + "\nnumber two\n00:00:03,000 --> 00:00:04,000\nx\n", 5, "cue number"),
    ("srt", "1\n00:00:05,000 --> 00:00:04,000\nflub\n", 2, "before it starts"),
    ("srt", "1\n00:61:05,000 --> 00:62:04,000\nflub\n", 2, "out of range"),
    ("srt", "1\n99999999999:00:05,000 --> 99999999999:00:06,000\nflub\n", 2, "out of range"),
    ("srt", "1\n", 1, "without a timing line"),
    ("srt", JUNK, 1, "not UTF-8"),
    ("srt", "1\n00:00:01,000 --> 00:00:02,000\nflub\x00\n", 3, "binary"),
    ("vtt", SRT_CUE, 1, "not a WebVTT file"),
    ("vtt", "WEBVTT\n\n00:01.000 --> 00:02,000\nflub\n", 3, "malformed timing line"),
    ("vtt", "WEBVTT\n00:01.000 --> 00:02.000\nflub\n", 2, "inside the WEBVTT header"),
    ("vtt", "WEBVTT\n\nid only\n", 3, "expected a cue timing line"),
    ("vtt", "WEBVTT\n\n00:05.000 --> 00:04.000\nflub\n", 3, "before it starts"),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "data", "where", "words"), BROKEN)
def test_broken_files_name_the_file_and_line(fmt, data, where, words):
    clip = sample_document("24").clips[0]
    data = data.encode() if isinstance(data, str) else data
    with pytest.raises(InvalidInput) as caught:
        read(fmt, data, clip, source="shoot/markers.x")
    message = str(caught.value)
    assert message.startswith(f"shoot/markers.x:{where}:"), message
    assert words in message, message
    assert caught.value.hint, message


# --- properties --------------------------------------------------------------------------------

TEXT = st.text(
    st.sampled_from(string.printable + "|¦\"'é★ñ—\u00a0\u2028"), max_size=40
)  # may hold | tab newline quotes
KINDS = ["take", "flub", "conversation", "setup", "highlight", "restricted"]


@st.composite
def clips(draw) -> ClipMarkers:
    label, rate, drop_frame, *_ = draw(st.sampled_from(RATES))
    length = draw(st.integers(1, 5000))
    markers = []
    for _ in range(draw(st.integers(0, 8))):
        in_frame = draw(st.integers(0, length - 1))
        kind = draw(st.sampled_from(KINDS))
        mark = draw(st.sampled_from(["", "circled", "ng"]))
        markers.append(Marker(
            in_frame, draw(st.integers(in_frame + 1, length)), kind, draw(TEXT),
            scene=draw(st.none() | st.from_regex(r"[A-Za-z0-9._-]{1,4}", fullmatch=True)),
            take=draw(st.none() | st.from_regex(r"[0-9]{1,2}[A-C]?", fullmatch=True)),
            rating=draw(st.none() | st.integers(1, 5)), circled=mark == "circled",
            ng=mark == "ng", people=tuple(draw(st.lists(TEXT.filter(str.strip), max_size=2))),
            colors={"resolve": draw(st.sampled_from(RESOLVE_COLORS)),
                    "avid": draw(st.sampled_from(AVID_COLORS)), **COLORS.get(kind, {})}
            if draw(st.booleans()) else {},
            tag_id=draw(st.none() | st.integers(1, 10**6)),
        ))  # fmt: skip
    return ClipMarkers(
        name=f"C{label}", file_name=f"C{label}.MOV", path=f"/media/C{label}.MOV", rate=rate,
        drop_frame=drop_frame, start_frame=draw(st.integers(0, frames_per_day(rate, drop_frame) - 1)),
        duration_frames=length, markers=tuple(markers),
    )  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clip=clips())
def test_random_markers_round_trip(fmt, clip):
    document = MarkerDocument("random", (clip,))
    assert round_trip(fmt, document).get(clip.name, []) == expected(fmt, clip)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_files_give_markers_or_invalid_input(fmt, data):
    """Cut, spliced or byte-flipped files never raise anything but InvalidInput."""
    clip = sample_document(data.draw(st.sampled_from(LABELS))).clips[0]
    file_format = get_format(fmt)
    good = file_format.write(MarkerDocument("t", (clip,)))
    start = data.draw(st.integers(0, len(good)))
    end = data.draw(st.integers(start, len(good)))
    junk = data.draw(st.binary(max_size=8) | st.sampled_from([b"\t", b"|", b";", b"\n", b'"']))
    damaged = good[:start] + junk + good[end:]
    try:
        markers = read(fmt, damaged, clip)
    except InvalidInput as error:
        assert str(error).startswith("markers"), str(error)
    else:
        assert all(marker.duration >= 1 for marker in markers)


@pytest.mark.parametrize(
    "note", ["=HYPERLINK(\"http://x\",\"y\")", "+1 take", "-2 takes", "@SUM(A1)", "\tx",
             "'quoted", "''", "plain", ""],
)  # fmt: skip
def test_csv_cells_never_run_as_formulas_and_read_back_exactly(note):
    from btslog.exchange.tabular import from_spreadsheet_safe, spreadsheet_safe

    cell = spreadsheet_safe(note)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert from_spreadsheet_safe(cell) == note
