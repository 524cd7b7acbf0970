"""`pip install "simkit[app]"` then `simkit app` needs no checkout: the pages come from the package.

Builds the wheel, unpacks it into an empty folder far from the checkout and,
with only that folder on the path, writes the app pages and checks what the
app server needs is inside the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # With build isolation: pyproject.toml asks for a newer setuptools than a venv may have.
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                        "-q", "-w", str(out)], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.skip(f"could not build the wheel here: {r.stderr[-500:]}")
    (path,) = out.glob("simkit-*.whl")
    return path


def test_the_wheel_holds_the_app(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["simkit/app/pages.py", "simkit/app/webapp.py", "simkit/cli/app.py",
                   "simkit/app/server.py", "simkit/app/room.py", "simkit/app/room_web.py",
                   "simkit/workbook/lesson0.py",
                   "simkit/workbook/_guard.py", "simkit/model/presets/small-projects.toml"]:
        assert needed in names, needed
    assert not any(n.startswith("app/") for n in names)  # pages are written, not shipped


def test_the_installed_package_writes_every_page_without_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    pages = tmp_path / "pages"
    code = ("import sys; from simkit.app.pages import LESSONS, write_pages; "
            "import simkit; assert 'site' in simkit.__file__, simkit.__file__; "
            f"paths = write_pages(__import__('pathlib').Path({str(pages)!r})); "
            "print(len(paths), len(LESSONS))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    written, lessons = map(int, r.stdout.split())
    assert written == lessons + 1
    assert (pages / "index.ipynb").is_file() and (pages / "00-plan.ipynb").is_file()
    r = subprocess.run([sys.executable, "-c", "from simkit.cli import main; main()", "app",
                        "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "--host" in r.stdout and "--max-kernels" in r.stdout
    assert "--server" in r.stdout and "room" in r.stdout
