"""Offloading camera cards into the project: verified copies, ASC MHL, registration.

Every file of the card is copied to ``media/<day>/<camera>/<roll>/`` keeping the card's
structure (see :mod:`btslog.ingest.copy` for how one copy is verified), the roll's ASC MHL
history gains a generation with the files this run copied, and every clip is probed and
registered.  Files succeed or fail one by one.  A re-run skips what is already verified and
finishes what an interrupted run left: a copy that reached its final name but was not
registered is re-verified (both sides hashed) and registered; a temporary file is removed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from btslog.errors import BtslogError, InvalidInput, NotFound, ProjectError
from btslog.ops.clips import ItemResult, add_clips, check_day, register_clip
from btslog.ops.project import Project

SEAL_BATCH_BYTES = 2 * 1024**3  # copies written before a flush; what a crash makes redo
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,49}$")


def checkpoint(stage: str) -> None:
    """Called at each step a crash could interrupt; tests replace it to kill the process there.

    Stages: ``copy-chunk``, ``before-rename``, ``after-rename``, ``after-register``,
    ``mhl-commit``.
    """


@dataclass(frozen=True)
class IngestPlan:
    """What an ingest will do, known before any byte is copied."""

    roll_folder: Path
    files: list  # CardFile
    total_bytes: int
    day: str


def _check_name(value: str | None, option: str) -> str:
    if not value or not _NAME_RE.match(value) or value in {".", ".."}:
        raise InvalidInput(
            f"{option} {value!r} is not a usable name",
            hint=f"give {option} as letters, digits, '-', '_' or '.', e.g. {option} A001",
        )
    return value


def _first_day(files) -> str | None:
    from btslog.media.probe import probe
    from btslog.ops.clips import day_of

    for card_file in files:
        if card_file.media:
            with contextlib.suppress(BtslogError, OSError):
                day = day_of(probe(card_file.path))
                if day:
                    return day
    return None


def plan_ingest(
    project: Project, sources: Iterable[str | os.PathLike], *, camera: str, roll: str,
    day: str | None = None,
) -> IngestPlan:  # fmt: skip
    """Find the card files and the roll folder they go to (the shoot day from the first clip)."""
    from btslog.clock import now_iso
    from btslog.ingest.discover import find_card_files

    _check_name(camera, "--camera")
    _check_name(roll, "--roll")
    check_day(day)
    sources = [Path(source) for source in sources]
    for source in sources:
        if not source.exists():
            raise NotFound(f"{source}: no such card or folder", hint="check the card is mounted")
    files = find_card_files(sources)
    if not any(card_file.media for card_file in files):
        raise NotFound(
            "no media files found in " + ", ".join(str(source) for source in sources),
            hint="name the card's root folder (the one holding DCIM, PRIVATE, CONTENTS ...)",
        )
    day = day or _first_day(files) or now_iso()[:10]
    roll_folder = project.folder("media") / day / camera / roll
    total = 0
    for card_file in files:
        with contextlib.suppress(OSError):
            total += card_file.path.stat().st_size
    return IngestPlan(roll_folder, files, total, day)


@contextlib.contextmanager
def _ingest_lock(project: Project) -> Iterator[None]:
    """One ingest at a time per project (a second one is refused, not queued)."""
    folder = project.folder("media")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / ".btslog-ingest.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ProjectError(
                "another ingest is running in this project",
                hint="wait for it to finish, then run this one",
            ) from error
        yield


def _same_file_on_disk(source_stat: os.stat_result, destination: Path, recorded_size) -> bool:
    try:
        stat = destination.stat()
    except OSError:
        return False
    return recorded_size == source_stat.st_size == stat.st_size and int(stat.st_mtime) == int(
        source_stat.st_mtime
    )


def _name_taken(primary: Path, batch: list[tuple]) -> bool:
    """Whether ``primary`` or one of its ``NAME_2`` ... alternatives exists or is being copied."""
    if primary.exists():
        return True
    pattern = re.compile(re.escape(primary.stem) + r"(_\d+)?" + re.escape(primary.suffix) + "$")
    return any(pending.destination.parent == primary.parent
               and pattern.match(pending.destination.name) for _, pending in batch)  # fmt: skip


def _alternatives(destination: Path) -> Iterator[Path]:
    yield destination
    number = 2
    while True:
        yield destination.with_name(f"{destination.stem}_{number}{destination.suffix}")
        number += 1


def ingest(
    project: Project,
    plan: IngestPlan,
    *,
    camera: str,
    roll: str,
    operator: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_file: Callable[[str], None] | None = None,
) -> list[ItemResult]:
    """Copy, verify, record in ASC MHL and register every file of ``plan``."""
    from btslog.ingest import mhl
    from btslog.ingest.copy import CopyError, PendingCopy, remove_partials, seal_copy

    roll_folder = plan.roll_folder
    results: list[ItemResult] = []
    finish = functools.partial(
        _finish, project, camera=camera, roll=roll, operator=operator, day=plan.day,
        roll_folder=roll_folder,
    )  # fmt: skip
    with _ingest_lock(project):
        remove_partials(roll_folder)
        recorded = mhl.entries(roll_folder)
        generation = mhl.Generation(roll_folder)
        # Copies are written in batches, then flushed and verified together: interleaving
        # each file's flush with the next file's writes measured twice as slow.
        batch: list[tuple] = []  # (card file, pending copy)

        def record(destination: Path, size: int, xxh64: str) -> None:
            """A file this run placed counts as recorded (a later duplicate is skipped)."""
            relative = destination.relative_to(roll_folder).as_posix()
            recorded[relative] = mhl.MhlEntry(relative, size, xxh64)

        def seal_batch() -> None:
            while batch:
                card_file, pending = batch.pop(0)
                try:
                    copied = seal_copy(pending, progress=on_bytes, checkpoint=checkpoint)
                except CopyError as error:
                    results.append(ItemResult(str(card_file.path), "failed", error.reason))
                    continue
                generation.add(copied.destination, copied.size, copied.xxh64)
                record(copied.destination, copied.size, copied.xxh64)
                checkpoint("after-rename")
                results.append(finish(card_file, copied.destination, copied.xxh64, "copied"))

        try:
            for card_file in plan.files:
                if on_file is not None:
                    on_file(card_file.relative)
                if batch and _name_taken(roll_folder / card_file.relative, batch):
                    # A clash: earlier copies get their names first, so the choice of
                    # NAME_2, NAME_3 ... sees them.
                    seal_batch()
                try:
                    source_stat = card_file.path.stat()
                except OSError as error:
                    reason = (f"{card_file.path} vanished before it was copied (card removed?)"
                              if isinstance(error, FileNotFoundError)
                              else f"{card_file.path}: {error.strerror}")  # fmt: skip
                    results.append(ItemResult(str(card_file.path), "failed", reason))
                    continue
                destination, placed, outcome = _place(
                    card_file, source_stat, roll_folder, recorded, on_bytes
                )
                if isinstance(placed, PendingCopy):
                    batch.append((card_file, placed))
                    if sum(pending.size for _, pending in batch) >= SEAL_BATCH_BYTES:
                        seal_batch()
                else:
                    if outcome == "resumed":
                        generation.add(destination, source_stat.st_size, placed)
                        record(destination, source_stat.st_size, placed)
                    results.append(finish(card_file, destination, placed, outcome))
            seal_batch()
        finally:
            for _, pending in batch:  # interrupted: unverified copies must not stay
                pending.temporary.unlink(missing_ok=True)
            generation.commit(author=project.author, comment=f"btslog ingest {camera} {roll}",
                              checkpoint=checkpoint)  # fmt: skip
    return results


def _place(card_file, source_stat, roll_folder, recorded, on_bytes):
    """Copy one card file to its place under the roll folder, or find it already there.

    Returns (destination, xxh64 or a :class:`PendingCopy` to seal, outcome) where outcome
    is ``copying``, ``resumed``, ``verified before`` or ``failed:<reason>``.  A name taken by
    a different file moves the copy to ``name_2.ext`` (then ``_3`` ...); nothing is ever
    overwritten.
    """
    from btslog.ingest.copy import CopyError, write_copy
    from btslog.ingest.hashing import xxh64_file

    source = card_file.path
    source_hash = None
    for destination in _alternatives(roll_folder / card_file.relative):
        entry = recorded.get(destination.relative_to(roll_folder).as_posix())
        if not destination.exists():
            try:
                pending = write_copy(source, destination, progress=on_bytes,
                                     checkpoint=checkpoint)  # fmt: skip
            except CopyError as error:
                return destination, None, "failed:" + error.reason
            return destination, pending, "copying"
        if entry is not None and _same_file_on_disk(source_stat, destination, entry.size):
            if on_bytes is not None:
                on_bytes(source_stat.st_size)
            return destination, entry.xxh64, "verified before"
        # The name is taken by a file this roll did not record with the same size and time:
        # an interrupted run's copy, or a different file.  Compare the bytes.
        try:
            source_hash = source_hash or xxh64_file(source, on_bytes)
        except OSError as error:
            return destination, None, f"failed:{source}: {error.strerror}"
        existing = entry.xxh64 if entry else xxh64_file(destination)
        if existing == source_hash:
            if entry is not None:
                return destination, source_hash, "verified before"
            return destination, source_hash, "resumed"
    raise AssertionError("unreachable")  # pragma: no cover


def _finish(project, card_file, destination, source_hash, outcome, *, camera, roll, operator,
            day, roll_folder) -> ItemResult:  # fmt: skip
    """Register a copied clip (probe, then one transaction) and say what happened to the file."""
    from btslog.db import clips as clip_rows
    from btslog.media.probe import probe

    source = card_file.path
    if outcome.startswith("failed:"):
        return ItemResult(str(source), "failed", outcome.removeprefix("failed:"))
    status = "skipped" if outcome == "verified before" else "added"
    reason = {
        "verified before": "already copied and verified",
        "resumed": "finished the copy an interrupted run left (both sides hashed)",
    }.get(outcome, "")
    if destination.name != Path(card_file.relative).name:
        reason = f"name clash with a different file: kept both, this one as {destination.name}"
    if not card_file.media:
        return ItemResult(str(source), status, reason)
    with project.db.read() as connection:
        known = clip_rows.clip_by_path(connection, project.stored_path(destination))
    if known is not None:
        return ItemResult(str(source), status, reason, known)
    try:
        info = probe(destination)
    except BtslogError as error:
        detail = error.message.replace(str(destination), destination.name)
        return ItemResult(str(source), "failed", f"copied and verified, not registered: {detail}")
    clip = register_clip(
        project,
        info,
        xxh64=source_hash,
        source_path=str(source.resolve()),
        camera=camera,
        roll=roll,
        operator=operator,
        day=day,
        mhl_path=project.stored_path(roll_folder),
    )
    checkpoint("after-register")
    return ItemResult(str(source), status, reason, clip)


def link(
    project: Project, sources: Iterable[str | os.PathLike], *, camera: str, roll: str,
    operator: str | None = None, day: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> list[ItemResult]:  # fmt: skip
    """``ingest --link``: register the card's clips where they are (nothing copied)."""
    _check_name(camera, "--camera")
    _check_name(roll, "--roll")
    return add_clips(project, sources, camera=camera, roll=roll, operator=operator, day=day,
                     on_file=on_file)  # fmt: skip
