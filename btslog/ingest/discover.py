"""Finding media files in folders and on camera cards."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

MEDIA_SUFFIXES = {
    ".mov", ".mp4", ".m4v", ".mxf", ".mts", ".m2ts", ".avi", ".mkv", ".webm",
    ".braw", ".r3d", ".crm", ".insv", ".3gp", ".mpg", ".mpeg", ".ts",
}  # fmt: skip


def is_hidden(path: Path) -> bool:
    """Hidden and system files: dot files, macOS AppleDouble (``._*``) and Windows junk."""
    name = path.name
    return name.startswith(".") or name.lower() in {"thumbs.db", "desktop.ini"}


def is_media(path: Path) -> bool:
    return path.suffix.lower() in MEDIA_SUFFIXES and not is_hidden(path)


def find_media(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Media files named directly or found in folder trees (sorted; hidden entries skipped).

    A file named directly is returned even without a media suffix, so the probe can say what
    is wrong with it.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for folder, folders, files in os.walk(path):
                folders[:] = sorted(name for name in folders if not is_hidden(Path(name)))
                found.extend(
                    Path(folder, name) for name in sorted(files) if is_media(Path(folder, name))
                )
        else:
            found.append(path)
    return found
