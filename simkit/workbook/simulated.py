"""Dashboards that simulate (lessons 4 and 7): the mid-quarter gap and the coaching team."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

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
    show_chart,
    slider,
    tab_widget,
    table_html,
)

__all__ = ["coaching_dashboard", "gap_dashboard"]

GAP_REPLICATIONS = 100


def gap_dashboard(lang: str | None = None, *, replications: int = GAP_REPLICATIONS,
                  seed: int = DEFAULT_SEED, chart: bool = True) -> Dashboard:
    """Lesson 4 (case B): today's funnel, the project gap, the weekly projection and the
    simulated chance to make the quarter with the injection plan the trainee sets.

    The chart and the weekly projection are tabs (``Dashboard.tabs``, the chart open), so
    the page fits a 1280x720 projector."""
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
    # On a 1280x720 projector the weekly projection goes behind the chart, one click away.
    tabs = {"chart": t("cal.tab_chart", lang), "projection": t("gap.tab_projection", lang)}

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
                              + shown.to_html(classes="simkit-table simkit-projection-table",
                                              na_rep="", index=False,
                                              float_format=lambda v: f"{v:.1f}"))
        d.seed_label.value = f"<small>{t('seed', lang, seed=seed, replications=replications)}</small>"
        if chart:
            from simkit.workbook.plots import bookings_data, cumulative_bookings_from

            # Built where it is drawn (the room server's chart process), after the numbers.
            show_chart(d.chart, cumulative_bookings_from, **bookings_data(res), lang=lang)

    return Dashboard("gap", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                                               W.VBox([d.headline, d.seed_label])]),
                                       tab_widget([d.outputs[n] for n in tabs],
                                                  list(tabs.values()))]),
                     tabs=tabs)


SESSION_SEED_ENV = "QUERY_STRING"


def session_seed() -> int:
    """The team seed of a coaching session: ``?seed=N`` in the page's address (Voilà hands
    it to the kernel as ``QUERY_STRING``) to replay a session, else a fresh random one."""
    import os
    import secrets
    from urllib.parse import parse_qs

    for value in parse_qs(os.environ.get(SESSION_SEED_ENV, "")).get("seed", []):
        if value.isdigit() and 0 < int(value) < 1_000_000:
            return int(value)
    return 1000 + secrets.randbelow(9000)


def coaching_dashboard(lang: str | None = None, *, team_seed: int | None = None,
                       seed: int = DEFAULT_SEED, chart: bool = True) -> Dashboard:
    """Lesson 7: the whole team at once (yield, balance and time-in-step per rep, in a chart
    and a table); pick a rep and the problem to coach on, the feedback says if it is right.

    Three reps have hidden problems (:func:`simkit.course.cases.coaching_team`); which
    ones depends on ``team_seed``, by default a fresh seed per session
    (:func:`session_seed`), shown on the page so a trainer can replay it.
    Reps are numbered from 1 on screen (``values["rep"]`` is the 0-based index).
    The chart and the team table are tabs (``Dashboard.tabs``, the chart open), so the
    page fits a 1280x720 projector.
    """
    lang = resolve_lang(lang)
    team_seed = session_seed() if team_seed is None else int(team_seed)
    sc, truth = coaching_team(team_seed)
    res = simulate(sc, replications=1, seed=seed)
    diag = coaching_diagnostics(res.deals, sc.funnel, stage_times=res.stage_times, since=0)
    problems = ["on track", "not enough prospecting", "low win rate", "low deal size"]
    names = [f"{t('rep', lang)} {i + 1}" for i in range(sc.team.reps)]
    controls = {
        "rep": W.Dropdown(options=[(names[i], i) for i in range(sc.team.reps)],
                          value=0, description=t("rep", lang)),
        "diagnosis": W.Dropdown(options=[(t(p, lang), p) for p in problems], value="on track",
                                description=t("problem", lang)),
    }
    controls["rep"].add_class("simkit-select-rep")
    controls["diagnosis"].add_class("simkit-select-diagnosis")
    outputs = {"headline": html_out("simkit-headline"), "feedback": html_out("simkit-feedback"),
               "seed_label": html_out("simkit-seed"), "chart": output("simkit-chart"),
               "table": html_out("simkit-table")}
    # On a 1280x720 projector the team table goes behind the chart, one click away.
    tabs = {"chart": t("cal.tab_chart", lang), "table": t("coach.tab_team", lang)}
    hidden = sum(p != "on track" for p in truth.values())
    intro = t("coach_intro", lang, reps=sc.team.reps, hidden=hidden)
    outputs["seed_label"].value = (f"<p>{intro}</p><small>"
                                   f"{t('coach_session', lang, seed=team_seed)}</small>")
    outputs["table"].value = _team_table(diag, names, lang)
    if chart:
        from simkit.workbook.plots import coaching_chart

        show_chart(outputs["chart"], coaching_chart, diag.reps, diag.balance, diag.time_in_step,
                   lang=lang, labels=names)

    def compute(d: Dashboard) -> None:
        rep = int(d.rep.value)
        row = diag.reps.loc[rep]
        bal = diag.balance.loc[rep]
        right = truth[rep] == d.diagnosis.value
        d.values = {"rep": rep, "rep_label": names[rep], "diagnostics": row.to_dict(),
                    "correct": right, "reps": diag.reps, "balance": diag.balance,
                    "time_in_step": diag.time_in_step, "team_seed": team_seed,
                    "hidden_problems": hidden}
        d.headline.value = table_html([
            (t("wins_per_week_rep", lang), f"{row['wins_per_week']:.2f}"),
            (t("new_per_week_rep", lang), f"{row['new_per_week']:.2f}"),
            (t("win_rate", lang), f"{row['win_rate']:.0%}"),
            (t("avg_deal", lang), f"{row['avg_deal']:.2f}"),
            (t("balance", lang), " / ".join(f"{v:.0%}" for v in bal)),
        ], "simkit-headline-table")
        d.feedback.value = t("coach_right", lang) if right else t("coach_wrong", lang)

    d = Dashboard("coaching", lang, controls, outputs, compute,
                  lambda d: W.VBox([d.seed_label, d.rep, d.headline, d.diagnosis, d.feedback,
                                    tab_widget([d.outputs[n] for n in tabs],
                                               list(tabs.values()))]),
                  tabs=tabs)
    d.team = diag.reps
    d.team_seed = team_seed
    # What a page must pass again when it rebuilds the dashboard (language switch).
    d.session_kwargs = {"team_seed": team_seed}
    d.scenario, d.results = sc, res
    return d


def _team_table(diag, names: list[str], lang: str) -> str:
    """The whole team, one row per rep (numbered from 1); no diagnosis column."""
    import html

    stages = list(diag.balance.columns)
    days = diag.time_in_step["median_days"].unstack("stage").reindex(diag.reps.index)
    steps = " / ".join(stage_label(s, lang) for s in stages)
    head = [t("rep", lang), t("wins_per_week_rep", lang), t("new_per_week_rep", lang),
            t("win_rate", lang), t("avg_deal", lang),
            f"{t('balance', lang).split(' (')[0]} ({steps})", f"{t('coach_days', lang)} ({steps})"]
    rows = []
    for i, (rep, r) in enumerate(diag.reps.iterrows()):
        day_cells = [days.loc[rep, s] if s in days.columns else np.nan for s in stages]
        cells = [names[i], f"{r['wins_per_week']:.2f}", f"{r['new_per_week']:.2f}",
                 f"{r['win_rate']:.0%}", f"{r['avg_deal']:.2f}",
                 " / ".join(f"{diag.balance.loc[rep, s]:.0%}" for s in stages),
                 " / ".join("–" if np.isnan(v) else f"{v:.1f}" for v in day_cells)]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return (f"<table class='simkit-table simkit-team-table'><tr>{header}</tr>"
            f"{''.join(rows)}</table>")
