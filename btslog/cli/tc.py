"""``btslog tc``: the editor's timecode calculator."""

from __future__ import annotations

import re

import click

OUTPUTS = ("tc", "frames", "seconds")
_OPERATOR_RE = re.compile(r"\s*([+-])\s*")


@click.command(
    "tc",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True},
)
@click.argument("values", nargs=-1, required=True, metavar="VALUE...")
@click.option(
    "--rate",
    "-r",
    "rate_text",
    metavar="RATE",
    help="Frame rate: 23.976, 24, 25, 29.97, 30, 47.952, 48, 50, 59.94, 60, or an exact ratio "
    "such as 30000/1001.  Default: the project's rate.",
)
@click.option(
    "--to",
    "-t",
    "output",
    type=click.Choice(OUTPUTS),
    default="tc",
    show_default=True,
    help="Print timecode, a frame count, or seconds (exact decimals, up to 6 places).",
)
@click.option(
    "--df/--ndf",
    "drop_frame",
    default=None,
    help="Print drop-frame or non-drop-frame timecode.  Default: drop-frame when any input "
    "timecode is written drop-frame (;), else non-drop-frame.",
)
@click.pass_context
def tc_command(
    ctx: click.Context,
    values: tuple[str, ...],
    rate_text: str | None,
    output: str,
    drop_frame: bool | None,
) -> None:
    """Convert timecode, frames and seconds, and add or subtract them.

    Each VALUE is a timecode (01:00:00:00; drop-frame 01:00:00;00 at 29.97 and 59.94), a
    frame count (240 or 240f) or seconds (10s, 1.5s).  Without + or -, each VALUE is
    converted and printed on its own line.  With them (as separate words, or glued to a
    value as in -2s), the expression is computed in whole frames and printed once.

    A timecode counts labels from 00:00:00:00 in the mode its separator shows, so adding
    00:01:00;02 at 29.97 adds 1800 frames.  Timecode output wraps at midnight; frame and
    second output does not.  With only frames or seconds as input at 29.97 or 59.94, the
    output is non-drop-frame unless --df is given.  Quote drop-frame timecode in the shell,
    where ; ends a command.

    \b
    Examples:
      btslog tc 17982 --rate 29.97 --df                    # 00:10:00;00
      btslog tc '00:10:00;00' --rate 29.97 --to frames     # 17982
      btslog tc 01:00:00:00 + 00:00:10:00 --rate 24        # 01:00:10:00
      btslog tc 23:59:59:23 + 1f --rate 24                 # 00:00:00:00
      btslog tc 01:00:00:00 - 2s --rate 25 --to seconds    # 3598
      btslog tc '01:00:00;00' --rate 29.97 --ndf           # 00:59:56:12
      btslog tc 90s 240f 1.5s --rate 23.976                # one line each
    """
    from btslog.errors import TimecodeError
    from btslog.timecode import (
        format_seconds,
        format_timecode,
        frames_to_seconds,
        is_drop_frame_string,
        parse_duration,
        rate_label,
        supports_drop_frame,
    )

    rate = _rate(ctx, rate_text)
    if drop_frame and not supports_drop_frame(rate):
        raise TimecodeError(
            f"--df: drop-frame timecode does not exist at {rate_label(rate)} fps",
            hint="drop-frame exists only at 29.97 and 59.94; leave out --df",
        )
    expression = _expression(values)
    if expression is None:
        expression_terms, inputs = None, list(values)
    else:
        expression_terms, inputs = expression, [operand for _, operand in expression]
    if drop_frame is None:
        drop_frame = any(is_drop_frame_string(text) for text in inputs)

    def show(frames: int) -> str:
        if output == "frames":
            return str(frames)
        if output == "seconds":
            return format_seconds(frames_to_seconds(frames, rate))
        return format_timecode(frames, rate, drop_frame)

    if expression_terms is None:
        # Every value is read before anything is printed: no half output on a bad value.
        lines = [show(parse_duration(text, rate)) for text in inputs]
    else:
        total = 0
        for sign, operand in expression_terms:
            frames = parse_duration(operand, rate)
            total += -frames if sign == "-" else frames
        lines = [show(total)]
    click.echo("\n".join(lines))


def _rate(ctx: click.Context, rate_text: str | None):
    from btslog.errors import ProjectError, TimecodeError
    from btslog.timecode import parse_rate

    if rate_text is not None:
        return parse_rate(rate_text)
    from btslog.cli.context import project_from

    try:
        return project_from(ctx).rate
    except ProjectError as error:
        raise TimecodeError(
            f"no --rate given, and no project rate to use ({error.message})",
            hint="pass --rate, e.g. --rate 23.976, or run inside a project",
        ) from error


def _expression(values: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """``[(sign, operand), ...]`` when ``values`` hold + or -, else None (convert each)."""
    from btslog.errors import TimecodeError

    if not any("+" in value or "-" in value for value in values):
        return None
    parts = _OPERATOR_RE.split(" ".join(value.strip() for value in values).strip())
    # parts alternate operand, operator, operand, ...; a leading sign leaves "" first.
    terms: list[tuple[str, str]] = []
    for index in range(0, len(parts), 2):
        operand = parts[index].strip()
        sign = parts[index - 1] if index else "+"
        if not operand:
            if index == 0:
                continue  # a leading sign: "-2s" is 0 - 2s
            raise TimecodeError(
                f"expression {' '.join(values)!r} is missing a value after {sign!r}",
                hint="write e.g. 01:00:00:00 + 00:00:10:00 - 12f",
            )
        if " " in operand:
            first, second = operand.split(" ", 1)
            raise TimecodeError(
                f"expression {' '.join(values)!r} has no + or - between {first!r} and "
                f"{second.split(' ')[0]!r}",
                hint="write e.g. 01:00:00:00 + 00:00:10:00; without + or -, give values "
                "to convert only",
            )
        terms.append((sign, operand))
    return terms
