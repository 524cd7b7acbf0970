"""Probe simkit with bad and extreme inputs (issue 17) and tabulate how each was answered.

    .venv/bin/python benchmarks/probe_inputs.py [--list] [--only SUBSTRING] [--timeout S]

Every case runs in a forked child (simkit already imported) with a wall-clock
limit (default 30 s) and an address-space limit (4 GB); a few run the real
``simkit`` entry point in a subprocess (signals, /dev/zero). Each is classed:

* clean error  - refused with SimkitInputError / ScenarioError, or exit status 2 with an
  ``error:`` line and no traceback;
* correct      - accepted, and the result checks out (the value it should be, strict JSON,
  a whole output folder);
* traceback    - any other exception, or a traceback on the terminal;
* silently wrong - accepted but wrong: a value that should have been refused, a wrong
  number, NaN / Infinity in JSON, a partial folder, a zero for an unreadable amount;
* unbounded    - over the time or memory limit.

Prints one row per case with ``--list``, then the table of counts and a JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from pydantic import ValidationError

import simkit
from simkit import ScenarioError, SimkitInputError
from simkit.cli import main
from simkit.cli.scenario import template_text

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

ROOT = Path(__file__).resolve().parents[1]
SIMKIT = str(Path(sys.executable).parent / "simkit")
CRM_DATA = ROOT / "tests" / "crm" / "data"
MEMORY_LIMIT = 4 * 2**30
CLEAN, CORRECT, TRACEBACK, WRONG, UNBOUNDED = ("clean error", "correct", "traceback",
                                               "silently wrong", "unbounded")
CASES: list[tuple[str, str, object]] = []  # (name, area, function returning (class, detail))


def case(area: str, name: str):
    def deco(fn):
        CASES.append((name, area, fn))
        return fn
    return deco


def add(area: str, name: str, fn):
    CASES.append((name, area, fn))


# ------------------------------------------------------------------ helpers


def strict(text: str):
    def bad(c):
        raise ValueError(c)
    return json.loads(text, parse_constant=bad)


def cli(args, expect="error", check=None, env=None):
    """Run the CLI in-process. expect 'error': a clean refusal; 'ok': exit 0 and check()."""
    def run():
        old = {k: os.environ.get(k) for k in (env or {})}
        os.environ.update(env or {})
        try:
            r = CliRunner().invoke(main, [str(a) for a in args])
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        out = r.output
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            if isinstance(r.exception, MemoryError):
                return UNBOUNDED, "MemoryError"
            return TRACEBACK, "".join(traceback.format_exception(r.exception))[-300:]
        if "Traceback" in out:
            return TRACEBACK, out[-300:]
        if r.exit_code == 2 and ("error:" in out or "Error:" in out):
            return (CLEAN, out.strip().splitlines()[-1][:160]) if expect == "error" else \
                (WRONG, "refused a legitimate input: " + out.strip()[:160])
        if r.exit_code == 0:
            if expect == "error":
                return WRONG, "accepted: " + out.strip()[:160]
            if check is not None:
                ok, detail = check(out)
                return (CORRECT if ok else WRONG), detail
            return CORRECT, out.strip()[:80]
        return TRACEBACK, f"exit {r.exit_code}: {out[-200:]}"
    return run


def api(fn, expect="error", check=None):
    """Call fn(); expect 'error': SimkitInputError / ScenarioError; 'ok': check(result)."""
    def run():
        try:
            res = fn()
        except (SimkitInputError, ScenarioError, ValidationError) as exc:
            # A model built directly (simkit.Stage(...)) raises pydantic's ValidationError,
            # which names the field, the value and what is allowed, as before issue 17.
            msg = str(exc).replace("\n", " ")[:160]
            return (CLEAN, msg) if expect == "error" else (WRONG, "refused: " + msg)
        except MemoryError:
            return UNBOUNDED, "MemoryError"
        except Exception as exc:  # noqa: BLE001 - that is what is being counted
            return TRACEBACK, f"{type(exc).__name__}: {exc}"[:200]
        if expect == "error":
            return WRONG, f"accepted: {res!r}"[:160]
        if check is not None:
            ok, detail = check(res)
            return (CORRECT if ok else WRONG), detail
        return CORRECT, repr(res)[:80]
    return run


def tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="probe-"))


def bad_file(text: str | bytes, name: str = "s.toml") -> Path:
    p = tmpdir() / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, "utf-8")
    return p


def json_ok(out: str):
    try:
        s = strict(out.strip().splitlines()[-1])
    except ValueError as exc:
        return False, f"not strict JSON: {exc}"
    return True, f"attainment {s.get('team_attainment_mean')}"


TEMPLATE = template_text()
BASE = tomllib.loads(TEMPLATE)

# ------------------------------------------------------------------ CLI --set

NUMERIC = ["team.reps", "leads.per_rep_per_week", "deal_size.mean", "deal_size.cv",
           "quota.team_per_quarter", "quota.weeks_per_quarter", "horizon.quarters",
           "horizon.start.week", "funnel.stages.0.win_prob", "funnel.win_rate"]
for path in NUMERIC:
    for value in ["inf", "nan", "-inf", "-1", "1e300", "abc", "[1,2]"]:
        add("CLI --set", f"--set {path}={value}",
            cli(["run", "-n", "1", "--json", "--set", f"{path}={value}"]))
for path, value in [("team.reps", "12"), ("leads.per_rep_per_week", "6"), ("deal_size.mean", "2.5"),
                    ("quota.team_per_quarter", "300"), ("funnel.win_rate", "0.25"),
                    ("horizon.quarters", "2"), ("funnel.stages.intent.win_prob", "0.1")]:
    add("CLI --set", f"--set {path}={value} (legitimate)",
        cli(["run", "-n", "2", "--json", "--set", f"{path}={value}"], "ok", json_ok))
for item in ["team.reps", "=3", "nosuch.path=1", "team.reps.x=1", "funnel.stages.9.win_prob=0.5",
             "funnel.win_probs=[0.5,0.2,0.9]", "funnel.conversions=[1.5,0.5,0.5]",
             "funnel.win_probs=[0.1]", "team.reps=" + "[" * 5000 + "]" * 5000,
             "horizon.start.realised=inf", "horizon.start.mode=sideways", "deal_size.kind=pareto",
             "leads.weekly_plan=[1.5]", "leads.weekly_plan=[-1]", "team.reps=1.5",
             'funnel.stages.0.duration={kind="exponential", mean=1e300}',
             'funnel.stages.0.duration={kind="gamma", mean=1e6, cv=0.5}',
             'funnel.stages.0.duration={kind="uniform", low=2, high=1}',
             'horizon.start={mode="snapshot", counts=[1e12,0,0]}',
             'horizon.start={mode="snapshot", counts=[1,2]}',
             'horizon.start={mode="snapshot", counts=[-1,0,0]}',
             "team.archetypes=[]", 'team.archetypes=[{name="a", share=0.5}]',
             'team.archetypes=[{name="a", share=1, conversion=100}]']:
    add("CLI --set", f"--set {item[:60]}", cli(["run", "-n", "1", "--set", item]))

# ------------------------------------------------------------------ CLI arguments

for args in (["run", "-n", "0"], ["run", "-n", "-5"], ["run", "-n", "abc"],
             ["run", "--seed", "-1"], ["run", "--engine", "warp"], ["run", "--preset", "nosuch"],
             ["run", "--format", "xml", "--out", "x"], ["sweep", "--grid", "team.reps=",
                                                      "--out", "x.csv"],
             ["sweep", "--grid", "team.reps", "--out", "x.csv"],
             ["sweep", "--grid", "team.reps=1,,2", "--out", "x.csv"],
             ["sweep", "--grid", "team.reps=8", "--out", "x.txt"],
             ["sweep", "--grid", "team.reps=8,10", "--grid", "team.reps=12", "--out", "x.csv"],
             ["sweep", "--grid", "team.reps=8", "--scheduler", "notaurl", "--out", "x.csv"],
             ["sweep", "--grid", "team.reps=8", "--backend", "serial", "--scheduler",
              "tcp://127.0.0.1:9", "--out", "x.csv"],
             ["sweep", "--grid", "team.reps=8", "--workers", "0", "--out", "x.csv"],
             ["scenario", "validate", "/nonexistent.toml"], ["run", "--preset", "small-projects",
                                                             str(ROOT / "pyproject.toml")],
             ["calibrate", "/nonexistent.csv", "--cutoff", "2020-01-01", "--out", "x.toml"],
             ["backtest", str(CRM_DATA / "maven_shape.csv"), "--cutoff", "soon"],
             ["backtest", str(CRM_DATA / "maven_shape.csv"), "--cutoff", "2020-05-01",
              "--horizon", "year"],
             ["calibrate", str(CRM_DATA / "maven_shape.csv"), "--cutoff", "2020-05-15",
              "--out", "x.toml", "--lookback", "nan"],
             ["calibrate", str(CRM_DATA / "maven_shape.csv"), "--cutoff", "2020-05-15",
              "--out", "x.toml", "--mapping", "nosuch"],
             ["calibrate", str(CRM_DATA / "maven_shape.csv"), "--cutoff", "1990-01-01",
              "--out", "x.toml"]):
    add("CLI args", " ".join(a if len(a) < 30 else a[-30:] for a in args), cli(args))


def unreachable_scheduler():
    t = time.perf_counter()
    kind, detail = cli(["sweep", "--grid", "team.reps=8", "-n", "2", "--scheduler",
                        "tcp://127.0.0.1:9", "--out", str(tmpdir() / "x.csv")])()
    dt = time.perf_counter() - t
    if kind == CLEAN and dt > 10:
        return UNBOUNDED, f"took {dt:.1f} s"
    return kind, f"{detail} ({dt:.1f} s)"


add("CLI args", "sweep --scheduler tcp://127.0.0.1:9 (unreachable)", unreachable_scheduler)

# ------------------------------------------------------------------ work budget

for name, args in [("run -n 10000000", ["run", "-n", "10000000"]),
                   ("run --set team.reps=100000 -n 5", ["run", "--set", "team.reps=100000", "-n",
                                                        "5"]),
                   ("snapshot counts 1e12", ["run", "--set",
                                             'horizon.start={mode="snapshot", counts=[1e12,0,0]}']),
                   ("weekly_plan 1e12", ["run", "--set", "leads.weekly_plan=[1e12]"]),
                   ("quarters 40 x reps 10000", ["run", "--set", "horizon.quarters=40", "--set",
                                                 "team.reps=10000"]),
                   ("warmup 520 weeks x reps 50000", ["run", "--set", "team.reps=50000", "--set",
                                                      'horizon.start={mode="empty", '
                                                      + 'warmup_weeks=520}']),
                   ("sweep 400x400 grid", ["sweep", "--grid",
                                           "team.reps=" + ",".join(map(str, range(1, 401))),
                                           "--grid", "leads.per_rep_per_week="
                                           + ",".join(map(str, range(1, 401))), "--out", "x.csv"]),
                   ("sweep -n 1000000", ["sweep", "--grid", "team.reps=8,10", "-n", "1000000",
                                         "--out", "x.csv"]),
                   ("backtest -n 10000000", ["backtest", str(CRM_DATA / "maven_shape.csv"),
                                             "--cutoff", "2020-04-01", "-n", "10000000"])]:
    def timed(args=args):
        t = time.perf_counter()
        kind, detail = cli(args)()
        dt = time.perf_counter() - t
        if dt > 5:
            return UNBOUNDED, f"{kind} after {dt:.1f} s"
        return kind, detail
    add("budget", name, timed)

add("budget", "simulate(replications=10**8)",
    api(lambda: simkit.simulate("small-projects", replications=10**8)))
add("budget", "sweep grid of 10**6 points",
    api(lambda: simkit.sweep("small-projects", {"team.reps": list(range(1, 1001)),
                                                "deal_size.mean": list(range(1, 1001))})))
add("budget", "simulate_progressive(replications=10**8)",
    api(lambda: next(simkit.simulate_progressive(
        simkit.preset("small-projects").override({"capacity": {"max_open_deals": 20}}),
        replications=10**8))))

# ------------------------------------------------------------------ scenario files

DUR = 'duration = { kind = "gamma", mean = 1.0, cv = 0.5 }'
assert DUR in TEMPLATE
deep = TEMPLATE + "\nx = " + "[" * 5000 + "]" * 5000 + "\n"
files = {
    "empty file": "",
    "TOML syntax error": "[funnel\n",
    "5000-deep nested array": deep,
    "deep inline tables": "x = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
    "unknown key": TEMPLATE + "\nfoo = 1\n",
    "win_prob 2": TEMPLATE.replace("win_prob = 0.35", "win_prob = 2"),
    "decreasing win_prob": TEMPLATE.replace("win_prob = 0.35", "win_prob = 0.1"),
    "negative leads": TEMPLATE.replace("per_rep_per_week = 5.0", "per_rep_per_week = -5"),
    "quota inf": TEMPLATE.replace("team_per_quarter = 240.0", "team_per_quarter = inf"),
    "quota nan": TEMPLATE.replace("team_per_quarter = 240.0", "team_per_quarter = nan"),
    "deal mean 1e300": TEMPLATE.replace("mean = 2.0", "mean = 1e300"),
    "reps as text": TEMPLATE.replace("reps = 10", 'reps = "ten"'),
    "duration mean 1e300": TEMPLATE.replace(DUR, DUR.replace("mean = 1.0", "mean = 1e300"), 1),
    "duration mean 1e6": TEMPLATE.replace(DUR, DUR.replace("mean = 1.0", "mean = 1e6"), 1),
    "duration mean -1": TEMPLATE.replace(DUR, DUR.replace("mean = 1.0", "mean = -1"), 1),
    "gamma cv 0": TEMPLATE.replace(DUR, DUR.replace("cv = 0.5", "cv = 0"), 1),
    "quota 1e300": TEMPLATE.replace("team_per_quarter = 240.0", "team_per_quarter = 1e300"),
    "duplicate stage": TEMPLATE.replace('name = "solution"', 'name = "intent"'),
    "129 stages": "\n".join(
        l for l in TEMPLATE.splitlines() if not l.startswith(("[[funnel", "name = \"intent",
                                                               "name = \"solution",
                                                               "name = \"negotiation",
                                                               "win_prob", "duration")))
    + "".join(f'\n[[funnel.stages]]\nname = "s{i}"\nwin_prob = {(i + 1) / 130}\n'
              for i in range(129)),
    "no [funnel]": "\n".join(l for l in TEMPLATE.splitlines() if "funnel" not in l
                             and not l.startswith(("name = \"intent", "win_prob", "duration"))),
    "start week 12": TEMPLATE.replace('start = { mode = "standard" }',
                                      'start = { mode = "standard", week = 12 }'),
    "snapshot without counts": TEMPLATE.replace('start = { mode = "standard" }',
                                                'start = { mode = "snapshot" }'),
    "realised inf": TEMPLATE.replace('start = { mode = "standard" }',
                                     'start = { mode = "snapshot", counts = [1, 1, 1], '
                                     'realised = inf }'),
}
for name, text in files.items():
    add("scenario file", name, cli(["run", "-n", "1", str(bad_file(text))]))
add("scenario file", "UTF-16 file", cli(["run", "-n", "1",
                                         str(bad_file(TEMPLATE.encode("utf-16")))]))
add("scenario file", "binary junk", cli(["run", "-n", "1", str(bad_file(os.urandom(4096)))]))
add("scenario file", "2 MB file", cli(["run", "-n", "1",
                                       str(bad_file("#" + "x" * 2 * 2**20 + "\n"))]))
add("scenario file", "a folder", cli(["scenario", "validate", str(tmpdir())]))
add("scenario file", "UTF-8 BOM template (legitimate)",
    cli(["run", "-n", "2", "--json", str(bad_file("\ufeff" + TEMPLATE))], "ok", json_ok))
add("scenario file", "template (legitimate)",
    cli(["run", "-n", "2", "--json", str(bad_file(TEMPLATE))], "ok", json_ok))
add("scenario file", "Chinese stage names (legitimate)",
    cli(["run", "-n", "2", "--json", str(bad_file(TEMPLATE.replace('"intent"', '"意向阶段"')))],
        "ok", json_ok))


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def dev_zero():
    if not Path("/dev/zero").exists():
        return CORRECT, "no /dev/zero here"
    t = time.perf_counter()
    try:
        r = subprocess.run([SIMKIT, "run", "/dev/zero"], capture_output=True, text=True,
                           check=False,
                           timeout=20, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        return UNBOUNDED, "still reading after 20 s"
    dt = time.perf_counter() - t
    if "MemoryError" in r.stderr:
        return UNBOUNDED, f"MemoryError after {dt:.1f} s"
    if "Traceback" in r.stderr:
        return TRACEBACK, r.stderr[-200:]
    return (CLEAN if r.returncode == 2 else WRONG), f"{r.stderr.strip()[:120]} ({dt:.1f} s)"


add("scenario file", "simkit run /dev/zero (real entry point)", dev_zero)


def ctrl_c(engine):
    def run():
        env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
        n = "5000" if engine == "simpy" else "30000"
        p = subprocess.Popen([SIMKIT, "run", "-n", n, "--engine", engine, "--no-progress"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             preexec_fn=_limit_memory)  # noqa: PLW1509
        time.sleep(4)  # past start-up: Ctrl-C while Python imports gives Python's traceback
        t = time.perf_counter()
        p.send_signal(signal.SIGINT)
        try:
            _o, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            return UNBOUNDED, "Ctrl-C ignored for 15 s"
        dt = time.perf_counter() - t
        if "Traceback" in err:
            return TRACEBACK, err[-200:]
        ok = p.returncode == 130 and len(err.strip().splitlines()) == 1
        return (CLEAN if ok else WRONG), f"exit {p.returncode} after {dt:.2f} s: {err.strip()}"
    return run


add("signals", "Ctrl-C during a SimPy run", ctrl_c("simpy"))
add("signals", "Ctrl-C during a fast-path run", ctrl_c("fast"))


def sigterm_out():
    d = tmpdir()
    env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
    p = subprocess.Popen([SIMKIT, "run", "-n", "3000", "--engine", "simpy", "--out",
                          str(d / "res")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, preexec_fn=_limit_memory)  # noqa: PLW1509
    time.sleep(2.5)
    p.send_signal(signal.SIGTERM)
    _o, err = p.communicate(timeout=15)
    left = [x.name for x in d.iterdir()]
    if "Traceback" in err:
        return TRACEBACK, err[-200:]
    kind = CLEAN if not left and p.returncode == 143 else WRONG
    return kind, f"exit {p.returncode}, left {left}"


add("signals", "SIGTERM during run --out", sigterm_out)


def sweep_signal(sig, status):
    def run():
        d = tmpdir()
        env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
        p = subprocess.Popen([SIMKIT, "sweep", "--grid", "team.reps=8,10", "--set",
                              "capacity={max_open_deals=20}", "-n", "2000", "--backend",
                              "processes", "--workers", "2", "--out", str(d / "x.csv"),
                              "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, preexec_fn=_limit_memory)  # noqa: PLW1509
        time.sleep(5)
        t = time.perf_counter()
        p.send_signal(sig)
        try:
            _o, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            return UNBOUNDED, "did not stop within 15 s"
        dt = time.perf_counter() - t
        time.sleep(1)
        left = [x for x in Path("/proc").glob("[0-9]*") if str(d) in _cmdline(x)]
        if "Traceback" in err:
            return TRACEBACK, err[-200:]
        ok = p.returncode == status and not left and not list(d.iterdir())
        detail = f"exit {p.returncode} after {dt:.2f} s, {len(left)} workers left"
        return (CLEAN if ok else WRONG), detail
    return run


def _cmdline(d):
    try:
        return (d / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


add("signals", "Ctrl-C during a sweep on worker processes", sweep_signal(signal.SIGINT, 130))
add("signals", "SIGTERM during a sweep on worker processes", sweep_signal(signal.SIGTERM, 143))

# ------------------------------------------------------------------ Python API

sc0 = simkit.preset("small-projects")
for name, fn in {
    "load_scenario(123)": lambda: simkit.load_scenario(123),
    "load_scenario(None)": lambda: simkit.load_scenario(None),
    "load_scenario(b'x')": lambda: simkit.load_scenario(b"x"),
    "load_scenario('/nonexistent')": lambda: simkit.load_scenario("/nonexistent"),
    "override('team.reps=3')": lambda: sc0.override("team.reps=3"),
    "override(None)": lambda: sc0.override(None),
    "override({3: 4})": lambda: sc0.override({3: 4}),
    "override({'': 1})": lambda: sc0.override({"": 1}),
    "override({'team.reps': nan})": lambda: sc0.override({"team.reps": math.nan}),
    "override({'quota.team_per_quarter': inf})":
        lambda: sc0.override({"quota.team_per_quarter": math.inf}),
    "override({'deal_size.mean': -inf})": lambda: sc0.override({"deal_size.mean": -math.inf}),
    "override({'funnel.win_rate': 1.5})": lambda: sc0.override({"funnel.win_rate": 1.5}),
    "override({'funnel.win_rate': nan})": lambda: sc0.override({"funnel.win_rate": math.nan}),
    "override({'funnel.win_probs': 'abc'})": lambda: sc0.override({"funnel.win_probs": "abc"}),
    "override({'funnel.conversions': [0, 0.5, 0.5]})":
        lambda: sc0.override({"funnel.conversions": [0, 0.5, 0.5]}),
    "conversions_from_win_probs([0.5, 0.2])": lambda: simkit.conversions_from_win_probs([0.5, 0.2]),
    "conversions_from_win_probs([0, 0.5])": lambda: simkit.conversions_from_win_probs([0, 0.5]),
    "conversions_from_win_probs([nan])": lambda: simkit.conversions_from_win_probs([math.nan]),
    "conversions_from_win_probs(['a'])": lambda: simkit.conversions_from_win_probs(["a"]),
    "conversions_from_win_probs([0.2, 1.5])": lambda: simkit.conversions_from_win_probs([0.2, 1.5]),
    "win_probs_from_conversions([2, 0.5])": lambda: simkit.win_probs_from_conversions([2, 0.5]),
    "simulate(replications=0)": lambda: simkit.simulate(sc0, replications=0),
    "simulate(replications=1.5)": lambda: simkit.simulate(sc0, replications=1.5),
    "simulate(replications='10')": lambda: simkit.simulate(sc0, replications="10"),
    "simulate(replications=True)": lambda: simkit.simulate(sc0, replications=True),
    "simulate(seed=-1)": lambda: simkit.simulate(sc0, replications=1, seed=-1),
    "simulate(engine='warp')": lambda: simkit.simulate(sc0, replications=1, engine="warp"),
    "simulate(42)": lambda: simkit.simulate(42),
    "simulate('nosuch-preset')": lambda: simkit.simulate("nosuch-preset"),
    "preset('nosuch')": lambda: simkit.preset("nosuch"),
    "sweep grid {}-less mapping": lambda: simkit.sweep(sc0, [1, 2]),
    "sweep grid empty values": lambda: simkit.sweep(sc0, {"team.reps": []}),
    "sweep grid unknown path": lambda: simkit.sweep(sc0, {"nosuch": [1]}, replications=2),
    "sweep backend 'gpu'": lambda: simkit.sweep(sc0, {"team.reps": [3]}, 2, backend="gpu"),
    "sweep scheduler 'notaurl'": lambda: simkit.sweep(sc0, {"team.reps": [3]}, 2,
                                                      scheduler="notaurl"),
    "sweep confidence 1.5": lambda: simkit.sweep(sc0, {"team.reps": [3]}, 2, confidence=1.5),
    "scenario_from_dict([])": lambda: simkit.scenario_from_dict([]),
    "scenario_from_dict({})": lambda: simkit.scenario_from_dict({}),
    "scenario_from_dict(deeply nested)": lambda: simkit.scenario_from_dict(
        {"funnel": {"stages": [[[[[[[]]]]]]]}}),
    "Stage(win_prob=inf)": lambda: simkit.Stage(name="x", win_prob=math.inf),
    "Gamma(mean=nan)": lambda: simkit.Gamma(mean=math.nan, cv=0.5),
    "LogNormal(mean=inf)": lambda: simkit.LogNormal(mean=math.inf, cv=0.5),
    "Uniform(low=0, high=inf)": lambda: simkit.Uniform(low=0, high=math.inf),
    "solve_headcount(target=nan)": lambda: simkit.solve_headcount(sc0, target=math.nan),
}.items():
    add("Python API", name, api(fn))


def _equal_conversions(res):
    return (np.allclose(res, [0.5, 0.5, 0.8]), f"{res}")


add("Python API", "conversions_from_win_probs([0.2,0.4,0.8]) (legitimate)",
    api(lambda: simkit.conversions_from_win_probs([0.2, 0.4, 0.8]), "ok", _equal_conversions))
add("Python API", "same seed, same numbers (legitimate)",
    api(lambda: (simkit.simulate(sc0, 5, 3).summary(), simkit.simulate(sc0, 5, 3).summary()),
        "ok", lambda r: (r[0] == r[1], "identical")))
add("Python API", "fast = SimPy on a deterministic trace (legitimate)",
    api(lambda: (simkit.simulate(sc0, 3, 2, engine="fast").summary()["wins_mean"],
                 simkit.simulate(sc0, 3, 2, engine="simpy").summary()["wins_mean"]),
        "ok", lambda r: (r[0] == r[1], f"{r}")))

# ------------------------------------------------------------------ JSON and output folders


def run_json_n1(out):
    try:
        s = strict(out)
    except ValueError as exc:
        return False, f"not strict JSON ({exc})"
    return s["team_attainment_se"] is None, "se is null"


add("JSON/output", "run -n 1 --json strict", cli(["run", "-n", "1", "--json"], "ok", run_json_n1))


def summary_file_strict():
    d = tmpdir() / "res"
    kind, detail = cli(["run", "-n", "1", "--out", str(d)], "ok")()
    if kind != CORRECT:
        return kind, detail
    try:
        strict((d / "summary.json").read_text())
        m = strict((d / "manifest.json").read_text())
    except (ValueError, OSError) as exc:
        return WRONG, str(exc)
    files = {p.name for p in d.iterdir()}
    ok = set(m["files"]) | {"manifest.json"} == files and m["replications"] == 1
    modes = {oct(p.stat().st_mode & 0o777) for p in d.iterdir()}
    mask = os.umask(0)
    os.umask(mask)
    return (CORRECT if ok and modes == {oct(0o666 & ~mask)} else WRONG), \
        f"files {len(files)}, modes {modes}"


add("JSON/output", "run --out: whole folder, manifest, umask modes", summary_file_strict)


def blocked(cmd):
    def run():
        d = tmpdir()
        (d / "afile").write_text("x")
        b = d / "afile" / "sub"
        args = {
            "run --out": ["run", "-n", "1", "--out", b],
            "sweep --out": ["sweep", "--grid", "team.reps=3", "-n", "2", "--out", b / "x.csv"],
            "calibrate --out": ["calibrate", CRM_DATA / "maven_shape.csv", "--cutoff",
                                "2020-05-15", "--out", b / "x.toml"],
            "calibrate --report": ["calibrate", CRM_DATA / "maven_shape.csv", "--cutoff",
                                   "2020-05-15", "--out", d / "sc.toml", "--report", b],
            "backtest --out": ["backtest", CRM_DATA / "maven_shape.csv", "--cutoff",
                               "2020-05-15", "--out", b / "x.csv"],
            "run --out a file": ["run", "-n", "1", "--out", d / "afile"],
            "run --out a folder of other files": ["run", "-n", "1", "--out", d],
            "sweep --out a folder": ["sweep", "--grid", "team.reps=3", "--out", d],
        }[cmd]
        kind, detail = cli(args)()
        left = sorted(p.name for p in d.iterdir())
        if kind == CLEAN and left != ["afile"]:
            return WRONG, f"left {left}"
        return kind, detail
    return run


for cmd in ["run --out", "sweep --out", "calibrate --out", "calibrate --report",
            "backtest --out", "run --out a file", "run --out a folder of other files",
            "sweep --out a folder"]:
    add("JSON/output", f"file-blocked {cmd}", blocked(cmd))


def interrupted_write():
    import simkit.sim.io as sio

    d = tmpdir() / "res"
    cli(["run", "-n", "1", "--seed", "1", "--out", d], "ok")()
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    real, calls = sio.atomic_write_table, []

    def flaky(df, path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(df, path)

    sio.atomic_write_table = flaky
    try:
        r = CliRunner().invoke(main, ["run", "-n", "2", "--seed", "2", "--out", str(d)])
    finally:
        sio.atomic_write_table = real
    after = {p.name: p.read_bytes() for p in d.iterdir()}
    stray = [p.name for p in d.parent.iterdir() if p.name.startswith(".")]
    ok = r.exit_code == 130 and after == before and not stray
    detail = f"exit {r.exit_code}, unchanged {after == before}, stray {stray}"
    return (CLEAN if ok else WRONG), detail


add("JSON/output", "Ctrl-C during the second table", interrupted_write)

# ------------------------------------------------------------------ CRM import


def maven_frame(n=30, amount=None, created=None, closed=None):
    days = pd.date_range("2024-01-02", periods=n, freq="D")
    return pd.DataFrame({
        "opportunity_id": [f"D{i}" for i in range(n)],
        "sales_agent": [f"Rep {i % 3}" for i in range(n)],
        "deal_stage": ["Won"] * n,
        "engage_date": created if created is not None else list(days.strftime("%Y-%m-%d")),
        "close_date": closed if closed is not None else
        list((days + pd.Timedelta(days=7)).strftime("%Y-%m-%d")),
        "close_value": amount if amount is not None else ["12000"] * n,
    })


def crm_file(df, encoding="utf-8", name="export.csv"):
    p = tmpdir() / name
    df.to_csv(p, index=False, encoding=encoding)
    return p


def amounts_are(expected, **kw):
    def check(imp):
        got = imp.deals["amount"].to_numpy() * 1e4
        ok = imp.quality.ok and len(got) == len(expected) and np.allclose(got, expected)
        return ok, f"{got[:3]} vs {expected[:3]}; {imp.quality.rows_excluded} excluded"
    return check


from simkit.crm import load_mapping, read_export

for text, value in [("￥12,000.00", 12000), ("1.2万", 12000), ("12000元", 12000),
                    ("RMB 12,000", 12000), ("１２０００．５０", 12000.5), ("12000．50", 12000.5),
                    ("¥12000", 12000), ("12，000", 12000), ("1.2万元", 12000),
                    ("人民币12000", 12000), ("CNY 12,000.00", 12000), ("0.5亿", 5e7),
                    ("$12,000", 12000), ("12 000", 12000), ("(1,000)", -1000)]:
    df = maven_frame(3, amount=[text] * 3)
    if value < 0:
        add("CRM import", f"amount {text} (negative: flagged)",
            api(lambda df=df: read_export(crm_file(df), "maven"), "ok",
                lambda imp: (imp.quality.table.set_index("rule").loc["negative_amount", "rows"]
                             == 3, "negative_amount 3")))
        continue
    add("CRM import", f"amount {text}",
        api(lambda df=df: read_export(crm_file(df), "maven", strict=True), "ok",
            amounts_are([value] * 3)))
add("CRM import", "European amounts 3.796,96 / 1.200,00 / 15,5",
    api(lambda: read_export(crm_file(maven_frame(3, amount=["3.796,96", "1.200,00", "15,5"])),
                            "maven", strict=True), "ok", amounts_are([3796.96, 1200, 15.5])))
add("CRM import", "ambiguous 3.796 / 1.200 column",
    api(lambda: read_export(crm_file(maven_frame(2, amount=["3.796", "1.200"])), "maven")))
add("CRM import", "mixed decimal marks in one column",
    api(lambda: read_export(crm_file(maven_frame(2, amount=["3.796,96", "12.50"])), "maven")))
for junk in ["twelve", "--5", "12abc", "n/a", "1.2.3,4,5"]:
    def unreadable(junk=junk):
        imp = read_export(crm_file(maven_frame(3, amount=["12000", junk, "12000"])), "maven")
        return imp
    add("CRM import", f"unreadable amount {junk!r} is excluded with its line",
        api(unreadable, "ok", lambda imp: (
            imp.quality.table.set_index("rule").loc["bad_amount", "rows"] == 1
            and "line 3" in imp.quality.table.set_index("rule").loc["bad_amount", "examples"]
            and (imp.deals["amount"] > 0).all(), imp.quality.text().splitlines()[0])))
    add("CRM import", f"unreadable amount {junk!r} with --strict",
        api(lambda junk=junk: read_export(crm_file(maven_frame(3, amount=["1", junk, "1"])),
                                          "maven", strict=True)))
days = pd.date_range("2024-01-02", periods=30, freq="D")
for label, fmt_created, expect in [
    ("2024年3月5日 dates", [f"{d.year}年{d.month}月{d.day}日" for d in days], "ok"),
    ("2024/3/5 dates", [f"{d.year}/{d.month}/{d.day}" for d in days], "ok"),
    ("day-first dd/mm/yyyy", list(days.strftime("%d/%m/%Y")), "ok"),
    ("day-first dd.mm.yyyy", list(days.strftime("%d.%m.%Y")), "ok"),
    ("month-first mm/dd/yyyy", list(days.strftime("%m/%d/%Y")), "ok"),
    ("full-width ISO dates", [d.strftime("%Y-%m-%d").translate(str.maketrans(
        "0123456789-", "０１２３４５６７８９－")) for d in days], "ok"),
]:
    add("CRM import", label,
        api(lambda f=fmt_created: read_export(crm_file(maven_frame(30, created=f)), "maven",
                                              strict=True),
            "ok", lambda imp: ((imp.deals["created"].to_numpy() == days.to_numpy()).all(),
                               str(imp.deals["created"].iloc[-1].date()))))
add("CRM import", "ambiguous 05/03/2024 column without --dayfirst",
    api(lambda: read_export(crm_file(maven_frame(2, created=["05/03/2024", "04/03/2024"])),
                            "maven")))
add("CRM import", "ambiguous column with dayfirst=True (legitimate)",
    api(lambda: read_export(crm_file(maven_frame(2, created=["05/03/2024", "04/03/2024"],
                                                 closed=["06/03/2024"] * 2)),
                            "maven", dayfirst=True), "ok",
        lambda imp: (imp.deals["created"].iloc[0] == pd.Timestamp("2024-03-05"), "2024-03-05")))
add("CRM import", "inconsistent day/month order in one column",
    api(lambda: read_export(crm_file(maven_frame(2, created=["25/03/2024", "03/25/2024"])),
                            "maven")))
add("CRM import", "unreadable date column blames the column, not --cutoff",
    cli(["calibrate", crm_file(maven_frame(30, created=["三月五日"] * 30)), "--cutoff",
         "2024-06-01", "--out", tmpdir() / "sc.toml"]))
for enc in ["gbk", "gb18030", "utf-8-sig", "utf-8", "big5"]:
    df = maven_frame(3)
    df["sales_agent"] = ["陳大文", "王芳", "李娜"] if enc == "big5" else ["张伟", "王芳", "李娜"]
    kw = {"encoding": "big5"} if enc == "big5" else {}
    add("CRM import", f"{enc} export" + (" with --encoding" if kw else " (detected)"),
        api(lambda df=df, enc=enc, kw=kw: read_export(crm_file(df, enc), "maven", **kw), "ok",
            lambda imp: (len(set(imp.deals["rep"])) == 3 and "王芳" in set(imp.deals["rep"]),
                         ",".join(sorted(imp.deals["rep"].unique())))))
def _latin1():
    df = maven_frame(3)
    df["sales_agent"] = ["Société Générale", "José Müller", "Zoë"]
    return crm_file(df, "cp1252")


add("CRM import", "cp1252 export without --encoding (not garbled as GB18030)",
    api(lambda: read_export(_latin1(), "maven")))
add("CRM import", "cp1252 export with --encoding cp1252",
    api(lambda: read_export(_latin1(), "maven", encoding="cp1252"), "ok",
        lambda imp: ("Société Générale" in set(imp.deals["rep"]), "names intact")))
add("CRM import", "UTF-16 export without --encoding",
    api(lambda: read_export(crm_file(maven_frame(3), "utf-16"), "maven")))
add("CRM import", "unknown --encoding name",
    api(lambda: read_export(crm_file(maven_frame(3)), "maven", encoding="klingon")))
add("CRM import", ".xls export",
    api(lambda: read_export(CRM_DATA / "maven_shape.xls", "maven"), "ok",
        lambda imp: (imp.quality.rows_in == 67, f"{imp.quality.rows_in} rows")))
add("CRM import", "junk .xls file", api(lambda: read_export(crm_file(
    maven_frame(2), name="x.xls"), "maven")))
add("CRM import", "junk .xlsx file", api(lambda: read_export(crm_file(
    maven_frame(2), name="x.xlsx"), "maven")))
add("CRM import", "empty CSV", api(lambda: read_export(bad_file("", "e.csv"), "maven")))
add("CRM import", "header only", api(lambda: read_export(bad_file(
    "opportunity_id,sales_agent,deal_stage,engage_date\n", "h.csv"), "maven"), "ok",
    lambda imp: (imp.quality.rows_in == 0, "0 rows")))
add("CRM import", "missing columns", api(lambda: read_export(crm_file(
    maven_frame(3).drop(columns=["sales_agent"])), "maven")))
add("CRM import", "no recognisable columns (auto)", api(lambda: read_export(bad_file(
    "a,b\n1,2\n", "x.csv"))))
add("CRM import", "a folder as export", api(lambda: read_export(tmpdir())))
for div in ["inf", "nan", "0", "-1"]:
    add("CRM import", f"--amount-divisor {div}",
        cli(["calibrate", CRM_DATA / "maven_shape.csv", "--cutoff", "2020-05-15", "--out",
             tmpdir() / "x.toml", "--amount-divisor", div]))
for body, key in [('won_labels = 5\n', "won_labels"), ('[columns]\ndeal_id = 5\n', "deal_id"),
                  ('columns = 5\n', "columns"), ('amount_divisor = inf\n', "amount_divisor"),
                  ('dayfirst = "yes"\n', "dayfirst"), ('nosuch = 1\n', "nosuch"),
                  ('x = ' + "[" * 3000 + "]" * 3000 + "\n", "nested"), ("[columns\n", "TOML")]:
    add("CRM import", f"mapping file {body.strip()[:30]}",
        api(lambda body=body: load_mapping(bad_file(body, "m.toml"))))


add("CRM import", "load_mapping('/dev/zero')", api(lambda: load_mapping("/dev/zero")))
add("CRM import", "export /dev/zero", api(lambda: read_export("/dev/zero", "maven")))


def gbk_calibrate():
    src = pd.read_csv(CRM_DATA / "maven_shape.csv", dtype=str, keep_default_na=False)
    src["close_value"] = src["close_value"].map(lambda v: f"￥{int(v):,}.00" if v.isdigit() else v)
    p = tmpdir() / "gbk.csv"
    src.to_csv(p, index=False, encoding="gbk")
    out = tmpdir() / "sc.toml"
    kind, detail = cli(["calibrate", p, "--cutoff", "2020-05-15", "--out", out], "ok")()
    if kind != CORRECT:
        return kind, detail
    ref = tmpdir() / "ref.toml"
    cli(["calibrate", CRM_DATA / "maven_shape.csv", "--cutoff", "2020-05-15", "--out", ref],
        "ok")()
    same = simkit.load_scenario(out).deal_size == simkit.load_scenario(ref).deal_size
    return (CORRECT if same else WRONG), "deal size as from the plain export" if same else \
        "deal size differs"


add("CRM import", "GBK export with ￥ amounts calibrates as the plain one", gbk_calibrate)

# ------------------------------------------------------------------ runner


def _child(fn, conn):
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            res = fn()
        except MemoryError:
            res = (UNBOUNDED, "MemoryError")
        except BaseException as exc:  # noqa: BLE001
            res = (TRACEBACK, f"probe harness: {type(exc).__name__}: {exc}"[:200])
    conn.send(res)
    conn.close()


def run_case(fn, timeout):
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(fn, b))
    t = time.perf_counter()
    p.start()
    if a.poll(timeout):
        res = a.recv()
    else:
        res = (UNBOUNDED, f"no answer within {timeout:.0f} s")
    p.join(1)
    if p.is_alive():
        p.kill()
        p.join()
    return res, time.perf_counter() - t


def main_():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print every case's outcome")
    ap.add_argument("--only", default=None, help="only cases whose name contains this")
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()
    os.chdir(tmpdir())  # a case that writes a relative path writes it here
    cases = [c for c in CASES if a.only is None or a.only in c[0]]
    classes = [CLEAN, CORRECT, TRACEBACK, WRONG, UNBOUNDED]
    by_area: dict[str, dict[str, int]] = {}
    bad = []
    t0 = time.perf_counter()
    for name, area, fn in cases:
        (kind, detail), dt = run_case(fn, a.timeout)
        by_area.setdefault(area, dict.fromkeys(classes, 0))[kind] += 1
        if a.list or kind not in (CLEAN, CORRECT):
            print(f"{kind:15s} {dt:6.2f}s  [{area}] {name}: {detail}")
        if kind not in (CLEAN, CORRECT):
            bad.append(name)
    wall = time.perf_counter() - t0
    print()
    head = f"{'area':16s} {'tried':>6s} " + " ".join(f"{c:>15s}" for c in classes)
    print(head)
    print("-" * len(head))
    total = dict.fromkeys(classes, 0)
    for area, counts in by_area.items():
        print(f"{area:16s} {sum(counts.values()):6d} "
              + " ".join(f"{counts[c]:15d}" for c in classes))
        for c in classes:
            total[c] += counts[c]
    print("-" * len(head))
    print(f"{'all':16s} {sum(total.values()):6d} " + " ".join(f"{total[c]:15d}" for c in classes))
    print(f"\n{len(cases)} inputs in {wall:.0f} s")
    emit("probe_inputs", tried=sum(total.values()), **{c.replace(" ", "_"): total[c]
                                                       for c in classes},
         seconds=round(wall, 1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main_())
