"""The fast team engine (simkit.teamfast) against the SimPy model of record, bit for bit.

Both read the same random streams, so on every scenario of the grid (capacity
cap and hours, queue and prospect-less, shared and per-team pre-sales pools,
hires, ramps, attrition with and without backfill, commission tiers, every
start mode) they must give the same tables to the last bit.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from team_helpers import det, exp

import simkit
from simkit.sim.teamfast import simulate_team_fast, unsupported_reason

pytestmark = pytest.mark.skipif(unsupported_reason(simkit.preset("small-projects")) is not None,
                                reason="numba is not installed")

TIERS = {"rate": 0.04, "tiers": [{"name": "base", "attainment": 1.0, "rate": 0.08},
                                 {"name": "challenge", "attainment": 1.2, "rate": 0.12}],
         "cap_attainment": 2.5}

GRID = {
    "cap-queue": {"capacity": {"max_open_deals": 6}},
    "cap-hours-queue": {"capacity": {"hours_per_week": 30, "hours_per_deal": 2.5}},
    "cap-prospect-less": {"capacity": {"max_open_deals": 7, "when_full": "prospect_less"}},
    "hours-prospect-less": {"capacity": {"hours_per_week": 30, "when_full": "prospect_less"}},
    "shared-pool": {"presales": {"consultants": 7, "share": 0.4}},
    "per-team-pools": {"presales": {"consultants": 7, "share": 0.4, "pool": "per_team",
                                    "teams": 3}},
    "queue+pool": {"capacity": {"max_open_deals": 6},
                   "presales": {"consultants": 6, "share": 1.0}},
    "hires+ramp": {"hiring": {"plan": [{"week": 3, "count": 2},
                                       {"week": 10.5, "count": 1, "archetype": "average"}]},
                   "ramp": {"curve": [0.2, 0.6, 1.0], "weeks_per_month": 3}},
    "attrition-backfill": {"attrition": {"yearly_rate": 0.8, "backfill_weeks": 2,
                                         "open_deals_lost": 0.3}},
    "instant-backfill": {"attrition": {"yearly_rate": 0.95, "backfill_weeks": 0,
                                       "open_deals_lost": 0.5},
                         "capacity": {"max_open_deals": 8}, "team.reps": 4},
    "attrition-no-backfill": {"attrition": {"yearly_rate": 0.8, "backfill": False,
                                            "open_deals_lost": 0.6},
                              "capacity": {"max_open_deals": 5},
                              "presales": {"consultants": 4, "share": 0.5}},
    "everything": {"capacity": {"max_open_deals": 7}, "ramp": {},
                   "presales": {"consultants": 6, "share": 0.5, "pool": "per_team", "teams": 2},
                   "hiring": {"plan": [{"week": 2, "count": 3}]},
                   "attrition": {"yearly_rate": 0.9, "backfill_weeks": 1, "open_deals_lost": 0.5},
                   "commission": TIERS},
    "commission-only": {"commission": TIERS},
    "no-team-sections": {},  # the plain engine's tables (engine="team-fast" asked for)
    "empty-warmup": {"horizon.start": {"mode": "empty", "warmup_weeks": 3},
                     "capacity": {"max_open_deals": 6}, "attrition": {"yearly_rate": 0.7}},
    "snapshot": {"horizon.start": {"mode": "snapshot", "counts": [30, 12, 5]},
                 "capacity": {"max_open_deals": 3}, "presales": {"consultants": 3}},
    "mid-quarter": {"horizon.start": {"mode": "standard", "week": 5, "realised": 30},
                    "presales": {"consultants": 5, "share": 0.6}},
    "exp-stages": {"funnel.stages.intent.duration": exp(1.0),
                   "funnel.stages.solution.duration": exp(0.3),
                   "funnel.stages.negotiation.duration": det(0.5),
                   "presales": {"consultants": 4}, "capacity": {"max_open_deals": 9}},
}


def _tables(res):
    out = {"deals": res.deals, "stage_times": res.stage_times,
           "rep_quarters": res.rep_quarters, "team_quarters": res.team_quarters}
    if res.scenario.uses_dynamics:
        out["reps"] = res.reps
    if res.scenario.presales is not None:
        out["waits"] = res.waits
    return out


@pytest.mark.parametrize("name", list(GRID))
def test_team_fast_equals_simpy(small, name):
    sc = small.override({"team.reps": 4, "horizon.quarters": 2, **GRID[name]})
    assert unsupported_reason(sc) is None
    fast = simulate_team_fast(sc, 2, seed=5)
    ref = simkit.simulate(sc, 2, seed=5, engine="simpy")
    assert fast.engine == "team-fast" and ref.engine == "simpy"
    for key, table in _tables(ref).items():
        pd.testing.assert_frame_equal(_tables(fast)[key], table, check_exact=True, obj=key)
    s_fast, s_ref = fast.summary(), ref.summary()
    s_fast.pop("engine"), s_ref.pop("engine")
    assert s_fast.keys() == s_ref.keys()
    for k, v in s_ref.items():
        assert s_fast[k] == v or (math.isnan(v) and math.isnan(s_fast[k])), k


def test_later_replications_alone_match_the_whole_run(small):
    sc = small.override({"team.reps": 3, "capacity": {"max_open_deals": 6},
                         "attrition": {"yearly_rate": 0.5}})
    whole = simulate_team_fast(sc, 3, seed=2).deals
    part = simulate_team_fast(sc, 1, seed=2, first=2).deals
    pd.testing.assert_frame_equal(
        part.drop(columns="replication"),
        whole[whole["replication"] == 2].drop(columns="replication").reset_index(drop=True),
        check_exact=True)


def test_declines_what_it_does_not_model(small):
    assert "weekly_plan" in unsupported_reason(small.override({"leads.weekly_plan": [3, 4]}))
    assert "custom model" in unsupported_reason(small, model=type("Mine", (), {}))


def test_lesson_8_year_plan_with_capacity_is_the_same_run():
    from simkit.course.cases import planning_scenario

    sc = planning_scenario(capacity=True)
    fast, ref = simkit.simulate(sc, 2, seed=1), simkit.simulate(sc, 2, seed=1, engine="simpy")
    assert fast.engine == "team-fast"
    for key, table in _tables(ref).items():
        pd.testing.assert_frame_equal(_tables(fast)[key], table, check_exact=True, obj=key)
    assert (ref.reps["left_at"].notna().sum(), ref.reps["new_hire"].sum()) > (0, 0)


def test_kept_numbers_give_the_same_run_as_a_cold_start(small):
    from simkit.sim import teamfast

    base = small.override({"team.reps": 3, "horizon.quarters": 2, "ramp": {},
                           "capacity": {"max_open_deals": 6},
                           "hiring": {"plan": [{"week": 2, "count": 2}]},
                           "attrition": {"yearly_rate": 0.6}})
    moved = base.override({"hiring.plan": [{"week": 7, "count": 1}],
                           "attrition.yearly_rate": 0.3, "capacity.max_open_deals": 5})
    simulate_team_fast(base, 3, seed=4)  # fills the kept numbers
    warm = simulate_team_fast(moved, 3, seed=4)
    teamfast.clear_cache()
    cold = simulate_team_fast(moved, 3, seed=4)
    for key, table in _tables(cold).items():
        pd.testing.assert_frame_equal(_tables(warm)[key], table, check_exact=True, obj=key)
