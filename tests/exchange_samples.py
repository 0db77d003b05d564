"""Marker documents the exchange tests and the golden files share (no media needed)."""

from __future__ import annotations

from fractions import Fraction

from btslog.exchange.model import ClipMarkers, Marker, MarkerDocument

# (label, rate, drop_frame, camera start time of day, clip length in frames)
RATES = [
    ("2398", Fraction(24000, 1001), False, "14:03:12:00", 480),
    ("24", Fraction(24), False, "14:03:12:00", 480),
    ("25", Fraction(25), False, "10:00:00:00", 500),
    ("2997DF", Fraction(30000, 1001), True, "14:03:17;17", 450),
    ("2997NDF", Fraction(30000, 1001), False, "14:03:17:17", 450),
    ("30", Fraction(30), False, "14:03:17:17", 450),
    ("50", Fraction(50), False, "10:00:00:00", 1000),
    ("5994DF", Fraction(60000, 1001), True, "23:59:58;00", 600),  # crosses midnight
    ("60", Fraction(60), False, "12:00:00:00", 600),
]

COLORS = {
    "take": {"resolve": "ResolveColorGreen", "premiere": 4278245376, "avid": "green",
             "otio": "GREEN"},
    "flub": {"resolve": "ResolveColorRed", "premiere": 4281740498, "avid": "red", "otio": "RED"},
    "conversation": {"resolve": "ResolveColorBlue", "premiere": 4294741314, "avid": "blue",
                     "otio": "BLUE"},
}  # fmt: skip


def sample_document(label: str = "2398") -> MarkerDocument:
    """Two clips of one camera with markers of every shape: a range, a point, one that ends
    on the clip's last frame, awkward text (| tab newline & < " unicode), people, ratings."""
    from btslog.timecode import parse_timecode

    _, rate, drop_frame, start_tc, frames = next(r for r in RATES if r[0] == label)
    start = parse_timecode(start_tc, rate)
    first = ClipMarkers(
        name="A001C001", file_name="A001C001.MP4", path="/Volumes/Shoot Day 1/A001C001.MP4",
        rate=rate, drop_frame=drop_frame, start_frame=start, duration_frames=frames,
        width=1920, height=1080, reel="A001", camera="A", audio_channels=2,
        markers=(
            Marker(24, 72, "take", "first full take", scene="12A", take="3", rating=4,
                   circled=True, people=("Eileen", "Grace"), colors=COLORS["take"], tag_id=1),
            Marker(100, 101, "flub", "dropped the slate", colors=COLORS["flub"], tag_id=2),
            Marker(frames - 30, frames, "conversation",
                   'lunch | "plans"\tand\nmore <b>&amp; café', colors=COLORS["conversation"],
                   tag_id=3),
        ),
    )  # fmt: skip
    second = ClipMarkers(
        name="A001C002", file_name="A001C002.MP4", path="/Volumes/Shoot Day 1/A001C002.MP4",
        rate=rate, drop_frame=drop_frame, start_frame=start + frames + 50,
        duration_frames=frames, width=1920, height=1080, reel="A001", camera="A",
        audio_channels=2,
        markers=(Marker(0, 12, "take", "", scene="12A", take="4", ng=True,
                        colors=COLORS["take"], tag_id=4),),
    )  # fmt: skip
    return MarkerDocument(title="Making of: sample shoot", clips=(first, second))
