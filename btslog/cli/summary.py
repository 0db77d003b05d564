"""Per-file summaries of batch commands, and their exit code (2 when any file failed)."""

from __future__ import annotations

from collections import Counter

from btslog.errors import PartialFailure


def print_summary(results, verb: str, *, raise_on_failure: bool = True) -> None:
    """Print one line per file that did not simply succeed, then the counts.

    Raises :class:`PartialFailure` (exit code 2) when any file failed, unless told not to
    (the caller has more to do first and calls :func:`raise_for_failures` itself).
    """
    from rich.table import Table

    from btslog.cli.context import console as make_console

    counts = Counter(result.status for result in results)
    # Skipped files are counted, not listed; failures and anything unusual are listed.
    notable = [result for result in results
               if result.status == "failed" or (result.status == "added" and result.reason)]  # fmt: skip
    console = make_console()
    if notable:
        table = Table(show_header=True, header_style="bold")
        table.add_column("file", overflow="fold")
        table.add_column("result")
        table.add_column("reason", overflow="fold")
        for result in notable:
            style = {"failed": "red", "skipped": "yellow"}.get(result.status, "")
            table.add_row(result.path, f"[{style}]{result.status}[/]" if style else result.status,
                          result.reason)  # fmt: skip
        console.print(table)
    parts = [f"{counts.get('added', 0)} {verb}"]
    parts += [
        f"{counts[status]} {status}" for status in ("skipped", "failed") if counts.get(status)
    ]
    console.print(", ".join(parts))
    if raise_on_failure:
        raise_for_failures(results)


def raise_for_failures(results) -> None:
    """Exit code 2 (:class:`PartialFailure`) when any item of a batch failed."""
    failed = sum(result.status == "failed" for result in results)
    if failed:
        raise PartialFailure(
            f"{failed} of {len(results)} files failed; the others completed",
            hint="fix the files named above and run the same command again",
        )
