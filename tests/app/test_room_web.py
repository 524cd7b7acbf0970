"""The room server over HTTP (Starlette's test client, no browser): pages, the values API,
refused requests, bounds, Host / origin checks, no other host named anywhere."""

from __future__ import annotations

import html
import json
import re
import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("ipywidgets")

with warnings.catch_warnings():  # starlette prefers httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from simkit.app.pages import LESSONS
from simkit.app.room import Room, page_id
from simkit.app.room_web import CSS, JS, MAX_BODY, create_app

BASE = "http://127.0.0.1:8866"
SMALL = {"planning_dashboard": {"replications": 20}, "headline_dashboard": {"replications": 20},
         "gap_dashboard": {"replications": 20}}


@pytest.fixture(scope="module")
def room():
    return Room(projector=False, dashboard_kwargs=SMALL)


@pytest.fixture(scope="module")
def client(room):
    with TestClient(create_app("127.0.0.1", 8866, "en", room), base_url=BASE,
                    raise_server_exceptions=False) as c:
        yield c


def _cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def test_the_index_links_every_lesson_in_both_languages(client):
    r = client.get("/")
    assert r.status_code == 200
    for le in LESSONS:
        assert f'href="{page_id(le)}?lang=en"' in r.text
        assert f'href="{page_id(le)}?lang=zh"' in r.text


@pytest.mark.parametrize("lesson", [le for le in LESSONS if le.dashboard != "coaching_dashboard"],
                         ids=lambda le: le.slug)
def test_every_page_is_rendered_on_the_server(client, lesson):
    r = client.get(f"/{page_id(lesson)}?lang=zh")
    assert r.status_code == 200
    html = r.text
    assert f"第 {lesson.number} 课" in html and lesson.title_zh in html
    assert "<details" in html and 'class="simkit-lang"' in html
    assert 'class="simkit-output simkit-chart"' in html and "data:image/png;base64" in html
    assert re.search(r'<input type="range"|<select|type="checkbox"', html)
    assert 'src="/static/room.js"' in html
    # Nothing names another host: no CDN, no external font.
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "import simkit" not in html and "lesson_page(" not in html


def test_security_headers_allow_no_other_host(client):
    r = client.get("/06-forecast")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "http" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert "http" not in JS.replace("/api/", "")


def _lines(r) -> list[dict]:
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def test_the_api_returns_the_numbers_then_the_chart(client):
    r = client.post("/api/06-forecast", json={"lang": "en", "values": {"quota": 300}})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    first, second = _lines(r)
    assert set(first["outputs"]) == {"headline"} and not first["done"]
    assert "simkit-headline-table" in first["outputs"]["headline"]
    assert set(second["outputs"]) == {"chart"} and second["done"]
    assert second["outputs"]["chart"].startswith("<img")
    # Asked again: the whole answer from the cache, in the same two lines (the numbers
    # do not wait for the chart's bytes).
    again = _lines(client.post("/api/06-forecast",
                               json={"lang": "en", "values": {"quota": 300}}))
    assert again == [first, second]


@pytest.mark.parametrize("body", [
    {"lang": "en", "values": {"nope": 1}},
    {"lang": "en", "values": {"quota": "x"}},
    {"lang": "en", "values": {"quota": 1e9}},
    {"lang": "en", "values": {"weeks_remaining": 1.5}},
    {"lang": "en", "values": [1, 2]},
    {"lang": "xx", "values": {}},
])
def test_a_refused_value_is_400_with_one_bilingual_line(client, body):
    r = client.post("/api/06-forecast", json=body)
    assert r.status_code == 400
    text = r.json()["error"]
    assert " / " in text and _cjk(text) and "Traceback" not in text and ".py" not in text


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_an_unreadable_body_is_400(client, raw):
    r = client.post("/api/06-forecast", content=raw)
    assert r.status_code == 400 and _cjk(r.json()["error"])


def test_a_large_body_is_refused(client):
    big = json.dumps({"lang": "en", "values": {}, "pad": "x" * (MAX_BODY + 10)})
    r = client.post("/api/06-forecast", content=big)
    assert r.status_code == 413 and _cjk(r.json()["error"])


def test_a_bad_page_value_in_the_address_is_400_not_a_traceback(client):
    r = client.get("/06-forecast", params={"v": json.dumps({"quota": -5})})
    assert r.status_code == 400 and "Traceback" not in r.text and _cjk(r.text)
    r = client.get("/06-forecast", params={"v": "{"})
    assert r.status_code == 400


def test_a_language_the_pages_do_not_have_is_400_naming_it(client):
    r = client.get("/06-forecast", params={"lang": "fr"})
    shown = html.unescape(r.text)
    assert r.status_code == 400 and "lang='fr'" in shown and "en / zh" in shown and _cjk(r.text)
    r = client.get("/06-forecast", params={"lang": "<b>" * 50})
    # Cut short: the message (the page's style aside) stays a line, whatever was sent.
    assert r.status_code == 400 and "<b><b>" not in r.text and len(r.text) - len(CSS) < 1500
    assert client.get("/06-forecast").status_code == 200  # no lang: the server's


def test_values_in_the_address_are_shown(client):
    r = client.get("/06-forecast", params={"lang": "zh", "v": json.dumps({"quota": 300})})
    assert r.status_code == 200 and 'value="300"' in r.text


def test_unknown_pages_are_404(client):
    assert client.get("/99-nothing").status_code == 404
    assert client.post("/api/99-nothing", json={}).status_code == 404
    assert client.get("/api/contents").status_code in (404, 405)  # POST only


def test_the_coaching_page_gets_a_session_seed_in_its_address(client):
    page = page_id(next(le for le in LESSONS if le.dashboard == "coaching_dashboard"))
    r = client.get(f"/{page}?lang=en", follow_redirects=False)
    assert r.status_code == 303
    seed = re.search(r"seed=(\d+)", r.headers["location"]).group(1)
    page_html = client.get(r.headers["location"]).text
    assert f'data-seed="{seed}"' in page_html and seed in page_html
    r = client.post(f"/api/{page}", json={"lang": "zh", "seed": int(seed), "values": {"rep": 1}})
    assert r.status_code == 200 and seed in _lines(r)[0]["outputs"]["seed_label"]


def test_old_voila_links_lead_to_the_room_pages(client):
    r = client.get("/voila/render/06-forecast.ipynb?lang=zh", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/06-forecast?lang=zh"
    r = client.get("/voila/render/index.ipynb", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_another_host_or_origin_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example:8866"}).status_code == 400
    r = client.post("/api/06-forecast", json={"lang": "en", "values": {}},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_over_the_queue_bound_requests_are_turned_away(room):
    app = create_app("127.0.0.1", 8866, "en", room, max_pending=0)
    with TestClient(app, base_url=BASE) as c:
        r = c.post("/api/06-forecast", json={"lang": "en", "values": {"quota": 1234}})
        assert r.status_code == 503 and r.headers["retry-after"] and _cjk(r.json()["error"])
        # An answer already in the cache costs no computation: still served.
        room.render("06-forecast", "en", {"quota": 1235})
        r = c.post("/api/06-forecast", json={"lang": "en", "values": {"quota": 1235}})
        assert r.status_code == 200 and _lines(r)[-1]["done"]
        # Nor does one computed whose chart is still to be drawn (the numbers are known).
        room.numbers("06-forecast", "en", {"quota": 1236})
        r = c.post("/api/06-forecast", json={"lang": "en", "values": {"quota": 1236}})
        first, second = _lines(r)
        assert r.status_code == 200 and set(first["outputs"]) == {"headline"}
        assert second["done"] and second["outputs"]["chart"].startswith("<img")


def test_a_request_given_up_before_its_chart_is_drawn_costs_no_drawing():
    """Over a real connection (uvicorn): the page reads the numbers, then gives the request
    up (its viewer moved again) while the chart process is busy: that chart is not drawn."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    room = Room(projector=False)
    room.render("06-forecast", "en")  # built
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app("127.0.0.1", port, "en", room)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        drawn = room.drawn
        room._drawing.acquire()  # the chart process busy with someone else's chart
        try:
            with httpx.Client(base_url=base, headers={"Origin": base}) as c:
                with c.stream("POST", "/api/06-forecast",
                              json={"lang": "en", "values": {"quota": 321.0}}) as r:
                    # The line iterator is kept: a dropped one closes the response at once.
                    lines = r.iter_lines()
                    first = json.loads(next(lines))
                    assert set(first["outputs"]) == {"headline"} and not first["done"]
                    # The server is now waiting for the chart (on a loaded machine it may
                    # take a moment to get there).
                    deadline = time.monotonic() + 10
                    while not any(p.waiting for p in list(room._pending.values())) \
                            and time.monotonic() < deadline:
                        time.sleep(0.02)
                    assert any(p.waiting for p in list(room._pending.values()))
                # Closed here: the page gave the request up.
            # Wait until the server has seen the connection close and marked the charts
            # abandoned (not a fixed sleep: on a loaded machine that takes longer).
            deadline = time.monotonic() + 10
            while room.abandoned == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert any(p.abandoned for p in list(room._pending.values()))
        finally:
            room._drawing.release()  # the chart process free again
        # Given up once, counted once, whether or not the wait had reached its thread;
        # the waiting thread, if it got to run, skips the chart: nothing is drawn.
        assert room.abandoned == 1
        time.sleep(0.2)
        assert room.abandoned == 1 and room.drawn == drawn
        # Asked again: the numbers from the same computation, the chart drawn now.
        with httpx.Client(base_url=base, headers={"Origin": base}) as c:
            lines = _lines(c.post("/api/06-forecast",
                                  json={"lang": "en", "values": {"quota": 321.0}}))
        assert lines[-1]["done"] and lines[-1]["outputs"]["chart"].startswith("<img")
        assert room.drawn == drawn + 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_lesson_10s_tables_are_tabs_that_need_no_script(client):
    """The room page renders a dashboard's tabs as radio buttons and labels (CSS switches
    them): the chart's tab open, the per-rep table and the scorecard one click away."""
    html = client.get("/10-calibration?lang=zh").text
    radios = re.findall(r'<input type="radio" class="simkit-tab-radio"[^>]*>', html)
    assert len(radios) == 3 and "checked" in radios[0] and "checked" not in "".join(radios[1:])
    titles = re.findall(r'<label class="simkit-tab-title"[^>]*>([^<]+)</label>', html)
    assert titles == ["图表", "各销售", "回测"]
    for name in ("chart", "reps", "scorecard"):
        assert re.search(rf'<div class="simkit-tab-panel" data-tab="{name}">'
                         rf'<div class="simkit-output [^"]*" data-output="{name}">', html), name
    left = html.split('<div class="simkit-left">')[1].split('<div class="simkit-right">')[0]
    assert 'data-output="headline"' in left and 'data-output="notes"' in left
    assert ".simkit-tab-radio:checked + .simkit-tab-title + .simkit-tab-panel" in CSS


def test_the_tab_in_the_address_is_open_and_anything_else_opens_the_first(client):
    def checked(html):
        return re.findall(r'<input type="radio" class="simkit-tab-radio"[^>]*value="(\w+)" '
                          r'checked>', html)

    assert checked(client.get("/10-calibration?lang=zh&tab=scorecard").text) == ["scorecard"]
    for bad in ("<b>nope</b>", "", "headline"):
        html = client.get("/10-calibration", params={"lang": "en", "tab": bad}).text
        assert checked(html) == ["chart"] and "<b>nope" not in html
