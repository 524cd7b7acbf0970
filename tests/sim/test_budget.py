"""Issue 17, nothing unbounded: the work budget, the scenario file size cap, and Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import simkit
from simkit import SimkitInputError
from simkit.sim.budget import (
    MAX_GRID_POINTS,
    MAX_WORK,
    check_work,
    deals_per_replication,
    estimate_work,
)
from simkit.cli import main

SIMKIT = str(Path(sys.executable).parent / "simkit")


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_estimate_is_near_what_a_run_simulates():
    sc = simkit.preset("small-projects")
    est = estimate_work(sc, 50)
    got = len(simkit.simulate(sc, replications=50, seed=1).deals)
    assert 0.8 < est.deals / got < 1.25  # a steady-state estimate, not a count
    assert est.memory_mb > 0 and "50 replications" in est.text()


def test_estimate_grows_with_each_factor():
    sc = simkit.preset("small-projects")
    base, _ = deals_per_replication(sc)
    assert deals_per_replication(sc.override({"team.reps": 20}))[0] == pytest.approx(2 * base)
    assert deals_per_replication(sc.override({"horizon.quarters": 2}))[0] > 1.5 * base
    snap = sc.override({"horizon.start": {"mode": "snapshot", "counts": [1e12, 0, 0]}})
    assert deals_per_replication(snap)[0] > 1e12
    assert estimate_work([sc, sc], 10).deals == pytest.approx(2 * estimate_work(sc, 10).deals)


def test_every_preset_fits_the_default_budget():
    for name in simkit.preset_names():
        check_work(simkit.preset(name), 1000)


@pytest.mark.parametrize("args", [
    ["-n", "10000000"],
    ["--set", "team.reps=100000", "-n", "5"],
    ["--set", 'horizon.start={mode="snapshot", counts=[1e12, 0, 0]}', "-n", "1"],
])
def test_oversized_runs_are_refused_at_once(args):
    r = invoke("run", *args)
    assert r.exit_code == 2
    assert "SIMKIT_MAX_WORK" in r.output or "SIMKIT_MAX_MEMORY_MB" in r.output
    assert "deals" in r.output


def test_api_refuses_and_the_limit_can_be_raised(monkeypatch):
    sc = simkit.preset("small-projects")
    with pytest.raises(SimkitInputError, match="SIMKIT_MAX_WORK"):
        simkit.simulate(sc, replications=10_000_000)
    with pytest.raises(SimkitInputError, match="run size"):
        simkit.simulate(sc, replications=2, max_work=100)
    monkeypatch.setenv("SIMKIT_MAX_WORK", "100")
    with pytest.raises(SimkitInputError, match="at most 100 simulated deals"):
        simkit.simulate(sc, replications=2)
    monkeypatch.setenv("SIMKIT_MAX_WORK", "lots")
    with pytest.raises(SimkitInputError, match="SIMKIT_MAX_WORK"):
        simkit.simulate(sc, replications=2)
    monkeypatch.setenv("SIMKIT_MAX_WORK", str(MAX_WORK * 10))
    with pytest.raises(SimkitInputError, match="SIMKIT_MAX_MEMORY_MB"):
        check_work(sc, 100_000)
    monkeypatch.setenv("SIMKIT_MAX_MEMORY_MB", "1e6")
    check_work(sc, 100_000)


def test_big_grid_refused_before_any_scenario_is_built():
    grid = {"team.reps": list(range(1, 401)), "leads.per_rep_per_week": list(range(1, 401))}
    with pytest.raises(SimkitInputError, match="160,000 scenarios"):
        simkit.sweep("small-projects", grid, replications=2)
    assert 400 * 400 > MAX_GRID_POINTS
    vals = ",".join(str(i) for i in range(1, 401))
    r = invoke("sweep", "--grid", f"team.reps={vals}", "--grid",
               f"leads.per_rep_per_week={vals}", "--out", "never.csv")
    assert r.exit_code == 2 and "SIMKIT_MAX_GRID_POINTS" in r.output
    with pytest.raises(SimkitInputError, match="SIMKIT_MAX_WORK"):
        simkit.sweep("small-projects", {"team.reps": [10, 20]}, replications=100_000)


def test_progressive_is_budgeted_too():
    sc = simkit.preset("small-projects").override({"capacity": {"max_open_deals": 30}})
    with pytest.raises(SimkitInputError, match="run size"):
        next(simkit.simulate_progressive(sc, replications=10_000_000))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_at_once():
    r = subprocess.run([SIMKIT, "run", "/dev/zero"], capture_output=True, text=True, timeout=60,
                       check=False)
    assert r.returncode == 2 and "not a regular file" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_huge_scenario_file_is_refused(tmp_path):
    p = tmp_path / "big.toml"
    p.write_text("# " + "x" * (2 * 1024 * 1024) + "\n", "utf-8")
    with pytest.raises(simkit.ScenarioError, match="larger than"):
        simkit.load_scenario(p)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_ctrl_c_stops_a_run_with_one_line_and_status_130(engine):
    env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
    n = "5000" if engine == "simpy" else "30000"
    p = subprocess.Popen([SIMKIT, "run", "-n", n, "--engine", engine, "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(4)  # past Python's start-up (imports), which a shared machine can slow down
    p.send_signal(signal.SIGINT)
    try:
        _out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure being tested
        p.kill()
        pytest.fail("Ctrl-C did not stop the run")
    assert p.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_sweep_on_worker_processes_stops_at_once(tmp_path, sig, status):
    env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
    p = subprocess.Popen([SIMKIT, "sweep", "--grid", "team.reps=8,10", "--set",
                          "capacity={max_open_deals=20}", "-n", "2000", "--backend", "processes",
                          "--workers", "2", "--out", str(tmp_path / "x.csv"), "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(5)
    p.send_signal(sig)
    try:
        _out, err = p.communicate(timeout=15)  # the workers' tasks would take minutes
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure being tested
        p.kill()
        pytest.fail("the sweep did not stop")
    assert p.returncode == status, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    time.sleep(1)
    assert _processes_mentioning(str(tmp_path)) == []  # no orphaned worker left running


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if text in (d / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(d.name))
        except OSError:
            continue
    for pid in found:  # clean up before failing
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return found
