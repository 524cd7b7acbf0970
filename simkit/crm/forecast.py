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

What is fitted at the cutoff is :func:`.fitting.fit`'s (hazards by deal age,
cohort drift in stalling from :mod:`.cohorts`, per-rep multipliers, won
amounts and the arrival model).

**Parameter uncertainty**: replications run in batches; each batch refits
everything but the arrival model on a Poisson bootstrap of the deals (each
deal weighted by a Poisson(1) draw), so the intervals carry the uncertainty
of the estimates, not only the simulation's noise. The arrival model is
fitted once (``boot_arrivals = False``): its paths already move level and
trend with every drawn week, and refitting it per batch moved Maven's mean
by bagging 50 grid-searched smoothers (mean |team bias| on wins at 07-01
and 10-01 .039 against .021; ``--part maven --set boot_arrivals=True --set
burst_mix=False``) and bought nothing on the synthetic histories (team 80%
coverage .825 / .800 for wins / amount against .825 / .825 without). **Thin data**: with fewer than
``THIN_WON`` wins or ``THIN_LOST`` losses in the fit, a warning is raised in
the result and the bootstrap weights are Poisson(lam) / lam with lam the
shortfall ratio (an m-out-of-n bootstrap), which widens the intervals by
about ``1 / sqrt(lam)``.

**A burst or a drop of new deals right before the cutoff** (``burst_mix``,
on by default; :func:`.arrivals.burst` finds it) reads two ways: a lasting
change, which the one-step damped-trend fit follows (and overshoots, as it
projects the jump as a trend), or a one-off, which a fit with huberised
updates and smoothing chosen by the 1-13-week-ahead error discounts. The
history cannot tell them apart, so half of each batch's arrival paths come
from each reading and the interval is wide. Measured
(``benchmarks/backtest_scorecard.py --part bursts``, 200 simulated series a
case): the CRPS of the 13-week arrival total is lower than the one-step fit's
after a one-off burst (.559 against 1.165), a burst that lasts (.134 /
.160), a one-off drop (.320 / .536) and a drop that lasts (.215 / .224);
higher when the level shifted 8 weeks before the cutoff (.088 / .069);
unchanged without a burst (the rule never fires there). On Maven at every
month's first day (``--part monthly``) the team CRPS falls from .228 to .159
(wins) and from .222 to .159 (amount); 07-01 and 10-01, where no burst is
seen, and the 20 synthetic histories (none seen) are unchanged. On 20
synthetic histories a case cut right after four weeks of twice the planned
new deals (``--part synthetic-bursts``): after a one-off burst the team CRPS
of wins falls from .268 to .221 and the bias from +37% to +32%; after a
lasting one it rises from .057 to .064 and the bias goes from -2.0% to -5.3%.
``burst_reading = "skip"`` reads the one-off as if the burst's weeks had not
happened (the arrival model fitted without them): better on the synthetic
one-offs (team CRPS .164, bias +25%) but worse on the lasting ones (.088,
-10.2%) and on Maven's month starts (.163 / .167), so the huberised reading
is the default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simkit.crm.arrivals import BURST_WEEKS, burst
from simkit.crm.cohorts import cohort_of, p_open
from simkit.crm.estimate import _cutoff, as_of
from simkit.crm.fitting import Fit, align, fit, team_arrivals
from simkit.crm.tracking import Tracking, detect_tracking
from simkit.model.errors import SimkitInputError

__all__ = ["COMPONENTS", "DEFAULTS", "THIN_LOST", "THIN_WON", "Fit", "Forecast", "fit",
           "forecast"]

WEEK = pd.Timedelta(days=7)
COMPONENTS = ("won_so_far", "open_pipeline", "new_deals")
THIN_WON, THIN_LOST = 50, 150
# The settings chosen on Maven and synthetic exports (benchmarks/backtest_scorecard.py).
DEFAULTS = {"hazard_weeks": 52, "half_life_weeks": 0.0, "rep_weeks": 52,
            "arrival_window": 26, "batch": 20, "bootstrap": True, "damped": True,
            "min_at_risk": 10, "cohort_weeks": 4, "cohort_prior": math.nan,
            "stall_drift": "recent",
            "cohort_window": 4.0, "cure_em": 2, "young_pooled": True,
            "robust_arrivals": True, "huber_arrivals": 0.0, "trace_arrivals": False,
            "alpha_max": 0.5, "rep_posterior": True, "shrink_floor": 1.0,
            "pretracking": "entry", "boot_arrivals": False,
            "thin_widen": True, "product_amounts": True, "burst_mix": True,
            "burst_reading": "huber"}


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
    if opts["burst_reading"] not in ("huber", "skip"):
        raise SimkitInputError("burst_reading", opts["burst_reading"], "'huber' or 'skip'")
    known = as_of(deals, c)
    if (known["status"] == "won").sum() < 5:
        raise SimkitInputError("--cutoff", str(c.date()), "a date with at least 5 wins before it")
    tracking = detect_tracking(known, c)
    rng = np.random.default_rng(seed)
    # amounts draw from their own stream: how deals are valued does not move the won counts
    rng_amt = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    fit_kw = {k: opts[k] for k in ("hazard_weeks", "half_life_weeks", "rep_weeks",
                                   "arrival_window", "damped", "min_at_risk",
                                   "cohort_weeks", "cohort_prior", "stall_drift",
                                   "cohort_window", "cure_em", "young_pooled", "alpha_max",
                                   "shrink_floor", "pretracking", "robust_arrivals",
                                   "huber_arrivals", "trace_arrivals")}
    base = fit(known, c, tracking, horizon_weeks=horizon_weeks, **fit_kw)
    reps = base.reps
    h = float(horizon_weeks)
    notes = _history_notes(known, c, horizon_weeks)
    warnings = [tuple(n) for n in tracking.notes()] + [n[:2] for n in notes]
    # A burst (or drop) of new deals right before the cutoff reads two ways: a level shift
    # the one-step fit follows, or a one-off the huberised, trace-chosen fit discounts.
    # With ``burst_mix`` half of each batch's paths come from each reading.
    other, skip = None, BURST_WEEKS if opts["burst_reading"] == "skip" else 0
    if opts["burst_mix"] and any(n[2] == "burst" for n in notes):
        one_off = {"skip": skip} if skip else {"huber": 2.0, "trace": True}
        other = team_arrivals(known, c, base.arrival_weights, horizon_weeks,
                              window=int(opts["arrival_window"]), damped=opts["damped"],
                              alpha_max=opts["alpha_max"], robust=opts["robust_arrivals"],
                              **one_off)
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
    op_prod = (op["product"] if "product" in op else pd.Series(None, index=op.index)).to_numpy()
    n_drop = int((op_rep < 0).sum())
    if n_drop:
        warnings.append((f"{n_drop} open deals of reps with no deals in the last "
                         f"{opts['rep_weeks']} weeks are left out",
                         f"{n_drop} 个在途商机属于近 {opts['rep_weeks']} 周"
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
            f = align(f, reps)
        else:
            f = base
        inc = f.incidence
        conv = base.draw_conversion(rng) if opts["rep_posterior"] else f.conversion
        p_o = p_open(inc, a_w, a_l, a_c, h, op_cohort, f.cohort_ratio)
        ok = op_rep >= 0
        p_ij = np.clip(p_o[ok] * conv[op_rep[ok]], 0.0, 1.0)
        hits = rng.random((nb, len(p_ij))) < p_ij
        wins_open = np.zeros((nb, n_r))
        for j in range(n_r):
            wins_open[:, j] = hits[:, op_rep[ok] == j].sum(axis=1)
        # new deals
        arr = f.arrivals if opts["boot_arrivals"] else base.arrivals
        if other is None:
            paths = arr.sample_paths(rng, nb, horizon_weeks)  # nb x H
        else:
            half = nb // 2
            paths = np.vstack([arr.sample_paths(rng, nb - half, horizon_weeks),
                               other.sample_paths(rng, half, skip + horizon_weeks)[:, skip:]])
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
            out[("new_deals", "won_amount")][sl] = _amount_sums(rng_amt, wins_new, f.amounts,
                                                                f.deal_size)
            if opts["product_amounts"]:
                amt_open = _open_amounts(rng_amt, hits, op_prod[ok], op_rep[ok], f)
                for j in range(n_r):
                    out[("open_pipeline", "won_amount")][sl, j] = amt_open[
                        :, op_rep[ok] == j].sum(axis=1)
            else:
                out[("open_pipeline", "won_amount")][sl] = _amount_sums(
                    rng_amt, wins_open, f.amounts, f.deal_size)
    nan_amt = not amounts_available
    samples = {}
    for key, arr in out.items():
        if key[1] == "won_amount" and nan_amt:
            arr = np.full_like(arr, np.nan)
        samples[key] = pd.DataFrame(arr, columns=reps)
    return Forecast(cutoff=c, horizon_weeks=horizon_weeks, reps=list(reps), samples=samples,
                    amounts_available=amounts_available, warnings=tuple(warnings),
                    tracking=tracking, fit=base, thin=thin)




def _history_notes(known: pd.DataFrame, c: pd.Timestamp, horizon_weeks: int) -> list:
    """What the forecast cannot know from this history, said out loud: (English, 中文, kind).

    - Closes recorded for less than the horizon before the cutoff: how an old
      open deal closes is extrapolated from a short follow-up.
    - New deals in the last ``BURST_WEEKS`` weeks at ``BURST_RATIO`` times (or
      1 / that) the median week of the 13 before, and ``BURST_Z`` Poisson sd
      away (:func:`.arrivals.burst`): a lasting change or a one-off (a list
      import, a campaign, a lag in data entry)? With ``burst_mix`` the
      forecast carries both readings, and the note says so.

    Each note is ``(English, 中文, kind)``, kind ``short`` or ``burst``.
    """
    out = []
    closed = known["closed"].dropna()
    if len(closed):
        weeks = (c - closed.min()) / WEEK
        if weeks < horizon_weeks:
            out.append((f"closes are recorded for only {weeks:.0f} weeks before the cutoff, "
                        f"less than the {horizon_weeks}-week horizon: how older open deals "
                        f"close is extrapolated; read this forecast with care",
                        f"截止日期前只有 {weeks:.0f} 周的结单记录，短于 {horizon_weeks} 周的"
                        f"预测期：较老的在途商机如何结单是外推的，请谨慎解读", "short"))
    age = ((c - known["created"]) / WEEK).to_numpy(float)
    n = BURST_WEEKS + 13
    wk = np.bincount(np.floor(age[(age >= 0) & (age < n)]).astype(int), minlength=n)
    found = burst(wk[::-1]) if age.max() >= n else None
    if found is not None:
        recent, before, ratio = found
        en_verb, zh_verb = ("rose", "升至") if ratio > 1 else ("fell", "降至")
        out.append((f"new deals in the last {BURST_WEEKS} weeks {en_verb} to "
                    f"{recent:.0f} a week, {ratio:.1f} times the usual {before:.0f}: the "
                    f"history cannot tell a lasting change from a one-off (a list import, "
                    f"a campaign, a delay in data entry), so half of the simulated paths of "
                    f"new business follow the change and half treat it as a one-off, and "
                    f"the interval is wide",
                    f"最近 {BURST_WEEKS} 周新商机每周{zh_verb} {recent:.0f} 个，是平常"
                    f"（{before:.0f} 个）的 {ratio:.1f} 倍：仅凭历史数据分不清这是持续的变化"
                    f"还是一次性的（导入名单、市场活动、录入延迟），所以新业务的模拟路径一半"
                    f"沿用这一变化、一半当作一次性处理，区间因此较宽",
                    "burst"))
    return out


def _open_amounts(rng, hits: np.ndarray, product: np.ndarray, rep: np.ndarray,
                  f: Fit) -> np.ndarray:
    """Won amount of each open deal in each replication (0 where it is not won).

    A deal whose product has its own won amounts is valued by them (the
    product, not the rep, sets its size); any other by the pool of won
    amounts times its rep's deal-size multiplier.
    """
    out = np.zeros(hits.shape)
    by_product = pd.Series(np.arange(len(product))).groupby(
        pd.Series(product).map(lambda p: p if p in f.product_amounts else None).to_numpy(),
        dropna=False)
    for p, idx in by_product:
        idx = idx.to_numpy()
        if p is None or (isinstance(p, float) and math.isnan(p)):
            draws = rng.choice(f.amounts, (hits.shape[0], len(idx))) * f.deal_size[rep[idx]]
        else:
            draws = rng.choice(f.product_amounts[p], (hits.shape[0], len(idx)))
        out[:, idx] = draws * hits[:, idx]
    return out


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
