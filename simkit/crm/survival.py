"""Time to close with open deals censored: competing risks with a stalled share.

A deal created at time 0 is, at the cutoff, won (at time t), lost (at t) or
still open at its age a (censored). The Aalen-Johansen estimator gives the
cumulative incidence of a win, CIF_won(t), and of a loss, CIF_lost(t), with
open deals counted at risk until their age and then censored: they are
neither dropped (which would bias the win rate towards deals that closed
fast) nor counted as lost.

Deals that are still open when the incidences have stopped rising are
*stalled*: the cure-model reading of the plateau, 1 - CIF_won(tau) -
CIF_lost(tau), where tau is the longest follow-up with at least
``min_at_risk`` deals at risk. It only means "never closes" when follow-up
is longer than real cycles; :attr:`Incidence.plateau_rise` reports how much
the win incidence still rose in the last ``tail_weeks`` before tau.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Incidence", "aalen_johansen", "kaplan_meier"]

WON, LOST, OPEN = 1, 2, 0


@dataclass(frozen=True)
class Incidence:
    """Cumulative incidences of won and lost at the distinct event times up to ``tau``."""

    times: np.ndarray  # distinct event times, weeks
    cif_won: np.ndarray
    cif_lost: np.ndarray
    at_risk: np.ndarray
    tau: float  # longest follow-up used
    n: int
    tail_weeks: float = 4.0

    def _at(self, arr: np.ndarray, t) -> np.ndarray:
        t = np.minimum(np.asarray(t, float), self.tau)
        idx = np.searchsorted(self.times, t, side="right") - 1
        return np.where(idx >= 0, arr[np.maximum(idx, 0)], 0.0)

    def won(self, t) -> np.ndarray:
        """CIF_won(min(t, tau))."""
        return self._at(self.cif_won, t)

    def lost(self, t) -> np.ndarray:
        return self._at(self.cif_lost, t)

    @property
    def p_won(self) -> float:
        """Probability that a new deal is eventually won (within the follow-up tau)."""
        return float(self.cif_won[-1]) if len(self.times) else 0.0

    @property
    def p_lost(self) -> float:
        return float(self.cif_lost[-1]) if len(self.times) else 0.0

    @property
    def p_stalled(self) -> float:
        return max(0.0, 1.0 - self.p_won - self.p_lost)

    @property
    def plateau_rise(self) -> float:
        """Rise of CIF_won over the last ``tail_weeks`` before tau (near 0 at a plateau)."""
        return float(self.p_won - self.won(self.tau - self.tail_weeks))

    def p_won_given_open(self, age) -> np.ndarray:
        """Chance that a deal still open at ``age`` weeks is eventually won (0 beyond tau)."""
        age = np.asarray(age, float)
        surv = 1.0 - self.won(age) - self.lost(age)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(surv > 1e-12, (self.p_won - self.won(age)) / surv, 0.0)
        return np.where(age >= self.tau, 0.0, np.clip(p, 0.0, 1.0))

    def conditional_moments(self, cause: int = WON) -> tuple[float, float, float]:
        """(mean, sd, weight) of the time to close among deals closing with ``cause`` by tau."""
        cif = self.cif_won if cause == WON else self.cif_lost
        jumps = np.diff(np.concatenate([[0.0], cif]))
        w = float(jumps.sum())
        if w <= 0:
            return math.nan, math.nan, 0.0
        mean = float((jumps * self.times).sum() / w)
        var = float((jumps * (self.times - mean) ** 2).sum() / w)
        return mean, math.sqrt(max(var, 0.0)), w

    def conditional_quantile(self, q, cause: int = WON) -> np.ndarray:
        """Quantiles of the time to close among deals closing with ``cause`` by tau."""
        cif = self.cif_won if cause == WON else self.cif_lost
        if not len(cif) or cif[-1] <= 0:
            return np.full(np.shape(q), np.nan)
        cdf = cif / cif[-1]
        idx = np.searchsorted(cdf, np.asarray(q, float) - 1e-12, side="left")
        return self.times[np.minimum(idx, len(self.times) - 1)]


def aalen_johansen(time, event, min_at_risk: int = 10, tail_weeks: float = 4.0) -> Incidence:
    """Cumulative incidence of won (event 1) and lost (event 2); event 0 is open (censored).

    ``time`` is weeks from creation to close, or to the cutoff for an open
    deal. Follow-up stops at the last time with at least ``min_at_risk``
    deals at risk, so the tail is not read from a handful of deals.
    """
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    n = len(t)
    if n == 0:
        z = np.zeros(0)
        return Incidence(z, z, z, z, 0.0, 0, tail_weeks)
    order = np.argsort(t, kind="stable")
    t, e = t[order], e[order]
    uniq, first = np.unique(t, return_index=True)
    at_risk = n - first
    d_won = np.add.reduceat((e == WON).astype(float), first)
    d_lost = np.add.reduceat((e == LOST).astype(float), first)
    keep = at_risk >= min_at_risk
    last_ok = int(np.flatnonzero(keep)[-1]) + 1 if keep.any() else 0
    uniq, at_risk, d_won, d_lost = uniq[:last_ok], at_risk[:last_ok], d_won[:last_ok], d_lost[:last_ok]
    hazard = (d_won + d_lost) / np.maximum(at_risk, 1)
    surv_before = np.concatenate([[1.0], np.cumprod(1.0 - hazard)[:-1]])
    cif_won = np.cumsum(surv_before * d_won / np.maximum(at_risk, 1))
    cif_lost = np.cumsum(surv_before * d_lost / np.maximum(at_risk, 1))
    has_event = (d_won + d_lost) > 0
    tau = float(uniq[-1]) if len(uniq) else 0.0
    return Incidence(uniq[has_event], cif_won[has_event], cif_lost[has_event],
                     at_risk[has_event], tau, n, tail_weeks)


def kaplan_meier(time, closed) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival of 'still open' (closed: True for an observed close)."""
    t = np.asarray(time, float)
    c = np.asarray(closed, bool)
    order = np.argsort(t, kind="stable")
    t, c = t[order], c[order]
    uniq, first = np.unique(t, return_index=True)
    at_risk = len(t) - first
    d = np.add.reduceat(c.astype(float), first) if len(t) else np.zeros(0)
    return uniq, np.cumprod(1.0 - d / np.maximum(at_risk, 1))


def aalen_johansen_weighted(time, event, entry=None, weights=None, min_at_risk: int = 10,
                            tail_weeks: float = 4.0) -> Incidence:
    """:func:`aalen_johansen` with delayed entry and case weights.

    ``entry`` (weeks of age) is when a deal enters follow-up: a deal created
    before the export began recording closes is at risk only from the age
    it had on that date (left truncation), so its late close is not read as
    a slow cycle. ``weights`` weight each deal (for instance more weight on
    recent cohorts, whose stalled share may have drifted); ``min_at_risk``
    counts deals, not weights.
    """
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    n = len(t)
    ent = np.zeros(n) if entry is None else np.minimum(np.asarray(entry, float), t)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    if n == 0:
        z = np.zeros(0)
        return Incidence(z, z, z, z, 0.0, 0, tail_weeks)
    ev_times = np.unique(t[e != OPEN])
    if len(ev_times) == 0:
        z = np.zeros(0)
        return Incidence(z, z, z, z, float(t.max()), n, tail_weeks)
    # at risk at s: entry < s <= time (a deal entering at age 0 is at risk from 0)
    ent_eff = np.where(ent <= 0, -1.0, ent)
    o_t = np.argsort(t, kind="stable")
    t_s, w_t = t[o_t], w[o_t]
    cw_t = np.concatenate([[0.0], np.cumsum(w_t)])
    o_e = np.argsort(ent_eff, kind="stable")
    e_s, w_e = ent_eff[o_e], w[o_e]
    cw_e = np.concatenate([[0.0], np.cumsum(w_e)])
    i_t = np.searchsorted(t_s, ev_times, side="left")  # first with time >= s
    i_e = np.searchsorted(e_s, ev_times, side="left")  # entries < s
    risk_w = (cw_t[-1] - cw_t[i_t]) - (cw_e[-1] - cw_e[i_e])
    risk_n = (n - i_t) - (n - i_e)
    k = np.searchsorted(ev_times, t)
    hit = (k < len(ev_times)) & (e != OPEN)
    d_won = np.bincount(k[hit & (e == WON)], weights=w[hit & (e == WON)],
                        minlength=len(ev_times))
    d_lost = np.bincount(k[hit & (e == LOST)], weights=w[hit & (e == LOST)],
                         minlength=len(ev_times))
    keep = risk_n >= min_at_risk
    # follow-up stops at the last time with enough deals at risk
    last_ok = int(np.flatnonzero(keep)[-1]) + 1 if keep.any() else 0
    ev_times, risk_w, d_won, d_lost = (ev_times[:last_ok], risk_w[:last_ok], d_won[:last_ok],
                                       d_lost[:last_ok])
    risk_n = risk_n[:last_ok]
    ok = risk_w > 1e-12
    hz_w = np.where(ok, d_won / np.where(ok, risk_w, 1.0), 0.0)
    hz_l = np.where(ok, d_lost / np.where(ok, risk_w, 1.0), 0.0)
    hz = np.minimum(hz_w + hz_l, 1.0)
    surv_before = np.concatenate([[1.0], np.cumprod(1.0 - hz)[:-1]])
    cif_won = np.cumsum(surv_before * hz_w)
    cif_lost = np.cumsum(surv_before * hz_l)
    tau = float(ev_times[-1]) if len(ev_times) else 0.0
    # beyond the last event, follow-up extends to the longest time still with enough at risk
    return Incidence(ev_times, cif_won, cif_lost, risk_n.astype(float), tau, n, tail_weeks)
