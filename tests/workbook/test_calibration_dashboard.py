"""Lesson 10's page: the forecast split, its intervals and the back-test at one cutoff."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

from simkit.course.cases import CRM_CUTOFFS, crm_example
from simkit.workbook import calibration_dashboard

# Small and fast: the same code paths as the page's 200 replications.
REPS = 40


@pytest.fixture(scope="module")
def dash():
    return calibration_dashboard("en", replications=REPS, chart=False)


def _actual(target: str, cutoff: str) -> float:
    """What happened in the 13 weeks after ``cutoff``, counted here from the export."""
    deals = crm_example().deals
    c = pd.Timestamp(cutoff)
    won = deals[(deals["status"] == "won") & (deals["closed"] >= c)
                & (deals["closed"] < c + pd.Timedelta(weeks=13))]
    return float(len(won)) if target == "wins" else float(won["amount"].sum())


@pytest.mark.parametrize("cutoff", CRM_CUTOFFS)
@pytest.mark.parametrize("target", ["wins", "won_amount"])
def test_page_shows_what_happened_and_the_split_adds_up(dash, cutoff, target):
    dash.cutoff.value, dash.target.value = cutoff, target
    v = dash.values
    assert v["actual"] == pytest.approx(_actual(target, cutoff))
    team = v["split"][v["split"]["who"] == "team"].set_index("part")
    parts = team.loc[["won_so_far", "open_pipeline", "new_deals"], "mean"].sum()
    assert team.loc["total", "mean"] == pytest.approx(parts)
    for part in team.index:
        assert team.loc[part, "p10"] <= team.loc[part, "p50"] <= team.loc[part, "p90"]
    # every rep's row: interval around the median, and the actual is what the rep won
    reps = v["reps"]
    assert (reps["p10"] <= reps["p50"]).all() and (reps["p50"] <= reps["p90"]).all()
    assert reps["actual"].sum() == pytest.approx(v["actual"])
    # the headline's numbers are the split's, as printed
    total = team.loc["total"]
    fmt = "{:,.0f}" if target == "wins" else "{:,.1f}"
    assert f"{fmt.format(total['p50'])}  [{fmt.format(total['p10'])} – " in dash.headline.value


def test_chance_of_the_quota_falls_as_the_quota_rises(dash):
    dash.cutoff.value, dash.target.value = CRM_CUTOFFS[-1], "wins"
    seen = []
    for pct in (0.5, 0.8, 1.0, 1.2, 1.5):
        dash.quota_pct.value = pct
        seen.append(dash.values["p_quota"])
        # the quota is that share of last quarter's wins (the naive baseline's forecast)
        assert dash.values["quota"] == pytest.approx(pct * dash.values["last_quarter"])
    assert seen == sorted(seen, reverse=True)
    assert seen[0] > seen[-1]


def test_scorecard_is_the_back_tests_rows_for_this_cutoff(dash):
    from simkit.course.cases import crm_backtest

    dash.cutoff.value, dash.target.value = CRM_CUTOFFS[0], "wins"
    bt = crm_backtest(replications=REPS, seed=1).wide()
    row = bt[(bt["cutoff"] == CRM_CUTOFFS[0]) & (bt["target"] == "wins")
             & (bt["metric"] == "rep_wape")].iloc[0]
    shown = dash.values["scorecard"]
    assert shown.loc["rep_wape", "model"] == pytest.approx(row["model"])
    assert shown.loc["rep_wape", "last_quarter"] == pytest.approx(row["last_quarter"])
    # a baseline this export cannot support (no closes a year before) is not available
    assert np.isnan(shown.loc["forecast", "seasonal_naive"])
    assert "n/a" in dash.scorecard.value
    # and how much this one comparison can tell: the back-test's own share, as a percentage
    share = bt[(bt["cutoff"] == CRM_CUTOFFS[0]) & (bt["target"] == "wins")
               & (bt["metric"] == "p_beats_baselines")].iloc[0]["model"]
    assert f"at this cutoff would be {share:.0%}" in dash.scorecard.value


def test_a_value_the_page_does_not_offer_is_refused_and_changes_nothing(dash):
    before = dict(dash.values)
    dash.cutoff.set_state({"index": 99})
    dash.quota_pct.set_state({"value": 7.0})
    assert dash.values["p_quota"] == before["p_quota"]
    assert dash.refused >= 2 and dash.notice.value


def test_chinese_page_reads_in_chinese():
    d = calibration_dashboard("zh", replications=REPS, chart=False)
    text = re.sub(r"<[^>]+>", " ", d.headline.value + d.notes.value + d.scorecard.value)
    english = set(re.findall(r"[A-Za-z]{3,}", text)) - {"CRM", "CRPS"}
    assert not english, english
    assert "来自在途商机" in text and "达到指标" in text and "胜过所有基准的机会" in text


def test_page_explanation_quotes_the_replications_it_runs():
    from simkit.app.pages import LESSONS
    from simkit.workbook.calibration import CALIBRATION_REPLICATIONS

    page = next(le for le in LESSONS if le.dashboard == "calibration_dashboard")
    assert f"{CALIBRATION_REPLICATIONS} simulated quarters" in page.explanation
    assert f"{CALIBRATION_REPLICATIONS} 次模拟" in page.explanation_zh


def test_chart_shows_the_chance_of_the_quota_it_reports():
    from matplotlib.text import Text

    d = calibration_dashboard("en", replications=REPS)
    for pct in (0.8, 1.2):
        d.quota_pct.value = pct
        texts = [x.get_text() for x in d.chart.figure.findobj(Text)]
        assert any(f"{d.values['p_quota']:.0%}" in x and "quota" in x for x in texts), texts


def test_outside_a_kernel_the_chart_is_built_when_first_read():
    """show_chart keeps the chart's recipe (the room server builds it where it draws it);
    reading .figure builds it once, for the values of the last computation."""
    d = calibration_dashboard("en", replications=REPS)
    assert d.chart.chart is not None and d.chart._figure is None
    d.quota_pct.value = 1.2
    fig = d.chart.figure
    assert fig is d.chart.figure and d.chart._figure is fig
    d.quota_pct.value = 0.9  # a new computation: a new recipe, nothing built yet
    assert d.chart._figure is None and d.chart.figure is not fig


@pytest.mark.parametrize("target", ["wins", "won_amount"])
def test_per_rep_table_shows_every_reps_split_and_actual(dash, target):
    dash.cutoff.value, dash.target.value = CRM_CUTOFFS[-1], target
    v = dash.values
    rows = re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", dash.reps.value)[1:]  # header row
    assert [name for name, _ in rows] == list(v["reps"].index)
    fmt = "{:,.0f}" if target == "wins" else "{:,.1f}"
    split = v["split"].set_index(["part", "who"])
    for name, cells in rows:
        tds = re.findall(r"<td>([^<]*)</td>", cells)
        total = split.loc[("total", name)]
        rep = v["reps"].loc[name]
        assert (f"{fmt.format(total['p50'])} [{fmt.format(total['p10'])}–"
                f"{fmt.format(total['p90'])}]") in tds
        # the chart's interval is the table's, and the rep's actual beside it
        assert (total["p10"], total["p90"]) == (rep["p10"], rep["p90"])
        assert tds[-2] == fmt.format(rep["actual"])
        assert tds[-1] == ("yes" if rep["p10"] <= rep["actual"] <= rep["p90"] else "no")


def test_the_tables_are_tabs_behind_the_chart():
    d = calibration_dashboard("zh", replications=REPS, chart=False)
    assert d.tabs == {"chart": "图表", "reps": "各销售", "scorecard": "回测"}
    text = re.sub(r"<[^>]+>", " ", d.reps.value)
    # The reps' names are the export's; everything else on the table reads in Chinese.
    for name in d.values["reps"].index:
        text = text.replace(name, "")
    assert not re.findall(r"[A-Za-z]{3,}", text), text
    assert "来自在途商机" in text and "在 80% 区间内" in text
    # the notebook shows the same tabs
    import ipywidgets as W

    tabs = [w for w in d.widget.children if isinstance(w, W.Tab)]
    assert len(tabs) == 1 and tabs[0].titles == ("图表", "各销售", "回测")
    assert tabs[0].children == (d.chart, d.reps, d.scorecard)
