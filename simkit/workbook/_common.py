"""Shared pieces of the dashboards: sliders built from parameter fields, the Dashboard object."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable

import ipywidgets as W
from pydantic import BaseModel

from simkit.model.errors import SimkitInputError
from simkit.course.i18n import get_language, t
from simkit.workbook._guard import ERROR_TEXT, guard, spec_of

log = logging.getLogger("simkit.app")

__all__ = ["Chart", "ChartOutput", "Dashboard", "field_bounds", "field_slider", "html_out",
           "output", "resolve_lang", "show_chart", "show_figure", "slider", "tab_widget",
           "table_html"]

_STYLE = {"description_width": "15em"}
_LAYOUT = {"width": "30em"}


def resolve_lang(lang: str | None) -> str:
    lang = get_language() if lang is None else lang
    if lang not in ("en", "zh"):
        raise SimkitInputError("lang", lang, "'en' or 'zh'")
    return lang


def field_bounds(model: type[BaseModel], field: str) -> tuple[float | None, float | None, str]:
    """(lowest allowed, highest allowed, description) read from a pydantic field's metadata."""
    info = model.model_fields[field]
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
    return lo, hi, info.description or ""


def field_slider(model: type[BaseModel], field: str, value: float, *, key: str, lang: str,
                 lo: float | None = None, hi: float, step: float, integer: bool = False,
                 css: str | None = None, fmt: str | None = None):
    """A slider for one scenario field.

    The field's own bounds (ge/gt/le) cap the teaching range ``lo..hi``, so a
    slider can never produce a value the scenario would reject; the field's
    description is the tooltip, the label is the course's term in ``lang``.
    """
    f_lo, f_hi, desc = field_bounds(model, field)
    lo = f_lo if lo is None else lo if f_lo is None else max(lo, f_lo)
    if lo is None:
        raise ValueError(f"{model.__name__}.{field} has no lower bound; pass lo=")
    if f_hi is not None:
        hi = min(hi, f_hi)
    return slider(key, value, lo, hi, step, lang=lang, integer=integer, css=css, fmt=fmt,
                  tooltip=desc)


def slider(key: str, value: float, lo: float, hi: float, step: float, *, lang: str,
           integer: bool = False, css: str | None = None, fmt: str | None = None,
           tooltip: str = ""):
    """A labelled slider that reports only on release (callbacks may simulate)."""
    cls = W.IntSlider if integer else W.FloatSlider
    kw = {} if integer else {"readout_format": fmt or ".2f"}
    s = cls(value=value, min=lo, max=hi, step=step, description=t(key, lang),
            continuous_update=False, style=_STYLE, layout=_LAYOUT, tooltip=tooltip, **kw)
    s.add_class("simkit-slider")
    if css:
        s.add_class(css)
    return s


def table_html(rows: Iterable[tuple[str, str]], css: str = "simkit-table") -> str:
    """A two-column HTML table (label, value) for the headline numbers."""
    body = "".join(
        f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(k)}</td>"
        f"<td style='text-align:right;font-weight:bold'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table class='{css}'>{body}</table>"


class Dashboard:
    """What every ``*_dashboard`` function returns.

    ``widget`` is the top-level container to display; ``controls`` maps names
    to the input widgets and ``outputs`` to the output widgets, each also an
    attribute (``d.leads``, ``d.headline``); ``values`` holds the numbers the
    dashboard shows, so tests and notebooks can read them without a browser.
    Setting a control's ``.value`` recomputes everything.

    Every control is guarded (:mod:`simkit.workbook._guard`): what a browser
    sends is checked in the kernel against the control's own bounds and
    options as built here, before anything is recomputed; a refused value
    leaves the control, the numbers and the simulation untouched and puts a
    short bilingual line in ``notice`` (an HTML widget that pages display).
    ``tabs`` (output name -> tab title, in the page's language and tab order) names
    outputs a page shows as tabs, one at a time, the first open: the app's pages
    (:func:`simkit.app.webapp.projector_layout` and the room server) keep a long
    page inside a projector's 720 px this way, every table one click away.
    A recomputation that fails after a control changed is logged (logger
    ``simkit.app``) and leaves the last good numbers on screen with a notice:
    no traceback reaches the browser. ``refused`` counts refused messages.
    """

    def __init__(self, name: str, lang: str, controls: dict, outputs: dict,
                 compute: Callable[[Dashboard], None], layout: Callable[[Dashboard], W.Widget],
                 tabs: dict[str, str] | None = None):
        self.name = name
        self.lang = lang
        self.controls = controls
        self.outputs = outputs
        self.tabs = dict(tabs or {})
        unknown = [k for k in self.tabs if k not in outputs]
        if unknown:
            raise SimkitInputError("tabs", unknown[0], "one of the outputs: " + ", ".join(outputs))
        self.values: dict = {}
        self.refused = 0
        self.notice = html_out("simkit-notice")
        self._compute = compute
        for k, w in {**controls, **outputs}.items():
            setattr(self, k, w)
        self.widget = layout(self)
        self.widget.add_class(f"simkit-dashboard-{name}")
        self.specs = {k: guard(w, spec_of(w), name=f"{name}.{k}", on_refused=self._refused)
                      for k, w in controls.items()}
        for w in controls.values():
            w.observe(self._changed, names="value")
        self.update()

    def _refused(self, text: str) -> None:
        self.refused += 1
        self.notice.value = html.escape(text)

    def _changed(self, change) -> None:
        try:
            self.update()
        except Exception:
            # Logged here, on the server; the browser gets one short line.
            log.exception("%s dashboard: recomputing failed", self.name)
            self.notice.value = html.escape(ERROR_TEXT)
        else:
            self.notice.value = ""

    def update(self) -> None:
        """Recompute from the controls' current values."""
        self._compute(self)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"<simkit {self.name} dashboard ({self.lang}): {', '.join(self.controls)}>"


#: Resolution the charts are drawn at (pixels per inch of figure size).
CHART_DPI = 100
#: Colours a chart's picture keeps (a palette PNG; None: every colour drawn).
CHART_COLORS = 64


def figure_html(fig, dpi: int = CHART_DPI, colors: int | None = CHART_COLORS) -> str:
    """A figure as an ``<img>`` (inline PNG) that never grows past its drawn size.

    ``data-min-text-px`` is the smallest text in the picture, in pixels at its
    natural size: a page's text on screen is that times the shown / natural
    width (browser tests check it against the projector's 12 px).

    The picture keeps ``colors`` colours (a palette PNG): the charts use a handful of
    colours and their antialiased edges, so it looks the same at about a quarter of the
    bytes (lesson 10's chart: 71 kB -> 19 kB) and encodes faster; every viewer's browser
    receives, reads and decodes it on every move.
    """
    import base64
    import io

    width, height = (round(v * dpi) for v in fig.get_size_inches())
    buf = io.BytesIO()
    png = None
    if colors:
        # Drawn once as raw pixels, then one paletted encoding (matplotlib's own PNG
        # encoding of the full-colour picture is skipped).
        fig.savefig(buf, format="rgba", dpi=dpi)
        raw = buf.getvalue()
        if len(raw) == width * height * 4:
            from PIL import Image  # pillow: declared, and matplotlib's own dependency

            picture = Image.frombuffer("RGBA", (width, height), raw).convert("RGB")
            out = io.BytesIO()
            picture.quantize(colors, method=Image.Quantize.FASTOCTREE).save(out, format="png")
            png = out.getvalue()
        buf = io.BytesIO()
    if png is None:
        fig.savefig(buf, format="png", dpi=dpi)
        png = buf.getvalue()
    min_px = _min_text_pt(fig) * dpi / 72
    data = base64.b64encode(png).decode("ascii")
    return (f"<img class='simkit-chart-img' src='data:image/png;base64,{data}' "
            f"width='{width}' height='{height}' data-min-text-px='{min_px:.1f}' "
            f"style='max-width:100%;height:auto' alt=''>")


def _min_text_pt(fig) -> float:
    """Font size (points) of the smallest visible non-empty text in ``fig``."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else 0.0


def tab_widget(children: list, titles: list[str], css: str = "simkit-tabs") -> W.Tab:
    """Widgets shown one at a time under a row of tab titles, the first open."""
    tab = W.Tab(children=list(children), titles=list(titles), selected_index=0)
    tab.add_class(css)
    return tab


def show_figure(out: W.HTML, fig) -> None:
    """Show a figure in a chart widget (an HTML widget holding the picture).

    The figure is kept on the widget (``out.figure``) for tests; outside a
    kernel (pytest) it is not drawn, which keeps dashboard tests fast.
    A figure that fails to draw is logged on the server, never shown as a
    traceback in the page.
    """
    from IPython import get_ipython

    out.figure = fig
    if get_ipython() is None:
        return
    try:
        out.value = figure_html(fig)
    except Exception:
        log.exception("drawing a chart failed")


class Chart:
    """A chart still to be built: the function that makes its figure and its arguments.

    Kept instead of the figure by :func:`show_chart` outside a kernel, so the room
    server (:mod:`simkit.app.room`) can build the figure where it draws it (its chart
    process), after the page has its new numbers: building a figure of a few hundred
    artists can cost as much as drawing it (lesson 10's: 0.03-0.2 s). ``build`` is a module-level
    function and the arguments are plain values, so a chart pickles in well under a
    millisecond; they must not change after the chart is made (the dashboards pass
    values they keep and never modify).
    """

    __slots__ = ("build_fn", "args", "kwargs")

    def __init__(self, build: Callable, *args, **kwargs):
        self.build_fn, self.args, self.kwargs = build, args, kwargs

    def build(self):
        """The figure."""
        return self.build_fn(*self.args, **self.kwargs)


class ChartOutput(W.HTML):
    """A chart's place on a dashboard: an HTML widget holding the picture.

    ``figure`` is the figure shown (for tests); shown with :func:`show_chart` outside a
    kernel, it is built on first use from ``chart`` (the :class:`Chart` to draw).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._figure = None
        self.chart: Chart | None = None

    @property
    def figure(self):
        if self._figure is None and self.chart is not None:
            self._figure = self.chart.build()
        return self._figure

    @figure.setter
    def figure(self, fig) -> None:
        self._figure, self.chart = fig, None


def show_chart(out: W.HTML, build: Callable, *args, **kwargs) -> None:
    """:func:`show_figure` of ``build(*args, **kwargs)``, the figure built only when needed.

    In a kernel (the notebooks, the Voilà pages) the figure is built and drawn at once, as
    :func:`show_figure` does. Outside one (the room server, tests) the widget keeps the
    :class:`Chart` (``out.chart``) and builds the figure when ``out.figure`` is first read.
    """
    from IPython import get_ipython

    chart = Chart(build, *args, **kwargs)
    if get_ipython() is None and isinstance(out, ChartOutput):
        out._figure, out.chart = None, chart
        return
    show_figure(out, chart.build())


def output(css: str) -> ChartOutput:
    """A chart's place on a dashboard (an HTML widget: see :func:`show_figure`)."""
    o = ChartOutput()
    o.add_class(css)
    return o


def html_out(css: str) -> W.HTML:
    h = W.HTML()
    h.add_class(css)
    return h
