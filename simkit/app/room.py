"""The room server's engine: the lesson dashboards computed on request, no kernel per viewer.

The Voilà pages give every viewer a Jupyter kernel holding its own copy of a
dashboard (~200-270 MB each). :class:`Room` holds one dashboard per lesson page
and language, built by the same workbook functions the Voilà pages call
(:data:`simkit.app.pages.LESSONS`), and answers "these control values, what
numbers and chart?" for every viewer:

1. **validate** each value on the server against the control's own limits as
   the dashboard built it (:func:`simkit.workbook._guard.spec_of`, the same
   specs that guard the widgets): an unknown control, a value of the wrong
   type, out of range or not an option raises :class:`RoomInputError`, whose
   ``text`` is one short line in English and Chinese (no traceback, no path);
2. **look up** the answer in an LRU cache keyed by (page, language, session,
   every control's value), at most ``cache_size`` answers
   (:data:`CACHE_SIZE`; an answer is the outputs' HTML, the chart a palette PNG
   of ~10-30 kB, so the default bound is ~10 MB): many viewers moving to the
   same values cost one computation;
3. on a miss, **compute** under the dashboard's lock (so one dashboard never
   computes two requests at once, and a request that waited for another with
   the same values finds its answer in the cache), with at most ``workers``
   computations at once in the whole process: set every control (values not
   sent keep the dashboard's defaults, so an answer depends on the values
   alone), recompute once, read the outputs' HTML;
4. **draw the charts** after that (:meth:`Room.numbers` then :meth:`Room.charts`;
   :meth:`Room.render` does both): a chart is drawn from ``out.figure`` with
   :func:`simkit.workbook._common.figure_html`, one drawing at a time in the
   process. Drawing is most of the cost (~40 ms of ~50 ms on a calculator page),
   so the numbers can go to the page at once and the chart follow. Every dashboard
   shows its chart with :func:`simkit.workbook._common.show_chart`, which leaves the
   figure unbuilt (``out.chart``, a recipe): it is built where it is drawn, so building
   it (lesson 10's two panels: 0.03-0.2 s, 70-90% of its computation; the headline
   page's up to 0.13 s) no longer delays the numbers nor holds this process's
   interpreter. A recipe drawn already (a chart that does not change with the
   controls: the coaching page's team) is not drawn again.

The coaching page has a session (the team's seed, ``?seed=N``, shown on the
page so a trainer can replay it): its dashboards are kept per seed, at most
:data:`MAX_SESSIONS` of them (least recently used first out).

Needs ipywidgets and matplotlib (the ``app`` extra); ``import simkit`` does not import it.
"""

from __future__ import annotations

import inspect
import logging
import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from simkit.app.pages import LESSONS, Lesson
from simkit.model.errors import SimkitInputError

__all__ = ["CACHE_SIZE", "MAX_SESSIONS", "WORKERS", "Control", "PageModel", "Room",
           "RoomAbandonedError", "RoomBusyError", "RoomComputeError", "RoomInputError",
           "page_id"]

log = logging.getLogger("simkit.app")

#: Answers kept (LRU): page x language x values; ~10 MB at the default (palette charts).
CACHE_SIZE = 256
#: Coaching sessions (team seeds) whose dashboards are kept, per language.
MAX_SESSIONS = 8
#: Computations at once (the machine's two cores; Python runs one at a time anyway).
WORKERS = 2
# The bounds a room accepts (memory: 4,096 answers ~0.3 GB, 8 chart processes ~0.8 GB).
MAX_CACHE_SIZE, MAX_WORKERS, MAX_CHART_PROCESSES = 4096, 16, 8
LANGUAGES = ("en", "zh")
#: Pictures kept by the recipe they were drawn from (see Room._picture).
_PICTURES = 16
_SESSION_ARG = "team_seed"


def page_id(lesson: Lesson) -> str:
    """The page's name in addresses: ``06-forecast``."""
    return lesson.filename.removesuffix(".ipynb")


class RoomInputError(SimkitInputError):
    """A request the room refuses; ``text`` is one line in English / Chinese."""

    def __init__(self, field: str, value, en: str, zh: str):
        super().__init__(field, _short(value), en)
        self.text = f"{en} / {zh}"


class RoomComputeError(RuntimeError):
    """Recomputing failed (logged on the server; the page keeps its last numbers)."""


class RoomBusyError(RuntimeError):
    """More requests waiting than the room queues."""


class RoomAbandonedError(RuntimeError):
    """Charts not drawn: every viewer who waited for them has gone."""


@dataclass
class Control:
    """What a page needs to draw one control and what the server accepts for it."""

    name: str
    kind: str  # number | bool | one | many
    label: str
    value: object  # the dashboard's default: a number, a bool, an index or a tuple of indices
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    integer: bool = False
    fmt: str = ""
    options: tuple[str, ...] = ()
    css: tuple[str, ...] = ()


@dataclass
class PageModel:
    """A lesson page in one language: its controls and outputs, in the dashboard's order."""

    lesson: Lesson
    lang: str
    name: str  # the dashboard's name (simkit-dashboard-NAME)
    controls: dict[str, Control]
    outputs: dict[str, tuple[str, ...]]  # name -> the output's CSS classes
    session: int | None = None
    specs: dict = field(default_factory=dict, repr=False)
    tabs: dict[str, str] = field(default_factory=dict)  # output name -> tab title, in order


@dataclass
class _Entry:
    dashboard: object
    model: PageModel
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Pending:
    """An answer between its numbers and its charts.

    ``waiting`` counts the viewers still waiting for its charts (:meth:`join` /
    :meth:`leave`); when the last one leaves (the page asked for other values and gave
    this request up), its charts are abandoned: not drawn unless someone asks again."""

    def __init__(self, numbers: dict[str, str], figures: dict):
        self.numbers, self.figures = numbers, figures
        self.result: dict[str, str] | None = None
        self.lock = threading.Lock()
        self.waiting = 0
        self.abandoned = False
        self._count = threading.Lock()

    def join(self) -> None:
        with self._count:
            self.waiting += 1
            self.abandoned = False

    def leave(self) -> bool:
        """One viewer less; True when it was the last and the charts are now given up."""
        with self._count:
            self.waiting -= 1
            was = self.abandoned
            self.abandoned = self.waiting <= 0 and self.result is None
            return self.abandoned and not was


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Room:
    """The lesson dashboards, one per page and language, computed for any number of viewers."""

    def __init__(self, lessons=LESSONS, *, cache_size: int = CACHE_SIZE, workers: int = WORKERS,
                 projector: bool = True, dashboard_kwargs: dict | None = None,
                 chart_processes: int = 0):
        # Sized before anything starts: each answer kept is ~80 kB, each worker may hold a
        # simulation, each chart process is a Python with matplotlib (~100 MB).
        for name, value, lo, hi in (("cache_size", cache_size, 1, MAX_CACHE_SIZE),
                                    ("workers", workers, 1, MAX_WORKERS),
                                    ("chart_processes", chart_processes, 0, MAX_CHART_PROCESSES)):
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise SimkitInputError(name, value, f"a whole number from {lo} to {hi}")
        import simkit.workbook
        from simkit.workbook import plots

        if projector:
            # Charts sized and lettered for the 1280x720 page (as the Voilà pages' kernels do).
            plots.projector_style()
        self._workbook = simkit.workbook
        self.lessons = {page_id(le): le for le in lessons}
        self.cache_size = cache_size
        self.workers = workers
        self.dashboard_kwargs = dict(dashboard_kwargs or {})
        self._slots = threading.BoundedSemaphore(workers)
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._entries_lock = threading.Lock()
        self._build_locks: dict[tuple, threading.Lock] = {}
        self._cache: OrderedDict[tuple, dict[str, str]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # Answers whose numbers are known and whose charts are still to be drawn.
        self._pending: OrderedDict[tuple, _Pending] = OrderedDict()
        self._pending_lock = threading.Lock()
        self._draw_lock = threading.Lock()
        # The pictures of the last charts drawn, by the recipe (Chart) they were drawn from:
        # a dashboard whose chart does not change with its controls (the coaching page's
        # team) keeps one recipe for all its answers, drawn once.
        self._pictures: OrderedDict[int, tuple[object, str]] = OrderedDict()
        # Drawings under way at once (one per chart process, or one here): a request
        # waits for its turn here, not in the process pool's queue, so one given up
        # meanwhile is not drawn.
        self._drawing = threading.BoundedSemaphore(max(1, chart_processes))
        #: Charts drawn, and answers whose charts every waiting viewer gave up (counted
        #: when the last one leaves, whether or not its wait had reached a thread).
        self.drawn = 0
        self.abandoned = 0
        self._tally_lock = threading.Lock()  # the counters move in several threads
        # Charts drawn in worker processes (a figure pickles in 2-8 ms): drawing, most of
        # an answer's cost, then uses another core and never holds this process's GIL
        # while the next viewers' numbers are computed. 0: drawn here, one at a time.
        self._drawers = None
        if chart_processes > 0:
            import multiprocessing
            import os
            from concurrent.futures import ProcessPoolExecutor

            self._drawers = ProcessPoolExecutor(
                max_workers=chart_processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_drawer_start, initargs=(os.getpid(), projector))
            self._drawers.submit(_draw, None).result()  # started and its imports done
        #: Dashboards computed for a request (cache misses) and answers found in the cache.
        self.computations = 0
        self.hits = 0

    # ------------------------------------------------------------------ pages
    def lesson(self, page: str) -> Lesson:
        try:
            return self.lessons[page]
        except (KeyError, TypeError):
            raise RoomInputError("page", page, "no such page", "没有这个页面") from None

    def has_session(self, page: str) -> bool:
        """Whether the page's dashboard takes a session seed (the coaching page)."""
        fn = getattr(self._workbook, self.lesson(page).dashboard)
        return _SESSION_ARG in inspect.signature(fn).parameters

    def new_session(self) -> int:
        """A fresh team seed (as the Voilà page draws one per visit)."""
        return 1000 + secrets.randbelow(9000)

    def _session(self, page: str, session) -> int | None:
        if not self.has_session(page):
            return None
        if session is None:
            return self.new_session()
        if isinstance(session, str) and session.isdigit():
            session = int(session)
        if isinstance(session, bool) or not isinstance(session, int) \
                or not 0 < session < 1_000_000:
            raise RoomInputError("seed", session, "the session seed must be a whole number "
                                 "from 1 to 999999", "会话种子必须是 1 到 999999 之间的整数")
        return session

    def _lang(self, lang) -> str:
        if lang not in LANGUAGES:
            raise RoomInputError("lang", lang, "the language must be en or zh",
                                 "语言必须是 en 或 zh")
        return lang

    def model(self, page: str, lang: str, session=None) -> PageModel:
        """The page's controls and outputs (builds its dashboard the first time)."""
        return self._entry(page, lang, session).model

    def chart_names(self, page: str, lang: str, session=None) -> frozenset[str]:
        """The page's outputs that are charts (sent after the numbers)."""
        return frozenset(n for n, css in self.model(page, lang, session).outputs.items()
                         if "simkit-chart" in css)

    def dashboard(self, page: str, lang: str, session=None):
        """The page's dashboard as last computed (``.values`` holds its numbers)."""
        return self._entry(page, lang, session).dashboard

    def _entry(self, page: str, lang: str, session=None) -> _Entry:
        lesson = self.lesson(page)
        lang = self._lang(lang)
        session = self._session(page, session)
        key = (page, lang, session)
        with self._entries_lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        with build_lock:  # two first viewers of a page build its dashboard once
            with self._entries_lock:
                entry = self._entries.get(key)
            if entry is None:
                with self._slots:
                    entry = self._build(lesson, lang, session)
                with self._entries_lock:
                    self._entries[key] = entry
                    self._forget_sessions(page, lang)
        with self._entries_lock:
            self._build_locks.pop(key, None)
        return entry

    def _forget_sessions(self, page: str, lang: str) -> None:
        sessions = [k for k in self._entries if k[:2] == (page, lang) and k[2] is not None]
        for k in sessions[:max(0, len(sessions) - MAX_SESSIONS)]:
            del self._entries[k]

    def _build(self, lesson: Lesson, lang: str, session: int | None) -> _Entry:
        from simkit.workbook._guard import spec_of

        fn = getattr(self._workbook, lesson.dashboard)
        kwargs = dict(self.dashboard_kwargs.get(lesson.dashboard, {}))
        if session is not None:
            kwargs[_SESSION_ARG] = session
        d = fn(lang=lang, **kwargs)
        # The room sets every control and then recomputes once, itself: the widget
        # observer that recomputes on each change is taken off.
        for w in d.controls.values():
            w.unobserve(d._changed, names="value")
        specs = {name: spec_of(w) for name, w in d.controls.items()}
        controls = {name: _describe(name, w, specs[name]) for name, w in d.controls.items()}
        outputs = {name: tuple(w._dom_classes) for name, w in d.outputs.items()}
        model = PageModel(lesson, lang, d.name, controls, outputs, session, specs,
                          dict(getattr(d, "tabs", None) or {}))
        return _Entry(d, model)

    # ------------------------------------------------------------------ values
    def normalise(self, model: PageModel, values) -> tuple:
        """Every control's value (defaults for those not given), checked; the cache key part."""
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise RoomInputError("values", values, "the values must be a set of named values",
                                 "数值必须是按控件名称给出的一组值")
        unknown = [k for k in values if k not in model.controls]
        if unknown:
            name = _short(unknown[0])
            raise RoomInputError(str(unknown[0]), unknown[0],
                                 f"this page has no control named {name}",
                                 f"本页没有名为 {name} 的控件")
        out = []
        for name, c in model.controls.items():
            v = values.get(name, c.value)
            spec = model.specs[name]
            key = "index" if c.kind in ("one", "many") else "value"
            if spec.check(key, v) is not None:
                raise _refused(c, v)
            if c.kind == "number":
                v = int(v) if c.integer else round(float(v), 10)
            elif c.kind == "many":
                v = tuple(sorted(v))
            out.append(v)
        return tuple(out)

    # ------------------------------------------------------------------ answers
    def render(self, page: str, lang: str, values=None, session=None) -> dict[str, str]:
        """The page's outputs (name -> HTML) for ``values``: from the cache or computed."""
        key, outputs, pending = self.numbers(page, lang, values, session)
        return outputs if pending is None else self.charts(key, pending)

    def numbers(self, page: str, lang: str, values=None, session=None):
        """The first half of an answer: ``(key, outputs, pending)``.

        ``outputs`` is the whole answer when it was in the cache (``pending`` is None);
        else the numbers and tables alone (the dashboard recomputed, ~5 ms on a
        calculator page), and :meth:`charts` with ``pending`` draws the charts (~40 ms
        each, one at a time in the process) and completes the answer. A page can so
        show the new numbers at once and the chart a moment later, as the Voilà
        pages do; under load the numbers never queue behind other viewers' charts.
        """
        entry = self._entry(page, lang, session)
        model = entry.model
        normal = self.normalise(model, values)
        key = (page, model.lang, model.session, normal)
        found = self.cached(key)
        if found is not None:
            return key, found, None
        with entry.lock:  # one computation at a time on a dashboard
            found = self.cached(key)  # computed meanwhile by the request we waited for
            if found is not None:
                return key, found, None
            with self._pending_lock:
                pending = self._pending.get(key)
            if pending is None:
                with self._slots:  # at most `workers` computations in the process
                    numbers, figures = self._compute(entry, normal)
                pending = _Pending(numbers, figures)
                with self._pending_lock:
                    self._pending[key] = pending
                    while len(self._pending) > self.cache_size:
                        # Answers whose viewers left before their charts were drawn.
                        self._pending.popitem(last=False)
        if not pending.figures:
            return key, self.charts(key, pending), None
        return key, dict(pending.numbers), pending

    def charts(self, key: tuple, pending: _Pending, *,
               unless_abandoned: bool = False) -> dict[str, str]:
        """Draw the charts of a :meth:`numbers` answer; the whole answer, now in the cache.

        ``unless_abandoned``: for a viewer counted in ``pending.waiting``; raises
        :class:`RoomAbandonedError` instead of drawing when, by the time a drawing is
        free, every viewer waiting for these charts has gone (see :meth:`_Pending.leave`).
        """
        with pending.lock:  # the first viewer draws, the others waiting reuse the pictures
            if pending.result is None:
                drawn = {}
                for name, fig in pending.figures.items():
                    picture = self._picture(fig)
                    if picture is not None:
                        drawn[name] = picture
                        continue
                    with self._drawing:
                        if unless_abandoned and pending.abandoned:
                            raise RoomAbandonedError(name)  # counted in leave()
                        try:
                            if self._drawers is not None:
                                drawn[name] = self._drawers.submit(_draw, fig).result()
                            else:
                                with self._draw_lock:  # one at a time (and a shared figure)
                                    drawn[name] = _draw(fig)
                        except Exception:
                            log.exception("room: drawing %s failed", name)
                            raise RoomComputeError(name) from None
                        self._tally("drawn")
                        self._keep_picture(fig, drawn[name])
                pending.result = {**pending.numbers, **drawn}
                pending.figures = {}
                with self._cache_lock:
                    self._cache[key] = pending.result
                    self._cache.move_to_end(key)
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
                with self._pending_lock:
                    self._pending.pop(key, None)
        return pending.result

    def leave(self, pending: _Pending) -> None:
        """A viewer stops waiting for ``pending``'s charts (see :meth:`_Pending.leave`)."""
        if pending.leave():
            self._tally("abandoned")

    def _tally(self, counter: str) -> None:
        with self._tally_lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def _picture(self, chart) -> str | None:
        """The picture drawn from this very recipe already, if it is still kept."""
        with self._pending_lock:
            kept = self._pictures.get(id(chart))
            if kept is None or kept[0] is not chart:
                return None
            self._pictures.move_to_end(id(chart))
            return kept[1]

    def _keep_picture(self, chart, picture: str) -> None:
        from simkit.workbook._common import Chart

        if not isinstance(chart, Chart):  # a figure may change after it was drawn
            return
        with self._pending_lock:
            # The recipe is kept with its picture, so its id is not reused meanwhile.
            self._pictures[id(chart)] = (chart, picture)
            while len(self._pictures) > _PICTURES:
                self._pictures.popitem(last=False)

    def waiting(self, key: tuple) -> _Pending | None:
        """The answer for ``key`` whose numbers are known and charts not yet drawn, if any
        (what :meth:`numbers` would return for it, without the dashboard's lock)."""
        with self._pending_lock:
            pending = self._pending.get(key)
        return pending if pending is not None and pending.figures else None

    def cached(self, key: tuple) -> dict[str, str] | None:
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                self.hits += 1
            return found

    def key(self, page: str, lang: str, values=None, session=None) -> tuple | None:
        """The cache key of a request whose dashboard is built already (else None)."""
        lang = self._lang(lang)
        session = self._session(page, session)
        with self._entries_lock:
            entry = self._entries.get((page, lang, session))
        if entry is None:
            return None
        return (page, lang, session, self.normalise(entry.model, values))

    def close(self) -> None:
        """Stop the chart-drawing processes, if any."""
        if self._drawers is not None:
            self._drawers.shutdown(wait=True, cancel_futures=True)
            self._drawers = None

    @property
    def cache_len(self) -> int:
        return len(self._cache)

    def _compute(self, entry: _Entry, normal: tuple) -> tuple[dict[str, str], dict]:
        """Set the controls, recompute once: (the outputs' HTML but charts, the charts'
        figures by output name)."""
        d, model = entry.dashboard, entry.model
        try:
            for (name, c), v in zip(model.controls.items(), normal):
                w = d.controls[name]
                if c.kind == "one":
                    w.index = v
                elif c.kind == "many":
                    w.index = v
                else:
                    w.value = v
            d.update()
            self._tally("computations")
            outputs, figures = {}, {}
            for name, w in d.outputs.items():
                # A chart still to be built (show_chart) is built where it is drawn, after
                # the numbers have gone: never read .figure here, which would build it.
                fig = getattr(w, "chart", None)
                if fig is None:
                    fig = getattr(w, "figure", None)
                if fig is None:
                    outputs[name] = w.value
                else:
                    figures[name] = fig
            return outputs, figures
        except Exception:
            log.exception("room: computing %s (%s) failed", model.name, model.lang)
            raise RoomComputeError(model.name) from None
        finally:
            _release(d)


def _drawer_start(parent: int, projector: bool = False) -> None:
    """A chart-drawing process: exit with the server; know the fonts the server knows;
    build the charts it is sent (:class:`simkit.workbook._common.Chart`) in the server's
    chart style."""
    from simkit.sandbox.serving import _watch_parent
    from simkit.workbook.plots import chart_language, projector_style

    _watch_parent(parent)
    projector_style(projector)
    # The Chinese charts' font may have been found among the system's fonts (not in
    # matplotlib's cache) by the server: found here the same way, or Chinese draws as boxes.
    chart_language("zh")


def _draw(fig) -> str:
    """A figure, or a chart still to be built, as HTML (None: only start up)."""
    from simkit.workbook._common import Chart, figure_html

    if fig is None:
        return ""
    return figure_html(fig.build() if isinstance(fig, Chart) else fig)


def _release(d) -> None:
    """Let go of what the room does not show: the simulation behind the numbers (the
    planning page's is ~30 MB) and the heap the simulation freed."""
    for name in ("results", "scenario"):
        if getattr(d, name, None) is not None:
            setattr(d, name, None)
    _trim()


def _trim() -> None:
    # A simulation (the planning page's 200 replications) allocates a few hundred MB
    # for a moment; glibc keeps the freed heap unless asked to give it back.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _describe(name: str, w, spec) -> Control:
    css = tuple(c for c in w._dom_classes if c.startswith("simkit-"))
    label = w.description or name
    if spec.kind == "number":
        fmt = getattr(w, "readout_format", "") or ""
        return Control(name, "number", label, w.value, spec.lo, spec.hi, w.step, spec.integer,
                       fmt, css=css)
    if spec.kind == "bool":
        return Control(name, "bool", label, bool(w.value), css=css)
    if spec.kind == "one":
        return Control(name, "one", label, w.index, options=tuple(w._options_labels), css=css)
    if spec.kind == "many":
        return Control(name, "many", label, tuple(w.index),
                       options=tuple(w._options_labels), css=css)
    raise TypeError(f"{name}: a control the room cannot draw ({type(w).__name__})")


def _refused(c: Control, v) -> RoomInputError:
    name = c.name
    if c.kind == "number":
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            en, zh = "a number is needed", "需要一个数"
        elif c.integer and not float(v).is_integer():
            en, zh = "a whole number is needed", "需要一个整数"
        else:
            en, zh = (f"the value must lie within {c.lo:g}..{c.hi:g}",
                      f"数值必须在 {c.lo:g} 到 {c.hi:g} 之间")
    elif c.kind == "bool":
        en, zh = "true or false is needed", "需要 true 或 false"
    elif c.kind == "one":
        en, zh = (f"an option number 0..{len(c.options) - 1} is needed",
                  f"需要 0 到 {len(c.options) - 1} 之间的选项编号")
    else:
        en, zh = (f"a list of different option numbers 0..{len(c.options) - 1} is needed",
                  f"需要一组互不相同、在 0 到 {len(c.options) - 1} 之间的选项编号")
    return RoomInputError(name, v, f"{name}: {en}", f"{name}：{zh}")
