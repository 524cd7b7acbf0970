"""The app server over plain HTTP (no browser): Host check, kernel cap, local-only pages.

One server with ``max_kernels=1`` for the whole module; every request goes to
127.0.0.1 with a chosen ``Host`` header.
"""

from __future__ import annotations

import http.client
import re
import socket
import time

import pytest

pytest.importorskip("voila")
pytest.importorskip("ipykernel")
pytest.importorskip("psutil")

from simkit.cli.app import start_app, stop_app, voila_command
from simkit.app.server import ROOM_FULL_HTML, write_template


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = start_app(None, port, max_kernels=1, stdout=open("/dev/null", "wb"),
                     stderr=open("/dev/null", "wb"))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "the app exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.2)
        yield port
    finally:
        stop_app(proc)


def _get(port, path, host, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, dict(r.getheaders()), body


def test_the_command_binds_loopback_and_names_the_template_and_cap(tmp_path):
    cmd = voila_command(tmp_path, 9999, max_kernels=4)
    assert "--Voila.ip=127.0.0.1" in cmd and "--template=simkit" in cmd
    assert "--SimkitVoila.max_kernels=4" in cmd
    assert cmd[1:3] == ["-m", "simkit.app.server"]


def test_the_template_drops_every_link_to_another_host(tmp_path):
    folder = write_template(tmp_path)
    text = (folder / "index.html.j2").read_text()
    assert "cdn." not in text
    assert not re.search(r'(href|src)="https?://', text)
    assert (folder / "conf.json").read_text().strip() == '{"base_template": "lab"}'


@pytest.mark.parametrize("path", ["/voila/render/index.ipynb", "/", "/voila/static/voila.js",
                                  "/api/kernels/00000000-0000-0000-0000-000000000000/channels"])
def test_a_foreign_host_is_refused_everywhere(server, path):
    status, _, body = _get(server, path, f"evil.example:{server}")
    assert status == 403 and "own address" in body


def test_a_websocket_upgrade_with_a_foreign_host_is_refused(server):
    status, _, _ = _get(server, "/api/kernels/00000000-0000-0000-0000-000000000000/channels",
                        "evil.example", headers={
                            "Upgrade": "websocket", "Connection": "Upgrade",
                            "Origin": "http://evil.example", "Sec-WebSocket-Version": "13",
                            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert status == 403


def test_pages_have_no_link_to_another_host_and_the_cap_shows_the_room_full_page(server):
    # The first visit takes the only seat (its kernel stays until culled) ...
    status, _, page = _get(server, "/voila/render/06-forecast.ipynb", f"127.0.0.1:{server}",
                           timeout=120)
    assert status == 200
    assert "cdn.jsdelivr" not in page and "fontawesome-free" not in page
    assert not [u for u in _external_urls(page)], _external_urls(page)
    # ... so the next is told, in both languages, to come back in a minute.
    status, headers, page = _get(server, "/voila/render/index.ipynb", f"localhost:{server}")
    assert status == 503 and headers.get("Retry-After") == "60"
    assert "The room is full" in page and "人数已满" in page
    assert ROOM_FULL_HTML.count("{n}") == 2


def _external_urls(html: str) -> list[str]:
    return [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
            if not u.startswith(("http://127.0.0.1", "http://localhost"))]


def test_host_names_are_the_listening_address_and_never_any_name():
    from simkit.app.server import SimkitVoila

    v = SimkitVoila()
    v.ip = "127.0.0.1"
    assert set(v.host_names()) == {"127.0.0.1", "localhost", "::1", "[::1]"}
    v.ip = "192.0.2.10"
    v.allowed_hosts = ["Trainer-Laptop.local"]
    assert v.host_names() == ["192.0.2.10", "trainer-laptop.local"]
    v.ip = "0.0.0.0"
    names = v.host_names()
    assert "127.0.0.1" in names and "evil.example" not in names and ".*" not in names


def test_visits_arriving_together_never_start_more_kernels_than_the_cap():
    from concurrent.futures import ThreadPoolExecutor

    port = _free_port()
    proc = start_app(None, port, max_kernels=2, stdout=open("/dev/null", "wb"),
                     stderr=open("/dev/null", "wb"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        with ThreadPoolExecutor(5) as pool:
            statuses = sorted(pool.map(lambda _: _get(port, "/voila/render/index.ipynb",
                                                      f"127.0.0.1:{port}", timeout=120)[0],
                                       range(5)))
        assert statuses == [200, 200, 503, 503, 503]
    finally:
        stop_app(proc)


def test_seat_count_does_not_count_a_starting_kernel_twice():
    from simkit.app.server import _in_use

    state = {"visits": [{"starting": True, "kernel_id": None},
                        {"starting": False, "kernel_id": "a"}]}
    assert _in_use(state, ["a"]) == 2
    assert _in_use(state, ["a", "b"]) == 2  # b: the starting visit's kernel, not yet claimed
    assert _in_use(state, ["a", "b", "c"]) == 3  # c: a kernel of no visit
    state = {"visits": [{"starting": False, "kernel_id": None},  # failed before a kernel
                        {"starting": False, "kernel_id": "gone"}]}
    assert _in_use(state, []) == 0 and state["visits"] == []
