"""The back-test scorecard: proper scores, baselines, both languages, the CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import T0, synthetic_deals

from simkit.cli import main
from simkit.crm.backtest import BASELINES, baselines
from simkit.crm.scoring import SCORECARD_LABELS, beats_share, crps_sample, score, summarise


def test_crps_of_a_point_is_the_absolute_error_and_matches_the_normal_formula():
    assert crps_sample([3.0], 5.0) == pytest.approx(2.0)
    n = 20_000
    x = np.random.default_rng(1).standard_normal(n)
    y = 0.7
    phi = math.exp(-y * y / 2) / math.sqrt(2 * math.pi)
    Phi = 0.5 * (1 + math.erf(y / math.sqrt(2)))
    exact = y * (2 * Phi - 1) + 2 * phi - 1 / math.sqrt(math.pi)
    # the sample CRPS is a mean of |X - y| terms: sd below sd(|X - y|) / sqrt(n) ~ 1.2 / sqrt(n)
    assert abs(crps_sample(x, y) - exact) <= 4 * 1.2 / math.sqrt(n)


def test_score_coverage_and_pooling():
    rng = np.random.default_rng(0)
    s = pd.DataFrame(rng.poisson(10, (400, 3)), columns=["a", "b", "c"]).astype(float)
    a = pd.Series({"a": 10.0, "b": 100.0, "c": 9.0})
    v = score(s, a)
    assert v["rep_covered"] == 2 and v["rep_count"] == 3
    assert v["in_80"] == 0.0 and v["bias"] < 0 and v["abs_bias"] == -v["bias"]
    point = score(s.mean().to_frame().T, a)
    assert math.isnan(point["in_80"]) and point["rep_crps"] == pytest.approx(point["rep_wape"])
    t = pd.DataFrame([(c, "m", "wins", k, x) for c, vv in (("1", v), ("2", point | {
        "rep_covered": 3.0, "rep_count": 3.0, "in_80": 1.0}))
        for k, x in vv.items()], columns=["cutoff", "method", "target", "metric", "value"])
    allrow = summarise(t).set_index("metric")["value"]
    assert allrow["rep_coverage_80"] == pytest.approx(5 / 6)  # pooled over (fold, rep)
    assert allrow["in_80"] == pytest.approx(0.5)


def test_labels_exist_in_both_languages():
    for k, (en, zh) in SCORECARD_LABELS.items():
        assert en and zh and en != zh, k
    for m in ("model", *BASELINES):
        assert m in SCORECARD_LABELS


def test_baselines_by_hand():
    d = synthetic_deals(reps=3, rate=3.0, weeks=80, seed=2)
    c = T0 + pd.Timedelta(weeks=70)
    b = baselines(d, c, 13, 26)
    year_ago = d[(d["status"] == "won") & (d["closed"] >= c - pd.Timedelta(weeks=52))
                 & (d["closed"] < c - pd.Timedelta(weeks=39))]
    assert b["seasonal_naive"]["wins"].sum() == len(year_ago)
    k = d[(d["created"] < c)]
    closed = k[(k["closed"] < c) & (k["closed"] >= c - pd.Timedelta(weeks=26))]
    p = (closed["status"] == "won").mean()
    open_recent = k[((k["closed"] >= c) | k["closed"].isna())
                    & (k["created"] >= c - pd.Timedelta(weeks=26))]
    run = k[(k["status"] == "won") & (k["created"] >= c - pd.Timedelta(weeks=13))
            & (k["closed"] < c)]
    assert b["pipeline_weighted"]["wins"].sum() == pytest.approx(p * len(open_recent) + len(run))
    # a year back is before the export began: not available
    early = baselines(d, T0 + pd.Timedelta(weeks=40), 13, 26)
    assert early["seasonal_naive"]["wins"].isna().all()


def test_cli_calibrate_backtest_prints_the_scorecard(tmp_path):
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6)
    d = d[d["created"] < T0 + pd.Timedelta(weeks=60)]
    later = d["closed"] >= T0 + pd.Timedelta(weeks=60)
    d.loc[later, ["status", "closed"]] = ["open", pd.NaT]
    f = tmp_path / "e.csv"
    pd.DataFrame({
        "opportunity_id": d["deal_id"], "sales_agent": d["rep"],
        "deal_stage": d["status"].map({"won": "Won", "lost": "Lost", "open": "Engaging"}),
        "engage_date": d["created"].dt.strftime("%Y-%m-%d"),
        "close_date": d["closed"].dt.strftime("%Y-%m-%d"),
        "close_value": (d["amount"].where(d["status"] == "won", 0) * 1e4).round()}
    ).to_csv(f, index=False)
    r = CliRunner().invoke(main, ["calibrate", str(f), "--cutoff", "2020-06-01", "--cutoff",
                                  "2020-08-01", "--backtest", "-n", "4", "--lang", "both"])
    assert r.exit_code == 0, r.output
    for key in ("abs_bias", "rep_wape", "rep_coverage_80", "rep_crps", "pipeline_weighted"):
        assert SCORECARD_LABELS[key][0] in r.output and SCORECARD_LABELS[key][1] in r.output
    # how much one cutoff's comparison can tell, per cutoff, in both languages
    assert r.output.count("if the model were exactly right") == 2  # wins, won amount
    assert r.output.count("假如模型完全正确") == 2 and "at 2020-06-01" in r.output
    out = tmp_path / "s.toml"
    r = CliRunner().invoke(main, ["calibrate", str(f), "--cutoff", "2020-08-01", "--out", str(out),
                                  "-n", "20", "--lang", "zh", "--report", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    # the split a planner reads, in Chinese, and the same tables in the report
    for zh in ("已成交", "来自在途商机", "来自尚未创建的商机", "完成指标"):
        assert zh in r.output
    assert (tmp_path / "rep" / "forecast_wins.csv").exists()
    assert (tmp_path / "rep" / "p_quota.csv").exists()
    r = CliRunner().invoke(main, ["calibrate", str(f), "--cutoff", "2020-06-01"])
    assert r.exit_code == 2 and "--out" in r.output


def _team_shock_samples(rng, n, reps, mu, team_cv, rep_cv=0.0):
    """n draws of reps' counts sharing one team shock per draw (Poisson-gamma)."""
    g = rng.gamma(1 / team_cv**2, team_cv**2, (n, 1)) if team_cv else np.ones((n, 1))
    r = rng.gamma(1 / rep_cv**2, rep_cv**2, (n, reps)) if rep_cv else 1.0
    return rng.poisson(mu * g * r)


def _pooled(truths, samples):
    cov = n = 0
    for y, s in zip(truths, samples):
        lo, hi = np.quantile(s, [0.1, 0.9], axis=0)
        cov += int(((y >= lo) & (y <= hi)).sum())
        n += len(y)
    return cov / n


@pytest.mark.parametrize("wide", [False, True])
def test_coverage_range_holds_a_calibrated_model_and_flags_wide_intervals(wide):
    """Truths drawn from the forecast's own process land inside the P5-P95 range at
    least 90% of the time (minus 3 binomial se for the trial count); intervals that
    add a spread of each rep's own (cv 0.3) that the truth does not have land above
    it in most trials. (Too much *team* spread is not something pooled per-rep
    coverage can show: when the team lands near its median every rep is covered.)"""
    from simkit.crm.scoring import coverage_range, covered_per_replication

    rng = np.random.default_rng(20261130)
    rep_cv = 0.3 if wide else 0.0
    trials, folds, reps, R = 150, 3, 10, 400
    mu = np.linspace(20, 60, reps)
    inside = above = 0
    for _ in range(trials):
        samples = [_team_shock_samples(rng, R, reps, mu, 0.15, rep_cv) for _ in range(folds)]
        truths = [_team_shock_samples(rng, 1, reps, mu, 0.15)[0] for _ in range(folds)]
        lo, hi = coverage_range([covered_per_replication(s) for s in samples], [reps] * folds,
                                draws=1000, seed=int(rng.integers(1 << 30)))
        obs = _pooled(truths, samples)
        inside += lo <= obs <= hi
        above += obs > hi
    tol = 3 * math.sqrt(0.9 * 0.1 / trials)
    if wide:
        assert above / trials > 0.5, (inside, above)
    else:
        assert inside / trials >= 0.9 - tol, (inside, above)


def test_coverage_range_is_wider_than_a_binomial_band_when_reps_share_a_shock():
    from simkit.crm.scoring import coverage_range, covered_per_replication

    rng = np.random.default_rng(7)
    mu = np.full(10, 40.0)
    shared = [covered_per_replication(_team_shock_samples(rng, 2000, 10, mu, 0.2))
              for _ in range(3)]
    alone = [covered_per_replication(_team_shock_samples(rng, 2000, 10, mu, 0.0, 0.2))
             for _ in range(3)]
    w_shared = np.diff(coverage_range(shared, [10] * 3))[0]
    w_alone = np.diff(coverage_range(alone, [10] * 3))[0]
    binomial = 2 * 1.645 * math.sqrt(0.8 * 0.2 / 30)
    assert w_shared > w_alone + 0.1, (w_shared, w_alone)
    assert abs(w_alone - binomial) < 0.12, (w_alone, binomial)


def test_beats_share_is_the_wape_comparison_over_the_samples_own_replications():
    rng = np.random.default_rng(11)
    # one rep: the mean of the other draws beats a point p on exactly the draws nearer it
    # than p, i.e. on its side of the midpoint (an independent formula)
    x = pd.DataFrame({"a": rng.gamma(4.0, 2.5, 400)})
    v, p = x["a"].to_numpy(), 14.0
    m = (v.sum() - v) / (len(v) - 1)
    expect = float(np.mean(np.where(m < p, v < (m + p) / 2, v > (m + p) / 2)))
    assert beats_share(x, {"p": pd.Series({"a": p})}) == expect
    # several reps, two baselines: the same as scoring each replication as the actual
    # against the mean of the others (as the back-test scores the mean against an actual
    # its replications do not contain)
    s = pd.DataFrame(rng.poisson([5.0, 12.0, 30.0], (60, 3)), columns=["r1", "r2", "r3"])
    pts = {"low": pd.Series({"r1": 4.0, "r2": 10.0, "r3": 27.0}),
           "high": pd.Series({"r1": 6.0, "r2": 13.0})}  # r3 missing counts as 0
    for t in (s, s.iloc[:8]):  # at 8 replications a mean that holds the actual wins 6, not 4
        wins = 0
        for i in range(len(t)):  # an exactly right model's mean does not know the actual:
            a = t.iloc[i].astype(float)  # the other replications' mean
            own = score(t.drop(index=t.index[i]), a)["rep_wape"]
            wins += own < min(score(pd.DataFrame([p.reindex(t.columns).fillna(0.0)]), a)["rep_wape"]
                              for p in pts.values())
        assert beats_share(t, pts) == wins / len(t)
    # a point far off is always beaten; the sample's own mean never (ties are not wins)
    assert beats_share(s, {"far": s.mean() * 3}) == 1.0
    assert beats_share(s, {"same": s.mean()}) == 0.0
    assert math.isnan(beats_share(s, {})) and math.isnan(beats_share(s.iloc[:1], pts))
    assert math.isnan(beats_share(s, {"na": pd.Series(np.nan, s.columns)}))
