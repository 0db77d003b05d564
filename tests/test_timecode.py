"""Timecode is exact: every rate, drop-frame, midnight, and every impossible label named."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from btslog.errors import TimecodeError
from btslog.timecode import (
    SMPTE_RATES,
    STANDARD_RATES,
    Position,
    format_seconds,
    format_timecode,
    frames_per_day,
    frames_since,
    frames_to_seconds,
    is_drop_frame_string,
    nominal_fps,
    parse_duration,
    parse_position,
    parse_rate,
    parse_timecode,
    rate_label,
    seconds_to_frames,
    supports_drop_frame,
)

R2398 = Fraction(24000, 1001)
R2997 = Fraction(30000, 1001)
R4795 = Fraction(48000, 1001)
R5994 = Fraction(60000, 1001)

# Every rate the issue lists, plus rates OTIO refuses (plain non-drop-frame counting).
RATES = [
    R2398, Fraction(24), Fraction(25), R2997, Fraction(30), R4795, Fraction(48), Fraction(50),
    R5994, Fraction(60), Fraction(12), Fraction(15), Fraction(100), Fraction(120),
    Fraction(120000, 1001), Fraction(25, 2),
]  # fmt: skip
MODES = [(rate, False) for rate in RATES] + [(R2997, True), (R5994, True)]
MODE_IDS = [f"{rate_label(rate)}-{'df' if df else 'ndf'}" for rate, df in MODES]

PROPERTY = settings(max_examples=200, deadline=None)


def oracle_label(frames: int, rate: Fraction, drop_frame: bool) -> str:
    """An independent integer implementation (Duncan/Heidelberger) to test against."""
    nominal = int(rate + Fraction(1, 2))  # labels per second, halves up (12.5 fps: 13)
    frames %= frames_per_day(rate, drop_frame)
    if drop_frame:
        dropped = nominal // 15
        per_ten, per_minute = nominal * 600 - 9 * dropped, nominal * 60 - dropped
        tens, rest = divmod(frames, per_ten)
        frames += 9 * dropped * tens
        if rest > dropped:
            frames += dropped * ((rest - dropped) // per_minute)
    seconds, frame = divmod(frames, nominal)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    width = max(2, len(str(nominal - 1)))
    return f"{hour:02d}:{minute:02d}:{second:02d}{';' if drop_frame else ':'}{frame:0{width}d}"


# --- known values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "rate", "drop_frame", "label"),
    [
        (17982, R2997, True, "00:10:00;00"),
        (107892, R2997, True, "01:00:00;00"),
        (1799, R2997, True, "00:00:59;29"),
        (1800, R2997, True, "00:01:00;02"),
        (17981, R2997, True, "00:09:59;29"),
        (35964, R5994, True, "00:10:00;00"),
        (215784, R5994, True, "01:00:00;00"),
        (3599, R5994, True, "00:00:59;59"),
        (3600, R5994, True, "00:01:00;04"),
        (18000, R2997, False, "00:10:00:00"),
        (107892, R2997, False, "00:59:56:12"),
        (108000, R2997, False, "01:00:00:00"),
        (216000, R5994, False, "01:00:00:00"),
        (86400, R2398, False, "01:00:00:00"),
        (86399, R2398, False, "00:59:59:23"),
        (86400, Fraction(24), False, "01:00:00:00"),
        (90000, Fraction(25), False, "01:00:00:00"),
        (172800, R4795, False, "01:00:00:00"),
        (47, R4795, False, "00:00:00:47"),
        (180000, Fraction(50), False, "01:00:00:00"),
        (0, Fraction(60), False, "00:00:00:00"),
        (13, Fraction(12), False, "00:00:01:01"),
        (99, Fraction(100), False, "00:00:00:99"),
        (119, Fraction(120), False, "00:00:00:119"),
        (120, Fraction(120000, 1001), False, "00:00:01:000"),
        (13, Fraction(25, 2), False, "00:00:01:00"),  # 12.5 fps: 13 labels a second
    ],
)
def test_known_values(frames, rate, drop_frame, label):
    assert format_timecode(frames, rate, drop_frame) == label
    assert parse_timecode(label, rate) == frames
    assert parse_timecode(label, rate, drop_frame) == frames


def test_other_drop_frame_spellings():
    # Premiere Pro writes HH;MM;SS;FF, Panasonic/Leitch HH:MM:SS.FF; both are drop-frame.
    assert parse_timecode("00;10;00;00", R2997) == 17982
    assert parse_timecode("00:10:00.00", R2997) == 17982
    assert parse_timecode(" 1:00:00;00 ", R2997) == 107892
    assert is_drop_frame_string("00:10:00;00") and is_drop_frame_string("00:10:00.00")
    assert not is_drop_frame_string("00:10:00:00")
    assert not is_drop_frame_string("10s")


def test_frames_per_day():
    assert frames_per_day(R2997, True) == 24 * 107892 == 2589408
    assert frames_per_day(R2997, False) == 24 * 3600 * 30
    assert frames_per_day(R5994, True) == 24 * 215784
    assert frames_per_day(Fraction(25)) == 2160000
    with pytest.raises(TimecodeError):
        frames_per_day(Fraction(25), True)


# --- midnight --------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "drop_frame"), MODES, ids=MODE_IDS)
def test_wraps_at_midnight(rate, drop_frame):
    day = frames_per_day(rate, drop_frame)
    last = format_timecode(day - 1, rate, drop_frame)
    assert last.startswith("23:59:59")
    assert format_timecode(-1, rate, drop_frame) == last
    midnight = format_timecode(0, rate, drop_frame)
    assert midnight in ("00:00:00:00", "00:00:00;00", "00:00:00:000")
    assert format_timecode(day, rate, drop_frame) == midnight
    assert parse_timecode(format_timecode(day + 5, rate, drop_frame), rate) == 5
    assert parse_timecode(format_timecode(-5 - 3 * day, rate, drop_frame), rate) == day - 5
    with pytest.raises(TimecodeError, match="hour 24"):
        parse_timecode("24:00:00" + (";" if drop_frame else ":") + "00", rate)


def test_last_labels_of_the_day():
    assert format_timecode(-1, R2997, True) == "23:59:59;29"
    assert format_timecode(-1, Fraction(24)) == "23:59:59:23"
    assert format_timecode(2 * 2073600 + 24, Fraction(24)) == "00:00:01:00"


def test_ntsc_non_drop_frame_counts_a_full_day_of_labels():
    # OTIO 0.18 wraps here (after 24 h of running time); timecode labels do not.
    assert format_timecode(2589408, R2997) == "23:58:33:18"
    assert format_timecode(2592000 - 1, R2997) == "23:59:59:29"
    assert parse_timecode("23:59:59:29", R2997) == 2591999
    assert format_timecode(4143048, R4795) == "23:58:33:24"


# --- properties ------------------------------------------------------------------------------


def _frames_then_label(rate, drop_frame):
    @PROPERTY
    @given(frames=st.integers(min_value=0, max_value=frames_per_day(rate, drop_frame) - 1))
    def check(frames):
        label = format_timecode(frames, rate, drop_frame)
        assert label == oracle_label(frames, rate, drop_frame)
        assert parse_timecode(label, rate) == frames
        assert parse_timecode(label, rate, drop_frame) == frames

    return check


@pytest.mark.parametrize(("rate", "drop_frame"), MODES, ids=MODE_IDS)
def test_frames_to_timecode_to_frames(rate, drop_frame):
    _frames_then_label(rate, drop_frame)()


@pytest.mark.parametrize(("rate", "drop_frame"), MODES, ids=MODE_IDS)
def test_timecode_to_frames_to_timecode(rate, drop_frame):
    nominal = nominal_fps(rate)
    width = max(2, len(str(nominal - 1)))
    separator = ";" if drop_frame else ":"

    @PROPERTY
    @given(
        hours=st.integers(0, 23),
        minutes=st.integers(0, 59),
        seconds=st.integers(0, 59),
        frame=st.integers(0, nominal - 1),
    )
    def check(hours, minutes, seconds, frame):
        label = f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frame:0{width}d}"
        dropped = drop_frame and seconds == 0 and frame < nominal // 15 and minutes % 10
        if dropped:
            with pytest.raises(TimecodeError, match="does not exist"):
                parse_timecode(label, rate)
            return
        frames = parse_timecode(label, rate)
        assert oracle_label(frames, rate, drop_frame) == label
        assert format_timecode(frames, rate, drop_frame) == label

    check()


@pytest.mark.parametrize(("rate", "drop_frame"), MODES, ids=MODE_IDS)
def test_formatting_is_periodic_over_days(rate, drop_frame):
    day = frames_per_day(rate, drop_frame)

    @PROPERTY
    @given(frames=st.integers(-10 * day, 10 * day))
    def check(frames):
        assert format_timecode(frames, rate, drop_frame) == format_timecode(
            frames % day, rate, drop_frame
        )

    check()


@pytest.mark.parametrize("rate", sorted(SMPTE_RATES), ids=rate_label)
def test_non_drop_frame_agrees_with_otio(rate):
    from opentimelineio import opentime

    # Below OTIO's wrap after about 24 h of running time (at 29.97 after 29.97 * 86400
    # frames, at 47.952 after 47.95 * 86400), every label is OTIO's.
    limit = math.floor(rate * 86400 * Fraction(999, 1000))

    @settings(max_examples=100, deadline=None)
    @given(frames=st.integers(0, limit))
    def check(frames):
        expected = opentime.RationalTime(frames, float(rate)).to_timecode(float(rate), False)
        assert format_timecode(frames, rate) == expected

    check()


def test_drop_frame_labels_that_do_not_exist_in_a_whole_hour():
    for rate, dropped in ((R2997, 2), (R5994, 4)):
        missing = 0
        for minute in range(60):
            for frame in range(dropped):
                label = f"01:{minute:02d}:00;{frame:02d}"
                if minute % 10:
                    with pytest.raises(TimecodeError, match="does not exist"):
                        parse_timecode(label, rate)
                    missing += 1
                else:
                    assert format_timecode(parse_timecode(label, rate), rate, True) == label
        assert missing == 54 * dropped  # 108 labels an hour at 29.97, 216 at 59.94


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "drop_frame", "says"),
    [
        ("00:01:00;00", R2997, None, "does not exist at 29.97 drop-frame"),
        ("00:01:00;01", R2997, None, "does not exist"),
        ("00:11:00;03", R5994, None, "does not exist at 59.94 drop-frame"),
        ("00:00:00:30", R2997, None, "frame 30"),
        ("00:00:00:24", R2398, None, "frame 24"),
        ("00:00:00;30", R2997, None, "frame 30"),
        ("00:00:00:120", Fraction(120), None, "frame 120"),
        ("00:60:00:00", Fraction(24), None, "minute 60"),
        ("00:00:60:00", Fraction(24), None, "second 60"),
        ("24:00:00:00", Fraction(24), None, "hour 24"),
        ("99:00:00:00", Fraction(24), None, "hour 99"),
        ("01:00:00;00", Fraction(25), None, "drop-frame does not exist at 25"),
        ("01:00:00;00", R2398, None, "drop-frame does not exist at 23.976"),
        ("01:00:00.00", Fraction(24), None, "drop-frame"),
        ("01:00:00;00", R2997, False, "expected"),
        ("01:00:00:00", R2997, True, "expected"),
        ("01:00:00", Fraction(24), None, "not a timecode"),
        ("1:00:00:00:00", Fraction(24), None, "not a timecode"),
        ("01-00-00-00", Fraction(24), None, "not a timecode"),
        ("aa:bb:cc:dd", Fraction(24), None, "not a timecode"),
        ("", Fraction(24), None, "not a timecode"),
        ("01;00:00:00", R2997, None, "mixes separators"),
        ("01:00;00:00", R2997, None, "mixes separators"),
    ],
)
def test_invalid_timecode(text, rate, drop_frame, says):
    with pytest.raises(TimecodeError, match=says) as caught:
        parse_timecode(text, rate, drop_frame)
    if text.strip():
        assert repr(text.strip()) in caught.value.message
    assert caught.value.hint


def test_error_for_a_dropped_label_says_what_comes_instead():
    with pytest.raises(TimecodeError) as caught:
        parse_timecode("00:01:00;00", R2997)
    assert "'00:01:00;00'" in caught.value.message
    assert "00 and 01" in caught.value.message
    assert caught.value.hint == "the label after 00:00:59;29 is 00:01:00;02"
    with pytest.raises(TimecodeError) as caught:
        parse_timecode("00:01:00;03", R5994)
    assert "00-03" in caught.value.message
    assert caught.value.hint == "the label after 00:00:59;59 is 00:01:00;04"


def test_drop_frame_only_at_2997_and_5994():
    assert supports_drop_frame(R2997) and supports_drop_frame(R5994)
    for rate in RATES:
        if rate not in (R2997, R5994):
            assert not supports_drop_frame(rate)
            with pytest.raises(TimecodeError, match="drop-frame timecode does not exist"):
                format_timecode(0, rate, True)


def test_floats_are_refused_where_exactness_matters():
    with pytest.raises(TypeError):
        format_timecode(1.0, Fraction(24))
    with pytest.raises(TypeError):
        format_timecode(1, 29.97)
    with pytest.raises(TypeError):
        seconds_to_frames(1.5, Fraction(24))


# --- rates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("23.976", R2398),
        ("23.98", R2398),
        ("23.976fps", R2398),
        ("29.97", R2997),
        ("29.970", R2997),
        ("47.952", R4795),
        ("59.94", R5994),
        ("119.88", Fraction(120000, 1001)),
        ("24000/1001", R2398),
        ("30000:1001", R2997),
        ("60000 / 1001", R5994),
        ("25", Fraction(25)),
        ("25fps", Fraction(25)),
        ("25 FPS", Fraction(25)),
        ("50p", Fraction(50)),
        ("12.5", Fraction(25, 2)),
        ("29.976", Fraction("29.976")),
        (" 120 ", Fraction(120)),
        (24, Fraction(24)),
        (Fraction(30000, 1001), R2997),
        (29.97, R2997),  # a TOML float
        (25.0, Fraction(25)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0/1",
        "30000/0",
        "-25",
        "abc",
        "",
        "29,97",
        "25 fps fps",
        "0.5",
        "30000",
        Fraction(-24),
        0,
        True,
        None,
        float("nan"),
    ],
)
def test_parse_rate_errors(text):
    with pytest.raises(TimecodeError) as caught:
        parse_rate(text)
    assert repr(text) in caught.value.message
    assert caught.value.hint


def test_rate_labels():
    assert [rate_label(rate) for rate in STANDARD_RATES.values()] == list(STANDARD_RATES)
    assert rate_label(Fraction(25, 2)) == "25/2"
    assert rate_label(Fraction(15000, 1001)) == "15000/1001"
    assert rate_label(Fraction(12)) == "12"
    for rate in RATES:
        assert parse_rate(rate_label(rate)) == rate


def test_nominal_fps():
    assert nominal_fps(R2398) == 24
    assert nominal_fps(R2997) == 30
    assert nominal_fps(R4795) == 48
    assert nominal_fps(R5994) == 60
    assert nominal_fps(Fraction(120000, 1001)) == 120
    assert nominal_fps(Fraction(25, 2)) == 13  # halves round up


# --- seconds ---------------------------------------------------------------------------------


def test_seconds():
    assert frames_to_seconds(30000, R2997) == 1001
    assert frames_to_seconds(17982, R2997) == Fraction("599.9994")  # ten minutes of labels
    assert frames_to_seconds(1, R2398) == Fraction(1001, 24000)
    assert seconds_to_frames("10", Fraction(24)) == 240
    assert seconds_to_frames(Fraction(3, 2), R2997) == 45  # 44.955
    assert seconds_to_frames(Decimal("1.5"), R2997) == 45
    assert seconds_to_frames("600", R2997) == 17982
    # Exact halves round away from zero, symmetrically.
    assert seconds_to_frames("0.5", Fraction(1)) == 1
    assert seconds_to_frames("-0.5", Fraction(1)) == -1
    assert seconds_to_frames("0.02", Fraction(25)) == 1  # 0.5 frames
    assert seconds_to_frames("0.06", Fraction(25)) == 2  # 1.5 frames
    with pytest.raises(TimecodeError, match="'ten'"):
        seconds_to_frames("ten", Fraction(24))


def test_format_seconds():
    assert format_seconds(Fraction(600)) == "600"
    assert format_seconds(Fraction(3, 2)) == "1.5"
    assert format_seconds(Fraction(-3, 2)) == "-1.5"
    assert format_seconds(Fraction(1001, 30000)) == "0.033367"
    assert format_seconds(Fraction(1, 3)) == "0.333333"
    assert format_seconds(Fraction(2, 3)) == "0.666667"
    assert format_seconds(Fraction(1, 2_000_000)) == "0.000001"  # a half rounds away from zero
    assert format_seconds(Fraction(-1, 3_000_000)) == "0"
    assert format_seconds(Fraction(1, 8), places=2) == "0.13"
    assert format_seconds(0) == "0"


@PROPERTY
@given(frames=st.integers(-(10**9), 10**9), rate=st.sampled_from(RATES))
def test_seconds_round_trip(frames, rate):
    assert seconds_to_frames(frames_to_seconds(frames, rate), rate) == frames
    # Six decimals are enough to find the frame again at any rate up to 1000 fps.
    text = format_seconds(frames_to_seconds(frames, rate))
    assert seconds_to_frames(text, rate) == frames


# --- durations and positions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "frames"),
    [
        ("240", Fraction(24), 240),
        ("240f", Fraction(24), 240),
        ("12F", Fraction(24), 12),
        ("10s", Fraction(24), 240),
        ("1.5s", R2997, 45),
        (".5s", Fraction(24), 12),
        ("10s", R2997, 300),  # 299.7
        ("00:00:10:00", Fraction(24), 240),
        ("00:01:00;02", R2997, 1800),
        ("00:01:00:00", R2997, 1800),
        ("00:10:00;00", R2997, 17982),
    ],
)
def test_parse_duration(text, rate, frames):
    assert parse_duration(text, rate) == frames


@pytest.mark.parametrize(
    ("text", "says"),
    [("ten", "not a duration"), ("-2s", "has a sign"), ("10m", "not a duration"),
     ("1.5f", "not a duration"), ("", "not a duration"), ("00:01:00;00", "does not exist")],
)  # fmt: skip
def test_parse_duration_errors(text, says):
    with pytest.raises(TimecodeError, match=says) as caught:
        parse_duration(text, R2997)
    assert caught.value.hint


@pytest.mark.parametrize(
    ("text", "rate", "drop_frame", "position"),
    [
        ("14:03:20;02", R2997, True, Position(parse_timecode("14:03:20;02", R2997), False)),
        ("01:00:00:00", Fraction(24), False, Position(86400, False)),
        ("01:00:00:00", Fraction(24), None, Position(86400, False)),
        ("+00:00:10:00", Fraction(24), False, Position(240, True)),
        ("+00:01:00;02", R2997, True, Position(1800, True)),
        ("+00:01:00:00", R2997, True, Position(1800, True)),  # an offset reads its own mode
        ("+10s", Fraction(25), False, Position(250, True)),
        ("+1.5s", Fraction(24), False, Position(36, True)),
        ("+240f", Fraction(24), False, Position(240, True)),
        ("-2s", Fraction(24), False, Position(-48, True)),
        ("- 2s", Fraction(24), False, Position(-48, True)),
        ("240f", Fraction(24), False, Position(240, True)),
        ("10s", Fraction(24), False, Position(240, True)),
        ("240", Fraction(24), False, Position(240, True)),
    ],
)
def test_parse_position(text, rate, drop_frame, position):
    assert parse_position(text, rate, drop_frame) == position


@pytest.mark.parametrize(
    ("text", "rate", "drop_frame", "says"),
    [
        ("+", Fraction(24), False, "not an offset"),
        ("+-2s", Fraction(24), False, "not an offset"),
        ("tomorrow", Fraction(24), False, "not a position"),
        ("01:00:00;00", R2997, False, "expected"),
        ("01:00:00:00", R2997, True, "expected"),
        ("+01:00:00;00", Fraction(24), False, "drop-frame does not exist"),
        ("+00:01:00;00", R2997, True, "does not exist"),
    ],
)
def test_parse_position_errors(text, rate, drop_frame, says):
    with pytest.raises(TimecodeError, match=says) as caught:
        parse_position(text, rate, drop_frame)
    assert caught.value.hint


def test_frames_since_across_midnight():
    rate = Fraction(24)
    start = parse_timecode("23:59:50:00", rate)
    tag = parse_timecode("00:00:05:00", rate)
    assert frames_since(start, tag, rate, False) == 15 * 24
    assert frames_since(start, start, rate, False) == 0
    assert frames_since(start, start - 1, rate, False) == frames_per_day(rate) - 1
    start_df = parse_timecode("23:59:59;00", R2997)
    tag_df = parse_timecode("00:00:01;00", R2997)
    assert frames_since(start_df, tag_df, R2997, True) == 60
    assert Position(tag, False).offset_in_clip(start, rate, False) == 15 * 24
    assert Position(-48, True).offset_in_clip(start, rate, False) == -48


def test_import_is_light():
    code = "import sys, btslog.timecode\nprint('opentimelineio' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "False", result.stderr
