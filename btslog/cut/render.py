"""Rendering a cut, as pure functions: presets, the timeline, and the ffmpeg commands.

Nothing here touches a file, the database or ffmpeg; :mod:`btslog.ops.render` gathers the
clips, consent decisions and blurred intermediates, runs the commands and writes the manifest.

**Presets** (``presets/render.toml``, one table per preset; a project lays its own
``[render.presets.NAME]`` tables over them) resolve to a :class:`RenderPreset`: output size,
exact rate, fit, codecs, loudness target, titles, labels, timecode burn-in and crossfade.

**One ffmpeg command** renders the whole cut: every segment is its own input, opened with an
input ``-ss`` shortly before its in point and a ``-t`` a little past its out point, and its
picture goes through one chain:

1. ``setpts`` puts each frame on the clip's own timeline (seconds from the clip's first
   frame, which is where :mod:`btslog.faces.render` counts frames from too), then
   ``fps=<clip rate>`` conforms it to the clip's rate -- a CFR frame lands on the slot nearest
   its timestamp (``round=near``), and for a VFR clip slot ``n`` shows the frame being shown
   at ``n / rate`` with a tenth of a frame of slack (the timestamps are moved a tenth of a
   frame earlier and rounded up), exactly as the blurred render conforms -- so after
   ``trim=start_pts=IN:end_pts=OUT`` frame ``n`` of the segment *is* frame ``IN + n`` of
   every frame number btslog stores for the clip;
2. scaled to the preset's size keeping the display aspect ratio (pixel aspect and rotation
   included, sizes computed by ffmpeg from the decoded picture: :func:`fit_filters`): ``pad``
   letterboxes or pillarboxes in black, ``cover`` scales until the frame is covered and
   crops the centre;
3. the source clip's time-of-day timecode (drawtext ``timecode=`` from the in point's
   label, counting the clip's own frames at its own rate, drop-frame written with ``;``)
   and the lower-third label are burned in while the frames are still the clip's own;
4. ``fps=<preset rate>`` (only when the rates differ): output frame ``j`` shows the clip
   frame being shown at ``j / rate`` (``round=up``), so a segment's first output frame is
   always its in frame; then ``tpad`` (holding the last frame at most a frame or two, for a
   source that ends a frame short of its index) and ``trim=end_frame`` fix the segment at
   exactly :func:`output_frames` frames; ``setpts``/``settb`` restart its clock at zero.

A segment that shows a face to blur reads its picture from a lossless intermediate of the
segment instead (already conformed, frame 0 = the in frame) and its sound from the original.
(The blurred render pads a picture of odd width or height with one black column or row; that
line stays, a fraction of a pixel once scaled.)

Each segment's sound is taken from the same input, put on the same timeline and then moved
so that the in point is at zero, resampled to 48 kHz stereo (``aresample`` with
``first_pts=0`` fills a late start with silence and drops what lies before the in point),
and cut or padded to exactly the samples its frames last -- counted from the cumulative
output frame position, so sound never drifts from picture over a long cut.  A clip without
sound gets silence.  Segments are joined by ``concat``, or by ``xfade``/``acrossfade`` when
the preset (or ``--crossfade``) asks for dissolves: each dissolve overlaps the two segments by
its length, so the cut is shorter by the sum of the overlaps (:class:`Timeline`).  The title
card comes first, joined by a plain cut.

**Loudness** is normalised in two passes.  :func:`measure_argv` is an audio-only command that
assembles the same sound and reads it with an EBU R128 meter (``ebur128``, true peak on).
:func:`plan_gain` turns the reading into one linear gain for the whole cut (so it lands on
the preset's integrated loudness, as loudnorm's linear mode would) and, only when that gain
would take the true peak over the limit (:data:`TRUE_PEAK_MARGIN` under the preset's), a
limiter at 192 kHz (so peaks between samples are caught) with its look-ahead delay
compensated; :func:`render_argv` applies both in the final encode.  ffmpeg's ``loudnorm`` is
not used: below three seconds of sound, or when it falls back to its dynamic mode, it misses
the target by several LU.  :func:`check_argv` reads the written file with the same meter
(:mod:`btslog.ops.render` corrects what the encoder changed; see there).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from fractions import Fraction
from pathlib import Path

from btslog.errors import InvalidInput, TimecodeError

PRESET_FILE = "render.toml"
FITS = ("pad", "cover")
CONTAINERS = ("mp4", "mov")
VIDEO_CODECS = ("libx264", "prores_ks")
AUDIO_CODECS = ("aac", "pcm_s16le", "pcm_s24le")
SUFFIXES = {"mp4": (".mp4", ".m4v", ".mov"), "mov": (".mov",)}
SAMPLE_RATE = 48_000
CHANNEL_LAYOUT = "stereo"
# Seconds of the source decoded before the in point and after the out point: room for the
# conform to find the frame shown at the in point (a VFR frame may start well before it).
SEEK_MARGIN = Fraction(1, 2)
# VFR: a frame stamped up to this fraction of a frame after a slot still counts as shown in
# it (the same slack as btslog.faces.render).
VFR_SLACK = Fraction(1, 10)
# A source may decode this many frames short of its index; the last frame is held.
FRAME_TOLERANCE = 1
VFR_TOLERANCE = 3
# A measured loudness below this is silence: nothing to normalise.
SILENCE_LUFS = -70.0
# dB under the preset's true peak that the limiter aims at: resampling to 48 kHz and the
# encoder may raise peaks a little (a lossy encoder sometimes by more: see ops.render).
TRUE_PEAK_MARGIN = 0.3
MIN_LIMIT = -24.0  # dBTP: the lowest limit alimiter takes
# The loudness meter: EBU R128 with true peak, no per-frame log (its summary is read).
METER = "ebur128=peak=true:framelog=quiet"
PRESET_HINT = "see presets/render.toml for the keys a preset takes"


# --- presets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderPreset:
    """A render target, resolved: exact rate, sizes in pixels, durations in output frames."""

    name: str
    width: int
    height: int
    rate: Fraction
    description: str = ""
    fit: str = "pad"
    container: str = "mp4"
    video_codec: str = "libx264"
    x264_preset: str = "medium"
    crf: int = 18
    profile: str | None = None
    pix_fmt: str = "yuv420p"
    keyframe_seconds: int = 2
    audio_codec: str = "aac"
    audio_bitrate: int = 192_000
    loudness: float = -16.0
    true_peak: float = -1.0
    title_frames: int = 0
    labels: bool = True
    label_frames: int = 0  # 0: the whole segment
    timecode: bool = False
    crossfade_frames: int = 0
    start_timecode: str | None = None

    @property
    def suffixes(self) -> tuple[str, ...]:
        return SUFFIXES[self.container]

    def describe(self) -> dict:
        """The resolved values (for the manifest)."""
        values = asdict(self)
        values["rate"] = rate_text(self.rate)
        return values


# Keys a preset table takes, with the type TOML gives them.
_KEYS: dict[str, type | tuple[type, ...]] = {
    "description": str, "width": int, "height": int, "rate": (str, int, float), "fit": str,
    "container": str, "video_codec": str, "x264_preset": str, "crf": int,
    "profile": (str, int), "pix_fmt": str, "keyframe_seconds": int, "audio_codec": str,
    "audio_bitrate": int, "loudness": (int, float), "true_peak": (int, float),
    "title_seconds": (str, int, float), "labels": bool,
    "label_seconds": (str, int, float), "timecode": bool, "crossfade": (str, int, float),
    "start_timecode": str,
}  # fmt: skip
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow", "placebo")  # fmt: skip


def preset_names(presets: Mapping[str, Mapping]) -> list[str]:
    return sorted(name for name, table in presets.items() if isinstance(table, Mapping))


def resolve_preset(
    presets: Mapping[str, Mapping], name: str, *, crossfade: str | None = None
) -> RenderPreset:
    """The preset ``name`` of ``presets`` (shipped tables with the project's laid over them).

    ``crossfade`` (``"0.5s"``, ``"12f"``) overrides the preset's.  Raises
    :class:`InvalidInput` for an unknown preset (listing those there are) and for any value
    that cannot be used, naming the preset and the key.
    """
    names = preset_names(presets)
    table = presets.get(name)
    if not isinstance(table, Mapping):
        raise InvalidInput(
            f"no render preset {name!r}",
            hint="presets: " + ", ".join(names) + "; a project adds its own in btslog.toml as "
            "[render.presets.NAME]",
        )
    where = f"render preset {name!r}"
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise InvalidInput(f"{where}: unknown key {', '.join(map(repr, unknown))}",
                           hint=PRESET_HINT)  # fmt: skip
    for key, value in table.items():
        kind = _KEYS[key]
        wrong_bool = isinstance(value, bool) and kind is not bool
        if wrong_bool or not isinstance(value, kind):
            raise InvalidInput(f"{where}: {key} = {value!r} is not of the right type",
                               hint=PRESET_HINT)  # fmt: skip
    for key in ("width", "height", "rate"):
        if key not in table:
            raise InvalidInput(f"{where}: {key} is missing", hint=PRESET_HINT)
    from btslog.timecode import parse_rate

    try:
        rate = parse_rate(str(table["rate"]))
    except TimecodeError as error:
        raise InvalidInput(f"{where}: rate: {error.message}", hint=error.hint) from None

    def frames(key: str, default: str) -> int:
        return _duration_frames(table.get(key, default), rate, where, key)

    values = {key: table[key] for key in table if key in {f.name for f in fields(RenderPreset)}}
    if "profile" in values:
        values["profile"] = str(values["profile"])
    values["loudness"] = float(values.get("loudness", -16.0))
    values["true_peak"] = float(values.get("true_peak", -1.0))
    preset = RenderPreset(
        **{**values, "name": name, "rate": rate},
        title_frames=frames("title_seconds", "3s"),
        label_frames=frames("label_seconds", "4s"),
        crossfade_frames=(frames("crossfade", "0s") if crossfade is None
                          else _duration_frames(crossfade, rate, "--crossfade", "")),
    )  # fmt: skip
    _check_preset(preset, where)
    return preset


def _duration_frames(value, rate: Fraction, where: str, key: str) -> int:
    from btslog.timecode import parse_duration

    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value}s"  # a bare number in TOML is seconds
    try:
        return parse_duration(text, rate)
    except TimecodeError:
        label = f"{where}: {key}" if key else where
        raise InvalidInput(
            f"{label} {value!r} is not a length", hint='write seconds ("0.5s") or frames ("12f")'
        ) from None


def _check_preset(preset: RenderPreset, where: str) -> None:
    problems = []
    for key in ("width", "height"):
        value = getattr(preset, key)
        if not 16 <= value <= 8192 or value % 2:
            problems.append(f"{key} {value} is not an even number of pixels from 16 to 8192")
    if not 1 <= preset.rate <= 240:
        problems.append(f"rate {rate_text(preset.rate)} is not between 1 and 240 fps")
    choices = (("fit", FITS), ("container", CONTAINERS), ("video_codec", VIDEO_CODECS),
               ("audio_codec", AUDIO_CODECS))  # fmt: skip
    for key, allowed in choices:
        if getattr(preset, key) not in allowed:
            problems.append(f"{key} {getattr(preset, key)!r} is not one of {', '.join(allowed)}")
    if preset.video_codec == "libx264":
        if preset.x264_preset not in X264_PRESETS:
            problems.append(f"x264_preset {preset.x264_preset!r} is not an x264 preset")
        if not 0 <= preset.crf <= 51:
            problems.append(f"crf {preset.crf} is not between 0 and 51")
        if preset.pix_fmt not in ("yuv420p", "yuv422p", "yuv444p"):
            problems.append(f"pix_fmt {preset.pix_fmt!r} is not yuv420p, yuv422p or yuv444p")
    if preset.video_codec == "prores_ks":
        if preset.container != "mov":
            problems.append("ProRes is written to mov only")
        if (preset.profile or "3") not in ("0", "1", "2", "3", "4", "5"):
            problems.append(f"ProRes profile {preset.profile!r} is not 0-5 (3 is 422 HQ)")
        if preset.pix_fmt not in ("yuv422p10le", "yuv444p10le", "yuva444p10le"):
            problems.append(f"pix_fmt {preset.pix_fmt!r} is not a ProRes format (yuv422p10le)")
    if preset.audio_codec.startswith("pcm") and preset.container != "mov":
        problems.append("PCM audio is written to mov only")
    if not -70 <= preset.loudness <= -5:
        problems.append(f"loudness {preset.loudness} is not between -70 and -5 LUFS")
    if not -9 <= preset.true_peak <= 0:
        problems.append(f"true_peak {preset.true_peak} is not between -9 and 0 dBTP")
    if not 1 <= preset.keyframe_seconds <= 60:
        problems.append(f"keyframe_seconds {preset.keyframe_seconds} is not between 1 and 60")
    if preset.audio_bitrate < 32_000:
        problems.append(f"audio_bitrate {preset.audio_bitrate} is below 32000")
    if preset.start_timecode is not None:
        from btslog.timecode import parse_timecode, supports_drop_frame

        try:
            parse_timecode(preset.start_timecode, preset.rate,
                           None if supports_drop_frame(preset.rate) else False)  # fmt: skip
        except TimecodeError as error:
            problems.append(f"start_timecode: {error.message}")
    if problems:
        raise InvalidInput(f"{where}: " + "; ".join(problems), hint=PRESET_HINT)


# --- the timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentSource:
    """One segment of the cut as the command reads it (gathered by :mod:`btslog.ops.render`).

    ``video_offset``: seconds from the start of the file (as ffmpeg counts ``-ss``) to the
    clip's first video frame.  ``blurred``: a lossless intermediate of frames
    ``[in_frame, out_frame)`` with faces hidden, read instead of the source's picture.
    """

    path: Path
    rate: Fraction
    vfr: bool
    in_frame: int
    out_frame: int  # exclusive
    video_offset: Fraction
    has_audio: bool
    start_frame: int = 0  # the clip's start timecode, as a label count
    drop_frame: bool = False
    label: str = ""
    blurred: Path | None = None

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame


def output_frames(frames: int, source_rate: Fraction, rate: Fraction) -> int:
    """Frames at ``rate`` that ``frames`` frames at ``source_rate`` last (nearest, at least 1)."""
    if source_rate == rate:
        return frames
    return max(1, math.floor(Fraction(frames) * rate / source_rate + Fraction(1, 2)))


def samples_at(frame: int, rate: Fraction) -> int:
    """The audio sample (48 kHz) where output frame ``frame`` starts."""
    return math.floor(Fraction(frame) * SAMPLE_RATE / rate + Fraction(1, 2))


@dataclass(frozen=True)
class Timeline:
    """Where everything lands in the output, in output frames at ``rate``.

    ``starts[i]``/``lengths[i]``: first output frame and length of segment ``i``;
    ``overlaps[i]``: the dissolve between segments ``i`` and ``i + 1`` (0: a cut).  A dissolve
    is never longer than half of either segment.  ``total`` = ``title`` + sum(lengths) -
    sum(overlaps).
    """

    rate: Fraction
    title: int
    lengths: tuple[int, ...]
    overlaps: tuple[int, ...]
    starts: tuple[int, ...] = field(init=False)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        starts, position = [], self.title
        for index, length in enumerate(self.lengths):
            if index:
                position -= self.overlaps[index - 1]
            starts.append(position)
            position += length
        object.__setattr__(self, "starts", tuple(starts))
        object.__setattr__(self, "total", position)

    def samples(self, index: int) -> int:
        """48 kHz samples of segment ``index``'s sound, counted from where its frames would
        sit with no dissolves (so sound never drifts from picture)."""
        before = self.title + sum(self.lengths[:index])
        after = before + self.lengths[index]
        return samples_at(after, self.rate) - samples_at(before, self.rate)

    def overlap_samples(self, index: int) -> int:
        """Samples the sound of segments ``index`` and ``index + 1`` overlap by: chosen so
        that, after every dissolve so far, each segment's sound starts on the sample where its
        first frame starts."""

        def cumulative(join: int) -> int:
            if join < 0:
                return 0
            end = self.title + sum(self.lengths[: join + 1])
            overlapped = sum(self.overlaps[: join + 1])
            return samples_at(end, self.rate) - samples_at(end - overlapped, self.rate)

        return cumulative(index) - cumulative(index - 1)


def plan_timeline(preset: RenderPreset, sources: Sequence[SegmentSource], *,
                  titles: bool) -> Timeline:  # fmt: skip
    """The timeline of a render of ``sources`` with ``preset`` (``titles``: the title card)."""
    lengths = tuple(output_frames(source.frames, source.rate, preset.rate) for source in sources)
    overlaps = tuple(
        min(preset.crossfade_frames, lengths[index] // 2, lengths[index + 1] // 2)
        for index in range(len(lengths) - 1)
    )
    title = preset.title_frames if titles else 0
    return Timeline(preset.rate, title, lengths, overlaps)


# --- filters ---------------------------------------------------------------------------------


def rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def _seconds(value: Fraction) -> str:
    """Seconds as ffmpeg reads them: a decimal with nine places (nanoseconds)."""
    from btslog.timecode import format_seconds

    return format_seconds(value, 9)


def _filter(name: str, **options: object) -> str:
    """``name=key=value:...`` with every value escaped (``None`` left out)."""
    from btslog.media.proxy import filter_value

    pairs = [f"{key}={filter_value(str(value))}" for key, value in options.items()
             if value is not None]  # fmt: skip
    return f"{name}={':'.join(pairs)}" if pairs else name


@dataclass(frozen=True)
class TextSizes:
    """Sizes of titles and burned-in text in output pixels, from the output's short side."""

    heading: int
    subheading: int
    label: int
    timecode: int
    border: int
    margin: int


def text_sizes(width: int, height: int) -> TextSizes:
    short = min(width, height)
    label = max(10, round(short / 24))
    return TextSizes(
        heading=max(14, round(short / 12)),
        subheading=max(10, round(short / 24)),
        label=label,
        timecode=max(12, round(short / 20)),
        border=max(2, label // 4),
        margin=max(4, round(short / 30)),
    )


def _fitting(size: int, text: str, edge: int) -> str:
    """A font size expression: ``size``, shrunk so ``text`` fits the width less ``edge``."""
    from btslog.media.proxy import MONO_ADVANCE

    return f"max(8,min({size},(w-{2 * edge})/({MONO_ADVANCE}*{max(1, len(text))})))"


def _drawtext(
    font: Path, size: int | str, sizes: TextSizes, *, box: str = "black@0.6", **options: object
) -> str:
    return _filter(
        "drawtext", fontfile=font.as_posix(), fontsize=size, fontcolor="white", box=1,
        boxcolor=box, boxborderw=sizes.border, y_align="font", text_shaping=0, **options,
    )  # fmt: skip


def label_text(kind: str, scene: str | None, take: str | None, camera: str | None,
               timecode: str) -> str:  # fmt: skip
    """The lower third: ``take  sc 12 tk 3  cam A  14:03:18:05``."""
    from btslog.media.proxy import clean_label

    parts = [kind]
    if scene:
        parts.append(f"sc {scene}" + (f" tk {take}" if take else ""))
    elif take:
        parts.append(f"tk {take}")
    if camera:
        parts.append(f"cam {camera}")
    parts.append(timecode)
    return clean_label("  ".join(parts))


def fit_filters(preset: RenderPreset) -> list[str]:
    """Scale any picture to the preset's frame keeping its display aspect ratio (its pixel
    aspect ratio included; ffmpeg has already turned a rotated picture upright), then pad
    (letterbox or pillarbox, centred, black) or crop (centred) to the frame exactly.

    Sizes are computed by ffmpeg from the picture it decodes, so no stored rotation or pixel
    aspect tag can make a segment come out at another size.  A picture already at the
    preset's size with square pixels passes through unchanged.
    """
    width, height = preset.width, preset.height
    wider = f"gt(iw*sar/ih,{width}/{height})"
    if preset.fit == "pad":
        scaled = (f"if({wider},{width},min({width},2*round({height}*iw*sar/ih/2)))",
                  f"if({wider},min({height},2*round({width}*ih/(iw*sar)/2)),{height})")  # fmt: skip
        fitted = _filter("pad", w=width, h=height, x="(ow-iw)/2", y="(oh-ih)/2", color="black")
    else:
        scaled = (f"if({wider},max({width},2*ceil({height}*iw*sar/ih/2)),{width})",
                  f"if({wider},{height},max({height},2*ceil({width}*ih/(iw*sar)/2)))")  # fmt: skip
        fitted = _filter("crop", w=width, h=height, x="(iw-ow)/2", y="(ih-oh)/2")
    return [_filter("scale", w=scaled[0], h=scaled[1], flags="bicubic"), "setsar=1", fitted]


def _segment_video(index: int, input_pad: str, source: SegmentSource, preset: RenderPreset,
                   length: int, *, titles: bool, font: Path) -> str:  # fmt: skip
    """The chain of one segment's picture, from the input pad to ``[v<index>]``."""
    rate = source.rate
    steps = []
    if source.blurred is None:
        margin = _margin_frames(source)
        shift = Fraction(source.in_frame - margin) / rate
        if source.vfr:
            shift -= VFR_SLACK / rate
        steps.append(f"setpts=PTS+{_seconds(shift)}/TB")
        steps.append(_filter("fps", fps=rate_text(rate), round="up" if source.vfr else "near"))
        steps.append(_filter("trim", start_pts=source.in_frame, end_pts=source.out_frame))
    else:
        steps.append("setpts=PTS-STARTPTS")
        steps.append(_filter("fps", fps=rate_text(rate), round="near"))
        steps.append(_filter("trim", end_frame=source.frames))
    steps.append("setpts=PTS-STARTPTS")
    steps += fit_filters(preset)
    steps.append(_filter("format", pix_fmts=preset.pix_fmt))
    sizes = text_sizes(preset.width, preset.height)
    edge = sizes.margin + sizes.border
    timecode_band = 0
    if preset.timecode:
        from btslog.timecode import format_timecode

        start = format_timecode(source.start_frame + source.in_frame, rate, source.drop_frame)
        steps.append(_drawtext(font, sizes.timecode, sizes, box="black", x="(w-text_w)/2",
                               y=f"h-text_h-{edge}", timecode=start,
                               timecode_rate=rate_text(rate), tc24hmax=1))  # fmt: skip
        timecode_band = sizes.timecode + 2 * sizes.border + sizes.margin
    if titles and preset.labels and source.label:
        enable = None
        if preset.label_frames:
            shown = math.ceil(Fraction(preset.label_frames) * rate / preset.rate)
            enable = f"lt(n,{shown})"
        steps.append(_drawtext(font, _fitting(sizes.label, source.label, edge), sizes,
                               x=str(edge), y=f"h-text_h-{edge + timecode_band}",
                               text=source.label, expansion="none", enable=enable))  # fmt: skip
    if rate != preset.rate:
        steps.append(_filter("fps", fps=rate_text(preset.rate), round="up"))
    tolerance = VFR_TOLERANCE if source.vfr else FRAME_TOLERANCE
    steps.append(_filter("tpad", stop_mode="clone", stop=tolerance))
    steps.append(_filter("trim", end_frame=length))
    steps.append("setpts=PTS-STARTPTS")
    steps.append(_filter("settb", expr=rate_text(1 / preset.rate)))
    return f"{input_pad}" + ",".join(steps) + f"[v{index}]"


def _margin_frames(source: SegmentSource) -> int:
    """Frames decoded before the in point (half a second after the out point)."""
    return min(source.in_frame, math.ceil(SEEK_MARGIN * source.rate))


def _segment_audio(index: int, input_pad: str | None, source: SegmentSource,
                   samples: int) -> str:  # fmt: skip
    """The chain of one segment's sound (silence when ``input_pad`` is None) to ``[a<index>]``."""
    fmt = _filter("aformat", sample_fmts="fltp", sample_rates=SAMPLE_RATE,
                  channel_layouts=CHANNEL_LAYOUT)  # fmt: skip
    if input_pad is None:
        head = _filter("anullsrc", r=SAMPLE_RATE, cl=CHANNEL_LAYOUT)
        steps = [fmt, _filter("atrim", end_sample=samples)]
        return head + "," + ",".join(steps) + f"[a{index}]"
    margin = _margin_frames(source)
    steps = [
        # the in point at zero: what lies before it is negative, and dropped by aresample
        f"asetpts=PTS-{_seconds(Fraction(margin) / source.rate)}/TB",
        _filter("aresample", osr=SAMPLE_RATE, first_pts=0, min_hard_comp="0.02"),
        fmt,
        _filter("atrim", end_sample=samples),
        _filter("apad", whole_len=samples),
        "asetpts=PTS-STARTPTS",
    ]
    return input_pad + ",".join(steps) + f"[a{index}]"


def _title_chains(preset: RenderPreset, frames: int, heading: str, subheading: str,
                  font: Path, bold: Path) -> list[str]:  # fmt: skip
    from btslog.media.proxy import clean_label

    sizes = text_sizes(preset.width, preset.height)
    edge = sizes.margin
    heading, subheading = clean_label(heading), clean_label(subheading)
    seconds = Fraction(frames + 1) / preset.rate
    steps = [
        _filter("color", c="black", s=f"{preset.width}x{preset.height}",
                r=rate_text(preset.rate), d=_seconds(seconds)),
        _filter("format", pix_fmts=preset.pix_fmt),
    ]  # fmt: skip
    if heading:
        steps.append(_filter("drawtext", fontfile=bold.as_posix(),
                             fontsize=_fitting(sizes.heading, heading, edge), fontcolor="white",
                             x="(w-text_w)/2", y="(h/2)-text_h", text=heading,
                             expansion="none", text_shaping=0))  # fmt: skip
    if subheading:
        steps.append(_filter("drawtext", fontfile=font.as_posix(),
                             fontsize=_fitting(sizes.subheading, subheading, edge),
                             fontcolor="0xBBBBBB", x="(w-text_w)/2",
                             y=f"(h/2)+{sizes.subheading}", text=subheading,
                             expansion="none", text_shaping=0))  # fmt: skip
    steps += [_filter("trim", end_frame=frames), "setpts=PTS-STARTPTS",
              _filter("settb", expr=rate_text(1 / preset.rate)), "setsar=1"]  # fmt: skip
    samples = samples_at(frames, preset.rate)
    audio = [_filter("anullsrc", r=SAMPLE_RATE, cl=CHANNEL_LAYOUT),
             _filter("aformat", sample_fmts="fltp", sample_rates=SAMPLE_RATE,
                     channel_layouts=CHANNEL_LAYOUT),
             _filter("atrim", end_sample=samples)]  # fmt: skip
    return [",".join(steps) + "[vt]", ",".join(audio) + "[at]"]


@dataclass(frozen=True)
class Title:
    """The opening title card: the cut's name over the project's."""

    heading: str
    subheading: str = ""


@dataclass(frozen=True)
class Loudness:
    """Sound as a meter reads it (``ebur128``): integrated loudness (LUFS), true peak (dBTP)."""

    integrated: float
    true_peak: float

    @property
    def silent(self) -> bool:
        return not self.integrated > SILENCE_LUFS


@dataclass(frozen=True)
class Gain:
    """How the sound is normalised: one linear gain for the whole cut (dB) and, only where
    that gain would take a peak over it, a true-peak limit (dBTP) for a limiter working at
    four times the sample rate."""

    gain: float
    limit: float | None = None

    def describe(self) -> str:
        text = f"linear gain {self.gain:+.2f} dB"
        if self.limit is not None:
            text += f", true-peak limiter at {self.limit:.2f} dBTP"
        return text


def plan_gain(preset: RenderPreset, measured: Loudness, *, gain: float | None = None,
              limit: float | None = None) -> Gain | None:  # fmt: skip
    """The gain that brings ``measured`` to the preset's loudness (or ``gain``), limited at
    ``limit`` (default: :data:`TRUE_PEAK_MARGIN` under the preset's true peak) where the
    peaks would pass it; None for silence (nothing to normalise)."""
    if measured.silent:
        return None
    gain = preset.loudness - measured.integrated if gain is None else gain
    limit = max(MIN_LIMIT, preset.true_peak - TRUE_PEAK_MARGIN if limit is None else limit)
    needs_limit = measured.true_peak + gain > limit
    return Gain(round(gain, 2), round(limit, 2) if needs_limit else None)


def _file(path: Path) -> str:
    """An ffmpeg URL for a local path: ``file:`` so no name is read as a protocol."""
    return "file:" + Path(path).absolute().as_posix()


def _inputs(sources: Sequence[SegmentSource], *, video: bool) -> tuple[list[str], list, list]:
    """(input arguments, video input pad per segment, audio input pad or None per segment)."""
    args: list[str] = []
    video_pads: list[str | None] = []
    audio_pads: list[str | None] = []
    count = 0
    for source in sources:
        margin = _margin_frames(source)
        seek = source.video_offset + Fraction(source.in_frame - margin) / source.rate
        span = Fraction(margin + source.frames + math.ceil(SEEK_MARGIN * source.rate)) / source.rate
        original = ["-ss", _seconds(seek), "-t", _seconds(span), "-i", _file(source.path)]
        video_pad = audio_pad = None
        if video and source.blurred is not None:
            args += ["-i", _file(source.blurred)]
            video_pad = f"[{count}:v:0]"
            count += 1
            if source.has_audio:
                args += original
                audio_pad = f"[{count}:a:0]"
                count += 1
        elif video or source.has_audio:
            args += original
            video_pad = f"[{count}:v:0]" if video else None
            audio_pad = f"[{count}:a:0]" if source.has_audio else None
            count += 1
        video_pads.append(video_pad)
        audio_pads.append(audio_pad)
    return args, video_pads, audio_pads


def _join(timeline: Timeline, count: int, *, video: bool) -> tuple[list[str], str, str | None]:
    """Chains joining ``[v<i>]``/``[a<i>]`` (and ``[vt]``/``[at]``) into one picture and sound:
    (chains, video pad, audio pad)."""
    chains: list[str] = []
    title = timeline.title > 0
    if not any(timeline.overlaps):
        pads = ["[vt][at]"] if title and video else ["[at]"] if title else []
        pads += [f"[v{i}][a{i}]" if video else f"[a{i}]" for i in range(count)]
        total = len(pads)
        outputs = "[vcat][acat]" if video else "[acat]"
        chains.append("".join(pads) + f"concat=n={total}:v={int(video)}:a=1{outputs}")
        return chains, "[vcat]", "[acat]"
    video_pad, audio_pad = "[v0]", "[a0]"
    length = timeline.lengths[0]
    rate = timeline.rate
    for index in range(1, count):
        overlap = timeline.overlaps[index - 1]
        new_video, new_audio = f"[vx{index}]", f"[ax{index}]"
        if overlap:
            if video:
                offset = Fraction(length - overlap) / rate
                chains.append(f"{video_pad}[v{index}]" + _filter(
                    "xfade", transition="fade", duration=_seconds(Fraction(overlap) / rate),
                    offset=_seconds(offset)) + new_video)  # fmt: skip
            samples = timeline.overlap_samples(index - 1)
            chains.append(f"{audio_pad}[a{index}]" + _filter(
                "acrossfade", ns=samples, c1="tri", c2="tri") + new_audio)  # fmt: skip
        else:
            if video:
                chains.append(f"{video_pad}[v{index}]concat=n=2:v=1:a=0{new_video}")
            chains.append(f"{audio_pad}[a{index}]concat=n=2:v=0:a=1{new_audio}")
        video_pad, audio_pad = new_video, new_audio
        length += timeline.lengths[index] - overlap
    if title:
        if video:
            chains.append(f"[vt][at]{video_pad}{audio_pad}concat=n=2:v=1:a=1[vcat][acat]")
        else:
            chains.append(f"[at]{audio_pad}concat=n=2:v=0:a=1[acat]")
        return chains, "[vcat]", "[acat]"
    return chains, video_pad, audio_pad


def _audio_only_title(preset: RenderPreset, frames: int) -> str:
    samples = samples_at(frames, preset.rate)
    return ",".join([_filter("anullsrc", r=SAMPLE_RATE, cl=CHANNEL_LAYOUT),
                     _filter("aformat", sample_fmts="fltp", sample_rates=SAMPLE_RATE,
                             channel_layouts=CHANNEL_LAYOUT),
                     _filter("atrim", end_sample=samples)]) + "[at]"  # fmt: skip


def _sound_only(preset: RenderPreset, sources: Sequence[SegmentSource], timeline: Timeline,
                tail: str) -> tuple[list[str], str]:  # fmt: skip
    """(inputs, graph) of the cut's sound alone, assembled as the render assembles it, then
    ``tail`` (filters) into ``[aout]``."""
    args, _video, audio_pads = _inputs(sources, video=False)
    chains = []
    if timeline.title:
        chains.append(_audio_only_title(preset, timeline.title))
    for index, source in enumerate(sources):
        chains.append(_segment_audio(index, audio_pads[index], source, timeline.samples(index)))
    joined, _vpad, audio_pad = _join(timeline, len(sources), video=False)
    chains += joined
    chains.append(f"{audio_pad}{tail}[aout]")
    return args, ";".join(chains)


def measure_argv(preset: RenderPreset, sources: Sequence[SegmentSource],
                 timeline: Timeline) -> list[str]:  # fmt: skip
    """The first loudness pass: only the sound, assembled as the render assembles it, read by
    an EBU R128 meter (``ebur128``, true peak on) whose summary goes to stderr
    (:func:`parse_ebur128`); nothing is written."""
    args, graph = _sound_only(preset, sources, timeline, METER)
    return ["-loglevel", "info", "-nostats", *args, "-filter_complex", graph,
            "-map", "[aout]", "-f", "null", "-"]  # fmt: skip


def sound_argv(preset: RenderPreset, sources: Sequence[SegmentSource], timeline: Timeline,
               output: Path, *, gain: Gain | None) -> list[str]:  # fmt: skip
    """The cut's sound alone, normalised with ``gain``, as 32-bit float WAV at 48 kHz (for
    :func:`remux_argv`, when a render's loudness must be set right)."""
    args, graph = _sound_only(preset, sources, timeline, ",".join(_sound_tail(gain)))
    return ["-loglevel", "error", *args, "-filter_complex", graph, "-map", "[aout]",
            "-c:a", "pcm_f32le", "-f", "wav", _file(output)]  # fmt: skip


def remux_argv(render: Path, sound: Path, output: Path, preset: RenderPreset, *,
               metadata_title: str = "") -> list[str]:  # fmt: skip
    """``render``'s picture (copied, not encoded again) with ``sound`` encoded as the preset
    says, to ``output``."""
    audio = encode_args(preset)
    audio = audio[audio.index("-c:a") :]
    argv = ["-loglevel", "error", "-i", _file(render), "-i", _file(sound), "-map", "0:v:0",
            "-map", "1:a:0", "-map_metadata", "0", "-c:v", "copy", *audio]  # fmt: skip
    return argv + _output_tail(preset, output, metadata_title)


def check_argv(path: Path) -> list[str]:
    """Reads a file's sound with the meter :func:`measure_argv` uses."""
    return ["-loglevel", "info", "-nostats", "-i", _file(path), "-map", "0:a:0",
            "-filter:a", METER, "-f", "null", "-"]  # fmt: skip


def parse_ebur128(stderr: str) -> Loudness:
    """The meter's summary (the last in ``stderr``) as :class:`Loudness`."""
    import re

    at = stderr.rfind("Summary:")
    summary = stderr[at:] if at >= 0 else ""
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise ValueError("no ebur128 summary")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


def _sound_tail(gain: Gain | None) -> list[str]:
    """From the assembled sound to the encoder: the gain, the limiter (at 192 kHz so peaks
    between samples are caught; its look-ahead delay compensated, so sync is kept), 48 kHz
    stereo."""
    audio = []
    if gain is not None:
        audio.append(_filter("volume", volume=f"{gain.gain:.2f}dB"))
        if gain.limit is not None:
            audio += [_filter("aresample", osr=4 * SAMPLE_RATE),
                      _filter("alimiter", limit=f"{10 ** (gain.limit / 20):.6f}", attack=5,
                              release=50, level="false", latency="true")]  # fmt: skip
    audio += [
        _filter("aresample", osr=SAMPLE_RATE),
        _filter("aformat", sample_rates=SAMPLE_RATE, channel_layouts=CHANNEL_LAYOUT),
    ]
    return audio


def filter_graph(preset: RenderPreset, sources: Sequence[SegmentSource], timeline: Timeline,
                 *, title: Title | None, gain: Gain | None, video_pads: Sequence[str | None],
                 audio_pads: Sequence[str | None]) -> str:  # fmt: skip
    """The ``-filter_complex`` graph of the render; its outputs are ``[vout]`` and ``[aout]``."""
    from btslog.media.proxy import font_path

    font, bold = font_path(), font_path(bold=True)
    chains = []
    if timeline.title:
        chains += _title_chains(preset, timeline.title, title.heading if title else "",
                                title.subheading if title else "", font, bold)  # fmt: skip
    for index, source in enumerate(sources):
        chains.append(_segment_video(index, video_pads[index], source, preset,
                                     timeline.lengths[index], titles=title is not None,
                                     font=font))  # fmt: skip
        chains.append(_segment_audio(index, audio_pads[index], source, timeline.samples(index)))
    joined, video_pad, audio_pad = _join(timeline, len(sources), video=True)
    chains += joined
    chains.append(f"{video_pad}null[vout]")
    chains.append(audio_pad + ",".join(_sound_tail(gain)) + "[aout]")
    return ";".join(chains)


def encode_args(preset: RenderPreset) -> list[str]:
    """Codec options of the output (video, then audio)."""
    from btslog.timecode import nominal_fps

    if preset.video_codec == "prores_ks":
        video = ["-c:v", "prores_ks", "-profile:v", preset.profile or "3", "-vendor", "apl0",
                 "-pix_fmt", preset.pix_fmt]  # fmt: skip
    else:
        video = ["-c:v", "libx264", "-preset", preset.x264_preset, "-crf", str(preset.crf),
                 "-pix_fmt", preset.pix_fmt,
                 "-g", str(nominal_fps(preset.rate) * preset.keyframe_seconds)]  # fmt: skip
        if preset.profile:
            video += ["-profile:v", preset.profile]
    audio = ["-c:a", preset.audio_codec]
    if preset.audio_codec == "aac":
        audio += ["-b:a", str(preset.audio_bitrate)]
    audio += ["-ar", str(SAMPLE_RATE), "-ac", "2"]
    return video + audio


def render_argv(
    preset: RenderPreset,
    sources: Sequence[SegmentSource],
    timeline: Timeline,
    output: Path,
    *,
    title: Title | None,
    gain: Gain | None,
    metadata_title: str = "",
) -> list[str]:
    """The ffmpeg arguments (without the binary) that render the cut to ``output``.

    ``title`` None: no title card and no labels (the cut's ``titles`` option off).
    ``gain``: the loudness normalisation (:func:`plan_gain`; None for silence).
    """
    args, video_pads, audio_pads = _inputs(sources, video=True)
    graph = filter_graph(preset, sources, timeline, title=title, gain=gain,
                         video_pads=video_pads, audio_pads=audio_pads)  # fmt: skip
    argv = ["-loglevel", "error", *args, "-filter_complex", graph,
            "-map", "[vout]", "-map", "[aout]", "-map_metadata", "-1", "-map_chapters", "-1",
            "-fps_mode", "cfr", "-r", rate_text(preset.rate), *encode_args(preset)]  # fmt: skip
    return argv + _output_tail(preset, output, metadata_title)


def _output_tail(preset: RenderPreset, output: Path, metadata_title: str) -> list[str]:
    argv = []
    if metadata_title:
        argv += ["-metadata", f"title={metadata_title}"]
    if preset.start_timecode:
        argv += ["-timecode", preset.start_timecode]
    if preset.video_codec == "libx264":
        argv += ["-movflags", "+faststart"]  # plays while it downloads
    muxer = "mov" if Path(output).suffix.lower() == ".mov" else preset.container
    return [*argv, "-f", muxer, _file(output)]


def with_graph_file(argv: list[str], path: Path) -> list[str]:
    """``argv`` with its filter graph read from ``path`` (where the caller wrote it): a long
    cut's graph can exceed what one command-line argument may hold."""
    index = argv.index("-filter_complex")
    return [*argv[:index], "-/filter_complex", path.as_posix(), *argv[index + 2 :]]
