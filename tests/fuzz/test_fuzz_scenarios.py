"""Fuzz: scenario dicts and files, and --set values on the command line."""

from __future__ import annotations

import copy
import json
import math
import tomllib

import tomli_w
from click.testing import CliRunner
from fuzz_helpers import small_budget, strict_json
from hypothesis import event, given, settings
from hypothesis import strategies as st

import simkit
from simkit import ScenarioError, SimkitInputError
from simkit.cli import main
from simkit.cli.scenario import template_text
from simkit.sim.io import json_text

BASE = tomllib.loads(template_text())
CLEAN = (ScenarioError, SimkitInputError)

# Values a person (or a broken script) might put anywhere in a scenario.
ODD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2, 10**6, 10**12, 10**30, 1e-300, 1e300, 0.5, 128, 129]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.text(max_size=12),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6),
    st.lists(st.integers(-5, 10**13), max_size=6),
    st.dictionaries(st.sampled_from(["kind", "mean", "cv", "value", "low", "high", "mode",
                                     "counts", "x"]),
                    st.one_of(st.floats(), st.text(max_size=8),
                              st.sampled_from(["gamma", "snapshot", "empty", "uniform"])),
                    max_size=4),
)


def _leaves(d, prefix=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, prefix + (i,))
    yield prefix


PATHS = [p for p in _leaves(BASE) if p]


def _set(d, path, value):
    node = d
    for k in path[:-1]:
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            return  # an earlier change replaced a parent of this path
    if isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int)
                                  and path[-1] < len(node)):
        node[path[-1]] = value


def _check_result(sc):
    """An accepted scenario either is refused by the budget or runs cleanly, and its
    summary is strict JSON."""
    try:
        res = simkit.simulate(sc, replications=2, seed=1)
    except SimkitInputError:
        event("accepted, refused by the work budget")
        return
    event("accepted and simulated")
    s = res.summary()
    strict_json(json_text(s))
    att = s["team_attainment_mean"]
    assert att is None or not math.isnan(att)
    assert att >= 0


SCALE = st.sampled_from([0, 0.001, 0.5, 0.9, 1.1, 2, 10, 1000, -1])


def _get(d, path):
    for k in path:
        try:
            d = d[k]
        except (KeyError, IndexError, TypeError):
            return None
    return d


@settings(max_examples=120)
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(ODD, SCALE.map(lambda f: (
    "scale", f)))), min_size=1, max_size=3))
def test_mutated_scenario_dicts(changes):
    data = copy.deepcopy(BASE)
    for path, value in changes:
        if isinstance(value, tuple) and value[:1] == ("scale",):
            old = _get(data, path)
            if isinstance(old, bool) or not isinstance(old, (int, float)):
                continue
            value = type(old)(old * value[1]) if isinstance(old, int) else old * value[1]
        _set(data, path, value)
    with small_budget():
        try:
            sc = simkit.scenario_from_dict(data)
        except CLEAN:
            event("clean error")
            return
        _check_result(sc)


@settings(max_examples=60)
@given(extra=st.dictionaries(st.text(min_size=1, max_size=6), ODD, max_size=3),
       drop=st.sets(st.sampled_from(list(BASE)), max_size=2))
def test_scenario_files_with_odd_and_missing_sections(tmp_path_factory, extra, drop):
    data = {k: v for k, v in copy.deepcopy(BASE).items() if k not in drop}
    data.update(extra)
    p = tmp_path_factory.mktemp("sc") / "s.toml"
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # not representable in TOML (e.g. a NaN inside a list is, but None is not)
    p.write_text(text, "utf-8")
    with small_budget():
        try:
            sc = simkit.load_scenario(p)
        except CLEAN:
            event("clean error")
            return
        _check_result(sc)


SET_PATHS = ["team.reps", "leads.per_rep_per_week", "deal_size.mean", "deal_size.cv",
             "deal_size.kind", "quota.team_per_quarter", "quota.weeks_per_quarter",
             "horizon.quarters", "horizon.start", "horizon.start.mode", "funnel.win_rate",
             "funnel.win_probs", "funnel.conversions", "funnel.stages.0.win_prob",
             "funnel.stages.intent.duration", "funnel.stages", "leads.weekly_plan",
             "team.archetypes", "nosuch.path", "", "team.reps.x", "funnel.stages.9"]
SET_VALUES = st.one_of(
    st.sampled_from(["inf", "nan", "-inf", "1e300", "0", "-1", "3", "0.5", "1e12", "true",
                     "[1,2,3]", "[0.5,0.2,0.9]", '{mode="snapshot", counts=[1e12,0,0]}',
                     '{kind="exponential", mean=1e300}', '"text"', "[[[[[]]]]]",
                     "[" * 3000 + "]" * 3000, "{", "x=1", "'", "１２", "五"]),
    st.text(max_size=20),
    st.integers(1, 30).map(str),
    st.floats(0.01, 50).map(repr),
    st.floats().map(repr),
    st.integers().map(str),
)


@settings(max_examples=80)
@given(sets=st.lists(st.tuples(st.sampled_from(SET_PATHS), SET_VALUES), min_size=1,
                     max_size=2),
       write=st.booleans())
def test_set_values_on_the_command_line(tmp_path_factory, sets, write):
    out = tmp_path_factory.mktemp("o") / "res"
    args = ["run", "-n", "2", "--json"]
    for path, value in sets:
        args += ["--set", f"{path}={value}"]
    if write:
        args += ["--out", str(out)]
    with small_budget():
        r = CliRunner().invoke(main, args)
    assert r.exit_code in (0, 2), (args, r.output, r.exception)
    event(f"exit {r.exit_code}")
    assert "Traceback" not in r.output
    if r.exit_code == 0:
        s = strict_json(r.output.strip().splitlines()[-1] if not write else
                        r.output.strip().splitlines()[0])
        assert s["replications"] == 2
        if write:
            m = json.loads((out / "manifest.json").read_text("utf-8"))
            assert set(m["files"]) | {"manifest.json"} == {p.name for p in out.iterdir()}
    else:
        assert r.output.startswith("error:") or "Error:" in r.output
        assert not out.exists()  # nothing written, not even a partial folder
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
