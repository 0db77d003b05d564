"""Multi-camera sync: each clip's offset onto the reference camera's clock, and where it is used.

Cameras without shared timecode (a phone, a body that was never jam-synced) disagree about the
time of day.  ``btslog analyze --sync`` (or ``btslog sync``) cross-correlates the sound of
every pair of clips of different cameras whose nominal time-of-day ranges overlap (the
``sync`` analyzer, cached like every analysis), then :func:`solve` places every clip on the
clock of the **reference camera** (the first camera alphabetically, or ``--reference``):

* a clip of the reference camera keeps its own timecode (offset 0);
* another clip takes the offset of its most confident pair estimate with a clip already
  placed (a chain through a third camera is allowed; its confidence is the weakest link's);
* a clip without a confident estimate takes the median offset of its camera's placed clips
  (a camera's clock does not jump between clips), and the report says so;
* a clip of a camera with no placed clip stays unsynced (offset 0).

The offset is stored per clip as ``sync_offset_frames`` (frames at the clip's own rate, added
to its camera timecode) with how it was found (``clip_sync``).

**Where the offset applies** (:func:`synced_start_frame` is the one place it is added):

* every time of day btslog *shows* -- ``btslog clips``, ``tags``, ``takes``, ``suggestions``,
  ``search``, ``faces``, ``cut show``, a render's lower thirds, review burn-in and manifest --
  is on the reference clock, so two cameras' tags of one moment read the same;
* every time of day a user *types* -- ``btslog tag CLIP 14:03:20;00``, ``--at TC --camera B``,
  log sheets, ``cut trim --in TC`` -- is read on the same clock as shown;
* tags and cuts are stored in frames from each clip's first frame, so syncing (or clearing)
  moves no tag;
* **files for NLEs keep the camera's own timecode** (marker lists, EDLs, XML, FCPXML, OTIO,
  timelines), because the NLE conforms by the timecode embedded in the media; marker files
  read back in (``btslog import markers``) are read on the camera clock for the same reason.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from btslog.errors import InvalidInput
from btslog.model import Clip
from btslog.ops.project import Project

# Pair estimates below this confidence are not used (the sync analyzer's confidence, 0..1).
MIN_CONFIDENCE = 0.5


def synced_start_frame(clip: Clip) -> int:
    """The time-of-day label count of the clip's first frame on the reference camera's clock:
    its camera timecode plus its sync offset (wrapping at midnight)."""
    return clip.synced_start_frame


def label_seconds(label_frames: int, clip: Clip) -> Fraction:
    """What a time-of-day label of ``clip``'s rate and mode reads, in seconds since midnight."""
    from btslog.timecode import label_seconds as seconds_of

    return seconds_of(label_frames, clip.rate, clip.drop_frame)


def nominal_span(clip: Clip) -> tuple[Fraction, Fraction]:
    """(start, end) of the clip in seconds of its camera's clock, by its own timecode."""
    start = label_seconds(clip.start_frame, clip)
    return start, start + Fraction(clip.duration_frames) / clip.rate


def overlapping_pairs(clips: Sequence[Clip], margin_seconds: float | Fraction = 0,
                      wanted: Iterable[int] | None = None) -> list[tuple[Clip, Clip]]:  # fmt: skip
    """Pairs (a, b) of clips of different cameras, shot the same day, whose nominal time-of-day
    ranges overlap (or come within ``margin_seconds``: the clocks may disagree that much);
    ``a`` sorts before ``b`` by camera and name.  With ``wanted`` (clip ids), only pairs that
    hold one of them."""
    margin = Fraction(margin_seconds)
    wanted_ids = set(wanted) if wanted is not None else None
    ordered = sorted((clip for clip in clips if clip.camera),
                     key=lambda clip: (clip.camera.lower(), clip.name))  # fmt: skip
    spans = {clip.id: nominal_span(clip) for clip in ordered}
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if first.camera.lower() == second.camera.lower() or first.day != second.day:
                continue
            if wanted_ids is not None and not {first.id, second.id} & wanted_ids:
                continue
            (start_a, end_a), (start_b, end_b) = spans[first.id], spans[second.id]
            if start_a < end_b + margin and start_b < end_a + margin:
                pairs.append((first, second))
    return pairs


@dataclass(frozen=True)
class PairEstimate:
    """Add ``seconds`` to clip ``b``'s time of day to land on clip ``a``'s clock."""

    a: int
    b: int
    seconds: Fraction
    confidence: float


@dataclass(frozen=True)
class ClipOffset:
    """Where :func:`solve` placed one clip: add ``seconds`` to its camera clock."""

    clip_id: int
    seconds: Fraction
    frames: int
    confidence: float | None
    method: str  # reference, audio, camera
    matched_clip_id: int | None = None


def reference_camera(clips: Sequence[Clip], given: str | None = None) -> str:
    """The camera others are synced to: ``given`` (any case), else the first alphabetically."""
    cameras = sorted({clip.camera for clip in clips if clip.camera}, key=str.lower)
    if not cameras:
        raise InvalidInput("no clip has a camera: sync places cameras against each other",
                           hint="ingest with --camera, e.g. `btslog ingest CARD --camera A`")  # fmt: skip
    if given is None:
        return cameras[0]
    for camera in cameras:
        if camera.lower() == given.strip().lower():
            return camera
    raise InvalidInput(f"--reference {given!r} is not a camera of this project",
                       hint="cameras: " + ", ".join(cameras))  # fmt: skip


def solve(clips: Sequence[Clip], estimates: Sequence[PairEstimate], reference: str, *,
          min_confidence: float = MIN_CONFIDENCE) -> dict[int, ClipOffset]:  # fmt: skip
    """Each clip's offset onto the ``reference`` camera's clock (see the module doc); clips
    that cannot be placed are left out."""
    from btslog.timecode import seconds_to_frames

    by_id = {clip.id: clip for clip in clips}
    placed: dict[int, tuple[Fraction, float | None, str, int | None]] = {
        clip.id: (Fraction(0), None, "reference", None)
        for clip in clips if clip.camera and clip.camera.lower() == reference.lower()
    }  # fmt: skip
    usable = [estimate for estimate in estimates
              if estimate.confidence >= min_confidence
              and estimate.a in by_id and estimate.b in by_id]  # fmt: skip
    while True:  # the most confident estimate that places a new clip, until none is left
        best = None
        for estimate in usable:
            if (estimate.a in placed) == (estimate.b in placed):
                continue
            known, new = (estimate.a, estimate.b) if estimate.a in placed else (estimate.b,
                                                                                estimate.a)  # fmt: skip
            path_confidence = min(estimate.confidence, placed[known][1] or 1.0)
            if best is None or (path_confidence, -new) > (best[0], -best[2]):
                best = (path_confidence, known, new, estimate)
        if best is None:
            break
        confidence, known, new, estimate = best
        base = placed[known][0]
        seconds = base + estimate.seconds if known == estimate.a else base - estimate.seconds
        placed[new] = (seconds, confidence, "audio", known)
    by_camera: dict[str, list[Fraction]] = {}
    for clip_id, (seconds, _, _, _) in placed.items():
        by_camera.setdefault(by_id[clip_id].camera.lower(), []).append(seconds)
    for clip in clips:
        if clip.id in placed or not clip.camera or clip.camera.lower() not in by_camera:
            continue
        seconds = Fraction(statistics.median_low(sorted(by_camera[clip.camera.lower()])))
        placed[clip.id] = (seconds, None, "camera", None)
    return {
        clip_id: ClipOffset(clip_id, seconds, seconds_to_frames(seconds, by_id[clip_id].rate),
                            confidence, method, matched)
        for clip_id, (seconds, confidence, method, matched) in placed.items()
    }  # fmt: skip


def store_offsets(project: Project, offsets: dict[int, ClipOffset], reference: str) -> int:
    """Set every clip's ``sync_offset_frames`` (0 for clips not placed) and how it was found,
    in one transaction with one audit entry when anything changed; returns how many clips
    changed offset."""
    from btslog.clock import now_iso
    from btslog.db import analyses as analysis_rows
    from btslog.db import audit
    from btslog.db import clips as clip_rows

    now = now_iso()
    rows = [
        {"clip_id": offset.clip_id, "reference_camera": reference,
         "matched_clip_id": offset.matched_clip_id,
         "offset_seconds": f"{offset.seconds.numerator}/{offset.seconds.denominator}",
         "confidence": offset.confidence, "method": offset.method, "updated_at": now}
        for offset in offsets.values()
    ]  # fmt: skip

    def unstamped(items) -> list[dict]:
        return sorted(({k: v for k, v in item.items() if k != "updated_at"} for item in items),
                      key=lambda item: item["clip_id"])  # fmt: skip

    with project.db.write() as connection:
        clips = clip_rows.list_clips(connection)
        before = {clip.name: clip.sync_offset_frames for clip in clips}
        after = {clip.name: offsets[clip.id].frames if clip.id in offsets else 0 for clip in clips}
        same_rows = unstamped(analysis_rows.sync_rows(connection).values()) == unstamped(rows)
        if before == after and same_rows:
            return 0
        changed = 0
        for clip in clips:
            if after[clip.name] != clip.sync_offset_frames:
                clip_rows.update_clip(connection, clip.id, {"sync_offset_frames": after[clip.name]})
                changed += 1
        analysis_rows.replace_sync(connection, rows)
        audit.record(connection, author=project.author, action="sync.set", entity="clip",
                     entity_id=None, before={"offsets": before},
                     after={"offsets": after, "reference": reference})  # fmt: skip
    return changed


def clear(project: Project) -> int:
    """Forget every sync offset (clips show their camera timecode again); returns how many
    clips had one."""
    from btslog.db import analyses as analysis_rows
    from btslog.db import audit
    from btslog.db import clips as clip_rows

    with project.db.write() as connection:
        clips = clip_rows.list_clips(connection)
        synced = [clip for clip in clips if clip.sync_offset_frames]
        for clip in synced:
            clip_rows.update_clip(connection, clip.id, {"sync_offset_frames": 0})
        had_rows = bool(analysis_rows.sync_rows(connection))
        analysis_rows.replace_sync(connection, [])
        if synced or had_rows:
            audit.record(connection, author=project.author, action="sync.clear", entity="clip",
                         entity_id=None,
                         before={"offsets": {clip.name: clip.sync_offset_frames
                                             for clip in synced}},
                         after={"offsets": {}})  # fmt: skip
    return len(synced)


def report_rows(project: Project) -> list[dict]:
    """Per clip: camera, offset in frames and seconds, confidence, how it was found, and its
    start on the camera clock and on the reference clock."""
    from btslog.db import analyses as analysis_rows
    from btslog.db import clips as clip_rows
    from btslog.timecode import format_seconds, format_timecode

    with project.db.read() as connection:
        clips = clip_rows.list_clips(connection)
        found = analysis_rows.sync_rows(connection)
    names = {clip.id: clip.name for clip in clips}
    rows = []
    for clip in sorted(clips, key=lambda clip: ((clip.camera or "").lower(), clip.day or "",
                                                clip.start_frame, clip.name)):  # fmt: skip
        how = found.get(clip.id)
        seconds = Fraction(how["offset_seconds"]) if how else Fraction(0)
        rows.append({
            "clip": clip.name, "camera": clip.camera, "day": clip.day,
            "reference": how["reference_camera"] if how else None,
            "offset_frames": clip.sync_offset_frames,
            "offset_seconds": float(round(seconds, 6)),
            "offset_exact": f"{seconds.numerator}/{seconds.denominator}",
            "offset_text": format_seconds(seconds, 3) if how else "",
            "confidence": round(how["confidence"], 3) if how and how["confidence"] is not None
            else None,
            "method": how["method"] if how else "not synced",
            "matched": names.get(how["matched_clip_id"]) if how else None,
            "camera_start_tc": format_timecode(clip.start_frame, clip.rate, clip.drop_frame),
            "synced_start_tc": format_timecode(synced_start_frame(clip), clip.rate,
                                               clip.drop_frame),
        })  # fmt: skip
    return rows
