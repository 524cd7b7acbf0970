"""The project's promises about itself: dependencies in step, README in step, light import."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import simkit

ROOT = Path(__file__).resolve().parents[2]
# conda-forge spells a few packages differently from PyPI.
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "distributed": "dask"}


def _norm(req: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", req.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(r) for r in py["dependencies"]}
    for reqs in py["optional-dependencies"].values():
        wanted |= {_norm(r) for r in reqs}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name = _norm(dep)
            if name not in ("python", "pip"):
                listed.add(CONDA_TO_PYPI.get(name, name))
    assert listed == wanted
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    extras = set(py["optional-dependencies"])
    assert any(p.startswith("-e .[") and set(p[5:-1].split(",")) == extras for p in pip)


def test_readme_quick_start_has_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].startswith("python3 dev.py workbook")
    assert commands[1].startswith("python3 dev.py test")
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


def test_every_public_name_is_in_the_api_page():
    text = (ROOT / "docs" / "api.md").read_text()
    missing = [n for n in simkit.__all__ if f"`{n}`" not in text]
    assert not missing, f"add these to docs/api.md: {missing}"
    for name in simkit.__all__:
        assert hasattr(simkit, name)


def test_import_simkit_stays_light():
    # The notebook helpers that need no widgets (exercises, labels, cases) stay light too.
    code = ("import sys, simkit, simkit.course.exercises, simkit.course.i18n, simkit.course.cases; "
            "heavy = ['matplotlib', 'ipywidgets', 'dask', 'distributed', "
            "'IPython', 'scipy', 'voila']; print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_print_in_the_library():
    offenders = []
    for path in (ROOT / "simkit").rglob("*.py"):
        if "cli" in path.parts or path.name == "notebook_tools.py":
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s*print\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}")
    assert not offenders
