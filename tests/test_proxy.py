"""Proxies, posters and contact sheets: real ffmpeg on tiny clips, outcomes checked by probing
and decoding what was written."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import ffmpeg, make_clip

from btslog.errors import FfmpegError, MediaError
from btslog.media.ffmpeg import temporary_path
from btslog.media.probe import probe
from btslog.media.proxy import (
    PicturesResult,
    ProxySettings,
    burn_in_sizes,
    filter_graph,
    filter_value,
    font_path,
    make_pictures,
    pictures_argv,
    poster_frame,
    proxy_short_side,
    sheet_frames,
)
from btslog.model import AudioStreamInfo, MediaInfo

AWKWARD_LABEL = "A: 'B' 100% \\ C"
ESCAPE_CASES = [AWKWARD_LABEL, "[in],out;x=y", "  spaces at both ends  ", "'", "\\", "",
                "C:\\fonts\\a b.ttf", "%{pts} ü 漢"]  # fmt: skip
BACKGROUND = (48, 96, 160)  # the flat colour of the burn-in test clip


def media_info(**changes) -> MediaInfo:
    info = MediaInfo(
        path="B001_0001.mov", size_bytes=1, container="mov", codec="h264", width=1920,
        height=1080, rate=Fraction(30000, 1001), vfr=False, duration_frames=300,
        start_frame=1516484, drop_frame=True, timecode_source="tmcd", reel="B001",
        creation_time=None, audio=(AudioStreamInfo(1, "pcm_s24le", 2, 48000, "stereo"),),
    )  # fmt: skip
    return replace(info, **changes)


def decode_frames(path: Path, count: int):
    """The first ``count`` frames of ``path`` as RGB arrays."""
    import av

    with av.open(str(path)) as container:
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24").astype(int))
            if len(frames) == count:
                break
        return frames


def image(path: Path):
    import numpy as np
    from PIL import Image

    with Image.open(path) as picture:
        picture.load()
        return np.asarray(picture.convert("RGB")).astype(int)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def outputs(folder: Path, stem: str = "clip") -> dict[str, Path]:
    return {
        "proxy": folder / f"{stem}.mp4",
        "poster": folder / f"{stem}.png",
        "sheet": folder / f"{stem}_sheet.png",
    }


@pytest.fixture(scope="module")
def made(media, tmp_path_factory) -> dict[str, tuple[MediaInfo, PicturesResult]]:
    """Pictures of every kind of test clip, made once: name -> (source probe, result)."""
    folder = tmp_path_factory.mktemp("pictures")
    results = {}
    for name in ("a2398", "b2997df", "c25", "d5994", "vfr"):
        info = probe(media[name])
        results[name] = (
            info,
            make_pictures(media[name], info, label=f"A / {name}", **outputs(folder, name)),
        )
    return results


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> dict[str, object]:
    """A flat-colour clip (so only burn-in changes pixels) made with an awkward label."""
    folder = tmp_path_factory.mktemp("flat")
    source = folder / "flat.mov"
    red, green, blue = BACKGROUND
    ffmpeg(
        "-f", "lavfi", "-i", f"color=c=0x{red:02x}{green:02x}{blue:02x}:s=640x360:r=25:d=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p",
        "-timecode", "09:59:59:20", str(source),
    )  # fmt: skip
    info = probe(source)
    paths = outputs(folder / "out")
    reports: list[tuple[int, int]] = []
    result = make_pictures(
        source, info, label=AWKWARD_LABEL, progress=lambda *report: reports.append(report), **paths
    )
    return {"info": info, "result": result, "reports": reports, "folder": folder / "out"}


# --- pure parts ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ESCAPE_CASES)
def test_filter_value_reads_back_verbatim_through_ffmpeg(text):
    from btslog.media import ffmpeg as boundary

    graph = (
        f"color=s=16x16:d=0.04,metadata=mode=add:key=label:value={filter_value(text)},"
        "metadata=mode=print"
    )
    stderr = boundary.run(["-f", "lavfi", "-i", graph, "-f", "null", "-"], what="escaping")
    printed = [line.split("label=", 1)[1] for line in stderr.splitlines() if "label=" in line]
    assert printed == [text]


def test_argv_is_one_decode_with_three_outputs_and_the_start_timecode():
    info = media_info()
    argv = pictures_argv(
        Path("B001_0001.mov"), info, proxy=Path("p.mp4"), poster=Path("p.png"),
        sheet=Path("s.png"), label=AWKWARD_LABEL,
    )  # fmt: skip
    assert argv.count("-i") == 1 and argv.count("-filter_complex") == 1
    graph = argv[argv.index("-filter_complex") + 1]
    assert "split=3" in graph and "fps=fps='30000/1001'" in graph
    assert "timecode='14\\:03\\:20;02'" in graph and "timecode_rate='30000/1001'" in graph
    assert font_path().as_posix() in graph and font_path().is_file()
    assert "timecode=14:03:20;02" in argv and "reel_name=B001" in argv
    assert [argv[index + 1] for index, arg in enumerate(argv) if arg == "-map"] == [
        "[proxy]", "0:1", "[poster]", "[sheet]",
    ]  # fmt: skip
    assert argv[-1].startswith("file:") and argv[-1].endswith("s.png")
    assert "-an" not in argv and "+faststart" in argv


def test_argv_without_audio_or_with_one_output():
    info = media_info(audio=())
    argv = pictures_argv(
        Path("c.mp4"), info, proxy=Path("p.mp4"), poster=None, sheet=None, label=""
    )
    assert "-c:a" not in argv and [arg for arg in argv if arg.startswith("0:")] == []
    graph = argv[argv.index("-filter_complex") + 1]
    assert "split" not in graph and ":text=" not in graph  # no label box for an empty label
    with pytest.raises(ValueError):
        filter_graph(info, proxy=False, poster=False, sheet=False, label="")


def test_size_rule_and_frame_choice():
    assert proxy_short_side(media_info(width=3840, height=2160)) == 540
    assert proxy_short_side(media_info(width=1080, height=1920, rotation=90)) == 540
    assert proxy_short_side(media_info(width=320, height=180)) == 180  # never upscaled
    assert proxy_short_side(media_info(width=641, height=481)) == 480  # even
    assert poster_frame(300) == 100 and poster_frame(1) == 0
    assert sheet_frames(160) == [10, 30, 50, 70, 90, 110, 130, 150]
    assert sheet_frames(3) == [0, 1, 2]
    assert sheet_frames(48, ProxySettings(sheet_tiles=4)) == [6, 18, 30, 42]


# --- the proxy -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a2398", "b2997df", "c25", "d5994", "vfr"])
def test_proxy_is_cfr_h264_at_the_exact_rate_with_the_source_timecode(made, name):
    source, result = made[name]
    proxy = probe(result.proxy)
    assert proxy.codec == "h264" and proxy.pixel_format == "yuv420p"
    assert not proxy.vfr
    assert proxy.rate == source.rate
    assert (proxy.width, proxy.height) == (320, 180)  # small sources are not upscaled
    assert abs(proxy.duration_frames - source.duration_frames) <= 1
    assert abs(result.frames - source.duration_frames) <= 1
    assert (proxy.start_frame, proxy.drop_frame) == (source.start_frame, source.drop_frame)
    assert proxy.timecode_source == "tmcd"
    assert bool(proxy.audio) == bool(source.audio)
    assert all(stream.codec == "aac" for stream in proxy.audio)


def test_vfr_phone_clip_is_conformed_to_constant_rate(made):
    source, result = made["vfr"]
    assert source.vfr
    proxy = probe(result.proxy)
    assert not proxy.vfr and proxy.rate == Fraction(30000, 1001)
    assert abs(proxy.duration_frames - source.duration_frames) <= 1


def test_large_and_rotated_sources_come_out_540_upright(tmp_path):
    import av

    wide = make_clip(tmp_path / "wide.mov", size="1280x720", seconds=0.5, audio=False)
    rotated = tmp_path / "phone.mov"
    ffmpeg("-display_rotation", "90", "-i", str(wide), "-c", "copy", str(rotated))
    for source, size, poster_size in (
        (wide, (960, 540), (480, 270)),
        (rotated, (540, 960), (480, 854)),
    ):
        info = probe(source)
        paths = outputs(tmp_path, source.stem + "_out")
        make_pictures(source, info, label="A / phone", **paths)
        proxy = probe(paths["proxy"])
        assert (proxy.width, proxy.height) == size
        with av.open(str(paths["proxy"])) as container:
            frame = next(container.decode(video=0))
            assert frame.rotation == 0  # upright pixels, no rotation left for players to apply
        poster, sheet = image(paths["poster"]), image(paths["sheet"])
        assert (poster.shape[1], poster.shape[0]) == poster_size
        assert sheet.shape[1] == 8 * 240
        assert sheet.shape[0] == round(240 * size[1] / size[0] / 2) * 2


def test_burned_in_timecode_and_label_change_pixels_only_where_drawn(flat):
    import numpy as np

    result = flat["result"]
    first, second = decode_frames(result.proxy, 2)
    height, width, _ = first.shape
    assert (width, height) == (640, 360)
    background = np.array(BACKGROUND)
    # Away from the text the picture is the source's.
    assert np.abs(first[100:260, 100:540] - background).max() <= 6
    # The timecode box: an opaque black box at the bottom centre, with text in it.
    timecode_area = first[height - 40 :, width // 2 - 90 : width // 2 + 90]
    box = np.all(timecode_area < 24, axis=2)
    text = np.all(timecode_area > 160, axis=2)
    assert box.mean() > 0.3 and text.mean() > 0.03
    # The label box at the top left, as wide as the whole label (nothing lost to escaping).
    label_area = first[:40, :320]
    box_columns = np.nonzero(np.all(label_area < 24, axis=2).any(axis=0))[0]
    sizes = burn_in_sizes(360)
    expected = len(AWKWARD_LABEL) * sizes.label_size * 0.602 + 2 * sizes.border
    assert abs((box_columns.max() - box_columns.min() + 1) - expected) <= 3
    assert np.all(label_area > 160, axis=2).sum() > 100
    # The burned timecode counts: 09:59:59:20 -> :21 changes the box, and only the box.
    changed = np.any(np.abs(first - second) > 40, axis=2)
    rows, columns = np.nonzero(changed)
    assert rows.size > 0
    assert rows.min() >= height - 40 and width // 2 - 90 <= columns.min() <= columns.max() < (
        width // 2 + 90
    )


def test_poster_has_no_burn_in_and_sheet_has_eight_tiles_with_timecode(flat):
    import numpy as np

    result = flat["result"]
    poster = image(result.poster)
    assert poster.shape == (270, 480, 3)
    assert np.abs(poster - np.array(BACKGROUND)).max() <= 6
    sheet = image(result.sheet)
    assert sheet.shape == (136, 8 * 240, 3)
    tiles = [sheet[:, index * 240 : (index + 1) * 240] for index in range(8)]
    for tile in tiles:
        assert np.abs(tile[:60] - np.array(BACKGROUND)).max() <= 6  # picture above the text
        assert np.all(tile[-30:] < 24, axis=2).mean() > 0.2  # timecode box below
    assert np.abs(tiles[0][-30:] - tiles[7][-30:]).max() > 100  # different timecodes


def test_progress_counts_up_to_the_clip_length(flat):
    reports, total = flat["reports"], flat["info"].duration_frames
    assert reports and reports[-1] == (total, total)
    assert all(report[1] == total and 0 <= report[0] <= total for report in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_only_the_final_files_are_left(flat):
    assert leftovers(flat["folder"]) == ["clip.mp4", "clip.png", "clip_sheet.png"]


def test_poster_and_sheet_alone(media, tmp_path):
    info = probe(media["a2398"])
    paths = outputs(tmp_path)
    result = make_pictures(
        media["a2398"], info, proxy=None, poster=paths["poster"], sheet=paths["sheet"], label=""
    )
    assert result.proxy is None and result.frames == info.duration_frames
    assert image(paths["poster"]).shape == (180, 320, 3)
    assert image(paths["sheet"]).shape == (136, 1920, 3)
    assert leftovers(tmp_path) == ["clip.png", "clip_sheet.png"]


# --- failures ------------------------------------------------------------------------------


def test_corrupt_source_names_the_file_and_leaves_nothing(media, tmp_path):
    info = probe(media["a2398"])
    source = tmp_path / "A001C002.mov"
    source.write_bytes(media["junk"].read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FfmpegError) as caught:
        make_pictures(source, info, label="A", **outputs(out))
    assert str(source) in str(caught.value) and caught.value.hint
    assert leftovers(out) == []


def test_source_shorter_than_its_probe_fails_without_output(media, tmp_path):
    info = probe(media["a2398"])
    source = tmp_path / "A001C003.mov"
    source.write_bytes(media["truncated"].read_bytes())
    with pytest.raises(MediaError, match="A001C003.mov"):
        make_pictures(source, info, label="A", **outputs(tmp_path / "out"))
    assert leftovers(tmp_path / "out") == []


def test_interrupt_leaves_no_files(media, tmp_path):
    info = probe(media["a2398"])

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_pictures(
            media["a2398"], info, label="A", progress=interrupt, **outputs(tmp_path / "out")
        )
    assert leftovers(tmp_path / "out") == []


def test_missing_source_and_overwriting_the_original_are_refused(media, tmp_path):
    info = probe(media["a2398"])
    with pytest.raises(MediaError, match="no such file"):
        make_pictures(tmp_path / "gone.mov", info, proxy=tmp_path / "p.mp4", poster=None,
                      sheet=None, label="")  # fmt: skip
    with pytest.raises(MediaError, match="original"):
        make_pictures(media["a2398"], info, proxy=media["a2398"], poster=None, sheet=None,
                      label="")  # fmt: skip
    assert not temporary_path(media["a2398"]).exists()
