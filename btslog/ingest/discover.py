"""Finding media files in folders and on camera cards."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


def walk_files(root: Path) -> Iterator[Path]:
    """Every file below ``root`` in a stable order, hidden and system entries skipped."""
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if not is_hidden(Path(name)))
        for name in sorted(files):
            path = Path(folder, name)
            if not is_hidden(path):
                yield path


def find_media(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Media files named directly or found in folder trees (sorted; hidden entries skipped).

    A file named directly is returned even without a media suffix, so the probe can say what
    is wrong with it.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(file for file in walk_files(path) if is_media(file))
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class CardFile:
    """A file found on a card: where it is, and where it goes relative to the roll folder."""

    path: Path
    relative: str  # POSIX path under the roll folder, keeping the card's structure
    media: bool


def find_card_files(sources: Iterable[str | os.PathLike]) -> list[CardFile]:
    """Every file to offload from ``sources`` (card roots, folders or single files).

    The card's structure (``PRIVATE/M4ROOT/CLIP/...``, ``DCIM/100MEDIA/...``) is kept below the
    roll folder; sidecars (XML, XMP, THM) and card metadata travel with the clips; hidden and
    system files (``.DS_Store``, ``._*``) are left behind.
    """
    found: list[CardFile] = []
    for given in sources:
        root = Path(given)
        if root.is_dir():
            found.extend(CardFile(path, path.relative_to(root).as_posix(), is_media(path))
                         for path in walk_files(root))  # fmt: skip
        else:
            found.append(CardFile(root, root.name, True))
    return found
