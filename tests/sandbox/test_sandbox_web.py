"""The sandbox web app over HTTP: who may do what, host and origin checks, no leaks.

Most tests drive the ASGI app in process (Starlette's TestClient); the address
checks run the real server (``simkit sandbox serve``) on a free port.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # starlette prefers httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from simkit.sandbox import Sandbox  # noqa: E402
from simkit.sandbox.web import create_app  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
BASE = "http://127.0.0.1:8870"
SECRET = 87654.0  # team B's forecast: must never show on A's pages or before the reveal


@pytest.fixture
def room(tmp_path):
    path = tmp_path / "room.sqlite"
    sb = Sandbox.create(path, teams=3, rounds=2, regime="saturating", seed=5, replications=8,
                        preview_replications=6)
    codes, key = sb.join_codes(), sb.trainer_key
    sb.submit(codes["B"], {"forecast_committed": SECRET})
    sb.close()
    app = create_app(path, port=8870, lang="en")
    return app, codes, key, path


def _client(app, **kw) -> TestClient:
    return TestClient(app, base_url=BASE, **kw)


def _as_team(app, code) -> TestClient:
    c = _client(app)
    r = c.post("/join", data={"code": code}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/team"
    return c


def _as_trainer(app, key) -> TestClient:
    c = _client(app)
    assert c.get(f"/trainer?key={key}", follow_redirects=False).status_code == 303
    return c


def _sb(app) -> Sandbox:
    return app.state.server.sb


def test_a_team_sees_only_its_own_decisions(room):
    app, codes, _, _ = room
    a = _as_team(app, codes["A"])
    page = a.get("/team").text
    assert "Team A" in page and "Team B" not in page
    assert f"{SECRET:g}" not in page
    assert f"{SECRET:g}" not in a.get("/board").text
    assert a.get("/team/status.json").json()["team"] == "A"


def test_a_team_cannot_change_another_teams_decisions(room):
    app, codes, _, _ = room
    a = _as_team(app, codes["A"])
    for extra in ({"team": "B"}, {"code": codes["B"]}):
        r = a.post("/team/decisions?team=B", data={"hires": "1", **extra}, follow_redirects=False)
        assert r.status_code == 303
    sub = _sb(app).submitted(1)
    assert sub["A"]["hires"] == 1
    assert sub["B"]["hires"] == 0 and sub["B"]["forecast_committed"] == SECRET


@pytest.mark.parametrize("path", ["/trainer/close", "/trainer/open", "/trainer/reveal",
                                  "/trainer/shock", "/trainer/create"])
def test_a_team_cannot_act_as_the_trainer(room, path):
    app, codes, _, _ = room
    a = _as_team(app, codes["A"])
    assert a.get("/trainer").status_code == 403
    r = a.post(path, data={"round": "1", "shock": "price_cut", "teams": "2", "rounds": "1",
                           "seed": "1"})
    assert r.status_code == 403
    sb = _sb(app)
    assert sb.status() == "open" and sb.results().empty and not sb.revealed
    assert sb.round_table()[0]["shocks"] == []


def test_a_wrong_code_or_key_is_refused(room):
    app, codes, key, _ = room
    c = _client(app)
    r = c.post("/join", data={"code": "AAAAAAAAAA"}, follow_redirects=False)
    assert r.status_code == 403 and "sb_team" not in r.cookies
    c.cookies.set("sb_team", "AAAAAAAAAA")
    assert c.get("/team", follow_redirects=False).status_code == 303
    assert c.get("/team/status.json").status_code == 403
    assert c.post("/team/decisions", data={"hires": "1"}).status_code == 403
    assert c.get("/trainer?key=" + "x" * len(key)).status_code == 403
    c.cookies.set("sb_trainer", codes["A"])
    assert c.post("/trainer/close").status_code == 403
    assert "A" not in _sb(app).submitted(1)


def test_repeated_wrong_codes_are_slowed_down(room):
    app, codes, _, _ = room
    c = _client(app)
    codes_seen = [c.post("/join", data={"code": f"WRONG{i:05d}"}).status_code for i in range(31)]
    assert codes_seen[-1] == 429
    assert c.post("/join", data={"code": codes["A"]}).status_code == 429


def test_decisions_only_while_the_round_is_open(room):
    app, codes, key, _ = room
    a = _as_team(app, codes["A"])
    trainer = _as_trainer(app, key)
    assert trainer.post("/trainer/close", follow_redirects=False).status_code == 303
    r = a.post("/team/decisions", data={"hires": "2"})
    assert r.status_code == 400
    assert _sb(app).submitted(2) == {}


def test_invalid_input_is_refused_with_the_field_named_and_nothing_stored(room):
    app, codes, _, _ = room
    a = _as_team(app, codes["A"])
    for data, field in [({"hires": "-1"}, "hires"), ({"forecast_committed": "lots"},
                                                      "forecast_committed"),
                        ({"hires": "6", "consultants": "4"}, "budget")]:
        r = a.post("/team/decisions", data=data)
        assert r.status_code == 400
        assert f"({field})" in r.text or f"{field} =" in r.text
    assert "A" not in _sb(app).submitted(1)


def test_other_teams_decisions_show_after_the_reveal_only(room):
    app, codes, key, _ = room
    trainer = _as_trainer(app, key)
    trainer.post("/trainer/close")
    board = _client(app).get("/board").text
    assert "decisions-all" not in board and "saturating" not in board
    trainer.post("/trainer/reveal")
    board = _client(app).get("/board").text
    assert "decisions-all" in board and f"{SECRET:g}" in board and "saturating" in board
    assert board.count("<svg") >= 4


def test_the_trainer_runs_rounds_and_shocks(room):
    app, _, key, _ = room
    t = _as_trainer(app, key)
    assert t.post("/trainer/shock", data={"round": "2", "shock": "price_cut", "on": "1"}
                  ).status_code == 200
    page = t.post("/trainer/close").text
    assert re.search(r"Round 1 closed in \d+\.\d s", page)
    assert _sb(app).status() == "pending"
    t.post("/trainer/open")
    t.post("/trainer/close")
    assert _sb(app).status() == "finished"
    assert _sb(app).result_details()[-1]["shocks"] == ["price_cut"]


def test_foreign_host_and_cross_origin_posts_are_refused(room):
    app, codes, _, _ = room
    assert TestClient(app, base_url="http://evil.example:8870").get("/").status_code == 400
    assert TestClient(app, base_url="http://127.0.0.1:9999").get("/").status_code == 400
    assert TestClient(app, base_url="http://localhost:8870").get("/").status_code == 200
    a = _as_team(app, codes["A"])
    r = a.post("/team/decisions", data={"hires": "1"},
               headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert "A" not in _sb(app).submitted(1)


def test_errors_show_no_traceback_and_no_path(room, monkeypatch):
    app, codes, _, path = room
    a = _as_team(app, codes["A"])
    a_quiet = TestClient(app, base_url=BASE, raise_server_exceptions=False,
                         cookies=dict(a.cookies))

    def boom(*_a, **_k):
        raise RuntimeError(f"disk full at {path}")

    monkeypatch.setattr(Sandbox, "history", boom)
    r = a_quiet.get("/team")
    assert r.status_code == 500
    for leak in ("Traceback", str(path), "RuntimeError", "disk full", "site-packages"):
        assert leak not in r.text
    for url in ("/nope", "/team/../../etc/passwd", "/board"):
        body = _client(app).get(url).text
        assert "Traceback" not in body and str(path) not in body and str(path.parent) not in body
    assert _client(app).get("/").headers["x-frame-options"] == "DENY"


def test_no_session_yet_only_the_setup_key_creates_one(tmp_path):
    db = tmp_path / "new.sqlite"
    app = create_app(db, port=8870, setup_key="setup-key-123")
    c = _client(app)
    assert "trainer" in c.get("/").text.lower() or c.get("/").status_code == 200
    assert c.post("/trainer/create", data={"teams": "2", "rounds": "1", "seed": "1",
                                           "regime": "growing"}).status_code == 403
    assert not db.exists()
    t = _client(app)
    assert t.get("/trainer?key=setup-key-123", follow_redirects=False).status_code == 303
    assert t.post("/trainer/create", data={"teams": "2", "rounds": "1", "seed": "1",
                                           "regime": "growing"}).status_code == 200
    sb = app.state.server.sb
    assert sb is not None and sb.teams == ["A", "B"]
    # The key that created the session runs it, also after a restart.
    assert sb.trainer_key == "setup-key-123"
    assert t.post("/trainer/close").status_code == 200 and sb.status() == "finished"


# ---------------------------------------------------------------- the real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _other_address() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one."""
    try:
        import psutil
    except ImportError:
        return None
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return a.address
    return None


def _serve(db: Path, port: int, *extra: str) -> tuple[subprocess.Popen, str]:
    cli = Path(sys.executable).parent / "simkit"
    proc = subprocess.Popen([str(cli), "sandbox", "serve", "--db", str(db), "--port", str(port),
                             "--workers", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    first = proc.stdout.readline()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, first
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read())
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_the_server_binds_loopback_by_default_and_says_so(tmp_path):
    import httpx

    Sandbox.create(tmp_path / "room.sqlite", teams=2, rounds=1).close()
    port = _free_port()
    proc, first = _serve(tmp_path / "room.sqlite", port)
    try:
        assert "binds 127.0.0.1" in first and "this computer only" in first
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/",
                         headers={"host": f"attacker.example:{port}"}).status_code == 400
        other = _other_address()
        if other:
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://{other}:{port}/", timeout=3)
    finally:
        _stop(proc)


def test_with_host_the_server_takes_other_addresses(tmp_path):
    import httpx

    other = _other_address()
    if other is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    Sandbox.create(tmp_path / "room.sqlite", teams=2, rounds=1).close()
    port = _free_port()
    proc, first = _serve(tmp_path / "room.sqlite", port, "--host", "0.0.0.0")
    try:
        assert "binds 0.0.0.0" in first and "the network" in first
        assert httpx.get(f"http://{other}:{port}/", timeout=5).status_code == 200
        # A name that resolves elsewhere (DNS rebinding) is still refused.
        r = httpx.get(f"http://{other}:{port}/", headers={"host": f"rebind.example:{port}"})
        assert r.status_code == 400
    finally:
        _stop(proc)


def test_codes_in_the_printed_lines_never_include_the_session_path(tmp_path):
    out = subprocess.run([str(Path(sys.executable).parent / "simkit"), "sandbox", "create",
                          "--db", str(tmp_path / "r.sqlite"), "--teams", "2"],
                         capture_output=True, text=True, check=True).stdout
    assert len(re.findall(r"join code ([A-Z0-9]{10})", out)) == 2


def test_previews_beyond_the_limit_are_turned_away_not_queued(room):
    import threading

    app, codes, _, _ = room
    a = _as_team(app, codes["A"])
    assert "Preview" in a.post("/team/preview", data={"hires": "1"}).text
    app.state.server.preview_slots = threading.BoundedSemaphore(1)
    app.state.server.preview_slots.acquire()
    r = a.post("/team/preview", data={"hires": "1"})
    assert r.status_code == 503 and "try again" in r.text
    assert "A" not in _sb(app).submitted(1)
