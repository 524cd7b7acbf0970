"""Cohort drift in stalling: each creation cohort's share of deals that ever close.

The cure-model reading: a deal is a *closer* (it closes, won or lost, with
the pooled closers' timing ``G = (CIF_won + CIF_lost) / (1 - stalled)``) or
it is stalled and never closes. Creation cohort k (blocks of
``cohort_weeks`` counted back from the cutoff) holds a share ``q_k`` of
closers. :func:`cohort_closers` estimates ``q_k``; :func:`p_open` turns it
into an open deal's chance to be won within the horizon; :func:`drift`
gives the share for deals not yet created.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simkit.crm.survival import OPEN, Incidence
from simkit.crm.tracking import Tracking

__all__ = ["closer_weights", "cohort_closers", "cohort_of", "drift", "p_open", "scaled"]

WEEK = pd.Timedelta(days=7)


def cohort_of(created: pd.Series, cutoff: pd.Timestamp, cohort_weeks: int) -> np.ndarray:
    """Creation cohort of each deal: blocks of ``cohort_weeks`` counted back from the cutoff."""
    return np.floor(((cutoff - created) / WEEK).to_numpy(float) / cohort_weeks).astype(int)


_Q_GRID = np.linspace(0.005, 1.0, 200)


def cohort_closers(d: pd.DataFrame, ev, entry, w, inc: Incidence, cutoff, tracking: Tracking,
                   cohort_weeks: int, prior: float, window: float = 0.0,
                   young_pooled: bool = False) -> tuple[dict, dict]:
    """Each creation cohort's share of closers (deals that ever close), and its information.

    The cure-model reading of cohort drift: closers close with the pooled
    closers' distribution ``G = (CIF_won + CIF_lost) / (1 - stalled)``, and
    cohort k holds a share ``q_k`` of closers. A deal followed from age
    ``a0`` (it was open then) to ``a1`` has likelihood ``q (G(a1) - G(a0)) /
    (q (1 - G(a0)) + 1 - q)`` of closing in between (up to a factor without
    ``q``) and ``(q (1 - G(a1)) + 1 - q) / (q (1 - G(a0)) + 1 - q)`` of
    staying open, so an open deal past the usual cycle says "stalled" more
    loudly than a young one. ``q_k`` maximises the cohort's likelihood plus
    a Beta prior worth ``prior`` deals centred on the pooled share, so a
    cohort with little follow-up stays near it; ``prior`` NaN (the default)
    sizes it from the data by empirical Bayes (:func:`_eb_prior`). Where losses are not
    recorded to the cutoff, wins alone are read (against ``CIF_won / (1 -
    stalled)``), up to the date wins are recorded until.

    ``window`` (weeks; 0: the whole follow-up) reads only the last
    ``window`` weeks before the end of observation: each deal still open at
    the window's start enters there (``a0``), deals closed before it are left
    out. This is the cohort's *recent* closing rate: a cohort whose quick
    closers are gone and whose remaining deals have stopped closing is read
    as stalled, which the whole-follow-up likelihood, dominated by the early
    closes, cannot see (the timing of the closes carries no information on
    ``q`` there). With ``young_pooled`` a cohort younger than the window
    keeps the pooled share: its whole life is the first weeks of the timing
    curve, where cohorts differ in speed (Maven: median cycle 1.3 weeks for
    deals created in a quarter's first month, 9-12 weeks otherwise), and a
    slow start would be read as stalling.
    """
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    won_end, lost_end = tracking.ends(cutoff)
    a_w = np.maximum(((won_end - d["created"]) / WEEK).to_numpy(float), 0.0)
    a_close = ((d["closed"] - d["created"]) / WEEK).to_numpy(float)
    wins_only = lost_end is None or lost_end < cutoff
    if wins_only:
        def big_g(a):
            return inc.won(a) / closers
        hit = ((d["status"] == "won") & (d["closed"] < won_end)).to_numpy()
    else:
        def big_g(a):
            return (inc.won(a) + inc.lost(a)) / closers
        hit = ev != OPEN
    a_s = a_w - window if window > 0 else np.full(len(d), -np.inf)
    a0 = np.maximum(np.maximum(np.asarray(entry, float), a_s), 0.0)
    keep = ~(hit & (a_close < a0))  # closed before it entered the window: not at risk there
    g0 = np.clip(big_g(a0), 0.0, 1.0 - 1e-9)
    g1 = np.clip(np.maximum(big_g(a_w), g0), 0.0, 1.0 - 1e-9)
    k = cohort_of(d["created"], cutoff, cohort_weeks)
    c0 = min(max(closers, 0.01), 0.99)
    qg = _Q_GRID[None, :]
    lls, infos = {}, {}
    for c in np.unique(k):
        m = (k == c) & keep
        if not m.any() or (young_pooled and window > 0 and (c + 1) * cohort_weeks <= window):
            continue  # a cohort younger than the window keeps the pooled share
        h, wm = hit[m], w[m]
        den = np.log1p(-qg * g0[m][:, None])
        ll_hit = np.log(qg) - den
        ll_open = np.log1p(-qg * g1[m][:, None]) - den
        lls[int(c)] = (wm[:, None] * np.where(h[:, None], ll_hit, ll_open)).sum(axis=0)
        infos[int(c)] = float((wm * (g1[m] - g0[m])).sum())
    if prior is None or (isinstance(prior, float) and np.isnan(prior)):
        prior = _eb_prior(lls, infos, c0)

    def beta_prior(a):
        return a * (c0 * np.log(_Q_GRID) + (1 - c0) * np.log1p(-_Q_GRID + 1e-12))

    out = {c: float(_Q_GRID[np.argmax(ll + beta_prior(prior))]) for c, ll in lls.items()}
    info = infos
    return out, info


def drift(ratios: dict, info: dict, cohort_weeks: int, horizon_weeks: float,
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


def p_open(inc: Incidence, a_w, a_l, a_c, h: float, cohort, ratios: dict) -> np.ndarray:
    """P(won within the horizon | still open), with its cohort's stall drift.

    What is known of an open deal: not won by age ``a_w`` (until when wins
    are recorded) and not lost by ``a_l`` (losses; 0 if never recorded).
    Closers (won or lost eventually) have incidences ``G = CIF / (1 -
    stalled)``; a cohort's share of closers ``q`` is :func:`cohort_closers`'.
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



def _eb_prior(lls: dict, infos: dict, c0: float, lo: float = 1.0, hi: float = 200.0,
              fallback: float = 20.0) -> float:
    """Empirical-Bayes strength of the Beta prior on the cohort shares (method of moments).

    Each cohort's share by maximum likelihood with a one-deal prior, and its
    sampling variance from the likelihood's curvature; the between-cohort
    variance is the spread of the shares less that noise, and a Beta with
    mean ``c0`` and that variance has strength ``c0 (1 - c0) / var - 1``. A
    cohort far from the others (a burst of deals that never close) makes the
    prior weak, so its own data speak; cohorts that agree make it strong.
    With fewer than three cohorts that carry information (more than one
    expected close) the spread cannot be read: ``fallback`` deals.
    """
    base = 1.0 * (c0 * np.log(_Q_GRID) + (1 - c0) * np.log1p(-_Q_GRID + 1e-12))
    q, v, wt = [], [], []
    for c, ll in lls.items():
        post = ll + base
        i = int(np.argmax(post))
        j = min(max(i, 1), len(_Q_GRID) - 2)
        h = _Q_GRID[1] - _Q_GRID[0]
        curv = -(post[j + 1] - 2 * post[j] + post[j - 1]) / h**2
        if infos[c] <= 1.0 or curv <= 0:
            continue
        q.append(_Q_GRID[i])
        v.append(1.0 / curv)
        wt.append(infos[c])
    if len(q) < 3:
        return fallback
    q, v, wt = np.array(q), np.array(v), np.array(wt)
    spread = float(np.average((q - c0) ** 2, weights=wt)) - float(np.average(v, weights=wt))
    if spread <= 1e-9:
        return hi
    return float(np.clip(c0 * (1 - c0) / spread - 1.0, lo, hi))


def closer_weights(d: pd.DataFrame, t, ev, inc: Incidence, ratios: dict, cutoff,
                   cohort_weeks: int) -> np.ndarray:
    """Each deal's chance of being a closer: 1 if it closed, else its cohort's posterior.

    An open deal followed to age ``t`` is a closer with probability ``q (1 -
    G(t)) / (q (1 - G(t)) + 1 - q)``. Weighting the at-risk sets by it gives
    the closers' own timing (the E step of the cure model's EM), so a
    cohort full of stalled deals no longer slows everybody's hazard.
    """
    closers = max(inc.p_won + inc.p_lost, 1e-9)
    k = cohort_of(d["created"], cutoff, cohort_weeks)
    q = np.clip(np.array([ratios.get(int(x), closers) for x in k]), 1e-9, 1.0)
    sc = np.clip(1.0 - (inc.won(t) + inc.lost(t)) / closers, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        post = np.where(q * sc + 1 - q > 1e-12, q * sc / (q * sc + 1 - q), 1.0)
    return np.where(np.asarray(ev) == OPEN, post, 1.0)


def scaled(inc: Incidence, share: float) -> Incidence:
    """``inc`` with its incidences scaled so that eventually closing has probability ``share``."""
    tot = inc.p_won + inc.p_lost
    if tot <= 0:
        return inc
    f = share / tot
    return Incidence(inc.times, inc.cif_won * f, inc.cif_lost * f, inc.at_risk, inc.tau, inc.n,
                     inc.tail_weeks)
