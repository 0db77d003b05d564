"""Ingest: verified copies, ASC MHL, resume after SIGKILL, clashes, per-file failures, verify."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xxhash
from conftest import REPO, copy, run_cli

from btslog.ingest import copy as copy_module
from btslog.ingest import mhl
from btslog.ops import ingest as ingest_ops
from btslog.ops.clips import list_clips
from btslog.ops.verify import verify

ROLL = Path("media/2026-11-20/A/A001")
ASCMHL_DEBUG = Path(sys.executable).with_name("ascmhl-debug")


def xxh(path: Path) -> str:
    return xxhash.xxh64(path.read_bytes()).hexdigest()


@pytest.fixture
def card(tmp_path, media) -> Path:
    """A Sony-style card: clips with XML sidecars, card metadata, macOS litter."""
    root = tmp_path / "cardA"
    clip_folder = root / "PRIVATE" / "M4ROOT" / "CLIP"
    copy(media["a2398"], clip_folder / "A001C001.MP4")
    copy(media["b2997df"], clip_folder / "A001C002.MP4")
    (clip_folder / "A001C001M01.XML").write_text("<NonRealTimeMeta/>\n")
    (clip_folder / "A001C002M01.XML").write_text("<NonRealTimeMeta/>\n")
    (root / "PRIVATE" / "M4ROOT" / "MEDIAPRO.XML").write_text("<MediaProfile/>\n")
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (clip_folder / "._A001C001.MP4").write_bytes(b"\0\5\26\7")
    return root


def card_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def read_only(root: Path) -> dict[str, tuple[str, int, int]]:
    """Make the card read-only and return each file's (xxh64, mtime, mode)."""
    before = {}
    for path in card_files(root):
        path.chmod(0o444)
        before[str(path)] = (xxh(path), path.stat().st_mtime_ns, stat.S_IMODE(path.stat().st_mode))
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        folder.chmod(0o555)
    return before


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    return {
        str(path): (xxh(path), path.stat().st_mtime_ns, stat.S_IMODE(path.stat().st_mode))
        for path in card_files(root)
    }


def run_ingest(project, *sources, **options):
    options = {"camera": "A", "roll": "A001", **options}
    plan = ingest_ops.plan_ingest(
        project, sources, camera=options["camera"], roll=options["roll"], day=options.get("day")
    )
    return ingest_ops.ingest(
        project, plan, camera=options["camera"], roll=options["roll"],
        operator=options.get("operator"),
    )  # fmt: skip


def mhl_paths(roll_folder: Path) -> list[str]:
    """Every file path recorded in any generation of the roll's history (with repeats)."""
    from lxml import etree

    paths = []
    for generation in sorted((roll_folder / "ascmhl").glob("*.mhl")):
        tree = etree.parse(str(generation))
        paths += [node.text for node in tree.iter("{urn:ASC:MHL:v2.0}path")]
    return paths


def assert_ascmhl_verifies(roll_folder: Path) -> None:
    result = subprocess.run(
        [str(ASCMHL_DEBUG), "verify", str(roll_folder)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_ingest_copies_verifies_records_and_registers(project, card):
    before = read_only(card)
    results = run_ingest(project, card, operator="Dana")
    roll_folder = project.root / ROLL
    assert {r.status for r in results} == {"added"}, results
    # The card's structure is kept; sidecars and card metadata travel; litter stays behind.
    copied = sorted(p.relative_to(roll_folder).as_posix() for p in card_files(roll_folder)
                    if "ascmhl" not in p.parts)  # fmt: skip
    assert copied == [
        "PRIVATE/M4ROOT/CLIP/A001C001.MP4",
        "PRIVATE/M4ROOT/CLIP/A001C001M01.XML",
        "PRIVATE/M4ROOT/CLIP/A001C002.MP4",
        "PRIVATE/M4ROOT/CLIP/A001C002M01.XML",
        "PRIVATE/M4ROOT/MEDIAPRO.XML",
    ]
    for relative in copied:
        source = card / relative
        target = roll_folder / relative
        assert target.read_bytes() == source.read_bytes()
        assert int(target.stat().st_mtime) == int(source.stat().st_mtime)
    # Originals untouched: bytes, times and permissions.
    assert snapshot(card) == before
    clips = list_clips(project)
    assert [c.name for c in clips] == ["A001C001", "A001C002"]
    first = clips[0]
    assert first.path == f"{ROLL.as_posix()}/PRIVATE/M4ROOT/CLIP/A001C001.MP4"
    assert first.camera == "A" and first.roll == "A001" and first.operator == "Dana"
    assert first.day == "2026-11-20"
    assert first.xxh64 == xxh(card / "PRIVATE/M4ROOT/CLIP/A001C001.MP4")
    assert first.source_path == str((card / "PRIVATE/M4ROOT/CLIP/A001C001.MP4").resolve())
    assert first.mhl_path == ROLL.as_posix()
    assert first.start_frame == 14 * 3600 * 24 + 3 * 60 * 24 + 12 * 24  # 14:03:12:00
    # The ASC MHL history holds every copied file with its xxh64, and ascmhl verifies it.
    recorded = mhl.entries(roll_folder)
    assert sorted(recorded) == copied
    assert recorded["PRIVATE/M4ROOT/CLIP/A001C001.MP4"].xxh64 == first.xxh64
    assert_ascmhl_verifies(roll_folder)
    assert not list(roll_folder.rglob("*.btslog-partial"))


def test_rerun_skips_verified_files_and_adds_no_generation(project, card, monkeypatch):
    run_ingest(project, card)
    reads = []
    original = copy_module.FileSystem.open_source
    monkeypatch.setattr(
        copy_module.FileSystem, "open_source",
        lambda self, path: reads.append(path) or original(self, path),
    )  # fmt: skip
    results = run_ingest(project, card)
    assert {r.status for r in results} == {"skipped"}
    assert reads == []  # nothing copied again
    assert len(list((project.root / ROLL / "ascmhl").glob("*.mhl"))) == 1
    assert len(list_clips(project)) == 2


def test_name_clash_keeps_both_and_says_so(project, card, tmp_path, media):
    run_ingest(project, card)
    other = tmp_path / "cardA-again"
    copy(media["c25"], other / "PRIVATE/M4ROOT/CLIP/A001C001.MP4")
    first = project.root / ROLL / "PRIVATE/M4ROOT/CLIP/A001C001.MP4"
    first_bytes = first.read_bytes()
    (result,) = run_ingest(project, other)
    assert result.status == "added"
    assert "kept both" in result.reason and "A001C001_2.MP4" in result.reason
    assert first.read_bytes() == first_bytes
    second = first.with_name("A001C001_2.MP4")
    assert second.read_bytes() == (other / "PRIVATE/M4ROOT/CLIP/A001C001.MP4").read_bytes()
    assert sorted(c.name for c in list_clips(project)) == ["A001C001", "A001C001_2", "A001C002"]
    assert_ascmhl_verifies(project.root / ROLL)
    # And again: both are now known, nothing is copied a third time.
    (again,) = run_ingest(project, other)
    assert again.status == "skipped"


def test_clips_go_to_day_camera_roll_and_day_can_be_given(project, card):
    run_ingest(project, card, camera="B", roll="B007", day="2026-11-21")
    assert (project.root / "media/2026-11-21/B/B007/PRIVATE/M4ROOT/CLIP/A001C001.MP4").exists()
    assert {c.day for c in list_clips(project)} == {"2026-11-21"}


class FaultyFileSystem(copy_module.FileSystem):
    """A card that dies or a disk that fills: what a test cannot cause for real."""

    def __init__(self, failing: dict[str, int]) -> None:
        self.failing = failing  # file name -> errno

    def open_source(self, path):
        code = self.failing.get(Path(path).name)
        if code == errno.EACCES:  # root reads any file, so a test cannot chmod this for real
            raise PermissionError(code, os.strerror(code), str(path))
        stream = super().open_source(path)
        if code in (errno.EIO, errno.ENOENT):
            return _FailingReader(stream, code)
        return stream

    def open_temporary(self, path):
        stream = super().open_temporary(path)
        name = Path(path).name.removeprefix(".").removesuffix(copy_module.PARTIAL_SUFFIX)
        if self.failing.get(name) == errno.ENOSPC:
            return _FailingWriter(stream)
        return stream


class _FailingReader:
    def __init__(self, stream, code):
        self.stream, self.code, self.reads = stream, code, 0

    def readinto(self, buffer):
        self.reads += 1
        if self.reads > 1 or self.code == errno.ENOENT:
            exception = FileNotFoundError if self.code == errno.ENOENT else OSError
            raise exception(self.code, os.strerror(self.code))
        return self.stream.readinto(memoryview(buffer)[:1000])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


class _FailingWriter:
    def __init__(self, stream):
        self.stream = stream

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self):
        return self.stream.fileno()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def test_every_failure_is_named_and_the_rest_complete(project, tmp_path, media, monkeypatch):
    card = tmp_path / "card" / "DCIM" / "100MEDIA"
    copy(media["a2398"], card / "GOOD0001.MOV")
    copy(media["junk"], card / "JUNK0002.MOV")
    (card / "EMPTY003.MOV").write_bytes(b"")
    copy(media["truncated"], card / "TRNC0004.MOV")
    copy(media["c25"], card / "DIES0005.MP4")
    copy(media["c25"], card / "FULL0006.MP4")
    copy(media["c25"], card / "GONE0007.MP4")
    copy(media["b2997df"], card / "GOOD0008.MOV")
    copy(media["c25"], card / "LOCK0009.MP4")
    plan = ingest_ops.plan_ingest(project, [tmp_path / "card"], camera="A", roll="A001")
    (card / "GONE0007.MP4").unlink()  # pulled between listing and copying
    monkeypatch.setattr(copy_module, "FILESYSTEM", FaultyFileSystem(
        {"DIES0005.MP4": errno.EIO, "FULL0006.MP4": errno.ENOSPC,
         "LOCK0009.MP4": errno.EACCES}))  # fmt: skip
    results = ingest_ops.ingest(project, plan, camera="A", roll="A001")
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["GOOD0001.MOV"].status == by_name["GOOD0008.MOV"].status == "added"
    expected = {
        "JUNK0002.MOV": "not registered: JUNK0002.MOV: not a readable media file",
        "EMPTY003.MOV": "not registered: EMPTY003.MOV: is empty (0 bytes)",
        "TRNC0004.MOV": "not registered: TRNC0004.MOV: not a readable media file",
        "DIES0005.MP4": "reading",
        "FULL0006.MP4": "the destination is full",
        "GONE0007.MP4": "vanished before it was copied",
        "LOCK0009.MP4": "cannot be read (permission denied)",
    }
    for name, words in expected.items():
        assert by_name[name].status == "failed", by_name[name]
        assert words in by_name[name].reason, by_name[name].reason
    # Nothing registered for a failed file; nothing half-written anywhere.
    assert sorted(c.name for c in list_clips(project)) == ["GOOD0001", "GOOD0008"]
    roll_folder = next((project.root / "media").glob("*/A/A001"))
    assert not list(roll_folder.rglob("*.btslog-partial"))
    assert not (roll_folder / "DCIM/100MEDIA/DIES0005.MP4").exists()
    assert not (roll_folder / "DCIM/100MEDIA/FULL0006.MP4").exists()
    assert_ascmhl_verifies(roll_folder)
    # Fixed card, run again: the failed copies are finished, nothing else is touched.
    monkeypatch.setattr(copy_module, "FILESYSTEM", copy_module.FileSystem())
    again = {Path(r.path).name: r.status for r in ingest_ops.ingest(project, plan, camera="A",
                                                                    roll="A001")}  # fmt: skip
    assert again["DIES0005.MP4"] == again["FULL0006.MP4"] == again["LOCK0009.MP4"] == "added"
    assert again["GOOD0001.MOV"] == "skipped"
    assert_ascmhl_verifies(roll_folder)


def test_cli_summary_names_failures_and_exits_2(project, tmp_path, media):
    card = tmp_path / "card"
    copy(media["a2398"], card / "A001C001.MOV")
    copy(media["junk"], card / "junk.mov")
    result = run_cli("--project", str(project.root), "ingest", str(card), "--camera", "A",
                     "--roll", "A001", "--no-proxies", check=2)  # fmt: skip
    assert "junk.mov" in result.stdout and "not a readable media file" in result.stdout
    assert "1 of 2 files failed" in result.stderr
    assert "error" in result.stderr.lower()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--camera", "A/B", "--roll", "A001"], "--camera 'A/B' is not a usable name"),
        (["--camera", "A", "--roll", ".."], "--roll '..' is not a usable name"),
        (["--camera", "A", "--roll", "A001", "--day", "2026-13-01"], "YYYY-MM-DD"),
    ],
)
def test_bad_options_are_refused_before_copying(project, card, arguments, message):
    result = run_cli("--project", str(project.root), "ingest", str(card), *arguments, check=1)
    assert message in result.stderr
    assert not (project.root / "media").exists() or not any((project.root / "media").rglob("*.MP4"))


def test_a_card_without_media_is_a_clear_error(project, tmp_path):
    empty = tmp_path / "empty"
    (empty / "DCIM").mkdir(parents=True)
    (empty / ".DS_Store").write_bytes(b"x")
    result = run_cli("--project", str(project.root), "ingest", str(empty), "--camera", "A",
                     "--roll", "A001", check=1)  # fmt: skip
    assert "no media files found in" in result.stderr and str(empty) in result.stderr


def test_link_registers_in_place(project, card):
    results = ingest_ops.link(project, [card], camera="A", roll="A001")
    assert [r.status for r in results] == ["added", "added"]
    clips = list_clips(project)
    assert clips[0].path == str(card / "PRIVATE/M4ROOT/CLIP/A001C001.MP4")
    assert clips[0].roll == "A001" and clips[0].mhl_path is None
    assert not (project.root / "media").exists() or not any((project.root / "media").rglob("*.MP4"))


# The stages a crash may interrupt; the driver kills the process at the first one it reaches.
KILL_STAGES = ["copy-chunk", "before-rename", "after-rename", "after-register", "mhl-commit"]

DRIVER = """
import os, signal, sys
import btslog.ops.ingest as ingest_ops
stage, count = sys.argv[1], int(sys.argv[2])
seen = []
def checkpoint(name):
    if name == stage:
        seen.append(name)
        if len(seen) == count:
            os.kill(os.getpid(), signal.SIGKILL)
ingest_ops.checkpoint = checkpoint
from btslog.cli import main
main(sys.argv[3:])
"""


@pytest.mark.parametrize("stage", KILL_STAGES)
@pytest.mark.parametrize("count", [1, 2])
def test_sigkill_at_any_point_then_rerun_finishes_each_file_once(project, card, stage, count):
    arguments = ["--project", str(project.root), "ingest", str(card), "--camera", "A",
                 "--roll", "A001", "--no-proxies"]  # fmt: skip
    killed = subprocess.run(
        [sys.executable, "-c", DRIVER, stage, str(count), *arguments],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    if stage != "mhl-commit" or count == 1:
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    run_cli(*arguments, check=0)
    roll_folder = project.root / ROLL
    media_files = ["PRIVATE/M4ROOT/CLIP/A001C001.MP4", "PRIVATE/M4ROOT/CLIP/A001C002.MP4"]
    all_files = [*media_files, "PRIVATE/M4ROOT/CLIP/A001C001M01.XML",
                 "PRIVATE/M4ROOT/CLIP/A001C002M01.XML", "PRIVATE/M4ROOT/MEDIAPRO.XML"]  # fmt: skip
    # Every file recorded exactly once across generations, every clip registered once.
    assert sorted(mhl_paths(roll_folder)) == sorted(all_files)
    clips = list_clips(project)
    assert sorted(c.path for c in clips) == [f"{ROLL.as_posix()}/{name}" for name in media_files]
    for clip in clips:
        assert clip.xxh64 == xxh(card / clip.path.split("A001/", 1)[1])
    assert not list(roll_folder.rglob("*.btslog-partial"))
    assert not list((roll_folder / "ascmhl").glob("btslog-*"))
    assert_ascmhl_verifies(roll_folder)
    assert all(row.status == "ok" for row in verify(project))


def test_ctrl_c_mid_copy_leaves_no_partial_and_records_what_finished(project, card, monkeypatch):
    chunks = []

    def interrupt(stage):
        if stage == "after-rename":
            chunks.append(stage)
            if len(chunks) == 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(ingest_ops, "checkpoint", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(project, card)
    roll_folder = project.root / ROLL
    assert not list(roll_folder.rglob("*.btslog-partial"))
    # The finished copies (those named before the interrupt) are recorded, nothing else.
    recorded = mhl_paths(roll_folder)
    assert 2 <= len(recorded) < 5
    assert_ascmhl_verifies(roll_folder)
    monkeypatch.setattr(ingest_ops, "checkpoint", lambda stage: None)
    run_ingest(project, card)
    assert len(mhl_paths(roll_folder)) == 5 and len(list_clips(project)) == 2


def test_verify_names_modified_missing_and_extra_files(project, card):
    run_ingest(project, card)
    roll_folder = project.root / ROLL
    run_cli("--project", str(project.root), "verify", check=0)
    clip = roll_folder / "PRIVATE/M4ROOT/CLIP/A001C001.MP4"
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit
    clip.write_bytes(bytes(data))
    (roll_folder / "PRIVATE/M4ROOT/MEDIAPRO.XML").unlink()
    (roll_folder / "PRIVATE/stray.txt").write_text("not from the card")
    rows = {row.path.split("A001/", 1)[1]: row for row in verify(project)}
    assert rows["PRIVATE/M4ROOT/CLIP/A001C001.MP4"].status == "modified"
    assert "ASC MHL says" in rows["PRIVATE/M4ROOT/CLIP/A001C001.MP4"].detail
    assert "database says" in rows["PRIVATE/M4ROOT/CLIP/A001C001.MP4"].detail
    assert rows["PRIVATE/M4ROOT/MEDIAPRO.XML"].status == "missing"
    assert rows["PRIVATE/stray.txt"].status == "extra"
    assert rows["PRIVATE/M4ROOT/CLIP/A001C002.MP4"].status == "ok"
    result = run_cli("--project", str(project.root), "verify", "--roll", "A001", check=2)
    for words in ("modified", "missing", "extra", "A001C001.MP4", "MEDIAPRO.XML", "stray.txt"):
        assert words in result.stdout
    assert "3 files do not match" in result.stderr


def test_verify_checks_linked_clips_against_the_database(project, card, tmp_path):
    linked = tmp_path / "linked"
    copy(card / "PRIVATE/M4ROOT/CLIP/A001C001.MP4", linked / "L001.MP4")
    ingest_ops.link(project, [linked], camera="C", roll="C001")
    assert [row.status for row in verify(project)] == ["ok"]
    (linked / "L001.MP4").write_bytes(b"changed")
    assert [row.status for row in verify(project)] == ["modified"]


def test_verify_of_an_unknown_roll_is_an_error(project):
    result = run_cli("--project", str(project.root), "verify", "--roll", "Z999", check=1)
    assert "no roll 'Z999'" in result.stderr


def test_interrupted_mhl_commit_is_undone_by_the_next_run(project, card, monkeypatch):
    def crash(stage):
        if stage == "mhl-commit":
            raise RuntimeError("power cut")

    monkeypatch.setattr(ingest_ops, "checkpoint", crash)
    with pytest.raises(RuntimeError):
        run_ingest(project, card)
    journal = project.root / ROLL / "ascmhl" / mhl.JOURNAL
    assert json.loads(journal.read_text())["generations"] == []
    # Simulate a half-written generation file left by the crash.
    (project.root / ROLL / "ascmhl" / "0001_A001_2026-11-24_000000Z.mhl").write_text("<hashl")
    monkeypatch.setattr(ingest_ops, "checkpoint", lambda stage: None)
    run_ingest(project, card)
    assert not journal.exists()
    assert len(mhl_paths(project.root / ROLL)) == 5
    assert_ascmhl_verifies(project.root / ROLL)


def test_ingest_makes_proxies_posters_and_sheets_and_proxies_fills_gaps(project, card):
    result = run_cli("--project", str(project.root), "ingest", str(card), "--camera", "A",
                     "--roll", "A001", check=0)  # fmt: skip
    assert "2 proxies made" in result.stdout
    from btslog.media.probe import probe

    for clip in list_clips(project):
        assert clip.proxy_path == f"proxies/2026-11-20/A/A001/{clip.name}.mp4"
        proxy = probe(project.absolute(clip.proxy_path))
        assert proxy.height == 180 and not proxy.vfr  # small sources are not upscaled
        assert proxy.start_frame == clip.start_frame and proxy.drop_frame == clip.drop_frame
        assert abs(proxy.duration_frames - clip.duration_frames) <= 1
        assert project.absolute(clip.poster_path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert project.absolute(clip.sheet_path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The proxies never land in the roll folder (ascmhl would call them extra files).
    assert_ascmhl_verifies(project.root / ROLL)
    # `btslog proxies` makes only what is missing; --force makes them again.
    first = list_clips(project)[0]
    project.absolute(first.proxy_path).unlink()
    again = run_cli("--project", str(project.root), "proxies", check=0)
    assert "1 proxies made" in again.stdout and project.absolute(first.proxy_path).exists()
    nothing = run_cli("--project", str(project.root), "proxies", check=0)
    assert "every clip has its proxy" in nothing.stderr
    forced = run_cli("--project", str(project.root), "proxies", "A001C002", "--force", check=0)
    assert "1 proxies made" in forced.stdout


def test_a_failed_proxy_is_named_and_the_copy_still_counts(project, card, tmp_path):
    from btslog.ops.proxies import make_proxies

    run_ingest(project, card)
    clips = list_clips(project)
    broken = project.absolute(clips[1].path)
    broken.write_bytes(broken.read_bytes()[:5000])  # damaged after ingest
    results = {r.clip.name: r for r in make_proxies(project, clips)}
    assert results["A001C001"].status == "added"
    assert results["A001C002"].status == "failed" and "A001C002.MP4" in results["A001C002"].reason
    assert not list(project.folder("proxies").rglob("A001C002*"))


SLOW_DRIVER = """
import pathlib, sys, time
import btslog.ops.ingest as ingest_ops
marker = pathlib.Path(sys.argv[1])
def checkpoint(name):
    if name == "copy-chunk":
        marker.touch()
        time.sleep(0.05)
ingest_ops.checkpoint = checkpoint
from btslog.cli import main
main(sys.argv[2:])
"""


def test_real_ctrl_c_exits_130_and_leaves_no_partial_file(project, tmp_path):
    card = tmp_path / "card" / "DCIM" / "100MEDIA"
    card.mkdir(parents=True)
    (card / "BIG00001.MOV").write_bytes(os.urandom(12 * 1024 * 1024))
    marker = tmp_path / "copying"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_DRIVER, str(marker), "--project", str(project.root),
         "ingest", str(tmp_path / "card"), "--camera", "A", "--roll", "A001", "--day",
         "2026-11-20", "--no-proxies"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    for _ in range(400):  # up to 20 s for the interpreter to start and the copy to begin
        if marker.exists():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr.lower()
    assert not list(project.root.rglob("*.btslog-partial"))
    assert not list(project.root.rglob("BIG00001.MOV"))


@pytest.mark.parametrize(
    "layout",
    ["DCIM/100CANON/MVI_0001.MP4", "PRIVATE/M4ROOT/CLIP/C0001.MP4", "XDROOT/Clip/C0001.MXF",
     "CONTENTS/CLIPS001/AA0001/AA000101.MOV", "plain/take1.mov"],
)  # fmt: skip
def test_card_layouts_keep_their_structure(project, tmp_path, media, layout):
    card = tmp_path / "card"
    copy(media["a2398"], card / layout)
    (card / layout).with_suffix(".XMP").write_text("<x:xmpmeta/>")
    (results_clip,) = [r for r in run_ingest(project, card) if r.clip is not None]
    roll_folder = next((project.root / "media").glob("*/A/A001"))
    assert (roll_folder / layout).read_bytes() == (card / layout).read_bytes()
    assert (roll_folder / layout).with_suffix(".XMP").exists()
    assert results_clip.clip.name == Path(layout).stem


def test_several_sources_with_one_name_in_one_run_keep_every_file(project, tmp_path, media):
    cards = []
    for number, key in enumerate(["a2398", "b2997df", "c25", "a2398"]):
        card = tmp_path / f"card{number}"
        copy(media[key], card / "CLIP" / "A001C001.MP4")
        cards.append(card)
    results = run_ingest(project, *cards)
    roll_folder = next((project.root / "media").glob("*/A/A001"))
    names = sorted(p.name for p in (roll_folder / "CLIP").iterdir())
    assert names == ["A001C001.MP4", "A001C001_2.MP4", "A001C001_3.MP4"]
    # The fourth card holds the same bytes as the first: recognised, not copied again.
    assert [r.status for r in results] == ["added", "added", "added", "skipped"]
    for card, name in zip(cards, ["A001C001.MP4", "A001C001_2.MP4", "A001C001_3.MP4"],
                          strict=False):  # fmt: skip
        assert (roll_folder / "CLIP" / name).read_bytes() == (
            card / "CLIP" / "A001C001.MP4").read_bytes()  # fmt: skip
    assert_ascmhl_verifies(roll_folder)


def test_each_source_is_read_once_and_a_bad_copy_is_caught(project, card, monkeypatch):
    opened = []
    original = copy_module.FileSystem.open_source

    class Corrupting(copy_module.FileSystem):
        """A destination that silently changes one byte (a failing disk or cable)."""

        def open_source(self, path):
            opened.append(Path(path).name)
            return original(self, path)

        def open_temporary(self, path):
            stream = super().open_temporary(path)
            if "A001C002.MP4" not in Path(path).name:
                return stream

            class Flipping:
                def write(self, data):
                    data = bytearray(data)
                    data[0] ^= 0xFF
                    return stream.write(data)

                def fileno(self):
                    return stream.fileno()

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    stream.close()

            return Flipping()

    monkeypatch.setattr(copy_module, "FILESYSTEM", Corrupting())
    results = {Path(r.path).name: r for r in run_ingest(project, card, day="2026-11-20")}
    assert sorted(opened) == sorted(p.name for p in card_files(card) if not p.name.startswith("."))
    bad = results["A001C002.MP4"]
    assert bad.status == "failed" and "does not match the source" in bad.reason
    roll_folder = project.root / ROLL
    assert not (roll_folder / "PRIVATE/M4ROOT/CLIP/A001C002.MP4").exists()
    assert not list(roll_folder.rglob("*.btslog-partial"))
    assert [c.name for c in list_clips(project)] == ["A001C001"]
