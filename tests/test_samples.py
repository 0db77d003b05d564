"""The synthetic sample shoot: the committed clips, their ground truth, and the generator."""

from __future__ import annotations

import functools
import hashlib
import json
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from conftest import REPO, run_cli

from btslog.samples import (
    ClapEvent,
    ClipSpec,
    ClipTruth,
    FaceKey,
    FaceTrack,
    SpeechEvent,
    TakeEvent,
    render_clip,
)
from btslog.samples import _timecode as tc

SAMPLES = REPO / "sample_clips"
CLIPS = {
    "A001C001": "cardA/PRIVATE/M4ROOT/CLIP/A001C001.MP4",
    "A001C002": "cardA/PRIVATE/M4ROOT/CLIP/A001C002.MP4",
    "B001_0001": "cardB/DCIM/100MEDIA/B001_0001.MOV",
    "IMG_0002": "cardB/DCIM/100MEDIA/IMG_0002.MOV",
}
SAMPLE_RATE = 48_000


@functools.cache
def shoot() -> dict:
    return json.loads((SAMPLES / "shoot.json").read_text())


@functools.cache
def truth(stem: str) -> ClipTruth:
    return ClipTruth.load(SAMPLES / "truth" / f"{stem}.json")


@functools.cache
def decoded(path: Path) -> tuple[list[int], np.ndarray, np.ndarray]:
    """(video pts, per-frame mean luma, audio (channels, samples)) of a clip."""
    import av

    with av.open(str(path)) as container:
        pts, means = [], []
        for frame in container.decode(video=0):
            pts.append(frame.pts)
            means.append(float(frame.to_ndarray(format="gray").mean()))
    with av.open(str(path)) as container:
        audio = np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1)
    return pts, np.array(means), audio


def onset(signal: np.ndarray, around: int, reach: int = 6000) -> int:
    """First sample near ``around`` that reaches half the local peak (a clap's attack)."""
    begin = max(0, around - reach)
    window = np.abs(signal[begin : around + reach])
    return begin + int(np.argmax(window >= 0.5 * window.max()))


def frame_hashes(path: Path) -> list[str]:
    import av

    with av.open(str(path)) as container:
        return [
            hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()
            for frame in container.decode(video=0)
        ]


def yunet():
    import cv2

    from btslog.samples.faces import yunet_model_path

    return cv2.FaceDetectorYN.create(str(yunet_model_path()), "", (320, 320), 0.6)


def iou(a, b) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, x2 - x1) * max(0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


# --- the committed shoot -------------------------------------------------------------------


def test_committed_shoot_has_two_camera_cards_and_stays_small():
    expected = [
        *CLIPS.values(),
        "cardA/PRIVATE/M4ROOT/CLIP/A001C001M01.XML",
        "cardA/PRIVATE/M4ROOT/CLIP/A001C002M01.XML",
        "cardA/PRIVATE/M4ROOT/MEDIAPRO.XML",
        "cardB/.DS_Store",
        "cardB/DCIM/100MEDIA/._B001_0001.MOV",
        "people/eileen.jpg",
        "people/grace.jpg",
        "shoot.json",
        "README.md",
        *[f"truth/{stem}.json" for stem in CLIPS],
    ]
    for relative in expected:
        assert (SAMPLES / relative).is_file(), relative
    total = sum(path.stat().st_size for path in SAMPLES.rglob("*") if path.is_file())
    assert total < 15 * 1024 * 1024
    assert shoot()["size"] == "small" and shoot()["unknown_faces"] == []
    # Only the two public-domain portraits are ever committed.
    for stem in CLIPS:
        identities = {face["identity"] for frame in truth(stem).faces for face in frame}
        assert identities <= {"eileen", "grace"}, stem


def test_people_and_consent_in_shoot_json():
    people = {person["id"]: person for person in shoot()["people"]}
    assert people["eileen"]["name"] == "Eileen Collins"
    assert people["eileen"]["consent"] == "released"
    assert people["grace"]["name"] == "Grace Hopper"
    assert people["grace"]["consent"] == "opted_out"
    import cv2

    detector = yunet()
    for person in people.values():
        image = cv2.imread(str(SAMPLES / person["photo"]))
        detector.setInputSize((image.shape[1], image.shape[0]))
        _, faces = detector.detect(image)
        assert faces is not None and len(faces) == 1, person["photo"]


@pytest.mark.parametrize("stem", list(CLIPS))
def test_probe_facts(stem):
    import av

    entry = next(clip for clip in shoot()["clips"] if clip["truth"] == f"truth/{stem}.json")
    clip_truth = truth(stem)
    with av.open(str(SAMPLES / CLIPS[stem])) as container:
        video = container.streams.video[0]
        data = [stream for stream in container.streams if stream.type == "data"]
        assert data and data[0].metadata["timecode"] == entry["start_tc"] == clip_truth.start_tc
        assert container.metadata["creation_time"].startswith("2026-11-20T14:03:")
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.sample_rate == SAMPLE_RATE and audio.codec_context.channels == 2
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        if stem.startswith("A"):
            assert video.average_rate == Fraction(24000, 1001)
            assert ":" in entry["start_tc"][8:] and not clip_truth.drop_frame
        else:
            assert ";" in entry["start_tc"] and clip_truth.drop_frame
            if not clip_truth.vfr:
                assert video.average_rate == Fraction(30000, 1001)
    assert (
        entry["start_tc"]
        == {
            "A001C001": "14:03:12:00",
            "A001C002": "14:03:34:00",
            "B001_0001": "14:03:17;17",
            "IMG_0002": "14:03:44;17",
        }[stem]
    )


def test_phone_clip_has_variable_frame_rate():
    import av

    path = SAMPLES / CLIPS["IMG_0002"]
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert video.time_base == Fraction(1, 600)
        assert container.metadata["com.apple.quicktime.make"] == "Apple"
    pts, _, _ = decoded(path)
    deltas = set(np.diff(pts).tolist())
    assert len(deltas) > 5  # jitter
    assert max(deltas) >= 36  # dropped frames
    clip_truth = truth("IMG_0002")
    assert clip_truth.vfr and list(clip_truth.frame_pts) == pts
    assert clip_truth.decoded_frames < clip_truth.frames


def test_sony_sidecar_carries_start_timecode_and_duration():
    root = ElementTree.parse(SAMPLES / "cardA/PRIVATE/M4ROOT/CLIP/A001C001M01.XML").getroot()
    namespace = {"m": "urn:schemas-professionalDisc:nonRealTimeMeta:ver.2.00"}
    assert root.find("m:Duration", namespace).get("value") == "480"
    first = root.find("m:LtcChangeTable/m:LtcChange", namespace)
    assert first.get("frameCount") == "0" and first.get("value") == "00120314"  # FFSSMMHH


@pytest.mark.parametrize("stem", list(CLIPS))
def test_truth_matches_the_clip(stem):
    clip_truth = truth(stem)
    pts, means, audio = decoded(SAMPLES / CLIPS[stem])
    assert len(pts) == clip_truth.decoded_frames == len(clip_truth.faces)
    assert audio.shape[1] >= clip_truth.audio_samples  # AAC pads the last packet
    assert clip_truth.claps, "every clip records at least one clap"
    samples_per_frame = SAMPLE_RATE / clip_truth.rate
    for clap in clip_truth.claps:
        flash = clap.get("decoded_frame", clap["frame"])
        window = range(max(0, flash - 12), min(len(means), flash + 13))
        assert max(window, key=lambda index: means[index]) == flash
        assert means[flash] > 250
        heard = onset(audio[0], clap["sample"])
        assert abs(heard - clap["sample"]) < 48  # within 1 ms of the truth
        frame_start = clap["frame"] * samples_per_frame
        assert frame_start <= clap["sample"] < frame_start + samples_per_frame
        if stem.startswith("A"):
            assert clap["sample"] == frame_start  # camera A: the clap is on a frame start
    for passage in clip_truth.speech:
        level = np.sqrt(np.mean(audio[0, passage["start_sample"] : passage["end_sample"]] ** 2))
        assert level > 10 ** (-30 / 20), passage


def test_cameras_hear_the_same_world_at_the_true_offset():
    """Clap 1 is heard by A001C001 and B001_0001: their audio agrees with the world starts."""
    a_truth, b_truth = truth("A001C001"), truth("B001_0001")
    _, _, a_audio = decoded(SAMPLES / CLIPS["A001C001"])
    _, _, b_audio = decoded(SAMPLES / CLIPS["B001_0001"])
    a_clap = onset(a_audio[0], a_truth.claps[0]["sample"])
    b_clap = onset(b_audio[0], b_truth.claps[0]["sample"])
    true_offset = (b_truth.world_start - a_truth.world_start) * SAMPLE_RATE
    assert abs((a_clap - b_clap) - true_offset) < 48
    # Camera B's timecode runs 2 s 17 frames ahead of true time of day.
    offset = Fraction(shoot()["cameras"][1]["clock_offset"]["exact"])
    assert offset == Fraction(77, 30)
    assert tc.label_seconds(b_truth.start_tc, b_truth.rate) - b_truth.world_start == offset
    assert tc.label_seconds(a_truth.start_tc, a_truth.rate) == a_truth.world_start


@pytest.mark.parametrize("stem", ["A001C001", "IMG_0002"])
def test_yunet_finds_the_faces_inside_the_truth_boxes(stem):
    import av
    import cv2

    clip_truth = truth(stem)
    wanted = set(np.linspace(0, clip_truth.decoded_frames - 1, 20).astype(int).tolist())
    detector = yunet()
    checked = found = 0
    with av.open(str(SAMPLES / CLIPS[stem])) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index not in wanted:
                continue
            image = cv2.cvtColor(frame.to_ndarray(format="rgb24"), cv2.COLOR_RGB2BGR)
            detector.setInputSize((image.shape[1], image.shape[0]))
            _, faces = detector.detect(image)
            boxes = [
                (f[0], f[1], f[0] + f[2], f[1] + f[3]) for f in (faces if faces is not None else [])
            ]
            for face in clip_truth.faces[index]:
                if face["visible"] < 1:
                    continue
                checked += 1
                found += any(iou(face["box"], box) > 0.6 for box in boxes)
    assert checked >= 15 and found >= 0.9 * checked, (found, checked)


def test_sface_tells_the_two_people_apart():
    import av
    import cv2

    from btslog.samples.faces import face_model_dir

    recognizer = cv2.FaceRecognizerSF.create(
        str(face_model_dir() / "models" / "face_recognition_sface_2021dec.onnx"), ""
    )
    detector = yunet()

    def features(image):
        detector.setInputSize((image.shape[1], image.shape[0]))
        _, faces = detector.detect(image)
        return [(face, recognizer.feature(recognizer.alignCrop(image, face))) for face in faces]

    references = {
        who: features(cv2.imread(str(SAMPLES / f"people/{who}.jpg")))[0][1]
        for who in ("eileen", "grace")
    }
    clip_truth = truth("A001C001")
    matched = 0
    with av.open(str(SAMPLES / CLIPS["A001C001"])) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index not in (30, 380, 470):
                continue
            image = cv2.cvtColor(frame.to_ndarray(format="rgb24"), cv2.COLOR_RGB2BGR)
            for face, feature in features(image):
                box = (face[0], face[1], face[0] + face[2], face[1] + face[3])
                truth_face = max(clip_truth.faces[index], key=lambda item: iou(item["box"], box))
                scores = {
                    who: recognizer.match(feature, reference, cv2.FaceRecognizerSF_FR_COSINE)
                    for who, reference in references.items()
                }
                assert max(scores, key=scores.get) == truth_face["identity"]
                assert scores[truth_face["identity"]] > 0.363
                matched += 1
    assert matched >= 4


# --- the generator ------------------------------------------------------------------------

RATE = Fraction(24000, 1001)


def tiny_spec(**changes) -> ClipSpec:
    fields: dict = {
        "frames": 48,
        "width": 320,
        "height": 180,
        "rate": RATE,
        "start_tc": "14:03:12:00",
        "faces": (
            FaceTrack("eileen", (FaceKey(0, 0.3, 0.45, 0.22), FaceKey(2, 0.4, 0.5, 0.25))),
            # Grace walks out to the right: partly, then wholly, out of frame.
            FaceTrack("grace", (FaceKey(0, 0.8, 0.4, 0.18), FaceKey(2, 1.2, 0.45, 0.18))),
        ),
        "claps": (ClapEvent.at_frame(20, RATE, scene="12", take=3),),
        "speech": (SpeechEvent(Fraction(1), Fraction(19, 10), "eileen", "dialogue", seed=1),),
        "takes": (TakeEvent("12", 3, Fraction(1, 2), Fraction(20) / RATE, Fraction(19, 10)),),
    }
    fields.update(changes)
    return ClipSpec(**fields)


def test_render_clip_is_deterministic_and_exact(tmp_path):
    import time

    spec = tiny_spec()
    started = time.perf_counter()
    first = render_clip(spec, tmp_path / "one" / "clip.mp4")
    elapsed = time.perf_counter() - started
    second = render_clip(spec, tmp_path / "two" / "clip.mp4")
    assert first.to_json() == second.to_json()
    assert frame_hashes(tmp_path / "one/clip.mp4") == frame_hashes(tmp_path / "two/clip.mp4")
    assert elapsed < 10  # generous: about half a second on a laptop
    pts, means, audio = decoded(tmp_path / "one/clip.mp4")
    assert len(pts) == 48 and int(np.argmax(means)) == 20 and first.clap_frames == [20]
    assert first.claps[0]["sample"] == 20 * 2002
    assert 20 * 2002 <= onset(audio[0], 20 * 2002) < 21 * 2002
    assert first.faces[20] == ()  # the flash frame shows nothing
    assert first.speech[0]["start_sample"] == 48_000 and first.speech[0]["in_frame"] == 23
    assert first.takes[0]["clap_frame"] == 20 and first.takes[0]["complete"]
    identities = [[face["identity"] for face in frame] for frame in first.faces]
    assert identities[0] == ["eileen", "grace"] and identities[-1] == ["eileen"]
    partial = [face for frame in first.faces for face in frame if face["visible"] < 1]
    assert partial and all(face["box"][2] == 320 for face in partial)


def test_render_clip_variable_frame_rate(tmp_path):
    rate = Fraction(30000, 1001)
    spec = tiny_spec(
        frames=120,
        rate=rate,
        drop_frame=True,
        vfr=True,
        start_tc="14:03:44;17",
        claps=(ClapEvent(Fraction(2, 1)),),
        takes=(),
    )
    clip_truth = render_clip(spec, tmp_path / "phone.mov")
    pts, means, _ = decoded(tmp_path / "phone.mov")
    assert list(clip_truth.frame_pts) == pts and len(set(np.diff(pts).tolist())) > 3
    flash = clip_truth.claps[0]["decoded_frame"]
    assert int(np.argmax(means)) == flash
    assert pts[flash] * Fraction(1, 600) <= 2 < pts[flash + 1] * Fraction(1, 600)
    assert clip_truth.claps[0]["frame"] == 59  # the nominal 29.97 frame holding the clap


def test_bad_specs_are_refused(tmp_path):
    from btslog.errors import InvalidInput

    with pytest.raises(InvalidInput, match="frame size"):
        render_clip(tiny_spec(width=321), tmp_path / "x.mp4")
    with pytest.raises(InvalidInput, match=r"\.mp4 or \.mov"):
        render_clip(tiny_spec(), tmp_path / "x.avi")
    assert not list(tmp_path.iterdir())


def test_missing_portrait_package_gives_the_install_hint(monkeypatch):
    import importlib.util

    from btslog.errors import BtslogError
    from btslog.samples import faces

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "skimage" else real(name, *a)
    )
    faces.portrait_image.cache_clear()
    try:
        with pytest.raises(BtslogError) as raised:
            faces.portrait_image("astronaut")
        assert "btslog[samples]" in raised.value.hint
    finally:
        faces.portrait_image.cache_clear()


def test_make_refuses_a_folder_that_is_not_a_sample_shoot(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("samples", "make", str(tmp_path))
    assert result.returncode == 1
    assert "not empty" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_start_labels_read_as_time_of_day():
    assert tc.label_seconds("14:03:12:00", Fraction(24000, 1001)) == 14 * 3600 + 3 * 60 + 12
    assert tc.label_seconds("14:03:17;17", Fraction(30000, 1001)) == Fraction(1517927, 30)
    with pytest.raises(ValueError):
        tc.label_seconds("14:03", Fraction(24))


@pytest.mark.slow
def test_regenerating_the_small_shoot_reproduces_the_committed_truth(tmp_path):
    from btslog.samples import make_shoot

    make_shoot(tmp_path / "shoot", "small")
    made = tmp_path / "shoot"
    assert (made / "shoot.json").read_text() == (SAMPLES / "shoot.json").read_text()
    for stem in CLIPS:
        assert (made / "truth" / f"{stem}.json").read_text() == (
            SAMPLES / "truth" / f"{stem}.json"
        ).read_text(), stem
    # Regenerating in place is allowed, also with a README added next to the shoot.
    from btslog.samples.shoot import check_target

    (made / "README.md").write_text("notes")
    check_target(made)
