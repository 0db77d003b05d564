"""The wheel ships the presets inside the package, and the installed package finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_ships_presets_and_finds_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("btslog-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "btslog/_presets/markers.toml" in names
        assert "btslog/_presets/kinds.toml" in names
        assert "btslog/db/migrations/versions/0001_initial.py" in names
        assert "btslog/media/fonts/DejaVuSansMono.ttf" in names  # burn-in font, never a system one
        assert "btslog/media/fonts/LICENSE" in names
        entry_points = next(name for name in names if name.endswith("entry_points.txt"))
        assert "btslog = btslog.cli:main" in archive.read(entry_points).decode()
        archive.extractall(tmp_path / "site")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import btslog, btslog.presets as p\n"
        "assert btslog.__file__.startswith(sys.argv[1]), btslog.__file__\n"
        "print(p.presets_dir()); print(sorted(p.load_toml('kinds.toml')['kinds']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    where, kinds = result.stdout.splitlines()
    assert where == str(tmp_path / "site" / "btslog" / "_presets")
    assert "take" in kinds and "restricted" in kinds
