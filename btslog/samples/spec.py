"""What one synthetic clip shows and sounds like: plain frozen values, no media code.

Times are exact ``Fraction`` seconds from the clip's first frame (events may start before it
or end after it: only the part inside the clip is rendered and reported).  Face positions are
fractions of the frame, so one spec renders the same composition at any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

SAMPLE_RATE = 48_000
SHOOT_DAY = "2026-11-20"


@dataclass(frozen=True)
class FaceKey:
    """Where a face is at ``time``: face-box centre and width as fractions of the frame.

    ``x`` and ``width`` are fractions of the frame width, ``y`` of the frame height.  Between
    keys the path is a smooth (Catmull-Rom) curve; before the first and after the last key
    the face holds still.  Move a face outside the frame to make it leave.
    """

    time: float
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class FaceTrack:
    """One person's face moving through the clip.

    Tracks are drawn in order, each person's shoulders then head: later tracks stand in
    front of earlier ones (the truth reports how much of a face they hide).
    ``identity`` is what the ground truth calls it (``"eileen"``, ``"grace"``,
    ``"unknown:1"``).  ``portrait`` names the photo the face is cut from: ``"astronaut"``
    (scikit-image), ``"grace_hopper"`` (matplotlib), or a path to any photo with one face
    (found with YuNet when it is loaded).  When ``None`` it follows from the identity.
    """

    identity: str
    keys: tuple[FaceKey, ...]
    portrait: str | Path | None = None


@dataclass(frozen=True)
class ClapEvent:
    """A slate clap: the audio transient starts and the white flash frame shows at ``time``.

    The slate graphic is on screen from ``time - slate_lead`` until a little after the clap.
    """

    time: Fraction
    scene: str = "1"
    take: int = 1
    slate_lead: Fraction = Fraction(6, 5)
    seed: int = 0

    @classmethod
    def at_frame(cls, frame: int, rate: Fraction, **kwargs) -> ClapEvent:
        """A clap exactly at the start of ``frame`` of a constant-rate clip."""
        return cls(time=Fraction(frame) / Fraction(rate), **kwargs)


@dataclass(frozen=True)
class SpeechEvent:
    """Synthetic voiced speech from ``start`` to ``end`` (seconds, end exclusive).

    ``kind`` is ``"dialogue"`` (inside a take), ``"conversation"`` (between takes) or
    ``"call"`` (a short "cut!").  ``speaker`` picks the voice (pitch) and is reported.
    """

    start: Fraction
    end: Fraction
    speaker: str = "crew"
    kind: str = "conversation"
    seed: int = 0


@dataclass(frozen=True)
class TakeEvent:
    """A take: from the slate coming up (``start``) to the end of the "cut" call (``end``)."""

    scene: str
    take: int
    start: Fraction
    clap: Fraction
    end: Fraction


@dataclass(frozen=True)
class AudioProfile:
    """How one camera's microphone colours the shared sound: gain, tilt, noise floor."""

    gain_db: float = 0.0
    tilt: float = 0.0  # first-order pre-emphasis (+) or smoothing (-), -0.9..0.9
    noise_dbfs: float = -60.0
    right_gain_db: float = -0.5


@dataclass(frozen=True)
class ClipSpec:
    """Everything :func:`btslog.samples.render_clip` needs to make one clip.

    ``frames`` is the length in frames at ``rate`` (for a variable-frame-rate clip: the
    nominal frames, some of which are dropped, the rest jittered).  ``container`` is
    ``"mp4"`` or ``"mov"``; when ``None`` it follows from the output file's suffix.
    ``start_tc`` is embedded as a QuickTime timecode track (``;`` for drop-frame).
    ``look`` picks the set's palette (``"A"`` warm stage, ``"B"`` cool corner).  ``pan``
    holds (time, offset) keys: the set's horizontal offset as a fraction of the frame width.
    """

    frames: int
    width: int = 320
    height: int = 180
    rate: Fraction = Fraction(24000, 1001)
    drop_frame: bool = False
    start_tc: str | None = None
    container: str | None = None
    vfr: bool = False
    faces: tuple[FaceTrack, ...] = ()
    claps: tuple[ClapEvent, ...] = ()
    speech: tuple[SpeechEvent, ...] = ()
    takes: tuple[TakeEvent, ...] = ()
    look: str = "A"
    pan: tuple[tuple[float, float], ...] = ()
    seed: int = 0
    audio: AudioProfile = field(default_factory=AudioProfile)
    audio_channels: int = 2
    audio_bitrate: int = 96_000
    crf: int = 26
    preset: str = "veryfast"
    creation_time: str | None = f"{SHOOT_DAY}T14:03:12Z"
    metadata: tuple[tuple[str, str], ...] = ()
    stream_metadata: tuple[tuple[str, str], ...] = ()
    name: str = ""
    roll: str = "A001"  # written on the slate
    world_start: Fraction | None = None  # time of day of the first frame, for the truth file
