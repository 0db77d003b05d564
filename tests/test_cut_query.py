"""The selection syntax of `btslog cut new --select`: parsing, errors, matching, round trip."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from btslog.cut.query import (
    FIELDS,
    TEXT,
    Condition,
    Selection,
    format_selection,
    parse_selection,
)
from btslog.errors import InvalidInput
from btslog.model import Clip, Tag


def clip(name="A001C001", camera="A", day="2026-11-20") -> Clip:
    return Clip(id=1, name=name, path=f"{name}.mov", source_path=None, camera=camera, roll=None,
                operator=None, day=day, container="mov", codec="h264", width=320, height=180,
                rate=Fraction(24000, 1001), vfr=False, duration_frames=480, start_frame=0,
                drop_frame=False, timecode_source="tmcd", reel=None, creation_time=None,
                audio=(), size_bytes=1, xxh64=None)  # fmt: skip


def tag(**values) -> Tag:
    defaults = {"id": 1, "clip_id": 1, "clip": "A001C001", "in_frame": 0, "out_frame": 10,
                "kind": "flub"}  # fmt: skip
    return Tag(**{**defaults, **values})


def test_the_documented_example_parses_term_by_term():
    selection = parse_selection(
        'kind:flub,Conversation circled camera:A,B day:2026-11-20 who:"Grace Hopper" '
        '-restricted "dropped the" -ng rating:4 status:accepted,suggested Tripod'
    )
    assert selection.conditions == (
        Condition("kind", ("flub", "conversation")),
        Condition("circled"),
        Condition("camera", ("A", "B")),
        Condition("day", ("2026-11-20",)),
        Condition("who", ("Grace Hopper",)),
        Condition("kind", ("restricted",), negated=True),
        Condition(TEXT, ("dropped the",)),
        Condition("ng", negated=True),
        Condition("rating", ("4",)),
        Condition("status", ("accepted", "suggested")),
        Condition(TEXT, ("Tripod",)),
    )
    assert format_selection(selection) == (
        'kind:flub,conversation circled camera:A,B day:2026-11-20 who:"Grace Hopper" '
        '-kind:restricted "dropped the" -ng rating:4 status:accepted,suggested Tripod'
    )


def test_fields_and_flags_in_any_case_quotes_and_escapes():
    selection = parse_selection(r'KIND:Take CIRCLED Scene:12a -Who:grace "say \"cut\"" "ng"')
    assert selection.conditions == (
        Condition("kind", ("take",)),
        Condition("circled"),
        Condition("scene", ("12a",)),
        Condition("who", ("grace",), negated=True),
        Condition(TEXT, ('say "cut"',)),
        Condition(TEXT, ("ng",)),
    )


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("kind:flub foo:bar", ("selection term 2 'foo:bar' (character 11): unknown field 'foo' "
                              "(fields: kind, camera, day, clip, who, scene, take, rating, status)")),
        ("kind:", "term 1 'kind:' (character 1): kind: needs a value"),
        ("camera:A, B", "term 1 'camera:A,' (character 1): camera: needs a value after the comma"),
        ("day:2026-02-30", "day '2026-02-30' is not a date written as YYYY-MM-DD"),
        ("day:20261120", "day '20261120' is not a date"),
        ("rating:6", "rating '6' is not 1 to 5"),
        ("rating:four", "rating 'four' is not 1 to 5"),
        ("status:maybe", "status 'maybe' is not accepted, suggested or rejected"),
        ("kind:Flub!", "'Flub!' is not a kind name"),
        ('circled "dropped', "term 2 '\"dropped' (character 9): the quote is not closed"),
        ('"a"b', "put a space after the closing quote"),
        ('ab"c"', "a quote inside a word"),
        ('who:Gr"ace"', "a quote inside a value"),
        ("who:Grace:x,Y", None),  # a colon inside a value is part of it
        ("- ng", "term 1 '-' (character 1): a lone '-'"),
        ("--ng", "two '-' in a row"),
        (":x", "a ':' without a field name"),
        ("restricted", "restricted ranges are never used in a cut"),
        ("kind:take,restricted", "restricted ranges are never used in a cut"),
        ('""', "the quoted phrase is empty"),
        ("   ", "the selection is empty"),
        ("", "the selection is empty"),
    ],
)  # fmt: skip
def test_bad_terms_are_named_with_their_position(query, words):
    if words is None:
        assert parse_selection(query).conditions == (Condition("who", ("Grace:x", "Y")),)
        return
    with pytest.raises(InvalidInput) as caught:
        parse_selection(query)
    assert words in str(caught.value)
    assert caught.value.hint


def test_unknown_field_hint_lists_every_field():
    with pytest.raises(InvalidInput) as caught:
        parse_selection("colour:red")
    assert all(f"{field}:" in caught.value.hint for field in FIELDS)


def test_statuses_default_to_accepted_and_combine():
    assert parse_selection("flub").statuses() == ("accepted",)
    assert parse_selection("status:suggested,accepted").statuses() == ("accepted", "suggested")
    assert parse_selection("-status:rejected").statuses() == ("accepted", "suggested")
    assert parse_selection("status:accepted -status:accepted").statuses() == ()
    assert parse_selection("status:accepted,suggested,rejected").statuses() is None


def test_single_values_for_indexed_filters():
    selection = parse_selection("camera:A kind:flub,take -who:Grace who:Eileen")
    assert selection.single("camera") == "A"
    assert selection.single("kind") is None  # two values: OR
    assert selection.single("who") == "Eileen"  # the negated term does not count
    assert selection.single("day") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind:flub,take", True),
        ("kind:take", False),
        ("-kind:flub", False),
        ("camera:a,B", True),  # any case
        ("camera:B", False),
        ("day:2026-11-20", True),
        ("day:2026-11-21", False),
        ("clip:a001c001", True),
        ("who:grace", True),
        ("who:Eileen,Grace", True),
        ("-who:Grace", False),
        ("who:Ada", False),
        ("scene:12a", True),
        ("take:3", True),
        ("take:4", False),
        ("rating:4", True),
        ("rating:5", False),
        ("rating:5,4", True),
        ("circled", True),
        ("-circled", False),
        ("ng", False),
        ("-ng", True),
        ("slate", True),
        ('"DROPPED THE"', True),
        ('"the dropped"', False),
        ("-slate", False),
        ("status:suggested", False),
        ("-status:suggested", True),
        ("kind:flub camera:A who:Grace circled -ng slate rating:3", True),
        ("kind:flub camera:A who:Grace circled -ng slate rating:3 -take:3", False),
    ],
)  # fmt: skip
def test_matches_tests_every_condition(query, expected):
    logged = tag(kind="flub", note="Dropped the slate", people=("Eileen", "Grace"), scene="12A",
                 take="3", rating=4, circled=True, status="accepted")  # fmt: skip
    assert parse_selection(query).matches(logged, clip()) is expected


def test_unset_fields_never_match_and_only_accepted_by_default():
    bare = tag(kind="setup", status="suggested")
    assert not parse_selection("kind:setup").matches(bare, clip())
    assert parse_selection("kind:setup status:suggested").matches(bare, clip())
    accepted = tag(kind="setup")
    assert not parse_selection("scene:1").matches(accepted, clip())
    assert parse_selection("-scene:1").matches(accepted, clip())
    assert not parse_selection("rating:1").matches(accepted, clip())
    assert not parse_selection("camera:A").matches(accepted, clip(camera=None))


# --- properties ------------------------------------------------------------------------------

_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda text: text.strip() == text and text.strip() != "")
_PHRASE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12
                  ).filter(lambda text: text.strip() != "")  # fmt: skip
_KIND = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True).filter(lambda k: k != "restricted")
_DAY = st.dates().map(lambda day: day.isoformat()).filter(lambda text: len(text) == 10)


def _condition():
    def field(name, values):
        return st.builds(Condition, st.just(name), st.lists(values, min_size=1, max_size=3)
                         .map(tuple), st.booleans())  # fmt: skip

    return st.one_of(
        field("kind", _KIND),
        st.just(Condition("kind", ("restricted",), True)),
        field("camera", _ANY_TEXT),
        field("day", _DAY),
        field("clip", _ANY_TEXT),
        field("who", _ANY_TEXT),
        field("scene", _ANY_TEXT),
        field("take", _ANY_TEXT),
        field("rating", st.sampled_from("12345")),
        field("status", st.sampled_from(["accepted", "suggested", "rejected"])),
        st.builds(Condition, st.sampled_from(["circled", "ng"]), st.just(()), st.booleans()),
        st.builds(Condition, st.just(TEXT), _PHRASE.map(lambda text: (text,)), st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_condition(), min_size=1, max_size=6).map(lambda items: Selection(tuple(items))))
def test_format_then_parse_gives_the_same_selection(selection):
    assert parse_selection(format_selection(selection)) == selection


_GARBAGE = st.text(
    alphabet=st.one_of(st.sampled_from(list(' -:,"\\\tkindcamerawho12ngcircled')),
                       st.characters(blacklist_categories=("Cs",))),
    max_size=40,
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(_GARBAGE)
def test_any_text_parses_or_raises_invalid_input_only(text):
    try:
        selection = parse_selection(text)
    except InvalidInput as error:
        assert error.message.startswith(("selection term ", "the selection is empty"))
        return
    assert selection.conditions
    # What parses once parses the same when written back.
    assert parse_selection(format_selection(selection)) == selection
