"""The picture of a synthetic set: background, moving props, bodies, the slate, the flash.

Everything is drawn with numpy and OpenCV's own primitives (Hershey fonts: no system font).
Sizes are fractions of the frame, so a spec looks the same at 320x180 and 1920x1080.
"""

from __future__ import annotations

import math

import numpy as np

from btslog.samples.audio import stable_seed
from btslog.samples.spec import ClapEvent

SLATE_CLOSE_SECONDS = 0.3  # the clapstick swings shut over this long before the clap
SLATE_HOLD_SECONDS = 0.45  # the slate stays in view this long after the clap
SLATE_OPEN_DEGREES = 28.0

LOOKS = {
    # wall top, wall bottom, floor, accent, prop colours
    "A": ((58, 50, 46), (150, 122, 98), (64, 52, 44), (236, 226, 200), (200, 70, 50)),
    "B": ((40, 52, 66), (104, 124, 140), (46, 50, 56), (214, 230, 240), (60, 150, 90)),
}
BODY_COLOURS = {"eileen": (214, 96, 40), "grace": (30, 38, 70)}


def _scale(height: int) -> float:
    return height / 360.0


class SetPicture:
    """A static set twice as wide as the frame (for pans), plus props that move with time."""

    def __init__(self, width: int, height: int, look: str, seed: int) -> None:
        import cv2

        self.width, self.height = width, height
        wall_top, wall_bottom, floor, accent, prop = LOOKS.get(look, LOOKS["A"])
        self.prop_colour = prop
        canvas_width = 2 * width
        ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
        canvas = np.array(wall_top, np.float32) * (1 - ramp) + np.array(wall_bottom) * ramp
        canvas = np.repeat(canvas, canvas_width, axis=1)
        floor_top = int(0.78 * height)
        canvas[floor_top:] = np.array(floor, np.float32) * (
            1 + 0.25 * np.linspace(0, 1, height - floor_top, dtype=np.float32)[:, None, None]
        )
        # Soft low-frequency texture so the wall is not a flat colour (cheap to encode).
        rng = np.random.default_rng(stable_seed("set", look, seed))
        small = rng.standard_normal((max(2, height // 24), max(2, canvas_width // 24), 1))
        texture = cv2.resize(
            small.astype(np.float32), (canvas_width, height), interpolation=cv2.INTER_CUBIC
        )
        canvas += 6.0 * texture.reshape(height, canvas_width, 1)
        canvas = np.clip(canvas, 0, 255).astype(np.uint8)
        unit = _scale(height)
        line = cv2.LINE_AA
        # A window (bright), a flat, a shelf, two light stands with softboxes.
        for index, x in enumerate((0.15, 0.85, 1.45)):
            left = int(x * width)
            top = int(0.12 * height)
            w, h = int(0.22 * width), int(0.38 * height)
            shade = tuple(int(c * (0.75 + 0.1 * index)) for c in accent)
            cv2.rectangle(canvas, (left, top), (left + w, top + h), shade, -1, line)
            cv2.rectangle(
                canvas, (left, top), (left + w, top + h), (30, 30, 30), max(1, int(3 * unit)), line
            )
            cv2.line(
                canvas,
                (left + w // 2, top),
                (left + w // 2, top + h),
                (40, 40, 40),
                max(1, int(2 * unit)),
                line,
            )
        for x in (0.55, 1.7):
            pole_x = int(x * width)
            cv2.line(
                canvas,
                (pole_x, int(0.3 * height)),
                (pole_x, floor_top + int(0.1 * height)),
                (25, 25, 25),
                max(1, int(4 * unit)),
                line,
            )
            for leg in (-1, 1):
                cv2.line(
                    canvas,
                    (pole_x, floor_top),
                    (pole_x + leg * int(0.05 * width), floor_top + int(0.12 * height)),
                    (25, 25, 25),
                    max(1, int(3 * unit)),
                    line,
                )
            box_w, box_h = int(0.1 * width), int(0.16 * height)
            cv2.rectangle(
                canvas,
                (pole_x - box_w // 2, int(0.16 * height)),
                (pole_x + box_w // 2, int(0.16 * height) + box_h),
                (248, 248, 242),
                -1,
                line,
            )
        cv2.rectangle(
            canvas,
            (int(1.1 * width), int(0.5 * height)),
            (int(1.35 * width), floor_top),
            tuple(int(c * 0.6) for c in prop),
            -1,
            line,
        )
        self.canvas = canvas

    def background(self, pan: float) -> np.ndarray:
        """A copy of the set seen with the camera panned by ``pan`` (0..1 of the frame width)."""
        offset = round(min(max(pan, 0.0), 1.0) * self.width)
        return self.canvas[:, offset : offset + self.width].copy()

    def draw_props(self, frame: np.ndarray, time: float) -> None:
        """Things that move on set: a swinging boom microphone and a rolling prop ball."""
        import cv2

        width, height = self.width, self.height
        unit = _scale(height)
        line = cv2.LINE_AA
        mic_x = int(width * (0.5 + 0.22 * math.sin(0.35 * time + 0.4)))
        mic_y = int(height * (0.1 + 0.03 * math.sin(0.9 * time)))
        cv2.line(
            frame,
            (mic_x - int(0.4 * width), 0),
            (mic_x, mic_y),
            (60, 60, 60),
            max(1, int(3 * unit)),
            line,
        )
        cv2.ellipse(
            frame,
            (mic_x, mic_y),
            (max(2, int(0.035 * width)), max(2, int(0.018 * height))),
            -8,
            0,
            360,
            (35, 35, 35),
            -1,
            line,
        )
        ball_x = int(width * (0.5 + 0.45 * math.sin(0.6 * time)))
        ball_y = int(height * (0.9 - 0.05 * abs(math.sin(2.2 * time))))
        cv2.circle(frame, (ball_x, ball_y), max(2, int(0.03 * width)), self.prop_colour, -1, line)


def body_ellipses(box: tuple[float, float, float, float]) -> list[tuple[tuple, tuple]]:
    """(centre, axes) of the shoulders and the neck under a face box, in drawing order."""
    x1, y1, x2, y2 = box
    face_w, face_h = x2 - x1, y2 - y1
    middle = round((x1 + x2) / 2)
    shoulders = (
        (middle, round(y2 + 1.15 * face_h)),
        (max(1, int(1.3 * face_w)), max(1, int(1.0 * face_h))),
    )
    neck = ((middle, round(y2)), (max(1, int(0.28 * face_w)), max(1, int(0.35 * face_h))))
    return [shoulders, neck]


def body_colour(identity: str) -> tuple[int, int, int]:
    colour = BODY_COLOURS.get(identity)
    if colour is None:
        seed = stable_seed("body", identity)
        colour = (60 + seed % 150, 60 + (seed >> 8) % 150, 60 + (seed >> 16) % 150)
    return colour


def draw_body(frame: np.ndarray, box: tuple[float, float, float, float], identity: str) -> None:
    """Shoulders and neck under a face box (drawn just before that person's head)."""
    import cv2

    shoulders, neck = body_ellipses(box)
    cv2.ellipse(frame, *shoulders, 0, 0, 360, body_colour(identity), -1, cv2.LINE_AA)
    cv2.ellipse(frame, *neck, 0, 0, 360, (196, 150, 128), -1, cv2.LINE_AA)


def slate_visible(clap: ClapEvent, time: float) -> bool:
    return float(clap.time - clap.slate_lead) <= time < float(clap.time) + SLATE_HOLD_SECONDS


def draw_slate(frame: np.ndarray, clap: ClapEvent, time: float, roll: str) -> None:
    """A clapperboard in the lower left: open until it snaps shut at the clap instant."""
    import cv2

    height, width = frame.shape[:2]
    unit = _scale(height)
    line = cv2.LINE_AA
    left, top = int(0.05 * width), int(0.52 * height)
    right, bottom = int(0.37 * width), int(0.94 * height)
    cv2.rectangle(frame, (left, top), (right, bottom), (18, 18, 18), -1, line)
    font = cv2.FONT_HERSHEY_SIMPLEX
    thickness = max(1, round(1.5 * unit))
    rows = (f"ROLL {roll}", f"SCENE {clap.scene}", f"TAKE {clap.take}")
    for index, text in enumerate(rows):
        y = top + int((0.25 + 0.27 * index) * (bottom - top))
        cv2.putText(
            frame,
            text,
            (left + int(0.06 * (right - left)), y),
            font,
            0.55 * unit,
            (240, 240, 240),
            thickness,
            line,
        )
    until_clap = float(clap.time) - time
    if until_clap > SLATE_CLOSE_SECONDS:
        angle = SLATE_OPEN_DEGREES
    elif until_clap > 0:
        angle = SLATE_OPEN_DEGREES * until_clap / SLATE_CLOSE_SECONDS
    else:
        angle = 0.0
    stick_h = max(3, int(0.06 * height))
    length = right - left
    radians = math.radians(angle)
    direction = np.array([math.cos(radians), -math.sin(radians)])
    normal = np.array([-direction[1], direction[0]]) * -1
    hinge = np.array([left, top - 1], dtype=np.float64)
    stripes = 6
    for index in range(stripes):
        a = hinge + direction * length * index / stripes
        b = hinge + direction * length * (index + 1) / stripes
        quad = np.array([a, b, b + normal * stick_h, a + normal * stick_h])
        colour = (245, 245, 245) if index % 2 else (20, 20, 20)
        cv2.fillConvexPoly(frame, np.round(quad).astype(np.int32), colour, line)


def flash(frame: np.ndarray) -> None:
    """The sync flash: the whole frame white on the clap frame."""
    frame[:] = 255
