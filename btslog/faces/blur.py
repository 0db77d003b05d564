"""Hiding faces in one frame: pure functions on numpy arrays, and which boxes a frame hides.

Two picture layouts are handled, both ``uint8``:

* **packed BGR**, ``H x W x 3`` (OpenCV's order; the functions only care about the order for
  :attr:`BlurSettings.color` and the preview colours, which are given in RGB and reversed
  here): :func:`blur_regions`, :func:`draw_preview`.
* **planar I420** (YUV 4:2:0), ``(H * 3 / 2) x W``: the Y plane, then the U and V planes of
  ``H/2 x W/2`` each, flattened one after the other.  This is what PyAV's
  ``frame.to_ndarray(format="yuv420p")`` returns and what OpenCV's ``COLOR_*_I420``
  conversions take.  :func:`blur_regions_i420` works on its planes directly, so a render
  never converts a picture to RGB and back: it pipes I420 to the encoder untouched except
  inside the boxes (:func:`draw_preview_i420`, for previews only, converts the frames it
  draws on).  ``H`` and ``W`` must be even.

Only the pixels inside the boxes are read and written, never the whole frame, so a frame
with one small face costs a fraction of a millisecond.

Boxes come from :func:`boxes_for_frame`: the box of every track that is to be blurred at that
frame (detected, or interpolated between detections by :meth:`FaceTrack.box_at`), made at
least as wide as tall and grown by the margin (more where the box is unsure,
:func:`hidden_area`), its margin kept clear of released faces seen clearly
(:func:`kept_clear`), and held for ``padding`` frames before a track's first and after its
last frame.
Consent fails closed here: a track to blur without any box cannot be placed, so it stops the
render (:class:`~btslog.errors.InvalidInput`) instead of being skipped.

Every size is relative to the box, so a small face in the distance is hidden as thoroughly as
a close-up (see ``presets/blur.toml``):

* ``gaussian``: a Gaussian blur whose sigma is ``sigma`` x the box's short side (0.25: the
  kernel, six sigmas, spans one and a half boxes, so eyes, nose and mouth merge into one
  smooth blob).  It is computed on a copy of the region shrunk (averaged over whole blocks)
  until sigma is about two pixels, then enlarged again bilinearly: the same picture as a
  full-size Gaussian to the eye, at a cost that hardly grows with the box (0.25 ms for a
  500 px box);
* ``pixelate``: the box averaged into ``cells x cells`` blocks;
* ``solid``: the box filled with ``color``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from btslog.errors import InvalidInput
from btslog.faces.model import BlurDecision, Box, FaceTrack

if TYPE_CHECKING:
    import numpy as np

STYLES = ("gaussian", "pixelate", "solid")
SHAPES = ("rect", "ellipse")
# Weakest settings accepted: below these a face may stay recognisable.
MIN_SIGMA = 0.1
MAX_CELLS = 16
# The gaussian style blurs a copy shrunk until sigma is this many pixels.
SHRUNK_SIGMA = 2.0
# Boxes scoring below this (YuNet's score; followed boxes score 0) are hidden more widely.
SURE_SCORE = 0.6


@dataclass(frozen=True)
class BlurSettings:
    """How faces are hidden (one value for a whole render); defaults from ``blur.toml``."""

    style: str = "gaussian"
    margin: float = 0.5  # fraction of the box's width/height added on each side
    padding: int = 12  # frames hidden before a track's first and after its last frame
    unsure_margin: float = 0.4  # added to margin for followed or weakly detected boxes
    shape: str = "rect"
    min_size: int = 8  # pixels: smaller boxes are enlarged to this around their centre
    sigma: float = 0.25  # gaussian: sigma as a fraction of the box's short side
    cells: int = 8  # pixelate: blocks across each side of the box
    color: tuple[int, int, int] = (0, 0, 0)  # solid: RGB
    preset: str = "veryfast"  # libx264 preset of the rendered file
    crf: int = 18  # libx264 constant quality
    audio_bitrate_per_channel: int = 96_000  # AAC, when the source audio cannot be copied
    blur_color: tuple[int, int, int] = (230, 30, 30)  # preview: a track to blur (RGB)
    keep_color: tuple[int, int, int] = (30, 200, 60)  # preview: a track left visible (RGB)
    thickness: float = 0.004  # preview: line width as a fraction of the frame's short side

    def __post_init__(self) -> None:
        kinds = {"style": str, "shape": str, "preset": str, "padding": int, "min_size": int,
                 "cells": int, "crf": int, "audio_bitrate_per_channel": int,
                 "margin": (int, float), "unsure_margin": (int, float), "sigma": (int, float),
                 "thickness": (int, float), "color": tuple, "blur_color": tuple,
                 "keep_color": tuple}  # fmt: skip
        wrong = [f"{name} {getattr(self, name)!r} is not a {getattr(kind, '__name__', 'number')}"
                 for name, kind in kinds.items()
                 if not isinstance(getattr(self, name), kind)
                 or isinstance(getattr(self, name), bool)]  # fmt: skip
        if wrong:
            raise InvalidInput(
                "blur settings: " + "; ".join(wrong),
                hint="fix the [consent] table of btslog.toml (see presets/blur.toml)",
            )
        problems = []
        if self.style not in STYLES:
            problems.append(f"style {self.style!r} is not one of {', '.join(STYLES)}")
        if self.shape not in SHAPES:
            problems.append(f"shape {self.shape!r} is not one of {', '.join(SHAPES)}")
        if not 0 <= self.margin <= 2:
            problems.append(f"margin {self.margin} is not between 0 and 2")
        if not 0 <= self.unsure_margin <= 2:
            problems.append(f"unsure_margin {self.unsure_margin} is not between 0 and 2")
        if not 0 <= self.padding <= 10_000:
            problems.append(f"padding {self.padding} is not a number of frames >= 0")
        if not MIN_SIGMA <= self.sigma <= 4:
            problems.append(f"gaussian sigma {self.sigma} is not between {MIN_SIGMA} and 4")
        if not 1 <= self.cells <= MAX_CELLS:
            problems.append(f"pixelate cells {self.cells} is not between 1 and {MAX_CELLS}")
        if not 1 <= self.min_size <= 4096:
            problems.append(f"min_size {self.min_size} is not between 1 and 4096")
        if not 0 <= self.crf <= 51:
            problems.append(f"crf {self.crf} is not between 0 and 51")
        for name in ("color", "blur_color", "keep_color"):
            value = getattr(self, name)
            if len(value) != 3 or not all(0 <= channel <= 255 for channel in value):
                problems.append(f"{name} {list(value)} is not three numbers 0-255 (RGB)")
        if problems:
            raise InvalidInput(
                "blur settings: " + "; ".join(problems),
                hint="fix the [consent] table of btslog.toml (see presets/blur.toml)",
            )

    def with_style(self, style: str | None) -> BlurSettings:
        return self if style is None or style == self.style else replace(self, style=style)

    def describe(self) -> dict:
        """The settings that decide what a render hides (for the manifest)."""
        values = {"style": self.style, "margin": self.margin, "unsure_margin": self.unsure_margin,
                  "padding": self.padding, "shape": self.shape,
                  "min_size": self.min_size}  # fmt: skip
        if self.style == "gaussian":
            values.update(sigma=self.sigma)
        elif self.style == "pixelate":
            values.update(cells=self.cells)
        else:
            values.update(color=list(self.color))
        return values


NESTED_TABLES = ("styles", "encode", "preview")


def _flatten(table: Mapping, where: str) -> dict:
    """The :class:`BlurSettings` fields of a table laid out as ``presets/blur.toml``.

    Top-level keys that are not blur settings are left out: the table a project overrides
    them in (``[consent]``) also holds the consent policy's own keys.  Inside ``styles``,
    ``encode`` and ``preview`` every key must be known.
    """
    known = {item.name for item in fields(BlurSettings)}
    flat: dict = {}
    for key, value in table.items():
        if key in NESTED_TABLES and isinstance(value, Mapping):
            inner = [value] if key != "styles" else list(value.values())
            for sub_table in inner:
                if not isinstance(sub_table, Mapping):
                    raise InvalidInput(f"{where}: [{key}] must hold tables")
                unknown = sorted(set(sub_table) - known)
                if unknown:
                    raise InvalidInput(
                        f"{where}: unknown blur setting {', '.join(unknown)} in [{key}]",
                        hint="see presets/blur.toml for the keys btslog knows",
                    )
                flat.update(sub_table)
        elif key in known:
            flat[key] = value
    for name in ("color", "blur_color", "keep_color"):
        if isinstance(flat.get(name), list):
            flat[name] = tuple(flat[name])
    return flat


def shipped_settings_table() -> dict:
    """``presets/blur.toml`` as one table: ``[defaults]`` and the style, encode and preview
    tables beside it."""
    from btslog.presets import load_toml

    shipped = load_toml("blur.toml")
    return {**shipped.get("defaults", {}),
            **{key: shipped[key] for key in NESTED_TABLES if key in shipped}}  # fmt: skip


def load_settings(overrides: Mapping | None = None) -> BlurSettings:
    """The shipped ``blur.toml`` with ``overrides`` laid over it.

    ``overrides`` is laid out like ``blur.toml``'s ``[defaults]`` with the ``styles``,
    ``encode`` and ``preview`` tables inside it (a project's ``[consent]`` table:
    ``{"style": "pixelate", "styles": {"pixelate": {"cells": 6}}}``); keys that are not blur
    settings (the consent policy's ``blur``) are left out.
    """
    from btslog.presets import merged

    table = shipped_settings_table()
    if overrides:
        table = merged(table, dict(overrides))
    return BlurSettings(**_flatten(table, "blur settings"))


# --- which boxes a frame hides --------------------------------------------------------------


def _track_name(track: FaceTrack, decision: BlurDecision) -> str:
    if decision.person:
        return decision.person
    track_id = decision.track_id if decision.track_id is not None else track.id
    return f"track {track_id}" if track_id is not None else "unknown face"


def check_decisions(decisions: Sequence[tuple[FaceTrack, BlurDecision]]) -> None:
    """Refuse decisions a render cannot honour: a track to blur with no box to place it by,
    or with a box that is not a finite rectangle; a decision paired with another track."""
    for track, decision in decisions:
        if decision.track_id is not None and track.id is not None and decision.track_id != track.id:
            raise InvalidInput(
                f"blur decision for track {decision.track_id} was paired with track {track.id}",
                hint="this is a bug in the caller; nothing was rendered",
            )
        if decision.blur and not track.detections:
            raise InvalidInput(
                f"{_track_name(track, decision)} must be blurred (frames {track.first_frame}-"
                f"{track.last_frame}) but its track has no boxes; refusing to render",
                hint="run the face scan of this clip again",
            )
        if decision.blur:
            for frame, box in track.detections:
                corners = (box.x1, box.y1, box.x2, box.y2)
                if not all(math.isfinite(value) for value in corners) or not (
                    box.x2 > box.x1 and box.y2 > box.y1
                ):
                    raise InvalidInput(
                        f"{_track_name(track, decision)} must be blurred but its box at frame "
                        f"{frame} is not a rectangle ({box.x1}, {box.y1}, {box.x2}, {box.y2}); "
                        "refusing to render",
                        hint="run the face scan of this clip again",
                    )


def _box_near(track: FaceTrack, frame_number: int, padding: int) -> Box | None:
    """The track's box at ``frame_number``, or its first/last box within ``padding`` frames."""
    if track.first_frame <= frame_number <= track.last_frame:
        box = track.box_at(frame_number)
        if box is None:  # a track with no detections: check_decisions refuses these
            raise InvalidInput(f"track {track.id} has no box at frame {frame_number}")
        return box
    if track.first_frame - padding <= frame_number < track.first_frame and track.detections:
        return track.detections[0][1]
    if track.last_frame < frame_number <= track.last_frame + padding and track.detections:
        return track.detections[-1][1]
    return None


def hidden_area(box: Box, margin: float, unsure_margin: float = 0.0) -> Box:
    """What a render hides for the face ``box``: the box made at least as wide as it is tall
    (a face turned to profile is a narrow box to the detector, the head around it is not),
    then grown by ``margin`` of its size on every side, and by ``unsure_margin`` more when
    its score is below :data:`SURE_SCORE`: a box found by following a lost face
    (:data:`~btslog.faces.model.FOLLOWED_SCORE`) drifts off it, and a weak detection (a dark
    room, a face half hidden) is often off-centre.  A box interpolated towards an unsure one
    is unsure too."""
    return _squared(box).grown(margin + (unsure_margin if box.score < SURE_SCORE else 0.0))


def _squared(box: Box) -> Box:
    if box.width >= box.height:
        return box
    centre, half = (box.x1 + box.x2) / 2, box.height / 2
    return Box(centre - half, box.y1, centre + half, box.y2, box.score)


def kept_clear(area: Box, face: Box, shown: Sequence[Box]) -> Box:
    """``area`` (the hidden area of ``face``) with its margin cut back on one side wherever it
    reaches into a face in ``shown`` -- never into ``face`` itself.

    The margin hides what the detector's box may miss around a face; where a released
    person's face is detected with confidence beside it, those pixels are that person's face,
    and hiding them would hide someone who consented.  The side cut is the one that frees the
    most of the shown face, keeping the most of the area on a tie.
    """
    core = _squared(face)
    for other in shown:
        if area.overlap(other) <= 0:
            continue
        cuts = [
            Box(min(max(area.x1, other.x2), core.x1), area.y1, area.x2, area.y2, area.score),
            Box(area.x1, area.y1, max(min(area.x2, other.x1), core.x2), area.y2, area.score),
            Box(area.x1, min(max(area.y1, other.y2), core.y1), area.x2, area.y2, area.score),
            Box(area.x1, area.y1, area.x2, max(min(area.y2, other.y1), core.y2), area.score),
        ]
        area = min(cuts, key=lambda cut: (cut.overlap(other), -cut.width * cut.height))
    return area


def _shown_faces(frame_number: int, decisions) -> list[Box]:
    """The confidently placed boxes at ``frame_number`` of released people left visible
    (not of unknown faces an ``opted_out`` policy leaves visible: they yield nothing)."""
    shown = []
    for track, decision in decisions:
        if decision.blur or not decision.released:
            continue
        if not track.first_frame <= frame_number <= track.last_frame:
            continue
        box = track.box_at(frame_number)
        if box is not None and box.score >= SURE_SCORE:
            shown.append(box)
    return sorted(shown, key=lambda box: (box.x1, box.y1, box.x2, box.y2))  # one answer


def _areas(frame_number: int, decisions, margin: float, padding: int, unsure_margin: float):
    """``(track, decision, area)`` of every track with a box at ``frame_number``: tracks to
    blur with their padding and their margin kept clear of the faces shown, tracks left
    visible on their own frames only."""
    decisions = list(decisions)
    shown = _shown_faces(frame_number, decisions)
    for track, decision in decisions:
        box = _box_near(track, frame_number, padding if decision.blur else 0)
        if box is None:
            continue
        area = hidden_area(box, margin, unsure_margin)
        yield track, decision, kept_clear(area, box, shown) if decision.blur else area


def boxes_for_frame(
    frame_number: int,
    decisions: Iterable[tuple[FaceTrack, BlurDecision]],
    margin: float,
    padding: int,
    unsure_margin: float = 0.0,
) -> list[Box]:
    """The boxes to hide at ``frame_number`` (:func:`hidden_area`), one per track to blur.

    Inside a track: its detected or interpolated box.  Within ``padding`` frames before its
    first frame (after its last) the first (last) detected box, so a face is hidden while the
    detector has not yet found it or has just lost it.  The margin stays clear of the faces
    of tracks left visible where they are confidently placed (:func:`kept_clear`).
    """
    return [area for _track, decision, area
            in _areas(frame_number, decisions, margin, padding, unsure_margin)
            if decision.blur]  # fmt: skip


def labelled_boxes_for_frame(
    frame_number: int,
    decisions: Iterable[tuple[FaceTrack, BlurDecision]],
    margin: float,
    padding: int,
    unsure_margin: float = 0.0,
) -> list[tuple[Box, str, bool]]:
    """What a preview draws at ``frame_number``: ``(box, label, blur)`` for every track.

    Tracks to blur are shown with their padding, exactly where a render hides them; tracks
    left visible only on their own frames.
    """
    items = []
    for track, decision, area in _areas(frame_number, decisions, margin, padding, unsure_margin):
        label = _track_name(track, decision)
        if decision.reason:
            label += f": {decision.reason}"
        items.append((area, label, decision.blur))
    return items


# --- pixel regions ---------------------------------------------------------------------------


def pixel_region(
    box: Box, width: int, height: int, *, min_size: int = 1, align: int = 1
) -> tuple[int, int, int, int] | None:
    """``box`` as whole pixels ``(x1, y1, x2, y2)`` (x2/y2 exclusive) clamped to the frame.

    Rounded outwards (a partly covered pixel is covered), enlarged to ``min_size`` around its
    centre, and with ``align=2`` widened to even coordinates (so the 4:2:0 chroma samples of
    the region are exactly those of its pixels).  ``None`` when nothing of it is in the frame.
    """
    x1, y1, x2, y2 = box.x1, box.y1, box.x2, box.y2
    if not all(math.isfinite(value) for value in (x1, y1, x2, y2)):
        raise InvalidInput(f"face box {box} is not a finite rectangle; refusing to render")
    for low, high, axis in ((x1, x2, 0), (y1, y2, 1)):
        if high - low < min_size:
            centre = (low + high) / 2
            low, high = centre - min_size / 2, centre + min_size / 2
        if axis == 0:
            x1, x2 = low, high
        else:
            y1, y2 = low, high
    left, top = math.floor(x1), math.floor(y1)
    right, bottom = math.ceil(x2), math.ceil(y2)
    if align > 1:
        left, top = left - left % align, top - top % align
        right, bottom = -(-right // align) * align, -(-bottom // align) * align
    left, top = max(0, left), max(0, top)
    right, bottom = min(width, right), min(height, bottom)
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def region_grid(width: int, height: int) -> int:
    """The grid hidden regions are widened to: H.264's 16 px macroblocks in HD pictures, 8 px
    from 360 lines, 2 px (whole 4:2:0 chroma samples) below.

    On the grid a region keeps its place while its face moves less than a block, so the
    hidden picture stays still where the scene does: the encoder repeats it instead of
    coding a new blur every frame (about 8 % less encoding at 1080p), and block edges do
    not cut through it."""
    short = min(width, height)
    return 16 if short >= 720 else 8 if short >= 360 else 2


def hidden_region(box: Box, width: int, height: int,
                  settings: BlurSettings) -> tuple[int, int, int, int] | None:  # fmt: skip
    """The pixels a render changes for ``box`` in a ``width`` x ``height`` picture:
    :func:`pixel_region` widened to :func:`region_grid`."""
    return pixel_region(box, width, height, min_size=settings.min_size,
                        align=region_grid(width, height))  # fmt: skip


def _hide(region: np.ndarray, style: str, settings: BlurSettings, fill) -> np.ndarray:
    """The hidden version of one region (a plane or packed picture), same shape."""
    import cv2
    import numpy as np

    height, width = region.shape[:2]
    if style == "solid":
        result = np.empty_like(region)
        result[...] = fill
        return result
    if style == "pixelate":
        small = _shrink(region, max(1, width // settings.cells), max(1, height // settings.cells))
        return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    # gaussian, on a copy shrunk so that sigma is about SHRUNK_SIGMA pixels
    sigma = settings.sigma * min(width, height)
    factor = max(1, int(sigma / SHRUNK_SIGMA))
    small = _shrink(region, factor, factor)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor, borderType=cv2.BORDER_REPLICATE)
    if factor == 1:
        return small
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def _shrink(region: np.ndarray, factor_x: int, factor_y: int) -> np.ndarray:
    """``region`` averaged over blocks of ``factor_x`` x ``factor_y`` pixels.

    Whole blocks only (OpenCV's fast path: a non-integer area resize costs eight times as
    much); the few rows and columns left over at the right and bottom are not sampled, and
    are covered when the small picture is enlarged back over the whole region.
    """
    import cv2

    if factor_x == 1 and factor_y == 1:
        return region
    height, width = region.shape[:2]
    columns, rows = max(1, width // factor_x), max(1, height // factor_y)
    factor_x, factor_y = min(factor_x, width), min(factor_y, height)
    cropped = region[: rows * factor_y, : columns * factor_x]
    return cv2.resize(cropped, (columns, rows), interpolation=cv2.INTER_AREA)


def _ellipse_mask(height: int, width: int):
    import cv2
    import numpy as np

    mask = np.zeros((height, width), dtype=np.uint8)
    cv2.ellipse(mask, ((width / 2, height / 2), (width, height), 0), 255, -1)
    return mask.astype(bool)


def _apply(plane: np.ndarray, region: tuple[int, int, int, int], style, settings, fill) -> None:
    left, top, right, bottom = region
    view = plane[top:bottom, left:right]
    hidden = _hide(view, style, settings, fill)
    if settings.shape == "ellipse":
        mask = _ellipse_mask(bottom - top, right - left)
        view[mask] = hidden[mask]
    else:
        view[...] = hidden


def blur_regions(
    frame: np.ndarray,
    boxes: Sequence[Box],
    style: str | None = None,
    settings: BlurSettings | None = None,
    *,
    in_place: bool = False,
) -> np.ndarray:
    """``frame`` (``H x W x 3`` BGR, uint8) with every box hidden in ``style``.

    ``boxes`` are already grown by the margin; they are clamped to the frame.  Only the
    pixels inside the boxes change.  Returns a new array unless ``in_place``.
    """
    settings = (settings or BlurSettings()).with_style(style)
    result = frame if in_place else frame.copy()
    height, width = result.shape[:2]
    fill = settings.color[::-1]  # RGB -> BGR
    for box in boxes:
        region = hidden_region(box, width, height, settings)
        if region is not None:
            _apply(result, region, settings.style, settings, fill)
    return result


def i420_planes(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of an I420 array of shape ``(H * 3 / 2, W)``."""
    rows, width = frame.shape
    height = rows * 2 // 3
    if rows * 2 % 3 or height % 2 or width % 2:
        raise ValueError(
            f"an I420 frame has (even H) * 3 / 2 rows and an even width: {frame.shape}"
        )
    flat = frame.reshape(-1)
    luma = height * width
    chroma = luma // 4
    return (
        flat[:luma].reshape(height, width),
        flat[luma : luma + chroma].reshape(height // 2, width // 2),
        flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2),
    )


def rgb_to_yuv(color: Sequence[int]) -> tuple[int, int, int]:
    """An RGB colour as limited-range BT.709 Y, U, V (what the render tags its output)."""
    red, green, blue = (channel / 255 for channel in color)
    luma = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    cb = (blue - luma) / 1.8556
    cr = (red - luma) / 1.5748
    return (round(16 + 219 * luma), round(128 + 224 * cb), round(128 + 224 * cr))


def blur_regions_i420(
    frame: np.ndarray,
    boxes: Sequence[Box],
    style: str | None = None,
    settings: BlurSettings | None = None,
    *,
    in_place: bool = False,
) -> np.ndarray:
    """:func:`blur_regions` for an I420 frame (``(H * 3 / 2) x W``, see the module docs).

    Each box is widened to the grid (even coordinates at least) and hidden in the Y plane
    and in the same samples of the U and V planes (half the size), so colour does not leak
    either.
    """
    settings = (settings or BlurSettings()).with_style(style)
    result = frame if in_place else frame.copy()
    luma, cb, cr = i420_planes(result)
    height, width = luma.shape
    fill = rgb_to_yuv(settings.color)
    for box in boxes:
        region = hidden_region(box, width, height, settings)
        if region is None:
            continue
        _apply(luma, region, settings.style, settings, fill[0])
        half = tuple(value // 2 for value in region)
        _apply(cb, half, settings.style, settings, fill[1])
        _apply(cr, half, settings.style, settings, fill[2])
    return result


# --- preview ---------------------------------------------------------------------------------


def draw_preview(
    frame: np.ndarray,
    labelled_boxes: Sequence[tuple[Box, str, bool]],
    settings: BlurSettings | None = None,
    *,
    in_place: bool = False,
) -> np.ndarray:
    """``frame`` (``H x W x 3`` BGR) with each box outlined and labelled; faces stay visible.

    Red (``blur_color``): the render will hide this box.  Green (``keep_color``): a track left
    visible (a released person).  Labels sit above the box, or inside it at the top edge.
    """
    import cv2

    settings = settings or BlurSettings()
    result = frame if in_place else frame.copy()
    height, width = result.shape[:2]
    # At least 2 px: a 1 px coloured line loses its colour in 4:2:0 chroma.
    thickness = max(2, round(min(width, height) * settings.thickness))
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale = max(0.35, min(width, height) / 1400)
    text_thickness = max(1, round(scale * 2))
    for box, label, blur in labelled_boxes:
        region = pixel_region(box, width, height)
        if region is None:
            continue
        color = tuple(
            int(value) for value in (settings.blur_color if blur else settings.keep_color)[::-1]
        )
        left, top, right, bottom = region
        cv2.rectangle(result, (left, top), (right - 1, bottom - 1), color, thickness)
        text = label.encode("ascii", "replace").decode("ascii")
        (text_width, text_height), baseline = cv2.getTextSize(text, font, scale, text_thickness)
        label_top = top - text_height - baseline - 2 * thickness
        if label_top < 0:
            label_top = top
        label_left = min(left, max(0, width - text_width - 2 * thickness))
        cv2.rectangle(
            result,
            (label_left, label_top),
            (
                label_left + text_width + 2 * thickness,
                label_top + text_height + baseline + 2 * thickness,
            ),
            color,
            -1,
        )
        cv2.putText(
            result,
            text,
            (label_left + thickness, label_top + text_height + thickness),
            font,
            scale,
            (255, 255, 255),
            text_thickness,
            cv2.LINE_AA,
        )
    return result


def draw_preview_i420(
    frame: np.ndarray,
    labelled_boxes: Sequence[tuple[Box, str, bool]],
    settings: BlurSettings | None = None,
) -> np.ndarray:
    """:func:`draw_preview` for an I420 frame (converted to BGR and back; a new array)."""
    import cv2

    if not labelled_boxes:
        return frame
    bgr = cv2.cvtColor(frame, cv2.COLOR_YUV2BGR_I420)
    draw_preview(bgr, labelled_boxes, settings, in_place=True)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
