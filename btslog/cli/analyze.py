"""``btslog analyze``, ``btslog suggestions``, ``btslog sync``, ``btslog search`` and
``btslog export transcript``: automatic suggestions, camera sync and transcripts."""

from __future__ import annotations

import click

from btslog.cli.output import format_option

SUGGESTION_COLUMNS = [("id", "id"), ("clip", "clip"), ("camera", "cam"), ("kind", "kind"),
                      ("in_tc", "in"), ("out_tc", "out"), ("duration_tc", "dur"),
                      ("analyzer", "analyzer"), ("confidence", "conf"), ("scene", "scene"),
                      ("take", "take"), ("note", "note")]  # fmt: skip
ANALYZER_FLAGS = ("speech", "claps", "shots", "sync", "transcribe")


@click.command("analyze")
@click.argument("clips", nargs=-1)
@click.option("--all", "all_clips", is_flag=True, help="Every clip of the project.")
@click.option("--speech", is_flag=True, help="Speech (voice activity): conversation suggestions.")
@click.option("--claps", is_flag=True, help="Slate claps: take suggestions.")
@click.option("--shots", is_flag=True, help="Shot changes: boundary suggestions.")
@click.option("--sync", is_flag=True,
              help="Sync cameras by their sound (pairs of overlapping clips).")  # fmt: skip
@click.option("--transcribe", is_flag=True,
              help="Transcripts (needs the optional extra btslog[transcribe]).")  # fmt: skip
@click.option("--reference", help="The camera others are synced to (default: the first "
              "alphabetically).")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64),
              help="Worker processes (default: one per core).")  # fmt: skip
@click.option("--force", is_flag=True, help="Analyze again even when a cached result exists.")
@click.pass_context
def analyze_command(ctx, clips, all_clips, speech, claps, shots, sync, transcribe, reference,
                    workers, force) -> None:  # fmt: skip
    """Analyze CLIPS (or --all) and store what is found as suggested tags.

    Without analyzer flags: --speech --claps --shots --sync.  Results are cached by the
    file's hash, the analyzer, its version and parameters: running again decodes only what
    changed.  Suggestions (status suggested, source detect:ANALYZER) replace the earlier ones
    of the same analyzer that nobody accepted, rejected or edited; see `btslog suggestions`.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from btslog.cli.context import console, project_from
    from btslog.errors import InvalidInput
    from btslog.ops.analyze import DEFAULT_ANALYZERS, analyze
    from btslog.ops.clips import list_clips, resolve_clip

    project = project_from(ctx)
    if bool(clips) == bool(all_clips):
        raise InvalidInput("name clips to analyze, or give --all (not both)")
    flags = dict(zip(ANALYZER_FLAGS, (speech, claps, shots, sync, transcribe), strict=True))
    analyzers = [name for name, given in flags.items() if given] or list(DEFAULT_ANALYZERS)
    chosen = list_clips(project) if all_clips else [resolve_clip(project, c) for c in clips]
    columns = (TextColumn("analyzing {task.description}"), BarColumn(), MofNCompleteColumn())
    # Drawn on each finished job, not by rich's refresh thread: worker processes are forked,
    # and a fork while another thread holds the terminal's lock can hang a worker.
    with Progress(*columns, console=console(stderr=True), auto_refresh=False) as bar:
        task = bar.add_task("", total=None)

        def started(jobs: int, cached: int) -> None:
            bar.update(task, total=jobs, description=f"({cached} results cached)")
            bar.refresh()

        def finished(job, _outcome) -> None:
            bar.update(task, advance=1, description=job.label)
            bar.refresh()

        report = analyze(project, chosen, analyzers, reference=reference, workers=workers,
                         force=force, on_start=started, on_job=finished)  # fmt: skip
    _print_report(report)


def _print_report(report, *, stderr: bool = False) -> None:
    from collections import Counter

    from btslog.cli.context import console
    from btslog.errors import PartialFailure

    out = console(stderr=stderr)
    counts = Counter(item.status for item in report.items)
    for item in report.failed:
        out.print(f"[red]failed[/] {item.analyzer} {item.subject}: {item.reason}",
                  markup=True, highlight=False)  # fmt: skip
    out.print(f"{counts.get('analyzed', 0)} analyzed, {counts.get('cached', 0)} from the cache"
              + (f", {counts['failed']} failed" if counts.get("failed") else ""))  # fmt: skip
    if report.suggestions:
        added = sum(change.added for change in report.suggestions)
        removed = sum(change.removed for change in report.suggestions)
        kept = sum(change.kept for change in report.suggestions)
        out.print(f"suggestions: {added} new, {kept} unchanged, {removed} replaced "
                  "(see `btslog suggestions`)")  # fmt: skip
    if report.transcript_segments:
        out.print(f"transcripts: {report.transcript_segments} segments")
    if report.sync_skipped:
        out.print(f"sync: skipped, {report.sync_skipped}")
    if report.sync is not None:
        placed = sum(1 for offset in report.sync.values() if offset.method != "reference")
        out.print(f"sync: {placed} clips placed on camera {report.reference}'s clock, "
                  f"{report.sync_changed} offsets changed (see `btslog sync --report`)")  # fmt: skip
    if report.failed:
        raise PartialFailure(
            f"{len(report.failed)} of {len(report.items)} analyses failed; the others completed",
            hint="fix the files named above and run the same command again",
        )


@click.group("suggestions", invoke_without_command=True)
@click.option("--clip", help="Only this clip (name, id or path).")
@click.option("--analyzer", type=click.Choice(["speech", "claps", "shots"]),
              help="Only this analyzer's suggestions.")  # fmt: skip
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeat).")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["suggested", "accepted", "rejected"]),
              help="Suggestions decided already (repeat; default: suggested).")  # fmt: skip
@format_option
@click.pass_context
def suggestions_group(ctx, clip, analyzer, kinds, statuses, output_format) -> None:
    """List automatic suggestions (tags with status suggested), with their ids.

    `btslog suggestions accept ID...|--all` turns them into accepted tags,
    `btslog suggestions reject ID...|--all` dismisses them; `btslog undo` takes either back.
    """
    if ctx.invoked_subcommand is not None:
        return
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.analyze import find_suggestions, suggestion_rows

    project = project_from(ctx)
    tags = find_suggestions(project, clip=clip, analyzer=analyzer, kinds=kinds,
                            statuses=statuses or ("suggested",))  # fmt: skip
    rows = suggestion_rows(project, tags)
    print_rows(rows, output_format, SUGGESTION_COLUMNS, title=f"{len(rows)} suggestions")


def _decide(ctx, tag_ids, every, kinds, clip, analyzer, accept: bool) -> None:
    from btslog.cli.context import console, project_from
    from btslog.ops.analyze import decide_suggestions

    project = project_from(ctx)
    ids = decide_suggestions(project, tag_ids, accept=accept, every=every, kinds=kinds,
                             clip=clip, analyzer=analyzer)  # fmt: skip
    verb = "accepted" if accept else "rejected"
    shown = ", ".join(str(tag_id) for tag_id in ids[:20]) + (" ..." if len(ids) > 20 else "")
    console().print(f"{verb} {len(ids)} suggestion{'s' * (len(ids) != 1)}: {shown} "
                    "(`btslog undo` takes it back)")  # fmt: skip


def _decision_options(function):
    for decorator in reversed([
        click.argument("tag_ids", type=int, nargs=-1),
        click.option("--all", "every", is_flag=True, help="Every suggestion (narrow with "
                     "--kind, --clip, --analyzer)."),
        click.option("--kind", "kinds", multiple=True, help="With --all: only this kind."),
        click.option("--clip", help="With --all: only this clip."),
        click.option("--analyzer", type=click.Choice(["speech", "claps", "shots"]),
                     help="With --all: only this analyzer's."),
    ]):  # fmt: skip
        function = decorator(function)
    return function


@suggestions_group.command("accept")
@_decision_options
@click.pass_context
def suggestions_accept(ctx, tag_ids, every, kinds, clip, analyzer) -> None:
    """Accept suggestions TAG_IDS (or --all): they become accepted tags."""
    _decide(ctx, tag_ids, every, kinds, clip, analyzer, accept=True)


@suggestions_group.command("reject")
@_decision_options
@click.pass_context
def suggestions_reject(ctx, tag_ids, every, kinds, clip, analyzer) -> None:
    """Reject suggestions TAG_IDS (or --all): kept as rejected, never suggested again."""
    _decide(ctx, tag_ids, every, kinds, clip, analyzer, accept=False)


SYNC_COLUMNS = [("clip", "clip"), ("camera", "cam"), ("day", "day"), ("offset_frames", "frames"),
                ("offset_text", "seconds"), ("confidence", "confidence"), ("method", "how"),
                ("matched", "against"), ("camera_start_tc", "camera start"),
                ("synced_start_tc", "synced start")]  # fmt: skip


@click.command("sync")
@click.option("--report", is_flag=True, help="Only print each clip's offset (no analysis).")
@click.option("--clear", is_flag=True, help="Forget every offset: camera timecode again.")
@click.option("--reference", help="The camera others are synced to (default: the first "
              "alphabetically).")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64),
              help="Worker processes (default: one per core).")  # fmt: skip
@format_option
@click.pass_context
def sync_command(ctx, report, clear, reference, workers, output_format) -> None:
    """Sync cameras without shared timecode by their sound, and report the offsets.

    Without options: `btslog analyze --all --sync` (cached pairs are not decoded again),
    then the report.  Each clip's offset (frames at its own rate) is added to its camera's
    timecode wherever btslog shows or reads a time of day; files for NLEs keep the camera's
    own timecode (it is what the media carries).
    """
    from btslog.cli.context import console, project_from
    from btslog.cli.output import print_rows
    from btslog.errors import InvalidInput
    from btslog.ops import sync as sync_ops

    project = project_from(ctx)
    if report and clear:
        raise InvalidInput("give --report or --clear, not both")
    if clear:
        if reference:
            raise InvalidInput("--reference chooses the camera to sync to; --clear forgets sync")
        count = sync_ops.clear(project)
        console().print(f"cleared the sync offsets of {count} clips")
        return
    if not report:
        from btslog.ops.analyze import analyze
        from btslog.ops.clips import list_clips

        result = analyze(project, list_clips(project), ["sync"], reference=reference,
                         workers=workers)  # fmt: skip
        _print_report(result, stderr=output_format != "table")  # stdout: the rows alone
    elif reference:
        raise InvalidInput("--reference applies when syncing; `btslog sync --reference B`")
    rows = sync_ops.report_rows(project)
    print_rows(rows, output_format, SYNC_COLUMNS, title="sync offsets")


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--clip", help="Only this clip (name, id or path).")
@click.option("--camera", help="Only this camera.")
@click.option("--day", help="Only this shoot day (YYYY-MM-DD).")
@format_option
@click.pass_context
def search_command(ctx, words, clip, camera, day, output_format) -> None:
    """Find WORDS (all of them, any case) in transcripts and tag notes, by time of day."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.analyze import search

    project = project_from(ctx)
    rows = search(project, [part for word in words for part in word.split()], clip=clip,
                  camera=camera, day=day)  # fmt: skip
    columns = [("clip", "clip"), ("camera", "cam"), ("in_tc", "in"), ("out_tc", "out"),
               ("match", "found in"), ("tag_id", "tag"), ("text", "text")]  # fmt: skip
    print_rows(rows, output_format, columns, title=f"{len(rows)} found")


@click.command("transcript")
@click.argument("clip")
@click.option("--format", "format_name", type=click.Choice(["srt", "vtt"]), default="srt",
              show_default=True, help="SubRip or WebVTT subtitles.")  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write.")  # fmt: skip
@click.pass_context
def export_transcript_command(ctx, clip, format_name, output) -> None:
    """Write CLIP's transcript as subtitles timed from the clip's first frame."""
    from btslog.cli.context import console, project_from
    from btslog.ops.analyze import export_transcript

    cues = export_transcript(project_from(ctx), clip, format_name, output)
    console().print(f"wrote {output} ({cues} cues)")
