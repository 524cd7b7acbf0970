"""No invented numbers: a target the export does not contain is 'not available'."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from click.testing import CliRunner
from conftest import T0, synthetic_deals

import simkit
from simkit.cli import main
from simkit.crm import estimate
from simkit.crm.backtest import backtest
from simkit.crm.report import calibration_report


def _no_amounts(seed=4):
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=seed)
    d["amount"] = np.nan
    return d


def test_backtest_without_amounts_reports_won_amount_not_available():
    d = _no_amounts()
    c1, c2 = T0 + pd.Timedelta(weeks=30), T0 + pd.Timedelta(weeks=43)
    res = backtest(d, [c1, c2], replications=5, seed=1)
    t = res.table
    amt = t[t["target"] == "won_amount"]
    assert len(amt) and amt["value"].isna().all()  # never 1万 a deal, never scored against 0
    wins = t[(t["target"] == "wins") & (t["metric"] == "actual")]
    assert (wins["value"] > 0).all()
    assert all(r["value"] is None for r in res.records() if r["target"] == "won_amount")


def test_all_row_reports_mean_absolute_bias():
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=4)
    cs = [T0 + pd.Timedelta(weeks=30), T0 + pd.Timedelta(weeks=43)]
    t = backtest(d, cs, replications=5, seed=1).table
    for (m, tg), g in t.groupby(["method", "target"]):
        per = g[(g["cutoff"] != "all") & (g["metric"] == "bias")]["value"]
        allrow = g[g["cutoff"] == "all"].set_index("metric")["value"]
        assert "bias" not in allrow.index  # no mean signed bias over folds
        if per.notna().any():
            assert math.isclose(allrow["abs_bias"], per.abs().mean())
        else:
            assert math.isnan(allrow["abs_bias"])


def test_report_and_scenario_agree_on_the_quota(tmp_path):
    for d in (synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6), _no_amounts(6)):
        est = estimate(d, T0 + pd.Timedelta(weeks=40))
        params = calibration_report(est)["parameters"].set_index("parameter")
        q = params.loc[[p for p in params.index if p.startswith("quota")][0], "value"]
        sc = est.scenario()
        assert math.isclose(sc.quota.team_per_quarter, q)
        if not est.amounts_available:
            assert math.isnan(est.deal_mean)
            # a deal is 1 unit: the quota is last quarter's number of wins
            assert math.isclose(q, est.wins_last_quarter)
            assert "not available" in set(params["kind"])


def test_cli_backtest_prints_not_available(tmp_path):
    d = _no_amounts(6)
    d = d[d["created"] < T0 + pd.Timedelta(weeks=60)]
    f = tmp_path / "e.csv"
    pd.DataFrame({
        "opportunity_id": d["deal_id"], "sales_agent": d["rep"],
        "deal_stage": d["status"].map({"won": "Won", "lost": "Lost", "open": "Engaging"}),
        "engage_date": d["created"].dt.strftime("%Y-%m-%d"),
        "close_date": d["closed"].dt.strftime("%Y-%m-%d"), "close_value": ""}
    ).to_csv(f, index=False)
    r = CliRunner().invoke(main, ["backtest", str(f), "--cutoff", "2020-08-01", "-n", "3"])
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if "won_amount" in x and "actual" in x)
    assert "n/a" in line
    out = tmp_path / "s.toml"
    r = CliRunner().invoke(main, ["calibrate", str(f), "--cutoff", "2020-08-01", "--out", str(out),
                                  "-n", "20"])
    assert r.exit_code == 0, r.output
    assert "n/a" in r.output
    assert simkit.load_scenario(out).quota.team_per_quarter > 0
