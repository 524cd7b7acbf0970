"""What the deal-level forecast fits at a cutoff (:func:`fit`), from the deals known then.

From deals created in the ``hazard_weeks`` before the cutoff:

- win and loss hazards by deal age, the Aalen-Johansen incidences with open
  deals censored, deals created before the export recorded closes entering
  late (:mod:`.tracking`), follow-up stopped where outcomes stop being
  recorded (optionally each cohort weighted by ``0.5 ** (age /
  half_life_weeks)``; off by default);
- cohort drift in stalling (:mod:`.cohorts`): each creation cohort's share
  of deals that ever close, read from its closing rate in the last
  ``cohort_window`` weeks (0: its whole follow-up); an open deal's chance
  uses its own cohort's share, and deals not yet created use the recent
  cohorts' share (``stall_drift = "recent"``; ``"live"`` instead weights the
  arrival history by each cohort's share and lets new deals close like the
  pool: measured, not used - synthetic bias +3.8% / +3.0% against -1.0% /
  -1.7%, Maven mean |team bias| on wins .098 against .021
  (``backtest_scorecard.py --part synthetic`` / ``--part maven`` with
  ``--set 'stall_drift="live"'``). At Maven's
  2017-10-01 'recent' expects 273 wins from the open pipeline (actual 215)
  and 157 from new deals (actual 233): the total is close partly because
  the two errors cancel; 'live' gets the new deals nearly right (216) but
  keeps the open pipeline's excess);
- the closers' timing by the cure model's EM (``cure_em`` rounds): the
  at-risk sets weight each open deal by its chance of being a closer, so a
  cohort of stalled deals does not slow every deal's hazard, and the cohort
  shares are read again against that timing;
- per rep, from the ``rep_weeks`` before the cutoff: prospecting,
  conversion and deal-size multipliers shrunk towards the team by empirical
  Bayes with a floor on the between-rep variance (:func:`.estimate.shrink_ratio`); each
  batch draws the conversions from their gamma posterior;
- won amounts: the empirical distribution of amounts won in ``rep_weeks``
  (times the rep's deal-size multiplier), and per product when the export
  names one: an open deal of a product with at least ``MIN_PRODUCT_WINS``
  won amounts is valued by that product's (its product is known at the
  cutoff; a new deal's is not);
- arrivals: :func:`.arrivals.fit_arrivals` on weekly team counts (the whole
  history for seasonality, the last ``arrival_window`` weeks for the trend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.crm.arrivals import ArrivalModel, fit_arrivals
from simkit.crm.cohorts import closer_weights, cohort_closers, cohort_of, drift, scaled
from simkit.crm.estimate import _shrink_mean_ratio, shrink_ratio
from simkit.crm.survival import LOST, OPEN, WON, Incidence, aalen_johansen_weighted
from simkit.crm.tracking import Tracking, follow_up

__all__ = ["Fit", "align", "fit"]

WEEK = pd.Timedelta(days=7)
MIN_PRODUCT_WINS = 20  # won amounts a product needs before its open deals are valued by it


@dataclass(frozen=True)
class Fit:
    """Parameters estimated at a cutoff (one bootstrap draw, or the data as it is)."""

    cutoff: pd.Timestamp
    incidence: Incidence
    reps: list
    shares: np.ndarray  # prospecting share of new deals per rep
    conversion: np.ndarray  # multiplier of each rep's win chances
    deal_size: np.ndarray  # multiplier of each rep's amounts
    amounts: np.ndarray  # won amounts, 万 (empty: not available)
    arrivals: ArrivalModel
    n_won: float
    n_lost: float
    tracking: Tracking
    cohort_ratio: dict = field(default_factory=dict)  # cohort -> share of deals that close
    new_closers: float = math.nan  # share of closers among deals not yet created
    # (wins, expected wins, prior strength, normaliser) per rep: the conversion's posterior
    conv_posterior: tuple = ()
    rep_closed: pd.DataFrame | None = None  # won / lost deals behind the fit, per rep
    # product -> won amounts of that product (products with at least MIN_PRODUCT_WINS)
    product_amounts: dict = field(default_factory=dict)
    # each known deal's weight in the arrival counts (team_arrivals' ``w``), for another
    # reading of the same arrivals
    arrival_weights: np.ndarray | None = None

    def draw_conversion(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of the reps' conversion multipliers from their gamma posterior.

        ``Gamma(wins + a, expected + a)`` (the empirical-Bayes prior of
        :func:`.estimate.shrink_ratio`), so a rep with few deals carries its
        uncertainty into the forecast instead of a point estimate.
        """
        if not self.conv_posterior or not np.isfinite(self.conv_posterior[2]):
            return self.conversion
        o, e, a, norm = self.conv_posterior
        return rng.gamma(np.asarray(o) + a, 1.0 / (np.asarray(e) + a)) / norm


def _weekly(created: pd.Series, w: np.ndarray, end: pd.Timestamp, weeks: int):
    """Weighted counts of the ``weeks`` weeks before ``end`` (oldest first) and their weeks
    of the year; a deal exactly ``weeks`` weeks old is in the oldest week (the first deal,
    when ``end`` is a whole number of weeks after it)."""
    age = ((end - created) / WEEK).to_numpy(float)
    idx = weeks - 1 - np.floor(age).astype(int)
    idx[(idx == -1) & (age <= weeks)] = 0
    ok = (idx >= 0) & (idx < weeks)
    counts = np.bincount(idx[ok], weights=w[ok], minlength=weeks)
    starts = end - WEEK * np.arange(weeks, 0, -1)
    woy = np.asarray(pd.DatetimeIndex(starts).isocalendar().week, float)
    return counts, woy


def team_arrivals(known: pd.DataFrame, c: pd.Timestamp, w: np.ndarray, horizon_weeks: int, *,
                  skip: int = 0, window: int = 26, damped: bool = True, alpha_max: float = 0.5,
                  robust: bool = True, huber: float = 0.0, trace: bool = False):
    """The arrival model of weekly team counts (the whole known history, for seasonality).

    ``skip``: leave out the last ``skip`` weeks before the cutoff, as if they had not
    happened (a one-off burst's reading); the model then projects from ``c - skip``
    weeks, so its paths run ``skip + horizon_weeks`` weeks and the first ``skip`` of
    them are to be dropped.
    """
    first = known["created"].min()
    weeks_hist = max(math.ceil((c - first) / WEEK), 1)
    counts, woy = _weekly(known["created"], w, c, weeks_hist)
    if 0 < skip < len(counts):
        counts, woy = counts[:-skip], woy[:-skip]
    else:
        skip = 0
    fut = c + WEEK * np.arange(-skip, horizon_weeks)
    fwoy = np.asarray(pd.DatetimeIndex(fut).isocalendar().week, float)
    return fit_arrivals(counts, woy, fwoy, window=window, damped=damped, alpha_max=alpha_max,
                        robust=robust, huber=huber, horizon=horizon_weeks if trace else 1)


def fit(known: pd.DataFrame, cutoff: pd.Timestamp, tracking: Tracking, *,
        weights: np.ndarray | None = None, horizon_weeks: int = 13,
        hazard_weeks: float = 52, half_life_weeks: float = 0.0, rep_weeks: float = 52,
        arrival_window: int = 26, damped: bool = True, min_at_risk: int = 10,
        cohort_weeks: int = 4, cohort_prior: float = math.nan, stall_drift="recent",
        cohort_window: float = 4.0, cure_em: int = 2, young_pooled: bool = True,
        alpha_max: float = 0.5, robust_arrivals: bool = True, huber_arrivals: float = 0.0,
        trace_arrivals: bool = False,
        shrink_floor: float = 1.0, pretracking: str = "entry") -> Fit:
    """Fit at ``cutoff`` from ``known`` (:func:`.estimate.as_of`), deals weighted by ``weights``."""
    c = cutoff
    w_all = np.ones(len(known)) if weights is None else np.asarray(weights, float)
    # --- hazards by deal age
    hz = (known["created"] >= c - hazard_weeks * WEEK).to_numpy()
    if (pretracking == "exclude" and tracking.closes_from is not None
            and c - tracking.closes_from >= 26 * WEEK):
        # deals created before closes were recorded carry shifted timing: with half a year
        # of properly tracked cohorts, leave them out of the hazards
        hz = hz & (known["created"] >= tracking.closes_from).to_numpy()
    d = known[hz]
    t, status, entry = follow_up(d, c, tracking)
    ev = np.select([status == "won", status == "lost"], [WON, LOST], OPEN)
    age_c = ((c - d["created"]) / WEEK).to_numpy(float)
    cw = 0.5 ** (age_c / half_life_weeks) if half_life_weeks else 1.0
    wh = w_all[hz] * cw
    inc = aalen_johansen_weighted(t, ev, entry=entry, weights=wh, min_at_risk=min_at_risk)
    ratios, info = cohort_closers(d, ev, entry, w_all[hz], inc, c, tracking,
                                  int(cohort_weeks), float(cohort_prior), float(cohort_window),
                                  young_pooled)
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    for _ in range(int(cure_em)):
        # the closers' timing with stalled deals taken out of the risk sets, then the cohorts again
        pi = closer_weights(d, t, ev, inc, ratios, c, int(cohort_weeks))
        inc = scaled(aalen_johansen_weighted(t, ev, entry=entry, weights=wh * pi,
                                             min_at_risk=min_at_risk), closers)
        ratios, info = cohort_closers(d, ev, entry, w_all[hz], inc, c, tracking,
                                      int(cohort_weeks), float(cohort_prior),
                                      float(cohort_window), young_pooled)
    live = np.ones(len(known))
    if stall_drift == "live":
        # arrivals of closers: each week's deals weighted by their cohort's share of closers
        # (relative to the pooled share); deals not yet created close like the pool
        k_all = cohort_of(known["created"], c, int(cohort_weeks))
        live = np.array([ratios.get(int(k), closers) for k in k_all]) / closers
        q_new = closers
    elif stall_drift:
        q_new = drift(ratios, info, int(cohort_weeks), horizon_weeks, closers, stall_drift)
    else:
        q_new = closers
    rep_closed = pd.DataFrame({"rep": d["rep"].to_numpy(), "won": (ev == WON) * w_all[hz],
                               "lost": (ev == LOST) * w_all[hz]}).groupby("rep")[
        ["won", "lost"]].sum()
    n_won = float(w_all[hz][ev == WON].sum())
    n_lost = float(w_all[hz][ev == LOST].sum())
    # --- per rep, from deals created in the lookback
    lb = (known["created"] >= c - rep_weeks * WEEK).to_numpy()
    dl = known[lb]
    wl = w_all[lb]
    reps = sorted(dl.loc[wl > 0, "rep"].dropna().unique())
    if not reps:
        reps = sorted(dl["rep"].dropna().unique())
    rep_idx = pd.Index(reps)
    ri = rep_idx.get_indexer(dl["rep"])
    okr = ri >= 0
    arrivals_r = np.bincount(ri[okr], weights=wl[okr], minlength=len(reps))
    pros, _ = shrink_ratio(arrivals_r, np.full(len(reps), max(arrivals_r.mean(), 1e-9)),
                           shrink_floor)
    shares = pros / pros.sum() if pros.sum() > 0 else np.full(len(reps), 1 / len(reps))
    # expected wins by the end of each deal's observation (its age then, not its close time)
    _, _, el = follow_up(dl, c, tracking)
    won_end, _ = tracking.ends(c)
    a_end = np.maximum(((won_end - dl["created"]) / WEEK).to_numpy(float), 0.0)
    inc_exp = np.maximum(inc.won(a_end) - inc.won(el), 0.0)
    won_seen = ((dl["status"] == "won") & (dl["closed"] < won_end)).to_numpy()
    wins_r = np.bincount(ri[okr], weights=(wl * won_seen)[okr], minlength=len(reps))
    exp_r = np.bincount(ri[okr], weights=(wl * inc_exp)[okr], minlength=len(reps))
    conv, a_conv = shrink_ratio(wins_r, exp_r, shrink_floor)
    norm = float(np.average(conv, weights=shares)) if shares.sum() > 0 else 1.0
    conv = conv / norm
    # --- won amounts
    wm = ((known["status"] == "won") & (known["closed"] >= c - rep_weeks * WEEK)).to_numpy()
    amt = known["amount"].to_numpy(float)
    okm = wm & np.isfinite(amt) & (amt > 0)
    reps_m = rep_idx.get_indexer(known["rep"])
    rep_amounts = [np.repeat(amt[okm & (reps_m == i)],
                             np.round(w_all[okm & (reps_m == i)]).astype(int))
                   for i in range(len(reps))]
    amounts = np.repeat(amt[okm], np.round(w_all[okm]).astype(int))
    size = _shrink_mean_ratio(rep_amounts) if len(amounts) >= 2 else np.ones(len(reps))
    prod = known["product"] if "product" in known else pd.Series(None, index=known.index)
    product_amounts = {}
    for p, idx in pd.Series(np.flatnonzero(okm)).groupby(prod.to_numpy()[okm]):
        vals = np.repeat(amt[idx.to_numpy()], np.round(w_all[idx.to_numpy()]).astype(int))
        if len(vals) >= MIN_PRODUCT_WINS:
            product_amounts[p] = vals
    w_arr = w_all * live
    arr = team_arrivals(known, c, w_arr, horizon_weeks, window=int(arrival_window),
                        damped=damped, alpha_max=alpha_max, robust=robust_arrivals,
                        huber=huber_arrivals, trace=trace_arrivals)
    return Fit(cutoff=c, incidence=inc, reps=reps, shares=shares, conversion=conv,
               conv_posterior=(wins_r, exp_r, a_conv, norm), rep_closed=rep_closed,
               deal_size=size, amounts=amounts, arrivals=arr, n_won=n_won, n_lost=n_lost,
               tracking=tracking, cohort_ratio=ratios, new_closers=q_new,
               product_amounts=product_amounts, arrival_weights=w_arr)


def align(f: Fit, reps: list) -> Fit:
    """A bootstrap fit's per-rep arrays on the reps of the full-data fit."""
    idx = pd.Index(f.reps).get_indexer(reps)
    ok = idx >= 0

    def take(a, fill):
        return np.where(ok, np.asarray(a)[np.maximum(idx, 0)], fill)

    shares = take(f.shares, 0.0)
    shares = shares / shares.sum() if shares.sum() > 0 else np.full(len(reps), 1 / len(reps))
    return Fit(cutoff=f.cutoff, incidence=f.incidence, reps=list(reps), shares=shares,
               conversion=take(f.conversion, 1.0), deal_size=take(f.deal_size, 1.0),
               amounts=f.amounts, arrivals=f.arrivals, n_won=f.n_won, n_lost=f.n_lost,
               tracking=f.tracking, cohort_ratio=f.cohort_ratio, new_closers=f.new_closers,
               product_amounts=f.product_amounts)

