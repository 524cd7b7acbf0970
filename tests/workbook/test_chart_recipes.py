"""Every dashboard shows its chart with show_chart: drawn at once in a kernel (the notebooks,
the Voilà pages), kept as a recipe outside one (the room server builds it where it draws it)."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import simkit.workbook
from simkit.app.pages import LESSONS
from simkit.workbook._common import Chart, figure_html

# Few replications: these tests check where the chart is built, not the statistics.
SMALL = {"planning_dashboard": {"replications": 20}, "headline_dashboard": {"replications": 20},
         "gap_dashboard": {"replications": 20}, "calibration_dashboard": {"replications": 20},
         "plan_dashboard": {"replications": 50}, "commission_dashboard": {"replications": 20},
         "coaching_dashboard": {"team_seed": 4321}}
DASHBOARDS = [le.dashboard for le in LESSONS]


def _dashboard(name: str):
    return getattr(simkit.workbook, name)(lang="en", **SMALL.get(name, {}))


@pytest.fixture
def kernel(monkeypatch):
    """As in a notebook's or a Voilà page's kernel (show_chart asks IPython for one)."""
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())


@pytest.mark.parametrize("name", DASHBOARDS)
def test_in_a_kernel_the_chart_is_drawn_at_once(kernel, name):
    d = _dashboard(name)
    assert d.chart.value.startswith("<img class='simkit-chart-img'")
    # The figure shown is kept (for the notebooks' own checks), no recipe left to build.
    assert d.chart.chart is None and d.chart._figure is not None


@pytest.mark.parametrize("name", DASHBOARDS)
def test_outside_a_kernel_the_chart_is_a_recipe_drawn_the_same(kernel, monkeypatch, name):
    shown = _dashboard(name).chart.value  # in a kernel
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    d = _dashboard(name)
    assert isinstance(d.chart.chart, Chart) and d.chart._figure is None and d.chart.value == ""
    assert figure_html(d.chart.chart.build()) == shown
