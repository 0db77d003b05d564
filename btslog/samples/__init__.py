"""The deterministic synthetic sample shoot, as a library.

``render_clip(spec, path) -> ClipTruth`` makes one clip (tests use it for tiny clips with
faces, claps and speech); ``make_shoot(directory, size)`` writes the whole two-camera day that
``btslog samples make`` writes and ``sample_clips/`` holds.  See ``sample_clips/README.md``
for the layout and the ground-truth format.

Importing this package loads numpy; the CLI imports it only when the command runs.
"""

from __future__ import annotations

from btslog.samples.render import render_clip
from btslog.samples.shoot import SHOOT_SCHEMA, SIZES, make_shoot, shoot_plan
from btslog.samples.spec import (
    AudioProfile,
    ClapEvent,
    ClipSpec,
    FaceKey,
    FaceTrack,
    SpeechEvent,
    TakeEvent,
)
from btslog.samples.truth import TRUTH_SCHEMA, ClipTruth

__all__ = [
    "SHOOT_SCHEMA",
    "SIZES",
    "TRUTH_SCHEMA",
    "AudioProfile",
    "ClapEvent",
    "ClipSpec",
    "ClipTruth",
    "FaceKey",
    "FaceTrack",
    "SpeechEvent",
    "TakeEvent",
    "make_shoot",
    "render_clip",
    "shoot_plan",
]
