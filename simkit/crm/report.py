"""The calibration report: fitted against observed, as tables (plots optional).

:func:`calibration_report` returns a dict of DataFrames:

- ``parameters``: each scenario parameter, its value, whether it was
  estimated or assumed, the sample behind it and a note;
- ``quality``: the data-quality rules with counts and examples;
- ``time_to_win``: quantiles of the time from creation to a win, the
  censoring-aware observed ones (Aalen-Johansen) against the fitted gamma;
- ``deal_size``: quantiles of won amounts against the fitted lognormal;
- ``incidence``: the cumulative incidence of won and lost by week;
- ``arrivals``: new deals per week in the lookback window;
- ``reps``: per-rep raw and shrunk multipliers, open deals and snapshot;
- ``deal_size_by_<column>``: won amounts by product / source / region;
- with a :class:`.forecast.Forecast`: the split (``forecast_wins``,
  ``forecast_won_amount``), ``p_quota``, ``thin_data`` and ``warnings``
  (:func:`forecast_tables`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from simkit.crm.estimate import Estimate
from simkit.crm.quality import QualityReport
from simkit.crm.survival import LOST, WON
from simkit.model.distributions import Gamma, LogNormal
from simkit.sim.io import atomic_write, atomic_write_table

__all__ = ["calibration_report", "forecast_tables", "plot_calibration", "write_report"]

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _dist_quantiles(dist, q, n: int = 200_000, seed: int = 0) -> np.ndarray:
    # Quantiles by a large fixed-seed sample: no scipy needed, and exact enough for a table.
    x = dist.sample(np.random.default_rng(seed), n)
    return np.quantile(x, q)


def forecast_tables(fc, quota: float | None = None) -> dict:
    """The split a planner reads, thin-data counts and warnings, as tables.

    ``forecast_wins`` / ``forecast_won_amount``: won so far, expected from the
    open pipeline and from deals not yet created, and the total, each with
    mean and P10/P50/P90, team and per rep; ``p_quota``: the chance of making
    ``quota`` (won amount, or wins when the export has no amounts);
    ``thin_data``: won / lost deals behind the fit; ``warnings``: English and
    Chinese.
    """
    out = {"forecast_wins": fc.split("wins"), "forecast_won_amount": fc.split("won_amount"),
           "thin_data": fc.thin_table(),
           "warnings": pd.DataFrame(list(fc.warnings), columns=["en", "zh"])}
    if quota is not None:
        target = "won_amount" if fc.amounts_available else "wins"
        out["p_quota"] = pd.DataFrame([{"quota": quota, "target": target,
                                        "p_make_quota": fc.p_quota(quota, target)}])
    return out


def calibration_report(est: Estimate, quality: QualityReport | None = None,
                       forecast=None) -> dict:
    inc = est.incidence
    m_lost, _, _ = inc.conditional_moments(LOST)
    n_won = int(est.reps["wins"].sum())
    amounts = est.amounts_available
    params = pd.DataFrame([
        ("leads.per_rep_per_week", est.per_rep_per_week, "estimated",
         f"{int(est.reps['arrivals'].sum())} deals, {len(est.reps)} reps",
         (f"mean over {est.lookback_weeks:g} weeks; second half / first half = "
          f"{est.trend:.2f} (constant in the scenario file; the forecast "
          f"projects it: forecast_* tables)")),
        ("funnel win_prob (won)", inc.p_won, "estimated", f"{inc.n} deals, {n_won} won",
         f"Aalen-Johansen, open deals censored, follow-up {inc.tau:.1f} weeks"),
        ("lost share", inc.p_lost, "estimated", "", "not used by the one-stage funnel"),
        ("stalled share", inc.p_stalled, "estimated", "",
         "open beyond the follow-up; counts as not won"),
        ("time to win, mean weeks", est.win_time_mean, "estimated", f"{n_won} wins",
         "gamma fitted to the win incidence's mean and spread"),
        ("time to win, cv", est.win_time_cv, "estimated", "", ""),
        ("time to lose, mean weeks", m_lost, "estimated", "", "reported only"),
        ("deal_size.mean (万)", est.deal_mean, "estimated" if amounts else "not available",
         f"{int(est.reps['deal_wins'].sum())} won amounts",
         "lognormal" if amounts else "no deal values in the export: 1 unit per deal"),
        ("deal_size.cv", est.deal_cv, "estimated" if amounts else "not available", "", ""),
        ("team.reps", float(len(est.reps)), "estimated", "", "reps with deals in the window"),
        ("open deals at cutoff", float(est.reps["open_deals"].sum()), "observed", "", ""),
        ("snapshot deals", float(est.reps["snapshot"].sum()), "estimated", "",
         "open deals weighted by P(won | open at their age) / win_prob"),
        ("funnel stages", 1.0, "assumed", "", "no stage history in the export: one stage"),
        (f"quota per quarter ({'万' if amounts else 'wins'})", est.quota(13), "assumed", "",
         ("won amount" if amounts else "number of wins") + " in the 13 weeks before the "
         "cutoff (as in the scenario file)"),
    ], columns=["parameter", "value", "kind", "sample", "note"])
    fitted_t = Gamma(mean=max(est.win_time_mean, 1e-3), cv=max(est.win_time_cv, 1e-3))
    ttw = pd.DataFrame({"quantile": QUANTILES,
                        "observed_weeks": inc.conditional_quantile(QUANTILES, WON),
                        "fitted_weeks": _dist_quantiles(fitted_t, QUANTILES)})
    out = {"parameters": params, "time_to_win": ttw}
    known_amounts = est.reps["deal_wins"].sum()
    if known_amounts and amounts and np.isfinite(est.deal_mean):
        fitted_a = LogNormal(mean=est.deal_mean, cv=max(est.deal_cv, 1e-3))
        obs = est.deal_amounts
        out["deal_size"] = pd.DataFrame({
            "quantile": QUANTILES,
            "observed": np.quantile(obs, QUANTILES) if len(obs) else np.nan,
            "fitted": _dist_quantiles(fitted_a, QUANTILES)})
    out["incidence"] = pd.DataFrame({"weeks": inc.times, "cif_won": inc.cif_won,
                                     "cif_lost": inc.cif_lost, "at_risk": inc.at_risk})
    out["arrivals"] = est.arrivals_weekly
    out["reps"] = est.reps
    for k, v in est.deal_size_by.items():
        out[f"deal_size_by_{k}"] = v
    if quality is not None:
        out["quality"] = quality.table
    if forecast is not None:
        out |= forecast_tables(forecast, est.quota(forecast.horizon_weeks))
    return out


def write_report(report: dict, out_dir: str | os.PathLike) -> list[Path]:
    """Each table as CSV plus ``report.md`` with the parameters and quality tables."""
    out = Path(out_dir)
    paths = [atomic_write_table(df, out / f"{name}.csv") for name, df in report.items()]
    md = ["# Calibration report", ""]
    for name in ("parameters", "quality", "time_to_win", "deal_size", "warnings", "thin_data",
                 "p_quota", "forecast_wins", "forecast_won_amount"):
        if name in report:
            md += [f"## {name}", "", report[name].to_markdown(index=False)
                   if _has_tabulate() else report[name].to_string(index=False), ""]
    paths.append(atomic_write(out / "report.md",
                              lambda p: p.write_text("\n".join(md) + "\n", "utf-8")))
    return paths


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def plot_calibration(report: dict):
    """Fitted against observed, as a matplotlib figure (needs the ``notebooks`` extra)."""
    import matplotlib.pyplot as plt  # lazily: matplotlib is optional

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    inc = report["incidence"]
    axes[0].step(inc["weeks"], inc["cif_won"], where="post", label="won 成交")
    axes[0].step(inc["weeks"], inc["cif_lost"], where="post", label="lost 丢单")
    axes[0].set(xlabel="weeks since created", ylabel="cumulative incidence",
                title="Time to close (open deals censored)")
    axes[0].legend()
    t = report["time_to_win"]
    axes[1].plot(t["observed_weeks"], t["fitted_weeks"], "o")
    lim = [0, float(np.nanmax(t[["observed_weeks", "fitted_weeks"]].to_numpy()))]
    axes[1].plot(lim, lim, "k--", lw=1)
    axes[1].set(xlabel="observed quantile, weeks", ylabel="fitted quantile, weeks",
                title="Time to win: fitted vs observed")
    a = report["arrivals"]
    axes[2].bar(a["week_start"], a["arrivals"], width=5)
    axes[2].set(title="New deals per week 新增项目", ylabel="deals")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
