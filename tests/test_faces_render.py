"""Hiding faces: the per-frame functions, which boxes each frame hides, and whole renders.

Renders run on the tiny testsrc2 clips of ``conftest.media`` with synthetic tracks (no face
model): inside a hidden box testsrc2's edges and digits must be gone on every frame of the
track -- interpolated frames between sparse detections and the padding frames included --
while the rest of the picture matches the source.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import ffmpeg

from btslog.errors import FfmpegError, InvalidInput, MediaError
from btslog.faces.blur import (
    BlurSettings,
    blur_regions,
    blur_regions_i420,
    boxes_for_frame,
    check_decisions,
    draw_preview,
    hidden_area,
    hidden_region,
    kept_clear,
    labelled_boxes_for_frame,
    load_settings,
    pixel_region,
    region_grid,
)
from btslog.faces.model import FOLLOWED_SCORE, BlurDecision, Box, FaceTrack
from btslog.faces.render import manifest_path, render_blurred
from btslog.media.probe import probe

np = pytest.importorskip("numpy")
cv2 = pytest.importorskip("cv2")

SETTINGS = BlurSettings()  # the defaults, which presets/blur.toml also holds
# A face that moves: detected only at frames 10 and 30, interpolated between.
MOVING = FaceTrack(10, 30, ((10, Box(40, 50, 110, 120)), (30, Box(190, 40, 260, 110))), id=7)
OPTED_OUT = BlurDecision(7, True, "opted_out", person="Dana")


# --- helpers ---------------------------------------------------------------------------------


def sharpness(picture) -> float:
    """Variance of the Laplacian of a BGR picture's grey levels (edges and detail)."""
    grey = cv2.cvtColor(np.ascontiguousarray(picture), cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def psnr(a, b) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(255**2 / error)


def decode(path: Path) -> list:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="bgr24") for frame in container.decode(video=0)]


def crop(picture, box: Box):
    x1, y1, x2, y2 = (round(value) for value in (box.x1, box.y1, box.x2, box.y2))
    return picture[y1:y2, x1:x2]


def outside_mask(shape, boxes, slack: int = 8):
    """True where no (grown) box reaches, with ``slack`` pixels for the encoder's ringing."""
    mask = np.ones(shape[:2], dtype=bool)
    for box in boxes:
        x1, y1 = max(0, int(box.x1) - slack), max(0, int(box.y1) - slack)
        mask[y1 : int(box.y2) + slack + 1, x1 : int(box.x2) + slack + 1] = False
    return mask


def pattern(height: int = 120, width: int = 160):
    """A BGR picture full of edges: a checkerboard of 4 px squares in colour."""
    rows, columns = np.indices((height, width))
    checker = ((rows // 4 + columns // 4) % 2 * 200 + 30).astype(np.uint8)
    return np.dstack([checker, checker[::-1], 255 - checker])


def only_file_is(folder: Path, *names: str) -> None:
    assert sorted(path.name for path in folder.iterdir()) == sorted(names)


# --- settings ---------------------------------------------------------------------------------


def test_shipped_preset_loads_and_matches_the_defaults():
    assert load_settings() == BlurSettings()
    # A project's [consent] table: blur settings laid over, the policy's own keys left out.
    consent = {"blur": "all_but_released", "style": "pixelate", "padding": 12,
               "styles": {"pixelate": {"cells": 6}}}  # fmt: skip
    custom = load_settings(consent)
    assert (custom.style, custom.cells, custom.padding, custom.margin) == ("pixelate", 6, 12, 0.5)


@pytest.mark.parametrize(
    "overrides",
    [{"style": "mosaic"}, {"shape": "star"}, {"styles": {"pixelate": {"cells": 40}}},
     {"styles": {"gaussian": {"sigma": 0.01}}}, {"margin": -1},
     {"styles": {"solid": {"colour": [1, 2, 3]}}},
     {"padding": "6"}, {"styles": {"solid": {"color": [0, 0]}}},
     {"unsure_margin": 5}, {"unsure_margin": "wide"}],
)  # fmt: skip
def test_weak_or_unknown_settings_are_refused(overrides):
    with pytest.raises(InvalidInput) as caught:
        load_settings(overrides)
    assert "presets/blur.toml" in (caught.value.hint or "")  # where the keys are explained
    if "colour" not in str(overrides):  # a value out of range: fixed where a project sets it
        assert "[consent] table of btslog.toml" in caught.value.hint


# --- which boxes a frame hides ----------------------------------------------------------------


def test_boxes_follow_interpolation_and_padding():
    pairs = [(MOVING, OPTED_OUT)]
    assert boxes_for_frame(20, pairs, 0, 6) == [MOVING.box_at(20)]
    middle = boxes_for_frame(20, pairs, 0, 6)[0]
    assert (middle.x1, middle.y1) == (115, 45)  # halfway between the two detections
    first, last = MOVING.detections[0][1], MOVING.detections[-1][1]
    assert boxes_for_frame(4, pairs, 0, 6) == [first]  # padding before the track
    assert boxes_for_frame(36, pairs, 0, 6) == [last]  # padding after it
    assert boxes_for_frame(3, pairs, 0, 6) == [] == boxes_for_frame(37, pairs, 0, 6)
    grown = boxes_for_frame(10, pairs, 0.25, 6)[0]
    assert (grown.x1, grown.x2) == pytest.approx((40 - 17.5, 110 + 17.5))


def test_hidden_area_squares_profiles_and_widens_unsure_boxes():
    # A profile is a narrow box to the detector: the head around it is at least as wide.
    assert hidden_area(Box(100, 100, 140, 200), 0) == Box(70, 100, 170, 200)
    assert hidden_area(Box(0, 0, 100, 50), 0) == Box(0, 0, 100, 50)  # wide boxes are kept
    detected, followed = Box(100, 100, 200, 200, 0.9), Box(100, 100, 200, 200, FOLLOWED_SCORE)
    assert hidden_area(detected, 0.25, 0.4) == Box(75, 75, 225, 225, 0.9)
    assert hidden_area(followed, 0.25, 0.4) == pytest.approx(Box(35, 35, 265, 265, 0.0))
    weak = Box(100, 100, 200, 200, 0.5)  # a detection the detector was unsure of
    assert hidden_area(weak, 0.25, 0.4) == pytest.approx(Box(35, 35, 265, 265, 0.5))
    # Between a detected and a followed box the interpolation counts as followed.
    track = FaceTrack(0, 10, ((0, detected), (10, followed)), id=7)
    assert boxes_for_frame(0, [(track, OPTED_OUT)], 0.25, 0, 0.4) == [hidden_area(detected, 0.25)]
    assert boxes_for_frame(5, [(track, OPTED_OUT)], 0.25, 0, 0.4) == [
        pytest.approx(Box(35, 35, 265, 265, 0.0))
    ]
    labelled = labelled_boxes_for_frame(10, [(track, OPTED_OUT)], 0.25, 0, 0.4)
    assert [box for box, _label, _blur in labelled] == [pytest.approx(Box(35, 35, 265, 265, 0.0))]


def test_margins_keep_clear_of_released_faces_but_never_cut_the_face():
    face = Box(100, 100, 200, 200, 0.9)  # to blur; hidden area (50, 50, 250, 250)
    beside = Box(230, 80, 330, 220, 0.95)  # a released face just to the right
    assert kept_clear(hidden_area(face, 0.5), face, [beside]) == Box(50, 50, 230, 250, 0.9)
    touching = Box(180, 100, 280, 200, 0.95)  # overlapping the face itself
    assert kept_clear(hidden_area(face, 0.5), face, [touching]) == Box(50, 50, 200, 250, 0.9)
    assert kept_clear(hidden_area(face, 0.5), face, [Box(400, 400, 450, 450)]) == hidden_area(
        face, 0.5
    )

    def hidden(kept_box, released=True):
        pairs = [(FaceTrack(0, 10, ((0, face),), id=1), OPTED_OUT),
                 (FaceTrack(0, 10, ((0, kept_box),), id=2),
                  BlurDecision(2, False, "released", person="Sam", released=released))]  # fmt: skip
        (area,) = boxes_for_frame(0, pairs, 0.5, 0)
        (drawn,) = [box for box, _label, blur in labelled_boxes_for_frame(0, pairs, 0.5, 0)
                    if blur]  # fmt: skip
        assert drawn == area  # a preview shows exactly what a render hides
        return area

    assert hidden(beside) == Box(50, 50, 230, 250, 0.9)
    # A released face the detector is unsure of does not cut anyone's margin, nor does an
    # unknown face that an opted_out policy leaves visible.
    assert hidden(Box(230, 80, 330, 220, 0.4)) == Box(50, 50, 250, 250, 0.9)
    assert hidden(beside, released=False) == Box(50, 50, 250, 250, 0.9)


def test_released_tracks_are_not_hidden_but_previewed():
    kept = BlurDecision(7, False, "released", person="Dana")
    assert boxes_for_frame(20, [(MOVING, kept)], 0.25, 6) == []
    labelled = labelled_boxes_for_frame(20, [(MOVING, kept)], 0.25, 6)
    assert [(label, blur) for _box, label, blur in labelled] == [("Dana: released", False)]
    # Kept tracks get no padding in the preview; blurred ones do.
    assert labelled_boxes_for_frame(8, [(MOVING, kept)], 0.25, 6) == []
    assert len(labelled_boxes_for_frame(8, [(MOVING, OPTED_OUT)], 0.25, 6)) == 1


def test_frame_plan_answers_like_boxes_for_frame():
    """The render's indexed sweep gives exactly what the plain per-frame function gives."""
    import random

    from btslog.faces.render import FramePlan

    chance = random.Random(4)
    pairs = []
    for number in range(30):
        start = chance.randint(0, 300)
        end = start + chance.randint(0, 80)
        frames = sorted(chance.sample(range(start, end + 1), min(end - start + 1, 6)))
        detections = tuple((frame, Box(chance.uniform(0, 90), chance.uniform(0, 90),
                                       chance.uniform(100, 200), chance.uniform(100, 200),
                                       chance.choice((0.9, FOLLOWED_SCORE))))
                           for frame in frames)  # fmt: skip
        blur = chance.random() < 0.7
        decision = BlurDecision(number, blur, "opted_out", released=not blur)
        pairs.append((FaceTrack(start, end, detections, id=number), decision))
    for preview, expected in ((False, boxes_for_frame), (True, labelled_boxes_for_frame)):
        plan = FramePlan(pairs, SETTINGS, preview)
        for frame in [*range(400), 10, 200]:  # in order, then asked again out of order
            want = expected(frame, pairs, SETTINGS.margin, SETTINGS.padding, SETTINGS.unsure_margin)
            assert sorted(map(repr, plan.boxes(frame))) == sorted(map(repr, want)), frame


def test_a_track_to_blur_without_boxes_is_refused():
    empty = FaceTrack(0, 20, (), id=3)
    with pytest.raises(InvalidInput, match="refusing to render"):
        check_decisions([(empty, BlurDecision(3, True, "opted_out", person="Lee"))])
    check_decisions([(empty, BlurDecision(3, False, "released"))])  # nothing to hide: fine
    for broken in (Box(10, 10, float("nan"), 40), Box(50, 10, 20, 40)):
        track = FaceTrack(0, 20, ((0, Box(0, 0, 9, 9)), (20, broken)), id=3)
        with pytest.raises(InvalidInput, match="not a rectangle"):
            check_decisions([(track, BlurDecision(3, True, "opted_out"))])


def test_pixel_regions_round_outwards_clamp_and_align():
    assert pixel_region(Box(10.4, 20.6, 30.2, 40.1), 100, 100) == (10, 20, 31, 41)
    assert pixel_region(Box(-20, -5, 30, 40), 100, 50) == (0, 0, 30, 40)
    assert pixel_region(Box(90, 40, 130, 80), 100, 50) == (90, 40, 100, 50)
    assert pixel_region(Box(200, 200, 260, 260), 100, 100) is None
    assert pixel_region(Box(11, 21, 31, 41), 100, 100, align=2) == (10, 20, 32, 42)
    assert pixel_region(Box(50, 50, 51, 51), 100, 100, min_size=8) == (46, 46, 55, 55)


# --- one frame --------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["gaussian", "pixelate", "solid"])
def test_styles_hide_the_box_and_touch_nothing_else(style):
    frame = pattern()
    box = Box(30, 20, 110, 100)
    result = blur_regions(frame, [box], style, SETTINGS)
    assert result is not frame and np.array_equal(frame, pattern())  # not changed in place
    assert sharpness(crop(result, box)) < 0.1 * sharpness(crop(frame, box))
    changed = np.any(result != frame, axis=2)
    assert not changed[:, :30].any() and not changed[:, 110:].any()
    assert not changed[:20].any() and not changed[100:].any()
    if style == "solid":
        assert np.all(crop(result, box) == (0, 0, 0))
    if style == "pixelate":
        assert len(np.unique(crop(result, box).reshape(-1, 3), axis=0)) <= SETTINGS.cells**2


def test_box_partly_outside_the_frame_is_clamped():
    frame = pattern()
    result = blur_regions(frame, [Box(120, 80, 400, 300), Box(500, 500, 600, 600)])
    assert sharpness(result[80:, 120:]) < 0.1 * sharpness(frame[80:, 120:])
    assert np.array_equal(result[:80], frame[:80]) and np.array_equal(
        result[:, :120], frame[:, :120]
    )


def test_ellipse_leaves_the_corners():
    frame = pattern()
    settings = BlurSettings(shape="ellipse")
    result = blur_regions(frame, [Box(20, 20, 100, 100)], "solid", settings)
    assert np.array_equal(result[20:24, 20:24], frame[20:24, 20:24])
    assert np.all(result[56:64, 56:64] == 0)


def test_i420_blur_changes_only_the_box_in_every_plane():
    frame = cv2.cvtColor(pattern(), cv2.COLOR_BGR2YUV_I420)  # 180 x 160
    box = Box(31, 21, 109, 99)
    result = blur_regions_i420(frame, [box], "gaussian", SETTINGS)
    back, before = (
        cv2.cvtColor(result, cv2.COLOR_YUV2BGR_I420),
        cv2.cvtColor(frame, cv2.COLOR_YUV2BGR_I420),
    )
    assert sharpness(crop(back, box)) < 0.1 * sharpness(crop(before, box))
    luma, chroma = result[:120], result[120:]
    changed = luma != frame[:120]
    assert not changed[:, :30].any() and not changed[:, 110:].any()
    assert not changed[:20].any() and not changed[100:].any()
    # U and V: the samples of columns 30-110 and rows 20-100 only (half size: 15-55, 10-50).
    planes = (
        chroma.reshape(-1)[: 60 * 80].reshape(60, 80),
        chroma.reshape(-1)[60 * 80 :].reshape(60, 80),
    )
    original = (
        frame[120:].reshape(-1)[: 60 * 80].reshape(60, 80),
        frame[120:].reshape(-1)[60 * 80 :].reshape(60, 80),
    )
    for plane, source in zip(planes, original, strict=True):
        differs = plane != source
        assert not differs[:, :15].any() and not differs[:, 55:].any()
        assert not differs[:10].any() and not differs[50:].any()


def test_hidden_regions_snap_to_the_macroblock_grid_in_hd():
    import numpy as np

    assert [region_grid(*size) for size in ((1920, 1080), (1080, 1920), (1280, 720),
                                            (640, 360), (320, 180))] == [16, 16, 16, 8, 2]  # fmt: skip
    box = Box(301.4, 157.2, 389.9, 270.1)
    region = hidden_region(box, 1280, 720, SETTINGS)
    assert region == (288, 144, 400, 272)  # widened outwards to multiples of 16
    # A face moving a few pixels keeps its region: the encoder sees the same blur.
    moved = Box(box.x1 + 2, box.y1 - 2, box.x2 + 2, box.y2 - 2)
    assert hidden_region(moved, 1280, 720, SETTINGS) == region
    assert hidden_region(Box(1270, 700, 1290, 730), 1280, 720, SETTINGS) == (1264, 688, 1280, 720)
    rng = np.random.default_rng(5)
    frame = rng.integers(16, 235, (720 * 3 // 2, 1280), dtype=np.uint8)
    result = blur_regions_i420(frame, [box], "gaussian", SETTINGS)
    rows, columns = np.nonzero(result[:720] != frame[:720])
    assert (columns.min(), rows.min(), columns.max() + 1, rows.max() + 1) == region


def test_preview_outlines_without_hiding():
    frame = pattern(180, 320)
    box = Box(100, 60, 200, 160)
    result = draw_preview(
        frame, [(box, "Dana: opted_out", True), (Box(10, 90, 60, 170), "Sam", False)]
    )
    assert tuple(result[110, 100]) == (30, 30, 230)  # red (BGR) on the blurred track's edge
    assert tuple(result[130, 10]) == (60, 200, 30)  # green on the released one
    inner = (slice(70, 150), slice(110, 190))
    assert np.array_equal(result[inner], frame[inner])  # the face stays visible


# --- whole renders ---------------------------------------------------------------------------


def hidden_boxes(frame_number: int, margin: float = 0.0):
    return boxes_for_frame(frame_number, [(MOVING, OPTED_OUT)], margin, SETTINGS.padding)


@pytest.fixture(scope="module")
def blurred(media, tmp_path_factory):
    """The 29.97 drop-frame clip (with audio) rendered with the moving face hidden."""
    source = media["b2997df"]
    info = probe(source)
    output = tmp_path_factory.mktemp("render") / "blurred.mp4"
    manifest = render_blurred(
        source, info,
        [(MOVING, OPTED_OUT), (FaceTrack(0, 59, ((0, Box(250, 100, 300, 160)),), id=8),
                               BlurDecision(8, False, "released", person="Sam"))],
        output, policy="strict", model_hashes={"yunet": "ab" * 32},
    )  # fmt: skip
    return source, info, output, manifest


def test_render_hides_every_frame_of_the_track_and_keeps_the_rest(blurred):
    source, info, output, _manifest = blurred
    before, after = decode(source), decode(output)
    assert len(after) == len(before) == info.duration_frames
    hidden = range(MOVING.first_frame - SETTINGS.padding, MOVING.last_frame + SETTINGS.padding + 1)
    for number, (original, rendered) in enumerate(zip(before, after, strict=True)):
        boxes = hidden_boxes(number)
        assert bool(boxes) == (number in hidden)
        for box in boxes:  # the face box itself, interpolated or held for the padding
            assert sharpness(crop(rendered, box)) < 0.1 * sharpness(crop(original, box)), number
        mask = outside_mask(original.shape, hidden_boxes(number, SETTINGS.margin))
        assert psnr(rendered[mask], original[mask]) > 35, number


def test_render_keeps_rate_timecode_and_audio(blurred):
    _source, info, output, _manifest = blurred
    result = probe(output)
    assert result.rate == info.rate == Fraction(30000, 1001)
    assert result.duration_frames == info.duration_frames
    assert (result.start_frame, result.drop_frame) == (info.start_frame, True)
    assert len(result.audio) == len(info.audio) == 1
    assert not result.vfr


def test_manifest_records_decisions_and_hashes(blurred):
    source, info, output, manifest = blurred
    on_disk = json.loads(manifest_path(output).read_text())
    assert on_disk == manifest
    assert manifest["output"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert (
        manifest["source"]["size"] == source.stat().st_size
        and len(manifest["source"]["xxh64"]) == 16
    )
    assert manifest["frames"] == info.duration_frames and manifest["rate"] == "30000/1001"
    assert manifest["start_timecode"] == "14:03:20;02"
    assert manifest["policy"] == "strict" and manifest["models"] == {"yunet": "ab" * 32}
    assert manifest["blur"]["style"] == "gaussian" and manifest["blur"]["padding"] == 12
    decisions = {record["track_id"]: record for record in manifest["decisions"]}
    assert decisions[7]["blur"] and decisions[7]["person"] == "Dana"
    assert decisions[7]["reason"] == "opted_out" and decisions[7]["frames"] == [10, 30]
    assert decisions[7]["hidden_frames"] == [
        0,
        42,
    ]  # padding 12 before and after, clamped to the clip
    assert not decisions[8]["blur"] and decisions[8]["reason"] == "released"
    only_file_is(output.parent, output.name, manifest_path(output).name)


def test_solid_render_without_audio(media, tmp_path):
    source = media["c25"]
    info = probe(source)
    output = tmp_path / "solid.mov"
    render_blurred(source, info, [(MOVING, OPTED_OUT)], output, style="solid")
    result = probe(output)
    assert (
        result.audio == () and result.rate == 25 and result.duration_frames == info.duration_frames
    )
    assert result.start_frame == info.start_frame
    frames = decode(output)
    for number in (4, 20, 36):
        region = crop(frames[number], hidden_boxes(number)[0])
        assert region.std() < 3 and region.mean() < 25, number  # one flat dark colour


def test_preview_draws_boxes_but_leaves_faces_visible(media, tmp_path):
    source = media["a2398"]
    info = probe(source)
    output = tmp_path / "preview.mp4"
    manifest = render_blurred(source, info, [(MOVING, OPTED_OUT)], output, preview=True)
    assert manifest["preview"] is True
    before, after = decode(source), decode(output)
    box = hidden_boxes(20, SETTINGS.margin)[0]
    left, top, bottom = int(box.x1), int(box.y1), int(box.y2)
    edge = after[20][top + 5 : bottom - 5, left - 2 : left + 3].mean(axis=0)  # 5 columns
    assert any(red > 150 and green < 100 for _blue, green, red in edge)  # a red outline
    face = hidden_boxes(20)[0]
    assert psnr(crop(after[20], face), crop(before[20], face)) > 30  # the face is still there


def test_vfr_source_renders_at_its_conformed_rate(media, tmp_path):
    source = media["vfr"]
    info = probe(source)
    assert info.vfr
    output = tmp_path / "vfr.mp4"
    render_blurred(source, info, [(MOVING, OPTED_OUT)], output)
    result = probe(output)
    assert not result.vfr and result.rate == info.rate
    assert result.duration_frames == info.duration_frames == len(decode(output))
    # Frame n shows the source frame being shown at n / rate: some repeated, some dropped.
    # (Stamps in 1/600 s round 59.94 frames up to 0.06 frames late: a tenth of slack.)
    import av

    with av.open(str(source)) as container:
        decoded = [(frame.time, frame.to_ndarray(format="bgr24"))
                   for frame in container.decode(video=0)]  # fmt: skip
    origin = decoded[0][0]
    after = decode(output)
    for number, rendered in enumerate(after):
        expected = max(index for index, (seconds, _picture) in enumerate(decoded)
                       if seconds - origin <= (number + 0.1) / float(info.rate))  # fmt: skip
        mask = outside_mask(rendered.shape, hidden_boxes(number, SETTINGS.margin))
        scores = [psnr(rendered[mask], picture[mask]) for _seconds, picture in decoded]
        assert scores.index(max(scores)) == expected, number


def test_segment_renders_a_frame_range_from_its_timecode(media, tmp_path):
    source = media["a2398"]
    info = probe(source)
    output = tmp_path / "segment.mp4"
    manifest = render_blurred(source, info, [(MOVING, OPTED_OUT)], output, segment=(12, 36))
    result = probe(output)
    assert result.duration_frames == 24 and result.rate == info.rate
    assert manifest["start_timecode"] == "14:03:12:12" and len(result.audio) == 1
    assert result.start_frame == info.start_frame + 12
    before, after = decode(source), decode(output)
    for offset in (0, 23):  # each output frame is the source frame it stands for
        mask = outside_mask(before[0].shape, hidden_boxes(12 + offset, SETTINGS.margin))
        scores = [psnr(after[offset][mask], original[mask]) for original in before]
        assert scores.index(max(scores)) == 12 + offset
    assert manifest["decisions"][0]["hidden_frames"] == [0, 23]  # inclusive, output frames


def test_rotation_and_odd_sizes_are_kept(tmp_path):
    import av

    plain = tmp_path / "plain.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=0.4", "-vf", "scale=161:91",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p",
           str(plain))  # fmt: skip
    rotated = tmp_path / "rotated.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(rotated))
    track = FaceTrack(0, 9, ((0, Box(20, 20, 80, 70)),), id=7)
    output = tmp_path / "out.mp4"
    render_blurred(rotated, probe(rotated), [(track, OPTED_OUT)], output)
    with av.open(str(output)) as container:
        frame = next(container.decode(video=0))
        assert (frame.rotation, frame.width, frame.height) == (90, 162, 92)  # padded to even
    assert probe(output).duration_frames == 10


def test_colours_of_a_bt709_source_are_kept(tmp_path):
    """The picture piped to the encoder is described as the source is: no conversion from
    an assumed BT.601 shifts the colours (it moved the mean luma by ~3 levels)."""
    import av

    source = tmp_path / "hd.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=0.4", "-c:v", "libx264",
           "-preset", "ultrafast", "-crf", "0", "-pix_fmt", "yuv420p", "-color_range", "tv",
           "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
           str(source))  # fmt: skip
    output = tmp_path / "out.mp4"
    far = FaceTrack(0, 0, ((0, Box(0, 0, 10, 10)),), id=7)  # blurs frame 0 only
    render_blurred(source, probe(source), [(far, OPTED_OUT)], output)

    def planes(path):
        with av.open(str(path)) as container:
            frames = list(container.decode(video=0))
            tags = (frames[0].colorspace, frames[0].color_primaries, frames[0].color_trc)
            return tags, [frame.to_ndarray(format="yuv420p").astype(int) for frame in frames]

    (before_tags, before), (after_tags, after) = planes(source), planes(output)
    assert after_tags == before_tags and before_tags[0] == 1  # the BT.709 matrix all through
    for number in range(1, len(before)):  # the frames no box touches
        difference = after[number] - before[number]
        assert abs(difference[:180].mean()) < 0.2 and abs(difference[180:].mean()) < 0.2


def test_interrupted_render_leaves_nothing(media, tmp_path):
    source = media["a2398"]
    info = probe(source)
    output = tmp_path / "out" / "cut.mp4"
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_blurred(source, info, [(MOVING, OPTED_OUT)], output, progress=progress)
    assert calls == [1, 2, 3, 4, 5]
    only_file_is(output.parent)


def test_failed_encode_leaves_nothing(media, tmp_path):
    source = media["a2398"]
    output = tmp_path / "cut.mp4"
    with pytest.raises(FfmpegError):
        render_blurred(source, probe(source), [(MOVING, OPTED_OUT)], output,
                       settings=BlurSettings(preset="no-such-preset"))  # fmt: skip
    only_file_is(tmp_path)


def test_unwritable_output_folder_leaves_nothing(media, tmp_path):
    source = media["a2398"]
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(MediaError, match="cannot write"):
        render_blurred(source, probe(source), [(MOVING, OPTED_OUT)], blocker / "cut.mp4")
    only_file_is(tmp_path, "not_a_folder")


def test_refusals_write_nothing(media, tmp_path):
    source = media["a2398"]
    info = probe(source)
    with pytest.raises(InvalidInput, match="no boxes"):
        render_blurred(source, info, [(FaceTrack(0, 5, (), id=7), OPTED_OUT)], tmp_path / "a.mp4")
    with pytest.raises(MediaError, match="over the original"):
        render_blurred(source, info, [], source)
    with pytest.raises(InvalidInput, match="segment"):
        render_blurred(source, info, [], tmp_path / "b.mp4", segment=(10, 10_000))
    with pytest.raises(InvalidInput, match=r"\.mp4"):
        render_blurred(source, info, [], tmp_path / "c.avi")
    only_file_is(tmp_path)
