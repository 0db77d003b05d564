"""The selection syntax of ``btslog cut new --select``: which tags a cut is made of.

A query is a list of *terms* separated by spaces.  A tag is selected when it meets **every**
term (AND); commas inside one term mean OR::

    kind:flub,conversation circled camera:A,B day:2026-11-20 who:Eileen -restricted

=====================  ======================================================================
term                   selects tags ...
=====================  ======================================================================
``kind:K1,K2``         of kind K1 or K2 (``take``, ``flub``, ``conversation``, ``setup``,
                       ``highlight``, or a kind of the project's ``btslog.toml``)
``camera:A,B``         on a clip of camera A or B (any case)
``day:YYYY-MM-DD``     on a clip shot that day
``clip:NAME``          on that clip (its name, id, path or the start of its name)
``who:NAME``           with that person present (any case; quote names with spaces:
                       ``who:"Grace Hopper"``)
``scene:12A``          of that scene (any case)
``take:3``             of that take number
``rating:4``           rated 4 stars or more
``status:S``           of status ``accepted``, ``suggested`` or ``rejected``; without a status
                       term only **accepted** tags are selected
``circled``            circled takes
``ng``                 takes marked NG
``word``, ``"a phrase"``  whose note holds the word or phrase (any case)
``-TERM``              that do **not** meet TERM: ``-ng``, ``-kind:setup``, ``-who:Grace``,
                       ``-"test shot"``; ``-restricted`` is short for ``-kind:restricted``
=====================  ======================================================================

Field names and the flags ``circled``, ``ng`` and ``restricted`` may be written in any case;
to search notes for one of those words, or for text holding a ``:``, quote it (``"ng"``,
``"note: later"``).  Inside quotes, ``\\"`` is a quote and ``\\\\`` a backslash.

Restricted ranges are never used in a cut, whatever the query says (the assembly subtracts every
``restricted`` tag of a clip from its segments), so a term selecting them (``restricted``,
``kind:restricted``) is refused as a mistake.

:func:`parse_selection` turns the text into a :class:`Selection` (or raises
:class:`~btslog.errors.InvalidInput` naming the term, its position and the valid fields);
:func:`format_selection` writes a selection back as text that parses to the same value;
:meth:`Selection.matches` tests one tag.  Nothing here touches the database: ``btslog.ops.cuts``
narrows the search with the indexed filters of ``btslog.db.tags.TagFilter`` and tests every
candidate with :meth:`Selection.matches`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from btslog.errors import InvalidInput
from btslog.model import TAG_STATUSES, Clip, Tag

# Fields written ``field:value[,value...]``, in the order errors list them.
FIELDS = ("kind", "camera", "day", "clip", "who", "scene", "take", "rating", "status")
# Terms written as one word.
FLAGS = ("circled", "ng", "restricted")
TEXT = "text"  # the field of a bare word or quoted phrase (searched in notes)

_KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_FIELD_RE = re.compile(r"^[A-Za-z]+$")
# Characters that make the formatter quote a word (and, with the comma, a value).
_SPECIAL = set(' \t\n\r\f\v"\\:')
_VALUE_SPECIAL = _SPECIAL | {","}

SYNTAX_HINT = (
    "fields: " + ", ".join(f"{name}:" for name in FIELDS) + "; flags: circled, ng, "
    '-restricted; bare words or "quoted phrases" search notes; commas mean OR, spaces AND, '
    "a leading - excludes (e.g. 'kind:flub,conversation circled camera:A,B -restricted')"
)


@dataclass(frozen=True)
class Condition:
    """One term: ``field`` meets one of ``values`` (flags have none); ``negated`` inverts it.

    Values are normalised: kinds and statuses lower case, ratings ``"1"`` to ``"5"``; the
    others as typed (compared without regard to case).
    """

    field: str  # one of FIELDS, "circled", "ng" or TEXT
    values: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Selection:
    """A parsed query: tags meeting every condition."""

    conditions: tuple[Condition, ...]

    def statuses(self) -> tuple[str, ...] | None:
        """The statuses a tag may have (``None``: any): accepted only without a status term."""
        terms = [condition for condition in self.conditions if condition.field == "status"]
        if not terms:
            return ("accepted",)
        allowed = set(TAG_STATUSES)
        for condition in terms:
            values = set(condition.values)
            allowed = allowed - values if condition.negated else allowed & values
        return None if allowed == set(TAG_STATUSES) else tuple(sorted(allowed))

    def single(self, field: str) -> str | None:
        """The one value a positive ``field:value`` term requires, if there is exactly one
        such term with one value (what an indexed filter can narrow the search by)."""
        terms = [c for c in self.conditions if c.field == field and not c.negated]
        if len(terms) == 1 and len(terms[0].values) == 1:
            return terms[0].values[0]
        return None

    def has_flag(self, field: str) -> bool:
        return any(c.field == field and not c.negated for c in self.conditions)

    def matches(self, tag: Tag, clip: Clip) -> bool:
        """Whether ``tag`` (on ``clip``) meets every condition, statuses included."""
        statuses = self.statuses()
        if statuses is not None and tag.status not in statuses:
            return False
        return all(
            _meets(condition, tag, clip) != condition.negated
            for condition in self.conditions
            if condition.field != "status"
        )


def _meets(condition: Condition, tag: Tag, clip: Clip) -> bool:
    field, values = condition.field, condition.values
    if field == "circled":
        return tag.circled
    if field == "ng":
        return tag.ng
    if field == TEXT:
        note = (tag.note or "").casefold()
        return all(value.casefold() in note for value in values)
    if field == "rating":
        return tag.rating is not None and tag.rating >= min(int(value) for value in values)
    if field == "who":
        present = {name.casefold() for name in tag.people}
        return any(value.casefold() in present for value in values)
    actual = {
        "kind": tag.kind,
        "camera": clip.camera,
        "day": clip.day,
        "clip": tag.clip,
        "scene": tag.scene,
        "take": tag.take,
        "status": tag.status,
    }[field]
    if actual is None:
        return False
    return any(value.casefold() == actual.casefold() for value in values)


# --- parsing ---------------------------------------------------------------------------------


class _Term:
    """One term as read: where it starts, the text as typed, and its pieces."""

    def __init__(self, start: int, number: int) -> None:
        self.start = start
        self.number = number
        self.text = ""

    def error(self, problem: str, hint: str = SYNTAX_HINT) -> InvalidInput:
        return InvalidInput(
            f"selection term {self.number} {self.text!r} (character {self.start + 1}): {problem}",
            hint=hint,
        )


def _quoted(text: str, index: int, term: _Term) -> tuple[str, int]:
    """The string quoted at ``text[index]`` (a ``"``) and the index after its closing quote."""
    out = []
    position = index + 1
    while position < len(text):
        character = text[position]
        if character == "\\" and position + 1 < len(text) and text[position + 1] in '"\\':
            out.append(text[position + 1])
            position += 2
            continue
        if character == '"':
            return "".join(out), position + 1
        out.append(character)
        position += 1
    term.text = text[term.start :]
    raise term.error("the quote is not closed", hint='close it with " (write \\" for a quote)')


def _ends_term(text: str, position: int) -> bool:
    return position >= len(text) or text[position].isspace()


def parse_selection(text: str) -> Selection:
    """The :class:`Selection` that query ``text`` writes (see the module's documentation)."""
    if not isinstance(text, str):
        raise InvalidInput(f"selection {text!r} is not text", hint=SYNTAX_HINT)
    conditions: list[Condition] = []
    position = 0
    number = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        number += 1
        term = _Term(position, number)
        condition, position = _parse_term(text, term)
        conditions.append(condition)
    if not conditions:
        raise InvalidInput(
            "the selection is empty: say which tags the cut is made of",
            hint="e.g. --select 'kind:take circled' or --select 'status:accepted'; " + SYNTAX_HINT,
        )
    return Selection(tuple(conditions))


def _term_end(text: str, position: int) -> int:
    """Where the term from ``position`` ends, for showing it in an error (quotes skipped)."""
    in_quotes = False
    while position < len(text):
        character = text[position]
        if in_quotes and character == "\\" and position + 1 < len(text):
            position += 2
            continue
        if character == '"':
            in_quotes = not in_quotes
        elif character.isspace() and not in_quotes:
            break
        position += 1
    return position


def _parse_term(text: str, term: _Term) -> tuple[Condition, int]:
    term.text = text[term.start : _term_end(text, term.start)]
    position = term.start
    negated = text[position] == "-"
    if negated:
        position += 1
        if _ends_term(text, position):
            raise term.error("a lone '-': write the term to exclude right after it (-ng)")
        if text[position] == "-":
            raise term.error("two '-' in a row")
    if text[position] == '"':
        phrase, position = _quoted(text, position, term)
        if not _ends_term(text, position):
            raise term.error("put a space after the closing quote")
        if not phrase.strip():
            raise term.error("the quoted phrase is empty")
        return Condition(TEXT, (phrase,), negated), position
    start = position
    while not _ends_term(text, position) and text[position] not in ':"':
        position += 1
    word = text[start:position]
    if position < len(text) and text[position] == '"':
        raise term.error('a quote inside a word: quote the whole phrase ("like this")')
    if _ends_term(text, position):  # a flag or a word of the note
        flag = word.lower()
        if flag == "restricted":
            if not negated:
                raise _restricted_error(term)
            return Condition("kind", ("restricted",), True), position
        if flag in ("circled", "ng"):
            return Condition(flag, (), negated), position
        return Condition(TEXT, (word,), negated), position
    # field:value[,value...]
    field = word.lower()
    if not word:
        raise term.error("a ':' without a field name before it")
    if field not in FIELDS or not _FIELD_RE.match(word):
        raise term.error(f"unknown field {word!r} (fields: {', '.join(FIELDS)})")
    position += 1  # the colon
    values: list[str] = []
    while True:
        if _ends_term(text, position) or text[position] == ",":
            raise term.error(f"{field}: needs a value" + (" after the comma" if values else ""))
        if text[position] == '"':
            value, position = _quoted(text, position, term)
        else:
            start = position
            while not _ends_term(text, position) and text[position] not in ',"':
                position += 1
            value = text[start:position]
            if position < len(text) and text[position] == '"':
                raise term.error('a quote inside a value: quote the whole value ("like this")')
        values.append(_checked_value(field, value, term, negated))
        if _ends_term(text, position):
            break
        if text[position] != ",":
            raise term.error("put a comma between values and a space after the last one")
        position += 1
    return Condition(field, tuple(values), negated), position


def _restricted_error(term: _Term) -> InvalidInput:
    return term.error(
        "restricted ranges are never used in a cut",
        hint="they are always left out; to select everything else, leave the term out "
        "(or write -restricted)",
    )


def _checked_value(field: str, value: str, term: _Term, negated: bool) -> str:
    value = value.strip()
    if not value:
        raise term.error(f"{field}: needs a value")
    if field == "kind":
        kind = value.lower()
        if not _KIND_RE.match(kind):
            raise term.error(f"{value!r} is not a kind name", hint="kinds are lower-case words "
                             "such as take, flub, conversation, setup, highlight")  # fmt: skip
        if kind == "restricted" and not negated:
            raise _restricted_error(term)
        return kind
    if field == "status":
        status = value.lower()
        if status not in TAG_STATUSES:
            raise term.error(f"status {value!r} is not accepted, suggested or rejected")
        return status
    if field == "rating":
        if not re.fullmatch(r"[1-5]", value):
            raise term.error(f"rating {value!r} is not 1 to 5 (rating:4 means 4 stars or more)")
        return value
    if field == "day":
        try:
            if not _DAY_RE.match(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            raise term.error(f"day {value!r} is not a date written as YYYY-MM-DD",
                             hint="e.g. day:2026-11-20") from None  # fmt: skip
        return value
    return value


# --- formatting ------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value_text(value: str) -> str:
    if not value or any(character in _VALUE_SPECIAL or character.isspace()
                        for character in value):  # fmt: skip
        return _quote(value)
    return value


def _word_text(value: str) -> str:
    bare = (
        value
        and not any(character in _SPECIAL or character.isspace() for character in value)
        and not value.startswith("-")
        and value.lower() not in FLAGS
    )
    return value if bare else _quote(value)


def format_condition(condition: Condition) -> str:
    sign = "-" if condition.negated else ""
    if condition.field in ("circled", "ng"):
        return sign + condition.field
    if condition.field == TEXT:
        return sign + " ".join(_word_text(value) for value in condition.values)
    return f"{sign}{condition.field}:" + ",".join(_value_text(v) for v in condition.values)


def format_selection(selection: Selection) -> str:
    """``selection`` as query text; ``parse_selection(format_selection(s)) == s``."""
    return " ".join(format_condition(condition) for condition in selection.conditions)
