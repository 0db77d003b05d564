"""Listing tags stays fast as a project grows, checked without clocks.

A filter must be answered from an index (SQLite's query plan), the number of SQL statements
must not grow with the number of tags found, only the clips the rows need are loaded, and
long tables and JSON lists are printed whole.  The timings themselves are in
``benchmarks/tags.py``.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from sqlalchemy import event

from btslog.cli.output import print_rows
from btslog.db import clips as clip_rows
from btslog.db import tags as tag_rows
from btslog.ops import tags as tag_ops

# Camera, day, rate, drop-frame of the synthetic clips (rows only: no media is read).
CLIPS = [("A", "2026-11-20", 24000, False), ("B", "2026-11-20", 30000, True),
         ("C", "2026-11-20", 24000, False), ("A", "2026-11-21", 24000, False),
         ("B", "2026-11-21", 30000, True), ("C", "2026-11-21", 24000, False)]  # fmt: skip
KINDS = ["take", "flub", "conversation", "setup", "highlight"]
PEOPLE = ["Eileen", "Grace", "Marcus", "Priya"]


def add_clip_rows(project) -> list[int]:
    ids = []
    with project.db.write() as connection:
        for number, (camera, day, rate_num, drop_frame) in enumerate(CLIPS):
            name = f"{camera}{number:03d}"
            ids.append(clip_rows.insert_clip(connection, {
                "name": name, "path": f"media/{name}.mov", "camera": camera, "day": day,
                "container": "mov", "codec": "h264", "width": 1920, "height": 1080,
                "rate_num": rate_num, "rate_den": 1001, "duration_frames": 100_000,
                "start_frame": 1_000_000 + number, "drop_frame": drop_frame,
                "timecode_source": "tmcd", "size_bytes": 1, "added_at": "2026-11-20T09:00:00Z",
            }))  # fmt: skip
    return ids


def add_tag_rows(project, clip_ids: list[int], count: int, start: int = 0) -> list[int]:
    """``count`` tags through ``ops.add_tags`` (one transaction), spread over everything."""
    prepared = []
    for number in range(start, start + count):
        kind = KINDS[number % len(KINDS)]
        values = {
            "clip_id": clip_ids[number % len(clip_ids)], "in_frame": number,
            "out_frame": number + 10, "kind": kind,
            "note": f"note {number}" + (" tripod" if number % 7 == 0 else ""),
            "scene": "12" if kind == "take" else None, "take": str(number % 9 + 1),
            "rating": None, "circled": kind == "take" and number % 2 == 0, "ng": False,
            "status": "accepted", "source": "manual", "author": "tester",
            "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
            "deleted_at": None,
        }  # fmt: skip
        people = tuple(PEOPLE[: number % (len(PEOPLE) + 1)])  # none to all four
        prepared.append((values, people))
    return tag_ops.add_tags(project, prepared, action="tag.import", detail="test")


@pytest.fixture
def tagged(project):
    project.clip_ids = add_clip_rows(project)
    add_tag_rows(project, project.clip_ids, 40)
    return project


# Each filter of `btslog tags` / `takes` that can be answered from an index.
INDEXED = {
    "kind": {"kinds": ["flub"]},
    "clip": {"clip_id": 1},
    "person": {"person": "marcus"},
    "camera": {"camera": "b"},
    "day": {"day": "2026-11-21"},
    "kind and camera": {"kinds": ["flub"], "camera": "B"},
    "circled takes": {"kinds": ["take"], "circled": True},
}
ALL_FILTERS = {**INDEXED, "nothing": {}, "text": {"words": ["tripod"]}}


def select_count(project, action) -> int:
    """How many SELECT statements ``action()`` sends to the database."""
    statements = []

    def count(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(project.db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(project.db.engine, "before_cursor_execute", count)
    return len(statements)


def find(project, **filters) -> list:
    with project.db.read() as connection:
        return tag_rows.find_tags(connection, tag_rows.TagFilter(**filters))


@pytest.mark.parametrize("name", ALL_FILTERS)
def test_statements_do_not_grow_with_the_tags_found(tagged, name):
    filters = ALL_FILTERS[name]
    few = select_count(tagged, lambda: find(tagged, **filters))
    found_few = len(find(tagged, **filters))
    add_tag_rows(tagged, tagged.clip_ids, 3000, start=40)  # past any batch size of 900/1000
    many = select_count(tagged, lambda: find(tagged, **filters))
    found_many = len(find(tagged, **filters))
    assert found_many > found_few > 0
    assert many == few == 1  # tags and their people in one statement


def test_listing_rows_loads_only_the_clips_of_the_tags(tagged, monkeypatch):
    add_tag_rows(tagged, tagged.clip_ids, 2000, start=40)
    built = []
    original = clip_rows._to_clip
    monkeypatch.setattr(clip_rows, "_to_clip", lambda row: built.append(row.id) or original(row))
    tags = find(tagged, clip_id=tagged.clip_ids[1])
    statements = select_count(tagged, lambda: tag_ops.tag_rows_for(tagged, tags))
    assert statements == 1
    assert built == [tagged.clip_ids[1]]  # one clip built, not every clip of the project
    few = select_count(tagged, lambda: tag_ops.tag_rows_for(tagged, find(tagged)[:10]))
    every = select_count(tagged, lambda: tag_ops.tag_rows_for(tagged, find(tagged)))
    assert few == every


def plan_of(project, **filters) -> list[str]:
    with project.db.read() as connection:
        return tag_rows.query_plan(connection, tag_rows.TagFilter(statuses=["accepted"], **filters))


@pytest.mark.parametrize("name", INDEXED)
def test_filters_are_answered_from_indexes(tagged, name):
    plan = plan_of(tagged, **INDEXED[name])
    # "SCAN tags" (with or without an index) reads every tag; SEARCH looks up only matches.
    assert not [line for line in plan if re.match(r"SCAN (TABLE )?tags\b", line)], plan
    assert any(re.match(r"SEARCH (TABLE )?tags\b", line) for line in plan), plan


def test_who_uses_the_lower_person_index_made_by_the_migrations(tagged):
    # The project's database was made by the migrations (init_project), so this also checks
    # that they created the index, which alembic's schema comparison cannot see.
    plan = plan_of(tagged, person="MARCUS")
    assert any("ix_tag_people_lower_person" in line for line in plan), plan
    assert {tag.id for tag in find(tagged, person="MARCUS")} == {
        tag.id for tag in find(tagged) if "Marcus" in tag.people
    }


def test_insert_tags_keeps_each_tags_values_and_people(project):
    clip_ids = add_clip_rows(project)
    ids = add_tag_rows(project, clip_ids, 2500)
    assert len(set(ids)) == 2500 and ids == sorted(ids)
    with project.db.write() as connection:  # rows setting different columns, in one call
        mixed = tag_rows.insert_tags(connection, [
            ({"clip_id": clip_ids[0], "in_frame": 1, "out_frame": 2, "kind": "flub",
              "created_at": "x", "updated_at": "x"}, ["Zoë"]),
            ({"clip_id": clip_ids[0], "in_frame": 3, "out_frame": 4, "kind": "take",
              "note": "with a note", "created_at": "x", "updated_at": "x"}, []),
        ])  # fmt: skip
    by_id = {tag.id: tag for tag in find(project)}
    for number, tag_id in enumerate(ids):
        tag = by_id[tag_id]
        assert tag.in_frame == number and tag.note.startswith(f"note {number}")
        assert tag.people == tuple(sorted(PEOPLE[: number % (len(PEOPLE) + 1)]))
    first, second = (by_id[tag_id] for tag_id in mixed)
    assert (first.kind, first.note, first.people) == ("flub", "", ("Zoë",))
    assert (second.kind, second.note, second.people) == ("take", "with a note", ())


def test_undo_of_a_large_import_removes_every_tag(tagged):
    add_tag_rows(tagged, tagged.clip_ids, 2000, start=40)
    # As on a SQLite that takes 999 parameters a statement (before 3.32; 32,766 after):
    # the 2,000 ids of the import cannot go in one IN list.
    tagged.db.engine.dispose()

    @event.listens_for(tagged.db.engine, "connect")
    def few_parameters(dbapi_connection, _record) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    tag_ops.undo(tagged)
    assert len(find(tagged)) == 40
    assert len(tag_ops.tag_rows_for(tagged, find(tagged))) == 40


def test_long_table_is_printed_whole_and_as_typed(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    count = 300
    rows = [{"id": number, "clip": "A001C001", "note": f"[/b] take {number} " + "words " * 12,
             "people": ["Eileen", "Zoë"]} for number in range(count)]  # fmt: skip
    columns = [("id", "id"), ("clip", "clip"), ("people", "who"), ("note", "note")]
    print_rows(rows, "table", columns, title=f"{count} tags")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].strip() == f"{count} tags"
    assert all(len(line) <= 90 for line in lines)
    body = [line for line in lines if line.startswith("│")]
    ids = [cells[1].strip() for cells in (line.split("│") for line in body)]
    assert [int(text) for text in ids if text] == list(range(count))
    notes = [" ".join(line.split("│")[4].split()) for line in body]
    assert " ".join(notes).count("[/b] take") == count  # markup-like text printed as typed
    assert lines[-1].startswith("└")


def test_table_fits_short_rows_on_one_line_each(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    rows = [{"id": 1, "who": ["Zoë", "北京"], "note": ":smile: [bold]x[/bold]"}, {"id": 22}]
    print_rows(rows, "table", [("id", "id"), ("who", "who"), ("note", "note")], title="2 tags")
    assert capsys.readouterr().out.splitlines() == [
        " " * 19 + "2 tags",
        "┏━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ id ┃ who       ┃ note                   ┃",
        "┡━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ 1  │ Zoë, 北京 │ :smile: [bold]x[/bold] │",  # wide characters take two columns
        "│ 22 │           │                        │",
        "└────┴───────────┴────────────────────────┘",
    ]


def test_json_rows_one_object_a_line(capsys):
    rows = [{"id": number, "people": ["Zoë"], "note": 'a "quoted"\nnote'} for number in range(3)]
    print_rows(rows, "json")
    out = capsys.readouterr().out
    assert json.loads(out) == rows
    assert len(out.splitlines()) == len(rows) + 2
    print_rows([], "json")
    assert capsys.readouterr().out.strip() == "[]"
