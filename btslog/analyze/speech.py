"""Speech: where people talk in a clip, from WebRTC voice-activity detection plus smoothing.

``analyze(path, info, params) -> Analysis`` with ``data = {"speech": [[start_sample,
end_sample], ...]}`` (samples at 48 kHz from the clip's first video frame, end exclusive,
sorted, never overlapping).

How (each step a parameter in :data:`DEFAULTS`):

1. The clip's sound (mono, 48 kHz) is cut into 10 ms frames and each is classified by the
   WebRTC VAD (``aggressiveness`` 0-3; 2 rejects room tone and keeps ~97 % of speech frames
   on the sample shoot).
2. A slate clap heard in a pause (found by :mod:`btslog.analyze.claps`) is not speech, even
   when a line follows it closely: the frames from its onset for ``clap_hold_seconds`` (the
   burst and the VAD's hangover after it) are unset (0 turns this off).
3. Runs of speech frames separated by less than ``merge_gap_seconds`` are joined: the pauses
   between words inside a sentence are ~20-60 ms in the VAD's output, the gaps between two
   speakers >= 0.2 s.
4. Runs shorter than ``min_speech_seconds`` are dropped: a bang, a door or a cough is not
   speech (nor a clap inside speech, which step 2 leaves alone).
5. Each run's end is pulled back by ``end_trim_seconds``, the VAD's own hangover (~90 ms after
   the last voiced frame), so ranges end where the voice stops.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from btslog.analyze.model import SAMPLE_RATE, Analysis, with_defaults
from btslog.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np

    from btslog.model import MediaInfo

VERSION = "1"
DEFAULTS: dict = {
    "aggressiveness": 2,
    "frame_ms": 10,
    "merge_gap_seconds": 0.12,
    "min_speech_seconds": 0.2,
    "end_trim_seconds": 0.08,
    "clap_hold_seconds": 0.2,
}


def resolve_params(params: dict | None) -> dict:
    """:data:`DEFAULTS` updated with ``params``; unknown names and bad values are refused."""
    resolved = with_defaults("speech", DEFAULTS, params)
    if resolved["aggressiveness"] not in (0, 1, 2, 3):
        raise InvalidInput("speech analyzer: aggressiveness must be 0, 1, 2 or 3")
    if resolved["frame_ms"] not in (10, 20, 30):
        raise InvalidInput("speech analyzer: frame_ms must be 10, 20 or 30")
    for name in (
        "merge_gap_seconds",
        "min_speech_seconds",
        "end_trim_seconds",
        "clap_hold_seconds",
    ):
        if not isinstance(resolved[name], int | float) or resolved[name] < 0:
            raise InvalidInput(f"speech analyzer: {name} must be a number >= 0")
    return resolved


def analyze(path: Path, info: MediaInfo, params: dict | None = None) -> Analysis:
    """Speech ranges of the clip at ``path`` (probed as ``info``); none when it has no sound."""
    from btslog.analyze.audio import load_audio

    resolved = resolve_params(params)
    samples = load_audio(Path(path), info)
    ranges = detect_speech(samples, resolved)
    return Analysis("speech", VERSION, resolved, {"speech": [list(pair) for pair in ranges]})


def voiced_frames(samples: np.ndarray, aggressiveness: int, frame_ms: int) -> np.ndarray:
    """The WebRTC VAD's decision for each whole ``frame_ms`` frame of ``samples`` (bool)."""
    import numpy as np
    import webrtcvad

    frame_length = SAMPLE_RATE * frame_ms // 1000
    count = len(samples) // frame_length
    pcm = (np.clip(samples[: count * frame_length], -1.0, 1.0) * 32767).astype("<i2")
    data = pcm.tobytes()
    step = frame_length * 2
    vad = webrtcvad.Vad(aggressiveness)
    return np.fromiter(
        (vad.is_speech(data[i * step : (i + 1) * step], SAMPLE_RATE) for i in range(count)),
        dtype=bool,
        count=count,
    )


def detect_speech(samples: np.ndarray, params: dict) -> list[tuple[int, int]]:
    """Speech ranges ``(start_sample, end_sample)`` of ``samples`` with resolved ``params``."""
    frame_length = SAMPLE_RATE * params["frame_ms"] // 1000
    if len(samples) < frame_length:
        return []
    flags = voiced_frames(samples, params["aggressiveness"], params["frame_ms"])
    if params["clap_hold_seconds"] > 0:
        flags = _without_claps(samples, flags, frame_length, params["clap_hold_seconds"])
    runs = runs_of(flags)
    ranges = [(start * frame_length, end * frame_length) for start, end in runs]
    ranges = smooth_ranges(
        ranges,
        merge_gap=round(params["merge_gap_seconds"] * SAMPLE_RATE),
        min_length=round(params["min_speech_seconds"] * SAMPLE_RATE),
        end_trim=round(params["end_trim_seconds"] * SAMPLE_RATE),
    )
    return [(start, min(end, len(samples))) for start, end in ranges]


def _without_claps(samples: np.ndarray, flags: np.ndarray, frame_length: int, hold: float):
    """``flags`` with the frames of each clap heard in a pause (no speech in the 50 ms before
    it) unset, from its onset for ``hold`` seconds."""
    from btslog.analyze import claps

    flags = flags.copy()
    hold_frames = max(1, round(hold * SAMPLE_RATE / frame_length))
    quiet_before = max(1, round(0.05 * SAMPLE_RATE / frame_length))
    for onset, _strength in claps.detect_claps(samples, claps.DEFAULTS):
        first = onset // frame_length
        if not flags[max(0, first - quiet_before) : first].any():
            flags[first : first + hold_frames] = False
    return flags


def runs_of(flags) -> list[tuple[int, int]]:
    """``(start, end)`` (end exclusive) of each run of true values in a boolean sequence."""
    import numpy as np

    flags = np.asarray(flags, dtype=bool)
    if not len(flags):
        return []
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [(int(start), int(end)) for start, end in zip(starts, ends, strict=True)]


def smooth_ranges(
    ranges: list[tuple[int, int]], *, merge_gap: int, min_length: int, end_trim: int
) -> list[tuple[int, int]]:
    """Join ranges closer than ``merge_gap``, drop those shorter than ``min_length``, then
    pull each end back by ``end_trim`` (never below its start)."""
    from btslog.analyze.suggest import merge_ranges

    kept = [pair for pair in merge_ranges(ranges, merge_gap) if pair[1] - pair[0] >= min_length]
    return [(start, max(start + 1, end - end_trim)) for start, end in kept]
