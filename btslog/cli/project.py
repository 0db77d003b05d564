"""``btslog init``: create a project."""

from __future__ import annotations

import click


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="Project name, e.g. the production's title.")
@click.option(
    "--rate",
    default="23.976",
    show_default=True,
    help="Default frame rate: 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60 or NUM/DEN.",
)
def init_command(directory: str, name: str, rate: str) -> None:
    """Create a project in DIRECTORY: btslog.toml and the database btslog.db."""
    from btslog.ops.project import init_project

    project = init_project(directory, name=name, rate=rate)
    click.echo(
        f"created project {project.name!r} in {project.root} at {project.config['project']['rate']} fps"
    )
