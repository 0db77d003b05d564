"""``btslog probe``: what a media file is."""

from __future__ import annotations

import click

from btslog.errors import PartialFailure


def media_row(info) -> dict:
    from btslog.timecode import format_timecode, rate_label

    return {
        "path": info.path,
        "container": info.container,
        "codec": info.codec,
        "width": info.width,
        "height": info.height,
        "rate": f"{info.rate.numerator}/{info.rate.denominator}",
        "rate_label": rate_label(info.rate),
        "vfr": info.vfr,
        "duration_frames": info.duration_frames,
        "start_tc": format_timecode(info.start_frame, info.rate, info.drop_frame),
        "drop_frame": info.drop_frame,
        "timecode_source": info.timecode_source,
        "reel": info.reel,
        "creation_time": info.creation_time,
        "pixel_format": info.pixel_format,
        "audio": [
            {
                "index": stream.index,
                "codec": stream.codec,
                "channels": stream.channels,
                "sample_rate": stream.sample_rate,
                "layout": stream.layout,
            }
            for stream in info.audio
        ],
        "size_bytes": info.size_bytes,
    }


@click.command("probe")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list with stable field names.")
@click.pass_context
def probe_command(ctx: click.Context, files: tuple[str, ...], as_json: bool) -> None:
    """Show container, codec, size, exact frame rate, duration and camera timecode of FILES.

    A file that cannot be read is named with the reason; the others are still shown.  Exit
    code 1 when no file could be read, 2 when some could not.
    """
    from btslog.cli import report_error
    from btslog.cli.output import print_json
    from btslog.errors import BtslogError
    from btslog.media.probe import probe

    rows, failed = [], 0
    for path in files:
        try:
            rows.append(media_row(probe(path)))
        except BtslogError as error:
            failed += 1
            report_error(error)
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            click.echo(describe(row))
    if failed == len(files):
        ctx.exit(1)
    if failed:
        raise PartialFailure(f"{failed} of {len(files)} files could not be probed")


def describe(row: dict) -> str:
    audio = "; ".join(
        f"{stream['codec']} {stream['channels']}ch {stream['sample_rate']} Hz"
        for stream in row["audio"]
    )
    return (
        f"{row['path']}\n"
        f"  {row['container']} / {row['codec']} {row['width']}x{row['height']}"
        f" {row['pixel_format'] or ''}\n"
        f"  rate {row['rate_label']} ({row['rate']}){' VFR' if row['vfr'] else ''}"
        f"{' drop-frame' if row['drop_frame'] else ''}\n"
        f"  start {row['start_tc']} ({row['timecode_source']})"
        f"  duration {row['duration_frames']} frames\n"
        f"  reel {row['reel'] or '-'}  created {row['creation_time'] or '-'}\n"
        f"  audio {audio or 'none'}"
    )
