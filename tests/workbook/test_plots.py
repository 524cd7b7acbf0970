"""Charts: Chinese titles when a CJK font is installed, English when none is."""

from __future__ import annotations

import numpy as np
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


@pytest.fixture
def projector():
    from simkit.workbook import plots

    plots.projector_style()
    yield plots
    plots.projector_style(False)


@pytest.mark.parametrize("quota_share", [1.0, 0.15], ids=["preset-quota", "far-above-quota"])
def test_projector_charts_are_readable_and_the_legend_keeps_off_the_quota_line(projector,
                                                                                quota_share):
    import simkit
    from matplotlib.text import Text

    from simkit.workbook._common import _min_text_pt, figure_html

    sc = simkit.preset("small-projects")
    sc = sc.override({"quota.team_per_quarter": sc.quota.team_per_quarter * quota_share})
    res = simkit.simulate(sc, replications=20, seed=1)
    figs = {"headline": projector.headline_figure(res),
            "bookings": projector.cumulative_bookings(res),
            "quarters": projector.quarter_chart(res)}
    for name, fig in figs.items():
        assert tuple(fig.get_size_inches()) in {projector.PROJECTOR_FIGSIZE, (7.0, 5.6)}, name
        assert _min_text_pt(fig) >= projector.PROJECTOR_MIN_PT, name
    # 12 pt at 100 dpi: what the browser tests scale by the picture's shown width.
    assert "data-min-text-px='16.7'" in figure_html(figs["bookings"])

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figs["bookings"]
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    quota = res.scenario.quota.team_per_quarter
    _, y_quota = ax.transData.transform((0, quota))
    assert not (legend.y0 - 2 <= y_quota <= legend.y1 + 2), "legend over the quota line"

    hist = figs["headline"].axes[0]
    FigureCanvasAgg(figs["headline"]).draw()
    label = next(t for t in hist.texts if isinstance(t, Text) and "quota" in t.get_text())
    box = label.get_window_extent()
    tallest = max(p.get_height() for p in hist.patches)
    _, y_top_bar = hist.transData.transform((0, tallest))
    assert box.y0 >= y_top_bar, "the quota label sits on the bars"


def test_workbook_chart_sizes_do_not_change():
    import simkit
    from simkit.workbook import plots

    res = simkit.simulate(simkit.preset("small-projects"), replications=5, seed=1)
    assert tuple(plots.headline_figure(res).get_size_inches()) == plots.WIDE
    assert tuple(plots.quarter_chart(res).get_size_inches()) == plots.FIGSIZE


def _curves_from_deals(res, quarter):
    """The bookings curves as the deal table gives them (the path for engines that do not
    bin them as they run)."""
    from types import SimpleNamespace

    from simkit.workbook.plots import bookings_curves

    shim = SimpleNamespace(scenario=res.scenario, deals=res.deals,
                           replications=res.replications)
    return bookings_curves(shim, quarter)


@pytest.mark.parametrize("case", ["preset", "mid-quarter", "year"])
def test_fast_path_bookings_curves_are_the_deal_tables(case):
    import simkit
    from simkit.course.cases import case_b_scenario
    from simkit.workbook.plots import bookings_curves

    sc = {"preset": lambda: simkit.preset("small-projects"),
          "mid-quarter": lambda: case_b_scenario(4.0),
          "year": lambda: simkit.preset("small-projects").override({"horizon.quarters": 4})}[case]()
    res = simkit.simulate(sc, replications=30, seed=3, engine="fast")
    assert res.weekly_won is not None
    for quarter in range(1, sc.horizon.quarters + 1):
        weeks, fast = bookings_curves(res, quarter)
        weeks2, slow = _curves_from_deals(res, quarter)
        np.testing.assert_array_equal(weeks, weeks2)
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-9, equal_nan=True)
        assert np.nanmax(fast) > 0


def test_chart_pictures_keep_a_palette_and_look_the_same():
    """figure_html sends a palette PNG: the same size, the same picture to the eye (no
    pixel off by more than a few levels on average), far fewer bytes than full colour."""
    import base64
    import io
    import re

    from PIL import Image

    from simkit.workbook._common import figure_html

    fig = plots.attainment_histogram(np.linspace(0.6, 1.4, 200), lang="en")

    def picture(html):
        data = base64.b64decode(re.search(r"base64,([^']+)'", html).group(1))
        return Image.open(io.BytesIO(data)), len(data)

    (full, full_bytes), (pal, pal_bytes) = (picture(figure_html(fig, colors=None)),
                                            picture(figure_html(fig)))
    assert pal.mode == "P" and full.mode != "P" and pal.size == full.size
    assert pal_bytes < full_bytes / 2
    a = np.asarray(full.convert("RGB"), dtype=float)
    b = np.asarray(pal.convert("RGB"), dtype=float)
    assert np.abs(a - b).mean() < 2.0  # of 255
    w, h = (round(v * 100) for v in fig.get_size_inches())
    assert f"width='{w}' height='{h}'" in figure_html(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("quota", [0.55, 1.0, 1.45])
def test_the_quota_label_says_what_share_reaches_it_and_stays_on_the_chart(quota, lang):
    a = np.linspace(0.5, 1.5, 201)
    fig = plots.attainment_histogram(a, lang=lang, quota=quota)
    ax = fig.axes[0]
    share = f"{np.mean(a >= quota):.0%}"
    label = next(x for x in ax.texts if share in x.get_text())
    assert t("quota_reached", lang, share=share).strip() == label.get_text().strip()
    fig.canvas.draw()
    box, frame = label.get_window_extent(), ax.get_window_extent()
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (box, frame)
