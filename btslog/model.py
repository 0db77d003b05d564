"""The domain model: plain, frozen values shared by every layer.

Time is integer frames at an exact rational rate (``Fraction(30000, 1001)``), never floats.
``in_frame``/``out_frame`` count from a clip's first frame and ``out_frame`` is exclusive.
Timecode strings exist only at the edges (input and output); the camera's time-of-day
timecode is ``start_frame`` (a label count from 00:00:00:00 in the clip's drop-frame mode)
plus the frame offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

TAG_KINDS = ("take", "flub", "conversation", "setup", "highlight", "restricted")
TAG_STATUSES = ("suggested", "accepted", "rejected")
CONSENT_STATES = ("released", "opted_out", "pending")


@dataclass(frozen=True)
class AudioStreamInfo:
    index: int
    codec: str
    channels: int
    sample_rate: int
    layout: str | None = None


@dataclass(frozen=True)
class MediaInfo:
    """What a media file is, as read from its container and streams (see media.probe)."""

    path: str
    size_bytes: int
    container: str
    codec: str
    width: int
    height: int
    rate: Fraction
    vfr: bool
    duration_frames: int
    start_frame: int
    drop_frame: bool
    timecode_source: str  # "tmcd", "stream", "format", "creation_time" or "none"
    reel: str | None
    creation_time: str | None
    audio: tuple[AudioStreamInfo, ...] = ()
    pixel_format: str | None = None
    rotation: int = 0


@dataclass(frozen=True)
class Clip:
    """One registered media file of the project."""

    id: int
    name: str
    path: str  # relative to the project root when inside it, else absolute
    source_path: str | None
    camera: str | None
    roll: str | None
    operator: str | None
    day: str | None
    container: str
    codec: str
    width: int
    height: int
    rate: Fraction
    vfr: bool
    duration_frames: int
    start_frame: int
    drop_frame: bool
    timecode_source: str
    reel: str | None
    creation_time: str | None
    audio: tuple[AudioStreamInfo, ...]
    size_bytes: int
    xxh64: str | None
    mhl_path: str | None = None
    proxy_path: str | None = None
    poster_path: str | None = None
    sheet_path: str | None = None
    sync_offset_frames: int = 0
    added_at: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def synced_start_frame(self) -> int:
        """The time-of-day label count of the first frame on the reference camera's clock:
        the camera timecode plus the clip's sync offset (wrapping at midnight)."""
        if not self.sync_offset_frames:
            return self.start_frame
        from btslog.timecode import frames_per_day

        day = frames_per_day(self.rate, self.drop_frame)
        return (self.start_frame + self.sync_offset_frames) % day


@dataclass(frozen=True)
class Tag:
    """A logged range of one clip: ``in_frame`` to ``out_frame`` (exclusive) from its start."""

    id: int
    clip_id: int
    clip: str  # the clip's name
    in_frame: int
    out_frame: int
    kind: str
    note: str = ""
    scene: str | None = None
    take: str | None = None
    rating: int | None = None
    circled: bool = False
    ng: bool = False
    status: str = "accepted"
    source: str = "manual"
    author: str | None = None
    people: tuple[str, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame


@dataclass(frozen=True)
class Person:
    """A crew member in the consent register."""

    id: int
    name: str
    role: str | None
    consent: str
    release_ref: str | None
    signed_on: str | None
    created_at: str


@dataclass(frozen=True)
class Photo:
    id: int
    person_id: int
    path: str
    sha256: str
    added_at: str
