"""Rendering a cut to a file: ``btslog render CUT --preset NAME -o FILE``.

:func:`render_cut` gathers what the pure command builder (:mod:`btslog.cut.render`) needs:

1. the preset (``presets/render.toml`` with the project's ``[render.presets.NAME]`` tables
   laid over it);
2. each segment's clip and source file (a missing file is refused before anything runs);
3. **consent, failing closed**: every clip of the cut must have been scanned for faces with
   the current models and matched against the current register (else the
   :func:`btslog.ops.faces.ensure_scanned` error); each clip's tracks are decided by the
   project's policy, and a segment that any track to blur reaches -- with the policy's
   temporal padding -- is rendered by :func:`btslog.faces.render.render_blurred` over its kept
   range only, into a lossless intermediate in the project's cache folder.  A segment with
   nothing to blur is read from the original file: no needless encode;
4. a first, audio-only ffmpeg pass that reads the assembled sound's loudness;
5. one ffmpeg command for everything else (trims, conform, titles, labels, joins, the
   loudness gain and limiter, the encode);
6. the written file's sound read by the same meter: when the encoder moved it off target (a
   lossy codec can raise the true peak of a clap by a dB or two; a hard-working limiter takes
   loudness), the gain and limit are corrected, the sound alone is normalised again and put
   in place of the render's, the picture copied (:class:`_Sound`);
7. the output and its manifest (``OUT.manifest.json``: the cut, the preset's resolved values,
   every segment's source, timecode and output frames, the consent decisions applied, the
   loudness measured, applied and read back, btslog's version, the output's sha256 and size)
   are written under temporary names and renamed only when all went well.  A failure or
   Ctrl-C leaves neither, and the intermediates are always removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from btslog.cut.model import Cut, Segment
from btslog.errors import FfmpegError, InvalidInput, MediaError
from btslog.ops.project import Project

if TYPE_CHECKING:
    from btslog.cut.render import Gain, Loudness, RenderPreset
    from btslog.faces.model import BlurDecision, FaceTrack
    from btslog.model import Clip

ProgressCallback = Callable[[int, int], None]
MANIFEST_SCHEMA = "btslog.cut-render-manifest/1"
# A graph longer than this goes to ffmpeg in a file (one argv string holds at most 128 KiB).
GRAPH_INLINE_LIMIT = 64 * 1024
# Share of the progress bar the loudness measurement takes, relative to the final encode.
MEASURE_WEIGHT = Fraction(1, 10)
# How far (LU) the encoded file's loudness may be from the preset's before it is corrected,
# and how many corrections are tried before the render is refused.
LOUDNESS_TOLERANCE = 0.5
LOUDNESS_CORRECTIONS = 3


# --- presets ---------------------------------------------------------------------------------


def load_presets(project: Project) -> dict[str, dict]:
    """Every render preset: ``presets/render.toml`` with the project's
    ``[render.presets.NAME]`` tables laid over it (a new name adds a preset)."""
    from btslog.cut.render import PRESET_FILE
    from btslog.presets import load_toml, merged

    shipped = load_toml(PRESET_FILE)
    own = project.config.get("render", {}).get("presets", {})
    if not isinstance(own, dict):
        raise InvalidInput("btslog.toml: [render.presets] must hold one table per preset",
                           hint="write e.g. [render.presets.featurette-1080p]")  # fmt: skip
    return merged(shipped, own)


def get_preset(project: Project, name: str, *, crossfade: str | None = None) -> RenderPreset:
    """The preset ``name`` resolved; :class:`InvalidInput` lists the presets there are."""
    from btslog.cut.render import resolve_preset

    return resolve_preset(load_presets(project), name, crossfade=crossfade)


def preset_rows(project: Project) -> list[dict]:
    """One row per preset (name, size, rate, codec, loudness, description) for listing."""
    from btslog.cut.render import preset_names, resolve_preset
    from btslog.timecode import rate_label

    presets = load_presets(project)
    rows = []
    for name in preset_names(presets):
        preset = resolve_preset(presets, name)
        rows.append({"name": name, "size": f"{preset.width}x{preset.height}",
                     "rate": rate_label(preset.rate), "video": preset.video_codec,
                     "audio": preset.audio_codec, "loudness": preset.loudness,
                     "file": preset.container, "description": preset.description})  # fmt: skip
    return rows


# --- consent ---------------------------------------------------------------------------------


def _clips_of(project: Project, cut: Cut) -> dict[int, Clip]:
    from btslog.errors import NotFound
    from btslog.ops.tags import clips_by_id

    clips = clips_by_id(project, {segment.clip_id for segment in cut.segments})
    for position, segment in enumerate(cut.segments, start=1):
        clip = clips.get(segment.clip_id)
        if clip is None:
            raise NotFound(f"cut {cut.name!r}: segment {position}'s clip {segment.clip} is no "
                           "longer in the project",
                           hint=f"drop it with `btslog cut drop {cut.name} {position}`")  # fmt: skip
        if not 0 <= segment.in_frame < segment.out_frame <= clip.duration_frames:
            raise InvalidInput(
                f"cut {cut.name!r}: segment {position} ({clip.name} frames "
                f"{segment.in_frame}-{segment.out_frame}) is not within the clip's "
                f"{clip.duration_frames} frames",
                hint=f"trim it with `btslog cut trim {cut.name} {position}`",
            )
    return clips


def _reaches(track: FaceTrack, segment: Segment, padding: int) -> bool:
    return (track.first_frame - padding < segment.out_frame
            and track.last_frame + padding >= segment.in_frame)  # fmt: skip


class _Consent:
    """The policy, blur settings and every clip's tracks with their decisions."""

    def __init__(self, project: Project, clips: dict[int, Clip], *, strict: bool) -> None:
        from btslog.db import faces as face_rows
        from btslog.faces.blur import load_settings
        from btslog.faces.model import FaceTrack, decode_detections
        from btslog.ops.faces import decide, ensure_scanned, policy_settings

        self.settings = policy_settings(project)
        self.policy = self.settings["blur"]
        self.blur = load_settings(self.settings).with_style(self.settings.get("style"))
        self.pairs: dict[int, list[tuple[FaceTrack, BlurDecision]]] = {}
        self.unscanned: set[int] = set()
        for clip_id in sorted(clips):
            try:
                ensure_scanned(project, str(clip_id))
            except InvalidInput:
                if strict:
                    raise
                self.unscanned.add(clip_id)
                continue
            with project.db.read() as connection:
                stored = face_rows.tracks_of(connection, clip_id)
            self.pairs[clip_id] = [
                (FaceTrack(track.first_frame, track.last_frame, decode_detections(track.boxes),
                           id=track.id), decide(track, self.policy))
                for track in stored
            ]  # fmt: skip

    def reaching(self, segment: Segment) -> list[tuple[FaceTrack, BlurDecision]]:
        """The clip's tracks this segment shows (tracks to blur with their padding)."""
        padding = self.blur.padding
        return [(track, decision) for track, decision in self.pairs.get(segment.clip_id, [])
                if _reaches(track, segment, padding if decision.blur else 0)]  # fmt: skip

    def needs_blur(self, segment: Segment) -> bool:
        if segment.clip_id in self.unscanned:
            return True  # not checked: never shown as it is
        return any(decision.blur for _track, decision in self.reaching(segment))


def blurred_segments(project: Project, cut: Cut, *, strict: bool = True) -> frozenset[int]:
    """The 0-based indexes of the cut's segments that show a face the consent policy blurs
    (a track to blur reaching the segment, with the policy's temporal padding).

    With ``strict`` (the default) a clip not scanned with the current models, or matched
    before the register's photos changed, is refused with the
    :func:`~btslog.ops.faces.ensure_scanned` error; ``strict=False`` counts every segment of
    such a clip as needing blur instead (failing closed for callers that only mark them).
    """
    consent = _Consent(project, _clips_of(project, cut), strict=strict)
    return frozenset(index for index, segment in enumerate(cut.segments)
                     if consent.needs_blur(segment))  # fmt: skip


# --- sources ---------------------------------------------------------------------------------


def _source_path(project: Project, clip: Clip, position: int) -> Path:
    path = project.absolute(clip.path)
    if not path.is_file():
        raise MediaError(
            f"{path}: the file of clip {clip.name} (segment {position}) is missing",
            hint="reconnect the drive it is on, or check the project with `btslog verify`",
        )
    return path


def _timing(path: Path) -> tuple[Fraction, bool]:
    """(seconds from the file's start to its first video frame, as ffmpeg's ``-ss`` counts;
    whether it has sound)."""
    import av

    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.error.FFmpegError, OSError) as error:
        raise MediaError(f"{path}: cannot be opened for rendering ({error})",
                         hint="check the file with `btslog probe`") from error  # fmt: skip
    with container:
        streams = [stream for stream in container.streams.video
                   if not stream.disposition & getattr(stream.disposition.__class__,
                                                       "attached_pic", 0)]  # fmt: skip
        if not streams:
            raise MediaError(f"{path}: has no video stream")
        stream = streams[0]
        time_base = Fraction(stream.time_base.numerator, stream.time_base.denominator)
        origin = stream.start_time * time_base if stream.start_time is not None else Fraction(0)
        file_start = Fraction(container.start_time or 0, 1_000_000)
        return max(Fraction(0), origin - file_start), bool(container.streams.audio)


def _segment_source(segment: Segment, clip: Clip, path: Path, timing, label: str):
    from btslog.cut.render import SegmentSource
    from btslog.ops.sync import synced_start_frame

    offset, has_audio = timing
    return SegmentSource(
        path=path, rate=clip.rate, vfr=clip.vfr, in_frame=segment.in_frame,
        out_frame=segment.out_frame, video_offset=offset, has_audio=has_audio,
        start_frame=synced_start_frame(clip), drop_frame=clip.drop_frame, label=label,
    )  # fmt: skip


def _timecode(clip: Clip, frame: int) -> str:
    """The time of day of a frame as btslog shows it (synced, see btslog.ops.sync)."""
    from btslog.ops.tags import _label

    return _label(clip, frame)


# --- progress --------------------------------------------------------------------------------


class _Progress:
    """One bar over the blurred intermediates, the measurement and the encode (in frames)."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback, self.total, self.done = callback, max(1, total), 0

    def report(self, base: int, part: int, limit: int) -> None:
        """``part`` (at most ``limit``) of the step that starts ``base`` units in is done."""
        self.done = base + max(0, min(part, limit))
        if self.callback is not None:
            self.callback(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.report(self.total, 0, 0)


# --- the render ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _check_output(output: Path, preset: RenderPreset, cut: Cut, sources: Sequence[Path]) -> None:
    from btslog.faces.render import manifest_path

    if output.suffix.lower() not in preset.suffixes:
        raise InvalidInput(
            f"{output}: preset {preset.name} writes {preset.container} files",
            hint=f"name the output e.g. {cut.name.replace(' ', '_')}{preset.suffixes[0]}",
        )
    if output.is_dir():
        raise InvalidInput(f"{output}: is a folder", hint="give the path of the file to write")
    resolved = output.resolve()
    for source in sources:
        if resolved in (source.resolve(), manifest_path(source).resolve()):
            raise MediaError(f"{source}: refusing to render over a source of the cut",
                             hint="choose another output path; originals are never modified")  # fmt: skip


def _run(args: list[str], work: Path, *, what: str, **callbacks) -> str:
    """Run ffmpeg, handing a long filter graph over in a file."""
    from btslog.cut.render import with_graph_file
    from btslog.media import ffmpeg

    index = args.index("-filter_complex") if "-filter_complex" in args else -1
    if index >= 0 and len(args[index + 1]) > GRAPH_INLINE_LIMIT:
        graph = work / f"graph-{uuid.uuid4().hex[:8]}.txt"
        graph.write_text(args[index + 1], encoding="utf-8")
        args = with_graph_file(args, graph)
    try:
        return ffmpeg.run(args, what=what, **callbacks)
    except FfmpegError as error:
        raise FfmpegError(
            error.message,
            hint="check that every clip of the cut plays (`btslog probe FILE`); run again with "
            "BTSLOG_DEBUG=1 for ffmpeg's messages",
            stderr_tail=error.stderr_tail,
        ) from error


class _Plan:
    """Everything a render needs, gathered and checked before anything is written."""

    def __init__(self, project: Project, cut: Cut, preset: RenderPreset, output: Path) -> None:
        from btslog.cut.render import Title, label_text, plan_timeline
        from btslog.media.probe import probe

        if not cut.segments:
            raise InvalidInput(f"cut {cut.name!r} has no segments",
                               hint="select tags for it with `btslog cut new NAME --select "
                               "QUERY`")  # fmt: skip
        self.cut, self.preset = cut, preset
        self.clips = _clips_of(project, cut)
        positions: dict[int, int] = {}
        for position, segment in enumerate(cut.segments, start=1):
            positions.setdefault(segment.clip_id, position)
        self.paths = {clip_id: _source_path(project, clip, positions[clip_id])
                      for clip_id, clip in self.clips.items()}  # fmt: skip
        _check_output(output, preset, cut, list(self.paths.values()))
        self.consent = _Consent(project, self.clips, strict=True)
        self.infos = {clip_id: probe(path) for clip_id, path in self.paths.items()}
        timings = {clip_id: _timing(path) for clip_id, path in self.paths.items()}
        titles = bool(cut.options.titles)
        self.sources = []
        for segment in cut.segments:
            clip = self.clips[segment.clip_id]
            label = ""
            if titles and preset.labels:
                label = label_text(segment.kind, segment.scene, segment.take, clip.camera,
                                   _timecode(clip, segment.in_frame))  # fmt: skip
            self.sources.append(_segment_source(segment, clip, self.paths[clip.id],
                                                timings[clip.id], label))  # fmt: skip
        self.blurred = [index for index, segment in enumerate(cut.segments)
                        if self.consent.needs_blur(segment)]  # fmt: skip
        self.timeline = plan_timeline(preset, self.sources, titles=titles)
        self.title = Title(cut.name, project.name) if titles else None

    def blur(self, work: Path, bar: _Progress, models: dict) -> dict[int, dict]:
        """Render each segment that shows a face to blur into a lossless intermediate in
        ``work`` (its kept range only); returns their manifests by segment index."""
        from btslog.faces.render import render_blurred

        records, done = {}, 0
        for index in self.blurred:
            segment = self.cut.segments[index]
            clip = self.clips[segment.clip_id]
            intermediate = work / f"segment-{index + 1:04d}.mp4"
            records[index] = render_blurred(
                self.paths[clip.id], self.infos[clip.id], self.consent.pairs[clip.id],
                intermediate, settings=self.consent.blur,
                segment=(segment.in_frame, segment.out_frame), policy=self.consent.policy,
                model_hashes=models, source_xxh64=clip.xxh64, lossless=True,
                progress=lambda part, _total, base=done, limit=segment.frames:
                bar.report(base, part, limit),
            )  # fmt: skip
            self.sources[index] = replace(self.sources[index], blurred=intermediate)
            done += segment.frames
        return records


def render_cut(
    project: Project,
    cut: Cut,
    preset_name: str,
    output: str | os.PathLike,
    *,
    crossfade: str | None = None,
    progress: ProgressCallback | None = None,
) -> dict:
    """Render ``cut`` with preset ``preset_name`` to ``output``; returns the manifest.

    ``crossfade`` (``"0.5s"``, ``"12f"``, ``"0s"``) overrides the preset's dissolve between
    segments.  ``progress(done, total)`` is called as work is done (frames of the blurred
    intermediates, then of the measurement and the encode); an exception it raises
    (KeyboardInterrupt) stops the render.  An existing ``output`` is replaced, as ``btslog
    blur`` does.  Raises :class:`~btslog.errors.BtslogError` subclasses; on any failure
    nothing is left behind.
    """
    from btslog import __version__
    from btslog.clock import now_iso
    from btslog.cut.render import plan_gain, render_argv
    from btslog.faces.models import model_hashes
    from btslog.faces.render import manifest_path
    from btslog.media import ffmpeg

    output = Path(output)
    preset = get_preset(project, preset_name, crossfade=crossfade)
    plan = _Plan(project, cut, preset, output)
    timeline = plan.timeline
    blur_frames = sum(cut.segments[index].frames for index in plan.blurred)
    measure_units = math.ceil(timeline.total * MEASURE_WEIGHT)
    bar = _Progress(progress, blur_frames + measure_units + timeline.total)
    models = model_hashes()
    what = f"the render of cut {cut.name!r}"
    work = project.folder("cache") / "render" / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        work.mkdir(parents=True, exist_ok=False)
    except OSError as error:
        raise MediaError(f"{work.parent}: cannot write the render's intermediates there "
                         f"({error.strerror or error})",
                         hint="check the project's cache folder ([paths] cache)") from error  # fmt: skip
    try:
        blur_records = plan.blur(work, bar, models)
        sound = _Sound(preset, plan.sources, timeline, work, f"the sound of cut {cut.name!r}")
        measured = sound.measure(progress=lambda seconds: bar.report(
            blur_frames, math.floor(Fraction(seconds) * preset.rate * MEASURE_WEIGHT),
            measure_units))  # fmt: skip
        gain = plan_gain(preset, measured)
        final_report: dict[str, str] = {}

        def on_report(report: dict[str, str]) -> None:
            final_report.clear()
            final_report.update(report)
            if report.get("frame", "").isdigit():
                bar.report(blur_frames + measure_units, int(report["frame"]), timeline.total)

        with contextlib.ExitStack() as stack:
            try:
                partial = stack.enter_context(ffmpeg.atomic_output(output))
                partial_manifest = stack.enter_context(ffmpeg.atomic_output(manifest_path(output)))
            except OSError as error:
                raise MediaError(f"{output}: cannot write there ({error.strerror or error})",
                                 hint="check that the folder exists and you may write to "
                                 "it") from error  # fmt: skip
            args = render_argv(preset, plan.sources, timeline, partial, title=plan.title,
                               gain=gain, metadata_title=cut.name)  # fmt: skip
            _run(args, work, what=what, progress_report=on_report)
            frames = final_report.get("frame", "")
            if not partial.is_file() or partial.stat().st_size == 0:
                raise MediaError(f"{what}: ffmpeg wrote no output")
            if frames.isdigit() and int(frames) != timeline.total:
                raise MediaError(
                    f"{what} came out {frames} frames long, not {timeline.total}: a source "
                    "ended early (damaged, or shorter than its index says)",
                    hint="check the cut's clips with `btslog probe` and `btslog verify`",
                )
            loudness = sound.finish(partial, measured, gain, metadata_title=cut.name)
            manifest = _manifest(
                project, plan, blur_records, loudness, models,
                output={"path": str(output), "sha256": _sha256(partial),
                        "size": partial.stat().st_size},
                version=__version__, created=now_iso(),
            )  # fmt: skip
            partial_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        bar.finish()
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Sound:
    """The loudness passes, closed by a meter.

    The assembled sound is measured (audio only), the render applies one linear gain (and a
    true-peak limiter only where that gain would take peaks over the limit), and the written
    file's sound is then read by the same meter.  When it misses the target by more than
    :data:`LOUDNESS_TOLERANCE`, or its true peak is over the preset's (a lossy encoder can
    raise peaks, on sharp transients such as a slate clap, by a dB or two), the gain and the
    limit are corrected by what was missed, the sound alone is normalised again and put in
    place of the render's (the picture is copied, not encoded again).
    """

    def __init__(self, preset, sources, timeline, work: Path, what: str) -> None:
        self.preset, self.sources, self.timeline = preset, sources, timeline
        self.work, self.what = work, what

    def measure(self, progress=None) -> Loudness:
        from btslog.cut.render import measure_argv

        return self._reading(_run(measure_argv(self.preset, self.sources, self.timeline),
                                  self.work, what=self.what, progress=progress))  # fmt: skip

    def check(self, path: Path) -> Loudness:
        from btslog.cut.render import check_argv

        return self._reading(_run(check_argv(path), self.work, what=self.what))

    def _reading(self, stderr: str) -> Loudness:
        from btslog.cut.render import parse_ebur128

        try:
            return parse_ebur128(stderr)
        except ValueError as error:
            raise MediaError(f"{self.what}: the loudness meter gave no reading") from error

    def _on_target(self, reading: Loudness) -> bool:
        preset = self.preset
        return (abs(reading.integrated - preset.loudness) <= LOUDNESS_TOLERANCE
                and reading.true_peak <= preset.true_peak)  # fmt: skip

    def finish(self, render: Path, measured: Loudness, gain: Gain | None, *,
               metadata_title: str) -> dict:  # fmt: skip
        """Check the rendered file and set its sound right where needed; returns the
        manifest's loudness record."""
        from btslog.cut.render import TRUE_PEAK_MARGIN, plan_gain, remux_argv, sound_argv

        preset = self.preset
        reading = self.check(render)
        corrections = 0
        while gain is not None and not self._on_target(reading):
            if corrections == LOUDNESS_CORRECTIONS:
                raise MediaError(
                    f"{self.what}: the encoded sound reads {reading.integrated:.1f} LUFS, true "
                    f"peak {reading.true_peak:.1f} dBTP, not the preset's "
                    f"{preset.loudness:.1f} LUFS under {preset.true_peak:.1f} dBTP",
                    hint="raise the preset's audio_bitrate (AAC raises peaks more at low "
                    "rates), or lower its loudness",
                )
            corrections += 1
            limit = gain.limit if gain.limit is not None else preset.true_peak - TRUE_PEAK_MARGIN
            if reading.true_peak > preset.true_peak:
                limit -= reading.true_peak - preset.true_peak + 0.1
            gain = plan_gain(preset, measured, limit=limit,
                             gain=gain.gain + preset.loudness - reading.integrated)  # fmt: skip
            wav = self.work / "sound.wav"
            _run(sound_argv(preset, self.sources, self.timeline, wav, gain=gain), self.work,
                 what=self.what)  # fmt: skip
            remuxed = render.with_name(f"{render.stem}.remux{render.suffix}")
            try:
                _run(remux_argv(render, wav, remuxed, preset, metadata_title=metadata_title),
                     self.work, what=self.what)  # fmt: skip
                os.replace(remuxed, render)
            finally:
                remuxed.unlink(missing_ok=True)
            reading = self.check(render)
        return {
            "target_integrated": preset.loudness, "target_true_peak": preset.true_peak,
            "measured": None if measured.silent else {
                "integrated": measured.integrated, "true_peak": measured.true_peak},
            "normalization": gain.describe() if gain is not None else "none (silence)",
            "gain_db": gain.gain if gain is not None else None,
            "limiter_true_peak": gain.limit if gain is not None else None,
            "corrections": corrections,
            "output_integrated": reading.integrated, "output_true_peak": reading.true_peak,
        }  # fmt: skip


def _decision_record(track: FaceTrack, decision: BlurDecision, segment: Segment,
                     padding: int) -> dict:  # fmt: skip
    record = {"track_id": decision.track_id if decision.track_id is not None else track.id,
              "person": decision.person, "blur": decision.blur, "reason": decision.reason,
              "frames": [track.first_frame, track.last_frame]}  # fmt: skip
    if decision.blur:
        first = max(segment.in_frame, track.first_frame - padding)
        last = min(segment.out_frame - 1, track.last_frame + padding)
        record["hidden_frames"] = [first, last] if first <= last else None
    return record


def _manifest(project: Project, plan: _Plan, blur_records: dict[int, dict], loudness: dict,
              models: dict, *, output: dict, version: str, created: str) -> dict:  # fmt: skip
    from btslog.cut.render import rate_text
    from btslog.timecode import format_seconds

    cut, preset, timeline, consent = plan.cut, plan.preset, plan.timeline, plan.consent
    sources, clips, paths = plan.sources, plan.clips, plan.paths

    segments = []
    people: set[str] = set()
    tracks: set[int] = set()
    for index, (segment, source) in enumerate(zip(cut.segments, sources, strict=True)):
        clip = clips[segment.clip_id]
        decisions = [_decision_record(track, decision, segment, consent.blur.padding)
                     for track, decision in consent.reaching(segment)]  # fmt: skip
        blurred = index in blur_records
        for record in decisions:
            if record["blur"] and blurred:
                tracks.add(record["track_id"])
                if record["person"]:
                    people.add(record["person"])
        start = timeline.starts[index]
        entry = {
            "index": index, "clip": clip.name, "clip_id": clip.id,
            "file": project.stored_path(paths[clip.id]), "camera": clip.camera,
            "kind": segment.kind, "scene": segment.scene, "take": segment.take,
            "tag_id": segment.tag_id, "rate": rate_text(clip.rate), "vfr": clip.vfr,
            "drop_frame": clip.drop_frame, "in_frame": segment.in_frame,
            "out_frame": segment.out_frame,
            "in_timecode": _timecode(clip, segment.in_frame),
            "out_timecode": _timecode(clip, segment.out_frame),
            "output_start_frame": start, "output_end_frame": start + timeline.lengths[index],
            "output_frames": timeline.lengths[index],
            "audio": "source" if source.has_audio else "silence",
            "blurred": blurred, "decisions": decisions,
        }  # fmt: skip
        if blurred:
            record = blur_records[index]
            entry["blur_render"] = {"frames_with_boxes": record["frames_with_boxes"],
                                    "intermediate": "lossless H.264 (x264 qp 0), removed "
                                    "after the render"}  # fmt: skip
        segments.append(entry)
    return {
        "schema": MANIFEST_SCHEMA,
        "btslog_version": version,
        "created": created,
        "project": project.name,
        "cut": {"name": cut.name, "id": cut.id, "options": asdict(cut.options),
                "segments": len(cut.segments)},
        "preset": preset.describe(),
        "output": {**output, "frames": timeline.total, "rate": rate_text(preset.rate),
                   "seconds": format_seconds(Fraction(timeline.total) / preset.rate),
                   "width": preset.width, "height": preset.height},
        "title": ({"frames": timeline.title, "heading": cut.name, "subheading": project.name}
                  if timeline.title else None),
        "crossfades": list(timeline.overlaps),
        "segments": segments,
        "consent": {"policy": consent.policy, "blur": consent.blur.describe(),
                    "models": dict(models), "segments_blurred": sorted(blur_records),
                    "people_blurred": sorted(people), "tracks_blurred": sorted(tracks)},
        "loudness": loudness,
    }  # fmt: skip
