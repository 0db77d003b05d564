"""Automatic analysis: run the analyzers on clips (cached, in parallel workers), turn what they
find into suggested tags, sync the cameras, keep transcripts; list, accept and reject
suggestions; search transcripts and notes.

**Jobs.**  An analyzer is a pure function of (media file, its probe, parameters) returning an
:class:`~btslog.analyze.model.Analysis` (DESIGN.md).  A worker process gets a :class:`Job` --
the paths, the :class:`~btslog.model.MediaInfo` built from the stored clip, and the tasks (the
analyzers of one clip, run one after another so the sound is decoded once, or the sync of one
pair of clips) -- and returns the analyses; only this process writes to the database, one
transaction per finished job, so Ctrl-C (which stops the workers) leaves no half-written row.

**The cache.**  Every result is stored under the file's content hash (the clip's xxh64 from
ingest; one computed once and kept on the clip when it has none), the second file's for a
pair, the analyzer, its ``VERSION`` and its parameters (the analyzer's ``DEFAULTS`` under
``[analyze.<analyzer>]`` of btslog.toml).  A result found there is not computed again (a second
``btslog analyze`` with nothing changed decodes nothing); a new analyzer version or parameter
computes afresh, ``--force`` too.

**Suggestions.**  Speech outside takes becomes ``conversation`` suggestions, claps become
``take`` suggestions, shot changes boundary suggestions (:mod:`btslog.analyze.suggest`), stored
as tags with status ``suggested`` and source ``detect:<analyzer>``.  Running an analyzer again
replaces only the clip's tags of that source that are still suggested and untouched: a
suggestion that was accepted, rejected, edited or removed stays as it is, and a new suggestion
that overlaps it (or a tag of the same kind an editor logged) by half or more is not made again.

**The seam.**  :data:`ANALYZER_MODULES` maps each analyzer's name to the module that implements
it (``VERSION``, ``DEFAULTS``, ``analyze`` or, for sync, ``analyze_pair``); tests point it at
stand-ins.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from btslog.errors import BtslogError, InvalidInput, NotFound
from btslog.model import Clip, MediaInfo, Tag
from btslog.ops.project import Project

if TYPE_CHECKING:
    from btslog.analyze.model import Analysis, Suggestion

# analyzer name -> the module that implements it
ANALYZER_MODULES: dict[str, str] = {
    "speech": "btslog.analyze.speech",
    "claps": "btslog.analyze.claps",
    "shots": "btslog.analyze.shots",
    "sync": "btslog.analyze.sync",
    "transcribe": "btslog.analyze.transcribe",
}
DEFAULT_ANALYZERS = ("speech", "claps", "shots", "sync")
SUGGESTING = ("claps", "speech", "shots")  # analyzers whose results become suggested tags
SAME_RANGE = 0.5  # overlap (intersection over union) from which two ranges are one suggestion
TRANSCRIBE_HINT = "install the optional extra: pip install 'btslog[transcribe]'"


# --- analyzers, parameters, cache keys -------------------------------------------------------


def analyzer_module(name: str):
    if name not in ANALYZER_MODULES:
        raise InvalidInput(f"unknown analyzer {name!r}",
                           hint="analyzers: " + ", ".join(ANALYZER_MODULES))  # fmt: skip
    try:
        return importlib.import_module(ANALYZER_MODULES[name])
    except ImportError as error:
        if name == "transcribe":
            raise InvalidInput("transcription is not installed", hint=TRANSCRIBE_HINT) from error
        raise


def check_transcription() -> None:
    """Refuse ``--transcribe`` clearly when the optional speech-to-text model is missing."""
    module = analyzer_module("transcribe")
    if not module.available():
        raise InvalidInput("transcription needs the optional speech-to-text extra",
                           hint=TRANSCRIBE_HINT)  # fmt: skip


def analyzer_params(project: Project, name: str) -> dict:
    """The analyzer's parameters: its ``DEFAULTS`` under ``[analyze.<name>]`` of btslog.toml
    (checked by the analyzer's ``resolve_params`` where it has one)."""
    module = analyzer_module(name)
    settings = project.config.get("analyze", {})
    if not isinstance(settings, dict) or not isinstance(settings.get(name, {}), dict):
        raise InvalidInput(f"btslog.toml: [analyze.{name}] must be a table of parameters")
    overrides = dict(settings.get(name, {}))
    resolve = getattr(module, "resolve_params", None)
    if resolve is not None:
        return dict(resolve(overrides))
    unknown = sorted(set(overrides) - set(module.DEFAULTS))
    if unknown:
        raise InvalidInput(f"btslog.toml: [analyze.{name}] {unknown[0]} is not a parameter",
                           hint="parameters: " + ", ".join(sorted(module.DEFAULTS)))  # fmt: skip
    return {**module.DEFAULTS, **overrides}


def params_key(params: dict) -> str:
    """A short hash of ``params`` as canonical JSON: part of the cache key."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    """One analyzer on one file (or, for sync, a pair of files), with its cache key."""

    analyzer: str
    module: str
    version: str
    params: dict = field(compare=False, hash=False)
    clip_ids: tuple[int, ...]
    file_hashes: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        other = self.file_hashes[1] if len(self.file_hashes) > 1 else ""
        return (self.file_hashes[0], other, self.analyzer, self.version, params_key(self.params))


@dataclass(frozen=True)
class Job:
    """What a worker runs: the tasks of one clip (its sound decoded once) or of one pair."""

    label: str
    paths: tuple[str, ...]
    infos: tuple[MediaInfo, ...]
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class JobResult:
    """Per task of the job, in order: its analysis, or None and why it failed."""

    analyses: tuple  # Analysis | None
    errors: tuple  # str | None: the message of the BtslogError the task raised


def run_job(job: Job) -> JobResult:
    """Run a job's tasks (in a worker process): no database, no terminal.  A task that fails
    with a :class:`BtslogError` (a file that cannot be decoded) does not stop the others."""
    analyses, errors = [], []
    for task in job.tasks:
        module = importlib.import_module(task.module)
        try:
            if task.analyzer == "sync":
                result = module.analyze_pair(job.paths[0], job.infos[0], job.paths[1],
                                             job.infos[1], task.params)  # fmt: skip
            else:
                result = module.analyze(job.paths[0], job.infos[0], task.params)
        except BtslogError as error:  # returned, not raised: a pickled error loses its hint
            analyses.append(None)
            errors.append(error.message)
            continue
        analyses.append(result)
        errors.append(None)
    return JobResult(tuple(analyses), tuple(errors))


def media_info(project: Project, clip: Clip) -> MediaInfo:
    """The stored probe of ``clip`` as the analyzers take it (no probing again)."""
    return MediaInfo(
        path=str(project.absolute(clip.path)), size_bytes=clip.size_bytes,
        container=clip.container, codec=clip.codec, width=clip.width, height=clip.height,
        rate=clip.rate, vfr=clip.vfr, duration_frames=clip.duration_frames,
        start_frame=clip.start_frame, drop_frame=clip.drop_frame,
        timecode_source=clip.timecode_source, reel=clip.reel,
        creation_time=clip.creation_time, audio=clip.audio,
    )  # fmt: skip


def file_hash(project: Project, clip: Clip) -> str:
    """The clip's xxh64; computed once and stored on the clip when ingest recorded none."""
    if clip.xxh64:
        return clip.xxh64
    from btslog.db import clips as clip_rows
    from btslog.errors import MediaError
    from btslog.ingest.hashing import xxh64_file

    path = project.absolute(clip.path)
    try:
        checksum = xxh64_file(path)
    except OSError as error:
        raise MediaError(f"{path}: cannot be read ({error.strerror or error})",
                         hint="run `btslog verify` to find missing media") from None  # fmt: skip
    with project.db.write() as connection:
        clip_rows.update_clip(connection, clip.id, {"xxh64": checksum})
    return checksum


# --- running ---------------------------------------------------------------------------------


def _ignore_interrupts() -> None:  # pragma: no cover - runs in the workers
    """Workers leave Ctrl-C to the parent, which stops them: no traceback from each worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_jobs(jobs: Sequence[Job], workers: int | None = None) -> Iterator[tuple[Job, JobResult]]:
    """Run ``jobs`` in a process pool (``workers`` processes, default one per core; 1 runs them
    here) and yield each with its result as it finishes.  Interrupted (Ctrl-C, or the caller
    stops early), the workers are stopped and the jobs not finished are dropped."""
    if not jobs:
        return
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        for job in jobs:
            yield job, run_job(job)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_ignore_interrupts)
    futures = {}
    try:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()  # a running analysis is dropped, never stored half-way
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one analyzer on one clip (or pair): analyzed, cached or failed."""

    subject: str  # a clip name, or "A001C001 + B001_0001" for a pair
    analyzer: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class SuggestionChange:
    clip: str
    analyzer: str
    added: int
    removed: int
    kept: int


@dataclass
class AnalyzeReport:
    items: list[ItemOutcome] = field(default_factory=list)
    jobs_run: int = 0
    suggestions: list[SuggestionChange] = field(default_factory=list)
    transcript_segments: int = 0
    sync: dict | None = None  # clip id -> ClipOffset
    reference: str | None = None
    sync_changed: int = 0
    sync_skipped: str | None = None  # why sync did not run though asked for

    @property
    def failed(self) -> list[ItemOutcome]:
        return [item for item in self.items if item.status == "failed"]


def _pair_margin(params: dict) -> Fraction:
    """How far apart two clips' nominal ranges may be and still be paired: the sync search."""
    for name in ("search_seconds", "max_offset_seconds", "window_seconds"):
        if name in params:
            return Fraction(str(params[name]))
    return Fraction(0)


def analyze(project: Project, clips: Sequence[Clip], analyzers: Sequence[str] = DEFAULT_ANALYZERS,
            *, reference: str | None = None, workers: int | None = None, force: bool = False,
            on_start: Callable[[int, int], None] | None = None,
            on_job: Callable[[Job, JobResult], None] | None = None) -> AnalyzeReport:  # fmt: skip
    """Analyze ``clips`` (cached results reused unless ``force``), store suggestions,
    transcripts and sync offsets; returns what happened.

    ``on_start(jobs, cached)`` is told how many jobs will run and how many results came from
    the cache; ``on_job`` hears of each finished job.
    """
    from btslog.db import analyses as analysis_rows
    from btslog.ops.clips import list_clips
    from btslog.ops.sync import overlapping_pairs, reference_camera

    names = [name for name in ANALYZER_MODULES if name in set(analyzers)]
    unknown = sorted(set(analyzers) - set(ANALYZER_MODULES))
    if unknown:
        raise InvalidInput(f"unknown analyzer {unknown[0]!r}",
                           hint="analyzers: " + ", ".join(ANALYZER_MODULES))  # fmt: skip
    if not clips:
        raise NotFound("no clips to analyze", hint="name clips, or give --all")
    if "transcribe" in names:
        check_transcription()
    every_clip = list_clips(project)
    sync_skipped = None
    if "sync" in names:
        cameras = {clip.camera.lower() for clip in every_clip if clip.camera}
        if reference is not None or len(cameras) >= 2:
            reference = reference_camera(every_clip, reference)
        if len(cameras) < 2:  # nothing to sync: the other analyzers still run
            names.remove("sync")
            sync_skipped = "sync needs clips of two cameras or more (ingest with --camera)"
    elif reference is not None:
        raise InvalidInput("--reference chooses the camera to sync to: it goes with --sync")
    modules = {name: analyzer_module(name) for name in names}
    params = {name: analyzer_params(project, name) for name in names}
    report = AnalyzeReport(reference=reference if "sync" in names else None,
                           sync_skipped=sync_skipped)  # fmt: skip

    def task(name: str, pair: Sequence[Clip], hashes: Sequence[str]) -> Task:
        return Task(name, ANALYZER_MODULES[name], str(modules[name].VERSION), params[name],
                    tuple(clip.id for clip in pair), tuple(hashes))  # fmt: skip

    hashes: dict[int, str] = {}

    def hash_of(clip: Clip, subject: str, analyzer: str) -> str | None:
        if clip.id not in hashes:
            try:
                hashes[clip.id] = file_hash(project, clip)
            except BtslogError as error:
                report.items.append(ItemOutcome(subject, analyzer, "failed", error.message))
                return None
        return hashes[clip.id]

    results: dict[tuple, dict] = {}  # task key -> data, cached or new
    jobs: list[Job] = []
    per_clip = [name for name in names if name != "sync"]
    for clip in clips:
        if not per_clip:
            break
        checksum = hash_of(clip, clip.name, ",".join(per_clip))
        if checksum is None:
            continue
        todo = []
        with project.db.read() as connection:
            for name in per_clip:
                wanted = task(name, [clip], [checksum])
                data = None if force else analysis_rows.cached(connection, *wanted.key)
                if data is None:
                    todo.append(wanted)
                else:
                    results[wanted.key] = data
                    report.items.append(ItemOutcome(clip.name, name, "cached"))
        if todo:
            jobs.append(Job(clip.name, (str(project.absolute(clip.path)),),
                            (media_info(project, clip),), tuple(todo)))  # fmt: skip
    pair_tasks: list[tuple[Clip, Clip, Task]] = []
    if "sync" in names:
        chosen = {clip.id for clip in clips}
        for first, second in overlapping_pairs(every_clip, _pair_margin(params["sync"])):
            subject = f"{first.name} + {second.name}"
            wanted_pair = first.id in chosen or second.id in chosen
            if wanted_pair:
                hash_a, hash_b = hash_of(first, subject, "sync"), hash_of(second, subject, "sync")
            else:  # a pair of other clips: used for the solution when cached, never run
                hash_a, hash_b = first.xxh64, second.xxh64
            if not hash_a or not hash_b:
                continue
            wanted = task("sync", [first, second], [hash_a, hash_b])
            with project.db.read() as connection:
                data = None if force and wanted_pair else analysis_rows.cached(connection,
                                                                                *wanted.key)  # fmt: skip
            pair_tasks.append((first, second, wanted))
            if data is not None:
                results[wanted.key] = data
                if wanted_pair:
                    report.items.append(ItemOutcome(subject, "sync", "cached"))
            elif wanted_pair:
                jobs.append(Job(subject, (str(project.absolute(first.path)),
                                          str(project.absolute(second.path))),
                                (media_info(project, first), media_info(project, second)),
                                (wanted,)))  # fmt: skip
    if on_start is not None:
        on_start(len(jobs), len(results))
    for job, outcome in run_jobs(jobs, workers):
        report.jobs_run += 1
        with project.db.write() as connection:  # one transaction per job
            for done, analysis, error in zip(job.tasks, outcome.analyses, outcome.errors,
                                             strict=True):  # fmt: skip
                if analysis is None:
                    report.items.append(ItemOutcome(job.label, done.analyzer, "failed", error))
                    continue
                data = _checked(analysis, done)
                analysis_rows.store(connection, *done.key, done.params, data)
                results[done.key] = data
                report.items.append(ItemOutcome(job.label, done.analyzer, "analyzed"))
        if on_job is not None:
            on_job(job, outcome)
    # what the analyses found, stored as suggestions and transcripts
    for clip in clips:
        checksum = hashes.get(clip.id)
        if checksum is None:
            continue
        found = {}
        for name in per_clip:
            key = task(name, [clip], [checksum]).key
            if key in results:
                found[name] = results[key]
        found.update(_other_cached(project, clip, checksum, found))
        for name in SUGGESTING:
            if name in per_clip and name in found:
                suggestions = suggestions_for(clip, name, found, _take_ranges(project, clip))
                report.suggestions.append(refresh_suggestions(project, clip, name, suggestions))
        if "transcribe" in found and "transcribe" in per_clip:
            report.transcript_segments += store_transcript(project, clip, found["transcribe"])
    if "sync" in names:
        from btslog.ops.sync import solve, store_offsets

        estimates = [estimate for first, second, pair_task in pair_tasks
                     if pair_task.key in results
                     for estimate in [pair_estimate(first, second, results[pair_task.key])]
                     if estimate is not None]  # fmt: skip
        report.sync = solve(every_clip, estimates, reference,
                            min_confidence=float(params["sync"].get("min_confidence", 0.0)))  # fmt: skip
        report.sync_changed = store_offsets(project, report.sync, reference)
    return report


def _checked(analysis: Analysis, task: Task) -> dict:
    """The analysis' data, after checking it answers the task (a stand-in or a bug could
    return another analyzer's result)."""
    if analysis.analyzer != task.analyzer or not isinstance(analysis.data, dict):
        raise TypeError(f"the {task.analyzer} analyzer returned {analysis.analyzer!r} data")
    return json.loads(json.dumps(analysis.data))  # as it will read back from the cache


def _other_cached(project: Project, clip: Clip, checksum: str, found: dict) -> dict:
    """Cached results of the suggesting analyzers not run this time, with their current
    parameters (``--speech`` alone still knows the takes the claps found)."""
    from btslog.db import analyses as analysis_rows

    extra = {}
    with project.db.read() as connection:
        for name in ("claps", "speech"):
            if name in found:
                continue
            try:
                module = analyzer_module(name)
                key = Task(
                    name,
                    ANALYZER_MODULES[name],
                    str(module.VERSION),
                    analyzer_params(project, name),
                    (clip.id,),
                    (checksum,),
                ).key
            except (ImportError, BtslogError):
                continue
            data = analysis_rows.cached(connection, *key)
            if data is not None:
                extra[name] = data
    return extra


# --- suggestions from analyses ---------------------------------------------------------------


def _take_ranges(project: Project, clip: Clip) -> dict[str, list[tuple[int, int]]]:
    """The clip's take tags (not removed) by status: ``accepted`` (logged or accepted) and
    ``rejected`` (take suggestions an editor said are no takes)."""
    from btslog.db import tags as tag_rows

    where = tag_rows.TagFilter(kinds=["take"], clip_id=clip.id,
                               statuses=["accepted", "rejected"])  # fmt: skip
    ranges: dict[str, list[tuple[int, int]]] = {"accepted": [], "rejected": []}
    with project.db.read() as connection:
        for tag in tag_rows.find_tags(connection, where):
            ranges[tag.status].append((tag.in_frame, tag.out_frame))
    return ranges


def suggestions_for(clip: Clip, analyzer: str, found: dict,
                    takes: dict[str, list[tuple[int, int]]] | None = None) -> list[Suggestion]:  # fmt: skip
    """What ``analyzer``'s result (``found[analyzer]``: its data, with the clip's other
    results in ``found``) suggests for ``clip`` (:mod:`btslog.analyze.suggest`).  Speech inside
    a take is the take: conversations are looked for outside the takes logged or accepted and
    those the claps suggest (less the ones an editor rejected)."""
    from btslog.analyze import suggest
    from btslog.analyze.model import Analysis

    def result(name: str):
        return Analysis(name, "", {}, found[name]) if name in found else None

    speech, claps = result("speech"), result("claps")
    if analyzer == "claps":
        return suggest.take_suggestions(claps, speech, clip.duration_frames, clip.rate)
    if analyzer == "speech":
        takes = takes or {}
        ranges = list(takes.get("accepted", []))
        if claps is not None:
            rejected = takes.get("rejected", [])
            for item in suggest.take_suggestions(claps, speech, clip.duration_frames, clip.rate):
                span = (item.in_frame, item.out_frame)
                if not any(_overlap(span, other) >= SAME_RANGE for other in rejected):
                    ranges.append(span)
        return suggest.speech_suggestions(speech, clip.rate, ranges,
                                          duration_frames=clip.duration_frames)  # fmt: skip
    if analyzer == "shots":
        return suggest.shot_suggestions(result("shots"), clip.rate, clip.duration_frames)
    return []


def _overlap(first: tuple[int, int], second: tuple[int, int]) -> float:
    """Intersection over union of two frame ranges (out exclusive)."""
    inter = min(first[1], second[1]) - max(first[0], second[0])
    if inter <= 0:
        return 0.0
    return inter / (max(first[1], second[1]) - min(first[0], second[0]))


def _same(tag: Tag, suggestion: Suggestion) -> bool:
    return (tag.kind, tag.in_frame, tag.out_frame, tag.note, tag.scene, tag.take) == (
        suggestion.kind, suggestion.in_frame, suggestion.out_frame, suggestion.note or "",
        suggestion.scene or None, suggestion.take or None)  # fmt: skip


def refresh_suggestions(project: Project, clip: Clip, analyzer: str,
                        suggestions: Sequence[Suggestion]) -> SuggestionChange:  # fmt: skip
    """Make the clip's ``detect:<analyzer>`` suggestions ``suggestions``, in one transaction:
    untouched suggestions that are no longer found go, new ones come, equal ones stay (same
    id); anything an editor decided (accepted, rejected, edited, removed) is kept, and a
    suggestion overlapping such a tag of its kind by :data:`SAME_RANGE` is not made again."""
    from btslog.clock import now_iso
    from btslog.db import analyses as analysis_rows
    from btslog.db import audit
    from btslog.db import tags as tag_rows
    from btslog.ops.tags import _snapshot, _values_of

    source = f"detect:{analyzer}"
    with project.db.write() as connection:
        tags = tag_rows.find_tags(connection, tag_rows.TagFilter(clip_id=clip.id,
                                                                 include_deleted=True))  # fmt: skip
        edited = analysis_rows.edited_tags(connection, [t.id for t in tags if t.source == source])
        replaceable = [tag for tag in tags
                       if tag.source == source and tag.status == "suggested"
                       and tag.deleted_at is None and tag.id not in edited]  # fmt: skip
        replaceable_ids = {tag.id for tag in replaceable}
        settled = [tag for tag in tags if tag.id not in replaceable_ids
                   and (tag.deleted_at is None or tag.source == source)]  # fmt: skip
        kept: set[int] = set()
        new: list[Suggestion] = []
        for suggestion in suggestions:
            if suggestion.out_frame <= suggestion.in_frame or suggestion.in_frame < 0:
                continue
            same = next((tag for tag in replaceable if tag.id not in kept
                         and _same(tag, suggestion)), None)  # fmt: skip
            if same is not None:
                kept.add(same.id)
                continue
            span = (suggestion.in_frame, min(suggestion.out_frame, clip.duration_frames))
            if span[1] <= span[0] or any(
                tag.kind == suggestion.kind
                and _overlap((tag.in_frame, tag.out_frame), span) >= SAME_RANGE
                for tag in settled
            ):
                continue
            if any(_overlap((other.in_frame, other.out_frame), span) >= SAME_RANGE
                   and other.kind == suggestion.kind for other in new):  # fmt: skip
                continue
            new.append(suggestion)
        stale = [tag for tag in replaceable if tag.id not in kept]
        if stale:
            tag_rows.delete_tags_for_good(connection, [tag.id for tag in stale])
        ids: list[int] = []
        if new:
            now = now_iso()
            rows = [({
                "clip_id": clip.id, "in_frame": item.in_frame,
                "out_frame": min(item.out_frame, clip.duration_frames), "kind": item.kind,
                "note": (item.note or "").strip(), "scene": item.scene or None,
                "take": item.take or None, "rating": None, "circled": False, "ng": False,
                "status": "suggested", "source": source, "author": project.author,
                "created_at": now, "updated_at": now, "deleted_at": None,
            }, ()) for item in new]  # fmt: skip
            ids = tag_rows.insert_tags(connection, rows)
            analysis_rows.set_confidences(
                connection, [(tag_id, item.confidence) for tag_id, item in zip(ids, new,
                                                                                strict=True)])  # fmt: skip
        if stale or ids:
            audit.record(connection, author=project.author, action="tag.suggest", entity="tag",
                         entity_id=None,
                         before={"tags": [_snapshot(_values_of(tag), tag.people)
                                          for tag in stale]},
                         after={"ids": ids, "removed": [tag.id for tag in stale],
                                "from": f"{source} on {clip.name}"})  # fmt: skip
    return SuggestionChange(clip.name, analyzer, len(ids), len(stale), len(kept))


# --- transcripts -----------------------------------------------------------------------------


def store_transcript(project: Project, clip: Clip, data: dict) -> int:
    """The clip's transcript becomes the transcribe analyzer's segments; returns how many."""
    from btslog.db import analyses as analysis_rows

    segments = list(data.get("segments", []))
    with project.db.write() as connection:
        analysis_rows.replace_transcript(connection, clip.id, segments)
        return len(analysis_rows.transcript(connection, clip.id))


def _frames_of(clip: Clip, start_sample: int, end_sample: int) -> tuple[int, int]:
    """The frames a stretch of the clip's sound covers (out exclusive, at least one)."""
    import math

    from btslog.analyze.model import SAMPLE_RATE

    first = math.floor(Fraction(start_sample) * clip.rate / SAMPLE_RATE)
    last = math.ceil(Fraction(end_sample) * clip.rate / SAMPLE_RATE)
    first = max(0, min(first, clip.duration_frames - 1))
    return first, max(first + 1, min(last, clip.duration_frames))


def transcript_rows(project: Project, clip: Clip) -> list[dict]:
    """The clip's transcript: each segment with its time of day, frames and text."""
    from btslog.db import analyses as analysis_rows
    from btslog.ops.tags import _label

    with project.db.read() as connection:
        segments = analysis_rows.transcript(connection, clip.id)
    rows = []
    for segment in segments:
        in_frame, out_frame = _frames_of(clip, segment["start_sample"], segment["end_sample"])
        rows.append({"clip": clip.name, "camera": clip.camera, "day": clip.day,
                     "in_tc": _label(clip, in_frame), "out_tc": _label(clip, out_frame),
                     "in_frame": in_frame, "out_frame": out_frame,
                     "start_sample": segment["start_sample"],
                     "end_sample": segment["end_sample"], "text": segment["text"]})  # fmt: skip
    return rows


def with_transcripts(project: Project, tags: Sequence[Tag]) -> list[Tag]:
    """``tags`` with the words said in each one's range (transcript segments overlapping it)
    at the end of its note, as ``said: "..."`` (for marker exports)."""
    import dataclasses

    from btslog.db import analyses as analysis_rows
    from btslog.ops.tags import clips_by_id

    clips = clips_by_id(project, {tag.clip_id for tag in tags})
    segments: dict[int, list[tuple[int, int, str]]] = {}
    with project.db.read() as connection:
        for clip_id in clips:
            segments[clip_id] = [
                (*_frames_of(clips[clip_id], row["start_sample"], row["end_sample"]), row["text"])
                for row in analysis_rows.transcript(connection, clip_id)
            ]
    result = []
    for tag in tags:
        said = " ".join(text for first, last, text in segments.get(tag.clip_id, ())
                        if first < tag.out_frame and last > tag.in_frame)  # fmt: skip
        note = "\n".join(part for part in (tag.note, f'said: "{said}"' if said else "") if part)
        result.append(dataclasses.replace(tag, note=note))
    return result


def export_transcript(project: Project, clip_reference: str, format_name: str,
                      output: str | os.PathLike) -> int:  # fmt: skip
    """Write one clip's transcript as SubRip (``srt``) or WebVTT (``vtt``) subtitles timed
    from the clip's first frame; returns the number of cues."""
    from pathlib import Path

    from btslog.exchange.model import Marker, MarkerDocument
    from btslog.exchange.subtitles import write_srt, write_vtt
    from btslog.ops.clips import resolve_clip
    from btslog.ops.exchange import _write_atomically, clip_markers

    writers = {"srt": write_srt, "vtt": write_vtt}
    if format_name not in writers:
        raise InvalidInput(f"--format {format_name!r}: transcripts are written as srt or vtt")
    clip = resolve_clip(project, clip_reference)
    rows = transcript_rows(project, clip)
    if not rows:
        raise NotFound(f"clip {clip.name} has no transcript",
                       hint=f"run `btslog analyze {clip.name} --transcribe` first")  # fmt: skip
    # a marker without a kind is a cue of its note alone: the words said
    markers = tuple(Marker(row["in_frame"], row["out_frame"], "", row["text"]) for row in rows)
    document = MarkerDocument(title=f"{clip.name} transcript",
                              clips=(clip_markers(project, clip, markers),))  # fmt: skip
    _write_atomically(Path(output), writers[format_name](document))
    return len(rows)


# --- listing, accepting, rejecting suggestions -----------------------------------------------


def _source_filter(analyzer: str | None) -> Callable[[Tag], bool]:
    if analyzer is None:
        return lambda tag: True
    if analyzer not in ANALYZER_MODULES:
        raise InvalidInput(f"--analyzer {analyzer!r} is not an analyzer",
                           hint="analyzers: " + ", ".join(SUGGESTING))  # fmt: skip
    return lambda tag: tag.source == f"detect:{analyzer}"


def find_suggestions(project: Project, *, clip: str | None = None, analyzer: str | None = None,
                     kinds: Sequence[str] = (),
                     statuses: Sequence[str] = ("suggested",)) -> list[Tag]:  # fmt: skip
    """Suggested tags (or, with ``statuses``, suggestions already decided: tags whose source is
    ``detect:*``), narrowed by clip, analyzer and kind."""
    from btslog.ops.tags import check_kind, find_tags

    kinds = [check_kind(project, kind) for kind in kinds]
    keep = _source_filter(analyzer)
    tags = find_tags(project, clip=clip, kinds=kinds, statuses=list(statuses))
    decided = set(statuses) - {"suggested"}
    return [tag for tag in tags if keep(tag)
            and (tag.status == "suggested" or tag.source.startswith("detect:") or not decided)]  # fmt: skip


def suggestion_rows(project: Project, tags: Sequence[Tag]) -> list[dict]:
    """Rows shaped like ``btslog tags`` rows, with the analyzer and its confidence."""
    from btslog.db import analyses as analysis_rows
    from btslog.ops.tags import tag_rows_for

    with project.db.read() as connection:
        confidence = analysis_rows.confidences(connection, [tag.id for tag in tags])
    rows = tag_rows_for(project, tags)
    for row, tag in zip(rows, tags, strict=True):
        row["analyzer"] = tag.source.removeprefix("detect:") if tag.source.startswith(
            "detect:") else None  # fmt: skip
        row["confidence"] = confidence.get(tag.id)
    return rows


def decide_suggestions(project: Project, ids: Sequence[int] = (), *, accept: bool,
                       every: bool = False, kinds: Sequence[str] = (), clip: str | None = None,
                       analyzer: str | None = None,
                       author: str | None = None) -> list[int]:  # fmt: skip
    """Accept (status ``accepted``) or reject (``rejected``) suggestions: the tags ``ids``, or
    with ``every`` all suggested tags (narrowed by kind, clip, analyzer).  One transaction, one
    audit entry as ``author`` (default the project's user; ``btslog undo`` takes the whole
    decision back); returns the ids."""
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import tags as tag_rows
    from btslog.ops.tags import _snapshot, _values_of, check_kind

    if bool(ids) == bool(every):
        raise InvalidInput("name suggestion ids, or give --all",
                           hint="`btslog suggestions` lists them with their ids")  # fmt: skip
    if ids and (kinds or clip or analyzer):
        raise InvalidInput("--kind, --clip and --analyzer narrow --all; leave them out with ids")
    status = "accepted" if accept else "rejected"
    if every:
        chosen = find_suggestions(project, clip=clip, analyzer=analyzer,
                                  kinds=[check_kind(project, kind) for kind in kinds])  # fmt: skip
        if not chosen:
            raise NotFound("no suggestions to " + ("accept" if accept else "reject")
                           + " with these filters", hint="see `btslog suggestions`")  # fmt: skip
        ids = [tag.id for tag in chosen]
    ids = list(dict.fromkeys(ids))
    now = now_iso()
    with project.db.write() as connection:
        found = {tag.id: tag for tag in tag_rows.find_tags(
            connection, tag_rows.TagFilter(ids=ids, include_deleted=True))}  # fmt: skip
        for tag_id in ids:
            tag = found.get(tag_id)
            if tag is None:
                raise NotFound(f"no tag {tag_id} in this project",
                               hint="`btslog suggestions` lists suggestions with their ids")  # fmt: skip
            if tag.deleted_at:
                raise InvalidInput(f"tag {tag_id} was removed",
                                   hint=f"`btslog tag restore {tag_id}` first")  # fmt: skip
            if tag.status != "suggested":
                raise InvalidInput(f"tag {tag_id} is not a suggestion (it is {tag.status})",
                                   hint="`btslog tag edit ID --status ...` changes any tag")  # fmt: skip
        before = {str(tag_id): _snapshot(_values_of(found[tag_id]), found[tag_id].people)
                  for tag_id in ids}  # fmt: skip
        for tag_id in ids:
            tag_rows.update_tag(connection, tag_id, {"status": status, "updated_at": now})
        sources = sorted({found[tag_id].source for tag_id in ids})
        audit.record(connection, author=author or project.author,
                     action="tag.accept" if accept else "tag.reject", entity="tag",
                     entity_id=ids[0] if len(ids) == 1 else None, before={"tags": before},
                     after={"ids": ids, "status": status, "from": ", ".join(sources)})  # fmt: skip
    return ids


# --- search ----------------------------------------------------------------------------------


def search(project: Project, words: Sequence[str], *, clip: str | None = None,
           camera: str | None = None, day: str | None = None) -> list[dict]:  # fmt: skip
    """Transcript segments and tag notes holding every word (any case), in time of day order:
    clip, camera, day, time of day in/out, what matched (``transcript`` or the tag's kind and
    id) and the text."""
    from btslog.db import analyses as analysis_rows
    from btslog.ops.clips import check_day, list_clips, resolve_clip
    from btslog.ops.sync import synced_start_frame
    from btslog.ops.tags import clips_by_id, find_tags, tag_rows_for

    words = [word.strip() for word in words if word.strip()]
    if not words:
        raise InvalidInput("give words to search for", hint="e.g. btslog search tripod")
    check_day(day)
    if clip:
        clip_ids = [resolve_clip(project, clip).id]
    elif camera or day:
        clip_ids = [item.id for item in list_clips(project, camera=camera, day=day)]
    else:
        clip_ids = None
    with project.db.read() as connection:
        segments = analysis_rows.search_transcripts(connection, words, clip_ids=clip_ids)
    clips = clips_by_id(project, {segment["clip_id"] for segment in segments})
    rows = []
    for segment in segments:
        owner = clips[segment["clip_id"]]
        in_frame, out_frame = _frames_of(owner, segment["start_sample"], segment["end_sample"])
        rows.append((owner, in_frame, {
            "clip": owner.name, "camera": owner.camera, "day": owner.day,
            "in_tc": _tc(owner, in_frame), "out_tc": _tc(owner, out_frame),
            "in_frame": in_frame, "out_frame": out_frame, "match": "transcript", "tag_id": None,
            "status": None, "text": segment["text"]}))  # fmt: skip
    tags = find_tags(project, words=words, clip=clip, camera=camera, day=day,
                     statuses=["accepted", "suggested"])  # fmt: skip
    tag_clips = clips_by_id(project, {tag.clip_id for tag in tags})
    for tag, row in zip(tags, tag_rows_for(project, tags), strict=True):
        if not all(word.lower() in tag.note.lower() for word in words):
            continue  # a word matched the kind, not the note
        rows.append((tag_clips[tag.clip_id], tag.in_frame, {
            "clip": row["clip"], "camera": row["camera"], "day": row["day"],
            "in_tc": row["in_tc"], "out_tc": row["out_tc"], "in_frame": tag.in_frame,
            "out_frame": tag.out_frame, "match": f"tag {tag.kind}", "tag_id": tag.id,
            "status": tag.status, "text": tag.note}))  # fmt: skip

    def order(item):
        owner, in_frame, _ = item
        from btslog.ops.sync import label_seconds

        return (owner.day or "", label_seconds(synced_start_frame(owner), owner)
                + Fraction(in_frame) / owner.rate, owner.name, in_frame)  # fmt: skip

    return [row for _, _, row in sorted(rows, key=order)]


def _tc(clip: Clip, frame: int) -> str:
    from btslog.ops.tags import _label

    return _label(clip, frame)


# --- the sync estimate of a pair -------------------------------------------------------------


def pair_estimate(first: Clip, second: Clip, data: dict):
    """The sync analyzer's result for (first, second) as a
    :class:`~btslog.ops.sync.PairEstimate`, or None when it found no match."""
    from btslog.ops.sync import PairEstimate

    if not data.get("found", True) or data.get("offset_seconds") is None:
        return None
    return PairEstimate(first.id, second.id, Fraction(str(data["offset_seconds"])),
                        float(data.get("confidence") or 0.0))  # fmt: skip
