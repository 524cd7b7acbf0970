"""The sandbox's pages as HTML strings: no web framework, every text from :mod:`.text`.

The web app (:mod:`.web`) wraps these in responses; they take plain values
(a :class:`Sandbox`, a language), so they can be rendered without a server.
"""

from __future__ import annotations

from html import escape

from simkit.model.errors import SimkitInputError

from simkit.sandbox import game, svg
from simkit.sandbox.api import Sandbox
from simkit.sandbox.text import TEXT, t

__all__ = ["CSS", "JS", "button", "charts", "create_form", "decision_form", "decisions_table",
           "error_text", "history_table", "leaderboard_table", "msg", "num", "round_line",
           "trainer_message", "val"]


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


def num(x, fmt: str) -> str:
    try:
        return format(float(x), fmt)
    except (TypeError, ValueError):
        return escape(str(x))


def msg(kind: str, text: str) -> str:
    return f'<div class="msg {kind}" role="status">{escape(text)}</div>' if text else ""


def error_text(exc: SimkitInputError, lang: str) -> str:
    """The field, the value and the allowed range in the page's language."""
    allowed = exc.allowed
    if " / " in allowed:
        en, zh = allowed.split(" / ", 1)
        allowed = zh if lang == "zh" else en
    label = TEXT.get(f"field.{exc.field}")
    name = f"{label[lang]} ({exc.field})" if label else exc.field
    return f"{name} = {exc.value!r}: {allowed}"


def round_line(sb: Sandbox, lang: str) -> str:
    cur = sb.current_round()
    if cur is None:
        return t("status.finished", lang)
    return t("web.round", lang, round=cur["number"], rounds=sb.rounds,
             status=t(f"status.{cur['status']}", lang))


def decision_form(sb: Sandbox, d: dict, lang: str, open_: bool) -> str:
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
        rows.append(f'<label>{label}<input type="number" name="{field}" value="{val(d[field])}" '
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


def val(v) -> str:
    return format(v, "g") if isinstance(v, (int, float)) else escape(str(v))


def history_table(df, lang: str) -> str:
    if df.empty:
        return f"<p>{escape(t('web.no_results', lang))}</p>"
    cols = [("round", "d"), ("bookings", ".1f"), ("attainment", ".0%"),
            ("share_at_quota", ".0%"), ("cost", ".1f"), ("profit", ".1f"), ("forecast", ".1f"),
            ("forecast_accuracy", ".0%"), ("score", ".1f"), ("reps", "d"), ("leavers", "d")]
    head = "".join(f"<th>{escape(t('col.' + c, lang))}</th>" for c, _ in cols)
    body = "".join("<tr>" + "".join(f"<td>{num(row[c], f)}</td>" for c, f in cols) + "</tr>"
                   for _, row in df.iterrows())
    return f"<table><tr>{head}</tr>{body}</table>"


def charts(sb: Sandbox, lang: str) -> str:
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


def leaderboard_table(sb: Sandbox, lang: str) -> str:
    lb = sb.leaderboard()
    cols = [("rank", "d"), ("team", "s"), ("bookings", ".1f"), ("attainment", ".0%"),
            ("share_at_quota", ".0%"), ("cost", ".1f"), ("profit", ".1f"),
            ("forecast_accuracy", ".0%"), ("score", ".1f")]
    head = "".join(f"<th>{escape(t('col.' + c, lang)) if c != 'rank' else '#'}</th>"
                   for c, _ in cols)
    body = "".join("<tr>" + "".join(f"<td>{num(row[c], f) if f != 's' else escape(row[c])}</td>"
                                    for c, f in cols) + "</tr>" for _, row in lb.iterrows())
    return f'<table id="leaderboard"><tr>{head}</tr>{body}</table>'


def decisions_table(sb: Sandbox, lang: str) -> str:
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


def trainer_message(sb: Sandbox, m: str, lang: str) -> str:
    """What the last trainer action did (``m`` is one of a few fixed words)."""
    if m == "closed":
        last = sb.result_details()
        if last:
            return msg("ok", t("web.closed_round", lang, round=last[-1]["round"],
                                seconds=f"{last[-1]['close_seconds']:.1f}"))
    keys = {"opened": "web.done_opened", "shock": "web.done_shock",
            "revealed": "web.done_revealed", "created": "web.done_created"}
    return msg("ok", t(keys[m], lang)) if m in keys else ""


def button(action: str, label: str) -> str:
    return f'<form method="post" action="{action}"><button>{escape(label)}</button></form>'


def create_form(lang: str) -> str:
    regimes = "".join(f'<option value="{r}">{escape(t("regime." + r, lang))}</option>'
                      for r in game.REGIMES)
    return (f'<h1>{escape(t("web.create", lang))}</h1><form method="post" action="/trainer/create">'
            f'<label>{escape(t("web.teams", lang))}<input type="number" name="teams" value="4" '
            f'min="2" max="8"></label><label>{escape(t("web.rounds", lang))}<input type="number" '
            f'name="rounds" value="4" min="1" max="12"></label><label>'
            f'{escape(t("web.regime", lang))}<select name="regime"><option value="random">'
            f'{escape(t("web.random", lang))}</option>{regimes}</select></label>'
            f'<label>{escape(t("web.seed", lang))}<input type="number" name="seed" value="7" '
            f'min="0"></label>'
            f'<button>{escape(t("web.create", lang))}</button></form>')
