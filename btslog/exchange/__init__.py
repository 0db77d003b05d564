"""Exporters and importers for NLE interchange: one module per format, found by name or suffix.

Each format module defines ``FORMAT = Format(...)`` with:

* ``name`` (as typed after ``--format``), ``suffixes`` (``.edl`` ...), ``description``;
* ``per_clip``: True when the format holds one clip's markers (several clips -> one file each);
* ``write(document, **options) -> bytes`` for a :class:`~btslog.exchange.model.MarkerDocument`;
* ``read(data, *, source) -> list[ReadMarker]`` (``source`` names the file in errors), or None
  when the format cannot be imported.

Modules are imported only when a format is used, so ``btslog --help`` stays instant.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from btslog.errors import InvalidInput

# format name -> module; the order is the order `--help` lists them in.
MODULES = {
    "resolve-edl": "btslog.exchange.resolve_edl",
    "premiere-xml": "btslog.exchange.xmeml",
    "fcpxml": "btslog.exchange.fcpxml",
    "avid": "btslog.exchange.avid",
    "otio": "btslog.exchange.otio",
    "csv": "btslog.exchange.tabular",
    "json": "btslog.exchange.tabular",
    "srt": "btslog.exchange.subtitles",
    "vtt": "btslog.exchange.subtitles",
}


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    description: str
    per_clip: bool
    write: Callable[..., bytes]
    read: Callable[..., list] | None = None


def get_format(name: str) -> Format:
    """The format registered as ``name``."""
    if name not in MODULES:
        raise InvalidInput(f"unknown format {name!r}", hint="formats: " + ", ".join(MODULES))
    module = importlib.import_module(MODULES[name])
    formats = getattr(module, "FORMATS", None) or (module.FORMAT,)
    for candidate in formats:
        if candidate.name == name:
            return candidate
    raise AssertionError(f"{MODULES[name]} does not define format {name}")  # pragma: no cover


def format_for_path(path: str | Path) -> Format:
    """The format a file's suffix names (``.edl`` is a Resolve marker EDL, ``.xml`` xmeml)."""
    suffix = Path(path).suffix.lower()
    for name in MODULES:
        candidate = get_format(name)
        if suffix in candidate.suffixes:
            return candidate
    raise InvalidInput(
        f"{path}: cannot tell the format from the suffix {suffix or '(none)'}",
        hint="give --format: " + ", ".join(MODULES),
    )
