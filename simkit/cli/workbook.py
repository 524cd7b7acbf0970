"""``simkit workbook``: copy the student workbook to a folder and open JupyterLab at lesson 0.

Where the notebooks come from: an installed wheel carries them inside the
package (``simkit/course/workbook/*.ipynb``, put there at build time by
``setup.py`` from ``notebooks/student/``); a checkout (``pip install -e .``)
reads ``notebooks/student/`` directly. One folder, one source: the student
copies are generated and checked in the repository, and a build copies them,
so there is no second committed copy to drift.

The trainee's folder gets the lesson notebooks only (no ``conftest.py``, no
``sanitize.cfg``); notebooks already there are never overwritten, so running
the command again reopens the trainee's own work. JupyterLab's news pop-up is
switched off by a settings file in the folder's hidden ``.jupyter`` (and the
news feed itself with ``--LabApp.news_url=None``); ``--allow-root`` is added
for a root user.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

import click

from simkit.cli.group import main
from simkit.cli.kernels import kernel_options
from simkit.cli.lang import cli_language, msg
from simkit.course.i18n import LANG_ENV, LANGUAGES
from simkit.model.errors import SimkitInputError

__all__ = ["START", "copy_workbook", "lab_command", "student_notebooks"]

START = "00-start-here.ipynb"
SETTINGS = Path(".jupyter", "lab", "user-settings")
# Settings a trainee's JupyterLab starts with: no "fetch Jupyter news?" toast, no update check.
NO_NEWS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
           {"fetchNews": "false", "checkForUpdates": False}}


def student_notebooks(lang: str = "en") -> Path:
    """The folder holding the student notebooks: inside the package when installed from a
    wheel, else the checkout's ``notebooks/student`` (a ``<lang>/`` subfolder if present)."""
    candidates = [Path(str(resources.files("simkit.course") / "workbook")),
                  Path(__file__).resolve().parents[2] / "notebooks" / "student"]
    for base in candidates:
        for folder in (base / lang, base):
            if (folder / START).is_file():
                return folder
    raise SimkitInputError("workbook", str(candidates[-1]), f"a folder holding {START}",
                           "Reinstall simkit from a wheel, or run from a checkout.")


def copy_workbook(dest: Path, lang: str = "en") -> list[Path]:
    """Copy the lesson notebooks to ``dest`` (only those missing there) and write the
    JupyterLab settings; returns the notebooks copied."""
    src = student_notebooks(lang)
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise SimkitInputError("--dir", str(dest), "a folder (this is a file)")
    notebooks = sorted(src.glob("[0-9][0-9]-*.ipynb"))
    missing = [nb for nb in notebooks if not (dest / nb.name).exists()]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for nb in missing:
            shutil.copyfile(nb, tmp / nb.name)
        for rel, values in NO_NEWS.items():
            p = tmp / SETTINGS / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
        if not dest.exists():
            tmp.rename(dest)  # a new folder appears whole
            return [dest / nb.name for nb in missing]
        for p in sorted(tmp.rglob("*")):
            if p.is_file():
                target = dest / p.relative_to(tmp)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(p, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [dest / nb.name for nb in missing]


def lab_command(dest: Path, no_browser: bool, extra: tuple[str, ...] = ()) -> list[str]:
    """The JupyterLab command line that opens ``dest`` at lesson 0."""
    dest = Path(dest).resolve()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={dest}",
           f"--LabApp.default_url=/lab/tree/{START}",
           f"--LabApp.user_settings_dir={dest / SETTINGS}",
           f"--LabApp.workspaces_dir={dest / '.jupyter' / 'lab' / 'workspaces'}",
           "--LabApp.news_url=None", *_kernel_options()]
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        cmd.append("--allow-root")
    return cmd + list(extra)


def _kernel_options() -> list[str]:
    """Kernels on Unix sockets in Jupyter's runtime folder, when their paths fit there."""
    from jupyter_core.paths import jupyter_runtime_dir

    return kernel_options(jupyter_runtime_dir())


def _exec(cmd: list[str], cwd: Path, env: dict) -> None:
    """Replace this process with JupyterLab (so Ctrl-C and the exit status are its own)."""
    os.chdir(cwd)
    os.execve(cmd[0], cmd, env)


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--lang", default=None, metavar="zh|en",
              help="Language of the dashboards, charts and tables (each lesson can switch); "
                   "default: simkit's --lang (SIMKIT_LANG, else the system locale, else en).")
@click.option("--dir", "dest", default="simkit-workbook", show_default=True,
              type=click.Path(path_type=Path), metavar="DIR",
              help="Folder to copy the workbook to (notebooks already there are kept).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; print the address.")
@click.argument("lab_args", nargs=-1, type=click.UNPROCESSED,
                metavar="[-- JUPYTERLAB OPTIONS]")
def workbook(lang: str, dest: Path, no_browser: bool, lab_args: tuple[str, ...]) -> None:
    """Copy the student workbook to DIR and open JupyterLab at lesson 0.

    Options after -- go to JupyterLab, e.g. simkit workbook -- --port 8890.
    """
    lang = lang or cli_language()
    if lang not in LANGUAGES:
        raise SimkitInputError("--lang", lang, "one of " + ", ".join(LANGUAGES))
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise SimkitInputError("extras", "notebooks", "installed: pip install 'simkit[notebooks]'"
                               ) from None
    copied = copy_workbook(dest, lang)
    kept = len(list(dest.glob("[0-9][0-9]-*.ipynb"))) - len(copied)
    click.echo(msg("cli.workbook.copied", copied=len(copied), dest=dest)
               + (msg("cli.workbook.kept", kept=kept) if kept else "")
               + msg("cli.workbook.opening", start=START))
    _exec(lab_command(dest, no_browser, lab_args), dest, {**os.environ, LANG_ENV: lang})
