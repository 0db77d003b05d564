"""Ingest speed against the physical floor, measured in one run.

    .venv/bin/python benchmarks/ingest.py [--gb 3] [--rounds 3]

Makes a camera card of a few GB of generated files (incompressible, in a card layout), then,
alternating in each round so machine noise hits all alike:

- ``cp``: plain ``cp -r`` of the card (no hashing, no verification, no flush to disk);
- ``cp + hash``: ``cp -r``, then hashing the source and the copy separately (xxh64), the
  workflow a careful assistant would otherwise follow;
- ``cp + sync + hash``: the same with the copy flushed to disk before it is hashed, which is
  what btslog guarantees before it names a file (``cp`` alone leaves the copy in memory);
- ``btslog ingest``: ``btslog ingest --no-proxies`` into a fresh project (hash while copying,
  flush, read back from disk, verify, name, ASC MHL, probe and register).

Every step starts after ``sync`` so one step's writeback does not slow the next.  Prints the
median time of each and the ratios of throughput (above 1 means btslog is faster).  A proxy
benchmark follows: ``btslog proxies`` against the plain ffmpeg command with the same settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "ingest"
CHUNK = 16 * 1024 * 1024


def make_card(card: Path, total_bytes: int) -> None:
    """A card of 500 MB files of incompressible bytes (card data: btslog copies and verifies
    them like clips, without probing) and one real clip from the sample shoot."""
    folder = card / "PRIVATE" / "M4ROOT" / "CLIP"
    folder.mkdir(parents=True, exist_ok=True)
    clip_bytes = 500 * 1000 * 1000
    count = max(1, total_bytes // clip_bytes)
    block = os.urandom(CHUNK)
    for index in range(count):
        path = folder / f"A001C{index + 1:03d}.DAT"
        if path.exists() and path.stat().st_size == clip_bytes:
            continue
        with open(path, "wb") as stream:
            written = 0
            while written < clip_bytes:
                # Vary each block so no file system could deduplicate or compress it.
                piece = bytes([index & 255, (written >> 24) & 255]) + block[2:]
                piece = piece[: clip_bytes - written]
                stream.write(piece)
                written += len(piece)
        (folder / f"A001C{index + 1:03d}M01.XML").write_text("<NonRealTimeMeta/>\n")
    sample = REPO / "sample_clips/cardA/PRIVATE/M4ROOT/CLIP/A001C001.MP4"
    shutil.copy2(sample, folder / "A001C999.MP4")


def hash_tree(root: Path) -> None:
    sys.path.insert(0, str(REPO))
    from btslog.ingest.hashing import xxh64_file

    for path in sorted(root.rglob("*")):
        if path.is_file():
            xxh64_file(path)


def copy_tree(card: Path, target: Path) -> None:
    subprocess.run(["cp", "-r", str(card), str(target)], check=True)


def copy_and_hash(card: Path, target: Path, *, sync: bool) -> None:
    copy_tree(card, target)
    if sync:
        subprocess.run(["sync"], check=True)
    hash_tree(card)
    hash_tree(target)


def timed(step) -> float:
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=3.0, help="size of the card (GB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--proxy-seconds", type=int, default=20, help="length of the 1080p clip")
    options = parser.parse_args()
    card = OUT / "card"
    total = int(options.gb * 1e9)
    print(f"making a {options.gb:g} GB card in {card.relative_to(REPO)} ...", flush=True)
    make_card(card, total)
    card_bytes = sum(p.stat().st_size for p in card.rglob("*") if p.is_file())
    btslog = [sys.executable, "-m", "btslog"]
    times: dict[str, list[float]] = {"cp": [], "cp + hash": [], "cp + sync + hash": [],
                                     "btslog ingest": []}  # fmt: skip

    def clean(path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    for round_number in range(options.rounds):
        target = OUT / "target"
        clean(target)
        target.mkdir(parents=True)
        project = target / "project"
        subprocess.run([*btslog, "init", str(project), "--name", "bench"], check=True,
                       capture_output=True)  # fmt: skip
        steps = {
            "cp": lambda target=target: copy_tree(card, target / "cp"),
            "cp + hash": lambda target=target: copy_and_hash(card, target / "cph", sync=False),
            "cp + sync + hash": lambda target=target: copy_and_hash(
                card, target / "cpsh", sync=True
            ),
            "btslog ingest": lambda project=project: subprocess.run(
                [
                    *btslog,
                    "--project",
                    str(project),
                    "ingest",
                    str(card),
                    "--camera",
                    "A",
                    "--roll",
                    "A001",
                    "--day",
                    "2026-11-20",
                    "--no-proxies",
                ],
                check=True,
                capture_output=True,
            ),
        }
        for name, step in steps.items():
            times[name].append(timed(step))
        print(f"round {round_number + 1}: " + ", ".join(
            f"{name} {values[-1]:.2f} s" for name, values in times.items()), flush=True)  # fmt: skip
        clean(target)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\ncard: {card_bytes / 1e9:.2f} GB; median of {options.rounds} rounds")
    for name, seconds in median.items():
        print(f"  {name:14s} {seconds:6.2f} s  {card_bytes / seconds / 1e6:7.0f} MB/s")
    ingest_time = median["btslog ingest"]
    print(f"\ningest vs cp + hash: {median['cp + hash'] / ingest_time:.2f}x (aim >= 1.2x)")
    print(f"ingest vs plain cp:  {median['cp'] / ingest_time:.2f}x (aim >= 0.7x)")
    durable = median["cp + sync + hash"] / ingest_time
    print(f"ingest vs cp + sync + hash (the copy on disk before it is checked): {durable:.2f}x")
    proxies(options.rounds, options.proxy_seconds)


def make_source(path: Path, seconds: int) -> None:
    """A 1080p 23.976 clip with camera noise (hard to encode, like real footage) and sound."""
    sys.path.insert(0, str(REPO))
    from btslog.media.ffmpeg import run

    if path.exists():
        return
    run(["-loglevel", "error", "-f", "lavfi", "-i",
         f"testsrc2=s=1920x1080:r=24000/1001:d={seconds}", "-f", "lavfi", "-i",
         f"sine=f=440:sample_rate=48000:d={seconds}", "-vf", "noise=alls=12:allf=t",
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-c:a", "aac", "-ac", "2",
         "-timecode", "14:03:12:00", str(path)], what="benchmark source")  # fmt: skip


def proxies(rounds: int, seconds: int) -> None:
    """``make_pictures`` (proxy + poster + sheet, one decode) against plain ffmpeg."""
    sys.path.insert(0, str(REPO))
    from btslog.media.ffmpeg import ffmpeg_exe
    from btslog.media.probe import probe
    from btslog.media.proxy import ProxySettings, make_pictures

    source = OUT / "source_1080p.mp4"
    make_source(source, seconds)
    info = probe(source)
    settings = ProxySettings()
    target = OUT / "proxies"
    times: dict[str, list[float]] = {"ffmpeg": [], "btslog proxy": []}
    plain = [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(source),
             "-vf", f"scale=-2:{settings.short_side}:flags={settings.scale_flags}",
             "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf),
             "-pix_fmt", "yuv420p", "-g", "24", "-c:a", "aac", "-b:a", "128k",
             "-movflags", "+faststart", str(target / "plain.mp4")]  # fmt: skip
    for _ in range(rounds):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        times["ffmpeg"].append(timed(lambda: subprocess.run(plain, check=True)))
        times["btslog proxy"].append(timed(lambda: make_pictures(
            source, info, proxy=target / "p.mp4", poster=target / "p.png",
            sheet=target / "s.png", label="A / A001 / source_1080p.mp4")))  # fmt: skip
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nproxy of {seconds} s of 1080p: median of {rounds} rounds")
    for name, value in median.items():
        print(f"  {name:14s} {value:6.2f} s  {seconds / value:5.1f}x real time")
    ratio = median["ffmpeg"] / median["btslog proxy"]
    print(f"proxy (with burn-in, poster and sheet) vs plain ffmpeg: {ratio:.2f}x (aim >= 0.9x)")


if __name__ == "__main__":
    main()
