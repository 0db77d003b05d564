"""Errors users see.

Library code raises :class:`BtslogError` subclasses with a message that names the file, line
or timecode at fault and, where there is one, a hint saying what to do.  One handler in
``btslog.cli`` turns them into a message and an exit code; nothing else prints or exits.
"""

from __future__ import annotations

# Exit codes every command shares.
EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_PARTIAL_FAILURE = 2
EXIT_INTERNAL_ERROR = 3


class BtslogError(Exception):
    """A failure the user can act on."""

    exit_code = EXIT_USER_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InvalidInput(BtslogError):
    """A value typed or read from a file that btslog cannot accept."""


class TimecodeError(InvalidInput):
    """A timecode, frame count, duration or rate that does not exist or cannot be parsed."""


class NotFound(BtslogError):
    """A clip, tag, person, cut, file or project that does not exist."""


class ProjectError(BtslogError):
    """The project folder or its database cannot be used."""


class MediaError(BtslogError):
    """A media file that cannot be read, probed, decoded or written."""


class FfmpegError(MediaError):
    """ffmpeg exited with an error; ``stderr_tail`` holds its last lines."""

    def __init__(self, message: str, hint: str | None = None, stderr_tail: str = "") -> None:
        super().__init__(message, hint)
        self.stderr_tail = stderr_tail


class PartialFailure(BtslogError):
    """Some items of a batch failed; the others completed.  ``result`` carries the summary."""

    exit_code = EXIT_PARTIAL_FAILURE

    def __init__(self, message: str, result: object = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.result = result
