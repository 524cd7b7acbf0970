"""Charts: Chinese titles when a CJK font is installed, English when none is."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

import simkit
from simkit.workbook import plots
from simkit.course.i18n import t


def _small_results():
    return simkit.simulate(simkit.preset("small-projects"), replications=5, seed=1)


def test_zh_chart_title_is_chinese_when_a_cjk_font_is_installed():
    if plots._cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    fig = plots.attainment_histogram([0.8, 1.1, 1.2], lang="zh")
    title = fig.axes[0].get_title()
    assert title == t("attainment_hist_title", "zh") == "团队季度完成率分布"
    assert plots._cjk_font() in fig.axes[0].title.get_fontfamily()
    # Every chart kind follows the language.
    fig = plots.quarter_chart(_small_results(), lang="zh")
    assert fig.axes[0].get_title() == t("quarter_title", "zh")


def test_zh_charts_fall_back_to_english_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(plots, "_cjk_font", lambda: None)
    assert plots.chart_language("zh") == "en"
    fig = plots.attainment_histogram([0.8, 1.1, 1.2], lang="zh")
    assert fig.axes[0].get_title() == t("attainment_hist_title", "en")


def test_new_charts_are_fixed_size():
    from simkit.course.cases import crm_backtest

    fig = plots.backtest_chart(crm_backtest(replications=5), "wins")
    assert tuple(fig.get_size_inches()) == plots.FIGSIZE
    assert fig.axes[0].get_title() == t("backtest_title", "en")
