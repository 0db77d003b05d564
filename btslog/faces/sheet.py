"""A contact sheet of face tracks: one tile per track, its best detection, with a label.

For editors reviewing identities (``btslog faces assign``); it shows faces unblurred, so it
stays inside the project like the footage itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

TILE = 160
COLUMNS = 6


def best_frame(detections) -> tuple[int, object]:
    """The detection with the highest score (the largest face on a tie)."""
    return max(detections, key=lambda item: (item[1].score, item[1].width * item[1].height))


def _frames(path: Path, wanted: set[int]):
    """Decoded BGR frames of ``path`` at the frame numbers in ``wanted`` (one pass)."""
    import av

    found = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for number, frame in enumerate(container.decode(stream)):
            if number in wanted:
                found[number] = frame.to_ndarray(format="bgr24")
                if len(found) == len(wanted):
                    break
    return found


def draw_sheet(items: Sequence[tuple[Path, object, str, bool]], output: Path) -> int:
    """Write the sheet for ``(clip path, FaceTrack, label, blurred)`` items; returns tiles."""
    import cv2
    import numpy as np

    from btslog.media.ffmpeg import atomic_output

    by_clip: dict[Path, list] = {}
    for item in items:
        by_clip.setdefault(item[0], []).append(item)
    tiles = []
    for path, clip_items in by_clip.items():
        wanted = {best_frame(item[1].detections)[0] for item in clip_items}
        frames = _frames(path, wanted)
        for _, track, label, blurred in clip_items:
            number, box = best_frame(track.detections)
            frame = frames.get(number)
            tile = np.zeros((TILE + 24, TILE, 3), np.uint8)
            if frame is not None:
                grown = box.grown(0.2)
                height, width = frame.shape[:2]
                x1, y1 = max(0, int(grown.x1)), max(0, int(grown.y1))
                x2, y2 = min(width, int(grown.x2) + 1), min(height, int(grown.y2) + 1)
                if x2 > x1 and y2 > y1:
                    tile[:TILE] = cv2.resize(frame[y1:y2, x1:x2], (TILE, TILE))
            colour = (40, 40, 220) if blurred else (60, 180, 60)
            cv2.rectangle(tile, (0, 0), (TILE - 1, TILE - 1), colour, 3)
            cv2.putText(tile, label[:22], (4, TILE + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.42,
                        (255, 255, 255), 1, cv2.LINE_AA)  # fmt: skip
            tiles.append(tile)
    if not tiles:
        return 0
    rows = []
    for start in range(0, len(tiles), COLUMNS):
        row = tiles[start : start + COLUMNS]
        row += [np.zeros_like(tiles[0])] * (COLUMNS - len(row))
        rows.append(np.hstack(row))
    sheet = np.vstack(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as temporary:
        _ok, data = cv2.imencode(".png", sheet)
        Path(temporary).write_bytes(data.tobytes())
    return len(tiles)
