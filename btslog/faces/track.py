"""Face tracking: detections in successive frames joined into :class:`FaceTrack` values.

The tracker sees only the frames the detector ran on (every frame, or every other frame, see
``btslog.faces.scan``).  It joins a detection to a track by motion and, after a gap, also by
appearance, and follows a face the detector lost with a template tracker:

* **Motion.**  Each track predicts where its face is now from its last box and a smoothed
  constant velocity (centre and size, per frame; extrapolated for at most
  :data:`MAX_EXTRAPOLATION` frames so a lost face does not fly off).  A detection may join a
  track when its size is within 2x of the track's and its centre lies within a radius of the
  predicted *or* the last seen centre (a face that reverses direction, like a rope skipper at
  the top of a jump, is near the last one), or overlaps the prediction.  The radius is 1 face
  size plus 0.5 per frame since the track's last box, up to 3 face sizes, and at least
  2 % of the frame's long side per frame (up to 15 %): a small face far away moves many of
  its own sizes per frame.  Pairs are taken cheapest first (normalised distance minus IoU).
* **Lost faces are followed.**  When a track's face is not detected (turned away, motion
  blur, a dark room, a hand in front), a template of its last box is searched near the
  predicted place in each detected frame (normalised cross-correlation on a ~32 px grey
  template, updated as it goes, :class:`_Follower`).  Each match adds a *followed* box with
  score 0.0 to the track, so the blur follows the head through the gap.  Following stops
  when the correlation drops below :data:`FOLLOW_MIN_CORRELATION`, the template is flat, the
  box leaves the picture, jumps off the predicted place (more than
  :data:`FOLLOW_MAX_OFFSET` face sizes per frame: it found something else), or stays put
  for :data:`STUCK_AFTER` frames while the face was moving (the template kept the
  background), and the lost face then *coasts* on at the velocity it was lost with, from
  the last place the follower saw it moving, for
  :data:`COAST_FRAMES` (a person walking on behind another).  Following and coasting stop
  for good when the box runs into a detected face (:data:`BEHIND`): the lost face is behind
  it, and blurring the face in front would hide a person who may have consented.
* **Gaps.**  A track survives ``max_missed`` frames after its last *detected* box and ends
  after.  Between two boxes :meth:`FaceTrack.box_at` interpolates; a render adds its own
  temporal padding before the first and after the last frame.
* **Appearance after a gap.**  When the tracker is given SFace crops and an embedder, a
  detection that would rejoin a track not detected for more than :data:`REACQUIRE_AFTER`
  frames must also look like the track's best face (cosine similarity >= ``same_face``) when
  both faces are large enough for SFace to tell (:data:`MIN_APPEARANCE_SIZE`), so another
  person stepping in where the first one left starts a track of their own.  A track's
  identity is decided over all its frames: two people on one track could unblur one of them.

No track is dropped for being short or low-scored: a face seen once (a whip pan, a head
crossing the frame edge) is still a face, and blurring a false detection costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from btslog.faces.detect import Detection
from btslog.faces.model import FOLLOWED_SCORE, Box, FaceTrack

MAX_MISSED = 90  # frames a track survives without a detection (3 s at 29.97, 3.75 s at 23.976)
MAX_EXTRAPOLATION = 4  # frames of constant-velocity prediction past the last box
REACQUIRE_AFTER = 8  # frames: a longer gap needs the face to look the same to rejoin a track
SAME_FACE = 0.2  # cosine similarity of SFace features; different people are mostly below 0.2
MIN_APPEARANCE_SIZE = 40  # source px: SFace says nothing useful about smaller faces
VELOCITY_SMOOTHING = 0.6  # weight of the newest measured velocity
MAX_SIZE_RATIO = 2.0
MAX_RADIUS = 3.0  # face sizes a face may move between two of its boxes
PAN_PER_FRAME = 0.02  # ...and at least this fraction of the frame's long side per frame
MAX_PAN = 0.15
SAMPLES_PER_TRACK = 5  # best-quality crops kept per track for its embedding
FOLLOW_TEMPLATE = 32  # px: the follower's template long side
FOLLOW_CONTEXT = 0.15  # the template covers the box grown by this (hair, ears: texture)
FOLLOW_MIN_CORRELATION = 0.5
FOLLOW_MIN_CONTRAST = 4.0  # grey levels (standard deviation) a template needs
FOLLOW_UPDATE = 0.5  # weight of the newest patch in the template
FOLLOW_MAX_OFFSET = 0.5  # face sizes per frame a followed box may be off the predicted place
# A follower is "stuck" (stopped) when the face was moving at STUCK_SPEED face sizes per frame
# or more when it was lost, and for STUCK_AFTER frames since the followed box last kept up
# with that motion it has moved on (in that direction) less than STUCK_FRACTION of the way:
# the face walked on behind something, the template stayed on the background.
STUCK_SPEED = 0.05
STUCK_AFTER = 4
STUCK_FRACTION = 0.3
COAST_FRAMES = 12  # frames a lost face that cannot be followed is assumed to move on
BEHIND = 0.3  # a followed box this much inside a detected face is behind that face


def quality(detection: Detection) -> float:
    """How good a detection is for recognition: confident, frontal, and large enough."""
    size = min(1.0, min(detection.box.width, detection.box.height) / 80.0)
    return detection.score * (0.25 + 0.75 * detection.frontal()) * size


@dataclass
class _Sample:
    quality: float
    frame: int
    crop: object  # aligned 112x112 BGR crop (numpy)
    size: float  # the face's smaller side in source pixels
    embedding: object = None  # computed lazily


class _Follower:
    """Follows one lost face by template matching in grey working pictures.

    Boxes are in picture pixels.  The template is the box (grown by FOLLOW_CONTEXT) scaled to
    FOLLOW_TEMPLATE px; each step searches a window around the expected centre and blends the
    matched patch into the template.
    """

    def __init__(self, grey, box: tuple[float, float, float, float]) -> None:
        self.box = box
        width, height = box[2] - box[0], box[3] - box[1]
        self.scale = FOLLOW_TEMPLATE / max(1.0, max(width, height) * (1 + 2 * FOLLOW_CONTEXT))
        self.template = self._patch(grey, box, 0.0)

    def _patch(self, grey, box, extra: float):
        """The picture around ``box`` (grown by FOLLOW_CONTEXT, plus ``extra`` px per side),
        scaled to template resolution (float32)."""
        import cv2
        import numpy as np

        width, height = box[2] - box[0], box[3] - box[1]
        patch_w = width * (1 + 2 * FOLLOW_CONTEXT) + 2 * extra
        patch_h = height * (1 + 2 * FOLLOW_CONTEXT) + 2 * extra
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        size = (max(2, round(patch_w)), max(2, round(patch_h)))
        patch = cv2.getRectSubPix(grey, size, centre)
        scaled = (max(2, round(size[0] * self.scale)), max(2, round(size[1] * self.scale)))
        return cv2.resize(patch, scaled, interpolation=cv2.INTER_AREA).astype(np.float32)

    def step(self, grey, expected: tuple[float, float, float, float], reach: float):
        """The box in ``grey`` near ``expected`` (searched ``reach`` px around it), or None."""
        import cv2

        if float(self.template.std()) < FOLLOW_MIN_CONTRAST:
            return None
        window = self._patch(grey, expected, reach)
        th, tw = self.template.shape
        if window.shape[0] < th or window.shape[1] < tw:
            return None
        scores = cv2.matchTemplate(window, self.template, cv2.TM_CCOEFF_NORMED)
        _, peak, _, (left, top) = cv2.minMaxLoc(scores)
        if not peak >= FOLLOW_MIN_CORRELATION:  # also catches NaN from flat windows
            return None
        dx = (left - (window.shape[1] - tw) / 2) / self.scale
        dy = (top - (window.shape[0] - th) / 2) / self.scale
        box = (expected[0] + dx, expected[1] + dy, expected[2] + dx, expected[3] + dy)
        patch = self._patch(grey, box, 0.0)
        if patch.shape == self.template.shape:
            self.template = (1 - FOLLOW_UPDATE) * self.template + FOLLOW_UPDATE * patch
        self.box = box
        return box


@dataclass
class _Track:
    number: int
    detections: list[tuple[int, Box]] = field(default_factory=list)
    velocity: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # cx, cy, w, h per frame
    samples: list[_Sample] = field(default_factory=list)
    last_detected: int = -1  # the last frame the detector (not the follower) found the face
    follower: _Follower | None = None
    follow: bool = True  # False once following failed in the current gap
    coast: tuple | None = None  # (frame, box, velocity at loss): last seen moving

    @property
    def last_frame(self) -> int:
        return self.detections[-1][0]

    @property
    def last_box(self) -> Box:
        return self.detections[-1][1]

    def predicted(self, frame: int) -> Box:
        box = self.last_box
        steps = min(frame - self.last_frame, MAX_EXTRAPOLATION)
        vx, vy, vw, vh = (value * steps for value in self.velocity)
        cx, cy = (box.x1 + box.x2) / 2 + vx, (box.y1 + box.y2) / 2 + vy
        width, height = max(1.0, box.width + vw), max(1.0, box.height + vh)
        return Box(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2, box.score)

    def add(self, frame: int, box: Box, *, detected: bool = True) -> None:
        if self.detections:
            last, gap = self.last_box, frame - self.last_frame
            measured = (
                ((box.x1 + box.x2) - (last.x1 + last.x2)) / 2 / gap,
                ((box.y1 + box.y2) - (last.y1 + last.y2)) / 2 / gap,
                (box.width - last.width) / gap,
                (box.height - last.height) / gap,
            )
            if len(self.detections) == 1 or gap > REACQUIRE_AFTER:
                self.velocity = measured  # after a gap: the average motion over the gap
            else:
                self.velocity = tuple(
                    VELOCITY_SMOOTHING * new + (1 - VELOCITY_SMOOTHING) * old
                    for new, old in zip(measured, self.velocity, strict=True)
                )
        self.detections.append((frame, box))
        if detected:
            self.last_detected = frame
            self.follower, self.follow, self.coast = None, True, None

    def speed(self) -> float:
        """Centre motion per frame as a fraction of the face size."""
        return math.hypot(self.velocity[0], self.velocity[1]) / self.last_box.size


def _centre(box: Box) -> tuple[float, float]:
    return (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2


def _behind(box: Box, detections) -> bool:
    """Whether a detected face covers more than BEHIND of ``box``."""
    area = max(1e-6, box.width * box.height)
    return any(box.overlap(detection.box) / area > BEHIND for detection in detections)


def _radius(track: _Track, frame: int, long_side: float) -> float:
    last = track.last_box
    size = last.size
    gap = frame - track.last_frame
    return max(
        size * min(MAX_RADIUS, 1.0 + 0.5 * gap), long_side * min(MAX_PAN, PAN_PER_FRAME * gap)
    )


def _cost(track: _Track, box: Box, frame: int, long_side: float) -> float | None:
    """Normalised distance minus overlap; None when the detection cannot be this face."""
    last = track.last_box
    size = last.size
    ratio = box.size / size
    if not 1 / MAX_SIZE_RATIO <= ratio <= MAX_SIZE_RATIO:
        return None
    predicted = track.predicted(frame)
    radius = _radius(track, frame, long_side)
    cx, cy = _centre(box)
    distance = min(math.dist((cx, cy), _centre(predicted)), math.dist((cx, cy), _centre(last)))
    overlap = predicted.iou(box)
    if distance > radius and overlap <= 0.0:
        return None
    return distance / radius - overlap


class Tracker:
    """Feed it each detected frame in order with :meth:`update`; :meth:`finish` gives tracks.

    ``embed(crop) -> unit vector`` (SFace) enables appearance checks after gaps and track
    embeddings; :meth:`update` then needs ``crop(detection) -> aligned crop`` for the frame.
    Following lost faces needs the frame's picture (``image``, BGR, any scale: ``to_image``
    is picture pixels per source pixel, x and y).
    """

    def __init__(self, *, frame_size: tuple[int, int] = (1920, 1080),
                 max_missed: int = MAX_MISSED,
                 embed: Callable[[object], object] | None = None,
                 samples_per_track: int = SAMPLES_PER_TRACK,
                 same_face: float = SAME_FACE, follow: bool = True) -> None:  # fmt: skip
        self.long_side = max(frame_size)
        self.max_missed = max_missed
        self.embed = embed
        self.samples_per_track = samples_per_track
        self.same_face = same_face
        self.follow = follow
        self._active: list[_Track] = []
        self._ended: list[_Track] = []
        self._count = 0
        self._previous: tuple[int, object] | None = None  # (frame, grey picture)
        self.reacquisitions_refused = 0

    @property
    def active(self) -> list[_Track]:
        return self._active

    def update(self, frame: int, detections: Sequence[Detection],
               crop: Callable[[Detection], object] | None = None, *, image=None,
               to_image: tuple[float, float] = (1.0, 1.0)) -> list[_Track]:  # fmt: skip
        """Join ``detections`` (found in ``frame``) to tracks; returns the track of each."""
        for track in [t for t in self._active if frame - t.last_detected > self.max_missed]:
            self._active.remove(track)
            self._ended.append(track)
        pairs = []
        for t_index, track in enumerate(self._active):
            for d_index, detection in enumerate(detections):
                cost = _cost(track, detection.box, frame, self.long_side)
                if cost is not None:
                    pairs.append((cost, t_index, d_index))
        pairs.sort()
        owners: list[_Track | None] = [None] * len(detections)
        taken: set[int] = set()
        embeddings: dict[int, object] = {}
        for _, t_index, d_index in pairs:
            if t_index in taken or owners[d_index] is not None:
                continue
            track = self._active[t_index]
            if frame - track.last_detected > REACQUIRE_AFTER and not self._looks_same(
                track, detections[d_index], crop, embeddings, d_index
            ):
                self.reacquisitions_refused += 1
                continue
            taken.add(t_index)
            owners[d_index] = track
        lost = [track for index, track in enumerate(self._active) if index not in taken]
        for d_index, detection in enumerate(detections):
            track = owners[d_index]
            if track is None:
                self._count += 1
                track = _Track(self._count)
                self._active.append(track)
                owners[d_index] = track
            track.add(frame, detection.box)
            self._keep_sample(track, frame, detection, crop, embeddings.get(d_index))
        if self.follow and image is not None:
            self._follow(frame, lost, detections, image, to_image)
        return owners  # type: ignore[return-value]

    def _follow(self, frame: int, lost: list[_Track], detections, image, to_image) -> None:
        """Find each lost face near where it should be; remember this picture for the next."""
        import cv2

        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        sx, sy = to_image
        previous, self._previous = self._previous, (frame, grey)
        for track in lost:
            if track.follow and track.follower is None:
                if previous is None or previous[0] != track.last_frame:
                    track.follow = False  # the picture of its last box is gone
                else:
                    last = track.last_box
                    track.follower = _Follower(
                        previous[1], (last.x1 * sx, last.y1 * sy, last.x2 * sx, last.y2 * sy)
                    )
                    track.coast = (track.last_frame, last, track.velocity)
            box = self._followed(track, frame, grey, (sx, sy)) if track.follow else None
            if box is None:
                track.follower, track.follow = None, False
                box = self._coasted(track, frame)
            if box is not None and _behind(box, detections):
                # It ran into a face the detector sees: the lost face is behind that one,
                # whose own track decides whether that spot is blurred.
                track.follower, track.follow, track.coast = None, False, None
                box = None
            if box is not None:
                track.add(frame, box, detected=False)

    def _followed(self, track: _Track, frame: int, grey, scale) -> Box | None:
        """The lost face found by its follower, or None when following should stop."""
        sx, sy = scale
        # Search around the predicted centre with the size the face was last detected at
        # (a face leaving the frame shrinks only in the detector's eyes).
        cx, cy = _centre(track.predicted(frame))
        held = track.follower.box
        half_w, half_h = (held[2] - held[0]) / 2, (held[3] - held[1]) / 2
        expected = (cx * sx - half_w, cy * sy - half_h, cx * sx + half_w, cy * sy + half_h)
        found = track.follower.step(grey, expected, _radius(track, frame, self.long_side) * sx)
        if found is None:
            return None
        box = Box(found[0] / sx, found[1] / sy, found[2] / sx, found[3] / sy, FOLLOWED_SCORE)
        centre_x, centre_y = (found[0] + found[2]) / 2, (found[1] + found[3]) / 2
        if not (0 <= centre_x < grey.shape[1] and 0 <= centre_y < grey.shape[0]):
            return None  # the face left the picture
        size = track.last_box.size
        if math.dist(_centre(box), (cx, cy)) > FOLLOW_MAX_OFFSET * size * (
            frame - track.last_frame
        ):
            return None  # the template jumped to something else that looks like it
        start_frame, start, velocity = track.coast
        elapsed = frame - start_frame
        speed = math.hypot(velocity[0], velocity[1])
        if speed >= STUCK_SPEED * size:  # the face was moving when lost
            (x, y), (x0, y0) = _centre(box), _centre(start)
            onwards = ((x - x0) * velocity[0] + (y - y0) * velocity[1]) / speed
            if onwards >= STUCK_FRACTION * speed * elapsed:
                track.coast = (frame, box, velocity)  # still moving: coast on from here
            elif elapsed >= STUCK_AFTER:
                return None  # the template stays on the background the moving face passed
        return box

    def _coasted(self, track: _Track, frame: int) -> Box | None:
        """Where a lost face that cannot be followed would be at constant velocity, for
        COAST_FRAMES after it was lost (a person walking behind another)."""
        if track.coast is None:
            return None
        start_frame, start, velocity = track.coast
        elapsed = frame - start_frame
        if elapsed > COAST_FRAMES:
            return None
        vx, vy, _, _ = velocity
        return Box(start.x1 + vx * elapsed, start.y1 + vy * elapsed, start.x2 + vx * elapsed,
                   start.y2 + vy * elapsed, FOLLOWED_SCORE)  # fmt: skip

    def _keep_sample(self, track: _Track, frame: int, detection: Detection, crop,
                     embedding) -> None:  # fmt: skip
        if self.embed is None or crop is None:
            return
        value = quality(detection)
        if len(track.samples) >= self.samples_per_track and value <= track.samples[-1].quality:
            return
        image = crop(detection)
        if image is None:
            return
        size = min(detection.box.width, detection.box.height)
        track.samples.append(_Sample(value, frame, image, size, embedding))
        track.samples.sort(key=lambda sample: -sample.quality)
        del track.samples[self.samples_per_track :]

    def _embedding(self, sample: _Sample):
        if sample.embedding is None:
            sample.embedding = self.embed(sample.crop)
        return sample.embedding

    def _looks_same(self, track: _Track, detection: Detection, crop, embeddings, d_index) -> bool:
        """Whether ``detection`` looks like the track's best face (True when unknowable)."""
        if self.embed is None or crop is None or not track.samples:
            return True
        smallest = min(detection.box.width, detection.box.height, track.samples[0].size)
        if smallest < MIN_APPEARANCE_SIZE:
            return True
        if d_index not in embeddings:
            image = crop(detection)
            embeddings[d_index] = self.embed(image) if image is not None else None
        if embeddings[d_index] is None:
            return True
        return cosine(self._embedding(track.samples[0]), embeddings[d_index]) >= self.same_face

    def finish(self) -> list[FaceTrack]:
        """Every track, first frame first, with its embedding when an embedder was given."""
        tracks = self._ended + self._active
        self._ended, self._active = [], []
        result = []
        for track in sorted(tracks, key=lambda t: (t.detections[0][0], t.number)):
            embedding = None
            if self.embed is not None and track.samples:
                embedding = mean_embedding([self._embedding(s) for s in track.samples])
            result.append(FaceTrack(track.detections[0][0], track.last_frame,
                                    tuple(track.detections), embedding))  # fmt: skip
        return result


def cosine(a, b) -> float:
    """Cosine similarity of two feature vectors."""
    dot = sum(float(x) * float(y) for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(float(x) ** 2 for x in a)) * math.sqrt(sum(float(y) ** 2 for y in b))
    return dot / norm if norm > 0 else 0.0


def mean_embedding(vectors) -> tuple[float, ...] | None:
    """The normalised mean of unit-normalised vectors (None without any)."""
    vectors = [v for v in vectors if v is not None]
    if not vectors:
        return None
    length = len(vectors[0])
    total = [0.0] * length
    for vector in vectors:
        norm = math.sqrt(sum(float(x) ** 2 for x in vector)) or 1.0
        for index in range(length):
            total[index] += float(vector[index]) / norm
    norm = math.sqrt(sum(x * x for x in total)) or 1.0
    return tuple(x / norm for x in total)
