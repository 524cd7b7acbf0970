"""The deal-level forecast: hazards with delayed entry, tracking stops, arrival paths, the split.

Statistical checks take their tolerance from the sample sizes (z = 4).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import T0, synthetic_deals

from simkit.crm import as_of
from simkit.crm.arrivals import fit_arrivals
from simkit.crm.cohorts import cohort_of, p_open
from simkit.crm.forecast import COMPONENTS, forecast
from simkit.crm.importers import import_frame
from simkit.crm.mappings import get_mapping
from simkit.crm.survival import aalen_johansen, aalen_johansen_weighted
from simkit.crm.synthetic import synthetic_history
from simkit.crm.tracking import detect_tracking

Z = 4.0
W = pd.Timedelta(weeks=1)


def test_weighted_aj_matches_plain_and_handles_delayed_entry():
    rng = np.random.default_rng(3)
    t = rng.exponential(5, 400).round(1)
    e = rng.integers(0, 3, 400)
    a, b = aalen_johansen(t, e), aalen_johansen_weighted(t, e)
    assert b.p_won == pytest.approx(a.p_won) and b.p_lost == pytest.approx(a.p_lost)
    # weights 2 on every deal change nothing
    c = aalen_johansen_weighted(t, e, weights=np.full(400, 2.0))
    assert c.p_won == pytest.approx(a.p_won)
    # delayed entry by hand: deals 1..3; deal 3 enters at age 2.5 so it is not at risk at 1 or 2
    inc = aalen_johansen_weighted([1, 2, 3], [1, 1, 2], entry=[0, 0, 2.5], min_at_risk=1)
    assert inc.won(1) == pytest.approx(1 / 2) and inc.won(2) == pytest.approx(1.0)


def test_delayed_entry_removes_the_bias_of_untracked_early_closes():
    # closes before `start` are not recorded: they show up at `start` instead
    rng = np.random.default_rng(5)
    n = 4000
    created = rng.uniform(0, 30, n)
    t = rng.exponential(4.0, n)
    start = 15.0
    shown = np.maximum(created + t, start) - created
    entry = np.maximum(start - created, 0)
    keep = created + t >= start  # deals that closed before tracking began were never exported
    naive = aalen_johansen(shown, np.ones(n, int))
    fixed = aalen_johansen_weighted(shown[keep], np.ones(keep.sum(), int), entry=entry[keep])
    m_naive, _, _ = naive.conditional_moments()
    m_fixed, _, _ = fixed.conditional_moments()
    se = 4.0 / math.sqrt(keep.sum())
    assert abs(m_fixed - 4.0) <= Z * se * 2  # truncation costs some precision
    assert m_naive - 4.0 > Z * se * 2


def test_tracking_detection():
    export, truth = synthetic_history(7, weeks=104, loss_stop_week=80)
    d = import_frame(export, get_mapping("salesforce")).deals
    c = T0_syn() + 95 * W
    tr = detect_tracking(as_of(d, c), c)
    assert tr.losses_until is not None and tr.wins_until is None
    assert abs((tr.losses_until - (T0_syn() + 80 * W)) / W) <= 1.0
    assert any("losses" in en for en, zh in tr.notes()) and all(zh for en, zh in tr.notes())
    # no artefact in an export that tracks everything
    d2 = synthetic_deals(reps=4, rate=4.0, weeks=60, seed=1)
    c2 = T0 + 50 * W
    tr2 = detect_tracking(as_of(d2, c2), c2)
    assert tr2.closes_from is None and tr2.outcomes_until is None and tr2.losses_recorded
    # closes recorded only from a date: early closes pushed to it
    d3 = d2.copy()
    start = T0 + 20 * W
    d3.loc[d3["closed"] < start, "closed"] = start
    tr3 = detect_tracking(as_of(d3, c2), c2)
    assert tr3.closes_from == start


def T0_syn():
    from simkit.crm.synthetic import T0 as t0

    return t0


def test_damped_trend_projection_and_paths():
    rng = np.random.default_rng(0)
    n = 52
    mu = 20 + 0.5 * np.arange(n)
    y = rng.poisson(mu)
    m = fit_arrivals(y, window=26)
    path = m.mean_path(13)
    # the damped projection continues upwards, but less than a straight line would
    assert path[0] > y[-26:].mean() and path[-1] < mu[-1] + 0.5 * 13 + Z * math.sqrt(mu[-1])
    flat = fit_arrivals(y, window=26, damped=False)
    assert flat.mean_path(13) == pytest.approx(np.full(13, y[-26:].mean()))
    paths = m.sample_paths(np.random.default_rng(1), 4000, 13)
    sd = paths.sum(axis=1).std()
    assert abs(paths.sum(axis=1).mean() - path.sum()) <= Z * sd / math.sqrt(4000) + 1.0


def test_seasonality_is_projected_with_two_years_of_history():
    rng = np.random.default_rng(2)
    wk = np.arange(156)
    woy = wk % 52
    mu = 30 * (1 + 0.4 * np.sin(2 * np.pi * woy / 52))
    y = rng.poisson(mu)
    fut = (156 + np.arange(13)) % 52
    m = fit_arrivals(y, woy, fut, window=26)
    assert m.seasonal
    truth = 30 * (1 + 0.4 * np.sin(2 * np.pi * fut / 52))
    # within a tenth of the mean plus Poisson noise of the fit's window
    assert np.abs(m.mean_path(13) - truth).mean() <= 0.1 * 30 + Z * math.sqrt(30 / 26)
    short = fit_arrivals(y[-60:], woy[-60:], fut, window=26)
    assert not short.seasonal


def test_old_open_deals_are_worth_less():
    d = synthetic_deals(reps=4, rate=5.0, p_win=0.3, p_lost=0.5, win_mean=5.0, weeks=60, seed=2)
    c = T0 + 50 * W
    fc = forecast(d, c, replications=20, seed=1, bootstrap=False)
    inc = fc.fit.incidence
    ages = np.array([1.0, 4.0, 10.0, 20.0, inc.tau + 1])
    p = p_open(inc, ages, ages, ages, 13.0, np.zeros(5, int), {0: inc.p_won + inc.p_lost})
    assert p[0] > p[2] > p[3] and p[-1] == 0.0


def test_split_adds_up_and_quota_probability():
    d = synthetic_deals(reps=4, rate=4.0, weeks=60, seed=3)
    c = T0 + 45 * W
    fc = forecast(d, c, replications=60, seed=2, period_start=c - 4 * W)
    for t in ("wins", "won_amount"):
        tot = sum(fc.samples[(k, t)] for k in COMPONENTS)
        pd.testing.assert_frame_equal(tot, fc.total(t))
    sp = fc.split("wins")
    assert set(sp["part"]) == {*COMPONENTS, "total"} and {"p10", "p50", "p90"} <= set(sp)
    team = sp[sp["who"] == "team"].set_index("part")
    so_far = d[(d["status"] == "won") & (d["closed"] >= c - 4 * W) & (d["closed"] < c)]
    assert team.loc["won_so_far", "p50"] == len(so_far)
    assert (team["p10"] <= team["p50"]).all() and (team["p50"] <= team["p90"]).all()
    q = fc.total("won_amount").sum(axis=1)
    assert fc.p_quota(float(q.median())) == pytest.approx((q >= q.median()).mean())
    assert fc.p_quota(0.0) == 1.0 and fc.p_quota(1e9) == 0.0


def test_no_amounts_means_not_available_in_the_split():
    d = synthetic_deals(reps=3, rate=4.0, weeks=50, seed=4)
    d["amount"] = np.nan
    fc = forecast(d, T0 + 40 * W, replications=10, seed=1)
    sp = fc.split("won_amount")
    assert sp[["mean", "p10", "p50", "p90"]].isna().all().all()
    assert math.isnan(fc.p_quota(10.0))
    assert fc.split("wins")["mean"].notna().all()


def test_thin_data_warns():
    d = synthetic_deals(reps=3, rate=1.0, weeks=60, seed=5)
    c = T0 + 45 * W
    fc = forecast(d, c, replications=200, seed=3)
    assert fc.thin and any("thin data" in en for en, _ in fc.warnings)
    assert any("数据偏少" in zh for _, zh in fc.warnings)
    rich = synthetic_deals(reps=6, rate=6.0, weeks=60, seed=5)
    fr = forecast(rich, c, replications=50, seed=3)
    assert not fr.thin


def test_cohort_drift_in_stalling_is_detected():
    # recent cohorts stall far more than old ones
    d = synthetic_deals(reps=6, rate=6.0, p_win=0.4, p_lost=0.55, win_mean=3.0, lost_mean=3.0,
                        weeks=52, seed=8)
    c = T0 + 52 * W
    recent = d["created"] >= c - 12 * W
    rng = np.random.default_rng(0)
    stall = recent & (rng.random(len(d)) < 0.5)
    d.loc[stall, ["status", "closed"]] = ["open", pd.NaT]
    fc = forecast(d, c, replications=10, seed=1, bootstrap=False)
    q = fc.fit.cohort_ratio
    old = np.mean([q[k] for k in q if 4 <= k < 10])
    young = np.mean([q[k] for k in (1, 2)])
    # true closer shares: ~0.95 against ~0.475; allow for the prior's pull
    assert young < old - 0.2
    assert fc.fit.new_closers < old


def test_synthetic_history_round_trips_through_the_importer():
    export, truth = synthetic_history(3, weeks=60, loss_stop_week=50)
    imp = import_frame(export, get_mapping("salesforce"))
    assert imp.quality.ok
    d = imp.deals.set_index("deal_id")
    t = truth.set_index("deal_id")
    assert (d.loc[t.index[t["status"] == "won"], "status"] == "won").all()
    late_lost = t[(t["status"] == "lost") & (t["closed"] >= T0_syn() + 50 * W)].index
    assert len(late_lost) and (d.loc[late_lost, "status"] == "open").all()
    assert cohort_of(pd.Series([T0, T0 - 5 * W]), T0, 4).tolist() == [0, 1]


def test_forecast_is_unbiased_on_stationary_histories():
    """Mean of (forecast - actual) over histories, within 4 standard errors of 0.

    Each history's actual is one draw from (about) the forecast's predictive
    distribution, so sd(actual - forecast mean) is about the predictive sd;
    the tolerance is 4 sd / sqrt(histories).
    """
    errs, sds = [], []
    for k in range(10):
        d = synthetic_deals(reps=5, rate=4.0, p_win=0.3, p_lost=0.5, win_mean=4.0, weeks=70,
                            seed=100 + k)
        c = T0 + 52 * W
        fc = forecast(d, c, replications=100, seed=k)
        team = fc.total("wins").sum(axis=1)
        actual = int(((d["status"] == "won") & (d["closed"] >= c) & (d["closed"] < c + 13 * W))
                     .sum())
        errs.append(team.mean() - actual)
        sds.append(team.std())
    assert abs(np.mean(errs)) <= Z * np.mean(sds) / math.sqrt(len(errs))


def test_open_deals_are_valued_by_their_product():
    """An open deal whose product has its own won amounts is valued by them, not by the pool.

    Product B sells at ten times product A; every deal open at the cutoff is a
    B. The open pipeline's amount per win must be B's mean won amount, within
    the noise of B's won amounts (the bootstrap resamples them) and of the
    draws themselves (z = 4 each); the pooled mean is far below.
    """
    d = synthetic_deals(reps=4, rate=5.0, weeks=60, seed=2)
    c = T0 + 50 * W
    is_b = d["product"] == "B"
    d.loc[is_b, "amount"] *= 10.0
    open_at_c = (d["created"] < c) & (d["closed"].isna() | (d["closed"] >= c))
    d.loc[open_at_c, "product"] = "B"
    d.loc[open_at_c, "amount"] = d.loc[open_at_c, "amount"].where(is_b, d["amount"] * 10.0)
    known = as_of(d, c)
    won_b = known[(known["status"] == "won") & (known["product"] == "B")
                  & (known["closed"] >= c - 52 * W)]["amount"]
    won_all = known[(known["status"] == "won") & (known["closed"] >= c - 52 * W)]["amount"]
    fc = forecast(d, c, replications=200, seed=4)
    wins = fc.samples[("open_pipeline", "wins")].to_numpy().sum()
    amount = fc.samples[("open_pipeline", "won_amount")].to_numpy().sum()
    sd = won_b.std()
    tol = Z * sd / math.sqrt(len(won_b)) + Z * sd / math.sqrt(wins)
    assert abs(amount / wins - won_b.mean()) <= tol
    assert won_all.mean() < won_b.mean() - tol  # the pool would be told apart
    off = forecast(d, c, replications=200, seed=4, product_amounts=False)
    assert off.samples[("open_pipeline", "won_amount")].to_numpy().sum() < amount


def test_a_cohort_that_stopped_closing_is_read_from_its_recent_weeks():
    """A cohort whose quick closers are gone and whose other deals stopped closing.

    Deals created 8-12 weeks before the cutoff: half closed in their first
    week, the rest never close (cycles are 12 weeks on average elsewhere).
    The whole-follow-up likelihood, dominated by the early closes, reads an
    ordinary cohort; the last-4-weeks one sees that nothing closes any more.
    Wins expected from that cohort's open deals over the next quarter (truth:
    none) must be within Poisson noise (z = 4) of 0 with the window, and
    further than that without it.
    """
    d = synthetic_deals(reps=6, rate=6.0, p_win=0.4, p_lost=0.5, win_mean=12.0, lost_mean=10.0,
                        weeks=80, seed=11)
    c = T0 + 60 * W
    age = ((c - d["created"]) / W).to_numpy(float)
    cohort = (age >= 8) & (age < 12)
    rng = np.random.default_rng(0)
    quick = cohort & (rng.random(len(d)) < 0.5)
    won = rng.random(len(d)) < 0.45
    d.loc[quick, "status"] = np.where(won[quick], "won", "lost")
    d.loc[quick, "closed"] = d.loc[quick, "created"] + pd.to_timedelta(
        rng.uniform(0, 7, quick.sum()), unit="D")
    d.loc[cohort & ~quick, ["status", "closed"]] = ["open", pd.NaT]
    expected = {}
    for window in (4.0, 0.0):
        fc = forecast(d, c, replications=10, seed=1, bootstrap=False, cohort_window=window)
        known = as_of(d, c)
        op = known[known["status"] == "open"]
        a = ((c - op["created"]) / W).to_numpy(float)
        k = cohort_of(op["created"], c, 4)
        p = p_open(fc.fit.incidence, a, a, a, 13.0, k, fc.fit.cohort_ratio)
        expected[window] = float(p[k == 2].sum())
    assert expected[4.0] <= Z * math.sqrt(max(expected[4.0], 1.0))
    assert expected[0.0] > Z * math.sqrt(max(expected[0.0], 1.0))


def test_one_burst_week_does_not_widen_every_projected_week():
    """Poisson weeks plus one burst: the robust spread sees Poisson, the variance does not.

    Excess variance (dispersion x mean^2) of Poisson counts is 0; a sample
    variance from n weeks has sd about sqrt(2 / n) mean, and a median-based
    one about 1.65 times that (its efficiency is 0.37); z = 4.
    """
    rng = np.random.default_rng(4)
    y = rng.poisson(30.0, 26).astype(float)
    y[20] *= 5
    plain = fit_arrivals(y, window=26)
    robust = fit_arrivals(y, window=26, robust=True)
    mu = 30.0
    tol = Z * 1.65 * math.sqrt(2 / 22) * mu
    assert robust.dispersion * mu**2 <= tol
    assert plain.dispersion > robust.dispersion


def test_cohort_prior_is_sized_by_empirical_bayes():
    """Cohorts that agree give a strong prior; one cohort far from the others, a weak one.

    Binomial likelihoods of 8 cohorts of 200 deals: all with 90% closers, the
    prior sits at its upper bound (the spread is sampling noise); with one
    cohort at 30% its strength falls to a few deals.
    """
    from simkit.crm.cohorts import _Q_GRID, _eb_prior

    def lls(shares):
        return {k: 200 * (q * np.log(_Q_GRID) + (1 - q) * np.log1p(-_Q_GRID + 1e-12))
                for k, q in enumerate(shares)}

    info = dict.fromkeys(range(8), 200.0)
    calm = _eb_prior(lls([0.9] * 8), info, 0.9)
    burst = _eb_prior(lls([0.9] * 7 + [0.3]), info, 0.9)
    assert calm == 200.0
    # spread = 0.6^2 / 8 = 0.045 (less ~0.0005 of noise): strength 0.09 / 0.045 - 1 = 1
    assert burst <= 2.0


def test_arrival_options_default_to_the_one_step_fit_and_huber_resists_a_burst():
    """horizon=1 and huber=0 are the one-step fit; a four-week burst up to the cutoff
    moves a huberised level less than the plain one (the option the forecast can take)."""
    rng = np.random.default_rng(11)
    y = rng.poisson(60, 26).astype(float)
    base = fit_arrivals(y, window=26, robust=True)
    same = fit_arrivals(y, window=26, robust=True, horizon=1, huber=0.0)
    assert (base.level, base.trend, base.alpha) == (same.level, same.trend, same.alpha)
    y[22:] += 120
    plain = fit_arrivals(y, window=26, robust=True)
    huber = fit_arrivals(y, window=26, robust=True, huber=2.0)
    assert huber.mean_path(13).sum() < plain.mean_path(13).sum() - 13 * 20


def test_a_burst_of_new_deals_and_a_short_close_history_are_said_out_loud():
    """A steady export gets no note; one whose last four weeks carry twice the usual new
    deals (a list import) gets one in both languages, and so does a cutoff only eight
    weeks after the first recorded close. Both fail if the notes are not made."""
    from conftest import synthetic_deals

    from simkit.crm.forecast import _history_notes

    d = synthetic_deals(reps=8, rate=4.0, weeks=52, seed=3)  # 32 new deals a week
    c = T0 + pd.Timedelta(weeks=40)
    assert _history_notes(as_of(d, c), c, 13) == []
    burst = d.sample(n=130, random_state=1).assign(
        created=lambda x: c - pd.Timedelta(weeks=2) + pd.to_timedelta(
            np.linspace(-13, 13, len(x)), unit="D"),
        deal_id=lambda x: x["deal_id"] + "b")
    notes = _history_notes(as_of(pd.concat([d, burst]), c), c, 13)
    assert len(notes) == 1 and "rose to" in notes[0][0] and "倍" in notes[0][1]
    assert notes[0][2] == "burst"
    early = T0 + pd.Timedelta(weeks=8) + (d["closed"].min() - T0)
    notes = _history_notes(as_of(d, early), early, 13)
    assert any("closes are recorded for only 8 weeks" in en and "8 周" in zh
               for en, zh, _ in notes), notes


def test_a_burst_is_forecast_both_ways_and_nothing_changes_without_one():
    """Without a burst, ``burst_mix`` changes nothing (same seed, same samples). After a
    burst of new deals half of the arrival paths follow it and half treat it as a one-off,
    so the new deals' wins fall below the one-step fit's alone (which projects the jump as
    a trend); the margin is Z standard errors of the difference of the two means."""
    reps = 200
    d = synthetic_deals(reps=8, rate=4.0, weeks=52, seed=3)  # 32 new deals a week
    c = T0 + pd.Timedelta(weeks=40)
    mixed = forecast(d, c, replications=reps, seed=5)
    plain = forecast(d, c, replications=reps, seed=5, burst_mix=False)
    for key, s in mixed.samples.items():
        pd.testing.assert_frame_equal(s, plain.samples[key])
    burst = d.sample(n=130, random_state=1).assign(
        created=lambda x: c - pd.Timedelta(weeks=2) + pd.to_timedelta(
            np.linspace(-13, 13, len(x)), unit="D"),
        deal_id=lambda x: x["deal_id"] + "b", status="open", closed=pd.NaT)
    db = pd.concat([d, burst], ignore_index=True)
    mixed = forecast(db, c, replications=reps, seed=5)
    plain = forecast(db, c, replications=reps, seed=5, burst_mix=False)
    m = mixed.samples[("new_deals", "wins")].sum(axis=1)
    p = plain.samples[("new_deals", "wins")].sum(axis=1)
    se = math.sqrt(m.var() / reps + p.var() / reps)
    assert p.mean() - m.mean() > Z * se, (p.mean(), m.mean(), se)
    # The other one-off reading (burst_reading="skip") leaves the burst's weeks out of the
    # fit: it projects the level before the burst, where the one-step fit runs far above.
    from simkit.crm.fitting import team_arrivals

    def level(deals, **kw):
        k = as_of(deals, c)
        skip = kw.get("skip", 0)
        return team_arrivals(k, c, np.ones(len(k)), 13, **kw).mean_path(skip + 13)[skip:].mean()

    before = level(d)  # about 32 a week
    assert level(db) > 1.5 * before
    assert abs(level(db, skip=4) - before) < 0.15 * before
    assert abs(level(d, skip=4) - before) < 0.15 * before  # no burst: much the same
    skip = forecast(db, c, replications=20, seed=5, burst_reading="skip")
    assert skip.samples[("new_deals", "wins")].notna().all().all()
    assert any("half of the simulated paths" in en and "一半" in zh
               for en, zh in mixed.warnings), mixed.warnings


def test_the_arrival_history_counts_every_known_deal(monkeypatch):
    """A cutoff a whole number of weeks after the first deal (every synthetic back-test:
    day dates, cutoffs at T0 + k weeks) left the first day's deals out of the weekly counts
    the arrival model (and its seasonality) is fitted on; each deal counts once, in the
    oldest week, and the skipped weeks of a one-off reading are the last ones."""
    import simkit.crm.fitting as fitting

    seen = []
    monkeypatch.setattr(fitting, "fit_arrivals",
                        lambda counts, *a, **kw: seen.append(np.asarray(counts)) or None)
    d = synthetic_deals(reps=4, rate=3.0, weeks=30, seed=4)
    d["created"] = d["created"].dt.floor("D")
    d.loc[d["created"].idxmin(), "created"] = T0  # the first deal on T0 itself
    for c in (T0 + pd.Timedelta(weeks=20), T0 + pd.Timedelta(weeks=20, days=3)):
        k = as_of(d, c)
        w = np.arange(1.0, len(k) + 1)  # weights tell the deals apart
        fitting.team_arrivals(k, c, w, 13)
        fitting.team_arrivals(k, c, w, 13, skip=4)
        full, skipped = seen[-2], seen[-1]
        assert full.sum() == w.sum(), (c, full.sum(), w.sum())
        assert np.array_equal(skipped, full[:-4])
        recent = (k["created"] > c - pd.Timedelta(weeks=1)).to_numpy()  # age below a week
        assert full[-1] == w[recent].sum()
