"""Fit the default deal-size distribution to the branch's size table.

The brief (section 3) gives one branch's year of deals in five size bands.
Small projects are contracts under 20万; their mean is 2.0万, the course's
average deal. A lognormal fitted by maximum likelihood to the counts in the
four bands under 20万 (truncated at 20万) gives the shape (cv) of the
``small-projects`` preset; the whole table gives that of ``seven-step``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["SizeBand", "branch_size_table", "fit_lognormal_binned", "LogNormalFit"]


@dataclass(frozen=True)
class SizeBand:
    label: str
    low: float  # 万 CNY
    high: float  # 万 CNY, inf for the open top band
    deals: int
    amount: float  # 万 CNY


@dataclass(frozen=True)
class LogNormalFit:
    mu: float
    sigma: float
    log_likelihood: float

    @property
    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma**2)

    @property
    def cv(self) -> float:
        return math.sqrt(math.expm1(self.sigma**2))

    @property
    def median(self) -> float:
        return math.exp(self.mu)


def branch_size_table() -> list[SizeBand]:
    """The brief's branch deal-size table, shipped with the package."""
    text = (resources.files("simkit.course") / "data" / "branch_deal_sizes.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return [
        SizeBand(
            r["size_band"], float(r["low_wan"]),
            float(r["high_wan"]) if r["high_wan"] else math.inf,
            int(r["deals"]), float(r["amount_cny"]) / 1e4,
        )
        for r in rows
    ]


def _phi(z: np.ndarray) -> np.ndarray:
    from math import erf

    return 0.5 * (1.0 + np.vectorize(erf)(z / math.sqrt(2.0)))


def fit_lognormal_binned(bands: list[SizeBand], truncate_at: float | None = None) -> LogNormalFit:
    """Maximum-likelihood lognormal for counts in bands, optionally truncated above.

    A grid search followed by two finer grids around the best point: the
    likelihood has one smooth peak in (mu, sigma), and this keeps scipy out of
    the core dependencies.
    """
    bands = [b for b in bands if truncate_at is None or b.high <= truncate_at]
    lo = np.array([b.low for b in bands])
    hi = np.array([b.high for b in bands])
    n = np.array([b.deals for b in bands], dtype=float)

    def loglik(mu: float, sigma: float) -> float:
        cdf = lambda x: np.where(  # noqa: E731
            x <= 0, 0.0, np.where(np.isinf(x), 1.0, _phi((np.log(np.maximum(x, 1e-300)) - mu) / sigma))
        )
        p = cdf(hi) - cdf(lo)
        if truncate_at is not None:
            p = p / cdf(np.array(truncate_at))
        return float(np.sum(n * np.log(np.maximum(p, 1e-300))))

    best = (-math.inf, 0.0, 1.0)
    mus, sigmas = np.linspace(-2, 3, 51), np.linspace(0.1, 3.0, 59)
    for _ in range(3):
        for mu in mus:
            for s in sigmas:
                ll = loglik(mu, s)
                if ll > best[0]:
                    best = (ll, mu, s)
        dm, ds = mus[1] - mus[0], sigmas[1] - sigmas[0]
        mus = np.linspace(best[1] - dm, best[1] + dm, 21)
        sigmas = np.linspace(max(best[2] - ds, 1e-3), best[2] + ds, 21)
    return LogNormalFit(mu=float(best[1]), sigma=float(best[2]), log_likelihood=best[0])
