"""Lesson 9's dashboard: commission accelerators over the spread of attainment outcomes."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from simkit.course.cases import commission_plan
from simkit.course.i18n import t
from simkit.model.presets import DEFAULT_PRESET, as_scenario
from simkit.model.team import Commission, Tier
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.workbook._common import (
    Dashboard,
    field_slider,
    html_out,
    output,
    resolve_lang,
    show_chart,
    table_html,
)

__all__ = ["commission_dashboard"]


def commission_dashboard(lang: str | None = None, scenario=DEFAULT_PRESET, *,
                         replications: int = 100, seed: int = DEFAULT_SEED,
                         chart: bool = True) -> Dashboard:
    """Payout curve of a tiered plan and what it costs over simulated quarters.

    The team is simulated once (the plan does not change what reps sell);
    moving a slider re-prices the same simulated quarters with
    :meth:`simkit.Commission.payout`, so it is instant and the seed is fixed.
    """
    lang = resolve_lang(lang)
    sc = as_scenario(scenario)
    res = simulate(sc, replications=replications, seed=seed)
    rq = res.rep_quarters
    controls = {
        "base": field_slider(Commission, "rate", 0.05, key="base_rate", lang=lang, hi=0.2,
                             step=0.005, fmt=".1%", css="simkit-slider-base-rate"),
        "challenge": field_slider(Tier, "rate", 0.10, key="challenge_rate", lang=lang, hi=0.4,
                                  step=0.005, fmt=".1%", css="simkit-slider-challenge-rate"),
        "excellence_level": field_slider(Tier, "attainment", 1.5, key="excellence_level",
                                         lang=lang, lo=1.05, hi=3.0, step=0.05, fmt=".0%"),
        "excellence": field_slider(Tier, "rate", 0.15, key="excellence_rate", lang=lang,
                                   hi=0.5, step=0.005, fmt=".1%"),
    }
    outputs = {"headline": html_out("simkit-headline"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        plan = commission_plan(d.base.value, d.challenge.value, d.excellence_level.value,
                               d.excellence.value)
        pay = plan.payout(rq["won_amount"].to_numpy(), rq["quota"].to_numpy())
        team_pay = rq.assign(payout=pay).groupby(["replication", "quarter"])["payout"].sum()
        cost = float(pay.sum() / rq["won_amount"].sum())
        d.plan, d.results = plan, res
        d.values = {"cost_of_sales": cost, "payout_p50": float(np.quantile(pay, 0.5)),
                    "payout_p90": float(np.quantile(pay, 0.9)),
                    "team_commission_mean": float(team_pay.mean()), "seed": seed}
        d.headline.value = table_html([
            (t("cost_of_sales", lang), f"{cost:.2%}"),
            (t("payout_p50", lang), f"{d.values['payout_p50']:.2f}"),
            (t("payout_p90", lang), f"{d.values['payout_p90']:.2f}"),
            (t("commission_total", lang), f"{d.values['team_commission_mean']:.1f}"),
            (t("seed", lang, seed=seed, replications=replications), ""),
        ], "simkit-headline-table")
        if chart:
            from simkit.workbook.plots import payout_curve

            show_chart(d.chart, payout_curve, plan, float(rq["quota"].mean()),
                       rq["attainment"].to_numpy(), lang=lang)

    return Dashboard("commission", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())), d.headline]),
                                       d.chart]))
