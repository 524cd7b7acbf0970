"""The command line: summaries, JSON, output files, and clear errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkit.cli import main
from simkit.cli.scenario import template_text
from tests.conftest import Z


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_prints_a_readable_summary():
    r = invoke("run", "-n", "5", "--seed", "3")
    assert r.exit_code == 0
    assert "team attainment" in r.output and "P(team hits quota)" in r.output


@pytest.mark.slow
def test_acceptance_run_is_near_theory_and_repeatable():
    """The issue's check: 200 replications, seed 7: attainment within sampling error of
    100%, wins near 120, and identical output on a second run (real entry point)."""
    cmd = [str(Path(sys.executable).parent / "simkit"), "run", "--preset", "small-projects",
           "--replications", "200", "--seed", "7", "--json"]
    out1 = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    out2 = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert out1 == out2
    s = json.loads(out1)
    assert s["replications"] == 200 and s["seed"] == 7
    assert abs(s["team_attainment_mean"] - 1.0) <= Z * s["team_attainment_se"]
    # Wins per quarter are Poisson-like with mean 120: sd about 11, se about 0.8.
    assert abs(s["wins_mean"] - 120) <= Z * (120**0.5) / 200**0.5 * 1.5


def test_run_writes_tables_atomically(tmp_path):
    out = tmp_path / "res"
    r = invoke("run", "-n", "2", "--out", str(out), "--set", "team.reps=3")
    assert r.exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["deals.csv", "manifest.json", "rep_quarters.csv", "scenario.toml",
                     "snapshots.csv", "stage_times.csv", "summary.json", "team_quarters.csv"]
    assert "reps = 3" in (out / "scenario.toml").read_text()


def test_parquet_output(tmp_path):
    r = invoke("run", "-n", "2", "--out", str(tmp_path), "--format", "parquet")
    assert r.exit_code == 0 and (tmp_path / "deals.parquet").exists()


def _bad(tmp_path, text):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("make_args, fragment", [
    (lambda t: ["run", str(t / "missing.toml")], "no such file"),
    (lambda t: ["run", _bad(t, "[funnel\n")], "TOML syntax"),
    (lambda t: ["run", _bad(t, template_text() + "\nfoo = 1\n")], "foo"),
    (lambda t: ["run", _bad(t, template_text().replace("win_prob = 0.35", "win_prob = 2"))],
     "funnel.stages[1].win_prob"),
    (lambda t: ["run", _bad(t, template_text().replace("per_rep_per_week = 5.0",
                                                       "per_rep_per_week = -5"))],
     "leads.per_rep_per_week"),
    (lambda t: ["run", _bad(t, template_text().replace("win_prob = 0.35", "win_prob = 0.1"))],
     "must increase"),
    (lambda t: ["run", "--set", "team.reps=-1"], "team.reps"),
    (lambda t: ["run", "--set", "nonsense"], "PATH=VALUE"),
    (lambda t: ["run", "--preset", "huge-projects"], "small-projects"),
    (lambda t: ["scenario", "validate", _bad(t, "name = 1\n")], "name"),
])
def test_bad_input_exits_2_with_one_paragraph_and_writes_nothing(tmp_path, make_args, fragment):
    out = tmp_path / "out"
    args = make_args(tmp_path)
    if args[0] == "run":
        args += ["--out", str(out), "-n", "2"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert fragment in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_errors_from_the_real_entry_point_have_no_traceback(tmp_path):
    exe = str(Path(sys.executable).parent / "simkit")
    p = subprocess.run([exe, "run", str(tmp_path / "nope.toml")], capture_output=True, text=True)
    assert p.returncode == 2
    assert "no such file" in p.stderr and "Traceback" not in p.stderr


def test_template_and_validate(tmp_path):
    path = tmp_path / "s.toml"
    assert invoke("scenario", "template", "--out", str(path)).exit_code == 0
    r = invoke("scenario", "validate", str(path))
    assert r.exit_code == 0 and "conversion 57%" in r.output
    again = CliRunner().invoke(main, ["scenario", "template", "--out", str(path)])
    assert again.exit_code == 2 and "does not exist yet" in again.output


def test_presets_lists_every_preset():
    r = invoke("presets")
    for name in ("small-projects", "large-projects", "seven-step"):
        assert name in r.output


def test_engine_option_runs_the_model_of_record_with_the_same_numbers():
    fast = json.loads(invoke("run", "-n", "4", "--seed", "2", "--json").output)
    simpy = json.loads(invoke("run", "-n", "4", "--seed", "2", "--json", "--engine", "simpy").output)
    assert (fast.pop("engine"), simpy.pop("engine")) == ("fast", "simpy")
    assert fast == simpy


def test_a_reader_that_stops_reading_gets_no_error_line():
    """`simkit presets | head -2`: the reader closes the pipe early. The command says
    nothing on stderr ("Broken pipe (nothing was written)" was false: it had written)
    and exits as a shell reports SIGPIPE, 141."""
    p = subprocess.Popen([str(Path(sys.executable).parent / "simkit"), "presets"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # before it writes anything, so its first write meets a closed pipe
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 141 and err == "", (p.returncode, err)


def test_summaries_write_numbers_as_a_person_reads_them(tmp_path):
    """Three significant digits below 100, one decimal above, whole numbers bare, never
    scientific notation; a scenario with awkward numbers validates with them so."""
    from simkit.cli.common import readable

    assert [readable(v) for v in (746.0, 10, 103.0752, 1045.37, 8.06549, 0.195435, 0.024897,
                                  6.95, -2.5)] == \
        ["746", "10", "103.1", "1045.4", "8.07", "0.195", "0.0249", "6.95", "-2.5"]
    path = tmp_path / "s.toml"
    assert invoke("scenario", "template", "--out", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8").replace("mean = 2.0\n", "mean = 0.195435\n", 1)
    text = text.replace('duration = { kind = "gamma", mean = 1.0,',
                        'duration = { kind = "gamma", mean = 8.06549,', 1)
    path.write_text(text.replace("team_per_quarter = 240.0", "team_per_quarter = 103.0752"),
                    encoding="utf-8")
    r = invoke("scenario", "validate", str(path))
    assert r.exit_code == 0, r.output
    assert "8.07 wk" in r.output and "mean deal 0.195 万" in r.output and "quota 103.1 万" in r.output
