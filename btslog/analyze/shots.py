"""Shots: where the picture changes shot inside one file -- a camera stop/start, a whip pan.

``analyze(path, info, params) -> Analysis`` with ``data = {"cuts": [frame, ...], "changes":
[{"frame": f, "kind": "cut" | "transition", "score": x}, ...]}``: ``frame`` is the first
frame of the new shot (clip frames from 0; a VFR clip's frames are those of the constant rate
it is conformed to, from each frame's timestamp).

The picture is decoded (PyAV, all cores) and shrunk to 64x36 RGB; scores are mean absolute
pixel differences on a 0-255 scale.  How (each threshold a parameter in :data:`DEFAULTS`):

1. **Flashes are not shots.**  A frame (or two) that differs from both neighbours while the
   frames either side of it agree (a photo flash, the white flash frame of a slate) is
   replaced by the frame before it.
2. **Cuts.**  A frame whose difference to the previous one is at least ``cut_score`` and
   ``cut_ratio`` times the median difference of the frames around it (``window_seconds``
   either side: the adaptive part -- a handheld or busy shot moves a lot every frame) starts
   a new shot.
3. **Transitions** (a whip pan, a fast reframe, a quick dissolve): the difference between
   the frames ``span_seconds`` before and after a frame is at least ``transition_score`` and
   ``cut_ratio`` times its own local median.  The new shot starts on the frame of the biggest
   single-frame change inside such a run.  A slow reframe, the slate coming into the picture
   or people moving stay below it.
4. Changes closer than ``min_shot_seconds`` to a stronger one are dropped.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.analyze.model import Analysis, with_defaults
from btslog.errors import MediaError

if TYPE_CHECKING:
    import numpy as np

    from btslog.model import MediaInfo

VERSION = "1"
DEFAULTS: dict = {
    "cut_score": 30.0,
    "cut_ratio": 3.0,
    "transition_score": 32.0,
    "span_seconds": 0.1,
    "window_seconds": 1.0,
    "min_shot_seconds": 0.5,
}
THUMB_WIDTH, THUMB_HEIGHT = 64, 36
FLASH_AGREE = 1 / 3  # the frames around a flash differ by less than this share of its jump


def resolve_params(params: dict | None) -> dict:
    return with_defaults("shots", DEFAULTS, params, numbers=True)


def analyze(path: Path, info: MediaInfo, params: dict | None = None) -> Analysis:
    """Shot changes in the clip at ``path`` (probed as ``info``)."""
    resolved = resolve_params(params)
    frames, thumbs = decode_thumbnails(Path(path), info.rate)
    changes = detect_changes(thumbs, frames, info.rate, resolved)
    return Analysis(
        "shots",
        VERSION,
        resolved,
        {"cuts": [change["frame"] for change in changes], "changes": changes},
    )


def decode_thumbnails(path: Path, rate: Fraction) -> tuple[list[int], np.ndarray]:
    """``(frame numbers, thumbnails)``: every decoded frame shrunk to 64x36 RGB (float32),
    numbered by its timestamp at ``rate`` from the first frame."""
    import av
    import numpy as np
    from av.video.reformatter import Interpolation, VideoReformatter

    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.error.FFmpegError, OSError) as error:
        raise MediaError(
            f"{path}: its picture cannot be read ({error})", hint="check it with btslog probe"
        ) from error
    numbers: list[int] = []
    thumbs: list[np.ndarray] = []
    with container:
        if not container.streams.video:
            raise MediaError(f"{path}: has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        # the deblocking filter changes nothing a 64x36 thumbnail shows; skipping it is faster
        stream.codec_context.options = {"skip_loop_filter": "all"}
        first: Fraction | None = None
        reformatter = VideoReformatter()  # one scaler for every frame (to_ndarray makes one each)
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    time = Fraction(len(numbers)) / Fraction(rate)
                else:
                    time = Fraction(frame.pts) * Fraction(frame.time_base)
                if first is None:
                    first = time
                number = math.floor((time - first) * Fraction(rate) + Fraction(1, 2))
                if numbers and number <= numbers[-1]:
                    number = numbers[-1] + 1
                numbers.append(number)
                small = reformatter.reformat(
                    frame,
                    width=THUMB_WIDTH,
                    height=THUMB_HEIGHT,
                    format="rgb24",
                    interpolation=Interpolation.AREA,
                )
                thumbs.append(small.to_ndarray())
        except av.error.FFmpegError as error:
            raise MediaError(
                f"{path}: its picture cannot be decoded ({error})",
                hint="copy the clip again from the card",
            ) from error
    if not thumbs:
        return [], np.zeros((0, THUMB_HEIGHT, THUMB_WIDTH, 3), np.float32)
    return numbers, np.asarray(thumbs, dtype=np.float32)


def _difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.abs(first - second).mean(axis=(-3, -2, -1))


def remove_flashes(thumbs: np.ndarray, min_jump: float) -> tuple[np.ndarray, list[int]]:
    """``thumbs`` with each flash of one or two frames replaced by the frame before it, and
    the indexes replaced."""
    import numpy as np

    thumbs = thumbs.copy()
    replaced: list[int] = []
    count = len(thumbs)
    if count < 3:
        return thumbs, replaced
    jump = np.zeros(count)  # jump[i]: frame i against frame i - 1
    jump[1:] = _difference(thumbs[1:], thumbs[:-1])
    index = 1
    while index < count - 1:
        if jump[index] < min_jump:
            index += 1
            continue
        for length in (1, 2):
            after = index + length
            if after >= count or jump[after] < min_jump:
                continue
            across = float(_difference(thumbs[after], thumbs[index - 1]))
            if across < FLASH_AGREE * min(jump[index], jump[after]):
                thumbs[index:after] = thumbs[index - 1]
                replaced.extend(range(index, after))
                index = after
                break
        index += 1
    return thumbs, replaced


def _local_median(values: np.ndarray, radius: int, exclude: int = 0) -> np.ndarray:
    """The median of ``values`` within ``radius`` of each index, leaving out the ``exclude``
    nearest on each side (and the index itself)."""
    import numpy as np

    count = len(values)
    result = np.zeros(count)
    for index in range(count):
        low, high = max(0, index - radius), min(count, index + radius + 1)
        neighbours = np.concatenate(
            (values[low : max(low, index - exclude)], values[min(high, index + exclude + 1) : high])
        )
        result[index] = float(np.median(neighbours)) if len(neighbours) else 0.0
    return result


def detect_changes(
    thumbs: np.ndarray, numbers: list[int], rate: Fraction, params: dict
) -> list[dict]:
    """Shot changes of a decoded clip: ``[{"frame", "kind", "score"}]`` in frame order."""
    import numpy as np

    count = len(thumbs)
    if count < 3:
        return []
    fps = float(rate)
    thumbs, _flashes = remove_flashes(thumbs, params["cut_score"])
    step = np.zeros(count)
    step[1:] = _difference(thumbs[1:], thumbs[:-1])
    radius = max(2, round(params["window_seconds"] * fps))
    step_median = _local_median(step, radius, exclude=1)
    found: list[tuple[int, str, float]] = []  # (index, kind, score)
    for index in range(1, count):
        if step[index] >= params["cut_score"] and step[index] >= params["cut_ratio"] * max(
            step_median[index], 1.0
        ):
            found.append((index, "cut", float(step[index])))
    span = max(1, round(params["span_seconds"] * fps))
    across = np.zeros(count)
    if count > 2 * span:
        across[span : count - span] = _difference(thumbs[2 * span :], thumbs[: count - 2 * span])
    across_median = _local_median(across, 2 * radius, exclude=2 * span)
    strong = (across >= params["transition_score"]) & (
        across >= params["cut_ratio"] * np.maximum(across_median, 1.0)
    )
    cut_indexes = [index for index, _kind, _score in found]
    for start, end in _runs(strong):
        low, high = max(1, start - span), min(count, end + span)
        if any(low - 1 <= index <= high for index in cut_indexes):
            continue  # a hard cut explains it
        index = low + int(np.argmax(step[low:high]))
        found.append((index, "transition", float(across[start:end].max())))
    min_gap = max(1, round(params["min_shot_seconds"] * fps))
    kept: list[tuple[int, str, float]] = []
    for index, kind, score in sorted(found, key=lambda item: -item[2]):
        if all(abs(numbers[index] - numbers[other]) >= min_gap for other, _, _ in kept):
            kept.append((index, kind, score))
    return [
        {"frame": numbers[index], "kind": kind, "score": round(score, 1)}
        for index, kind, score in sorted(kept)
    ]


def _runs(flags) -> list[tuple[int, int]]:
    from btslog.analyze.speech import runs_of

    return runs_of(flags)
