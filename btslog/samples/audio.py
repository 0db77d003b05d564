"""Synthetic set sound at 48 kHz: slate claps, speech-like voices, room tone.

Every waveform is a pure function of its parameters and seed, so a clap or a line of
dialogue heard by two cameras is the same waveform in both (only each camera's microphone
colouring and noise differ): that is what lets an audio-sync analyzer line the cameras up.

Speech is a source-filter model a voice-activity detector takes for speech: a glottal pulse
train (100-220 Hz, with a pitch contour) through three formant resonances that change per
syllable, syllables at about 4-5 per second with short pauses between words, and unvoiced
noise bursts for consonants.  It is normalised to about -20 dBFS RMS.  A clap is a broadband
noise burst with a 0.5 ms attack and an exponential decay (about 50 ms to -35 dB), peaking at
-3 dBFS; its first sample is the clap instant.
"""

from __future__ import annotations

import functools
import zlib
from fractions import Fraction

import numpy as np

from btslog.samples.spec import SAMPLE_RATE, AudioProfile, ClapEvent, SpeechEvent

CLAP_PEAK = 10 ** (-3 / 20)
CLAP_ATTACK_SAMPLES = 24  # 0.5 ms
CLAP_DECAY_SECONDS = 0.010
CLAP_LENGTH_SECONDS = 0.12
SPEECH_RMS = 10 ** (-20 / 20)

# Speaker -> fundamental frequency (Hz) and formant scale (1.0 for a low voice).
VOICES: dict[str, tuple[float, float]] = {
    "eileen": (205.0, 1.15),
    "grace": (182.0, 1.12),
    "director": (108.0, 1.0),
    "actor2": (124.0, 1.02),
    "crew": (140.0, 1.05),
}
# Vowel formants F1, F2, F3 (Hz) of an adult male voice, and their bandwidths.
VOWELS = (
    (730, 1090, 2440),
    (530, 1840, 2480),
    (270, 2290, 3010),
    (570, 840, 2410),
    (300, 870, 2240),
    (660, 1720, 2410),
    (520, 1190, 2390),
)
FORMANT_BANDWIDTHS = (80.0, 110.0, 160.0)
FORMANT_GAINS = (1.0, 0.55, 0.3)


def stable_seed(*parts: object) -> int:
    """A seed that is the same in every process (``hash()`` is salted per process)."""
    return zlib.crc32("|".join(str(part) for part in parts).encode("utf-8"))


def voice(speaker: str) -> tuple[float, float]:
    if speaker in VOICES:
        return VOICES[speaker]
    return 100.0 + stable_seed(speaker) % 110, 1.0 + (stable_seed(speaker, "f") % 15) / 100


def seconds_to_samples(seconds: Fraction) -> int:
    return round(Fraction(seconds) * SAMPLE_RATE)


@functools.lru_cache(maxsize=64)
def clap_wave(seed: int = 0) -> np.ndarray:
    """One clap: starts at sample 0, peak ``CLAP_PEAK`` within the first 0.5 ms."""
    rng = np.random.default_rng(stable_seed("clap", seed))
    length = int(CLAP_LENGTH_SECONDS * SAMPLE_RATE)
    index = np.arange(length, dtype=np.float64)
    envelope = np.exp(-(index - CLAP_ATTACK_SAMPLES) / (CLAP_DECAY_SECONDS * SAMPLE_RATE))
    envelope[:CLAP_ATTACK_SAMPLES] = index[:CLAP_ATTACK_SAMPLES] / CLAP_ATTACK_SAMPLES
    # A hand clap has a second, smaller impact a few milliseconds later.
    echo_at = 150
    envelope[echo_at:] += 0.35 * np.exp(-(index[: length - echo_at]) / (0.006 * SAMPLE_RATE))
    noise = rng.uniform(-1.0, 1.0, length)
    wave = noise * envelope
    # The peak of the attack is pinned so the transient is loud from its first milliseconds.
    wave[CLAP_ATTACK_SAMPLES] = 1.0
    wave *= CLAP_PEAK / np.max(np.abs(wave))
    wave.flags.writeable = False
    return wave


def _formant_response(formants: tuple[float, float, float], length: int) -> np.ndarray:
    index = np.arange(length) / SAMPLE_RATE
    response = np.zeros(length)
    for frequency, bandwidth, gain in zip(formants, FORMANT_BANDWIDTHS, FORMANT_GAINS, strict=True):
        response += (
            gain * np.exp(-np.pi * bandwidth * index) * np.sin(2 * np.pi * frequency * index)
        )
    return response


def _band_noise(rng: np.random.Generator, length: int, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(length))
    frequencies = np.fft.rfftfreq(length, 1 / SAMPLE_RATE)
    spectrum[(frequencies < low) | (frequencies > high)] = 0
    noise = np.fft.irfft(spectrum, length)
    peak = np.max(np.abs(noise))
    return noise / peak if peak > 0 else noise


def _fft_convolve(signal: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    size = len(signal) + len(kernel) - 1
    fft_size = 1 << (size - 1).bit_length()
    result = np.fft.irfft(np.fft.rfft(signal, fft_size) * np.fft.rfft(kernel, fft_size), fft_size)
    return result[:size]


def _plan_syllables(rng: np.random.Generator, length: int) -> list[tuple[int, int, bool]]:
    """(start, length, after_pause) of each syllable, filling exactly ``length`` samples."""
    plan: list[tuple[float, float, bool]] = []
    cursor = 0.0
    after_pause = True
    while cursor < length / SAMPLE_RATE or not plan:
        for _ in range(int(rng.integers(1, 4))):
            duration = float(rng.uniform(0.15, 0.27))
            plan.append((cursor, duration, after_pause))
            after_pause = False
            cursor += duration
        cursor += float(rng.uniform(0.06, 0.16))
        after_pause = True
    total = plan[-1][0] + plan[-1][1]
    scale = length / total
    syllables = []
    for start, duration, pause in plan:
        begin = round(start * scale)
        end = min(length, round((start + duration) * scale))
        if end - begin > 16:
            syllables.append((begin, end - begin, pause))
    return syllables


@functools.lru_cache(maxsize=256)
def speech_wave(length: int, speaker: str = "crew", seed: int = 0) -> np.ndarray:
    """``length`` samples of speech-like sound: audible from the first to the last sample."""
    rng = np.random.default_rng(stable_seed("speech", speaker, seed, length))
    base_pitch, formant_scale = voice(speaker)
    out = np.zeros(length + 2048)
    phase_offset = float(rng.uniform(0, 2 * np.pi))
    glottal = np.exp(-np.arange(64) / 9.0)
    glottal /= glottal.sum()
    for start, duration, after_pause in _plan_syllables(rng, length):
        consonant = 0
        if rng.random() < 0.6 and duration > 0.12 * SAMPLE_RATE:
            consonant = int(rng.uniform(0.025, 0.06) * SAMPLE_RATE)
            sibilant = rng.random() < 0.5
            low, high = (2500.0, 7500.0) if sibilant else (900.0, 4000.0)
            burst = _band_noise(rng, consonant, low, high)
            ramp = np.minimum(
                1.0, np.minimum(np.arange(consonant), np.arange(consonant)[::-1]) / 48
            )
            out[start : start + consonant] += 0.25 * burst * ramp
        vowel_start = start + consonant
        vowel_length = duration - consonant
        time = (vowel_start + np.arange(vowel_length)) / SAMPLE_RATE
        contour = 1 + 0.08 * np.sin(2 * np.pi * 0.9 * time + phase_offset)
        contour *= 1 - 0.10 * vowel_start / max(length, 1)
        contour *= 1.12 if after_pause else float(rng.uniform(0.95, 1.05))
        # The pitch glides a little inside each syllable.
        contour *= np.linspace(1.03, 0.97, vowel_length)
        pitch = base_pitch * contour
        phase = np.cumsum(pitch / SAMPLE_RATE) + float(rng.random())
        pulses = np.zeros(vowel_length)
        pulses[1:][np.diff(np.floor(phase)) > 0] = 1.0
        attack = min(int(0.02 * SAMPLE_RATE), vowel_length // 3)
        release = min(int(0.045 * SAMPLE_RATE), vowel_length // 2)
        envelope = np.ones(vowel_length)
        envelope[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
        envelope[vowel_length - release :] = 0.5 + 0.5 * np.cos(
            np.pi * np.arange(release) / release
        )
        breath = 0.03 * rng.standard_normal(vowel_length)
        excitation = (pulses + breath) * envelope
        vowel = VOWELS[int(rng.integers(len(VOWELS)))]
        formants = tuple(f * formant_scale * float(rng.uniform(0.95, 1.05)) for f in vowel)
        kernel = np.convolve(_formant_response(formants, 1024), glottal)
        voiced = _fft_convolve(excitation, kernel)
        end = min(len(out), vowel_start + len(voiced))
        out[vowel_start:end] += voiced[: end - vowel_start]
    wave = out[:length]
    # Fade the very end so the passage stops at ``length`` without a click.
    fade = min(length, 240)
    wave[length - fade :] *= np.linspace(1.0, 0.0, fade)
    rms = np.sqrt(np.mean(wave**2)) if length else 0.0
    if rms > 0:
        wave = wave * (SPEECH_RMS / rms)
    peak = np.max(np.abs(wave)) if length else 0.0
    if peak > 0.7:
        wave *= 0.7 / peak
    wave.flags.writeable = False
    return wave


def room_tone(length: int, noise_dbfs: float, seed: int) -> np.ndarray:
    """Pinkish noise at ``noise_dbfs`` RMS (a quiet room with ventilation)."""
    if length == 0:
        return np.zeros(0)
    rng = np.random.default_rng(stable_seed("room", seed, length))
    spectrum = np.fft.rfft(rng.standard_normal(length))
    frequencies = np.fft.rfftfreq(length, 1 / SAMPLE_RATE)
    spectrum /= np.sqrt(np.maximum(frequencies, 40.0))
    spectrum[frequencies > 12000] *= 0.3
    noise = np.fft.irfft(spectrum, length)
    rms = np.sqrt(np.mean(noise**2))
    return noise * (10 ** (noise_dbfs / 20) / rms) if rms > 0 else noise


def _place(out: np.ndarray, wave: np.ndarray, position: int) -> None:
    begin = max(0, position)
    end = min(len(out), position + len(wave))
    if end > begin:
        out[begin:end] += wave[begin - position : end - position]


def mix_events(
    length: int, claps: tuple[ClapEvent, ...], speech: tuple[SpeechEvent, ...]
) -> np.ndarray:
    """The dry sound of the events, ``length`` samples from the clip's first sample."""
    out = np.zeros(length)
    for clap in claps:
        _place(out, clap_wave(clap.seed), seconds_to_samples(clap.time))
    for passage in speech:
        begin = seconds_to_samples(passage.start)
        end = seconds_to_samples(passage.end)
        if end > begin:
            _place(out, speech_wave(end - begin, passage.speaker, passage.seed), begin)
    return out


def microphone(dry: np.ndarray, profile: AudioProfile, channels: int, seed: int) -> np.ndarray:
    """What one camera records of ``dry``: (channels, samples) float32."""
    coloured = dry * 10 ** (profile.gain_db / 20)
    if profile.tilt:
        coloured = coloured.copy()
        coloured[1:] -= profile.tilt * coloured[:-1].copy()
    result = np.empty((channels, len(dry)), dtype=np.float32)
    for channel in range(channels):
        gain = 10 ** (profile.right_gain_db / 20) if channel % 2 else 1.0
        result[channel] = coloured * gain + room_tone(
            len(dry), profile.noise_dbfs, seed * 8 + channel
        )
    return result
