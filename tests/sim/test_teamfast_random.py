"""Randomised scenarios: the fast team engine against SimPy, bit for bit.

Each case draws a small scenario (team size, lead rate, capacity of either form and
either mode, a pre-sales pool on any stage, hires, a ramp, attrition, every start
mode, a deterministic stage now and then) from its own generator, and both engines
must give the same tables. The grid in test_teamfast_exact.py covers the named cases;
this covers their combinations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simkit
from simkit.sim.teamfast import simulate_team_fast, unsupported_reason

pytestmark = pytest.mark.skipif(unsupported_reason(simkit.preset("small-projects")) is not None,
                                reason="numba is not installed")


def random_scenario(small, case: int):
    g = np.random.default_rng(1000 + case)
    ch = {"team.reps": int(g.integers(1, 6)), "horizon.quarters": int(g.integers(1, 3)),
          "leads.per_rep_per_week": float(g.choice([0.0, 1.0, 3.0, 6.0]))}
    full = str(g.choice(["queue", "prospect_less"]))
    if g.random() < 0.3:
        ch["capacity"] = {"max_open_deals": int(g.integers(1, 10)), "when_full": full}
    elif g.random() < 0.4:
        ch["capacity"] = {"hours_per_week": float(g.uniform(5, 40)),
                          "hours_per_deal": float(g.uniform(1, 4)), "when_full": full}
    if g.random() < 0.6:
        c = int(g.integers(1, 6))
        ch["presales"] = {"consultants": c, "share": float(g.choice([1.0, 0.3, 0.7])),
                          "stage": str(g.choice(["intent", "solution", "negotiation"])),
                          "pool": str(g.choice(["shared", "per_team"])),
                          "teams": int(g.integers(1, c + 1))}
    if g.random() < 0.5:
        ch["hiring"] = {"plan": [{"week": float(g.choice([0, 1.5, 5, 30])),
                                  "count": int(g.integers(0, 3))}]}
    if g.random() < 0.5:
        ch["ramp"] = {"curve": [float(x) for x in g.uniform(0, 1, int(g.integers(1, 4)))],
                      "weeks_per_month": float(g.choice([1, 4]))}
    if g.random() < 0.6:
        ch["attrition"] = {"yearly_rate": float(g.uniform(0.3, 0.95)),
                           "backfill": bool(g.random() < 0.5),
                           "backfill_weeks": float(g.choice([0, 2, 8])),
                           "open_deals_lost": float(g.choice([0, 0.5, 1]))}
    mode = str(g.choice(["standard", "standard", "empty", "snapshot"]))
    if mode == "empty":
        ch["horizon.start"] = {"mode": "empty", "warmup_weeks": float(g.choice([0, 3]))}
    elif mode == "snapshot":
        ch["horizon.start"] = {"mode": "snapshot",
                               "counts": [int(x) for x in g.integers(0, 15, 3)]}
    elif g.random() < 0.3:
        ch["horizon.start"] = {"mode": "standard", "week": 4.0,
                               "queue_warmup_weeks": float(g.choice([0, 2.5]))}
    if g.random() < 0.3:
        ch["funnel.stages.negotiation.duration"] = {"kind": "deterministic", "value": 0.5}
    return small.override(ch)


# 80-139: cases that once differed (a backfill with no vacancy joined before its
# predecessor's deals were reassigned)
@pytest.mark.parametrize("case", [*range(24), 80, 85, 116, 136, 139])
def test_random_scenario_same_tables(small, case):
    sc = random_scenario(small, case)
    fast = simulate_team_fast(sc, 2, seed=case)
    ref = simkit.simulate(sc, 2, seed=case, engine="simpy")
    names = ["deals", "stage_times", "rep_quarters", "team_quarters"]
    names += ["reps"] if sc.uses_dynamics else []
    names += ["waits"] if sc.presales is not None else []
    for name in names:
        a, b = getattr(fast, name), getattr(ref, name)
        if len(a) == len(b) == 0:
            continue  # SimPy's empty tables have object columns
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
