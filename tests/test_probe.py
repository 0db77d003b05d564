"""Media probe on real files: exact rates, timecode, VFR, audio, and every bad file named."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from conftest import run_cli

from btslog.errors import MediaError
from btslog.media.probe import probe


def test_camera_a_clip(media):
    info = probe(media["a2398"])
    assert info.container.startswith("mov")
    assert (info.codec, info.width, info.height) == ("h264", 320, 180)
    assert info.rate == Fraction(24000, 1001)
    assert not info.vfr and not info.drop_frame
    assert info.duration_frames == 48
    assert info.timecode_source == "tmcd"
    assert info.reel == "A001"
    assert info.creation_time.startswith("2026-11-20T14:03:12")
    assert [(a.codec, a.channels, a.sample_rate) for a in info.audio] == [("aac", 2, 48000)]
    from btslog.timecode import format_timecode

    assert format_timecode(info.start_frame, info.rate, info.drop_frame) == "14:03:12:00"


@pytest.mark.parametrize(
    ("key", "rate", "start", "drop_frame", "frames"),
    [
        ("b2997df", Fraction(30000, 1001), "14:03:20;02", True, 60),
        ("c25", Fraction(25), "10:00:00:00", False, 50),
        ("d5994", Fraction(60000, 1001), "23:59:59;50", True, 60),
        ("notc", Fraction(30), "00:00:00:00", False, 60),
    ],
)
def test_rates_and_timecodes(media, key, rate, start, drop_frame, frames):
    from btslog.timecode import format_timecode

    info = probe(media[key])
    assert info.rate == rate
    assert info.drop_frame is drop_frame
    assert info.duration_frames == frames
    assert format_timecode(info.start_frame, info.rate, info.drop_frame) == start
    assert not info.vfr


def test_no_timecode_and_no_audio(media):
    assert probe(media["notc"]).timecode_source == "none"
    assert probe(media["c25"]).audio == ()


def test_variable_frame_rate_is_detected_and_conformed(media):
    info = probe(media["vfr"])
    assert info.vfr
    assert info.rate == Fraction(30000, 1001)
    # 2 s of a 59.94 source keeping 5 of every 10 frames: about 2 s at 29.97.
    assert 58 <= info.duration_frames <= 61


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("junk", "junk.mov: not a readable media file"),
        ("empty", "empty.mov: is empty (0 bytes)"),
        ("truncated", "truncated.mov: not a readable media file"),
        ("truncated_faststart", "truncated_faststart.mp4: is truncated"),
        ("audio_only", "sound.wav: has no video stream"),
        ("still", "still.jpg: is a still image"),
    ],
)
def test_bad_files_are_named(media, key, message):
    with pytest.raises(MediaError) as caught:
        probe(media[key])
    assert message in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="nope.mov: no such file"):
        probe(tmp_path / "nope.mov")


def test_cli_json_is_stable_and_errors_do_not_stop_the_rest(media, tmp_path):
    result = run_cli("probe", "--json", str(media["b2997df"]), str(media["junk"]),
                     str(tmp_path / "missing.mov"))  # fmt: skip
    assert result.returncode == 2
    (row,) = json.loads(result.stdout)
    assert row == {
        "path": str(media["b2997df"]),
        "container": row["container"],
        "codec": "h264",
        "width": 320,
        "height": 180,
        "rate": "30000/1001",
        "rate_label": "29.97",
        "vfr": False,
        "duration_frames": 60,
        "start_tc": "14:03:20;02",
        "drop_frame": True,
        "timecode_source": "tmcd",
        "reel": None,
        "creation_time": "2026-11-20T14:03:12.000000Z",
        "pixel_format": "yuv420p",
        "audio": [
            {"index": 1, "codec": "aac", "channels": 2, "sample_rate": 48000, "layout": "stereo"}
        ],
        "size_bytes": media["b2997df"].stat().st_size,
    }
    assert "junk.mov" in result.stderr and "missing.mov: no such file" in result.stderr
    assert "Traceback" not in result.stderr
    # Same input, same output.
    again = run_cli("probe", "--json", str(media["b2997df"]))
    assert json.loads(again.stdout) == [row]


def test_cli_single_bad_file_exits_1(media):
    result = run_cli("probe", str(media["audio_only"]))
    assert result.returncode == 1
    assert "has no video stream" in result.stderr
