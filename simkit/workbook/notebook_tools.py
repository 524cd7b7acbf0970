"""Regenerate the workbook's stored outputs (what nbval compares against).

    python -m simkit.workbook.notebook_tools execute [NOTEBOOK ...]
    python -m simkit.workbook.notebook_tools student [NOTEBOOK ...]

``execute``: each notebook
is executed in a fresh kernel from its own folder, then the
noise that changes on every run is stripped (widget state, execution
timestamps), so a re-run with the same code and seeds gives the same file.
Needs the ``notebooks`` extra (nbclient, nbformat come with JupyterLab).

``student``: writes the student version of each instructor notebook to
``notebooks/student/`` (same file name): in cells tagged ``solution`` the
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


def write_student(path: Path, out_dir: Path = STUDENT_DIR) -> Path:
    import nbformat

    nb = student_version(nbformat.read(path, as_version=4))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name
    nbformat.write(nb, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simkit.workbook.notebook_tools")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("execute", help="execute notebooks in place and store outputs")
    p.add_argument("notebooks", nargs="*", type=Path)
    p = sub.add_parser("student", help="write student versions (no solutions) to notebooks/student")
    p.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    for path in paths:
        if args.cmd == "student":
            sys.stderr.write(f"student version of {path} -> {write_student(path)}\n")
        else:
            sys.stderr.write(f"executing {path} ...\n")
            execute_notebook(path)
            # The student version follows its instructor notebook, so one command refreshes both.
            if path.resolve().parent == NOTEBOOK_DIR:
                write_student(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
