"""Rewrite the golden files of the exchange formats: ``python tests/golden/regenerate.py``.

For each format in the registry (``btslog.exchange.MODULES``) and each rate of
``tests/exchange_samples.RATES`` it writes ``exchange/<format>_<label><suffix>`` from
``sample_document(label)`` with the format's default options; per-clip formats get the
document's first clip only.  Formats whose module does not exist yet are skipped with a
message.  ``regenerate.py csv json`` rewrites only the formats named.  Review the diff (``git diff tests/golden``) before committing new golden files.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "exchange"
TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
if str(TESTS.parent) not in sys.path:
    sys.path.insert(0, str(TESTS.parent))

from exchange_samples import RATES, sample_document

from btslog.exchange import MODULES, Format, get_format
from btslog.exchange.model import MarkerDocument


def available_formats() -> tuple[list[Format], list[str]]:
    """The registered formats whose module exists, and the names of those whose does not."""
    found, missing = [], []
    for name, module in MODULES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise  # the module exists but imports something missing: a real error
            missing.append(name)
            continue
        found.append(get_format(name))
    return found, missing


def golden_document(file_format: Format, label: str) -> MarkerDocument:
    """What the golden file of ``file_format`` at ``label`` is written from."""
    document = sample_document(label)
    if file_format.per_clip:
        return MarkerDocument(title=document.title, clips=document.clips[:1])
    return document


def golden_path(file_format: Format, label: str) -> Path:
    return GOLDEN / f"{file_format.name}_{label}{file_format.suffixes[0]}"


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        print(f"unknown format {unknown[0]!r}; formats: {', '.join(MODULES)}", file=sys.stderr)
        return 1
    GOLDEN.mkdir(parents=True, exist_ok=True)
    formats, missing = available_formats()
    for name in missing:
        if not names or name in names:
            print(f"skipped {name}: {MODULES[name]} does not exist yet")
    formats = [file_format for file_format in formats if not names or file_format.name in names]
    written = changed = 0
    for file_format in formats:
        for label, *_ in RATES:
            path = golden_path(file_format, label)
            data = file_format.write(golden_document(file_format, label))
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed += 1
                print(f"wrote {path.relative_to(TESTS.parent)}")
            written += 1
    print(f"{written} golden files for {len(formats)} formats, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
