"""What the benchmark scripts share: the full-size sample shoot, and timing steps in
alternating rounds (wall and CPU time; CPU counts the ffmpeg children too, steadier than wall
time on a busy machine).  Imported by the scripts, which run from this folder."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
FULL_SHOOT = OUT / "shoot_full"
# Where earlier versions of the benchmarks made their own copy: reused rather than made again.
EARLIER_FULL_SHOOTS = (OUT / "render" / "shoot_full", OUT / "faces_scan" / "shoot_full")


def full_shoot() -> Path:
    """The full-size (1080p) sample shoot, made once with `btslog samples make --size full`."""
    for folder in (FULL_SHOOT, *EARLIER_FULL_SHOOTS):
        if (folder / "shoot.json").exists():
            return folder
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"making the full-size sample shoot in {FULL_SHOOT} (a few minutes, once)", flush=True)
    subprocess.run([sys.executable, "-m", "btslog", "samples", "make", str(FULL_SHOOT),
                    "--size", "full"], check=True, cwd=REPO)  # fmt: skip
    return FULL_SHOOT


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(step) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one step."""
    start, start_cpu = time.perf_counter(), cpu_seconds()
    step()
    return time.perf_counter() - start, cpu_seconds() - start_cpu


def alternating_rounds(steps: dict[str, Callable[[], object]], rounds: int, target: Path,
                       on_round: Callable[[int, dict[str, list[float]]], None]):  # fmt: skip
    """Run every step once a round, in turn, the order reversed every other round, in an
    emptied ``target`` folder; ``on_round(number, times)`` after each.  Returns (wall times,
    CPU times): name -> one value per round."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for round_number in range(rounds):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        order = list(steps) if round_number % 2 == 0 else list(reversed(steps))
        for name in order:
            wall, used = timed(steps[name])
            times[name].append(wall)
            cpu[name].append(used)
        on_round(round_number + 1, times)
    return times, cpu
