"""Dashboards that simulate (lessons 4 and 7): the mid-quarter gap and the coaching team."""

from __future__ import annotations

import ipywidgets as W

from simkit.analysis import coaching_diagnostics, funnel_gap, weekly_projection
from simkit.course.cases import CASE_B, case_b_scenario, coaching_team
from simkit.course.i18n import stage_label, t
from simkit.model.params import Quota, Start
from simkit.model.presets import preset
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.workbook._common import (
    Dashboard,
    field_slider,
    html_out,
    output,
    resolve_lang,
    show_figure,
    slider,
    table_html,
)

__all__ = ["coaching_dashboard", "gap_dashboard"]

GAP_REPLICATIONS = 100


def gap_dashboard(lang: str | None = None, *, replications: int = GAP_REPLICATIONS,
                  seed: int = DEFAULT_SEED, chart: bool = True) -> Dashboard:
    """Lesson 4 (case B): today's funnel, the project gap, the weekly projection and the
    simulated chance to make the quarter with the injection plan the trainee sets."""
    lang = resolve_lang(lang)
    funnel = preset("small-projects").funnel
    c = CASE_B["counts"]
    controls = {
        "intent": slider("intent_count", c[0], 0, 400, 1, lang=lang, integer=True,
                         css="simkit-slider-intent"),
        "solution": slider("solution_count", c[1], 0, 200, 1, lang=lang, integer=True),
        "negotiation": slider("negotiation_count", c[2], 0, 200, 1, lang=lang, integer=True),
        "realised": field_slider(Start, "realised", CASE_B["realised"], key="realised",
                                 lang=lang, hi=500.0, step=0.1, fmt=".1f"),
        "quota": field_slider(Quota, "team_per_quarter", CASE_B["quota"], key="quota",
                              lang=lang, hi=1000.0, step=1.0, fmt=".0f"),
        "week": field_slider(Start, "week", CASE_B["week"], key="current_week", lang=lang,
                             hi=11, step=1, integer=True),
        "injection": slider("injection", 78, 0, 300, 1, lang=lang, integer=True,
                            css="simkit-slider-injection"),
    }
    outputs = {"headline": html_out("simkit-headline"), "projection": html_out("simkit-table"),
               "seed_label": html_out("simkit-seed"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        counts = (d.intent.value, d.solution.value, d.negotiation.value)
        gap = funnel_gap(counts, funnel, d.realised.value, d.quota.value, CASE_B["avg_deal"])
        weeks_left = 12 - int(d.week.value)
        proj = weekly_projection(counts, funnel, [float(d.injection.value)] * weeks_left)
        sc = case_b_scenario(float(d.injection.value), counts=counts, week=d.week.value,
                             realised=d.realised.value, quota=d.quota.value)
        res = simulate(sc, replications=replications, seed=seed)
        s = res.summary()
        proj_wins = float(proj.loc["wins"].iloc[1:].sum())
        d.scenario, d.results = sc, res
        d.values = {"expected_wins": gap.expected_wins, "expected_amount": gap.expected_amount,
                    "amount_gap": gap.amount_gap, "project_gap": gap.project_gap,
                    "projection": proj, "projected_wins": proj_wins,
                    "p_make_quarter": s["p_team_hits_quota"],
                    "attainment_mean": s["team_attainment_mean"], "summary": s, "seed": seed}
        d.headline.value = table_html([
            (t("expected_wins", lang), f"{gap.expected_wins:.2f}"),
            (t("expected_amount", lang), f"{gap.expected_amount:.1f}"),
            (t("amount_gap", lang), f"{gap.amount_gap:.1f}"),
            (t("project_gap", lang), f"{gap.project_gap:.0f}"),
            (t("attainment_mean", lang), f"{s['team_attainment_mean']:.0%}"),
            (t("p_quarter", lang), f"{s['p_team_hits_quota']:.0%}"),
        ], "simkit-headline-table")
        shown = proj.rename(index={k: stage_label(k, lang) for k in proj.index[:-1]}
                            | {"wins": t("wins", lang)},
                            columns={"now": t("now", lang)})
        # The stage is the first column (its header in the corner), not an extra header row.
        shown = shown.rename_axis(t("stage", lang)).reset_index()
        d.projection.value = (f"<b>{t('projection_title', lang)}</b>"
                              + shown.to_html(classes="simkit-table", na_rep="", index=False,
                                              float_format=lambda v: f"{v:.1f}"))
        d.seed_label.value = f"<small>{t('seed', lang, seed=seed, replications=replications)}</small>"
        if chart:
            from simkit.workbook.plots import cumulative_bookings

            show_figure(d.chart, cumulative_bookings(res, lang=lang))

    return Dashboard("gap", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                                               W.VBox([d.headline, d.seed_label])]),
                                       d.projection, d.chart]))


def coaching_dashboard(lang: str | None = None, *, team_seed: int = 7,
                       seed: int = DEFAULT_SEED) -> Dashboard:
    """Lesson 7: pick a rep, read their yield, balance and time-in-step, make a diagnosis.

    The team has three reps with hidden problems (:func:`simkit.course.cases.coaching_team`);
    the feedback line says whether the chosen diagnosis matches the hidden truth.
    """
    lang = resolve_lang(lang)
    sc, truth = coaching_team(team_seed)
    res = simulate(sc, replications=1, seed=seed)
    diag = coaching_diagnostics(res.deals, sc.funnel, stage_times=res.stage_times, since=0)
    problems = ["on track", "not enough prospecting", "low win rate", "low deal size"]
    controls = {
        # Reps are counted from 1 on screen; the value stays the rep's index.
        "rep": W.Dropdown(options=[(f"{t('rep', lang)} {i + 1}", i) for i in range(sc.team.reps)],
                          value=0, description=t("rep", lang)),
        "diagnosis": W.Dropdown(options=[(t(p, lang), p) for p in problems], value="on track",
                                description=t("problem", lang)),
    }
    controls["rep"].add_class("simkit-select-rep")
    controls["diagnosis"].add_class("simkit-select-diagnosis")
    outputs = {"headline": html_out("simkit-headline"), "feedback": html_out("simkit-feedback")}

    def compute(d: Dashboard) -> None:
        rep = int(d.rep.value)
        row = diag.reps.loc[rep]
        bal = diag.balance.loc[rep]
        right = truth[rep] == d.diagnosis.value
        d.values = {"rep": rep, "diagnostics": row.to_dict(), "correct": right,
                    "reps": diag.reps, "balance": diag.balance, "time_in_step": diag.time_in_step}
        d.headline.value = table_html([
            (t("wins_per_week_rep", lang), f"{row['wins_per_week']:.2f}"),
            (t("new_per_week_rep", lang), f"{row['new_per_week']:.2f}"),
            (t("win_rate", lang), f"{row['win_rate']:.0%}"),
            (t("avg_deal", lang), f"{row['avg_deal']:.2f}"),
            (t("balance", lang), " / ".join(f"{v:.0%}" for v in bal)),
        ], "simkit-headline-table")
        d.feedback.value = t("coach_right", lang) if right else t("coach_wrong", lang)

    d = Dashboard("coaching", lang, controls, outputs, compute,
                  lambda d: W.VBox([d.rep, d.headline, d.diagnosis, d.feedback]))
    d.team = diag.reps
    d.scenario, d.results = sc, res
    return d
