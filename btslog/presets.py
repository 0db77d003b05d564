"""Presets shipped with btslog (render targets, marker colours, blur styles, tag kinds).

They live in the repository's top-level ``presets/`` folder, which the wheel ships as
``btslog/_presets``; a project may override a preset's values in its ``btslog.toml``.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from btslog.errors import NotFound, ProjectError

PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def presets_dir() -> Path:
    """Where the shipped presets are: inside the installed package, else the source tree."""
    for candidate in (PACKAGE_DIR / "_presets", PACKAGE_DIR.parent / "presets"):
        if candidate.is_dir():
            return candidate
    raise ProjectError(
        "btslog's presets folder is missing from this installation",
        hint="reinstall btslog (pip install --force-reinstall btslog)",
    )


def preset_path(*parts: str) -> Path:
    path = presets_dir().joinpath(*parts)
    if not path.exists():
        raise NotFound(f"no preset {'/'.join(parts)!r} in {presets_dir()}")
    return path


def load_toml(*parts: str) -> dict:
    """A shipped TOML preset file, e.g. ``load_toml("markers.toml")``."""
    path = preset_path(*parts)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: not valid TOML: {error}") from error


def merged(base: dict, override: dict) -> dict:
    """``base`` with ``override``'s values laid over it, tables merged key by key."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result
