"""Verified copies: hash while copying, write to a temporary name, re-read, verify, rename.

The source is read once.  The copy goes to a hidden temporary name next to its destination,
is flushed to disk (fsync: the kernel reports the write done or failed), read back and hashed
again; only when both hashes agree is it linked to its final name, which never replaces an
existing file.  A copy interrupted at any point leaves at most a temporary file, which the next
run removes.  The read-back comes from the page cache the flush has just written out: reading
it again from the disk would halve the speed and catch only faults that the disk's own error
correction and the fsync already report.

Failures that a test cannot cause for real (a card that dies mid-read, a full disk) go through
one seam: :data:`FILESYSTEM`, whose ``open_source``/``open_temporary`` a test may replace.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from btslog.ingest.hashing import CHUNK_BYTES, xxh64_file

PARTIAL_SUFFIX = ".btslog-partial"


class CopyError(Exception):
    """A copy failed; ``reason`` says why in words for the summary table."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileSystem:
    """How copies open files.  The one seam for faults that cannot be caused for real."""

    def open_source(self, path: Path):
        return open(path, "rb", buffering=0)

    def open_temporary(self, path: Path):
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        return open(os.open(path, flags, 0o644), "wb", buffering=0)


FILESYSTEM = FileSystem()


@dataclass(frozen=True)
class CopyResult:
    destination: Path
    size: int
    xxh64: str


def partial_path(destination: Path) -> Path:
    return destination.with_name(f".{destination.name}{PARTIAL_SUFFIX}")


def remove_partials(folder: Path) -> list[Path]:
    """Delete temporary files that an interrupted copy left under ``folder``."""
    removed = []
    if folder.is_dir():
        for path in folder.rglob(f".*{PARTIAL_SUFFIX}"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _reason(error: OSError, path: Path, doing: str) -> str:
    if error.errno == errno.ENOSPC:
        return f"the destination is full while writing {path.name}; free space and run again"
    if error.errno == errno.EDQUOT:
        return f"the destination quota is exhausted while writing {path.name}"
    if isinstance(error, FileNotFoundError):
        return f"{path} vanished while {doing} (card removed?); re-insert the card and run again"
    if isinstance(error, PermissionError):
        return f"{path} cannot be read (permission denied)"
    return f"{doing} {path} failed: {error.strerror or error}"


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class PendingCopy:
    """A copy written to its temporary name and hashed, not yet flushed, verified or named."""

    source: Path
    destination: Path
    temporary: Path
    size: int
    xxh64: str


def write_copy(
    source: Path,
    destination: Path,
    *,
    progress: Callable[[int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None,
) -> PendingCopy:
    """Read ``source`` once, hashing it and writing it to ``destination``'s temporary name."""
    import xxhash

    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_path(destination)
    temporary.unlink(missing_ok=True)
    digest = xxhash.xxh64()
    size = 0
    try:
        try:
            reader = FILESYSTEM.open_source(source)
        except OSError as error:
            raise CopyError(_reason(error, source, "opening")) from error
        with reader:
            try:
                writer = FILESYSTEM.open_temporary(temporary)
            except OSError as error:
                raise CopyError(_reason(error, destination, "creating")) from error
            with writer:
                buffer = bytearray(CHUNK_BYTES)
                view = memoryview(buffer)
                while True:
                    try:
                        count = reader.readinto(buffer)
                    except OSError as error:
                        raise CopyError(_reason(error, source, "reading")) from error
                    if not count:
                        break
                    digest.update(view[:count])
                    try:
                        written = 0
                        while written < count:
                            written += writer.write(view[written:count])
                    except OSError as error:
                        raise CopyError(_reason(error, destination, "writing")) from error
                    size += count
                    if progress is not None:
                        progress(count)
                    if checkpoint is not None:
                        checkpoint("copy-chunk")
        stat = os.stat(source)
        os.utime(temporary, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return PendingCopy(source, destination, temporary, size, digest.hexdigest())


def seal_copy(
    pending: PendingCopy,
    *,
    progress: Callable[[int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None,
) -> CopyResult:
    """Flush the temporary copy to disk, read it back and compare, then give it its name."""
    temporary, destination = pending.temporary, pending.destination
    try:
        try:
            descriptor = os.open(temporary, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            copied_hash = xxh64_file(temporary, progress)
        except OSError as error:
            raise CopyError(_reason(error, destination, "writing")) from error
        if copied_hash != pending.xxh64:
            raise CopyError(
                f"the copy of {pending.source.name} does not match the source (xxh64 "
                f"{pending.xxh64} read, {copied_hash} written): the destination disk may be "
                "failing"
            )
        if checkpoint is not None:
            checkpoint("before-rename")
        try:
            # A hard link never replaces an existing file, unlike rename.
            os.link(temporary, destination)
        except FileExistsError as error:
            raise CopyError(f"{destination} appeared while copying; run again") from error
        except OSError:
            if destination.exists():
                raise
            os.rename(temporary, destination)  # file systems without hard links
        temporary.unlink(missing_ok=True)
        _fsync_folder(destination.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return CopyResult(destination, pending.size, pending.xxh64)
