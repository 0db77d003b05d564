"""Face scans: models checked before use, detection + tracking that covers every face the
policy hides, identities matched to the register's photos (real media, real models)."""

from __future__ import annotations

import functools
import json
import math
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, shared_path

from btslog.errors import MediaError
from btslog.faces.model import Box, FaceTrack
from btslog.faces.models import ModelError, model_hashes, model_path
from btslog.faces.scan import ScanSettings, scan_clip
from btslog.media.probe import probe

SAMPLES = REPO / "sample_clips"
CLIPS = {
    "A001C001": "cardA/PRIVATE/M4ROOT/CLIP/A001C001.MP4",
    "A001C002": "cardA/PRIVATE/M4ROOT/CLIP/A001C002.MP4",
    "B001_0001": "cardB/DCIM/100MEDIA/B001_0001.MOV",
    "IMG_0002": "cardB/DCIM/100MEDIA/IMG_0002.MOV",
}
# Less than a render adds around each track (the defaults: 0.5 and 12 frames), and still no face
# of the committed sample may leak (benchmarks/faces_scan.py prints the whole table).
MARGIN = 0.25
PADDING = 8


@functools.cache
def sample_scan(stem: str) -> tuple[list[FaceTrack], dict]:
    truth = json.loads((SAMPLES / "truth" / f"{stem}.json").read_text())
    path = SAMPLES / CLIPS[stem]
    return scan_clip(path, probe(path)), truth


@functools.cache
def references() -> list[tuple[str, tuple[float, ...]]]:
    from btslog.faces.identify import embed_photo

    return [(who, embed_photo(SAMPLES / "people" / f"{who}.jpg")) for who in ("eileen", "grace")]


def truth_frames(truth: dict) -> list[int]:
    """The frame number of each decoded picture (VFR clips: on the conformed timeline)."""
    from fractions import Fraction

    if not truth["vfr"]:
        return list(range(len(truth["faces"])))
    rate, time_base = Fraction(truth["rate"]), Fraction(truth["time_base"])
    first = truth["frame_pts"][0]
    return [round((pts - first) * time_base * rate) for pts in truth["frame_pts"]]


def blur_boxes(tracks, frame: int, margin: float = MARGIN) -> list[Box]:
    """What a render hides at ``frame`` with every one of ``tracks`` blurred."""
    from btslog.faces.blur import BlurSettings, boxes_for_frame
    from btslog.faces.model import BlurDecision

    decisions = [(track, BlurDecision(track.id, True, "test")) for track in tracks]
    return boxes_for_frame(frame, decisions, margin, PADDING, BlurSettings().unsure_margin)


def uncovered_pixels(face_box, boxes, width: int, height: int) -> int:
    """Pixels of the (frame-clipped) face box outside every blur box (rounded outwards)."""
    import numpy as np

    x1, y1 = max(0, face_box[0]), max(0, face_box[1])
    x2, y2 = min(width, face_box[2]), min(height, face_box[3])
    if x2 <= x1 or y2 <= y1:
        return 0
    open_ = np.ones((y2 - y1, x2 - x1), dtype=bool)
    for box in boxes:
        left, top = max(x1, math.floor(box.x1)), max(y1, math.floor(box.y1))
        right, bottom = min(x2, math.ceil(box.x2)), min(y2, math.ceil(box.y2))
        if right > left and bottom > top:
            open_[top - y1 : bottom - y1, left - x1 : right - x1] = False
    return int(open_.sum())


def matched(track):
    from btslog.faces.identify import match

    return match(track.embedding, references())[0] if track.embedding else None


# --- models -------------------------------------------------------------------------------


def test_models_are_the_pinned_files():
    hashes = model_hashes()
    assert set(hashes) == {"yunet", "sface"}
    assert all(len(value) == 64 for value in hashes.values())
    assert model_path("yunet").name == "face_detection_yunet_2023mar.onnx"
    assert model_path("sface").is_file()


def test_a_tampered_model_is_refused(tmp_path):
    from btslog.faces.detect import Detector

    copy = tmp_path / "face_detection_yunet_2023mar.onnx"
    shutil.copyfile(model_path("yunet"), copy)
    assert model_path("yunet", folder=tmp_path) == copy  # an exact copy passes
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="not the file btslog was calibrated with") as caught:
        model_path("yunet", folder=tmp_path)
    assert str(copy) in caught.value.message and "pip install" in caught.value.hint
    with pytest.raises(ModelError, match="refusing to use it"):
        Detector(model_folder=tmp_path)
    with pytest.raises(ModelError, match="sface face model is missing"):
        model_path("sface", folder=tmp_path)


def test_heavy_modules_load_only_when_a_scan_runs():
    code = ("import sys, btslog.faces.scan, btslog.faces.identify, btslog.faces.track, "
            "btslog.faces.models; print(sorted({'cv2', 'numpy', 'av'} & set(sys.modules)))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO)  # fmt: skip
    assert result.stdout.strip() == "[]"


# --- the sample shoot ---------------------------------------------------------------------


@pytest.mark.parametrize("stem", list(CLIPS))
def test_every_hidden_face_is_covered(stem):
    """Each frame of Grace (opted out) is inside the blur of the tracks that are not the
    released person, grown by MARGIN and held PADDING frames, while any of her face is in
    the frame: entering and leaving at the edges, half out of frame, through the whip pan.
    (Frames where someone stands in front of her are measured exactly by the benchmark.)"""
    tracks, truth = sample_scan(stem)
    blurred = [track for track in tracks if matched(track) != "eileen"]
    numbers = truth_frames(truth)
    checked, leaks = 0, []
    for picture, faces in enumerate(truth["faces"]):
        frame = numbers[picture]
        for face in faces:
            if face["identity"] == "eileen" or face["occluded"] > 0:
                continue
            checked += 1
            boxes = blur_boxes(blurred, frame)
            if uncovered_pixels(face["box"], boxes, truth["width"], truth["height"]):
                leaks.append((frame, face["box"], face["visible"]))
    assert checked > 50
    assert leaks == []


@pytest.mark.parametrize("stem", list(CLIPS))
def test_identities_match_the_register_photos(stem):
    from btslog.faces.identify import MATCH_THRESHOLD, scores

    tracks, truth = sample_scan(stem)
    numbers = dict(zip(truth_frames(truth), truth["faces"], strict=True))
    people = set()
    for track in tracks:
        votes: dict[str, int] = {}
        for frame, box in track.detections:
            for face in numbers.get(frame, []):
                if Box(*face["box"]).iou(box) > 0.3:
                    votes[face["identity"]] = votes.get(face["identity"], 0) + 1
        if not votes:
            continue
        who = max(votes, key=votes.get)
        similarities = scores(track.embedding, references())
        other = "grace" if who == "eileen" else "eileen"
        assert matched(track) == who, (who, similarities)
        assert similarities[who] > MATCH_THRESHOLD + 0.2  # a wide margin on the easy case
        assert similarities[other] < MATCH_THRESHOLD - 0.2
        people.add(who)
    assert people == {"eileen", "grace"}


def test_the_released_person_is_one_track_per_clip():
    """Eileen stays on one track through the clip (released: shown whenever she is there)."""
    tracks, _ = sample_scan("A001C001")
    eileen = [track for track in tracks if matched(track) == "eileen"]
    assert len(eileen) == 1 and eileen[0].last_frame - eileen[0].first_frame > 450


def test_a_photo_without_a_face_is_refused(tmp_path):
    import cv2
    import numpy as np

    from btslog.faces.identify import embed_photo

    photo = tmp_path / "wall.png"
    cv2.imwrite(str(photo), np.full((300, 240, 3), 128, np.uint8))
    with pytest.raises(MediaError, match="no face found in this photo"):
        embed_photo(photo)
    with pytest.raises(MediaError, match="cannot read the photo"):
        embed_photo(tmp_path / "missing.jpg")


# --- real footage ---------------------------------------------------------------------------


def test_fast_motion_on_real_footage_is_covered():
    """Jumping_TLD: a face jumping up to 36 px/frame with motion blur, first 150 frames."""
    folder = shared_path("benchmarks", "real_faces", "Jumping_TLD")
    gt = json.loads((folder / "gt.json").read_text())
    path = folder / "frames.mp4"
    limit = 150
    tracks = scan_clip(path, probe(path), settings=ScanSettings(frame_limit=limit))
    annotated = [(index, box) for index, box in enumerate(gt["frames"][:limit]) if box]
    # The truth boxes are tracking boxes around the whole head: a head-sized margin.
    leaked = [
        index for index, box in annotated
        if uncovered_pixels(box, blur_boxes(tracks, index, 0.5), gt["width"], gt["height"])
    ]  # fmt: skip
    assert len(annotated) == limit and len(leaked) <= 1, leaked


# --- the pure parts -------------------------------------------------------------------------


def detection(x: float, y: float, size: float = 40.0, score: float = 0.9):
    from btslog.faces.detect import Detection

    eyes = (x + 0.3 * size, y + 0.4 * size, x + 0.7 * size, y + 0.4 * size)
    landmarks = (*eyes, x + 0.5 * size, y + 0.6 * size, x + 0.35 * size, y + 0.8 * size,
                 x + 0.65 * size, y + 0.8 * size)  # fmt: skip
    return Detection(Box(x, y, x + size, y + size, score), landmarks)


def test_a_track_survives_misses_and_interpolates_them():
    from btslog.faces.track import Tracker

    tracker = Tracker(frame_size=(640, 360))
    for frame in range(0, 10, 2):
        tracker.update(frame, [detection(100 + 3 * frame, 100)])
    for frame in range(10, 40, 2):
        tracker.update(frame, [])  # 30 frames: a head turned away
    tracker.update(40, [detection(220, 100)])
    (track,) = tracker.finish()
    assert (track.first_frame, track.last_frame) == (0, 40)
    middle = track.box_at(25)
    assert 100 < middle.x1 < 220  # interpolated, not held


def test_fast_faces_and_crossing_faces_keep_their_tracks():
    from btslog.faces.track import Tracker

    tracker = Tracker(frame_size=(640, 360))
    for frame in range(20):
        # 36 px per frame, 0.9 face widths; and two faces crossing in the middle
        tracker.update(frame, [detection(10 + 24 * frame, 40),
                               detection(200, 150 + (9 if frame % 2 else -9)),
                               detection(600 - 15 * frame, 260)])  # fmt: skip
    tracks = tracker.finish()
    assert len(tracks) == 3
    assert all(len(track.detections) == 20 for track in tracks)


def _walk(frames: int, places) -> FaceTrack:
    """Track a 48 px textured "face" walking left 8 px per frame over a grey background.

    The detector finds it for the first 10 frames only; ``places(frame, x)`` says where its
    texture is drawn (``x`` is where the walking face is).  Returns the one track."""
    import numpy as np

    from btslog.faces.track import Tracker

    texture = np.random.default_rng(7).integers(0, 255, (48, 48), dtype=np.uint8)
    tracker = Tracker(frame_size=(640, 360))
    for frame in range(frames):
        picture = np.full((360, 640), 128, np.uint8)
        x = 400 - 8 * frame
        for left, top in places(frame, x):
            picture[top : top + 48, left : left + 48] = texture
        seen = [detection(x, 150, 48)] if frame < 10 else []
        tracker.update(frame, seen, image=picture)
    (track,) = tracker.finish()
    return track


def test_a_follower_left_on_the_background_coasts_on_from_where_the_face_last_moved():
    """Frames 10-15 the face is followed; from 16 it walks on behind a wall, but a poster
    that looks like it hangs where it was: the follower sticks to the poster, is stopped,
    and the blur coasts on with the face (from frame 15, not from the loss at frame 9)."""
    track = _walk(40, lambda frame, x: [(x, 150) if frame < 16 else (400 - 8 * 15, 150)])
    assert track.box_at(14).x1 == pytest.approx(400 - 8 * 14, abs=3)  # followed
    for frame in (22, 24):  # coasting past the poster, with the walking face
        assert track.box_at(frame).x1 == pytest.approx(400 - 8 * frame, abs=10), frame
    assert track.last_frame >= 15 + 10  # coasting counts from the last place it moved


def test_a_follower_that_jumps_to_a_look_alike_is_stopped():
    """At frame 14 the face vanishes and its look-alike appears a face and a half higher:
    the follower must not jump there; the blur coasts on with the walking face."""
    track = _walk(30, lambda frame, x: [(x, 150 if frame < 14 else 150 - 72)])
    for frame in (14, 16, 18):
        box = track.box_at(frame)
        assert box.y1 == pytest.approx(150, abs=6), frame
        assert box.x1 == pytest.approx(400 - 8 * frame, abs=10), frame


def test_small_faces_are_aligned_from_their_surroundings_as_from_the_whole_picture():
    """The SFace crop of a small face comes from converting only the part of the stored
    picture around it: the same crop as from the whole picture converted."""
    import av
    import cv2
    import numpy as np

    from btslog.faces.identify import align
    from btslog.faces.scan import _surroundings

    rng = np.random.default_rng(3)
    bgr = cv2.GaussianBlur(rng.integers(0, 255, (360, 640, 3), dtype=np.uint8), (0, 0), 3)
    picture = av.VideoFrame.from_ndarray(bgr, format="bgr24").reformat(format="yuv420p")
    for x, y, size in ((301, 157, 40), (0, 0, 30), (610, 335, 28)):  # inside, at corners
        face = detection(x, y, size)
        image, left, top = _surroundings(picture, face.box)
        assert left % 2 == top % 2 == 0 and image.shape[0] < 360 and image.shape[1] < 640
        near = align(image, face.moved(left, top)).astype(int)
        whole = align(picture.to_ndarray(format="bgr24"), face).astype(int)
        assert np.abs(near - whole).mean() < 2.0, (x, y)


def test_the_tracker_takes_the_frames_a_frame_by_frame_scan_would(monkeypatch):
    """YuNet looks at two frames side by side, but the tracker is fed in order and only the
    frames the schedule asks for: the next one where a face is new, fast or lost, else the
    one a stride later."""
    import itertools

    from btslog.faces import scan as scan_module
    from btslog.faces.track import Tracker

    taken, dense = [], {}
    update, is_dense = Tracker.update, scan_module._dense

    def spy_update(self, frame, *args, **kwargs):
        taken.append(frame)
        return update(self, frame, *args, **kwargs)

    def spy_dense(tracker, number):
        dense[number] = is_dense(tracker, number)
        return dense[number]

    monkeypatch.setattr(Tracker, "update", spy_update)
    monkeypatch.setattr(scan_module, "_dense", spy_dense)
    path = SAMPLES / CLIPS["A001C001"]
    scan_clip(path, probe(path), settings=ScanSettings(frame_limit=150, detect_stride=3))
    assert taken[0] == 0 and taken == sorted(set(taken))
    steps = [later - earlier for earlier, later in itertools.pairwise(taken)]
    assert steps == [1 if dense[frame] else 3 for frame in taken[:-1]]
    assert {1, 3} <= set(steps)  # both kinds happen in these frames
    assert taken[-1] >= 150 - 3


def test_an_interrupted_scan_stops_its_workers(monkeypatch):
    import threading

    import cv2

    def interrupt(done, total):
        if done >= 50:
            raise KeyboardInterrupt

    threads = cv2.getNumThreads()
    path = SAMPLES / CLIPS["A001C001"]
    with pytest.raises(KeyboardInterrupt):
        scan_clip(path, probe(path), progress=interrupt)
    assert cv2.getNumThreads() == threads
    assert not [t for t in threading.enumerate() if t.name.startswith("btslog-scan")]


def test_deblocking_is_skipped_only_where_the_detector_shrinks_the_picture():
    from btslog.faces.scan import decoder_options

    assert decoder_options((640 / 1920, 360 / 1080)) == {"skip_loop_filter": "all"}  # HD
    assert decoder_options((0.5, 0.5)) == {"skip_loop_filter": "all"}
    assert decoder_options((640 / 1280, 360 / 720)) == {"skip_loop_filter": "all"}
    assert decoder_options((640 / 854, 360 / 480)) == {}  # shrunk less: blocks would show
    assert decoder_options((640 / 128, 480 / 96)) == {}  # enlarged (tiny faces)


def test_scan_settings_name_their_results():
    assert ScanSettings().key() == ScanSettings().key()
    assert ScanSettings().key() != ScanSettings(detect_stride=1).key()
    assert ScanSettings().key().startswith("scan")


def test_match_needs_a_confident_unambiguous_best():
    from btslog.faces.identify import MATCH_THRESHOLD, match

    def unit(*values):
        norm = math.sqrt(sum(v * v for v in values))
        return tuple(v / norm for v in values)

    references = [("eileen", unit(1, 0, 0)), ("grace", unit(0, 1, 0)), ("grace", unit(0, 0, 1))]
    assert match(unit(1, 0.1, 0), references)[0] == "eileen"
    assert match(unit(0.1, 0.1, 1), references)[0] == "grace"  # her second photo
    name, similarity = match(unit(1, 1, 0), references)  # equally like both
    assert name is None and similarity > MATCH_THRESHOLD
    assert match(unit(1, 3, 3), references, threshold=0.9) == (None, pytest.approx(0.688, 1e-3))
    assert match(unit(1, 0, 0), []) == (None, 0.0)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_stored_box_turns_an_upright_box_back_onto_the_stored_pixels(rotation):
    import numpy as np

    from btslog.faces.scan import stored_box

    stored = np.zeros((6, 8), dtype=np.uint8)
    stored[1:3, 4:7] = 1  # rows 1-2, columns 4-6: the box (4, 1, 7, 3)
    upright = np.rot90(stored, k=-(rotation // 90))  # turned clockwise, as the scan sees it
    rows, columns = np.nonzero(upright)
    seen = Box(columns.min(), rows.min(), columns.max() + 1, rows.max() + 1)
    back = stored_box(seen, rotation, width=8, height=6)
    assert (back.x1, back.y1, back.x2, back.y2) == (4, 1, 7, 3)


def test_a_phone_clip_stored_sideways_is_scanned_upright_and_boxed_in_stored_pixels(tmp_path):
    from conftest import ffmpeg

    portrait = SAMPLES / "people" / "eileen.jpg"
    sideways = tmp_path / "sideways.mp4"  # the pixels turned a quarter clockwise
    ffmpeg("-loop", "1", "-i", str(portrait), "-t", "0.5", "-r", "10", "-vf",
           "scale=240:-2,transpose=clock", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(sideways))  # fmt: skip
    rotated = tmp_path / "rotated.mp4"  # ... and a display matrix turning them back
    ffmpeg("-display_rotation", "90", "-i", str(sideways), "-c", "copy", str(rotated))
    assert probe(sideways).rotation == 0
    assert probe(rotated).rotation == 270  # clockwise turn that shows it upright
    (plain,) = scan_clip(sideways, probe(sideways), settings=ScanSettings(embed=False))
    (turned,) = scan_clip(rotated, probe(rotated), settings=ScanSettings(embed=False))
    # The same face in the same stored pixels: the upright scan's box, turned back, lies on
    # the sideways scan's box (which YuNet finds here only because the face is large).
    assert turned.detections[0][1].iou(plain.detections[0][1]) > 0.6
    box = turned.detections[0][1]
    assert box.width > box.height  # a sideways face: its height runs along x
