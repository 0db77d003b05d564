"""Render one synthetic clip from a :class:`ClipSpec` and say exactly what is in it.

Frames are composed with numpy/OpenCV and encoded in-process with PyAV (H.264 + AAC, BT.709,
QuickTime timecode track from the stream's ``timecode`` tag).  A variable-frame-rate clip gets
its own presentation timestamps (time base 1/600, as phones write): jitter of a few ticks and
a few dropped frames.  The file is written under a temporary name and renamed only when
complete.  The returned :class:`ClipTruth` is computed from the same transforms that drew the
frames, so face boxes, clap frames and speech ranges are exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from btslog.errors import InvalidInput
from btslog.samples import audio as sound
from btslog.samples import faces as heads
from btslog.samples import picture
from btslog.samples.spec import SAMPLE_RATE, ClipSpec, FaceKey, FaceTrack
from btslog.samples.truth import ClipTruth, face_entry, pixel_edge

VFR_TIME_BASE = Fraction(1, 600)
VFR_JITTER_TICKS = 3
SILENCE_MIN_SAMPLES = SAMPLE_RATE // 2  # room tone only, at least half a second
X264_THREADS = 2  # fixed, so the bitstream does not depend on the machine's core count
CONTAINERS = {".mp4": "mp4", ".mov": "mov"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Timeline:
    """When each decoded frame is shown: ``pts`` in ``time_base`` units, ``nominal`` index."""

    pts: tuple[int, ...]
    time_base: Fraction
    nominal: tuple[int, ...]

    def time(self, index: int) -> Fraction:
        return self.pts[index] * self.time_base

    def frame_at(self, seconds: Fraction) -> int | None:
        """The decoded frame on screen at ``seconds`` (None before the first one)."""
        target = Fraction(seconds)
        low, high = 0, len(self.pts)
        while low < high:
            middle = (low + high) // 2
            if self.time(middle) <= target:
                low = middle + 1
            else:
                high = middle
        return low - 1 if low else None


def clap_frames(spec: ClipSpec) -> list[int]:
    """Nominal frame index whose interval holds each clap instant."""
    return [math.floor(clap.time * spec.rate) for clap in spec.claps]


def make_timeline(spec: ClipSpec) -> Timeline:
    rate = Fraction(spec.rate)
    if not spec.vfr:
        frames = tuple(range(spec.frames))
        return Timeline(pts=frames, time_base=1 / rate, nominal=frames)
    rng = np.random.default_rng(sound.stable_seed("vfr", spec.seed, spec.frames))
    # Frames around a clap keep their nominal time (rounded down to the tick) and are never
    # dropped, so the flash frame is the nominal frame holding the clap instant.
    steady: set[int] = {0, 1, spec.frames - 1}
    for frame in clap_frames(spec):
        if 0 <= frame < spec.frames:
            steady.update(range(frame - 3, frame + 4))
    candidates = [index for index in range(spec.frames) if index not in steady]
    drop_count = min(len(candidates) // 40, max(1, spec.frames // 90))
    dropped: set[int] = set()
    if drop_count and candidates:
        spread = np.linspace(0, len(candidates) - 1, drop_count + 2)[1:-1]
        for position in spread:
            shift = int(rng.integers(-5, 6))
            dropped.add(candidates[int(min(max(position + shift, 0), len(candidates) - 1))])
    pts: list[int] = []
    nominal: list[int] = []
    for index in range(spec.frames):
        jitter = int(rng.integers(-VFR_JITTER_TICKS, VFR_JITTER_TICKS + 1))
        if index in dropped:
            continue
        exact = Fraction(index) / rate / VFR_TIME_BASE
        tick = math.floor(exact) if index in steady else round(exact) + jitter
        if pts and tick <= pts[-1]:
            tick = pts[-1] + 1
        pts.append(tick)
        nominal.append(index)
    return Timeline(pts=tuple(pts), time_base=VFR_TIME_BASE, nominal=tuple(nominal))


def interpolate_keys(keys: tuple[FaceKey, ...], time: float) -> tuple[float, float, float]:
    """Face centre and width at ``time``: a Catmull-Rom curve through the keys."""
    if time <= keys[0].time or len(keys) == 1:
        key = keys[0]
        return key.x, key.y, key.width
    if time >= keys[-1].time:
        key = keys[-1]
        return key.x, key.y, key.width
    index = max(i for i in range(len(keys) - 1) if keys[i].time <= time)
    k0, k1 = keys[index], keys[index + 1]
    span = k1.time - k0.time
    u = (time - k0.time) / span

    def values(key: FaceKey) -> np.ndarray:
        return np.array([key.x, key.y, key.width])

    def tangent(i: int) -> np.ndarray:
        before = keys[max(i - 1, 0)]
        after = keys[min(i + 1, len(keys) - 1)]
        if after.time == before.time:
            return np.zeros(3)
        return (values(after) - values(before)) / (after.time - before.time) * span

    p0, p1, m0, m1 = values(k0), values(k1), tangent(index), tangent(index + 1)
    h00 = 2 * u**3 - 3 * u**2 + 1
    h10 = u**3 - 2 * u**2 + u
    h01 = -2 * u**3 + 3 * u**2
    h11 = u**3 - u**2
    result = h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1
    return float(result[0]), float(result[1]), max(float(result[2]), 1e-4)


def _portrait(track: FaceTrack) -> str | Path:
    if track.portrait is not None:
        return track.portrait
    if track.identity in heads.DEFAULT_PORTRAITS:
        return heads.DEFAULT_PORTRAITS[track.identity]
    raise InvalidInput(
        f"face track {track.identity!r} names no portrait",
        hint="set FaceTrack.portrait to 'astronaut', 'grace_hopper' or a photo path",
    )


@dataclass(frozen=True)
class Placement:
    identity: str
    sprite: heads.Sprite
    scale: float
    offset_x: float
    offset_y: float
    box: tuple[float, float, float, float]  # the face rectangle in the frame (continuous)


def place_faces(spec: ClipSpec, sprites: list[heads.Sprite], time: float) -> list[Placement]:
    placements = []
    for track, sprite in zip(spec.faces, sprites, strict=True):
        x, y, width = interpolate_keys(track.keys, time)
        sx1, sy1, sx2, sy2 = sprite.face
        scale = width * spec.width / (sx2 - sx1)
        offset_x = x * spec.width - scale * (sx1 + sx2) / 2
        offset_y = y * spec.height - scale * (sy1 + sy2) / 2
        box = (
            scale * sx1 + offset_x,
            scale * sy1 + offset_y,
            scale * sx2 + offset_x,
            scale * sy2 + offset_y,
        )
        placements.append(Placement(track.identity, sprite, scale, offset_x, offset_y, box))
    return placements


def _pan_at(spec: ClipSpec, time: float) -> float:
    if not spec.pan:
        return 0.25
    times = [key[0] for key in spec.pan]
    values = [key[1] for key in spec.pan]
    if time <= times[0]:
        return values[0]
    if time >= times[-1]:
        return values[-1]
    index = max(i for i in range(len(times) - 1) if times[i] <= time)
    u = (time - times[index]) / (times[index + 1] - times[index])
    u = u * u * (3 - 2 * u)
    return values[index] + (values[index + 1] - values[index]) * u


class Composer:
    """Draws frame ``i`` of a spec; knows which frames flash."""

    def __init__(self, spec: ClipSpec, timeline: Timeline, roll: str) -> None:
        self.spec = spec
        self.timeline = timeline
        self.roll = roll
        self.set = picture.SetPicture(spec.width, spec.height, spec.look, spec.seed)
        self.sprites = [heads.head_sprite(_portrait(track)) for track in spec.faces]
        duration = Fraction(spec.frames) / Fraction(spec.rate)
        self.covered: dict[int, tuple[float, ...]] = {}  # frame -> hidden fraction per face
        self.flash_frames: set[int] = set()
        for clap in spec.claps:
            if 0 <= clap.time < duration:
                frame = timeline.frame_at(clap.time)
                if frame is not None:
                    self.flash_frames.add(frame)

    def placements(self, index: int) -> list[Placement]:
        return place_faces(self.spec, self.sprites, float(self.timeline.time(index)))

    def frame(self, index: int) -> np.ndarray:
        time = float(self.timeline.time(index))
        if index in self.flash_frames:
            frame = np.empty((self.spec.height, self.spec.width, 3), np.uint8)
            picture.flash(frame)
            return frame
        frame = self.set.background(_pan_at(self.spec, time))
        self.set.draw_props(frame, time)
        for clap in self.spec.claps:
            if picture.slate_visible(clap, time):
                picture.draw_slate(frame, clap, time, self.roll)
        placements = self.placements(index)
        layers = []
        for placement in placements:
            picture.draw_body(frame, placement.box, placement.identity)
            head = heads.paste(
                frame, placement.sprite, placement.scale, placement.offset_x, placement.offset_y
            )
            layers.append((picture.body_ellipses(placement.box), head))
        self.covered[index] = _covered(placements, layers, self.spec.width, self.spec.height)
        return frame


def _covered(placements: list[Placement], layers: list, width: int, height: int) -> tuple:
    """For each face, the fraction of its in-frame box hidden by people drawn after it."""
    import cv2

    result = []
    for index, placement in enumerate(placements):
        x1, y1, x2, y2 = (
            pixel_edge(value, limit)
            for value, limit in zip(placement.box, (width, height, width, height), strict=True)
        )
        if x2 <= x1 or y2 <= y1 or index == len(placements) - 1:
            result.append(0.0)
            continue
        cover = np.zeros((y2 - y1, x2 - x1), np.uint8)
        for ellipses, head in layers[index + 1 :]:
            for centre, axes in ellipses:
                cv2.ellipse(cover, (centre[0] - x1, centre[1] - y1), axes, 0, 0, 360, 1, -1)
            if head is not None:
                left, top, opaque = head
                ox1, oy1 = max(x1, left), max(y1, top)
                ox2, oy2 = min(x2, left + opaque.shape[1]), min(y2, top + opaque.shape[0])
                if ox2 > ox1 and oy2 > oy1:
                    cover[oy1 - y1 : oy2 - y1, ox1 - x1 : ox2 - x1] |= opaque[
                        oy1 - top : oy2 - top, ox1 - left : ox2 - left
                    ]
        result.append(float(cover.mean()))
    return tuple(result)


def audio_samples(spec: ClipSpec) -> int:
    return round(Fraction(spec.frames) / Fraction(spec.rate) * SAMPLE_RATE)


def render_audio(spec: ClipSpec) -> np.ndarray:
    """The clip's sound: (channels, samples) float32."""
    dry = sound.mix_events(audio_samples(spec), spec.claps, spec.speech)
    return sound.microphone(dry, spec.audio, spec.audio_channels, spec.seed)


def _check(spec: ClipSpec, path: Path) -> str:
    if spec.frames <= 0:
        raise InvalidInput(f"{path.name}: a clip needs at least one frame")
    if spec.width % 2 or spec.height % 2 or spec.width < 16 or spec.height < 16:
        raise InvalidInput(f"{path.name}: frame size {spec.width}x{spec.height} must be even, 16+")
    container = spec.container or CONTAINERS.get(path.suffix.lower())
    if container not in ("mp4", "mov"):
        raise InvalidInput(
            f"{path.name}: write .mp4 or .mov clips", hint="name the file *.MP4 or *.MOV"
        )
    for track in spec.faces:
        if not track.keys:
            raise InvalidInput(f"{path.name}: face track {track.identity!r} has no keys")
    return container


def render_clip(spec: ClipSpec, path: str | Path, *, progress: Progress | None = None) -> ClipTruth:
    """Write ``path`` from ``spec`` and return its ground truth.

    ``progress(done, total)`` is called after each frame.  The file appears only when it is
    complete (see :func:`btslog.media.ffmpeg.atomic_output`).
    """
    from btslog.media.ffmpeg import atomic_output

    path = Path(path)
    container = _check(spec, path)
    timeline = make_timeline(spec)
    composer = Composer(spec, timeline, spec.roll)
    sound_data = render_audio(spec)
    with atomic_output(path) as partial:
        _encode(partial, container, spec, timeline, composer, sound_data, progress)
    return build_truth(spec, timeline, composer, path.name)


def build_truth(spec: ClipSpec, timeline: Timeline, composer: Composer, name: str) -> ClipTruth:
    rate = Fraction(spec.rate)
    samples = audio_samples(spec)
    duration = Fraction(spec.frames) / rate

    def frame_floor(seconds: Fraction) -> int:
        return min(max(math.floor(seconds * rate), 0), spec.frames)

    def frame_ceil(seconds: Fraction) -> int:
        return min(max(math.ceil(seconds * rate), 0), spec.frames)

    claps = []
    for clap in spec.claps:
        if not 0 <= clap.time < duration:
            continue
        entry = {
            "scene": clap.scene,
            "take": clap.take,
            "frame": math.floor(clap.time * rate),
            "time": str(Fraction(clap.time)),
            "seconds": round(float(clap.time), 6),
            "sample": sound.seconds_to_samples(clap.time),
        }
        if spec.vfr:
            entry["decoded_frame"] = timeline.frame_at(clap.time)
        claps.append(entry)
    takes = []
    for take in spec.takes:
        if take.end <= 0 or take.start >= duration:
            continue
        takes.append(
            {
                "scene": take.scene,
                "take": take.take,
                "in_frame": frame_floor(take.start),
                "out_frame": frame_ceil(take.end),
                "clap_frame": math.floor(take.clap * rate) if 0 <= take.clap < duration else None,
                "start_seconds": round(float(max(take.start, 0)), 6),
                "end_seconds": round(float(min(take.end, duration)), 6),
                "complete": bool(take.start >= 0 and take.end <= duration),
            }
        )
    speech = []
    sounding: list[tuple[int, int]] = [
        (
            sound.seconds_to_samples(clap.time),
            sound.seconds_to_samples(clap.time) + round(sound.CLAP_LENGTH_SECONDS * SAMPLE_RATE),
        )
        for clap in spec.claps
    ]
    for passage in sorted(spec.speech, key=lambda item: item.start):
        begin = max(sound.seconds_to_samples(passage.start), 0)
        end = min(sound.seconds_to_samples(passage.end), samples)
        if end <= begin:
            continue
        sounding.append((begin, end))
        speech.append(
            {
                "speaker": passage.speaker,
                "kind": passage.kind,
                "in_frame": frame_floor(Fraction(begin, SAMPLE_RATE)),
                "out_frame": frame_ceil(Fraction(end, SAMPLE_RATE)),
                "start_sample": begin,
                "end_sample": end,
                "start_seconds": round(begin / SAMPLE_RATE, 6),
                "end_seconds": round(end / SAMPLE_RATE, 6),
                "partial": bool(passage.start < 0 or passage.end * SAMPLE_RATE > samples),
            }
        )
    silences = []
    cursor = 0
    clipped = [(max(b, 0), min(e, samples)) for b, e in sounding if min(e, samples) > max(b, 0)]
    for begin, end in sorted(clipped) + [(samples, samples)]:
        if begin - cursor >= SILENCE_MIN_SAMPLES:
            silences.append(
                {
                    "in_frame": frame_ceil(Fraction(cursor, SAMPLE_RATE)),
                    "out_frame": frame_floor(Fraction(begin, SAMPLE_RATE)),
                    "start_sample": cursor,
                    "end_sample": begin,
                    "start_seconds": round(cursor / SAMPLE_RATE, 6),
                    "end_seconds": round(begin / SAMPLE_RATE, 6),
                }
            )
        cursor = max(cursor, end)
    faces = []
    for index in range(len(timeline.pts)):
        if index in composer.flash_frames:
            faces.append([])
            continue
        entries = []
        placements = composer.placements(index)
        covered = composer.covered.get(index) or (0.0,) * len(placements)
        for placement, hidden in zip(placements, covered, strict=True):
            entry = face_entry(placement.identity, placement.box, spec.width, spec.height, hidden)
            if entry is not None:
                entries.append(entry)
        faces.append(entries)
    return ClipTruth(
        name=name,
        width=spec.width,
        height=spec.height,
        rate=rate,
        drop_frame=spec.drop_frame,
        vfr=spec.vfr,
        frames=spec.frames,
        decoded_frames=len(timeline.pts),
        start_tc=spec.start_tc,
        time_base=timeline.time_base if spec.vfr else None,
        frame_pts=timeline.pts if spec.vfr else None,
        sample_rate=SAMPLE_RATE,
        audio_channels=spec.audio_channels,
        audio_samples=samples,
        claps=tuple(claps),
        takes=tuple(takes),
        speech=tuple(speech),
        silences=tuple(silences),
        faces=tuple(tuple(entries) for entries in faces),
        world_start=spec.world_start,
    )


def _encode(
    path: Path,
    container_format: str,
    spec: ClipSpec,
    timeline: Timeline,
    composer: Composer,
    sound_data: np.ndarray,
    progress: Progress | None,
) -> None:
    import av
    from av.video.reformatter import Colorspace, VideoReformatter

    container_options = {"fflags": "+bitexact"}
    if spec.vfr:
        container_options["video_track_timescale"] = str(1 / VFR_TIME_BASE)
    if any(key.startswith("com.apple.quicktime.") for key, _ in spec.metadata):
        container_options["movflags"] = "use_metadata_tags"
    output = av.open(
        str(path), mode="w", format=container_format, container_options=container_options
    )
    try:
        if spec.creation_time:
            output.metadata["creation_time"] = spec.creation_time
        for key, value in spec.metadata:
            output.metadata[key] = value
        rate = Fraction(spec.rate)
        video = output.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        video.time_base = timeline.time_base
        context = video.codec_context
        context.time_base = timeline.time_base
        context.thread_count = X264_THREADS
        context.gop_size = max(1, round(2 * rate))
        context.colorspace = context.color_primaries = context.color_trc = 1  # BT.709
        context.color_range = 1  # limited ("tv")
        video.options = {"crf": str(spec.crf), "preset": spec.preset, "profile": "high"}
        if spec.start_tc:
            video.metadata["timecode"] = spec.start_tc
        for key, value in spec.stream_metadata:
            video.metadata[key] = value
        layout = {1: "mono", 2: "stereo"}.get(spec.audio_channels, "stereo")
        sound_stream = output.add_stream("aac", rate=SAMPLE_RATE, layout=layout)
        sound_stream.bit_rate = spec.audio_bitrate
        sound_stream.codec_context.flags |= av.codec.context.Flags.bitexact

        def mux(packets) -> None:
            for packet in packets:
                output.mux(packet)

        total_samples = sound_data.shape[1]
        audio_cursor = 0
        chunk = 1024

        def encode_audio_until(sample: int) -> int:
            cursor = audio_cursor
            while cursor < min(sample, total_samples):
                block = np.ascontiguousarray(sound_data[:, cursor : cursor + chunk])
                frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
                frame.sample_rate = SAMPLE_RATE
                frame.pts = cursor
                frame.time_base = Fraction(1, SAMPLE_RATE)
                mux(sound_stream.encode(frame))
                cursor += block.shape[1]
            return cursor

        count = len(timeline.pts)
        reformatter = VideoReformatter()
        for index in range(count):
            image = composer.frame(index)
            frame = reformatter.reformat(
                av.VideoFrame.from_ndarray(image, format="rgb24"),
                format="yuv420p",
                dst_colorspace=Colorspace.ITU709,
            )
            frame.color_range = 1
            frame.pts = timeline.pts[index]
            frame.time_base = timeline.time_base
            mux(video.encode(frame))
            next_time = (
                timeline.time(index + 1) if index + 1 < count else Fraction(spec.frames) / rate
            )
            audio_cursor = encode_audio_until(math.ceil(next_time * SAMPLE_RATE))
            if progress is not None:
                progress(index + 1, count)
        audio_cursor = encode_audio_until(total_samples)
        mux(video.encode())
        mux(sound_stream.encode())
    finally:
        output.close()
