"""Suggestions: what the analyses propose to log, as tags the editor accepts or rejects.

Pure functions of :class:`~btslog.analyze.model.Analysis` values (no media, no database).
Frames are clip frames from 0 at the clip's rate, ``out_frame`` exclusive.  The heuristics:

**Conversations** (:func:`speech_suggestions`, kind ``conversation``).  Talk between takes is
what a making-of is made of.  The speech ranges are joined across pauses shorter than
``merge_gap_seconds`` (1.5 s: people in a conversation pause, a conversation that stops for
longer is two), padded by ``pad_seconds`` (0.25 s) on each side so a word's first and last
syllables are in, and what lies inside the given take ranges is cut away (dialogue inside a
take is the take).  Pieces shorter than ``min_seconds`` (1 s) are dropped.

**Takes** (:func:`take_suggestions`, kind ``take``).  Every slate clap starts a take
``slate_lead_seconds`` (1.5 s) before the clap, so the slate and the announcement are in.
The take ends at the first of:

1. the next clap's take start (the next slate);
2. the first long silence -- ``silence_seconds`` (2 s) without speech -- once someone has
   spoken after the clap (the silence between the clap and "action" does not end it): the
   take ends ``tail_seconds`` (0.5 s) after the last word before that silence;
3. the camera stop (the clip's end).

Claps less than ``second_sticks_seconds`` (3 s) apart are one slate ("second sticks": the
clapper missed and clapped again): the take starts before the first, and the last one is the
slate's clap (``extra["clap_frame"]``).

A take without dialogue (no speech analysis, or none after its clap) runs to the next slate
or the camera stop.  The talk that follows "cut!" within 2 s stays in the take (the editor
trims it); a scene or take number is not guessed.

**Shot changes** (:func:`shot_suggestions`, kind ``setup``).  Each change of shot inside a
file (a camera stop/start, a whip pan) is a one-frame ``setup`` marker on the first frame
of the new shot, with the note ``shot change (cut)`` or ``shot change (fast move)``: a new
setup is where the camera was moved or restarted, and a one-frame tag exports as a marker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from btslog.analyze.audio import frame_start_sample, sample_to_frame
from btslog.analyze.model import SAMPLE_RATE, Analysis, Suggestion

CONVERSATION_MERGE_GAP_SECONDS = Fraction(3, 2)
CONVERSATION_PAD_SECONDS = Fraction(1, 4)
CONVERSATION_MIN_SECONDS = Fraction(1)
SLATE_LEAD_SECONDS = Fraction(3, 2)
SILENCE_SECONDS = Fraction(2)
TAIL_SECONDS = Fraction(1, 2)
SECOND_STICKS_SECONDS = Fraction(3)
CLAP_FULL_STRENGTH_DB = 40.0  # a clap this far over the room sound is a certain slate
CUT_FULL_SCORE = 100.0
TRANSITION_FULL_SCORE = 80.0

Range = tuple[int, int]


# --- pure range helpers ---------------------------------------------------------------------


def merge_ranges(ranges: Iterable[Range], gap: int = 0) -> list[Range]:
    """Sorted, non-overlapping ranges: those overlapping or less than ``gap`` apart joined,
    empty ones dropped."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if merged and (start <= merged[-1][1] or start - merged[-1][1] < gap):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def pad_ranges(ranges: Iterable[Range], pad: int, low: int, high: int | None) -> list[Range]:
    """Each range grown by ``pad`` on both sides, clamped to ``[low, high)``, then merged."""
    grown = []
    for start, end in ranges:
        start, end = max(low, start - pad), end + pad
        if high is not None:
            end = min(high, end)
        grown.append((start, end))
    return merge_ranges(grown)


def subtract_ranges(ranges: Iterable[Range], holes: Iterable[Range]) -> list[Range]:
    """The parts of ``ranges`` outside every hole (all ranges half-open)."""
    holes = merge_ranges(holes)
    result: list[Range] = []
    for start, end in merge_ranges(ranges):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


# --- samples <-> frames ---------------------------------------------------------------------


def _frames_of(start_sample: int, end_sample: int, rate: Fraction) -> Range:
    """The frames that hold any sample of ``[start_sample, end_sample)``."""
    first = sample_to_frame(start_sample, rate)
    return first, sample_to_frame(max(start_sample, end_sample - 1), rate) + 1


def _seconds_frames(seconds: Fraction, rate: Fraction) -> int:
    return math.floor(Fraction(seconds) * Fraction(rate) + Fraction(1, 2))


def speech_frames(speech: Analysis, rate: Fraction) -> list[Range]:
    """The speech analysis's ranges as clip frames (every frame holding speech)."""
    return merge_ranges(_frames_of(start, end, rate) for start, end in speech.data["speech"])


# --- conversations --------------------------------------------------------------------------


def speech_suggestions(
    speech: Analysis,
    info_rate: Fraction,
    takes: list[tuple[int, int]],
    *,
    duration_frames: int | None = None,
    merge_gap_seconds: Fraction = CONVERSATION_MERGE_GAP_SECONDS,
    pad_seconds: Fraction = CONVERSATION_PAD_SECONDS,
    min_seconds: Fraction = CONVERSATION_MIN_SECONDS,
) -> list[Suggestion]:
    """``conversation`` suggestions: speech outside the ``takes`` (clip frame ranges, out
    exclusive), joined over short pauses and padded (see the module's heuristics)."""
    rate = Fraction(info_rate)
    gap = round(Fraction(merge_gap_seconds) * SAMPLE_RATE)
    joined = merge_ranges(((start, end) for start, end in speech.data["speech"]), gap)
    frames = [_frames_of(start, end, rate) for start, end in joined]
    padded = pad_ranges(frames, _seconds_frames(pad_seconds, rate), 0, duration_frames)
    minimum = _seconds_frames(min_seconds, rate)
    pieces = [pair for pair in subtract_ranges(padded, takes) if pair[1] - pair[0] >= minimum]
    return [
        Suggestion(
            analyzer="speech",
            kind="conversation",
            in_frame=start,
            out_frame=end,
            note="talk between takes",
            confidence=_speech_share(joined, start, end, rate),
        )
        for start, end in pieces
    ]


def _speech_share(ranges: list[Range], in_frame: int, out_frame: int, rate: Fraction) -> float:
    """How much of ``[in_frame, out_frame)`` is speech (0..1): a measure of how sure."""
    begin, end = frame_start_sample(in_frame, rate), frame_start_sample(out_frame, rate)
    if end <= begin:
        return 0.0
    voiced = sum(max(0, min(end, stop) - max(begin, start)) for start, stop in ranges)
    return round(min(1.0, voiced / (end - begin)), 3)


# --- takes ----------------------------------------------------------------------------------


def take_suggestions(
    claps: Analysis,
    speech: Analysis | None,
    duration_frames: int,
    rate: Fraction,
    *,
    slate_lead_seconds: Fraction = SLATE_LEAD_SECONDS,
    silence_seconds: Fraction = SILENCE_SECONDS,
    tail_seconds: Fraction = TAIL_SECONDS,
    second_sticks_seconds: Fraction = SECOND_STICKS_SECONDS,
) -> list[Suggestion]:
    """``take`` suggestions, one per slate (see the module's heuristics)."""
    rate = Fraction(rate)
    lead = _seconds_frames(slate_lead_seconds, rate)
    silence = _seconds_frames(silence_seconds, rate)
    tail = _seconds_frames(tail_seconds, rate)
    talk = speech_frames(speech, rate) if speech is not None else []
    events = _slates(claps.data["claps"], _seconds_frames(second_sticks_seconds, rate))
    starts = [max(0, first["frame"] - lead) for first, _last, _count in events]
    suggestions = []
    for index, (_first, clap, count) in enumerate(events):
        clap_frame = clap["frame"]
        if not 0 <= clap_frame < duration_frames:
            continue
        start = starts[index]
        limit = starts[index + 1] if index + 1 < len(events) else duration_frames
        limit = max(limit, clap_frame + 1)
        end, reason = limit, "next slate" if index + 1 < len(events) else "camera stop"
        closed = _end_by_silence(talk, clap_frame, limit, silence, tail)
        if closed is not None:
            end, reason = closed, "long silence"
        strength = float(clap.get("strength") or 0.0)
        suggestions.append(
            Suggestion(
                analyzer="claps",
                kind="take",
                in_frame=start,
                out_frame=min(end, duration_frames),
                note=f"slate clap at frame {clap_frame}"
                + (f" ({count} claps: second sticks)" if count > 1 else "")
                + f"; ends at the {reason}",
                confidence=round(max(0.0, min(1.0, strength / CLAP_FULL_STRENGTH_DB)), 3),
                extra={"clap_frame": clap_frame, "clap_sample": clap.get("sample")},
            )
        )
    return suggestions


def _slates(claps: list[dict], within: int) -> list[tuple[dict, dict, int]]:
    """Claps grouped into slates: ``(first clap, last clap, count)``; a clap less than
    ``within`` frames after the previous one is the same slate (second sticks)."""
    slates: list[tuple[dict, dict, int]] = []
    for clap in sorted(claps, key=lambda item: item["frame"]):
        if slates and clap["frame"] - slates[-1][1]["frame"] < within:
            first, _last, count = slates[-1]
            slates[-1] = (first, clap, count + 1)
        else:
            slates.append((clap, clap, 1))
    return slates


def _end_by_silence(
    talk: list[Range], clap_frame: int, limit: int, silence: int, tail: int
) -> int | None:
    """The out frame of a take closed by a long silence: ``tail`` after the last words before
    the first pause of at least ``silence`` frames that follows some speech after
    ``clap_frame`` (a pause running into ``limit`` counts); None when there is none."""
    last_end = None
    for start, end in talk:
        if end <= clap_frame:
            continue
        if start >= limit:
            break
        if last_end is not None and start - last_end >= silence:
            return min(limit, last_end + tail)
        last_end = end if last_end is None else max(last_end, end)
    if last_end is not None and limit - last_end >= silence:
        return min(limit, last_end + tail)
    return None


# --- shots ----------------------------------------------------------------------------------


def shot_suggestions(shots: Analysis, rate: Fraction, duration_frames: int) -> list[Suggestion]:
    """One-frame ``setup`` suggestions at each shot change (see the module's heuristics).

    ``rate`` is unused by the current heuristic but part of the signature, like the others."""
    del rate
    changes = shots.data.get("changes") or [
        {"frame": frame, "kind": "cut", "score": None} for frame in shots.data["cuts"]
    ]
    suggestions = []
    for change in changes:
        frame = change["frame"]
        if not 0 < frame < duration_frames:
            continue
        kind = change.get("kind", "cut")
        score = change.get("score")
        full = CUT_FULL_SCORE if kind == "cut" else TRANSITION_FULL_SCORE
        confidence = None if score is None else round(min(1.0, float(score) / full), 3)
        suggestions.append(
            Suggestion(
                analyzer="shots",
                kind="setup",
                in_frame=frame,
                out_frame=frame + 1,
                note="shot change (cut)" if kind == "cut" else "shot change (fast move)",
                confidence=confidence,
            )
        )
    return suggestions
