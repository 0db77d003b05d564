"""Face detection with OpenCV YuNet (``cv2.FaceDetectorYN``) at a fixed working resolution.

The detector runs on a copy of the frame scaled so that its long side is ``long_side`` pixels
(640 by default), up or down:

* a 1920x1080 frame is detected at 640x360: a face 36 px wide in the source is 12 px there,
  about the smallest YuNet finds reliably; YuNet costs ~14 ms per 640x360 frame on one of the
  2-core machines this runs on (~30 ms at 960x540, ~135 ms at 1920x1080), which is what lets a
  scan keep up with the ffmpeg render (see benchmarks/faces_scan.py);
* a tiny frame is scaled up: the 20 px faces of a 128x96 frame become 100 px faces, which
  YuNet (trained on faces of 10 px and more at its input) finds where it misses them at the
  native size.

The score threshold is tuned for recall, not precision (:data:`SCORE_THRESHOLD`): blurring
a patch of wall costs nothing, leaving a face unblurred breaks a promise.  Boxes and landmarks
come back in source pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

from btslog.faces.model import Box

DEFAULT_LONG_SIDE = 640
# YuNet's score is sqrt(class x objectness).  OpenCV's sample uses 0.9 (precision); faces that
# are small, blurred by motion, badly lit or half turned score 0.5-0.8.  At 0.5 false positives
# are a few short tracks on textured backgrounds (blinds, the back of a head), which are
# blurred: the safe side.  Lower thresholds add false tracks faster than they find faces,
# except in dark pictures (see btslog.faces.scan, which uses 0.3 there).
SCORE_THRESHOLD = 0.5
NMS_THRESHOLD = 0.3
# YuNet boxes a face cut by the frame's edge ~15 % shorter along that edge than the face is
# (the sample shoot's truth: 115 px for a 136 px face half out of frame); such boxes are grown
# by EDGE_GROWTH along the edge so the blur margin still covers the chin and forehead.
EDGE = 2  # working px
EDGE_GROWTH = 0.4
TOP_K = 500


@dataclass(frozen=True)
class Detection:
    """One face found in one frame, in source pixels.

    ``landmarks`` are YuNet's five points (right eye, left eye, nose tip, right and left mouth
    corners; "right" is the person's right) as x, y pairs: SFace aligns faces with them.
    """

    box: Box
    landmarks: tuple[float, ...]  # 10 values

    @property
    def score(self) -> float:
        return self.box.score

    def moved(self, dx: float, dy: float) -> Detection:
        """The same detection in a picture whose origin is ``(dx, dy)`` in this one's."""
        box = self.box
        points = tuple(value - (dx if index % 2 == 0 else dy)
                       for index, value in enumerate(self.landmarks))  # fmt: skip
        return Detection(Box(box.x1 - dx, box.y1 - dy, box.x2 - dx, box.y2 - dy, box.score),
                         points)  # fmt: skip

    def yunet_row(self, scale: float | tuple[float, float] = 1.0):
        """The detection as YuNet's 15-float row, in an image ``scale`` (x, y) times the
        source."""
        import numpy as np

        scale_x, scale_y = scale if isinstance(scale, tuple) else (scale, scale)
        box = self.box
        row = [box.x1, box.y1, box.width, box.height, *self.landmarks]
        factors = [scale_x, scale_y] * 7
        values = np.array([v * f for v, f in zip(row, factors, strict=True)], dtype=np.float32)
        return np.append(values, np.float32(box.score))

    def frontal(self) -> float:
        """How frontal the face looks, 0 (profile) to 1: the nose centred between the eyes."""
        right_x, _, left_x, _, nose_x, _ = self.landmarks[:6]
        span = abs(left_x - right_x)
        if span <= 0:
            return 0.0
        offset = abs(nose_x - (left_x + right_x) / 2) / span
        return max(0.0, 1.0 - 2.0 * offset)


def working_size(width: int, height: int, long_side: int = DEFAULT_LONG_SIDE) -> tuple[int, int]:
    """The (width, height) a ``width`` x ``height`` frame is detected at."""
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def quiet_cv2():
    """OpenCV 5 logs a warning about DNN targets when a network loads; keep jobs silent."""
    import contextlib

    import cv2

    @contextlib.contextmanager
    def manager():
        logging = cv2.utils.logging
        previous = logging.getLogLevel()
        logging.setLogLevel(logging.LOG_LEVEL_ERROR)
        try:
            yield
        finally:
            logging.setLogLevel(previous)

    return manager()


def single_threaded_cv2():
    """A block in which OpenCV runs every call on the calling thread (restored afterwards):
    for jobs that run their own threads, or whose pieces are too small to share out."""
    import contextlib

    import cv2

    @contextlib.contextmanager
    def manager():
        previous = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            yield
        finally:
            cv2.setNumThreads(previous)

    return manager()


class Detector:
    """YuNet at a working resolution.  Not thread-safe: one per job (it is cheap to make)."""

    def __init__(self, *, long_side: int = DEFAULT_LONG_SIDE,
                 score_threshold: float = SCORE_THRESHOLD, nms_threshold: float = NMS_THRESHOLD,
                 model_folder=None) -> None:  # fmt: skip
        import cv2

        from btslog.faces.models import model_path

        self.long_side = long_side
        self.score_threshold = score_threshold
        path = model_path("yunet", folder=model_folder)
        with quiet_cv2():
            self._net = cv2.FaceDetectorYN.create(
                str(path), "", (320, 320), score_threshold, nms_threshold, TOP_K
            )
        self._input_size: tuple[int, int] | None = None

    def working_size(self, width: int, height: int) -> tuple[int, int]:
        return working_size(width, height, self.long_side)

    def detect(self, image) -> list[Detection]:
        """Faces in ``image`` (BGR uint8 at any size), scaled to the working size first."""
        import cv2

        height, width = image.shape[:2]
        size = self.working_size(width, height)
        if size != (width, height):
            shrinking = size[0] < width
            image = cv2.resize(image, size,
                               interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)  # fmt: skip
        return self.detect_working(image, (width / size[0], height / size[1]))

    def detect_working(self, image,
                       to_source: float | tuple[float, float] = 1.0) -> list[Detection]:  # fmt: skip
        """Faces in ``image`` (BGR uint8, already at the working size); coordinates are
        multiplied by ``to_source`` (source pixels per working pixel, or an (x, y) pair)."""
        scale_x, scale_y = to_source if isinstance(to_source, tuple) else (to_source, to_source)
        height, width = image.shape[:2]
        if self._input_size != (width, height):
            self._net.setInputSize((width, height))
            self._input_size = (width, height)
        _, faces = self._net.detect(image)
        if faces is None:
            return []
        found = []
        for row in faces:
            x, y, w, h = (float(value) for value in row[:4])
            if x <= EDGE or x + w >= width - EDGE:  # cut by the left or right edge
                y, h = y - h * EDGE_GROWTH / 2, h * (1 + EDGE_GROWTH)
            if y <= EDGE or y + h >= height - EDGE:  # cut by the top or bottom edge
                x, w = x - w * EDGE_GROWTH / 2, w * (1 + EDGE_GROWTH)
            x, w, y, h = x * scale_x, w * scale_x, y * scale_y, h * scale_y
            landmarks = tuple(
                float(value) * (scale_x if index % 2 == 0 else scale_y)
                for index, value in enumerate(row[4:14])
            )
            found.append(Detection(Box(x, y, x + w, y + h, float(row[14])), landmarks))
        return found
