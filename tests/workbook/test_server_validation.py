"""What a browser sends to a dashboard is checked in the kernel (issue 17, "App").

ipywidgets clamps a value set from Python (``slider.value = 2000`` becomes the
slider's max), but a widget's bounds are traits the browser may change too: a
tampered page can send ``{"max": 3000, "value": 2000}`` over the widget's comm,
or a value of the wrong type. These tests send such messages the way the
kernel receives them (``Widget._handle_msg`` with a comm message) and check
that nothing is simulated, the control keeps its value and bounds, and the
page gets a short bilingual line, never a traceback.
"""

from __future__ import annotations

import functools
import logging

import pytest

pytest.importorskip("ipywidgets")

from simkit import workbook as sw
from simkit.app.webapp import LessonPage
from simkit.workbook._guard import REFUSED_TEXT


def _send(widget, state) -> None:
    """A comm message from the browser, as ipywidgets' comm handler passes it on."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}},
                        "buffers": []})


@pytest.fixture
def headline(monkeypatch):
    d = sw.headline_dashboard(replications=3, chart=False)
    runs = []
    original = d._compute
    monkeypatch.setattr(d, "_compute", lambda dash: (runs.append(dash.reps.value),
                                                      original(dash)))
    d.runs = runs
    return d


def test_ipywidgets_clamps_a_value_set_in_python_so_the_bounds_are_what_matters():
    d = sw.headline_dashboard(replications=3, chart=False)
    d.reps.value = 2000
    assert d.reps.value == d.reps.max == 30


def test_a_legitimate_browser_move_is_applied(headline):
    _send(headline.reps, {"value": 12})
    assert headline.reps.value == 12 and headline.runs == [12]
    assert headline.scenario.team.reps == 12
    assert headline.refused == 0 and headline.notice.value == ""


@pytest.mark.parametrize("state", [
    {"max": 3000, "value": 2000},          # the reproducer: bounds widened, then used
    {"value": 2000},
    {"value": 0},                          # below Team.reps >= 1
    {"value": -5},
    {"value": 12.5},                       # not a whole number of reps
    {"value": "12"},
    {"value": None},
    {"value": True},
    {"value": float("nan")},
    {"value": float("inf")},
    {"min": -10},
    {"description": "<img src=x onerror=alert(1)>"},
    {"disabled": True},
    [1, 2],
])
def test_out_of_range_or_foreign_state_is_refused_and_nothing_simulated(headline, state, caplog):
    before = (headline.reps.value, headline.reps.min, headline.reps.max,
              headline.reps.description, dict(headline.values))
    with caplog.at_level(logging.WARNING, logger="simkit.app"):
        _send(headline.reps, state)
    assert headline.runs == [], "simulated a refused value"
    assert (headline.reps.value, headline.reps.min, headline.reps.max,
            headline.reps.description) == before[:4]
    assert headline.values["summary"] is before[4]["summary"]
    assert headline.refused == 1
    assert headline.notice.value and "Traceback" not in headline.notice.value
    assert "该数值" in headline.notice.value and "outside" in headline.notice.value
    assert any("refused a browser update of headline.reps" in r.message for r in caplog.records)


def test_float_slider_and_dropdown_and_multiselect_bounds():
    d = sw.large_projects_dashboard(chart=False)
    amount = d.controls["amount_negotiation"]
    _send(amount, {"value": amount.max + 1})
    _send(d.signable, {"index": [0, 99]})
    _send(d.signable, {"index": [0, 0]})
    _send(d.signable, {"options": ["x"]})
    assert d.refused == 4
    _send(d.signable, {"index": [0, 4]})
    assert d.signable.value == (d.signable.options[0][1], d.signable.options[4][1])
    f = sw.funnel_dashboard(chart=False)
    _send(f.preset, {"index": 17})
    _send(f.preset, {"index": -1})
    assert f.refused == 2 and f.preset.value == "small-projects"
    _send(f.preset, {"index": 1})
    assert f.preset.value != "small-projects" and f.refused == 2


def test_check_box_takes_only_true_or_false():
    d = sw.planning_dashboard(replications=2, chart=False)
    _send(d.capacity, {"value": "yes"})
    assert d.refused == 1 and d.capacity.value is False


def test_a_failing_recomputation_shows_a_line_not_a_traceback(monkeypatch, caplog):
    d = sw.forecast_dashboard(chart=False)
    good = dict(d.values)

    def boom(dash):
        raise RuntimeError("/secret/server/path.py exploded")

    monkeypatch.setattr(d, "_compute", boom)
    with caplog.at_level(logging.ERROR, logger="simkit.app"):
        _send(d.quota, {"value": d.quota.value + 10})
    assert d.values == good
    assert "/secret" not in d.notice.value and "wrong" in d.notice.value
    assert any("exploded" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_the_page_shows_the_notice_and_guards_its_switch_and_text():
    page = LessonPage(functools.partial(sw.forecast_dashboard, chart=False), lang="en")
    d = page.dashboard
    _send(d.quota, {"value": 1e12})
    assert page.notice.value.startswith("That value") and "忽略" in page.notice.value
    _send(page.switch, {"index": 5})
    _send(page.switch, {"value": "fr"})
    assert page.switch.value == "en" and page.dashboard is d
    _send(d.headline, {"value": "<script>alert(1)</script>"})
    assert "<script>" not in d.headline.value
    _send(page.switch, {"index": 1})  # a real click on 中文
    assert page.lang == "zh" and page.dashboard is not d
    z = page.dashboard
    _send(z.quota, {"value": -1})
    assert z.refused == 1 and page.notice.value.startswith("That value")
    assert REFUSED_TEXT.startswith("That value")


def test_a_failing_language_switch_is_logged_not_shown(caplog):
    calls = []

    def make(lang, **kw):
        calls.append(lang)
        if lang == "zh":
            raise RuntimeError("/srv/secret.py broke")
        return sw.forecast_dashboard(lang, chart=False)

    page = LessonPage(make, lang="en")
    with caplog.at_level(logging.ERROR, logger="simkit.app"):
        _send(page.switch, {"index": 1})
    assert "/srv" not in page.notice.value and "went wrong" in page.notice.value
    assert any("language switch" in r.getMessage() for r in caplog.records)
    assert page.switch.value == "en" and page.dashboard.lang == "en"
