"""Scores for the back-test: bias, WAPE, interval coverage and the CRPS, and the scorecard.

Every forecast is a sample (replications x reps) or a point (one row); a
point forecast has no interval, so its coverage is NaN ("not available"),
and its CRPS is the absolute error (the CRPS of a point mass).

- ``bias`` = (team forecast - actual) / actual, ``abs_bias`` = |bias|;
- ``rep_wape`` = sum over reps of |forecast - actual| / team actual (the
  forecast is the sample mean);
- ``in_80``: the team actual inside the sample's P10-P90 (1 / 0);
- ``rep_coverage_80``: share of reps whose actual is inside their own P10-P90
  (``rep_covered`` and ``rep_count`` keep the counts, for pooling);
- ``crps`` = team CRPS / team actual; ``rep_crps`` = sum of the reps' CRPS /
  team actual (for a point forecast this equals ``rep_wape``).

Over folds (:func:`summarise`): means of the ratios, the share of folds
whose team interval covered, coverage pooled over all (fold, rep) pairs,
and mean |bias| (never the mean signed bias, which lets errors cancel).

**What pooled coverage can tell** (:func:`coverage_range`): a rep's actual
shares the team's shocks with every other rep of its fold (the same arrival
path, the same win rate), so the (fold, rep) pairs are not independent and a
binomial band around 80% is far too narrow. The range a *calibrated* model
would give is read from the forecast itself: take one replication of each
fold as the "actual" (so the team shock comes with it), count the reps it
puts inside their P10-P90, pool over folds, repeat. ``rep_coverage_80_lo``
and ``_hi`` on the ``all`` rows are that statistic's P5 and P95: an
observed pooled coverage outside them is evidence that the intervals are
too narrow or too wide; one inside is not.

**What one fold's WAPE comparison can tell** (:func:`beats_share`): the same
device asks how often a model that is *exactly right* would score a lower
per-rep WAPE than the baselines at a fold. Each of the forecast's own
replications is taken in turn as the actual, and the share of them on which
the mean of the other replications has a per-rep WAPE below every baseline's
is the fold's ``p_beats_baselines`` (the simulated methods' rows, ``model``
and ``scenario_sim``; the point baselines have none). The mean leaves out
the replication taken as the actual, as the back-test's forecast does not
contain the actual it is scored on (a mean that held it would win far too
often with few replications). A share well below 1 says the fold's
comparison cannot separate the methods even when the model is right: the
baselines are fixed numbers, and with ten reps one quarter's luck decides.
The share is read from the model's own predictive distribution, so it is a
statement about the comparison, not evidence that the model is right.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["SCORECARD_LABELS", "beats_share", "coverage_range", "covered_per_replication",
           "crps_sample", "pooled_coverage_draws", "score", "scorecard_table", "summarise"]

FOLD_METRICS = ("forecast", "actual", "bias", "abs_bias", "rep_wape", "p10", "p90", "in_80",
                "rep_coverage_80", "rep_covered", "rep_count", "crps", "rep_crps")

# metric / method -> (English, 中文): the one source of the scorecard's headers.
SCORECARD_LABELS: dict[str, tuple[str, str]] = {
    "cutoff": ("cutoff", "截止日期"),
    "all": ("all", "全部"),  # the rows over every cutoff
    "target": ("target", "预测对象"),
    "method": ("method", "方法"),
    "wins": ("won count", "成交数"),
    "won_amount": ("won amount (万)", "成交额（万）"),
    "forecast": ("team forecast", "团队预测"),
    "actual": ("actual", "实际"),
    "bias": ("team bias", "团队偏差"),
    "abs_bias": ("mean |team bias|", "团队偏差绝对值均值"),
    "rep_wape": ("per-rep WAPE", "个人加权绝对百分比误差"),
    "in_80": ("team in 80% interval", "团队实际落在 80% 区间"),
    "rep_coverage_80": ("per-rep 80% coverage", "个人 80% 区间覆盖率"),
    "crps": ("team CRPS / actual", "团队 CRPS / 实际"),
    "rep_crps": ("per-rep CRPS / actual", "个人 CRPS / 实际"),
    "rep_coverage_80_lo": ("per-rep coverage a calibrated model gives: P5",
                           "校准模型的个人覆盖率：P5"),
    "rep_coverage_80_hi": ("per-rep coverage a calibrated model gives: P95",
                           "校准模型的个人覆盖率：P95"),
    "p_beats_baselines": ("chance a model that is exactly right beats every baseline's "
                          "per-rep WAPE", "若模型完全正确，其个人加权绝对百分比误差优于所有基准的概率"),
    "model": ("model (calibrated simulation)", "模型（校准模拟）"),
    "scenario_sim": ("one-stage scenario simulation", "单阶段情景模拟"),
    "last_quarter": ("last quarter carried forward", "沿用上季度"),
    "mean_two_quarters": ("mean of last two quarters", "前两季度均值"),
    "seasonal_naive": ("seasonal naive (same quarter last year)", "季节性朴素（去年同期）"),
    "pipeline_weighted": ("CRM pipeline-weighted", "CRM 漏斗加权预测"),
    "n/a": ("n/a", "无数据"),
}


def label(key: str, lang: str = "en") -> str:
    en, zh = SCORECARD_LABELS.get(key, (key, key))
    return {"en": en, "zh": zh, "both": f"{en} {zh}" if en != zh else en}[lang]


def crps_sample(sample, y: float) -> float:
    """CRPS of the empirical distribution of ``sample`` at ``y``: E|X-y| - E|X-X'|/2."""
    x = np.sort(np.asarray(sample, float))
    n = len(x)
    if n == 0 or not np.isfinite(y):
        return math.nan
    e1 = float(np.mean(np.abs(x - y)))
    i = np.arange(1, n + 1)
    e2 = float(2.0 * np.sum((2 * i - n - 1) * x) / (n * n))
    return e1 - 0.5 * e2


def covered_per_replication(sample: pd.DataFrame, level: float = 0.8) -> np.ndarray:
    """For each replication (row), how many reps it puts inside their own central interval.

    The interval is the whole sample's (the replication's own weight in it is
    1 / replications, which is negligible at the back-test's 200 or more).
    """
    x = np.asarray(sample, float)
    lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return ((x >= lo) & (x <= hi)).sum(axis=1)


def coverage_range(covered: list[np.ndarray], reps: list[int], *, draws: int = 4000,
                   seed: int = 0, probs=(0.05, 0.95)) -> np.ndarray:
    """Quantiles of the pooled per-rep coverage a calibrated model would score.

    ``covered``: :func:`covered_per_replication` of each fold's sample;
    ``reps``: each fold's number of reps. Each draw takes one replication per
    fold as the actual and pools the reps it covers over the folds.
    """
    if not covered or sum(reps) == 0:
        return np.full(len(probs), math.nan)
    return np.quantile(pooled_coverage_draws(covered, reps, draws=draws, seed=seed), probs)


def pooled_coverage_draws(covered: list[np.ndarray], reps: list[int], *, draws: int = 4000,
                          seed: int = 0) -> np.ndarray:
    """``draws`` values of the pooled per-rep coverage a calibrated model would score
    (see :func:`coverage_range`, which reads its quantiles)."""
    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    for c in covered:
        total += np.asarray(c, float)[rng.integers(len(c), size=draws)]
    return total / sum(reps)


def beats_share(sample: pd.DataFrame, points: dict[str, pd.Series]) -> float:
    """Share of ``sample``'s replications that, taken as the actual, give the mean of the
    other replications a lower per-rep WAPE than every point forecast in ``points``.

    ``sample``: replications x reps; each point forecast is a value per rep
    (missing reps count as 0, as in :func:`score`). Ties count as not beaten;
    NaN with fewer than two replications or no point forecast to beat.
    """
    pts = {k: p for k, p in points.items() if np.isfinite(np.asarray(p, float)).any()}
    if len(sample) < 2 or not pts:
        return math.nan
    reps = list(sample.columns)
    x = sample.to_numpy(float)
    # each replication against the mean of the others: the model's forecast must not
    # contain the actual it is scored on (with few replications it would win far too often)
    loo = (x.sum(axis=0) - x) / (len(x) - 1)
    own = np.abs(x - loo).sum(axis=1)
    best = np.min([np.abs(x - p.reindex(reps).fillna(0.0).to_numpy(float)).sum(axis=1)
                   for p in pts.values()], axis=0)
    return float(np.mean(own < best))


def score(sample: pd.DataFrame, actual: pd.Series) -> dict[str, float]:
    """Scores of one method at one fold for one target.

    ``sample``: replications x reps (a point forecast is one row); ``actual``
    per rep, same columns.
    """
    reps = list(actual.index)
    s = sample.reindex(columns=reps).fillna(0.0)
    a = actual.reindex(reps).fillna(0.0).astype(float)
    tot_a = float(a.sum())
    f = s.mean(axis=0)
    team = s.sum(axis=1).to_numpy(float)
    tot_f = float(team.mean())
    nan = math.nan
    out = {"forecast": tot_f, "actual": tot_a,
           "bias": (tot_f - tot_a) / tot_a if tot_a > 0 else nan,
           "abs_bias": abs(tot_f - tot_a) / tot_a if tot_a > 0 else nan,
           "rep_wape": float((f - a).abs().sum() / tot_a) if tot_a > 0 else nan,
           "p10": nan, "p90": nan, "in_80": nan, "rep_coverage_80": nan,
           "rep_covered": nan, "rep_count": float(len(reps))}
    if len(s) > 1:
        p10, p90 = np.quantile(team, [0.1, 0.9])
        lo, hi = s.quantile(0.1, axis=0), s.quantile(0.9, axis=0)
        covered = float(((a >= lo) & (a <= hi)).sum())
        out |= {"p10": float(p10), "p90": float(p90), "in_80": float(p10 <= tot_a <= p90),
                "rep_coverage_80": covered / len(reps) if reps else nan,
                "rep_covered": covered}
    rep_crps = sum(crps_sample(s[r].to_numpy(), float(a[r])) for r in reps)
    out["crps"] = crps_sample(team, tot_a) / tot_a if tot_a > 0 else nan
    out["rep_crps"] = rep_crps / tot_a if tot_a > 0 else nan
    return out


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """The ``cutoff = "all"`` rows: over folds, per (method, target)."""
    rows = []
    for (m, t), g in table.groupby(["method", "target"], sort=False):
        v = g.pivot_table(index="cutoff", columns="metric", values="value", aggfunc="first",
                          dropna=False)

        def mean(k):
            return float(v[k].mean()) if k in v and v[k].notna().any() else math.nan

        cov = math.nan
        if "rep_covered" in v and v["rep_covered"].notna().any():
            ok = v["rep_covered"].notna()
            cov = float(v.loc[ok, "rep_covered"].sum() / v.loc[ok, "rep_count"].sum())
        vals = {"forecast": mean("forecast"), "actual": mean("actual"),
                "abs_bias": mean("abs_bias"), "rep_wape": mean("rep_wape"),
                "in_80": mean("in_80"), "rep_coverage_80": cov,
                "rep_covered": float(v["rep_covered"].sum(min_count=1))
                if "rep_covered" in v else math.nan,
                "rep_count": float(v["rep_count"].sum(min_count=1))
                if "rep_count" in v else math.nan,
                "crps": mean("crps"), "rep_crps": mean("rep_crps")}
        rows += [("all", m, t, k, x) for k, x in vals.items()]
    return pd.DataFrame(rows, columns=["cutoff", "method", "target", "metric", "value"])


SCORECARD_COLUMNS = ("abs_bias", "rep_wape", "in_80", "rep_coverage_80", "crps", "rep_crps")


def scorecard_table(table: pd.DataFrame, target: str, lang: str = "en",
                    methods: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One target's scorecard: a row per (fold, method), a column per score.

    Per fold ``abs_bias`` is that fold's |bias|; on the ``all`` rows it is the
    mean over folds. Headers come from :data:`SCORECARD_LABELS` in ``lang``
    (``en``, ``zh`` or ``both``).
    """
    t = table[table["target"] == target]
    w = t.pivot_table(index=["cutoff", "method"], columns="metric", values="value",
                      aggfunc="first", dropna=False, sort=False)
    order = methods or tuple(dict.fromkeys(t["method"]))
    folds = [c for c in dict.fromkeys(t["cutoff"]) if c != "all"] + ["all"]
    idx = [(c, m) for c in folds for m in order if (c, m) in w.index]
    w = w.reindex(idx)
    cols = [c for c in ("forecast", "actual", *SCORECARD_COLUMNS) if c in w.columns]
    w = w[cols].reset_index()
    w["method"] = w["method"].map(lambda m: label(m, lang))
    w["cutoff"] = w["cutoff"].map(lambda c: label(c, lang) if c == "all" else c)
    w.columns = [label(c, lang) for c in w.columns]
    return w
