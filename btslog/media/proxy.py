"""Proxy, poster and filmstrip contact sheet of a clip, made in one decode pass.

One ffmpeg run decodes the source once, conforms it to the clip's exact rate and scales it,
then splits the picture three ways:

* **proxy**: constant-frame-rate H.264 (yuv420p, fast start) at exactly ``info.rate`` with AAC
  audio (one AAC stream per source audio stream; none when the source has none), the camera
  timecode burned in at the bottom and ``label`` at the top left, each in an opaque box, and a
  ``tmcd`` track carrying the start timecode, so NLEs and ``btslog probe`` read the start
  timecode the burn-in shows.
* **poster**: a PNG of the frame at a third of the clip, without burn-in.
* **sheet**: a PNG filmstrip of frames spread evenly over the clip, tiled in a row, each with
  its timecode burned in.

Size rule: the short side of the picture (height of a landscape frame, width of a portrait
one) becomes :attr:`ProxySettings.short_side` lines (540), never more than the source has; the
other side keeps the display aspect ratio, rounded to even, with square pixels.  ffmpeg
applies the source's rotation first, so a phone clip stored sideways comes out upright.

VFR sources are conformed to the constant rate probe chose (``info.rate``) by ffmpeg's
``fps`` filter: frames are dropped or repeated to the nearest slot, so frame ``n`` of the
proxy is frame ``n`` of every frame number btslog stores for the clip.

The burned-in timecode counts proxy frames from the clip's start timecode (drawtext
``timecode=``; drop-frame written with ``;``; wrapping at midnight).  The contact sheet's labels
are computed here with :func:`btslog.timecode.format_timecode` from the frame numbers the
sheet shows, so they are exact too.

Text is drawn with DejaVu Sans Mono, shipped in ``btslog/media/fonts`` with its license
(never a system font); a monospaced face keeps the timecode box still while digits change.
Filter values (font path, label, timecodes) are escaped for both levels of ffmpeg's filter
graph syntax by :func:`filter_value`; the label is drawn without text expansion, so ``%``
and ``\\`` are shown as typed.

This module is a job: a pure function of its inputs that returns a value.  It reads no
database and prints nothing; ffmpeg runs through :mod:`btslog.media.ffmpeg`.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from btslog.errors import FfmpegError, MediaError
from btslog.model import MediaInfo

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# DejaVu Sans Mono advances every glyph by 1233/2048 em; used to shrink a long label to fit.
MONO_ADVANCE = 0.61
ProgressCallback = Callable[[int, int], None]
# A conformed VFR clip may come out one frame shorter than probe's estimate.
FRAME_TOLERANCE = 1


@dataclass(frozen=True)
class ProxySettings:
    """How proxies, posters and contact sheets are made (one value for a whole ingest)."""

    short_side: int = 540  # lines on the short side of the proxy; smaller sources keep theirs
    preset: str = "veryfast"  # libx264 preset
    crf: int = 23  # libx264 constant quality
    keyframe_seconds: int = 1  # a keyframe every second: quick seeking in NLEs and browsers
    audio_bitrate_per_channel: int = 64_000  # AAC; 128 kb/s for stereo
    scale_flags: str = "bicubic"  # swscale algorithm for the one downscale
    poster_width: int = 480  # never wider than the proxy
    poster_position: Fraction = Fraction(1, 3)  # of the clip's length
    sheet_tiles: int = 8
    sheet_tile_width: int = 240
    text_color: str = "white"
    box_color: str = "black"  # opaque, so the burn-in is readable on any picture


@dataclass(frozen=True)
class PicturesResult:
    """What :func:`make_pictures` wrote (``None`` for an output not asked for)."""

    proxy: Path | None
    poster: Path | None
    sheet: Path | None
    frames: int  # frames in the proxy (the clip's conformed length when no proxy was made)


@dataclass(frozen=True)
class BurnIn:
    """Sizes of the burned-in text in proxy pixels, from the proxy's short side."""

    timecode_size: int
    label_size: int
    border: int  # box padding around the text
    margin: int  # from the picture edge to the box


def font_path(bold: bool = False) -> Path:
    """The TrueType font btslog draws text with (DejaVu Sans Mono, shipped with btslog)."""
    path = FONTS_DIR / ("DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf")
    if not path.is_file():
        raise MediaError(
            f"the font {path.name} is missing from {FONTS_DIR}",
            hint="reinstall btslog (pip install --force-reinstall btslog)",
        )
    return path


# --- escaping ------------------------------------------------------------------------------

_OPTION_SPECIALS = re.compile(r"[\\':]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def filter_value(text: str) -> str:
    """``text`` as one filter option value inside an ffmpeg filter graph, read back verbatim.

    ffmpeg unescapes twice: the graph parser (where ``[ ] , ;`` and quotes are special) and
    then the filter's option parser (where ``:`` separates options and ``\\`` and ``'``
    escape).  So the value is first escaped for the option parser (backslash before ``\\ ' :``
    and before whitespace at either end, which it would strip) and then single-quoted for the
    graph parser (a quote inside becomes ``'\\''``).
    """
    escaped = _OPTION_SPECIALS.sub(lambda match: "\\" + match.group(0), text)
    body = escaped.strip()
    head = escaped[: len(escaped) - len(escaped.lstrip())] if body else escaped
    tail = escaped[len(escaped.rstrip()) :] if body else ""
    escaped = "".join("\\" + char for char in head) + body + "".join("\\" + char for char in tail)
    return "'" + escaped.replace("'", "'\\''") + "'"


def _filter(name: str, **options: object) -> str:
    """``name=key=value:key=value`` with every value escaped (``None`` values left out)."""
    pairs = [
        f"{key}={filter_value(str(value))}" for key, value in options.items() if value is not None
    ]
    return f"{name}={':'.join(pairs)}" if pairs else name


def clean_label(label: str) -> str:
    """``label`` on one line: control characters (newlines, tabs) become single spaces."""
    return _CONTROL_CHARACTERS.sub(" ", label).strip()


# --- geometry and frame choice -------------------------------------------------------------


def proxy_short_side(info: MediaInfo, settings: ProxySettings = ProxySettings()) -> int:
    """Lines on the short side of the proxy: ``settings.short_side``, or the source's if less.

    Rotation swaps width and height but not the short side, so this holds for rotated
    sources too.
    """
    short = min(info.width, info.height)
    return max(2, min(settings.short_side, short) // 2 * 2)


def scale_expressions(short_side: int) -> tuple[str, str]:
    """ffmpeg ``scale`` width and height expressions for the size rule (see module docs).

    Evaluated on the decoded (already rotated) picture, using its display aspect ratio.
    """
    factor = f"min(1,{short_side}/min(iw*sar,ih))"
    return f"2*max(1,round(iw*sar*{factor}/2))", f"2*max(1,round(ih*{factor}/2))"


def burn_in_sizes(short_side: int) -> BurnIn:
    """Text sizes for a proxy whose short side is ``short_side`` (27 px timecode at 540)."""
    timecode_size = max(12, round(short_side / 20))
    return BurnIn(
        timecode_size=timecode_size,
        label_size=max(10, round(short_side / 28)),
        border=max(2, timecode_size // 5),
        margin=max(2, round(short_side / 54)),
    )


def poster_frame(duration_frames: int, settings: ProxySettings = ProxySettings()) -> int:
    """The frame the poster shows: ``settings.poster_position`` into the clip."""
    position = math.floor(duration_frames * settings.poster_position)
    return max(0, min(position, duration_frames - 1))


def sheet_frames(duration_frames: int, settings: ProxySettings = ProxySettings()) -> list[int]:
    """The frames of the contact sheet: the middles of equal parts of the clip.

    A clip shorter than the sheet shows each frame once; the rest of the strip stays black.
    """
    tiles = settings.sheet_tiles
    frames = {(2 * index + 1) * duration_frames // (2 * tiles) for index in range(tiles)}
    return sorted(frame for frame in frames if 0 <= frame < duration_frames)


def start_timecode(info: MediaInfo) -> str:
    """The clip's start timecode as written on the proxy (``;`` before frames if drop-frame)."""
    from btslog.timecode import format_timecode

    return format_timecode(info.start_frame, info.rate, info.drop_frame)


def _rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


# --- the filter graph and the command ------------------------------------------------------


def _text_filter(
    *,
    font: Path,
    size: int | str,
    burn_in: BurnIn,
    settings: ProxySettings,
    x: str,
    y: str,
    **options: object,
) -> str:
    return _filter(
        "drawtext",
        fontfile=font.as_posix(),
        fontsize=size,
        fontcolor=settings.text_color,
        box=1,
        boxcolor=settings.box_color,
        boxborderw=burn_in.border,
        y_align="font",  # the box keeps its height whatever the glyphs
        text_shaping=0,  # plain Latin text; skipping HarfBuzz saves time on every frame
        x=x,
        y=y,
        **options,
    )


def filter_graph(
    info: MediaInfo,
    *,
    proxy: bool,
    poster: bool,
    sheet: bool,
    label: str,
    settings: ProxySettings = ProxySettings(),
) -> tuple[str, dict[str, str]]:
    """The ``-filter_complex`` graph and the output pad of each picture asked for.

    Returns ``(graph, {"proxy": "[proxy]", "poster": "[poster]", "sheet": "[sheet]"})`` with
    only the outputs asked for.
    """
    wanted = [name for name, asked in (("proxy", proxy), ("poster", poster), ("sheet", sheet))
              if asked]  # fmt: skip
    if not wanted:
        raise ValueError("ask for at least one of proxy, poster and sheet")
    short_side = proxy_short_side(info, settings)
    burn_in = burn_in_sizes(short_side)
    font = font_path()
    width, height = scale_expressions(short_side)
    head = ",".join([
        _filter("fps", fps=_rate_text(info.rate)),
        _filter("scale", w=width, h=height, flags=settings.scale_flags),
        _filter("format", pix_fmts="yuv420p"),
        _filter("setsar", sar="1"),
    ])  # fmt: skip
    branches = [f"[{name}_in]" for name in wanted]
    if len(wanted) > 1:
        head += f",split={len(wanted)}" + "".join(branches)
    else:
        head += branches[0]
    chains = [f"[0:v:0]{head}"]
    pads = {name: f"[{name}]" for name in wanted}
    edge = burn_in.margin + burn_in.border
    if proxy:
        steps = [
            _text_filter(
                font=font,
                size=burn_in.timecode_size,
                burn_in=burn_in,
                settings=settings,
                x="(w-text_w)/2",
                y=f"h-text_h-{edge}",
                timecode=start_timecode(info),
                timecode_rate=_rate_text(info.rate),
                tc24hmax=1,
            )
        ]
        text = clean_label(label)
        if text:
            # Shrink a label too long for the picture so it stays whole.
            fitting = f"(w-{2 * edge})/({MONO_ADVANCE}*{len(text)})"
            steps.append(
                _text_filter(
                    font=font,
                    size=f"max(8,min({burn_in.label_size},{fitting}))",
                    burn_in=burn_in,
                    settings=settings,
                    x=str(edge),
                    y=str(edge),
                    text=text,
                    expansion="none",
                )
            )
        chains.append("[proxy_in]" + ",".join(steps) + "[proxy]")
    if poster:
        frame = poster_frame(info.duration_frames, settings)
        steps = [
            _filter("trim", start_frame=frame, end_frame=frame + 1),
            _filter("scale", w=f"min({settings.poster_width},iw)", h="-2"),
            _filter("setsar", sar="1"),
        ]
        chains.append("[poster_in]" + ",".join(steps) + "[poster]")
    if sheet:
        chains.append("[sheet_in]" + _sheet_chain(info, font, settings) + "[sheet]")
    return ";".join(chains), pads


def _sheet_chain(info: MediaInfo, font: Path, settings: ProxySettings) -> str:
    from btslog.timecode import format_timecode

    frames = sheet_frames(info.duration_frames, settings)
    tile_width = settings.sheet_tile_width
    burn_in = burn_in_sizes(tile_width // 2)
    size = max(10, round(tile_width / 15))
    select = "+".join(f"eq(n,{frame})" for frame in frames)
    steps = [
        _filter("select", expr=select),
        _filter("scale", w=tile_width, h="-2"),
        _filter("setsar", sar="1"),
    ]
    for index, frame in enumerate(frames):
        timecode = format_timecode(info.start_frame + frame, info.rate, info.drop_frame)
        steps.append(
            _text_filter(
                font=font,
                size=size,
                burn_in=burn_in,
                settings=settings,
                x="(w-text_w)/2",
                y=f"h-text_h-{burn_in.border + 2}",
                text=timecode,
                expansion="none",
                enable=f"eq(n,{index})",
            )
        )
    steps.append(_filter("tile", layout=f"{settings.sheet_tiles}x1"))
    return ",".join(steps)


def _file(path: Path) -> str:
    """An ffmpeg URL for a local path: ``file:`` so no name is read as a protocol."""
    return "file:" + Path(path).absolute().as_posix()


def pictures_argv(
    source: Path,
    info: MediaInfo,
    *,
    proxy: Path | None,
    poster: Path | None,
    sheet: Path | None,
    label: str,
    settings: ProxySettings = ProxySettings(),
) -> list[str]:
    """The ffmpeg arguments (without the binary) that write the pictures to these paths.

    Pure: no file is touched.  ``proxy``, ``poster`` and ``sheet`` are the paths ffmpeg
    writes (temporary names, when called from :func:`make_pictures`).
    """
    from btslog.timecode import nominal_fps

    graph, pads = filter_graph(
        info,
        proxy=proxy is not None,
        poster=poster is not None,
        sheet=sheet is not None,
        label=label,
        settings=settings,
    )
    args = ["-loglevel", "error", "-i", _file(source), "-filter_complex", graph]
    if proxy is not None:
        args += ["-map", pads["proxy"]]
        for stream in info.audio:
            args += ["-map", f"0:{stream.index}"]
        args += [
            "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf),
            "-pix_fmt", "yuv420p", "-g", str(nominal_fps(info.rate) * settings.keyframe_seconds),
        ]  # fmt: skip
        if info.audio:
            args += ["-c:a", "aac"]
            for number, stream in enumerate(info.audio):
                bitrate = settings.audio_bitrate_per_channel * max(1, stream.channels)
                args += [f"-b:a:{number}", str(bitrate)]
        args += ["-metadata", f"timecode={start_timecode(info)}"]
        if info.reel:
            args += ["-metadata:s:v:0", f"reel_name={info.reel}"]
        args += ["-movflags", "+faststart", _file(proxy)]
    for name, path in (("poster", poster), ("sheet", sheet)):
        if path is not None:
            args += [
                "-map", pads[name], "-fps_mode", "passthrough", "-c:v", "png",
                "-f", "image2", "-update", "1", _file(path),
            ]  # fmt: skip
    return args


# --- the job -------------------------------------------------------------------------------


def _check_paths(source: Path, outputs: Sequence[Path]) -> None:
    if not source.is_file():
        raise MediaError(
            f"{source}: no such file",
            hint="check the path and that the card or drive is mounted",
        )
    resolved_source = source.resolve()
    seen: set[Path] = set()
    for path in outputs:
        resolved = path.resolve()
        if resolved == resolved_source:
            raise MediaError(
                f"{source}: refusing to write a proxy, poster or sheet over the original",
                hint="choose another output path; originals are never modified",
            )
        if resolved in seen:
            raise MediaError(f"{path}: asked for as two different outputs")
        seen.add(resolved)


def make_pictures(
    source: Path,
    info: MediaInfo,
    *,
    proxy: Path | None,
    poster: Path | None,
    sheet: Path | None,
    label: str,
    progress: ProgressCallback | None = None,
    settings: ProxySettings = ProxySettings(),
) -> PicturesResult:
    """Write the proxy, poster and contact sheet of ``source`` in one ffmpeg run.

    ``info`` is the probe of ``source`` (:func:`btslog.media.probe.probe`); ``label`` is
    burned into the proxy (e.g. ``"A / A001 / A001C001.MP4"``).  Pass ``None`` for an output
    not wanted.  ``progress(done_frames, total_frames)`` is called while ffmpeg works.

    Every output is written under a temporary name and renamed only when ffmpeg succeeded:
    a failure or Ctrl-C leaves neither partial nor temporary files.  Raises
    :class:`~btslog.errors.MediaError` (:class:`~btslog.errors.FfmpegError` when ffmpeg fails)
    naming ``source``.
    """
    from btslog.media import ffmpeg

    source = Path(source)
    targets = {
        name: Path(path)
        for name, path in (("proxy", proxy), ("poster", poster), ("sheet", sheet))
        if path is not None
    }
    if not targets:
        raise ValueError("ask for at least one of proxy, poster and sheet")
    _check_paths(source, list(targets.values()))
    total = max(0, info.duration_frames)
    final_report: dict[str, str] = {}

    def on_report(report: dict[str, str]) -> None:
        final_report.clear()
        final_report.update(report)
        if progress is not None:
            progress(min(_frames_done(report, info, proxy is not None), total), total)

    with contextlib.ExitStack() as stack:
        partial = {name: stack.enter_context(ffmpeg.atomic_output(path))
                   for name, path in targets.items()}  # fmt: skip
        args = pictures_argv(
            source,
            info,
            proxy=partial.get("proxy"),
            poster=partial.get("poster"),
            sheet=partial.get("sheet"),
            label=label,
            settings=settings,
        )
        try:
            ffmpeg.run(args, what=f"the proxy and pictures of {source}", progress_report=on_report)
        except FfmpegError as error:
            raise FfmpegError(
                error.message,
                hint=f"check that {source.name} plays; if it does not, copy it again from "
                "the card (a file the camera did not finish writing may need a repair tool)",
                stderr_tail=error.stderr_tail,
            ) from error
        frames = total
        if proxy is not None and final_report.get("frame", "").isdigit():
            frames = int(final_report["frame"])
        missing = [name for name, path in partial.items()
                   if not path.is_file() or path.stat().st_size == 0]  # fmt: skip
        if frames < total - FRAME_TOLERANCE or missing:
            problem = (
                f"decoding stopped early ({frames} of {total} frames)"
                if frames < total - FRAME_TOLERANCE
                else f"ffmpeg made no {' or '.join(missing)}"
            )
            raise MediaError(
                f"{source}: {problem}; the file is damaged or shorter than its index says",
                hint="copy it again from the card and check it with btslog probe",
            )
    if progress is not None:
        progress(total, total)
    return PicturesResult(
        proxy=targets.get("proxy"),
        poster=targets.get("poster"),
        sheet=targets.get("sheet"),
        frames=frames,
    )


def _frames_done(report: dict[str, str], info: MediaInfo, proxy_first: bool) -> int:
    """Frames encoded so far according to one ffmpeg progress report."""
    frame = report.get("frame", "")
    if proxy_first and frame.isdigit():
        return int(frame)
    microseconds = report.get("out_time_us", "")
    if microseconds.lstrip("-").isdigit():
        return max(0, math.floor(Fraction(int(microseconds), 1_000_000) * info.rate))
    return 0
