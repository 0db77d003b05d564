"""Cut render speed against one plain ffmpeg command, measured in one run.

    .venv/bin/python benchmarks/render.py [--rounds 3] [--segments 6] [--seconds 3]

Uses the full-size (1920x1080) sample shoot (made once with ``btslog samples make
benchmarks/out/shoot_full --size full``, cached): four clips at 23.976, 29.97 DF and
variable frame rate.  A project registers them in place, scans their faces and registers
Grace as opted out (policy ``opted_out``, so only she is blurred).  Two cuts of ``--segments``
pieces of ``--seconds`` each, spread over the clips, are rendered with ``featurette-1080p``:

- ``no blur``: no segment shows Grace; every segment is read from its original file;
- ``one blurred``: the same cut with one segment swapped for one that shows Grace (so that
  segment goes through the blurred render's lossless intermediate).

Each is measured against ``plain ffmpeg``: one command doing the same trims (input ``-ss``/
``-t``), conform to 23.976, concat and encode (libx264 at the preset's x264 preset and crf,
AAC at its bit rate) -- without btslog's title card, labels, loudness passes, exact frame
mapping, manifest or consent.  Rounds alternate the order so machine noise hits all alike.
Prints the median seconds of each, the ratios (aim: btslog <= 1.5x plain), and the CPU time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from common import alternating_rounds, full_shoot

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "render"
PRESET = "featurette-1080p"
sys.path.insert(0, str(REPO))


def make_project(shoot: Path):
    """A project with the shoot's clips registered in place, scanned, Grace opted out."""
    from btslog.ops.clips import add_clips
    from btslog.ops.faces import scan
    from btslog.ops.people import add_person
    from btslog.ops.project import init_project, open_project

    root = OUT / "project"
    shutil.rmtree(root, ignore_errors=True)
    init_project(root, name="Render benchmark", rate="23.976")
    config = root / "btslog.toml"
    config.write_text(config.read_text().replace('blur = "all_but_released"',
                                                 'blur = "opted_out"'))  # fmt: skip
    project = open_project(root)
    clips = [result.clip for result in add_clips(project, [shoot / "cardA", shoot / "cardB"])]
    add_person(project, "Grace", consent="opted_out", photos=[shoot / "people" / "grace.jpg"])
    print(f"scanning {len(clips)} clips for faces ...", flush=True)
    scan(project, clips)
    return project, sorted(clips, key=lambda clip: clip.name)


def choose_cuts(project, clips, count: int, seconds: int):
    """(cut without blur, cut with one blurred segment), the same length."""
    from btslog.cut.model import Cut, CutOptions, Segment
    from btslog.ops.render import blurred_segments

    candidates = []
    for clip in clips:
        length = round(seconds * clip.rate)
        for start in range(0, clip.duration_frames - length - 1, length):
            candidates.append(Segment(clip.id, clip.name, start, start + length, "take"))
    probe_cut = Cut(0, "candidates", CutOptions(query="*"), tuple(candidates))
    blurred = blurred_segments(project, probe_cut)
    clean = [segment for index, segment in enumerate(candidates) if index not in blurred]
    faces = [segment for index, segment in enumerate(candidates) if index in blurred]
    if len(clean) < count or not faces:
        raise SystemExit(f"the shoot has {len(clean)} segments without Grace and {len(faces)} "
                         "with her; ask for fewer --segments")  # fmt: skip
    step = len(clean) / count
    chosen = [clean[int(index * step)] for index in range(count)]
    swap = next((index for index, segment in enumerate(chosen)
                 if any(face.clip_id == segment.clip_id for face in faces)), 0)  # fmt: skip
    face = next(face for face in faces if face.clip_id == chosen[swap].clip_id) if any(
        face.clip_id == chosen[swap].clip_id for face in faces) else faces[0]  # fmt: skip
    with_face = [*chosen[:swap], face, *chosen[swap + 1 :]]
    options = CutOptions(query="*")
    return (Cut(1, "benchmark", options, tuple(chosen)),
            Cut(2, "benchmark blurred", options, tuple(with_face)))  # fmt: skip


def plain_command(project, cut, output: Path) -> list[str]:
    """One ffmpeg: the same trims, conform, concat and encode, nothing else."""
    from btslog.media.ffmpeg import ffmpeg_exe
    from btslog.ops.render import get_preset
    from btslog.ops.tags import clips_by_id

    preset = get_preset(project, PRESET)
    clips = clips_by_id(project, {segment.clip_id for segment in cut.segments})
    inputs, chains, pads = [], [], []
    for index, segment in enumerate(cut.segments):
        clip = clips[segment.clip_id]
        start = Fraction(segment.in_frame) / clip.rate
        length = Fraction(segment.frames) / clip.rate
        inputs += ["-ss", f"{float(start):.6f}", "-t", f"{float(length):.6f}",
                   "-i", str(project.absolute(clip.path))]  # fmt: skip
        chains.append(f"[{index}:v:0]fps=24000/1001,scale=1920:1080,setsar=1,format=yuv420p"
                      f"[v{index}];[{index}:a:0]aresample=48000[a{index}]")  # fmt: skip
        pads.append(f"[v{index}][a{index}]")
    graph = ";".join(chains) + ";" + "".join(pads) + f"concat=n={len(pads)}:v=1:a=1[v][a]"
    return [ffmpeg_exe(), "-y", "-loglevel", "error", "-nostdin", *inputs,
            "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264",
            "-preset", preset.x264_preset, "-crf", str(preset.crf), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", str(preset.audio_bitrate), str(output)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--segments", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=3)
    options = parser.parse_args()

    from btslog.ops.render import render_cut

    shoot = full_shoot()
    project, clips = make_project(shoot)
    clean, blurred = choose_cuts(project, clips, options.segments, options.seconds)
    target = OUT / "renders"
    steps = {
        "plain ffmpeg": lambda: subprocess.run(
            plain_command(project, clean, target / "plain.mp4"), check=True
        ),
        "btslog render": lambda: render_cut(project, clean, PRESET, target / "btslog.mp4"),
        "plain ffmpeg (2)": lambda: subprocess.run(
            plain_command(project, blurred, target / "plain2.mp4"), check=True
        ),
        "btslog, 1 blurred": lambda: render_cut(project, blurred, PRESET, target / "blurred.mp4"),
    }
    times, cpu = alternating_rounds(steps, options.rounds, target, lambda number, times: print(
        f"round {number}: " + ", ".join(f"{name} {values[-1]:.1f} s"
                                        for name, values in times.items()), flush=True))  # fmt: skip
    manifest = render_cut(project, blurred, PRESET, target / "blurred.mp4")
    wall = {name: statistics.median(values) for name, values in times.items()}
    used = {name: statistics.median(values) for name, values in cpu.items()}
    seconds = manifest["output"]["seconds"]
    print(f"\n{len(clean.segments)} segments of {options.seconds} s from {len(clips)} 1080p clips "
          f"(23.976, 29.97 DF, VFR) -> {PRESET}, {seconds} s with the title; "
          f"median of {options.rounds} rounds")  # fmt: skip
    for name in steps:
        print(f"  {name:18s} {wall[name]:6.1f} s  {used[name]:6.1f} s CPU")
    print(f"btslog render vs plain ffmpeg:            {wall['btslog render'] / wall['plain ffmpeg']:.2f}x"
          f" (CPU {used['btslog render'] / used['plain ffmpeg']:.2f}x; aim <= 1.5x)")  # fmt: skip
    print(f"with one blurred segment vs plain ffmpeg: "
          f"{wall['btslog, 1 blurred'] / wall['plain ffmpeg (2)']:.2f}x "
          f"(CPU {used['btslog, 1 blurred'] / used['plain ffmpeg (2)']:.2f}x)")  # fmt: skip
    loudness = manifest["loudness"]
    print(f"loudness: {loudness['output_integrated']} LUFS, true peak "
          f"{loudness['output_true_peak']} dBTP ({loudness['normalization']}); blurred: "
          f"{manifest['consent']['people_blurred']} in segments "
          f"{manifest['consent']['segments_blurred']}")  # fmt: skip


if __name__ == "__main__":
    main()
