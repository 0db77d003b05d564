"""What every command needs from the click context: the open project, a console."""

from __future__ import annotations

import click


def project_from(ctx: click.Context):
    """Open the project chosen by ``--project``, ``$BTSLOG_PROJECT`` or the current folder."""
    from btslog.ops.project import open_project

    root = ctx.find_root()
    return open_project((root.obj or {}).get("project_dir"))


def console(stderr: bool = False):
    """A rich console; piped into a file or another program, tables keep whole lines."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    return Console(stderr=stderr, highlight=False, width=width, soft_wrap=False)
