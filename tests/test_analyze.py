"""Analyzers (speech, claps, shots, sync) on the sample shoot's ground truth and tiny generated
media; suggestion heuristics on hand-made analyses."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import REPO, ffmpeg, make_clip
from hypothesis import given
from hypothesis import strategies as st

from btslog.analyze import suggest
from btslog.analyze.audio import frame_start_sample, sample_to_frame
from btslog.analyze.model import SAMPLE_RATE, Analysis
from btslog.errors import InvalidInput

SAMPLES = REPO / "sample_clips"
SHOOT = json.loads((SAMPLES / "shoot.json").read_text())
CLIPS = {Path(clip["name"]).stem: clip for clip in SHOOT["clips"]}
TOLERANCE = SAMPLE_RATE // 2  # 0.5 s
A, B = Fraction(24000, 1001), Fraction(30000, 1001)


def truth(stem: str) -> dict:
    return json.loads((SAMPLES / "truth" / f"{stem}.json").read_text())


@pytest.fixture(scope="module")
def shoot():
    """Every sample clip probed, with its speech and clap analyses (run once)."""
    from btslog.analyze import claps, speech
    from btslog.media.probe import probe

    result = {}
    for stem, clip in CLIPS.items():
        path = SAMPLES / clip["path"]
        info = probe(path)
        result[stem] = {
            "path": path,
            "info": info,
            "speech": speech.analyze(path, info),
            "claps": claps.analyze(path, info),
        }
    return result


def match_events(found, expected, tolerance):
    """(true positives, false positives, false negatives): a found range matches an unmatched
    expected one when both its ends are within ``tolerance``."""
    unmatched = list(expected)
    hits = 0
    for start, end in found:
        match = next(
            (pair for pair in unmatched
             if abs(pair[0] - start) <= tolerance and abs(pair[1] - end) <= tolerance),
            None,
        )  # fmt: skip
        if match is not None:
            unmatched.remove(match)
            hits += 1
    return hits, len(found) - hits, len(unmatched)


# --- the interface stays light --------------------------------------------------------------


def test_importing_the_analyzers_loads_no_heavy_module():
    code = (
        "import sys\n"
        "import btslog.analyze.model, btslog.analyze.audio, btslog.analyze.speech\n"
        "import btslog.analyze.claps, btslog.analyze.shots, btslog.analyze.sync\n"
        "import btslog.analyze.suggest, btslog.analyze.transcribe\n"
        "heavy = {'numpy', 'av', 'webrtcvad', 'cv2', 'faster_whisper'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == "[]"


# --- frames and samples ---------------------------------------------------------------------


def test_frame_and_sample_conventions_match_the_truth():
    clap = truth("A001C001")["claps"][0]  # on a frame start at 23.976
    assert frame_start_sample(clap["frame"], A) == clap["sample"]
    assert sample_to_frame(clap["sample"], A) == clap["frame"]
    assert sample_to_frame(clap["sample"] - 1, A) == clap["frame"] - 1
    clap = truth("B001_0001")["claps"][0]  # inside a frame at 29.97
    assert sample_to_frame(clap["sample"], B) == clap["frame"]


@given(
    frame=st.integers(0, 10**7),
    rate=st.sampled_from([A, B, Fraction(25), Fraction(60000, 1001), Fraction(24)]),
)
def test_a_frames_first_sample_is_in_that_frame(frame, rate):
    first = frame_start_sample(frame, rate)
    assert sample_to_frame(first, rate) == frame
    assert sample_to_frame(first - 1, rate) == frame - 1


def test_load_audio_is_mono_48k_from_the_first_frame(shoot):
    from btslog.analyze.audio import load_audio

    clip = shoot["A001C001"]
    samples = load_audio(clip["path"], clip["info"])
    assert samples.dtype.name == "float32" and samples.ndim == 1
    assert len(samples) == truth("A001C001")["audio"]["samples"]
    assert not samples.flags.writeable


def test_load_audio_places_late_sound_after_the_first_frame(tmp_path):
    import numpy as np

    from btslog.analyze.audio import load_audio
    from btslog.media.probe import probe

    path = tmp_path / "late.mov"
    # a click 0.25 s into a sound track that starts 0.5 s after the picture
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=2",
        "-itsoffset", "0.5", "-f", "lavfi",
        "-i", "aevalsrc='if(between(t,0.25,0.2505),0.9,0)':s=48000:d=1.5",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "pcm_s16le", str(path),
    )  # fmt: skip
    samples = load_audio(path, probe(path))
    click = int(np.argmax(np.abs(samples)))
    assert abs(click - round(0.75 * SAMPLE_RATE)) <= 48  # 1 ms


def test_a_clip_without_sound_has_no_speech_claps_or_sync(tmp_path):
    from btslog.analyze import claps, speech, sync
    from btslog.analyze.audio import load_audio
    from btslog.media.probe import probe

    path = make_clip(tmp_path / "silent.mp4", audio=False, timecode="10:00:00:00")
    info = probe(path)
    assert len(load_audio(path, info)) == 0
    assert speech.analyze(path, info).data == {"speech": []}
    assert claps.analyze(path, info).data == {"claps": []}
    result = sync.analyze_pair(path, info, path, info).data
    assert result["found"] is False and result["offset_seconds"] == "0"


# --- speech -----------------------------------------------------------------------------------


def test_speech_precision_and_recall_on_the_sample_shoot(shoot):
    hits = false_positives = misses = 0
    for stem, clip in shoot.items():
        expected = [(item["start_sample"], item["end_sample"]) for item in truth(stem)["speech"]]
        found = [tuple(pair) for pair in clip["speech"].data["speech"]]
        counts = match_events(found, expected, TOLERANCE)
        hits, false_positives, misses = (
            hits + counts[0], false_positives + counts[1], misses + counts[2]
        )  # fmt: skip
    assert hits / (hits + false_positives) >= 0.9
    assert hits / (hits + misses) >= 0.9


def test_a_slate_clap_is_not_speech(shoot):
    for stem, clip in shoot.items():
        for clap in truth(stem)["claps"]:
            for start, end in clip["speech"].data["speech"]:
                assert not start - 2400 <= clap["sample"] < end, (stem, clap, (start, end))


def test_speech_ranges_are_sorted_and_disjoint(shoot):
    for clip in shoot.values():
        ranges = clip["speech"].data["speech"]
        assert all(start < end for start, end in ranges)
        assert all(first[1] < second[0] for first, second in itertools.pairwise(ranges))


def test_unknown_or_bad_parameters_are_refused():
    from btslog.analyze import claps, shots, speech, sync

    for module in (speech, claps, shots, sync):
        with pytest.raises(InvalidInput, match="unknown parameter"):
            module.resolve_params({"loudness": 3})
    with pytest.raises(InvalidInput):
        speech.resolve_params({"aggressiveness": 7})


# --- claps ------------------------------------------------------------------------------------


def test_every_clap_is_found_on_its_frame(shoot):
    for stem, clip in shoot.items():
        expected = truth(stem)["claps"]
        found = clip["claps"].data["claps"]
        assert len(found) == len(expected), stem
        for got, want in zip(found, expected):
            assert abs(got["frame"] - want["frame"]) <= 1, (stem, got, want)
            assert abs(got["sample"] - want["sample"]) <= 48, (stem, got, want)  # 1 ms
            assert got["strength"] > 20


def test_speech_onsets_are_not_claps():
    import numpy as np

    from btslog.analyze import claps
    from btslog.samples.audio import microphone, mix_events
    from btslog.samples.spec import AudioProfile, ClapEvent, SpeechEvent

    speech = tuple(
        SpeechEvent(Fraction(start, 2), Fraction(start, 2) + Fraction(length, 10), speaker, seed)
        for start, length, speaker, seed in (
            (1, 15, "eileen", 1), (6, 25, "director", 2), (14, 8, "grace", 3), (20, 30, "crew", 4)
        )
    )  # fmt: skip
    clap_times = (Fraction(5, 2) + Fraction(123, SAMPLE_RATE), Fraction(19, 2))
    dry = mix_events(
        14 * SAMPLE_RATE,
        tuple(ClapEvent(time, seed=i) for i, time in enumerate(clap_times)),
        speech,
    )
    sound = microphone(dry, AudioProfile(-3.0, 0.35, -56.0), 1, 7)[0].astype(np.float32)
    found = claps.detect_claps(sound, claps.DEFAULTS)
    assert [round(time * SAMPLE_RATE) for time in clap_times] == pytest.approx(
        [onset for onset, _strength in found], abs=48
    )


# --- sync -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "other"), [("A001C001", "B001_0001"), ("A001C002", "IMG_0002")]
)
def test_sync_finds_camera_bs_clock_offset_within_a_frame(shoot, reference, other):
    from btslog.analyze import sync

    a, b = shoot[reference], shoot[other]
    data = sync.analyze_pair(a["path"], a["info"], b["path"], b["info"]).data
    true_offset = -Fraction(SHOOT["cameras"][1]["clock_offset"]["exact"])  # -77/30
    assert data["found"] and data["confidence"] > 0.5
    assert abs(Fraction(data["offset_seconds"]) - true_offset) <= 1 / B
    assert data["offset_frames"] == -77
    assert data["offset_seconds_float"] == pytest.approx(float(Fraction(data["offset_seconds"])))
    world = {stem: Fraction(CLIPS[stem]["world_start"]["exact"]) for stem in (reference, other)}
    assert data["lag_samples"] == pytest.approx(
        (world[other] - world[reference]) * SAMPLE_RATE, abs=2
    )


def test_sync_reports_no_offset_for_clips_that_never_overlapped(shoot):
    from btslog.analyze import sync

    a, b = shoot["A001C001"], shoot["IMG_0002"]
    data = sync.analyze_pair(a["path"], a["info"], b["path"], b["info"]).data
    assert data["found"] is False and data["offset_seconds"] == "0"


def test_estimate_offset_sign_convention():
    import numpy as np

    from btslog.analyze.sync import estimate_offset

    rng = np.random.default_rng(5)
    world = rng.normal(0, 0.001, 12 * SAMPLE_RATE)
    for second in (1.0, 2.2, 3.1, 4.7, 6.4, 8.3, 9.9):  # bursts heard by both
        at = int(second * SAMPLE_RATE)
        world[at : at + 2400] += rng.normal(0, 0.3, 2400) * np.exp(-np.arange(2400) / 400)
    reference = world[: 10 * SAMPLE_RATE].copy()
    other = world[12345 : 12345 + 9 * SAMPLE_RATE].copy()  # other's sample m is world's m+12345
    result = estimate_offset(reference, other, nominal_lag_samples=0, search_samples=SAMPLE_RATE)
    assert result["lag_samples"] == 12345
    assert result["confidence"] > 0.5
    outside = estimate_offset(
        reference, other, nominal_lag_samples=-SAMPLE_RATE, search_samples=1000
    )
    assert outside["lag_samples"] != 12345


def test_clock_seconds_reads_the_start_label():
    from btslog.analyze.sync import clock_seconds
    from btslog.media.probe import probe

    a = probe(SAMPLES / CLIPS["A001C001"]["path"])
    b = probe(SAMPLES / CLIPS["B001_0001"]["path"])
    assert clock_seconds(a) == 14 * 3600 + 3 * 60 + 12
    assert clock_seconds(b) == 14 * 3600 + 3 * 60 + 17 + Fraction(17, 30)


# --- shots ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cut_clip(tmp_path_factory) -> Path:
    """testsrc2, SMPTE bars, a flat colour and testsrc: cuts at frames 25, 50 and 75."""
    path = tmp_path_factory.mktemp("shots") / "cuts.mp4"
    sources = ["testsrc2", "smptebars", "color=c=0x336699", "testsrc"]
    args = []
    for source in sources:
        joiner = ":" if "=" in source else "="
        args += ["-f", "lavfi", "-i", f"{source}{joiner}s=160x90:r=25:d=1"]
    inputs = "".join(f"[{index}]" for index in range(len(sources)))
    ffmpeg(
        *args, "-filter_complex", f"{inputs}concat=n={len(sources)}:v=1:a=0",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def test_shot_cuts_are_found_on_a_generated_clip(cut_clip):
    from btslog.analyze import shots
    from btslog.media.probe import probe

    data = shots.analyze(cut_clip, probe(cut_clip)).data
    assert data["cuts"] == [25, 50, 75]
    assert {change["kind"] for change in data["changes"]} == {"cut"}


def test_flashes_pans_and_people_are_not_cuts_but_a_whip_pan_is():
    from btslog.analyze import shots
    from btslog.media.probe import probe

    for stem in ("A001C002", "IMG_0002"):  # slate flash frames, a reframe; the whip pan at 5.8 s
        path = SAMPLES / CLIPS[stem]["path"]
        data = shots.analyze(path, probe(path)).data
        if stem == "IMG_0002":
            assert len(data["cuts"]) == 1
            assert 5.7 <= data["cuts"][0] / float(B) <= 6.1
        else:
            assert data["cuts"] == []


def test_a_flash_frame_is_removed_before_scoring():
    import numpy as np

    from btslog.analyze.shots import remove_flashes

    thumbs = np.zeros((6, 36, 64, 3), np.float32) + 40
    thumbs[3] = 255
    cleaned, replaced = remove_flashes(thumbs, 30)
    assert replaced == [3] and float(np.abs(cleaned - 40).max()) == 0


# --- suggestions (pure) -----------------------------------------------------------------------

ranges = st.lists(
    st.tuples(st.integers(0, 500), st.integers(1, 60)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
)


def covered(pairs) -> set[int]:
    return {frame for start, end in pairs for frame in range(start, end)}


@given(ranges, st.integers(0, 20))
def test_merge_ranges_keeps_every_frame_and_leaves_gaps_of_at_least_gap(pairs, gap):
    merged = suggest.merge_ranges(pairs, gap)
    assert covered(pairs) <= covered(merged)
    assert all(second[0] - first[1] >= max(gap, 1) for first, second in itertools.pairwise(merged))
    if gap == 0:
        assert covered(merged) == covered(pairs)


@given(ranges, ranges)
def test_subtract_ranges_is_set_difference(pairs, holes):
    result = suggest.subtract_ranges(pairs, holes)
    assert covered(result) == covered(pairs) - covered(holes)
    assert result == suggest.merge_ranges(result)


@given(ranges, st.integers(0, 10), st.integers(200, 700))
def test_pad_ranges_stays_inside_the_clip(pairs, pad, duration):
    padded = suggest.pad_ranges(pairs, pad, 0, duration)
    assert all(0 <= start < end <= duration for start, end in padded)
    assert covered(pairs) & set(range(duration)) <= covered(padded)


def seconds(value: float) -> int:
    return round(value * SAMPLE_RATE)


def speech_of(*pairs: tuple[float, float]) -> Analysis:
    return Analysis("speech", "1", {}, {"speech": [[seconds(a), seconds(b)] for a, b in pairs]})


def claps_at(*times: float, rate: Fraction = Fraction(25)) -> Analysis:
    return Analysis(
        "claps",
        "1",
        {},
        {"claps": [
            {"sample": seconds(time), "frame": sample_to_frame(seconds(time), rate), "strength": 45.0}
            for time in times
        ]},
    )  # fmt: skip


def test_conversations_are_speech_outside_takes_joined_and_padded():
    rate = Fraction(25)
    speech = speech_of((1.0, 2.0), (2.8, 4.0), (10.0, 12.0), (13.0, 14.0), (20.0, 20.5))
    result = suggest.speech_suggestions(speech, rate, [(240, 400)], duration_frames=600)
    # 1.0-4.0 joined across 0.8 s, padded 0.25 s; 10-14 is inside the take (9.6-16 s);
    # 20-20.5 padded is 1 s long: kept
    assert [(item.in_frame, item.out_frame) for item in result] == [(19, 106), (494, 519)]
    assert {item.kind for item in result} == {"conversation"}
    assert all(0 < item.confidence <= 1 for item in result)
    assert suggest.speech_suggestions(speech_of((3.0, 3.3)), rate, []) == []  # too short


def test_a_take_starts_before_its_clap_and_ends_at_a_long_silence():
    rate = Fraction(25)
    claps = claps_at(5.0)
    # action 1.5 s after the clap, lines with short pauses, 2.5 s of silence, then talk
    speech = speech_of((6.5, 8.0), (8.6, 10.0), (12.5, 14.0))
    (take,) = suggest.take_suggestions(claps, speech, 500, rate)
    assert take.kind == "take" and take.in_frame == 125 - 38  # 1.5 s lead
    assert take.out_frame == 250 + 13  # 0.5 s after the last word before the silence
    assert take.extra["clap_frame"] == 125 and "long silence" in take.note


def test_a_take_ends_at_the_next_slate_or_the_camera_stop():
    rate = Fraction(25)
    speech = speech_of((6.5, 9.0), (9.5, 12.0), (14.8, 19.5))
    first, second = suggest.take_suggestions(claps_at(5.0, 13.6), speech, 500, rate)
    assert first.out_frame == second.in_frame == 340 - 38
    assert "next slate" in first.note
    assert second.out_frame == 500 and "camera stop" in second.note
    (mos,) = suggest.take_suggestions(claps_at(5.0), None, 300, rate)  # no speech analysis
    assert (mos.in_frame, mos.out_frame) == (87, 300)


def test_silence_between_clap_and_action_does_not_end_the_take():
    rate = Fraction(25)
    speech = speech_of((9.0, 11.0), (11.5, 13.0))  # 4 s of silence after the clap
    (take,) = suggest.take_suggestions(claps_at(5.0), speech, 500, rate)
    assert take.out_frame == 325 + 13  # closed by the silence after the lines


def test_shot_changes_become_one_frame_setup_markers():
    shots = Analysis(
        "shots", "1", {},
        {"cuts": [0, 40, 177], "changes": [
            {"frame": 0, "kind": "cut", "score": 90.0},
            {"frame": 40, "kind": "cut", "score": 130.0},
            {"frame": 177, "kind": "transition", "score": 40.0},
        ]},
    )  # fmt: skip
    result = suggest.shot_suggestions(shots, Fraction(25), 300)
    assert [(item.kind, item.in_frame, item.out_frame) for item in result] == [
        ("setup", 40, 41),
        ("setup", 177, 178),
    ]
    assert result[0].note == "shot change (cut)" and result[0].confidence == 1.0
    assert result[1].note == "shot change (fast move)" and result[1].confidence == 0.5


def test_transcription_says_how_to_install_it_when_missing(monkeypatch):
    from btslog.analyze import transcribe

    monkeypatch.setattr(transcribe, "_missing", lambda: "faster_whisper")
    assert transcribe.available() is False
    with pytest.raises(transcribe.TranscriptionUnavailable) as error:
        transcribe.analyze(Path("x.mov"), None)
    assert "pip install 'btslog[transcribe]'" in (error.value.hint or "") + str(error.value)


@pytest.mark.slow
def test_transcription_segments_lie_inside_the_clip(shoot):
    from btslog.analyze import transcribe

    if not transcribe.available():
        pytest.skip("the transcribe extra is not installed (pip install 'btslog[transcribe]')")
    clip = shoot["B001_0001"]
    data = transcribe.analyze(clip["path"], clip["info"]).data
    total = truth("B001_0001")["audio"]["samples"]
    # the sample shoot's voices are synthetic: Whisper's words are meaningless, its timing not
    for segment in data["segments"]:
        assert 0 <= segment["start_sample"] < segment["end_sample"] <= total + SAMPLE_RATE
        assert isinstance(segment["text"], str) and segment["text"]


def test_second_sticks_are_one_slate():
    rate = Fraction(25)
    speech = speech_of((8.0, 10.0))
    (take,) = suggest.take_suggestions(claps_at(5.0, 6.2), speech, 500, rate)
    assert take.in_frame == 125 - 38 and take.extra["clap_frame"] == 155
    assert "second sticks" in take.note


def test_a_whisper_model_file_that_is_not_the_pinned_one_is_refused(monkeypatch):
    from btslog.analyze import transcribe

    if not transcribe.available():
        pytest.skip("the transcribe extra is not installed (pip install 'btslog[transcribe]')")
    monkeypatch.setitem(transcribe.MODEL_FILES, "config.json", "0" * 64)
    with pytest.raises(transcribe.TranscriptionUnavailable, match="not the Whisper model file"):
        transcribe.model_path()
