"""The sandbox's rules: common random numbers, better decisions, preview seeds, market effects.

Statistical checks take their tolerance from the replication count
(paired differences: z * s / sqrt(n)), never from a tuned seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simkit
from simkit.sandbox import game
from simkit.sandbox.text import LANGS, TEXT
from tests.conftest import Z, z_tolerance

BASE = simkit.preset("small-projects")
REPS = 200


def _play(decisions=None, regime="saturating", round_no=1, shocks=(), seed=11, reps=REPS,
          state=None):
    d = dict(game.default_decisions(BASE), **(decisions or {}))
    st = state or game.initial_state(BASE)
    return game.play_quarter(BASE, d, st, regime, round_no, shocks, seed, reps)


def test_every_text_has_both_languages_and_the_same_placeholders():
    import string

    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
                  for lang in LANGS]
        assert fields[0] == fields[1], key
        assert all(entry[lang].strip() for lang in LANGS), key


def test_every_field_regime_shock_and_plan_has_a_text():
    for f in game.FIELDS:
        assert f"field.{f}" in TEXT and f"short.{f}" in TEXT
    for r in game.REGIMES:
        assert f"regime.{r}" in TEXT
    for s in game.SHOCKS:
        assert f"shock.{s}" in TEXT
    for p in game.PLANS:
        assert f"plan.{p}" in TEXT


def test_a_round_runs_on_the_fast_path():
    assert _play(reps=10)["engine"] == "fast"


@pytest.mark.parametrize("regime", game.REGIMES)
def test_same_decisions_give_identical_results_common_random_numbers(regime):
    d = {"hires": 1, "prospecting": 6.0, "large_share": 0.2}
    a = _play(d, regime, round_no=2, shocks=("price_cut",), reps=30)
    b = _play(d, regime, round_no=2, shocks=("price_cut",), reps=30)
    assert a == b


def test_a_team_state_carries_over_deterministically():
    d = dict(game.default_decisions(BASE), hires=2)
    st = game.initial_state(BASE)
    res = game.play_quarter(BASE, d, st, "growing", 1, (), 5, 20)
    n1 = game.next_state(st, d, res, 1, 99)
    n2 = game.next_state(st, d, res, 1, 99)
    assert n1 == n2
    assert n1["veterans"] + sum(n1["cohorts"].values()) + n1["leavers"] == 12
    assert n1["cohorts"] in ({}, {"1": n1["cohorts"].get("1", 0)})


def test_a_plan_with_less_attrition_never_loses_a_rep_another_keeps():
    d = game.default_decisions(BASE)
    st = dict(game.initial_state(BASE), veterans=30)
    res = {"funnel_end_by_kind": {"small": [0, 0, 0], "large": [0, 0, 0]}}
    for seed in range(20):
        low = game.next_state(st, dict(d, commission="accelerated"), res, 1, seed)["leavers"]
        high = game.next_state(st, dict(d, commission="capped"), res, 1, seed)["leavers"]
        assert low <= high


def _paired_better(better, worse):
    diff = np.asarray(better["profit_by_replication"]) - np.asarray(worse["profit_by_replication"])
    return diff.mean(), z_tolerance(diff)


@pytest.mark.parametrize("regime,better,worse", [
    # Growing market, spare selling time: more prospecting with the pre-sales to carry it pays.
    ("growing", {"prospecting": 8.0, "consultants": 6}, {}),
    # Saturating market: the same move finds worse leads and costs consultants.
    ("saturating", {}, {"prospecting": 8.0, "consultants": 6}),
    # Too few consultants queue the solution stage in any market.
    ("stagnant", {}, {"consultants": 2}),
])
def test_a_better_decision_improves_expected_profit(regime, better, worse):
    a = _play(better, regime, round_no=2, seed=3)
    b = _play(worse, regime, round_no=2, seed=3)
    mean, tol = _paired_better(a, b)
    assert mean > tol, (mean, tol)


def test_the_preview_seed_is_never_the_round_seed():
    seeds = {(s, r, f): game.round_seed(s, r, f) for s in range(20) for r in range(1, 9)
             for f in (0, 1, 2)}
    for s in range(20):
        for r in range(1, 9):
            assert seeds[(s, r, 0)] != seeds[(s, r, 1)]
    assert len(set(seeds.values())) == len(seeds)


def test_a_preview_does_not_reproduce_the_round():
    real = _play(seed=game.round_seed(7, 1, 0), reps=30)
    prev = _play(seed=game.round_seed(7, 1, 1), reps=30)
    assert real["bookings_by_replication"] != prev["bookings_by_replication"]


# ---------------------------------------------------------------- market definitions


@pytest.mark.parametrize("regime", game.REGIMES)
@pytest.mark.parametrize("round_no", [1, 3])
def test_regime_multipliers_follow_their_definition(regime, round_no):
    R = game.RULES
    m = game.market_effects(regime, round_no, (), small_leads=80.0, market_size=55.0)
    g = round_no - 1
    want = {"growing": (1 + R.growing_leads * g, 1 + R.growing_win * g, 1.0),
            "saturating": (1.0, 1.0, (55 / 80) ** R.saturation_elasticity),
            "stagnant": (1 - R.stagnant_leads * g, 1 - R.stagnant_win * g, 1.0)}[regime]
    assert (m.leads, m.win, m.saturation) == pytest.approx(want)
    assert m.duration == 1.0
    shocked = game.market_effects(regime, round_no, ("price_cut", "budget_freeze"), 80.0, 55.0)
    assert shocked.win == pytest.approx(m.win * R.price_cut)
    assert shocked.duration == pytest.approx(R.budget_freeze)


def test_saturation_only_bites_past_the_market_size():
    assert game.market_effects("saturating", 1, (), 50.0, 55.0).saturation == 1.0


def _new_deals(res_sc, reps, seed):
    r = simkit.simulate(res_sc, replications=reps, seed=seed)
    d = r.deals
    return r, d[~d["initial"]]


@pytest.mark.parametrize("regime,round_no,prospecting", [
    ("growing", 3, 5.0), ("stagnant", 3, 5.0), ("saturating", 1, 8.0)])
def test_simulated_leads_and_win_rates_match_the_regime(regime, round_no, prospecting):
    """New projects a week and the win rate of early new deals, against the definition."""
    d = dict(game.default_decisions(BASE), prospecting=prospecting, consultants=8)
    st = game.initial_state(BASE)
    sc, info = game.build_scenario(BASE, d, st, regime, round_no)
    small = BASE.team.reps * prospecting * info["market"]["leads"]
    mk = game.market_effects(regime, round_no, (), small, 1.1 * 50.0)
    reps = 150
    res, new = _new_deals(sc, reps, seed=21)
    # Leads: Poisson, team rate = reps x prospecting x leads multiplier, 12 weeks.
    per_rep = new.groupby("replication").size().reindex(range(reps), fill_value=0)
    want_leads = BASE.team.reps * prospecting * mk.leads * 12
    assert abs(per_rep.mean() - want_leads) <= z_tolerance(per_rep)
    # Win rate of new deals entering in the first four weeks (all closed by week 12).
    early = new[new["entered"] < 4.0]
    won = (early["outcome"] == "won").astype(float)
    walk = 1 / (1 + game.RULES.presales_walkaway * info["presales_wait"])
    want_win = BASE.funnel.win_rate * mk.win * mk.saturation * walk * info["overload"]
    assert (early["outcome"] == "open").mean() < 0.01
    p = won.mean()
    tol = Z * math.sqrt(want_win * (1 - want_win) / len(won))
    # Deals still open at week 12 count as not won: at most that share of bias.
    assert abs(p - want_win) <= tol + (early["outcome"] == "open").mean()


def test_the_game_imports_no_web_package():
    import subprocess
    import sys

    code = ("import sys, simkit.sandbox; "
            "print([m for m in ('starlette', 'uvicorn', 'multipart', 'httpx') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_text_key_used_in_the_package_exists():
    import re
    from pathlib import Path

    src = "".join(p.read_text(encoding="utf-8")
                  for p in (Path(game.__file__).parent).glob("*.py"))
    used = set(re.findall(r"""\b(?:t|both)\(\s*["'](\w+\.\w+)["']""", src))
    assert used and not sorted(k for k in used if k not in TEXT)
    # Keys built at run time: "col." + column, "short." + field, "status." + status, ...
    for prefix, names in [("col.", ["round", "bookings", "attainment", "share_at_quota", "cost",
                                     "profit", "forecast", "forecast_accuracy", "score", "reps",
                                     "leavers", "team"]),
                          ("status.", ["open", "pending", "closed", "closing", "finished"])]:
        assert all(prefix + n in TEXT for n in names)
