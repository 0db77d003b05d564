"""Start-timecode labels as time of day, for the sample generator (private).

Frame count <-> label conversion is :mod:`btslog.timecode`'s.  What the generator adds is the
*label seconds* of a start timecode (``hh*3600 + mm*60 + ss + ff / nominal``): how the sample
shoot places a camera's start timecode on the time-of-day axis (see
``sample_clips/README.md``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from btslog.timecode import format_timecode, nominal_fps, parse_timecode

__all__ = ["format_timecode", "label_count", "label_seconds", "parse_timecode"]

_LABEL_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})[:;](\d{2})$")


def label_count(label: str, rate: Fraction) -> int:
    """The label read as a nominal count: ``(hh*3600 + mm*60 + ss) * nominal + ff``."""
    match = _LABEL_RE.match(label)
    if not match:
        raise ValueError(f"not a timecode: {label!r}")
    hh, mm, ss, ff = (int(field) for field in match.groups())
    return (hh * 3600 + mm * 60 + ss) * nominal_fps(rate) + ff


def label_seconds(label: str, rate: Fraction) -> Fraction:
    """Time of day a start label stands for: ``hh*3600 + mm*60 + ss + ff/nominal``."""
    return Fraction(label_count(label, rate), nominal_fps(rate))
