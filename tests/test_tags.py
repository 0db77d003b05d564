"""Logging by timecode: tag, tags, takes, edit/rm/restore, history/undo, bulk import."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import make_clip, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btslog.errors import InvalidInput, NotFound, TimecodeError
from btslog.ops.clips import add_clips
from btslog.ops.logsheet import import_log
from btslog.ops.tags import (
    TagChanges,
    TagSpec,
    add_tag,
    edit_tag,
    find_tags,
    history,
    remove_tag,
    restore_tag,
    tag_rows_for,
    take_rows,
    undo,
)


@pytest.fixture
def logged(project, media, tmp_path):
    """A project with camera A (23.976 NDF from 14:03:12:00, 2 s), camera B (29.97 DF from
    14:03:20;02, 2 s) and camera C (59.94 DF from 23:59:59;50, across midnight)."""
    add_clips(project, [media["a2398"]], camera="A", day="2026-11-20")
    add_clips(project, [media["b2997df"]], camera="B", day="2026-11-20")
    add_clips(project, [media["d5994"]], camera="C", day="2026-11-20")
    return project


def row_of(project, tag):
    (row,) = tag_rows_for(project, [tag])
    return row


def test_tag_by_time_of_day_stores_frames_from_the_clip_start(logged):
    tag = add_tag(logged, TagSpec(clip="A001C001", in_text="14:03:12:12", out_text="14:03:13:00",
                                  kind="flub", note="dropped the slate"))  # fmt: skip
    assert (tag.in_frame, tag.out_frame) == (12, 24)
    row = row_of(logged, tag)
    assert row["in_tc"] == "14:03:12:12" and row["out_tc"] == "14:03:13:00"
    assert row["duration_tc"] == "00:00:00:12" and row["camera"] == "A"


def test_drop_frame_clip_keeps_drop_frame_labels(logged):
    tag = add_tag(logged, TagSpec(clip="B001_0001", in_text="14:03:20;10", duration="1s",
                                  kind="take"))  # fmt: skip
    assert (tag.in_frame, tag.out_frame) == (8, 38)  # 14:03:20;02 is frame 0
    row = row_of(logged, tag)
    assert (row["in_tc"], row["out_tc"]) == ("14:03:20;10", "14:03:21;10")


def test_offsets_duration_and_single_frame(logged):
    assert add_tag(logged, TagSpec(clip="A001C001", in_text="+10f", out_text="+1s",
                                   kind="setup")).out_frame == 24  # fmt: skip
    one = add_tag(logged, TagSpec(clip="A001C001", in_text="+00:00:01:00", kind="highlight"))
    assert (one.in_frame, one.out_frame) == (24, 25)


def test_ranges_across_midnight(logged):
    tag = add_tag(logged, TagSpec(clip="D5994", in_text="23:59:59;58", out_text="00:00:00;10",
                                  kind="conversation"))  # fmt: skip
    assert (tag.in_frame, tag.out_frame) == (8, 20)
    assert row_of(logged, tag)["out_tc"] == "00:00:00;10"


def test_at_finds_the_clip_of_a_camera_covering_a_time_of_day(logged):
    tag = add_tag(logged, TagSpec(in_text="14:03:21;00", duration="10f", camera="B",
                                  kind="conversation", people=("Grace", "Eileen")))  # fmt: skip
    assert tag.clip == "B001_0001" and tag.people == ("Eileen", "Grace")
    with pytest.raises(NotFound, match="no clip camera A covers 14:05:00:00"):
        add_tag(logged, TagSpec(in_text="14:05:00:00", camera="A", kind="flub"))


def test_at_is_ambiguous_when_two_cameras_cover_the_time(logged, tmp_path):
    second = make_clip(tmp_path / "E25.mov", rate="25", timecode="14:03:12:00")
    add_clips(logged, [second], camera="E")
    with pytest.raises(InvalidInput, match="covered by several clips: .*A001C001.*E25"):
        add_tag(logged, TagSpec(in_text="14:03:12:10", kind="flub"))
    assert add_tag(logged, TagSpec(in_text="14:03:12:10", kind="flub", camera="E")).clip == "E25"


@pytest.mark.parametrize(
    ("spec", "error", "words"),
    [
        (TagSpec(clip="A001C001", in_text="14:03:13:00", out_text="14:03:12:20", kind="flub"),
         InvalidInput, "out 14:03:12:20 is not after in 14:03:13:00"),
        (TagSpec(clip="A001C001", in_text="14:03:13:00", out_text="14:03:20:00", kind="flub"),
         InvalidInput, "is outside clip A001C001 (14:03:12:00-14:03:14:00)"),
        (TagSpec(clip="A001C001", in_text="14:03:11:00", kind="flub"),
         InvalidInput, "is outside clip A001C001"),
        (TagSpec(clip="A001C001", in_text="14:03:12:24", kind="flub"),
         TimecodeError, "has frame 24, but 23.976 fps counts frames 00-23"),
        (TagSpec(clip="B001_0001", in_text="14:04:00;00", kind="flub"),
         TimecodeError, "does not exist at 29.97 drop-frame"),
        (TagSpec(clip="B001_0001", in_text="14:03:21:00", kind="flub"),
         TimecodeError, "drop-frame is expected"),
        (TagSpec(clip="A001C001", in_text="+1s", kind="flubb"), InvalidInput, "unknown kind 'flubb'"),
        (TagSpec(clip="A001C001", in_text="+1s", kind="flub", rating=6), InvalidInput, "rating 6"),
        (TagSpec(clip="A001C001", in_text="+1s", kind="take", circled=True, ng=True),
         InvalidInput, "circled and NG"),
        (TagSpec(clip="nope", in_text="+1s", kind="flub"), NotFound, "no clip 'nope'"),
    ],
)  # fmt: skip
def test_bad_tags_get_clear_errors_and_write_nothing(logged, spec, error, words):
    with pytest.raises(error) as caught:
        add_tag(logged, spec)
    assert words in str(caught.value)
    assert find_tags(logged) == []


def test_ambiguous_clip_name(logged, tmp_path):
    add_clips(logged, [make_clip(tmp_path / "A001C009.mov", timecode="15:00:00:00")], camera="A")
    with pytest.raises(InvalidInput, match="clip name 'A001C00' is ambiguous: it matches A001C001"):
        add_tag(logged, TagSpec(clip="A001C00", in_text="+1s", kind="flub"))
    assert add_tag(logged, TagSpec(clip="a001c001", in_text="+1s", kind="flub")).clip == "A001C001"


def test_project_kinds_extend_the_shipped_ones(logged):
    config = logged.root / "btslog.toml"
    config.write_text(config.read_text() + '\n[kinds.interview]\ndescription = "Sit-down"\n')
    from btslog.ops.project import open_project

    project = open_project(logged.root)
    assert add_tag(project, TagSpec(clip="A001C001", in_text="+1s", kind="Interview")).kind == (
        "interview"
    )


def test_tags_filters(logged):
    add_tag(logged, TagSpec(clip="A001C001", in_text="+0f", out_text="+10f", kind="take",
                            scene="12A", take="1", circled=True, note="clean"))  # fmt: skip
    add_tag(logged, TagSpec(clip="A001C001", in_text="+10f", out_text="+20f", kind="flub",
                            note="Tripped over the TRIPOD", people=("Grace",)))  # fmt: skip
    add_tag(logged, TagSpec(clip="B001_0001", in_text="+0f", out_text="+10f", kind="flub",
                            status="suggested", note="maybe"))  # fmt: skip
    names = lambda tags: [(t.clip, t.kind) for t in tags]
    assert names(find_tags(logged, kinds=["flub"], statuses=["accepted"])) == [("A001C001", "flub")]
    assert names(find_tags(logged, camera="b")) == [("B001_0001", "flub")]
    assert names(find_tags(logged, person="grace")) == [("A001C001", "flub")]
    assert names(find_tags(logged, circled=True)) == [("A001C001", "take")]
    assert names(find_tags(logged, words=["tripod"])) == [("A001C001", "flub")]
    assert names(find_tags(logged, clip="A001C001")) == [("A001C001", "take"), ("A001C001", "flub")]
    assert names(find_tags(logged, statuses=["suggested"])) == [("B001_0001", "flub")]
    assert find_tags(logged, day="2026-11-21") == []


def test_tags_json_rows_have_stable_fields(logged):
    add_tag(logged, TagSpec(clip="B001_0001", in_text="14:03:20;10", out_text="14:03:21;00",
                            kind="take", scene="3", take="2", rating=4, people=("Eileen",)))  # fmt: skip
    result = run_cli("--project", str(logged.root), "tags", "--format", "json", check=0)
    (row,) = json.loads(result.stdout)
    assert list(row) == [
        "id", "clip", "camera", "day", "kind", "in_tc", "out_tc", "in_frame", "out_frame",
        "duration_tc", "note", "scene", "take", "rating", "circled", "ng", "people", "status",
        "source", "author", "created_at", "updated_at", "deleted",
    ]  # fmt: skip
    assert (row["in_tc"], row["out_tc"], row["in_frame"], row["out_frame"]) == (
        "14:03:20;10", "14:03:21;00", 8, 28)  # fmt: skip
    assert row["author"] == "tester" and row["people"] == ["Eileen"]
    csv_lines = run_cli("--project", str(logged.root), "tags", "--format", "csv").stdout
    assert csv_lines.splitlines()[0].startswith("id,clip,camera,day,kind,in_tc,out_tc")
    add_tag(logged, TagSpec(clip="B001_0001", in_text="14:03:20;20", out_text="14:03:21;00",
                            kind="highlight", note="=HYPERLINK(\"http://x\")"))  # fmt: skip
    table = run_cli("--project", str(logged.root), "tags", "--kind", "highlight", "--format", "csv")
    (cells,) = list(csv.DictReader(io.StringIO(table.stdout)))
    assert cells["note"] == '\'=HYPERLINK("http://x")'  # shown as text, never run
    assert cells["in_frame"] == "18"  # numbers stay numbers


def test_cli_tag_forms(logged):
    root = str(logged.root)
    out = run_cli("--project", root, "tag", "A001C001", "14:03:12:12", "14:03:13:00", "--kind",
                  "flub", "--note", "oops", check=0).stdout  # fmt: skip
    assert "flub A001C001 14:03:12:12-14:03:13:00 oops" in out
    out = run_cli("--project", root, "tag", "--at", "14:03:21;00", "--camera", "B", "--dur",
                  "5f", "--kind", "conversation", "--who", "Grace", check=0).stdout  # fmt: skip
    assert "conversation B001_0001 14:03:21;00-14:03:21;05" in out
    bad = run_cli("--project", root, "tag", "A001C001", "14:03:13:00", "14:03:12:00", "--kind",
                  "flub", check=1)  # fmt: skip
    assert "is not after in" in bad.stderr and "Traceback" not in bad.stderr
    assert "--rating" in run_cli("--project", root, "tag", "A001C001", "+1s", "--kind", "flub",
                                 "--rating", "9", check=1).stderr  # fmt: skip


def test_edit_rm_restore_and_their_audit(logged):
    tag = add_tag(logged, TagSpec(clip="A001C001", in_text="+0f", out_text="+10f", kind="take"))
    edited = edit_tag(logged, tag.id, TagChanges(out_text="+20f", kind="flub", note="actually",
                                                 people=("Grace",)))  # fmt: skip
    assert (edited.in_frame, edited.out_frame, edited.kind) == (0, 20, "flub")
    moved = edit_tag(logged, tag.id, TagChanges(in_text="14:03:12:05"))
    assert (moved.in_frame, moved.out_frame) == (5, 20)  # the out point stays
    remove_tag(logged, tag.id)
    assert find_tags(logged) == []
    assert [t.id for t in find_tags(logged, include_deleted=True)] == [tag.id]
    with pytest.raises(InvalidInput, match="was removed"):
        edit_tag(logged, tag.id, TagChanges(note="x"))
    restore_tag(logged, tag.id)
    assert [t.note for t in find_tags(logged)] == ["actually"]
    actions = [entry["action"] for entry in history(logged)]
    assert actions[:5] == ["tag.restore", "tag.rm", "tag.edit", "tag.edit", "tag.add"]
    edit_entry = history(logged)[3]
    assert edit_entry["before"]["kind"] == "take" and edit_entry["after"]["kind"] == "flub"
    assert edit_entry["after"]["people"] == ["Grace"] and edit_entry["author"] == "tester"


def test_undo_reverts_each_kind_of_change(logged):
    tag = add_tag(logged, TagSpec(clip="A001C001", in_text="+0f", out_text="+10f", kind="take"))
    edit_tag(logged, tag.id, TagChanges(note="changed", rating=5))
    remove_tag(logged, tag.id)
    assert undo(logged)["action"] == "tag.rm"
    assert [t.note for t in find_tags(logged)] == ["changed"]
    assert undo(logged)["action"] == "tag.edit"
    (back,) = find_tags(logged)
    assert (back.note, back.rating) == ("", None)
    assert undo(logged)["action"] == "tag.add"
    assert find_tags(logged, include_deleted=True) == []
    with pytest.raises(InvalidInput, match="clip.add"):
        undo(logged)  # the clips were registered by this author too: not undoable


def test_undo_takes_only_your_own_changes(logged, monkeypatch):
    add_tag(logged, TagSpec(clip="A001C001", in_text="+0f", kind="take"))
    monkeypatch.setenv("BTSLOG_USER", "someone-else")
    with pytest.raises(NotFound, match="nothing of someone-else's to undo"):
        undo(logged)


def test_history_and_undo_cli(logged):
    root = str(logged.root)
    run_cli("--project", root, "tag", "A001C001", "+1s", "--kind", "flub", "--note", "x", check=0)
    out = run_cli("--project", root, "history", check=0).stdout
    assert "tag.add" in out and "flub x" in out
    assert "undid tag.add" in run_cli("--project", root, "undo", check=0).stdout
    entries = json.loads(run_cli("--project", root, "history", "--format", "json").stdout)
    assert entries[0]["action"] == "undo" and entries[1]["undone_by"] == entries[0]["id"]


def test_takes_list(logged):
    add_tag(logged, TagSpec(clip="B001_0001", in_text="+0f", out_text="+30f", kind="take",
                            scene="12A", take="2", ng=True))  # fmt: skip
    add_tag(logged, TagSpec(clip="A001C001", in_text="+0f", out_text="+24f", kind="take",
                            scene="12A", take="1", circled=True, note="keeper"))  # fmt: skip
    add_tag(logged, TagSpec(clip="A001C001", in_text="+24f", out_text="+30f", kind="flub"))
    rows = take_rows(logged)
    assert [(r["camera"], r["take"], r["mark"]) for r in rows] == [("A", "1", "circled"),
                                                                   ("B", "2", "NG")]  # fmt: skip
    assert rows[0]["in_tc"] == "14:03:12:00" and rows[0]["duration_tc"] == "00:00:01:00"
    table = run_cli("--project", str(logged.root), "takes", check=0).stdout
    assert "keeper" in table and "circled" in table and "14:03:20;02" in table


def test_csv_sheet_imports_all_rows(logged, tmp_path):
    sheet = tmp_path / "day1.csv"
    sheet.write_text(
        "\ufeffCamera,In,Out,Kind,Scene,Take,Note,Rating,Who\n"
        'A,14:03:12:00,14:03:13:00,take,12A,1,"first, clean",4,Eileen;Grace\n'
        "\n"
        "B,14:03:20;10,14:03:21;00,conversation,,,lunch plans,,\n"
    )
    ids = import_log(logged, sheet)
    tags = find_tags(logged)
    assert [t.id for t in tags] == ids
    first = tags[0]
    assert (first.note, first.rating, first.people, first.source) == (
        "first, clean", 4, ("Eileen", "Grace"), "log:csv")  # fmt: skip
    assert (tags[1].clip, tags[1].in_frame) == ("B001_0001", 8)
    assert undo(logged)["action"] == "tag.import"
    assert find_tags(logged, include_deleted=True) == []


def test_one_bad_row_means_nothing_written_and_names_the_line(logged, tmp_path):
    sheet = tmp_path / "day1.csv"
    sheet.write_text(
        "camera,in,out,kind,note\n"
        "A,14:03:12:00,14:03:13:00,take,good\n"
        "A,14:03:13:00,14:03:12:00,flub,backwards\n"
        "B,14:04:00;00,14:04:01;00,flub,no such frame\n"
        "A,14:03:12:00,14:03:13:00,flubb,typo\n"
    )
    with pytest.raises(InvalidInput) as caught:
        import_log(logged, sheet)
    message = str(caught.value)
    assert "3 bad lines, nothing was imported" in message
    assert f"{sheet}:3: out 14:03:12:00 is not after in" in message
    assert f"{sheet}:4: no clip camera B covers 14:04:00;00" in message
    assert "does not exist at 29.97 drop-frame" in message
    assert f"{sheet}:5: unknown kind 'flubb'" in message
    assert find_tags(logged, include_deleted=True) == []
    result = run_cli("--project", str(logged.root), "log", "import", str(sheet), check=1)
    assert f"{sheet}:3:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("camera,in,out,kind,notes\n", "unknown columns 'notes'"),
        ("camera,out,kind\n", "missing columns 'in'"),
        ("", "the sheet is empty"),
        ("camera,in,out,kind,rating\nA,14:03:12:00,14:03:13:00,take,five\n", ":2: rating 'five'"),
    ],
)
def test_malformed_sheets(logged, tmp_path, content, words):
    sheet = tmp_path / "s.csv"
    sheet.write_text(content)
    with pytest.raises(InvalidInput, match=words):
        import_log(logged, sheet)


def test_notes_import(logged, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "# day one\n"
        "14:03:12:10-14:03:13:00 flub tripped over the tripod\n"
        "B 14:03:20;10-14:03:21;00 highlight everyone laughs\n"
        "14:03:13:12 setup\n"
    )
    import_log(logged, notes)
    tags = find_tags(logged)
    assert [(t.clip, t.kind, t.note, t.in_frame, t.out_frame) for t in tags] == [
        ("A001C001", "flub", "tripped over the tripod", 10, 24),
        ("A001C001", "setup", "", 36, 37),
        ("B001_0001", "highlight", "everyone laughs", 8, 28),
    ]
    bad = tmp_path / "bad.txt"
    bad.write_text("14:03:12:10 flub ok\nthis is not a note\n")
    with pytest.raises(InvalidInput, match=r"bad.txt:2: expected \[CAMERA\] IN\[-OUT\] KIND NOTE"):
        import_log(logged, bad)


def test_not_utf8_sheet(logged, tmp_path):
    sheet = tmp_path / "latin1.csv"
    sheet.write_bytes("camera,in,out,kind,note\nA,14:03:12:00,,flub,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_log(logged, sheet)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_printed_timecodes_read_back_to_the_same_frames(logged, data):
    """What `btslog tags` prints, typed back in, marks the same frames (every clip's mode)."""
    clip, frames = data.draw(st.sampled_from([("A001C001", 48), ("B001_0001", 60),
                                               ("D5994", 60)]))  # fmt: skip
    tags_before = {t.id for t in find_tags(logged)}
    first = data.draw(st.integers(0, frames - 1))
    last = data.draw(st.integers(first + 1, frames))
    tag = add_tag(logged, TagSpec(clip=clip, in_text=f"+{first}f", out_text=f"+{last}f",
                                  kind="highlight"))  # fmt: skip
    row = row_of(logged, tag)
    again = add_tag(logged, TagSpec(clip=clip, in_text=row["in_tc"], out_text=row["out_tc"],
                                    kind="highlight"))  # fmt: skip
    assert (again.in_frame, again.out_frame) == (first, last)
    assert tag.id not in tags_before
