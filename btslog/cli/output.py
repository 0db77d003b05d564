"""Printing rows as a table, CSV or JSON: the one shape every list command shares.

Rows are plain dicts with stable keys.  JSON is a list of objects with those keys, sorted as
given, one object a line; CSV has a header row; the table shows the chosen columns in rich's
box, folded to the terminal's width.  Tables are drawn here in one pass over the cells rather
than by rich's Table, which lays out only a few hundred rows a second (seconds for
``btslog tags`` on a big project).
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
    if isinstance(value, str):  # most cells: first, as a table has tens of thousands
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(_plain(value), sort_keys=True)
    return str(_plain(value))


def _csv_cell(value: object) -> str:
    """A CSV cell: text as a spreadsheet shows it and never runs it as a formula (numbers,
    negative ones too, stay numbers)."""
    if isinstance(value, str):
        from btslog.exchange.tabular import spreadsheet_safe

        return spreadsheet_safe(value)
    return _cell(value)


def _json_value(value: object) -> object:
    """What JSON cannot hold as it is (a Fraction), as :func:`_plain` writes it."""
    if isinstance(value, Fraction):
        return _plain(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def print_json(data: object) -> None:
    # json converts Fractions on its way through (``default``): no copy of every row first.
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_value))


def print_rows(
    rows: Sequence[dict],
    output_format: str,
    columns: Iterable[tuple[str, str]] | None = None,
    title: str | None = None,
) -> None:
    """Print ``rows`` as ``table`` (only ``columns``: (key, header) pairs), ``csv`` or ``json``."""
    if output_format == "json":
        # One object a line: the C encoder writes each (indent= takes json's pure-Python path,
        # a third of the time of `btslog tags` on thousands of rows), and a row greps whole.
        lines = [json.dumps(row, ensure_ascii=False, default=_json_value) for row in rows]
        click.echo("[\n" + ",\n".join(lines) + "\n]" if lines else "[]")
        return
    if output_format == "csv":
        keys = list(rows[0]) if rows else [key for key, _ in columns or ()]
        writer = csv.DictWriter(sys.stdout, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_cell(row.get(key)) for key in keys})
        return
    columns = list(columns or [(key, key) for key in (rows[0] if rows else {})])
    _table(rows, columns, title, _terminal_width())


def _terminal_width() -> int:
    """The width tables are drawn to, as :func:`btslog.cli.context.console` has it: the
    terminal's, ``$COLUMNS``, or 200 when printing into a file or a pipe (whole lines)."""
    import os
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else 200


def _table(
    rows: Sequence[dict], columns: list[tuple[str, str]], title: str | None, width: int
) -> None:
    """``rows`` in rich's default box, drawn in one pass: each column as wide as its widest
    cell, the widest columns narrowed until the table fits ``width``, long cells folded.
    Cells are text as typed (a note "[/b]" is not markup)."""
    if not columns:
        if title:
            click.echo(title)
        return
    headers = [header for _, header in columns]
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [[_width(text) for text in line] for line in cells]
    natural = [max(column) for column in zip([_width(h) for h in headers], *widths, strict=True)]
    wordy = [any(" " in line[index] for line in cells) for index in range(len(columns))]
    sizes = _column_sizes(natural, wordy, width - 3 * len(columns) - 1)  # less borders, padding

    def lines_of(texts: list[str], text_widths: list[int], side: str) -> list[str]:
        if all(w <= size for w, size in zip(text_widths, sizes, strict=True)) and not any(
            "\n" in text for text in texts
        ):  # the usual case: every cell on one line
            padded = [f" {text}{' ' * (size - w)} "
                      for text, w, size in zip(texts, text_widths, sizes, strict=True)]  # fmt: skip
            return [side + side.join(padded) + side]
        parts = [
            [text] if w <= size and "\n" not in text else _fold(text, size)
            for text, w, size in zip(texts, text_widths, sizes, strict=True)
        ]
        lines = []
        for index in range(max(len(part) for part in parts)):
            pieces = [part[index] if index < len(part) else "" for part in parts]
            padded = [
                f" {_padded(piece, size)} " for piece, size in zip(pieces, sizes, strict=True)
            ]
            lines.append(side + side.join(padded) + side)
        return lines

    out = []
    if title:
        out.append(title.center(sum(sizes) + 3 * len(sizes) + 1).rstrip())
    out.append("┏" + "┳".join("━" * (size + 2) for size in sizes) + "┓")
    header_widths = [_width(header) for header in headers]
    out.extend(click.style(line, bold=True) for line in lines_of(headers, header_widths, "┃"))
    out.append("┡" + "╇".join("━" * (size + 2) for size in sizes) + "┩")
    for line, line_widths in zip(cells, widths, strict=True):
        out.extend(lines_of(line, line_widths, "│"))
    out.append("└" + "┴".join("─" * (size + 2) for size in sizes) + "┘")
    click.echo("\n".join(out))


def _column_sizes(natural: list[int], wordy: list[bool], room: int) -> list[int]:
    """Column widths that fit ``room``: columns of words (notes, people), which wrap well,
    are narrowed first, the widest first, down to 12; then any column, the widest first."""
    sizes = list(natural)
    excess = sum(sizes) - room
    wordy_columns = [index for index, words in enumerate(wordy) if words]
    for narrowable, floor in ((wordy_columns, 12), (range(len(sizes)), 1)):
        while excess > 0:
            widest = max(narrowable, key=lambda i: (sizes[i], i), default=None)
            if widest is None or sizes[widest] <= floor:
                break
            sizes[widest] -= 1
            excess -= 1
    return sizes


def _padded(text: str, size: int) -> str:
    """``text`` and spaces up to ``size`` terminal columns."""
    return text.ljust(size) if text.isascii() else text + " " * (size - _width(text))


def _width(text: str) -> int:
    """Terminal columns of ``text``'s longest line (wide characters take two)."""
    if "\n" in text:
        return max(_width(line) for line in text.split("\n"))
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _fold(text: str, size: int) -> list[str]:
    """The lines of a cell ``size`` columns wide: its own lines, each wrapped at words (a word
    longer than the column is cut, as rich's ``overflow="fold"`` does)."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        lines.extend([line] if _width(line) <= size else textwrap.wrap(line, size) or [""])
    return lines
