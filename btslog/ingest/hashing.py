"""xxh64 checksums, as offload tools and ASC MHL record them (16 lowercase hex digits)."""

from __future__ import annotations

import os
from collections.abc import Callable

CHUNK_BYTES = 1024 * 1024  # measured: larger buffers fall out of the CPU caches


def xxh64_file(path: str | os.PathLike, progress: Callable[[int], None] | None = None) -> str:
    """The xxh64 of a file's bytes; ``progress`` gets the number of bytes read each step."""
    import xxhash

    digest = xxhash.xxh64()
    with open(path, "rb", buffering=0) as stream:
        buffer = bytearray(CHUNK_BYTES)
        view = memoryview(buffer)
        while True:
            count = stream.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
            if progress is not None:
                progress(count)
    return digest.hexdigest()
