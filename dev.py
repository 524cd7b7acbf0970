#!/usr/bin/env python3
"""simkit's set-up and task runner: the README's two commands.

    python3 dev.py workbook    set up .venv if needed, open the workbook in JupyterLab
                               (student copies, in the system's language; --lang zh|en)
    python3 dev.py test        set up .venv if needed, run the whole test suite
    python3 dev.py app         set up .venv if needed, serve the lessons as a web app

More: `python3 dev.py --help`. Only the standard library is used here because
this script is what creates the environment the rest of simkit runs in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import locale
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = "notebooks,test,dask,docs,app,sandbox"
STAMP = VENV / ".simkit-installed"
START_NOTEBOOK = "00-start-here.ipynb"
# JupyterLab settings for the workbook: no news or update prompts over the lessons.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {
    "fetchNews": "false", "checkForUpdates": False}}

# nbval options: compare stored outputs in the current venv's kernel, sanitise
# run-to-run noise, keep a notebook on one xdist worker.
NBVAL_ARGS = [
    "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
    "--nbval-sanitize-with", "tests/notebooks/sanitize.cfg",
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


def system_language(environ=os.environ) -> str:
    """'zh' when the system locale is Chinese (zh_CN, zh_TW, ...), else 'en'."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith(("zh", "chinese")) else "en"


def _write_lab_overrides() -> None:
    target = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(target.read_text()) if target.exists() else {}
    if any(current.get(k) != v for k, v in LAB_OVERRIDES.items()):
        target.write_text(json.dumps({**current, **LAB_OVERRIDES}, indent=2))


def workbook_command(lang: str, instructor: bool, no_browser: bool, rest: list[str],
                     root: bool | None = None) -> list[str]:
    """The jupyter lab command line: the lesson folder as root, lesson 0 as the landing page."""
    folder = ROOT / "notebooks" / ("" if instructor else "student") / lang
    cmd = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={folder}",
           f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}"]
    if no_browser:
        cmd.append("--no-browser")
    if (os.geteuid() == 0 if root is None and hasattr(os, "geteuid") else root) \
            and "--allow-root" not in rest:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    return cmd + list(rest)


def _kernel_args() -> list[str]:
    """Kernels on Unix sockets, as ``simkit workbook`` starts them (simkit/cli/kernels.py)."""
    out = subprocess.run([str(PY), "-c", "import json; from simkit.cli.workbook import "
                          "_kernel_options as k; print(json.dumps(k()))"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def cmd_workbook(args: argparse.Namespace) -> int:
    setup()
    _write_lab_overrides()
    lang = args.lang or system_language()
    cmd = workbook_command(lang, args.instructor, args.no_browser, [*_kernel_args(), *args.rest])
    copy = "instructor" if args.instructor else "student"
    _say(f"opening JupyterLab on lesson 0 ({copy} copy, {lang}); stop it with Ctrl-C")
    return _run(cmd)


def cmd_test(args: argparse.Namespace) -> int:
    setup()
    cmd = [str(PY), "-m", "pytest", "-n", str(args.workers), "--dist", "loadscope",
           "tests", *sorted(str(p.relative_to(ROOT))
                            for p in (ROOT / "notebooks").glob("[a-z][a-z]/*.ipynb")),
           *NBVAL_ARGS, *args.rest]
    if args.workers == 0:
        cmd[3:7] = []
    _say(" ".join(cmd[2:]))
    return _run(cmd)


def cmd_app(args: argparse.Namespace) -> int:
    setup()
    proc = subprocess.Popen([str(BIN / "simkit"), "app", "--port", str(args.port),
                             "--lang", args.lang or system_language()], cwd=ROOT)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # simkit app got the same Ctrl-C and is stopping its server (and, with
            # --server voila, its kernels); killing it now would orphan them.
            continue


def cmd_notebooks(args: argparse.Namespace) -> int:
    """Build both languages' notebooks from lessons/*.md, execute the changed ones, store outputs."""
    setup()
    return _run([str(PY), "-m", "simkit.workbook.notebook_tools", "build", *args.rest])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("workbook", help="set up and open the workbook in JupyterLab "
                       "(other options, e.g. --port 8890, are passed on to jupyter lab)")
    p.add_argument("--no-browser", action="store_true",
                   help="print the address (it opens lesson 0) instead of opening a browser")
    p.add_argument("--lang", choices=["en", "zh"], default=None,
                   help="language of the lessons (default: the system's; zh_* gives zh)")
    p.add_argument("--instructor", action="store_true",
                   help="open the instructor copies (with solutions) instead of the student ones")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    p.set_defaults(func=cmd_workbook)
    p = sub.add_parser("test", help="set up and run the whole test suite")
    p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (0: none)")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="passed on to pytest")
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("app", help="set up and serve the lessons as a no-code web app "
                       "(the room server: no kernel per viewer)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--lang", choices=["en", "zh"], default=None,
                   help="language pages open in (default: the system's; zh_* gives zh)")
    p.set_defaults(func=cmd_app)
    p = sub.add_parser("notebooks", help="build notebooks/en, notebooks/zh and the student copies "
                       "from lessons/*.md; execute the changed ones (--all: every one)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_notebooks)
    p = sub.add_parser("setup", help="only create or update .venv")
    p.set_defaults(func=lambda a: setup() or 0)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command not in ("workbook", "notebooks"):
            parser.error("unrecognized arguments: " + " ".join(unknown))
        # JupyterLab's own options (--port, ...), the notebook build's (--all, ...)
        args.rest = unknown + list(args.rest)
    if getattr(args, "rest", None) and args.rest[0] == "--":
        args.rest = args.rest[1:]  # `dev.py test -- -k engine`: pytest gets `-k engine`
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
