"""Back-test, CLI commands and the per-rep snapshot start."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import T0, synthetic_deals

import simkit
from simkit.cli import main
from simkit.crm.backtest import BASELINES, METHODS, backtest, parse_horizon
from simkit.model.errors import SimkitInputError


def _export_csv(d: pd.DataFrame, path, end: pd.Timestamp):
    """Write synthetic deals as a maven-shaped export taken on ``end``."""
    d = d[d["created"] < end].copy()
    later = d["closed"].isna() | (d["closed"] >= end)
    d.loc[later, "status"] = "open"
    d.loc[later, "closed"] = pd.NaT
    lab = {"won": "Won", "lost": "Lost", "open": "Engaging"}
    pd.DataFrame({
        "opportunity_id": d["deal_id"], "sales_agent": d["rep"], "product": d["product"],
        "account": d["account"], "deal_stage": d["status"].map(lab),
        "engage_date": d["created"].dt.strftime("%Y-%m-%d"),
        "close_date": d["closed"].dt.strftime("%Y-%m-%d"),
        "close_value": (d["amount"].where(d["status"] == "won", 0) * 10_000).round(0),
    }).to_csv(path, index=False)
    return path


def test_backtest_table_and_baselines():
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=4)
    c1, c2 = T0 + pd.Timedelta(weeks=30), T0 + pd.Timedelta(weeks=43)
    res = backtest(d, [c2, c1], replications=10, seed=2)
    t = res.table
    assert list(t.columns) == ["cutoff", "method", "target", "metric", "value"]
    assert set(t["cutoff"]) == {str(c1.date()), str(c2.date()), "all"}
    assert set(t["method"]) == set(METHODS)
    w = res.wide().set_index(["cutoff", "target", "metric"]).sort_index()
    # the last-quarter baseline is what was won in the 13 weeks before the cutoff
    won = d[(d["status"] == "won") & (d["closed"] >= c1 - pd.Timedelta(weeks=13))
            & (d["closed"] < c1)]
    assert w.loc[(str(c1.date()), "wins", "forecast"), "last_quarter"] == len(won)
    actual = d[(d["status"] == "won") & (d["closed"] >= c1)
               & (d["closed"] < c1 + pd.Timedelta(weeks=13))]
    assert w.loc[(str(c1.date()), "wins", "actual"), "model"] == len(actual)
    m = w.loc[(str(c1.date()), "wins")]
    assert m.loc["p10", "model"] <= m.loc["forecast", "model"] <= m.loc["p90", "model"]
    assert pd.isna(m.loc["in_80", "last_quarter"])
    # how often a model that is exactly right wins the fold's WAPE comparison: a share,
    # for the simulated methods only
    share = m.loc["p_beats_baselines"]
    assert 0.0 <= share["model"] <= 1.0 and 0.0 <= share["scenario_sim"] <= 1.0
    assert share[list(BASELINES)].isna().all()
    recs = res.records()
    assert {"cutoff", "method", "target", "metric", "value"} == set(recs[0])
    json.dumps(recs)  # NaN became None


def test_backtest_refuses_a_cutoff_without_a_future():
    d = synthetic_deals(reps=3, rate=3.0, weeks=30, seed=4)
    with pytest.raises(SimkitInputError, match="weeks before the export's last date"):
        backtest(d, [T0 + pd.Timedelta(weeks=29)], replications=2)


def test_parse_horizon():
    assert parse_horizon("quarter") == 13 and parse_horizon("8") == 8
    with pytest.raises(SimkitInputError, match="--horizon"):
        parse_horizon("year")


def test_cli_calibrate_and_backtest_json(tmp_path):
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6)
    f = _export_csv(d, tmp_path / "export.csv", T0 + pd.Timedelta(weeks=60))
    out = tmp_path / "sc.toml"
    r = CliRunner().invoke(main, ["calibrate", str(f), "--cutoff", "2020-08-01", "--out",
                                  str(out), "--report", str(tmp_path / "rep"), "--pseudonymise",
                                  "-n", "20"])
    assert r.exit_code == 0, r.output
    sc = simkit.load_scenario(out)
    assert sc.horizon.start.mode == "snapshot"
    assert all(a.name.startswith("rep-") for a in sc.team.archetypes)
    text = out.read_text("utf-8") + "".join(p.read_text("utf-8")
                                            for p in (tmp_path / "rep").iterdir())
    assert "Rep 0" not in text and "Acct" not in text  # names never leave with --pseudonymise
    assert (tmp_path / "rep" / "time_to_win.csv").exists()
    r = CliRunner().invoke(main, ["backtest", str(f), "--cutoff", "2020-06-01", "--cutoff",
                                  "2020-08-01", "-n", "5", "--json"])
    assert r.exit_code == 0, r.output
    recs = json.loads(r.output)
    assert {x["method"] for x in recs} == set(METHODS)
    assert {x["cutoff"] for x in recs} == {"2020-06-01", "2020-08-01", "all"}
    r = CliRunner().invoke(main, ["backtest", str(f), "--cutoff", "2020-06-01", "-n", "5"])
    assert r.exit_code == 0 and "rep_wape" in r.output


def test_cli_errors_exit_2(tmp_path, data_dir):
    r = CliRunner().invoke(main, ["calibrate", str(data_dir / "maven_shape.csv"), "--cutoff",
                                  "2020-05-01", "--out", str(tmp_path / "x.toml"), "--strict"])
    assert r.exit_code == 2 and "strict" in r.output
    r = CliRunner().invoke(main, ["backtest", str(data_dir / "maven_shape.csv"), "--cutoff",
                                  "soon"])
    assert r.exit_code == 2 and "--cutoff" in r.output


def test_fixture_end_to_end(tmp_path, data_dir):
    r = CliRunner().invoke(main, ["calibrate", str(data_dir / "maven_shape.csv"), "--cutoff",
                                  "2020-05-15", "--out", str(tmp_path / "x.toml")])
    assert r.exit_code == 0, r.output
    assert "7 excluded" in r.output
    simkit.simulate(simkit.load_scenario(tmp_path / "x.toml"), replications=2)


def test_snapshot_rep_counts_place_deals_per_rep():
    sc = simkit.preset("small-projects").override({
        "team.reps": 3,
        "horizon.start": {"mode": "snapshot", "counts": [4, 1, 0],
                          "rep_counts": [[4, 0, 0], [0, 0, 0], [0, 1, 0]]}})
    d = simkit.simulate(sc, replications=2, seed=1).deals
    init = d[d["initial"]]
    got = init.groupby(["replication", "rep"]).size().unstack(fill_value=0)
    assert (got[0] == 4).all() and (got[2] == 1).all() and 1 not in got.columns
    with pytest.raises(simkit.ScenarioError, match="column totals"):
        sc.override({"horizon.start.counts": [3, 1, 0]})
    with pytest.raises(simkit.ScenarioError, match="one row per rep"):
        sc.override({"team.reps": 4})


@pytest.mark.slow
def test_shipped_example_end_to_end(tmp_path):
    from simkit.crm import example_export, read_export

    path = example_export()
    imp = read_export(path)
    assert imp.mapping.name == "maven" and imp.quality.rows_in == 3512
    assert set(imp.quality.table.query("rows > 0")["rule"]) == {"missing_date"}
    r = CliRunner().invoke(main, ["calibrate", str(path), "--cutoff", "2017-07-01", "--out",
                                  str(tmp_path / "sc.toml")])
    assert r.exit_code == 0, r.output
    c = pd.Timestamp("2017-07-01")
    d = imp.deals
    active = d.loc[(d["created"] < c) & (d["created"] >= c - pd.Timedelta(weeks=26)), "rep"]
    assert simkit.load_scenario(tmp_path / "sc.toml").team.reps == active.nunique()
    res = backtest(imp.deals, ["2017-07-01", "2017-10-01"], replications=10)
    w = res.wide().set_index(["cutoff", "target", "metric"]).sort_index()
    assert w.loc[("2017-07-01", "wins", "actual"), "model"] > 0


def test_rolling_cutoffs_are_the_month_starts_a_back_test_can_score():
    """Every month's first day with a horizon of history and 5 wins before it and a whole
    horizon of the export after it; none is left out and none breaks a rule; beyond the
    budget the most recent are kept and the total is said."""
    from simkit.crm.backtest import rolling_cutoffs
    from simkit.crm.estimate import as_of

    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6)
    h = pd.Timedelta(weeks=13)
    last = d[["created", "closed"]].max().max()
    fifth_win = d.loc[d["status"] == "won", "closed"].sort_values().iloc[4]

    def ok(c):
        k = as_of(d, c)
        k = k[k["created"] >= c - pd.Timedelta(weeks=26)]
        return (c >= d["created"].min() + h and c > fifth_win
                and c + h <= last + pd.Timedelta(days=1)
                and len(k) >= 20 and (k["status"] == "won").sum() >= 5)

    cs, total = rolling_cutoffs(d, "month")
    months = pd.date_range(d["created"].min().normalize(), last, freq="MS")
    assert cs == [c for c in months if ok(c)] and total == len(cs) and len(cs) >= 6
    few, total = rolling_cutoffs(d, "month", max_cutoffs=3)
    assert few == cs[-3:] and total == len(cs)
    quarters, _ = rolling_cutoffs(d, "quarter")
    assert quarters and all(c.month in (1, 4, 7, 10) and c.day == 1 for c in quarters)
    assert set(quarters) <= set(cs)
    with pytest.raises(SimkitInputError, match="month or quarter"):
        rolling_cutoffs(d, "week")


def test_cli_backtest_every_month_sums_up_the_record(tmp_path):
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6)
    f = _export_csv(d, tmp_path / "export.csv", T0 + pd.Timedelta(weeks=60))
    r = CliRunner().invoke(main, ["--lang", "zh", "backtest", str(f), "--every", "quarter",
                                  "-n", "10"])
    assert r.exit_code == 0, r.output
    assert "回测" in r.output and "假如模型完全正确，平均会有" in r.output
    # the rows over every cutoff are 全部 in Chinese, not "all"
    assert "全部" in r.output and not re.search(r"^\s*all\s", r.output, re.M)
    r = CliRunner().invoke(main, ["--lang", "en", "backtest", str(f), "--every", "month",
                                  "-n", "5"])
    assert r.exit_code == 0, r.output
    assert "back-testing" in r.output and "a model that is exactly right would at" in r.output
    # neither, or both: refused, naming the two options
    for args in ([], ["--every", "month", "--cutoff", "2020-08-01"]):
        r = CliRunner().invoke(main, ["backtest", str(f), *args])
        assert r.exit_code == 2 and "--every" in r.output and "Traceback" not in r.output


def test_rolling_cutoffs_are_only_dates_the_back_test_accepts():
    """A rolling cutoff must pass the calibration's own rule (20 deals created and 5 won in
    the lookback before it), not only "5 wins ever": an export that starts slowly (quick
    early wins, few deals) used to get cutoffs the back-test then refused, so
    `simkit backtest --every month` failed on a date the user never gave."""
    from simkit.crm.backtest import rolling_cutoffs
    from simkit.crm.estimate import estimate

    dense = synthetic_deals(reps=4, rate=3.0, weeks=30, seed=6)
    dense = dense.assign(created=dense["created"] + pd.Timedelta(weeks=40),
                         closed=dense["closed"] + pd.Timedelta(weeks=40))
    early = pd.DataFrame({  # one deal every 4 weeks for 40 weeks, each won a week later
        "deal_id": [f"E{i:02d}" for i in range(10)], "rep": "Rep 0",
        "created": [T0 + pd.Timedelta(weeks=4 * i) for i in range(10)],
        "closed": [T0 + pd.Timedelta(weeks=4 * i + 1) for i in range(10)],
        "status": "won", "stage": "won", "amount": 2.0})
    d = pd.concat([early, dense], ignore_index=True)
    for lookback in (26, 13):
        cs, total = rolling_cutoffs(d, "month", lookback_weeks=lookback)
        assert cs and total == len(cs)
        for c in cs:
            estimate(d, c, lookback_weeks=lookback)  # does not refuse it
        # and none that it would accept is left out
        months = pd.date_range(T0, d[["created", "closed"]].max().max(), freq="MS")
        later = [c for c in months if c > cs[-1]]
        assert all(c + pd.Timedelta(weeks=13) > d[["created", "closed"]].max().max()
                   + pd.Timedelta(days=1) for c in later)
