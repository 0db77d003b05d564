"""The face-scan job: decode a clip, detect, track and embed its faces.

``scan_clip(path, info)`` is a pure job: no database, no terminal; it returns
:class:`FaceTrack` values (boxes in the stored picture's pixels -- a phone clip stored
sideways is scanned upright, its boxes turned back -- frames counted from
the clip's first frame at ``info.rate``) that the caller stores and the consent policy turns
into blur decisions.

How it stays fast (benchmarks/faces_scan.py measures the whole job, scan then blurred render,
against a plain ffmpeg transcode):

* PyAV decodes with frame threads (without the deblocking filter where the picture is
  shrunk at least 2x for the detector), and only frames the detector runs on are
  converted, by swscale straight to the small working size (for the SFace crop of a face
  that is small at working size, only its surroundings are converted from the full-size
  picture);
* YuNet runs at a 640 px long side (``btslog.faces.detect``) on every other frame
  (``detect_stride`` 2); the tracker bridges the frame in between and
  :meth:`FaceTrack.box_at` interpolates it.  The stride drops to 1 where it matters: while a
  track is new, moving fast (:data:`FAST_MOTION` of its size per frame or more) or has just
  been lost, so fast faces are detected in every frame and a lost face is looked for at once;
* YuNet runs single-threaded in two worker threads (:class:`_Lookahead`) on the next frame
  to detect and, side by side, the one a stride later, while the main thread tracks; one
  thread per frame costs ~30 % less CPU than OpenCV sharing each frame out, and the tracker
  still takes exactly the frames, in order, that a frame-by-frame scan would;
* SFace runs only on the few best crops of each track and on rare re-acquisitions after gaps;
* a lost face is followed by template matching on the working picture (``btslog.faces.track``),
  which costs a fraction of a millisecond per face and frame.

Measured on the 1920x1080 clips of the sample shoot on a 2-core machine: the scan runs at
about 1.7x the speed of ``ffmpeg -i clip -c:v libx264 -preset veryfast -f null -``; with the
blurred render after it the whole job runs at 0.53-0.56x the plain transcode's speed.

Dark frames (mean level below :data:`DARK_LEVEL` of 255) get a local contrast stretch
(CLAHE on the luma) and a lower score threshold before detection: in a nearly black room a
face's pixels are 1-4 levels above black, YuNet scores it 0.3-0.5 after the stretch and
not at all before.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Self

from btslog.errors import MediaError
from btslog.faces.model import Box, FaceTrack
from btslog.model import MediaInfo

SCAN_VERSION = 3  # bump when the algorithm changes what a scan finds (invalidates scan keys)
FAST_MOTION = 0.25  # face sizes per frame: faster tracks are detected in every frame
DARK_LEVEL = 40  # mean 8-bit level of the working picture below which a frame is "dark"
DARK_DENOISE_SIGMA = 1.1  # source pixels
RECENTLY_LOST = 6  # frames after a miss during which every frame is detected
SOURCE_CROP_BELOW = 96  # px: smaller faces in the working picture are aligned from the source
PROGRESS_EVERY = 25  # frames
SKIP_DEBLOCKING_BELOW = 0.5  # working / source size at or below which deblocking is skipped


@dataclass(frozen=True)
class ScanSettings:
    """What a scan does; :meth:`key` names a scan's results for caching."""

    long_side: int = 640  # working resolution: the frame's long side, scaled up or down
    detect_stride: int = 2  # detect every n-th frame (1 where faces are new, fast or lost)
    score_threshold: float = 0.5  # YuNet score for a face (recall first)
    dark_score_threshold: float = 0.3  # the same in dark frames, after the contrast stretch
    nms_threshold: float = 0.3
    max_missed: int = 90  # frames a track survives without a detection
    same_face: float = 0.2  # SFace cosine a face needs to rejoin a track after a gap
    samples_per_track: int = 5  # best crops whose mean SFace feature is the track's
    embed: bool = True  # compute SFace features (identities); False: boxes only
    frame_limit: int | None = None  # scan only the first n frames (previews, tests)

    def key(self) -> str:
        """A short stable name of these settings and the scan algorithm's version."""
        text = json.dumps({"version": SCAN_VERSION, **asdict(self)}, sort_keys=True)
        return f"scan{SCAN_VERSION}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


ProgressCallback = Callable[[int, int], None]


def _video_stream(container):
    for stream in container.streams.video:
        attached = getattr(stream.disposition.__class__, "attached_pic", 0)
        if not stream.disposition & attached:
            return stream
    return None


def _rotate(image, rotation: int):
    """The picture upright: ``rotation`` is the clockwise turn the container asks for."""
    import numpy as np

    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


class _Brightener:
    """Denoise, then CLAHE on the luma of dark pictures.

    Sensor noise is most of what a dark picture holds; a Gaussian of ~1 source pixel (the
    working picture may be scaled up) keeps CLAHE from stretching the noise into texture that
    hides the face from YuNet.
    """

    def __init__(self, working_per_source: float) -> None:
        import cv2

        self._clahe = cv2.createCLAHE(clipLimit=4.0, tileGridSize=(8, 8))
        self._sigma = DARK_DENOISE_SIGMA * working_per_source

    def __call__(self, image):
        import cv2

        if self._sigma >= 0.5:
            image = cv2.GaussianBlur(image, (0, 0), self._sigma)
        ycrcb = cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)
        ycrcb[:, :, 0] = self._clahe.apply(ycrcb[:, :, 0])
        return cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2BGR)


def _frame_numbers(info: MediaInfo, stream):
    """A function from a decoded picture (and its decode index) to its frame number.

    Constant-rate clips: the decode index.  Variable-rate clips: the picture's time on the
    constant ``info.rate`` timeline the clip is conformed to (nearest frame).
    """
    if not info.vfr or stream.time_base is None:
        return lambda picture, index: index
    time_base = Fraction(stream.time_base.numerator, stream.time_base.denominator)
    first: list[int] = []

    def number(picture, index: int) -> int:
        if picture.pts is None:
            return index
        if not first:
            first.append(picture.pts)
        return round((picture.pts - first[0]) * time_base * info.rate)

    return number


def scan_clip(path: Path, info: MediaInfo, *, progress: ProgressCallback | None = None,
              settings: ScanSettings = ScanSettings()) -> list[FaceTrack]:  # fmt: skip
    """Every face track in the clip at ``path`` (probed as ``info``), first frame first.

    ``progress(done_frames, total_frames)`` is called as frames are decoded.  Raises
    :class:`MediaError` when the clip cannot be decoded, ``ModelError`` when a model is
    missing or not the pinned file.
    """
    import av
    import cv2

    from btslog.faces.detect import Detector, single_threaded_cv2, working_size
    from btslog.faces.identify import feature
    from btslog.faces.track import Tracker

    path = Path(path)
    upright = info.rotation % 180 != 0
    coded_w, coded_h = info.width, info.height
    shown_w, shown_h = (coded_h, coded_w) if upright else (coded_w, coded_h)
    work_w, work_h = working_size(shown_w, shown_h, settings.long_side)
    # swscale writes the picture at the working size before it is turned upright.
    scaled_w, scaled_h = (work_h, work_w) if upright else (work_w, work_h)
    to_source = (shown_w / work_w, shown_h / work_h)
    to_working = (work_w / shown_w, work_h / shown_h)
    tracker = Tracker(frame_size=(shown_w, shown_h), max_missed=settings.max_missed,
                      embed=feature if settings.embed else None,
                      samples_per_track=settings.samples_per_track,
                      same_face=settings.same_face)  # fmt: skip
    interpolation = "AREA" if work_w < shown_w else "BILINEAR"
    total = info.duration_frames
    if settings.frame_limit is not None:
        total = min(total, settings.frame_limit)
    stride = max(1, settings.detect_stride)
    own = threading.local()  # each worker's detector and contrast stretch (neither is shared)
    loading = threading.Lock()  # one model load at a time (it sets OpenCV's log level)

    def look(picture):
        """The working picture of a decoded one, its score threshold and YuNet's faces."""
        if not hasattr(own, "detector"):
            with loading:
                own.detector = Detector(
                    long_side=settings.long_side,
                    score_threshold=min(settings.score_threshold, settings.dark_score_threshold),
                    nms_threshold=settings.nms_threshold,
                )
            own.brighten = _Brightener(to_working[0])
        image = picture.reformat(width=scaled_w, height=scaled_h, format="bgr24",
                                 interpolation=interpolation).to_ndarray()  # fmt: skip
        image = _rotate(image, info.rotation)
        threshold = settings.score_threshold
        if max(cv2.mean(image)[:3]) < DARK_LEVEL:
            image = own.brighten(image)
            threshold = settings.dark_score_threshold
        return image, threshold, own.detector.detect_working(image, to_source)

    try:
        container = av.open(str(path))
    except av.error.FFmpegError as error:
        raise MediaError(f"{path}: cannot be read for the face scan ({error})") from error
    with container, single_threaded_cv2(), _Lookahead(look) as ahead:
        stream = _video_stream(container)
        if stream is None:
            raise MediaError(f"{path}: has no video stream to scan for faces")
        stream.thread_type = "AUTO"
        stream.codec_context.options = decoder_options(to_working)
        number_of = _frame_numbers(info, stream)
        next_detect, last_number, done = 0, -1, 0

        def consume(number: int) -> None:
            """The tracker takes the faces of frame ``number``, the next frame to detect."""
            nonlocal next_detect
            picture, (image, threshold, found) = ahead.take(number)
            detections = [d for d in found if d.score >= threshold]
            crop = _cropper(picture, image, info.rotation, to_working) if settings.embed else None
            tracker.update(number, detections, crop, image=image, to_image=to_working)
            next_detect = number + (1 if _dense(tracker, number) else stride)
            ahead.drop_before(next_detect)

        try:
            for index, picture in enumerate(container.decode(stream)):
                number = number_of(picture, index)
                if number <= last_number:
                    continue  # a VFR picture on the same conformed frame as the one before
                last_number = number
                if settings.frame_limit is not None and number >= settings.frame_limit:
                    break
                done = number + 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(min(done, total), total)
                if number < next_detect:
                    continue
                ahead.hold(number, picture)
                # The earliest held frame is detected next, whatever the tracker says; the
                # one a stride after it is looked at meanwhile (the tracker takes it unless
                # the earliest turns the stride down to 1).  The tracker is fed in order.
                while ahead.held and number >= ahead.earliest + stride:
                    ahead.start(number)
                    consume(ahead.earliest)
            while ahead.held:
                consume(ahead.earliest)
        except av.error.FFmpegError as error:
            raise MediaError(f"{path}: decoding failed at frame {done} ({error})",
                             hint="copy the clip again from the card") from error  # fmt: skip
    if progress is not None:
        progress(total, total)
    return stored_tracks(tracker.finish(), info.rotation, coded_w, coded_h)


class _Lookahead:
    """Frames waiting to be detected, and YuNet running on them in two worker threads.

    YuNet on one thread costs ~30 % less CPU than on OpenCV's two (no hand-offs inside each
    layer), so two frames are looked at side by side instead: the next frame the scan must
    detect, and the one a stride later, which it detects unless the first turns the stride
    down to 1.  The tracker still takes the frames in order and exactly the frames a scan
    one frame at a time would take (a look at a frame it then skips is thrown away), so the
    tracks are the same.  Use it where OpenCV runs single-threaded (:func:`single_threaded_cv2`).
    """

    def __init__(self, look: Callable, workers: int = 2) -> None:
        self.look = look
        self.workers = workers
        self.pictures: dict[int, object] = {}  # held: decoded, waiting to be detected or not
        self.jobs: dict[int, object] = {}  # frame number -> Future of look(picture)

    def __enter__(self) -> Self:
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="btslog-scan")
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    @property
    def held(self) -> bool:
        return bool(self.pictures)

    @property
    def earliest(self) -> int:
        return min(self.pictures)

    def hold(self, number: int, picture) -> None:
        self.pictures[number] = picture
        self.start(self.earliest)

    def start(self, number: int) -> None:
        """Start looking at held frame ``number`` (once)."""
        if number not in self.jobs:
            self.jobs[number] = self.pool.submit(self.look, self.pictures[number])

    def take(self, number: int):
        """``(picture, look(picture))`` of held frame ``number``, which leaves the queue.
        Nothing else starts until :meth:`drop_before` says which frame is next."""
        self.start(number)
        result = self.jobs.pop(number).result()
        return self.pictures.pop(number), result

    def drop_before(self, number: int) -> None:
        """Forget the held frames before ``number`` (the scan does not detect them)."""
        for skipped in [held for held in self.pictures if held < number]:
            del self.pictures[skipped]
            job = self.jobs.pop(skipped, None)
            if job is not None:
                job.cancel()
        if self.pictures:
            self.start(self.earliest)


def stored_box(box: Box, rotation: int, width: int, height: int) -> Box:
    """``box`` of the upright picture (the stored one turned ``rotation`` degrees clockwise)
    in the stored picture's pixels (``width`` x ``height``), where renders change pixels."""
    turns = (rotation // 90) % 4
    if turns == 1:
        return Box(box.y1, height - box.x2, box.y2, height - box.x1, box.score)
    if turns == 2:
        return Box(width - box.x2, height - box.y2, width - box.x1, height - box.y1, box.score)
    if turns == 3:
        return Box(width - box.y2, box.x1, width - box.y1, box.x2, box.score)
    return box


def stored_tracks(tracks: list[FaceTrack], rotation: int, width: int,
                  height: int) -> list[FaceTrack]:  # fmt: skip
    """The tracks with their boxes in the stored picture's pixels (see :func:`stored_box`)."""
    if not (rotation // 90) % 4:
        return tracks
    return [
        replace(track, detections=tuple((frame, stored_box(box, rotation, width, height))
                                        for frame, box in track.detections))
        for track in tracks
    ]  # fmt: skip


def decoder_options(to_working: tuple[float, float]) -> dict[str, str]:
    """libavcodec options for decoding a clip scanned at ``to_working`` (working pixels per
    source pixel).  Block edges vanish when the picture is shrunk 2x or more for the
    detector, so H.264's deblocking filter is skipped there: a sixth of the decoding
    (renders never skip it).  Pictures shrunk less keep it: enlarged, their blocks hide
    small faces (measured on real_faces: 0.4 % of face-frames leaked with it, 2.3 % without)."""
    if max(to_working) <= SKIP_DEBLOCKING_BELOW:
        return {"skip_loop_filter": "all"}
    return {}


def _dense(tracker, number: int) -> bool:
    """Whether the next frame must be detected too: a face is new, fast or just lost."""
    for track in tracker.active:
        since = number - track.last_detected
        if since == 0 and (len(track.detections) < 3 or track.speed() >= FAST_MOTION):
            return True
        if 0 < since <= RECENTLY_LOST:
            return True
    return False


def _cropper(picture, working, rotation: int, to_working: tuple[float, float]):
    """``crop(detection)``: the aligned SFace crop, from the working picture, or from the
    full-size picture for faces small at working size: only the face's surroundings are
    converted where the picture is stored upright in 4:2:0, else the whole picture (once)."""
    from btslog.faces.identify import align

    full: list = []

    def crop(detection):
        if detection.box.width * to_working[0] >= SOURCE_CROP_BELOW or to_working[0] >= 0.9:
            return align(working, detection, to_working)
        if not rotation % 360 and picture.format.name == "yuv420p":
            image, left, top = _surroundings(picture, detection.box)
            return align(image, detection.moved(left, top), 1.0)
        if not full:
            full.append(_rotate(picture.to_ndarray(format="bgr24"), rotation))
        return align(full[0], detection, 1.0)

    return crop


def _surroundings(picture, box: Box):
    """``(BGR image, left, top)``: the part of a yuv420p ``picture`` around ``box`` (grown by
    its size on every side, clamped, on even pixels), converted alone."""
    import cv2
    import numpy as np

    grow_x, grow_y = box.width, box.height
    left = max(0, int(box.x1 - grow_x) & ~1)
    top = max(0, int(box.y1 - grow_y) & ~1)
    right = min(picture.width & ~1, (int(box.x2 + grow_x) + 2) & ~1)
    bottom = min(picture.height & ~1, (int(box.y2 + grow_y) + 2) & ~1)
    right, bottom = max(right, left + 2), max(bottom, top + 2)
    luma, blue, red = (np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
                       for plane in picture.planes)  # fmt: skip
    parts = (luma[top:bottom, left:right],
             blue[top // 2 : bottom // 2, left // 2 : right // 2],
             red[top // 2 : bottom // 2, left // 2 : right // 2])  # fmt: skip
    i420 = np.concatenate([part.ravel() for part in parts]).reshape(-1, right - left)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420), left, top
