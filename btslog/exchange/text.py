"""Reading the text formats: UTF-8 (a BOM allowed), any line ending, no binary data."""

from __future__ import annotations

import re

from btslog.errors import InvalidInput

LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def decode_text(data: bytes, source: str, *, what: str, save_hint: str, hint: str) -> str:
    """``data`` as text, or an error naming ``source`` and the line of the first bad byte.

    ``what`` names the format in the NUL-byte error ("a marker EDL"), ``save_hint`` says how
    to save the file as UTF-8, ``hint`` explains the format's syntax.
    """
    data = bytes(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x})", hint=save_hint
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidInput(f"{source}:{line}: binary data (a NUL byte), not {what}", hint=hint)
    return text


def text_lines(data: bytes, source: str, *, what: str, save_hint: str, hint: str) -> list[str]:
    return LINE_BREAK_RE.split(decode_text(data, source, what=what, save_hint=save_hint, hint=hint))
