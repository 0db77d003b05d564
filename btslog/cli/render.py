"""``btslog render``: a cut to a finished file, faces blurred by the consent policy."""

from __future__ import annotations

import click


@click.command("render")
@click.argument("cut", required=False)
@click.option("--preset", "preset_name", default="featurette-1080p", show_default=True,
              help="Render preset (presets/render.toml, or [render.presets.NAME] in "
              "btslog.toml).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (.mp4, or .mov for master-prores); OUTPUT.manifest.json "
              "is written beside it.")  # fmt: skip
@click.option("--crossfade", metavar="DUR",
              help="Dissolve between segments, e.g. 0.5s or 12f (0s: cuts); overrides the "
              "preset's.  Each dissolve makes the render shorter by its length.")  # fmt: skip
@click.option("--list-presets", is_flag=True, help="List the render presets and exit.")
@click.pass_context
def render_command(ctx, cut, preset_name, output, crossfade, list_presets) -> None:
    """Render CUT with a preset: title card, lower-third labels, loudness-normalised sound.

    Segments of any rate, size or variable frame rate are conformed to the preset, each
    first and last frame exactly the source's.  Faces the consent policy blurs are hidden in
    the segments that show them; a clip not scanned for faces is refused.  Writes
    OUTPUT.manifest.json: the preset's values, every segment's source and timecode, the
    consent decisions applied, the loudness reached, the output's sha256.
    """
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from btslog.cli.context import console, project_from
    from btslog.errors import InvalidInput

    project = project_from(ctx)
    if list_presets:
        from btslog.cli.output import print_rows
        from btslog.ops.render import preset_rows

        columns = [("name", "preset"), ("size", "size"), ("rate", "rate"), ("video", "video"),
                   ("audio", "audio"), ("loudness", "LUFS"), ("file", "file"),
                   ("description", "for")]  # fmt: skip
        print_rows(preset_rows(project), "table", columns, title="render presets")
        return
    if not cut or not output:
        raise InvalidInput("name the cut and the output: btslog render CUT -o FILE",
                           hint="see `btslog cut list` for the cuts, `btslog render "
                           "--list-presets` for the presets")  # fmt: skip
    from btslog.ops.cuts import get_cut
    from btslog.ops.render import blurred_segments, get_preset, render_cut

    preset = get_preset(project, preset_name, crossfade=crossfade)  # refusals before the bar
    chosen = get_cut(project, cut)
    blurred = blurred_segments(project, chosen) if chosen.segments else frozenset()
    columns = (TextColumn(f"rendering {chosen.name} ({preset.name})"), BarColumn(),
               TaskProgressColumn(), TimeElapsedColumn())  # fmt: skip
    bar = Progress(*columns, console=console(stderr=True))
    task = bar.add_task("render", total=None)

    def progress(done: int, total: int) -> None:
        # Drawn from the first frame of work on: a refused output never shows an empty bar.
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        manifest = render_cut(project, chosen, preset_name, output, crossfade=crossfade,
                              progress=progress)  # fmt: skip
    finally:
        bar.stop()
    people = manifest["consent"]["people_blurred"]
    faces = (f"; faces blurred in {len(blurred)} of {len(chosen.segments)} segments"
             + (f" ({', '.join(people)})" if people else "")) if blurred else ""  # fmt: skip
    loudness = manifest["loudness"]
    level = (f", {loudness['output_integrated']:.1f} LUFS"
             if loudness.get("output_integrated") is not None else "")  # fmt: skip
    console().print(f"wrote {output}: {len(chosen.segments)} segments, "
                    f"{manifest['output']['seconds']} s{level}{faces}")  # fmt: skip
