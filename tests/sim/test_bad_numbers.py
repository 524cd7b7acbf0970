"""Issue 17, numbers and JSON: every reported silent or crashing case, reproduced."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

import simkit
from simkit import ScenarioError, SimkitInputError
from simkit.cli import main
from simkit.cli.scenario import template_text


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _strict_loads(text):
    def bad(c):
        raise ValueError(f"not JSON: {c}")

    return json.loads(text, parse_constant=bad)


def test_run_json_is_strict_with_one_replication():
    r = invoke("run", "-n", "1", "--json")
    assert r.exit_code == 0
    s = _strict_loads(r.output)
    assert s["team_attainment_se"] is None  # undefined with one replication: null, not NaN


def test_summary_json_file_is_strict(tmp_path):
    r = invoke("run", "-n", "1", "--out", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    _strict_loads((tmp_path / "o" / "summary.json").read_text("utf-8"))


@pytest.mark.parametrize("path", ["quota.team_per_quarter", "horizon.start.realised",
                                  "deal_size.mean", "leads.per_rep_per_week",
                                  "horizon.start.week", "funnel.stages.0.win_prob"])
@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_non_finite_values_are_refused(path, value):
    r = invoke("run", "-n", "1", "--set", f"{path}={value}")
    assert r.exit_code == 2 and path.split(".")[-1] in r.output and "finite" in r.output


def test_snapshot_realised_inf_is_refused():
    sc = simkit.preset("small-projects")
    with pytest.raises(ScenarioError, match="finite"):
        sc.override({"horizon.start": {"mode": "snapshot", "counts": [1, 1, 1],
                                        "realised": math.inf}})


def test_conversions_from_win_probs_refuses_falling_probabilities():
    with pytest.raises(SimkitInputError, match=r"win_probs\[0\]"):
        simkit.conversions_from_win_probs([0.5, 0.2])
    for bad in ([0.0, 0.5], [0.2, 1.5], [math.nan], ["x"]):
        with pytest.raises(SimkitInputError):
            simkit.conversions_from_win_probs(bad)
    assert simkit.conversions_from_win_probs([0.2, 0.4, 0.8]) == pytest.approx([0.5, 0.5, 0.8])
    assert simkit.conversions_from_win_probs([0.5, 0.5]) == [1.0, 0.5]
    with pytest.raises(SimkitInputError):
        simkit.win_probs_from_conversions([1.5, 0.5])


def test_more_stages_than_the_fast_path_holds_are_refused_at_validation():
    sc = simkit.preset("small-projects")
    n = 129
    stages = [{"name": f"s{i}", "win_prob": (i + 1) / (n + 1)} for i in range(n)]
    with pytest.raises(ScenarioError, match="at most 100"):
        sc.override({"funnel.stages": stages})
    ok = [{"name": f"s{i}", "win_prob": (i + 1) / 101} for i in range(100)]
    sc100 = sc.override({"funnel.stages": ok, "team.reps": 1, "leads.per_rep_per_week": 0.2,
                         "horizon.start.mode": "empty"})
    assert len(simkit.simulate(sc100, replications=1, engine="fast").team_quarters) == 1


@pytest.mark.parametrize("mean", [1e300, 1e6, 521])
def test_huge_stage_durations_are_refused_with_the_limit(mean):
    sc = simkit.preset("small-projects")
    with pytest.raises(ScenarioError, match="limit of 520 weeks"):
        sc.override({"funnel.stages.0.duration": {"kind": "exponential", "mean": mean}})


def test_deep_nested_toml_is_a_clean_error(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text(template_text() + "\nx = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        simkit.load_scenario(p)
    r = invoke("run", "-n", "1", "--set", "team.reps=" + "[" * 5000 + "]" * 5000)
    assert r.exit_code == 2 and "nested too deeply" in r.output


def test_override_with_a_string_is_a_clean_error():
    sc = simkit.preset("small-projects")
    with pytest.raises(SimkitInputError, match="mapping"):
        sc.override("team.reps=3")
    with pytest.raises(ScenarioError):
        sc.override({3: 4})


@pytest.mark.parametrize("arg", [123, None, 1.5, b"x.toml", ["a.toml"]])
def test_load_scenario_of_a_non_path(arg):
    with pytest.raises(SimkitInputError, match="file path"):
        simkit.load_scenario(arg)


def test_repeated_grid_path_is_named():
    r = invoke("sweep", "--grid", "team.reps=8,10", "--grid", "team.reps=12", "-n", "2",
               "--out", "never.csv")
    assert r.exit_code == 2 and "team.reps" in r.output and "already given" in r.output


@pytest.mark.parametrize("addr", ["notaurl", "http://x:1", "tcp://", "tcp://h:port"])
def test_bad_scheduler_address(addr, tmp_path):
    r = invoke("sweep", "--grid", "team.reps=8", "-n", "2", "--backend", "dask",
               "--scheduler", addr, "--out", str(tmp_path / "x.csv"))
    assert r.exit_code == 2 and "--scheduler" in r.output
    assert not (tmp_path / "x.csv").exists()


def test_unreachable_scheduler_is_a_quick_clean_error(tmp_path):
    pytest.importorskip("dask.distributed")
    from simkit.planning.sweep import SCHEDULER_TIMEOUT

    assert SCHEDULER_TIMEOUT <= 5
    r = invoke("sweep", "--grid", "team.reps=8", "-n", "2", "--scheduler", "tcp://127.0.0.1:9",
               "--out", str(tmp_path / "x.csv"))
    assert r.exit_code == 2 and "--scheduler" in r.output and "answers within" in r.output


@pytest.mark.parametrize("args", [
    ["run", "--set", "team.reps=0"], ["run", "--set", "quota.team_per_quarter=inf"],
    ["run", "--set", "nosuch=1"], ["run", "-n", "10000000"], ["run", "/nonexistent.toml"],
    ["sweep", "--grid", "team.reps=8", "--scheduler", "notaurl", "--out", "x.csv"],
])
def test_cli_errors_are_one_line_with_status_2(args):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and r.output.startswith("error: ")
    assert len(r.output.strip().splitlines()) == 1, r.output
