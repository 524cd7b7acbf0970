"""The forecast a planner reads: won so far + expected from the open pipeline + from new deals.

:func:`forecast` simulates the next ``horizon_weeks`` deal by deal from what
was known at the cutoff, and returns samples (replications x reps) of wins
and won amount for each part of the split:

- ``won_so_far``: won between ``period_start`` and the cutoff (known, fixed);
- ``open_pipeline``: each deal open at the cutoff wins within the horizon
  with ``(CIF_won(a + h) - CIF_won(a)) / S(a)`` at its age ``a`` (times its
  rep's conversion multiplier), so an old open deal is worth less than a
  young one;
- ``new_deals``: deals not yet created; each replication draws its own path
  of weekly arrivals from the damped-trend model (:mod:`.arrivals`), deals
  go to reps by their (shrunk) prospecting shares, and a deal created in
  week w wins within the horizon with ``CIF_won(h - w)``.

What is fitted (:func:`fit`), from deals created in the ``hazard_weeks``
before the cutoff:

- win and loss hazards by deal age, the Aalen-Johansen incidences with open
  deals censored, deals created before the export recorded closes entering
  late (:mod:`.tracking`), follow-up stopped where outcomes stop being
  recorded (optionally each cohort weighted by ``0.5 ** (age /
  half_life_weeks)``; off by default);
- cohort drift in stalling: each 4-week creation cohort's share of deals
  that ever close, by a cure-model likelihood (:func:`_cohort_ratios`); an
  open deal's chance uses its own cohort's share, and deals not yet created
  use the recent cohorts' share (``stall_drift = "recent"``);
- per rep, from the ``rep_weeks`` before the cutoff: prospecting,
  conversion and deal-size multipliers shrunk towards the team by empirical
  Bayes with a floor on the between-rep variance (:func:`_shrink`); each
  batch draws the conversions from their gamma posterior;
- won amounts: the empirical distribution of amounts won in ``rep_weeks``;
- arrivals: :func:`.arrivals.fit_arrivals` on weekly team counts (the whole
  history for seasonality, the last ``arrival_window`` weeks for the trend).

**Parameter uncertainty**: replications run in batches; each batch refits
everything on a Poisson bootstrap of the deals (each deal weighted by a
Poisson(1) draw), so the intervals carry the uncertainty of the estimates,
not only the simulation's noise. **Thin data**: with fewer than
``THIN_WON`` wins or ``THIN_LOST`` losses in the fit, a warning is raised in
the result and the bootstrap weights are Poisson(lam) / lam with lam the
shortfall ratio (an m-out-of-n bootstrap), which widens the intervals by
about ``1 / sqrt(lam)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.crm.arrivals import ArrivalModel, fit_arrivals
from simkit.crm.estimate import _cutoff, _shrink_mean_ratio, as_of
from simkit.crm.survival import LOST, OPEN, WON, Incidence, aalen_johansen_weighted
from simkit.crm.tracking import Tracking, detect_tracking, follow_up

__all__ = ["COMPONENTS", "DEFAULTS", "THIN_LOST", "THIN_WON", "Fit", "Forecast", "fit",
           "forecast"]

WEEK = pd.Timedelta(days=7)
COMPONENTS = ("won_so_far", "open_pipeline", "new_deals")
THIN_WON, THIN_LOST = 50, 150
# The settings chosen on Maven and synthetic exports (benchmarks/backtest_scorecard.py).
DEFAULTS = {"hazard_weeks": 52, "half_life_weeks": 0.0, "rep_weeks": 52,
            "arrival_window": 26, "batch": 20, "bootstrap": True, "damped": True,
            "min_at_risk": 10, "cohort_weeks": 4, "cohort_prior": 20.0, "stall_drift": "recent",
            "alpha_max": 0.5, "rep_posterior": True, "shrink_floor": 1.0,
            "pretracking": "entry", "boot_arrivals": True,
            "thin_widen": True}


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


def _shrink(observed, expected, floor: float = 0.25) -> tuple[np.ndarray, float]:
    """:func:`.estimate.shrink_ratio` with a floor on the between-rep variance.

    With a handful of reps the method-of-moments variance is often at or
    below zero and would shrink every rep to the team, which makes a strong
    rep's forecast systematically low and its interval miss; the floor
    keeps ``floor`` times the average Poisson noise of a rep's ratio as the
    least between-rep variance assumed.
    """
    o = np.asarray(observed, float)
    e = np.asarray(expected, float)
    ok = e > 0
    if ok.sum() < 2:
        return np.ones_like(o), math.inf
    x = o[ok] / e[ok]
    noise = float(np.mean(max(x.mean(), 1e-9) / e[ok]))
    tau2 = max(float(np.var(x, ddof=1)) - noise, floor * noise, 1e-12)
    a = 1.0 / tau2
    return (o + a) / (e + a), a


def cohort_of(created: pd.Series, cutoff: pd.Timestamp, cohort_weeks: int) -> np.ndarray:
    """Creation cohort of each deal: blocks of ``cohort_weeks`` counted back from the cutoff."""
    return np.floor(((cutoff - created) / WEEK).to_numpy(float) / cohort_weeks).astype(int)


_Q_GRID = np.linspace(0.005, 1.0, 200)


def _cohort_ratios(d: pd.DataFrame, ev, entry, w, inc: Incidence, cutoff, tracking: Tracking,
                   cohort_weeks: int, prior: float) -> tuple[dict, dict]:
    """Each creation cohort's share of closers (deals that ever close), and its information.

    The cure-model reading of cohort drift: closers close with the pooled
    closers' distribution ``G = (CIF_won + CIF_lost) / (1 - stalled)``, and
    cohort k holds a share ``q_k`` of closers. A closed deal says "closer";
    a deal still open at age a has likelihood ``q (1 - G(a)) + 1 - q``, so an
    open deal past the usual cycle says "stalled" more loudly than a young
    one. ``q_k`` maximises the cohort's likelihood plus a Beta prior worth
    ``prior`` deals centred on the pooled share, so a cohort with little
    follow-up stays near it. Where losses are not recorded to the cutoff,
    wins alone are read (against ``CIF_won / (1 - stalled)``), up to the
    date wins are recorded until.
    """
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    won_end, lost_end = tracking.ends(cutoff)
    a_w = np.maximum(((won_end - d["created"]) / WEEK).to_numpy(float), 0.0)
    wins_only = lost_end is None or lost_end < cutoff
    if wins_only:
        g = (inc.won(a_w) - inc.won(entry)) / closers
        hit = ((d["status"] == "won") & (d["closed"] < won_end)).to_numpy()
    else:
        g = (inc.won(a_w) + inc.lost(a_w) - inc.won(entry) - inc.lost(entry)) / closers
        hit = ev != OPEN
    g = np.clip(g, 0.0, 1.0)
    k = cohort_of(d["created"], cutoff, cohort_weeks)
    c0 = min(max(closers, 0.01), 0.99)
    log_prior = prior * (c0 * np.log(_Q_GRID) + (1 - c0) * np.log1p(-_Q_GRID + 1e-12))
    out, info = {}, {}
    for c in np.unique(k):
        m = k == c
        n_hit = float((w[m] * hit[m]).sum())
        gm, wm = g[m & ~hit], w[m & ~hit]
        ll = n_hit * np.log(_Q_GRID) + (wm[:, None] * np.log1p(
            -_Q_GRID[None, :] * np.minimum(gm[:, None], 1 - 1e-9))).sum(axis=0)
        out[int(c)] = float(_Q_GRID[np.argmax(ll + log_prior)])
        info[int(c)] = float((w[m] * g[m]).sum())
    return out, info


def _drift(ratios: dict, info: dict, cohort_weeks: int, horizon_weeks: float,
           closers: float, mode="trend") -> float:
    """Share of closers among deals not yet created: the cohort shares' weighted linear trend.

    Each cohort's share is weighted by its expected closes (its information);
    the line is read at the middle of the horizon, and the result stays in
    [0, 1]. With fewer than three informative cohorts: the pooled share.
    """
    ks = [k for k in ratios if info.get(k, 0) > 1.0]
    if mode == "recent":
        ks = [k for k in ks if k * cohort_weeks < 13]
        if not ks:
            return closers
        return float(np.average([ratios[k] for k in ks], weights=[info[k] for k in ks]))
    if len(ks) < 3:
        return closers
    x = -(np.array(ks, float) + 0.5) * cohort_weeks  # cohort centre, weeks from the cutoff
    y = np.array([ratios[k] for k in ks])
    wt = np.array([info[k] for k in ks])
    xm = np.average(x, weights=wt)
    ym = np.average(y, weights=wt)
    sxx = np.average((x - xm) ** 2, weights=wt)
    slope = np.average((x - xm) * (y - ym), weights=wt) / sxx if sxx > 0 else 0.0
    return float(np.clip(ym + slope * (horizon_weeks / 2 - xm), 0.0, 1.0))


def _weekly(created: pd.Series, w: np.ndarray, end: pd.Timestamp, weeks: int):
    age = ((end - created) / WEEK).to_numpy(float)
    idx = weeks - 1 - np.floor(age).astype(int)
    ok = (idx >= 0) & (idx < weeks)
    counts = np.bincount(idx[ok], weights=w[ok], minlength=weeks)
    starts = end - WEEK * np.arange(weeks, 0, -1)
    woy = np.asarray(pd.DatetimeIndex(starts).isocalendar().week, float)
    return counts, woy


def fit(known: pd.DataFrame, cutoff: pd.Timestamp, tracking: Tracking, *,
        weights: np.ndarray | None = None, horizon_weeks: int = 13,
        hazard_weeks: float = 52, half_life_weeks: float = 0.0, rep_weeks: float = 52,
        arrival_window: int = 26, damped: bool = True, min_at_risk: int = 10,
        cohort_weeks: int = 4, cohort_prior: float = 20.0, stall_drift="recent",
        alpha_max: float = 0.5,
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
    ratios, info = _cohort_ratios(d, ev, entry, w_all[hz], inc, c, tracking,
                                  int(cohort_weeks), float(cohort_prior))
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    q_new = (_drift(ratios, info, int(cohort_weeks), horizon_weeks, closers, stall_drift)
             if stall_drift else closers)
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
    pros, _ = _shrink(arrivals_r, np.full(len(reps), max(arrivals_r.mean(), 1e-9)),
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
    conv, a_conv = _shrink(wins_r, exp_r, shrink_floor)
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
    # --- arrivals: weekly team counts, the whole known history for seasonality
    first = known["created"].min()
    weeks_hist = max(int(math.ceil((c - first) / WEEK)), 1)
    counts, woy = _weekly(known["created"], w_all, c, weeks_hist)
    fut = c + WEEK * np.arange(horizon_weeks)
    fwoy = np.asarray(pd.DatetimeIndex(fut).isocalendar().week, float)
    arr = fit_arrivals(counts, woy, fwoy, window=int(arrival_window), damped=damped,
                       alpha_max=alpha_max)
    return Fit(cutoff=c, incidence=inc, reps=reps, shares=shares, conversion=conv,
               conv_posterior=(wins_r, exp_r, a_conv, norm), rep_closed=rep_closed,
               deal_size=size, amounts=amounts, arrivals=arr, n_won=n_won, n_lost=n_lost,
               tracking=tracking, cohort_ratio=ratios, new_closers=q_new)


@dataclass(frozen=True)
class Forecast:
    """Samples of the split, team and per rep, with the notes a planner needs."""

    cutoff: pd.Timestamp
    horizon_weeks: int
    reps: list
    samples: dict  # (component, target) -> DataFrame replications x reps
    amounts_available: bool
    warnings: tuple = ()  # (English, 中文)
    tracking: Tracking | None = None
    fit: Fit | None = None
    thin: bool = False

    def total(self, target: str = "wins") -> pd.DataFrame:
        """Replications x reps: the three parts added."""
        return sum(self.samples[(c, target)] for c in COMPONENTS)

    def split(self, target: str = "wins", quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
        """P10/P50/P90 and mean of each part and the total, for the team and each rep.

        Won amount without deal values in the export is NaN (not available).
        """
        rows = []
        for comp in (*COMPONENTS, "total"):
            s = self.total(target) if comp == "total" else self.samples[(comp, target)]
            for who, x in [("team", s.sum(axis=1))] + [(r, s[r]) for r in self.reps]:
                x = x.to_numpy(float)
                q = (np.quantile(x, quantiles) if self.amounts_available or target == "wins"
                     else np.full(len(quantiles), np.nan))
                mean = float(x.mean()) if not np.isnan(q).all() else math.nan
                rows.append({"part": comp, "who": who, "mean": mean,
                             **{f"p{round(p * 100)}": float(v) for p, v in zip(quantiles, q)}})
        return pd.DataFrame(rows)

    def thin_table(self) -> pd.DataFrame:
        """Won and lost deals behind the fit, team and per rep, and whether that is thin."""
        rc = self.fit.rep_closed.reindex(self.reps).fillna(0.0)
        lost_ok = self.tracking is None or self.tracking.losses_recorded
        rows = [("team", float(rc["won"].sum()), float(rc["lost"].sum()))]
        rows += [(r, float(x.won), float(x.lost)) for r, x in rc.iterrows()]
        t = pd.DataFrame(rows, columns=["who", "won", "lost"])
        t["thin"] = (t["won"] < THIN_WON) | ((t["lost"] < THIN_LOST) & lost_ok)
        return t

    def p_quota(self, quota: float, target: str = "won_amount") -> float:
        """Chance that the team's total reaches ``quota``; NaN when the target is not available."""
        if target == "won_amount" and not self.amounts_available:
            return math.nan
        return float((self.total(target).sum(axis=1) >= quota).mean())


def forecast(deals: pd.DataFrame, cutoff, *, horizon_weeks: int = 13, replications: int = 200,
             seed: int = 0, period_start=None, **settings) -> Forecast:
    """Simulate the split from what was known at ``cutoff`` (see the module doc)."""
    c = _cutoff(cutoff)
    opts = DEFAULTS | settings
    unknown = set(opts) - set(DEFAULTS)
    if unknown:
        raise SimkitInputError("settings", sorted(unknown)[0], "one of " + ", ".join(DEFAULTS))
    known = as_of(deals, c)
    if (known["status"] == "won").sum() < 5:
        raise SimkitInputError("--cutoff", str(c.date()), "a date with at least 5 wins before it")
    tracking = detect_tracking(known, c)
    rng = np.random.default_rng(seed)
    fit_kw = {k: opts[k] for k in ("hazard_weeks", "half_life_weeks", "rep_weeks",
                                   "arrival_window", "damped", "min_at_risk",
                                   "cohort_weeks", "cohort_prior", "stall_drift",
                                   "alpha_max", "shrink_floor", "pretracking")}
    base = fit(known, c, tracking, horizon_weeks=horizon_weeks, **fit_kw)
    reps = base.reps
    h = float(horizon_weeks)
    warnings = [tuple(n) for n in tracking.notes()]
    thin_ratio = min(1.0, base.n_won / THIN_WON,
                     base.n_lost / THIN_LOST if tracking.losses_recorded else 1.0)
    thin = thin_ratio < 1.0
    if thin:
        warnings.append((
            f"thin data: {base.n_won:.0f} won and {base.n_lost:.0f} lost deals behind the fit "
            f"(a stable estimate needs about {THIN_WON} won and {THIN_LOST} lost); the "
            f"intervals are widened accordingly",
            f"数据偏少：拟合只用到 {base.n_won:.0f} 个成交、{base.n_lost:.0f} 个丢单"
            f"（稳定估计约需 {THIN_WON} 个成交、{THIN_LOST} 个丢单），区间已相应放宽"))
    lam = max(thin_ratio, 0.2) if opts["thin_widen"] else 1.0
    # the open pipeline at the cutoff (always the real one)
    op = known[known["status"] == "open"]
    op_rep = pd.Index(reps).get_indexer(op["rep"])
    a_c = ((c - op["created"]) / WEEK).to_numpy(float)
    won_end, lost_end = tracking.ends(c)
    a_w = np.maximum(((won_end - op["created"]) / WEEK).to_numpy(float), 0.0)
    a_l = (np.zeros(len(op)) if lost_end is None
           else np.maximum(((lost_end - op["created"]) / WEEK).to_numpy(float), 0.0))
    op_cohort = cohort_of(op["created"], c, int(opts["cohort_weeks"]))
    n_drop = int((op_rep < 0).sum())
    if n_drop:
        warnings.append((f"{n_drop} open deals of reps with no deals in the last "
                         f"{opts['rep_weeks']} weeks are left out",
                         f"{n_drop} 个未结商机属于近 {opts['rep_weeks']} 周"
                         f"没有新商机的销售，未计入"))
    # won so far in the period
    ps = c if period_start is None else _cutoff(period_start)
    so_far = known[(known["status"] == "won") & (known["closed"] >= ps) & (known["closed"] < c)]
    amounts_available = bool(np.isfinite(known.loc[known["status"] == "won", "amount"])
                             .any() and (known.loc[known["status"] == "won", "amount"] > 0).any())
    sf_w = so_far.groupby("rep").size().reindex(reps).fillna(0).to_numpy(float)
    sf_a = so_far.groupby("rep")["amount"].sum().reindex(reps).fillna(0).to_numpy(float)
    R, n_r = replications, len(reps)
    out = {(k, t): np.zeros((R, n_r)) for k in COMPONENTS for t in ("wins", "won_amount")}
    out[("won_so_far", "wins")][:] = sf_w
    out[("won_so_far", "won_amount")][:] = sf_a
    batch = max(int(opts["batch"]), 1)
    u = (np.arange(8) + 0.5) / 8  # creation times within a week
    for b0 in range(0, R, batch):
        nb = min(batch, R - b0)
        if opts["bootstrap"]:
            wts = rng.poisson(lam, len(known)) / lam
            f = fit(known, c, tracking, weights=wts, horizon_weeks=horizon_weeks, **fit_kw)
            f = _align(f, reps)
        else:
            f = base
        inc = f.incidence
        conv = base.draw_conversion(rng) if opts["rep_posterior"] else f.conversion
        p_open = _p_open(inc, a_w, a_l, a_c, h, op_cohort, f.cohort_ratio)
        ok = op_rep >= 0
        p_ij = np.clip(p_open[ok] * conv[op_rep[ok]], 0.0, 1.0)
        hits = rng.random((nb, len(p_ij))) < p_ij
        wins_open = np.zeros((nb, n_r))
        for j in range(n_r):
            wins_open[:, j] = hits[:, op_rep[ok] == j].sum(axis=1)
        # new deals
        arr = f.arrivals if opts["boot_arrivals"] else base.arrivals
        paths = arr.sample_paths(rng, nb, horizon_weeks)  # nb x H
        wk = np.arange(horizon_weeks)[:, None] + u[None, :]
        drift = f.new_closers / max(inc.p_won + inc.p_lost, 1e-9)
        p_new = inc.won(np.maximum(h - wk, 0.0)).mean(axis=1) * drift  # H
        wins_new = np.zeros((nb, n_r))
        for i in range(nb):
            alloc = np.array([rng.multinomial(int(n), f.shares) for n in paths[i]])  # H x reps
            pr = np.clip(p_new[:, None] * conv[None, :], 0.0, 1.0)
            wins_new[i] = rng.binomial(alloc, pr).sum(axis=0)
        sl = slice(b0, b0 + nb)
        out[("open_pipeline", "wins")][sl] = wins_open
        out[("new_deals", "wins")][sl] = wins_new
        if amounts_available and len(f.amounts):
            for comp, k in (("open_pipeline", wins_open), ("new_deals", wins_new)):
                out[(comp, "won_amount")][sl] = _amount_sums(rng, k, f.amounts, f.deal_size)
    nan_amt = not amounts_available
    samples = {}
    for key, arr in out.items():
        if key[1] == "won_amount" and nan_amt:
            arr = np.full_like(arr, np.nan)
        samples[key] = pd.DataFrame(arr, columns=reps)
    return Forecast(cutoff=c, horizon_weeks=horizon_weeks, reps=list(reps), samples=samples,
                    amounts_available=amounts_available, warnings=tuple(warnings),
                    tracking=tracking, fit=base, thin=thin)


def _p_open(inc: Incidence, a_w, a_l, a_c, h: float, cohort, ratios: dict) -> np.ndarray:
    """P(won within the horizon | still open), with its cohort's stall drift.

    What is known of an open deal: not won by age ``a_w`` (until when wins
    are recorded) and not lost by ``a_l`` (losses; 0 if never recorded).
    Closers (won or lost eventually) have incidences ``G = CIF / (1 -
    stalled)``; a cohort's share of closers ``q`` is :func:`_cohort_ratios`'.
    So P = q (G_won(a + h) - G_won(a)) / (q (1 - G_won(a_w) - G_lost(a_l)) + 1 - q)
    at the deal's age ``a`` at the cutoff.
    """
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    q = np.clip(np.array([ratios.get(int(k), closers) for k in cohort]), 1e-9, 1.0)
    sc = np.clip(1.0 - (inc.won(a_w) + inc.lost(a_l)) / closers, 0.0, 1.0)
    gain = (inc.won(a_c + h) - inc.won(a_c)) / closers
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(q * sc + 1 - q > 1e-12, q * gain / (q * sc + 1 - q), 0.0)
    return np.clip(p, 0.0, 1.0)


def _align(f: Fit, reps: list) -> Fit:
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
               tracking=f.tracking, cohort_ratio=f.cohort_ratio, new_closers=f.new_closers)


def _amount_sums(rng, k: np.ndarray, amounts: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Sum of k[i, j] draws from ``amounts`` times rep j's size multiplier."""
    k = k.astype(int)
    total = int(k.sum())
    out = np.zeros(k.shape)
    if total == 0:
        return out
    draws = rng.choice(amounts, total)
    flat = k.ravel()
    ends = np.cumsum(flat)
    sums = np.add.reduceat(np.concatenate([draws, [0.0]]), np.concatenate([[0], ends[:-1]]))
    sums = np.where(flat > 0, sums[: len(flat)], 0.0)
    return sums.reshape(k.shape) * size[None, :]
