"""Blur render speed against plain ffmpeg, measured in one run.

    .venv/bin/python benchmarks/faces_render.py [--rounds 3] [--seconds 20]

Makes (once) a 1080p 29.97 clip with camera noise and sound, then, alternating in each round
so machine noise hits all alike:

- ``ffmpeg``: the issue's plain transcode, ``ffmpeg -i clip -c:v libx264 -preset veryfast``
  (x264's default quality, crf 23; audio re-encoded as ffmpeg does by default);
- ``ffmpeg crf 18``: the same at the render's own settings (crf 18, audio copied, fast
  start), the fairer floor: the render cannot encode faster than this;
- ``render_blurred``: three synthetic face tracks moving across the whole clip (detections
  every third frame, interpolated between), hidden with the default gaussian style, with
  the manifest (source xxh64, output sha256) written.

Prints the median frames per second of each and the ratios (aim: render >= 0.5x ffmpeg),
and the CPU time each used (this process and its ffmpeg children), which a busy machine
disturbs less than the wall clock: the CPU ratio is what the wall-clock ratio tends to on an
otherwise idle machine whose cores both steps keep busy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from common import alternating_rounds

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "faces_render"
sys.path.insert(0, str(REPO))


def make_source(path: Path, seconds: int) -> None:
    """A 1080p 29.97 drop-frame clip with light camera noise and stereo sound."""
    from btslog.media.ffmpeg import run

    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    run(["-loglevel", "error", "-f", "lavfi", "-i",
         f"testsrc2=s=1920x1080:r=30000/1001:d={seconds}", "-f", "lavfi", "-i",
         f"sine=f=440:sample_rate=48000:d={seconds}", "-vf", "noise=alls=4:allf=t",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac", "-ac", "2",
         "-timecode", "14:03:20;02", str(path)], what="benchmark source")  # fmt: skip


def moving_tracks(frames: int, width: int, height: int):
    """Three faces drifting across the picture, detected every third frame."""
    from btslog.faces.model import BlurDecision, Box, FaceTrack

    pairs = []
    for index, size in enumerate((140, 220, 300)):
        detections = []
        for frame in range(0, frames, 3):
            progress = frame / max(1, frames - 1)
            x = 60 + (width - size - 120) * (progress if index != 1 else 1 - progress)
            y = 80 + index * (height - size - 160) / 2 + 40 * (index - 1) * progress
            detections.append((frame, Box(x, y, x + size, y + size * 1.2, 0.9)))
        track = FaceTrack(0, frames - 1, tuple(detections), id=index + 1)
        pairs.append((track, BlurDecision(index + 1, True, "opted_out", person=f"crew {index}")))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    options = parser.parse_args()

    from btslog.faces.render import render_blurred
    from btslog.media.ffmpeg import ffmpeg_exe
    from btslog.media.probe import probe

    source = OUT / f"source_1080p_{options.seconds}s.mp4"
    make_source(source, options.seconds)
    info = probe(source)
    pairs = moving_tracks(info.duration_frames, info.width, info.height)
    target = OUT / "renders"
    plain = [ffmpeg_exe(), "-y", "-loglevel", "error", "-nostdin", "-i", str(source),
             "-c:v", "libx264", "-preset", "veryfast", str(target / "plain.mp4")]  # fmt: skip
    plain_18 = [ffmpeg_exe(), "-y", "-loglevel", "error", "-nostdin", "-i", str(source),
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "copy", "-movflags", "+faststart", str(target / "plain18.mp4")]  # fmt: skip
    steps = {
        "ffmpeg": lambda: subprocess.run(plain, check=True),
        "ffmpeg crf 18": lambda: subprocess.run(plain_18, check=True),
        "render_blurred": lambda: render_blurred(
            source, info, pairs, target / "blurred.mp4", policy="benchmark"
        ),
    }
    times, cpu = alternating_rounds(steps, options.rounds, target, lambda number, times: print(
        f"round {number}: " + ", ".join(f"{name} {info.duration_frames / values[-1]:.1f} fps"
                                        for name, values in times.items()), flush=True))  # fmt: skip
    fps = {name: info.duration_frames / statistics.median(values) for name, values in times.items()}
    cpu_ms = {name: 1000 * statistics.median(values) / info.duration_frames
              for name, values in cpu.items()}  # fmt: skip
    print(f"\n{info.duration_frames} frames of {info.width}x{info.height}, 3 moving faces hidden; "
          f"median of {options.rounds} rounds")  # fmt: skip
    for name, value in fps.items():
        print(f"  {name:15s} {value:6.1f} fps  {cpu_ms[name]:5.1f} ms CPU per frame")
    print(f"render_blurred vs plain ffmpeg:        {fps['render_blurred'] / fps['ffmpeg']:.2f}x "
          "(aim >= 0.5x)")  # fmt: skip
    print(f"render_blurred vs ffmpeg at its settings: "
          f"{fps['render_blurred'] / fps['ffmpeg crf 18']:.2f}x")  # fmt: skip
    render_cpu = cpu_ms["render_blurred"]
    print(f"CPU per frame, ffmpeg / render_blurred: {cpu_ms['ffmpeg'] / render_cpu:.2f}x "
          f"(at its settings: {cpu_ms['ffmpeg crf 18'] / render_cpu:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
