"""``btslog tag``, ``tags``, ``takes``, ``history``, ``undo``: logging by timecode."""

from __future__ import annotations

import click

from btslog.cli.output import format_option

TAG_COLUMNS = [("id", "id"), ("clip", "clip"), ("camera", "cam"), ("kind", "kind"),
               ("in_tc", "in"), ("out_tc", "out"), ("duration_tc", "dur"), ("scene", "scene"),
               ("take", "take"), ("mark", "mark"), ("rating", "★"), ("people", "who"),
               ("note", "note"), ("status", "status")]  # fmt: skip


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to ``add``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["add", *args]
        elif not args:
            args = ["add"]
        return super().parse_args(ctx, args)


def _detail_options(function):
    for decorator in reversed([
        click.option("--note", help="What happens, in words."),
        click.option("--scene", help="Scene number, e.g. 12A."),
        click.option("--take", help="Take number, e.g. 3."),
        click.option("--rating", type=click.IntRange(1, 5), help="1 to 5 stars."),
        click.option("--who", "people", multiple=True, help="A person present (repeat)."),
    ]):  # fmt: skip
        function = decorator(function)
    return function


@click.group("tag", cls=DefaultGroup)
def tag_group() -> None:
    """Log a range of a clip: `btslog tag CLIP IN [OUT] --kind KIND ...` (see `tag add`).

    Also `tag edit ID`, `tag rm ID` (recoverable with `tag restore ID` or `btslog undo`).
    """


@tag_group.command("add")
@click.argument("where", nargs=-1)
@click.option("--kind", required=True, help="take, flub, conversation, setup, highlight, "
              "restricted, or a kind from btslog.toml.")  # fmt: skip
@click.option("--dur", "duration", help="Length instead of OUT: 10s, 240f, 00:00:10:00.")
@click.option("--at", "at", help="Time of day to find the clip by (with --camera, --day).")
@click.option("--camera", help="With --at: the camera whose clip covers that time.")
@click.option("--day", help="With --at: the shoot day (YYYY-MM-DD).")
@click.option("--circle/--no-circle", "circled", default=False, help="A circled (good) take.")
@click.option("--ng", is_flag=True, help="A no-good take.")
@_detail_options
@click.pass_context
def tag_add(ctx, where, kind, duration, at, camera, day, circled, ng, note, scene, take,
            rating, people) -> None:  # fmt: skip
    """Log CLIP from IN to OUT (exclusive), or IN plus --dur, or the one frame at IN.

    CLIP is a clip's name, id or path.  IN and OUT are the camera's time of day
    (14:05:10:00; drop-frame 14:05:10;02 on 29.97 and 59.94 clips) or offsets from the
    clip's first frame (+10s, +240f, +00:00:10:00).  With --at TC --camera B, the clip is
    the one of camera B covering that time of day, and WHERE is just [OUT].

    \b
    Examples:
      btslog tag A001C001 14:03:15:00 14:03:19:12 --kind flub --note "dropped the slate"
      btslog tag A001C002 +2s --dur 6s --kind take --scene 12A --take 3 --circle
      btslog tag --at '14:03:20;00' --camera B --dur 5s --kind conversation --who Eileen
    """
    from btslog.cli.context import console, project_from
    from btslog.errors import InvalidInput
    from btslog.ops.tags import TagSpec, add_tag, tag_rows_for

    if at is not None:
        if len(where) > 1:
            raise InvalidInput("with --at, give at most OUT as an argument")
        clip, in_text, out_text = None, at, (where[0] if where else None)
    elif len(where) in (2, 3):
        clip, in_text, out_text = where[0], where[1], (where[2] if len(where) == 3 else None)
    else:
        raise InvalidInput("give CLIP IN [OUT], or --at TIME --camera CAM",
                           hint="see `btslog tag add --help`")  # fmt: skip
    project = project_from(ctx)
    spec = TagSpec(
        in_text=in_text, out_text=out_text, duration=duration, kind=kind, clip=clip,
        camera=camera, day=day, note=note or "", scene=scene, take=take, rating=rating,
        circled=circled, ng=ng, people=tuple(people),
    )  # fmt: skip
    (row,) = tag_rows_for(project, [add_tag(project, spec)])
    console().print(f"tag {row['id']}: {row['kind']} {row['clip']} {row['in_tc']}-{row['out_tc']}"
                    + (f" {row['note']}" if row["note"] else ""))  # fmt: skip


@tag_group.command("edit")
@click.argument("tag_id", type=int)
@click.option("--in", "in_text", help="New in point (time of day or offset).")
@click.option("--out", "out_text", help="New out point (exclusive).")
@click.option("--dur", "duration", help="New length from the in point.")
@click.option("--kind", help="New kind.")
@click.option("--circle/--no-circle", "circled", default=None, help="Circle or uncircle.")
@click.option("--ng/--no-ng", "ng", default=None, help="Mark or unmark NG.")
@click.option("--status", type=click.Choice(["suggested", "accepted", "rejected"]))
@_detail_options
@click.pass_context
def tag_edit(ctx, tag_id, in_text, out_text, duration, kind, circled, ng, status, note, scene,
             take, rating, people) -> None:  # fmt: skip
    """Change tag TAG_ID; only the options given change (--who replaces the people)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.tags import TagChanges, edit_tag, tag_rows_for

    project = project_from(ctx)
    changes = TagChanges(
        in_text=in_text, out_text=out_text, duration=duration, kind=kind, note=note,
        scene=scene, take=take, rating=rating, circled=circled, ng=ng, status=status,
        people=tuple(people) if people else None,
    )  # fmt: skip
    (row,) = tag_rows_for(project, [edit_tag(project, tag_id, changes)])
    console().print(f"tag {row['id']}: {row['kind']} {row['clip']} {row['in_tc']}-{row['out_tc']}")


@tag_group.command("rm")
@click.argument("tag_ids", type=int, nargs=-1, required=True)
@click.pass_context
def tag_rm(ctx, tag_ids) -> None:
    """Remove tags (recoverable: `btslog tag restore ID` or `btslog undo`)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.tags import remove_tag

    project = project_from(ctx)
    for tag_id in tag_ids:
        remove_tag(project, tag_id)
        console().print(f"removed tag {tag_id} (btslog tag restore {tag_id} brings it back)")


@tag_group.command("restore")
@click.argument("tag_ids", type=int, nargs=-1, required=True)
@click.pass_context
def tag_restore(ctx, tag_ids) -> None:
    """Bring back removed tags."""
    from btslog.cli.context import console, project_from
    from btslog.ops.tags import restore_tag

    project = project_from(ctx)
    for tag_id in tag_ids:
        restore_tag(project, tag_id)
        console().print(f"restored tag {tag_id}")


def _filter_options(function):
    for decorator in reversed([
        click.option("--kind", "kinds", multiple=True, help="Only this kind (repeat)."),
        click.option("--camera", help="Only this camera."),
        click.option("--day", help="Only this shoot day (YYYY-MM-DD)."),
        click.option("--clip", help="Only this clip (name, id or path)."),
        click.option("--who", "person", help="Only tags with this person present."),
        click.option("--scene", help="Only this scene."),
        click.option("--text", "text", help="Only tags whose note holds all these words."),
    ]):  # fmt: skip
        function = decorator(function)
    return function


@click.command("tags")
@_filter_options
@click.option("--circled", is_flag=True, default=None, help="Only circled takes.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["suggested", "accepted", "rejected"]),
              help="Only this status (repeat; default: accepted).")  # fmt: skip
@click.option("--removed", is_flag=True, help="Include removed tags.")
@format_option
@click.pass_context
def tags_command(ctx, kinds, camera, day, clip, person, scene, text, circled, statuses,
                 removed, output_format) -> None:  # fmt: skip
    """List logged tags, in the cameras' time-of-day timecode (out exclusive)."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.tags import find_tags, tag_rows_for

    project = project_from(ctx)
    tags = find_tags(
        project, kinds=kinds, camera=camera, day=day, clip=clip, person=person,
        circled=circled, words=(text or "").split(), statuses=statuses or ("accepted",),
        scene=scene, include_deleted=removed,
    )  # fmt: skip
    rows = tag_rows_for(project, tags)
    if output_format == "table":
        for row in rows:
            row["mark"] = "circled" if row["circled"] else ("NG" if row["ng"] else "")
    print_rows(rows, output_format, TAG_COLUMNS, title=f"{len(rows)} tags")


@click.command("takes")
@click.option("--camera", help="Only this camera.")
@click.option("--day", help="Only this shoot day (YYYY-MM-DD).")
@click.option("--scene", help="Only this scene.")
@click.option("--circled", is_flag=True, default=None, help="Only circled takes.")
@format_option
@click.pass_context
def takes_command(ctx, camera, day, scene, circled, output_format) -> None:
    """The take list: scene/take, camera, time of day in/out, duration, circled/NG, notes."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.tags import take_rows

    project = project_from(ctx)
    rows = take_rows(project, camera=camera, day=day, scene=scene, circled=circled)
    columns = [("scene", "scene"), ("take", "take"), ("camera", "cam"), ("day", "day"),
               ("in_tc", "in"), ("out_tc", "out"), ("duration_tc", "dur"), ("mark", "mark"),
               ("rating", "★"), ("note", "note"), ("clip", "clip")]  # fmt: skip
    print_rows(rows, output_format, columns, title=f"{len(rows)} takes")


@click.command("history")
@click.option("--limit", type=click.IntRange(1, 100000), default=30, show_default=True)
@format_option
@click.pass_context
def history_command(ctx, limit, output_format) -> None:
    """Every change to the project, newest first: when, who, what, before and after."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.tags import describe, history

    project = project_from(ctx)
    entries = history(project, limit=limit)
    if output_format == "table":
        entries = [{**entry, "what": describe(entry),
                    "undone": "undone" if entry["undone_by"] else ""} for entry in entries]  # fmt: skip
    columns = [("id", "#"), ("at", "when"), ("author", "who"), ("action", "action"),
               ("entity_id", "id"), ("what", "what"), ("undone", "")]  # fmt: skip
    print_rows(entries, output_format, columns)


@click.command("undo")
@click.pass_context
def undo_command(ctx) -> None:
    """Revert your last change (a tag added, edited, removed, restored or imported)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.tags import describe, undo

    project = project_from(ctx)
    entry = undo(project)
    console().print(f"undid {entry['action']} {entry['entity_id'] or ''} ({describe(entry)})")
