"""Automatic suggestions: accuracy against the sample shoot's ground truth, and speed.

    .venv/bin/python benchmarks/analyze.py [--rounds 3] [--full]

On every clip of the committed sample shoot (``sample_clips/``, truth in ``truth/*.json`` and
``shoot.json``) -- and with ``--full`` also on the 1920x1080 version of the same shoot (made
once with ``btslog samples make ... --size full`` in ``benchmarks/out/shoot_full``, shared by
the benchmarks) -- it runs the analyzers and prints:

* **speech**: precision and recall of the speech ranges, a found range matching a true one
  when both its start and its end are within 0.5 s (one-to-one), and the median start/end
  error of the matches;
* **claps**: how many true claps were found on their frame and within one frame, false
  claps, and the largest onset error in samples;
* **sync**: for each pair of overlapping clips of cameras A and B, the error of camera B's
  clock offset in frames of B's rate (truth: ``cameras[].clock_offset``), and the confidence;
  for a pair that never overlapped, whether it is (rightly) reported as not found;
* **shots**: shot changes found against the one the shoot has (the whip pan of
  IMG_0002.MOV at 5.75-6.0 s); the flash frames and slow reframes must not count;
* **takes**: suggested takes against the slated takes (start within 1 s, end within 1 s);
* **speed**: the analysis (speech + claps + shots per clip, decoding included, sync per pair)
  as a multiple of the footage's real time, median of ``--rounds`` rounds, transcription not
  included.

Aims (issue 8): speech P/R >= 0.9, claps >= 95 % within one frame, sync within one frame,
analysis >= 20x real time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

from common import full_shoot

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "benchmarks" / "out" / "analyze"
SMALL = REPO / "sample_clips"
SAMPLE_RATE = 48_000
TOLERANCE_SECONDS = Fraction(1, 2)
WHIP_PAN_SECONDS = (5.75, 6.0)  # IMG_0002.MOV, btslog.samples.shoot


def load_shoot(root: Path) -> tuple[dict, dict]:
    """(shoot.json, {clip stem: {"path", "clip", "truth", "info"}})."""
    from btslog.media.probe import probe

    shoot = json.loads((root / "shoot.json").read_text())
    clips = {}
    for clip in shoot["clips"]:
        path = root / clip["path"]
        clips[Path(clip["name"]).stem] = {
            "path": path,
            "clip": clip,
            "truth": json.loads((root / clip["truth"]).read_text()),
            "info": probe(path),
        }
    return shoot, clips


def match_ranges(found, expected, tolerance: int):
    """One-to-one matches ``[(found, expected)]`` with both ends within ``tolerance``."""
    unmatched = list(expected)
    pairs = []
    for start, end in found:
        candidates = [pair for pair in unmatched
                      if abs(pair[0] - start) <= tolerance and abs(pair[1] - end) <= tolerance]  # fmt: skip
        if candidates:
            best = min(candidates, key=lambda pair: abs(pair[0] - start) + abs(pair[1] - end))
            unmatched.remove(best)
            pairs.append(((start, end), best))
    return pairs


def analyze_clip(entry: dict) -> dict:
    """Every per-clip analyzer on one clip, from a cold decode; the seconds each took."""
    from btslog.analyze import audio, claps, shots, speech

    audio.clear_cache()
    seconds = {}
    results = {}
    for name, module in (("speech", speech), ("claps", claps), ("shots", shots)):
        start = time.perf_counter()
        results[name] = module.analyze(entry["path"], entry["info"])
        seconds[name] = time.perf_counter() - start
    return {"results": results, "seconds": seconds}


def overlapping_pairs(clips: dict) -> tuple[list, list]:
    """(camera A/B clip pairs whose true times overlap, pairs that never overlap)."""
    overlapping, apart = [], []
    for a_stem, a in clips.items():
        if a["clip"]["camera"] != "A":
            continue
        for b_stem, b in clips.items():
            if b["clip"]["camera"] != "B":
                continue
            a_start = Fraction(a["clip"]["world_start"]["exact"])
            a_end = Fraction(a["clip"]["world_end"]["exact"])
            b_start = Fraction(b["clip"]["world_start"]["exact"])
            b_end = Fraction(b["clip"]["world_end"]["exact"])
            overlap = min(a_end, b_end) - max(a_start, b_start)
            (overlapping if overlap > 2 else apart).append((a_stem, b_stem))
    return overlapping, apart


def plain_decode_seconds(clips: dict) -> float:
    """The floor of the shots analyzer: plain ffmpeg decoding every clip's picture."""
    from btslog.media.ffmpeg import run

    start = time.perf_counter()
    for entry in clips.values():
        run(["-loglevel", "error", "-i", str(entry["path"]), "-map", "0:v:0", "-f", "null", "-"],
            what=f"decode {entry['path'].name}")  # fmt: skip
    return time.perf_counter() - start


def evaluate(root: Path, rounds: int) -> dict:
    from btslog.analyze import audio, suggest, sync

    shoot, clips = load_shoot(root)
    true_offset = -Fraction(next(cam for cam in shoot["cameras"]
                                 if cam["id"] == "B")["clock_offset"]["exact"])  # fmt: skip
    tolerance = round(TOLERANCE_SECONDS * SAMPLE_RATE)
    timings: list[dict] = []
    analyses: dict = {}
    for _ in range(rounds):
        round_seconds = {"speech": 0.0, "claps": 0.0, "shots": 0.0, "sync": 0.0}
        for stem, entry in clips.items():
            done = analyze_clip(entry)
            analyses[stem] = done["results"]
            for name, seconds in done["seconds"].items():
                round_seconds[name] += seconds
        timings.append(round_seconds)
    overlapping, apart = overlapping_pairs(clips)
    sync_rows = []
    for round_index in range(rounds):
        for a_stem, b_stem in overlapping + apart[:1]:
            a, b = clips[a_stem], clips[b_stem]
            audio.clear_cache()
            start = time.perf_counter()
            result = sync.analyze_pair(a["path"], a["info"], b["path"], b["info"]).data
            seconds = time.perf_counter() - start
            if (a_stem, b_stem) in overlapping:
                timings[round_index]["sync"] += seconds
            if round_index == 0:
                rate_b = b["info"].rate
                error = (Fraction(result["offset_seconds"]) - true_offset) * rate_b
                sync_rows.append({"pair": f"{a_stem} / {b_stem}", "overlap": (a_stem, b_stem) in
                                  overlapping, "found": result["found"], "error_frames":
                                  float(error), "confidence": result["confidence"],
                                  "offset": result["offset_seconds"]})  # fmt: skip

    speech_hits = speech_found = speech_expected = 0
    start_errors, end_errors = [], []
    clap_expected = clap_exact = clap_within_one = clap_false = 0
    clap_sample_errors = []
    whip_found = false_cuts = 0
    take_rows = []
    footage_seconds = 0.0
    for stem, entry in clips.items():
        truth, info = entry["truth"], entry["info"]
        footage_seconds += info.duration_frames / float(info.rate)
        result = analyses[stem]
        found = [tuple(pair) for pair in result["speech"].data["speech"]]
        expected = [(item["start_sample"], item["end_sample"]) for item in truth["speech"]]
        pairs = match_ranges(found, expected, tolerance)
        speech_hits += len(pairs)
        speech_found += len(found)
        speech_expected += len(expected)
        start_errors += [abs(got[0] - want[0]) / SAMPLE_RATE for got, want in pairs]
        end_errors += [abs(got[1] - want[1]) / SAMPLE_RATE for got, want in pairs]
        found_claps = list(result["claps"].data["claps"])
        for clap in truth["claps"]:
            clap_expected += 1
            near = [item for item in found_claps if abs(item["frame"] - clap["frame"]) <= 1]
            if near:
                best = min(near, key=lambda item: abs(item["sample"] - clap["sample"]))
                found_claps.remove(best)
                clap_within_one += 1
                clap_exact += best["frame"] == clap["frame"]
                clap_sample_errors.append(best["sample"] - clap["sample"])
        clap_false += len(found_claps)
        for frame in result["shots"].data["cuts"]:
            seconds = frame / float(info.rate)
            if (
                stem == "IMG_0002"
                and WHIP_PAN_SECONDS[0] - 0.1 <= seconds <= WHIP_PAN_SECONDS[1] + 0.1
            ):
                whip_found += 1
            else:
                false_cuts += 1
        suggested = suggest.take_suggestions(
            result["claps"], result["speech"], info.duration_frames, info.rate
        )
        rate = float(info.rate)
        for take in truth["takes"]:
            if take["clap_frame"] is None:
                continue
            match = next((item for item in suggested
                          if item.extra.get("clap_frame") is not None
                          and abs(item.extra["clap_frame"] - take["clap_frame"]) <= 1), None)  # fmt: skip
            take_rows.append({
                "found": match is not None,
                "start_error": None if match is None else (match.in_frame - take["in_frame"]) / rate,
                "end_error": None if match is None else (match.out_frame - take["out_frame"]) / rate,
            })  # fmt: skip
    medians = {name: statistics.median(t[name] for t in timings) for name in timings[0]}
    total_seconds = sum(medians.values())
    floor = statistics.median(plain_decode_seconds(clips) for _ in range(rounds))
    return {
        "clips": len(clips),
        "footage_seconds": footage_seconds,
        "speech_precision": speech_hits / speech_found if speech_found else 0.0,
        "speech_recall": speech_hits / speech_expected if speech_expected else 0.0,
        "speech_ranges": (speech_hits, speech_found, speech_expected),
        "speech_start_error": statistics.median(start_errors) if start_errors else None,
        "speech_end_error": statistics.median(end_errors) if end_errors else None,
        "claps": (clap_exact, clap_within_one, clap_expected, clap_false),
        "clap_sample_errors": clap_sample_errors,
        "sync": sync_rows,
        "shots": (whip_found, false_cuts),
        "takes": take_rows,
        "seconds": medians,
        "realtime": footage_seconds / total_seconds if total_seconds else float("inf"),
        "decode_floor": floor,
    }


def report(name: str, result: dict) -> list[str]:
    """Print the table of one shoot; return the aims it misses."""
    missed = []
    print(f"\n== {name}: {result['clips']} clips, {result['footage_seconds']:.1f} s of footage ==")
    hits, found, expected = result["speech_ranges"]
    precision, recall = result["speech_precision"], result["speech_recall"]
    print(f"  {'measure':34s} {'value':>28s}   aim")
    print(f"  {'speech precision (0.5 s)':34s} {precision:>22.3f} {hits:>2d}/{found:<3d}   >= 0.9")
    print(f"  {'speech recall (0.5 s)':34s} {recall:>22.3f} {hits:>2d}/{expected:<3d}   >= 0.9")
    print(f"  {'speech start / end error, median':34s} "
          f"{result['speech_start_error']:>13.3f} s / {result['speech_end_error']:.3f} s")  # fmt: skip
    exact, within, total, false = result["claps"]
    share = within / total if total else 0.0
    errors = result["clap_sample_errors"]
    print(f"  {'claps within one frame':34s} {share:>22.0%} {within:>2d}/{total:<3d}   >= 95 %")
    print(f"  {'claps on their frame; false claps':34s} {f'{exact}/{total}; {false}':>28s}")
    if errors:
        print(f"  {'clap onset error (samples)':34s} {f'{min(errors)} .. {max(errors)}':>28s}")
    worst_sync = 0.0
    for row in result["sync"]:
        if row["overlap"]:
            worst_sync = max(worst_sync, abs(row["error_frames"]))
            value = f"{row['error_frames']:+.3f} fr (conf {row['confidence']:.2f})"
            print(f"  {'sync ' + row['pair']:34s} {value:>28s}   within 1 frame")
            if not row["found"] or abs(row["error_frames"]) > 1:
                missed.append(f"sync {row['pair']}")
        else:
            value = "not found (right)" if not row["found"] else f"found {row['offset']} (wrong)"
            print(f"  {'sync ' + row['pair'] + ' (apart)':34s} {value:>28s}")
    whip, false_cuts = result["shots"]
    print(f"  {'shot changes: whip pan; false':34s} {f'{whip}/1; {false_cuts}':>28s}")
    takes = result["takes"]
    found_takes = [row for row in takes if row["found"]]
    starts = sum(abs(row["start_error"]) <= 1 for row in found_takes)
    ends = sum(abs(row["end_error"]) <= 1 for row in found_takes)
    print(f"  {'slated takes suggested':34s} {f'{len(found_takes)}/{len(takes)}':>28s}")
    print(f"  {'take start / end within 1 s':34s} "
          f"{f'{starts}/{len(takes)} / {ends}/{len(takes)}':>28s}")  # fmt: skip
    seconds = result["seconds"]
    total_seconds = sum(seconds.values())
    print(f"  {'analysis seconds':34s} {total_seconds:>28.2f}")
    for key, value in seconds.items():
        print(f"    {key:32s} {value:>28.2f}")
    print(f"  {'speed (x real time)':34s} {result['realtime']:>27.1f}x   >= 20x")
    floor = result["decode_floor"]
    footage = result["footage_seconds"]
    print(f"  {'floor: plain ffmpeg picture decode':34s} {floor:>22.2f} s {footage / floor:>4.0f}x")
    print(f"  {'shots analyzer vs that floor':34s} {seconds['shots'] / floor:>27.2f}x")
    if precision < 0.9 or recall < 0.9:
        missed.append("speech P/R")
    if share < 0.95:
        missed.append("claps")
    if result["realtime"] < 20:
        missed.append("speed")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also the 1920x1080 shoot")
    options = parser.parse_args()
    shoots = [("sample shoot (640x360, committed)", SMALL)]
    if options.full:
        shoots.append(("sample shoot (1920x1080)", full_shoot()))
    missed = []
    for name, root in shoots:
        result = evaluate(root, options.rounds)
        missed += [f"{name}: {item}" for item in report(name, result)]
    print("\naims missed: " + (", ".join(missed) if missed else "none"))


if __name__ == "__main__":
    main()
