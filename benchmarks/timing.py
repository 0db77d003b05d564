"""Wall and CPU time of one benchmark step (CPU counts the ffmpeg children too: steadier than
wall time on a busy machine).  Imported by the benchmark scripts, which run from this folder."""

from __future__ import annotations

import resource
import time


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(step) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one step."""
    start, start_cpu = time.perf_counter(), cpu_seconds()
    step()
    return time.perf_counter() - start, cpu_seconds() - start_cpu
