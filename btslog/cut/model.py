"""A cut: a named, ordered list of segments of the project's clips (plain frozen values).

``in_frame``/``out_frame`` count from the segment's clip's first frame, ``out_frame``
exclusive, at the clip's own rate -- as every tag does.  A segment remembers the tag it came
from (``tag_id``, None once the tag is gone or for a hand-made segment) and the fields its
lower-third label shows, copied when the cut was assembled, so a later tag edit does not
change a cut silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    clip_id: int
    clip: str  # the clip's name
    in_frame: int
    out_frame: int  # exclusive
    kind: str
    tag_id: int | None = None
    scene: str | None = None
    take: str | None = None
    note: str = ""
    rating: int | None = None
    circled: bool = False
    people: tuple[str, ...] = ()

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame


@dataclass(frozen=True)
class CutOptions:
    """How a cut was assembled (kept with it, so it can be assembled again)."""

    query: str
    order: str = "time"  # time, kind, rating or scene
    handles: str = "0f"  # frames ("12f") or seconds ("0.5s") added before and after a tag
    max_segment: str | None = None  # "20s" or "480f": longer ranges keep their head
    titles: bool = True  # opening title card and lower-third labels in renders


@dataclass(frozen=True)
class Cut:
    id: int
    name: str
    options: CutOptions
    segments: tuple[Segment, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def frames_by_clip(self) -> dict[int, int]:
        totals: dict[int, int] = {}
        for segment in self.segments:
            totals[segment.clip_id] = totals.get(segment.clip_id, 0) + segment.frames
        return totals
