"""The fast path against the SimPy model of record.

Three kinds: exact (same seed, same numbers and tables: the fast path reads
the engine's own streams), statistical (independent seeds, two-sample z on
means and variances, tolerance from the replication counts) and behavioural
(fallback to SimPy for anything the fast path does not model, reproducibility
across the slider cache, common random numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import simkit
from simkit import SimkitInputError, Source
from simkit.sim.fastpath import FastResults, clear_cache, unsupported_reason

SMALL = simkit.preset("small-projects")


def _variants() -> dict[str, simkit.Scenario]:
    two_sources = SMALL.leads.model_copy(update={"sources": (
        Source(name="new", share=0.6),
        Source(name="repeat", share=0.4, entry_stage="negotiation", deal_size_multiplier=1.5),
    )})
    return {
        "small-projects": SMALL,
        "large-projects": simkit.preset("large-projects"),
        "seven-step": simkit.preset("seven-step"),
        "sources-later-entry": SMALL.model_copy(update={"leads": two_sources}),
        "archetypes": SMALL.override({
            "team.archetypes": [
                {"name": "star", "share": 0.3, "prospecting": 1.5, "conversion": 1.3,
                 "deal_size": 1.2},
                {"name": "average", "share": 0.5},
                {"name": "idle", "share": 0.2, "prospecting": 0.0},
            ],
            "quota.split": "equal"}),
        "empty-warmup": SMALL.override({"horizon.start": {"mode": "empty", "warmup_weeks": 6},
                                        "horizon.quarters": 2}),
        "snapshot": SMALL.override({"horizon.start": {
            "mode": "snapshot", "counts": [17, 5, 4], "week": 7, "realised": 119.1}}),
        "deterministic-stage-exp-size": SMALL.override({
            "deal_size.kind": "exponential",
            "funnel.stages.intent.duration": {"kind": "deterministic", "value": 1.0}}),
    }


VARIANTS = _variants()


# ------------------------------------------------------------------ exact


@pytest.mark.parametrize("name", list(VARIANTS))
def test_fast_path_reproduces_simpy_exactly(name):
    sc = VARIANTS[name]
    slow = simkit.simulate(sc, 8, 11, engine="simpy")
    fast = simkit.simulate(sc, 8, 11, engine="fast")
    assert isinstance(fast, FastResults)
    assert (slow.engine, fast.engine) == ("simpy", "fast")
    a, b = slow.summary(), fast.summary()
    assert (a.pop("engine"), b.pop("engine")) == ("simpy", "fast")
    assert a == b
    tables_slow, tables_fast = slow.tables(), fast.tables()
    assert set(tables_slow) == set(tables_fast)
    for table in tables_slow:  # every table, reps and waits included
        pd.testing.assert_frame_equal(tables_slow[table], tables_fast[table], check_exact=True,
                                      obj=table)
    pd.testing.assert_frame_equal(slow.reps, fast.reps, check_exact=True)
    pd.testing.assert_frame_equal(slow.waits, fast.waits, check_exact=True)
    assert len(fast.reps) == 8 * sc.team.reps


# ------------------------------------------------------------------ statistical


def _per_replication(res) -> dict[str, np.ndarray]:
    tq = res.team_quarters.groupby("replication")
    d = res.deals
    open_ = (d[d["outcome"] == "open"].groupby("replication").size()
             .reindex(range(res.replications), fill_value=0))
    return {
        "wins": tq["wins"].sum().to_numpy(float),
        "won_amount": tq["won_amount"].sum().to_numpy(float),
        "attainment": tq["attainment"].mean().to_numpy(float),
        "open_deals": open_.to_numpy(float),
    }


Z = 4.0  # two-sided, about 6e-5 per comparison: 8 families x 8 comparisons stay quiet


@pytest.mark.parametrize("name", ["small-projects", "sources-later-entry", "archetypes",
                                  "empty-warmup", "snapshot"])
def test_fast_path_matches_simpy_in_distribution(name):
    # Independent seeds, so this checks the distribution, not the shared plumbing.
    sc = VARIANTS[name]
    n = 40
    slow = _per_replication(simkit.simulate(sc, n, 101, engine="simpy"))
    fast = _per_replication(simkit.simulate(sc, n, 202, engine="fast"))
    for key in slow:
        x, y = slow[key], fast[key]
        se = math.sqrt(x.var(ddof=1) / n + y.var(ddof=1) / n)
        assert abs(x.mean() - y.mean()) <= Z * se + 1e-12, (key, x.mean(), y.mean(), se)
        # Var(s^2) ~ (m4 - s^4) / n, from each sample's own fourth moment.
        def var_se2(v):
            c = v - v.mean()
            return max(np.mean(c**4) - np.mean(c**2) ** 2, 0.0) / n
        se_v = math.sqrt(var_se2(x) + var_se2(y))
        assert abs(x.var(ddof=1) - y.var(ddof=1)) <= Z * se_v + 1e-9, (key, se_v)


# ------------------------------------------------------------------ behaviour


def test_dynamics_fall_back_to_simpy_and_say_so():
    sc = SMALL.override({"capacity": {"max_open_deals": 25}})
    assert sc.uses_dynamics
    assert unsupported_reason(sc) is not None
    # auto runs such scenarios on the fast team engine (simkit.teamfast), or SimPy without numba
    res = simkit.simulate(sc, 2, 1)
    assert res.engine in ("team-fast", "simpy") and res.summary()["engine"] == res.engine
    with pytest.raises(SimkitInputError, match="engine"):
        simkit.simulate(sc, 2, 1, engine="fast")


def test_unknown_things_are_declined():
    class Custom(simkit.sim.engine.FunnelModel):
        pass

    assert unsupported_reason(SMALL, Custom) is not None
    assert simkit.simulate(SMALL, 2, 1, model=Custom).engine == "simpy"

    class Scenario2(simkit.Scenario):
        pass

    assert unsupported_reason(Scenario2(**dict(SMALL))) is not None


def test_bad_engine_name_names_the_argument():
    with pytest.raises(SimkitInputError, match="engine"):
        simkit.simulate(SMALL, 2, 1, engine="turbo")


def test_reproducible_whatever_the_cache_holds():
    target = SMALL.override({"leads.per_rep_per_week": 9.0, "team.reps": 12})
    clear_cache()
    cold = simkit.simulate(target, 30, 5).summary()
    clear_cache()
    # Warm the cache with a smaller team, slower leads and more replications first.
    simkit.simulate(SMALL.override({"leads.per_rep_per_week": 2.0}), 50, 5).summary()
    warm = simkit.simulate(target, 30, 5).summary()
    again = simkit.simulate(target, 30, 5).summary()
    assert cold == warm == again


def test_deal_size_lever_keeps_every_other_number():
    a = simkit.simulate(SMALL, 30, 3)
    b = simkit.simulate(SMALL.override({"deal_size.mean": 3.0}), 30, 3)
    np.testing.assert_array_equal(a.rep_quarters["wins"], b.rep_quarters["wins"])
    np.testing.assert_allclose(b.rep_quarters["won_amount"], 1.5 * a.rep_quarters["won_amount"],
                               rtol=1e-12)


def test_threads_running_the_fast_path_at_once_get_the_serial_numbers():
    # A web server or dask's threaded scheduler simulates from several threads; the kept
    # raw numbers must not be corrupted (they were: IndexError inside the fast path).
    from concurrent.futures import ThreadPoolExecutor

    clear_cache()
    scenarios = [SMALL.override({"team.reps": n, "leads.per_rep_per_week": 4 + n / 4})
                 for n in range(4, 12)]
    serial = [simkit.simulate(sc, 30, 5).summary() for sc in scenarios]
    clear_cache()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda sc: simkit.simulate(sc, 30, 5).summary(), scenarios))
    assert threaded == serial
