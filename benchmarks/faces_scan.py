"""Face anonymization on ground truth, and the speed of the whole job against plain ffmpeg.

    .venv/bin/python benchmarks/faces_scan.py [--rounds 3] [--margin M] [--padding N]
        [--unsure-margin U] [--skip-speed] [--skip-sample] [--skip-full] [--skip-real]

Margins and padding default to the shipped blur settings (``presets/blur.toml``); every box
is what a render hides (``btslog.faces.blur.boxes_for_frame``: squared, grown by the margin,
more where unsure, kept clear of released faces, held for the padding).

Three measurements, one command:

1. **Speed.**  On every clip of the full-size (1920x1080) sample shoot, alternating in each
   round: ``ffmpeg -i clip -c:v libx264 -preset veryfast -f null -`` (and the same at the
   render's crf); the face scan; the blurred render of its tracks under the default policy.
   The job is scan plus render, against the plain transcode of the same clips in the same
   round (aim: >= 0.5x); the median round is printed, with every round and every clip.
2. **Sample shoot.**  Every clip of the small (committed) and the full-size shoot (made once
   with ``btslog samples make benchmarks/out/shoot_full --size full``, cached) is
   scanned, each track matched against the people's reference photos, and blurred unless it is
   confidently a released person (the default ``all_but_released`` policy).  A frame *leaks*
   when any visible pixel of a face the policy must hide (Grace, opted out; the unknown
   extras; pixels hidden behind people in front do not count) is outside every blur box.  A
   released face is *shown* in a frame when at most 10 % of it is under a blur box.  A grid
   of margins and paddings is printed too.
3. **real_faces** (../shared/benchmarks/real_faces): per sequence, the fraction of annotated
   face-frames with any pixel left unblurred, every track blurred.  Their boxes are tracking
   boxes drawn around the whole head.

The identity calibration (each track's similarity to each photo) is printed for the sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

from common import alternating_rounds, full_shoot

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "benchmarks" / "out" / "faces_scan"
SMALL = REPO / "sample_clips"
REAL = REPO.parent / "shared" / "benchmarks" / "real_faces"
SHOWN_IF_BLURRED_AT_MOST = 0.10
# 1-based frames of real_faces sequences that show the back or a far-turned side of the head
# (the dataset README): the target's box is annotated but no frontal face is visible.
TURNED_AWAY = {"Girl": (165, 250), "KiteSurf": (27, 55)}
GRID_MARGINS = (0.15, 0.25, 0.35, 0.5)
GRID_PADDINGS = (0, 6, 10, 15, 20)


def blur_boxes(tracks, frame: int, margin: float, padding: int, unsure: float, kept=()):
    """The boxes a render hides at ``frame`` when ``tracks`` are blurred and ``kept`` not."""
    from btslog.faces.blur import boxes_for_frame
    from btslog.faces.model import BlurDecision

    decisions = [(track, BlurDecision(None, True, "benchmark")) for track in tracks]
    decisions += [(track, BlurDecision(None, False, "released", released=True))
                  for track in kept]  # fmt: skip
    return boxes_for_frame(frame, decisions, margin, padding, unsure)


def uncovered_mask(face, boxes, width: int, height: int):
    """(mask, x1, y1): the pixels of the integer ``face`` box [x1, y1, x2, y2) (clipped to
    the frame) that no box covers, each box covering exactly the pixels a render changes
    for it (``hidden_region``).  None when the face is outside the frame."""
    import numpy as np

    from btslog.faces.blur import BlurSettings, hidden_region

    x1, y1 = max(0, int(face[0])), max(0, int(face[1]))
    x2, y2 = min(width, int(face[2])), min(height, int(face[3]))
    if x2 <= x1 or y2 <= y1:
        return None
    mask = np.ones((y2 - y1, x2 - x1), dtype=bool)
    settings = BlurSettings()
    for box in boxes:
        region = hidden_region(box, width, height, settings)
        if region is None:
            continue
        left, top = max(x1, region[0]), max(y1, region[1])
        right, bottom = min(x2, region[2]), min(y2, region[3])
        if right > left and bottom > top:
            mask[top - y1 : bottom - y1, left - x1 : right - x1] = False
    return mask, x1, y1


def uncovered_fraction(face, boxes, width: int, height: int) -> float:
    """The fraction of the ``face`` box (clipped to the frame) that no box covers."""
    found = uncovered_mask(face, boxes, width, height)
    return 0.0 if found is None else float(found[0].mean())


def covered_fraction(face, boxes, width, height) -> float:
    return 1.0 - uncovered_fraction(face, boxes, width, height)


class Occlusion:
    """Exact visibility of the sample shoot's faces: which pixels of a face box the people
    drawn in front of it hide, recomputed with the generator (``btslog.samples``)."""

    def __init__(self, size: str, clip_name: str) -> None:
        from btslog.samples.render import Composer, make_timeline
        from btslog.samples.shoot import shoot_plan

        plan = shoot_plan(size)
        spec = next(spec for spec in plan.specs if spec.name == clip_name)
        self.spec = spec
        self.composer = Composer(spec, make_timeline(spec), spec.roll)

    def visible(self, picture: int, identity: str, face):
        """Boolean mask over the face box (clipped to the frame): True where it is seen."""
        import cv2
        import numpy as np

        from btslog.samples import faces as heads
        from btslog.samples import picture as drawing

        width, height = self.spec.width, self.spec.height
        x1, y1 = max(0, int(face[0])), max(0, int(face[1]))
        x2, y2 = min(width, int(face[2])), min(height, int(face[3]))
        canvas = np.zeros((height, width, 3), np.uint8)
        placements = self.composer.placements(picture)
        order = [p.identity for p in placements]
        cover = np.zeros((y2 - y1, x2 - x1), np.uint8)
        for placement in placements[order.index(identity) + 1 :]:
            for centre, axes in drawing.body_ellipses(placement.box):
                cv2.ellipse(cover, (centre[0] - x1, centre[1] - y1), axes, 0, 0, 360, 1, -1)
            head = heads.paste(canvas, placement.sprite, placement.scale, placement.offset_x,
                               placement.offset_y)  # fmt: skip
            if head is not None:
                left, top, opaque = head
                ox1, oy1 = max(x1, left), max(y1, top)
                ox2, oy2 = min(x2, left + opaque.shape[1]), min(y2, top + opaque.shape[0])
                if ox2 > ox1 and oy2 > oy1:
                    cover[oy1 - y1 : oy2 - y1, ox1 - x1 : ox2 - x1] |= opaque[
                        oy1 - top : oy2 - top, ox1 - left : ox2 - left
                    ]
        return cover == 0


# --- speed ----------------------------------------------------------------------------------


def plain_transcode(clip: Path, *quality: str) -> None:
    """``ffmpeg -i clip -c:v libx264 -preset veryfast [quality] -f null -``."""
    from btslog.media.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(clip),
                    "-c:v", "libx264", "-preset", "veryfast", *quality, "-f", "null", "-"],
                   check=True)  # fmt: skip


def shoot_people(folder: Path, shoot: dict) -> tuple[set[str], list]:
    """(the released people's ids, each person's id and reference-photo feature)."""
    from btslog.faces.identify import embed_photo

    released = {p["id"] for p in shoot["people"] if p["consent"] == "released"}
    return released, [(p["id"], embed_photo(folder / p["photo"])) for p in shoot["people"]]


def measure_speed(rounds: int, settings) -> dict:
    """The whole job on every clip of the full-size (1080p) shoot -- scan, then the blurred
    render with the default policy (everyone but the released person hidden) -- against a
    plain transcode of the same clip at x264's defaults (crf 23) and at the render's own
    quality (the same encode).  Every step of every clip runs once a round, in an order
    reversed every other round; each round's ratio compares that round's job with that
    round's plain transcodes (a busy machine slows both), and the median round is reported
    with the spread."""
    from dataclasses import replace

    from btslog.faces.blur import BlurSettings
    from btslog.faces.identify import match
    from btslog.faces.model import BlurDecision
    from btslog.faces.render import render_blurred
    from btslog.faces.scan import scan_clip
    from btslog.media.probe import probe

    folder = full_shoot()
    shoot = json.loads((folder / "shoot.json").read_text())
    released, references = shoot_people(folder, shoot)
    target = OUT / "speed"
    crf = str(BlurSettings().crf)
    clips = {Path(clip["path"]).stem: folder / clip["path"] for clip in shoot["clips"]}
    infos = {name: probe(path) for name, path in clips.items()}
    scanned: dict[str, list] = {}

    def scan(name: str) -> None:
        scanned[name] = scan_clip(clips[name], infos[name], settings=settings)

    def render(name: str) -> None:
        decisions = []
        for number, track in enumerate(scanned[name], 1):
            who = match(track.embedding, references)[0] if track.embedding else None
            keep = who in released
            decisions.append((replace(track, id=number),
                              BlurDecision(number, not keep, "benchmark", released=keep)))  # fmt: skip
        render_blurred(clips[name], infos[name], decisions, target / f"{name}.mp4",
                       policy="all_but_released")  # fmt: skip

    steps = {}
    for name, path in clips.items():
        steps[(name, "plain")] = lambda path=path: plain_transcode(path)
        steps[(name, "scan")] = lambda name=name: scan(name)
        steps[(name, "render")] = lambda name=name: render(name)
        steps[(name, "plain_same")] = lambda path=path: plain_transcode(path, "-crf", crf)
    times, cpu = alternating_rounds(steps, rounds, target, lambda number, times: None)

    def total(measure, step: str, round_number: int, names=clips) -> float:
        return sum(measure[(name, step)][round_number] for name in names)

    def ratios(measure, base: str, names=clips) -> list[float]:
        """Per round: the plain transcodes' time over the job's (scan + render)."""
        return [total(measure, base, r, names)
                / (total(measure, "scan", r, names) + total(measure, "render", r, names))
                for r in range(rounds)]  # fmt: skip

    def per_step(step: str) -> list[float]:
        return [total(times, "plain", r) / total(times, step, r) for r in range(rounds)]

    frames = sum(info.duration_frames for info in infos.values())
    job = ratios(times, "plain")
    return {"clips": list(clips), "frames": frames, "rounds": rounds,
            "plain_fps": frames / statistics.median(total(times, "plain", r)
                                                    for r in range(rounds)),
            "job_vs_plain": statistics.median(job), "job_vs_plain_rounds": job,
            "scan_vs_plain": statistics.median(per_step("scan")),
            "render_vs_plain": statistics.median(per_step("render")),
            "job_cpu_vs_plain": statistics.median(ratios(cpu, "plain")),
            "render_crf": crf,
            "job_vs_plain_same": statistics.median(ratios(times, "plain_same")),
            "job_cpu_vs_plain_same": statistics.median(ratios(cpu, "plain_same")),
            "per_clip": {name: statistics.median(ratios(times, "plain", [name]))
                         for name in clips},
            "tracks": {name: len(tracks) for name, tracks in scanned.items()}}  # fmt: skip


# --- the sample shoot -----------------------------------------------------------------------


def truth_frame_numbers(truth: dict) -> list[int]:
    """The conformed frame number of each decoded picture of a truth file."""
    if not truth.get("vfr"):
        return list(range(len(truth["faces"])))
    rate = Fraction(truth["rate"])
    time_base = Fraction(truth["time_base"])
    first = truth["frame_pts"][0]
    return [round((pts - first) * time_base * rate) for pts in truth["frame_pts"]]


def evaluate_shoot(folder: Path, settings, grid: list[tuple[float, int]], unsure: float) -> dict:
    """Scan every clip once; leaks and released-person frames at each (margin, padding)."""
    from btslog.faces.identify import match, scores
    from btslog.faces.scan import scan_clip
    from btslog.media.probe import probe

    shoot = json.loads((folder / "shoot.json").read_text())
    released, references = shoot_people(folder, shoot)
    frames, seconds = 0, 0.0
    leaks = {key: [] for key in grid}
    shown = dict.fromkeys(grid, 0)
    hide = released_frames = 0
    calibration: list[dict] = []
    per_clip = {}
    for clip in shoot["clips"]:
        truth = json.loads((folder / clip["truth"]).read_text())
        path = folder / clip["path"]
        info = probe(path)
        start = time.perf_counter()
        tracks = scan_clip(path, info, settings=settings)
        seconds += time.perf_counter() - start
        frames += info.duration_frames
        occlusion = None
        blurred, kept = [], []
        numbers = truth_frame_numbers(truth)
        for track in tracks:
            name, _ = match(track.embedding, references) if track.embedding else (None, 0.0)
            calibration.append({
                "clip": clip["name"], "frames": [track.first_frame, track.last_frame],
                "truth": _majority_identity(track, truth, numbers), "matched": name,
                "scores": scores(track.embedding, references) if track.embedding else {},
            })  # fmt: skip
            (kept if name in released else blurred).append(track)
        width, height = truth["width"], truth["height"]
        for picture, faces in enumerate(truth["faces"]):
            frame = numbers[picture]
            for face in faces:
                if face["identity"] in released:
                    released_frames += 1
                else:
                    hide += 1
            for margin, padding in grid:
                boxes = blur_boxes(blurred, frame, margin, padding, unsure, kept)
                leaked = False
                for face in faces:
                    if face["identity"] in released:
                        hidden = covered_fraction(face["box"], boxes, width, height)
                        shown[margin, padding] += hidden <= SHOWN_IF_BLURRED_AT_MOST
                        continue
                    found = uncovered_mask(face["box"], boxes, width, height)
                    if found is None or not found[0].any():
                        continue
                    if face["occluded"] > 0:  # only pixels nobody stands in front of count
                        occlusion = occlusion or Occlusion(shoot["size"], clip["name"])
                        if not (found[0] & occlusion.visible(picture, face["identity"],
                                                             face["box"])).any():  # fmt: skip
                            continue
                    leaked = True
                if leaked:
                    leaks[margin, padding].append(f"{Path(clip['name']).stem}:{frame}")
        per_clip[clip["name"]] = {"tracks": len(tracks), "kept": len(kept)}
    return {"clips": per_clip, "calibration": calibration, "face_frames_to_hide": hide,
            "released_frames": released_frames, "scan_fps": frames / seconds,
            "grid": {f"{m}/{p}": {"leaked_frames": len(leaks[m, p]), "leaks": leaks[m, p][:12],
                                  "released_shown": shown[m, p]} for m, p in grid}}  # fmt: skip


def _majority_identity(track, truth, numbers) -> str | None:
    """The true identity most of the track's detections overlap (IoU > 0.3)."""
    by_frame = dict(zip(numbers, truth["faces"], strict=False))
    votes: dict[str, int] = {}
    for frame, box in track.detections:
        for face in by_frame.get(frame, []):
            x1, y1, x2, y2 = face["box"]
            from btslog.faces.model import Box

            if Box(x1, y1, x2, y2).iou(box) > 0.3:
                votes[face["identity"]] = votes.get(face["identity"], 0) + 1
    if not votes:
        return None
    return max(votes, key=votes.get)


# --- real_faces -----------------------------------------------------------------------------


def evaluate_real(settings, margins: tuple[float, ...], padding: int, unsure: float) -> dict:
    """Per sequence and margin: annotated frames with any pixel of the box unblurred
    (``leaked``), of those in frames showing no frontal face (``turned``), and frames with
    less than 90 % of the box blurred (``under90``)."""
    from btslog.faces.scan import scan_clip
    from btslog.media.probe import probe

    result = {}
    for folder in sorted(p for p in REAL.iterdir() if p.is_dir()):
        gt = json.loads((folder / "gt.json").read_text())
        path = folder / "frames.mp4"
        info = probe(path)
        start = time.perf_counter()
        tracks = scan_clip(path, info, settings=settings)
        seconds = time.perf_counter() - start
        annotated = [index for index, box in enumerate(gt["frames"]) if box is not None]
        row = {"frames": len(annotated), "tracks": len(tracks),
               "fps": info.duration_frames / seconds}  # fmt: skip
        turned = TURNED_AWAY.get(folder.name, (0, -1))
        for margin in margins:
            leaked, under90 = [], []
            for index in annotated:
                boxes = blur_boxes(tracks, index, margin, padding, unsure)
                uncovered = uncovered_fraction(gt["frames"][index], boxes, gt["width"],
                                               gt["height"])  # fmt: skip
                if uncovered > 0:
                    leaked.append(index + 1)  # 1-based, as the dataset README counts
                if uncovered > 0.10:
                    under90.append(index + 1)
            row[margin] = {
                "leaked": len(leaked), "under90": len(under90),
                "turned": sum(turned[0] <= n <= turned[1] for n in leaked),
                "leaks": _ranges(leaked),
            }  # fmt: skip
        result[folder.name] = row
    return result


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return " ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def main() -> None:
    from btslog.faces.blur import BlurSettings
    from btslog.faces.scan import ScanSettings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--margin", type=float, default=BlurSettings.margin)
    parser.add_argument("--real-margin", type=float, default=0.5)
    parser.add_argument("--padding", type=int, default=BlurSettings.padding)
    parser.add_argument("--unsure-margin", type=float, default=BlurSettings.unsure_margin)
    parser.add_argument("--stride", type=int, default=ScanSettings.detect_stride)
    parser.add_argument("--long-side", type=int, default=ScanSettings.long_side)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    settings = ScanSettings(detect_stride=args.stride, long_side=args.long_side)
    report: dict = {
        "settings": settings.key(),
        "margin": args.margin,
        "padding": args.padding,
        "unsure_margin": args.unsure_margin,
    }
    if not args.skip_speed:
        speed = measure_speed(args.rounds, settings)
        report["speed"] = speed
        print(f"speed, whole job (scan, then blurred render) on the {len(speed['clips'])} clips of "
              f"the full-size shoot ({speed['frames']} frames at 1920x1080; plain ffmpeg decode + "
              f"libx264 veryfast {speed['plain_fps']:.1f} fps): {speed['job_vs_plain']:.2f}x plain "
              f"(rounds {', '.join(f'{r:.2f}' for r in speed['job_vs_plain_rounds'])}; CPU time "
              f"{speed['job_cpu_vs_plain']:.2f}x; aim >= 0.5x); scan {speed['scan_vs_plain']:.2f}x, "
              f"render {speed['render_vs_plain']:.2f}x; against the same encode (crf "
              f"{speed['render_crf']}): {speed['job_vs_plain_same']:.2f}x (CPU time "
              f"{speed['job_cpu_vs_plain_same']:.2f}x); per clip "
              + ", ".join(f"{name} {ratio:.2f}x ({speed['tracks'][name]} tracks)"
                          for name, ratio in speed["per_clip"].items()), flush=True)  # fmt: skip
    if not args.skip_sample:
        grid = sorted({(args.margin, args.padding)} | {(m, p) for m in GRID_MARGINS
                                                         for p in GRID_PADDINGS})  # fmt: skip
        shoots = [("small", SMALL)]
        if not args.skip_full:
            shoots.append(("full", full_shoot()))
        for label, folder in shoots:
            result = evaluate_shoot(folder, settings, grid, args.unsure_margin)
            report[f"sample_{label}"] = result
            chosen = result["grid"][f"{args.margin}/{args.padding}"]
            print(f"sample shoot ({label}): {chosen['leaked_frames']} leaked frames "
                  f"({result['face_frames_to_hide']} face-frames to hide) at margin "
                  f"{args.margin}, padding {args.padding}; released people shown in "
                  f"{chosen['released_shown']}/{result['released_frames']} = "
                  f"{chosen['released_shown'] / max(1, result['released_frames']):.1%} of "
                  f"their frames; scan {result['scan_fps']:.0f} fps; tracks per clip "
                  f"{[row['tracks'] for row in result['clips'].values()]}", flush=True)  # fmt: skip
            if chosen["leaks"]:
                print(f"  leaks: {' '.join(chosen['leaks'])}")
            print("  leaked frames by margin (rows) and padding (columns "
                  f"{', '.join(str(p) for p in GRID_PADDINGS)}):")  # fmt: skip
            for margin in GRID_MARGINS:
                cells = [str(result["grid"][f"{margin}/{p}"]["leaked_frames"])
                         for p in GRID_PADDINGS]  # fmt: skip
                print(f"    {margin:.2f}: {' '.join(f'{c:>4}' for c in cells)}")
            print("  identity calibration (track frames: true identity -> matched; similarity "
                  "to each reference photo):")  # fmt: skip
            for row in result["calibration"]:
                similarities = " ".join(f"{k} {v:.3f}" for k, v in row["scores"].items())
                print(f"    {Path(row['clip']).stem} {row['frames']}: {row['truth']} -> "
                      f"{row['matched']} ({similarities})")  # fmt: skip
    if not args.skip_real:
        if not REAL.exists():
            print(f"real_faces: {REAL} is absent, skipped")
        else:
            margins = tuple(sorted({args.margin, args.real_margin}))
            result = evaluate_real(settings, margins, args.padding, args.unsure_margin)
            report["real_faces"] = result
            annotated = sum(row["frames"] for row in result.values())
            for margin in margins:
                total = {key: sum(row[margin][key] for row in result.values())
                         for key in ("leaked", "under90", "turned")}  # fmt: skip
                print(f"real_faces at margin {margin}, padding {args.padding}: "
                      f"{total['leaked']}/{annotated} = {total['leaked'] / annotated:.2%} "
                      f"annotated face-frames with some of the box unblurred "
                      f"({total['turned']} of them showing the back or side of the head); "
                      f"{total['under90']} = {total['under90'] / annotated:.2%} with less than "
                      f"90 % of the box blurred")  # fmt: skip
                for name, row in result.items():
                    cell = row[margin]
                    print(f"  {name}: {cell['leaked']}/{row['frames']} leaked "
                          f"({cell['turned']} turned away), {cell['under90']} under 90 %; "
                          f"{row['tracks']} tracks, {row['fps']:.0f} fps; frames "
                          f"{cell['leaks'] or '-'}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
