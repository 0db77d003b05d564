"""Sync: how far one camera's clock is from another's, from the sound both recorded.

Sign convention (one for everything here): the **offset** of clip B against a reference clip
A is the number of seconds to *add* to camera B's time of day to land on camera A's clock:
``clock_A = clock_B + offset``.  On the sample shoot camera B's clock runs 77/30 s ahead of
camera A's (jam-synced, true time), so B's offset against A is ``-77/30`` s.

A camera's time of day at a clip's first frame is its start timecode label read as
``hh*3600 + mm*60 + ss + ff/n`` (``n`` the nominal rate: 24 at 23.976, 30 at 29.97 DF) --
what the camera stamped -- and frame ``k`` of the clip is ``k / rate`` seconds later.

:func:`estimate_offset` lines two sound tracks up (pure numpy): it finds the **lag** such that
a sound at sample ``m`` of ``other`` is at sample ``m + lag`` of ``reference``, searched within
``nominal_lag_samples +/- search_samples`` (the timecodes' guess plus how wrong a clock may
be), in two steps:

1. coarse, to the millisecond: the onset envelopes (rises of the 1 ms energy above each
   track's own noise floor, in dB, so microphone gain and colouring do not matter) are
   cross-correlated by FFT; the best lag in the window wins;
2. fine, to the sample: a GCC-PHAT cross-correlation of the two waveforms over (up to
   ``FINE_MAX_SECONDS`` of) their overlap, within 3 ms of the coarse lag.

``confidence`` (0..1) is ``1 - second / best``: the best envelope correlation against the
best one more than ``SEPARATION_SECONDS`` away from it (1 = unambiguous, 0 = two equally good
answers); ``correlation`` is the best normalised correlation (about 0.5-0.9 for cameras that
heard the same room, about 0 for unrelated sound).

:func:`analyze_pair` runs it on two clips and says the offset in exact seconds, in frames
of clip B's rate and as a lag in samples.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.analyze.model import SAMPLE_RATE, Analysis, with_defaults
from btslog.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np

    from btslog.model import MediaInfo

VERSION = "1"
DEFAULTS: dict = {
    "search_seconds": 120.0,  # how far the cameras' clocks may disagree
    "min_confidence": 0.2,  # analyze_pair reports no offset found below this confidence
    "min_correlation": 0.4,  # or below this correlation (unrelated sound is about 0.2)
}
HOP = SAMPLE_RATE // 1000  # the envelope's resolution: 1 ms
SEPARATION_SECONDS = 0.25
MIN_OVERLAP_SECONDS = 2  # lags where the tracks share less sound are not considered
FINE_MAX_SECONDS = 60
FINE_RADIUS = 3 * HOP
NOISE_FLOOR_PERCENTILE = 10
FLOOR_MARGIN_DB = 6.0
_LABEL_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})[:;.,](\d{2})$")


def resolve_params(params: dict | None) -> dict:
    return with_defaults("sync", DEFAULTS, params, numbers=True)


def clock_seconds(info: MediaInfo) -> Fraction:
    """The camera's time of day at the clip's first frame: its start label's seconds."""
    from btslog.timecode import format_timecode, nominal_fps

    label = format_timecode(info.start_frame, info.rate, info.drop_frame)
    match = _LABEL_RE.match(label)
    if match is None:  # pragma: no cover - format_timecode always writes hh:mm:ss:ff
        raise InvalidInput(f"{info.path}: start timecode {label!r} cannot be read")
    hours, minutes, seconds, frames = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds + Fraction(frames, nominal_fps(info.rate))


def onset_envelope(samples: np.ndarray) -> np.ndarray:
    """Per 1 ms hop: how much the energy rises (dB) above the previous hop, counted only
    above the track's noise floor (its 10th-percentile hop plus 6 dB); zero-mean."""
    import numpy as np

    count = len(samples) // HOP
    if count < 2:
        return np.zeros(count)
    blocks = np.asarray(samples[: count * HOP], dtype=np.float64).reshape(count, HOP)
    energy = 10 * np.log10(np.maximum(np.mean(blocks * blocks, axis=1), 1e-12))
    floor = np.percentile(energy, NOISE_FLOOR_PERCENTILE) + FLOOR_MARGIN_DB
    energy = np.maximum(energy, floor)
    rise = np.zeros(count)
    rise[1:] = np.maximum(0.0, energy[1:] - energy[:-1])
    # A few ms of smoothing tolerates the microphones' different transient shapes.
    kernel = np.hanning(7)
    rise = np.convolve(rise, kernel / kernel.sum(), mode="same")
    return rise - rise.mean()


def _correlate(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, int]:
    """Cross-correlation by FFT: ``(values, first_lag)``; ``values[i]`` is the sum of
    ``reference[n] * other[n - lag]`` for ``lag = first_lag + i``."""
    import numpy as np

    size = len(reference) + len(other) - 1
    fft_size = 1 << max(1, (size - 1).bit_length())
    spectrum = np.fft.rfft(reference, fft_size) * np.conj(np.fft.rfft(other, fft_size))
    circular = np.fft.irfft(spectrum, fft_size)
    # lags -(len(other) - 1) .. len(reference) - 1
    values = np.concatenate((circular[fft_size - (len(other) - 1) :], circular[: len(reference)]))
    return values, -(len(other) - 1)


def _overlap_norms(reference: np.ndarray, other: np.ndarray, first_lag: int, count: int):
    """For each lag: ``(sqrt(energy of reference * energy of other) over their overlap,
    the overlap's length in hops)``."""
    import numpy as np

    ref_energy = np.concatenate(([0.0], np.cumsum(reference * reference)))
    other_energy = np.concatenate(([0.0], np.cumsum(other * other)))
    lags = first_lag + np.arange(count)
    ref_begin = np.maximum(0, lags)
    ref_end = np.minimum(len(reference), len(other) + lags)
    other_begin = ref_begin - lags
    other_end = ref_end - lags
    product = (ref_energy[ref_end] - ref_energy[ref_begin]) * (
        other_energy[other_end] - other_energy[other_begin]
    )
    return np.sqrt(np.maximum(product, 1e-12)), np.maximum(ref_end - ref_begin, 0)


def estimate_offset(
    reference: np.ndarray, other: np.ndarray, nominal_lag_samples: int, search_samples: int
) -> dict:
    """The lag (samples) that aligns ``other`` to ``reference``: a sound at sample ``m`` of
    ``other`` is at sample ``m + lag_samples`` of ``reference``.

    Searched in ``nominal_lag_samples +/- search_samples``.  Returns ``{"lag_samples": int,
    "confidence": float (0..1), "correlation": float}``; with no usable sound (silence, no
    overlap in the window) ``lag_samples`` is the nominal lag and ``confidence`` 0.
    """
    import numpy as np

    nominal = int(nominal_lag_samples)
    search = abs(int(search_samples))
    unknown = {"lag_samples": nominal, "confidence": 0.0, "correlation": 0.0}
    ref_env = onset_envelope(reference)
    other_env = onset_envelope(other)
    ref_norm = float(np.sqrt(np.sum(ref_env * ref_env)))
    other_norm = float(np.sqrt(np.sum(other_env * other_env)))
    if ref_norm == 0 or other_norm == 0:
        return unknown
    values, first_lag = _correlate(ref_env, other_env)
    norms, overlaps = _overlap_norms(ref_env, other_env, first_lag, len(values))
    correlation = values / norms
    # The score weighs the correlation over the overlap by how much sound it rests on (the
    # correlation of unrelated sound shrinks as 1/sqrt(overlap)): a short overlap that
    # matches by chance does not beat the true lag.
    score = correlation * np.sqrt(overlaps)
    min_overlap = round(MIN_OVERLAP_SECONDS * SAMPLE_RATE / HOP)
    low = max(first_lag + min_overlap, math.floor((nominal - search) / HOP))
    high = min(first_lag + len(values) - 1 - min_overlap, math.ceil((nominal + search) / HOP))
    if high < low:
        return unknown
    window = score[low - first_lag : high - first_lag + 1]
    best_index = int(np.argmax(window))
    best = float(window[best_index])
    if best <= 0:
        return unknown
    separation = round(SEPARATION_SECONDS * SAMPLE_RATE / HOP)
    others = np.concatenate(
        (window[: max(0, best_index - separation)], window[best_index + separation + 1 :])
    )
    second = float(max(0.0, others.max())) if len(others) else 0.0
    coarse_lag = (low + best_index) * HOP
    lag = _refine(reference, other, coarse_lag, nominal, search)
    return {
        "lag_samples": int(lag),
        "confidence": round(max(0.0, min(1.0, 1 - second / best)), 4),
        "correlation": round(float(correlation[low - first_lag + best_index]), 4),
    }


def _refine(reference: np.ndarray, other: np.ndarray, coarse: int, nominal: int, search: int):
    """The lag within ``FINE_RADIUS`` of ``coarse`` with the best GCC-PHAT correlation of the
    waveforms' overlap (at most ``FINE_MAX_SECONDS``, the loudest part of it)."""
    import numpy as np

    margin = FINE_RADIUS
    # the overlap, in reference samples: other's sample m is reference's m + coarse
    begin = max(0, coarse)
    end = min(len(reference), len(other) + coarse)
    if end - begin <= 4 * margin:
        return coarse
    span = FINE_MAX_SECONDS * SAMPLE_RATE
    if end - begin > span:
        # the loudest stretch of the overlap (1 s blocks of the reference)
        blocks = np.asarray(reference[begin : end - (end - begin) % SAMPLE_RATE], np.float64)
        power = np.mean(blocks.reshape(-1, SAMPLE_RATE) ** 2, axis=1)
        width = span // SAMPLE_RATE
        sums = np.convolve(power, np.ones(width), mode="valid")
        begin += int(np.argmax(sums)) * SAMPLE_RATE
        end = begin + span
    ref_part = np.asarray(reference[begin:end], np.float64)
    other_part = np.asarray(other[begin - coarse : end - coarse], np.float64)
    size = len(ref_part) + len(other_part)
    fft_size = 1 << (size - 1).bit_length()
    cross = np.fft.rfft(ref_part, fft_size) * np.conj(np.fft.rfft(other_part, fft_size))
    magnitude = np.abs(cross)
    cross = np.where(magnitude > 1e-12, cross / np.maximum(magnitude, 1e-12), 0)
    circular = np.fft.irfft(cross, fft_size)
    shifts = np.arange(-margin, margin + 1)
    candidates = circular[shifts % fft_size]
    fine = coarse + int(shifts[int(np.argmax(candidates))])
    return min(max(fine, nominal - search), nominal + search)


def analyze_pair(
    path_a: Path, info_a: MediaInfo, path_b: Path, info_b: MediaInfo, params: dict | None = None
) -> Analysis:
    """Clip B's clock offset against reference clip A, from their sound.

    ``data``: ``offset_seconds`` (exact, a fraction string such as ``"-77/30"``: add it to
    B's time of day to get A's), ``offset_seconds_float``, ``offset_frames`` (the offset in
    frames of B's rate, nearest), ``lag_samples`` (B's sample ``m`` is A's ``m + lag``),
    ``nominal_lag_samples`` (the lag the timecodes imply), ``confidence``, ``correlation``
    and ``found`` (confidence >= ``min_confidence`` and correlation >= ``min_correlation``).
    When not found (no common sound, a clip without sound) the offset is 0 and the lag the
    nominal one; ``best_lag_samples`` still says the best lag seen.
    """
    from btslog.analyze.audio import load_audio
    from btslog.timecode import seconds_to_frames

    resolved = resolve_params(params)
    start_a = clock_seconds(info_a)
    start_b = clock_seconds(info_b)
    nominal = round((start_b - start_a) * SAMPLE_RATE)
    search = round(Fraction(resolved["search_seconds"]) * SAMPLE_RATE)
    sound_a = load_audio(Path(path_a), info_a)
    sound_b = load_audio(Path(path_b), info_b)
    result = estimate_offset(sound_a, sound_b, nominal, search)
    found = (
        result["confidence"] >= resolved["min_confidence"]
        and result["correlation"] >= resolved["min_correlation"]
    )
    lag = result["lag_samples"] if found else nominal
    offset = start_a - start_b + Fraction(lag, SAMPLE_RATE)
    data = {
        "reference": str(info_a.path),
        "offset_seconds": str(offset),
        "offset_seconds_float": float(offset),
        "offset_frames": seconds_to_frames(offset, info_b.rate),
        "rate": str(info_b.rate),
        "lag_samples": lag,
        "best_lag_samples": result["lag_samples"],
        "nominal_lag_samples": nominal,
        "confidence": result["confidence"],
        "correlation": result["correlation"],
        "found": bool(found),
    }
    return Analysis("sync", VERSION, resolved, data)
