"""Bulk logging: a logger's CSV sheet or quick typed notes, imported all or nothing.

CSV (a header row; any column order; ``camera``, ``in``, ``out``, ``kind`` and optionally
``clip``, ``day``, ``scene``, ``take``, ``note``, ``rating``, ``who`` with names separated by
``;``, ``circled`` with yes/x/1)::

    camera,in,out,kind,scene,take,note
    A,14:03:15:00,14:03:19:12,flub,,,dropped the slate

Notes (one line each: ``[CAMERA] IN[-OUT] KIND NOTE``; ``#`` starts a comment)::

    14:05:10:00-14:05:22:00 flub tripped over the tripod
    B 14:03:20;00-14:03:25;00 conversation lunch plans

Every line is checked first; one bad line means nothing is written, and the error names each
bad line and why.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from btslog.errors import BtslogError, InvalidInput, NotFound
from btslog.ops.project import Project
from btslog.ops.tags import TagSpec

CSV_COLUMNS = ("camera", "in", "out", "kind", "clip", "day", "scene", "take", "note", "rating",
               "who", "circled")  # fmt: skip
_YES = {"yes", "y", "x", "1", "true", "circled", "*"}
_NO = {"", "no", "n", "0", "false"}
REQUIRED_COLUMNS = ("in", "kind")
FORMATS = ("csv", "notes")
MAX_ERRORS_SHOWN = 20
_TC = r"\d{1,2}[:;.]\d{2}[:;.]\d{2}[:;.,]\d{2,3}"
_NOTE_RE = re.compile(
    rf"^(?:(?P<camera>[A-Za-z][A-Za-z0-9_-]*)\s+)?(?P<in>{_TC})(?:\s*-\s*(?P<out>{_TC}))?"
    r"\s+(?P<kind>[A-Za-z][A-Za-z0-9_-]*)(?:\s+(?P<note>.*))?$"
)


@dataclass(frozen=True)
class SheetLine:
    line: int
    spec: TagSpec


def sheet_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".txt", ".md", ".log", ""):
        return "notes"
    raise InvalidInput(f"{path}: cannot tell the sheet's format from its name",
                       hint="give --format csv or --format notes")  # fmt: skip


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{path}: not UTF-8 text (byte {error.start})",
            hint="save the sheet as UTF-8 CSV from your spreadsheet program",
        ) from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot be read ({error.strerror})") from None


def read_csv(path: Path, text: str, *, camera: str | None, day: str | None,
             source: str) -> tuple[list[SheetLine], list[str]]:  # fmt: skip
    """The sheet's rows as tag specs, and the problems found in its shape."""
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{path}: the sheet is empty", hint="give a header row") from None
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append("unknown columns " + ", ".join(repr(name) for name in unknown))
        if missing:
            problems.append("missing columns " + ", ".join(repr(name) for name in missing))
        raise InvalidInput(
            f"{path}:1: " + "; ".join(problems),
            hint="columns: " + ", ".join(CSV_COLUMNS) + " (in and kind are required)",
        )
    lines: list[SheetLine] = []
    errors: list[str] = []
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(f"{path}:{number}: {len(row)} cells but {len(header)} columns")
            continue
        values = {name: (row[index].strip() if index < len(row) else "")
                  for index, name in enumerate(header)}  # fmt: skip
        try:
            rating = int(values["rating"]) if values.get("rating") else None
        except ValueError:
            errors.append(f"{path}:{number}: rating {values['rating']!r} is not 1 to 5")
            continue
        circled = values.get("circled", "").lower()
        if circled not in _YES | _NO:
            errors.append(f"{path}:{number}: circled {values['circled']!r} is not yes or no")
            continue
        spec = TagSpec(
            in_text=values["in"], out_text=values.get("out") or None, kind=values["kind"],
            circled=circled in _YES,
            clip=values.get("clip") or None, camera=values.get("camera") or camera,
            day=values.get("day") or day, note=values.get("note", ""),
            scene=values.get("scene") or None, take=values.get("take") or None, rating=rating,
            people=tuple(name.strip() for name in values.get("who", "").split(";")
                         if name.strip()),
            source=source,
        )  # fmt: skip
        lines.append(SheetLine(number, spec))
    return lines, errors


def read_notes(path: Path, text: str, *, camera: str | None, day: str | None,
               source: str) -> tuple[list[SheetLine], list[str]]:  # fmt: skip
    lines: list[SheetLine] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _NOTE_RE.match(line)
        if not match:
            errors.append(f"{path}:{number}: expected [CAMERA] IN[-OUT] KIND NOTE, got {line!r}")
            continue
        spec = TagSpec(
            in_text=match["in"], out_text=match["out"], kind=match["kind"],
            camera=match["camera"] or camera, day=day, note=(match["note"] or "").strip(),
            source=source,
        )  # fmt: skip
        lines.append(SheetLine(number, spec))
    return lines, errors


def import_log(project: Project, path: str | Path, *, camera: str | None = None,
               day: str | None = None, fmt: str | None = None) -> list[int]:  # fmt: skip
    """Check every line of the sheet, then store all its tags at once; returns their ids."""
    from btslog.ops.clips import check_day, resolve_clip
    from btslog.ops.tags import add_tags, prepare

    path = Path(path)
    check_day(day)
    fmt = sheet_format(path, fmt)
    reader = read_csv if fmt == "csv" else read_notes
    lines, errors = reader(path, _read_text(path), camera=camera, day=day,
                           source=f"log:{fmt}")  # fmt: skip
    prepared = []
    for sheet_line in lines:
        spec = sheet_line.spec
        try:
            clip = resolve_clip(project, spec.clip) if spec.clip else None
            if (
                clip is not None
                and spec.camera
                and (clip.camera or "").lower() != spec.camera.lower()
            ):
                raise InvalidInput(f"clip {clip.name} is camera {clip.camera}, not {spec.camera}")
            prepared.append(prepare(project, spec, clip))
        except BtslogError as error:
            errors.append(f"{path}:{sheet_line.line}: {error.message}")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise InvalidInput(
            f"{path}: {len(errors)} bad line{'s' if len(errors) > 1 else ''}, nothing was "
            "imported:\n  " + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""),
            hint="fix the lines named and import the whole sheet again",
        )
    if not prepared:
        raise InvalidInput(f"{path}: no tags in the sheet")
    return add_tags(project, prepared, action="tag.import", detail=path.name)
