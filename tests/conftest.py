"""Shared fixtures: tiny real media made with the real ffmpeg, and real project folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_configure(config) -> None:
    os.environ.setdefault("BTSLOG_USER", "tester")


def shared_path(*parts: str) -> Path:
    """A path under ../shared (formats, benchmarks); skip where it is absent, fail in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing, and CI must run every test")
        pytest.skip(f"{path} is absent (a user's clone has no ../shared)")
    return path


def ffmpeg(*args: str) -> None:
    from btslog.media import ffmpeg as boundary

    boundary.run(["-loglevel", "error", *args], what="test media")


def make_clip(
    path: Path,
    *,
    rate: str = "24000/1001",
    seconds: float = 2,
    size: str = "320x180",
    timecode: str | None = None,
    audio: bool = True,
    reel: str | None = None,
    extra: tuple[str, ...] = (),
) -> Path:
    """A real H.264 (+AAC) clip from ffmpeg's test sources."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={seconds}"]
        args += ["-c:a", "aac", "-ac", "2", "-b:a", "64k"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if timecode:
        args += ["-timecode", timecode]
    if reel:
        args += ["-metadata:s:v:0", f"reel_name={reel}"]
    args += [*extra, "-metadata", "creation_time=2026-11-20T14:03:12Z", str(path)]
    ffmpeg(*args)
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """A set of tiny real files, good and bad, made once per test session."""
    folder = tmp_path_factory.mktemp("media")
    files = {
        "a2398": make_clip(folder / "A001C001.mov", timecode="14:03:12:00", reel="A001"),
        "b2997df": make_clip(folder / "B001_0001.mov", rate="30000/1001", timecode="14:03:20;02"),
        "c25": make_clip(folder / "C25.mp4", rate="25", timecode="10:00:00:00", audio=False),
        "d5994": make_clip(
            folder / "D5994.mov", rate="60000/1001", timecode="23:59:59;50", seconds=1
        ),
        "notc": make_clip(folder / "notc.mp4", rate="30"),
    }
    vfr = folder / "IMG_0002.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x180:r=60000/1001:d=2",
        "-vf", r"select='not(mod(n\,2))*not(eq(mod(n\,10)\,4))+eq(mod(n\,10)\,5)',format=yuv420p",
        "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast",
        "-video_track_timescale", "600", str(vfr),
    )  # fmt: skip
    files["vfr"] = vfr
    wav = folder / "sound.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=f=1000:d=1", str(wav))
    files["audio_only"] = wav
    junk = folder / "junk.mov"
    junk.write_bytes(b"this is not a movie\n" * 50)
    files["junk"] = junk
    empty = folder / "empty.mov"
    empty.write_bytes(b"")
    files["empty"] = empty
    whole = files["a2398"].read_bytes()
    truncated = folder / "truncated.mov"
    truncated.write_bytes(whole[: len(whole) // 2])
    files["truncated"] = truncated
    faststart = make_clip(folder / "faststart.mp4", extra=("-movflags", "+faststart"))
    data = faststart.read_bytes()
    truncated_fs = folder / "truncated_faststart.mp4"
    truncated_fs.write_bytes(data[: len(data) // 2])
    files["truncated_faststart"] = truncated_fs
    still = folder / "still.jpg"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:d=1", "-frames:v", "1", str(still))
    files["still"] = still
    return files


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project in a temporary folder."""
    from btslog.ops.project import init_project

    monkeypatch.delenv("BTSLOG_PROJECT", raising=False)
    return init_project(tmp_path / "proj", name="Test shoot", rate="23.976")


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, check=None):
    """Run ``btslog`` as a user would (a real process) and return the CompletedProcess."""
    environment = {**os.environ, "BTSLOG_USER": "tester", **(env or {})}
    if "BTSLOG_PROJECT" not in (env or {}):
        environment.pop("BTSLOG_PROJECT", None)
    result = subprocess.run(
        [sys.executable, "-m", "btslog", *args],
        check=False,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check is not None:
        assert result.returncode == check, (result.stdout, result.stderr)
    return result


def copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target
