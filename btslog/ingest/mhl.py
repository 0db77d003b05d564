"""ASC MHL histories for copied rolls, written and read with the ``ascmhl`` reference library.

Each roll folder (``media/<day>/<camera>/<roll>/``) holds an ``ascmhl/`` history; each ingest
run that copied files into it adds one generation, so ``ascmhl verify <roll folder>`` checks
every file.  ``ascmhl`` writes a generation and then the chain file in place; a run killed in
between would leave a history ``ascmhl`` refuses to read.  So a commit is journalled: before it,
the names of the existing generations and the chain file's bytes are saved; a later run that
finds the journal undoes the half-written commit (its files are added again by that run).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from btslog.errors import BtslogError

FOLDER = "ascmhl"
CHAIN = "ascmhl_chain.xml"
JOURNAL = "btslog-commit.json"
HASH_FORMAT = "xxh64"


class MhlError(BtslogError):
    pass


@dataclass(frozen=True)
class MhlEntry:
    path: str  # relative to the roll folder, POSIX
    size: int | None
    xxh64: str


def _repair(root: Path) -> None:
    journal = root / FOLDER / JOURNAL
    if not journal.exists():
        return
    try:
        saved = json.loads(journal.read_text())
    except (OSError, ValueError):
        saved = None
    if saved is not None:
        keep = set(saved["generations"])
        for path in (root / FOLDER).glob("*.mhl"):
            if path.name not in keep:
                path.unlink()
        chain = root / FOLDER / CHAIN
        if saved["chain"] is None:
            chain.unlink(missing_ok=True)
        else:
            chain.write_bytes(base64.b64decode(saved["chain"]))
    journal.unlink()
    with contextlib.suppress(OSError):  # the first generation was undone: no history yet
        (root / FOLDER).rmdir()


def _load(root: Path):
    from ascmhl import errors as mhl_errors
    from ascmhl.history import MHLHistory

    _repair(root)
    if not (root / FOLDER).exists():
        return MHLHistory.load_from_path(str(root))  # an empty history
    try:
        return MHLHistory.load_from_path(str(root))
    except (mhl_errors.NoMHLChainException, mhl_errors.ModifiedMHLManifestFileException,
            mhl_errors.MissingMHLManifestException) as error:  # fmt: skip
        raise MhlError(
            f"{root / FOLDER}: the ASC MHL history is damaged ({type(error).__name__})",
            hint="restore the ascmhl folder from a backup; the media files are not touched",
        ) from error
    except Exception as error:  # the parsers raise lxml and assertion errors
        raise MhlError(
            f"{root / FOLDER}: the ASC MHL history cannot be read ({error})",
            hint="restore the ascmhl folder from a backup; the media files are not touched",
        ) from error


def entries(root: Path) -> dict[str, MhlEntry]:
    """Every file the roll's history records (first xxh64 recorded for each path)."""
    history = _load(root)
    found: dict[str, MhlEntry] = {}
    for hash_list in history.hash_lists:
        for media_hash in hash_list.media_hashes:
            if media_hash.is_directory or media_hash.path in found:
                continue
            entry = media_hash.find_hash_entry_for_format(HASH_FORMAT)
            if entry is not None:
                found[media_hash.path] = MhlEntry(media_hash.path, media_hash.file_size,
                                                  entry.hash_string)  # fmt: skip
    return found


@dataclass
class Generation:
    """Files to record in a roll's next generation (all verified by btslog before)."""

    root: Path
    files: list[tuple[Path, int, str]] = field(default_factory=list)

    def add(self, path: Path, size: int, xxh64: str) -> None:
        self.files.append((path, size, xxh64))

    def commit(self, *, author: str | None, comment: str | None = None, checkpoint=None) -> None:
        """Write the generation (nothing when no file was added)."""
        if not self.files:
            return
        from ascmhl.__version__ import ascmhl_tool_name, ascmhl_tool_version
        from ascmhl.generator import MHLGenerationCreationSession
        from ascmhl.hashlist import (
            MHLAuthor,
            MHLCreatorInfo,
            MHLProcess,
            MHLProcessInfo,
            MHLTool,
        )
        from ascmhl.utils import datetime_now_isostring

        import btslog

        history = _load(self.root)
        session = MHLGenerationCreationSession(history)
        for path, size, xxh64 in self.files:
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            with contextlib.redirect_stderr(io.StringIO()):  # ascmhl logs mismatches itself
                recorded = session.append_file_hash(str(path), size, modified, HASH_FORMAT, xxh64)
            if not recorded:
                raise MhlError(
                    f"{path}: its xxh64 differs from the one the roll's ASC MHL history recorded",
                    hint="run `btslog verify` and restore the file from the card or a backup",
                )
        creator = MHLCreatorInfo()
        creator.tool = MHLTool("btslog", btslog.__version__)
        creator.creation_date = datetime_now_isostring()
        creator.host_name = platform.node()
        creator.comment = (
            comment or f"ingest by btslog (ascmhl {ascmhl_tool_name} {ascmhl_tool_version})"
        )
        if author:
            creator.authors.append(MHLAuthor(author, None, None, None))
        process = MHLProcessInfo()
        process.process = MHLProcess("transfer")
        folder = self.root / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        chain = folder / CHAIN
        journal = folder / JOURNAL
        saved = {
            "generations": sorted(path.name for path in folder.glob("*.mhl")),
            "chain": base64.b64encode(chain.read_bytes()).decode() if chain.exists() else None,
        }
        temporary = journal.with_suffix(".tmp")
        temporary.write_text(json.dumps(saved))
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, journal)
        if checkpoint is not None:
            checkpoint("mhl-commit")
        session.commit(creator, process)
        for path in [*folder.glob("*.mhl"), chain]:
            with contextlib.suppress(OSError), open(path, "rb") as stream:
                os.fsync(stream.fileno())
        journal.unlink()
        self.files.clear()
