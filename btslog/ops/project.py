"""Projects: a folder with ``btslog.toml`` and the database ``btslog.db``.

The project is found from ``--project``, ``$BTSLOG_PROJECT``, or by walking up from the
current folder to the nearest ``btslog.toml``.
"""

from __future__ import annotations

import functools
import getpass
import os
import tomllib
from fractions import Fraction
from pathlib import Path

from btslog.errors import BtslogError, ProjectError

CONFIG_NAME = "btslog.toml"
DATABASE_NAME = "btslog.db"
DEFAULT_FOLDERS = {"media": "media", "proxies": "proxies", "exports": "exports",
                   "renders": "renders", "cache": ".btslog-cache"}  # fmt: skip


def current_author() -> str:
    """Who is making changes: ``$BTSLOG_USER``, else the login name."""
    author = os.environ.get("BTSLOG_USER")
    if author:
        return author
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Project:
    """An open project.  ``db`` connects on first use."""

    def __init__(self, root: Path, config: dict) -> None:
        self.root = root
        self.config = config

    @property
    def name(self) -> str:
        return self.config["project"]["name"]

    @property
    def rate(self) -> Fraction:
        from btslog.timecode import parse_rate

        return parse_rate(self.config["project"]["rate"])

    @property
    def database_url(self) -> str:
        from btslog.db.database import sqlite_url

        return self.config["project"].get("database") or sqlite_url(self.root / DATABASE_NAME)

    @functools.cached_property
    def db(self):
        from btslog.db.database import Database

        return Database.open(self.database_url)

    def folder(self, key: str) -> Path:
        """A project folder by role: ``media``, ``proxies``, ``exports``, ``renders``, ``cache``."""
        relative = self.config.get("paths", {}).get(key, DEFAULT_FOLDERS[key])
        return self.root / relative

    def stored_path(self, path: Path) -> str:
        """How a file's path is stored: relative to the root when inside the project."""
        path = Path(os.path.abspath(path))
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def absolute(self, stored: str) -> Path:
        path = Path(stored)
        return path if path.is_absolute() else self.root / path

    @property
    def author(self) -> str:
        return current_author()


def _load_config(root: Path) -> dict:
    path = root / CONFIG_NAME
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: not valid TOML: {error}", hint="fix the line named") from error
    except OSError as error:
        raise ProjectError(f"{path}: cannot be read: {error.strerror}") from error
    project = config.get("project")
    if not isinstance(project, dict) or "name" not in project or "rate" not in project:
        raise ProjectError(
            f"{path}: missing [project] name or rate",
            hint='add e.g. [project]\\nname = "My shoot"\\nrate = "23.976"',
        )
    from btslog.timecode import parse_rate

    try:
        parse_rate(project["rate"])
    except BtslogError as error:
        raise ProjectError(f"{path}: [project] rate: {error.message}", hint=error.hint) from error
    return config


def find_root(explicit: str | os.PathLike | None = None, start: Path | None = None) -> Path:
    """The project folder: ``explicit`` if given, else the nearest one holding btslog.toml."""
    if explicit:
        root = Path(explicit).resolve()
        if not (root / CONFIG_NAME).is_file():
            raise ProjectError(
                f"{root}: not a btslog project (no {CONFIG_NAME})",
                hint=f"create one with `btslog init {explicit}`",
            )
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ProjectError(
        f"no btslog project in {here} or any folder above it",
        hint="run inside a project, pass --project DIR, set BTSLOG_PROJECT, or create one "
        "with `btslog init DIR --name NAME --rate 23.976`",
    )


def open_project(explicit: str | os.PathLike | None = None) -> Project:
    root = find_root(explicit)
    return Project(root, _load_config(root))


def init_project(directory: str | os.PathLike, *, name: str, rate: str) -> Project:
    """Create a project in ``directory`` (made if missing): btslog.toml and a migrated database."""
    import tomli_w

    from btslog.db.database import Database, sqlite_url
    from btslog.timecode import parse_rate, rate_label

    root = Path(directory).resolve()
    if (root / CONFIG_NAME).exists():
        raise ProjectError(
            f"{root}: already a btslog project",
            hint="use it as it is, or choose another folder",
        )
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root}: exists and is not a folder")
    if not name.strip():
        raise ProjectError("the project name is empty", hint="pass --name 'Shoot name'")
    exact_rate = parse_rate(rate)
    config = {
        "project": {"name": name.strip(), "rate": rate_label(exact_rate)},
        "paths": dict(DEFAULT_FOLDERS),
        "consent": {"blur": "all_but_released"},
    }
    root.mkdir(parents=True, exist_ok=True)
    Database.open(sqlite_url(root / DATABASE_NAME), create=True).close()
    partial = root / f".{CONFIG_NAME}.partial"
    partial.write_text(
        "# btslog project settings; see `btslog --help` and the README.\n" + tomli_w.dumps(config),
        encoding="utf-8",
    )
    os.replace(partial, root / CONFIG_NAME)
    return Project(root, config)
