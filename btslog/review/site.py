"""The review page's files, and the static (read-only) copy ``btslog review build`` writes.

The page is ``index.html`` + ``app.js`` + ``style.css`` (shipped in ``static/``) and
``data.js``, which sets ``window.BTSLOG_DATA`` to :func:`btslog.ops.review.review_data`: no
fetch, so the copy works from ``file://`` with no server.  The clips' proxies and poster frames
are hard-linked (copied across file systems) to ``media/<clip>/<file>``, the relative URLs
the data names.

A build is written to a temporary folder beside the output and renamed into place at the end,
so an interrupted build never leaves a half-written site; an existing output folder is replaced
only when it is an earlier build (it holds :data:`MARKER`).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from btslog.errors import InvalidInput
from btslog.ops.project import Project

MARKER = ".btslog-review"  # names a folder as a review build that a new build may replace
ASSETS = ("app.js", "style.css")


def asset(name: str) -> bytes:
    """One of the page's shipped files (``index.html``, ``app.js``, ``style.css``)."""
    return resources.files("btslog.review").joinpath("static", name).read_bytes()


def index_html(title: str, mode: str) -> bytes:
    """The entry page for ``mode`` (``static`` or ``served``)."""
    text = asset("index.html").decode("utf-8")
    text = text.replace("{{TITLE}}", html.escape(title)).replace("{{MODE}}", mode)
    return text.encode("utf-8")


def data_script(data: dict) -> bytes:
    """``data.js``: the data as a script that sets ``window.BTSLOG_DATA`` (ASCII-only JSON, so
    no character in a note can end the script early)."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("</", "<\\/")
    return f"window.BTSLOG_DATA = {text};\n".encode("ascii")


@dataclass
class BuildReport:
    output: Path
    clips: int = 0
    tags: int = 0
    media_files: int = 0
    without_proxy: list[str] = field(default_factory=list)


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copy2(source, target)


def _check_output(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise InvalidInput(f"{output} exists and is not a folder",
                           hint="choose another -o folder")  # fmt: skip
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise InvalidInput(
            f"{output} is not empty and is not an earlier review build",
            hint="choose an empty or new folder for -o; btslog never overwrites other files",
        )


def build_site(project: Project, output: str | os.PathLike) -> BuildReport:
    """Write the read-only review page of ``project`` to the folder ``output``."""
    from btslog.ops.clips import list_clips
    from btslog.ops.review import media_files, review_data

    output = Path(os.path.abspath(output))
    _check_output(output)
    data = review_data(project, mode="static")
    report = BuildReport(output, clips=len(data["clips"]), tags=len(data["tags"]))
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        (staging / MARKER).write_text("a btslog review build; `btslog review build` replaces "
                                      "this folder\n", encoding="utf-8")  # fmt: skip
        (staging / "index.html").write_bytes(index_html(project.name, "static"))
        for name in ASSETS:
            (staging / name).write_bytes(asset(name))
        (staging / "data.js").write_bytes(data_script(data))
        for clip in list_clips(project):
            files = media_files(project, clip)
            if "proxy" not in files:
                report.without_proxy.append(clip.name)
            for path in files.values():
                _place(path, staging / "media" / clip.name / path.name)  # URL: media_url
                report.media_files += 1
        staging.chmod(0o755)
        if output.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=output.parent))
            output.rename(retired / output.name)
            staging.rename(output)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report
