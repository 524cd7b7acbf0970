"""The room server: the app's lesson pages as plain HTML, no kernel per viewer (``simkit app``).

    python -m simkit.app.room_web [--host 127.0.0.1] [--port 8866] [--lang en]

A Starlette app (the ``sandbox`` extra's starlette + uvicorn) over
:class:`simkit.app.room.Room`, which computes the same workbook dashboards the
Voilà pages show, for every viewer, with no kernel per viewer:

- ``/``: the lessons, linked in English and in Chinese;
- ``/NN-name?lang=en|zh[&seed=N][&v=JSON][&tab=NAME]``: a lesson page, rendered on the
  server with its numbers and chart (so it shows without any script): title,
  the explanation (folded), the English / 中文 switch, the controls as
  ``<input type=range>`` / ``<select>`` / check boxes with labels and
  readouts, the headline numbers, the chart beside them (the projector layout
  of :mod:`simkit.app.webapp`: fits 1280x720, body text >= 16 px);
- ``POST /api/NN-name``: ``{"lang", "seed", "values"}`` -> lines of JSON
  (``application/x-ndjson``): ``{"outputs": {name: html}, "done": false}`` with
  the numbers and tables at once, then ``{"outputs": {chart: html}, "done":
  true}`` when the chart is drawn (at once when the answer was cached). The
  page's script (``/static/room.js``) sends it when a control changes (giving up
  a request still waiting, so a viewer's old charts are not drawn), shows
  "updating… / 计算中…" until the last line and swaps in the HTML that changed.
  A refused value gets 400 and one line in both languages; nothing ever shows a
  traceback or a path.
- ``/voila/render/X.ipynb``: redirected to the room's page (old links keep working).

Bounds: request bodies over :data:`MAX_BODY` bytes are refused (413); at most
``workers`` computations run at once, and over ``max_pending`` requests
waiting for one are turned away with 503 and ``Retry-After`` (the page says
so and keeps its numbers). The answers cache and the coaching sessions are
bounded in :mod:`simkit.app.room`. The Host header must name the address
served (no DNS rebinding), POSTs must come from the app's own pages, and on
loopback only local clients are answered (:class:`simkit.sandbox.serving.Guard`,
which also sets a content security policy that allows no other host).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import re
import sys
import threading
import time
from collections import deque
from importlib import resources
from html import escape
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (HTMLResponse, JSONResponse, RedirectResponse, Response,
                                 StreamingResponse)
from starlette.routing import Route

from simkit.app.room import (CACHE_SIZE, WORKERS, Room, RoomAbandonedError, RoomBusyError,
                             RoomComputeError, RoomInputError, page_id)
from simkit.app.webapp import BUSY_TEXT, LANG_NAMES, LANGUAGES, TABLES_CSS, page_columns
from simkit.model.errors import SimkitInputError
from simkit.sandbox.serving import Guard, LocalAddress
from simkit.workbook._guard import ERROR_TEXT

__all__ = ["MAX_BODY", "MAX_PENDING", "RoomServer", "create_app", "main"]

log = logging.getLogger("simkit.app")

#: Largest request body accepted (a page's values are a few hundred bytes).
MAX_BODY = 16_384
#: Requests waiting for a computation beyond which new ones get 503 (busy).
MAX_PENDING = 64
#: Threads waiting for charts at once (beyond: they queue, numbers do not).
CHART_WAITS = 128

BUSY_REFUSED = ("The app is busy: try again in a moment; the numbers shown are the last ones. "
                "/ 应用正忙，请稍后再试；显示的是上一次的结果。")
TOO_LARGE = "The request is too large. / 请求过大。"
NOT_FOUND = "No such page. / 没有这个页面。"
BAD_REQUEST = "The request could not be read. / 无法读取该请求。"

# The page's style and script, shipped beside this module (package data).
_STATIC = resources.files("simkit.app").joinpath("static")
CSS = _STATIC.joinpath("room.css").read_text(encoding="utf-8") + TABLES_CSS
JS = _STATIC.joinpath("room.js").read_text(encoding="utf-8")


class RoomServer(LocalAddress):
    """The address served, the default language, the :class:`Room` and its request bounds."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8866, lang: str = "en",
                 room: Room | None = None, *, workers: int = WORKERS,
                 cache_size: int = CACHE_SIZE, max_pending: int = MAX_PENDING,
                 chart_processes: int = 0):
        super().__init__(host, port)
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}")
        self.lang = lang
        self.room = room if room is not None else Room(workers=workers, cache_size=cache_size,
                                                       chart_processes=chart_processes)
        self.max_pending = max_pending
        # Threads waiting for charts (a drawing's turn, another viewer's drawing) have
        # their own tokens: in the default thread pool (40) they held up the next
        # viewers' numbers when the chart process was behind.
        self._chart_waits = None
        self._pending = 0
        self._pending_lock = threading.Lock()
        # Seconds from a values request to its numbers, in the server (the last 10,000).
        self.numbers_s: deque[float] = deque(maxlen=10_000)

    @property
    def chart_waits(self):
        if self._chart_waits is None:  # made in the event loop, on first use
            import anyio

            self._chart_waits = anyio.CapacityLimiter(CHART_WAITS)
        return self._chart_waits

    def timed(self, seconds: float) -> None:
        self.numbers_s.append(seconds)

    def timing(self) -> str:
        xs = sorted(self.numbers_s)
        if not xs:
            return "no values requests"
        at = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
        return (f"{len(xs)} values requests, numbers in p50 {at(0.5):.3f} s, "
                f"p95 {at(0.95):.3f} s, max {xs[-1]:.3f} s (in the server)")

    def admit(self) -> None:
        with self._pending_lock:
            if self._pending >= self.max_pending:
                raise RoomBusyError(self._pending)
            self._pending += 1

    def leave(self) -> None:
        with self._pending_lock:
            self._pending -= 1

    async def render(self, page: str, lang: str, values, session) -> dict[str, str]:
        """The page's whole answer: a cache hit at once, anything else in a thread."""
        key, outputs, pending = await self.numbers(page, lang, values, session)
        if pending is None:
            return outputs
        return await run_in_threadpool(self.room.charts, key, pending)

    async def numbers(self, page: str, lang: str, values, session):
        """:meth:`Room.numbers` (a cache hit answered on the event loop, no thread)."""
        room = self.room
        key = room.key(page, lang, values, session)
        if key is not None:
            found = room.cached(key)
            if found is not None:
                return key, found, None
            # Computed, its chart still being drawn (a room moving to the same value at
            # once): the numbers at once too, without a thread to wait for.
            waiting = room.waiting(key)
            if waiting is not None:
                return key, dict(waiting.numbers), waiting
        self.admit()
        try:
            return await run_in_threadpool(room.numbers, page, lang, values, session)
        finally:
            self.leave()


# ---------------------------------------------------------------- pages


def _lang(request: Request) -> str:
    """The page's language: ``?lang=``, else the server's (an unknown one: see :func:`_bad_lang`)."""
    lang = request.query_params.get("lang", "")
    return lang if lang in LANGUAGES else request.app.state.server.lang


def _bad_lang(request: Request) -> Response | None:
    """A 400 naming the value and the languages allowed, for a ``?lang=`` we do not have."""
    lang = request.query_params.get("lang")
    if lang is None or lang in LANGUAGES:
        return None
    shown = lang if len(lang) <= 20 else lang[:20] + "…"
    allowed = " / ".join(LANGUAGES)
    return _message(f"lang={shown!r} is not a language of these pages; use {allowed}. / "
                    f"lang={shown!r} 不是本页面的语言，请用 {allowed}。", 400)


def _html(title: str, body: str, lang: str, status: int = 200, script: bool = False):
    tail = '<script src="/static/room.js"></script>' if script else ""
    doc = (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
           f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
           f'initial-scale=1"><title>{escape(title)}</title><style>{CSS}</style></head>'
           f"<body>{body}{tail}</body></html>")
    return HTMLResponse(doc, status_code=status)


def _message(text: str, status: int) -> HTMLResponse:
    body = (f'<div class="simkit-page simkit-message"><p>{escape(text)}</p>'
            f'<p><a href="/">simkit · lessons / 课程</a></p></div>')
    return _html(text, body, "en", status)


_MD = [(re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"), (re.compile(r"\*(.+?)\*"), r"<i>\1</i>")]


def _markdown(text: str) -> str:
    """The explanations' markdown (paragraphs, **bold**, *italics*) as HTML."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        h = escape(para.strip())
        for pattern, repl in _MD:
            h = pattern.sub(repl, h)
        out.append(f"<p>{h}</p>")
    return "\n".join(out)


async def index(request: Request) -> Response:
    rows = "".join(
        f"<tr><td>{le.number}</td>"
        f'<td><a href="{page_id(le)}?lang=en">{escape(le.title_en)}</a></td>'
        f'<td><a href="{page_id(le)}?lang=zh">{escape(le.title_zh)}</a></td></tr>'
        for le in request.app.state.server.room.lessons.values())
    body = ('<div class="simkit-page simkit-index-page"><div class="jp-RenderedHTMLCommon">'
            "<h1>simkit: sales-funnel lessons (销售漏斗课程)</h1>"
            "<p>Pick a lesson. Every page has sliders to move and an <b>English / 中文</b> "
            "switch; no code is shown and nothing needs installing in the browser.</p>"
            "<p>选择一节课程：每页都有可拖动的滑块和 <b>English / 中文</b> 语言切换。</p></div>"
            '<table class="simkit-index"><tr><th>Lesson 课</th><th>English</th><th>中文</th></tr>'
            f"{rows}</table></div>")
    return _html("simkit: lessons · 课程", body, _lang(request))


def _control_html(c, value) -> str:
    css = " ".join(("simkit-control", *c.css))
    ident = f"c-{c.name}"
    label = f'<label class="widget-label" for="{ident}">{escape(c.label)}</label>'
    if c.kind == "number":
        shown = _readout(value, c.fmt, c.integer)
        step = f"{c.step:g}" if c.step else "any"
        return (f'<div class="widget-slider {css}" data-control="{c.name}" data-kind="number">'
                f'{label}<input type="range" id="{ident}" name="{c.name}" min="{c.lo:g}" '
                f'max="{c.hi:g}" step="{step}" value="{value:g}" '
                f'data-fmt="{escape(c.fmt)}"><output class="widget-readout" for="{ident}">'
                f"{escape(shown)}</output></div>")
    if c.kind == "bool":
        checked = " checked" if value else ""
        return (f'<div class="widget-checkbox {css}" data-control="{c.name}" data-kind="bool">'
                f'<label><input type="checkbox" id="{ident}" name="{c.name}"{checked}>'
                f"<span>{escape(c.label)}</span></label></div>")
    many = c.kind == "many"
    chosen = set(value) if many else {value}
    options = "".join(f'<option value="{i}"{" selected" if i in chosen else ""}>'
                      f"{escape(text)}</option>" for i, text in enumerate(c.options))
    kind = "widget-select-multiple" if many else "widget-dropdown"
    multiple = f' multiple size="{min(len(c.options), 6)}"' if many else ""
    return (f'<div class="{kind} {css}" data-control="{c.name}" data-kind="{c.kind}">{label}'
            f'<select id="{ident}" name="{c.name}"{multiple}>{options}</select></div>')


def _readout(value, fmt: str, integer: bool) -> str:
    if integer or not fmt:
        return f"{value:g}" if not integer else str(int(value))
    try:
        return format(value, fmt)
    except ValueError:
        return f"{value:g}"


def _output_html(name: str, classes, content: str) -> str:
    css = " ".join(("simkit-output", *classes))
    return (f'<div class="{css}" data-output="{escape(name)}">'
            f'<div class="widget-html-content">{content}</div></div>')


def _tabs_html(model, outputs: dict[str, str], open_tab: str | None = None) -> str:
    """The outputs a dashboard shows as tabs (``model.tabs``): ``open_tab`` open if it is
    one of them (``?tab=``, kept by the language switch), else the first.

    Radio buttons and labels, switched by CSS alone (room.css): the tabs work before the
    page's script has loaded, or without it, and the arrow keys move between them."""
    group = f"simkit-tab-{model.name}"
    if open_tab not in model.tabs:
        open_tab = next(iter(model.tabs))
    parts = []
    for name, title in model.tabs.items():
        ident = f"{group}-{name}"
        checked = " checked" if name == open_tab else ""
        parts.append(f'<input type="radio" class="simkit-tab-radio" name="{group}" '
                     f'id="{ident}" value="{escape(name)}"{checked}>'
                     f'<label class="simkit-tab-title" for="{ident}" data-tab="{escape(name)}">'
                     f"{escape(title)}</label>"
                     f'<div class="simkit-tab-panel" data-tab="{escape(name)}">'
                     f"{_output_html(name, model.outputs[name], outputs[name])}</div>")
    return f'<div class="simkit-tabs">{"".join(parts)}</div>'


async def lesson_page(request: Request) -> Response:
    srv: RoomServer = request.app.state.server
    room = srv.room
    page = request.path_params["page"]
    if page not in room.lessons:
        return _message(NOT_FOUND, 404)
    if (refused := _bad_lang(request)) is not None:
        return refused
    lang = _lang(request)
    q = request.query_params
    session = q.get("seed") or None
    if session is None and room.has_session(page):
        # A fresh coaching session: its seed goes in the address, so a reload or the
        # language switch keeps the same team, and a trainer can replay it.
        params = {"lang": lang, "seed": room.new_session(), **({"v": q["v"]} if "v" in q else {})}
        return RedirectResponse(f"/{page}?{urlencode(params)}", 303)
    values = None
    if "v" in q:
        if len(q["v"]) > MAX_BODY:
            return _message(TOO_LARGE, 413)
        try:
            values = json.loads(q["v"])
        except ValueError:
            return _message(BAD_REQUEST, 400)
    try:
        outputs = await srv.render(page, lang, values, session)
        model = room.model(page, lang, session)
        normal = room.normalise(model, values)
    except RoomInputError as exc:
        return _message(exc.text, 400)
    except RoomBusyError:
        return _message(BUSY_REFUSED, 503)
    except RoomComputeError:
        return _message(ERROR_TEXT, 500)
    le = model.lesson
    title = (f"Lesson {le.number} · {le.title_en}" if lang == "en"
             else f"第 {le.number} 课 · {le.title_zh}")
    about = ("About this lesson · <a href=\"/\">all lessons</a>" if lang == "en"
             else "课程说明 · <a href=\"/\">全部课程</a>")
    switch_hint = ("Use the <b>English / 中文</b> switch to change the page's language."
                   if lang == "en" else "用 <b>English / 中文</b> 按钮切换页面语言。")
    explanation = _markdown(le.explanation if lang == "en" else le.explanation_zh)
    buttons = "".join(f'<button type="button" data-lang="{x}" '
                      f'aria-pressed="{"true" if x == lang else "false"}">{LANG_NAMES[x]}</button>'
                      for x in LANGUAGES)
    controls = "".join(_control_html(c, v) for c, v in zip(model.controls.values(), normal))
    left, right = page_columns(model.outputs, model.tabs)
    column = lambda names: "".join(  # noqa: E731
        _tabs_html(model, outputs, q.get("tab")) if n is None else _output_html(n, model.outputs[n], outputs[n])
        for n in names)
    seed = "" if model.session is None else str(model.session)
    body = (f'<div class="simkit-page simkit-room" data-page="{page}" data-lang="{lang}" '
            f'data-seed="{seed}" data-busy="{escape(BUSY_TEXT[lang])}" '
            f'data-error="{escape(ERROR_TEXT)}">'
            f'<div class="jp-RenderedHTMLCommon"><h1>{escape(title)}</h1>'
            f'<details class="simkit-about"><summary>{about}</summary>{explanation}'
            f"<p>{switch_hint}</p></details></div>"
            f'<div class="simkit-page-header"><span class="simkit-lang">{buttons}</span>'
            '<span class="simkit-busy" aria-live="polite"></span>'
            '<span class="simkit-notice" aria-live="polite"></span></div>'
            f'<div class="simkit-columns simkit-dashboard-{model.name}">'
            f'<div class="simkit-left">{controls}{column(left)}</div>'
            + (f'<div class="simkit-right">{column(right)}</div>' if right else "")
            + "</div></div>")
    return _html(title, body, lang, script=True)


async def api(request: Request) -> Response:
    srv: RoomServer = request.app.state.server
    page = request.path_params["page"]
    if page not in srv.room.lessons:
        return JSONResponse({"error": NOT_FOUND}, 404)
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        return JSONResponse({"error": TOO_LARGE}, 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return JSONResponse({"error": TOO_LARGE}, 413)
    try:
        data = json.loads(body)
    except ValueError:
        return JSONResponse({"error": BAD_REQUEST}, 400)
    if not isinstance(data, dict):
        return JSONResponse({"error": BAD_REQUEST}, 400)
    t0 = time.perf_counter()
    try:
        key, outputs, pending = await srv.numbers(page, data.get("lang", srv.lang),
                                                  data.get("values"), data.get("seed"))
    except RoomInputError as exc:
        return JSONResponse({"error": exc.text}, 400)
    except RoomBusyError:
        return JSONResponse({"error": BUSY_REFUSED}, 503, headers={"Retry-After": "5"})
    except RoomComputeError:
        return JSONResponse({"error": ERROR_TEXT}, 500)

    srv.timed(time.perf_counter() - t0)

    async def lines():
        # One JSON line with the numbers, then one with the charts once drawn; a viewer
        # who moved on meanwhile (the page aborts its request) costs no drawing. An answer
        # from the cache goes in the same two lines: the page shows its numbers without
        # waiting for the chart's ~100 kB to arrive and be read.
        if pending is None:
            charts = srv.room.chart_names(page, key[1], key[2])
            numbers = {k: v for k, v in outputs.items() if k not in charts}
            if numbers and len(numbers) < len(outputs):
                yield json.dumps({"outputs": numbers, "done": False}) + "\n"
                yield json.dumps({"outputs": {k: v for k, v in outputs.items()
                                              if k in charts}, "done": True}) + "\n"
                return
        yield json.dumps({"outputs": outputs, "done": pending is None}) + "\n"
        if pending is not None:
            # Counted while waiting: a page that gives this request up (its viewer moved
            # again) cancels this wait; with nobody left waiting, the charts are not drawn.
            pending.join()
            try:
                full = await _leaving_thread(
                    functools.partial(srv.room.charts, key, pending, unless_abandoned=True),
                    srv.chart_waits)
            except RoomAbandonedError:
                return
            except RoomComputeError:
                yield json.dumps({"error": ERROR_TEXT, "done": True}) + "\n"
                return
            finally:
                srv.room.leave(pending)
            charts = {k: v for k, v in full.items() if k not in outputs}
            yield json.dumps({"outputs": charts, "done": True}) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def _leaving_thread(fn, limiter):
    """``fn()`` in a thread of ``limiter``'s own; a wait cancelled (the page gave its
    request up: Starlette cancels the response's stream) ends at once, the thread finishing
    on its own, where run_in_threadpool would hold the cancellation until the thread is
    done."""
    import inspect

    import anyio.to_thread

    params = inspect.signature(anyio.to_thread.run_sync).parameters
    flag = "abandon_on_cancel" if "abandon_on_cancel" in params else "cancellable"
    return await anyio.to_thread.run_sync(fn, limiter=limiter, **{flag: True})


async def voila_link(request: Request) -> Response:
    name = request.path_params["name"].removesuffix(".ipynb")
    query = request.url.query
    target = "/" if name == "index" else f"/{quote(name)}"
    return RedirectResponse(target + (f"?{query}" if query else ""), 301)


async def static_js(request: Request) -> Response:
    return Response(JS, media_type="text/javascript")


async def favicon(request: Request) -> Response:
    return Response(status_code=204)


async def not_found(request: Request, exc) -> Response:
    return _message(NOT_FOUND, 404)


async def server_error(request: Request, exc) -> Response:
    log.exception("room: error serving %s", request.url.path, exc_info=exc)
    return _message(ERROR_TEXT, 500)


async def method_not_allowed(request: Request, exc) -> Response:
    return Response(status_code=getattr(exc, "status_code", 405))


def create_app(host: str = "127.0.0.1", port: int = 8866, lang: str = "en",
               room: Room | None = None, **bounds):
    """The ASGI app (behind the Host / origin / loopback guard) serving ``room``."""
    from contextlib import asynccontextmanager

    server = RoomServer(host, port, lang, room, **bounds)

    @asynccontextmanager
    async def lifespan(app):
        yield
        # What the room did, for the log (benchmarks/bench_app_load.py reads it).
        server.room.close()
        log.info("room: %d computations, %d answers from the cache; %s; %d charts drawn, "
                 "%d given up by their viewers", server.room.computations, server.room.hits,
                 server.timing(), server.room.drawn, server.room.abandoned)

    routes = [
        Route("/", index), Route("/static/room.js", static_js),
        Route("/favicon.ico", favicon),
        Route("/voila/render/{name:path}", voila_link),
        Route("/api/{page}", api, methods=["POST"]),
        Route("/{page}", lesson_page),
    ]
    app = Starlette(debug=False, routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: method_not_allowed,
                                        Exception: server_error})
    app.state.server = server
    guarded = Guard(app, server)
    guarded.state = app.state
    return guarded


def warm(room: Room) -> None:
    """Build every page's dashboard and its default answer, in both languages."""
    import time

    t0 = time.perf_counter()
    for page in room.lessons:
        for lang in LANGUAGES:
            if not room.has_session(page):
                try:
                    room.render(page, lang)
                except Exception:  # logged; the page is built again on its first visit
                    log.exception("room: warming %s (%s) failed", page, lang)
    # The dashboards are ~600,000 objects that live as long as the server: a full garbage
    # collection walked them all (~0.2 s holding the interpreter, seconds on a starved
    # machine, in the middle of someone's slider move). Frozen, they are not walked.
    import gc

    gc.collect()
    gc.freeze()
    log.info("room: pages warm in %.1f s", time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    ap = argparse.ArgumentParser(prog="python -m simkit.app.room_web",
                                 description="The app's lesson pages, no kernel per viewer.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8866)
    ap.add_argument("--lang", choices=LANGUAGES, default="en")
    ap.add_argument("--workers", type=int, default=WORKERS)
    ap.add_argument("--cache-size", type=int, default=CACHE_SIZE)
    ap.add_argument("--chart-processes", type=int, default=1,
                    help="processes that draw the charts (0: in the server's own)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        app = create_app(args.host, args.port, args.lang, workers=args.workers,
                         cache_size=args.cache_size, chart_processes=args.chart_processes)
    except SimkitInputError as exc:
        ap.error(f"--{exc.field.replace('_', '-')} {exc.value}: {exc.allowed}")
    # Pages are warmed in the background while the server already answers: the first
    # viewer of a page then seldom waits for its dashboard to be built (the planning
    # page simulates for a few seconds); one who does waits on the same build.
    threading.Thread(target=warm, args=(app.state.server.room,), daemon=True,
                     name="room-warm").start()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                server_header=False, date_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
