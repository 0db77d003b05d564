"""Claps: slate claps (and other sharp, short bangs) in a clip's sound, to the sample.

``analyze(path, info, params) -> Analysis`` with ``data = {"claps": [{"sample": n, "frame": f,
"strength": x}, ...]}``: ``sample`` is the onset (48 kHz, from the clip's first video frame),
``frame`` the clip frame whose time span holds it (``floor(sample / 48000 * rate)``, the
convention of the sample shoot's truth; a VFR clip's frames are those of the constant rate it
is conformed to), ``strength`` how far (dB) the bang rises over the sound just before it.

How (each threshold a parameter in :data:`DEFAULTS`):

1. The sound's energy is measured in 1 ms hops (dB re full scale).
2. A hop is an onset candidate when it is louder than ``min_level_dbfs`` and rises at least
   ``rise_db`` over the loudest hop of the ~25 ms before it (the background: room tone, or
   the tail of a word).
3. A clap dies away fast: from ``decay_after_ms`` to twice that after its loudest hop, the
   mean energy must be ``decay_db`` below that hop.  A word that starts with a hiss (a sibilant runs 25-60 ms into a vowel),
   music or a rising voice fail this test.
4. Only the first onset within ``refractory_seconds`` counts (the echo of the clap, the second
   hand, the reverb).
5. The onset sample: the first sample of the attack whose magnitude reaches
   ``onset_fraction`` of the attack's peak (the loudest sample of the first 3 ms) -- robust to
   the pre-echo that AAC smears before a transient (well below that fraction), and at most a
   few samples after the true first sample.
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
    "min_level_dbfs": -30.0,
    "rise_db": 20.0,
    "decay_db": 15.0,
    "decay_after_ms": 30.0,
    "refractory_seconds": 0.3,
    "onset_fraction": 0.25,
}
HOP = SAMPLE_RATE // 1000  # 1 ms
BACKGROUND_HOPS = (25, 3)  # the background of hop k: hops k-25 .. k-3
PEAK_SEARCH_HOPS = 6  # the loudest hop of the attack is within 6 ms of its onset hop
ATTACK_SAMPLES = 3 * HOP


def resolve_params(params: dict | None) -> dict:
    """:data:`DEFAULTS` updated with ``params``; unknown names and bad values are refused."""
    resolved = with_defaults("claps", DEFAULTS, params)
    for name, value in resolved.items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidInput(f"claps analyzer: {name} must be a number")
    if not 0 < resolved["onset_fraction"] <= 1:
        raise InvalidInput("claps analyzer: onset_fraction must be in (0, 1]")
    if resolved["decay_after_ms"] <= 0 or resolved["refractory_seconds"] < 0:
        raise InvalidInput("claps analyzer: decay_after_ms must be > 0, refractory_seconds >= 0")
    return resolved


def analyze(path: Path, info: MediaInfo, params: dict | None = None) -> Analysis:
    """Claps in the clip at ``path`` (probed as ``info``); none when it has no sound."""
    from btslog.analyze.audio import load_audio, sample_to_frame

    resolved = resolve_params(params)
    samples = load_audio(Path(path), info)
    claps = [
        {"sample": sample, "frame": sample_to_frame(sample, info.rate), "strength": strength}
        for sample, strength in detect_claps(samples, resolved)
    ]
    return Analysis("claps", VERSION, resolved, {"claps": claps})


def hop_energy_db(samples: np.ndarray) -> np.ndarray:
    """Mean-square energy of each whole 1 ms hop, in dB re full scale (floor -120 dB)."""
    import numpy as np

    count = len(samples) // HOP
    blocks = np.asarray(samples[: count * HOP], dtype=np.float64).reshape(count, HOP)
    return 10 * np.log10(np.maximum(np.mean(blocks * blocks, axis=1), 1e-12))


def detect_claps(samples: np.ndarray, params: dict) -> list[tuple[int, float]]:
    """``(onset_sample, strength_db)`` of each clap in ``samples``, in order."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    energy = hop_energy_db(samples)
    far, near = BACKGROUND_HOPS
    decay_hops = round(params["decay_after_ms"] * SAMPLE_RATE / 1000 / HOP)
    if len(energy) <= far + decay_hops + PEAK_SEARCH_HOPS:
        return []
    # background[k] = max(energy[k - far .. k - near]) for k >= far
    windows = sliding_window_view(energy, far - near + 1)
    background = np.full(len(energy), np.inf)
    background[far:] = windows[: len(energy) - far].max(axis=1)
    rise = energy - background
    candidates = np.flatnonzero((rise >= params["rise_db"]) & (energy >= params["min_level_dbfs"]))
    refractory = round(params["refractory_seconds"] * SAMPLE_RATE)
    found: list[tuple[int, float]] = []
    last_onset = None
    for hop in candidates:
        hop = int(hop)
        if last_onset is not None and hop * HOP - last_onset < refractory:
            continue
        peak_hop = hop + int(np.argmax(energy[hop : hop + PEAK_SEARCH_HOPS]))
        # the energy from decay_after_ms to twice that after the peak: a clap has died away,
        # a word (a hiss into a vowel) goes on
        tail = energy[peak_hop + decay_hops : peak_hop + 2 * decay_hops]
        if len(tail) < decay_hops:
            continue
        tail_db = 10 * np.log10(np.mean(10 ** (tail / 10)))
        if energy[peak_hop] - tail_db < params["decay_db"]:
            continue
        onset = _onset_sample(samples, hop, params["onset_fraction"])
        # the rise over the background, measured on the loudest hop of the attack
        strength = float(energy[peak_hop] - background[hop])
        found.append((onset, round(strength, 1)))
        last_onset = onset
    return found


def _onset_sample(samples: np.ndarray, hop: int, fraction: float) -> int:
    """The first sample near ``hop`` reaching ``fraction`` of the attack's peak magnitude."""
    import numpy as np

    begin = max(0, (hop - 1) * HOP)
    window = np.abs(np.asarray(samples[begin : (hop + 1) * HOP + ATTACK_SAMPLES]))
    if not len(window):
        return hop * HOP
    peak = float(window.max())
    reached = np.flatnonzero(window >= fraction * peak)
    return begin + int(reached[0])
