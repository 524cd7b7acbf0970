"""``simkit kit`` and ``simkit workbook``: what they write, what they start, how they fail.

JupyterLab is never started here: the exec is replaced by a recorder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import simkit.cli.workbook as wb
from simkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "notebooks" / "student" / "en").glob("[0-9][0-9]-*.ipynb"))


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_error(r, fragment):
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0], r.output


# ------------------------------------------------------------------ simkit kit


def test_kit_writes_one_language(tmp_path):
    r = invoke("kit", "--out", tmp_path / "kit", "--lang", "zh")
    assert r.exit_code == 0, r.output
    files = sorted(str(p.relative_to(tmp_path / "kit")) for p in (tmp_path / "kit").rglob("*.html"))
    assert files == ["handouts/case-a.zh.html", "handouts/case-b.zh.html",
                     "handouts/exercises.zh.html", "index.html", "trainer/answer-key.zh.html",
                     "trainer/script.zh.html"]


@pytest.mark.parametrize("args, fragment", [
    (["--lang", "fr"], "--lang"),
    (["--lang", "zh"], "--out"),  # the target below is a folder with someone's files
])
def test_kit_errors_exit_2_with_one_line_and_write_nothing(tmp_path, args, fragment):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    r = invoke("kit", "--out", out, *args)
    _one_line_error(r, fragment)
    assert [p.name for p in tmp_path.rglob("*")] == ["notes", "mine.txt"]


# ------------------------------------------------------------------ simkit workbook


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(wb, "_exec", lambda cmd, cwd, env: calls.append((cmd, cwd, env)))
    return calls


def test_workbook_copies_the_lessons_only_and_opens_lesson_0(tmp_path, started, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    dest = tmp_path / "wb"
    r = invoke("workbook", "--dir", dest, "--lang", "zh", "--no-browser", "--", "--port", "8890")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in dest.iterdir()) == sorted([*LESSONS, ".jupyter"])
    assert not list(dest.rglob("conftest.py")) and not list(dest.rglob("sanitize.cfg"))
    for name in LESSONS:  # the student copies: no solution, no output
        nb = json.loads((dest / name).read_text(encoding="utf-8"))
        text = json.dumps(nb)
        assert "BEGIN SOLUTION" not in text
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    settings = json.loads((dest / wb.SETTINGS / "@jupyterlab" / "apputils-extension"
                           / "notification.jupyterlab-settings").read_text())
    assert settings["fetchNews"] == "false"
    (cmd, cwd, env), = started
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--LabApp.default_url=/lab/tree/{wb.START}" in cmd
    assert "--LabApp.news_url=None" in cmd and "--no-browser" in cmd
    assert f"--LabApp.user_settings_dir={dest.resolve() / wb.SETTINGS}" in cmd
    assert cmd[-2:] == ["--port", "8890"] and "--allow-root" not in cmd
    assert cwd == dest and env["SIMKIT_LANG"] == "zh"


def test_workbook_adds_allow_root_for_root_once(tmp_path, started, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert invoke("workbook", "--dir", tmp_path / "a").exit_code == 0
    assert invoke("workbook", "--dir", tmp_path / "b", "--", "--allow-root").exit_code == 0
    assert [c.count("--allow-root") for c, _, _ in started] == [1, 1]
    assert "--no-browser" not in started[0][0]


def test_workbook_passes_unknown_options_to_jupyterlab(tmp_path, started):
    assert invoke("workbook", "--dir", tmp_path / "wb", "--port", "9999").exit_code == 0
    assert started[0][0][-2:] == ["--port", "9999"]


def test_workbook_without_jupyterlab_says_which_extra(tmp_path, started, monkeypatch):
    monkeypatch.setitem(sys.modules, "jupyterlab", None)
    _one_line_error(invoke("workbook", "--dir", tmp_path / "wb"), "simkit[notebooks]")
    assert not started and not (tmp_path / "wb").exists()


def test_workbook_keeps_a_trainees_work(tmp_path, started):
    dest = tmp_path / "wb"
    assert invoke("workbook", "--dir", dest).exit_code == 0
    mine = dest / LESSONS[0]
    mine.write_text('{"mine": true}')
    (dest / LESSONS[1]).unlink()
    r = invoke("workbook", "--dir", dest)
    assert r.exit_code == 0 and "1 lessons copied" in r.output and "kept" in r.output
    assert mine.read_text() == '{"mine": true}' and (dest / LESSONS[1]).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["wb"]  # no temp folder left behind


@pytest.mark.parametrize("args, fragment", [
    (["--lang", "fr"], "--lang"),
    (["--dir", "FILE"], "--dir"),
])
def test_workbook_errors_exit_2_with_one_line(tmp_path, started, args, fragment):
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / "FILE") if a == "FILE" else a for a in args]
    _one_line_error(invoke("workbook", *args), fragment)
    assert not started


@pytest.mark.parametrize("value, expected", [("zh", "zh"), ("en", "en"), ("xx", "en")])
def test_language_starts_from_the_environment(value, expected):
    code = "from simkit.course.i18n import get_language; print(get_language())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "SIMKIT_LANG": value}, check=True).stdout
    assert out.strip() == expected


@pytest.mark.slow
def test_a_built_wheel_carries_the_student_workbook(tmp_path):
    """pip wheel on a copy of the sources: setup.py puts notebooks/student in the package."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "simkit", src / "simkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks" / "student", src / "notebooks" / "student")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(src)], check=True, capture_output=True)
    wheel, = (tmp_path / "dist").glob("simkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n.removeprefix("simkit/course/workbook/") for n in names
                     if n.startswith("simkit/course/workbook/"))
    student = ROOT / "notebooks" / "student"
    assert shipped == sorted(str(p.relative_to(student)) for p in student.rglob("*.ipynb"))
    # both scenario templates (`simkit scenario template` in English and in Chinese)
    assert {"simkit/model/templates/scenario.toml",
            "simkit/model/templates/scenario.zh.toml"} <= set(names)
