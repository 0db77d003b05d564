"""Cuts on a real project: `cut new` from a selection, show/list, move/trim/drop/rm, history,
and restricted ranges never in a cut."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from btslog.cut.model import CutOptions
from btslog.errors import InvalidInput, NotFound, TimecodeError
from btslog.ops.clips import add_clips
from btslog.ops.cuts import (
    cut_rows,
    drop_segments,
    get_cut,
    list_cuts,
    move_segment,
    new_cut,
    remove_cut,
    segment_rows,
    trim_segment,
)
from btslog.ops.tags import TagSpec, add_tag, history


@pytest.fixture
def shoot(project, media):
    """Camera A (23.976 NDF from 14:03:12:00, 48 frames) and camera B (29.97 DF from
    14:03:20;02, 60 frames), with tags on both and a restricted range on A."""
    add_clips(project, [media["a2398"]], camera="A", day="2026-11-20")
    add_clips(project, [media["b2997df"]], camera="B", day="2026-11-20")
    tags = {
        "flub": add_tag(project, TagSpec(clip="A001C001", in_text="+10f", out_text="+20f",
                                         kind="flub", note="dropped the slate",
                                         people=("Grace",))),
        "talk": add_tag(project, TagSpec(clip="A001C001", in_text="+18f", out_text="+30f",
                                         kind="conversation", people=("Eileen",))),
        "secret": add_tag(project, TagSpec(clip="A001C001", in_text="+24f", out_text="+26f",
                                           kind="restricted", note="private call")),
        "take": add_tag(project, TagSpec(clip="B001_0001", in_text="+8f", out_text="+38f",
                                         kind="take", scene="12A", take="3", circled=True,
                                         rating=5)),
        "setup": add_tag(project, TagSpec(clip="B001_0001", in_text="+40f", out_text="+50f",
                                          kind="setup", status="suggested")),
        "late": add_tag(project, TagSpec(clip="A001C001", in_text="+40f", out_text="+44f",
                                         kind="highlight", people=("Grace",), rating=3)),
    }  # fmt: skip
    project.tags = tags
    return project


def spans(cut):
    return [(s.clip, s.in_frame, s.out_frame) for s in cut.segments]


def test_new_cut_in_time_order_merges_splits_at_restricted_and_shows_time_of_day(shoot):
    cut = new_cut(shoot, "rough", CutOptions(query="kind:flub,conversation,take", handles="2f"))
    # flub 8-22 and conversation 16-32 merge; the restricted 24-26 splits them; B 6-40.
    assert spans(cut) == [("A001C001", 8, 24), ("A001C001", 26, 32), ("B001_0001", 6, 40)]
    assert [s.tag_id for s in cut.segments] == [shoot.tags["flub"].id] * 2 + [shoot.tags["take"].id]
    rows = segment_rows(shoot, cut)
    assert [(r["position"], r["in_tc"], r["out_tc"], r["duration_tc"]) for r in rows] == [
        (1, "14:03:12:08", "14:03:13:00", "00:00:00:16"),
        (2, "14:03:13:02", "14:03:13:08", "00:00:00:06"),
        (3, "14:03:20;08", "14:03:21;12", "00:00:01;04"),
    ]
    assert rows[0]["label"] == "Flub · Grace" and rows[0]["note"] == "dropped the slate"
    assert rows[2]["label"] == "Take · scene 12A take 3" and rows[2]["camera"] == "B"
    assert [r["starts_at"] for r in rows] == ["0:00:00.000", "0:00:00.667", "0:00:00.918"]
    assert get_cut(shoot, "rough") == cut
    (listed,) = cut_rows(shoot, list_cuts(shoot))
    assert (listed["name"], listed["segments"], listed["duration"], listed["query"]) == (
        "rough", 3, "0:00:02.052", "kind:flub,conversation,take")  # fmt: skip


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("who:grace", ["flub", "late"]),
        ("-who:Grace -kind:take", ["talk"]),
        ("camera:b", ["take"]),
        ("clip:B001", ["take"]),  # the start of a clip's name
        ("circled", ["take"]),
        ("rating:4", ["take"]),
        ("rating:3 -circled", ["late"]),
        ('"THE SLATE"', ["flub"]),
        ("status:suggested", ["setup"]),
        ("status:accepted,suggested camera:B", ["take", "setup"]),
        ("day:2026-11-20 kind:highlight,flub", ["flub", "late"]),
    ],
)  # fmt: skip
def test_the_selection_picks_tags(shoot, query, names):
    cut = new_cut(shoot, "x", CutOptions(query=query, order="rating"))
    expected = {shoot.tags[name].id for name in names}
    assert {s.tag_id for s in cut.segments} == expected


def test_orders_and_no_frame_twice(shoot):
    cut = new_cut(shoot, "best", CutOptions(query="kind:flub,conversation,take,highlight",
                                            order="rating"))  # fmt: skip
    # take (5), highlight (3), then unrated by time: flub 10-20, the conversation's rest 20-30
    # less the restricted 24-26.
    assert spans(cut) == [("B001_0001", 8, 38), ("A001C001", 40, 44), ("A001C001", 10, 20),
                          ("A001C001", 20, 24), ("A001C001", 26, 30)]  # fmt: skip
    assert [s.kind for s in cut.segments][2:] == ["flub", "conversation", "conversation"]
    by_kind = new_cut(shoot, "kinds", CutOptions(query="-kind:setup", order="kind",
                                                 max_segment="5f"))  # fmt: skip
    assert [s.kind for s in by_kind.segments] == ["take", "flub", "conversation",
                                                   "highlight"]  # fmt: skip
    assert spans(by_kind) == [("B001_0001", 8, 13), ("A001C001", 10, 15), ("A001C001", 18, 23),
                              ("A001C001", 40, 44)]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "options", "error", "words"),
    [
        ("x", CutOptions(query="kind:interview"), InvalidInput, "unknown kind 'interview'"),
        ("x", CutOptions(query="kind:flub colour:red"), InvalidInput,
         "selection term 2 'colour:red' (character 11): unknown field 'colour'"),
        ("x", CutOptions(query="clip:Z999"), NotFound, "no clip 'Z999'"),
        ("x", CutOptions(query="who:Ada"), InvalidInput, "the selection 'who:Ada' selects no tags"),
        ("x", CutOptions(query="private"), InvalidInput, "selects no tags"),  # restricted: never
        ("x", CutOptions(query="take", handles="-2f"), InvalidInput, "--handles '-2f'"),
        ("x", CutOptions(query="take", max_segment="0s"), InvalidInput, "--max-segment '0s'"),
        ("x", CutOptions(query="take", order="best"), InvalidInput, "--order 'best'"),
        ("a/b", CutOptions(query="kind:take"), InvalidInput, "'a/b' is not a cut name"),
    ],
)  # fmt: skip
def test_bad_cuts_get_clear_errors_and_write_nothing(shoot, name, options, error, words):
    with pytest.raises(error) as caught:
        new_cut(shoot, name, options)
    assert words in str(caught.value)
    assert list_cuts(shoot) == []


def test_a_selection_inside_restricted_ranges_only_is_refused(shoot):
    add_tag(shoot, TagSpec(clip="B001_0001", in_text="+0f", out_text="+60f", kind="restricted"))
    with pytest.raises(InvalidInput, match="selects 1 tag, all inside restricted ranges"):
        new_cut(shoot, "x", CutOptions(query="camera:B"))


def test_names_are_unique_and_unknown_cuts_list_the_others(shoot):
    new_cut(shoot, "rough", CutOptions(query="kind:take"))
    with pytest.raises(InvalidInput, match="a cut named 'rough' already exists") as caught:
        new_cut(shoot, "rough", CutOptions(query="kind:flub"))
    assert "btslog cut rm rough" in caught.value.hint
    new_cut(shoot, "flubs", CutOptions(query="kind:flub"))
    with pytest.raises(NotFound, match="no cut 'rouhg'") as missing:
        get_cut(shoot, "rouhg")
    assert missing.value.hint.startswith("cuts: flubs, rough")


def test_move_trim_drop_and_rm_are_in_the_history(shoot):
    new_cut(shoot, "rough", CutOptions(query="kind:flub,conversation,take,highlight"))
    assert spans(get_cut(shoot, "rough")) == [("A001C001", 10, 24), ("A001C001", 26, 30),
                                              ("A001C001", 40, 44), ("B001_0001", 8, 38)]  # fmt: skip
    moved = move_segment(shoot, "rough", 4, 1)
    assert spans(moved)[0] == ("B001_0001", 8, 38) and spans(moved)[3] == ("A001C001", 40, 44)
    # Relative: +12f moves the in point 12 frames later; absolute: the clip's time of day.
    trimmed = trim_segment(shoot, "rough", 1, in_="+12f", out="14:03:21;00")
    assert spans(trimmed)[0] == ("B001_0001", 20, 28)
    assert trim_segment(shoot, "rough", 4, out="-0.125s").segments[3].out_frame == 41
    dropped = drop_segments(shoot, "rough", [2, 3])
    assert spans(dropped) == [("B001_0001", 20, 28), ("A001C001", 40, 41)]
    remove_cut(shoot, "rough")
    assert list_cuts(shoot) == []
    actions = [entry["action"] for entry in history(shoot, limit=6)]
    assert actions == ["cut.rm", "cut.drop", "cut.trim", "cut.trim", "cut.move", "cut.new"]
    trim_entry = history(shoot, limit=4)[3]
    assert trim_entry["before"]["in_tc"] == "14:03:20;10"
    assert trim_entry["after"] == {"name": "rough", "position": 1, "clip": "B001_0001",
                                   "in_tc": "14:03:20;22", "out_tc": "14:03:21;00"}  # fmt: skip
    assert len(history(shoot, limit=1)[0]["before"]["segments"]) == 2  # rm keeps the cut


@pytest.mark.parametrize(
    ("position", "changes", "error", "words"),
    [
        (1, {"out": "+2f"}, InvalidInput,
         ("segment 1 trimmed to 14:03:12:10-14:03:13:02 would reach into the restricted range "
         "14:03:13:00-14:03:13:02 of clip A001C001")),
        (2, {"in_": "14:03:13:01"}, InvalidInput, "restricted range 14:03:13:00-14:03:13:02"),
        (1, {"in_": "-11f"}, InvalidInput,
         "--in 14:03:11:23 is outside clip A001C001 (14:03:12:00-14:03:14:00)"),
        (3, {"out": "14:03:21;20"}, InvalidInput, "would repeat frames of segment 4"),
        (3, {"out": "14:03:21:00"}, TimecodeError, "drop-frame is expected"),
        (3, {"in_": "14:03:22;00"}, InvalidInput, "would end (14:03:21;10) before it starts"),
        (1, {"in_": "12f"}, InvalidInput, "--in '12f' is neither a time of day nor an offset"),
        (1, {}, InvalidInput, "give --in, --out or both"),
        (9, {"in_": "+1f"}, InvalidInput, "position 9 is not a segment of cut 'rough' (1 to 4)"),
    ],
)  # fmt: skip
def test_trims_never_reach_restricted_ranges_other_segments_or_outside_the_clip(
    shoot, position, changes, error, words
):
    new_cut(shoot, "rough", CutOptions(query="kind:flub,conversation,take,setup status:accepted,"
                                       "suggested"))  # fmt: skip
    before = get_cut(shoot, "rough")
    assert spans(before) == [("A001C001", 10, 24), ("A001C001", 26, 30), ("B001_0001", 8, 38),
                             ("B001_0001", 40, 50)]  # fmt: skip
    with pytest.raises(error) as caught:
        trim_segment(shoot, "rough", position, **changes)
    assert words in str(caught.value)
    assert get_cut(shoot, "rough") == before


def test_move_and_drop_errors(shoot):
    new_cut(shoot, "rough", CutOptions(query="kind:take,flub"))
    with pytest.raises(InvalidInput, match=r"target position 3 is not a segment .* \(1 to 2\)"):
        move_segment(shoot, "rough", 1, 3)
    with pytest.raises(InvalidInput, match="would leave cut 'rough' empty") as caught:
        drop_segments(shoot, "rough", [1, 2])
    assert "btslog cut rm rough" in caught.value.hint
    with pytest.raises(NotFound, match="no cut 'nope'"):
        drop_segments(shoot, "nope", [1])


def test_a_range_marked_restricted_later_is_left_out_when_the_cut_is_read(shoot):
    new_cut(shoot, "rough", CutOptions(query="kind:take"))
    add_tag(shoot, TagSpec(clip="B001_0001", in_text="+20f", out_text="+25f", kind="restricted",
                           status="suggested"))  # fmt: skip
    cut = get_cut(shoot, "rough")
    assert spans(cut) == [("B001_0001", 8, 20), ("B001_0001", 25, 38)]
    assert cut.extra["restricted_frames_removed"] == 5
    assert spans(list_cuts(shoot)[0]) == spans(cut)
    # The next change stores it so, and positions are those shown.
    assert spans(move_segment(shoot, "rough", 2, 1)) == [("B001_0001", 25, 38),
                                                          ("B001_0001", 8, 20)]  # fmt: skip


def test_the_command_line(shoot):
    root = str(shoot.root)
    made = run_cli("--project", root, "cut", "new", "rough", "--select",
                   "kind:flub,conversation,take", "--handles", "2f", "--format", "json",
                   check=0)  # fmt: skip
    rows = json.loads(made.stdout)
    assert [(r["clip"], r["in_tc"], r["out_tc"]) for r in rows] == [
        ("A001C001", "14:03:12:08", "14:03:13:00"),
        ("A001C001", "14:03:13:02", "14:03:13:08"),
        ("B001_0001", "14:03:20;08", "14:03:21;12"),
    ]
    shown = run_cli("--project", root, "cut", "show", "rough", check=0).stdout
    assert "14:03:20;08" in shown and "Take · scene 12A take 3" in shown
    assert shown.rstrip().endswith("total: 3 segments, 0:00:02.052")
    listed = json.loads(run_cli("--project", root, "cut", "list", "--format", "json",
                                check=0).stdout)  # fmt: skip
    assert [(r["name"], r["segments"], r["handles"]) for r in listed] == [("rough", 3, "2f")]
    bad = run_cli("--project", root, "cut", "trim", "rough", "1", "--out", "+1f", check=1)
    assert bad.stderr.startswith("error: segment 1 trimmed to 14:03:12:08-14:03:13:01 would "
                                 "reach into the restricted range")  # fmt: skip
    assert "Traceback" not in bad.stderr
    query = run_cli("--project", root, "cut", "new", "x", "--select", "kind:flub who", check=1)
    assert "selects no tags" in query.stderr
    removed = run_cli("--project", root, "cut", "rm", "rough", check=0)
    assert removed.stdout.strip() == "removed cut rough (3 segments)"


def test_migration_0003_carries_over_a_cut_of_the_old_tables(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from btslog.db import cuts as cut_rows
    from btslog.db.database import MIGRATIONS, Database, sqlite_url

    url = sqlite_url(tmp_path / "old.db")
    old = Database(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.write() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO clips (id, name, path, container, codec, width, height, rate_num, "
                "rate_den, vfr, duration_frames, start_frame, drop_frame, timecode_source, "
                "audio_json, size_bytes, sync_offset_frames, added_at) VALUES (7, 'A001', 'a.mov', "
                "'mov', 'h264', 1, 1, 24, 1, 0, 100, 0, 0, 'none', '[]', 1, 0, 'x')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO tags (id, clip_id, in_frame, out_frame, kind, scene, take, note, "
                "circled, ng, status, source, created_at, updated_at) VALUES (3, 7, 10, 20, 'flub', "
                "'4', '2', 'oops', 1, 0, 'accepted', 'manual', 'x', 'x')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cuts (id, name, query, settings_json, created_at, updated_at) "
                "VALUES (1, 'old', 'kind:flub', '{\"order\": \"rating\"}', 'a', 'b')"
            )
        )
        connection.execute(text(
            "INSERT INTO cut_segments (cut_id, position, clip_id, in_frame, out_frame, tag_id) "
            "VALUES (1, 5, 7, 8, 22, 3), (1, 9, 7, 40, 50, NULL)"))  # fmt: skip
    old.close()
    migrated = Database.open(url)
    with migrated.read() as connection:
        cut = cut_rows.get_cut(connection, "old")
    migrated.close()
    assert cut.options == CutOptions(query="kind:flub", order="rating")
    assert [(s.clip, s.in_frame, s.out_frame, s.kind, s.scene, s.take, s.note, s.circled)
            for s in cut.segments] == [("A001", 8, 22, "flub", "4", "2", "oops", True),
                                       ("A001", 40, 50, "take", None, None, "", False)]  # fmt: skip
