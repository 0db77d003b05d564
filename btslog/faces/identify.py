"""Who a face track is: OpenCV SFace features matched against the register's photos.

A face is aligned with YuNet's five landmarks (``FaceRecognizerSF.alignCrop``: a 112x112
crop with the eyes and mouth at fixed places) and turned into a 128-value SFace feature,
normalised to unit length.  A track's feature is the normalised mean of the features of its
best-quality detections (``btslog.faces.track``): one frame with motion blur or a turned head
matches poorly, the best few of hundreds match well.

Matching is cosine similarity against every reference photo; a person's score is their best
photo.  :func:`match` names a person only when

* the score reaches :data:`MATCH_THRESHOLD` (0.45), above OpenCV's published SFace threshold
  of 0.363 (its LFW operating point), because naming a *released* person unblurs them, so a
  match must be confident rather than likely; and
* no other person scores within :data:`AMBIGUITY_MARGIN` (0.10) of them.

Calibration on the sample shoot (``benchmarks/faces_scan.py`` prints every track's
similarities; 640x360 and 1920x1080): every track of Eileen and of Grace scores 0.92-0.98
against their own photo and 0.13-0.20 against the other's; the three unknown extras of the
full-size set score at most 0.32 against either photo.  So 0.45 stands 0.13 above the
strongest false match and ~0.47 below the weakest true one.  The sample's photos come from the
same portraits as its faces (an easy case); between different photos of one person SFace
typically gives 0.4-0.7, so some true matches of real crew will fall below 0.45 and stay
"unknown", which the consent policy blurs and an editor can assign: the error falls on the
safe side.  Anything below the threshold, or ambiguous, is "unknown".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from pathlib import Path

from btslog.errors import MediaError

MODEL_NAME = "opencv-sface-2021dec"  # stored with photo embeddings; a new model re-embeds
MATCH_THRESHOLD = 0.45
AMBIGUITY_MARGIN = 0.10
OPENCV_SFACE_COSINE_THRESHOLD = 0.363  # OpenCV Zoo's published operating point, for reference
PHOTO_LONG_SIDES = (640, 1280)  # reference photos are searched at these sizes, in order


@functools.cache
def _recognizer(folder: str | None):
    import cv2

    from btslog.faces.detect import quiet_cv2
    from btslog.faces.models import model_path

    path = model_path("sface", folder=folder)
    with quiet_cv2():
        return cv2.FaceRecognizerSF.create(str(path), "")


def recognizer(model_folder: str | Path | None = None):
    """The SFace network (one per process and model folder)."""
    return _recognizer(str(model_folder) if model_folder is not None else None)


def align(image, detection, scale: float = 1.0, *, model_folder=None):
    """The 112x112 aligned crop of ``detection`` in ``image`` (``scale`` image pixels per
    detection pixel)."""
    return recognizer(model_folder).alignCrop(image, detection.yunet_row(scale))


def feature(crop, *, model_folder=None):
    """The unit-length SFace feature (numpy float32, 128 values) of an aligned crop."""
    import numpy as np

    values = recognizer(model_folder).feature(crop).reshape(-1).astype(np.float32)
    norm = float(np.linalg.norm(values))
    return values / norm if norm > 0 else values


def embed_faces(image, detections, *, scale: float = 1.0,
                model_folder=None) -> list[tuple[float, ...]]:  # fmt: skip
    """The unit SFace feature of each detection in ``image`` (BGR uint8); ``scale`` is image
    pixels per detection pixel (detections are in source pixels)."""
    return [
        tuple(float(x) for x in feature(align(image, detection, scale, model_folder=model_folder),
                                        model_folder=model_folder))
        for detection in detections
    ]  # fmt: skip


def embed_photo(path: str | Path, *, model_folder=None) -> tuple[float, ...]:
    """The unit SFace feature of the largest face in a reference photo.

    Raises :class:`MediaError` naming the photo when it cannot be read or shows no face.
    """
    import cv2

    from btslog.faces.detect import Detector

    path = Path(path)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(f"{path}: cannot read the photo", hint="use a JPEG or PNG file")
    height, width = image.shape[:2]
    for attempt, long_side in enumerate(PHOTO_LONG_SIDES):
        if attempt and long_side > 2 * max(width, height):
            break  # a small photo gains nothing from a larger working size
        # Photos are for recognition: the detector's usual threshold is fine here.
        detector = Detector(long_side=long_side, score_threshold=0.7, model_folder=model_folder)
        faces = detector.detect(image)
        if faces:
            largest = max(faces, key=lambda face: face.box.width * face.box.height)
            return embed_faces(image, [largest], model_folder=model_folder)[0]
    raise MediaError(
        f"{path}: no face found in this photo",
        hint="use a sharp, well-lit photo of the face from the front, at least 80 pixels wide",
    )


def similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two features."""
    dot = sum(float(x) * float(y) for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(float(x) ** 2 for x in a)) * math.sqrt(sum(float(y) ** 2 for y in b))
    return dot / norm if norm > 0 else 0.0


def scores(embedding: Sequence[float],
           references: Sequence[tuple[str, Sequence[float]]]) -> dict[str, float]:  # fmt: skip
    """Each person's best cosine similarity over their reference photos."""
    best: dict[str, float] = {}
    for name, reference in references:
        value = similarity(embedding, reference)
        best[name] = max(best.get(name, -1.0), value)
    return best


def match(embedding: Sequence[float], references: Sequence[tuple[str, Sequence[float]]], *,
          threshold: float = MATCH_THRESHOLD,
          margin: float = AMBIGUITY_MARGIN) -> tuple[str | None, float]:  # fmt: skip
    """(person, similarity) of the best match of ``embedding`` among ``references``
    (name, feature) pairs, several per person allowed; person is None when the best
    similarity is below ``threshold`` or another person is within ``margin`` of it.  The
    similarity is the best one either way (0.0 with no references)."""
    ranked = sorted(scores(embedding, references).items(), key=lambda item: -item[1])
    if not ranked:
        return None, 0.0
    name, best = ranked[0]
    if best < threshold:
        return None, best
    if len(ranked) > 1 and best - ranked[1][1] < margin:
        return None, best
    return name, best
