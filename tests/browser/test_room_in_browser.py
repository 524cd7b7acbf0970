"""The room server's pages (`simkit app --server room`) in headless Debian chromium.

The same checks as the Voilà pages (test_app_in_browser.py, whose page measurements
are reused here): for every lesson page at 1280x720, the title, controls, headline
numbers and main chart inside the viewport, body text >= 16 px and chart text >= 12 px,
no text over other text, no sideways scrolling (1366x768 too); each main slider (a
keyboard move on the range input) changes the numbers and the chart while the
"updating" sign shows; the English / 中文 switch keeps the numbers and leaves no
English on the Chinese page; no request to any host but the app's own.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest
from test_app_in_browser import (CHART_UNAFFECTED, LAPTOP, LATIN_ALLOWED, OVERFLOW_JS,
                                 PROJECTOR, STATE_JS, TABBED_PAGES, WATCH_BUSY_JS,
                                 _check_projector_layout, _numbers, check_lesson10_on_projector,
                                 check_tabs_on_projector, new_watched_page)

from simkit.app.pages import LESSONS
from simkit.app.room import page_id

pytestmark = pytest.mark.browser

# Keypress to new numbers on screen: answers come from one process (a cache hit in
# milliseconds, a computation in 0.05-1 s); room for a loaded CI machine.
BOUND_S = 15.0

# The room page's controls are inputs rather than widget labels: what STATE_JS reads as
# labels (the controls' labels) has the same class, so the helper works unchanged.
CHANGED_JS = """([key, old]) => {
  const s = (STATE)();
  return s[key] !== null && s[key] !== old;
}""".replace("STATE", STATE_JS)


@pytest.fixture
def open_room(browser, room_server):
    """Open a room page at projector size, recording console errors and other hosts."""
    opened = []

    def _open(path: str):
        page = new_watched_page(browser, room_server, opened)
        page.goto(f"{room_server}/{path}", timeout=60_000)
        # Rendered on the server: the numbers and the chart are in the page as it loads.
        page.wait_for_selector(".simkit-page .simkit-headline table", timeout=10_000)
        page.wait_for_selector(".simkit-page .simkit-chart img", timeout=10_000)
        return page

    yield _open
    for ctx in opened:
        ctx.close()


def _wait_changed(page, key: str, old) -> float:
    t0 = time.perf_counter()
    page.wait_for_function(CHANGED_JS, arg=[key, old], timeout=BOUND_S * 1000, polling="raf")
    return time.perf_counter() - t0


def _readable(page) -> str:
    return page.evaluate("""() => {
        document.querySelectorAll('details').forEach(d => { d.open = true; });
        return document.body.innerText; }""")


@pytest.mark.parametrize("lesson", LESSONS, ids=[le.slug for le in LESSONS])
def test_room_lesson_page(lesson, open_room, shots):
    page = open_room(f"{page_id(lesson)}?lang=en")
    assert "import simkit" not in page.content()
    assert page.evaluate(OVERFLOW_JS) <= 1, "page scrolls sideways at 1280x720"
    _check_projector_layout(page, True)
    page.screenshot(path=shots / f"room-{page_id(lesson)}-projector-en.png")

    page.evaluate(WATCH_BUSY_JS)
    sliders = page.evaluate("""() => [...document.querySelectorAll('.simkit-page .widget-slider')]
      .flatMap(e => [...e.classList].filter(c => c.startsWith('simkit-slider-')))""")
    if lesson.dashboard == "coaching_dashboard":
        assert not sliders
        before = page.evaluate(STATE_JS)
        page.locator(".simkit-select-rep select").select_option(index=1)
        _wait_changed(page, "headline", before["headline"])
    else:
        assert sliders, "no main slider found"
    for css in sliders:
        page.wait_for_selector(".simkit-busy-on", state="detached", timeout=BOUND_S * 1000)
        before = page.evaluate(STATE_JS)
        page.evaluate("() => { window.__simkitBusy = false; }")
        page.locator(f".{css} input[type=range]").focus()
        # PageUp: a large step, so even the chart visibly moves.
        page.keyboard.press("PageUp")
        _wait_changed(page, "headline", before["headline"])
        if (lesson.slug, css) not in CHART_UNAFFECTED:
            _wait_changed(page, "chart", before["chart"])
        assert _numbers(page.evaluate(STATE_JS)["headline"]) != _numbers(before["headline"])
        page.wait_for_function("() => window.__simkitBusy", timeout=1000)
    page.wait_for_selector(".simkit-busy-on", state="detached", timeout=BOUND_S * 1000)

    # Language switch: a Chinese page with the same values and numbers, and no English.
    before = page.evaluate(STATE_JS)
    page.locator(".simkit-lang button", has_text="中文").click()
    page.wait_for_url(re.compile(r"lang=zh"), timeout=BOUND_S * 1000)
    page.wait_for_selector(".simkit-page .simkit-headline table", timeout=BOUND_S * 1000)
    after = page.evaluate(STATE_JS)
    assert re.search(r"[\u4e00-\u9fff]", after["labels"]), after["labels"]
    assert _numbers(after["headline"]) == _numbers(before["headline"])
    _check_projector_layout(page, True)  # the Chinese page fits the projector too
    page.screenshot(path=shots / f"room-{page_id(lesson)}-projector-zh.png")
    text = _readable(page)
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 50, text[:300]
    words = sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in LATIN_ALLOWED})
    assert not words, words
    page.set_viewport_size(LAPTOP)
    assert page.evaluate(OVERFLOW_JS) <= 1, "page scrolls sideways at 1366x768"

    assert page.errors == [], page.errors
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"


def test_room_index_lists_every_lesson_in_both_languages(browser, room_server):
    ctx = browser.new_context(viewport=PROJECTOR)
    try:
        page = ctx.new_page()
        page.goto(room_server + "/")
        hrefs = page.eval_on_selector_all("table a", "els => els.map(e => e.getAttribute('href'))")
        for le in LESSONS:
            assert f"{page_id(le)}?lang=en" in hrefs and f"{page_id(le)}?lang=zh" in hrefs
    finally:
        ctx.close()


def test_a_stalled_request_to_another_host_does_not_hold_a_room_page(browser, room_server):
    ctx = browser.new_context(viewport=PROJECTOR)
    stalled = []
    ctx.route(lambda url: not url.startswith(room_server), lambda route: stalled.append(route))
    try:
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(f"{room_server}/06-forecast", wait_until="commit", timeout=60_000)
        page.wait_for_selector(".simkit-page .simkit-headline table", timeout=5000)
        assert time.perf_counter() - t0 <= 5.0
        assert [r.request.url for r in stalled] == []
    finally:
        ctx.close()


@contextmanager
def _script_held(browser, url):
    """A page at the projector's size whose ``room.js`` is held back (a slow network):
    ``(page, held)``, with the parser waiting for the script and everything above it,
    chart included, on screen; ``held`` gets the script's route once it is asked for."""
    ctx = browser.new_context(viewport=PROJECTOR)
    held = []
    ctx.route("**/static/room.js", lambda route: held.append(route))
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="commit", timeout=60_000)
        page.wait_for_selector(".simkit-page .simkit-chart img", timeout=10_000)
        yield page, held
    finally:
        ctx.close()


def test_a_move_before_the_script_runs_still_gets_its_numbers(browser, room_server):
    """A slow network: the page shows, a trainee moves a slider, the script arrives later."""
    with _script_held(browser, f"{room_server}/06-forecast?lang=en") as (page, held):
        before = page.evaluate(STATE_JS)
        page.evaluate("""() => { const el = document.querySelector(
            '.simkit-slider-realised input[type=range]');
            el.value = 400; el.dispatchEvent(new Event('change', {bubbles: true})); }""")
        page.wait_for_timeout(300)
        assert page.evaluate(STATE_JS)["headline"] == before["headline"]  # nobody listening
        for _ in range(100):  # the parser asks for the script (later on a loaded machine)
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the page did not ask for its script"
        held[0].continue_()
        _wait_changed(page, "headline", before["headline"])
        _wait_changed(page, "chart", before["chart"])
        assert page.locator(".simkit-slider-realised .widget-readout").inner_text() == "400"


KEPT_JS = """() => ['notes', 'reps', 'scorecard'].map(n => document.querySelector(
  '[data-output="' + n + '"] .widget-html-content').firstElementChild)"""


def test_a_quota_move_leaves_what_it_does_not_change_alone(open_room):
    """Lesson 10: a quota move changes the headline and the chart; the per-rep and back-test
    tables and the notes, whose HTML is the same, are not parsed, laid out and painted again."""
    page = open_room("10-calibration?lang=en")
    slider = page.locator(".simkit-slider-quota-pct input[type=range]")

    def move(key: str) -> None:
        before = page.evaluate(STATE_JS)
        slider.focus()
        page.keyboard.press(key)
        _wait_changed(page, "headline", before["headline"])
        _wait_changed(page, "chart", before["chart"])
        page.wait_for_selector(".simkit-busy-on", state="detached", timeout=BOUND_S * 1000)

    move("PageUp")  # the first answer replaces the HTML the server rendered, once
    page.evaluate(f"() => {{ window.__kept = ({KEPT_JS})(); }}")
    move("PageDown")
    move("PageDown")
    kept = page.evaluate(f"() => ({KEPT_JS})().map((el, i) => el === window.__kept[i])")
    assert kept == [True, True, True]
    assert page.errors == [], page.errors


# The room page's tab titles (room_web._tabs_html: labels of radio buttons).
ROOM_TABS = ".simkit-tab-title"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_10_fits_the_projector_with_its_tables_one_click_away(lang, open_room, shots):
    page = open_room(f"10-calibration?lang={lang}")
    page.screenshot(path=shots / f"room-10-calibration-fold-{lang}.png")
    check_lesson10_on_projector(page, lang, ROOM_TABS)
    assert page.errors == [], page.errors


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(TABBED_PAGES))
def test_lessons_4_and_7_fit_the_projector_with_their_tables_one_click_away(name, lang,
                                                                            open_room, shots):
    page = open_room(f"{name}?lang={lang}")
    page.screenshot(path=shots / f"room-{name}-fold-{lang}.png")
    check_tabs_on_projector(page, lang, ROOM_TABS, TABBED_PAGES[name])
    assert page.errors == [], page.errors


def test_lesson_10s_tabs_work_without_the_pages_script(browser, room_server):
    """The tabs are the page's own HTML and style: they switch with the script held back."""
    with _script_held(browser, f"{room_server}/10-calibration?lang=zh") as (page, _held):
        assert not page.locator(".simkit-scorecard table").is_visible()
        page.locator(ROOM_TABS, has_text="回测").click()
        page.wait_for_selector(".simkit-scorecard table", state="visible", timeout=5000)
        assert not page.locator(".simkit-chart img").is_visible()


def test_lesson_10s_open_tab_shows_new_numbers(open_room):
    """A table in a tab is updated like any output: the per-rep table follows the target."""
    page = open_room("10-calibration?lang=zh")
    page.locator(ROOM_TABS, has_text="各销售").click()
    table = page.locator(".simkit-reps table")
    before = table.inner_text()
    page.locator(".simkit-target select").select_option(index=1)  # won amount
    page.wait_for_function("(old) => document.querySelector('.simkit-reps table').innerText "
                           "!== old", arg=before, timeout=BOUND_S * 1000)
    assert table.is_visible() and re.search(r"\d+\.\d \[", table.inner_text())
    assert page.errors == [], page.errors


def test_lesson_10s_open_tab_stays_open_in_the_other_language(open_room):
    page = open_room("10-calibration?lang=en")
    page.locator(ROOM_TABS, has_text="back-test").click()
    page.locator(".simkit-lang button", has_text="中文").click()
    page.wait_for_url(re.compile(r"lang=zh"), timeout=BOUND_S * 1000)
    page.wait_for_selector(".simkit-scorecard table", state="visible", timeout=BOUND_S * 1000)
    assert "回测" in page.locator(".simkit-scorecard table caption").inner_text()
    assert page.errors == [], page.errors
