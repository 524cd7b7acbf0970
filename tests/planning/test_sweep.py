"""Sweeps: grid expansion, identical results on every backend, compare, headcount, CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import simkit
from simkit import SimkitInputError
from simkit.cli import main
from simkit.planning.solvers import solve_headcount
from simkit.planning.sweep import expand_grid, sweep


def test_expand_grid_product_in_order():
    g = expand_grid({"team.reps": [8, 10], "leads.per_rep_per_week": [4, 5, 6]})
    assert len(g) == 6
    assert g[0] == {"team.reps": 8, "leads.per_rep_per_week": 4}
    assert g[-1] == {"team.reps": 10, "leads.per_rep_per_week": 6}


def test_expand_grid_single_values_and_strings():
    assert expand_grid({"team.reps": 8}) == [{"team.reps": 8}]
    assert expand_grid({"name": "abc"}) == [{"name": "abc"}]  # not split into letters
    assert expand_grid({"name": ["a", "b"]}) == [{"name": "a"}, {"name": "b"}]
    assert expand_grid({"ramp": {"curve": [0, 1]}}) == [{"ramp": {"curve": [0, 1]}}]
    assert expand_grid({}) == [{}]


@pytest.mark.parametrize("grid, field", [
    ({"team.reps": []}, "grid['team.reps']"),
    ([("team.reps", [1])], "grid"),
    ({"": [1]}, "grid path"),
])
def test_expand_grid_rejects_bad_grids(grid, field):
    with pytest.raises(SimkitInputError) as exc:
        expand_grid(grid)
    assert exc.value.field == field


def test_sweep_rejects_bad_points_before_running(small):
    with pytest.raises(simkit.ScenarioError, match="team.reps"):
        sweep(small, {"team.reps": [5, 0]}, replications=2, backend="serial")
    with pytest.raises(SimkitInputError, match="backend"):
        sweep(small, {"team.reps": [5]}, replications=2, backend="cloud")


BASE = {"ramp": {}, "attrition": {}, "hiring": {"plan": [{"week": 2, "count": 2}]},
        "commission": {}, "presales": {"consultants": 20, "share": 0.5}}
GRID = {"team.reps": [6, 8], "attrition.yearly_rate": [0.1, 0.4]}


@pytest.fixture(scope="module")
def serial_table():
    base = simkit.preset("small-projects").override(BASE)
    return sweep(base, GRID, replications=6, seed=9, backend="serial", batch_size=6)


def test_sweep_table_shape(serial_table):
    t = serial_table
    assert list(t.columns[:3]) == ["scenario", "team.reps", "attrition.yearly_rate"]
    assert {"metric", "mean", "se", "ci_low", "ci_high", "n", "seed"} <= set(t.columns)
    assert t["scenario"].nunique() == 4 and (t["n"] <= 6).all()
    assert {"attainment", "hits_quota", "headcount", "leavers", "cost_of_sales",
            "presales_wait"} <= set(t["metric"])
    att = t[t["metric"] == "attainment"]
    assert (att["ci_low"] <= att["mean"]).all() and (att["mean"] <= att["ci_high"]).all()


def test_processes_and_batch_size_give_identical_results(serial_table):
    base = simkit.preset("small-projects").override(BASE)
    other = sweep(base, GRID, replications=6, seed=9, backend="processes", workers=2,
                  batch_size=4)
    pd.testing.assert_frame_equal(serial_table, other, check_exact=True)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results(serial_table):
    distributed = pytest.importorskip("dask.distributed")
    base = simkit.preset("small-projects").override(BASE)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        other = sweep(base, GRID, replications=6, seed=9, backend="dask", client=client,
                      batch_size=2)
    pd.testing.assert_frame_equal(serial_table, other, check_exact=True)


@pytest.mark.slow
def test_headcount_solver_finds_the_fewest_reps(small):
    plan = solve_headcount(small, target=0.5, replications=12, seed=1, max_reps=40)
    c = plan.curve.set_index("reps")["probability"]
    assert plan.reps is not None and c[plan.reps] >= 0.5
    assert plan.probability == c[plan.reps]
    assert all(p < 0.5 for r, p in c.items() if r < plan.reps)
    none = solve_headcount(small, target=0.5, replications=4, seed=1, max_reps=2)
    assert none.reps is None and len(none.curve) >= 1


@pytest.mark.parametrize("ext", ["csv", "parquet", "xlsx"])
def test_cli_sweep_writes_the_table(tmp_path, ext):
    out = tmp_path / f"sweep.{ext}"
    r = CliRunner().invoke(main, ["sweep", "--preset", "small-projects",
                                  "--grid", "team.reps=8,10", "--grid", "deal_size.mean=2.0",
                                  "-n", "3", "--backend", "serial", "--out", str(out)])
    assert r.exit_code == 0, r.output
    read = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": lambda p: pd.read_excel(p, engine="openpyxl")}[ext]
    t = read(out)
    assert set(t["team.reps"]) == {8, 10} and "attainment" in set(t["metric"])
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary files left


@pytest.mark.parametrize("args, text", [
    (["--grid", "team.reps=", "--out", "x.csv"], "--grid"),
    (["--grid", "team.reps=8,,9", "--out", "x.csv"], "--grid"),
    (["--grid", "team.rep=8", "--out", "x.csv"], "team.rep"),
    (["--grid", "team.reps=8", "--out", "x.txt"], "--out"),
    (["--grid", "team.reps=8", "--backend", "serial", "--scheduler", "tcp://x:1",
      "--out", "x.csv"], "--scheduler"),
])
def test_cli_sweep_bad_input_is_a_clear_error(tmp_path, args, text):
    r = CliRunner().invoke(main, ["sweep", "-n", "2", *args])
    assert r.exit_code == 2
    assert text in r.output
    assert "Traceback" not in r.output


def test_cli_grid_values_may_be_lists():
    from simkit.cli.sweep import parse_grid

    assert parse_grid(("ramp.curve=[0,0.5,1],[1]", "name=\"a,b\"")) == {
        "ramp.curve": [[0, 0.5, 1], [1]], "name": ["a,b"]}
