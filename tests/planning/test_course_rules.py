"""The course's rules against the simulation (issue 3, "beyond the course").

Kinds: statistical (simulated means against the deterministic tables, with a
tolerance z * s / sqrt(n) from the per-replication values), behavioural
(monotone CRN curve, least squares never worse than the rule) and errors.

Each statistical test compares many cells at once, so z is chosen for a
family-wise false-alarm rate of 1e-3: z = Phi^-1(1 - 0.001 / (2 m)) for m cells.
"""

import itertools
from statistics import NormalDist

import numpy as np
import pytest

import simkit
from simkit.analysis import standard_funnel, weekly_projection
from simkit.planning.course_rules import (
    projects_needed,
    quarter_chance,
    simulated_projection,
    snapshot_scenario,
)
from simkit.planning.forecast_check import forecast_inputs, forecast_rule_check
from simkit.model.errors import SimkitInputError

DET = {"kind": "deterministic", "value": 1.0}
CASE_B = {"counts": [169, 49, 45], "realised": 119.1, "quota": 372.0}
# case B at a tenth of its size, for the tests that run many simulations
SMALL_B = {"counts": [17, 5, 5], "realised": 11.9, "quota": 37.2}


def _z(m: int) -> float:
    return NormalDist().inv_cdf(1 - 0.001 / (2 * m))


def _det(sc):
    return sc.override({f"funnel.stages.{s}.duration": DET for s in sc.funnel.names})


# ---------------------------------------------------------------- tables = averages

PROJECTION_CASES = {
    # case B of the course: week 7 of 12, the course's plan
    "case-B": ("small-projects", [169, 49, 45], 7, [110, 110, 78, 78, 78]),
    # case A's standard funnel as a projection with its steady inflow
    "case-A": ("small-projects", [50, 29, 14], 0, [50] * 12),
    # six stages, a front-loaded plan, fewer weeks than stages
    "large": ("large-projects", [20, 10, 7, 4, 3], 8, [15, 0, 5, 5]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", PROJECTION_CASES, ids=list(PROJECTION_CASES))
def test_weekly_projection_is_the_mean_of_the_simulation(case):
    name, counts, week, plan = PROJECTION_CASES[case]
    base = _det(simkit.preset(name))
    sc = snapshot_scenario(counts, 0.0, 100.0, plan, week=week, scenario=base)
    n = 100
    sim = simulated_projection(simkit.simulate(sc, replications=n, seed=11))
    table = weekly_projection(counts, base.funnel, list(plan) + [0] * (
        base.quota.weeks_per_quarter - week - len(plan)))
    assert list(sim.mean.columns) == list(table.columns)
    assert list(sim.mean.index) == list(table.index)
    # "now" is the snapshot itself, exactly
    assert np.array_equal(sim.mean["now"].iloc[:-1].to_numpy(), np.asarray(counts, float))
    cells = table.drop(columns="now")
    diff = (sim.mean[cells.columns] - cells).abs()
    tol = _z(cells.size) * sim.se[cells.columns]
    # a cell with no spread (e.g. the planned first stage) must match exactly
    assert ((diff <= tol) | ((tol == 0) & (diff < 1e-9))).all().all(), (diff - tol).max()


def test_standard_funnel_is_the_steady_state_mean_of_the_simulation():
    # Case A with one-week stages from the standard start: per replication,
    # the mean over the quarter's 12 weekly snapshots of each stage count, and
    # the mean wins and new projects per week.
    sc = _det(simkit.preset("small-projects"))
    n = 60
    res = simkit.simulate(sc, replications=n, seed=12)
    sim = simulated_projection(res)
    std = standard_funnel(240, 2.0, sc.funnel, new_per_rep_per_week=5)
    per = sim.per_replication
    weeks = [f"+{j}" for j in range(1, 13)]
    checks = [(per[[(s, w) for w in weeks]].mean(axis=1), c)
              for s, c in zip(sc.funnel.names, std.stage_counts)]
    checks.append((per[[("wins", w) for w in weeks]].mean(axis=1), std.wins_per_week))
    d = res.deals
    new = d[~d["initial"]].groupby("replication").size().reindex(range(n), fill_value=0) / 12
    checks.append((new, std.new_per_week))
    z = _z(len(checks))
    for values, theory in checks:
        x = np.asarray(values, float)
        assert abs(x.mean() - theory) <= z * x.std(ddof=1) / np.sqrt(n), (x.mean(), theory)
    assert std.wins_per_week == pytest.approx(10) and std.reps_needed == pytest.approx(10)


# ---------------------------------------------------------------- chance to make it

@pytest.mark.slow
def test_case_b_mean_final_amount_is_the_course_amount_with_one_week_stages():
    base = _det(simkit.preset("small-projects"))
    q = quarter_chance(**CASE_B, injections=[110, 110, 78, 78, 78], week=7, avg_deal=2.0,
                       scenario=base, replications=100, seed=3)
    assert q.course_amount == pytest.approx(372.0)
    assert abs(q.mean - q.course_amount) <= _z(1) * q.se
    assert q.quantiles.is_monotonic_increasing
    assert q.p_reach_quota == np.mean(q.final_amounts >= 372.0)
    assert np.all(q.final_amounts >= 119.1)
    assert q.to_frame().loc["p_reach_quota", "value"] == q.p_reach_quota


def test_more_new_projects_never_lower_the_chance_in_any_replication():
    runs = [quarter_chance(**SMALL_B, injections=n, week=7, replications=30, seed=4)
            for n in (6, 7, 10, 15)]
    for a, b in itertools.pairwise(runs):
        assert np.all(b.final_amounts >= a.final_amounts - 1e-9)


def test_projects_needed_is_the_smallest_point_of_a_monotone_curve():
    r = projects_needed(**SMALL_B, probability=0.8, week=7, avg_deal=2.0, weeks=2,
                        replications=40, seed=5)
    c = r.curve
    assert c["per_week"].is_monotonic_increasing
    assert c["p_reach_quota"].is_monotonic_increasing
    assert r.p_at_answer >= 0.8
    below = c.loc[c["per_week"] == r.per_week - 1, "p_reach_quota"]
    assert len(below) == 1 and below.iloc[0] < 0.8
    assert r.weeks == 2 and r.replications == 40


def test_projects_needed_is_zero_when_the_funnel_already_suffices():
    r = projects_needed([169, 49, 45], 119.1, 150.0, 0.8, week=7, replications=10)
    assert r.per_week == 0 and list(r.curve["per_week"]) == [0]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"week": 7, "weeks_remaining": 5}, "week"),
        ({}, "week"),
        ({"week": 12}, "week"),
        ({"weeks_remaining": 13}, "weeks_remaining"),
        ({"week": 7, "injections": [1] * 6}, "injections"),
        ({"week": 7, "injections": [1.5]}, "injections[0]"),
        ({"week": 7, "injections": "lots"}, "injections"),
        ({"week": 7, "counts": [1, -2, 3]}, "counts[1]"),
        ({"week": 7, "counts": [1, 2]}, "counts"),
        ({"week": 7, "avg_deal": 0}, "avg_deal"),
        ({"week": 7, "scenario": 42}, "scenario"),
    ],
)
def test_bad_snapshot_input_names_the_argument(kwargs, field):
    args = dict(CASE_B)
    args.update(kwargs)
    with pytest.raises(SimkitInputError) as e:
        snapshot_scenario(**args)
    assert e.value.field == field


@pytest.mark.parametrize("kwargs, field", [({"probability": 1.5}, "probability"),
                                           ({"weeks": 0}, "weeks"),
                                           ({"weeks": 6}, "weeks"),
                                           ({"max_per_week": 0}, "max_per_week")])
def test_bad_solver_input_names_the_argument(kwargs, field):
    with pytest.raises(SimkitInputError) as e:
        projects_needed(**CASE_B, week=7, **kwargs)
    assert e.value.field == field


# ---------------------------------------------------------------- forecast rule

@pytest.fixture(scope="module")
def quarter():
    return simkit.simulate("small-projects", replications=60, seed=21)


def test_forecast_inputs_add_up(quarter):
    x = forecast_inputs(quarter)
    tq = quarter.team_quarters
    actual = x.groupby("replication")["actual"].first().to_numpy()
    assert np.allclose(actual, tq.loc[tq["quarter"] == 1, "won_amount"].to_numpy())
    assert sorted(x["week"].unique()) == list(range(12))
    assert (x["committed_won"] <= x["committed"] + 1e-9).all()
    assert (x["possible_won"] <= x["possible"] + 1e-9).all()
    assert (x["realised"] <= x["actual"] + 1e-9).all()
    # listing by expected close can only shorten the lists
    y = forecast_inputs(quarter, by_close=False)
    assert (x["possible"] <= y["possible"] + 1e-9).all()


def test_forecast_rule_table(quarter):
    t = forecast_rule_check(quarter)
    assert list(t.index) == list(range(12))
    quota = quarter.scenario.quota.team_per_quarter
    expect = (t["realised"] + 0.75 * t["committed"] + 0.25 * t["possible"]
              + 0.04 * quota * t["weeks_remaining"])
    assert np.allclose(t["forecast"], expect)
    assert np.allclose(t["bias"], t["forecast"] - t["actual"])
    # least squares has the course's weights among its candidates
    assert (t["best_rmse"] <= t["rmse"] + 1e-9).all()
    # the forecast sharpens as the quarter runs out
    assert t["best_rmse"].iloc[-1] < t["best_rmse"].iloc[0]


def test_forecast_rule_weights_are_validated():
    with pytest.raises(SimkitInputError) as e:
        forecast_rule_check("small-projects", 2, committed_weight=1.2)
    assert e.value.field == "committed_weight"
    with pytest.raises(SimkitInputError):
        forecast_rule_check(3.0, 2)
