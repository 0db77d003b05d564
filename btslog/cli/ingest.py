"""``btslog ingest`` and ``btslog verify``: offloading cards and checking the copies."""

from __future__ import annotations

import click


def _byte_progress(console, description: str, total: int):
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    return bar, bar.add_task(description, total=total)


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@click.option("--camera", required=True, help="Camera letter or name, e.g. A.")
@click.option("--roll", required=True, help="Roll or card name, e.g. A001.")
@click.option("--operator", help="Camera operator.")
@click.option("--day", help="Shoot day YYYY-MM-DD (default: the first clip's recording date).")
@click.option(
    "--link", is_flag=True, help="Register the clips where they are instead of copying them."
)
@click.option("--no-proxies", is_flag=True, help="Skip proxies and pictures (`btslog proxies`).")
@click.option("--workers", type=click.IntRange(1, 64), help="Parallel proxy jobs (default: cores).")
@click.pass_context
def ingest_command(ctx, sources, camera, roll, operator, day, link, no_proxies, workers) -> None:
    """Offload camera cards: verified copies into media/<day>/<camera>/<roll>/, ASC MHL.

    Every file of each SOURCE (a card's root folder, any folder, or single files) is copied
    keeping the card's structure, hashed (xxh64) in the same read, re-read from the
    destination and verified, then moved to its name; the roll's ASC MHL history records it,
    and every clip is probed and registered.  Hidden and system files are left behind.
    Run the same command again after an interruption: verified files are skipped and the
    rest is finished.  A file whose name is taken by a different file is kept beside it
    (NAME_2.MP4).  Exit code 2 when any file failed (each is named with the reason).
    """
    from btslog.cli.context import console, project_from
    from btslog.cli.summary import print_summary
    from btslog.ops import ingest as ingest_ops

    project = project_from(ctx)
    err = console(stderr=True)
    if link:
        with err.status("registering") as status:
            results = ingest_ops.link(
                project, sources, camera=camera, roll=roll, operator=operator, day=day,
                on_file=lambda path: status.update(f"probing and hashing {path}"),
            )  # fmt: skip
        print_summary(results, "registered", raise_on_failure=False)
        _after_copy(project, results, no_proxies=no_proxies, workers=workers)
        return
    plan = ingest_ops.plan_ingest(project, sources, camera=camera, roll=roll, day=day)
    err.print(f"{len(plan.files)} files -> {project.stored_path(plan.roll_folder)}/")
    bar, task = _byte_progress(err, "copying", plan.total_bytes * 2)
    with bar:
        results = ingest_ops.ingest(
            project, plan, camera=camera, roll=roll, operator=operator,
            on_bytes=lambda count: bar.advance(task, count),
            on_file=lambda name: bar.update(task, description=f"copying {name}"),
        )  # fmt: skip
        bar.update(task, description="copied", completed=plan.total_bytes * 2)
    print_summary(results, "copied and verified", raise_on_failure=False)
    _after_copy(project, results, no_proxies=no_proxies, workers=workers)


def _after_copy(project, results, *, no_proxies: bool, workers: int | None) -> None:
    from btslog.cli.summary import raise_for_failures

    if not no_proxies:
        from btslog.cli.proxies import run_proxies

        clips = [result.clip for result in results if result.clip is not None]
        run_proxies(project, clips, workers=workers, force=False, fail=False)
    raise_for_failures(results)


@click.command("verify")
@click.option("--roll", help="Only this roll.")
@click.option("--all", "all_rolls", is_flag=True, help="Every roll and linked clip (default).")
@click.pass_context
def verify_command(ctx, roll, all_rolls) -> None:
    """Re-hash the project's media against the database and each roll's ASC MHL.

    Names files that are missing, modified (their xxh64 changed) or extra (on disk in a roll
    folder but not recorded).  Exit code 2 on any of them.
    """
    from btslog.cli.context import console, project_from
    from btslog.cli.output import print_rows
    from btslog.errors import InvalidInput, PartialFailure
    from btslog.ops.verify import verify

    if roll and all_rolls:
        raise InvalidInput("give --roll or --all, not both")
    project = project_from(ctx)
    err = console(stderr=True)
    with err.status("verifying") as status:
        rows = verify(project, roll=roll, on_file=lambda path: status.update(f"hashing {path}"))
    problems = [row for row in rows if row.status != "ok"]
    if problems:
        print_rows([vars(row) for row in problems], "table",
                   [("path", "file"), ("status", "status"), ("detail", "detail")])  # fmt: skip
    counts = {status: sum(row.status == status for row in rows) for status in
              ("ok", "missing", "modified", "extra")}  # fmt: skip
    console().print(", ".join(f"{count} {status}" for status, count in counts.items() if count)
                    or "nothing to verify")  # fmt: skip
    if problems:
        raise PartialFailure(
            f"{len(problems)} files do not match what was recorded",
            hint="restore missing or modified files from the card or a backup copy",
        )
