"""Exporting tags as NLE marker files, and importing marker files back as tags.

Export: the chosen tags become a :class:`~btslog.exchange.model.MarkerDocument` (clips with
their markers, colours from presets/markers.toml laid over by ``[markers.*]`` in btslog.toml)
and a format module writes it.  A per-clip format (Resolve EDL, Avid list, subtitles) given
several clips writes one file per clip into a folder.

Import: a format module reads the file into :class:`ReadMarker` values; each is placed on its
clip (named by the file, by ``--clip``, or found by time of day), checked like a typed tag
(rate, range inside the clip, kind), and only when every marker is good are all stored, in
one transaction with one audit entry (``btslog undo`` takes the import back).

Timelines: a cut becomes a :class:`~btslog.exchange.model.Timeline` (:func:`timeline_for`:
its segments back to back at the project's rate from 01:00:00:00, each referencing its clip's
original media at the camera's time of day, the ones whose faces the render blurs flagged)
and a timeline format writes it (:func:`export_timeline`).
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Sequence
from pathlib import Path

from btslog.errors import BtslogError, InvalidInput, NotFound
from btslog.model import Clip, Tag
from btslog.ops.project import Project

NLES = ("resolve", "premiere", "avid", "otio")


def marker_colors(project: Project) -> dict[str, dict[str, object]]:
    """kind -> NLE -> colour value (Premiere's as its packed pproColor integer)."""
    from btslog.presets import load_toml, merged

    table = merged(load_toml("markers.toml"), {"markers": project.config.get("markers", {})})
    palette = table.get("premiere_palette", {})
    colors = {}
    for kind, values in table["markers"].items():
        entry = dict(values)
        if "premiere" in entry:
            name = str(entry["premiere"]).lower()
            if name not in palette:
                raise InvalidInput(
                    f"[markers.{kind}] premiere = {entry['premiere']!r} is not a Premiere colour",
                    hint="Premiere colours: " + ", ".join(palette),
                )
            entry["premiere"] = palette[name]
        colors[kind] = entry
    return colors


def _colors_for(colors: dict, kind: str) -> dict:
    return {**colors.get("default", {}), **colors.get(kind, {})}


def build_document(project: Project, tags: Sequence[Tag], title: str):
    """The tags as a marker document: clips in time order, each with its markers."""
    from btslog.exchange.model import Marker, MarkerDocument
    from btslog.ops.tags import clips_by_id

    colors = marker_colors(project)
    clips = clips_by_id(project, {tag.clip_id for tag in tags})
    by_clip: dict[int, list[Tag]] = {}
    for tag in tags:
        by_clip.setdefault(tag.clip_id, []).append(tag)
    documents = []
    ordered = sorted(by_clip, key=lambda clip_id: (clips[clip_id].day or "",
                                                   clips[clip_id].camera or "",
                                                   clips[clip_id].start_frame,
                                                   clips[clip_id].name))  # fmt: skip
    for clip_id in ordered:
        clip, clip_tags = clips[clip_id], by_clip[clip_id]
        markers = tuple(
            Marker(tag.in_frame, tag.out_frame, tag.kind, tag.note, scene=tag.scene,
                   take=tag.take, rating=tag.rating, circled=tag.circled, ng=tag.ng,
                   people=tag.people, colors=_colors_for(colors, tag.kind), tag_id=tag.id)
            for tag in sorted(clip_tags, key=lambda tag: (tag.in_frame, tag.id))
        )  # fmt: skip
        documents.append(clip_markers(project, clip, markers))
    return MarkerDocument(title=title, clips=tuple(documents))


def clip_markers(project: Project, clip: Clip, markers: tuple = ()):
    """``clip`` as the exchange model sees it: its original media file (absolute path), rate,
    camera start timecode, size, reel (else roll), camera and audio channels."""
    from btslog.exchange.model import ClipMarkers

    return ClipMarkers(
        name=clip.name,
        file_name=Path(clip.path).name,
        path=str(project.absolute(clip.path).resolve()),
        rate=clip.rate,
        drop_frame=clip.drop_frame,
        start_frame=clip.start_frame,
        duration_frames=clip.duration_frames,
        width=clip.width,
        height=clip.height,
        reel=clip.reel or clip.roll,
        camera=clip.camera,
        audio_channels=sum(stream.channels for stream in clip.audio) or 2,
        markers=markers,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.btslog-partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise InvalidInput(
            f"{path}: cannot write there ({error.strerror})",
            hint="check that the folder exists and you may write to it",
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def export_markers(
    project: Project, format_name: str, output: str | Path, *, clip: str | None = None,
    camera: str | None = None, day: str | None = None, kinds: Sequence[str] = (),
    cut: str | None = None, options: dict | None = None, transcript: bool = False,
) -> list[Path]:  # fmt: skip
    """Write the chosen tags (accepted, not removed; with ``cut``, only those behind the cut's
    segments) as markers; returns the files written.  With ``transcript``, each marker's note
    ends with the words said in its range (``btslog analyze --transcribe``)."""
    from btslog.exchange import get_format
    from btslog.ops.tags import check_kind, find_tags

    file_format = get_format(format_name)
    for kind in kinds:
        check_kind(project, kind)
    tags = find_tags(project, clip=clip, camera=camera, day=day, kinds=kinds,
                     statuses=["accepted"])  # fmt: skip
    if cut is not None:  # the tags behind the cut's segments
        from btslog.ops.cuts import get_cut

        cut_tags = {segment.tag_id for segment in get_cut(project, cut).segments}
        tags = [tag for tag in tags if tag.id in cut_tags]
        if not tags:
            raise NotFound(
                f"no accepted tags behind the segments of cut {cut!r} with these filters",
                hint=f"see `btslog cut show {cut}`; segments whose tag was removed have none",
            )
    if not tags:
        raise NotFound("no tags to export with these filters", hint="see `btslog tags`")
    if transcript:
        from btslog.ops.analyze import with_transcripts

        tags = with_transcripts(project, tags)
    document = build_document(project, tags, project.name)
    output = Path(output)
    if file_format.per_clip and len(document.clips) > 1:
        if output.suffix and not output.is_dir():
            raise InvalidInput(
                f"{file_format.name} holds one clip's markers, and {len(document.clips)} clips "
                f"have tags: give a folder as -o, not {output.name}",
                hint="e.g. -o exports/resolve/ (one file per clip), or choose one with --clip",
            )
        targets = [
            (output / f"{item.name}{file_format.suffixes[0]}",
             type(document)(title=document.title, clips=(item,)))
            for item in document.clips
        ]  # fmt: skip
    else:
        if output.is_dir():
            output = output / f"markers{file_format.suffixes[0]}"
        targets = [(output, document)]
    written = []
    rendered = [(path, file_format.write(part, **(options or {}))) for path, part in targets]
    for path, data in rendered:  # everything rendered before the first byte is written
        _write_atomically(path, data)
        written.append(path)
    return written


# --- timelines ------------------------------------------------------------------------------

#: the record timecode of a timeline's first frame (non-drop-frame, drop-frame)
SEQUENCE_START = ("01:00:00:00", "01:00:00;00")


def _sequence_drop_frame(project: Project, clips) -> bool:
    """``[project] drop_frame`` in btslog.toml; else drop-frame at 29.97/59.94 unless every
    clip of the cut at the project's rate is non-drop-frame."""
    from btslog.timecode import supports_drop_frame

    rate = project.rate
    setting = project.config.get("project", {}).get("drop_frame")
    if setting is not None:
        if not isinstance(setting, bool):
            raise InvalidInput("btslog.toml: [project] drop_frame must be true or false")
        return setting
    if not supports_drop_frame(rate):
        return False
    same_rate = [clip for clip in clips if clip.rate == rate]
    return not same_rate or any(clip.drop_frame for clip in same_rate)


def _sequence_size(project: Project, cut, clips: dict) -> tuple[int, int]:
    """``[project] width``/``height`` in btslog.toml; else the frame size of the clips that
    fill most of the cut."""
    settings = project.config.get("project", {})
    if "width" in settings or "height" in settings:
        width, height = settings.get("width"), settings.get("height")
        if not all(isinstance(value, int) and value > 0 for value in (width, height)):
            raise InvalidInput(
                "btslog.toml: [project] width and height must both be positive whole numbers"
            )
        return width, height
    frames: dict[tuple[int, int], int] = {}
    for clip_id, total in cut.frames_by_clip.items():
        size = (clips[clip_id].width, clips[clip_id].height)
        frames[size] = frames.get(size, 0) + total
    return max(frames, key=lambda size: (frames[size], size))


def timeline_for(project: Project, cut, *, blurred=frozenset()):
    """Cut ``cut`` (a :class:`btslog.cut.model.Cut`) as a timeline: its segments in order,
    back to back from 01:00:00:00 at the project's rate, each referencing its clip's original
    media, labelled like the render's lower thirds; ``blurred`` holds the 0-based positions
    of the segments whose faces btslog's render blurs (flagged in every format)."""
    from btslog.exchange.model import Timeline, TimelineEvent
    from btslog.ops.cuts import segment_label
    from btslog.ops.tags import clips_by_id
    from btslog.timecode import parse_timecode

    if not cut.segments:
        raise InvalidInput(f"cut {cut.name!r} has no segments", hint="assemble it again")
    outside = sorted(index for index in blurred if not 0 <= index < len(cut.segments))
    if outside:
        raise InvalidInput(f"cut {cut.name!r} has no segment {outside[0] + 1}")
    clips = clips_by_id(project, {segment.clip_id for segment in cut.segments})
    missing = [segment.clip for segment in cut.segments if segment.clip_id not in clips]
    if missing:
        raise NotFound(
            f"cut {cut.name!r} uses clip {missing[0]}, which is no longer in the project",
            hint="assemble the cut again",
        )
    models = {clip_id: clip_markers(project, clip) for clip_id, clip in clips.items()}
    rate = project.rate
    drop_frame = _sequence_drop_frame(project, clips.values())
    start = SEQUENCE_START[drop_frame]
    width, height = _sequence_size(project, cut, clips)
    events = tuple(
        TimelineEvent(
            clip=models[segment.clip_id], in_frame=segment.in_frame,
            out_frame=segment.out_frame, label=segment_label(segment), note=segment.note,
            kind=segment.kind, blurred=index in blurred, tag_id=segment.tag_id,
        )
        for index, segment in enumerate(cut.segments)
    )  # fmt: skip
    return Timeline(title=cut.name, rate=rate, drop_frame=drop_frame,
                    start_frame=parse_timecode(start, rate, drop_frame), width=width,
                    height=height, events=events)  # fmt: skip


def export_timeline(project: Project, cut, *, format_name: str | None = None,
                    output: str | Path, blurred=frozenset(),
                    fcpxml_version: str | None = None) -> Path:  # fmt: skip
    """Write cut ``cut`` as a timeline in ``format_name`` (edl, premiere-xml, fcpxml, otio;
    default: from ``output``'s suffix) to ``output`` (a folder gets ``<cut name><suffix>``),
    replacing an existing file atomically; returns the path written."""
    from btslog.exchange import get_timeline_format, timeline_format_for_path

    output = Path(output)
    if format_name:
        file_format = get_timeline_format(format_name)
    elif output.is_dir():
        raise InvalidInput(f"{output} is a folder: give --format (edl, premiere-xml, fcpxml, otio)")
    else:
        file_format = timeline_format_for_path(output)
    if output.is_dir():
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in cut.name).lstrip(".")
        output = output / f"{stem or 'timeline'}{file_format.suffixes[0]}"
    options = {}
    if fcpxml_version is not None and file_format.name == "fcpxml":
        options["version"] = fcpxml_version
    data = file_format.write_timeline(timeline_for(project, cut, blurred=blurred), **options)
    _write_atomically(output, data)
    return output


# --- import ----------------------------------------------------------------------------------


def _clip_for(project: Project, named: str | None, given: Clip | None, cache: dict) -> Clip | None:
    from btslog.ops.clips import resolve_clip

    if given is not None:
        return given
    if not named:
        return None
    if named not in cache:
        try:
            cache[named] = resolve_clip(project, named)
        except NotFound:
            cache[named] = resolve_clip(project, Path(named).stem)
    return cache[named]


def import_markers(project: Project, path: str | Path, *, clip: str | None = None,
                   format_name: str | None = None) -> list[int]:  # fmt: skip
    """Read a marker file and store its markers as tags, all or nothing."""
    from btslog.exchange import format_for_path, get_format
    from btslog.exchange.model import parse_marker_name
    from btslog.ops.clips import resolve_clip
    from btslog.ops.tags import TagSpec, add_tags, clip_at, prepare

    path = Path(path)
    file_format = get_format(format_name) if format_name else format_for_path(path)
    if file_format.read is None:
        raise InvalidInput(f"btslog cannot import {file_format.name} files")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot be read ({error.strerror})") from None
    given = resolve_clip(project, clip) if clip else None
    read_options = {"source": str(path)}
    if "rate" in inspect.signature(file_format.read).parameters:
        if given is None:
            raise InvalidInput(f"{path}: a {file_format.name} file names no clip or rate",
                               hint="give --clip")  # fmt: skip
        read_options["rate"] = given.rate
    markers = file_format.read(data, **read_options)
    if not markers:
        raise InvalidInput(f"{path}: no markers in the file")
    colors = marker_colors(project)
    nle = {"resolve-edl": "resolve", "premiere-xml": "premiere", "avid": "avid",
           "otio": "otio"}.get(file_format.name)  # fmt: skip
    kind_by_color = {}
    if nle:
        for kind, entry in colors.items():
            if kind != "default" and nle in entry:
                kind_by_color.setdefault(str(entry[nle]), kind)
    cache: dict = {}
    prepared, errors = [], []
    for marker in markers:
        where = f"{path}:{marker.line}" if marker.line else str(path)
        try:
            target = _clip_for(project, marker.clip, given, cache)
            if target is None:
                if isinstance(marker.position, str):
                    target = clip_at(project, marker.position, camera_clock=True)
                else:
                    raise InvalidInput("the file names no clip", hint="give --clip")
            if marker.rate is not None and marker.rate != target.rate:
                raise InvalidInput(
                    f"the file says {float(marker.rate):.3f} fps but clip {target.name} runs "
                    f"at {float(target.rate):.3f} fps",
                    hint="export the markers again from a timeline at the clip's rate",
                )
            fields = parse_marker_name(marker.name)
            if fields is not None:
                kind, note = fields.kind, marker.note
            else:
                kind = kind_by_color.get(str(marker.color), "highlight")
                note = ": ".join(part for part in (marker.name, marker.note) if part)
            in_text = (marker.position if isinstance(marker.position, str)
                       else f"+{marker.position}f")  # fmt: skip
            spec = TagSpec(
                in_text=in_text, duration=f"{marker.duration}f", kind=kind, note=note,
                scene=fields.scene if fields else None, take=fields.take if fields else None,
                rating=fields.rating if fields else None,
                circled=fields.circled if fields else False, ng=fields.ng if fields else False,
                people=fields.people if fields else (), source=f"import:{file_format.name}",
                camera_clock=True,  # the NLE knows the media's own timecode, not btslog's sync
            )  # fmt: skip
            prepared.append(prepare(project, spec, target))
        except BtslogError as error:
            errors.append(f"{where}: {error.message}")
    if errors:
        shown = errors[:20]
        raise InvalidInput(
            f"{path}: {len(errors)} bad marker{'s' if len(errors) > 1 else ''}, nothing was "
            "imported:\n  " + "\n  ".join(shown)
            + (f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""),
            hint="fix the markers named, or give --clip when the file is for one clip",
        )  # fmt: skip
    return add_tags(project, prepared, action="tag.import", detail=path.name)
