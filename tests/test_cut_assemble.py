"""Assembling a cut from tags (pure): handles, max segment, orders, no frame twice, and never
anything of a restricted range."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from btslog.cut.assemble import (
    assemble,
    natural_key,
    parse_length,
    start_seconds,
    subtract,
    without_restricted,
)
from btslog.cut.model import CutOptions, Segment
from btslog.errors import InvalidInput
from btslog.model import Clip, Tag

NTSC = Fraction(30000, 1001)


def clip(clip_id, name, *, rate=Fraction(24), start_frame=0, duration=480, drop_frame=False,
         day="2026-11-20", camera="A") -> Clip:  # fmt: skip
    return Clip(id=clip_id, name=name, path=f"{name}.mov", source_path=None, camera=camera,
                roll=None, operator=None, day=day, container="mov", codec="h264", width=320,
                height=180, rate=rate, vfr=False, duration_frames=duration,
                start_frame=start_frame, drop_frame=drop_frame, timecode_source="tmcd",
                reel=None, creation_time=None, audio=(), size_bytes=1, xxh64=None)  # fmt: skip


_ids = iter(range(1, 10**9))


def tag(on: Clip, in_frame, out_frame, kind="take", **values) -> Tag:
    return Tag(id=values.pop("id", next(_ids)), clip_id=on.id, clip=on.name, in_frame=in_frame,
               out_frame=out_frame, kind=kind, **values)  # fmt: skip


# A at 24 fps from 10:00:00:00; B at 29.97 DF from 10:00:05;00 (later in the day); C at 25 fps
# from 09:00:00:00 but shot the next day.
A = clip(1, "A001", start_frame=10 * 3600 * 24)
B = clip(2, "B001", rate=NTSC, drop_frame=True, start_frame=1078920 + 150, camera="B")
C = clip(3, "C001", rate=Fraction(25), start_frame=9 * 3600 * 25, day="2026-11-21", camera="C")
CLIPS = {c.id: c for c in (A, B, C)}


def spans(segments):
    return [(s.clip, s.in_frame, s.out_frame) for s in segments]


def test_start_seconds_read_the_label_at_every_rate():
    assert start_seconds(A) == 36000
    assert start_seconds(B) == 36005  # 10:00:05;00 drop-frame
    assert start_seconds(C) == 32400


def test_handles_extend_both_ends_at_each_clip_rate_clamped_to_the_clip():
    tags = [tag(A, 100, 200), tag(B, 0, 30), tag(A, 470, 480)]
    segments = assemble(tags, CLIPS, [], CutOptions(query="x", handles="0.5s"))
    # 0.5 s is 12 frames at 24 fps and 15 at 29.97; B's in and A's out clamp to the clip.
    # B (from 10:00:05) comes between A's ranges at 10:00:03.7 and 10:00:19.1.
    assert spans(segments) == [("A001", 88, 212), ("B001", 0, 45), ("A001", 458, 480)]
    frames = assemble(tags, CLIPS, [], CutOptions(query="x", handles="12f"))
    assert spans(frames) == [("A001", 88, 212), ("B001", 0, 42), ("A001", 458, 480)]


def test_time_order_merges_overlapping_and_adjacent_ranges_with_the_first_label():
    first = tag(A, 100, 150, kind="flub", note="slate", people=("Grace",))
    overlapping = tag(A, 140, 200, kind="conversation", note="talk")
    adjacent = tag(A, 200, 210, kind="highlight")
    apart = tag(A, 300, 310, kind="setup")
    segments = assemble([apart, adjacent, overlapping, first], CLIPS, [], CutOptions(query="x"))
    assert spans(segments) == [("A001", 100, 210), ("A001", 300, 310)]
    assert (segments[0].kind, segments[0].note, segments[0].people) == ("flub", "slate",
                                                                        ("Grace",))  # fmt: skip
    assert segments[0].tag_id == first.id


def test_time_order_is_day_then_time_of_day_then_clip_name():
    twin = clip(4, "A000", start_frame=10 * 3600 * 24, camera="D")
    clips = {**CLIPS, twin.id: twin}
    tags = [tag(C, 0, 10), tag(B, 0, 10), tag(A, 24 * 6, 24 * 6 + 10), tag(A, 0, 10),
            tag(twin, 0, 10)]  # fmt: skip
    segments = assemble(tags, clips, [], CutOptions(query="x"))
    # A 10:00:00, A000 10:00:00 (name breaks the tie), B 10:00:05, A 10:00:06, C next day.
    assert spans(segments) == [("A000", 0, 10), ("A001", 0, 10), ("B001", 0, 10),
                               ("A001", 144, 154), ("C001", 0, 10)]  # fmt: skip


def test_restricted_ranges_split_segments_after_handles():
    tags = [tag(A, 100, 200)]
    restricted = [tag(A, 140, 150, kind="restricted"), tag(A, 196, 300, kind="restricted"),
                  tag(B, 0, 480, kind="restricted")]  # fmt: skip
    segments = assemble(tags, CLIPS, restricted, CutOptions(query="x", handles="10f"))
    assert spans(segments) == [("A001", 90, 140), ("A001", 150, 196)]
    assert all(s.tag_id == tags[0].id for s in segments)


def test_restricted_of_any_status_counts_and_selected_restricted_tags_never_show():
    suggested = tag(A, 0, 50, kind="restricted", status="suggested")
    rejected = tag(A, 60, 70, kind="restricted", status="rejected")
    removed = tag(A, 80, 90, kind="restricted", deleted_at="2026-11-20T10:00:00Z")
    segments = assemble([tag(A, 0, 100), suggested], CLIPS, [suggested, rejected, removed],
                        CutOptions(query="x"))  # fmt: skip
    assert spans(segments) == [("A001", 50, 60), ("A001", 70, 100)]


def test_max_segment_keeps_the_head_of_each_range_and_of_a_merged_range():
    tags = [tag(A, 0, 200), tag(B, 0, 100), tag(A, 300, 340), tag(A, 330, 400)]
    segments = assemble(tags, CLIPS, [], CutOptions(query="x", max_segment="2s"))
    # A 300-340 and 330-400 merge into 300-400, which keeps its head as well.
    assert spans(segments) == [("A001", 0, 48), ("B001", 0, 60), ("A001", 300, 348)]
    frames = assemble(tags, CLIPS, [], CutOptions(query="x", max_segment="30f", handles="5f"))
    assert spans(frames) == [("A001", 0, 30), ("B001", 0, 30), ("A001", 295, 325)]


def test_other_orders_take_used_frames_out_of_later_segments():
    good = tag(A, 100, 200, kind="take", rating=5, scene="2", take="1")
    weaker = tag(A, 150, 260, kind="flub", rating=3, scene="10", take="1")
    unrated = tag(B, 0, 30, kind="conversation", scene="2", take="10")
    also_good = tag(C, 0, 25, kind="take", rating=5, scene="2A", take="2")
    tags = [weaker, unrated, also_good, good]
    by_rating = assemble(tags, CLIPS, [], CutOptions(query="x", order="rating"))
    assert spans(by_rating) == [("A001", 100, 200), ("C001", 0, 25), ("A001", 200, 260),
                                ("B001", 0, 30)]  # fmt: skip
    by_kind = assemble(tags, CLIPS, [], CutOptions(query="x", order="kind"))
    assert [s.kind for s in by_kind] == ["take", "take", "flub", "conversation"]
    assert spans(by_kind)[2] == ("A001", 200, 260)
    by_scene = assemble(tags, CLIPS, [], CutOptions(query="x", order="scene"))
    # scene 2 take 1, scene 2 take 10, scene 2A, scene 10
    assert spans(by_scene) == [("A001", 100, 200), ("B001", 0, 30), ("C001", 0, 25),
                               ("A001", 200, 260)]  # fmt: skip


def test_kind_order_follows_the_given_order_then_unknown_kinds_by_name():
    tags = [tag(A, 0, 10, kind="zany"), tag(A, 20, 30, kind="interview"),
            tag(A, 40, 50, kind="flub"), tag(A, 60, 70, kind="take")]  # fmt: skip
    order = ("take", "flub", "conversation", "setup", "highlight", "restricted")
    kinds = [s.kind for s in assemble(tags, CLIPS, [], CutOptions(query="x", order="kind"),
                                      order)]  # fmt: skip
    assert kinds == ["take", "flub", "interview", "zany"]


def test_natural_scene_order():
    scenes = ["10", "2", None, "12A", "12", "2B", ""]
    assert sorted(scenes, key=natural_key) == ["2", "2B", "10", "12", "12A", None, ""]


def test_lengths_and_bad_options():
    assert parse_length("12f", Fraction(24), "--handles") == 12
    assert parse_length("0.5s", NTSC, "--handles") == 15
    assert parse_length(None, NTSC, "--handles") == 0
    with pytest.raises(InvalidInput, match=r"--handles '-2f': .* has a sign"):
        assemble([tag(A, 0, 10)], CLIPS, [], CutOptions(query="x", handles="-2f"))
    with pytest.raises(InvalidInput, match=r"--max-segment '0f' is shorter than one frame"):
        assemble([tag(A, 0, 10)], CLIPS, [], CutOptions(query="x", max_segment="0f"))
    with pytest.raises(InvalidInput, match=r"--order 'best'"):
        assemble([tag(A, 0, 10)], CLIPS, [], CutOptions(query="x", order="best"))


def test_subtract_and_without_restricted():
    assert subtract((0, 100), [(10, 20), (15, 30), (90, 120), (50, 50)]) == [(0, 10), (30, 90)]
    assert subtract((0, 10), [(0, 10)]) == []
    segment = Segment(clip_id=1, clip="A001", in_frame=0, out_frame=100, kind="take")
    assert without_restricted([segment], {1: [(99, 100)], 2: [(0, 100)]}) == (
        Segment(clip_id=1, clip="A001", in_frame=0, out_frame=99, kind="take"),
    )


# --- properties ------------------------------------------------------------------------------

_CLIPS = [clip(1, "A001", duration=200), clip(2, "B001", rate=NTSC, drop_frame=True,
          start_frame=1078920, duration=150), clip(3, "C001", rate=Fraction(25), duration=90)]  # fmt: skip
_BY_ID = {c.id: c for c in _CLIPS}


@st.composite
def _ranges(draw, kind=None):
    on = draw(st.sampled_from(_CLIPS))
    in_frame = draw(st.integers(0, on.duration_frames - 1))
    out_frame = draw(st.integers(in_frame + 1, on.duration_frames))
    return tag(on, in_frame, out_frame,
               kind=kind or draw(st.sampled_from(["take", "flub", "conversation", "setup"])),
               rating=draw(st.none() | st.integers(1, 5)),
               scene=draw(st.none() | st.sampled_from(["1", "2", "10", "2A"])))  # fmt: skip


_OPTIONS = st.builds(
    CutOptions,
    query=st.just("x"),
    order=st.sampled_from(["time", "kind", "rating", "scene"]),
    handles=st.sampled_from(["0f", "3f", "12f", "0.5s", "1s"]),
    max_segment=st.sampled_from([None, "1f", "10f", "2s"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ranges(), max_size=12), st.lists(_ranges("restricted"), max_size=5), _OPTIONS)
def test_cut_invariants(tags, restricted, options):
    segments = assemble(tags, _BY_ID, restricted, options)
    seen: dict[int, set[int]] = {}
    for segment in segments:
        on = _BY_ID[segment.clip_id]
        assert 0 <= segment.in_frame < segment.out_frame <= on.duration_frames
        frames = set(range(segment.in_frame, segment.out_frame))
        for blocked in restricted:
            if blocked.clip_id == segment.clip_id:
                assert not frames & set(range(blocked.in_frame, blocked.out_frame))
        assert not frames & seen.get(segment.clip_id, set()), "a frame used twice"
        seen.setdefault(segment.clip_id, set()).update(frames)
        if options.max_segment is not None:
            assert segment.frames <= parse_length(options.max_segment, on.rate, "")
    allowed = sum(t.frames + 2 * parse_length(options.handles, _BY_ID[t.clip_id].rate, "")
                  for t in tags)  # fmt: skip
    assert sum(s.frames for s in segments) <= allowed
    # Every selected frame outside restricted ranges is in the cut (without a max segment).
    if options.max_segment is None:
        for selected in tags:
            wanted = set(range(selected.in_frame, selected.out_frame))
            for blocked in restricted:
                if blocked.clip_id == selected.clip_id:
                    wanted -= set(range(blocked.in_frame, blocked.out_frame))
            assert wanted <= seen.get(selected.clip_id, set())


def test_time_order_follows_the_sync_offset_of_cameras_aligned_by_sound():
    from dataclasses import replace

    # B's clock runs 5 s ahead of A's: synced by sound (-150 frames at 29.97), B's first
    # frame is 10:00:00;00 on A's clock, so B's range at 2 s comes before A's at 3 s.
    synced = replace(B, sync_offset_frames=-150)
    tags = [tag(A, 72, 82), tag(synced, 60, 70)]
    assert start_seconds(synced) == 36000
    segments = assemble(tags, {**CLIPS, synced.id: synced}, [], CutOptions(query="x"))
    assert spans(segments) == [("B001", 60, 70), ("A001", 72, 82)]
    unsynced = assemble(tags[:1] + [tag(B, 60, 70)], CLIPS, [], CutOptions(query="x"))
    assert spans(unsynced) == [("A001", 72, 82), ("B001", 60, 70)]
