"""The command line as a whole: instant startup, one error handler, documented commands."""

from __future__ import annotations

import re
import subprocess
import sys

import click
from conftest import REPO, run_cli

from btslog.cli import COMMANDS, cli


def test_cli_import_pulls_in_no_heavy_library():
    code = (
        "import sys, btslog.cli\n"
        "heavy = {'cv2', 'av', 'numpy', 'opentimelineio', 'sqlalchemy', 'moviepy'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_help_loads_no_heavy_library():
    code = (
        "import sys\n"
        "from btslog.cli import cli\n"
        "try:\n"
        "    cli.main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'cv2', 'av', 'numpy', 'opentimelineio', 'sqlalchemy', 'moviepy'}\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def all_commands():
    """(path, command) for every command and subcommand."""
    context = click.Context(cli)

    def walk(group, prefix):
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            yield f"{prefix}{name}", command
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix}{name} ")

    yield from walk(cli, "")


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    for path, command in all_commands():
        assert command.help and command.help.strip(), f"`btslog {path}` has no help"
        assert re.search(rf"btslog {re.escape(path)}\b", readme), f"README lacks `btslog {path}`"
    assert set(COMMANDS) <= {path for path, _ in all_commands()}


def test_user_errors_exit_1_without_traceback(tmp_path):
    result = run_cli("tc", "00:01:00;00", "--rate", "29.97")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "00:01:00;00" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli("tc", "00:01:00;00", "--rate", "29.97", env={"BTSLOG_DEBUG": "1"})
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_internal_errors_exit_3(tmp_path, monkeypatch):
    code = (
        "import btslog.cli as c, click\n"
        "@c.cli.command('boom')\n"
        "def boom():\n"
        "    'Fails.'\n"
        "    raise RuntimeError('kaput')\n"
        "c.main(['boom'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 3
    assert "internal error: RuntimeError: kaput" in result.stderr
    assert "BTSLOG_DEBUG=1" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_1_not_2():
    result = run_cli("clips", "--format", "yaml")
    assert result.returncode == 1
    assert "yaml" in result.stderr


def test_version():
    result = run_cli("--version", check=0)
    assert result.stdout.startswith("btslog, version ")
