"""Faces as values: boxes, tracks, and the blur decision for each track.

Coordinates are source pixels (x1, y1, x2, y2), x2/y2 exclusive.  Frames count from the clip's
first frame.  A track holds the boxes its detector found; between two detections the box is
interpolated (never held), and :func:`FaceTrack.box_at` answers for any frame of the track.
"""

from __future__ import annotations

import bisect
import json
import math
import zlib
from dataclasses import dataclass, field

# The score of a box the tracker found by following a lost face, not by the detector (whose
# scores are above it): such a box may have drifted off the face and is hidden more widely.
FOLLOWED_SCORE = 0.0


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float
    score: float = 1.0

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def size(self) -> float:
        """The side of a square of the same area (at least 1 px): how big a face is."""
        return math.sqrt(max(1.0, self.width * self.height))

    def grown(self, margin: float) -> Box:
        """The box with ``margin`` (a fraction of its size) added on every side."""
        dx, dy = self.width * margin, self.height * margin
        return Box(self.x1 - dx, self.y1 - dy, self.x2 + dx, self.y2 + dy, self.score)

    def overlap(self, other: Box) -> float:
        """The area the two boxes share (0 when they do not meet)."""
        width = min(self.x2, other.x2) - max(self.x1, other.x1)
        height = min(self.y2, other.y2) - max(self.y1, other.y1)
        return max(0.0, width) * max(0.0, height)

    def iou(self, other: Box) -> float:
        inter = self.overlap(other)
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class FaceTrack:
    """One face followed through a clip: detected boxes by frame, and its embedding."""

    first_frame: int
    last_frame: int  # inclusive
    detections: tuple[tuple[int, Box], ...]  # (frame, box), sorted by frame
    embedding: tuple[float, ...] | None = None  # unit-length SFace feature, mean of the best
    id: int | None = None  # set once stored

    def box_at(self, frame: int) -> Box | None:
        """The box at ``frame``: detected, or interpolated between the nearest detections."""
        if not self.detections or not self.first_frame <= frame <= self.last_frame:
            return None
        frames = [item[0] for item in self.detections]
        index = bisect.bisect_left(frames, frame)
        if index < len(frames) and frames[index] == frame:
            return self.detections[index][1]
        if index == 0:
            return self.detections[0][1]
        if index == len(frames):
            return self.detections[-1][1]
        (before, a), (after, b) = self.detections[index - 1], self.detections[index]
        t = (frame - before) / (after - before)
        return Box(a.x1 + (b.x1 - a.x1) * t, a.y1 + (b.y1 - a.y1) * t,
                   a.x2 + (b.x2 - a.x2) * t, a.y2 + (b.y2 - a.y2) * t, min(a.score, b.score))  # fmt: skip


@dataclass(frozen=True)
class Identity:
    """Who a track is, as matched by the machine or set by an editor (which wins)."""

    person: str | None  # None: unknown
    consent: str | None  # released / opted_out / pending, None for unknown
    similarity: float = 0.0
    assigned_by: str | None = None  # an editor's override


@dataclass(frozen=True)
class BlurDecision:
    """Whether one track is blurred in a render, and why (for the manifest)."""

    track_id: int | None
    blur: bool
    reason: str
    person: str | None = None
    first_frame: int = 0
    last_frame: int = 0
    extra: dict = field(default_factory=dict, compare=False)
    released: bool = False  # the person signed a release: blur margins keep clear of them


def encode_detections(detections) -> bytes:
    """Detections as compact bytes for the database (zlib JSON, one decimal)."""
    rows = [[frame, round(b.x1, 1), round(b.y1, 1), round(b.x2, 1), round(b.y2, 1),
             round(b.score, 3)] for frame, b in detections]  # fmt: skip
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode())


def decode_detections(data: bytes) -> tuple[tuple[int, Box], ...]:
    rows = json.loads(zlib.decompress(data))
    return tuple((row[0], Box(row[1], row[2], row[3], row[4], row[5])) for row in rows)
