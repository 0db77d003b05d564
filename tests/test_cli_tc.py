"""``btslog tc``, run as a user runs it: exact output, one value per line, clear errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import run_cli

from btslog.cli import cli


def tc(*args: str) -> str:
    """Output of a successful ``btslog tc ARGS`` (in-process, for speed)."""
    result = CliRunner().invoke(cli, ["tc", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (["17982", "--rate", "29.97", "--df"], "00:10:00;00\n"),
        (["00:10:00;00", "--rate", "29.97", "--to", "frames"], "17982\n"),
        (["01:00:00;00", "--rate", "59.94", "--to", "frames"], "215784\n"),
        (["01:00:00:00", "+", "00:00:10:00", "--rate", "24"], "01:00:10:00\n"),
        (["23:59:59:23", "+", "1f", "--rate", "24"], "00:00:00:00\n"),
        (["00:00:00:00", "-", "1f", "--rate", "25"], "23:59:59:24\n"),
        (["01:00:00:00", "-", "2s", "--rate", "25", "--to", "seconds"], "3598\n"),
        (["01:00:00:00", "-2s", "--rate", "25"], "00:59:58:00\n"),
        (["--rate", "24", "01:00:00:00", "+", "10s", "-", "12f", "+1.5s"], "01:00:11:00\n"),
        (["01:00:00:00+10s-12f", "--rate", "24"], "01:00:09:12\n"),
        (["00:10:00;00+1f", "--rate", "29.97"], "00:10:00;01\n"),
        (["-2s", "--rate", "24", "--to", "frames"], "-48\n"),
        (["00:10:00;00", "--rate", "29.97", "--to", "seconds"], "599.9994\n"),
        (["1", "--rate", "23.976", "--to", "seconds"], "0.041708\n"),
        (["01:00:00;00", "--rate", "29.97", "--ndf"], "00:59:56:12\n"),
        (["01:00:00:00", "--rate", "29.97", "--df"], "01:00:03;18\n"),
        (["107892", "--rate", "29.97"], "00:59:56:12\n"),  # frames alone: non-drop-frame
        (["00:10:00;00", "+", "1f", "--rate", "29.97"], "00:10:00;01\n"),  # DF inferred
        (["90s", "240f", "1.5s", "--rate", "23.976"], "00:01:29:22\n00:00:10:00\n00:00:01:12\n"),
        (["240", "10s", "-r", "24", "-t", "frames"], "240\n240\n"),
        (["119", "--rate", "120"], "00:00:00:119\n"),
        (["23:59:59:23", "--rate", "24", "--to", "frames"], "2073599\n"),
        (["00:00:10:00", "--rate", "30000/1001", "--to", "frames"], "300\n"),
    ],
)
def test_outputs(args, output):
    assert tc(*args) == output


def test_subtraction_as_separate_words_through_the_real_entry_point():
    result = run_cli("tc", "01:00:00:00", "-", "00:00:10:00", "--rate", "24", check=0)
    assert result.stdout == "00:59:50:00\n"
    result = run_cli("tc", "01:00:00:00", "-00:00:10:00", "-", "1f", "-r", "24", check=0)
    assert result.stdout == "00:59:49:23\n"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["00:01:00;00", "--rate", "29.97"], "'00:01:00;00' does not exist at 29.97 drop-frame"),
        (["01:00:00;00", "--rate", "25"], "'01:00:00;00' is drop-frame"),
        (["00:00:00:25", "--rate", "25"], "'00:00:00:25' has frame 25"),
        (["24:00:00:00", "--rate", "24"], "'24:00:00:00' has hour 24"),
        (["ten", "--rate", "24"], "'ten' is not a duration"),
        (["1s", "--rate", "nope"], "rate 'nope' is not a frame rate"),
        (["1s", "--rate", "24", "--df"], "--df: drop-frame timecode does not exist at 24 fps"),
        (["1s", "+", "--rate", "24"], "missing a value after '+'"),
        (["1s", "2s", "+", "3s", "--rate", "24"], "no + or - between '1s' and '2s'"),
        (["1s", "00:00:00:99", "--rate", "24"], "has frame 99"),  # nothing printed first
    ],
)
def test_errors_exit_1_with_a_message_and_hint(args, says):
    result = run_cli("tc", *args, check=1)
    assert result.stdout == ""
    assert says in result.stderr
    assert "hint: " in result.stderr
    assert "Traceback" not in result.stderr


def test_rate_defaults_to_the_project_rate(tmp_path):
    # Only the settings file is read (no database), so a hand-written one will do.
    (tmp_path / "btslog.toml").write_text('[project]\nname = "Shoot"\nrate = "23.976"\n')
    result = run_cli("--project", str(tmp_path), "tc", "24", check=0)
    assert result.stdout == "00:00:01:00\n"  # 23.976: 24 labels a second
    result = run_cli("tc", "24", cwd=tmp_path, check=0)
    assert result.stdout == "00:00:01:00\n"
    result = run_cli("--project", str(tmp_path), "tc", "24", "--rate", "25", check=0)
    assert result.stdout == "00:00:00:24\n"


def test_without_rate_or_project_says_to_pass_rate(tmp_path):
    result = run_cli("tc", "24", cwd=tmp_path, check=1)
    assert "no --rate given" in result.stderr
    assert "hint: pass --rate" in result.stderr


def test_help_has_examples():
    result = CliRunner().invoke(cli, ["tc", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "btslog tc 01:00:00:00 + 00:00:10:00 --rate 24" in result.output
