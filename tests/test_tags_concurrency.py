"""Two editors logging into one project at once, from separate processes, lose nothing.

Each editor is a real OS process with its own connection to the project's SQLite file (WAL,
``BEGIN IMMEDIATE`` writes, a busy timeout), as two people on one shared project folder are.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from btslog.ops.clips import add_clips
from btslog.ops.tags import find_tags, history

# An editor: waits until the test says go (so both start together), then adds tags one by
# one through the library, each in its own transaction, until it has added COUNT tags, or,
# with COUNT 0, until the file STOP appears.  Prints how many it added.
EDITOR = """
import sys, time
from pathlib import Path

from btslog.ops.project import open_project
from btslog.ops.tags import TagSpec, add_tag

root, clip, who, count, ready, go, stop = sys.argv[1:]
project = open_project(root)
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.005)
added = 0
while (added < int(count)) if int(count) else not Path(stop).exists():
    add_tag(project, TagSpec(clip=clip, in_text=f"+{added % 40}f", kind="flub",
                             note=f"{who} {added}", people=(who,)))
    added += 1
print(added)
"""


def start_editor(project, clip: str, who: str, count: int, folder: Path) -> subprocess.Popen:
    environment = {**os.environ, "BTSLOG_USER": who}
    environment.pop("BTSLOG_PROJECT", None)
    flags = [str(folder / f"{who}.ready"), str(folder / "go"), str(folder / "stop")]
    return subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(project.root), clip, who, str(count), *flags],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(folder: Path, *names: str) -> None:
    deadline = time.monotonic() + 60
    while not all((folder / f"{name}.ready").exists() for name in names):
        assert time.monotonic() < deadline, "an editor process did not start"
        time.sleep(0.01)


def finish(editor: subprocess.Popen) -> int:
    out, err = editor.communicate(timeout=120)
    assert editor.returncode == 0, err
    assert err == ""
    return int(out)


def check_nothing_lost(project, expected: dict[str, int]) -> list:
    """Every editor's tags are there once, with its notes, people and audit entries."""
    tags = find_tags(project, include_deleted=True)
    total = sum(expected.values())
    assert len(tags) == total
    assert len({tag.id for tag in tags}) == total
    for who, count in expected.items():
        mine = [tag for tag in tags if tag.author == who]
        assert sorted(tag.note for tag in mine) == sorted(f"{who} {n}" for n in range(count))
        assert all(tag.people == (who,) and tag.kind == "flub" for tag in mine)
    entries = [entry for entry in history(project, limit=100_000) if entry["action"] == "tag.add"]
    assert len(entries) == total
    assert Counter(entry["author"] for entry in entries) == Counter(expected)
    assert {entry["entity_id"] for entry in entries} == {tag.id for tag in tags}
    for entry in entries:  # each entry records the tag its author added
        assert entry["after"]["note"].startswith(entry["author"] + " ")
    return tags


def test_two_editors_adding_at_once_lose_nothing(project, media, tmp_path):
    add_clips(project, [media["a2398"]], camera="A")
    editors = {who: start_editor(project, "A001C001", who, 150, tmp_path)
               for who in ("ana", "ben")}  # fmt: skip
    wait_ready(tmp_path, *editors)
    (tmp_path / "go").touch()
    added = {who: finish(editor) for who, editor in editors.items()}
    assert added == {"ana": 150, "ben": 150}
    tags = check_nothing_lost(project, added)
    # They really wrote at the same time: their tags interleave.
    order = [tag.author for tag in sorted(tags, key=lambda tag: tag.id)]
    assert sum(1 for first, second in itertools.pairwise(order) if first != second) > 2


def wait_for_a_tag_after(project, tag_id: int) -> None:
    deadline = time.monotonic() + 60
    while not any(tag.id > tag_id for tag in find_tags(project)):
        assert time.monotonic() < deadline, "the library editor stopped adding tags"
        time.sleep(0.01)


def test_cli_and_library_editors_at_once_lose_nothing(project, media, tmp_path):
    add_clips(project, [media["a2398"]], camera="A")
    library = start_editor(project, "A001C001", "ana", 0, tmp_path)  # runs until "stop"
    wait_ready(tmp_path, "ana")
    (tmp_path / "go").touch()
    wait_for_a_tag_after(project, 0)
    environment = {**os.environ, "BTSLOG_USER": "ben"}
    environment.pop("BTSLOG_PROJECT", None)
    btslog = [sys.executable, "-m", "btslog", "--project", str(project.root)]
    commands = [  # `btslog tag` four times, the four processes running at once
        subprocess.Popen([*btslog, "tag", "A001C001", f"+{number}f", "--kind", "flub",
                          "--note", f"ben {number}", "--who", "ben"],
                         env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for number in range(4)
    ]  # fmt: skip
    for command in commands:
        out, err = command.communicate(timeout=120)
        assert command.returncode == 0, err
        assert out.startswith("tag ") and "flub A001C001" in out
    wait_for_a_tag_after(project, max(tag.id for tag in find_tags(project)))
    (tmp_path / "stop").touch()
    added = {"ana": finish(library), "ben": len(commands)}
    tags = check_nothing_lost(project, added)
    # Each `btslog tag` committed while the library editor was writing, between its tags.
    ana_ids = sorted(tag.id for tag in tags if tag.author == "ana")
    for tag in tags:
        if tag.author == "ben":
            assert ana_ids[0] < tag.id < ana_ids[-1]
