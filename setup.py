"""Build hook: ship the student workbook inside the package.

Everything else about the package is declared in pyproject.toml. ``simkit
workbook`` copies the student notebooks to a trainee's folder; they live in
``notebooks/student/`` (generated and checked there), and a build copies them
into ``simkit/course/workbook/`` so an installed wheel carries them. A checkout
installed with ``pip install -e .`` reads ``notebooks/student/`` directly.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STUDENT = Path(__file__).resolve().parent / "notebooks" / "student"


class BuildWithWorkbook(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "simkit" / "course" / "workbook"
        # Language folders (notebooks/student/<lang>/), if any, are shipped as they are.
        for nb in sorted(STUDENT.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            dest = target / nb.relative_to(STUDENT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, dest)


setup(cmdclass={"build_py": BuildWithWorkbook})
