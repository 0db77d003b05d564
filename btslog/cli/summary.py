"""Per-file summaries of batch commands, and their exit code (2 when any file failed)."""

from __future__ import annotations

from collections import Counter

from btslog.errors import PartialFailure


def print_summary(results, verb: str) -> None:
    """Print one line per file that did not simply succeed, then the counts.

    Raises :class:`PartialFailure` (exit code 2) when any file failed.
    """
    from rich.table import Table

    from btslog.cli.context import console as make_console

    counts = Counter(result.status for result in results)
    notable = [result for result in results if result.status != "added" or result.reason]
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
    if counts.get("failed"):
        raise PartialFailure(
            f"{counts['failed']} of {len(results)} files failed; the others completed",
            hint="fix the files named above and run the same command again",
        )
