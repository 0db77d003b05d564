"""``btslog log import``: a logger's sheet or typed notes, all or nothing."""

from __future__ import annotations

import click


@click.group("log")
def log_group() -> None:
    """Bulk logging from a sheet or typed notes."""


@log_group.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False))
@click.option("--camera", help="Camera for lines that name none.")
@click.option("--day", help="Shoot day (YYYY-MM-DD) for lines that name none.")
@click.option("--format", "fmt", type=click.Choice(["csv", "notes"]),
              help="Default: from the file name (.csv/.tsv: csv; .txt: notes).")  # fmt: skip
@click.pass_context
def log_import(ctx, sheet, camera, day, fmt) -> None:
    """Import tags from SHEET: a CSV with a header row, or one note per line.

    \b
    CSV columns: camera, in, out, kind, and optionally clip, day, scene,
    take, note, rating, who (names separated by ;), circled (yes/x/1).
    Notes: [CAMERA] IN[-OUT] KIND NOTE, for example
      14:05:10:00-14:05:22:00 flub tripped over the tripod
      B 14:03:20;00-14:03:25;00 conversation lunch plans

    Every line is checked first: one bad line means nothing is imported, and the error
    names each bad line and why.  `btslog undo` takes a whole import back.
    """
    from btslog.cli.context import console, project_from
    from btslog.ops.logsheet import import_log

    project = project_from(ctx)
    ids = import_log(project, sheet, camera=camera, day=day, fmt=fmt)
    console().print(f"imported {len(ids)} tags from {sheet} (ids {ids[0]}-{ids[-1]})")
