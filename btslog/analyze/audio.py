"""A clip's sound as the analyzers read it: mono float32 at 48 kHz, from its first video frame.

Positions in a clip's sound are sample numbers at :data:`~btslog.analyze.model.SAMPLE_RATE`;
sample 0 is the time of the clip's first video frame (an audio stream that starts later is
padded with silence, one that starts earlier is trimmed).  Frame <-> sample conversions are
exact (``Fraction`` rates): frame ``f`` spans the samples ``frame_start_sample(f)`` up to
``frame_start_sample(f + 1)``, and :func:`sample_to_frame` names the frame whose time span
holds a sample -- the convention of the sample shoot's ground truth.

Decoding goes through PyAV (no subprocess).  The last decoded clip is kept in memory (when it
is shorter than :data:`CACHE_MAX_SAMPLES`), so the speech, clap and sync analyzers that run
one after another on the same file decode it once.
"""

from __future__ import annotations

import math
import threading
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.analyze.model import SAMPLE_RATE
from btslog.errors import MediaError

if TYPE_CHECKING:
    import numpy as np

    from btslog.model import MediaInfo

CACHE_MAX_SAMPLES = 10 * 60 * SAMPLE_RATE  # 10 minutes of mono float32: 115 MB
_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def frame_start_sample(frame: int, rate: Fraction) -> int:
    """The first sample at or after the start of ``frame`` (frames from the clip's first)."""
    return math.ceil(Fraction(frame) * SAMPLE_RATE / Fraction(rate))


def sample_to_frame(sample: int, rate: Fraction) -> int:
    """The frame whose time span holds ``sample``: ``floor(sample / 48000 * rate)``."""
    return math.floor(Fraction(sample) * Fraction(rate) / SAMPLE_RATE)


def _key(path: Path) -> tuple:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def load_audio(path: Path, info: MediaInfo) -> np.ndarray:
    """The clip's first audio stream as mono float32 at 48 kHz; empty when it has no sound.

    Sample 0 is the time of the first video frame.  The array is read-only (it may be shared
    with the next analyzer of the same file).  Raises :class:`MediaError` naming the file
    when the sound cannot be decoded.
    """
    import numpy as np

    path = Path(path)
    if not info.audio:
        return np.zeros(0, dtype=np.float32)
    try:
        key = _key(path)
    except OSError as error:
        raise MediaError(f"{path}: cannot be read ({error.strerror or error})") from error
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    samples = _decode(path)
    samples.flags.writeable = False
    if len(samples) <= CACHE_MAX_SAMPLES:
        with _cache_lock:
            _cache.clear()
            _cache[key] = samples
    return samples


def _decode(path: Path) -> np.ndarray:
    import av
    import numpy as np

    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.error.FFmpegError, OSError) as error:
        raise MediaError(
            f"{path}: its sound cannot be read ({error})", hint="check the file with btslog probe"
        ) from error
    with container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        length = None  # the stream's stated length: the decoder's padding after it is dropped
        if stream.duration is not None and stream.time_base:
            length = round(Fraction(stream.duration) * Fraction(stream.time_base) * SAMPLE_RATE)
        video_start = _video_start_seconds(container)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        first_time: Fraction | None = None
        try:
            for frame in container.decode(stream):
                if first_time is None and frame.pts is not None and frame.time_base:
                    first_time = Fraction(frame.pts) * Fraction(frame.time_base)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as error:
            raise MediaError(
                f"{path}: its sound cannot be decoded ({error})",
                hint="copy the clip again from the card; a damaged file may need a repair tool",
            ) from error
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    samples = samples.astype(np.float32, copy=False)
    if length is not None and 0 < length < len(samples):
        samples = samples[:length]
    if first_time is None:
        first_time = Fraction(0)
    lead = round((first_time - video_start) * SAMPLE_RATE)
    if lead > 0:
        samples = np.concatenate([np.zeros(lead, dtype=np.float32), samples])
    elif lead < 0:
        samples = samples[-lead:]
    return np.ascontiguousarray(samples)


def _video_start_seconds(container) -> Fraction:
    for stream in container.streams.video:
        if stream.start_time is not None and stream.time_base:
            return Fraction(stream.start_time) * Fraction(stream.time_base)
    return Fraction(0)


def clear_cache() -> None:
    """Forget the decoded clip kept for the next analyzer (tests, long batch runs)."""
    with _cache_lock:
        _cache.clear()
