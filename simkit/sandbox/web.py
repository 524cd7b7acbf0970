"""The sandbox's web app: a plain ASGI app (Starlette), pages rendered on the server.

Needs the ``sandbox`` extra (starlette, uvicorn, python-multipart). Pages:

- ``/``: join with a team code; ``/team``: the team's decision form (live cost
  and range checks in a little JavaScript, the server decides), a preview, its
  own history; ``/team/status.json``: the round's status for the page to poll.
- ``/board``: the projector's leaderboard and charts (inline SVG); after the
  reveal the market and every team's decisions against its outcomes.
- ``/trainer``: the console (create the session, open and close rounds,
  schedule shocks, reveal, debrief), behind the trainer's key.

Who may do what: a team's join code (kept in an HttpOnly, SameSite=Strict
cookie) reads and changes only that team's decisions, only while a round is
open; trainer actions need the trainer's key. Requests whose Host header is
not the address served are refused (no DNS rebinding), so are POSTs from
another origin and, when serving on loopback, clients from elsewhere. Pages
never show a traceback or a file path.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from html import escape
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simkit.model.errors import SimkitInputError

from simkit.sandbox import game, pages
from simkit.sandbox.api import Sandbox
from simkit.sandbox.serving import Guard, LocalAddress, _watch_parent
from simkit.sandbox.text import LANGS, t

__all__ = ["Guard", "LocalAddress", "SandboxServer", "create_app"]

log = logging.getLogger("simkit.sandbox")

TEAM_COOKIE, TRAINER_COOKIE, LANG_COOKIE = "sb_team", "sb_trainer", "sb_lang"
MAX_FAILS, FAIL_WINDOW = 30, 600.0
MAX_PREVIEWS = 4


class SandboxServer(LocalAddress):
    """What the app serves: the session file (opened when it exists), the bound address,
    the default language, and the setup key that creates a session when there is none."""

    def __init__(self, db: str | Path, host: str = "127.0.0.1", port: int = 8000,
                 lang: str = "zh", setup_key: str | None = None, workers: int = 0):
        self.db = Path(db)
        super().__init__(host, port)
        self.lang = lang
        self.executor = self.preview_executor = None
        self._sb: Sandbox | None = None
        sb = Sandbox.open(self.db) if self.db.exists() else None  # a bad file fails first
        if workers > 0:
            # Quarters are simulated in worker processes: a round's close then does not
            # share one interpreter (and its lock) with thirty-odd page requests, and
            # previews have a worker of their own so that a close never waits behind them.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            def pool(n: int):
                return ProcessPoolExecutor(
                    max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent, initargs=(os.getpid(),))

            self.executor, self.preview_executor = pool(workers), pool(1)
            warming = [self.executor.submit(game.warm) for _ in range(workers)]
            warming.append(self.preview_executor.submit(game.warm))
            for f in warming:
                f.result()
        self.sb = sb
        self.setup_key = setup_key or secrets.token_urlsafe(18)
        self._fails: dict[str, deque] = defaultdict(deque)
        # Previews beyond this many at once are turned away (busy) instead of queueing.
        self.preview_slots = threading.BoundedSemaphore(MAX_PREVIEWS)

    @property
    def sb(self) -> Sandbox | None:
        return self._sb

    @sb.setter
    def sb(self, sb: Sandbox | None) -> None:
        if sb is not None:
            sb.executor, sb.preview_executor = self.executor, self.preview_executor
        self._sb = sb

    def shutdown(self) -> None:
        for ex in (self.executor, self.preview_executor):
            if ex is not None:
                ex.shutdown(wait=True, cancel_futures=True)
        self.executor = self.preview_executor = None

    def trainer_key(self) -> str:
        return self.sb.trainer_key if self.sb is not None else self.setup_key

    # -- brute force
    def too_many_fails(self, client: str) -> bool:
        q = self._fails[client]
        while q and q[0] < time.monotonic() - FAIL_WINDOW:
            q.popleft()
        return len(q) >= MAX_FAILS

    def failed(self, client: str) -> None:
        self._fails[client].append(time.monotonic())


# ---------------------------------------------------------------- page helpers


def _lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGS else request.app.state.server.lang


def _page(request: Request, title: str, body: str, status: int = 200, poll: str = "",
          state: str = "", refresh: int | None = None) -> HTMLResponse:
    lang = _lang(request)
    other = "en" if lang == "zh" else "zh"
    here = quote(request.url.path)
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    html = (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1">{meta}<title>{escape(title)} · {escape(t("web.title", lang))}'
            f'</title><style>{pages.CSS}</style></head>'
            f'<body data-poll="{escape(poll)}" data-state="{escape(state)}"><header>'
            f'<b>{escape(t("web.title", lang))}</b><a href="/">{escape(t("web.join", lang))}</a>'
            f'<a href="/board">{escape(t("web.leaderboard", lang))}</a>'
            f'<a href="/lang?to={other}&amp;next={here}">{escape(t("web.language", lang))}</a>'
            f'</header><main>{body}</main><script src="/static/sandbox.js"></script>'
            f'</body></html>')
    return HTMLResponse(html, status_code=status)


def _server(request: Request) -> SandboxServer:
    return request.app.state.server


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _team(request: Request) -> tuple[Sandbox, str, str] | None:
    srv = _server(request)
    code = request.cookies.get(TEAM_COOKIE, "")
    if srv.sb is None or not code:
        return None
    try:
        return srv.sb, srv.sb.team_of(code), code
    except SimkitInputError:
        return None


def _is_trainer(request: Request) -> bool:
    key = request.cookies.get(TRAINER_COOKIE, "")
    return bool(key) and hmac.compare_digest(key.encode(), _server(request).trainer_key().encode())


def _forbidden(request: Request, key: str = "web.forbidden") -> HTMLResponse:
    return _page(request, t(key, _lang(request)), pages.msg("err", t(key, _lang(request))), 403)


def _state_token(sb: Sandbox) -> str:
    cur = sb.current_round()
    return "finished" if cur is None else f"{cur['number']}:{cur['status']}"


# ---------------------------------------------------------------- team pages


async def home(request: Request) -> Response:
    lang = _lang(request)
    if _team(request) is not None:
        return RedirectResponse("/team", 303)
    err = request.query_params.get("e") == "code"
    body = (f'<h1>{escape(t("web.join", lang))}</h1>'
            + (pages.msg("err", t("web.bad_code", lang)) if err else "")
            + ("" if _server(request).sb else pages.msg("note", t("web.no_session", lang)))
            + f'<form method="post" action="/join"><label>{escape(t("web.join_code", lang))}'
              f'<input name="code" autocomplete="off" autocapitalize="characters" required '
              f'maxlength="20"></label><button>{escape(t("web.enter", lang))}</button></form>')
    return _page(request, t("web.join", lang), body)


async def join(request: Request) -> Response:
    srv, client = _server(request), _client(request)
    if srv.too_many_fails(client):
        return Response("429", status_code=429)
    form = await request.form()
    code = str(form.get("code", ""))
    try:
        if srv.sb is None:
            raise SimkitInputError("code", "***", "no session")
        srv.sb.team_of(code)
    except SimkitInputError:
        srv.failed(client)
        lang = _lang(request)
        return _page(request, t("web.join", lang), pages.msg("err", t("web.bad_code", lang))
                     + '<p><a href="/">&larr;</a></p>', 403)
    resp = RedirectResponse("/team", 303)
    resp.set_cookie(TEAM_COOKIE, code.strip().upper(), httponly=True, samesite="strict",
                    max_age=7 * 24 * 3600)
    return resp


def _team_page(request: Request, message: str = "", kind: str = "ok", values: dict | None = None,
               status: int = 200) -> Response:
    who = _team(request)
    if who is None:
        return RedirectResponse("/", 303)
    sb, team, code = who
    lang = _lang(request)
    cur = sb.current_round()
    open_ = cur is not None and cur["status"] == "open"
    d = values or sb.decisions(code)
    body = (f'<h1>{escape(t("web.team_page", lang, team=team))}</h1>'
            f'<p>{escape(pages.round_line(sb, lang))}</p>'
            + pages.msg(kind, message)
            + f'<h2>{escape(t("web.decisions", lang))}</h2>'
            + pages.decision_form(sb, d, lang, open_)
            + f'<h2>{escape(t("web.history", lang))}</h2>'
            + pages.history_table(sb.history(code), lang))
    return _page(request, t("web.team_page", lang, team=team), body, status,
                 poll="/team/status.json", state=_state_token(sb))


async def team(request: Request) -> Response:
    msg = t("web.saved", _lang(request)) if request.query_params.get("saved") else ""
    return _team_page(request, msg)


async def _team_form(request: Request) -> tuple[dict, tuple | None]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k in game.FIELDS}, _team(request)


async def team_decisions(request: Request) -> Response:
    changes, who = await _team_form(request)
    if who is None:
        return _forbidden(request)
    sb, _, code = who
    from starlette.concurrency import run_in_threadpool

    try:  # in a thread: a round being closed holds the session's lock for a second
        await run_in_threadpool(sb.submit, code, changes)
    except SimkitInputError as exc:
        shown = {**sb.decisions(code), **changes}
        return _team_page(request, pages.error_text(exc, _lang(request)), "err", shown, 400)
    return RedirectResponse("/team?saved=1", 303)


def _preview(sb: Sandbox, code: str, changes: dict) -> dict:
    return sb.preview(code, changes)


async def team_preview(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    changes, who = await _team_form(request)
    if who is None:
        return _forbidden(request)
    sb, _, code = who
    lang = _lang(request)
    shown = {**sb.decisions(code), **changes}
    slots = _server(request).preview_slots
    if not slots.acquire(blocking=False):
        return _team_page(request, t("web.busy", lang), "err", shown, 503)
    try:
        p = await run_in_threadpool(_preview, sb, code, changes)
    except SimkitInputError as exc:
        return _team_page(request, pages.error_text(exc, lang), "err", shown, 400)
    finally:
        slots.release()
    text = t("web.preview_result", lang, bookings=f"{p['bookings']:.1f}",
             attainment=f"{p['attainment']:.0%}", profit=f"{p['profit']:.1f}")
    return _team_page(request, text, "note", shown)


async def team_status(request: Request) -> Response:
    who = _team(request)
    if who is None:
        return JSONResponse({"error": "forbidden"}, 403)
    sb, team_name, _ = who
    cur = sb.current_round()
    return JSONResponse({"team": team_name, "state": _state_token(sb),
                         "round": cur["number"] if cur else None,
                         "submitted": bool(cur) and team_name in sb.submitted(cur["number"])})


# ---------------------------------------------------------------- projector


async def board(request: Request) -> Response:
    lang = _lang(request)
    sb = _server(request).sb
    if sb is None:
        return _page(request, t("web.leaderboard", lang),
                     pages.msg("note", t("web.no_session", lang)))
    reveal = sb.revealed
    regime = (t("web.regime_is", lang, regime=t(f"regime.{sb.regime}", lang)) if reveal
              else t("web.regime_hidden", lang))
    body = (f'<h1>{escape(t("web.leaderboard", lang))}</h1>'
            f'<p>{escape(pages.round_line(sb, lang))}</p><p id="regime">{escape(regime)}</p>'
            + pages.leaderboard_table(sb, lang) + f'<div id="charts">{pages.charts(sb, lang)}</div>'
            + (pages.decisions_table(sb, lang) if reveal else ""))
    return _page(request, t("web.leaderboard", lang), body, refresh=20)


# ---------------------------------------------------------------- trainer


async def trainer(request: Request) -> Response:
    lang = _lang(request)
    srv = _server(request)
    key = request.query_params.get("key")
    if key is not None:
        if srv.too_many_fails(_client(request)):
            return Response("429", status_code=429)
        if not hmac.compare_digest(key.encode(), srv.trainer_key().encode()):
            srv.failed(_client(request))
            return _forbidden(request, "web.bad_key")
        resp = RedirectResponse("/trainer", 303)  # the key leaves the address bar
        resp.set_cookie(TRAINER_COOKIE, key, httponly=True, samesite="strict")
        return resp
    if not _is_trainer(request):
        return _forbidden(request)
    msg = request.query_params.get("m", "")
    msg_html = ""
    if srv.sb is None:
        return _page(request, t("web.trainer", lang), pages.create_form(lang))
    sb = srv.sb
    msg_html = pages.trainer_message(sb, msg, lang)
    cur = sb.current_round()
    sub = sb.submitted(cur["number"]) if cur else {}
    codes = "".join(
        f"<tr><td>{escape(n)}</td><td><code>{escape(c)}</code></td><td>"
        f"{escape(t('web.submitted' if n in sub else 'web.not_submitted', lang))}</td></tr>"
        for n, c in sb.join_codes().items())
    actions = ""
    if cur is not None and cur["status"] == "open":
        actions += pages.button("/trainer/close", t("web.close_round", lang))
    if cur is not None and cur["status"] == "pending":
        actions += pages.button("/trainer/open", t("web.open_round", lang))
    open_rounds = [r for r in sb.round_table() if r["status"] != "closed"]
    shocks = "".join(
        f"<li>{r['number']}: {escape(', '.join(r['shocks']) or t('web.none', lang))}</li>"
        for r in open_rounds)
    shock_form = ""
    if open_rounds:
        opts_r = "".join(f'<option>{r["number"]}</option>' for r in open_rounds)
        opts_s = "".join(f'<option value="{s}">{escape(t("shock." + s, lang))}</option>'
                         for s in game.SHOCKS)
        shock_form = (f'<form method="post" action="/trainer/shock"><select name="round">'
                      f'{opts_r}</select><select name="shock">{opts_s}</select><select name="on">'
                      f'<option value="1">+</option><option value="0">&minus;</option></select>'
                      f'<button>{escape(t("web.schedule_shock", lang))}</button></form>')
    body = (f'<h1>{escape(t("web.trainer", lang))}</h1>' + msg_html
            + f'<p>{escape(pages.round_line(sb, lang))}</p>'
            + f'<p>{escape(t("web.regime_is", lang, regime=t("regime." + sb.regime, lang)))}</p>'
            + f'<h2>{escape(t("web.codes", lang))}</h2><table id="codes">{codes}</table>'
            + actions + f'<h2>{escape(t("web.schedule_shock", lang))}</h2><ul>{shocks}</ul>'
            + shock_form
            + ("" if sb.revealed else pages.button("/trainer/reveal", t("web.reveal", lang)))
            + f'<h2>{escape(t("web.debrief", lang))}</h2>' + pages.leaderboard_table(sb, lang)
            + pages.charts(sb, lang) + pages.decisions_table(sb, lang))
    return _page(request, t("web.trainer", lang), body, poll="", state=_state_token(sb))


def _trainer_action(fn):
    async def endpoint(request: Request) -> Response:
        if not _is_trainer(request):
            return _forbidden(request)
        form = await request.form()
        from starlette.concurrency import run_in_threadpool

        try:
            m = await run_in_threadpool(fn, _server(request), dict(form))
        except SimkitInputError as exc:
            lang = _lang(request)
            return _page(request, t("web.trainer", lang),
                         pages.msg("err", pages.error_text(exc, lang))
                         + '<p><a href="/trainer">&larr;</a></p>', 400)
        return RedirectResponse(f"/trainer?m={m}", 303)
    return endpoint


def _int(form: dict, name: str) -> int:
    try:
        return int(str(form.get(name, "")).strip())
    except ValueError:
        raise SimkitInputError(name, form.get(name), "a whole number / 整数") from None


def _do_create(srv: SandboxServer, form: dict) -> str:
    if srv.sb is not None:
        raise SimkitInputError("path", "(session exists)", "a new session file / 新会话文件")
    srv.sb = Sandbox.create(srv.db, teams=_int(form, "teams"), rounds=_int(form, "rounds"),
                            regime=str(form.get("regime", "random")), seed=_int(form, "seed"),
                            trainer_key=srv.setup_key)
    return "created"


def _do_close(srv: SandboxServer, form: dict) -> str:
    t0 = time.perf_counter()
    srv.sb.close_round(open_next=False)
    log.info("round closed in %.2f s", time.perf_counter() - t0)
    return "closed"


def _do_open(srv: SandboxServer, form: dict) -> str:
    srv.sb.open_round()
    return "opened"


def _do_shock(srv: SandboxServer, form: dict) -> str:
    srv.sb.schedule_shock(_int(form, "round"), str(form.get("shock", "")),
                          on=str(form.get("on", "1")) == "1")
    return "shock"


def _do_reveal(srv: SandboxServer, form: dict) -> str:
    srv.sb.reveal()
    return "revealed"


def _needs_session(fn):
    def wrapped(srv: SandboxServer, form: dict) -> str:
        if srv.sb is None:
            raise SimkitInputError("session", None, t("web.no_session", "en") + " / "
                                   + t("web.no_session", "zh"))
        return fn(srv, form)
    return wrapped


async def set_lang(request: Request) -> Response:
    to = request.query_params.get("to", "")
    nxt = request.query_params.get("next", "/")
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = "/"
    resp = RedirectResponse(nxt, 303)
    if to in LANGS:
        resp.set_cookie(LANG_COOKIE, to, samesite="strict")
    return resp


async def static_js(request: Request) -> Response:
    return Response(pages.JS, media_type="text/javascript")


async def favicon(request: Request) -> Response:
    return Response(status_code=204)


async def logout(request: Request) -> Response:
    resp = RedirectResponse("/", 303)
    resp.delete_cookie(TEAM_COOKIE)
    resp.delete_cookie(TRAINER_COOKIE)
    return resp


async def not_found(request: Request, exc) -> Response:
    lang = _lang(request)
    return _page(request, t("web.not_found", lang), pages.msg("err", t("web.not_found", lang)), 404)


async def server_error(request: Request, exc) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    return HTMLResponse(f"<p>{escape(t('web.error', 'en'))} / {escape(t('web.error', 'zh'))}</p>",
                        status_code=500)


async def method_not_allowed(request: Request, exc) -> Response:
    return Response(status_code=getattr(exc, "status_code", 405))


def create_app(db: str | Path, host: str = "127.0.0.1", port: int = 8000, lang: str = "zh",
               setup_key: str | None = None, workers: int = 0):
    """The ASGI app serving the session in ``db`` (created from the trainer's page if absent).

    ``workers``: processes that simulate quarters (0: in the server's own process)."""
    from contextlib import asynccontextmanager

    server = SandboxServer(db, host, port, lang, setup_key, workers)

    @asynccontextmanager
    async def lifespan(app):
        yield
        server.shutdown()

    routes = [
        Route("/", home), Route("/join", join, methods=["POST"]), Route("/team", team),
        Route("/team/decisions", team_decisions, methods=["POST"]),
        Route("/team/preview", team_preview, methods=["POST"]),
        Route("/team/status.json", team_status), Route("/board", board),
        Route("/trainer", trainer),
        Route("/trainer/create", _trainer_action(_do_create), methods=["POST"]),
        Route("/trainer/close", _trainer_action(_needs_session(_do_close)), methods=["POST"]),
        Route("/trainer/open", _trainer_action(_needs_session(_do_open)), methods=["POST"]),
        Route("/trainer/shock", _trainer_action(_needs_session(_do_shock)), methods=["POST"]),
        Route("/trainer/reveal", _trainer_action(_needs_session(_do_reveal)), methods=["POST"]),
        Route("/lang", set_lang), Route("/logout", logout),
        Route("/static/sandbox.js", static_js), Route("/favicon.ico", favicon),
    ]
    app = Starlette(debug=False, routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: method_not_allowed,
                                        Exception: server_error})
    app.state.server = server
    guarded = Guard(app, server)
    guarded.state = app.state  # for callers that want the server back
    return guarded
