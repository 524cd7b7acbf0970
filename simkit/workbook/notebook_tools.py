"""Build the workbook from its lesson sources and store its outputs (what nbval compares against).

    python -m simkit.workbook.notebook_tools build [--all] [--no-execute] [LESSON ...]
    python -m simkit.workbook.notebook_tools execute [NOTEBOOK ...]
    python -m simkit.workbook.notebook_tools student [NOTEBOOK ...]

``build`` (what ``python3 dev.py notebooks`` runs): from each lesson source
``lessons/NN-name.md`` (both languages side by side, see
:mod:`simkit.workbook.lesson_source`) it writes ``notebooks/en/NN-name.ipynb`` and
``notebooks/zh/NN-name.ipynb`` (instructor versions), executes those whose
cells changed (``--all``: every one) and writes their student versions to
``notebooks/student/en/`` and ``notebooks/student/zh/``.

``execute``: each notebook
is executed in a fresh kernel from its own folder, then the
noise that changes on every run is stripped (widget state, execution
timestamps), so a re-run with the same code and seeds gives the same file.
Needs the ``notebooks`` extra (nbclient, nbformat come with JupyterLab).

``student``: writes the student version of each instructor notebook to
``notebooks/student/<lang>/`` (same file name): in cells tagged ``solution`` the
lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` are removed (the cell
keeps its ``answer = None`` line), cells tagged ``solution-only`` are
dropped, and every output is cleared, so no check result gives an answer
away. :func:`student_problems` is what the tests use to prove it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = [
    "build",
    "execute_notebook",
    "strip_noise",
    "student_problems",
    "student_version",
    "write_student",
]

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
STUDENT_DIR = NOTEBOOK_DIR / "student"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


def strip_noise(nb) -> None:
    """Remove what differs between two runs of the same notebook."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)


def execute_notebook(path: Path, timeout: int = 600) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    strip_noise(nb)
    nbformat.write(nb, path)


def _strip_solution(source: str) -> str:
    out, inside = [], False
    for line in source.splitlines(keepends=True):
        if line.strip().startswith(BEGIN):
            inside = True
        elif line.strip().startswith(END):
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out).rstrip("\n")


def student_version(nb):
    """A copy of an instructor notebook with solutions removed and outputs cleared."""
    import copy

    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "solution-only" in tags:
            continue
        if "solution" in tags:
            cell.source = _strip_solution(cell.source)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    strip_noise(nb)
    return nb


def student_problems(nb) -> list[str]:
    """Why ``nb`` would give solutions away (empty when it is a clean student version)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if "solution-only" in tags:
            problems.append(f"cell {i} is tagged solution-only")
        if BEGIN in cell.source or END in cell.source:
            problems.append(f"cell {i} still has a solution block")
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"cell {i} has stored outputs")
    return problems


def write_student(path: Path, out_dir: Path | None = None) -> Path:
    import nbformat

    if out_dir is None:  # notebooks/<lang>/x.ipynb -> notebooks/student/<lang>/x.ipynb
        out_dir = STUDENT_DIR / path.resolve().parent.name
    nb = student_version(nbformat.read(path, as_version=4))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name
    nbformat.write(nb, target)
    return target


def _cells(nb) -> list[tuple]:
    return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]


APP_EXPLANATIONS = Path(__file__).resolve().parents[1] / "app" / "explanations.json"


def app_explanations() -> dict[str, dict[str, str]]:
    """Every lesson's app-page explanation from its source: {lesson number: {lang: text}}."""
    from simkit.workbook.lesson_source import app_explanation, lesson_paths, read_lesson

    out = {}
    for path in lesson_paths():
        text = app_explanation(read_lesson(path))
        if text:
            out[str(int(path.name[:2]))] = text
    return out


def write_app_explanations(target: Path = APP_EXPLANATIONS) -> Path:
    """Write the app's page explanations (shipped with the package: the app needs no
    checkout and no jupytext)."""
    import json

    target.write_text(json.dumps(app_explanations(), ensure_ascii=False, indent=1,
                                 sort_keys=True) + "\n", encoding="utf-8")
    return target


def build(lessons: list[Path] | None = None, execute: bool = True, force: bool = False,
          log=sys.stderr.write) -> list[Path]:
    """Write every lesson's notebooks in both languages; execute the ones whose cells changed.

    A notebook whose cells are the same as the source's keeps its stored
    outputs, so a rebuild after editing one lesson executes only that lesson.
    Returns the instructor notebooks written.
    """
    import nbformat

    from simkit.workbook.lesson_source import LANGUAGES, lesson_paths, notebook_for, read_lesson

    lessons = lessons or lesson_paths()
    written = []
    for path in lessons:
        source = read_lesson(path)
        for lang in LANGUAGES:
            nb = notebook_for(source, lang)
            target = NOTEBOOK_DIR / lang / (path.stem + ".ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            fresh = force or not target.exists() \
                or _cells(nbformat.read(target, as_version=4)) != _cells(nb)
            if fresh:
                nbformat.write(nb, target)
                if execute:
                    log(f"executing {target.relative_to(NOTEBOOK_DIR.parent)} ...\n")
                    execute_notebook(target)
            write_student(target)
            written.append(target)
    write_app_explanations()
    if lessons == lesson_paths():  # a full build also removes notebooks whose lesson is gone
        stems = {p.stem for p in lessons}
        for lang in LANGUAGES:
            for folder in (NOTEBOOK_DIR / lang, STUDENT_DIR / lang):
                for old in folder.glob("*.ipynb"):
                    if old.stem not in stems:
                        old.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simkit.workbook.notebook_tools")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build", help="write notebooks/<lang>/ and notebooks/student/<lang>/ from "
                                     "lessons/*.md and execute the changed ones")
    p.add_argument("lessons", nargs="*", type=Path, help="lesson sources (default: all)")
    p.add_argument("--all", action="store_true", help="execute every notebook, changed or not")
    p.add_argument("--no-execute", action="store_true", help="write only (outputs stay empty)")
    p = sub.add_parser("execute", help="execute notebooks in place and store outputs")
    p.add_argument("notebooks", nargs="*", type=Path)
    p = sub.add_parser("student", help="write student versions (no solutions) to notebooks/student")
    p.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        build([p.resolve() for p in args.lessons] or None, execute=not args.no_execute,
              force=args.all)
        return 0
    paths = args.notebooks or sorted(NOTEBOOK_DIR.glob("*/[0-9][0-9]-*.ipynb"))
    for path in paths:
        if args.cmd == "student":
            sys.stderr.write(f"student version of {path} -> {write_student(path)}\n")
        else:
            sys.stderr.write(f"executing {path} ...\n")
            execute_notebook(path)
            # The student version follows its instructor notebook, so one command refreshes both.
            if path.resolve().parent.parent == NOTEBOOK_DIR:
                write_student(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
