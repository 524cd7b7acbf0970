"""Behavioural tests of the workbook's dashboards, driven without a browser.

Each dashboard is built, a control's ``.value`` is set as a trainee would,
and the numbers it shows (``values`` and the headline HTML) must move the
way the course says. Simulating dashboards run with few replications here:
the tests check direction and wiring, not precision.
"""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from simkit import workbook as sw
from simkit.course.i18n import set_language


def test_headline_levers_move_the_numbers_with_common_random_numbers():
    d = sw.headline_dashboard(replications=10, chart=False)
    base = d.values["summary"]
    assert d.values["seed"] == 1 and "seed 1" in d.seed_label.value
    assert base["team_attainment_mean"] == pytest.approx(d.values["baseline"]["team_attainment_mean"])
    d.leads.value = 7.0
    more = d.values["summary"]
    assert more["team_attainment_mean"] > base["team_attainment_mean"]
    assert more["wins_mean"] > base["wins_mean"]
    d.leads.value = 5.0  # back to the preset: same seed, identical numbers
    assert d.values["summary"]["team_attainment_mean"] == base["team_attainment_mean"]
    d.win_rate.value = 0.10
    assert d.values["summary"]["wins_mean"] < base["wins_mean"]
    d.win_rate.value = 0.20
    d.deal_size.value = 4.0
    assert d.values["summary"]["won_amount_mean"] > base["won_amount_mean"]
    d.deal_size.value = 2.0
    d.reps.value = 15
    assert d.scenario.team.reps == 15
    assert d.values["summary"]["team_attainment_mean"] > base["team_attainment_mean"]
    assert "points vs the preset" in d.headline.value


def test_headline_widgets_carry_css_classes_and_field_bounds():
    d = sw.headline_dashboard(replications=5, chart=False)
    for w, cls in [(d.leads, "simkit-slider-leads"), (d.reps, "simkit-slider-reps"),
                   (d.win_rate, "simkit-slider-win-rate"), (d.headline, "simkit-headline")]:
        assert cls in w._dom_classes
    assert "simkit-dashboard-headline" in d.widget._dom_classes
    assert d.reps.min == 1  # Team.reps: ge=1
    assert d.leads.min == 0  # Leads.per_rep_per_week: ge=0
    assert d.leads.tooltip == "new projects per rep per week"
    assert all(not w.continuous_update for w in (d.leads, d.win_rate, d.deal_size, d.reps))


def test_headline_chart_is_a_fixed_size_figure():
    d = sw.headline_dashboard(replications=5)
    fig = d.chart.figure
    assert tuple(fig.get_size_inches()) == (13.0, 3.8)
    assert len(fig.axes) == 3


def test_chinese_labels():
    d = sw.headline_dashboard("zh", replications=5, chart=False)
    assert d.leads.description == "每人每周新增项目"
    assert "完成季度指标的概率" in d.headline.value
    set_language("zh")
    try:
        assert sw.forecast_dashboard(chart=False).lang == "zh"
    finally:
        set_language("en")


def test_funnel_dashboard_presets_and_wins():
    d = sw.funnel_dashboard(chart=False)
    assert d.values["new_per_week"] == pytest.approx(50.0)  # 10 wins a week / 20%
    d.wins.value = 20.0
    assert d.values["new_per_week"] == pytest.approx(100.0)
    d.preset.value = "large-projects"
    assert d.values["win_probs"][0] == pytest.approx(0.10)
    assert "潜在客户" in d.table.value


def test_headcount_dashboard_case_a():
    d = sw.headcount_dashboard(chart=False)
    assert d.values["quarter_quota"] == pytest.approx(239.64, abs=0.01)
    assert d.values["reps_needed"] == pytest.approx(9.985, abs=0.01)
    d.new_per_rep.value = 4.0
    assert d.values["reps_needed"] == pytest.approx(12.48, abs=0.01)
    d.avg_deal.value = 4.0
    assert d.values["reps_needed"] == pytest.approx(6.24, abs=0.01)


def test_large_projects_dashboard_signable_stages():
    d = sw.large_projects_dashboard(chart=False)
    assert d.values["collection_forecast"] == pytest.approx(66.75)
    d.signable.value = ("accepted", "negotiation")
    assert d.values["collection_forecast"] == pytest.approx(99.5625)
    d.amount_negotiation.value = 400.0
    assert d.values["expected_by_stage"][-1] == pytest.approx(280.0)


def test_forecast_dashboard():
    d = sw.forecast_dashboard(chart=False)
    assert d.values["forecast"] == pytest.approx(213.4)
    d.committed.value = 120.0
    assert d.values["forecast"] == pytest.approx(243.4)
    assert "101%" in d.headline.value


@pytest.mark.slow
def test_gap_dashboard_case_b_and_injection_plan():
    d = sw.gap_dashboard(replications=10, chart=False)
    assert d.values["expected_wins"] == pytest.approx(82.45)
    assert d.values["project_gap"] == pytest.approx(220.0)
    low = d.values["attainment_mean"]
    d.injection.value = 200
    assert d.values["attainment_mean"] > low
    assert d.values["projected_wins"] > 113.65
    d.negotiation.value = 0
    assert d.values["expected_wins"] == pytest.approx(82.45 - 31.5)


def test_coaching_dashboard_checks_the_diagnosis():
    from simkit.course.cases import coaching_team

    _, truth = coaching_team(7)
    d = sw.coaching_dashboard(team_seed=7, chart=False)
    prospect = next(r for r, p in truth.items() if p == "not enough prospecting")
    d.rep.value = prospect
    d.diagnosis.value = "low win rate"
    assert d.values["correct"] is False and "✗" in d.feedback.value
    d.diagnosis.value = "not enough prospecting"
    assert d.values["correct"] is True and "✓" in d.feedback.value


def test_language_picker_switches_the_language():
    w = sw.language_picker()
    try:
        w.value = "zh"
        from simkit.course.i18n import get_language

        assert get_language() == "zh"
    finally:
        set_language("en")


def test_commission_dashboard_reprices_the_same_quarters():
    import simkit
    from simkit.course.cases import commission_plan

    d = sw.commission_dashboard(replications=10, chart=False)
    base = d.values["cost_of_sales"]
    rq = simkit.simulate(simkit.preset(), replications=10, seed=1).rep_quarters
    pay = commission_plan().payout(rq["won_amount"].to_numpy(), rq["quota"].to_numpy())
    assert base == pytest.approx(pay.sum() / rq["won_amount"].sum())
    assert 0.05 <= base < 0.10  # at least the base rate; accelerators add to it
    d.challenge.value = 0.20
    assert d.values["cost_of_sales"] > base
    d.challenge.value = 0.10
    d.base.value = 0.0
    assert d.values["cost_of_sales"] < base
    assert "simkit-slider-base-rate" in d.base._dom_classes


@pytest.mark.slow
def test_planning_dashboard_levers_move_the_year():
    import simkit
    from simkit.course.cases import planning_scenario

    d = sw.planning_dashboard(replications=4, chart=False)
    base = d.values["year_attainment"]
    assert d.values["seed"] == 1 and "seed 1, 4 replications" in d.seed_label.value
    res = simkit.simulate(planning_scenario(), replications=4, seed=1)
    assert d.values["attainment"] == pytest.approx(
        res.team_quarters.groupby("quarter")["attainment"].mean().tolist())
    assert len(d.values["headcount"]) == 4
    assert d.values["headcount"][1] > d.values["headcount"][0]  # the April hires arrive
    assert d.hire_month.value == 4 and d.hire_month.min == 1  # April, counted from 1
    d.hire_month.value = 1
    assert d.values["year_attainment"] > base  # earlier hires sell for longer
    assert d.values["headcount"][0] > 12
    d.hire_month.value = 4
    assert d.values["year_attainment"] == base  # same seed, same plan, same numbers
    d.ramp_months.value = 1
    assert d.values["year_attainment"] > base
    d.ramp_months.value = 5
    d.attrition.value = 0.0
    assert d.values["year_attainment"] > base and d.values["leavers_mean"] == 0
    d.attrition.value = 0.3
    d.capacity.value = True
    assert d.scenario.capacity.max_open_deals == 8
    assert d.values["year_attainment"] < base
    for w, cls in [(d.hire_month, "simkit-slider-hire-month"), (d.ramp_months, "simkit-slider-ramp"),
                   (d.attrition, "simkit-slider-attrition"), (d.capacity, "simkit-toggle-capacity")]:
        assert cls in w._dom_classes
    assert all(not w.continuous_update for w in (d.hire_month, d.ramp_months, d.attrition))
    assert d.attrition.max < 1  # Attrition.yearly_rate: lt=1


def test_planning_dashboard_in_chinese_with_its_chart():
    d = sw.planning_dashboard("zh", replications=2)
    assert d.hire_month.description == "新人入职月份（1 = 一月）"
    assert "完成全年指标的概率" in d.headline.value and "季度" in d.table.value
    fig = d.chart.figure
    assert tuple(fig.get_size_inches()) == (6.4, 3.6)


def test_chinese_tables_have_course_row_labels_and_no_empty_header_row():
    import re

    gap = sw.gap_dashboard("zh", replications=2, chart=False)
    html = gap.projection.value
    assert "意向阶段" in html and "成交" in html and "现在" in html
    assert not re.search(r"\b(stage|intent|solution|negotiation|wins|now)\b", html)
    assert "<th>阶段</th>" in html
    plan = sw.planning_dashboard("zh", replications=2, chart=False)
    assert "<th>季度</th>" in plan.table.value and "第 1 季度" in plan.table.value
    # Every header row holds a label in each cell but the corner: no row of empty cells.
    for value in (html, plan.table.value):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", value, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            assert sum(1 for c in cells if c.strip()) >= len(cells) - 1, row
    head = sw.headline_dashboard("zh", replications=5, chart=False)
    head.leads.value = 6
    assert "比预设 +" in head.headline.value and " pt" not in head.headline.value


@pytest.mark.parametrize("lang, titles", [("zh", ("图表", "每周推演", "团队")),
                                           ("en", ("chart", "weekly projection", "team"))])
def test_lessons_4_and_7_put_their_tables_behind_the_chart_as_tabs(lang, titles):
    """The projector pages (and the notebooks) show the chart first, the table one tab away."""
    import ipywidgets as W

    chart, projection, team = titles
    gap = sw.gap_dashboard(lang, replications=2, chart=False)
    coach = sw.coaching_dashboard(lang, team_seed=7, chart=False)
    assert gap.tabs == {"chart": chart, "projection": projection}
    assert coach.tabs == {"chart": chart, "table": team}
    for d, table in ((gap, gap.projection), (coach, coach.table)):
        tabs = [w for w in d.widget.children if isinstance(w, W.Tab)]
        assert len(tabs) == 1 and tabs[0].selected_index == 0
        assert tabs[0].titles == tuple(d.tabs.values())
        assert tabs[0].children == (d.chart, table)


def test_chinese_headline_chart_names_the_stages_in_chinese():
    from simkit.workbook import plots

    if plots.chart_language("zh") != "zh":
        pytest.skip("no CJK font here: charts fall back to English by design")
    d = sw.headline_dashboard("zh", replications=5, chart=False)
    fig = plots.headline_figure(d.results, lang="zh")
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels()]
    assert labels and all(label.split()[0] in ("意向阶段", "方案阶段", "谈判阶段") for label in labels)
    assert all("." not in label for label in labels)  # whole deals above ten
def test_coaching_page_shows_the_whole_team_counted_from_1_and_its_session_seed(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "lang=zh&seed=4321")
    d = sw.coaching_dashboard("zh")
    assert d.team_seed == 4321 and "4321" in d.seed_label.value
    labels = [label for label, _ in d.rep.options]
    assert labels[0] == "销售 1" and labels[-1] == f"销售 {len(labels)}"
    table = d.table.value
    assert table.count("<tr>") == len(labels) + 1 and "销售 1" in table and "销售 0" not in table
    # The text says what the page shows: as many reps as the table, and how many are hidden.
    assert f"{len(labels)} 名销售" in d.seed_label.value
    assert f"其中 {d.values['hidden_problems']} 人" in d.seed_label.value
    assert "problem" not in table and "问题" not in table  # no answer in the table
    fig = d.chart.figure
    assert len(fig.axes) == 3
    monkeypatch.delenv("QUERY_STRING")
    seeds = {sw.coaching_dashboard(chart=False).team_seed for _ in range(5)}
    assert len(seeds) > 1, "the hidden problems must change from session to session"


def test_lesson0_sentence_is_generated_from_the_probability():
    d = sw.plan_dashboard(replications=200, chart=False)
    p = d.values["p_miss"]
    assert 0.35 <= p <= 0.65 and d.values["phrase"] == "about half the time"
    assert f"{p:.0%}" in d.message.value and "about half the time" in d.message.value
    d.level.value = 0.8
    assert d.values["p_miss"] < p and d.values["phrase"] != "about half the time"
    assert d.values["phrase"] in d.message.value
    z = sw.plan_dashboard("zh", replications=200, chart=False)
    assert "大约一半" in z.message.value
    assert sw.lesson0.miss_phrase(0.9) == "more often than not"
    assert sw.lesson0.miss_phrase(0.2) == "about one quarter in 5"
    assert sw.lesson0.miss_phrase(0.05, "zh") == "很少"
