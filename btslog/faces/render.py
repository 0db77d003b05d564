"""Render a clip with the faces of people who opted out hidden, and record what was hidden.

One pass: PyAV decodes the source (threaded), each frame that has a face to hide is changed
inside its boxes only (:mod:`btslog.faces.blur`), and every frame goes as raw I420 (YUV
4:2:0, the layout H.264 stores) through a pipe into one ffmpeg that encodes it with libx264
and takes the audio straight from the source file.  No frame is ever converted to RGB: a
frame without a face to hide is handed to the encoder as the decoder produced it, so its only
cost over a plain ``ffmpeg -i clip -c:v libx264`` is one copy through the pipe.

What the output keeps:

* **frames**: exactly ``info.duration_frames`` (or the segment's length) at exactly
  ``info.rate``.  Frame ``n`` of the output is frame ``n`` of every frame number btslog
  stores for the clip, so a track's boxes land on the frames they were found on.  A CFR
  source maps one to one (each frame to the slot nearest its timestamp); a VFR source is
  conformed: slot ``n`` shows the source frame being shown at time ``n / rate`` (the last
  frame whose timestamp is not after it, with a tenth of a frame of slack for time-base
  rounding), so frames are repeated or dropped but never shifted by more than the source's
  own timing;
* **start timecode** (the clip's, or the segment's first frame's) as a ``tmcd`` track,
  drop-frame written with ``;``; the reel name;
* **audio**: every audio stream of the source, copied when the container takes it and the
  render starts where the source does, else AAC; none when the source has none;
* rotation, pixel aspect ratio and the colour description (range, matrix, primaries,
  transfer) of the source.  A picture of odd width or height (4:2:0 needs even sizes) goes
  through the pipe as BGR instead and gets one black column or row to make it even.

Boxes are in the source's stored pixel coordinates (the picture as decoded, before any
display rotation), as :class:`~btslog.faces.model.FaceTrack` holds them.

Consent fails closed: a track to blur with no box stops the render before anything is
written (:func:`btslog.faces.blur.check_decisions`); a source that decodes short of its
length stops it with an error.  The output is written under a temporary name and renamed
only when ffmpeg succeeded, and the manifest (``<output>.manifest.json``: source and output
hashes, settings, every decision applied, model hashes, btslog version) is renamed into
place just before the output, so there is never an output without its record: a failure or
Ctrl-C leaves neither.

This module is a job: a pure function of its inputs that returns the manifest.  It reads no
database and prints nothing; ffmpeg runs through :mod:`btslog.media.ffmpeg`.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Self

from btslog.errors import InvalidInput, MediaError
from btslog.faces.blur import (
    BlurSettings,
    blur_regions,
    blur_regions_i420,
    boxes_for_frame,
    check_decisions,
    draw_preview,
    draw_preview_i420,
    labelled_boxes_for_frame,
    load_settings,
)
from btslog.faces.detect import single_threaded_cv2
from btslog.faces.model import BlurDecision, FaceTrack
from btslog.model import MediaInfo

if TYPE_CHECKING:
    import numpy as np

ProgressCallback = Callable[[int, int], None]
MANIFEST_SCHEMA = "btslog.render-manifest/1"
OUTPUT_SUFFIXES = (".mp4", ".m4v", ".mov")
# Audio codecs the output container takes as they are (anything else becomes AAC).
COPYABLE_AUDIO = {
    ".mp4": {"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"},
    ".m4v": {"aac", "mp3", "ac3", "eac3", "alac"},
    ".mov": {"aac", "mp3", "ac3", "eac3", "alac", "pcm_s16le", "pcm_s16be", "pcm_s24le",
             "pcm_s24be", "pcm_s32le", "pcm_f32le", "pcm_u8"},
}  # fmt: skip
# A source may decode this many frames short of probe's length; the last frame is held.
FRAME_TOLERANCE = 1
# VFR: a frame stamped up to this fraction of a frame after a slot still counts as shown in it.
VFR_SLACK = Fraction(1, 10)
# An audio start this close to the video start (seconds) counts as aligned (copy the audio).
AUDIO_ALIGNED = Fraction(1, 1000)

# libavutil enum values -> ffmpeg option names (only those worth carrying).
_RANGES = {1: "tv", 2: "pc"}
_MATRICES = {1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m",
             9: "bt2020nc", 10: "bt2020c"}  # fmt: skip
_PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m",
              9: "bt2020", 11: "smpte431", 12: "smpte432"}  # fmt: skip
_TRANSFERS = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m",
              8: "linear", 13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12",
              16: "smpte2084", 18: "arib-std-b67"}  # fmt: skip


def manifest_path(output: Path) -> Path:
    """Where the manifest of ``output`` is written: ``<output>.manifest.json``."""
    output = Path(output)
    return output.with_name(output.name + ".manifest.json")


# --- which boxes each frame hides -------------------------------------------------------------


class FramePlan:
    """Answers, frame after frame, which boxes to hide (or, for a preview, to draw).

    :meth:`FaceTrack.box_at` searches a track's whole list of detections; here each track's
    frame numbers are indexed once and ``box_at`` is asked of the two detections around the
    frame, so a long track costs the same per frame as a short one.
    """

    def __init__(
        self,
        decisions: Sequence[tuple[FaceTrack, BlurDecision]],
        settings: BlurSettings,
        preview: bool,
    ) -> None:
        self.settings = settings
        self.preview = preview
        entries = []
        for track, decision in decisions:
            # Released people left visible matter to a render too: margins keep clear of them.
            if not track.detections or not (decision.blur or decision.released or preview):
                continue
            reach = settings.padding if decision.blur else 0
            frames = [frame for frame, _box in track.detections]
            entries.append((track.first_frame - reach, track.last_frame + reach, track, decision,
                            frames))  # fmt: skip
        self.entries = sorted(entries, key=lambda entry: entry[0])
        self._next = 0  # the first entry not yet started
        self._active: list = []
        self._last = None

    def _local(self, frame_number: int) -> list[tuple[FaceTrack, BlurDecision]]:
        """The tracks that reach ``frame_number``, each cut to the detections around it.

        Frames are asked for in order; the tracks are swept once (asking for an earlier
        frame starts the sweep again)."""
        if self._last is not None and frame_number < self._last:
            self._next, self._active = 0, []
        self._last = frame_number
        while self._next < len(self.entries) and self.entries[self._next][0] <= frame_number:
            self._active.append(self.entries[self._next])
            self._next += 1
        self._active = [entry for entry in self._active if entry[1] >= frame_number]
        local = []
        for _start, _end, track, decision, frames in self._active:
            index = bisect.bisect_left(frames, frame_number)
            nearby = track.detections[max(0, index - 1) : index + 1]
            local.append((FaceTrack(track.first_frame, track.last_frame, nearby, id=track.id),
                          decision))  # fmt: skip
        return local

    def boxes(self, frame_number: int) -> list:
        """Grown boxes to hide, or for a preview ``(box, label, blur)`` to draw."""
        local = self._local(frame_number)
        if not local:
            return []
        sizes = (self.settings.margin, self.settings.padding, self.settings.unsure_margin)
        if self.preview:
            return labelled_boxes_for_frame(frame_number, local, *sizes)
        return boxes_for_frame(frame_number, local, *sizes)


# --- decoding, conformed to the clip's rate ---------------------------------------------------


def _frame_seconds(frame) -> Fraction | None:
    if frame.pts is None or frame.time_base is None:
        return None
    return frame.pts * Fraction(frame.time_base.numerator, frame.time_base.denominator)


def _slot(seconds: Fraction, rate: Fraction, vfr: bool) -> int:
    position = seconds * rate
    if vfr:
        return math.ceil(position - VFR_SLACK)
    return round(position)


def conformed_frames(
    container, stream, info: MediaInfo, first: int, end: int, *, what: str
) -> Iterator[tuple[int, object]]:
    """``(frame number, PyAV frame)`` for every frame number in ``[first, end)``, in order.

    See the module docs for how frames map to frame numbers.  A frame may be yielded for
    several numbers (VFR, or a held last frame).  When ``first`` is not 0 it seeks to the
    keyframe before it, and decodes from the start when the seek lands too late.  Raises
    :class:`MediaError` when the source decodes short of ``end``.
    """
    time_base = Fraction(stream.time_base.numerator, stream.time_base.denominator)
    origin = stream.start_time * time_base if stream.start_time is not None else None
    if first > 0 and origin is not None:
        target = origin + Fraction(first - 1) / info.rate
        container.seek(int(target / time_base), stream=stream, backward=True, any_frame=False)
        frames = _decoded(container, stream, what)
        try:
            head = next(frames)
        except StopIteration:
            head = None
        if (
            head is not None
            and head[0] is not None
            and _slot(head[0] - origin, info.rate, info.vfr) <= first
        ):
            yield from _conform(_chain(head, frames), origin, info, first, end, time_base, what)
            return
        frames.close()
        container.seek(stream.start_time or 0, stream=stream, backward=True, any_frame=False)
    yield from _conform(
        _decoded(container, stream, what), origin, info, first, end, time_base, what
    )


def _decoded(container, stream, what: str) -> Iterator[tuple[Fraction | None, object]]:
    """``(seconds, frame)`` of each decoded frame; decoding errors as :class:`MediaError`."""
    import av

    count = 0
    try:
        for frame in container.decode(stream):
            count += 1
            yield _frame_seconds(frame), frame
    except av.error.FFmpegError as error:
        raise MediaError(
            f"{what}: decoding failed after {count} frames ({error})",
            hint="check that the clip plays; copy it again from the card",
        ) from error


def _conform(frames, origin, info: MediaInfo, first: int, end: int, time_base, what: str):
    rate, vfr = info.rate, info.vfr
    held = None  # the latest frame so far: shown at every number until a later one starts
    held_duration = 0
    number = first
    slot = None
    for seconds, frame in frames:
        if origin is None:
            origin = seconds if seconds is not None else Fraction(0)
        if seconds is None:  # no timestamp: the next frame number
            slot = 0 if slot is None else slot + 1
        else:
            slot = _slot(seconds - origin, rate, vfr)
        if held is None:
            held = frame  # the first frame also stands for any numbers before it
        while number < min(slot, end):
            yield number, held
            number += 1
        if number >= end:
            return
        held, held_duration = frame, frame.duration or 0
    if held is None:
        raise MediaError(f"{what}: no video frames could be decoded")
    # The last frame is shown until the clip ends; a VFR frame may be long.
    allowed = FRAME_TOLERANCE
    if vfr and held_duration:
        allowed += math.ceil(held_duration * time_base * rate)
    if end - number > allowed:
        raise MediaError(
            f"{what}: the source ends at frame {number}, before frame {end}; it is damaged "
            "or shorter than its index says",
            hint="copy it again from the card and check it with btslog probe",
        )
    while number < end:
        yield number, held
        number += 1


def _i420(frame, width: int, height: int) -> np.ndarray:
    """The frame as an I420 array ``(H * 3 / 2) x W`` (converted only when not 4:2:0 8-bit)."""
    if frame.width != width or frame.height != height:
        raise MediaError(
            f"the picture changes size mid-clip ({frame.width}x{frame.height}, "
            f"not {width}x{height}); btslog cannot place face boxes in it"
        )
    if frame.format.name in ("yuv420p", "yuvj420p"):
        return frame.to_ndarray()
    color_range = frame.color_range if frame.color_range in _RANGES else None
    return frame.reformat(
        format="yuv420p", src_color_range=color_range, dst_color_range=color_range
    ).to_ndarray()


def _color_args(frame, packed: bool) -> tuple[list[str], list[str]]:
    """(input options, output options) that carry the source's colour description.

    None for a ``packed`` (BGR) render: ffmpeg converts that picture to YUV with its own
    defaults, which the source's tags would misdescribe.
    """
    input_args: list[str] = []
    output_args: list[str] = []
    if packed:
        return input_args, output_args
    color_range = _RANGES.get(frame.color_range)
    if frame.format.name.startswith("yuvj"):
        color_range = "pc"
    if color_range:
        input_args += ["-color_range", color_range]
        output_args += ["-color_range", color_range]
    for option, table, value in (
        ("-colorspace", _MATRICES, frame.colorspace),
        ("-color_primaries", _PRIMARIES, frame.color_primaries),
        ("-color_trc", _TRANSFERS, frame.color_trc),
    ):
        if value in table:
            # On both sides: an input left untagged is taken as BT.601 and converted to what
            # the output says, shifting every colour (and costing a swscale pass per frame).
            input_args += [option, table[value]]
            output_args += [option, table[value]]
    return input_args, output_args


# --- the ffmpeg command -----------------------------------------------------------------------


def _file(path: Path) -> str:
    """An ffmpeg URL for a local path: ``file:`` so no name is read as a protocol."""
    return "file:" + Path(path).absolute().as_posix()


def _rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def start_timecode(info: MediaInfo, first: int = 0) -> str:
    """The timecode of frame ``first`` of the clip (``;`` before the frames if drop-frame)."""
    from btslog.timecode import format_timecode, frames_per_day

    label = (info.start_frame + first) % frames_per_day(info.rate, info.drop_frame)
    return format_timecode(label, info.rate, info.drop_frame)


def audio_args(
    source: Path,
    info: MediaInfo,
    output: Path,
    *,
    audio_offset: Fraction,
    length: int,
    whole: bool,
    settings: BlurSettings,
) -> tuple[list[str], list[str], str]:
    """(extra inputs, output options, what is done) for the source's audio streams.

    ``audio_offset`` is where the render starts in the source file's own timeline (seconds
    after the file's start); the audio is taken from there so it stays in sync.  It is
    copied when the whole clip is rendered, starts with the file and the container takes the
    codec; otherwise it is encoded to AAC.
    """
    if not info.audio:
        return [], [], "none"
    inputs: list[str] = []
    if audio_offset > AUDIO_ALIGNED:
        inputs += ["-ss", f"{float(audio_offset):.6f}"]
    if not whole:
        inputs += ["-t", f"{float(Fraction(length) / info.rate):.6f}"]
    inputs += ["-i", _file(source)]
    copyable = COPYABLE_AUDIO.get(Path(output).suffix.lower(), set())
    copy = (
        whole
        and audio_offset <= AUDIO_ALIGNED
        and all(stream.codec in copyable for stream in info.audio)
    )
    args = ["-map", "1:a?"]
    if copy:
        args += ["-c:a", "copy"]
        return inputs, args, "copy"
    args += ["-c:a", "aac"]
    for number, stream in enumerate(info.audio):
        bitrate = settings.audio_bitrate_per_channel * max(1, min(stream.channels or 2, 8))
        args += [f"-b:a:{number}", str(bitrate)]
    return inputs, args, "aac"


# --- hashes and the manifest ------------------------------------------------------------------


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _decision_record(track: FaceTrack, decision: BlurDecision, settings, first, end) -> dict:
    record = {
        "track_id": decision.track_id if decision.track_id is not None else track.id,
        "person": decision.person,
        "blur": decision.blur,
        "reason": decision.reason,
        "frames": [track.first_frame, track.last_frame],
        "detections": len(track.detections),
    }
    if decision.blur:
        reach = settings.padding
        hidden_first = max(first, track.first_frame - reach)
        hidden_last = min(end - 1, track.last_frame + reach)
        record["hidden_frames"] = (
            [hidden_first - first, hidden_last - first] if hidden_first <= hidden_last else None
        )
    if decision.extra:
        record["extra"] = decision.extra
    return record


def check_output(output: Path) -> None:
    """Refuse an ``output`` a render cannot be written to: not .mp4/.m4v/.mov, a folder, or
    the manifest of another render."""
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InvalidInput(
            f"{output}: btslog renders to {', '.join(OUTPUT_SUFFIXES)} files",
            hint="name the output e.g. making_of.mp4",
        )
    resolved = output.resolve()
    if resolved == manifest_path(output).resolve() or resolved.is_dir():
        raise InvalidInput(f"{output}: is a folder or the manifest of another render")


def _check_paths(source: Path, output: Path) -> None:
    if not source.is_file():
        raise MediaError(
            f"{source}: no such file", hint="check the path and that the drive is mounted"
        )
    check_output(output)
    if output.resolve() == source.resolve():
        raise MediaError(
            f"{source}: refusing to render over the original",
            hint="choose another output path; originals are never modified",
        )


def render_blurred(
    source: Path,
    info: MediaInfo,
    tracks_and_decisions: Sequence[tuple[FaceTrack, BlurDecision]],
    output: Path,
    *,
    preview: bool = False,
    style: str | None = None,
    settings: BlurSettings | Mapping | None = None,
    progress: ProgressCallback | None = None,
    segment: tuple[int, int] | None = None,
    policy: str | None = None,
    model_hashes: Mapping[str, str] | None = None,
    source_xxh64: str | None = None,
    lossless: bool = False,
) -> dict:
    """Render ``source`` to ``output`` with every track decided ``blur`` hidden.

    ``info`` is the probe of ``source``; ``tracks_and_decisions`` pairs each face track of
    the clip with its :class:`BlurDecision` (tracks left visible are listed too: the manifest
    records every decision).  ``settings`` is a :class:`BlurSettings`, or a table laid over
    ``presets/blur.toml`` (a project's ``[consent]`` table, see :func:`load_settings`), or
    ``None`` for the shipped defaults; ``style`` overrides its style.  ``preview=True``
    hides nothing and outlines every track instead (red: will be blurred, green: left
    visible) -- for checking tracks, never for handing out.
    ``segment=(in_frame, out_frame)`` (out exclusive, clip frame numbers) renders only that
    range; its output starts at the timecode of ``in_frame``.  ``progress(done, total)`` is
    called as frames are encoded; an exception it raises (KeyboardInterrupt) stops the render.
    ``policy`` (the consent policy's name) and ``model_hashes`` (name -> sha256 of each face
    model used to find and identify the tracks) go into the manifest; ``source_xxh64`` saves
    hashing the source again when the caller knows it.

    ``lossless=True`` writes an intermediate for a later encode instead of a file to hand
    out: picture only (no audio), x264 lossless (``-qp 0``, preset ultrafast: every frame
    the pipe carries comes back bit for bit), no fast start; ``btslog render`` cuts use it
    for segments that need blurring (:mod:`btslog.ops.render`).

    Returns the manifest (also written to :func:`manifest_path`).  Raises
    :class:`~btslog.errors.BtslogError` subclasses; on any failure nothing is left behind.
    """
    import av

    from btslog import __version__
    from btslog.clock import now_iso
    from btslog.media import ffmpeg

    source, output = Path(source), Path(output)
    if not isinstance(settings, BlurSettings):
        settings = load_settings(settings)
    settings = settings.with_style(style)
    _check_paths(source, output)
    first, end = segment if segment is not None else (0, info.duration_frames)
    if not (isinstance(first, int) and isinstance(end, int) and 0 <= first < end
            <= info.duration_frames):  # fmt: skip
        raise InvalidInput(
            f"{source.name}: segment {first}-{end} is not within the clip's "
            f"{info.duration_frames} frames",
            hint="give in and out frames with in < out <= the clip's length",
        )
    decisions = list(tracks_and_decisions)
    check_decisions(decisions)
    plan = FramePlan(decisions, settings, preview)
    what = f"the {'preview' if preview else 'blurred'} render of {source.name}"
    total = end - first
    width, height = info.width, info.height
    packed = width % 2 == 1 or height % 2 == 1  # 4:2:0 needs even sizes: pad a BGR picture
    stat = source.stat()
    source_record = {"path": str(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if source_xxh64 is None:
        from btslog.ingest.hashing import xxh64_file

        source_xxh64 = xxh64_file(source)
    source_record["xxh64"] = source_xxh64

    try:
        container = av.open(str(source), metadata_errors="replace")
    except (av.error.FFmpegError, OSError) as error:
        raise MediaError(f"{source}: cannot be opened for rendering ({error})") from error
    manifest: dict = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(container)
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        frames = conformed_frames(container, stream, info, first, end, what=what)
        stack.callback(frames.close)  # before the container closes
        try:
            first_number, first_frame = next(frames)
        except StopIteration:  # pragma: no cover - conformed_frames yields or raises
            raise MediaError(f"{what}: no frames") from None
        input_args, color_output = _color_args(first_frame, packed)
        rotation = int(getattr(first_frame, "rotation", 0) or 0) % 360
        if rotation:
            input_args += ["-display_rotation", str(rotation), "-noautorotate"]
        time_base = Fraction(stream.time_base.numerator, stream.time_base.denominator)
        video_origin = stream.start_time * time_base if stream.start_time is not None else 0
        file_start = Fraction(container.start_time or 0, 1_000_000)
        audio_offset = max(Fraction(0), video_origin - file_start) + Fraction(first) / info.rate
        try:
            partial = stack.enter_context(ffmpeg.atomic_output(output))
            partial_manifest = stack.enter_context(ffmpeg.atomic_output(manifest_path(output)))
        except OSError as error:
            raise MediaError(
                f"{output}: cannot write there ({error.strerror or error})",
                hint="check that the folder exists and you may write to it",
            ) from error
        if lossless:
            extra_inputs, audio_output, audio_mode = [], ["-an"], "none"
        else:
            extra_inputs, audio_output, audio_mode = audio_args(
                source, info, output, audio_offset=audio_offset, length=total,
                whole=segment is None or (first == 0 and end == info.duration_frames),
                settings=settings,
            )  # fmt: skip
        filters = []
        if packed:
            filters.append("pad=ceil(iw/2)*2:ceil(ih/2)*2")
        sar = stream.codec_context.sample_aspect_ratio
        if sar is not None and sar > 0 and sar != 1:
            filters.append(f"setsar={sar.numerator}/{sar.denominator}")
        start_tc = start_timecode(info, first)
        args = ["-map", "0:v:0", *audio_output]
        if filters:
            args += ["-vf", ",".join(filters)]
        quality = (["-preset", "ultrafast", "-qp", "0"] if lossless
                   else ["-preset", settings.preset, "-crf", str(settings.crf)])  # fmt: skip
        args += [
            "-c:v", "libx264", *quality,
            "-pix_fmt", "yuv420p", "-r", _rate_text(info.rate), *color_output,
            "-metadata", f"timecode={start_tc}",
        ]  # fmt: skip
        if info.reel:
            args += ["-metadata:s:v:0", f"reel_name={info.reel}"]
        if not lossless:
            args += ["-movflags", "+faststart"]
        args += ["-f", "mov" if output.suffix.lower() == ".mov" else "mp4", _file(partial)]
        writer = ffmpeg.FrameWriter(
            width=width, height=height, rate=_rate_text(info.rate), args=args, what=what,
            pix_fmt="bgr24" if packed else "yuv420p", extra_inputs=extra_inputs,
            input_args=input_args,
        )  # fmt: skip
        frames_with_boxes = 0
        # OpenCV's thread pool only adds hand-offs for regions this small; ffmpeg has the cores
        with writer, single_threaded_cv2(), _Feeder(writer) as feeder:
            for number, frame in _chain((first_number, first_frame), frames):
                boxes = plan.boxes(number)
                if boxes:
                    picture = _picture(frame, width, height, packed)
                    if preview and packed:
                        draw_preview(picture, boxes, settings, in_place=True)
                    elif preview:
                        picture = draw_preview_i420(picture, boxes, settings)
                    elif packed:
                        blur_regions(picture, boxes, settings=settings, in_place=True)
                    else:
                        blur_regions_i420(picture, boxes, settings=settings, in_place=True)
                    frames_with_boxes += 1
                    feeder.put([picture])
                else:
                    feeder.put(_untouched(frame, width, height, packed))
                if progress is not None:
                    progress(number - first + 1, total)
        if not partial.is_file() or partial.stat().st_size == 0:
            raise MediaError(f"{what}: ffmpeg wrote no output")
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "btslog_version": __version__,
            "created": now_iso(),
            "preview": preview,
            "lossless": lossless,
            "source": source_record,
            "output": {
                "path": str(output),
                "sha256": _sha256(partial),
                "size": partial.stat().st_size,
            },
            "rate": _rate_text(info.rate),
            "drop_frame": info.drop_frame,
            "frames": total,
            "segment": [first, end],
            "start_timecode": start_tc,
            "audio": audio_mode,
            "policy": policy,
            "blur": settings.describe(),
            "frames_with_boxes": frames_with_boxes,
            "decisions": [
                _decision_record(track, decision, settings, first, end)
                for track, decision in decisions
            ],
            "models": dict(model_hashes or {}),
        }
        partial_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _chain(head, rest):
    yield head
    yield from rest


class _Feeder:
    """Writes frames into the encoder from a thread, so decoding the next frames goes on
    while a write waits for ffmpeg (a pipe holds 64 KB; a 1080p frame is 3 MB).

    At most ``depth`` frames wait in between.  An error in the thread (ffmpeg failed) is
    raised by the next :meth:`put` or on leaving the block; an error in the block stops the
    thread (the writer's exit kills ffmpeg, which ends a write in progress).
    """

    def __init__(self, writer, depth: int = 4) -> None:
        import queue
        import threading

        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="btslog-encode-feed", daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def _run(self) -> None:
        while True:
            buffers = self.queue.get()
            if buffers is None or self.stopping:
                return
            try:
                self.writer.write_buffers(buffers)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                self.error = error
                return

    def put(self, buffers: list) -> None:
        import queue

        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put(buffers, timeout=0.2)
                return
            except queue.Full:
                if not self.thread.is_alive() and self.error is None:
                    raise MediaError(f"{self.writer.what}: the encoder feed stopped") from None

    def __exit__(self, exc_type, exc, tb) -> None:
        import queue

        if exc_type is not None:
            self.stopping = True
            with contextlib.suppress(queue.Full):
                self.queue.put_nowait(None)
            return  # the writer's exit kills ffmpeg; the thread ends with its write
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.2)
                break
            except queue.Full:
                continue
        self.thread.join()
        if self.error is not None:
            raise self.error


def _untouched(frame, width: int, height: int, packed: bool) -> list:
    """The buffers of a frame passed through as decoded: its planes themselves when they
    hold no row padding (no copy at all), else one converted array."""
    if (
        not packed
        and frame.format.name in ("yuv420p", "yuvj420p")
        and frame.width == width
        and frame.height == height
        and all(plane.line_size == plane.width for plane in frame.planes)
    ):
        return list(frame.planes)
    return [_picture(frame, width, height, packed)]


def _picture(frame, width: int, height: int, packed: bool):
    """A private, writable copy of the frame: I420, or BGR when ``packed``."""
    if packed:
        import numpy as np

        return np.array(frame.to_ndarray(format="bgr24"))  # a private copy to draw on
    return _i420(frame, width, height)


def _video_stream(container):
    for stream in container.streams.video:
        if stream.disposition & getattr(stream.disposition.__class__, "attached_pic", 0):
            continue
        return stream
    raise MediaError(f"{container.name}: has no video stream")
