"""Exporting tags as NLE marker files, and importing marker files back as tags.

Export: the chosen tags become a :class:`~btslog.exchange.model.MarkerDocument` (clips with
their markers, colours from presets/markers.toml laid over by ``[markers.*]`` in btslog.toml)
and a format module writes it.  A per-clip format (Resolve EDL, Avid list, subtitles) given
several clips writes one file per clip into a folder.

Import: a format module reads the file into :class:`ReadMarker` values; each is placed on its
clip (named by the file, by ``--clip``, or found by time of day), checked like a typed tag
(rate, range inside the clip, kind), and only when every marker is good are all stored, in
one transaction with one audit entry (``btslog undo`` takes the import back).
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
    from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument
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
        documents.append(
            ClipMarkers(
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
        )
    return MarkerDocument(title=title, clips=tuple(documents))


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
    cut: str | None = None, options: dict | None = None,
) -> list[Path]:  # fmt: skip
    """Write the chosen tags (accepted, not removed) as markers; returns the files written."""
    from btslog.exchange import get_format
    from btslog.ops.tags import check_kind, find_tags

    if cut is not None:
        raise NotFound(f"no cut {cut!r} in this project", hint="cuts are made with `btslog cut`")
    file_format = get_format(format_name)
    for kind in kinds:
        check_kind(project, kind)
    tags = find_tags(project, clip=clip, camera=camera, day=day, kinds=kinds,
                     statuses=["accepted"])  # fmt: skip
    if not tags:
        raise NotFound("no tags to export with these filters", hint="see `btslog tags`")
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
                    target = clip_at(project, marker.position)
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
