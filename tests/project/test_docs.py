"""The documentation site: it builds with warnings as errors, its examples run, and the
README stays a short front page that links into it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every page's ```python blocks run as tests.
RUN_EXAMPLES = [page for page in ["README.md", *sorted(f"docs/{p.name}" for p in
                                                      (ROOT / "docs").glob("*.md"))]
                if "```python\n" in (ROOT / page).read_text()]


def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs extra (installed by dev.py)")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # No -q: with it mkdocs 1.6 drops the warnings before --strict counts them.
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                          "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "site" / "architecture" / "index.html").exists()


def test_every_docs_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [p.name for p in (ROOT / "docs").glob("*.md") if p.name not in nav]
    assert not missing


@pytest.mark.parametrize("page", RUN_EXAMPLES)
def test_examples_run(page, tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), re.S)
    monkeypatch.chdir(tmp_path)  # examples may write files (docs/sandbox.md: room.sqlite)
    for code in blocks:
        exec(compile(code, page, "exec"), {})


def test_the_readme_and_api_page_have_examples():
    for page in ("README.md", "docs/api.md"):
        assert "```python\n" in (ROOT / page).read_text(), page


def test_readme_is_a_front_page():
    text = (ROOT / "README.md").read_text()
    assert len(text.encode()) < 6000, "keep the README to two screens; move detail to docs/"
    for page in re.findall(r"\(docs/([\w-]+\.md)\)", text):
        assert (ROOT / "docs" / page).exists(), page
    assert "dev.py app" in text.split("## Lessons")[0], "the app command sits by the quick start"


def test_planning_worked_example_table_is_what_the_example_gives():
    """docs/planning.md's quarter table is the output of its own example (200 replications,
    seed 1), as printed there: it went stale once when the engines' random plumbing changed."""
    page = (ROOT / "docs" / "planning.md").read_text()
    code = re.findall(r"```python\n(.*?)```", page, re.S)[0]
    ns: dict = {}
    exec(compile(code, "docs/planning.md", "exec"), ns)
    tq = ns["res"].team_quarters
    by_q = tq.groupby("quarter")
    rows = [line.strip("| ").split(" | ") for line in page.splitlines()
            if re.match(r"\| Q\d \|", line)]
    assert [r[0] for r in rows] == [f"Q{q}" for q in by_q.groups]
    for row, (q, g) in zip(rows, by_q):
        shown = [f"{g.attainment.mean():.1%}", f"{(g.attainment >= 1).mean():.1%}",
                 f"{g.share_of_reps_at_quota.mean():.1%}", f"{g.headcount.mean():.1f}",
                 f"{g.payout.mean():.1f}"]
        assert row[1:] == shown, (q, row, shown)


def _cli_commands():
    import click

    from simkit.cli import main

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])
    return {" ".join(path) or "simkit": cmd for path, cmd in walk(main, [])
            if not isinstance(cmd, click.Group) or not path}


def test_cli_page_lists_every_option_with_its_default():
    """docs/cli.md's table of options against the commands themselves: every option of every
    command is in its row with the default `--help` shows, and a row names no option its
    command lacks (calibrate and backtest share the row on reading an export)."""
    import click

    text = (ROOT / "docs" / "cli.md").read_text()
    rows = {}
    for line in text.split("## Every command's options")[1].split("\n## ")[0].splitlines():
        m = (re.match(r"\| `([^`]+)`[^|]*\| (.*) \|$", line)
             or re.match(r"\| (reading)[^|]*\| (.*) \|$", line))
        if m:
            name = " ".join(w for w in m[1].split() if w.islower() and not w.startswith(("[", "-")))
            rows[name] = m[2].replace("\\|", "|")
    commands = _cli_commands()
    assert set(rows) == set(commands) | {"reading"}, set(rows) ^ (set(commands) | {"reading"})
    reading = None
    for name, cmd in commands.items():
        longs = {o: p for p in cmd.params if isinstance(p, click.Option)
                 for o in p.opts + p.secondary_opts if o.startswith("--")}
        row = rows[name] + (" " + rows["reading"] if name in ("calibrate", "backtest") else "")
        if name in ("calibrate", "backtest"):
            reading = set(longs) if reading is None else reading & set(longs)
        for opt, param in longs.items():
            assert f"`{opt}" in row, (name, opt)
            default = param.default
            if param.show_default and default is not None and not isinstance(default, bool):
                after = row.split(f"`{opt}", 1)[1].split("`--", 1)[0]
                shown = f"{default:g}" if isinstance(default, float) else str(default)
                assert shown in after, (name, opt, shown, after)
        named = set(re.findall(r"`(--[a-z-]+)", rows[name])) - {"--help"}
        assert named <= set(longs), (name, named - set(longs))
    assert set(re.findall(r"`(--[a-z-]+)", rows["reading"])) <= reading


def test_offline_install_fetches_every_extra_dev_py_installs():
    """README.zh-CN.md's download-elsewhere recipe: with PIP_NO_INDEX, dev.py's install fails
    on any extra the wheels folder lacks (it listed four of dev.py's six)."""
    dev_py = (ROOT / "dev.py").read_text()
    extras = re.search(r'^EXTRAS = "([\w,]+)"', dev_py, re.M)[1]
    shown = re.findall(r'"\.\[([\w,]+)\]"', (ROOT / "README.zh-CN.md").read_text())
    assert shown and all(set(s.split(",")) == set(extras.split(",")) for s in shown), shown


def test_wheel_names_in_the_docs_carry_the_version():
    """`pip install simkit` installs another project from PyPI, so the docs install the wheel
    built from this repository by its file name, which must follow the version."""
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]
    for page in (ROOT / "docs").glob("*.md"):
        for name in re.findall(r"simkit-([\w.]+)-py3-none-any\.whl", page.read_text()):
            assert name == version, (page.name, name, version)
