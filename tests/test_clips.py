"""Registering clips in place and listing them."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from conftest import copy, run_cli

from btslog.errors import InvalidInput, NotFound
from btslog.ingest.hashing import xxh64_file
from btslog.ops.clips import add_clips, list_clips, resolve_clip


def test_add_registers_probe_data_and_hash(project, media):
    results = add_clips(project, [media["a2398"], media["b2997df"]], camera="A", roll="A001")
    assert [result.status for result in results] == ["added", "added"]
    clips = {clip.name: clip for clip in list_clips(project)}
    a = clips["A001C001"]
    assert a.rate == Fraction(24000, 1001) and not a.drop_frame
    assert a.camera == "A" and a.roll == "A001" and a.day == "2026-11-20"
    assert a.xxh64 == xxh64_file(media["a2398"])
    assert a.duration_frames == 48
    b = clips["B001_0001"]
    assert b.rate == Fraction(30000, 1001) and b.drop_frame


def test_names_are_unique_and_every_reference_resolves(project, media, tmp_path):
    first = copy(media["a2398"], tmp_path / "card1" / "A001C001.mov")
    second = copy(media["a2398"], tmp_path / "card2" / "A001C001.mov")
    add_clips(project, [tmp_path / "card1", tmp_path / "card2"])
    names = sorted(clip.name for clip in list_clips(project))
    assert names == ["A001C001", "A001C001_2"]
    by_name = resolve_clip(project, "a001c001_2")
    assert resolve_clip(project, str(by_name.id)) == by_name
    assert resolve_clip(project, str(second)) == by_name
    assert resolve_clip(project, str(first)).name == "A001C001"
    with pytest.raises(NotFound, match="no clip 'nope'"):
        resolve_clip(project, "nope")


def test_same_file_twice_is_skipped_not_duplicated(project, media):
    add_clips(project, [media["a2398"]])
    again = add_clips(project, [media["a2398"]])
    assert [(result.status, result.reason) for result in again] == [
        ("skipped", "already registered")
    ]
    assert len(list_clips(project)) == 1


@pytest.mark.parametrize("day", ["20/11/2026", "2026-02-30", "2026-11-2"])
def test_bad_day_is_refused(project, media, day):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        add_clips(project, [media["a2398"]], day=day)


def test_cli_add_reports_each_failure_and_exits_2(project, media, tmp_path):
    card = tmp_path / "card"
    copy(media["a2398"], card / "A001C001.mov")
    copy(media["junk"], card / "junk.mov")
    copy(media["truncated"], card / "broken.mov")
    (card / ".DS_Store").write_bytes(b"\0\0")
    (card / "._A001C001.mov").write_bytes(b"\0\0")
    result = run_cli("--project", str(project.root), "clips", "add", str(card), "--camera", "A")
    assert result.returncode == 2, result.stderr
    assert "junk.mov" in result.stdout and "broken.mov" in result.stdout
    assert "1 registered, 2 failed" in result.stdout
    assert "Traceback" not in result.stderr
    rows = json.loads(run_cli("--project", str(project.root), "clips", "--format", "json").stdout)
    assert [row["name"] for row in rows] == ["A001C001"]


def test_clips_json_has_stable_fields(project, media):
    add_clips(project, [media["b2997df"]], camera="B")
    result = run_cli("--project", str(project.root), "clips", "--format", "json", check=0)
    (row,) = json.loads(result.stdout)
    assert list(row) == [
        "id", "name", "path", "camera", "roll", "operator", "day", "rate", "rate_label",
        "drop_frame", "vfr", "start_tc", "end_tc", "duration_frames", "duration_tc",
        "timecode_source", "width", "height", "codec", "container", "audio", "reel",
        "creation_time", "size_bytes", "xxh64", "source_path",
    ]  # fmt: skip
    assert row["rate"] == "30000/1001" and row["rate_label"] == "29.97"
    assert row["start_tc"] == "14:03:20;02"
    assert row["duration_frames"] == 60
    assert row["end_tc"] == "14:03:22;02"
    assert row["camera"] == "B" and row["timecode_source"] == "tmcd"
    csv_out = run_cli("--project", str(project.root), "clips", "--format", "csv", check=0).stdout
    assert csv_out.splitlines()[0].startswith("id,name,path,camera")
    table = run_cli("--project", str(project.root), "clips", check=0).stdout
    assert "B001_0001" in table and "14:03:20;02" in table
