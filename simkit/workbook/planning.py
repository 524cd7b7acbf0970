"""Lesson 8's dashboard: a year's plan with hiring, ramp, attrition and rep capacity."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from simkit.course.cases import PLAN, planning_scenario
from simkit.course.i18n import t
from simkit.model.team import Attrition
from simkit.sim.dispatch import DEFAULT_SEED
from simkit.sim.progressive import simulate_progressive
from simkit.workbook._common import (
    Dashboard,
    field_slider,
    html_out,
    output,
    resolve_lang,
    show_chart,
    slider,
    table_html,
)

__all__ = ["PLANNING_REPLICATIONS", "planning_dashboard"]

# Team dynamics run on the fast team engine (simkit.sim.teamfast): 200 replications of the
# year plan take about 0.35 CPU seconds a slider move (benchmarks/bench_team.py), so
# each quarter's figures carry standard errors of a few points, not ~11 as at 20.
# (Without numba they fall back to SimPy, tens of milliseconds a replication.)
PLANNING_REPLICATIONS = 200


def _runs(sc, replications: int, seed: int):
    """Results to draw, coarse then refined (each step equals ``simulate`` at its count,
    the last the full run)."""
    yield from simulate_progressive(sc, replications, seed)


def planning_dashboard(lang: str | None = None, *, replications: int = PLANNING_REPLICATIONS,
                       seed: int = DEFAULT_SEED, chart: bool = True) -> Dashboard:
    """Lesson 8: when the 4 hires start, how long they ramp, how many reps leave, and whether
    reps' time is limited; shows attainment and headcount by quarter.

    The plan is :func:`simkit.course.cases.planning_scenario` (10 reps, quota 280万 a quarter for
    a year). Every setting runs on the same seed (common random numbers), so a change
    shows the lever, not noise.
    """
    lang = resolve_lang(lang)
    controls = {
        # Shown counted from 1 (1 = January); the plan counts months from 0.
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
        # The quarter is the first column (its header in the corner), not an extra header row.
        shown.index = [t("quarter_n", lang, n=q) for q in shown.index]
        shown = shown.rename_axis(t("quarter", lang)).reset_index()
        d.table.value = shown.to_html(classes="simkit-table", index=False, formatters={
            t("attainment_mean", lang): "{:.0%}".format, t("p_at_quota", lang): "{:.0%}".format,
            t("headcount", lang): "{:.1f}".format})
        # The count drawn so far: it grows while a progressive run refines the answer.
        d.seed_label.value = (f"<small>{t('seed', lang, seed=seed, replications=res.replications)}"
                              f"</small>")
        if chart:
            from simkit.workbook.plots import quarter_chart_from, quarter_data

            # Built where it is drawn (the room server's chart process), after the numbers.
            show_chart(d.chart, quarter_chart_from, quarter_data(res), lang=lang)

    return Dashboard("planning", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                                               W.VBox([d.headline, d.table, d.seed_label])]),
                                       d.chart]))
