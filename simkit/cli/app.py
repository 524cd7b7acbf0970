"""``simkit app``: serve the lesson dashboards as a no-code web app.

Two servers show the same workbook dashboards (``--server``):

* ``room`` (the default): one server for every viewer (a process, plus one
  that draws the charts), no kernel per page (:mod:`simkit.app.room_web` over :class:`simkit.app.room.Room`): the
  pages are plain HTML rendered on the server; a moved control sends its
  values, checked on the server, and gets the new numbers and chart back.
  Memory stays flat whatever the number of viewers (benchmarks/bench_app_load.py).
* ``voila``: a Jupyter kernel per page, at most ``--max-kernels`` of them.

Voilà (through :mod:`simkit.app.server`: Host check, a cap on kernels
with a "room is full" page, pages with no request to any other host) runs the
page notebooks with their code stripped and only widget messages accepted
from the browser (no execute requests, no terminals, no file or contents API
beyond the page list), on 127.0.0.1 unless ``--host`` says otherwise. The
pages are written from :data:`simkit.app.pages.LESSONS` into a temporary
folder at start-up, so an installed package needs no checkout.
Ctrl-C stops Voilà and every kernel it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from simkit.app.pages import APP_DIR, write_pages
from simkit.app.webapp import LANG_ENV, LANGUAGES
from simkit.cli.group import main
from simkit.cli.kernels import kernel_options, private_runtime_dir
from simkit.cli.lang import cli_language, msg, text_both
from simkit.model.errors import SimkitInputError

__all__ = ["APP_DIR", "CULL_IDLE_S", "DEFAULT_SERVER", "INDEX_PAGE", "MAX_KERNELS", "SERVERS",
           "app_url", "room_command", "start_app", "stop_app", "voila_command"]

INDEX_PAGE = "index.ipynb"
# Memory budget (benchmarks/bench_app_load.py, RSS summed over the app and its
# kernels): the app ~180 MB idle, a page's kernel ~200-250 MB; 6 kernels peaked
# at 1.4 GB, leaving room under 2 GB for the heavier pages, whatever the number
# of visitors (the others get the room-full page).
MAX_KERNELS = 6
# A closed page shuts its kernel down at once (app_server's beacon); a kernel
# whose page vanished without it (browser killed) goes after this idle time.
CULL_IDLE_S = 60
#: The servers `simkit app` can run; the room server is the default (it met the room's
#: targets in benchmarks/bench_app_load.py: memory flat, p95 slider latency under 1 s).
SERVERS = ("room", "voila")
DEFAULT_SERVER = "room"


def room_command(port: int, host: str = "127.0.0.1", lang: str = "en") -> list[str]:
    """The room server's command line (:mod:`simkit.app.room_web`)."""
    return [sys.executable, "-m", "simkit.app.room_web", f"--port={port}", f"--host={host}",
            f"--lang={lang}"]


def voila_command(pages: Path, port: int, host: str = "127.0.0.1",
                  max_kernels: int = MAX_KERNELS, cull_idle: int = CULL_IDLE_S,
                  runtime_dir: Path | None = None) -> list[str]:
    """The Voilà command line for the app (explicit about every safety default).

    ``runtime_dir``: a private folder for the kernels' connection files (Voilà makes
    a ``voila_XXXXXXXX`` folder in it); the kernels then talk over Unix sockets
    there, not TCP ports (:mod:`simkit.cli.kernels`).
    """
    return [
        sys.executable, "-m", "simkit.app.server", str(pages),
        "--no-browser", f"--port={port}", f"--Voila.ip={host}",
        # A busy port must fail loudly rather than move to a port we did not print.
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--theme=light",
        # Not jupytext's JupyterLab extension (the notebooks extra installs it beside simkit):
        # it breaks Voilà's page with a shared-module error.
        '--VoilaConfiguration.extension_denylist=["jupyterlab-jupytext"]',
        # Voilà's lab template without its links to a public CDN.
        "--template=simkit",
        f"--SimkitVoila.max_kernels={max_kernels}",
        # Kernels idle and disconnected for a minute (a page that closed
        # without its shutdown beacon) are shut down.
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={max(5, cull_idle // 4)}",
        *([f"--Voila.connection_dir_root={runtime_dir}",
           *kernel_options(Path(runtime_dir, "voila_" + "x" * 8))]
          if runtime_dir is not None else []),
    ]


def app_url(port: int, host: str = "127.0.0.1", page: str = INDEX_PAGE,
            server: str = "voila") -> str:
    """The address of ``page`` (the lessons index by default) on the app's server."""
    if server == "room":
        name = page.removesuffix(".ipynb")
        return f"http://{host}:{port}/" + ("" if name == "index" else name)
    return f"http://{host}:{port}/voila/render/{page}"


def start_app(pages: Path | None, port: int, lang: str = "en", host: str = "127.0.0.1",
              max_kernels: int = MAX_KERNELS, cull_idle: int = CULL_IDLE_S,
              server: str = "voila", **popen) -> subprocess.Popen:
    """Start the app server in its own session (so a terminal's Ctrl-C reaches only us).

    ``server="voila"``: ``pages=None`` writes the pages from the package into a
    temporary folder (removed by :func:`stop_app`), so no checkout is needed.
    ``server="room"``: the room server (no page notebooks; ``pages`` must be None).
    """
    if lang not in LANGUAGES:
        raise SimkitInputError("--lang", lang, "one of " + ", ".join(LANGUAGES))
    if server not in SERVERS:
        raise SimkitInputError("--server", server, "one of " + ", ".join(SERVERS))
    if server == "room":
        if pages is not None:
            raise SimkitInputError("--pages", str(pages), "only with --server voila",
                                   "The room server builds its pages from the package.")
        try:
            import ipywidgets  # noqa: F401
            import matplotlib  # noqa: F401
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError as exc:
            raise SimkitInputError("extras", exc.name,
                                   'installed: pip install "simkit[app]"') from None
        # Few malloc arenas: the room computes in a pool of threads, and glibc's default of
        # an arena per thread per core keeps freed simulation memory scattered and unreturned.
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        proc = subprocess.Popen(room_command(port, host, lang), start_new_session=True,
                                env=env, **popen)
        proc.simkit_pages = None
        return proc
    try:
        import ipykernel  # noqa: F401
        import voila  # noqa: F401
    except ImportError as exc:
        raise SimkitInputError("extras", exc.name, 'installed: pip install "simkit[app]"') from None
    written = None
    if pages is None:
        written = Path(tempfile.mkdtemp(prefix="simkit-app-pages-"))
        write_pages(written)
        pages = written
    if not (pages / INDEX_PAGE).is_file():
        raise SimkitInputError("--pages", str(pages), f"a folder holding {INDEX_PAGE}",
                               "Leave --pages out to serve the pages that ship with simkit.")
    # Kernels' connection files and sockets in a short private folder, removed by stop_app.
    runtime = private_runtime_dir()
    env = {**os.environ, LANG_ENV: lang}
    try:
        proc = subprocess.Popen(voila_command(pages, port, host, max_kernels, cull_idle, runtime),
                                cwd=pages, env=env, start_new_session=True, **popen)
    except BaseException:
        shutil.rmtree(runtime, ignore_errors=True)
        raise
    proc.simkit_pages = written
    proc.simkit_runtime = runtime
    return proc


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
    for folder in (getattr(proc, "simkit_pages", None), getattr(proc, "simkit_runtime", None)):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return [p.pid for p in alive]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True,
              help="Port to serve the app on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default is this computer only; to let a room "
                   "reach it, give this computer's address on the room's network.")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None,
              help="Language the pages open in (each page also has a switch); default: "
                   "simkit's --lang (SIMKIT_LANG, else the system locale, else en).")
@click.option("--server", type=click.Choice(list(SERVERS)), default=None,
              show_default=DEFAULT_SERVER + "; voila with --pages", help=text_both("cli.app.help_server", "both"))
@click.option("--max-kernels", type=click.IntRange(1, 64), default=MAX_KERNELS,
              show_default=True,
              help="With --server voila: pages open at once (each costs ~300 MB); more "
                   "visitors get a 'room is full, try again in a minute' page.")
@click.option("--pages", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --server voila: folder of Voilà page notebooks (default: the pages "
                   "shipped with simkit).")
def app(port: int, host: str, lang: str, server: str, max_kernels: int,
        pages: Path | None) -> None:
    """Serve the lesson dashboards as a web app with no code, until Ctrl-C. By default
    the room server (one server for every viewer, no kernel per page); --server voila
    starts a Jupyter kernel for each page.

    以无需编程的网页应用提供各课的仪表板，按 Ctrl-C 停止。默认用 room 服务器（一个服务器服务所有观众，每页不需要内核）；
    --server voila 为每个页面启动一个 Jupyter 内核。
    """
    server = server or ("voila" if pages is not None else DEFAULT_SERVER)
    proc = start_app(pages, port, lang or cli_language(), host=host, max_kernels=max_kernels,
                     server=server)
    # Ctrl-C and `kill` both stop cleanly: Python ignores SIGINT when started
    # in the background, and SIGTERM would otherwise skip the clean-up and
    # orphan Voilà, which runs in its own session.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    local = host in ("127.0.0.1", "localhost", "::1")
    click.echo(msg("cli.app.open", url=app_url(port, host, server=server)))
    if server == "room":
        click.echo(msg("cli.app.room_local" if local else "cli.app.room_network", host=host,
                       port=port))
    else:
        click.echo(msg("cli.app.listening_local" if local else "cli.app.listening_room",
                       host=host, port=port, max_kernels=max_kernels))
    try:
        while proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo(msg("cli.app.stopping" if server == "voila" else "cli.app.stopping_room"))
        for sig in previous:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        stop_app(proc)
        return
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stop_app(proc)  # Voilà ended by itself: still make sure no kernel outlives it
    # click's own "Error:" prefix is English: the message is printed here, in the language.
    exited = "cli.app.exited" if server == "voila" else "cli.app.exited_room"
    click.echo(msg("cli.error", message=msg(exited, status=proc.returncode, port=port)),
               err=True)
    sys.exit(1)
