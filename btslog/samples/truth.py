"""Ground truth of a synthetic clip: what is exactly where, and how it is written as JSON.

Frame numbers count from the clip's first frame at the clip's rate (for a variable-frame-rate
clip: the nominal rate it is conformed to, as btslog stores it).  Ranges are ``in`` inclusive,
``out`` exclusive.  Face boxes are ``[x1, y1, x2, y2]`` in frame pixels, 0-based, x2/y2
exclusive, clipped to the frame, listed per *decoded* frame (for a VFR clip the decoded
frame's time is ``frame_pts[i] * time_base``).  The format is described in
``sample_clips/README.md``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

TRUTH_SCHEMA = "btslog.sample-truth/1"
INLINE_WIDTH = 120


def pixel_edge(value: float, limit: int) -> int:
    """A continuous box edge as a pixel edge: rounded to the nearest, clipped to the frame."""
    return min(max(math.floor(value + 0.5), 0), limit)


def face_entry(
    identity: str,
    box: tuple[float, float, float, float],
    width: int,
    height: int,
    occluded: float = 0.0,
) -> dict | None:
    """The truth entry for a face rectangle, or None when none of it can be seen.

    ``visible`` is the fraction of the whole face rectangle that is inside the frame and not
    hidden behind someone in front; ``occluded`` the fraction of its in-frame part that is.
    """
    x1, y1, x2, y2 = box
    area = (x2 - x1) * (y2 - y1)
    inside = (min(x2, width) - max(x1, 0.0)) * (min(y2, height) - max(y1, 0.0))
    if area <= 0 or min(x2, width) <= max(x1, 0.0) or min(y2, height) <= max(y1, 0.0):
        return None
    pixels = [
        pixel_edge(x1, width),
        pixel_edge(y1, height),
        pixel_edge(x2, width),
        pixel_edge(y2, height),
    ]
    visible = inside / area * (1.0 - occluded)
    if pixels[2] <= pixels[0] or pixels[3] <= pixels[1] or visible <= 0:
        return None
    return {
        "identity": identity,
        "box": pixels,
        "visible": round(visible, 3),
        "occluded": round(occluded, 3),
    }


@dataclass(frozen=True)
class ClipTruth:
    """What :func:`btslog.samples.render_clip` put into one clip."""

    name: str
    width: int
    height: int
    rate: Fraction
    drop_frame: bool
    vfr: bool
    frames: int  # nominal frames at ``rate`` (the clip's length)
    decoded_frames: int  # pictures in the file (fewer than ``frames`` when VFR drops some)
    start_tc: str | None
    time_base: Fraction | None  # VFR only
    frame_pts: tuple[int, ...] | None  # VFR only
    sample_rate: int
    audio_channels: int
    audio_samples: int
    claps: tuple[dict, ...]
    takes: tuple[dict, ...]
    speech: tuple[dict, ...]
    faces: tuple[tuple[dict, ...], ...]  # per decoded frame
    silences: tuple[dict, ...] = ()
    world_start: Fraction | None = None
    camera: str | None = None
    path: str | None = None

    @property
    def clap_frames(self) -> list[int]:
        return [clap["frame"] for clap in self.claps]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": TRUTH_SCHEMA,
            "clip": self.name,
            "path": self.path,
            "camera": self.camera,
            "width": self.width,
            "height": self.height,
            "rate": str(self.rate),
            "drop_frame": self.drop_frame,
            "vfr": self.vfr,
            "frames": self.frames,
            "decoded_frames": self.decoded_frames,
            "start_tc": self.start_tc,
            "world_start": None if self.world_start is None else str(self.world_start),
            "world_start_seconds": (
                None if self.world_start is None else round(float(self.world_start), 6)
            ),
            "audio": {
                "sample_rate": self.sample_rate,
                "channels": self.audio_channels,
                "samples": self.audio_samples,
            },
            "claps": list(self.claps),
            "takes": list(self.takes),
            "speech": list(self.speech),
            "silences": list(self.silences),
        }
        if self.vfr:
            data["time_base"] = str(self.time_base)
            data["frame_pts"] = list(self.frame_pts or ())
        data["faces"] = [list(entries) for entries in self.faces]
        return data

    def to_json(self) -> str:
        return dumps(self.as_dict())

    def write(self, path: str | Path) -> None:
        """Write the JSON atomically (temporary name, then rename)."""
        write_text_atomic(Path(path), self.to_json())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClipTruth:
        world = data.get("world_start")
        return cls(
            name=data["clip"],
            width=data["width"],
            height=data["height"],
            rate=Fraction(data["rate"]),
            drop_frame=data["drop_frame"],
            vfr=data["vfr"],
            frames=data["frames"],
            decoded_frames=data["decoded_frames"],
            start_tc=data["start_tc"],
            time_base=Fraction(data["time_base"]) if data.get("time_base") else None,
            frame_pts=tuple(data["frame_pts"]) if data.get("frame_pts") is not None else None,
            sample_rate=data["audio"]["sample_rate"],
            audio_channels=data["audio"]["channels"],
            audio_samples=data["audio"]["samples"],
            claps=tuple(data["claps"]),
            takes=tuple(data["takes"]),
            speech=tuple(data["speech"]),
            silences=tuple(data.get("silences", ())),
            faces=tuple(tuple(entries) for entries in data["faces"]),
            world_start=Fraction(world) if world is not None else None,
            camera=data.get("camera"),
            path=data.get("path"),
        )

    @classmethod
    def load(cls, path: str | Path) -> ClipTruth:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def dumps(value: Any) -> str:
    """JSON that stays readable and diffable: small lists and objects on one line."""
    return _dump(value, 0) + "\n"


def _dump(value: Any, indent: int) -> str:
    compact = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    if len(compact) + indent <= INLINE_WIDTH or not isinstance(value, dict | list) or not value:
        return compact
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(key, ensure_ascii=False)}: {_dump(item, indent + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if all(not isinstance(item, dict | list) for item in value):
        # A long list of numbers: wrap it, many to a line.
        lines, line = [], []
        for item in value:
            line.append(json.dumps(item))
            if len(", ".join(line)) > INLINE_WIDTH - len(pad):
                lines.append(", ".join(line))
                line = []
        if line:
            lines.append(", ".join(line))
        return "[\n" + ",\n".join(pad + text for text in lines) + "\n" + "  " * indent + "]"
    items = [f"{pad}{_dump(item, indent + 1)}" for item in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"


def write_text_atomic(path: Path, text: str) -> None:
    from btslog.media.ffmpeg import atomic_output

    with atomic_output(path) as partial:
        partial.write_text(text, encoding="utf-8")
