"""Probe media files with PyAV: exact rate, frame count, camera timecode, audio layout.

Everything here reads; nothing decodes more than it must.  Variable frame rate is detected
from the presentation timestamps of the first packets; the duration in frames of a VFR file is
its length at the constant rate it is conformed to (the nearest standard rate), which is also
the rate of its proxy and of every frame number btslog stores for it.
"""

from __future__ import annotations

import itertools
import os
import re
from fractions import Fraction
from pathlib import Path

from btslog.errors import MediaError, TimecodeError
from btslog.model import AudioStreamInfo, MediaInfo

# Containers that hold a single still picture, not a clip.
STILL_IMAGE_FORMATS = {"image2", "jpeg_pipe", "png_pipe", "webp_pipe", "tiff_pipe", "bmp_pipe",
                       "gif", "gif_pipe", "heif", "dng_pipe", "psd_pipe"}  # fmt: skip
VFR_SAMPLE_PACKETS = 2000
SNAP_TOLERANCE = Fraction(1, 2000)  # relative: 29.97 reported as 2997/100 snaps to 30000/1001


def _standard_rates() -> list[Fraction]:
    from btslog.timecode import STANDARD_RATES

    return sorted(set(STANDARD_RATES.values()))


def snap_rate(rate: Fraction, tolerance: Fraction = SNAP_TOLERANCE) -> Fraction:
    """The standard rate within ``tolerance`` (relative) of ``rate``, else ``rate`` itself."""
    best = min(_standard_rates(), key=lambda standard: abs(standard - rate))
    if abs(best - rate) <= best * tolerance:
        return best
    return rate


def conform_rate(average: Fraction, base: Fraction | None) -> Fraction:
    """The constant rate a variable-frame-rate clip is conformed to.

    Phones vary their frame spacing around a nominal rate; the average wanders by a few
    percent.  The container's base rate (the finest rate all timestamps fit) tells the family:
    an NTSC base (x/1001) conforms to the nearest NTSC rate, any other to the nearest integer
    or PAL rate.
    """
    rates = _standard_rates()
    if base is not None:
        ntsc = base.denominator == 1001
        rates = [rate for rate in rates if (rate.denominator == 1001) == ntsc] or rates
    return min(rates, key=lambda rate: abs(rate - average))


def _fraction(value) -> Fraction | None:
    if value is None:
        return None
    try:
        result = Fraction(value.numerator, value.denominator)
    except (AttributeError, ZeroDivisionError):
        return None
    return result if result > 0 else None


def _video_stream(container):
    for stream in container.streams.video:
        if stream.disposition & getattr(stream.disposition.__class__, "attached_pic", 0):
            continue
        return stream
    return None


def _packet_times(container, stream, limit: int) -> list[int]:
    """Presentation timestamps of the first ``limit`` packets of ``stream`` (sorted)."""
    times: list[int] = []
    for packet in container.demux(stream):
        if packet.pts is None:
            if packet.size == 0:
                continue
            # Some containers (raw streams) carry no timestamps: treat as constant rate.
            return []
        times.append(packet.pts)
        if len(times) >= limit:
            break
    return sorted(times)


def _is_variable(times: list[int], time_base: Fraction, rate: Fraction) -> bool:
    if len(times) < 3:
        return False
    deltas = [b - a for a, b in itertools.pairwise(times)]
    nominal = 1 / (rate * time_base)  # ticks per frame
    # Rounding to the time base makes CFR deltas differ by at most one tick.
    slack = max(Fraction(1), nominal / 100)
    return any(abs(delta - nominal) > slack for delta in deltas)


def _metadata_timecode(container, video) -> tuple[str | None, str, str | None]:
    """(timecode string, where it came from, reel name)."""
    reel = None
    for stream in container.streams:
        if stream.type == "data" and stream.metadata.get("timecode"):
            reel = stream.metadata.get("reel_name") or reel
            return stream.metadata["timecode"], "tmcd", reel
    for stream in container.streams:
        reel = reel or stream.metadata.get("reel_name")
    if video.metadata.get("timecode"):
        return video.metadata["timecode"], "stream", reel
    if container.metadata.get("timecode"):
        return container.metadata["timecode"], "format", reel or container.metadata.get("reel_name")
    return None, "none", reel or container.metadata.get("reel_name")


def _creation_time(container, video) -> str | None:
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        for metadata in (container.metadata, video.metadata):
            if metadata.get(key):
                return metadata[key]
    return None


def _truncated(container, stream, expected_end: int) -> bool:
    """Whether the last packets the index promises are missing from the file."""
    if stream.duration is None or stream.time_base is None:
        return False
    try:
        container.seek(max(expected_end - int(2 / stream.time_base), 0), stream=stream,
                       backward=True, any_frame=False)  # fmt: skip
    except Exception:  # noqa: BLE001 - unseekable files are not truncated by this test
        return False
    last_pts = None
    for packet in container.demux(stream):
        if packet.is_corrupt:
            return True
        if packet.pts is not None:
            last_pts = packet.pts if last_pts is None else max(last_pts, packet.pts)
    if last_pts is None:
        return True
    frame_ticks = 1
    rate = _fraction(stream.average_rate) or _fraction(stream.guessed_rate)
    if rate:
        frame_ticks = max(1, int(1 / (rate * stream.time_base)))
    return last_pts < expected_end - 3 * frame_ticks


def _media_error(path: Path, problem: str, hint: str | None = None) -> MediaError:
    return MediaError(f"{path}: {problem}", hint=hint)


def probe(path: str | os.PathLike) -> MediaInfo:
    """Read what ``path`` is.  Raises :class:`MediaError` naming the file when it cannot."""
    import av

    path = Path(path)
    if not path.exists():
        raise _media_error(path, "no such file", "check the path and that the card is mounted")
    if path.is_dir():
        raise _media_error(path, "is a folder, not a media file")
    size = path.stat().st_size
    if size == 0:
        raise _media_error(path, "is empty (0 bytes)", "copy it again from the card")
    try:
        container = av.open(str(path), metadata_errors="replace")
    except PermissionError as error:
        raise _media_error(path, "cannot be read (permission denied)") from error
    except av.error.FFmpegError as error:
        reason = getattr(error, "strerror", None) or str(error)
        if "moov atom not found" in str(error) or path.suffix.lower() in (".mov", ".mp4", ".m4v"):
            raise _media_error(
                path,
                f"not a readable media file ({reason}); it may be truncated or corrupt",
                "copy it again from the card; a clip recorded when the camera lost power may "
                "need a repair tool",
            ) from error
        raise _media_error(path, f"not a media file ffmpeg can read ({reason})") from error
    with container:
        if container.format.name in STILL_IMAGE_FORMATS:
            raise _media_error(path, "is a still image, not a video clip")
        video = _video_stream(container)
        if video is None:
            raise _media_error(path, "has no video stream", "btslog registers video clips only")
        return _probe_open(path, size, container, video)


def _rotation(path: Path, video) -> int:
    """The clockwise turn (0, 90, 180, 270) that shows the stored picture upright.

    Phones and ffmpeg since 6.0 write it as a display matrix, which PyAV reports only on
    decoded frames (counter-clockwise degrees), so the first frame is decoded (in a second
    handle, leaving the probe's own untouched); older files carry a ``rotate`` tag instead.
    """
    import av

    try:
        with av.open(str(path)) as container:
            stream = next(item for item in container.streams.video if item.index == video.index)
            frame = next(container.decode(stream), None)
            if frame is not None and round(frame.rotation or 0) % 360:
                return _quarter_turns(-round(frame.rotation))
    except (av.error.FFmpegError, StopIteration, ValueError):
        pass
    try:
        return _quarter_turns(int(video.metadata.get("rotate", 0)))
    except ValueError:
        return 0


def _quarter_turns(degrees: int) -> int:
    """``degrees`` (any sign) as the nearest of 0, 90, 180, 270."""
    return (round(degrees / 90) * 90) % 360


def _probe_open(path: Path, size: int, container, video) -> MediaInfo:
    codec_context = video.codec_context
    time_base = _fraction(video.time_base)
    reported = (
        _fraction(video.average_rate) or _fraction(video.guessed_rate) or _fraction(video.base_rate)
    )
    if reported is None or time_base is None:
        raise _media_error(path, "has no frame rate the container states")
    times = _packet_times(container, video, VFR_SAMPLE_PACKETS)
    vfr = _is_variable(times, time_base, snap_rate(reported))
    base = _fraction(video.guessed_rate) or _fraction(video.base_rate)
    rate = conform_rate(reported, base) if vfr else snap_rate(reported)
    if video.duration is not None:
        duration_seconds = video.duration * time_base
    elif container.duration is not None:
        duration_seconds = Fraction(container.duration, 1_000_000)
    else:
        duration_seconds = None
    if video.frames and not vfr:
        duration_frames = int(video.frames)
    elif duration_seconds is not None:
        duration_frames = round(duration_seconds * rate)
    else:
        duration_frames = len(times)
    if duration_frames <= 0:
        raise _media_error(path, "holds no video frames", "copy it again from the card")
    if video.duration is not None:
        start = video.start_time or 0
        if _truncated(container, video, start + video.duration):
            raise _media_error(
                path,
                "is truncated: the file ends before the frames its index lists",
                "copy it again from the card",
            )
    timecode_text, timecode_source, reel = _metadata_timecode(container, video)
    start_frame, drop_frame = 0, False
    if timecode_text:
        start_frame, drop_frame = _parse_start_timecode(path, timecode_text, rate)
    audio = tuple(
        AudioStreamInfo(
            index=stream.index,
            codec=stream.codec_context.name,
            channels=stream.codec_context.channels,
            sample_rate=stream.codec_context.sample_rate,
            layout=getattr(stream.codec_context.layout, "name", None),
        )
        for stream in container.streams.audio
    )
    rotation = _rotation(path, video)
    return MediaInfo(
        path=str(path),
        size_bytes=size,
        container=container.format.name,
        codec=codec_context.name,
        width=codec_context.width,
        height=codec_context.height,
        rate=rate,
        vfr=vfr,
        duration_frames=duration_frames,
        start_frame=start_frame,
        drop_frame=drop_frame,
        timecode_source=timecode_source,
        reel=reel,
        creation_time=_creation_time(container, video),
        audio=audio,
        pixel_format=codec_context.format.name if codec_context.format else None,
        rotation=rotation,
    )


def _parse_start_timecode(path: Path, text: str, rate: Fraction) -> tuple[int, bool]:
    """The start frame label and drop-frame mode a camera wrote.

    Cameras spell drop-frame with ``;`` (or ``.``); one that writes it at a rate without
    drop-frame (25, 24) means non-drop, so that spelling is read as non-drop.
    """
    from btslog.timecode import (
        is_drop_frame_string,
        looks_like_timecode,
        parse_timecode,
        supports_drop_frame,
    )

    text = text.strip()
    if not looks_like_timecode(text):
        raise _media_error(path, f"has a start timecode btslog cannot read: {text!r}")
    drop_frame = is_drop_frame_string(text) and supports_drop_frame(rate)
    if not drop_frame:
        text = re.sub(r"[;.,]", ":", text)
    try:
        return parse_timecode(text, rate), drop_frame
    except TimecodeError as error:
        raise _media_error(path, f"has an invalid start timecode {text!r}: {error}") from error
