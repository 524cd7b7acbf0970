"""Estimation at a cutoff: censoring, no leakage, round trip through the engine, shrinkage.

Statistical tests use tolerances of z = 4 standard errors derived from the
sample sizes of the synthetic exports (never tuned seeds).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import T0, synthetic_deals

import simkit
from simkit.crm import as_of, estimate
from simkit.crm.estimate import shrink_ratio
from simkit.crm.survival import aalen_johansen
from simkit.model.errors import SimkitInputError

Z = 4.0


def test_aalen_johansen_exact_small_case():
    # times 1 (won), 2 (open, censored), 3 (lost), 4 (won), 5 (open)
    inc = aalen_johansen([1, 2, 3, 4, 5], [1, 0, 2, 1, 0], min_at_risk=1)
    # S: after t=1: 4/5; t=3: 4/5*2/3; t=4: 4/5*2/3*1/2
    assert inc.won(1) == pytest.approx(1 / 5)
    assert inc.lost(3) == pytest.approx(4 / 5 * 1 / 3)
    assert inc.won(4) == pytest.approx(1 / 5 + 4 / 5 * 2 / 3 * 1 / 2)
    assert inc.p_stalled == pytest.approx(4 / 5 * 2 / 3 * 1 / 2)
    # a deal open at age 2 wins with (CIF_won(tau) - CIF_won(2)) / S(2)
    assert inc.p_won_given_open(2.0) == pytest.approx((inc.p_won - 0.2) / 0.8)


def test_censoring_estimator_is_unbiased_where_naive_ones_are_not():
    p_win, p_lost = 0.3, 0.5  # 20% stall
    # cycles of 12 weeks on average against a year of history: many wins are still to come
    d = synthetic_deals(reps=8, rate=8.0, p_win=p_win, p_lost=p_lost, win_mean=12.0,
                        lost_mean=8.0, weeks=52, seed=11)
    cutoff = T0 + pd.Timedelta(weeks=52)
    est = estimate(d, cutoff, lookback_weeks=52)
    known = as_of(d, cutoff)
    # deals followed longer than nearly every cycle carry the information at the plateau
    age = (cutoff - known["created"]) / pd.Timedelta(weeks=1)
    n_eff = int((age >= 30).sum())
    se = math.sqrt(p_win * (1 - p_win) / n_eff)
    assert abs(est.p_won - p_win) <= Z * se
    assert abs(est.p_stalled - (1 - p_win - p_lost)) <= Z * math.sqrt(0.2 * 0.8 / n_eff)
    closed = known[known["status"] != "open"]
    ignore_open = (closed["status"] == "won").mean()  # open deals dropped
    open_as_lost = (known["status"] == "won").mean()  # open deals counted as lost
    assert abs(ignore_open - p_win) > Z * se
    assert abs(open_as_lost - p_win) > Z * se


def _scrambled_future(d: pd.DataFrame, cutoff: pd.Timestamp, seed: int) -> pd.DataFrame:
    """The same past, a different future: later deals, closes and amounts all changed."""
    rng = np.random.default_rng(seed)
    f = d.copy()
    later = f["closed"].isna() | (f["closed"] >= cutoff)
    flip = rng.random(len(f)) < 0.5
    f.loc[later & flip, "status"] = "won"
    f.loc[later & flip, "closed"] = cutoff + pd.Timedelta(days=3)
    f.loc[later, "amount"] = rng.uniform(50, 100, int(later.sum()))
    new = f[f["created"] >= cutoff].copy()
    f = f[f["created"] < cutoff]
    new["rep"] = "Newcomer"
    return pd.concat([f, new, new.assign(deal_id=new["deal_id"] + "x")], ignore_index=True)


@pytest.mark.parametrize("weeks", [30, 40])
def test_no_leakage_moving_the_cutoff(weeks):
    d = synthetic_deals(reps=5, rate=3.0, weeks=52, seed=5)
    cutoff = T0 + pd.Timedelta(weeks=weeks)
    a = estimate(d, cutoff)
    b = estimate(_scrambled_future(d, cutoff, seed=weeks), cutoff)
    assert a.scenario().to_toml() == b.scenario().to_toml()
    pd.testing.assert_frame_equal(a.reps, b.reps)
    # and the later cutoff does see the later information
    c = estimate(d, cutoff + pd.Timedelta(weeks=4))
    assert c.scenario().to_toml() != a.scenario().to_toml()


def test_as_of_blanks_what_was_not_known():
    d = synthetic_deals(reps=2, rate=2.0, weeks=30, seed=1)
    cutoff = T0 + pd.Timedelta(weeks=20)
    k = as_of(d, cutoff)
    assert (k["created"] < cutoff).all()
    assert (k.loc[k["status"] != "open", "closed"] < cutoff).all()
    assert k.loc[k["status"] == "open", ["closed", "amount"]].isna().all().all()


def _engine_export(sc: simkit.Scenario, seed: int = 3) -> pd.DataFrame:
    """A simulated run written out the way a CRM would export it."""
    deals = simkit.simulate(sc, replications=1, seed=seed).deals
    wk = pd.Timedelta(weeks=1)
    closed = deals["outcome"].astype(str) != "open"
    return pd.DataFrame({
        "deal_id": "S" + deals["deal_id"].astype(str), "rep": "rep" + deals["rep"].astype(str),
        "created": T0 + deals["entered"] * wk,
        "closed": (T0 + deals["closed_at"].fillna(0) * wk).where(closed),
        "status": deals["outcome"].astype(str), "stage": deals["outcome"].astype(str),
        "amount": deals["amount"], "product": None, "source": None, "region": None,
        "account": None})


@pytest.mark.slow
def test_round_trip_recovers_the_scenario():
    sc = simkit.scenario_from_dict({
        "name": "truth",
        "funnel": {"stages": [{"name": "pipeline", "win_prob": 0.3,
                               "duration": {"kind": "gamma", "mean": 4.0, "cv": 0.6}}]},
        "leads": {"per_rep_per_week": 5.0},
        "deal_size": {"kind": "lognormal", "mean": 2.0, "cv": 0.8},
        "team": {"reps": 10, "archetypes": [
            {"name": "strong", "share": 0.5, "conversion": 1.5},
            {"name": "average", "share": 0.5}]},
        "quota": {"team_per_quarter": 100.0, "weeks_per_quarter": 13},
        "horizon": {"quarters": 4, "start": {"mode": "empty"}},
    })
    d = _engine_export(sc)
    cutoff = T0 + pd.Timedelta(weeks=52)
    est = estimate(d, cutoff, lookback_weeks=52)
    n = len(d)
    assert abs(est.per_rep_per_week - 5.0) <= Z * math.sqrt(n) / (10 * 52)
    p_team = 0.3 * (1.5 + 1.0) / 2
    n_eff = int(((cutoff - d["created"]) / pd.Timedelta(weeks=1) >= 15).sum())
    assert abs(est.p_won - p_team) <= Z * math.sqrt(p_team * (1 - p_team) / n_eff)
    wins = int((d["status"] == "won").sum())
    assert abs(est.win_time_mean - 4.0) <= Z * 4.0 * 0.6 / math.sqrt(wins)
    assert abs(est.deal_mean - 2.0) <= Z * 2.0 * 0.8 / math.sqrt(wins)
    assert est.p_stalled <= Z * math.sqrt(p_team / n_eff)
    r = est.reps.set_index("rep")["conversion"]
    strong = r[[f"rep{i}" for i in range(5)]].mean()
    average = r[[f"rep{i}" for i in range(5, 10)]].mean()
    w_s, w_a = wins * 0.6, wins * 0.4
    assert abs(strong / average - 1.5) <= Z * 1.5 * math.sqrt(1 / w_s + 1 / w_a)
    out = est.scenario()
    assert isinstance(out, simkit.Scenario) and out.team.reps == 10
    assert out.funnel.stages[0].duration.kind == "gamma"


def test_shrinkage_keeps_small_reps_near_the_team():
    shrunk, a = shrink_ratio([30, 60, 2], [45, 45, 3])
    assert 0 < a < math.inf
    # the rep with 3 expected wins moves further towards 1 than the big reps
    assert abs(shrunk[2] - 1) < abs(2 / 3 - 1)
    assert abs(shrunk[0] - 30 / 45) < abs(shrunk[2] - 2 / 3)
    same, a = shrink_ratio([10, 10, 10], [10, 10, 10])
    assert a == math.inf and (same == 1).all()


def test_scenario_is_valid_and_round_trips_through_toml(tmp_path):
    d = synthetic_deals(reps=4, rate=3.0, weeks=40, seed=2)
    est = estimate(d, T0 + pd.Timedelta(weeks=40))
    sc = est.scenario()
    p = tmp_path / "s.toml"
    p.write_text(sc.to_toml(), "utf-8")
    back = simkit.load_scenario(p)
    assert back == sc
    assert back.horizon.start.mode == "snapshot"
    assert len(back.horizon.start.rep_counts) == 4
    assert [a.share for a in back.team.archetypes] == pytest.approx([0.25] * 4)


def test_bad_cutoff_is_named():
    d = synthetic_deals(reps=2, rate=2.0, weeks=20, seed=1)
    with pytest.raises(SimkitInputError, match="--cutoff"):
        estimate(d, "not a date")
    with pytest.raises(SimkitInputError, match="at least 20 deals"):
        estimate(d, T0)


def test_every_note_is_written_in_both_languages():
    d = synthetic_deals(reps=4, rate=3.0, weeks=40, seed=2).assign(amount=np.nan)
    est = estimate(d, T0 + pd.Timedelta(weeks=40))
    assert any("no won amounts" in n for n in est.notes)
    assert len(est.notes_zh) == len(est.notes)
    assert all("成交" in zh for zh in est.notes_zh)
