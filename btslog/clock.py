"""Wall-clock time for records (audit entries, registration times): ISO 8601 UTC strings.

Tests may pin it with ``BTSLOG_NOW`` so stored rows are reproducible.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now_iso() -> str:
    pinned = os.environ.get("BTSLOG_NOW")
    if pinned:
        return pinned
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
