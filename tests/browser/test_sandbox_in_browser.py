"""The sales sandbox in a browser: a trainer, three teams and a projector play two rounds.

Each person has their own browser context (their own cookies, like their own
laptop). Halfway through round 1 the server is killed with SIGKILL and started
again on the same file: every submitted decision is still there.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _simkit() -> str:
    return str(Path(sys.executable).with_name("simkit"))


def _start(db: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        proc = subprocess.Popen([_simkit(), "sandbox", "serve", "--db", str(db), "--port",
                                 str(port), "--lang", "en", "--workers", "1"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120  # three worker processes import pandas on a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError("sandbox server did not start")


def _children(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _gone(pids: list[int], timeout: float = 30) -> list[int]:
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in pids if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


TIMEOUT_MS = 90_000  # a busy 2-core machine can take a while to simulate a round


def _page(browser):
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _join(browser, base: str, code: str):
    page = _page(browser)
    page.goto(base + "/")
    page.fill("input[name=code]", code)
    page.click("main button")
    page.wait_for_url(base + "/team")
    return page


def _submit(page, base: str, **values):
    for name, value in values.items():
        if name == "commission":
            page.select_option(f"select[name={name}]", value)
        else:
            page.fill(f"input[name={name}]", str(value))
    page.click("#decisions button >> nth=0")
    page.wait_for_url(base + "/team?saved=1")
    assert page.locator(".msg.ok").is_visible()


def test_a_trainer_and_three_teams_play_two_rounds(browser, shots, tmp_path):
    db, log = tmp_path / "room.sqlite", tmp_path / "server.log"
    out = subprocess.run([_simkit(), "sandbox", "create", "--db", str(db), "--teams", "3",
                          "--rounds", "2", "--replications", "20", "--regime", "saturating"],
                         capture_output=True, text=True, check=True).stdout
    codes = dict(re.findall(r"team (\w): join code (\w+)", out))
    key = re.search(r"trainer key: (\S+)", out).group(1)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(db, port, log)
    try:
        trainer = _page(browser)
        trainer.goto(f"{base}/trainer?key={key}")
        trainer.wait_for_url(base + "/trainer")
        assert trainer.locator("#codes").inner_text().count("not submitted") == 3

        teams = {name: _join(browser, base, code) for name, code in codes.items()}
        a = teams["A"]
        # Live validation: a negative hire count disables the buttons before any request.
        a.fill("input[name=hires]", "-1")
        assert a.locator("#decisions button >> nth=0").is_disabled()
        a.fill("input[name=hires]", "9")  # over the budget: the cost line says so
        assert a.locator("#cost.over").is_visible()
        _submit(a, base, hires=1, forecast_committed=210, commission="accelerated")
        _submit(teams["B"], base, prospecting=6, consultants=5)
        _submit(teams["C"], base, large_share=0.3, forecast_possible=300)
        a.screenshot(path=str(shots / "sandbox-team.png"), full_page=True)
        # Team A cannot see B's decisions anywhere it can go.
        assert "value=\"6\"" not in a.content()

        # Mid-round: SIGKILL, restart on the same file; nothing submitted is lost.
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert not _gone(workers), "simulation workers outlived a killed server"
        proc = _start(db, port, log)
        a.reload()
        assert a.input_value("input[name=hires]") == "1"
        assert a.input_value("select[name=commission]") == "accelerated"
        teams["B"].reload()
        assert teams["B"].input_value("input[name=prospecting]") == "6"
        trainer.reload()
        assert trainer.locator("#codes").inner_text().count("not submitted") == 0

        trainer.click("text=Close the round and simulate")
        trainer.wait_for_url(re.compile(r".*/trainer\?m=closed"))
        trainer.click("text=Open the next round")
        trainer.wait_for_url(re.compile(r".*/trainer\?m=opened"))
        for page in teams.values():
            page.reload()
            assert page.locator("table tr").count() == 2  # header + round 1
        _submit(teams["A"], base, hires=0, prospecting=4.5)
        trainer.click("text=Close the round and simulate")
        trainer.wait_for_url(re.compile(r".*/trainer\?m=closed"))
        trainer.click("text=Reveal the market")
        trainer.wait_for_url(re.compile(r".*/trainer\?m=revealed"))

        projector = _page(browser)
        projector.goto(base + "/board")
        assert projector.locator("#leaderboard tr").count() == 4  # header + 3 teams
        assert projector.locator("#charts svg").count() == 4
        assert "saturating" in projector.locator("#regime").inner_text()
        assert projector.locator("#decisions-all tr").count() == 1 + 3 * 2
        projector.screenshot(path=str(shots / "sandbox-board.png"), full_page=True)
        projector.click("text=中文")
        # The switch reloads /board: wait for the Chinese page, not the one being replaced.
        projector.get_by_text("排行榜").first.wait_for()
        assert "排行榜" in projector.content()
    finally:
        workers = _children(proc.pid)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        left = _gone(workers)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after stopping the server: {left}"
