"""``simkit app``: serve the lesson dashboards as a no-code web app (Voilà).

Voilà runs the page notebooks in ``app/`` with their code stripped and only
widget messages accepted from the browser (no execute requests, no
terminals, no file or contents API beyond the page list), on 127.0.0.1.
Ctrl-C stops Voilà and every kernel it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from simkit.app.pages import APP_DIR
from simkit.app.webapp import LANG_ENV, LANGUAGES
from simkit.cli.group import main
from simkit.cli.lang import cli_language, msg
from simkit.model.errors import SimkitInputError

__all__ = ["APP_DIR", "INDEX_PAGE", "app_url", "start_app", "stop_app", "voila_command"]

INDEX_PAGE = "index.ipynb"


def voila_command(pages: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The Voilà command line for the app (explicit about every safety default)."""
    return [
        sys.executable, "-m", "voila", str(pages),
        "--no-browser", f"--port={port}", f"--Voila.ip={host}",
        # A busy port must fail loudly rather than move to a port we did not print.
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--theme=light",
        # Voilà's shutdown request on tab close is refused (voila issue #1458,
        # missing _xsrf), so each visit would leave a kernel behind: cull
        # kernels idle and disconnected for 10 minutes.
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
    ]


def app_url(port: int, host: str = "127.0.0.1", page: str = INDEX_PAGE) -> str:
    return f"http://{host}:{port}/voila/render/{page}"


def start_app(pages: Path, port: int, lang: str = "en", **popen) -> subprocess.Popen:
    """Start Voilà in its own session (so a terminal's Ctrl-C reaches only us)."""
    if lang not in LANGUAGES:
        raise SimkitInputError("--lang", lang, "one of " + ", ".join(LANGUAGES))
    if not (pages / INDEX_PAGE).is_file():
        raise SimkitInputError("pages", str(pages), f"a folder holding {INDEX_PAGE}",
                               "The app pages ship in the repository's app/ folder; "
                               "install simkit from a checkout (pip install -e .).")
    try:
        import ipykernel  # noqa: F401
        import voila  # noqa: F401
    except ImportError as exc:
        raise SimkitInputError("extras", exc.name, "installed: pip install -e '.[app]'") from None
    env = {**os.environ, LANG_ENV: lang}
    return subprocess.Popen(voila_command(pages, port), cwd=pages, env=env,
                            start_new_session=True, **popen)


def stop_app(proc: subprocess.Popen, timeout: float = 10.0) -> list[int]:
    """Stop Voilà and every process under it; return the pids that had to be killed.

    jupyter_client starts each kernel in a session of its own, so signalling
    Voilà's process group alone would leave kernels behind: the descendants
    are collected first and any still alive after Voilà exits are killed.
    """
    import psutil

    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if proc.poll() is None:
        # SIGTERM lets Voilà shut its kernels down cleanly.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    _, alive = psutil.wait_procs(descendants, timeout=timeout / 2)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=timeout / 2)
    return [p.pid for p in alive]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True,
              help="Port on 127.0.0.1 to serve the app on.")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None,
              help="Language the pages open in (each page also has a switch); default: "
                   "simkit's --lang (SIMKIT_LANG, else the system locale, else en).")
@click.option("--pages", type=click.Path(file_okay=False, path_type=Path), default=APP_DIR,
              show_default=True, help="Folder of Voilà page notebooks.")
def app(port: int, lang: str, pages: Path) -> None:
    """Serve the lesson dashboards as a web app with no code (Voilà), until Ctrl-C."""
    proc = start_app(pages, port, lang or cli_language())
    # Ctrl-C and `kill` both stop cleanly: Python ignores SIGINT when started
    # in the background, and SIGTERM would otherwise skip the clean-up and
    # orphan Voilà, which runs in its own session.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(msg("cli.app.open", url=app_url(port)))
    try:
        while proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo(msg("cli.app.stopping"))
        for sig in previous:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        stop_app(proc)
        return
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stop_app(proc)  # Voilà ended by itself: still make sure no kernel outlives it
    # click's own "Error:" prefix is English: the message is printed here, in the language.
    click.echo(msg("cli.error", message=msg("cli.app.exited", status=proc.returncode, port=port)),
               err=True)
    sys.exit(1)
