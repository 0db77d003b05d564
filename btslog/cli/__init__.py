"""The ``btslog`` command line.

This package is the only place that prints or exits.  Each command group lives in its own
small module and is imported only when it runs (or when help lists it), and command modules
import the library (``btslog.ops``) inside their functions, so ``btslog --help`` stays instant.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from btslog import __version__
from btslog.errors import EXIT_INTERNAL_ERROR, EXIT_USER_ERROR, BtslogError

# command name -> "module:attribute"; each module is a small file in this package.
COMMANDS: dict[str, str] = {
    "init": "btslog.cli.project:init_command",
    "analyze": "btslog.cli.analyze:analyze_command",
    "blur": "btslog.cli.faces:blur_command",
    "clips": "btslog.cli.clips:clips_group",
    "cut": "btslog.cli.cuts:cut_group",
    "export": "btslog.cli.exchange:export_group",
    "faces": "btslog.cli.faces:faces_group",
    "history": "btslog.cli.tags:history_command",
    "import": "btslog.cli.exchange:import_group",
    "ingest": "btslog.cli.ingest:ingest_command",
    "log": "btslog.cli.log:log_group",
    "people": "btslog.cli.people:people_group",
    "probe": "btslog.cli.probe:probe_command",
    "proxies": "btslog.cli.proxies:proxies_command",
    "render": "btslog.cli.render:render_command",
    "review": "btslog.cli.review:review_group",
    "search": "btslog.cli.analyze:search_command",
    "suggestions": "btslog.cli.analyze:suggestions_group",
    "sync": "btslog.cli.analyze:sync_command",
    "tag": "btslog.cli.tags:tag_group",
    "tags": "btslog.cli.tags:tags_command",
    "takes": "btslog.cli.tags:takes_command",
    "tc": "btslog.cli.tc:tc_command",
    "undo": "btslog.cli.tags:undo_command",
    "verify": "btslog.cli.ingest:verify_command",
    "samples": "btslog.cli.samples:samples_group",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, cmd_name)


def report_error(error: BtslogError) -> None:
    """Print a user-facing error (and its hint) to stderr."""
    click.secho(f"error: {error.message}", fg="red", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="btslog")
@click.option(
    "--project",
    "project_dir",
    envvar="BTSLOG_PROJECT",
    type=click.Path(file_okay=False, path_type=str),
    help="Project folder (default: $BTSLOG_PROJECT, else the nearest folder upwards "
    "holding btslog.toml).",
)
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None) -> None:
    """Ingest, log, review, anonymize and cut behind-the-scenes footage.

    Time is shown as time-of-day timecode everywhere: the camera's, moved onto the reference
    camera's clock once `btslog sync` has aligned cameras by sound (NLE files keep the
    camera's own).  Set BTSLOG_DEBUG=1 to see tracebacks.
    """
    ctx.ensure_object(dict)
    ctx.obj["project_dir"] = project_dir


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into a message and an exit code."""
    debug = os.environ.get("BTSLOG_DEBUG", "") not in ("", "0")
    try:
        code = cli.main(args=argv, prog_name="btslog", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        # click's usage errors exit 2; in btslog 2 means "some items failed".
        sys.exit(EXIT_USER_ERROR if isinstance(error, click.UsageError) else error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except BtslogError as error:
        if debug:
            traceback.print_exc()
        report_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # Output piped into a program that closed early (e.g. `| head`): not an error.
        sys.stderr.close()
        sys.exit(0)
    except Exception as error:  # noqa: BLE001 - the one place that catches everything
        if debug:
            traceback.print_exc()
        click.secho(f"internal error: {type(error).__name__}: {error}", fg="red", err=True)
        click.echo(
            "hint: this is a bug in btslog; run again with BTSLOG_DEBUG=1 and report the "
            "traceback.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
