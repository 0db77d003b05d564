"""``btslog cut``: assemble a rough cut from a selection of tags, and edit it by hand."""

from __future__ import annotations

import click

from btslog.cli.output import format_option

SEGMENT_COLUMNS = [("position", "#"), ("clip", "clip"), ("camera", "cam"), ("kind", "kind"),
                   ("in_tc", "in"), ("out_tc", "out"), ("duration_tc", "dur"),
                   ("starts_at", "at"), ("label", "label"), ("note", "note")]  # fmt: skip
CUT_COLUMNS = [("name", "name"), ("segments", "segments"), ("duration", "duration"),
               ("order", "order"), ("query", "query")]  # fmt: skip


@click.group("cut")
def cut_group() -> None:
    """Rough cuts: `cut new NAME --select QUERY`, then `cut show`, `move`, `trim`, `drop`.

    Restricted ranges are never in a cut: every tag of kind `restricted` is left out of every
    segment, whatever the query says.
    """


def _show(project, cut, output_format: str) -> None:
    from btslog.cli.output import print_rows
    from btslog.ops.cuts import running_time, segment_rows, total_seconds

    rows = segment_rows(project, cut)
    if output_format != "table":
        print_rows(rows, output_format, SEGMENT_COLUMNS)
        return
    print_rows(rows, output_format, SEGMENT_COLUMNS, title=f"cut {cut.name}: {cut.options.query}")
    seconds = total_seconds(project, cut)
    plural = "s" if len(rows) != 1 else ""
    click.echo(f"total: {len(rows)} segment{plural}, {running_time(seconds)}")
    removed = cut.extra.get("restricted_frames_removed")
    if removed:
        click.echo(f"({removed} frames marked restricted since the cut was made are left out)")


@cut_group.command("new")
@click.argument("name")
@click.option("--select", "query", required=True,
              help="Which tags, e.g. 'kind:flub,conversation circled camera:A,B "
              "day:2026-11-20 who:NAME -ng' (see the README's Cuts section).")  # fmt: skip
@click.option("--order", type=click.Choice(["time", "kind", "rating", "scene"]), default="time",
              show_default=True, help="time: camera time of day; kind; rating: best first; "
              "scene: scene/take.")  # fmt: skip
@click.option("--handles", default="0f", show_default=True,
              help="Added before and after each tag: frames (12f) or seconds (0.5s).")  # fmt: skip
@click.option("--max-segment", "max_segment",
              help="Longest segment (20s, 480f); a longer range keeps its head.")  # fmt: skip
@click.option("--titles/--no-titles", default=True, show_default=True,
              help="Title card and lower-third labels when rendered.")  # fmt: skip
@format_option
@click.pass_context
def cut_new(ctx, name, query, order, handles, max_segment, titles, output_format) -> None:
    """Assemble cut NAME from the tags QUERY selects (accepted tags unless it says status:).

    \b
    Selection: terms separated by spaces must all hold; commas mean OR; - excludes.
      kind:flub,conversation  camera:A,B  day:2026-11-20  clip:A001C001  who:Grace
      scene:12A  take:3  rating:4 (4 stars or more)  status:accepted,suggested
      circled  ng  word  "a phrase"  -ng  -kind:setup  -who:Grace  -restricted

    \b
    Examples:
      btslog cut new flubs --select 'kind:flub,conversation -ng' --handles 12f
      btslog cut new best --select 'kind:take circled camera:A,B' --order scene
      btslog cut new grace --select 'who:Grace rating:4' --max-segment 20s --order rating
    """
    from btslog.cli.context import project_from
    from btslog.cut.model import CutOptions
    from btslog.ops.cuts import new_cut

    project = project_from(ctx)
    options = CutOptions(query=query, order=order, handles=handles, max_segment=max_segment,
                         titles=titles)  # fmt: skip
    cut = new_cut(project, name, options)
    _show(project, cut, output_format)


@cut_group.command("show")
@click.argument("name")
@format_option
@click.pass_context
def cut_show(ctx, name, output_format) -> None:
    """The segments of cut NAME in order: clip, time of day in/out, duration, label."""
    from btslog.cli.context import project_from
    from btslog.ops.cuts import get_cut

    project = project_from(ctx)
    _show(project, get_cut(project, name), output_format)


@cut_group.command("list")
@format_option
@click.pass_context
def cut_list(ctx, output_format) -> None:
    """Every cut: name, segments, running time, query."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.cuts import cut_rows, list_cuts

    project = project_from(ctx)
    rows = cut_rows(project, list_cuts(project))
    print_rows(rows, output_format, CUT_COLUMNS, title=f"{len(rows)} cuts")


@cut_group.command("move")
@click.argument("name")
@click.argument("position", type=int)
@click.argument("to", type=int)
@click.pass_context
def cut_move(ctx, name, position, to) -> None:
    """Move segment POSITION of cut NAME to position TO (as `cut show` numbers them)."""
    from btslog.cli.context import project_from
    from btslog.ops.cuts import move_segment

    project = project_from(ctx)
    move_segment(project, name, position, to)
    click.echo(f"cut {name}: segment {position} moved to {to}")


@cut_group.command("trim")
@click.argument("name")
@click.argument("position", type=int)
@click.option("--in", "in_text", help="New in point: time of day, or +12f / -0.5s from it.")
@click.option("--out", "out_text", help="New out point (exclusive): time of day, or +/- offset.")
@click.pass_context
def cut_trim(ctx, name, position, in_text, out_text) -> None:
    """Move the in and/or out point of segment POSITION of cut NAME.

    A point is the clip's time of day (14:03:15:00; 14:03:15;02 drop-frame) or an offset from
    the segment's current point: +12f moves it later, -0.5s earlier.  A segment stays inside
    its clip, out of restricted ranges, and clear of the cut's other segments.

    \b
    Examples:
      btslog cut trim flubs 3 --in +12f --out -1s
      btslog cut trim flubs 1 --out 14:03:19:00
    """
    from btslog.cli.context import project_from
    from btslog.ops.cuts import segment_rows, trim_segment

    project = project_from(ctx)
    cut = trim_segment(project, name, position, in_=in_text, out=out_text)
    row = segment_rows(project, cut)[position - 1]
    click.echo(f"cut {name}: segment {position} is {row['clip']} {row['in_tc']}-{row['out_tc']}")


@cut_group.command("drop")
@click.argument("name")
@click.argument("positions", type=int, nargs=-1, required=True)
@click.pass_context
def cut_drop(ctx, name, positions) -> None:
    """Take segments POSITIONS... out of cut NAME (the others close up)."""
    from btslog.cli.context import project_from
    from btslog.ops.cuts import drop_segments

    project = project_from(ctx)
    cut = drop_segments(project, name, positions)
    dropped = len(set(positions))
    click.echo(f"cut {name}: dropped {dropped} segment{'s' if dropped != 1 else ''}, "
               f"{len(cut.segments)} left")  # fmt: skip


@cut_group.command("rm")
@click.argument("name")
@click.pass_context
def cut_rm(ctx, name) -> None:
    """Delete cut NAME (its segments are kept in `btslog history`)."""
    from btslog.cli.context import project_from
    from btslog.ops.cuts import remove_cut

    project = project_from(ctx)
    cut = remove_cut(project, name)
    click.echo(f"removed cut {cut.name} ({len(cut.segments)} segments)")
