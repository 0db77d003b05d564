"""Printing rows as a table, CSV or JSON: the one shape every list command shares.

Rows are plain dicts with stable keys.  JSON is a list of objects with those keys, sorted as
given; CSV has a header row; the table shows the chosen columns with rich.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from fractions import Fraction

import click

FORMATS = ("table", "csv", "json")

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format; JSON and CSV keep every field with stable names.",
)


def _plain(value: object) -> object:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(_plain(value), sort_keys=True)
    return str(_plain(value))


def print_json(data: object) -> None:
    click.echo(json.dumps(_plain(data), indent=2, ensure_ascii=False))


def print_rows(
    rows: Sequence[dict],
    output_format: str,
    columns: Iterable[tuple[str, str]] | None = None,
    title: str | None = None,
) -> None:
    """Print ``rows`` as ``table`` (only ``columns``: (key, header) pairs), ``csv`` or ``json``."""
    if output_format == "json":
        print_json(list(rows))
        return
    if output_format == "csv":
        keys = list(rows[0]) if rows else [key for key, _ in columns or ()]
        writer = csv.DictWriter(sys.stdout, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(row.get(key)) for key in keys})
        return
    from rich.table import Table

    from btslog.cli.context import console

    columns = list(columns or [(key, key) for key in (rows[0] if rows else {})])
    table = Table(title=title, show_lines=False, header_style="bold")
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in columns))
    console().print(table)
