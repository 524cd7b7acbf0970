"""The table calculators accept the core's results tables as they come.

A column-contract check, not a statistical one: the simulation cross-checks
of issue 3 live elsewhere.
"""

import pytest

from simkit.analysis import coaching_diagnostics, goal_tracking, performance_table


@pytest.fixture(scope="module")
def results():
    simulation = pytest.importorskip("simkit.sim.dispatch")
    return simulation.simulate("small-projects", replications=2, seed=7, progress=False)


def test_goal_tracking_on_results(results):
    deals = results.deals
    table = goal_tracking(deals, 1.0, metric="wins")
    won = (deals["outcome"] == "won").sum()
    assert table["actual"].sum() == pytest.approx(won / 2)  # mean per replication
    assert set(table["group"]) == set(deals["rep"])
    by_source = goal_tracking(deals, 1.0, metric="wins", by="source")
    assert by_source["actual"].sum() == pytest.approx(won / 2)


def test_performance_table_on_results(results):
    table = performance_table(results.deals, 24.0)
    assert set(table.index) == set(results.deals["rep"])


def test_coaching_on_results(results):
    weeks = results.scenario.quota.weeks_per_quarter
    coaching = coaching_diagnostics(
        results.deals, results.scenario, stage_times=results.stage_times, now=weeks
    )
    assert coaching.time_in_step_source == "stage_times"
    assert set(coaching.reps.index) == set(results.deals["rep"])
    assert coaching.reps["problem"].notna().all()
    assert (coaching.time_in_step["median_days"] > 0).all()
