"""The no-code app without a browser: pages in step, the page wrapper, the command."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("ipywidgets")
import ipywidgets as W

import simkit.workbook
from simkit.app.pages import APP_DIR, LESSONS, write_pages
from simkit.cli import main
from simkit.cli.app import app_url, voila_command
from simkit.model.errors import SimkitInputError
from simkit.app.webapp import LessonPage, page_language


def test_committed_pages_are_what_app_pages_writes(tmp_path):
    written = write_pages(tmp_path)
    committed = sorted(p.name for p in APP_DIR.glob("*.ipynb"))
    assert committed == sorted(p.name for p in written), "run: python -m simkit.app.pages"
    for path in written:
        assert (APP_DIR / path.name).read_bytes() == path.read_bytes(), (
            f"app/{path.name} is stale: run python -m simkit.app.pages")


def test_every_dashboard_has_a_page_and_every_page_a_dashboard():
    dashboards = {n for n in simkit.workbook.__all__ if n.endswith("_dashboard")}
    missing = dashboards - {le.dashboard for le in LESSONS}
    assert not missing, (f"no app page for {sorted(missing)}: add a Lesson to LESSONS in "
                         "simkit/app_pages.py, then run python -m simkit.app.pages")
    assert {le.dashboard for le in LESSONS} <= dashboards
    assert len({le.filename for le in LESSONS}) == len(LESSONS)


def test_page_code_only_calls_its_dashboard():
    import nbformat

    for le in LESSONS:
        nb = nbformat.read(APP_DIR / le.filename, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert len(code) == 1
        assert code[0].strip().endswith(f"lesson_page(simkit.workbook.{le.dashboard})")
    index = nbformat.read(APP_DIR / "index.ipynb", as_version=4)
    assert all(c.cell_type == "markdown" for c in index.cells)
    for le in LESSONS:
        assert f"({le.filename}?lang=en)" in index.cells[0].source
        assert f"({le.filename}?lang=zh)" in index.cells[0].source


def test_page_language_from_address_then_environment(monkeypatch):
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("SIMKIT_LANG", raising=False)
    assert page_language() == "en"
    monkeypatch.setenv("SIMKIT_LANG", "zh")
    assert page_language() == "zh"
    monkeypatch.setenv("QUERY_STRING", "lang=en&x=1")
    assert page_language() == "en"
    monkeypatch.setenv("QUERY_STRING", "lang=fr")  # unknown: fall back, never fail a page
    assert page_language() == "zh"


def test_language_switch_relabels_and_keeps_the_values():
    page = LessonPage(functools.partial(simkit.workbook.forecast_dashboard, chart=False), lang="en")
    d = page.dashboard
    d.quota.value = 300.0
    en_label, en_values = d.quota.description, dict(d.values)
    page.switch.value = "zh"
    z = page.dashboard
    assert z is not d and z.lang == "zh"
    assert z.quota.value == 300.0
    assert z.quota.description != en_label
    assert z.values["forecast"] == en_values["forecast"]
    (columns,) = page.body.children
    left, right = columns.children
    assert list(left.children) == [*z.controls.values(), z.headline]
    assert right.children[0] is z.chart
    assert page.busy.value == ""


def test_language_switch_keeps_dropdown_choices():
    page = LessonPage(functools.partial(simkit.workbook.funnel_dashboard, chart=False), lang="zh")
    page.dashboard.preset.value = "seven-step"
    page.switch.value = "en"
    assert page.dashboard.preset.value == "seven-step"


class _SlowDashboard:
    """Stands in for a dashboard whose observer computes; records what the page showed."""

    def __init__(self, lang="en"):
        self.lang = lang
        self.controls = {"x": W.IntSlider(value=1)}
        self.seen_busy: list[str] = []
        self.widget = W.VBox([self.controls["x"]])
        self.controls["x"].observe(self._compute, "value")
        self.page = None

    def _compute(self, change):
        self.seen_busy.append(self.page.busy.value)


def test_busy_sign_is_on_while_the_dashboard_computes_and_off_after():
    holder = {}

    def make(lang):
        holder["d"] = _SlowDashboard(lang)
        return holder["d"]

    page = LessonPage(make, lang="zh")
    holder["d"].page = page
    holder["d"].controls["x"].value = 2
    assert holder["d"].seen_busy == ["计算中…"]
    assert page.busy.value == "" and "simkit-busy-on" not in page.busy._dom_classes


def test_bad_language_names_the_argument():
    with pytest.raises(SimkitInputError, match="lang"):
        LessonPage(simkit.workbook.forecast_dashboard, lang="fr")


def test_voila_command_keeps_the_safety_defaults_explicit():
    cmd = voila_command(Path("app"), 9999)
    for flag in ["--no-browser", "--port=9999", "--Voila.ip=127.0.0.1", "--strip_sources=True",
                 "--VoilaConfiguration.show_tracebacks=False", "--Voila.port_retries=0"]:
        assert flag in cmd
    assert app_url(9999) == "http://127.0.0.1:9999/voila/render/index.ipynb"


def test_cli_rejects_a_bad_language_and_a_folder_without_pages(tmp_path):
    r = CliRunner().invoke(main, ["app", "--lang", "fr"])
    assert r.exit_code == 2 and "--lang" in r.output
    r = CliRunner().invoke(main, ["app", "--pages", str(tmp_path), "--port", "9"])
    assert r.exit_code == 2 and "index.ipynb" in r.output


def test_every_page_explains_itself_in_both_languages():
    import re

    from simkit.app.pages import LESSONS

    for le in LESSONS:
        assert le.explanation.strip() and le.explanation_zh.strip(), le.slug
        zh = re.sub(r"[\s\d.,%*()（）：:；;、。x×-]", "", le.explanation_zh)
        assert len(re.findall(r"[\u4e00-\u9fff]", zh)) >= 0.9 * len(zh), le.slug


def _tabbed_dashboard(lang: str = "en", **kw):
    """A small dashboard whose chart and table are tabs (as lesson 10's)."""
    from simkit.workbook._common import Dashboard, html_out, output, slider

    x = slider("cal.quota_pct", 1.0, 0.5, 1.5, 0.05, lang=lang, css="simkit-slider-x")
    outputs = {"headline": html_out("simkit-headline"), "other": html_out("simkit-other"),
               "table": html_out("simkit-scorecard"), "chart": output("simkit-chart")}

    def compute(d):
        d.headline.value = f"<table><tr><td>{d.x.value:.2f}</td></tr></table>"

    return Dashboard("tabbed", lang, {"x": x}, outputs, compute,
                     lambda d: W.VBox(list(d.outputs.values())),
                     tabs={"chart": "the chart", "table": "the table"})


def test_page_columns_put_tabs_where_their_first_output_would_go():
    from simkit.app.webapp import page_columns

    outputs = {"headline": ("simkit-headline",), "notes": ("simkit-notes",),
               "score": ("simkit-scorecard",), "chart": ("simkit-chart",),
               "extra": ("simkit-extra",)}
    assert page_columns(outputs) == (["headline", "notes"], ["chart", "score", "extra"])
    assert page_columns(outputs, ["chart", "score"]) == (["headline", "notes"], [None, "extra"])
    # an output named as a tab is never also in the left column
    assert page_columns(outputs, {"notes": "n", "chart": "c"}) == (
        ["headline"], [None, "score", "extra"])


def test_projector_layout_shows_a_dashboards_tabs_chart_first():
    from simkit.app.webapp import projector_layout

    d = _tabbed_dashboard()
    left, right = projector_layout(d).children
    assert list(left.children) == [d.x, d.headline]
    tab, other = right.children
    assert isinstance(tab, W.Tab) and other is d.other
    assert tab.children == (d.chart, d.table) and tab.titles == ("the chart", "the table")
    assert tab.selected_index == 0 and "simkit-tabs" in tab._dom_classes


def test_a_tab_named_that_is_no_output_is_refused():
    from simkit.workbook._common import Dashboard, html_out

    with pytest.raises(SimkitInputError, match="tabs"):
        Dashboard("bad", "en", {}, {"a": html_out("simkit-a")}, lambda d: None,
                  lambda d: W.VBox(), tabs={"b": "B"})


def test_a_page_accepts_a_tab_click_and_refuses_anything_else_sent_to_its_tabs(caplog):
    import logging

    page = LessonPage(_tabbed_dashboard, lang="en")
    (tab,) = _find(page.widget, W.Tab)

    def send(state):
        tab._handle_msg({"content": {"data": {"method": "update", "state": state}},
                         "buffers": []})

    send({"selected_index": 1})  # a click on the table's tab
    assert tab.selected_index == 1 and page.notice.value == ""
    for bad in ({"selected_index": 2}, {"selected_index": "1"}, {"titles": ["x", "y"]},
                {"children": []}):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="simkit.app"):
            send(bad)
        assert tab.selected_index == 1 and tab.titles == ("the chart", "the table")
        assert any("refused a browser update" in r.getMessage() for r in caplog.records), bad


def _find(widget, kind) -> list:
    found = [widget] if isinstance(widget, kind) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, kind)
    return found


def test_the_open_tab_stays_open_across_the_language_switch():
    page = LessonPage(_tabbed_dashboard, lang="en")
    (tab,) = _find(page.widget, W.Tab)
    tab.selected_index = 1
    page.switch.value = "zh"
    (new,) = _find(page.widget, W.Tab)
    assert new is not tab and new.selected_index == 1
