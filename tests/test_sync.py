"""Multi-camera sync: offsets found from the sound of the sample shoot, solved onto a reference
camera, and applied wherever btslog shows or reads a time of day (never in NLE files)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from conftest import REPO, run_cli

from btslog.errors import InvalidInput, NotFound
from btslog.model import Clip
from btslog.ops import sync as sync_ops
from btslog.ops.analyze import analyze
from btslog.ops.clips import add_clips, clip_row, list_clips
from btslog.ops.sync import ClipOffset, PairEstimate, overlapping_pairs, solve, synced_start_frame
from btslog.ops.tags import TagSpec, add_tag, clip_at, find_tags, tag_rows_for
from btslog.timecode import parse_timecode

SHOOT = REPO / "sample_clips"
B_OFFSET = Fraction(-77, 30)  # camera B's clock runs 77/30 s ahead of camera A (shoot.json)
NTSC = Fraction(30000, 1001)
FILM = Fraction(24000, 1001)


def clip(clip_id, camera, start_tc, frames=480, rate=FILM, drop_frame=False, day="2026-11-20",
         offset=0) -> Clip:  # fmt: skip
    return Clip(
        id=clip_id, name=f"{camera}{clip_id:03d}", path=f"{camera}{clip_id}.mov",
        source_path=None, camera=camera, roll=None, operator=None, day=day, container="mov",
        codec="h264", width=64, height=36, rate=rate, vfr=False, duration_frames=frames,
        start_frame=parse_timecode(start_tc, rate, drop_frame), drop_frame=drop_frame,
        timecode_source="tmcd", reel=None, creation_time=None, audio=(), size_bytes=1,
        xxh64=f"{clip_id:016x}", sync_offset_frames=offset,
    )  # fmt: skip


# --- pure: pairs, solving, the synced start ---------------------------------------------------


def test_pairs_are_overlapping_clips_of_different_cameras_on_one_day():
    a1 = clip(1, "A", "14:00:00:00", frames=240)  # 14:00:00 - 14:00:10
    a2 = clip(2, "A", "14:00:05:00", frames=240)  # same camera: never paired
    b1 = clip(3, "B", "14:00:09;00", rate=NTSC, drop_frame=True, frames=300)
    b2 = clip(4, "B", "14:00:30;00", rate=NTSC, drop_frame=True, frames=300)  # 20 s later
    b3 = clip(5, "B", "14:00:01;00", rate=NTSC, drop_frame=True, day="2026-11-21")  # other day
    pairs = overlapping_pairs([b2, a2, b1, a1, b3])
    assert [(a.id, b.id) for a, b in pairs] == [(1, 3), (2, 3)]
    # clocks may disagree: within the margin, b2 pairs too; `wanted` keeps pairs of those clips
    wide = overlapping_pairs([a1, a2, b1, b2], margin_seconds=21)
    assert [(a.id, b.id) for a, b in wide] == [(1, 3), (1, 4), (2, 3), (2, 4)]
    assert [(a.id, b.id) for a, b in overlapping_pairs([a1, a2, b1, b2], 21, wanted={4})] == [
        (1, 4), (2, 4)]  # fmt: skip


def test_solve_places_clips_on_the_reference_clock():
    a1, a2 = clip(1, "A", "14:00:00:00"), clip(2, "A", "14:01:00:00")
    b1 = clip(3, "B", "14:00:02;17", rate=NTSC, drop_frame=True)
    b2 = clip(4, "B", "14:01:02;17", rate=NTSC, drop_frame=True)
    b3 = clip(5, "B", "14:09:00;02", rate=NTSC, drop_frame=True)  # no estimate: camera median
    c1 = clip(6, "C", "14:00:05:00", rate=Fraction(25))  # placed through b1 (no pair with A)
    d1 = clip(7, "D", "14:00:00:00")  # a camera nothing places: left out
    estimates = [
        PairEstimate(1, 3, B_OFFSET, 0.9),
        PairEstimate(2, 4, B_OFFSET + Fraction(1, 30), 0.6),  # a little drift
        PairEstimate(1, 4, Fraction(7), 0.1),  # below the confidence floor: ignored
        PairEstimate(3, 6, Fraction(-1, 2), 0.7),  # C against B: add to C to land on B
    ]
    offsets = solve([a1, a2, b1, b2, b3, c1, d1], estimates, "A", min_confidence=0.2)
    assert offsets[1] == ClipOffset(1, Fraction(0), 0, None, "reference")
    assert offsets[3] == ClipOffset(3, B_OFFSET, -77, 0.9, "audio", 1)
    assert offsets[4].seconds == B_OFFSET + Fraction(1, 30) and offsets[4].frames == -76
    assert offsets[6].seconds == B_OFFSET - Fraction(1, 2) and offsets[6].confidence == 0.7
    assert offsets[6].frames == round((B_OFFSET - Fraction(1, 2)) * 25)
    assert offsets[5].method == "camera" and offsets[5].seconds == B_OFFSET  # median (low)
    assert 7 not in offsets
    # the other way round: camera B as reference moves camera A by +77/30 s
    flipped = solve([a1, b1], estimates[:1], "B")
    assert flipped[1].seconds == -B_OFFSET and flipped[1].frames == 62  # 2.5667 s at 23.976
    assert flipped[3].method == "reference"


def test_reference_camera_is_the_first_alphabetically_or_the_one_given():
    clips = [clip(1, "b", "14:00:00:00"), clip(2, "A", "14:00:00:00")]
    assert sync_ops.reference_camera(clips) == "A"
    assert sync_ops.reference_camera(clips, "B") == "b"
    with pytest.raises(InvalidInput, match="--reference 'C' is not a camera"):
        sync_ops.reference_camera(clips, "C")


def test_synced_start_adds_the_offset_and_wraps_at_midnight():
    late = clip(1, "B", "23:59:59;28", rate=NTSC, drop_frame=True, offset=4)
    assert synced_start_frame(late) == parse_timecode("00:00:00;02", NTSC, True)
    early = clip(2, "B", "00:00:00;01", rate=NTSC, drop_frame=True, offset=-2)
    assert synced_start_frame(early) == parse_timecode("23:59:59;29", NTSC, True)
    assert synced_start_frame(clip(3, "A", "14:00:00:00")) == parse_timecode(
        "14:00:00:00", FILM)  # fmt: skip


# --- the sample shoot ------------------------------------------------------------------------


@pytest.fixture
def shoot(project):
    """The sample shoot's four clips registered in place: camera A and camera B (a phone whose
    clock runs 2 s 17 f ahead)."""
    add_clips(project, [SHOOT / "cardA"], camera="A")
    add_clips(project, [SHOOT / "cardB"], camera="B")
    return project


def by_name(project) -> dict[str, Clip]:
    return {item.name: item for item in list_clips(project)}


@pytest.fixture
def synced(shoot):
    """The sample shoot with camera B placed on camera A's clock as the analysis finds it."""
    offsets = {}
    for item in list_clips(shoot):
        seconds = B_OFFSET if item.camera == "B" else Fraction(0)
        offsets[item.id] = ClipOffset(item.id, seconds, round(seconds * item.rate),
                                      0.8 if item.camera == "B" else None,
                                      "audio" if item.camera == "B" else "reference")  # fmt: skip
    sync_ops.store_offsets(shoot, offsets, "A")
    return shoot


def test_sync_finds_camera_b_on_camera_a_clock_and_caches_the_pairs(shoot):
    report = analyze(shoot, list_clips(shoot), ["sync"], workers=1)
    assert report.reference == "A" and report.jobs_run == len(report.items) >= 2
    clips = by_name(shoot)
    assert clips["B001_0001"].sync_offset_frames == clips["IMG_0002"].sync_offset_frames == -77
    assert clips["A001C001"].sync_offset_frames == clips["A001C002"].sync_offset_frames == 0
    rows = {row["clip"]: row for row in sync_ops.report_rows(shoot)}
    assert rows["B001_0001"]["offset_exact"] == "-77/30"  # to the sample: 123 200 samples
    assert rows["B001_0001"]["matched"] == "A001C001" and rows["B001_0001"]["method"] == "audio"
    assert rows["IMG_0002"]["matched"] == "A001C002" and rows["IMG_0002"]["confidence"] > 0.5
    # B001_0001 truly started at 14:03:15.000 (shoot.json), its label says 14:03:17;17
    assert rows["B001_0001"]["camera_start_tc"] == "14:03:17;17"
    assert rows["B001_0001"]["synced_start_tc"] == "14:03:15;00"
    assert rows["A001C001"]["method"] == "reference"
    from btslog.ops.tags import history

    entries = len(history(shoot, limit=1000))
    again = analyze(shoot, list_clips(shoot), ["sync"], workers=1)
    assert again.jobs_run == 0 and {item.status for item in again.items} == {"cached"}
    assert again.sync_changed == 0 and len(history(shoot, limit=1000)) == entries
    assert by_name(shoot)["B001_0001"].sync_offset_frames == -77


def test_sync_cli_reference_report_and_clear(shoot):
    root = str(shoot.root)
    result = run_cli("--project", root, "sync", "--reference", "B", "--format", "json", check=0)
    rows = {row["clip"]: row for row in json.loads(result.stdout[result.stdout.index("[") :])}
    assert rows["A001C001"]["offset_frames"] == 62 and rows["A001C001"]["reference"] == "B"
    assert rows["B001_0001"]["method"] == "reference"
    report = run_cli("--project", root, "sync", "--report", check=0).stdout
    assert "A001C001" in report and "62" in report and "confidence" in report
    cleared = run_cli("--project", root, "sync", "--clear", check=0)
    assert "cleared the sync offsets of 2 clips" in cleared.stdout
    assert all(item.sync_offset_frames == 0 for item in list_clips(shoot))
    rows = json.loads(run_cli("--project", root, "sync", "--report", "--format", "json",
                              check=0).stdout)  # fmt: skip
    assert {row["method"] for row in rows} == {"not synced"}
    bad = run_cli("--project", root, "sync", "--report", "--clear")
    assert bad.returncode == 1 and "not both" in bad.stderr


def test_times_of_day_are_shown_and_read_on_the_synced_clock(synced):
    clips = by_name(synced)
    assert clip_row(clips["B001_0001"])["start_tc"] == "14:03:15;00"
    assert clip_row(clips["A001C001"])["start_tc"] == "14:03:12:00"
    # typed on the synced clock: 14:03:18;06 is 3 s 6 f into B001_0001 (= camera 14:03:20;23)
    tag = add_tag(synced, TagSpec(clip="B001_0001", in_text="14:03:18;06", duration="1s",
                                  kind="take"))  # fmt: skip
    assert tag.in_frame == 96
    (row,) = tag_rows_for(synced, [tag])
    assert (row["in_tc"], row["out_tc"]) == ("14:03:18;06", "14:03:19;06")
    # --at finds the clip by synced time: 14:03:15;10 is inside B001_0001 only when synced
    assert clip_at(synced, "14:03:15;10", camera="B").name == "B001_0001"
    with pytest.raises(NotFound):
        clip_at(synced, "14:03:15;10", camera="B", camera_clock=True)
    # clearing the sync moves no tag: frames stay, labels go back to the camera's clock
    sync_ops.clear(synced)
    (again,) = tag_rows_for(synced, find_tags(synced, clip="B001_0001"))
    assert (again["in_frame"], again["in_tc"]) == (96, "14:03:20;23")


def test_the_cli_shows_synced_times_everywhere(synced):
    root = str(synced.root)
    run_cli("--project", root, "tag", "--at", "14:03:15;10", "--camera", "B", "--dur", "1s",
            "--kind", "conversation", "--note", "tripod talk", check=0)  # fmt: skip
    (row,) = json.loads(run_cli("--project", root, "tags", "--format", "json", check=0).stdout)
    assert (row["clip"], row["in_tc"], row["in_frame"]) == ("B001_0001", "14:03:15;10", 10)
    clips = json.loads(run_cli("--project", root, "clips", "--format", "json", check=0).stdout)
    assert {c["name"]: c["start_tc"] for c in clips}["IMG_0002"] == "14:03:42;00"
    found = json.loads(run_cli("--project", root, "search", "tripod", "--format", "json",
                               check=0).stdout)  # fmt: skip
    assert [(hit["clip"], hit["in_tc"]) for hit in found] == [("B001_0001", "14:03:15;10")]


def test_nle_marker_files_keep_the_camera_timecode_and_read_back_on_it(synced, tmp_path):
    from btslog.ops.exchange import export_markers, import_markers

    tag = add_tag(synced, TagSpec(clip="B001_0001", in_text="+30f", duration="15f",
                                  kind="flub", note="phone slips"))  # fmt: skip
    (written,) = export_markers(synced, "avid", tmp_path / "b.txt", clip="B001_0001")
    text = written.read_text()
    assert "14:03:18;17" in text  # camera timecode: 14:03:17;17 + 30 frames
    assert "14:03:16;00" not in text  # not the synced time of day
    (exported,) = export_markers(synced, "resolve-edl", tmp_path / "b.edl", clip="B001_0001")
    from btslog.ops.tags import remove_tag

    remove_tag(synced, tag.id)
    ids = import_markers(synced, exported, clip="B001_0001")
    (back,) = find_tags(synced, clip="B001_0001")
    assert back.id in ids and (back.in_frame, back.out_frame) == (30, 45)


def test_sync_needs_two_cameras_and_reference_goes_with_sync(project):
    add_clips(project, [SHOOT / "cardA"], camera="A")
    report = analyze(project, list_clips(project), ["sync"], workers=1)
    assert report.sync is None and "two cameras" in report.sync_skipped
    assert report.items == [] and report.jobs_run == 0
    with pytest.raises(InvalidInput, match="--reference 'B' is not a camera"):
        analyze(project, list_clips(project), ["sync"], reference="B")
    with pytest.raises(InvalidInput, match="goes with --sync"):
        analyze(project, list_clips(project), ["speech"], reference="A")
