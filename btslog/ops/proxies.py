"""Proxies, poster frames and contact sheets for registered clips, made in parallel workers.

Each clip is one job (:func:`btslog.media.proxy.make_pictures`: one ffmpeg run, one decode)
that returns its files; this module runs the jobs in a pool and stores the paths on the clip.
Files go to ``proxies/<day>/<camera>/<roll>/<clip>.mp4`` (``.poster.png``, ``.sheet.png``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from btslog.errors import BtslogError
from btslog.model import Clip
from btslog.ops.clips import ItemResult
from btslog.ops.project import Project


def picture_paths(project: Project, clip: Clip) -> tuple[Path, Path, Path]:
    """Where a clip's proxy, poster and contact sheet go."""
    folder = project.folder("proxies").joinpath(
        clip.day or "undated", clip.camera or "no-camera", clip.roll or "no-roll"
    )
    return (folder / f"{clip.name}.mp4", folder / f"{clip.name}.poster.png",
            folder / f"{clip.name}.sheet.png")  # fmt: skip


def needs_pictures(project: Project, clip: Clip) -> bool:
    stored = (clip.proxy_path, clip.poster_path, clip.sheet_path)
    return not all(path and project.absolute(path).exists() for path in stored)


def label_of(clip: Clip) -> str:
    """The line burned into a proxy under the timecode: camera / roll / file name."""
    parts = [clip.camera, clip.roll, Path(clip.path).name]
    return " / ".join(part for part in parts if part)


def _job(project: Project, clip: Clip, progress) -> tuple[Path, Path, Path]:
    from btslog.media.probe import probe
    from btslog.media.proxy import make_pictures

    source = project.absolute(clip.path)
    proxy, poster, sheet = picture_paths(project, clip)
    proxy.parent.mkdir(parents=True, exist_ok=True)
    result = make_pictures(source, probe(source), proxy=proxy, poster=poster, sheet=sheet,
                           label=label_of(clip), progress=progress)  # fmt: skip
    return result.proxy, result.poster, result.sheet


def make_proxies(
    project: Project,
    clips: Sequence[Clip],
    *,
    workers: int | None = None,
    force: bool = False,
    on_progress: Callable[[Clip, int, int], None] | None = None,
) -> list[ItemResult]:
    """Make the pictures of ``clips`` that lack them (all with ``force``), in parallel.

    Each clip succeeds or fails on its own.  Ctrl-C stops the pool; ffmpeg's partial outputs
    are removed by the job, so no broken file is left.
    """
    from btslog.db import clips as clip_rows

    todo = [clip for clip in clips if force or needs_pictures(project, clip)]
    results = [ItemResult(clip.path, "skipped", "has its proxy", clip)
               for clip in clips if clip not in todo]  # fmt: skip
    if not todo:
        return results
    workers = workers or min(len(todo), os.cpu_count() or 1)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="proxy")
    try:
        futures = {
            pool.submit(_job, project, clip,
                        (lambda done, total, clip=clip: on_progress(clip, done, total))
                        if on_progress else None): clip
            for clip in todo
        }  # fmt: skip
        for future in as_completed(futures):
            clip = futures[future]
            try:
                proxy, poster, sheet = future.result()
            except BtslogError as error:
                results.append(ItemResult(clip.path, "failed", error.message, clip))
                continue
            values = {"proxy_path": project.stored_path(proxy),
                      "poster_path": project.stored_path(poster),
                      "sheet_path": project.stored_path(sheet)}  # fmt: skip
            with project.db.write() as connection:
                clip_rows.update_clip(connection, clip.id, values)
                updated = clip_rows.get_clip(connection, clip.id)
            results.append(ItemResult(clip.path, "added", "", updated))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
