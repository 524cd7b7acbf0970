"""Projected arrivals: a damped-trend model with optional annual seasonality, in numpy.

Why not statsforecast (measured, statsforecast 2.1.1 in a separate venv;
benchmarks/backtest_scorecard.py --part arrivals prints the in-project
side): installing it pulls 16 packages (scipy, statsmodels, fugue, numba's
coreforecast ...) and would downgrade pandas to 2.3; it takes 2.6 s to
import; and on the series that matter here it forecast worse. Mean
|error| of the 13-week arrival total, 3 Maven cutoffs / 40 synthetic ones:
AutoETS(ZZN) on the last 26 weeks 0.49 / 0.26, AutoETS(A,Ad,N) 0.48 / 0.23,
AutoETS(ZZZ, season 52) on all history 0.65 / 0.17; this module 0.43 /
0.09; a flat mean (with the same seasonal factors) 0.83 / 0.06. What is
needed is small and documented here:

- **Seasonality** (only with at least 104 weeks of history): log weekly
  counts are regressed on a linear trend and two annual Fourier pairs; the
  Fourier part gives a multiplicative factor per week of the year, which
  is divided out before the trend is fitted and multiplied back into the
  projection. With less history there is no seasonal factor (one year
  cannot tell a season from a trend).
- **Damped trend** (Holt's linear method with damping, Gardner & McKenzie
  1985) on the deseasonalised weekly counts of the last ``window`` weeks:
  ``l_t = a y_t + (1-a)(l_{t-1} + phi b_{t-1})``, ``b_t = b (l_t - l_{t-1}) +
  (1-b) phi b_{t-1}``; a, b and phi are chosen on a small grid by one-step
  squared error. The h-week-ahead mean is ``l + (phi + ... + phi^h) b``, so a
  trend fades instead of running away.
- **Paths**: each replication draws its own weekly counts from the same
  state-space form: a week's count is Poisson with a gamma-mixed mean (the
  over-dispersion the residuals show beyond Poisson; with ``robust`` the
  residuals' spread is read from their median absolute deviation, so one
  burst week - Maven's July 2017, mostly deals that never close - does not
  widen every projected week: at 2017-10-01 the 13-week path sd falls from
  768 to 246 deals), and the drawn count
  updates that replication's level and trend, so an unlucky early week
  carries into later ones as it would in the data.

**Tried, measured, not the default** (``huber``, ``horizon``; the forecast's
settings ``huber_arrivals`` and ``trace_arrivals``; the pair is the one-off
reading of a burst under ``burst_mix``): a burst of deals right
before the cutoff (Maven's July 2017) is chased by the one-step fit (alpha at
its cap of 0.5), so at 2017-08-01 the model projects 3,505 arrivals for 13
weeks (its mean path) against 867 and over-forecasts wins by 106%
(``--part monthly --set burst_mix=False``). Huberised updates (errors
clipped at 2 robust sd, Gelper, Fried & Croux 2010) and choosing the
smoothing by the mean error of every 1..13-week-ahead forecast (the trace
criterion) together cut Maven's team CRPS over the seven month-start origins
from .228 to .114 (wins; ``backtest_scorecard.py --part monthly --set
huber_arrivals=2.0 --set trace_arrivals=True --set burst_mix=False``), but:
on the 20 synthetic histories team CRPS went from .067 to .071 (wins) and
.082 to .083 (amount) (``--part synthetic`` with the same settings); and on
simulated series a real level shift 8 weeks before the
cutoff is followed worse (mean |error| of the 13-week total 309 against
129). A burst at the cutoff cannot be told from a level shift from arrival
counts alone; the default stays the one-step fit. A flat mean instead of the
trend (``damped=False``) is no way out either: it cuts the month-start team
CRPS to .168 (wins) but misses at the quarter starts (mean |team bias| at
07-01 and 10-01 .074 against the damped trend's .021, per-rep amount
coverage .567). Nor is averaging the two readings of a burst at *every*
cutoff (half the batches of replications on the huberised fit, a
prototype): month-start team CRPS .199 / .198 against .228 / .222, but the
synthetic histories' .068 / .084 against .065 / .080 (and .069 / .084
against .064 / .081 at another seed; measured before the arrival history
counted its first day's deals, and the prototype is not in the code to
re-run), and the quarter starts' mean |team bias| .036 / .042 against .021
/ .030. What the forecast does instead is to
average the two readings only where :func:`burst` sees a burst or a drop
in the last four weeks (the forecast's ``burst_mix``, on by default: see
:mod:`.forecast`); elsewhere the one-step fit stands alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BURST_RATIO", "BURST_WEEKS", "BURST_Z", "ArrivalModel", "burst", "fit_arrivals"]

ALPHAS = (0.05, 0.1, 0.2, 0.35, 0.5)
# A burst (or drop): the last BURST_WEEKS weeks' mean at BURST_RATIO times (or 1 / it) the
# median of the 13 weeks before, and BURST_Z Poisson standard deviations away from it.
BURST_WEEKS, BURST_RATIO, BURST_Z = 4, 1.5, 3.0
BETAS = (0.02, 0.05, 0.1, 0.2)
PHIS = (0.8, 0.9, 0.95)


@dataclass(frozen=True)
class ArrivalModel:
    """A fitted damped-trend model of weekly team arrivals (deseasonalised)."""

    level: float
    trend: float
    alpha: float
    beta: float
    phi: float
    dispersion: float  # 1/k of the gamma mixing: Var = mu + dispersion * mu^2
    season: np.ndarray  # multiplicative factor for each projected week (ones if none)
    seasonal: bool
    history_mean: float

    def factors(self, weeks: int) -> np.ndarray:
        """Seasonal factor of each projected week (1 beyond the fitted ones)."""
        f = np.ones(weeks)
        k = min(weeks, len(self.season))
        f[:k] = self.season[:k]
        return f

    def mean_path(self, weeks: int) -> np.ndarray:
        """Expected arrivals in each of the next ``weeks`` weeks."""
        ph = self.phi ** np.arange(1, weeks + 1)
        mu = self.level + np.cumsum(ph) * self.trend
        return np.maximum(mu, 0.0) * self.factors(weeks)

    def sample_paths(self, rng: np.random.Generator, n: int, weeks: int) -> np.ndarray:
        """``n`` x ``weeks`` weekly counts, each row its own path."""
        lev = np.full(n, self.level)
        tr = np.full(n, self.trend)
        out = np.zeros((n, weeks))
        season = self.factors(weeks)
        for w in range(weeks):
            mu = np.maximum(lev + self.phi * tr, 0.0)
            lam = mu * season[w]
            if self.dispersion > 0:
                k = 1.0 / self.dispersion
                lam = lam * rng.gamma(k, 1.0 / k, n)
            y = rng.poisson(lam)
            out[:, w] = y
            err = y / max(season[w], 1e-9) - mu
            new_lev = mu + self.alpha * err
            tr = self.phi * tr + self.alpha * self.beta * err
            lev = new_lev
        return out


def burst(counts) -> tuple[float, float, float] | None:
    """``(recent, usual, ratio)`` when the last weeks of ``counts`` (oldest first) are a
    burst or a drop against the 13 weeks before them, else None."""
    y = np.asarray(counts, float)
    if len(y) < BURST_WEEKS + 13:
        return None
    recent = float(y[-BURST_WEEKS:].mean())
    before = float(np.median(y[-BURST_WEEKS - 13:-BURST_WEEKS]))
    if before <= 0:
        return None
    z = (recent - before) / math.sqrt(before / BURST_WEEKS)
    ratio = recent / before
    if (ratio >= BURST_RATIO or ratio <= 1 / BURST_RATIO) and abs(z) >= BURST_Z:
        return recent, before, ratio
    return None


def _huber(e: np.ndarray, clip: float) -> np.ndarray:
    """Squared error within ``clip``, linear beyond it (Huber's loss, times 2)."""
    a = np.abs(e)
    return np.where(a <= clip, e * e, clip * (2 * a - clip))


def _holt(y: np.ndarray, a: float, b: float, phi: float, errors: list | None = None,
          clip: float = math.inf, horizon: int = 1) -> tuple[float, float, float]:
    """Run the filter over ``y``: (level, trend, loss).

    ``clip`` finite huberises it: an error beyond ``clip`` moves the level and
    trend as one of ``clip`` would. The loss is the mean over h = 1..``horizon``
    of each h-step-ahead error's (Huber) loss from every origin (the trace
    criterion; horizon 1 is the one-step sum of squares), so the smoothing
    is chosen for the span it forecasts.
    """
    n = len(y)
    k = min(4, n)
    lev = float(y[:k].mean())
    tr = 0.0
    levs, trs = np.full(n, np.nan), np.full(n, np.nan)
    levs[k - 1], trs[k - 1] = lev, tr
    for t in range(k, n):
        f = lev + phi * tr
        e = y[t] - f
        if errors is not None:
            errors.append(e)
        e = min(max(e, -clip), clip)
        lev = f + a * e
        tr = phi * tr + a * b * e
        levs[t], trs[t] = lev, tr
    damp = np.cumsum(phi ** np.arange(1, horizon + 1))
    loss = 0.0
    for h in range(1, horizon + 1):
        origins = np.arange(k - 1, n - h)
        if len(origins) == 0:
            break
        e = y[origins + h] - (levs[origins] + damp[h - 1] * trs[origins])
        loss += float(np.mean(_huber(e, clip * math.sqrt(h))))
    return lev, tr, loss


def _season_factors(counts: np.ndarray, week_of_year: np.ndarray,
                    future_woy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(len(counts), dtype=float)

    def design(woy, tt):
        ang = 2 * np.pi * woy / 52.18
        return np.column_stack([np.ones_like(tt), tt / 52.0, np.sin(ang), np.cos(ang),
                                np.sin(2 * ang), np.cos(2 * ang)])

    x = design(week_of_year, t)
    coef, *_ = np.linalg.lstsq(x, np.log(counts + 0.5), rcond=None)
    s_hist = np.exp(x[:, 2:] @ coef[2:])
    s_fut = np.exp(design(future_woy, t[-1] + 1 + np.arange(len(future_woy)))[:, 2:] @ coef[2:])
    norm = s_hist.mean()
    return s_hist / norm, s_fut / norm


def fit_arrivals(counts, week_of_year=None, future_week_of_year=None, *, window: int = 26,
                 seasonal_min_weeks: int = 104, damped: bool = True,
                 alpha_max: float = 0.5, robust: bool = False,
                 huber: float = 0.0, horizon: int = 1) -> ArrivalModel:
    """Fit weekly team arrival counts (oldest first); the last ``window`` weeks carry the trend.

    ``week_of_year`` (same length, 0-52) and ``future_week_of_year`` (one per
    projected week) enable seasonality when the history is long enough.
    ``damped=False`` gives a flat level (the lookback's mean) for comparison.
    """
    y_all = np.asarray(counts, float)
    n_future = 0 if future_week_of_year is None else len(future_week_of_year)
    seasonal = (week_of_year is not None and len(y_all) >= seasonal_min_weeks
                and n_future > 0)
    if seasonal:
        s_hist, s_fut = _season_factors(y_all, np.asarray(week_of_year, float),
                                        np.asarray(future_week_of_year, float))
    else:
        s_hist, s_fut = np.ones(len(y_all)), np.ones(max(n_future, 1))
    y = (y_all / s_hist)[-window:]
    mean = float(y.mean()) if len(y) else 0.0
    if not damped or len(y) < 8:
        lev, tr, a, b, phi = mean, 0.0, 0.0, 0.0, 1.0
        resid = y - mean
    else:
        def grid(clip):
            best = None
            for a in [x for x in ALPHAS if x <= alpha_max] or [min(ALPHAS)]:
                for b in BETAS:
                    for phi in PHIS:
                        lev, tr, sse = _holt(y, a, b, phi, clip=clip, horizon=horizon)
                        if best is None or sse < best[0]:
                            best = (sse, lev, tr, a, b, phi)
            return best

        sse, lev, tr, a, b, phi = grid(math.inf)
        errs: list = []
        _holt(y, a, b, phi, errs)
        resid = np.asarray(errs, float)
        if huber > 0 and len(resid) >= 8:
            scale = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
            if scale > 0:
                clip = huber * scale
                sse, lev, tr, a, b, phi = grid(clip)
                errs = []
                _holt(y, a, b, phi, errs, clip=clip)
                resid = np.asarray(errs, float)
    if robust and len(resid) >= 8:
        # one burst week must not widen every projected week: a median-based scale
        var = float((1.4826 * np.median(np.abs(resid - np.median(resid)))) ** 2)
    else:
        var = float(np.mean(resid**2))
    mu = max(mean, 1e-9)
    dispersion = max(var - mu, 0.0) / mu**2
    return ArrivalModel(level=float(lev), trend=float(tr), alpha=a, beta=b, phi=phi,
                        dispersion=float(dispersion), season=np.asarray(s_fut, float),
                        seasonal=bool(seasonal), history_mean=mean)
