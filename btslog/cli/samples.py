"""``btslog samples``: make the synthetic sample shoot (two camera cards + ground truth)."""

from __future__ import annotations

import click

SIZE_HELP = (
    "small: 640x360, what sample_clips/ holds (a few MB); full: the same shoot at 1920x1080 "
    "for benchmarks, with unknown extras when the face-model package is installed."
)


@click.group("samples")
def samples_group() -> None:
    """Make the deterministic synthetic sample shoot."""


@samples_group.command("make")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--size",
    type=click.Choice(["small", "full"]),
    default="small",
    show_default=True,
    help=SIZE_HELP,
)
def make_command(directory: str, size: str) -> None:
    """Write the sample shoot into DIRECTORY (new, empty, or an earlier sample shoot).

    Two camera cards (cardA: Sony-style 23.976 NDF MP4 + XML sidecars; cardB: a phone's 29.97
    DF MOV files, one of them variable frame rate), reference photos for the consent register
    (people/), one ground-truth JSON per clip (truth/) and shoot.json.  The same command and
    size always give the same frames and the same truth.
    """
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from btslog.cli.context import console as make_console
    from btslog.samples.faces import require_portraits
    from btslog.samples.shoot import check_target, make_shoot, shoot_plan

    target = Path(directory)
    check_target(target)  # fail before the progress bar appears
    require_portraits()
    plan = shoot_plan(size)
    console = make_console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}
        for clip, spec in zip(plan.clips, plan.specs, strict=True):
            tasks[clip.name] = bar.add_task(clip.path, total=spec.frames)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(tasks[name], completed=done, total=total)

        result = make_shoot(target, size, progress=progress)
    frames = sum(spec.frames for spec in result.specs)
    click.echo(
        f"wrote the {size} sample shoot ({len(result.clips)} clips, {frames} frames, "
        f"{result.width}x{result.height}) to {target}"
    )
