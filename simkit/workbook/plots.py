"""Charts for the workbook: matplotlib figures from results and analysis tables.

Every function returns a :class:`matplotlib.figure.Figure` of a fixed size
(nbval compares a figure's text form, which includes its size), built
without pyplot so no global figure list grows while sliders move. Labels come
from :mod:`simkit.course.i18n`. matplotlib is imported inside the functions, so
``import simkit`` works without the notebook extras.

Chinese labels need a CJK font (WenQuanYi Micro Hei, Noto Sans CJK SC, Source
Han Sans SC, SimHei, Microsoft YaHei, PingFang SC, ...; on Debian
``apt-get install fonts-wqy-microhei``); when none is installed the charts
fall back to English rather than drawing empty boxes (widgets and tables
still show Chinese, the browser has the fonts).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from simkit.course.i18n import get_language, stage_label, t

__all__ = [
    "FIGSIZE",
    "PROJECTOR_FIGSIZE",
    "PROJECTOR_MIN_PT",
    "attainment_histogram",
    "backtest_chart",
    "bar_chart",
    "bookings_data",
    "calibration_chart",
    "chart_language",
    "coaching_chart",
    "cumulative_bookings",
    "cumulative_bookings_from",
    "funnel_chart",
    "headcount_curve",
    "forecast_figure",
    "headline_data",
    "headline_figure",
    "headline_figure_from",
    "interval_chart",
    "payout_curve",
    "projector_style",
    "quarter_chart",
    "quarter_chart_from",
    "quarter_data",
    "sweep_heatmap",
]

FIGSIZE = (6.4, 3.6)
WIDE = (13.0, 3.8)
# The app's charts, for a 1280x720 projector: drawn at 100 dpi beside the
# controls (about 700 px wide), no text smaller than 12 pt (16 px drawn).
PROJECTOR_FIGSIZE = (7.0, 4.8)
PROJECTOR_TALL = (7.0, 5.6)
PROJECTOR_MIN_PT = 12.0
_PROJECTOR_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13,
                 "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 12}
_style = {"projector": False}


def projector_style(on: bool = True) -> None:
    """Draw the following charts for a projector (the app's pages), or as in the workbook.

    Projector charts are sized for the right-hand column of a 1280x720 page and
    use no text under :data:`PROJECTOR_MIN_PT`; the workbook's sizes (which
    its checked notebooks record) do not change.
    """
    _style["projector"] = bool(on)


def _size(size):
    if not _style["projector"]:
        return size
    return PROJECTOR_TALL if size == WIDE else PROJECTOR_FIGSIZE


def _pt(size: float) -> float:
    """An explicit font size, never under the projector's minimum in projector style."""
    return max(size, PROJECTOR_MIN_PT) if _style["projector"] else size
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")
_CJK_FILE_HINTS = ("wqy", "noto", "cjk", "sourcehan", "simhei", "msyh", "pingfang", "hei")
_BLUE, _ORANGE, _GREY, _GREEN = "#3b6ea5", "#d9822b", "#8a8a8a", "#2e7d32"


@cache
def _cjk_font() -> str | None:
    """The first CJK-capable font matplotlib can use, or None."""
    from matplotlib import font_manager

    fm = font_manager.fontManager
    have = {f.name for f in fm.ttflist}
    found = next((f for f in _CJK_FONTS if f in have), None)
    if found is None:
        # matplotlib caches its font list when it first runs: a font installed after
        # that (apt-get install fonts-wqy-microhei into an existing venv) is missing
        # from the cache, so look at the system's font files once and add new ones.
        known = {f.fname for f in fm.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known and any(k in path.lower() for k in _CJK_FILE_HINTS):
                try:
                    fm.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        have = {f.name for f in fm.ttflist}
        found = next((f for f in _CJK_FONTS if f in have), None)
    return found


def chart_language(lang: str | None = None) -> str:
    """The language charts are drawn in: ``lang`` unless Chinese has no font here."""
    lang = get_language() if lang is None else lang
    return "zh" if lang == "zh" and _cjk_font() else "en"


def _figure(size=FIGSIZE, ncols: int = 1, lang: str = "en", nrows: int = 1):
    from matplotlib.figure import Figure

    rc = dict(_PROJECTOR_RC) if _style["projector"] else {}
    if lang == "zh":
        rc |= {"font.family": ["sans-serif"], "font.sans-serif": [_cjk_font(), "DejaVu Sans"]}
    import matplotlib

    with matplotlib.rc_context(rc):
        fig = Figure(figsize=_size(size), layout="constrained")
        axes = fig.subplots(nrows, ncols)
    if lang == "zh":
        for ax in np.atleast_1d(axes):
            _use_font(ax, _cjk_font())
    return fig, axes


def _use_font(ax, family: str) -> None:
    # Text added later picks its family from rcParams at creation time, so the
    # helpers below pass ``fontfamily`` through this attribute.
    ax._simkit_font = family


def _font(ax) -> dict:
    fam = getattr(ax, "_simkit_font", None)
    return {"fontfamily": [fam, "DejaVu Sans"]} if fam else {}


def _stage_names(stages: Sequence[str], lang: str) -> list[str]:
    if lang == "zh":
        return [stage_label(s, "zh") for s in stages]
    return [f"{s}" for s in stages]


def funnel_chart(stages: Sequence[str], counts: Sequence[float], *, lang: str | None = None,
                 title: str | None = None, ax=None):
    """A funnel: one centred bar per stage, widest first, with the count on it."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    counts = np.asarray(counts, dtype=float)
    y = np.arange(len(counts))[::-1]
    ax.barh(y, counts, left=-counts / 2, color=_BLUE, height=0.8)
    names = _stage_names(stages, lang)
    # Deal counts as the course writes them: whole deals, a decimal only below ten.
    ax.set_yticks(y, [f"{n}  {c:,.0f}" if c >= 10 else f"{n}  {c:,.1f}"
                      for n, c in zip(names, counts)], **_font(ax))
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or t("funnel_title", lang), **_font(ax))
    return fig if fig is not None else ax.figure


def attainment_histogram(attainment: Sequence[float], *, lang: str | None = None, ax=None,
                         quota: float = 1.0):
    """Distribution of attainment over simulated quarters, the quota line, and the share above it."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    a = np.asarray(attainment, dtype=float)
    lo, hi = min(0.5, float(np.min(a)) - 0.05), max(1.5, float(np.max(a)) + 0.05)
    bins = np.linspace(lo, hi, 31)
    weights = np.full(len(a), 1 / len(a)) if len(a) else None
    ax.hist(a[a < quota], bins=bins, weights=weights[a < quota] if len(a) else None, color=_GREY)
    ax.hist(a[a >= quota], bins=bins, weights=weights[a >= quota] if len(a) else None,
            color=_BLUE)
    ax.axvline(quota, color=_ORANGE, lw=2)
    # Headroom above the tallest bar, so the quota label sits clear of the bars.
    top = ax.get_ylim()[1] * 1.25
    ax.set_ylim(0, top)
    # The share of quarters at or above the quota, said as such ("quota 14%" read as a
    # quota of 14%); on the line's left when the line is in the right part of the chart.
    right = quota > lo + 0.6 * (hi - lo)
    label = t("quota_reached", lang, share=f"{np.mean(a >= quota):.0%}")
    ax.text(quota, top * 0.97, f"{label} " if right else f" {label}", ha="right" if right
            else "left", color=_ORANGE, va="top", fontsize=_pt(10), **_font(ax))
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel(t("attainment_axis", lang), **_font(ax))
    ax.set_ylabel(t("replications_axis", lang), **_font(ax))
    ax.set_title(t("attainment_hist_title", lang), **_font(ax))
    return fig if fig is not None else ax.figure


def cumulative_bookings(results, *, quarter: int = 1, lang: str | None = None, ax=None):
    """Won amount accumulated week by week in a quarter: median and 10-90% band vs the quota."""
    return cumulative_bookings_from(**bookings_data(results, quarter), lang=lang, ax=ax)


def bookings_data(results, quarter: int = 1) -> dict:
    """What :func:`cumulative_bookings` draws, as plain values (``weeks``, ``curves``,
    ``quota``): the arguments of :func:`cumulative_bookings_from`."""
    weeks, curves = bookings_curves(results, quarter)
    return {"weeks": weeks, "curves": curves,
            "quota": results.scenario.quota.team_per_quarter}


def cumulative_bookings_from(weeks, curves, quota: float, *, lang: str | None = None, ax=None):
    """:func:`cumulative_bookings` from :func:`bookings_data`'s values (no results needed)."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    lo, med, hi = np.quantile(curves, [0.1, 0.5, 0.9], axis=0)
    ax.fill_between(weeks, lo, hi, color=_BLUE, alpha=0.25, label=t("band", lang))
    ax.plot(weeks, med, color=_BLUE, lw=2, label=t("median", lang))
    ax.axhline(quota, color=_ORANGE, lw=2, label=t("quota_line", lang))
    ax.plot([weeks[0], weeks[-1]], [0, quota], color=_ORANGE, lw=1, ls="--")
    ax.set_xlabel(t("week_axis", lang), **_font(ax))
    ax.set_ylabel(t("cumulative_axis", lang), **_font(ax))
    ax.set_title(t("cumulative_title", lang), **_font(ax))
    # Away from the quota line: lower right (below the rising curves) when the line is
    # in the upper half; upper left (above the curves' start) when a quarter far above
    # quota pushes it into the lower half.
    low, top = ax.get_ylim()
    loc = "lower right" if quota >= low + 0.5 * (top - low) else "upper left"
    ax.legend(loc=loc, prop={"size": _pt(8),
                             "family": _font(ax).get("fontfamily", "sans-serif")})
    return fig if fig is not None else ax.figure


def bookings_curves(results, quarter: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(weeks 0..W of the quarter, replications x weeks cumulative won amount incl. realised)."""
    sc = results.scenario
    wpq = sc.quota.weeks_per_quarter
    t0 = (quarter - 1) * wpq
    weeks = np.arange(wpq + 1, dtype=float)
    weekly = getattr(results, "weekly_won", None)
    if weekly is not None:  # the fast path binned them as it ran
        curves = weekly[:, quarter - 1, :].copy()
    else:
        d = results.deals
        won = d[(d["outcome"] == "won") & (d["closed_at"] >= t0) & (d["closed_at"] < t0 + wpq)]
        curves = np.zeros((results.replications, len(weeks)))
        # Amount won by the end of each week: bin by week, then cumulate.
        idx = np.clip(np.ceil(won["closed_at"].to_numpy() - t0).astype(int), 0, wpq)
        np.add.at(curves, (won["replication"].to_numpy(), idx), won["amount"].to_numpy())
    curves = np.cumsum(curves, axis=1)
    if quarter == 1:
        start = sc.horizon.start
        curves += start.realised
        curves[:, weeks < start.week] = np.nan
    return weeks, curves


def headline_figure(results, *, lang: str | None = None):
    """The headline dashboard's three panels: attainment histogram, bookings, open funnel."""
    return headline_figure_from(**headline_data(results), lang=lang)


def headline_data(results, *, funnel: bool | None = None) -> dict:
    """What :func:`headline_figure` draws, as plain values: the arguments of
    :func:`headline_figure_from`. ``funnel``: whether to include the open funnel (the
    third panel, not drawn in projector style); by default when the style draws it."""
    data = {"attainment": results.team_quarters["attainment"].to_numpy(dtype=float),
            **bookings_data(results)}
    if funnel is None:
        funnel = not _style["projector"]
    if funnel:
        snap = results.snapshots
        mean = (snap[snap["week"] == snap["week"].min()]
                .groupby("stage", observed=False)["count"].mean())
        data |= {"stages": list(mean.index), "counts": mean.to_numpy()}
    return data


def headline_figure_from(attainment, weeks, curves, quota: float,
                         stages: Sequence[str] | None = None, counts=None, *,
                         lang: str | None = None):
    """:func:`headline_figure` from :func:`headline_data`'s values (no results needed)."""
    lang = chart_language(lang)
    if _style["projector"]:
        # Beside the controls on a projector: the two panels that carry the
        # lesson, one above the other, large enough to read from the back.
        fig, (a1, a2) = _figure(WIDE, nrows=2, lang=lang)
        attainment_histogram(attainment, lang=lang, ax=a1)
        cumulative_bookings_from(weeks, curves, quota, lang=lang, ax=a2)
        return fig
    if stages is None:
        raise ValueError("headline_figure_from: the open funnel (stages, counts) is needed "
                         "outside projector style; see headline_data")
    fig, (a1, a2, a3) = _figure(WIDE, ncols=3, lang=lang)
    attainment_histogram(attainment, lang=lang, ax=a1)
    cumulative_bookings_from(weeks, curves, quota, lang=lang, ax=a2)
    funnel_chart(stages, counts, lang=lang, ax=a3)
    return fig


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, ylabel: str,
              lang: str | None = None, highlight: Sequence[bool] | None = None, ax=None):
    """Plain bars with their values written on top (expected revenue by stage, forecast parts)."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    values = np.asarray(values, dtype=float)
    colors = [_BLUE if (highlight is None or h) else _GREY
              for h in (highlight if highlight is not None else [True] * len(values))]
    x = np.arange(len(values))
    ax.bar(x, values, color=colors)
    for xi, v in zip(x, values):
        ax.text(xi, v, f"{v:,.1f}", ha="center", va="bottom", fontsize=_pt(9))
    ax.set_xticks(x, list(labels), **_font(ax))
    ax.set_ylabel(ylabel, **_font(ax))
    ax.set_title(title, **_font(ax))
    return fig if fig is not None else ax.figure


def sweep_heatmap(table: pd.DataFrame, x: str, y: str, value: str, *, lang: str | None = None,
                  title: str | None = None, fmt: str = "{:.0%}", ax=None,
                  xlabel: str | None = None, ylabel: str | None = None, se: str | None = None):
    """A heat map of ``value`` over a two-parameter sweep table (one row per grid point);
    the axes are labelled with the column names unless ``xlabel`` / ``ylabel`` are given.
    With ``se`` (a column of standard errors, such as a sweep table's ``"se"``) each cell
    shows its value and, below it, ± its standard error."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index()
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="RdYlGn", vmin=0,
                   vmax=max(1.0, float(np.nanmax(grid.to_numpy()))))
    err = (table.pivot_table(index=y, columns=x, values=se, aggfunc="mean").sort_index()
           .reindex(index=grid.index, columns=grid.columns).to_numpy() if se else None)
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        label = fmt.format(v) if err is None else f"{fmt.format(v)}\n±{fmt.format(err[i, j])}"
        ax.text(j, i, label, ha="center", va="center", fontsize=_pt(8))
    ax.set_xticks(range(grid.shape[1]), [f"{c:g}" for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{r:g}" for r in grid.index])
    ax.set_xlabel(xlabel or x, **_font(ax))
    ax.set_ylabel(ylabel or y, **_font(ax))
    ax.set_title(title or t("heatmap_title", lang), **_font(ax))
    ax.figure.colorbar(im, ax=ax)
    return fig if fig is not None else ax.figure


def payout_curve(commission, quota: float, attainment: Sequence[float] | None = None, *,
                 lang: str | None = None, ax=None):
    """A commission plan's payout against attainment, with the simulated reps' attainment below."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    x = np.linspace(0, 2.0, 201)
    ax.plot(x, commission.payout(x * quota, quota), color=_BLUE, lw=2)
    ax.axvline(1.0, color=_ORANGE, lw=1.5)
    if attainment is not None and len(attainment):
        a = np.clip(np.asarray(attainment, dtype=float), 0, 2.0)
        ax2 = ax.twinx()
        ax2.hist(a, bins=np.linspace(0, 2.0, 41), color=_GREY, alpha=0.35)
        ax2.set_yticks([])
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel(t("attainment_axis", lang), **_font(ax))
    ax.set_ylabel(t("payout_axis", lang), **_font(ax))
    ax.set_title(t("payout_title", lang), **_font(ax))
    return fig if fig is not None else ax.figure


def quarter_chart(results, *, lang: str | None = None):
    """Team attainment by quarter (mean, 10-90% band, share of runs at quota) and headcount."""
    return quarter_chart_from(quarter_data(results), lang=lang)


def quarter_data(results) -> pd.DataFrame:
    """What :func:`quarter_chart` draws: the team quarters' ``quarter``, ``attainment`` and
    (when simulated) ``headcount`` columns, a copy (the argument of :func:`quarter_chart_from`)."""
    tq = results.team_quarters
    return tq[[c for c in ("quarter", "attainment", "headcount") if c in tq.columns]].copy()


def quarter_chart_from(team_quarters: pd.DataFrame, *, lang: str | None = None):
    """:func:`quarter_chart` from :func:`quarter_data`'s table (no results needed)."""
    lang = chart_language(lang)
    fig, ax = _figure(FIGSIZE, lang=lang)
    tq = team_quarters
    g = tq.groupby("quarter")
    q = np.asarray(sorted(tq["quarter"].unique()))
    mean = g["attainment"].mean().to_numpy()
    lo, hi = g["attainment"].quantile(0.1).to_numpy(), g["attainment"].quantile(0.9).to_numpy()
    hit = g["attainment"].apply(lambda a: float(np.mean(a >= 1.0))).to_numpy()
    ax.bar(q, mean, color=[_BLUE if m >= 1 else _GREY for m in mean], width=0.6)
    ax.errorbar(q, mean, yerr=[mean - lo, hi - mean], fmt="none", ecolor="black", capsize=4,
                lw=1)
    ax.axhline(1.0, color=_ORANGE, lw=2)
    for x, m, h in zip(q, mean, hit):
        ax.text(x, 0.04, f"{m:.0%}\nP {h:.0%}", ha="center", va="bottom", fontsize=_pt(8),
                color="white")
    ax.set_xticks(q, [t("quarter_n", lang, n=int(x)) for x in q], **_font(ax))
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylim(0, max(1.3, float(np.nanmax(hi)) + 0.05))
    ax.set_ylabel(t("attainment_axis", lang), **_font(ax))
    ax.set_title(t("quarter_title", lang), **_font(ax))
    if "headcount" in tq.columns:
        ax2 = ax.twinx()
        ax2.plot(q, g["headcount"].mean().to_numpy(), color=_GREEN, marker="o", lw=1.5, ls="--")
        ax2.set_ylim(0, float(g["headcount"].mean().max()) * 1.4)
        ax2.set_ylabel(t("headcount_axis", lang), color=_GREEN, **_font(ax))
    return fig


def coaching_chart(reps: pd.DataFrame, balance: pd.DataFrame, time_in_step: pd.DataFrame, *,
                   lang: str | None = None, labels: Sequence[str] | None = None):
    """The whole team at once: yield (wins a week against the target), balance (share of
    open deals by stage) and median days in each step, one row per rep (Rep 1 at the top)."""
    lang = chart_language(lang)
    fig, (a1, a2, a3) = _figure(WIDE, ncols=3, lang=lang)
    n = len(reps)
    labels = list(labels) if labels is not None else [f"{t('rep', lang)} {i + 1}"
                                                      for i in range(n)]
    y = np.arange(n)[::-1]
    a1.barh(y, reps["wins_per_week"].to_numpy(dtype=float), color=_BLUE)
    if "target_wins_per_week" in reps:
        a1.axvline(float(reps["target_wins_per_week"].mean()), color=_ORANGE, lw=2)
    a1.set_yticks(y, labels, **_font(a1))
    a1.set_title(t("wins_per_week_rep", lang), **_font(a1))
    left = np.zeros(n)
    stages = list(balance.columns)
    shades = [_GREY, _BLUE, _GREEN, _ORANGE]
    for k, stage in enumerate(stages):
        share = balance[stage].reindex(reps.index).fillna(0).to_numpy(dtype=float)
        a2.barh(y, share, left=left, color=shades[k % len(shades)],
                label=_stage_names([stage], lang)[0])
        left += share
    a2.set_xlim(0, 1)
    a2.xaxis.set_major_formatter(_percent())
    a2.set_yticks(y, [""] * n)
    a2.set_title(t("balance", lang).split(" (")[0], **_font(a2))
    a2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(stages),
              frameon=False, prop={"size": _pt(8),
                                   "family": _font(a2).get("fontfamily", "sans-serif")})
    days = time_in_step["median_days"].unstack("stage").reindex(reps.index)
    days = days[[s for s in stages if s in days.columns]]
    height = 0.8 / max(1, days.shape[1])
    for k, stage in enumerate(days.columns):
        a3.barh(y + 0.4 - height * (k + 0.5), days[stage].to_numpy(dtype=float), height=height,
                color=shades[k % len(shades)])
    a3.set_yticks(y, [""] * n)
    a3.set_title(_DAYS_TITLE[lang], **_font(a3))
    return fig


_DAYS_TITLE = {"en": "days in step", "zh": "阶段时间（天）"}


def headcount_curve(plan, *, lang: str | None = None, ax=None):
    """The headcount solver's curve: P(team reaches quota) by starting reps, the target line,
    and the answer marked."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    c = plan.curve.sort_values("reps")
    ax.errorbar(c["reps"], c["probability"], yerr=1.96 * c["se"], color=_BLUE, marker="o",
                capsize=3, lw=1.5)
    ax.axhline(plan.target, color=_ORANGE, lw=1.5, ls="--")
    if plan.reps is not None:
        ax.axvline(plan.reps, color=_ORANGE, lw=1)
        ax.annotate(f" {plan.reps} {t('reps', lang).lower()}", (plan.reps, plan.probability),
                    xytext=(4, -14), textcoords="offset points", color=_ORANGE, **_font(ax))
    ax.set_ylim(-0.03, 1.05)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel(t("starting_reps", lang), **_font(ax))
    ax.set_ylabel(t("p_quota", lang), **_font(ax))
    ax.set_title(t("solver_title", lang, target=f"{plan.target:.0%}"), **_font(ax))
    return fig if fig is not None else ax.figure


def calibration_chart(report: dict, *, lang: str | None = None):
    """A CRM calibration, fitted against observed: the censoring-aware incidence of won and lost
    by week, and time-to-win quantiles (observed against the fitted gamma)."""
    lang = chart_language(lang)
    fig, (a1, a2) = _figure(FIGSIZE, ncols=2, lang=lang)
    inc = report["incidence"]
    a1.step(inc["weeks"], inc["cif_won"], where="post", color=_BLUE, label=t("won", lang))
    a1.step(inc["weeks"], inc["cif_lost"], where="post", color=_GREY, label=t("lost", lang))
    a1.yaxis.set_major_formatter(_percent())
    a1.set_xlabel(t("weeks_since_created", lang), **_font(a1))
    a1.set_title(t("incidence_title", lang), **_font(a1))
    a1.legend(prop={"size": _pt(8), "family": _font(a1).get("fontfamily", "sans-serif")})
    tt = report["time_to_win"]
    a2.plot(tt["observed_weeks"], tt["fitted_weeks"], "o", color=_BLUE)
    top = float(np.nanmax(tt[["observed_weeks", "fitted_weeks"]].to_numpy())) * 1.05
    a2.plot([0, top], [0, top], color=_ORANGE, lw=1, ls="--")
    a2.set_xlabel(t("observed_weeks", lang), **_font(a2))
    a2.set_ylabel(t("fitted_weeks", lang), **_font(a2))
    a2.set_title(t("time_to_win_title", lang), **_font(a2))
    return fig


def backtest_chart(result, target: str = "wins", *, lang: str | None = None):
    """A back-test: each cutoff's actual next quarter against the model (with its 80% interval)
    and the two naive baselines."""
    lang = chart_language(lang)
    fig, ax = _figure(FIGSIZE, lang=lang)
    tab = result.table[(result.table["cutoff"] != "all") & (result.table["target"] == target)]
    w = tab.pivot_table(index=["cutoff", "metric"], columns="method", values="value",
                        aggfunc="first", dropna=False)
    cutoffs = sorted(tab["cutoff"].unique())
    x = np.arange(len(cutoffs))
    methods = [("model", _BLUE), ("last_quarter", _GREY), ("mean_two_quarters", "#c9c9c9")]
    for k, (m, color) in enumerate(methods):
        f = [w.loc[(c, "forecast"), m] for c in cutoffs]
        ax.bar(x + (k - 1) * 0.25, f, width=0.25, color=color, label=t(m, lang))
    p10 = np.array([w.loc[(c, "p10"), "model"] for c in cutoffs])
    p90 = np.array([w.loc[(c, "p90"), "model"] for c in cutoffs])
    mid = np.array([w.loc[(c, "forecast"), "model"] for c in cutoffs])
    ax.errorbar(x - 0.25, mid, yerr=[mid - p10, p90 - mid], fmt="none", ecolor="black",
                capsize=3, lw=1)
    actual = [w.loc[(c, "actual"), "model"] for c in cutoffs]
    ax.hlines(actual, x - 0.4, x + 0.4, color=_ORANGE, lw=2.5, zorder=3, label=t("actual", lang))
    ax.set_xticks(x, cutoffs)
    ax.set_ylabel(t("wins_next_quarter" if target == "wins" else "won_next_quarter", lang),
                  **_font(ax))
    ax.set_title(t("backtest_title", lang), **_font(ax))
    ax.legend(loc="lower right", prop={"size": _pt(8),
                                       "family": _font(ax).get("fontfamily", "sans-serif")})
    return fig


def interval_chart(names: Sequence[str], p10, p50, p90, actual, *, title: str, xlabel: str,
                   lang: str | None = None, ax=None):
    """One row per rep: the forecast's 80% interval (P10 to P90) as a bar, its median as a
    dot and what happened as a cross (lesson 10's page)."""
    lang = chart_language(lang)
    fig = None
    if ax is None:
        fig, ax = _figure(FIGSIZE, lang=lang)
    n = len(names)
    y = np.arange(n)[::-1]
    lo, mid, hi = (np.asarray(v, dtype=float) for v in (p10, p50, p90))
    ax.barh(y, hi - lo, left=lo, height=0.5, color=_BLUE, alpha=0.35,
            label=t("cal.interval", lang))
    ax.plot(mid, y, "o", color=_BLUE, label=t("cal.median", lang))
    ax.plot(np.asarray(actual, dtype=float), y, "x", color=_ORANGE, ms=10, mew=2.5,
            label=t("actual", lang))
    ax.set_yticks(y, list(names), **_font(ax))
    ax.set_xlabel(xlabel, **_font(ax))
    ax.set_xlim(left=0)
    ax.set_title(title, **_font(ax))
    ax.legend(loc="best", prop={"size": _pt(8),
                                "family": _font(ax).get("fontfamily", "sans-serif")})
    return fig if fig is not None else ax.figure


def forecast_figure(team_total, quota: float, names: Sequence[str], p10, p50, p90, actual, *,
                    title: str, xlabel: str, lang: str | None = None):
    """Lesson 10's page: the team's simulated quarters against the quota (the share at or
    above it is the chance of making it) and every rep's 80% interval beside what happened."""
    lang = chart_language(lang)
    if _style["projector"]:
        fig, (a1, a2) = _figure(WIDE, nrows=2, lang=lang)
    else:
        fig, (a1, a2) = _figure(WIDE, ncols=2, lang=lang)
    total = np.asarray(team_total, dtype=float)
    attainment_histogram(total / quota if quota > 0 else total * np.nan, lang=lang, ax=a1)
    interval_chart(names, p10, p50, p90, actual, title=title, xlabel=xlabel, lang=lang, ax=a2)
    return fig


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)
