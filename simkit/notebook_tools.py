"""Regenerate the workbook's stored outputs (what nbval compares against).

    python -m simkit.notebook_tools execute [NOTEBOOK ...]

Each notebook is executed in a fresh kernel from its own folder, then the
noise that changes on every run is stripped (widget state, execution
timestamps), so a re-run with the same code and seeds gives the same file.
Needs the ``notebooks`` extra (nbclient, nbformat come with JupyterLab).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["execute_notebook", "strip_noise"]

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simkit.notebook_tools")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("execute", help="execute notebooks in place and store outputs")
    p.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    for path in paths:
        sys.stderr.write(f"executing {path} ...\n")
        execute_notebook(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
