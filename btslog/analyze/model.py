"""What analyzers return: plain values, no database, no terminal.

An analyzer is a job (DESIGN.md): a pure function of (media file, its probe, parameters) that
returns an :class:`Analysis` -- JSON-able data the caller caches under the file's hash, the
analyzer's name, its parameters and its ``VERSION`` -- and :func:`btslog.analyze.suggest`
turns analyses into :class:`Suggestion` values, which ``btslog.ops.analyze`` stores as tags
with status ``suggested`` and source ``detect:<analyzer>``.

Positions inside ``Analysis.data`` are audio samples at :data:`SAMPLE_RATE` or frame numbers
of the clip (from its first frame, out exclusive), as each analyzer documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from btslog.errors import InvalidInput

SAMPLE_RATE = 48_000  # analyzers decode every clip's first audio stream to mono at this rate
ANALYZERS = ("speech", "claps", "shots", "sync", "transcribe")


@dataclass(frozen=True)
class Analysis:
    analyzer: str  # one of ANALYZERS
    version: str  # the analyzer module's VERSION: a new version invalidates cached results
    params: dict  # the parameters it ran with (JSON-able), part of the cache key
    data: dict  # the result (JSON-able), as the analyzer documents it


@dataclass(frozen=True)
class Suggestion:
    """A tag btslog proposes: ``in_frame``..``out_frame`` (exclusive) of one clip."""

    analyzer: str
    kind: str  # conversation, take, setup, ... (tag kinds)
    in_frame: int
    out_frame: int
    note: str = ""
    confidence: float | None = None  # 0..1 where the analyzer has one
    scene: str | None = None
    take: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def frames(self) -> int:
        return self.out_frame - self.in_frame


def with_defaults(analyzer: str, defaults: dict, params: dict | None, *,
                  numbers: bool = False) -> dict:  # fmt: skip
    """``defaults`` updated with ``params``; an unknown name is refused (naming the known
    ones), and with ``numbers`` so is a value that is not a number >= 0."""
    resolved = dict(defaults)
    for name, value in (params or {}).items():
        if name not in defaults:
            raise InvalidInput(
                f"{analyzer} analyzer: unknown parameter {name!r}",
                hint=f"known parameters: {', '.join(sorted(defaults))}",
            )
        if numbers and (not isinstance(value, int | float) or isinstance(value, bool)
                        or value < 0):  # fmt: skip
            raise InvalidInput(f"{analyzer} analyzer: {name} must be a number >= 0")
        resolved[name] = value
    return resolved
