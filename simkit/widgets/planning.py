"""Lesson 8's dashboard: a year's plan with hiring, ramp, attrition and rep capacity."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..cases import PLAN, planning_scenario
from ..i18n import t
from ..params_team import Attrition
from ..simulation import DEFAULT_SEED, simulate
from ._common import (
    Dashboard,
    field_slider,
    html_out,
    output,
    resolve_lang,
    show_figure,
    slider,
    table_html,
)

__all__ = ["PLANNING_REPLICATIONS", "planning_dashboard"]

_HIRE_MONTH = {"en": "Hires start in month (1 = Jan)", "zh": "新人入职月份（1 = 一月）"}

# Team dynamics run on the SimPy engine (~20-50 ms a replication for a year of a
# 10-14 rep team): 20 replications keep a slider move to a second or two.
PLANNING_REPLICATIONS = 20


def _runs(sc, replications: int, seed: int):
    """Results to draw: coarse-then-refined with ``simkit.simulate_progressive`` when it is
    there (each step equals ``simulate`` at its count, the last the full run), else one run."""
    import simkit

    progressive = getattr(simkit, "simulate_progressive", None)
    if progressive is None:
        yield simulate(sc, replications=replications, seed=seed)
    else:
        yield from progressive(sc, replications, seed)


def planning_dashboard(lang: str | None = None, *, replications: int = PLANNING_REPLICATIONS,
                       seed: int = DEFAULT_SEED, chart: bool = True) -> Dashboard:
    """Lesson 8: when the 4 hires start, how long they ramp, how many reps leave, and whether
    reps' time is limited; shows attainment and headcount by quarter.

    The plan is :func:`simkit.cases.planning_scenario` (10 reps, quota 280万 a quarter for
    a year). Every setting runs on the same seed (common random numbers), so a change
    shows the lever, not noise.
    """
    lang = resolve_lang(lang)
    controls = {
        # Months are counted from 1 on screen (1 = January); the plan counts from 0.
        "hire_month": slider("hire_month", PLAN["hire_month"] + 1, 1, 12, 1, lang=lang,
                             integer=True, css="simkit-slider-hire-month"),
        "ramp_months": slider("ramp_months", PLAN["ramp_months"], 1, 9, 1, lang=lang,
                              integer=True, css="simkit-slider-ramp"),
        "attrition": field_slider(Attrition, "yearly_rate", PLAN["attrition"],
                                  key="attrition_rate", lang=lang, hi=0.6, step=0.05,
                                  fmt=".0%", css="simkit-slider-attrition"),
        "capacity": W.Checkbox(value=False, description=t("capacity_toggle", lang),
                               indent=False),
    }
    controls["capacity"].add_class("simkit-toggle-capacity")
    controls["hire_month"].description = _HIRE_MONTH[lang]
    outputs = {"headline": html_out("simkit-headline"), "table": html_out("simkit-table"),
               "seed_label": html_out("simkit-seed"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        sc = planning_scenario(int(d.hire_month.value) - 1, int(d.ramp_months.value),
                               float(d.attrition.value), bool(d.capacity.value))
        for res in _runs(sc, replications, seed):
            _show(d, sc, res)

    def _show(d: Dashboard, sc, res) -> None:
        tq = res.team_quarters
        g = tq.groupby("quarter")
        by_q = g.agg(attainment=("attainment", "mean"), headcount=("headcount", "mean"))
        by_q["p_at_quota"] = g["attainment"].apply(lambda a: float(np.mean(a >= 1.0)))
        year = (tq.groupby("replication")["won_amount"].sum()
                / (sc.quota.team_per_quarter * sc.horizon.quarters))
        s = res.summary()
        d.scenario, d.results = sc, res
        d.values = {"by_quarter": by_q, "attainment": by_q["attainment"].tolist(),
                    "headcount": by_q["headcount"].tolist(),
                    "p_at_quota": by_q["p_at_quota"].tolist(),
                    "year_attainment": float(year.mean()),
                    "p_year": float(np.mean(year >= 1.0)),
                    "hires_mean": s["hires_mean"], "leavers_mean": s["leavers_mean"],
                    "seed": seed, "replications": res.replications}
        d.headline.value = table_html([
            (t("year_attainment", lang), f"{d.values['year_attainment']:.0%}"),
            (t("p_year", lang), f"{d.values['p_year']:.0%}"),
            (t("hires_total", lang), f"{s['hires_mean']:.1f}"),
            (t("leavers", lang), f"{s['leavers_mean']:.1f}"),
        ], "simkit-headline-table")
        shown = by_q.rename(columns={"attainment": t("attainment_mean", lang),
                                     "headcount": t("headcount", lang),
                                     "p_at_quota": t("p_at_quota", lang)})
        shown.index = [f"Q{q}" for q in shown.index]
        shown.index.name = t("quarter", lang)
        d.table.value = shown.to_html(classes="simkit-table", formatters={
            t("attainment_mean", lang): "{:.0%}".format, t("p_at_quota", lang): "{:.0%}".format,
            t("headcount", lang): "{:.1f}".format})
        # The count drawn so far: it grows while a progressive run refines the answer.
        d.seed_label.value = (f"<small>{t('seed', lang, seed=seed, replications=res.replications)}"
                              f"</small>")
        if chart:
            from ..plots import quarter_chart

            show_figure(d.chart, quarter_chart(res, lang=lang))

    return Dashboard("planning", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                                               W.VBox([d.headline, d.table, d.seed_label])]),
                                       d.chart]))
