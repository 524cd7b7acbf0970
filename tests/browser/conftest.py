"""Fixtures for the browser tests: the app served by `simkit app` (its Voilà and its room
server), headless chromium.

Each pytest(-xdist) worker that runs these tests starts its own app on its own
free port; the tests also live in one module, so `--dist loadscope` keeps them
on one worker anyway. Every process started here is stopped at the end and
checked for with psutil.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Launch arguments that work in containers and offline (see shared/notebooks.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
APP_START_TIMEOUT = 60.0


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium; "
                ".ci/run does this in CI). Never `playwright install`.")
    for mod in ("playwright", "voila", "ipykernel", "psutil"):
        try:
            __import__(mod)
        except ImportError:
            return f"{mod} is not installed: pip install -e '.[app,test]'"
    return None


@pytest.fixture(scope="session")
def _browser_deps():
    reason = _missing()
    if reason:
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    # A TCP connect, not a GET: a GET of a page would start a kernel and run it.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"simkit app exited with {proc.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"simkit app did not open port {port} within {timeout:.0f} s")


def _simkit_command() -> list[str]:
    exe = Path(sys.executable).with_name("simkit")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from simkit.cli import main; sys.exit(main())"]


def _serve(tmp_path_factory, *options: str):
    """Start `simkit app OPTIONS` on a free 127.0.0.1 port; yield its base URL; stop it with
    Ctrl-C and check with psutil that nothing it started is left."""
    import psutil

    # In a fresh venv the first matplotlib import builds the font cache (tens of
    # seconds on a busy 2-core machine, with nbval kernels doing the same);
    # build it here, once, rather than inside the first page's kernel.
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=True,
                   timeout=300)
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "simkit-app.log"
    with open(log, "wb") as out:
        # Own session: our SIGINT goes to simkit app alone, as a terminal's Ctrl-C would.
        proc = subprocess.Popen([*_simkit_command(), "app", "--port", str(port), *options],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, APP_START_TIMEOUT)
    except Exception:
        proc.kill()
        raise
    yield f"http://127.0.0.1:{port}"

    started = [proc.pid] + [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    stray = [pid for pid in started if psutil.pid_exists(pid)
             and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    for pid in stray:
        try:
            psutil.Process(pid).kill()
        except psutil.NoSuchProcess:
            pass
    assert not stray, f"processes left after stopping simkit app: {stray}; log: {log}"


@pytest.fixture(scope="session")
def app_server(_browser_deps, tmp_path_factory):
    """Base URL of `simkit app --server voila` on a free 127.0.0.1 port; stopped at the end."""
    # Room for pages whose kernels are still shutting down on a busy machine: the
    # cap itself and its room-full page are tested in tests/app/test_app_server.py.
    yield from _serve(tmp_path_factory, "--server", "voila", "--max-kernels", "16")


@pytest.fixture(scope="session")
def room_server(_browser_deps, tmp_path_factory):
    """Base URL of `simkit app --server room` (one process, no kernels); stopped at the end."""
    yield from _serve(tmp_path_factory, "--server", "room")


@pytest.fixture(scope="session")
def browser(_browser_deps):
    """Headless Debian chromium driven by Playwright; closed and checked for at the end."""
    import psutil
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()
    me = psutil.Process()
    deadline = time.monotonic() + 10
    while True:
        left = [p for p in me.children(recursive=True)
                if "chrom" in p.name() and p.status() != psutil.STATUS_ZOMBIE]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for p in left:
        p.kill()
    assert not left, f"chromium processes left: {[p.pid for p in left]}"


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Folder for the page screenshots (temporary, not committed); its path is printed."""
    folder = tmp_path_factory.mktemp("app-screenshots")
    print(f"\nscreenshots: {folder}")
    return folder
