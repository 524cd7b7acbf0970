"""The no-code app in a real browser: headless Debian chromium driven by Playwright.

For every lesson page: it loads without console errors and without code, fits
a 1280x720 projector and a 1366x768 laptop without sideways scrolling, each
main slider (keyboard on its handle) changes the headline numbers and the
chart within a stated bound while the "updating" sign shows, and the English /
中文 switch relabels the page and keeps the numbers. Screenshots go to a
temporary folder (printed; timings in timings.json there).

All in one module so `--dist loadscope` keeps them on one xdist worker with one
app server and one browser.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from simkit.app.pages import LESSONS

pytestmark = pytest.mark.browser

# Bounds from keypress to the new numbers (and chart) on screen, measured on a
# 2-core machine (see the README): calculator pages update in well under a
# second, simulated pages (100 replications) in one to a few seconds. The
# bounds leave room for a loaded CI machine running two test workers.
FAST_BOUND_S = 5.0
SIM_BOUND_S = 30.0
SIMULATED = {"headline", "gap", "planning"}
# Sliders that change the numbers but not what the chart draws: the reps needed
# depend on new projects per rep, the standard funnel drawn does not.
CHART_UNAFFECTED = {("headcount", "simkit-slider-leads")}
LOAD_TIMEOUT_MS = 120_000
# A dashboard's tab titles on a Voilà page (ipywidgets' Tab: a lumino tab bar).
VOILA_TABS = ".simkit-tabs .lm-TabBar-tab"
PROJECTOR = {"width": 1280, "height": 720}
LAPTOP = {"width": 1366, "height": 768}

STATE_JS = """() => {
  const h = document.querySelector('.simkit-page .simkit-headline');
  const img = document.querySelector('.simkit-page .simkit-chart img');
  const labels = [...document.querySelectorAll('.simkit-page .widget-label')]
    .map(e => e.innerText).join('|');
  return {headline: h ? h.innerText : null, chart: img ? img.src : null, labels: labels};
}"""

CHANGED_JS = """([key, old]) => {
  const s = (STATE)();
  return s[key] !== null && s[key] !== old;
}""".replace("STATE", STATE_JS)

# Records whether the "updating" sign was ever on, however briefly: observer
# callbacks are batched, so the class may be gone again by the time one runs;
# the records' old values still show it.
WATCH_BUSY_JS = """() => {
  window.__simkitBusy = false;
  const on = v => (v || '').split(/\\s+/).includes('simkit-busy-on');
  new MutationObserver(records => {
    if (records.some(r => on(r.oldValue) || on(r.target.getAttribute('class'))))
      window.__simkitBusy = true;
  }).observe(document.body, {subtree: true, attributes: true, attributeOldValue: true,
                             attributeFilter: ['class']});
}"""

OVERFLOW_JS = """() => {
  const page = document.querySelector('.simkit-page');
  let right = 0;
  for (const e of [page, ...page.querySelectorAll('*')]) {
    const r = e.getBoundingClientRect();
    if (r.width > 0) right = Math.max(right, r.right);
  }
  return right - window.innerWidth;
}"""

TIMINGS: dict[str, dict] = {}


@pytest.fixture
def open_page(browser, app_server):
    """Open a page at projector size; collect console errors; close it after."""
    opened = []

    def _open(path: str):
        page = new_watched_page(browser, app_server, opened)
        t0 = time.perf_counter()
        # Voilà streams the page while the kernel runs it; the tests wait for
        # the widgets themselves rather than for the load event.
        page.goto(f"{app_server}/voila/render/{path}", timeout=LOAD_TIMEOUT_MS,
                  wait_until="commit")
        page.load_seconds = time.perf_counter() - t0
        return page

    yield _open
    for ctx in opened:
        ctx.close()


def new_watched_page(browser, server: str, opened: list):
    """A page at projector size in a context of its own (added to ``opened``) that records
    console errors (``page.errors``) and refuses and records any request to a host but
    ``server`` (``page.foreign``): the pages must ask nothing of any other host."""
    ctx = browser.new_context(viewport=PROJECTOR)
    page = ctx.new_page()
    page.foreign = []
    ctx.route("**/*", lambda route: _only_own_host(route, server, page.foreign))
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    opened.append(ctx)
    return page


def _only_own_host(route, app_server: str, foreign: list) -> None:
    url = route.request.url
    if url.startswith((app_server + "/", "data:", "blob:")) or url == app_server:
        route.continue_()
    else:
        foreign.append(url)
        route.abort()


# Everything the projector needs in one pass: where the title, the controls, the
# headline numbers and the chart are; the computed font sizes of text a person
# reads; the chart's smallest text on screen; and any two text boxes that overlap.
LAYOUT_JS = """() => {
  const page = document.querySelector('.simkit-page');
  const box = e => { const r = e.getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                             width: r.width, height: r.height}; };
  const title = document.querySelector('.jp-RenderedHTMLCommon h1');
  const controls = [...page.querySelectorAll('.widget-slider, .widget-dropdown, '
                                           + '.widget-select-multiple, .widget-checkbox')];
  const headline = page.querySelector('.simkit-headline');
  const img = page.querySelector('.simkit-chart img');
  const textEls = [title, ...page.querySelectorAll(
      '.widget-label, .widget-readout, select, td, th, .widget-html-content p, '
      + '.widget-html-content b, .widget-html-content small, .widget-checkbox span, button')].filter(e => e && e.offsetParent !== null
                                                   && e.innerText.trim());
  const fonts = textEls.map(e => ({text: e.innerText.trim().slice(0, 30),
                                   px: parseFloat(getComputedStyle(e).fontSize)}));
  // Leaf text boxes: the elements that hold text themselves.
  const leaves = [...document.querySelectorAll('.jp-RenderedHTMLCommon h1, .simkit-page *')]
    .filter(e => e.offsetParent !== null && e.children.length === 0 && e.innerText
                 && e.innerText.trim() && getComputedStyle(e).visibility !== 'hidden');
  const overlaps = [];
  const rects = leaves.map(e => [e, e.getBoundingClientRect()]);
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
    const [a, ra] = rects[i], [b, rb] = rects[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 2 && h > 2) overlaps.push([a.innerText.slice(0, 30), b.innerText.slice(0, 30)]);
  }
  return {
    title: title && box(title), controls: controls.map(box),
    headline: headline && box(headline), chart: img && box(img),
    chartTextPx: img ? parseFloat(img.dataset.minTextPx || '0') * img.clientWidth
                       / (img.naturalWidth || 1) : null,
    fonts: fonts, overlaps: overlaps, text: page.innerText,
    cut: leaves.filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
                             && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText),
    width: window.innerWidth, height: window.innerHeight};
}"""


def _check_projector_layout(page, has_chart: bool) -> dict:
    """Title, controls, headline numbers and main chart inside 1280x720; sizes; overlaps."""
    m = page.evaluate(LAYOUT_JS)
    inside = lambda b: (b is not None and b["top"] >= -1 and b["left"] >= -1  # noqa: E731
                        and b["bottom"] <= m["height"] + 1 and b["right"] <= m["width"] + 1)
    assert inside(m["title"]), ("title", m["title"])
    assert m["controls"] and all(inside(b) for b in m["controls"]), m["controls"]
    assert inside(m["headline"]), ("headline numbers", m["headline"])
    if has_chart:
        assert inside(m["chart"]), ("main chart", m["chart"])
        assert m["chart"]["height"] > 200, m["chart"]
        assert m["chartTextPx"] >= 12, f"chart text {m['chartTextPx']:.1f} px on screen"
    small = [f for f in m["fonts"] if f["px"] < 16]
    assert not small, f"text under 16 px: {small[:5]}"
    assert not m["overlaps"], f"overlapping text: {m['overlaps'][:5]}"
    assert not m["cut"], f"text cut short with an ellipsis: {m['cut'][:5]}"
    # Counting starts at 1 in everything a person reads.
    assert not re.search(r"(Rep|销售) 0\b|0 = (Jan|一月)", m["text"]), m["text"][:300]
    return m


# A page with tabs on the projector: where the headline numbers, the quota control, the chart
# and the tables (by CSS selector) are; font sizes of the tables and of the tab titles; how
# many lines the longest cell of a table's first column (a rep's name, a stage) takes.
FOLD_JS = """([tabSel, tableSels]) => {
  const shown = e => e && e.offsetParent !== null && e.getClientRects().length > 0;
  const box = e => { if (!shown(e)) return null; const r = e.getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                             height: r.height}; };
  const q = s => document.querySelector('.simkit-page ' + s);
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const lines = e => { const r = document.createRange(); r.selectNodeContents(e);
                       return new Set([...r.getClientRects()].filter(x => x.width > 0)
                                      .map(x => Math.round(x.bottom))).size; };
  const tables = {};
  for (const n of tableSels) {
    const t = q(n);
    const first = t && shown(t) ? [...t.querySelectorAll('tr')].map(tr => tr.cells[0])
                                      .filter(c => c && c.innerText.trim()) : [];
    tables[n] = {box: box(t), rows: t ? t.querySelectorAll('tr').length : 0,
                 text: t && shown(t) ? t.innerText : '',
                 minPx: t && shown(t) ? Math.min(...[...t.querySelectorAll('td, th, caption')]
                                                   .map(px)) : null,
                 firstLines: first.length ? Math.max(...first.map(lines)) : null,
                 firstText: first.map(c => c.innerText)};
  }
  return {
    rows: [...document.querySelectorAll('.simkit-page .simkit-headline tr')]
      .map(tr => ({text: tr.innerText, box: box(tr)})),
    quota: box(q('.simkit-slider-quota-pct')), chart: box(q('.simkit-chart img')),
    tables: tables,
    tabs: [...document.querySelectorAll(tabSel)].filter(shown)
      .map(e => ({text: e.innerText.trim(), box: box(e), px: px(e)})),
    height: window.innerHeight,
    scrolls: Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight)),
  };
}"""

# The pages whose tables sit behind the chart as tabs: CSS selector of each table -> the
# i18n key of its tab's title and the fewest rows (header included) it shows.
LESSON10_TABLES = {".simkit-reps table": ("cal.tab_reps", 11),
                   ".simkit-scorecard table": ("cal.tab_scorecard", 7)}
GAP_TABLES = {"table.simkit-projection-table": ("gap.tab_projection", 4)}
COACHING_TABLES = {"table.simkit-team-table": ("coach.tab_team", 7)}
# Room page id -> its tables behind tabs (lessons 4 and 7; lesson 10 has a check of its own).
TABBED_PAGES = {"04-gap": GAP_TABLES, "07-coaching": COACHING_TABLES}


def _on_screen(fold):
    return lambda b: b is not None and b["top"] >= -1 and b["bottom"] <= fold + 1


def check_tabs_on_projector(page, lang: str, tab_selector: str, tables: dict) -> dict:
    """At 1280x720: the page never needs scrolling, the chart is on screen (the first tab
    open); each table in ``tables`` (selector -> (tab title key, fewest rows)) is on screen
    after at most one click (a tab), in type a room can read (>= 16 px), with every cell of
    its first column (a rep's name, a stage) on one line; the chart comes back.
    Returns what each table showed (selector -> measurements)."""
    from simkit.course.i18n import t

    m = page.evaluate(FOLD_JS, [tab_selector, list(tables)])
    fold = m["height"]
    on_screen = _on_screen(fold)
    assert on_screen(m["chart"]) and m["chart"]["height"] > 200, ("chart", m["chart"])
    assert m["scrolls"] <= fold + 1, f"the page is {m['scrolls']} px tall at {fold} px"
    shown_tables = {}
    for sel, (key, rows) in tables.items():
        if not on_screen(m["tables"][sel]["box"]):
            title = t(key, lang)
            tab = page.locator(tab_selector, has_text=title)
            assert tab.count() == 1, (
                f"the table {sel} is not on screen at {fold} px ({m['tables'][sel]['box']}) "
                f"and no tab {title!r} opens it; tabs: {[x['text'] for x in m['tabs']]}")
            tab.click()  # the one click
            page.wait_for_selector(f".simkit-page {sel}", state="visible", timeout=5000)
            m = page.evaluate(FOLD_JS, [tab_selector, list(tables)])
        shown = shown_tables[sel] = m["tables"][sel]
        assert on_screen(shown["box"]), (f"the table {sel} after one click", shown["box"])
        assert shown["rows"] >= rows, shown["text"][:300]
        assert shown["minPx"] >= 16, f"{sel} text {shown['minPx']} px"
        assert shown["firstLines"] == 1, (f"{sel}: a first-column cell wraps onto "
                                          f"{shown['firstLines']} lines", shown["firstText"])
        assert m["scrolls"] <= fold + 1, f"{sel}: the page is {m['scrolls']} px tall"
        if lang == "zh":
            assert len(re.findall(r"[\u4e00-\u9fff]", shown["text"])) > 10, shown["text"]
    assert m["tabs"] and all(x["px"] >= 16 and on_screen(x["box"]) for x in m["tabs"]), m["tabs"]
    page.locator(tab_selector, has_text=t("cal.tab_chart", lang)).click()
    page.wait_for_selector(".simkit-page .simkit-chart img", state="visible", timeout=5000)
    m = page.evaluate(FOLD_JS, [tab_selector, list(tables)])
    assert on_screen(m["chart"]) and m["chart"]["height"] > 200, ("chart again", m["chart"])
    return shown_tables


def check_lesson10_on_projector(page, lang: str, tab_selector: str) -> None:
    """At 1280x720: the forecast split (median [P10 – P90]), the chance of reaching the
    quota, the quota control and the chart on screen without scrolling; the per-rep table
    and the back-test scorecard each on screen after at most one click (a tab), in type
    a room can read; the page never needs scrolling; the chart comes back."""
    m = page.evaluate(FOLD_JS, [tab_selector, list(LESSON10_TABLES)])
    on_screen = _on_screen(m["height"])
    split = [r for r in m["rows"] if re.search(r"\d\s*\[\d[\d.,]* – \d[\d.,]*\]", r["text"])]
    assert len(split) >= 3, m["rows"]  # the parts and the total, median [P10 – P90]
    chance = [r for r in m["rows"] if re.search(r"\d+%", r["text"])]
    assert chance, m["rows"]
    below = [r["text"] for r in split + chance if not on_screen(r["box"])]
    assert not below, f"numbers below the fold at {m['height']} px: {below}"
    assert on_screen(m["quota"]), ("quota control", m["quota"])
    shown = check_tabs_on_projector(page, lang, tab_selector, LESSON10_TABLES)
    if lang == "zh":
        for sel, table in shown.items():
            # Only the reps' names (the export's) are in Latin letters.
            words = set(re.findall(r"[A-Za-z]{3,}", table["text"])) - {"CRM", "CRPS"}
            assert sel == ".simkit-reps table" or not words, words


def _whole_page_shot(page, path) -> None:
    # Voilà scrolls an inner panel, not the document, so full_page=True would
    # stop at the viewport: grow the viewport to the content for the picture.
    size = dict(page.viewport_size)
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 20, 4000)})
    page.screenshot(path=path)
    page.set_viewport_size(size)


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def _wait_loaded(page, has_chart: bool) -> None:
    # No reload: a page that never renders is a failure (benchmarks/bench_app_load.py
    # counts them; the app builds matplotlib's font cache before any kernel starts).
    t0 = time.perf_counter()
    page.wait_for_selector(".simkit-page .simkit-headline table", timeout=LOAD_TIMEOUT_MS)
    if has_chart:
        page.wait_for_selector(".simkit-page .simkit-chart img", timeout=LOAD_TIMEOUT_MS)
    page.load_seconds += time.perf_counter() - t0


def _wait_changed(page, key: str, old, bound: float) -> float:
    t0 = time.perf_counter()
    page.wait_for_function(CHANGED_JS, arg=[key, old], timeout=bound * 1000, polling="raf")
    return time.perf_counter() - t0


def _main_controls(page) -> list[str]:
    """CSS classes of the page's main sliders (those with their own simkit-slider-* class)."""
    return page.evaluate("""() => [...document.querySelectorAll('.simkit-page .widget-slider')]
      .flatMap(e => [...e.classList].filter(c => c.startsWith('simkit-slider-')))""")


@pytest.mark.parametrize("lesson", LESSONS, ids=[le.slug for le in LESSONS])
def test_lesson_page(lesson, open_page, shots):
    page = open_page(f"{lesson.filename}?lang=en")
    has_chart = True
    _wait_loaded(page, has_chart)
    timing = TIMINGS.setdefault(lesson.slug, {"load_s": round(page.load_seconds, 2)})

    html = page.content()
    assert "lesson_page(" not in html and "import simkit" not in html, "code is shown"
    page.screenshot(path=shots / f"{lesson.filename[:-6]}-projector-en.png")
    assert page.evaluate(OVERFLOW_JS) <= 1, "page scrolls sideways at 1280x720"
    _check_projector_layout(page, has_chart)
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"

    page.evaluate(WATCH_BUSY_JS)
    bound = SIM_BOUND_S if lesson.slug in SIMULATED else FAST_BOUND_S
    controls = _main_controls(page)
    if lesson.slug == "coaching":
        assert not controls
        before = page.evaluate(STATE_JS)
        t0 = time.perf_counter()
        page.locator(".simkit-select-rep select").select_option(index=1)
        _wait_changed(page, "headline", before["headline"], bound)
        timing["rep"] = {"numbers_s": round(time.perf_counter() - t0, 3)}
    else:
        assert controls, "no main slider found"
    for css in controls:
        # A progressive dashboard may still be refining the previous move: let it
        # finish, so that this move's numbers, chart and busy sign are its own.
        page.wait_for_selector(".simkit-busy-on", state="detached", timeout=bound * 1000)
        before = page.evaluate(STATE_JS)
        page.evaluate("() => { window.__simkitBusy = false; }")
        page.locator(f".{css} .noUi-handle").focus()
        t0 = time.perf_counter()
        # PageUp: five steps in one update, so even the chart visibly moves.
        page.keyboard.press("PageUp")
        numbers_s = _wait_changed(page, "headline", before["headline"], bound)
        numbers_s = time.perf_counter() - t0
        chart_s = None
        if has_chart and (lesson.slug, css) not in CHART_UNAFFECTED:
            _wait_changed(page, "chart", before["chart"], bound)
            chart_s = time.perf_counter() - t0
        assert _numbers(page.evaluate(STATE_JS)["headline"]) != _numbers(before["headline"])
        # The sign may have come and gone already: the observer saw it either way.
        page.wait_for_function("() => window.__simkitBusy", timeout=1000)
        assert max(numbers_s, chart_s or 0) <= bound
        timing[css.removeprefix("simkit-slider-")] = {
            "numbers_s": round(numbers_s, 3), "chart_s": chart_s and round(chart_s, 3)}
    # The sign goes off just after the last output arrives.
    page.wait_for_selector(".simkit-busy:not(.simkit-busy-on)", state="attached")
    _whole_page_shot(page, shots / f"{lesson.filename[:-6]}-after-sliders-en.png")

    # Language switch: labels change to Chinese, the numbers stay.
    before = page.evaluate(STATE_JS)
    page.locator(".simkit-lang button", has_text="中文").click()
    _wait_changed(page, "labels", before["labels"], bound)
    page.wait_for_function("() => !document.querySelector('.simkit-busy-on')",
                           timeout=bound * 1000)
    after = page.evaluate(STATE_JS)
    assert re.search(r"[\u4e00-\u9fff]", after["labels"]), after["labels"]
    assert _numbers(after["headline"]) == _numbers(before["headline"])
    page.set_viewport_size(PROJECTOR)
    _check_projector_layout(page, has_chart)  # the Chinese page fits the projector too
    page.set_viewport_size(LAPTOP)
    assert page.evaluate(OVERFLOW_JS) <= 1, "page scrolls sideways at 1366x768"
    page.screenshot(path=shots / f"{lesson.filename[:-6]}-laptop-zh.png")
    _whole_page_shot(page, shots / f"{lesson.filename[:-6]}-whole-zh.png")

    assert page.errors == [], page.errors
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"
    (shots / "timings.json").write_text(json.dumps(TIMINGS, indent=1))


def test_index_lists_every_lesson_in_both_languages(open_page, shots):
    page = open_page("index.ipynb")
    page.wait_for_selector("table a", timeout=LOAD_TIMEOUT_MS)
    hrefs = page.eval_on_selector_all("table a", "els => els.map(e => e.getAttribute('href'))")
    for le in LESSONS:
        assert f"{le.filename}?lang=en" in hrefs and f"{le.filename}?lang=zh" in hrefs
    page.screenshot(path=shots / "00-index-projector.png")
    assert page.errors == [], page.errors
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"


def test_a_stalled_request_to_another_host_does_not_hold_the_page(browser, app_server):
    """A slow venue network: anything sent to another host hangs; the page is there in 5 s."""
    ctx = browser.new_context(viewport=PROJECTOR)
    stalled = []
    # Never answered (the route is left pending until the context closes).
    ctx.route(lambda url: not url.startswith(app_server), lambda route: stalled.append(route))
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(f"{app_server}/voila/render/06-forecast.ipynb", wait_until="commit",
                  timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".jp-RenderedHTMLCommon h1", state="visible", timeout=5000)
        title_s = time.perf_counter() - t0
        page.wait_for_selector(".simkit-page .simkit-headline table", timeout=LOAD_TIMEOUT_MS)
        assert title_s <= 5.0
        assert [r.request.url for r in stalled] == []
    finally:
        ctx.close()


def test_a_chinese_link_opens_the_page_in_chinese(open_page):
    page = open_page("06-forecast.ipynb?lang=zh")
    _wait_loaded(page, has_chart=True)
    labels = page.evaluate(STATE_JS)["labels"]
    assert re.search(r"[\u4e00-\u9fff]", labels), labels
    assert page.errors == [], page.errors


@pytest.mark.parametrize("path, status", [
    ("/api/contents", 404), ("/api/terminals", 404), ("/api/kernels", 404),
    ("/api/sessions", 404), ("/lab", 404), ("/tree", 404),
    ("/voila/files/06-forecast.ipynb", 403), ("/voila/files/index.ipynb", 403),
])
def test_no_jupyter_endpoints_or_sources_are_exposed(app_server, path, status):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(app_server + path, timeout=30)
    assert err.value.code == status


# Words a Chinese page may show in Latin letters: units, the language button, the lesson's own
# product names. Anything else of three or more letters is English left on a 中文 page.
# CRPS: the scorecard's probability score, named as in the lesson (连续分级概率评分).
LATIN_ALLOWED = {"English", "P10", "P50", "P90", "seed", "simkit", "CNY", "CRM", "CRPS", "SimPy"}


def _readable_text(open_page, lesson, lang: str) -> str:
    """Everything a person can read on a page: the folded explanation opened, hidden
    text (the other language) left out."""
    page = open_page(f"{lesson.filename}?lang={lang}")
    _wait_loaded(page, True)
    page.wait_for_function("() => !document.querySelector('.simkit-busy-on')", timeout=60_000)
    return page.evaluate("""() => {
        document.querySelectorAll('details').forEach(d => { d.open = true; });
        return document.body.innerText; }""")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda le: le.slug)
def test_chinese_page_shows_no_english(lesson, open_page):
    text = _readable_text(open_page, lesson, "zh")
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 50, text[:300]
    words = sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in LATIN_ALLOWED})
    assert not words, words


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda le: le.slug)
def test_english_page_shows_chinese_only_as_course_terms_in_parentheses(lesson, open_page):
    text = _readable_text(open_page, lesson, "en")
    assert len(re.findall(r"[A-Za-z]{3,}", text)) > 50, text[:300]
    # 万 is the course's unit of money in both languages (万 CNY), like P10 on a 中文 page.
    bare = re.sub(r"[(（][^()（）]*[)）]", "", text).replace("中文", "").replace("万", "")
    found = [bare[max(0, m.start() - 60):m.end() + 20]
             for m in re.finditer(r"[\u4e00-\u9fff]+", bare)]
    assert not found, found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_10_fits_the_projector_with_its_tables_one_click_away(lang, open_page, shots):
    page = open_page(f"10-calibration.ipynb?lang={lang}")
    _wait_loaded(page, True)
    page.wait_for_function("() => !document.querySelector('.simkit-busy-on')", timeout=60_000)
    page.screenshot(path=shots / f"10-calibration-projector-{lang}.png")
    check_lesson10_on_projector(page, lang, VOILA_TABS)
    # The kernel accepted the tab changes (a refused one would put a notice in the header).
    assert page.locator(".simkit-notice").inner_text().strip() == ""
    assert page.errors == [], page.errors


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(TABBED_PAGES))
def test_lessons_4_and_7_fit_the_projector_with_their_tables_one_click_away(name, lang,
                                                                            open_page, shots):
    page = open_page(f"{name}.ipynb?lang={lang}")
    _wait_loaded(page, True)
    page.wait_for_function("() => !document.querySelector('.simkit-busy-on')", timeout=60_000)
    page.screenshot(path=shots / f"{name}-projector-{lang}.png")
    check_tabs_on_projector(page, lang, VOILA_TABS, TABBED_PAGES[name])
    assert page.locator(".simkit-notice").inner_text().strip() == ""
    assert page.errors == [], page.errors
