"""Rendering a cut: presets, frame accuracy, sync, loudness, consent, errors.

Renders run real ffmpeg on tiny clips (320x180, 2-3 s) whose frames are all different (a
frame counter drawn large over testsrc2), with project presets overriding the shipped ones
to tiny sizes; the shipped presets themselves are checked as pure commands.  A frame of the
output "is" source frame ``k`` when it is closer to ``k`` than to ``k - 1`` and ``k + 1``.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import ffmpeg, make_clip, run_cli

from btslog.cut.model import Cut, CutOptions, Segment
from btslog.cut.render import (
    Gain,
    Loudness,
    SegmentSource,
    Timeline,
    Title,
    measure_argv,
    output_frames,
    plan_gain,
    plan_timeline,
    render_argv,
    resolve_preset,
    samples_at,
)
from btslog.errors import InvalidInput, MediaError, NotFound
from btslog.faces.render import manifest_path
from btslog.media.proxy import font_path

np = pytest.importorskip("numpy")
cv2 = pytest.importorskip("cv2")
av = pytest.importorskip("av")

RATE = Fraction(24000, 1001)
# Tiny versions of the shipped presets (a project's [render.presets.NAME] overrides).
OVERRIDES = """
[render.presets.tiny]
width = 320
height = 180
rate = "24000/1001"
x264_preset = "ultrafast"
crf = 12
title_seconds = "1s"
label_seconds = "1s"

[render.presets.loud]
description = "loud enough that the limiter works"
width = 320
height = 180
rate = "24000/1001"
x264_preset = "ultrafast"
loudness = -14.0
title_seconds = "0s"

[render.presets.social-vertical]
width = 180
height = 320
x264_preset = "ultrafast"
title_seconds = "0s"

[render.presets.master-prores]
width = 320
height = 180
title_seconds = "0s"

[render.presets.review-540p]
title_seconds = "0s"
x264_preset = "ultrafast"
"""


# --- media -----------------------------------------------------------------------------------


def counter_clip(path: Path, *, rate: str, size: str = "320x180", seconds: float = 2,
                 audio: bool = True, timecode: str | None = None) -> Path:  # fmt: skip
    """testsrc2 with its frame number drawn large at the top left: every frame different."""
    font = font_path().as_posix()
    video = (f"testsrc2=s={size}:r={rate}:d={seconds},drawtext=fontfile={font}:text=%{{n}}:"
             "fontsize=64:fontcolor=white:box=1:boxcolor=black:x=8:y=8")  # fmt: skip
    args = ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={seconds}",
                 "-c:a", "aac", "-ac", "2"]  # fmt: skip
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "8", "-g", "12",
             "-pix_fmt", "yuv420p"]  # fmt: skip
    if timecode:
        args += ["-timecode", timecode]
    ffmpeg(*args, str(path))
    return path


def flash_clip(path: Path, *, rate: str, period: int, phase: int, seconds: int = 3) -> Path:
    """Black with one white frame every ``period`` frames (at ``phase``), and a 1 kHz beep
    exactly as long as each white frame, on silence -- and a click (one loud sample) a
    quarter of a second after each beep, which the limiter has to catch."""
    video = (f"color=c=black:s=320x180:r={rate}:d={seconds},drawbox=x=0:y=0:w=iw:h=ih:"
             f"color=white:t=fill:enable='eq(mod(n,{period}),{phase})'")  # fmt: skip
    beep = (f"aevalsrc=exprs='0.5*sin(2*PI*1000*t)*eq(mod(floor(t*{rate}),{period}),{phase})"
            f"+0.95*eq(mod(n,48000),36000)':s=48000:d={seconds}")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", video, "-f", "lavfi", "-i", beep, "-c:v", "libx264",
           "-preset", "ultrafast", "-g", "12", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-ac", "2", str(path))  # fmt: skip
    return path


def clap_clip(path: Path) -> Path:
    """Grey, a quiet hum and a burst of loud noise (a slate clap) every half second."""
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=320x180:r=24000/1001:d=3", "-f", "lavfi", "-i",
           "aevalsrc=exprs='0.05*sin(2*PI*300*t)+0.9*lt(mod(t,0.5),0.002)*(2*random(0)-1)'"
           ":s=48000:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le",
           str(path))  # fmt: skip
    return path


def rotated_clip(path: Path, upright: Path) -> Path:
    """A phone clip stored sideways: the picture is landscape, a display matrix turns it."""
    counter_clip(upright, rate="30", seconds=1)
    ffmpeg("-display_rotation", "90", "-i", str(upright), "-c", "copy", str(path))
    return path


def vfr_clip(path: Path) -> Path:
    """A phone-style VFR clip (frames dropped unevenly from 59.94), counter drawn."""
    font = font_path().as_posix()
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=320x180:r=60000/1001:d=2,drawtext=fontfile={font}:"
           "text=%{n}:fontsize=64:fontcolor=white:box=1:boxcolor=black:x=8:y=8",
           "-vf", r"select='not(mod(n\,2))*not(eq(mod(n\,10)\,4))+eq(mod(n\,10)\,5)',"
           "format=yuv420p", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast",
           "-crf", "8", "-video_track_timescale", "600", str(path))  # fmt: skip
    return path


def gray_frames(path: Path) -> list:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray") for frame in container.decode(video=0)]


def conformed_gray(path: Path) -> list:
    """The clip's frames as btslog numbers them (VFR conformed as the blurred render does)."""
    from btslog.faces.render import conformed_frames
    from btslog.media.probe import probe

    info = probe(path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [frame.to_ndarray(format="gray") for _n, frame in
                conformed_frames(container, stream, info, 0, info.duration_frames, what="t")]  # fmt: skip


def mad(a, b) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def closest(picture, frames: list, guess: int, *, region=None, size=None) -> int:
    """Which of ``frames`` ``guess - 2 .. guess + 2`` ``picture`` shows (after ``region`` of
    the picture is cut out and the frames are resized to ``size``)."""
    if region is not None:
        top, bottom, left, right = region
        picture = picture[top:bottom, left:right]
    scores = {}
    for number in range(max(0, guess - 2), min(len(frames), guess + 3)):
        frame = frames[number]
        if size is not None:
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_CUBIC)
        elif region is not None:
            frame = frame[top:bottom, left:right]
        scores[number] = mad(picture[:100], frame[:100])  # above the lower third
    best = min(scores, key=scores.get)
    others = [value for number, value in scores.items() if number != best]
    assert scores[best] < 0.6 * min(others), scores  # clearly that frame, not a neighbour
    return best


# --- the project -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """A project with scanned clips of several rates, sizes and a VFR clip, and presets."""
    from btslog.ops.clips import add_clips
    from btslog.ops.faces import scan
    from btslog.ops.project import init_project, open_project

    folder = tmp_path_factory.mktemp("render")
    files = {
        "A": counter_clip(folder / "A001.mov", rate="24000/1001", timecode="14:03:12:00"),
        "B": counter_clip(
            folder / "B001.mov", rate="30000/1001", size="256x192", timecode="14:03:20;02"
        ),
        "C": counter_clip(folder / "C001.mp4", rate="25", audio=False),
        "V": vfr_clip(folder / "IMG_0002.mp4"),
        "F": flash_clip(folder / "F24.mp4", rate="24000/1001", period=24, phase=12),
        "G": flash_clip(folder / "G30.mov", rate="30000/1001", period=30, phase=15),
        "K": clap_clip(folder / "K001.mov"),
        "R": rotated_clip(folder / "IMG_0003.mov", folder / "upright.mov"),
    }
    root = folder / "proj"
    init_project(root, name="Render shoot", rate="23.976")
    with open(root / "btslog.toml", "a", encoding="utf-8") as config:
        config.write(OVERRIDES)
    project = open_project(root)
    clips = {}
    for name, path in files.items():
        (result,) = add_clips(project, [path], camera=name)
        clips[name] = result.clip
    assert all(result.status == "added" for result in scan(project, list(clips.values())))
    return project, clips, files


def segment(clip, in_frame: int, out_frame: int, kind: str = "take", **fields) -> Segment:
    return Segment(clip.id, clip.name, in_frame, out_frame, kind, **fields)


def cut_of(*segments: Segment, name: str = "making of", titles: bool = True) -> Cut:
    return Cut(1, name, CutOptions(query="kind:take", titles=titles), tuple(segments))


def leftovers(project) -> list:
    folder = project.folder("cache") / "render"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- presets as pure commands ----------------------------------------------------------------


def fake_source(**changes) -> SegmentSource:
    values = {"path": Path("/media/A001C001.MP4"), "rate": Fraction(30000, 1001), "vfr": False,
              "in_frame": 100, "out_frame": 220, "video_offset": Fraction(0),
              "has_audio": True, "start_frame": 1516484, "drop_frame": True,
              "label": "take  sc 12 tk 3  cam B  14:03:20;02"}  # fmt: skip
    return SegmentSource(**{**values, **changes})


def shipped(name: str, **kwargs):
    from btslog.cut.render import PRESET_FILE
    from btslog.presets import load_toml

    return resolve_preset(load_toml(PRESET_FILE), name, **kwargs)


def test_shipped_presets_are_the_issue_targets():
    featurette = shipped("featurette-1080p")
    assert (featurette.width, featurette.height, featurette.rate) == (1920, 1080, RATE)
    assert (featurette.video_codec, featurette.audio_codec) == ("libx264", "aac")
    assert (featurette.loudness, featurette.true_peak) == (-16.0, -1.0)
    assert featurette.title_frames == 72 and featurette.crossfade_frames == 0  # 3 s at 23.976
    review = shipped("review-540p")
    assert (review.width, review.height, review.timecode, review.labels) == (960, 540, True, True)
    social = shipped("social-vertical")
    assert (social.width, social.height, social.fit) == (1080, 1920, "cover")
    master = shipped("master-prores")
    assert (master.video_codec, master.profile, master.pix_fmt) == ("prores_ks", "3",
                                                                    "yuv422p10le")  # fmt: skip
    assert (master.audio_codec, master.container) == ("pcm_s24le", "mov")
    assert shipped("featurette-1080p", crossfade="0.5s").crossfade_frames == 12


def test_shipped_presets_build_the_right_commands():
    sources = [fake_source(), fake_source(rate=RATE, drop_frame=False, vfr=True, in_frame=0,
                                          out_frame=48, has_audio=False,
                                          video_offset=Fraction(1, 10))]  # fmt: skip
    measured = Loudness(-23.5, -9.0)  # +7.5 dB would take the peaks to -1.5: no limiter
    argvs = {}
    for name in ("featurette-1080p", "review-540p", "social-vertical", "master-prores"):
        preset = shipped(name)
        timeline = plan_timeline(preset, sources, titles=True)
        argvs[name] = render_argv(preset, sources, timeline, Path(f"/out/{name}"),
                                  title=Title("making of", "shoot"),
                                  gain=plan_gain(preset, measured))  # fmt: skip
    feat = argvs["featurette-1080p"]
    graph = feat[feat.index("-filter_complex") + 1]
    # 120 frames at 29.97 are 96 at 23.976; the title is 72 frames
    assert plan_timeline(shipped("featurette-1080p"), sources, titles=True).lengths == (96, 48)
    assert "fps=fps='30000/1001':round='near',trim=start_pts='100':end_pts='220'" in graph
    assert "fps=fps='24000/1001':round='up'" in graph  # the VFR clip conformed, and 29.97 -> 23.976
    assert "volume=volume='7.50dB',aresample=osr='48000'" in graph and "alimiter" not in graph
    assert "color=c='black':s='1920x1080':r='24000/1001'" in graph
    assert "scale=w='if(gt(iw*sar/ih,1920/1080),1920,min(1920,2*round(1080*iw*sar/ih/2)))'" in graph
    assert "pad=w='1920':h='1080':x='(ow-iw)/2':y='(oh-ih)/2'" in graph  # letterbox/pillarbox
    assert "anullsrc" in graph  # the clip without sound: silence
    assert feat[feat.index("-c:v") + 1] == "libx264" and feat[feat.index("-crf") + 1] == "18"
    assert feat[feat.index("-r") + 1] == "24000/1001" and feat[feat.index("-c:a") + 1] == "aac"
    assert feat[feat.index("-ar") + 1] == "48000" and feat[feat.index("-ac") + 1] == "2"
    # input-side seek half a second (15 frames) before the in point
    assert feat[feat.index("-ss") + 1] == "2.836166667"
    review = argvs["review-540p"]
    graph = review[review.index("-filter_complex") + 1]
    assert "timecode='14\\:03\\:23;12':timecode_rate='30000/1001'" in graph  # 14:03:20;02 + 100
    assert "text='take  sc 12 tk 3  cam B  14\\:03\\:20;02'" in graph
    assert "pad=w='960':h='540'" in graph
    social = argvs["social-vertical"]
    graph = social[social.index("-filter_complex") + 1]
    assert "2*ceil(1920*iw*sar/ih/2)" in graph  # scaled to cover the frame, then cropped
    assert "crop=w='1080':h='1920':x='(iw-ow)/2':y='(ih-oh)/2'" in graph and "pad=w=" not in graph
    assert social[social.index("-r") + 1] == "30000/1001"
    master = argvs["master-prores"]
    assert master[master.index("-c:v") + 1] == "prores_ks"
    assert master[master.index("-profile:v") + 1] == "3"
    assert master[master.index("-pix_fmt") + 1] == "yuv422p10le"
    assert master[master.index("-c:a") + 1] == "pcm_s24le" and master[-2:-1] == ["mov"]
    assert master[master.index("-timecode") + 1] == "01:00:00:00"
    first_pass = measure_argv(shipped("featurette-1080p"), sources,
                              plan_timeline(shipped("featurette-1080p"), sources, titles=True))  # fmt: skip
    graph = first_pass[first_pass.index("-filter_complex") + 1]
    assert "v:0" not in graph and graph.endswith("ebur128=peak=true:framelog=quiet[aout]")
    assert first_pass[-3:] == ["-f", "null", "-"]  # sound only, nothing written


def test_gain_is_linear_with_a_limiter_only_where_peaks_need_it():
    featurette = shipped("featurette-1080p")
    assert plan_gain(featurette, Loudness(-22.0, -10.0)) == Gain(6.0, None)
    assert plan_gain(featurette, Loudness(-22.0, -3.0)) == Gain(6.0, -1.3)  # +3 dBTP otherwise
    assert plan_gain(featurette, Loudness(-70.0, float("-inf"))) is None  # silence
    from btslog.cut.render import _sound_tail

    tail = ",".join(_sound_tail(Gain(6.0, -1.3)))
    assert "aresample=osr='192000',alimiter=limit='0.860994'" in tail and "latency='true'" in tail


def test_sizes_rates_and_the_timeline():
    assert output_frames(30, Fraction(30000, 1001), RATE) == 24
    assert output_frames(25, Fraction(25), RATE) == 24
    assert output_frames(1, Fraction(60), RATE) == 1
    preset = resolve_preset({"p": {"width": 320, "height": 180, "rate": "23.976",
                                   "title_seconds": "1s", "crossfade": "12f"}}, "p")  # fmt: skip
    sources = [fake_source(rate=RATE, in_frame=0, out_frame=length) for length in (48, 10, 48)]
    timeline = plan_timeline(preset, sources, titles=True)
    assert timeline.overlaps == (5, 5)  # never more than half a segment
    assert timeline.starts == (24, 67, 72) and timeline.total == 24 + 106 - 10
    assert sum(timeline.samples(i) for i in range(3)) == 106 * 2002
    assert [timeline.overlap_samples(i) for i in range(2)] == [5 * 2002, 5 * 2002]
    at_29_97 = Timeline(Fraction(30000, 1001), 0, (7, 7, 7, 7), (3, 3, 3))
    starts = [0]  # where each segment's sound starts once the dissolves are taken out
    for index in range(3):
        starts.append(starts[-1] + at_29_97.samples(index) - at_29_97.overlap_samples(index))
    assert starts == [samples_at(frame, Fraction(30000, 1001)) for frame in at_29_97.starts]


@pytest.mark.parametrize(("table", "message"), [
    ({"width": 321, "height": 180, "rate": "24"}, "even number"),
    ({"width": 320, "height": 180, "rate": "24", "colour": "red"}, "unknown key 'colour'"),
    ({"width": 320, "height": 180, "rate": "24", "video_codec": "prores_ks"}, "mov only"),
    ({"width": 320, "height": 180, "rate": "24", "crossfade": "soon"}, "not a length"),
    ({"width": 320, "height": 180, "rate": "24", "loudness": 3}, "between -70 and -5"),
    ({"width": 320, "height": 180}, "rate is missing"),
])  # fmt: skip
def test_bad_preset_values_are_named(table, message):
    with pytest.raises(InvalidInput, match=message):
        resolve_preset({"p": table}, "p")


def test_an_unknown_preset_lists_the_presets(studio):
    from btslog.ops.render import get_preset

    project, _clips, _files = studio
    with pytest.raises(InvalidInput, match="no render preset 'nope'") as caught:
        get_preset(project, "nope")
    assert "featurette-1080p" in caught.value.hint and "tiny" in caught.value.hint


# --- renders ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(studio, tmp_path_factory):
    """A cut of four sources (23.976; 29.97 DF at 4:3; 25 without sound; VFR) rendered with
    a title card and labels."""
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    cut = cut_of(segment(clips["A"], 5, 30, scene="12", take="3"), segment(clips["B"], 7, 40),
                 segment(clips["C"], 0, 20, kind="conversation"), segment(clips["V"], 3, 40))  # fmt: skip
    output = tmp_path_factory.mktemp("mixed") / "making_of.mp4"
    calls = []
    manifest = render_cut(project, cut, "tiny", output,
                          progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    return cut, output, manifest, calls


def test_render_length_is_the_segments_plus_the_title(studio, mixed):
    _project, _clips, _files = studio
    _cut, output, manifest, calls = mixed
    ntsc = Fraction(30000, 1001)
    lengths = [25, output_frames(33, ntsc, RATE), output_frames(20, Fraction(25), RATE),
               output_frames(37, ntsc, RATE)]  # fmt: skip
    assert lengths == [25, 26, 19, 30]  # the VFR clip is conformed to 29.97 first
    frames = gray_frames(output)
    assert len(frames) == 24 + sum(lengths) == manifest["output"]["frames"]
    with av.open(str(output)) as container:
        stream = container.streams.audio[0]
        assert (stream.rate, stream.channels) == (48000, 2)
        samples = sum(frame.samples for frame in container.decode(audio=0))
    assert abs(samples - len(frames) * 2002) <= 1024 + 2  # one AAC frame of padding at most
    starts = [entry["output_start_frame"] for entry in manifest["segments"]]
    assert starts == [24, 49, 75, 94]
    assert calls and calls[-1][0] == calls[-1][1]  # the bar ends full
    assert [entry["audio"] for entry in manifest["segments"]] == ["source", "source", "silence",
                                                                 "silence"]  # fmt: skip


def test_first_and_last_frame_of_every_segment_is_the_source_frame(studio, mixed):
    _project, _clips, files = studio
    _cut, output, manifest, _calls = mixed
    frames = gray_frames(output)
    a, c, v = gray_frames(files["A"]), gray_frames(files["C"]), conformed_gray(files["V"])
    b = gray_frames(files["B"])
    for entry, source in zip(manifest["segments"], (a, b, c, v), strict=True):
        first, last = entry["output_start_frame"], entry["output_end_frame"] - 1
        rate = Fraction(entry["rate"])
        expected_last = entry["in_frame"] + (last - first) * rate // RATE  # shown at that time
        if source is b:  # 256x192 pillarboxed into 320x180: 240x180 in the middle
            options = {"region": (0, 180, 40, 280), "size": (240, 180)}
        else:
            options = {}
        assert closest(frames[first], source, entry["in_frame"], **options) == entry["in_frame"]
        assert closest(frames[last], source, expected_last, **options) == expected_last
        if rate == RATE:
            assert expected_last == entry["out_frame"] - 1
    # the pillarbox is black
    assert frames[manifest["segments"][1]["output_start_frame"]][:140, :36].max() < 20


def test_title_labels_and_manifest(studio, mixed):
    project, _clips, _files = studio
    _cut, output, manifest, _calls = mixed
    frames = gray_frames(output)
    assert frames[0].mean() < 40 and frames[0][70:110, 100:220].max() > 200  # text on black
    assert manifest_path(output).is_file()
    assert json.loads(manifest_path(output).read_text()) == manifest
    import hashlib

    assert manifest["output"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert manifest["output"]["size"] == output.stat().st_size
    assert manifest["cut"]["name"] == "making of" and manifest["project"] == "Render shoot"
    assert manifest["preset"]["name"] == "tiny" and manifest["preset"]["rate"] == "24000/1001"
    first = manifest["segments"][0]
    assert (first["in_timecode"], first["out_timecode"]) == ("14:03:12:05", "14:03:13:06")
    assert manifest["segments"][1]["in_timecode"] == "14:03:20;09"  # drop-frame kept
    assert first["file"].endswith("A001.mov") and first["blurred"] is False
    assert manifest["consent"]["policy"] == "all_but_released"
    assert set(manifest["consent"]["models"]) and manifest["btslog_version"]
    assert leftovers(project) == []
    # a lower third is drawn for the first second of a segment, not after
    a_first, a_later = manifest["segments"][0]["output_start_frame"], 45
    band = slice(150, 176), slice(4, 300)
    assert frames[a_first][band].std() > 0 and mad(frames[a_first][band], frames[a_later][band]) > 5


def test_loudness_hits_the_target(mixed):
    _cut, output, manifest, _calls = mixed
    integrated, peak = measure_ebur128(output)
    assert abs(integrated - -16.0) <= 1.0, integrated
    assert peak <= -1.0, peak
    loudness = manifest["loudness"]
    assert loudness["normalization"].startswith("linear gain +")
    assert abs(loudness["output_integrated"] - integrated) <= 0.1  # the manifest's own reading
    assert loudness["output_true_peak"] <= -1.0


def measure_ebur128(path: Path) -> tuple[float, float]:
    import re

    from btslog.media.ffmpeg import run

    stderr = run(["-loglevel", "info", "-nostats", "-i", f"file:{path}", "-vn",
                  "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
                 what="measure")  # fmt: skip
    summary = stderr[stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


def test_sound_stays_in_sync_with_picture(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    cut = cut_of(segment(clips["F"], 7, 62), segment(clips["G"], 20, 80),
                 segment(clips["F"], 30, 71), titles=False)  # fmt: skip
    output = tmp_path / "sync.mp4"
    manifest = render_cut(project, cut, "loud", output)
    assert manifest["loudness"]["limiter_true_peak"] is not None  # its delay is compensated
    luma = np.array([frame.mean() for frame in gray_frames(output)])
    flashes = [n for n in range(len(luma)) if luma[n] > 128 and (n == 0 or luma[n - 1] <= 128)]
    with av.open(str(output)) as container:
        sound = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(audio=0)])
    loud = np.abs(sound) > 0.05
    sustained = np.convolve(loud, np.ones(96), "full")[95:] > 60  # 2 ms of tone: not a click
    onsets = [i for i in np.flatnonzero(sustained) if not sustained[max(0, i - 480) : i].any()]
    beeps = [float(Fraction(int(i), 48000) * RATE) for i in onsets]
    # F: flashes at 12, 36, 60; G (29.97 -> 23.976): 45, 75 -> output 20, 44 after its start
    assert flashes == [5, 29, 53, 75, 99, 109, 133]
    assert len(beeps) == len(flashes)
    assert all(abs(beep - flash) <= 1 for beep, flash in zip(beeps, flashes, strict=True)), beeps
    integrated, peak = measure_ebur128(output)
    assert abs(integrated - -14.0) <= 1.0 and peak <= -1.0


def test_loudness_is_read_back_and_set_right(studio, tmp_path):
    """Claps: the gain alone would take their peaks far over the limit, so the limiter works
    hard and takes loudness with it; the meter reading of the written file shows it, and the
    sound is normalised again (the picture kept) until the file is on target."""
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    output = tmp_path / "claps.mp4"
    manifest = render_cut(project, cut_of(segment(clips["K"], 0, 70), titles=False), "tiny",
                          output)  # fmt: skip
    loudness = manifest["loudness"]
    assert loudness["corrections"] >= 1 and loudness["limiter_true_peak"] is not None
    integrated, peak = measure_ebur128(output)
    assert abs(integrated - -16.0) <= 1.0 and peak <= -1.0
    assert (integrated, peak) == (loudness["output_integrated"], loudness["output_true_peak"])
    assert len(gray_frames(output)) == 70
    import hashlib

    assert manifest["output"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()


@pytest.fixture
def face(studio):
    """An unknown face on clip A, frames 2-12 (blurred by the default policy)."""
    from btslog.db import faces as face_rows
    from btslog.faces.model import Box, encode_detections
    from btslog.ops.faces import scan_key

    project, clips, _files = studio
    clip = clips["A"]
    detections = tuple((frame, Box(180, 30, 260, 110)) for frame in range(2, 13, 2))
    row = {"clip_id": clip.id, "first_frame": 2, "last_frame": 12,
           "boxes": encode_detections(detections), "embedding": None, "person_id": None,
           "confidence": None, "assigned_by": None, "scan_key": scan_key(clip),
           "created_at": "2026-11-20T15:00:00Z"}  # fmt: skip
    with project.db.write() as connection:
        face_rows.replace_tracks(connection, clip.id, [row])
        (track,) = face_rows.tracks_of(connection, clip.id)
    yield track
    with project.db.write() as connection:
        face_rows.replace_tracks(connection, clip.id, [])


def test_faces_are_blurred_in_the_kept_ranges_only(studio, face, tmp_path):
    from btslog.ops.render import blurred_segments, render_cut

    project, clips, files = studio
    cut = cut_of(segment(clips["A"], 0, 20), segment(clips["B"], 0, 10),
                 segment(clips["A"], 30, 48), titles=False)  # fmt: skip
    # frames 0-19 show the face (12 frames of padding reach to 24); 30-47 do not
    assert blurred_segments(project, cut) == frozenset({0})
    output = tmp_path / "blurred.mp4"
    manifest = render_cut(project, cut, "tiny", output)
    frames, source = gray_frames(output), gray_frames(files["A"])
    box = slice(30, 110), slice(180, 260)
    for number in (0, 6, 12, 19):
        detail = np.abs(np.diff(frames[number][box].astype(int), axis=1)).mean()
        original = np.abs(np.diff(source[number][box].astype(int), axis=1)).mean()
        assert detail < 0.6 * original and mad(frames[number][box], source[number][box]) > 15
        # only the face and its margin (half the 80 px box on each side) are changed
        assert mad(frames[number][:, :130], source[number][:, :130]) < 3
    beside = {"region": (0, 180, 0, 130), "size": None}
    assert closest(frames[0], source, 0, **beside) == 0
    assert closest(frames[19], source, 19, **beside) == 19
    start = manifest["segments"][2]["output_start_frame"]
    for offset in (0, 17):
        assert mad(frames[start + offset], source[30 + offset]) < 3  # untouched
    first, third = manifest["segments"][0], manifest["segments"][2]
    assert first["blurred"] and not third["blurred"] and not manifest["segments"][1]["blurred"]
    (decision,) = first["decisions"]
    assert decision["track_id"] == face.id and decision["blur"] and decision["reason"]
    assert decision["hidden_frames"] == [0, 19]
    assert first["blur_render"]["frames_with_boxes"] == 20
    assert manifest["consent"]["tracks_blurred"] == [face.id]
    assert manifest["consent"]["segments_blurred"] == [0]
    assert leftovers(project) == []  # the lossless intermediate is gone


def test_lossless_intermediate_keeps_every_pixel(studio, tmp_path):
    from btslog.faces.render import render_blurred
    from btslog.media.probe import probe

    _project, _clips, files = studio
    output = tmp_path / "segment.mp4"
    manifest = render_blurred(files["A"], probe(files["A"]), [], output, segment=(10, 20),
                              lossless=True)  # fmt: skip
    assert manifest["lossless"] is True and manifest["audio"] == "none"
    with av.open(str(output)) as container:
        assert not container.streams.audio
        rendered = [frame.to_ndarray() for frame in container.decode(video=0)]
    with av.open(str(files["A"])) as container:
        source = [frame.to_ndarray() for frame in container.decode(video=0)][10:20]
    assert len(rendered) == 10 and all(np.array_equal(a, b) for a, b in zip(rendered, source))


def test_review_preset_burns_in_the_source_timecode(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, files = studio
    cut = cut_of(segment(clips["B"], 0, 12))
    output = tmp_path / "review.mp4"
    render_cut(project, cut, "review-540p", output)
    frames = gray_frames(output)
    assert frames[0].shape == (540, 960) and len(frames) == output_frames(12, Fraction(30000, 1001),
                                                                          RATE)  # fmt: skip
    source = np.zeros((540, 960), np.uint8)  # 4:3 pillarboxed in 16:9
    source[:, 120:840] = cv2.resize(gray_frames(files["B"])[0], (720, 540),
                                    interpolation=cv2.INTER_CUBIC)  # fmt: skip
    band = slice(480, 530), slice(360, 600)  # bottom centre, where the timecode is
    picture = slice(100, 300), slice(200, 700)
    assert mad(frames[0][band], source[band]) > 20  # covered by the burn-in
    assert mad(frames[0][picture], source[picture]) < 12  # the picture itself
    assert mad(frames[0][band], frames[4][band]) > 1  # the timecode runs


def test_social_vertical_covers_the_frame(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    output = tmp_path / "social.mp4"
    manifest = render_cut(project, cut_of(segment(clips["A"], 0, 10)), "social-vertical", output)
    frames = gray_frames(output)
    assert frames[0].shape == (320, 180) and manifest["output"]["rate"] == "30000/1001"
    # covered, not letterboxed: no black band at the top, bottom or sides
    assert all(region.mean() > 30 for region in (frames[0][:8], frames[0][-8:],
                                                 frames[0][:, :8], frames[0][:, -8:]))  # fmt: skip


def test_master_prores_is_prores_hq_with_pcm(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    with pytest.raises(InvalidInput, match="writes mov files"):
        render_cut(project, cut_of(segment(clips["A"], 0, 10)), "master-prores",
                   tmp_path / "master.mp4")  # fmt: skip
    output = tmp_path / "master.mov"
    render_cut(project, cut_of(segment(clips["A"], 0, 10)), "master-prores", output)
    with av.open(str(output)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "prores" and video.codec_context.profile == "HQ"
        assert video.codec_context.pix_fmt == "yuv422p10le"
        assert (audio.codec_context.name, audio.rate, audio.channels) == ("pcm_s24le", 48000, 2)
        assert video.metadata.get("timecode") == "01:00:00:00"


def test_crossfades_shorten_the_cut_by_their_overlaps(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    cut = cut_of(segment(clips["A"], 0, 30), segment(clips["C"], 0, 25),
                 segment(clips["A"], 20, 48))  # fmt: skip
    output = tmp_path / "dissolves.mp4"
    manifest = render_cut(project, cut, "tiny", output, crossfade="6f")
    lengths = [30, 24, 28]
    assert manifest["crossfades"] == [6, 6]
    assert len(gray_frames(output)) == 24 + sum(lengths) - 12 == manifest["output"]["frames"]
    assert [entry["output_start_frame"] for entry in manifest["segments"]] == [24, 48, 66]
    with av.open(str(output)) as container:  # the sound overlaps by as much as the picture
        samples = sum(frame.samples for frame in container.decode(audio=0))
    assert abs(samples - manifest["output"]["frames"] * 2002) <= 1024 + 2


def test_a_rotated_clip_stands_upright_and_long_graphs_go_in_a_file(studio, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    import btslog.ops.render as render_ops

    project, clips, _files = studio
    monkeypatch.setattr(render_ops, "GRAPH_INLINE_LIMIT", 100)  # every graph goes in a file
    output = tmp_path / "rotated.mp4"
    manifest = render_ops.render_cut(project, cut_of(segment(clips["R"], 0, 12),
                                                     segment(clips["A"], 0, 12), titles=False),
                                     "tiny", output)  # fmt: skip
    frames = gray_frames(output)
    assert len(frames) == manifest["output"]["frames"] == 10 + 12  # 12 frames at 30 fps
    upright = frames[0]  # 180x320 portrait, pillarboxed in 320x180: about 102 pixels wide
    assert upright.shape == (180, 320)
    assert upright[:, :100].max() < 20 and upright[:, -100:].max() < 20
    assert upright[:, 120:200].std() > 20  # the picture is there
    assert leftovers(project) == []


# --- refusals --------------------------------------------------------------------------------


def test_bad_input_is_refused_and_leaves_nothing(studio, tmp_path):
    from btslog.ops.clips import add_clips
    from btslog.ops.render import blurred_segments, render_cut

    project, clips, files = studio
    output = tmp_path / "out.mp4"
    good = cut_of(segment(clips["A"], 0, 10))
    with pytest.raises(InvalidInput, match="no render preset"):
        render_cut(project, good, "nope", output)
    with pytest.raises(InvalidInput, match="has no segments"):
        render_cut(project, cut_of(), "tiny", output)
    with pytest.raises(MediaError, match="refusing to render over a source"):
        render_cut(project, good, "tiny", files["A"])
    gone = make_clip(tmp_path / "GONE.mp4", seconds=1)
    (result,) = add_clips(project, [gone], camera="Z")
    gone.unlink()
    with pytest.raises(MediaError, match="GONE.mp4.*missing"):
        render_cut(project, cut_of(segment(result.clip, 0, 5)), "tiny", output)
    fresh = make_clip(tmp_path / "FRESH.mp4", seconds=1)
    (result,) = add_clips(project, [fresh], camera="Z")
    unscanned = cut_of(segment(clips["A"], 0, 10), segment(result.clip, 0, 5))
    with pytest.raises(InvalidInput, match="has not been scanned") as caught:
        render_cut(project, unscanned, "tiny", output)
    assert "faces scan" in caught.value.hint
    with pytest.raises(InvalidInput, match="has not been scanned"):
        blurred_segments(project, unscanned)
    assert blurred_segments(project, unscanned, strict=False) == frozenset({1})
    with pytest.raises(InvalidInput, match="not within the clip"):
        render_cut(project, cut_of(segment(clips["A"], 40, 60)), "tiny", output)
    removed = Segment(99999, "LOST", 0, 10, "take")
    with pytest.raises(NotFound, match="no longer in the project"):
        render_cut(project, cut_of(removed), "tiny", output)
    assert not output.exists() and not manifest_path(output).exists()
    assert list(tmp_path.glob("*.btslog-partial*")) == [] and leftovers(project) == []


def test_ctrl_c_leaves_neither_output_nor_manifest(studio, tmp_path):
    from btslog.ops.render import render_cut

    project, clips, _files = studio
    output = tmp_path / "stopped.mp4"
    seen = []

    def interrupt(done, total):
        seen.append(done)
        if done > total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_cut(project, cut_of(segment(clips["A"], 0, 48)), "tiny", output,
                   progress=interrupt)  # fmt: skip
    assert seen and not output.exists() and not manifest_path(output).exists()
    assert list(tmp_path.iterdir()) == [] and leftovers(project) == []


def test_cli_renders_a_cut_from_the_project(studio, tmp_path):
    from btslog.ops.cuts import new_cut
    from btslog.ops.tags import TagSpec, add_tag

    project, clips, _files = studio
    add_tag(project, TagSpec("+0f", "take", out_text="+20f", clip=clips["A"].name))
    new_cut(project, "cli cut", CutOptions(query=f"clip:{clips['A'].name}"))
    output = tmp_path / "cli.mp4"
    result = run_cli("--project", str(project.root), "render", "cli cut", "--preset", "tiny",
                     "-o", str(output), check=0)  # fmt: skip
    assert "wrote" in result.stdout and output.is_file() and manifest_path(output).is_file()
    refused = run_cli("--project", str(project.root), "render", "cli cut", "--preset", "big",
                      "-o", str(tmp_path / "x.mp4"), check=1)  # fmt: skip
    assert "no render preset 'big'" in refused.stderr and "featurette-1080p" in refused.stderr
    listed = run_cli("--project", str(project.root), "render", "--list-presets", check=0)
    assert "master-prores" in listed.stdout and "tiny" in listed.stdout
    wrong_suffix = run_cli("--project", str(project.root), "render", "cli cut", "--preset",
                           "tiny", "-o", str(tmp_path / "x.avi"), check=1)  # fmt: skip
    assert "writes mp4 files" in wrong_suffix.stderr
    assert "rendering" not in wrong_suffix.stderr  # refused before any progress bar is drawn
