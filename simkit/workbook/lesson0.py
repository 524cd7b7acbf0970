"""Lesson 0's dashboard: a plan met on average is missed about half the time.

The small-projects team is simulated once (``replications`` quarters on a
fixed seed); the slider sets the quota as a share of what the team sells on
average, and the page shows the share of simulated quarters that miss it.
Moving the slider re-reads the same quarters (the team sells the same
whatever the quota), so it is instant. The sentence under the numbers is
generated from the computed probability, so it cannot disagree with it.
"""

from __future__ import annotations

import numpy as np

from simkit.model.presets import DEFAULT_PRESET, preset
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.workbook._common import Dashboard, html_out, output, resolve_lang, show_chart, slider, table_html

__all__ = ["PLAN_REPLICATIONS", "miss_phrase", "plan_dashboard"]

PLAN_REPLICATIONS = 400

_T = {
    "plan_level": ("Quota as a share of the average result", "指标占平均业绩的比例"),
    "quota": ("Quota this quarter, 万", "本季度指标（万）"),
    "average": ("Average won per quarter, 万", "平均每季度成交额（万）"),
    "p_miss": ("Quarters that miss the quota", "未完成指标的季度"),
    "p_make": ("Quarters that make it", "完成指标的季度"),
}


def _t(key: str, lang: str) -> str:
    return _T[key][0 if lang == "en" else 1]


def miss_phrase(p_miss: float, lang: str = "en") -> str:
    """How often, in words, a plan is missed with probability ``p_miss`` (0..1)."""
    if not 0 <= p_miss <= 1:
        raise ValueError(f"p_miss must be within 0..1, got {p_miss}")
    if p_miss >= 0.65:
        return "more often than not" if lang == "en" else "多数时候"
    if p_miss >= 0.35:
        return "about half the time" if lang == "en" else "大约一半的时候"
    if p_miss >= 0.1:
        n = round(1 / p_miss)
        return f"about one quarter in {n}" if lang == "en" else f"大约每 {n} 个季度一次"
    return "rarely" if lang == "en" else "很少"


def _sentence(level: float, p_miss: float, lang: str) -> str:
    if lang == "en":
        return (f"A plan set at {level:.0%} of what the team sells on average is missed in "
                f"{p_miss:.0%} of simulated quarters: <b>{miss_phrase(p_miss, lang)}</b>.")
    return (f"指标定在团队平均业绩的 {level:.0%} 时，{p_miss:.0%} 的模拟季度未完成："
            f"<b>{miss_phrase(p_miss, lang)}</b>。")


def plan_dashboard(lang: str | None = None, scenario=DEFAULT_PRESET, *,
                   replications: int = PLAN_REPLICATIONS, seed: int = DEFAULT_SEED,
                   chart: bool = True) -> Dashboard:
    """Lesson 0: how often a quota set at the team's average result is missed."""
    lang = resolve_lang(lang)
    sc = preset(scenario) if isinstance(scenario, str) else scenario
    res = simulate(sc, replications=replications, seed=seed)
    tq = res.team_quarters
    won = tq["won_amount"].to_numpy(dtype=float)
    average = float(np.mean(won))
    controls = {"level": slider("wins_per_week", 1.0, 0.7, 1.3, 0.05, lang=lang, fmt=".0%",
                                css="simkit-slider-plan-level")}
    controls["level"].description = _t("plan_level", lang)
    outputs = {"headline": html_out("simkit-headline"), "message": html_out("simkit-message"),
               "seed_label": html_out("simkit-seed"), "chart": output("simkit-chart")}
    outputs["message"].add_class("simkit-headline")

    def compute(d: Dashboard) -> None:
        level = float(d.level.value)
        quota = level * average
        attainment = won / quota
        p_miss = float(np.mean(attainment < 1.0))
        d.values = {"level": level, "quota": quota, "average": average, "p_miss": p_miss,
                    "p_make": 1 - p_miss, "phrase": miss_phrase(p_miss, lang),
                    "replications": replications, "seed": seed}
        d.headline.value = table_html([
            (_t("average", lang), f"{average:.1f}"),
            (_t("quota", lang), f"{quota:.1f}"),
            (_t("p_miss", lang), f"{p_miss:.0%}"),
            (_t("p_make", lang), f"{1 - p_miss:.0%}"),
        ], "simkit-headline-table")
        d.message.value = f"<p class='simkit-message-text'>{_sentence(level, p_miss, lang)}</p>"
        seed_text = (f"seed {seed}, {replications} simulated quarters" if lang == "en"
                     else f"随机种子 {seed}，{replications} 个模拟季度")
        d.seed_label.value = f"<small>{seed_text}</small>"
        if chart:
            from simkit.workbook.plots import attainment_histogram

            show_chart(d.chart, attainment_histogram, attainment, lang=lang)

    return Dashboard("plan", lang, controls, outputs, compute,
                     lambda d: _layout(d))


def _layout(d: Dashboard):
    import ipywidgets as W

    return W.VBox([W.HBox([d.level, W.VBox([d.headline, d.message, d.seed_label])]), d.chart])
