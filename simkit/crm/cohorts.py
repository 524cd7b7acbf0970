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

__all__ = ["cohort_closers", "cohort_of", "drift", "p_open"]

WEEK = pd.Timedelta(days=7)


def cohort_of(created: pd.Series, cutoff: pd.Timestamp, cohort_weeks: int) -> np.ndarray:
    """Creation cohort of each deal: blocks of ``cohort_weeks`` counted back from the cutoff."""
    return np.floor(((cutoff - created) / WEEK).to_numpy(float) / cohort_weeks).astype(int)


_Q_GRID = np.linspace(0.005, 1.0, 200)


def cohort_closers(d: pd.DataFrame, ev, entry, w, inc: Incidence, cutoff, tracking: Tracking,
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

