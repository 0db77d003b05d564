"""Consent benchmark, one command: face scan leaks and speed, then the blur render's speed.

    .venv/bin/python benchmarks/faces.py

Runs ``benchmarks/faces_scan.py`` (leaked frames and released-person frames on the sample
shoot's ground truth at 640x360 and 1080p, leaks on ../shared/benchmarks/real_faces, scan
speed against a plain ffmpeg decode + libx264 veryfast encode) and ``benchmarks/faces_render.py``
(the blurred render's speed against the same plain transcode), each in its own process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for script in ("faces_scan.py", "faces_render.py"):
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script)], check=True)
