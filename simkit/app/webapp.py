"""Page helper for the no-code app: one lesson dashboard, a language switch, a busy sign.

The Voilà pages in the repository's ``app/`` folder each hold one code cell::

    import simkit.workbook
    from simkit.app.webapp import lesson_page
    lesson_page(simkit.workbook.funnel_dashboard)

:func:`lesson_page` calls the workbook's dashboard function with a language,
wraps its ``.widget`` with an English / 中文 switch (rebuilding the dashboard
in the other language and carrying the slider values over) and an "updating"
sign that shows while the kernel recomputes. Page layout for a 1280x720
projector and laptop screens is plain CSS in :data:`PAGE_CSS`.

The page language comes from the address (``...ipynb?lang=zh``: Voilà hands a
page's query string to its kernel as ``QUERY_STRING``), else from
``SIMKIT_LANG`` (set by ``simkit app --lang``), else English.

Needs the ``notebooks`` extra (ipywidgets); ``import simkit`` does not import it.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from collections.abc import Callable
from urllib.parse import parse_qs

from simkit.model.errors import SimkitInputError

__all__ = ["LANG_ENV", "PAGE_CSS", "TABLES_CSS", "LessonPage", "lesson_page", "page_columns",
           "page_language", "projector_layout"]

LANG_ENV = "SIMKIT_LANG"
# The languages of simkit.course.i18n (not imported here so the CLI starts without it).
LANGUAGES = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}
BUSY_TEXT = {"en": "updating…", "zh": "计算中…"}
#: Outputs shown in the left column, under the controls (the rest go right, chart first,
#: a dashboard's ``tabs`` as one set of tabs where its first tab would go);
#: the room server (simkit.app.room_web) lays its pages out by the same rule.
LEFT_CLASSES = frozenset({"simkit-headline", "simkit-seed", "simkit-feedback", "simkit-notes"})

# Why each rule: the lab template gives outputs a wide left prompt gutter and
# small fonts that are unreadable on a projector; charts are PNGs whose
# natural width can exceed a laptop window, so they scale down instead of
# making the page scroll sideways.
# The tables' style, shared with the room page (static/tables.css).
TABLES_CSS = resources.files("simkit.app").joinpath("static", "tables.css").read_text(
    encoding="utf-8")
PAGE_CSS = """
<style>
body, .jp-RenderedHTMLCommon { font-size: 16px; }
.jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
.jp-OutputArea-output { width: 100%; }
/* The page's title and the collapsible explanation above the dashboard. */
#rendered_cells .jp-Cell { padding: 0 12px; }
.jp-RenderedHTMLCommon h1 { font-size: 24px; margin: 6px 0 2px 0; line-height: 1.25; }
.jp-RenderedHTMLCommon details { font-size: 16px; margin: 0 0 2px 0; }
.jp-RenderedHTMLCommon details > summary { cursor: pointer; color: #3b6ea5; }
.jp-RenderedHTMLCommon p { margin-bottom: 4px; }
.simkit-page { max-width: 1260px; margin: 0 auto; font-size: 16px; }
.simkit-page img { max-width: 100%; height: auto; }
/* Readable from the back of a room: nothing under 16 px outside the charts. */
.simkit-page .widget-label, .simkit-page .widget-readout, .simkit-page .widget-html-content,
.simkit-page select, .simkit-page option, .simkit-page button, .simkit-page table,
.simkit-page .widget-checkbox label, .simkit-page .widget-label-basic span {
  font-size: 16px;
}
.simkit-page .widget-dropdown > select, .simkit-page .widget-select > select { height: auto; }
/* Footnotes (seed, replications) are read from the back of the room too. */
.simkit-page small { font-size: 16px; color: #555; }
/* A check box's label wraps instead of ending in "…". */
.simkit-page .widget-checkbox { width: auto; height: auto; }
.simkit-page .widget-checkbox label, .simkit-page .widget-checkbox span {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto;
}
/* Long course terms wrap instead of being cut to "Stages that can still sign thi…". */
.simkit-page .widget-inline-hbox { height: auto; min-height: var(--jp-widgets-inline-height); }
.simkit-page .widget-inline-hbox > .widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25;
  height: auto; align-self: center;
}
.simkit-page-header { align-items: center; gap: 16px; margin-bottom: 4px; }
/* Controls and headline numbers on the left, the main chart beside them. */
.simkit-columns { gap: 16px; align-items: flex-start; width: 100%; }
.simkit-left { flex: 0 0 500px; width: 500px; }
.simkit-left .widget-slider, .simkit-left .widget-dropdown, .simkit-left .widget-select-multiple {
  width: 490px !important;
}
.simkit-right { flex: 1 1 auto; min-width: 0; overflow-x: auto; }
.simkit-chart img { display: block; max-width: 100%; height: auto; max-height: calc(100vh - 130px);
  width: auto; }
/* A dashboard's tabs (lessons 4, 7, 10: the chart, then tables): titles as large as the text,
   the chart under them still inside a 720 px projector. */
.simkit-page .simkit-tabs { --jp-widgets-horizontal-tab-height: 34px;
  --jp-widgets-horizontal-tab-width: 130px; --jp-widgets-font-size: 16px; }
.simkit-page .simkit-tabs > .lm-TabBar .lm-TabBar-tab { font-size: 16px; color: #3b6ea5; }
.simkit-page .simkit-tabs > .lm-TabBar .lm-TabBar-tab.lm-mod-current { color: #222; }
.simkit-page .simkit-tabs > .widget-tab-contents { padding: 6px 0 0 0; }
.simkit-page .simkit-tabs .widget-html-content { line-height: 1.35; }
.simkit-tabs .simkit-chart img { max-height: calc(100vh - 200px); }
.simkit-table table, table.simkit-table { border-collapse: collapse; }
.simkit-busy .widget-html-content { color: #b35c00; font-weight: 600; }
.simkit-notice .widget-html-content { color: #a12c2c; }
.simkit-busy-on .widget-html-content::before {
  content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  border: 2px solid #d9822b; border-top-color: transparent; border-radius: 50%;
  vertical-align: -1px; animation: simkit-spin 0.8s linear infinite;
}
@keyframes simkit-spin { to { transform: rotate(360deg); } }
""" + TABLES_CSS + "</style>\n"


def projector_layout(dashboard):
    """The dashboard's widgets for a 1280x720 projector: controls and headline numbers on
    the left, the main chart (then any tables) on the right; ``dashboard.widget`` for an
    object without named ``controls`` / ``outputs``."""
    import ipywidgets as w

    controls = getattr(dashboard, "controls", None)
    outputs = getattr(dashboard, "outputs", None)
    if not isinstance(controls, dict) or not isinstance(outputs, dict):
        return dashboard.widget

    tabs = getattr(dashboard, "tabs", None) or {}
    left, right = page_columns({n: tuple(o._dom_classes) for n, o in outputs.items()}, tabs)

    def place(name):
        if name is not None:
            return outputs[name]
        from simkit.workbook._common import tab_widget

        return tab_widget([outputs[n] for n in tabs], list(tabs.values()))

    right = [place(n) for n in right]
    lcol = w.VBox([*controls.values(), *[outputs[n] for n in left]])
    rcol = w.VBox(right)
    lcol.add_class("simkit-left")
    rcol.add_class("simkit-right")
    box = w.HBox([lcol, rcol] if right else [lcol])
    box.add_class("simkit-columns")
    box.add_class(f"simkit-dashboard-{getattr(dashboard, 'name', 'page')}")
    return box


def page_columns(outputs: dict[str, tuple[str, ...]], tabs=()) -> tuple[list, list]:
    """A page's outputs by column, from their CSS classes: (left names, right names).

    Left: the headline numbers and notes (:data:`LEFT_CLASSES`), under the controls.
    Right: the rest, charts first; the outputs named in ``tabs`` become one entry,
    ``None``, where the first of them would have gone (a set of tabs).
    """
    tabs = set(tabs)
    left = [n for n, css in outputs.items() if n not in tabs and LEFT_CLASSES & set(css)]
    right = sorted((n for n in outputs if n not in left),
                   key=lambda n: "simkit-chart" not in outputs[n])
    if tabs:
        at = next(i for i, n in enumerate(right) if n in tabs)
        right = [n for n in right if n not in tabs]
        right.insert(at, None)
    return left, right


def page_language(default: str = "en") -> str:
    """The language a page opens in: ``?lang=`` in its address, else ``SIMKIT_LANG``."""
    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    for lang in (*query.get("lang", []), os.environ.get(LANG_ENV, ""), default):
        if lang in LANGUAGES:
            return lang
    return "en"


def _inline_charts() -> None:
    # The dashboards display matplotlib Figures built without pyplot; a kernel
    # only renders those as PNG once the inline backend's formatters are on
    # (what `%matplotlib inline` does in the workbook). Without it a page
    # shows "<Figure size ...>" text instead of the chart.
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and hasattr(shell, "run_line_magic"):
        shell.run_line_magic("matplotlib", "inline")


def _controls(dashboard) -> dict:
    """The dashboard's named input widgets (sliders, dropdowns, toggles)."""
    import ipywidgets as w

    controls = getattr(dashboard, "controls", None)
    if isinstance(controls, dict):
        return dict(controls)
    outputs = (w.HTML, w.HTMLMath, w.Label, w.Textarea, w.Valid)
    return {name: value for name, value in vars(dashboard).items()
            if isinstance(value, w.ValueWidget) and not isinstance(value, outputs)}


def _tabs_in(widget) -> list:
    """The sets of tabs under ``widget``, in page order."""
    import ipywidgets as w

    found = [widget] if isinstance(widget, w.Tab) else []
    for child in getattr(widget, "children", ()):
        found += _tabs_in(child)
    return found


def _lang_css(lang: str) -> str:
    """A style that hides the page text written in the other language."""
    other = "zh" if lang == "en" else "en"
    return f"<style>.simkit-lang-{other} {{ display: none !important; }}</style>"


class LessonPage:
    """A dashboard with a language switch and an "updating" sign, as one widget."""

    def __init__(self, make_dashboard: Callable, lang: str | None = None):
        import ipywidgets as w

        lang = page_language() if lang is None else lang
        if lang not in LANGUAGES:
            raise SimkitInputError("lang", lang, "one of " + ", ".join(LANGUAGES))
        self._make = make_dashboard
        _inline_charts()
        from IPython import get_ipython

        if get_ipython() is not None:
            # An app page's kernel draws every chart for the projector.
            from simkit.workbook import plots

            plots.projector_style()
        self.switch = w.ToggleButtons(options=[(LANG_NAMES[x], x) for x in LANGUAGES],
                                      value=lang, style={"button_width": "90px"})
        self.switch.add_class("simkit-lang")
        self.busy = w.HTML("")
        self.busy.add_class("simkit-busy")
        self.notice = w.HTML("")
        self.notice.add_class("simkit-notice")
        self.body = w.Box(layout=w.Layout(width="100%"))
        header = w.HBox([self.switch, self.busy, self.notice])
        header.add_class("simkit-page-header")
        # A <style> applies even inside a hidden element; hidden, it takes no room.
        css = w.HTML(PAGE_CSS, layout=w.Layout(display="none"))
        # The page's title and explanation are written in both languages
        # (simkit.app.pages); this style shows only the chosen one.
        self.lang_css = w.HTML(_lang_css(lang), layout=w.Layout(display="none"))
        self.widget = w.VBox([css, self.lang_css, header, self.body])
        self.widget.add_class("simkit-page")
        self.dashboard = None
        self._build(lang, {})
        self.switch.observe(self._on_language, "value")
        from simkit.workbook._guard import guard

        guard(self.switch, name="language switch", on_refused=self._show_notice)

    @property
    def lang(self) -> str:
        return self.switch.value

    def _build(self, lang: str, carry: dict) -> None:
        # A dashboard's session (the coaching team's seed) survives a language switch.
        session = getattr(self.dashboard, "session_kwargs", None) or {}
        dashboard = self._make(lang=lang, **session)
        controls = _controls(dashboard)
        for name, value in carry.items():
            if name in controls:
                # An option the other language lacks keeps the dashboard's default.
                with contextlib.suppress(Exception):
                    controls[name].value = value
        for control in controls.values():
            self._watch(control)
        self.dashboard = dashboard
        self.lang_css.value = _lang_css(lang)
        # The tab a trainer had open (lesson 10's scorecard) stays open in the other language.
        was = _tabs_in(self.body)
        self.body.children = [projector_layout(dashboard)]
        for old, new in zip(was, _tabs_in(self.body)):
            if old.selected_index is not None and old.selected_index < len(new.children):
                new.selected_index = old.selected_index
        self._relay_notices(dashboard)
        self._guard_page()

    def _relay_notices(self, dashboard) -> None:
        # The dashboard's notice line (a refused value, a failed recomputation)
        # is shown in the page header, next to the "updating" sign.
        notice = getattr(dashboard, "notice", None)
        if notice is not None:
            notice.observe(lambda change: self._show_notice(change["new"], escaped=True),
                           "value")

    def _show_notice(self, text: str, escaped: bool = False) -> None:
        import html

        self.notice.value = text if escaped else html.escape(text)

    def _guard_page(self) -> None:
        # Containers, text and charts accept nothing from the browser; the
        # controls were guarded by their dashboard, the switch below.
        from simkit.workbook._guard import guard_outputs

        guard_outputs(self.widget, skip=[self.switch])

    def _watch(self, control) -> None:
        # The sign must reach the browser *before* the dashboard's own (slow)
        # observer runs, and traitlets calls observers in registration order,
        # which the dashboard registered first; so ours goes to the front.
        # Widget messages leave through ipykernel's IOPub thread, so the
        # browser sees "updating" while the kernel is still computing.
        notifiers = control._trait_notifiers.setdefault("value", {}).setdefault("change", [])
        notifiers.insert(0, self._busy_on)
        control.observe(self._busy_off, "value")

    def _busy_on(self, change=None) -> None:
        self.busy.value = BUSY_TEXT[self.lang]
        self.busy.add_class("simkit-busy-on")

    def _busy_off(self, change=None) -> None:
        self.busy.value = ""
        self.busy.remove_class("simkit-busy-on")

    def _on_language(self, change) -> None:
        if change["new"] == getattr(self.dashboard, "lang", None):
            return  # the switch put back after a failed rebuild
        carry = {name: c.value for name, c in _controls(self.dashboard).items()}
        self._busy_on()
        try:
            self._build(change["new"], carry)
        except Exception:
            # Logged on the server; the page keeps its language and says so briefly.
            import logging

            from simkit.workbook._guard import ERROR_TEXT

            logging.getLogger("simkit.app").exception("language switch to %s failed",
                                                      change["new"])
            self.switch.value = change["old"]
            self._show_notice(ERROR_TEXT)
        finally:
            self._busy_off()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def lesson_page(make_dashboard: Callable, lang: str | None = None) -> LessonPage:
    """Build one app page around ``make_dashboard(lang=...)``; display the result."""
    return LessonPage(make_dashboard, lang=lang)
