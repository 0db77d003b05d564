"""Exact timecode at every frame rate editors meet.

Conventions used everywhere in btslog:

* **Time is integer frames at an exact rational rate** (``Fraction(30000, 1001)``), never
  floats.  A rate is a :class:`fractions.Fraction` of frames per second; get one from user
  input with :func:`parse_rate`.
* **A timecode string is a label**, used only for input and output.  Its frame count is the
  number of labels from ``00:00:00:00`` in the same drop-frame mode, so at 29.97 drop-frame
  ``00:10:00;00`` is frame 17982 and at 29.97 non-drop ``00:10:00:00`` is frame 18000.  A
  clip's time-of-day timecode is such a count (``start_frame``); offsets inside a clip count
  from the clip's first frame, and out points are exclusive.
* **The separator is the mode**: ``HH:MM:SS:FF`` is non-drop-frame; ``HH:MM:SS;FF`` (Avid and
  most NLEs), ``HH;MM;SS;FF`` (Premiere Pro) and ``HH:MM:SS.FF`` (Panasonic/Leitch; ffmpeg
  also reads any non-``:`` frame separator as drop-frame) are drop-frame.  Output always uses
  ``:`` and ``;`` before the frames for drop-frame.
* **Drop-frame exists only at 29.97 and 59.94** (frames 00-01, resp. 00-03, of every minute
  not divisible by ten are skipped).  Asking for it at any other rate is an error.
* **Labels wrap at midnight.** Formatting a frame count outside one day (negative, or at or
  beyond :func:`frames_per_day`) wraps it modulo one day of labels; parsing rejects hours
  from 24 on.
* **Rates.** Any exact rate from 1 to 1000 fps works.  Non-drop-frame timecode is plain
  counting with :func:`nominal_fps` labels per second (24 at 23.976, 30 at 29.97, 120 at
  119.88); frame fields widen to three digits from 101 labels per second on.  Drop-frame
  labels are converted by ``opentimelineio.opentime`` (after btslog has checked that the label
  exists, which OTIO does not: it reads ``00:01:00;00`` as frame 1798).  Non-drop-frame is
  computed here in integers rather than by OTIO because OTIO 0.18 wraps NTSC non-drop-frame
  timecode after 24 hours of *running time* (frame 2589408 at 29.97 comes out as
  ``00:00:00:00``, not ``23:58:33:18``), while labels wrap after 24 hours of *labels*; below
  that point the two agree (tested).

OpenTimelineIO is imported inside the functions that need it, so importing this module is
instant.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from btslog.errors import TimecodeError

NTSC_23_976 = Fraction(24000, 1001)
NTSC_29_97 = Fraction(30000, 1001)
NTSC_47_952 = Fraction(48000, 1001)
NTSC_59_94 = Fraction(60000, 1001)
NTSC_119_88 = Fraction(120000, 1001)

#: Canonical label -> exact rate, for the rates cameras and NLEs offer.
STANDARD_RATES: dict[str, Fraction] = {
    "23.976": NTSC_23_976,
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": NTSC_29_97,
    "30": Fraction(30),
    "47.952": NTSC_47_952,
    "48": Fraction(48),
    "50": Fraction(50),
    "59.94": NTSC_59_94,
    "60": Fraction(60),
    "100": Fraction(100),
    "119.88": NTSC_119_88,
    "120": Fraction(120),
}

# The rates OpenTimelineIO (and SMPTE ST 12) accept for timecode.
SMPTE_RATES = frozenset(
    STANDARD_RATES[label]
    for label in ("23.976", "24", "25", "29.97", "30", "47.952", "48", "50", "59.94", "60")
)
DROP_FRAME_RATES = frozenset({NTSC_29_97, NTSC_59_94})

# Decimal spellings that mean an NTSC (x * 1000/1001) rate; compared as exact decimals, so
# "29.970" counts too.  Any other decimal is taken at its exact value ("12.5" is 25/2).
_NTSC_LABELS: dict[Fraction, Fraction] = {
    Fraction("23.976"): NTSC_23_976,
    Fraction("23.98"): NTSC_23_976,
    Fraction("29.97"): NTSC_29_97,
    Fraction("47.952"): NTSC_47_952,
    Fraction("47.95"): NTSC_47_952,
    Fraction("59.94"): NTSC_59_94,
    Fraction("119.88"): NTSC_119_88,
}
_LABELS: dict[Fraction, str] = {rate: label for label, rate in STANDARD_RATES.items()}

MAX_RATE = Fraction(1000)  # above this a "rate" is almost certainly a typo (30000 for 30000/1001)
SECONDS_PER_DAY = 24 * 60 * 60

_RATE_RE = re.compile(r"^(?:(\d+)\s*[/:]\s*(\d+)|(\d+(?:\.\d*)?|\.\d+))\s*(?:fps|p)?$")
_TIMECODE_RE = re.compile(r"^(\d{1,2})([:;.])(\d{1,2})([:;.])(\d{1,2})([:;.])(\d{1,3})$")
_NDF_SEPARATORS = (":", ":", ":")
_DF_SEPARATORS = ((":", ":", ";"), (";", ";", ";"), (":", ":", "."))
_FRAMES_RE = re.compile(r"^(\d+)f?$")
_SECONDS_RE = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)s$")
_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")

TIMECODE_HINT = (
    "write HH:MM:SS:FF (non-drop-frame), or HH:MM:SS;FF for drop-frame at 29.97 and 59.94"
)
DURATION_HINT = "write frames (240 or 240f), seconds (10s, 1.5s) or a timecode (00:00:10:00)"
RATE_HINT = "write e.g. 23.976, 24, 25, 29.97, 30, 59.94, or an exact ratio such as 30000/1001"


# --- rates ---------------------------------------------------------------------------------


def parse_rate(value: str | float | Fraction) -> Fraction:
    """The exact frame rate (frames per second) that ``value`` names.

    Accepts a :class:`Fraction` or int as is; strings such as ``"25"``, ``"25fps"``, ``"25p"``,
    ``"24000/1001"`` or ``"30000:1001"`` (ffmpeg's spelling); and decimals.  The well-known
    NTSC labels (``23.976``/``23.98``, ``29.97``, ``47.952``/``47.95``, ``59.94``, ``119.88``)
    mean ``n * 1000/1001``; any other decimal is exact (``"12.5"`` is 25/2).  A float (a TOML
    ``rate = 29.97``) is read through its shortest decimal spelling.

    Raises :class:`TimecodeError` for zero, negative, below 1 or above 1000 fps, or garbage.
    """
    if isinstance(value, bool):
        raise TimecodeError(f"rate {value!r} is not a frame rate", hint=RATE_HINT)
    if isinstance(value, Fraction | int):
        return _checked_rate(Fraction(value), value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TimecodeError(f"rate {value!r} is not a frame rate", hint=RATE_HINT)
        value = repr(value)
    if not isinstance(value, str):
        raise TimecodeError(f"rate {value!r} is not a frame rate", hint=RATE_HINT)
    text = value.strip().lower()
    if text in STANDARD_RATES:
        return STANDARD_RATES[text]
    match = _RATE_RE.match(text)
    if not match:
        raise TimecodeError(f"rate {value!r} is not a frame rate", hint=RATE_HINT)
    numerator, denominator, decimal = match.groups()
    if decimal is not None:
        rate = Fraction(decimal)
        rate = _NTSC_LABELS.get(rate, rate)
    else:
        if int(denominator) == 0:
            raise TimecodeError(f"rate {value!r} divides by zero", hint=RATE_HINT)
        rate = Fraction(int(numerator), int(denominator))
    return _checked_rate(rate, value)


def _checked_rate(rate: Fraction, shown: object) -> Fraction:
    if rate <= 0:
        raise TimecodeError(f"rate {shown!r} is not positive", hint=RATE_HINT)
    if rate < 1:
        raise TimecodeError(
            f"rate {shown!r} is below 1 frame per second; timecode cannot count it",
            hint=RATE_HINT,
        )
    if rate > MAX_RATE:
        raise TimecodeError(
            f"rate {shown!r} is above {MAX_RATE} frames per second",
            hint="did you mean an NTSC ratio such as 30000/1001? " + RATE_HINT,
        )
    return rate


# The checks and facts of a rate are cached (typed, so 24.0 is still refused while Fraction(24)
# is known): listing thousands of tags formats three timecodes a row, and checking a Fraction
# costs more than formatting the label.
_rate_facts = functools.lru_cache(maxsize=256, typed=True)


@_rate_facts
def _rate(rate: Fraction | int) -> Fraction:
    """``rate`` as a Fraction, refusing floats (which are never exact)."""
    if isinstance(rate, bool) or not isinstance(rate, Fraction | int):
        raise TypeError(f"rate must be a Fraction (see parse_rate), not {type(rate).__name__}")
    return _checked_rate(Fraction(rate), rate)


def rate_label(rate: Fraction) -> str:
    """How editors write ``rate``: ``"23.976"``, ``"29.97"``, ``"25"``; else ``"num/den"``.

    ``parse_rate(rate_label(rate)) == rate`` for every rate.
    """
    rate = _rate(rate)
    if rate in _LABELS:
        return _LABELS[rate]
    if rate.denominator == 1:
        return str(rate.numerator)
    return f"{rate.numerator}/{rate.denominator}"


@_rate_facts
def nominal_fps(rate: Fraction) -> int:
    """Timecode labels per second: ``rate`` rounded half up (24 at 23.976, 30 at 29.97)."""
    return math.floor(_rate(rate) + Fraction(1, 2))


@_rate_facts
def supports_drop_frame(rate: Fraction) -> bool:
    """Whether drop-frame timecode exists at ``rate`` (only 29.97 and 59.94)."""
    return _rate(rate) in DROP_FRAME_RATES


def _dropped_per_minute(rate: Fraction) -> int:
    """Labels skipped at the start of each minute not divisible by ten (2 at 29.97, 4 at 59.94)."""
    return nominal_fps(rate) // 15


def _require_drop_frame(rate: Fraction, what: str) -> None:
    if not supports_drop_frame(rate):
        raise TimecodeError(
            f"{what}: drop-frame timecode does not exist at {rate_label(rate)} fps",
            hint="drop-frame exists only at 29.97 and 59.94; use non-drop-frame (HH:MM:SS:FF)",
        )


@_rate_facts
def frames_per_day(rate: Fraction, drop_frame: bool = False) -> int:
    """How many labels one day of timecode holds (00:00:00:00 up to 23:59:59:last).

    2589408 at 29.97 drop-frame, 2592000 at 29.97 non-drop (and at 30).
    """
    nominal = nominal_fps(rate)
    if drop_frame:
        _require_drop_frame(rate, "frames per day")
        per_ten_minutes = nominal * 600 - 9 * _dropped_per_minute(rate)
        return per_ten_minutes * 6 * 24
    return nominal * SECONDS_PER_DAY


# --- timecode ------------------------------------------------------------------------------


def format_timecode(frames: int, rate: Fraction, drop_frame: bool = False) -> str:
    """The label of frame count ``frames`` (from 00:00:00:00) at ``rate``.

    ``HH:MM:SS:FF``, or ``HH:MM:SS;FF`` when ``drop_frame``.  Counts outside one day wrap
    modulo :func:`frames_per_day` (``-1`` is the last label of the day).
    """
    frames = operator.index(frames)
    rate = _rate(rate)
    if drop_frame:
        _require_drop_frame(rate, f"frame {frames}")
    return timecode_formatter(rate, drop_frame)(frames)


@_rate_facts
def timecode_formatter(rate: Fraction, drop_frame: bool = False) -> Callable[[int], str]:
    """:func:`format_timecode` at one rate and mode, checked once: ``formatter(frames)``.

    For labelling thousands of frames of the same clip (a list of tags) without checking the
    rate again for each.
    """
    rate = _rate(rate)
    if drop_frame:
        _require_drop_frame(rate, "drop-frame timecode")
    per_day = frames_per_day(rate, drop_frame)
    if drop_frame:
        from opentimelineio import opentime

        float_rate = float(rate)  # OTIO's API takes a double; the frame count stays exact

        def drop_frame_label(frames: int) -> str:
            return opentime.RationalTime(frames % per_day, float_rate).to_timecode(float_rate, True)

        return drop_frame_label
    nominal = nominal_fps(rate)
    width = max(2, len(str(nominal - 1)))

    def label(frames: int) -> str:
        seconds, frame = divmod(frames % per_day, nominal)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return f"{hour:02d}:{minute:02d}:{second:02d}:{frame:0{width}d}"

    return label


def label_seconds(frames: int, rate: Fraction, drop_frame: bool = False) -> Fraction:
    """What the label of frame count ``frames`` reads, in seconds since midnight:
    ``hh:mm:ss:ff`` is ``hh*3600 + mm*60 + ss + ff/n`` (``n`` = :func:`nominal_fps`), the
    time of day a camera's clock showed (not the running time of the frames before it)."""
    label = format_timecode(frames, rate, drop_frame)
    hours, minutes, seconds, frame = (int(part) for part in re.split(r"[:;]", label))
    return Fraction((hours * 60 + minutes) * 60 + seconds) + Fraction(frame, nominal_fps(rate))


def is_drop_frame_string(text: str) -> bool:
    """Whether ``text`` is written as a drop-frame timecode (``;`` or ``.`` before the frames).

    Only the spelling is looked at; the label may still not exist (see :func:`parse_timecode`).
    """
    match = _TIMECODE_RE.match(text.strip()) if isinstance(text, str) else None
    return bool(match) and (match.group(2), match.group(4), match.group(6)) in _DF_SEPARATORS


def looks_like_timecode(text: str) -> bool:
    """Whether ``text`` has the shape of a timecode (four fields), valid or not."""
    return isinstance(text, str) and bool(_TIMECODE_RE.match(text.strip()))


def parse_timecode(text: str, rate: Fraction, drop_frame: bool | None = None) -> int:
    """The frame count (labels from 00:00:00:00) of the timecode ``text`` at ``rate``.

    The separator says the mode (``:`` non-drop; ``;`` or a ``.`` before the frames,
    drop-frame).  With ``drop_frame=None`` the mode is taken from the string; a given
    ``drop_frame`` must agree with it, so a typed ``01:00:00:00`` is never silently read as a
    drop-frame label (or the other way round).

    Raises :class:`TimecodeError` for malformed strings, hours >= 24, minutes or seconds >= 60,
    a frame field >= :func:`nominal_fps`, drop-frame at a rate without it, and drop-frame
    labels that do not exist (``00:01:00;00`` at 29.97).
    """
    if not isinstance(text, str):
        raise TimecodeError(f"{text!r} is not a timecode", hint=TIMECODE_HINT)
    rate = _rate(rate)
    stripped = text.strip()
    match = _TIMECODE_RE.match(stripped)
    if not match:
        raise TimecodeError(f"{text!r} is not a timecode", hint=TIMECODE_HINT)
    hours, minutes, seconds, frame = (int(match.group(index)) for index in (1, 3, 5, 7))
    separators = (match.group(2), match.group(4), match.group(6))
    if separators == _NDF_SEPARATORS:
        written_drop_frame = False
    elif separators in _DF_SEPARATORS:
        written_drop_frame = True
    else:
        raise TimecodeError(
            f"timecode {stripped!r} mixes separators",
            hint=TIMECODE_HINT + " (or HH;MM;SS;FF, HH:MM:SS.FF)",
        )
    label = rate_label(rate)
    if written_drop_frame and not supports_drop_frame(rate):
        raise TimecodeError(
            f"timecode {stripped!r} is drop-frame ({separators[2]!r} before the frames), "
            f"but drop-frame does not exist at {label} fps",
            hint=f"write {_canonical(hours, minutes, seconds, frame, False)} "
            "(drop-frame exists only at 29.97 and 59.94)",
        )
    if drop_frame is not None and bool(drop_frame) != written_drop_frame:
        wanted = "drop-frame" if drop_frame else "non-drop-frame"
        written = "drop-frame" if written_drop_frame else "non-drop-frame"
        raise TimecodeError(
            f"timecode {stripped!r} is written as {written}, but {wanted} is expected "
            f"here at {label} fps",
            hint=f"write {_canonical(hours, minutes, seconds, frame, bool(drop_frame))}",
        )
    nominal = nominal_fps(rate)
    if hours >= 24:
        raise TimecodeError(
            f"timecode {stripped!r} has hour {hours}; a day of timecode ends at 23:59:59",
            hint="timecode wraps at midnight: 24:00:00:00 is 00:00:00:00 of the next day",
        )
    if minutes >= 60:
        raise TimecodeError(
            f"timecode {stripped!r} has minute {minutes}; minutes run 00-59",
            hint=TIMECODE_HINT,
        )
    if seconds >= 60:
        raise TimecodeError(
            f"timecode {stripped!r} has second {seconds}; seconds run 00-59",
            hint=TIMECODE_HINT,
        )
    if frame >= nominal:
        raise TimecodeError(
            f"timecode {stripped!r} has frame {frame}, but {label} fps counts frames "
            f"00-{nominal - 1:02d}",
            hint="check the frame rate the timecode was written at",
        )
    if written_drop_frame:
        dropped = _dropped_per_minute(rate)
        if seconds == 0 and frame < dropped and minutes % 10 != 0:
            skipped = "00 and 01" if dropped == 2 else f"00-{dropped - 1:02d}"
            before = _canonical(hours, minutes - 1, 59, nominal - 1, True)
            after = _canonical(hours, minutes, 0, dropped, True)
            raise TimecodeError(
                f"timecode {stripped!r} does not exist at {label} drop-frame: frames {skipped} "
                "of every minute not divisible by ten are skipped",
                hint=f"the label after {before} is {after}",
            )
        from opentimelineio import opentime

        canonical = _canonical(hours, minutes, seconds, frame, True)
        return int(opentime.from_timecode(canonical, float(rate)).value)
    return ((hours * 60 + minutes) * 60 + seconds) * nominal + frame


def _canonical(hours: int, minutes: int, seconds: int, frame: int, drop_frame: bool) -> str:
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{';' if drop_frame else ':'}{frame:02d}"


# --- seconds -------------------------------------------------------------------------------


def frames_to_seconds(frames: int, rate: Fraction) -> Fraction:
    """The exact running time of ``frames`` frames at ``rate``, in seconds."""
    return Fraction(operator.index(frames)) / _rate(rate)


def _exact_seconds(seconds: Fraction | int | Decimal | str) -> Fraction:
    if isinstance(seconds, bool | float):
        raise TypeError("seconds must be exact (Fraction, int, Decimal or a decimal string)")
    if isinstance(seconds, Fraction | int | Decimal):
        return Fraction(seconds)
    if isinstance(seconds, str):
        text = seconds.strip()
        if _DECIMAL_RE.match(text):
            return Fraction(text)
        raise TimecodeError(f"{seconds!r} is not a number of seconds", hint="write e.g. 10 or 1.5")
    raise TypeError(f"seconds must be exact, not {type(seconds).__name__}")


def _round_half_away(value: Fraction) -> int:
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return -magnitude if value < 0 else magnitude


def seconds_to_frames(seconds: Fraction | int | Decimal | str, rate: Fraction) -> int:
    """The frame count nearest to ``seconds`` at ``rate``; exact halves round away from zero.

    ``seconds`` is exact: a Fraction, int, Decimal or decimal string (``"1.5"``); floats are
    refused.  Rounding is symmetric, so ``-x`` gives minus the frames of ``x``.
    """
    return _round_half_away(_exact_seconds(seconds) * _rate(rate))


def format_seconds(seconds: Fraction | int, places: int = 6) -> str:
    """``seconds`` as a decimal with at most ``places`` decimals, trailing zeros trimmed.

    Exact halves of the last place round away from zero: ``Fraction(1001, 30000)`` is
    ``"0.033367"``, ``Fraction(600)`` is ``"600"``, ``Fraction(-3, 2)`` is ``"-1.5"``.
    """
    value = _exact_seconds(seconds)
    scaled = _round_half_away(value * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**places)
    decimals = f"{fraction:0{places}d}".rstrip("0") if places else ""
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


# --- durations and positions ---------------------------------------------------------------


def parse_duration(text: str, rate: Fraction, drop_frame: bool | None = None) -> int:
    """A length in frames at ``rate``, from what an editor types.

    * ``240`` or ``240f``: frames.
    * ``10s``, ``1.5s``: seconds, to the nearest frame (see :func:`seconds_to_frames`).
    * ``00:00:10:00``: a timecode, counting labels from ``00:00:00:00`` in the mode its
      separator shows (so at 29.97 ``00:01:00;02`` is 1800 frames and ``00:01:00:00`` is
      1800 too, while ``00:01:00;00`` does not exist).  This is the inverse of formatting a
      duration with :func:`format_timecode` in the same mode.  ``drop_frame`` works as in
      :func:`parse_timecode`.

    A duration has no sign (see :func:`parse_position` for offsets).
    """
    if not isinstance(text, str):
        raise TimecodeError(f"{text!r} is not a duration", hint=DURATION_HINT)
    stripped = text.strip()
    rate = _rate(rate)
    match = _FRAMES_RE.match(stripped.lower())
    if match:
        return int(match.group(1))
    match = _SECONDS_RE.match(stripped.lower())
    if match:
        return seconds_to_frames(match.group(1), rate)
    if looks_like_timecode(stripped):
        return parse_timecode(stripped, rate, drop_frame)
    if stripped[:1] in ("+", "-"):
        raise TimecodeError(
            f"duration {text!r} has a sign; a duration is a length", hint=DURATION_HINT
        )
    raise TimecodeError(f"{text!r} is not a duration", hint=DURATION_HINT)


@dataclass(frozen=True)
class Position:
    """A point an editor typed: a time-of-day label, or an offset from a clip's first frame.

    ``relative=False``: ``frames`` is a label count (what :func:`parse_timecode` returns).
    ``relative=True``: ``frames`` is an offset in frames from the clip's first frame (may be
    negative).  :meth:`offset_in_clip` turns either into an offset within a clip.
    """

    frames: int
    relative: bool

    def offset_in_clip(self, start_frames: int, rate: Fraction, drop_frame: bool) -> int:
        """Frames from the first frame of a clip whose first label is ``start_frames``."""
        if self.relative:
            return self.frames
        return frames_since(start_frames, self.frames, rate, drop_frame)


def parse_position(text: str, rate: Fraction, drop_frame: bool | None = None) -> Position:
    """A position as typed: ``14:03:20;02`` (time of day) or ``+10s`` / ``-2s`` (an offset).

    * A timecode without a sign is a time-of-day label: ``Position(label_count, False)``; a
      given ``drop_frame`` (the clip's mode) must agree with its separator.
    * A leading ``+`` or ``-`` makes an offset from the clip's first frame: ``+00:00:10:00``,
      ``+10s``, ``+1.5s``, ``+240f``, ``-2s`` give ``Position(frames, True)``; a timecode
      offset counts in the mode its own separator shows (see :func:`parse_duration`).
    * Frames or seconds without a sign (``240f``, ``240``, ``10s``) are offsets too: only
      a timecode names a time of day.
    """
    if not isinstance(text, str):
        raise TimecodeError(f"{text!r} is not a position", hint=DURATION_HINT)
    stripped = text.strip()
    sign = stripped[:1]
    if sign in ("+", "-"):
        body = stripped[1:].strip()
        if body[:1] in ("+", "-") or not body:
            raise TimecodeError(
                f"position {text!r} is not an offset", hint="write e.g. +10s, -2s or +240f"
            )
        frames = parse_duration(body, rate)
        return Position(-frames if sign == "-" else frames, True)
    if looks_like_timecode(stripped):
        return Position(parse_timecode(stripped, rate, drop_frame), False)
    try:
        return Position(parse_duration(stripped, rate), True)
    except TimecodeError:
        raise TimecodeError(
            f"{text!r} is not a position",
            hint="write a time-of-day timecode (14:03:20:00) or an offset from the clip "
            "start (+10s, +240f, -2s, +00:00:10:00)",
        ) from None


def frames_since(start_frames: int, tod_frames: int, rate: Fraction, drop_frame: bool) -> int:
    """Frames from the label ``start_frames`` forward to the label ``tod_frames``.

    Both are label counts in the same mode.  The result is taken modulo one day, so it is
    always in ``[0, frames_per_day)``: for a clip starting at 23:59:50:00, a label
    00:00:05:00 is 15 seconds in.  A label just before the start reads as almost a day later;
    callers compare the result with the clip's duration.
    """
    start_frames = operator.index(start_frames)
    tod_frames = operator.index(tod_frames)
    return (tod_frames - start_frames) % frames_per_day(rate, drop_frame)
