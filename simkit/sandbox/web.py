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
import ipaddress
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from html import escape
from pathlib import Path
from urllib.parse import quote, urlparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simkit import SimkitInputError

from . import game, svg
from .api import Sandbox
from .text import LANGS, TEXT, t

__all__ = ["SandboxServer", "create_app"]

log = logging.getLogger("simkit.sandbox")

TEAM_COOKIE, TRAINER_COOKIE, LANG_COOKIE = "sb_team", "sb_trainer", "sb_lang"
MAX_FAILS, FAIL_WINDOW = 30, 600.0
MAX_PREVIEWS = 4

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;
color:#222;background:#fafafa}header{background:#1f3b5a;color:#fff;padding:.6em 1em}
header a{color:#cde;margin-left:1em}main{max-width:980px;margin:1em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:right}th{background:#eef}td:first-child,th:first-child{text-align:left}
.msg{padding:.5em;border-radius:4px;margin:.5em 0}.ok{background:#e6f4e6}
.err{background:#fde8e8;color:#900}.note{background:#eef3fb}label{display:block;margin:.4em 0}
input,select{font-size:1em;padding:.2em;margin-left:.4em}input:invalid{border:2px solid #c00}
.chart{max-width:100%;background:#fff;border:1px solid #ddd;margin:.5em 0}
button{font-size:1em;padding:.4em 1em;margin:.4em .4em .4em 0}.over{color:#c00;font-weight:bold}
"""

JS = """
(function(){
  var form = document.getElementById('decisions');
  if (form) {
    var out = document.getElementById('cost');
    var budget = parseFloat(form.dataset.budget);
    var update = function(){
      var cost = 0;
      form.querySelectorAll('[data-cost]').forEach(function(el){
        var v = parseFloat(el.value); if (!isNaN(v)) cost += v * parseFloat(el.dataset.cost);
      });
      out.textContent = form.dataset.costText.replace('{cost}', cost.toFixed(1));
      out.className = cost > budget + 1e-9 ? 'over' : '';
      var bad = !form.checkValidity() || cost > budget + 1e-9;
      form.querySelectorAll('button').forEach(function(b){ b.disabled = bad; });
    };
    form.addEventListener('input', update); update();
  }
  var poll = document.body.dataset.poll;
  if (poll) {
    var seen = document.body.dataset.state;
    setInterval(function(){
      fetch(poll, {credentials: 'same-origin'}).then(function(r){ return r.json(); })
        .then(function(s){ if (s.state !== seen) { location.reload(); } }).catch(function(){});
    }, 10000);
  }
})();
"""


def _watch_parent(parent: int) -> None:
    """In a simulation worker: exit when the server is gone (even killed with SIGKILL)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class SandboxServer:
    """What the app serves: the session file (opened when it exists), the bound address,
    the default language, and the setup key that creates a session when there is none."""

    def __init__(self, db: str | Path, host: str = "127.0.0.1", port: int = 8000,
                 lang: str = "zh", setup_key: str | None = None, workers: int = 0):
        self.db = Path(db)
        self.host, self.port, self.lang = host, int(port), lang
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

    # -- addresses
    def allowed_hosts(self) -> set[str] | None:
        """Host headers accepted; None: any IP literal (serving on every interface)."""
        if self.host in ("0.0.0.0", "::"):
            return None
        names = {self.host, f"[{self.host}]" if ":" in self.host else self.host}
        if _is_loopback(self.host):
            names |= {"localhost", "127.0.0.1"}
        out = set()
        for n in names:
            out |= {f"{n}:{self.port}"} | ({n} if self.port == 80 else set())
        return out

    def host_ok(self, host: str) -> bool:
        allowed = self.allowed_hosts()
        if allowed is not None:
            return host in allowed
        name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") <= 1 or host.startswith("[") \
            else host
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name == "localhost"

    @property
    def loopback_only(self) -> bool:
        return _is_loopback(self.host)

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


# ---------------------------------------------------------------- guard middleware


class Guard:
    """Host header, loopback-only clients, same-origin POSTs; security headers on every answer."""

    HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"), (b"cache-control", b"no-store"),
               (b"content-security-policy",
                b"default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                b"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                b"frame-ancestors 'none'; base-uri 'none'")]

    def __init__(self, app, server: SandboxServer):
        self.app, self.server = app, server

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        client = (scope.get("client") or ("", 0))[0]
        refuse = None
        if not self.server.host_ok(host):
            refuse = (400, "web.bad_host")
        elif self.server.loopback_only and client and not _is_loopback(client) \
                and client != "testclient":
            refuse = (403, "web.forbidden")
        elif scope["method"] == "POST" and "origin" in headers \
                and urlparse(headers["origin"]).netloc != host:
            refuse = (403, "web.forbidden")
        if refuse:
            code, key = refuse
            body = f"{t(key, 'en')} / {t(key, 'zh')}".encode()
            await send({"type": "http.response.start", "status": code,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    *self.HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + self.HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------- page helpers


def _lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGS else request.app.state.server.lang


def _num(x, fmt: str) -> str:
    try:
        return format(float(x), fmt)
    except (TypeError, ValueError):
        return escape(str(x))


def _page(request: Request, title: str, body: str, status: int = 200, poll: str = "",
          state: str = "", refresh: int | None = None) -> HTMLResponse:
    lang = _lang(request)
    other = "en" if lang == "zh" else "zh"
    here = quote(request.url.path)
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    html = (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1">{meta}<title>{escape(title)} · {escape(t("web.title", lang))}'
            f'</title><style>{CSS}</style></head>'
            f'<body data-poll="{escape(poll)}" data-state="{escape(state)}"><header>'
            f'<b>{escape(t("web.title", lang))}</b><a href="/">{escape(t("web.join", lang))}</a>'
            f'<a href="/board">{escape(t("web.leaderboard", lang))}</a>'
            f'<a href="/lang?to={other}&amp;next={here}">{escape(t("web.language", lang))}</a>'
            f'</header><main>{body}</main><script src="/static/sandbox.js"></script>'
            f'</body></html>')
    return HTMLResponse(html, status_code=status)


def _msg(kind: str, text: str) -> str:
    return f'<div class="msg {kind}" role="status">{escape(text)}</div>' if text else ""


def _error_text(exc: SimkitInputError, lang: str) -> str:
    """The field, the value and the allowed range in the page's language."""
    allowed = exc.allowed
    if " / " in allowed:
        en, zh = allowed.split(" / ", 1)
        allowed = zh if lang == "zh" else en
    label = TEXT.get(f"field.{exc.field}")
    name = f"{label[lang]} ({exc.field})" if label else exc.field
    return f"{name} = {exc.value!r}: {allowed}"


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
    return _page(request, t(key, _lang(request)), _msg("err", t(key, _lang(request))), 403)


def _state_token(sb: Sandbox) -> str:
    cur = sb.current_round()
    return "finished" if cur is None else f"{cur['number']}:{cur['status']}"


def _round_line(sb: Sandbox, lang: str) -> str:
    cur = sb.current_round()
    if cur is None:
        return t("status.finished", lang)
    return t("web.round", lang, round=cur["number"], rounds=sb.rounds,
             status=t(f"status.{cur['status']}", lang))


# ---------------------------------------------------------------- team pages


async def home(request: Request) -> Response:
    lang = _lang(request)
    if _team(request) is not None:
        return RedirectResponse("/team", 303)
    err = request.query_params.get("e") == "code"
    body = (f'<h1>{escape(t("web.join", lang))}</h1>'
            + (_msg("err", t("web.bad_code", lang)) if err else "")
            + ("" if _server(request).sb else _msg("note", t("web.no_session", lang)))
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
        return _page(request, t("web.join", lang), _msg("err", t("web.bad_code", lang))
                     + '<p><a href="/">&larr;</a></p>', 403)
    resp = RedirectResponse("/team", 303)
    resp.set_cookie(TEAM_COOKIE, code.strip().upper(), httponly=True, samesite="strict",
                    max_age=7 * 24 * 3600)
    return resp


def _decision_form(sb: Sandbox, d: dict, lang: str, open_: bool) -> str:
    r = game.RULES
    cost_of = {"hires": r.hire_cost, "consultants": r.consultant_cost,
               "training_days": r.training_cost}
    rows = []
    for field, spec in game.FIELDS.items():
        label = escape(t(f"field.{field}", lang))
        if spec[0] == "choice":
            opts = "".join(f'<option value="{p}"{" selected" if d[field] == p else ""}>'
                           f'{escape(t(f"plan.{p}", lang))}</option>' for p in spec[1])
            rows.append(f'<label>{label}<select name="{field}">{opts}</select></label>')
            continue
        step = "1" if spec[0] == "int" else "any"
        extra = f' data-cost="{cost_of[field]}"' if field in cost_of else ""
        rows.append(f'<label>{label}<input type="number" name="{field}" value="{_val(d[field])}" '
                    f'min="{spec[1]:g}" max="{spec[2]:g}" step="{step}" required{extra}></label>')
    budget = f"{r.budget:g}"
    cost_text = t("web.cost", lang, cost="{cost}", budget=budget)
    try:
        cost_now = f"{game.discretionary_cost({k: float(d[k]) for k in cost_of}):g}"
    except (TypeError, ValueError):
        cost_now = "?"
    disabled = "" if open_ else " disabled"
    return (f'<form id="decisions" method="post" action="/team/decisions" '
            f'data-budget="{r.budget}" data-cost-text="{escape(cost_text)}">'
            + "".join(rows)
            + f'<p id="cost">{escape(t("web.cost", lang, cost=cost_now, budget=budget))}</p>'
            + f'<button{disabled}>{escape(t("web.save", lang))}</button>'
            + f'<button formaction="/team/preview"{disabled}>{escape(t("web.preview", lang))}'
              f'</button></form>')


def _val(v) -> str:
    return format(v, "g") if isinstance(v, (int, float)) else escape(str(v))


def _history_table(df, lang: str) -> str:
    if df.empty:
        return f"<p>{escape(t('web.no_results', lang))}</p>"
    cols = [("round", "d"), ("bookings", ".1f"), ("attainment", ".0%"),
            ("share_at_quota", ".0%"), ("cost", ".1f"), ("profit", ".1f"), ("forecast", ".1f"),
            ("forecast_accuracy", ".0%"), ("score", ".1f"), ("reps", "d"), ("leavers", "d")]
    head = "".join(f"<th>{escape(t('col.' + c, lang))}</th>" for c, _ in cols)
    body = "".join("<tr>" + "".join(f"<td>{_num(row[c], f)}</td>" for c, f in cols) + "</tr>"
                   for _, row in df.iterrows())
    return f"<table><tr>{head}</tr>{body}</table>"


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
            f'<p>{escape(_round_line(sb, lang))}</p>'
            + _msg(kind, message)
            + f'<h2>{escape(t("web.decisions", lang))}</h2>' + _decision_form(sb, d, lang, open_)
            + f'<h2>{escape(t("web.history", lang))}</h2>' + _history_table(sb.history(code), lang))
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
        return _team_page(request, _error_text(exc, _lang(request)), "err", shown, 400)
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
        return _team_page(request, _error_text(exc, lang), "err", shown, 400)
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


def _charts(sb: Sandbox, lang: str) -> str:
    res = sb.results()
    lb = sb.leaderboard()
    parts = [svg.bars(t("col.score", lang), lb["team"], lb["score"], ".0f")]
    if res.empty:
        return "".join(parts)
    rounds = sorted(res["round"].unique())
    att = {tm: [float(res[(res.team == tm) & (res["round"] == r)]["attainment"].sum())
                for r in rounds] for tm in sb.teams}
    parts.append(svg.lines(t("web.chart_attainment", lang), rounds, att, ".0%"))
    last = res[res["round"] == rounds[-1]].set_index("team").reindex(sb.teams)
    stages = sb.base.funnel.names
    labels = [s.label_zh if lang == "zh" else s.name for s in sb.base.funnel.stages]
    parts.append(svg.grouped_bars(
        t("web.chart_funnel", lang), sb.teams,
        {labels[i]: [float(f[i]) for f in last["funnel_end"]] for i in range(len(stages))}, ".0f"))
    parts.append(svg.grouped_bars(
        t("web.chart_forecast", lang), sb.teams,
        {t("col.forecast", lang): list(last["forecast"]),
         t("col.bookings", lang): list(last["bookings"])}, ".0f"))
    return "".join(parts)


def _leaderboard_table(sb: Sandbox, lang: str) -> str:
    lb = sb.leaderboard()
    cols = [("rank", "d"), ("team", "s"), ("bookings", ".1f"), ("attainment", ".0%"),
            ("share_at_quota", ".0%"), ("cost", ".1f"), ("profit", ".1f"),
            ("forecast_accuracy", ".0%"), ("score", ".1f")]
    head = "".join(f"<th>{escape(t('col.' + c, lang)) if c != 'rank' else '#'}</th>"
                   for c, _ in cols)
    body = "".join("<tr>" + "".join(f"<td>{_num(row[c], f) if f != 's' else escape(row[c])}</td>"
                                    for c, f in cols) + "</tr>" for _, row in lb.iterrows())
    return f'<table id="leaderboard"><tr>{head}</tr>{body}</table>'


def _decisions_table(sb: Sandbox, lang: str) -> str:
    """Every team's decisions against its outcomes, by round (trainer; everyone after reveal)."""
    rows = sb.result_details()
    if not rows:
        return ""
    fields = list(game.FIELDS)
    head = ("<th>" + escape(t("col.team", lang)) + "</th><th>" + escape(t("col.round", lang))
            + "</th>" + "".join(f"<th>{escape(t('short.' + f, lang))}</th>" for f in fields)
            + f"<th>{escape(t('col.bookings', lang))}</th><th>{escape(t('col.profit', lang))}"
              f"</th>")
    body = "".join(
        f"<tr><td>{escape(r['team'])}</td><td>{r['round']}</td>"
        + "".join(f"<td>{escape(str(r['decisions'][f]))}</td>" for f in fields)
        + f"<td>{r['bookings']:.1f}</td><td>{r['profit']:.1f}</td></tr>"
        for r in sorted(rows, key=lambda r: (r["team"], r["round"])))
    return (f'<h2>{escape(t("web.decisions_of_all", lang))}</h2>'
            f'<table id="decisions-all"><tr>{head}</tr>{body}</table>')


async def board(request: Request) -> Response:
    lang = _lang(request)
    sb = _server(request).sb
    if sb is None:
        return _page(request, t("web.leaderboard", lang), _msg("note", t("web.no_session", lang)))
    reveal = sb.revealed
    regime = (t("web.regime_is", lang, regime=t(f"regime.{sb.regime}", lang)) if reveal
              else t("web.regime_hidden", lang))
    body = (f'<h1>{escape(t("web.leaderboard", lang))}</h1>'
            f'<p>{escape(_round_line(sb, lang))}</p><p id="regime">{escape(regime)}</p>'
            + _leaderboard_table(sb, lang) + f'<div id="charts">{_charts(sb, lang)}</div>'
            + (_decisions_table(sb, lang) if reveal else ""))
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
        return _page(request, t("web.trainer", lang), _create_form(lang))
    sb = srv.sb
    msg_html = _trainer_message(sb, msg, lang)
    cur = sb.current_round()
    sub = sb.submitted(cur["number"]) if cur else {}
    codes = "".join(
        f"<tr><td>{escape(n)}</td><td><code>{escape(c)}</code></td><td>"
        f"{escape(t('web.submitted' if n in sub else 'web.not_submitted', lang))}</td></tr>"
        for n, c in sb.join_codes().items())
    actions = ""
    if cur is not None and cur["status"] == "open":
        actions += _button("/trainer/close", t("web.close_round", lang))
    if cur is not None and cur["status"] == "pending":
        actions += _button("/trainer/open", t("web.open_round", lang))
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
            + f'<p>{escape(_round_line(sb, lang))}</p>'
            + f'<p>{escape(t("web.regime_is", lang, regime=t("regime." + sb.regime, lang)))}</p>'
            + f'<h2>{escape(t("web.codes", lang))}</h2><table id="codes">{codes}</table>'
            + actions + f'<h2>{escape(t("web.schedule_shock", lang))}</h2><ul>{shocks}</ul>'
            + shock_form
            + ("" if sb.revealed else _button("/trainer/reveal", t("web.reveal", lang)))
            + f'<h2>{escape(t("web.debrief", lang))}</h2>' + _leaderboard_table(sb, lang)
            + _charts(sb, lang) + _decisions_table(sb, lang))
    return _page(request, t("web.trainer", lang), body, poll="", state=_state_token(sb))


def _trainer_message(sb: Sandbox, m: str, lang: str) -> str:
    """What the last trainer action did (``m`` is one of a few fixed words)."""
    if m == "closed":
        last = sb.result_details()
        if last:
            return _msg("ok", t("web.closed_round", lang, round=last[-1]["round"],
                                seconds=f"{last[-1]['close_seconds']:.1f}"))
    keys = {"opened": "web.done_opened", "shock": "web.done_shock",
            "revealed": "web.done_revealed", "created": "web.done_created"}
    return _msg("ok", t(keys[m], lang)) if m in keys else ""


def _button(action: str, label: str) -> str:
    return f'<form method="post" action="{action}"><button>{escape(label)}</button></form>'


def _create_form(lang: str) -> str:
    regimes = "".join(f'<option value="{r}">{escape(t("regime." + r, lang))}</option>'
                      for r in game.REGIMES)
    return (f'<h1>{escape(t("web.create", lang))}</h1><form method="post" action="/trainer/create">'
            f'<label>teams / 队数<input type="number" name="teams" value="4" min="2" max="8">'
            f'</label><label>rounds / 回合数<input type="number" name="rounds" value="4" min="1" '
            f'max="12"></label><label>regime / 市场<select name="regime"><option value="random">'
            f'{escape(t("web.random", lang))}</option>{regimes}</select></label>'
            f'<label>seed<input type="number" name="seed" value="7" min="0"></label>'
            f'<button>{escape(t("web.create", lang))}</button></form>')


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
            return _page(request, t("web.trainer", lang), _msg("err", _error_text(exc, lang))
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
    return Response(JS, media_type="text/javascript")


async def favicon(request: Request) -> Response:
    return Response(status_code=204)


async def logout(request: Request) -> Response:
    resp = RedirectResponse("/", 303)
    resp.delete_cookie(TEAM_COOKIE)
    resp.delete_cookie(TRAINER_COOKIE)
    return resp


async def not_found(request: Request, exc) -> Response:
    lang = _lang(request)
    return _page(request, t("web.not_found", lang), _msg("err", t("web.not_found", lang)), 404)


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
