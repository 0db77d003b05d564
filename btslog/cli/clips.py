"""``btslog clips``: register files in place and list the project's clips."""

from __future__ import annotations

import click

from btslog.cli.output import format_option

CLIP_COLUMNS = [
    ("id", "id"),
    ("name", "name"),
    ("camera", "cam"),
    ("roll", "roll"),
    ("day", "day"),
    ("rate_label", "fps"),
    ("start_tc", "start"),
    ("end_tc", "end"),
    ("duration_tc", "duration"),
    ("width", "w"),
    ("height", "h"),
    ("codec", "codec"),
    ("vfr", "vfr"),
]


@click.group("clips", invoke_without_command=True)
@click.option("--camera", help="Only this camera.")
@click.option("--day", help="Only this shoot day (YYYY-MM-DD).")
@click.option("--roll", help="Only this roll/card.")
@format_option
@click.pass_context
def clips_group(ctx, camera, day, roll, output_format) -> None:
    """List the project's clips (or register new ones with `clips add`)."""
    if ctx.invoked_subcommand is not None:
        return
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.clips import clip_row, list_clips

    project = project_from(ctx)
    rows = [clip_row(clip) for clip in list_clips(project, camera=camera, day=day, roll=roll)]
    print_rows(rows, output_format, CLIP_COLUMNS, title=f"{project.name}: {len(rows)} clips")


@clips_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--camera", help="Camera letter or name, e.g. A.")
@click.option("--roll", help="Roll or card name, e.g. A001.")
@click.option("--operator", help="Camera operator.")
@click.option("--day", help="Shoot day YYYY-MM-DD (default: the file's creation date).")
@click.pass_context
def clips_add(ctx, paths, camera, roll, operator, day) -> None:
    """Register media files in place (folders are searched), with probe data and xxh64.

    Files stay where they are; use `btslog ingest` to copy cards into the project.
    """
    from btslog.cli.context import console, project_from
    from btslog.cli.summary import print_summary
    from btslog.ops.clips import add_clips

    project = project_from(ctx)
    with console(stderr=True).status("registering") as status:
        results = add_clips(
            project,
            paths,
            camera=camera,
            roll=roll,
            operator=operator,
            day=day,
            on_file=lambda path: status.update(f"probing and hashing {path}"),
        )
    print_summary(results, "registered")
