"""``btslog proxies``: proxies, poster frames and contact sheets (also run by ingest)."""

from __future__ import annotations

import click


def run_proxies(project, clips, *, workers: int | None, force: bool, fail: bool = True):
    """Make pictures for ``clips`` with one progress bar per running clip; print failures."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from btslog.cli.context import console
    from btslog.cli.summary import print_summary
    from btslog.ops.proxies import make_proxies, needs_pictures

    todo = [clip for clip in clips if force or needs_pictures(project, clip)]
    if not todo:
        if fail:
            console(stderr=True).print("every clip has its proxy (--force makes them again)")
        return []
    columns = (TextColumn("proxy {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console(stderr=True)) as bar:
        tasks = {clip.id: bar.add_task(clip.name, total=clip.duration_frames) for clip in todo}

        def on_progress(clip, done: int, total: int) -> None:
            bar.update(tasks[clip.id], completed=done, total=total)

        results = make_proxies(project, todo, workers=workers, force=force,
                               on_progress=on_progress)  # fmt: skip
        for result in results:
            if result.status == "added" and result.clip is not None:
                bar.update(tasks[result.clip.id], completed=result.clip.duration_frames)
    print_summary(results, "proxies made", raise_on_failure=fail)
    return results


@click.command("proxies")
@click.argument("clips", nargs=-1)
@click.option("--force", is_flag=True, help="Make them again even where they exist.")
@click.option("--workers", type=click.IntRange(1, 64), help="Parallel jobs (default: cores).")
@click.pass_context
def proxies_command(ctx, clips, force, workers) -> None:
    """Make proxies, poster frames and contact sheets for CLIPS (default: every clip lacking them).

    A proxy is a constant-frame-rate 540p H.264/AAC file with the camera's time-of-day
    timecode, camera, roll and file name burned in (variable-frame-rate phone clips are
    conformed); the poster is one clean frame; the contact sheet is a filmstrip of 8 frames
    with their timecode.  Files go to proxies/<day>/<camera>/<roll>/.
    """
    from btslog.cli.context import project_from
    from btslog.ops.clips import list_clips, resolve_clip

    project = project_from(ctx)
    chosen = [resolve_clip(project, name) for name in clips] if clips else list_clips(project)
    run_proxies(project, chosen, workers=workers, force=force)
