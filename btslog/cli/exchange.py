"""``btslog export markers``, ``btslog export timeline`` and ``btslog import markers``: NLE
marker files and timelines."""

from __future__ import annotations

import click

FORMAT_NAMES = ["resolve-edl", "premiere-xml", "fcpxml", "avid", "otio", "csv", "json", "srt",
                "vtt"]  # fmt: skip
TIMELINE_FORMAT_NAMES = ["edl", "premiere-xml", "fcpxml", "otio"]
FCPXML_VERSIONS = ["1.9", "1.10", "1.11"]


@click.group("export")
def export_group() -> None:
    """Write tags as marker files and timelines for Premiere, Resolve, Final Cut Pro, Avid."""


@export_group.command("markers")
@click.option("--format", "format_name", type=click.Choice(FORMAT_NAMES), required=True,
              help="resolve-edl (Resolve: Timelines > Import > Timeline Markers from EDL), "
              "premiere-xml (Premiere: File > Import), fcpxml (Final Cut Pro: File > Import > "
              "XML), avid (Media Composer: Markers > Import Markers), otio, csv, json, srt, vtt.")  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(),
              help="File to write; a folder for per-clip formats with several clips.")  # fmt: skip
@click.option("--clip", help="Only this clip (name, id or path).")
@click.option("--camera", help="Only this camera.")
@click.option("--day", help="Only this shoot day (YYYY-MM-DD).")
@click.option("--all", "all_clips", is_flag=True, help="Every clip with tags (the default).")
@click.option("--cut", help="The tags of this cut.")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeat).")
@click.option("--fcpxml-version", type=click.Choice(FCPXML_VERSIONS), default="1.10",
              show_default=True, help="FCPXML version (Resolve reads up to 1.10).")  # fmt: skip
@click.option("--xmeml-version", type=click.Choice(["4", "5"]), default="5", show_default=True,
              help="FCP7 XML version for premiere-xml.")  # fmt: skip
@click.option("--transcript", is_flag=True,
              help="End each note with the words said in its range (transcripts).")  # fmt: skip
@click.pass_context
def export_markers_command(ctx, format_name, output, clip, camera, day, all_clips, cut, kinds,
                           fcpxml_version, xmeml_version, transcript) -> None:  # fmt: skip
    """Export tags as markers at the cameras' time-of-day timecode (drop-frame where the
    clip is), with kind, note, colour and rating.

    Marker colours per kind come from presets/markers.toml; override them in btslog.toml
    ([markers.flub] resolve = "ResolveColorPink").  For per-clip formats (resolve-edl,
    avid, srt, vtt) with several clips, -o is a folder and each clip gets its own file.
    """
    from btslog.cli.context import console, project_from
    from btslog.errors import InvalidInput
    from btslog.ops.exchange import export_markers

    if all_clips and (clip or camera or day):
        raise InvalidInput("--all exports every clip: leave out --clip, --camera and --day")
    project = project_from(ctx)
    options = {}
    if format_name == "fcpxml":
        options["version"] = fcpxml_version
    elif format_name == "premiere-xml":
        options["version"] = int(xmeml_version)
    written = export_markers(project, format_name, output, clip=clip, camera=camera, day=day,
                             kinds=kinds, cut=cut, options=options,
                             transcript=transcript)  # fmt: skip
    for path in written:
        console().print(f"wrote {path}")


@export_group.command("timeline")
@click.option("--cut", "cut_name", required=True, help="The cut to export (see `btslog cut list`).")
@click.option("--format", "format_name", type=click.Choice(TIMELINE_FORMAT_NAMES),
              help="edl (CMX 3600: Resolve, Premiere, Avid), premiere-xml (FCP7 XML: Premiere "
              "File > Import, Resolve), fcpxml (Final Cut Pro File > Import > XML, Resolve), "
              "otio (Resolve 18.5+, OTIO tools).  Default: from the suffix of -o "
              "(.edl .xml .fcpxml .otio).")  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(),
              help="File to write (a folder: <cut name>.<suffix> in it).")  # fmt: skip
@click.option("--fcpxml-version", type=click.Choice(FCPXML_VERSIONS), default="1.10",
              show_default=True, help="FCPXML version (Resolve reads up to 1.10).")  # fmt: skip
@click.pass_context
def export_timeline_command(ctx, cut_name, format_name, output, fcpxml_version) -> None:
    """Export a cut as a timeline that references the original media at the cameras'
    time-of-day timecode, for the editor to conform in the NLE.

    Segments follow each other from 01:00:00:00 at the project's rate; clips at other rates
    keep their own timecode.  Segments whose faces btslog's render blurs (consent) are
    flagged: a red marker or locator and a comment "faces blurred in btslog render
    (consent)", a red label in Premiere, a to-do marker and keyword in Final Cut Pro.  A
    segment of a clip whose faces were not scanned (`btslog faces scan`) is flagged too.
    """
    from btslog.cli.context import console, project_from
    from btslog.ops.cuts import get_cut
    from btslog.ops.exchange import export_timeline
    from btslog.ops.render import blurred_segments

    project = project_from(ctx)
    cut = get_cut(project, cut_name)
    # failing closed: every segment of a clip not scanned (or scanned before the register's
    # photos changed) counts as blurred, as the render would refuse or blur it
    blurred = blurred_segments(project, cut, strict=False)
    path = export_timeline(project, cut, format_name=format_name, output=output,
                           blurred=blurred, fcpxml_version=fcpxml_version)  # fmt: skip
    flagged = f", {len(blurred)} flagged: faces blurred" if blurred else ""
    console().print(f"wrote {path} ({len(cut.segments)} segments{flagged})")


def _add_transcript_export() -> None:
    """``btslog export transcript`` lives with the other analysis commands."""
    from btslog.cli.analyze import export_transcript_command

    export_group.add_command(export_transcript_command)


_add_transcript_export()


@click.group("import")
def import_group() -> None:
    """Read marker files from an NLE back as tags."""


@import_group.command("markers")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--clip", help="The clip the markers belong to (for files that name none).")
@click.option("--format", "format_name", type=click.Choice(FORMAT_NAMES),
              help="Default: from the file's suffix (.edl .xml .fcpxml .txt .otio .csv .json).")  # fmt: skip
@click.pass_context
def import_markers_command(ctx, file, clip, format_name) -> None:
    """Import the markers of FILE as tags (source import:FORMAT), all or nothing.

    Markers btslog wrote come back with their kind, scene/take, rating, circled/NG and people
    (carried in the marker name); markers typed in the NLE get their kind from their colour.
    `btslog undo` takes the whole import back.
    """
    from btslog.cli.context import console, project_from
    from btslog.ops.exchange import import_markers

    project = project_from(ctx)
    ids = import_markers(project, file, clip=clip, format_name=format_name)
    console().print(f"imported {len(ids)} markers from {file} as tags {ids[0]}-{ids[-1]}")
