"""Dashboards over the course's calculators (lessons 1, 3, 5 and 6): instant, no simulation."""

from __future__ import annotations

import ipywidgets as W

from simkit.analysis import (
    large_project_forecast,
    revenue_forecast,
    standard_funnel,
    target_decomposition,
)
from simkit.course.i18n import stage_label, t
from simkit.model.params import DealSize, Leads, Quota
from simkit.model.presets import preset, preset_names
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

__all__ = [
    "forecast_dashboard",
    "funnel_dashboard",
    "headcount_dashboard",
    "large_projects_dashboard",
]


def _stage_table(stages, columns: dict[str, list[str]], lang: str) -> str:
    head = "".join(f"<th style='padding:2px 10px'>{h}</th>" for h in [t("stage", lang), *columns])
    rows = []
    for i, s in enumerate(stages):
        name = f"{s} ({stage_label(s, 'zh')})" if lang == "en" else stage_label(s, "zh")
        cells = "".join(f"<td style='text-align:right;padding:2px 10px'>{v[i]}</td>"
                        for v in columns.values())
        rows.append(f"<tr><td>{name}</td>{cells}</tr>")
    return f"<table class='simkit-table'><tr>{head}</tr>{''.join(rows)}</table>"


def funnel_dashboard(lang: str | None = None, *, chart: bool = True) -> Dashboard:
    """Lesson 1: a preset's stages, cumulative vs stage-to-stage, and its standard funnel."""
    lang = resolve_lang(lang)
    controls = {
        "preset": W.Dropdown(options=[(t(n, lang), n) for n in preset_names()],
                             value="small-projects", description=t("preset", lang)),
        "wins": slider("wins_per_week", 10.0, 0.5, 40.0, 0.5, lang=lang,
                       css="simkit-slider-wins", fmt=".1f"),
    }
    controls["preset"].add_class("simkit-select-preset")
    outputs = {"table": html_out("simkit-headline"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        sc = preset(d.preset.value)
        wps = sc.funnel.stages[0].duration.mean
        weeks = sc.quota.weeks_per_quarter
        sf = standard_funnel(d.wins.value * weeks * sc.deal_size.mean, sc.deal_size.mean,
                             sc.funnel, weeks_per_stage=wps, weeks=weeks)
        d.values = {"scenario": sc, "standard": sf, "win_probs": sf.win_probs,
                    "conversions": sf.conversions, "stage_counts": sf.stage_counts,
                    "new_per_week": sf.new_per_week}
        d.table.value = _stage_table(sf.stages, {
            t("win_prob", lang): [f"{p:.0%}" for p in sf.win_probs],
            t("conversion", lang): [f"{c:.0%}" for c in sf.conversions],
            t("deals_in_stage", lang): [f"{c:.1f}" for c in sf.stage_counts],
            t("entering_per_week", lang): [f"{c:.1f}" for c in sf.entering_per_week],
        }, lang)
        if chart:
            from simkit.workbook.plots import funnel_chart

            show_chart(d.chart, funnel_chart, sf.stages, sf.stage_counts, lang=lang,
                       title=t("standard_funnel_title", lang))

    return Dashboard("funnel", lang, controls, outputs, compute,
                     lambda d: W.VBox([d.preset, d.wins, d.table, d.chart]))


def headcount_dashboard(lang: str | None = None, *, chart: bool = True) -> Dashboard:
    """Lesson 3 (case A): annual quota -> quarter's small-project quota -> standard funnel -> reps."""
    lang = resolve_lang(lang)
    sc = preset("small-projects")
    controls = {
        "annual": field_slider(Quota, "team_per_quarter", 1045.0, key="annual_quota", lang=lang,
                               hi=5000.0, step=5.0, fmt=".0f", css="simkit-slider-annual"),
        "vat": slider("vat", 1.17, 1.0, 1.2, 0.01, lang=lang),
        "small_share": slider("small_share", 0.70, 0.0, 1.0, 0.05, lang=lang, fmt=".0%"),
        "quarter_share": slider("quarter_share", 0.28, 0.1, 0.4, 0.01, lang=lang, fmt=".0%"),
        "avg_deal": field_slider(DealSize, "mean", sc.deal_size.mean, key="avg_deal", lang=lang,
                                 lo=0.5, hi=10.0, step=0.1, fmt=".1f"),
        "new_per_rep": field_slider(Leads, "per_rep_per_week", sc.leads.per_rep_per_week,
                                    key="new_per_rep", lang=lang, lo=1.0, hi=15.0, step=0.5,
                                    fmt=".1f", css="simkit-slider-leads"),
    }
    outputs = {"headline": html_out("simkit-headline"), "table": html_out("simkit-table"),
               "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        dec = target_decomposition(d.annual.value, {"vat": d.vat.value,
                                                    "small_share": d.small_share.value,
                                                    "quarter_share": d.quarter_share.value})
        quota = float(dec["value"].iloc[-1])
        sf = standard_funnel(quota, d.avg_deal.value, sc.funnel, weeks_per_stage=1,
                             weeks=sc.quota.weeks_per_quarter,
                             new_per_rep_per_week=d.new_per_rep.value)
        d.values = {"quarter_quota": quota, "deals_needed": sf.deals_needed,
                    "wins_per_week": sf.wins_per_week, "new_per_week": sf.new_per_week,
                    "reps_needed": sf.reps_needed, "stage_counts": sf.stage_counts,
                    "decomposition": dec, "standard": sf}
        d.headline.value = table_html([
            (t("quarter_quota", lang), f"{quota:.1f} 万"),
            (t("deals_needed", lang), f"{sf.deals_needed:.0f}"),
            (t("wins_per_week", lang), f"{sf.wins_per_week:.1f}"),
            (t("new_per_week", lang), f"{sf.new_per_week:.1f}"),
            (t("reps_needed", lang), f"{sf.reps_needed:.1f}"),
        ], "simkit-headline-table")
        d.table.value = _stage_table(sf.stages, {
            t("deals_in_stage", lang): [f"{c:.1f}" for c in sf.stage_counts]}, lang)
        if chart:
            from simkit.workbook.plots import funnel_chart

            # The title carries the headcount, so every slider visibly changes the chart.
            title = (f"{t('standard_funnel_title', lang)}: {sf.reps_needed:.1f} "
                     f"{t('reps', lang).lower()}")
            show_chart(d.chart, funnel_chart, sf.stages, sf.stage_counts, lang=lang, title=title)

    return Dashboard("headcount", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())),
                                               W.VBox([d.headline, d.table])]), d.chart]))


def large_projects_dashboard(lang: str | None = None, amounts=(600, 400, 300, 250, 200), *,
                             chart: bool = True) -> Dashboard:
    """Lesson 5: open amount per stage -> expected revenue, collection forecast and amount gap."""
    lang = resolve_lang(lang)
    sc = preset("large-projects")
    stages = sc.funnel.names
    controls = {
        f"amount_{s}": slider(f"stage.{s}", float(a), 0.0, 2000.0, 10.0, lang=lang, fmt=".0f",
                              css=f"simkit-slider-amount-{s}")
        for s, a in zip(stages, amounts)
    }
    for s in stages:
        controls[f"amount_{s}"].description = f"{stage_label(s, lang)} ({t('open_amount', lang)})"
    controls["signable"] = W.SelectMultiple(
        options=[(stage_label(s, lang), s) for s in stages], value=("negotiation",),
        description=t("signable", lang), rows=len(stages), style={"description_width": "15em"})
    controls["won_collection"] = slider("won_collection", 40.0, 0.0, 500.0, 5.0, lang=lang,
                                        fmt=".0f")
    controls["quota"] = slider("large_quota", 130.0, 0.0, 1000.0, 5.0, lang=lang, fmt=".0f")
    outputs = {"headline": html_out("simkit-headline"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        f = large_project_forecast([d.controls[f"amount_{s}"].value for s in stages], sc.funnel,
                                   won_expected_collection=d.won_collection.value,
                                   signable_stages=tuple(d.signable.value), quota=d.quota.value)
        d.values = {"forecast": f, "expected_total": f.expected_total,
                    "collection_forecast": f.collection_forecast, "gap": f.gap,
                    "expected_by_stage": f.expected_by_stage}
        d.headline.value = table_html([
            (t("expected_total", lang), f"{f.expected_total:.1f}"),
            (t("collection_forecast", lang), f"{f.collection_forecast:.1f}"),
            (t("amount_gap", lang), f"{f.gap:.1f}"),
        ], "simkit-headline-table")
        if chart:
            from simkit.workbook.plots import bar_chart

            signable = set(f.signable_stages)
            show_chart(d.chart, bar_chart, [stage_label(s, lang) for s in stages],
                       f.expected_by_stage, title=t("expected_revenue_title", lang),
                       ylabel=t("expected_revenue", lang), lang=lang,
                       highlight=[s in signable for s in stages])

    return Dashboard("large_projects", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())), d.headline]),
                                       d.chart]))


def forecast_dashboard(lang: str | None = None, *, chart: bool = True) -> Dashboard:
    """Lesson 6: realised + committed x 75% + possible x 25% + quota x 4% x weeks remaining."""
    lang = resolve_lang(lang)
    controls = {
        "quota": field_slider(Quota, "team_per_quarter", 240.0, key="quota", lang=lang,
                              hi=2000.0, step=5.0, fmt=".0f"),
        "realised": slider("realised", 100.0, 0.0, 1000.0, 5.0, lang=lang, fmt=".0f",
                           css="simkit-slider-realised"),
        "committed": slider("committed", 80.0, 0.0, 1000.0, 5.0, lang=lang, fmt=".0f",
                            css="simkit-slider-committed"),
        "possible": slider("possible", 60.0, 0.0, 1000.0, 5.0, lang=lang, fmt=".0f"),
        "weeks_remaining": field_slider(Quota, "weeks_per_quarter", 4, key="weeks_remaining",
                                        lang=lang, lo=0, hi=12, step=1, integer=True),
        "committed_weight": slider("committed_weight", 0.75, 0.0, 1.0, 0.05, lang=lang,
                                   fmt=".0%"),
        "possible_weight": slider("possible_weight", 0.25, 0.0, 1.0, 0.05, lang=lang, fmt=".0%"),
    }
    outputs = {"headline": html_out("simkit-headline"), "chart": output("simkit-chart")}

    def compute(d: Dashboard) -> None:
        f = revenue_forecast(d.quota.value, d.realised.value, d.committed.value,
                             d.possible.value, d.weeks_remaining.value,
                             committed_weight=d.committed_weight.value,
                             possible_weight=d.possible_weight.value)
        d.values = {"forecast": f.forecast, "completion": f.completion, "gap": f.gap,
                    "result": f}
        d.headline.value = table_html([
            (t("forecast", lang), f"{f.forecast:.1f}"),
            (t("completion", lang), f"{f.completion:.0%}"),
            (t("gap", lang), f"{f.gap:.1f}"),
        ], "simkit-headline-table")
        if chart:
            from simkit.workbook.plots import bar_chart

            parts = [f.realised, f.committed_part, f.possible_part, f.unforecast_part]
            keys = ["realised_part", "committed_part", "possible_part", "unforecast_part"]
            show_chart(d.chart, bar_chart, [t(k, lang) for k in keys], parts,
                       title=t("forecast_title", lang), ylabel=t("amount", lang), lang=lang)

    return Dashboard("forecast", lang, controls, outputs, compute,
                     lambda d: W.VBox([W.HBox([W.VBox(list(d.controls.values())), d.headline]),
                                       d.chart]))
