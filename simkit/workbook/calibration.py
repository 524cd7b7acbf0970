"""Lesson 10's dashboard: the calibrated forecast's split, its intervals and the back-test.

The shipped example CRM export (:func:`simkit.course.cases.crm_example`) is
forecast from what was known at a cutoff (:func:`simkit.crm.forecast.forecast`)
and compared with what happened next quarter: the team's split (won so far,
from the open pipeline, from deals not yet created) with P10 / P50 / P90, the
chance of reaching a quota set against last quarter, every rep's 80% interval
beside the rep's actual (a chart, and the same numbers in a per-rep table), and the
back-test scorecard at that cutoff (the model against the naive, seasonal and
pipeline-weighted baselines). The chart, the per-rep table and the scorecard are tabs
(``Dashboard.tabs``), so the page fits a 1280x720 projector.
"""

from __future__ import annotations

import html
import math

import ipywidgets as W

from simkit.course.cases import CRM_CUTOFFS, crm_backtest, crm_example
from simkit.course.i18n import t
from simkit.crm.forecast import forecast
from simkit.crm.scoring import label as score_label
from simkit.workbook._common import (
    _LAYOUT,
    _STYLE,
    Dashboard,
    html_out,
    output,
    resolve_lang,
    show_chart,
    slider,
    tab_widget,
    table_html,
)

__all__ = ["CALIBRATION_REPLICATIONS", "calibration_dashboard"]

#: Replications of the forecast and the back-test shown on the page (one forecast
#: takes about 0.1 s; the back-test is computed once per process and cached).
CALIBRATION_REPLICATIONS = 200
#: The back-test's seed, as in lesson 10.
CALIBRATION_SEED = 1
_PARTS = ("won_so_far", "open_pipeline", "new_deals", "total")
_SCORES = ("forecast", "actual", "abs_bias", "rep_wape", "in_80", "crps")
_METHODS = ("model", "last_quarter", "mean_two_quarters", "seasonal_naive", "pipeline_weighted")


def calibration_dashboard(lang: str | None = None, *,
                          replications: int = CALIBRATION_REPLICATIONS,
                          seed: int = CALIBRATION_SEED, chart: bool = True) -> Dashboard:
    """A cutoff, a target (won count or won amount) and a quota as a share of last quarter.

    Outputs: ``headline``, ``notes``, and as tabs ``chart``, ``reps`` (the per-rep table),
    ``scorecard``. ``values`` holds ``split`` (the team's and every rep's parts with P10 / P50 / P90,
    :meth:`simkit.crm.forecast.Forecast.split`), ``quota``, ``p_quota``, ``actual``
    (the team's actual next quarter), ``reps`` (per rep: P10, P50, P90, actual) and
    ``scorecard`` (this cutoff's rows of the back-test).
    """
    lang = resolve_lang(lang)
    targets = [(t("cli.fc.wins", lang), "wins"), (t("cli.fc.won_amount", lang), "won_amount")]
    cutoff = W.Dropdown(options=list(CRM_CUTOFFS), value=CRM_CUTOFFS[-1],
                        description=t("cutoff", lang), style=_STYLE, layout=_LAYOUT)
    cutoff.add_class("simkit-cutoff")
    target = W.ToggleButtons(options=targets, value="wins", description=t("target", lang),
                             style=_STYLE)
    target.add_class("simkit-target")
    controls = {
        "cutoff": cutoff,
        "target": target,
        "quota_pct": slider("cal.quota_pct", 1.0, 0.5, 1.5, 0.05, lang=lang, fmt=".0%",
                            css="simkit-slider-quota-pct"),
    }
    outputs = {"headline": html_out("simkit-headline"), "notes": html_out("simkit-notes"),
               "chart": output("simkit-chart"), "reps": html_out("simkit-reps"),
               "scorecard": html_out("simkit-scorecard")}
    # On a 1280x720 projector the tables go under the chart's tab: the numbers a trainer
    # talks about first (split, chance of the quota, chart) fit the screen, the per-rep
    # table and the scorecard are one click away.
    tabs = {"chart": t("cal.tab_chart", lang), "reps": t("cal.tab_reps", lang),
            "scorecard": t("cal.tab_scorecard", lang)}
    bt = crm_backtest(replications=replications, seed=seed)
    wide = bt.wide()
    forecasts: dict[str, object] = {}  # per cutoff (one of the dropdown's options)
    parts: dict[tuple[str, str], tuple] = {}  # what the quota does not change, per view

    def view(c: str, tgt: str) -> tuple:
        if (c, tgt) not in parts:
            if c not in forecasts:
                forecasts[c] = forecast(crm_example().deals, c, replications=replications,
                                        seed=seed)
            fc = forecasts[c]
            rows = wide[(wide["cutoff"] == c) & (wide["target"] == tgt)].set_index("metric")
            reps = bt.reps[(bt.reps["cutoff"] == c) & (bt.reps["method"] == "model")
                           & (bt.reps["target"] == tgt)].set_index("rep")
            total = fc.total(tgt)
            reps = reps.assign(p50=total.median(axis=0).reindex(reps.index))
            score = rows.reindex(list(_SCORES))[[m for m in _METHODS if m in rows.columns]]
            parts[(c, tgt)] = (fc, rows, fc.split(tgt), reps, total.sum(axis=1), score)
        return parts[(c, tgt)]

    def compute(d: Dashboard) -> None:
        c, tgt, pct = d.cutoff.value, d.target.value, float(d.quota_pct.value)
        fc, rows, split, reps, team_total, score = view(c, tgt)
        last_q = float(rows.loc["forecast", "last_quarter"])
        actual = float(rows.loc["actual", "model"])
        quota = pct * last_q
        p_quota = fc.p_quota(quota, tgt)
        team = split[split["who"] == "team"].set_index("part")
        d.values = {"split": split, "quota": quota, "p_quota": p_quota, "actual": actual,
                    "last_quarter": last_q, "reps": reps, "scorecard": score,
                    "replications": replications, "seed": seed}
        d.headline.value = _headline_html(team, quota, p_quota, actual, tgt, lang)
        d.notes.value = _notes_html(fc, replications, seed, lang)
        d.reps.value = _reps_html(split, reps, tgt, lang)
        beats = (float(rows.loc["p_beats_baselines", "model"])
                 if "p_beats_baselines" in rows.index else math.nan)
        d.scorecard.value = _scorecard_html(score, lang, beats)
        if chart:
            from simkit.workbook.plots import forecast_figure

            # Built where it is drawn (the room server's chart process), after the numbers.
            show_chart(
                d.chart, forecast_figure, team_total, quota,
                list(reps.index), reps["p10"], reps["p50"], reps["p90"], reps["actual"],
                title=t("cal.chart_title", lang, cutoff=c),
                xlabel=t("wins_next_quarter" if tgt == "wins" else "won_next_quarter", lang),
                lang=lang)

    def layout(d: Dashboard) -> W.Widget:
        return W.HBox([W.VBox([*d.controls.values(), d.headline, d.notes]),
                       tab_widget([d.outputs[n] for n in tabs], list(tabs.values()))])

    return Dashboard("calibration", lang, controls, outputs, compute, layout, tabs=tabs)


def _fmt(v: float, target: str, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return score_label("n/a", lang)
    return f"{v:,.0f}" if target == "wins" else f"{v:,.1f}"


def _headline_html(team, quota: float, p_quota: float, actual: float, target: str,
                   lang: str) -> str:
    rows = []
    for part in _PARTS:
        r = team.loc[part]
        if part == "won_so_far":
            text = _fmt(r["p50"], target, lang)
        else:
            text = (f"{_fmt(r['p50'], target, lang)}  [{_fmt(r['p10'], target, lang)} – "
                    f"{_fmt(r['p90'], target, lang)}]")
        rows.append((t(f"cli.fc.{part}", lang), text))
    pq = score_label("n/a", lang) if math.isnan(p_quota) else f"{p_quota:.0%}"
    rows.append((t("cal.p_quota", lang, quota=_fmt(quota, target, lang)), pq))
    rows.append((t("cal.actual", lang), _fmt(actual, target, lang)))
    return table_html(rows, "simkit-headline-table")


def _notes_html(fc, replications: int, seed: int, lang: str) -> str:
    i = 1 if lang == "zh" else 0
    notes = "".join(f"<li>{html.escape(w[i])}</li>" for w in fc.warnings)
    return (f"<small>{html.escape(t('cal.interval_note', lang))} "
            f"{html.escape(t('seed', lang, seed=seed, replications=replications))}</small>"
            + (f"<ul class='simkit-warnings'>{notes}</ul>" if notes else ""))


def _reps_html(split, reps, target: str, lang: str) -> str:
    """Every rep's split (median [P10 – P90]), what the rep won and whether it was inside
    the 80% interval: the numbers behind the chart's per-rep panel."""
    parts = [p for p in _PARTS if p != "won_so_far"
             or (split[split["part"] == p]["p90"].abs() > 0).any()]
    cells = {(r["part"], r["who"]): r for _, r in split.iterrows()}
    head = "".join(f"<th>{html.escape(t(f'cli.fc.{p}', lang))}</th>" for p in parts)
    body = []
    for rep, row in reps.iterrows():
        tds = []
        for p in parts:
            c = cells.get((p, rep))
            tds.append("<td>–</td>" if c is None else
                       f"<td>{_fmt(c['p50'], target, lang)} [{_fmt(c['p10'], target, lang)}–"
                       f"{_fmt(c['p90'], target, lang)}]</td>")  # narrow: 6 columns in 720 px
        actual = row["actual"]
        known = actual is not None and not (isinstance(actual, float) and math.isnan(actual))
        inside = (score_label("n/a", lang) if not known
                  else t("yes" if row["p10"] <= actual <= row["p90"] else "no", lang))
        body.append(f"<tr><th>{html.escape(str(rep))}</th>{''.join(tds)}"
                    f"<td>{_fmt(actual, target, lang)}</td><td>{html.escape(inside)}</td></tr>")
    caption = html.escape(t("cal.reps_caption", lang))
    return (f"<table class='simkit-table simkit-reps-table'><caption>{caption}</caption>"
            f"<tr><th>{html.escape(t('rep', lang))}</th>{head}"
            f"<th>{html.escape(t('actual', lang))}</th>"
            f"<th>{html.escape(t('cal.in_80', lang))}</th></tr>{''.join(body)}</table>")


def _scorecard_html(score, lang: str, beats: float = math.nan) -> str:
    head = "".join(f"<th>{html.escape(score_label(m, lang))}</th>" for m in score.columns)
    body = []
    for metric, row in score.iterrows():
        cells = []
        for v in row:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                cells.append(f"<td>{html.escape(score_label('n/a', lang))}</td>")
            elif metric in ("forecast", "actual"):
                cells.append(f"<td>{v:,.1f}</td>")
            elif metric == "in_80":
                cells.append(f"<td>{t('yes' if v else 'no', lang)}</td>")
            else:
                cells.append(f"<td>{v:.3f}</td>")
        body.append(f"<tr><th>{html.escape(score_label(metric, lang))}</th>{''.join(cells)}</tr>")
    caption = html.escape(t("cal.scorecard", lang))
    # How much this one cutoff's comparison can tell (simkit.crm.scoring.beats_share).
    luck = ("" if math.isnan(beats) else
            f"<p>{html.escape(t('cal.beats', lang, share=f'{beats:.0%}'))}</p>")
    return (f"<table class='simkit-table simkit-scorecard-table'><caption>{caption}</caption>"
            f"<tr><th></th>{head}</tr>{''.join(body)}</table>{luck}")
