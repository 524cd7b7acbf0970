#!/usr/bin/env python3
"""simkit's set-up and task runner: the README's two commands.

    python3 dev.py workbook    set up .venv if needed, open the workbook in JupyterLab
    python3 dev.py test        set up .venv if needed, run the whole test suite
    python3 dev.py app         set up .venv if needed, serve the lessons as a web app

More: `python3 dev.py --help`. Only the standard library is used here because
this script is what creates the environment the rest of simkit runs in.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = "notebooks,test,dask,app,sandbox"
STAMP = VENV / ".simkit-installed"
START_NOTEBOOK = "notebooks/00-start-here.ipynb"

# nbval options: compare stored outputs in the current venv's kernel, sanitise
# run-to-run noise, keep a notebook on one xdist worker.
NBVAL_ARGS = [
    "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
    "--nbval-sanitize-with", "notebooks/sanitize.cfg",
]


def _say(msg: str) -> None:
    print(f"[simkit] {msg}", flush=True)


def _stamp_text() -> str:
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    h.update(EXTRAS.encode())
    return h.hexdigest()


def setup() -> None:
    """Create .venv and install simkit with its extras; re-install when pyproject.toml changes."""
    if sys.version_info < (3, 11):
        sys.exit(f"simkit needs Python 3.11 or newer; this is {sys.version.split()[0]}. "
                 "Run this script with a newer python3.")
    if not PY.exists():
        _say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _stamp_text():
        return
    _say(f"installing simkit[{EXTRAS}] and its dependencies (first run: a few minutes)")
    subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    "-e", f".[{EXTRAS}]"], check=True, cwd=ROOT)
    STAMP.write_text(_stamp_text())


def _run(cmd: list[str]) -> int:
    return subprocess.call(cmd, cwd=ROOT)


def cmd_workbook(args: argparse.Namespace) -> int:
    setup()
    cmd = [str(BIN / "jupyter"), "lab", START_NOTEBOOK]
    if args.no_browser:
        cmd.append("--no-browser")
    _say("opening JupyterLab on " + START_NOTEBOOK + " (stop it with Ctrl-C)")
    return _run(cmd + list(args.rest))


def cmd_test(args: argparse.Namespace) -> int:
    setup()
    cmd = [str(PY), "-m", "pytest", "-n", str(args.workers), "--dist", "loadscope",
           "tests", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb")),
           *NBVAL_ARGS, *args.rest]
    if args.workers == 0:
        cmd[3:7] = []
    _say(" ".join(cmd[2:]))
    return _run(cmd)


def cmd_app(args: argparse.Namespace) -> int:
    setup()
    proc = subprocess.Popen([str(BIN / "simkit"), "app", "--port", str(args.port),
                             "--lang", args.lang], cwd=ROOT)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # simkit app got the same Ctrl-C and is stopping Voila and its
            # kernels; killing it now (what subprocess.call does) would orphan them.
            continue


def cmd_notebooks(args: argparse.Namespace) -> int:
    """Re-execute every notebook and store its outputs (the contract nbval checks)."""
    setup()
    return _run([str(PY), "-m", "simkit.notebook_tools", "execute", *args.rest])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("workbook", help="set up and open the workbook in JupyterLab")
    p.add_argument("--no-browser", action="store_true", help="print the address instead")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    p.set_defaults(func=cmd_workbook)
    p = sub.add_parser("test", help="set up and run the whole test suite")
    p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (0: none)")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="passed on to pytest")
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("app", help="set up and serve the lessons as a no-code web app (Voila)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language pages open in")
    p.set_defaults(func=cmd_app)
    p = sub.add_parser("notebooks", help="re-execute the notebooks and store their outputs")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_notebooks)
    p = sub.add_parser("setup", help="only create or update .venv")
    p.set_defaults(func=lambda a: setup() or 0)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
