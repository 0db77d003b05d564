"""Re-hashing the project's media against the database and each roll's ASC MHL history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from btslog.errors import NotFound
from btslog.ops.project import Project

STATUSES = ("ok", "missing", "modified", "extra")


@dataclass(frozen=True)
class VerifyRow:
    """One file's verdict: ``ok``, ``missing``, ``modified`` or ``extra`` (not recorded)."""

    path: str
    status: str
    detail: str = ""


def _roll_folders(project: Project, roll: str | None) -> list[Path]:
    media = project.folder("media")
    folders = {path.parent for path in media.glob("*/*/*/ascmhl")}
    from btslog.db import clips as clip_rows

    with project.db.read() as connection:
        for clip in clip_rows.list_clips(connection, roll=roll):
            if clip.mhl_path:
                folders.add(project.absolute(clip.mhl_path))
    if roll is not None:
        folders = {folder for folder in folders if folder.name == roll}
    return sorted(folders)


def verify(
    project: Project,
    *,
    roll: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_file: Callable[[str], None] | None = None,
) -> list[VerifyRow]:
    """Re-hash every recorded file (all rolls, or one); name missing, modified, extra files.

    Linked clips (registered in place, no MHL) are checked against the database alone.
    """
    from btslog.db import clips as clip_rows
    from btslog.ingest import mhl
    from btslog.ingest.hashing import xxh64_file

    with project.db.read() as connection:
        clips = clip_rows.list_clips(connection, roll=roll)
    by_path = {project.absolute(clip.path): clip for clip in clips}
    folders = _roll_folders(project, roll)
    linked = [clip for clip in clips if not clip.mhl_path]
    if roll is not None and not folders and not linked:
        raise NotFound(f"no roll {roll!r} in this project", hint="see `btslog clips` for rolls")
    rows: list[VerifyRow] = []

    def check(path: Path, expected: list[tuple[str, str]]) -> None:
        shown = project.stored_path(path)
        if on_file is not None:
            on_file(shown)
        if not path.exists():
            rows.append(VerifyRow(shown, "missing", "recorded but not on disk"))
            return
        actual = xxh64_file(path, on_bytes)
        wrong = [f"{where} says {value}" for where, value in expected if value != actual]
        if wrong:
            rows.append(VerifyRow(shown, "modified", f"xxh64 {actual}; " + ", ".join(wrong)))
        else:
            rows.append(VerifyRow(shown, "ok"))

    for folder in folders:
        recorded = mhl.entries(folder)
        for relative, entry in sorted(recorded.items()):
            path = folder / relative
            expected = [("ASC MHL", entry.xxh64)]
            clip = by_path.get(path)
            if clip is not None and clip.xxh64:
                expected.append(("database", clip.xxh64))
            check(path, expected)
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_dir() or relative.parts[0] == mhl.FOLDER or relative.as_posix() in recorded:
                continue
            rows.append(VerifyRow(project.stored_path(path), "extra", "not in the roll's ASC MHL"))
        for path, clip in by_path.items():
            if (
                clip.mhl_path
                and project.absolute(clip.mhl_path) == folder
                and not path.exists()
                and path.relative_to(folder).as_posix() not in recorded
            ):
                rows.append(VerifyRow(clip.path, "missing", "registered but not on disk"))
    for clip in linked:
        check(project.absolute(clip.path), [("database", clip.xxh64)] if clip.xxh64 else [])
    return rows
