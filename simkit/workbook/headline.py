"""Lesson 2's headline dashboard: prospecting, win rate, deal size and team size."""

from __future__ import annotations

import ipywidgets as W

from simkit.course.i18n import t
from simkit.model.params import DealSize, Leads, Scenario, Stage, Team
from simkit.model.presets import DEFAULT_PRESET, as_scenario
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

__all__ = ["HEADLINE_REPLICATIONS", "headline_dashboard"]

# 100 replications of small-projects take ~2 s with the SimPy engine: slow
# enough that sliders report on release only, and enough for a share to
# within about +-5 points.
HEADLINE_REPLICATIONS = 100


def headline_dashboard(lang: str | None = None, scenario: Scenario | str = DEFAULT_PRESET, *,
                       replications: int = HEADLINE_REPLICATIONS, seed: int = DEFAULT_SEED,
                       chart: bool = True) -> Dashboard:
    """Sliders for new projects per rep per week, win rate, average deal and reps.

    The win rate is the first stage's cumulative win probability; moving it
    rescales every stage conversion (``funnel.win_rate`` override).

    Every setting is simulated with the same seed (common random numbers), so
    the difference from the preset shown next to each number is the lever, not
    noise. ``values`` holds the run's summary, the preset's summary and the
    seed; ``results`` (attribute) the last :class:`~simkit.Results`.
    """
    lang = resolve_lang(lang)
    base = as_scenario(scenario)
    controls = {
        "leads": field_slider(Leads, "per_rep_per_week", base.leads.per_rep_per_week,
                              key="leads_per_rep", lang=lang, hi=15, step=0.5,
                              css="simkit-slider-leads", fmt=".1f"),
        "win_rate": field_slider(Stage, "win_prob", base.funnel.win_rate, key="win_rate", lang=lang,
                                 lo=0.05, hi=0.6, step=0.01, css="simkit-slider-win-rate",
                                 fmt=".0%"),
        "deal_size": field_slider(DealSize, "mean", base.deal_size.mean, key="avg_deal",
                                  lang=lang, lo=0.5, hi=max(10.0, 3 * base.deal_size.mean),
                                  step=0.1 if base.deal_size.mean < 10 else 1.0,
                                  css="simkit-slider-deal-size", fmt=".1f"),
        "reps": field_slider(Team, "reps", base.team.reps, key="reps", lang=lang,
                             hi=max(30, 3 * base.team.reps), step=1, integer=True,
                             css="simkit-slider-reps"),
    }
    outputs = {"headline": html_out("simkit-headline"), "seed_label": html_out("simkit-seed"),
               "chart": output("simkit-chart")}

    baseline = {}

    def compute(d: Dashboard) -> None:
        sc = base.override({
            "leads.per_rep_per_week": float(d.leads.value),
            "funnel.win_rate": float(d.win_rate.value),
            "deal_size.mean": float(d.deal_size.value),
            "team.reps": int(d.reps.value),
        })
        res = simulate(sc, replications=replications, seed=seed)
        s = res.summary()
        if not baseline:
            baseline.update(s if sc == base else simulate(base, replications, seed).summary())
        d.scenario, d.results = sc, res
        d.values = {"summary": s, "baseline": baseline, "seed": seed,
                    "replications": replications}
        d.headline.value = _headline_html(s, baseline, lang)
        d.seed_label.value = f"<small>{t('seed', lang, seed=seed, replications=replications)}</small>"
        if chart:
            from simkit.workbook.plots import headline_data, headline_figure_from

            # Built where it is drawn (the room server's chart process), after the numbers.
            show_chart(d.chart, headline_figure_from, **headline_data(res), lang=lang)

    def layout(d: Dashboard) -> W.Widget:
        return W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                               W.VBox([d.headline, d.seed_label])]), d.chart])

    return Dashboard("headline", lang, controls, outputs, compute, layout)


def _headline_html(s: dict, b: dict, lang: str) -> str:
    def pct(k):
        delta = (s[k] - b[k]) * 100
        return f"{s[k]:.0%}  ({t('delta_pt', lang, delta=f'{delta:+.0f}')})"

    rows = [
        (t("attainment_mean", lang),
         (f"{s['team_attainment_mean']:.0%}  [{s['team_attainment_p10']:.0%} - "
          f"{s['team_attainment_p90']:.0%}]")),
        (t("p_quarter", lang), pct("p_team_hits_quota")),
        (t("share_at_quota", lang), pct("share_of_reps_at_quota_mean")),
        (t("wins_quarter", lang), f"{s['wins_mean']:.0f}"),
        (t("expected_attainment", lang), f"{s['expected_attainment_steady_state']:.0%}"),
    ]
    return table_html(rows, "simkit-headline-table")
