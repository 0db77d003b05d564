"""The one module that runs ffmpeg.

Commands are argv lists (never a shell string); stderr is captured and, on failure, its tail
goes into a :class:`~btslog.errors.FfmpegError`.  Outputs are written to a temporary name
next to the target and renamed only when ffmpeg succeeded, so an interrupted or failed run
never leaves a half-written file behind.  The binary is the static build that
``imageio-ffmpeg`` installs; ``BTSLOG_FFMPEG`` may point to another one.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Self

from btslog.errors import FfmpegError, MediaError

STDERR_TAIL_LINES = 12
_PROGRESS_RE = re.compile(r"^out_time_us=(\d+)$")


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary."""
    override = os.environ.get("BTSLOG_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def temporary_path(target: Path) -> Path:
    """The temporary name an output is written under before it is renamed into place."""
    return target.with_name(f".{target.name}.btslog-partial{target.suffix}")


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path; rename it to ``target`` on success, delete it on any failure."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = temporary_path(target)
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def run(
    args: Sequence[str],
    *,
    what: str,
    progress: Callable[[float], None] | None = None,
    input_bytes: bytes | None = None,
    progress_report: Callable[[dict[str, str]], None] | None = None,
) -> str:
    """Run ffmpeg with ``args`` (without the binary) and return its stderr.

    ``what`` names the job in errors ("proxy for A001C001.MP4").  ``progress`` is called with
    the output time in seconds as ffmpeg reports it.  ``progress_report`` is called with each
    whole block of ffmpeg's ``-progress`` report (``{"frame": "120", "out_time_us": ...,
    "progress": "continue"}``; ``frame`` counts the first video output).  Ctrl-C stops ffmpeg
    and re-raises.
    """
    argv = [ffmpeg_exe(), "-hide_banner", "-y"]
    if input_bytes is None:
        argv.append("-nostdin")
    if progress is not None or progress_report is not None:
        argv += ["-progress", "pipe:1", "-nostats"]
    argv += [str(arg) for arg in args]
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as error:
        raise MediaError(
            f"cannot start ffmpeg for {what}: {error}",
            hint="reinstall btslog (pip install --force-reinstall imageio-ffmpeg) or set "
            "BTSLOG_FFMPEG to an ffmpeg binary",
        ) from error
    stderr_chunks: list[bytes] = []

    def drain_stderr() -> None:
        assert process.stderr is not None
        stderr_chunks.extend(iter(lambda: process.stderr.read(65536), b""))

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    try:
        if input_bytes is not None:
            assert process.stdin is not None
            process.stdin.write(input_bytes)
            process.stdin.close()
        assert process.stdout is not None
        report: dict[str, str] = {}
        for raw_line in process.stdout:
            line = raw_line.decode("ascii", "replace").strip()
            if progress is not None:
                match = _PROGRESS_RE.match(line)
                if match:
                    progress(int(match.group(1)) / 1_000_000)
            if progress_report is not None:
                key, _, value = line.partition("=")
                report[key] = value
                if key == "progress":
                    progress_report(report)
                    report = {}
        returncode = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        reader.join(timeout=5)
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    if returncode != 0:
        tail = _tail(stderr)
        last = tail.splitlines()[-1] if tail else f"exit code {returncode}"
        raise FfmpegError(f"ffmpeg failed for {what}: {last}", stderr_tail=tail)
    return stderr


PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged pipe (64 KB otherwise)


def _widen_pipe(pipe) -> None:
    """Let ``pipe`` hold 1 MB: a frame then crosses in a few writes instead of dozens of
    64 KB hand-offs between the two processes.  Where the system refuses, nothing changes."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    with contextlib.suppress(AttributeError, OSError):  # F_SETPIPE_SZ is Linux's
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class FrameWriter:
    """Pipe raw frames into an ffmpeg encode: ``with FrameWriter(...) as w: w.write(frame)``.

    ``args`` are the output-side arguments (codecs, maps, output path); the raw video input
    is declared here from ``width``, ``height``, ``rate`` and ``pix_fmt``.  Extra inputs
    (audio) go in ``extra_inputs``; options of the raw video input itself (``-color_range``,
    ``-display_rotation``) in ``input_args``.  On any exception inside the block ffmpeg is
    killed and the error re-raised; a failed encode raises :class:`FfmpegError`.
    """

    def __init__(
        self,
        *,
        width: int,
        height: int,
        rate: str,
        args: Sequence[str],
        what: str,
        pix_fmt: str = "rgb24",
        extra_inputs: Sequence[str] = (),
        input_args: Sequence[str] = (),
    ) -> None:
        self.what = what
        if pix_fmt in ("yuv420p", "yuvj420p", "nv12"):
            self.frame_bytes = width * height * 3 // 2
        else:
            self.frame_bytes = width * height * (4 if pix_fmt in ("rgba", "bgra") else 3)
        self.argv = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{width}x{height}",
            "-framerate", rate, *[str(arg) for arg in input_args], "-i", "pipe:0",
            *[str(arg) for arg in extra_inputs],
            *[str(arg) for arg in args],
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None
        self._stderr: list[bytes] = []
        self._reader: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _widen_pipe(self.process.stdin)

        def drain() -> None:
            assert self.process is not None and self.process.stderr is not None
            for chunk in iter(lambda: self.process.stderr.read(65536), b""):
                self._stderr.append(chunk)

        self._reader = threading.Thread(target=drain, daemon=True)
        self._reader.start()
        return self

    def write(self, frame) -> None:
        data = frame.tobytes() if hasattr(frame, "tobytes") else bytes(frame)
        if len(data) != self.frame_bytes:
            raise MediaError(
                f"{self.what}: frame of {len(data)} bytes, expected {self.frame_bytes}"
            )
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(data)
        except BrokenPipeError:
            self._fail()

    def write_buffers(self, buffers: Sequence) -> None:
        """Write one frame given as consecutive buffers (the Y, U and V planes of a decoded
        frame, or one C-contiguous array) without copying them first."""
        views = [memoryview(buffer).cast("B") for buffer in buffers]
        size = sum(view.nbytes for view in views)
        if size != self.frame_bytes:
            raise MediaError(f"{self.what}: frame of {size} bytes, expected {self.frame_bytes}")
        assert self.process is not None and self.process.stdin is not None
        try:
            for view in views:
                self.process.stdin.write(view)
        except BrokenPipeError:
            self._fail()

    def _fail(self) -> None:
        assert self.process is not None
        self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        tail = _tail(b"".join(self._stderr).decode("utf-8", "replace"))
        last = tail.splitlines()[-1] if tail else f"exit code {self.process.returncode}"
        raise FfmpegError(f"ffmpeg failed for {self.what}: {last}", stderr_tail=tail)

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.process is not None
        if exc_type is not None:
            self.process.kill()
            self.process.wait()
            return
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        if self.process.wait() != 0:
            self._fail()
        if self._reader is not None:
            self._reader.join(timeout=5)
