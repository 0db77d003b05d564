"""Timelines (cuts as sequences) the timeline tests and golden files share (no media needed).

``sample_timeline(label)`` for each of :data:`TIMELINE_LABELS`:

* ``2398``: a 23.976 sequence of 23.976 clips (stereo and mono);
* ``2997DF``: a 29.97 drop-frame sequence of 29.97 DF clips (one without audio);
* ``mixed``: a 29.97 DF sequence of 23.976, 29.97 DF, 25 (720p, no audio) and 59.94 DF clips,
  with a segment across midnight and one ending on its clip's last frame whose length in
  sequence frames rounds up.

Every timeline has a labelled event with a note, blurred events (one without a label), an
event ending on its clip's last frame, a clip used twice, and awkward text.
"""

from __future__ import annotations

from fractions import Fraction

from btslog.exchange.model import ClipMarkers, Timeline, TimelineEvent
from btslog.timecode import parse_timecode

TIMELINE_LABELS = ("2398", "2997DF", "mixed")
AWKWARD = 'lunch | "plans"\tand\nmore <b>&amp; café'
TITLE = "Making of: day 1"


def clip(name: str, rate: Fraction, drop_frame: bool, start_tc: str, frames: int, *,
         audio_channels: int = 2, size: tuple[int, int] = (1920, 1080),
         reel: str | None = "A001", camera: str = "A") -> ClipMarkers:  # fmt: skip
    return ClipMarkers(
        name=name, file_name=f"{name}.MP4", path=f"/Volumes/Shoot Day 1/{camera}/{name}.MP4",
        rate=rate, drop_frame=drop_frame, start_frame=parse_timecode(start_tc, rate),
        duration_frames=frames, width=size[0], height=size[1], reel=reel, camera=camera,
        audio_channels=audio_channels,
    )  # fmt: skip


def _same_rate(rate: Fraction, drop_frame: bool, start_tc: str, label: str) -> Timeline:
    sep = ";" if drop_frame else ":"
    first = clip("A001C001", rate, drop_frame, f"14:03:12{sep}00", 480)
    second = clip("A001C002", rate, drop_frame, f"14:05:40{sep}12", 240,
                  audio_channels=1 if label == "2398" else 0, reel=None)  # fmt: skip
    events = (
        TimelineEvent(first, 24, 72, label="take 12A/3 ★★★★ circled with Eileen, Grace",
                      note="first full take", kind="take", tag_id=1),
        TimelineEvent(second, 0, 12, label="conversation", note=AWKWARD, kind="conversation",
                      blurred=True, tag_id=4),
        TimelineEvent(first, 400, 480, kind="highlight", blurred=True),
    )  # fmt: skip
    return Timeline(title=TITLE, rate=rate, drop_frame=drop_frame,
                    start_frame=parse_timecode(start_tc, rate), width=1920, height=1080,
                    events=events)  # fmt: skip


def _mixed() -> Timeline:
    rate = Fraction(30000, 1001)
    a = clip("A001C001", Fraction(24000, 1001), False, "14:03:12:00", 480)
    b = clip("B001C007", rate, True, "14:03:20;02", 450, reel="B001", camera="B")
    c = clip("C0042", Fraction(25), False, "10:00:00:00", 500, audio_channels=0,
             size=(1280, 720), reel=None, camera="C")  # fmt: skip
    d = clip("D5994_0001", Fraction(60000, 1001), True, "23:59:58;00", 600, audio_channels=1,
             reel="D-ROLL 7", camera="D")  # fmt: skip
    events = (
        TimelineEvent(a, 24, 72, label="take 12A/3", note="first full take", kind="take",
                      tag_id=1),
        TimelineEvent(b, 100, 160, label="conversation", kind="conversation", blurred=True,
                      tag_id=2),
        TimelineEvent(c, 0, 50, label="setup", kind="setup", tag_id=3),
        TimelineEvent(d, 60, 240, label="across midnight", note=AWKWARD, kind="conversation",
                      blurred=True, tag_id=5),
        TimelineEvent(a, 477, 480, label="last frames", kind="highlight", tag_id=6),
    )  # fmt: skip
    return Timeline(title=TITLE, rate=rate, drop_frame=True,
                    start_frame=parse_timecode("01:00:00;00", rate), width=1920, height=1080,
                    events=events)  # fmt: skip


def sample_timeline(label: str) -> Timeline:
    if label == "2398":
        return _same_rate(Fraction(24000, 1001), False, "01:00:00:00", label)
    if label == "2997DF":
        return _same_rate(Fraction(30000, 1001), True, "01:00:00;00", label)
    if label == "mixed":
        return _mixed()
    raise KeyError(label)
