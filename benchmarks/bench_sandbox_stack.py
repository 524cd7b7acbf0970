"""Which web stack for the sandbox: server memory with 8 team pages + 1 projector page open.

Starts each candidate server on 127.0.0.1, opens 9 pages in headless chromium
(one browser context each, like 9 laptops), waits for them to settle, and
reports the server's resident memory (process tree, psutil) before and with the
pages open. Candidates:

- ``starlette``: simkit's sandbox app (``simkit sandbox serve``), 8 teams joined
  with their codes + the projector leaderboard;
- ``solara`` and ``panel``: a minimal page of the same decision form (8 inputs,
  a button, a table), each visitor a server-side session (a virtual kernel in
  Solara, a Bokeh document in Panel).

Solara and Panel are not simkit dependencies: give an interpreter that has them
(and simkit) with ``--other-python``; stacks whose interpreter lacks them are
skipped. Run (about a minute)::

    .venv/bin/python benchmarks/bench_sandbox_stack.py --other-python /tmp/stackvenv/bin/python
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--no-first-run"]
PAGES = 9

SOLARA_APP = '''
import pandas as pd
import solara
from simkit.sandbox import FIELDS

@solara.component
def Page():
    vals, set_vals = solara.use_state({f: 0.0 for f in FIELDS})
    for f in FIELDS:
        solara.InputFloat(f, value=vals[f], on_value=lambda v, f=f: set_vals({**vals, f: v}))
    solara.Button("Submit")
    solara.DataFrame(pd.DataFrame({"team": list("ABCDEFGH"), "score": range(8)}))
'''

PANEL_APP = '''
import pandas as pd
import panel as pn
from simkit.sandbox import FIELDS

pn.extension()
widgets = [pn.widgets.FloatInput(name=f, value=0.0) for f in FIELDS]
pn.Column(*widgets, pn.widgets.Button(name="Submit"),
          pn.pane.DataFrame(pd.DataFrame({"team": list("ABCDEFGH"), "score": range(8)}))
          ).servable()
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def tree_rss(pid: int) -> int:
    p = psutil.Process(pid)
    procs = [p] + p.children(recursive=True)
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def has(py: str, mod: str) -> bool:
    return subprocess.run([py, "-c", f"import {mod}, simkit"], capture_output=True).returncode == 0


def measure(name: str, cmd: list[str], port: int, visit, cwd: str) -> dict:
    from playwright.sync_api import sync_playwright

    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_port(port, proc)
        time.sleep(2)
        idle = tree_rss(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ctxs = [browser.new_context() for _ in range(PAGES)]
            rendered = 0
            for i, ctx in enumerate(ctxs):
                try:
                    visit(ctx.new_page(), i)
                    rendered += 1
                except Exception as exc:  # noqa: BLE001 - reported, the memory still counts
                    print(f"{name}: page {i} did not render: {type(exc).__name__}")
            time.sleep(5)
            peak = max(tree_rss(proc.pid) for _ in range(5) if time.sleep(0.4) is None)
            browser.close()
        return {"stack": name, "idle_mb": idle / 2**20, "with_pages_mb": peak / 2**20,
                "rendered": rendered}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--other-python", default=sys.executable,
                    help="interpreter with solara and panel installed (and simkit)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sandbox-stack-")
    rows = []

    # starlette: the real app with a real session.
    simkit_cli = str(Path(sys.executable).parent / "simkit")
    db = Path(tmp) / "room.sqlite"
    out = subprocess.run([simkit_cli, "sandbox", "create", "--db", str(db), "--teams", "8"],
                         capture_output=True, text=True, check=True).stdout
    codes = re.findall(r"join code (\w+)", out)
    port = free_port()

    def visit_starlette(page, i):
        base = f"http://127.0.0.1:{port}"
        if i < 8:
            page.goto(base + "/")
            page.fill("input[name=code]", codes[i])
            page.click("button")
            page.wait_for_url(base + "/team")
        else:
            page.goto(base + "/board")

    rows.append(measure("starlette", [simkit_cli, "sandbox", "serve", "--db", str(db),
                                      "--port", str(port)], port, visit_starlette, tmp))

    py = args.other_python
    if has(py, "solara"):
        Path(tmp, "solara_app.py").write_text(SOLARA_APP)
        port_s = free_port()

        def visit_solara(page, i):
            page.goto(f"http://127.0.0.1:{port_s}/")
            page.wait_for_selector("text=Submit", timeout=20000)

        rows.append(measure("solara", [py, "-m", "solara", "run", "solara_app.py", "--port",
                                       str(port_s), "--host", "127.0.0.1", "--production",
                                       "--no-open"], port_s, visit_solara, tmp))
    else:
        print(f"solara: skipped ({py} has no solara)")
    if has(py, "panel"):
        Path(tmp, "panel_app.py").write_text(PANEL_APP)
        port_p = free_port()

        def visit_panel(page, i):
            page.goto(f"http://127.0.0.1:{port_p}/panel_app")
            page.wait_for_selector("text=Submit", timeout=20000)

        rows.append(measure("panel", [py, "-m", "panel", "serve", "panel_app.py", "--port",
                                      str(port_p), "--address", "127.0.0.1",
                                      f"--allow-websocket-origin=127.0.0.1:{port_p}"],
                            port_p, visit_panel, tmp))
    else:
        print(f"panel: skipped ({py} has no panel)")

    print(f"command: {' '.join(sys.argv)}")
    print(f"{'stack':<10} {'idle MB':>8} {'9 pages MB':>11} {'rendered':>9}")
    for r in rows:
        print(f"{r['stack']:<10} {r['idle_mb']:>8.0f} {r['with_pages_mb']:>11.0f} "
              f"{r['rendered']:>7}/{PAGES}")
    print("reference: the Voilà app starts one ~300 MB kernel per visitor "
          "(9 visitors ~ 2.7 GB; shared/notebooks.md)")


if __name__ == "__main__":
    main()
