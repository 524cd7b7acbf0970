"""Estimate a scenario from the deals known at a cutoff date.

Only what was known at the cutoff is used (:func:`as_of`): deals created
later do not exist, deals closed later are open, and their amounts and
current stage labels are blanked, because the export shows them as they
were at export time.

What is estimated, from deals created in the ``lookback_weeks`` before the
cutoff:

- arrivals per rep per week (and a trend: the second half of the window
  against the first);
- the win probability, the loss probability and the stalled share, from the
  Aalen-Johansen incidences with open deals censored (:mod:`.survival`);
- the time from creation to a win, a gamma distribution with the mean and
  spread of the win incidence's conditional distribution;
- deal size, a lognormal with the mean and cv of won amounts (closed in the
  window); by product and source as tables;
- per rep: prospecting, conversion and deal-size multipliers, each an
  observed / expected ratio shrunk towards the team by empirical Bayes, so a
  rep with few deals stays near 1.

What is assumed, because these exports carry no stage history: the funnel
is one stage ("pipeline", created to close) whose duration is the time to a
win and whose win probability is the unconditional one (stalled deals
count as not won). In the simulation lost and stalled deals therefore close
as "lost" after a win-like time; won counts, won amounts and their timing -
what the back-test scores - are unaffected. Arrivals are constant over the
horizon in the scenario file (the trend is reported there; the forecast in
:mod:`.forecast` projects it). The open pipeline at the
cutoff becomes a per-rep snapshot sized so that its expected wins equal the
sum over open deals of P(won | still open at its age).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.crm.survival import LOST, OPEN, WON, Incidence, aalen_johansen
from simkit.model.distributions import GAMMA_CV
from simkit.model.errors import SimkitInputError
from simkit.model.files import scenario_from_dict
from simkit.model.params import Scenario

__all__ = [
    "DEFAULT_LOOKBACK_WEEKS",
    "STAGE_NAME",
    "Estimate",
    "as_of",
    "estimate",
    "shrink_ratio",
]

DEFAULT_LOOKBACK_WEEKS = 26
STAGE_NAME = "pipeline"
WEEK = pd.Timedelta(days=7)


def _cutoff(cutoff) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(cutoff)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise SimkitInputError("--cutoff", cutoff, "a date such as 2017-07-01")
    return ts.tz_localize(None) if ts.tzinfo else ts


def as_of(deals: pd.DataFrame, cutoff) -> pd.DataFrame:
    """The deal table as it stood at ``cutoff`` (no information from later is kept)."""
    c = _cutoff(cutoff)
    d = deals[deals["created"] < c].copy()
    later = d["closed"].isna() | (d["closed"] >= c)
    d.loc[later, "status"] = "open"
    d.loc[later, "closed"] = pd.NaT
    d.loc[later, "amount"] = np.nan
    d.loc[later, "stage"] = None
    return d.reset_index(drop=True)


def shrink_ratio(observed, expected, floor: float = 0.0) -> tuple[np.ndarray, float]:
    """Gamma-Poisson empirical Bayes: ``(O + a) / (E + a)`` per unit, and the prior strength a.

    The between-unit variance of the true ratios is the variance of O/E less
    its Poisson part (method of moments); a = 1 / that variance. No
    between-unit variance means every ratio shrinks to 1 - unless ``floor``
    > 0, which keeps ``floor`` times the average Poisson noise of a unit's
    ratio as the least between-unit variance assumed: with a handful of reps
    the moment estimate is often at or below zero and would shrink every rep
    to the team, making a strong rep's forecast systematically low and its
    interval miss (the forecast's per-rep multipliers use this).
    """
    o = np.asarray(observed, float)
    e = np.asarray(expected, float)
    ok = e > 0
    if ok.sum() < 2:
        return np.ones_like(o), math.inf
    x = o[ok] / e[ok]
    noise = float(np.mean(max(x.mean(), 1e-9) / e[ok]))
    tau2 = float(np.var(x, ddof=1)) - noise
    if floor > 0:
        tau2 = max(tau2, floor * noise, 1e-12)
    elif tau2 <= 1e-9:
        return np.ones_like(o), math.inf
    a = 1.0 / tau2
    return (o + a) / (e + a), a


def _shrink_mean_ratio(values: list[np.ndarray]) -> np.ndarray:
    """Normal-normal shrinkage of each group's mean / overall mean towards 1."""
    allv = np.concatenate([v for v in values if len(v)]) if any(len(v) for v in values) else []
    if len(allv) < 2 or np.mean(allv) <= 0:
        return np.ones(len(values))
    mu = float(np.mean(allv))
    cv2 = float(np.var(allv, ddof=1)) / mu**2
    n = np.array([len(v) for v in values], float)
    r = np.array([np.mean(v) / mu if len(v) else 1.0 for v in values])
    has = n > 0
    if has.sum() < 2:
        return np.ones(len(values))
    noise = cv2 / np.maximum(n, 1)
    tau2 = max(0.0, float(np.var(r[has], ddof=1) - np.mean(noise[has])))
    weight = np.where(has, tau2 / (tau2 + noise), 0.0)
    return 1.0 + weight * (r - 1.0)


@dataclass(frozen=True)
class Estimate:
    """Everything estimated at one cutoff; :meth:`scenario` turns it into a simkit Scenario."""

    cutoff: pd.Timestamp
    lookback_weeks: float
    incidence: Incidence
    per_rep_per_week: float
    deal_mean: float
    deal_cv: float
    win_time_mean: float
    win_time_cv: float
    reps: pd.DataFrame  # rep, arrivals, expected_arrivals, prospecting_raw, prospecting, ...
    arrivals_weekly: pd.DataFrame  # week_start, arrivals
    trend: float  # arrivals in the second half of the window / the first half
    won_last_quarter: float
    deal_size_by: dict[str, pd.DataFrame] = field(default_factory=dict)
    deal_amounts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    notes: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese, in the same order
    source: str = "export"
    wins_last_quarter: float = 0.0
    amounts_available: bool = True  # False: the export carries no won amounts

    def quota(self, horizon_weeks: int = 13) -> float:
        """The quota the scenario file carries: last 13 weeks' won amount, pro rata.

        Without amounts in the export a deal is worth 1 unit, so the quota is
        a number of wins. With no wins last quarter it falls back to what the
        calibrated scenario expects. The report and the scenario file both
        read this one number.
        """
        last = self.won_last_quarter if self.amounts_available else self.wins_last_quarter
        q = last * horizon_weeks / 13.0
        if not q > 0:
            q = max(scenario_from_dict(self._scenario_dict(horizon_weeks, 1.0))
                    .expected_won_amount_per_week() * horizon_weeks, 1e-6)
        return float(q)

    @property
    def p_won(self) -> float:
        return self.incidence.p_won

    @property
    def p_stalled(self) -> float:
        return self.incidence.p_stalled

    def _scenario_dict(self, horizon_weeks: int, quota: float) -> dict:
        r = self.reps
        n = len(r)
        p = min(max(self.p_won, 1e-6), 1.0)
        if self.win_time_cv >= GAMMA_CV[0]:  # a spread a gamma can carry; else a fixed time
            duration = {"kind": "gamma", "mean": max(self.win_time_mean, 1e-3),
                        "cv": self.win_time_cv}
        else:
            duration = {"kind": "deterministic", "value": max(self.win_time_mean, 1e-3)}
        archetypes = [
            {"name": str(row.rep), "share": 1.0 / n,
             "prospecting": float(np.clip(row.prospecting, 0.0, 100.0)),
             "conversion": float(np.clip(row.conversion, 1e-3, 1.0 / p)),
             "deal_size": float(np.clip(row.deal_size, 1e-3, 100.0))}
            for row in r.itertuples()
        ]
        # Without amounts in the export each deal is worth 1 unit (won amount = won count).
        mean = self.deal_mean if self.amounts_available else 1.0
        cv = self.deal_cv if self.amounts_available else 1e-3
        return {"name": "x", "funnel": {"stages": [{"name": STAGE_NAME, "win_prob": p,
                                                    "duration": duration}]},
                "leads": {"per_rep_per_week": self.per_rep_per_week},
                "deal_size": {"kind": "lognormal", "mean": max(mean, 1e-6),
                              "cv": max(cv, 1e-3)},
                "team": {"reps": n, "archetypes": archetypes},
                "quota": {"team_per_quarter": quota, "weeks_per_quarter": int(horizon_weeks)}}

    def scenario(self, horizon_weeks: int = 13, name: str | None = None) -> Scenario:
        """The calibrated scenario: one rep per archetype, the open pipeline as a snapshot."""
        snap = [[float(c)] for c in self.reps["snapshot"]]
        data = self._scenario_dict(horizon_weeks, self.quota(horizon_weeks))
        data["name"] = name or f"calibrated-{self.cutoff.date()}"
        unit = ("won amount" if self.amounts_available
                else "number of wins (the export has no deal values: 1 unit per deal, not 万)")
        data["description"] = (
            f"Calibrated from {self.source} with what was known on {self.cutoff.date()} "
            f"(deals created in the {self.lookback_weeks:g} weeks before). Quota = {unit} "
            f"of the last {horizon_weeks} weeks (an assumption; set your own).")
        data["horizon"] = {"quarters": 1, "start": {
            "mode": "snapshot", "counts": [float(sum(c[0] for c in snap))], "rep_counts": snap}}
        return scenario_from_dict(data, "calibration")


def _weeks(delta: pd.Series) -> np.ndarray:
    return (delta / WEEK).to_numpy(float)


# What a calibration needs: deals created in the lookback before the cutoff, and won by then.
MIN_CREATED, MIN_WON = 20, 5


def estimate(deals: pd.DataFrame, cutoff, lookback_weeks: float = DEFAULT_LOOKBACK_WEEKS,
             min_at_risk: int = 10, source: str = "export") -> Estimate:
    """Estimate the scenario's parameters from ``deals`` as known at ``cutoff``."""
    c = _cutoff(cutoff)
    if not (isinstance(lookback_weeks, (int, float)) and 4 <= lookback_weeks <= 520):
        raise SimkitInputError("lookback_weeks", lookback_weeks, "a number of weeks in [4, 520]")
    known = as_of(deals, c)
    start = c - lookback_weeks * WEEK
    win = known[known["created"] >= start]
    if len(win) < MIN_CREATED or (win["status"] == "won").sum() < MIN_WON:
        raise SimkitInputError(
            "--cutoff", str(c.date()),
            f"a date with at least {MIN_CREATED} deals created and {MIN_WON} won in the "
            f"{lookback_weeks:g} weeks "
            f"before it (found {len(win)} created, {(win['status'] == 'won').sum()} won)",
            hint="Move the cutoff later or lengthen the lookback.")
    notes = []
    closed = win["status"].isin(["won", "lost"]).to_numpy()
    t = np.where(closed, _weeks(win["closed"] - win["created"]), _weeks(c - win["created"]))
    ev = np.select([win["status"].eq("won"), win["status"].eq("lost")], [WON, LOST], OPEN)
    inc = aalen_johansen(t, ev, min_at_risk=min_at_risk)
    if inc.plateau_rise > 0.02:
        notes.append((f"win incidence still rose {inc.plateau_rise:.1%} in the last "
                      f"{inc.tail_weeks:g} weeks of follow-up: the stalled share "
                      f"({inc.p_stalled:.1%}) may include slow deals",
                      f"观察期最后 {inc.tail_weeks:g} 周，成交的累计发生率仍上升了 "
                      f"{inc.plateau_rise:.1%}：停滞比例（{inc.p_stalled:.1%}）里可能包含成交慢的商机"))
    m, sd, _ = inc.conditional_moments(WON)
    # --- arrivals
    reps = sorted(win["rep"].dropna().unique())
    n_reps = len(reps)
    rate = len(win) / (n_reps * lookback_weeks)
    wk = np.floor(_weeks(win["created"] - start)).astype(int)
    n_weeks = math.ceil(lookback_weeks)
    counts = np.bincount(np.clip(wk, 0, n_weeks - 1), minlength=n_weeks)
    weekly = pd.DataFrame({"week_start": [start + i * WEEK for i in range(n_weeks)],
                           "arrivals": counts})
    half = n_weeks // 2
    first, second = counts[:half].sum(), counts[half:2 * half].sum()
    trend = float(second / first) if first > 0 else math.nan
    # --- deal size: wins closed in the window with a positive amount
    won = known[(known["status"] == "won") & (known["closed"] >= start)]
    amounts = won["amount"].to_numpy(float)
    amounts = amounts[np.isfinite(amounts) & (amounts > 0)]
    all_amounts = known.loc[known["status"] == "won", "amount"].to_numpy(float)
    amounts_available = bool((np.isfinite(all_amounts) & (all_amounts > 0)).any())
    if len(amounts) >= 2:
        deal_mean = float(amounts.mean())
        deal_cv = float(amounts.std(ddof=1) / deal_mean)
    else:
        deal_mean, deal_cv = math.nan, math.nan
        notes.append(("no won amounts in the window: won amount is not available "
                      "(the scenario counts 1 unit per deal)",
                      "时间窗内没有成交金额：无法估计成交额（场景按每个成交 1 个单位计算）"))
    by = {}
    for col in ("product", "source", "region"):
        if won[col].notna().any():
            g = won[won["amount"] > 0].groupby(won[col].fillna("(none)"))["amount"]
            by[col] = g.agg(wins="count", mean="mean", median="median", total="sum").reset_index()
    # --- per rep: observed / expected, shrunk towards the team
    # A rep's expected wins by the cutoff: each deal's win incidence at its follow-up.
    exp_win = inc.won(_weeks(c - win["created"]))
    g = pd.DataFrame({"rep": win["rep"].to_numpy(), "won": ev == WON, "exp_won": exp_win})
    per = g.groupby("rep").agg(arrivals=("won", "size"), wins=("won", "sum"),
                               expected_wins=("exp_won", "sum")).reindex(reps)
    per["expected_arrivals"] = rate * lookback_weeks
    pros, a_p = shrink_ratio(per["arrivals"], per["expected_arrivals"])
    conv, a_c = shrink_ratio(per["wins"], per["expected_wins"])
    w_amt = known[(known["status"] == "won") & (known["closed"] >= start) & (known["amount"] > 0)]
    size = _shrink_mean_ratio([w_amt.loc[w_amt["rep"] == r, "amount"].to_numpy(float)
                               for r in reps])
    per["prospecting_raw"] = per["arrivals"] / per["expected_arrivals"]
    per["prospecting"] = pros / pros.mean()
    per["conversion_raw"] = per["wins"] / per["expected_wins"].where(per["expected_wins"] > 0)
    wts = per["prospecting"].to_numpy()
    per["conversion"] = conv / np.average(conv, weights=wts) if wts.sum() > 0 else conv
    per["deal_wins"] = [int((w_amt["rep"] == r).sum()) for r in reps]
    per["deal_size_raw"] = [
        float(w_amt.loc[w_amt["rep"] == r, "amount"].mean() / deal_mean)
        if (w_amt["rep"] == r).any() else math.nan for r in reps]
    per["deal_size"] = size
    per["prior_strength_prospecting"] = a_p
    per["prior_strength_conversion"] = a_c
    # --- the open pipeline at the cutoff
    open_now = known[known["status"] == "open"]
    age = _weeks(c - open_now["created"])
    pi = inc.p_won_given_open(age)
    live = pd.Series(pi, index=open_now.index).groupby(open_now["rep"]).sum()
    per["open_deals"] = open_now.groupby("rep").size().reindex(reps).fillna(0).astype(int)
    per["expected_open_wins"] = live.reindex(reps).fillna(0.0)
    per["snapshot"] = np.round(per["expected_open_wins"] / max(inc.p_won, 1e-9)).astype(int)
    dropped = live.drop(labels=[r for r in reps if r in live.index]).sum()
    if dropped > 0.5:
        notes.append((f"{dropped:.1f} expected wins in open deals of reps with no deals in the "
                      f"window are left out",
                      f"时间窗内没有新商机的销售，其在途商机的预期成交（{dropped:.1f} 个）未计入"))
    last_q = known[(known["status"] == "won") & (known["closed"] >= c - 13 * WEEK)]
    won_last_quarter = (float(np.nansum(last_q["amount"].to_numpy(float)))
                        if amounts_available else math.nan)
    return Estimate(
        cutoff=c, lookback_weeks=float(lookback_weeks), incidence=inc, per_rep_per_week=rate,
        deal_mean=deal_mean, deal_cv=deal_cv,
        win_time_mean=float(m) if np.isfinite(m) else 1.0,
        win_time_cv=float(sd / m) if np.isfinite(m) and m > 0 else 0.0,
        reps=per.reset_index(), arrivals_weekly=weekly, trend=trend,
        won_last_quarter=won_last_quarter, deal_size_by=by, deal_amounts=amounts,
        notes=tuple(en for en, _ in notes), notes_zh=tuple(zh for _, zh in notes),
        source=source, wins_last_quarter=float(len(last_q)),
        amounts_available=amounts_available)
