"""Rewrite the golden files of the exchange formats: ``python tests/golden/regenerate.py``.

Markers: for each format in the registry (``btslog.exchange.MODULES``) and each rate of
``tests/exchange_samples.RATES`` it writes ``exchange/<format>_<label><suffix>`` from
``sample_document(label)`` with the format's default options; per-clip formats get the
document's first clip only.  Timelines: for each timeline format
(``btslog.exchange.TIMELINE_MODULES``) and each label of
``tests/golden/timeline_samples.TIMELINE_LABELS`` it writes
``timeline/<format>_<label><suffix>`` from ``sample_timeline(label)``.  Formats whose module
does not exist yet are skipped with a message.  ``regenerate.py csv edl`` rewrites only the
formats named (marker and timeline files of a name that is both).  Review the diff
(``git diff tests/golden``) before committing new golden files.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "exchange"
TIMELINE_GOLDEN = Path(__file__).resolve().parent / "timeline"
TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
if str(TESTS.parent) not in sys.path:
    sys.path.insert(0, str(TESTS.parent))

from exchange_samples import RATES, sample_document
from golden.timeline_samples import TIMELINE_LABELS, sample_timeline

from btslog.exchange import MODULES, TIMELINE_MODULES, Format, get_format, get_timeline_format
from btslog.exchange.model import MarkerDocument


def _available(modules: dict[str, str], get) -> tuple[list[Format], list[str]]:
    found, missing = [], []
    for name, module in modules.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise  # the module exists but imports something missing: a real error
            missing.append(name)
            continue
        found.append(get(name))
    return found, missing


def available_formats() -> tuple[list[Format], list[str]]:
    """The registered formats whose module exists, and the names of those whose does not."""
    return _available(MODULES, get_format)


def available_timeline_formats() -> tuple[list[Format], list[str]]:
    """The timeline formats whose module exists, and the names of those whose does not."""
    return _available(TIMELINE_MODULES, get_timeline_format)


def golden_document(file_format: Format, label: str) -> MarkerDocument:
    """What the golden file of ``file_format`` at ``label`` is written from."""
    document = sample_document(label)
    if file_format.per_clip:
        return MarkerDocument(title=document.title, clips=document.clips[:1])
    return document


def golden_path(file_format: Format, label: str) -> Path:
    return GOLDEN / f"{file_format.name}_{label}{file_format.suffixes[0]}"


def timeline_golden_path(file_format: Format, label: str) -> Path:
    return TIMELINE_GOLDEN / f"{file_format.name}_{label}{file_format.suffixes[0]}"


def _rewrite(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"wrote {path.relative_to(TESTS.parent)}")
    return True


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in MODULES and name not in TIMELINE_MODULES]
    if unknown:
        known = ", ".join(dict.fromkeys([*MODULES, *TIMELINE_MODULES]))
        print(f"unknown format {unknown[0]!r}; formats: {known}", file=sys.stderr)
        return 1
    wanted = set(names) if names else None
    formats, missing = available_formats()
    timeline_formats, timeline_missing = available_timeline_formats()
    for modules, absent in ((MODULES, missing), (TIMELINE_MODULES, timeline_missing)):
        for name in absent:
            if wanted is None or name in wanted:
                print(f"skipped {name}: {modules[name]} does not exist yet")
    written = changed = 0
    for file_format in formats:
        if wanted is not None and file_format.name not in wanted:
            continue
        for label, *_ in RATES:
            data = file_format.write(golden_document(file_format, label))
            changed += _rewrite(golden_path(file_format, label), data)
            written += 1
    for file_format in timeline_formats:
        if wanted is not None and file_format.name not in wanted:
            continue
        for label in TIMELINE_LABELS:
            data = file_format.write_timeline(sample_timeline(label))
            changed += _rewrite(timeline_golden_path(file_format, label), data)
            written += 1
    print(f"{written} golden files, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
