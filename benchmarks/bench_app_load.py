"""Load test of `simkit app` on the loopback interface: memory, slider latency, blank pages.

Starts the app (the same server `simkit app` runs) on a free 127.0.0.1 port
and drives it with headless Debian chromium (Playwright):

1. ``--loads`` page loads in a row: open a page (the lessons in turn), wait
   for its headline numbers, close it;
2. ``--viewers`` viewers at once on ``--page``: each opens the page, then (``--start
   together``, the default: once every viewer's page has loaded, after a delay of up to
   ``--pause`` s; ``--start staggered``: as soon as its own page has loaded, while the
   others still load on the same cores) moves its main slider ``--moves`` times (one key press, wait for new
   headline numbers, then for the new chart, pause ``--pause`` s), timing key press ->
   new numbers and -> new chart.

A sampler adds up the resident memory (RSS; shared pages are counted in
each process, so this overstates) of the app and all its kernels every
0.2 s. Prints one JSON line: peak memory per phase, kernels alive, load
times, slider latency p50/p95/max, pages that never rendered (no dashboard
within ``--timeout`` s, room-full pages excluded), pages turned away with
the room-full page, and the command; with the room server also where a move's
time went (``breakdown_ms``: in the page, the change event, request to first byte,
first byte to the new headline, long tasks, the chart's bytes, and the rest, taken by
Playwright's key press and polling) and the moves' CPU seconds by process kind
(``cpu_s``: the server, its chart process, chromium's renderers, browser, GPU and
network processes, Playwright). Everything is bounded: fixed counts,
a timeout per wait, the app stopped at the end.

    .venv/bin/python benchmarks/bench_app_load.py [--loads 40] [--viewers 30]
        [--page 06-forecast.ipynb] [--max-kernels 6] [--preheat 0] [--server room|voila|solara]
        [--distinct] [--start together|staggered]

``--server room`` runs `simkit app --server room` (one process, no kernel per
viewer: simkit/app/room_web.py); the server's log then gives how many
dashboard computations it ran and how many answers came from its cache. With
``--distinct`` every viewer's every move goes to values no other move used
(the slider is set to a value of its own instead of a key press back and
forth), so the answers cache cannot help: the honest worst case. ``--server
solara`` serves the same pages from one Solara process
(benchmarks/solara_pages.py) for comparison; ``--preheat N`` turns on
Voilà's preheated kernels (N per page).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

import psutil

from simkit.app.pages import LESSONS
from simkit.cli.app import app_url, start_app, stop_app, voila_command

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run"]
READY = ".simkit-page .simkit-headline table"
FULL = ".simkit-room-full"


# In-page timing of a move (room server): the slider's change event, the /api request
# (resource timing: sent -> first byte = "request", first byte -> last byte = "response",
# first byte -> the headline's new text = "apply", seen by a mutation
# observer) and the long tasks (main thread busy > 50 ms) meanwhile, all on the page's own
# clock; the rest of the measured latency ("driver") is Playwright's key press and polling.
BREAKDOWN_JS = r"""() => {
  if (window.__simkitBench) return;
  const head = document.querySelector('.simkit-page .simkit-headline');
  const b = {t0: 0, change: null, headline: null, long: 0};
  new MutationObserver(() => { if (b.t0 && b.headline === null) b.headline = performance.now(); })
    .observe(head, {childList: true, subtree: true, characterData: true});
  document.addEventListener('change', () => {
    if (b.t0 && b.change === null) b.change = performance.now(); }, true);
  try {
    new PerformanceObserver(list => list.getEntries().forEach(e => {
      if (b.t0 && e.startTime + e.duration >= b.t0) b.long += e.duration; }))
      .observe({type: 'longtask', buffered: false});
  } catch (e) {}
  window.__simkitBench = {
    arm() { b.t0 = performance.now(); b.change = b.headline = null; b.long = 0;
            performance.clearResourceTimings(); },
    read() {
      const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/')
        && e.startTime >= b.t0);
      const f = r.length ? r[r.length - 1] : null;
      const img = document.querySelector('.simkit-page .simkit-chart img');
      const d = (a, z) => (a === null || z === null || a === undefined || z === undefined)
        ? null : z - a;
      return {event: d(b.t0, b.change), request: f ? d(f.startTime, f.responseStart) : null,
              response: f ? d(f.responseStart, f.responseEnd) : null,
              apply: f ? d(f.responseStart, b.headline) : null,
              numbers: d(b.t0, b.headline), longtask_ms: b.long,
              chart_bytes: img ? img.src.length : null};
    }
  };
}"""


class Sampler(threading.Thread):
    """Peak summed RSS (MB) and kernel count of a process tree, sampled every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_mb = 0.0
        self.peak_kernels = 0
        self.stop = threading.Event()

    def reset(self) -> None:
        self.peak_mb, self.peak_kernels = 0.0, 0

    def sample(self) -> tuple[float, int]:
        procs = [self.root, *self.root.children(recursive=True)]
        total, kernels = 0, 0
        for p in procs:
            try:
                total += p.memory_info().rss
                kernels += "ipykernel" in " ".join(p.cmdline())
            except psutil.Error:
                pass
        return total / 1e6, kernels

    def run(self) -> None:
        while not self.stop.is_set():
            mb, k = self.sample()
            self.peak_mb, self.peak_kernels = max(self.peak_mb, mb), max(self.peak_kernels, k)
            time.sleep(0.2)


class CpuSampler(threading.Thread):
    """CPU seconds (user + system) spent by this benchmark's processes, by kind: the app
    server, its chart process (or Voilà's kernels), chromium's renderers (one per viewer), chromium's browser,
    GPU / compositor and utility (network) processes, Playwright's driver and this script.
    Sampled every 0.25 s, so a process that exits keeps its last reading."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.me = psutil.Process()
        self.kinds: dict[int, str] = {}
        self.last: dict[int, float] = {}
        self.base: dict[int, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _kind(self, p) -> str:
        if p.pid == self.me.pid:
            return "bench script"
        if p.pid == self.server_pid:
            return "app server"
        cmd = " ".join(p.cmdline())
        if "chrom" in cmd:
            m = re.search(r"--type=([\w-]+)", cmd)
            if not m:
                return "chromium browser"
            kind = m.group(1)
            if kind == "utility" and "network" in cmd:
                return "chromium network"
            return f"chromium {kind}"
        if "playwright" in cmd or "node" in p.name():
            return "playwright driver"
        if "ipykernel" in cmd:
            return "kernels"
        if "python" in p.name() or "python" in cmd:
            return "app chart process"
        return p.name()

    def sample(self) -> None:
        procs = [self.me, *self.me.children(recursive=True)]
        for p in procs:
            try:
                cpu = sum(p.cpu_times()[:2])
                if p.pid not in self.kinds:
                    self.kinds[p.pid] = self._kind(p)
            except psutil.Error:
                continue
            with self.lock:
                self.last[p.pid] = cpu

    def reset(self) -> None:
        self.sample()
        with self.lock:
            self.base = dict(self.last)

    def spent(self) -> dict[str, float]:
        self.sample()
        out: dict[str, float] = {}
        with self.lock:
            for pid, cpu in self.last.items():
                kind = self.kinds.get(pid, "?")
                out[kind] = out.get(kind, 0.0) + cpu - self.base.get(pid, 0.0)
        return {k: round(v, 2) for k, v in sorted(out.items(), key=lambda kv: -kv[1])}

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.25)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, port: int, log):
    if args.server == "room":
        return start_app(None, port, server="room", stdout=log, stderr=subprocess.STDOUT)
    if args.server == "solara":
        # One process for every visitor (benchmarks/solara_pages.py); no kernel cap.
        solara = Path(sys.executable).with_name("solara")
        cmd = [str(solara), "run", str(Path(__file__).with_name("solara_pages.py")),
               "--host", "127.0.0.1", "--port", str(port), "--production"]
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    if not args.preheat:
        return start_app(None, port, max_kernels=args.max_kernels, stdout=log,
                         stderr=subprocess.STDOUT)
    # Voilà's preheated kernels: `pool` kernels per page, each having run its page.
    import tempfile

    from simkit.app.pages import write_pages

    pages = Path(tempfile.mkdtemp(prefix="simkit-bench-pages-"))
    write_pages(pages)
    cmd = voila_command(pages, port, max_kernels=args.max_kernels) + [
        "--preheat_kernel=True", f"--pool_size={args.preheat}"]
    proc = subprocess.Popen(cmd, cwd=pages, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.simkit_pages = pages
    return proc


def _wait_port(port: int, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the app exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the app did not open its port")


async def _open(browser, url: str, timeout_s: float):
    """(page, context, outcome, seconds): outcome 'ready', 'full' or 'never'."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await ctx.new_page()
    t0 = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    try:
        await page.wait_for_selector(f"{READY}, {FULL}", timeout=timeout_s * 1000)
    except Exception:
        return page, ctx, "never", time.perf_counter() - t0
    outcome = "full" if await page.query_selector(FULL) else "ready"
    return page, ctx, outcome, time.perf_counter() - t0


def _url(base: str, server: str, filename: str) -> str:
    if server == "room":
        return app_url(int(base.rsplit(":", 1)[1]), page=filename, server="room")
    if server == "solara":
        return f"{base}/{filename.removesuffix('.ipynb')}"
    return f"{base}/voila/render/{filename}"


async def _loads(browser, base: str, n: int, timeout_s: float, server: str) -> dict:
    times, outcomes = [], {"ready": 0, "full": 0, "never": 0}
    for i in range(n):
        lesson = LESSONS[i % len(LESSONS)]
        page, ctx, outcome, secs = await _open(browser, _url(base, server, lesson.filename),
                                               timeout_s)
        outcomes[outcome] += 1
        if outcome == "ready":
            times.append(secs)
        await page.close()
        await ctx.close()
    return {"outcomes": outcomes, "load_s_median": _r(statistics.median(times) if times else None),
            "load_s_max": _r(max(times) if times else None)}


class TooFewValues(Exception):
    """--distinct asked for more moves than the page's slider has values."""


async def _viewer(browser, url: str, moves: int, pause: float, timeout_s: float, out: dict,
                  server: str = "voila", distinct: int | None = None,
                  barrier: asyncio.Barrier | None = None, delay: float = 0.0, total: int = 0,
                  chart_wait: bool = True):
    """One viewer; ``distinct``: this viewer's number, its moves set values of their own.
    ``barrier``: wait until every viewer's page has loaded, then ``delay`` seconds, before
    the first move (the room opens the page, then the trainer says "move the slider")."""
    page, ctx, outcome, secs = await _open(browser, url, timeout_s)
    out["outcomes"][outcome] += 1
    try:
        if barrier is not None:
            await barrier.wait()
            if out.get("cpu") is not None and out.get("moves_t0") is None:
                # CPU from here on is the moves' (every page has loaded).
                out["moves_t0"] = time.perf_counter()
                out["cpu"].reset()
            await asyncio.sleep(delay)
        if outcome != "ready":
            return
        out["load_s"].append(secs)
        slider = (await page.eval_on_selector_all(
            ".simkit-page .widget-slider", "els => els.flatMap(e => [...e.classList]"
            ".filter(c => c.startsWith('simkit-slider-')))"))[0]
        handle = page.locator(f".{slider} " + ("input[type=range]" if server == "room"
                                                else ".noUi-handle"))
        chart_js = ("() => { const i = document.querySelector('.simkit-page .simkit-chart img');"
                    " return i ? i.src : null; }")
        if server == "room":
            await page.evaluate(BREAKDOWN_JS)
        for i in range(moves):
            before = await page.inner_text(".simkit-page .simkit-headline")
            chart_before = await page.evaluate(chart_js)
            await handle.focus()
            if server == "room":
                await page.evaluate("() => window.__simkitBench.arm()")
            t0 = time.perf_counter()
            if distinct is not None:
                # The slider's maximum less a step per move of every viewer: no two
                # moves ask for the same value (the room server's default is not among them).
                # A slider with fewer steps than moves (lesson 10's quota: 21) takes finer ones;
                # a whole-number slider cannot (the server refuses 3.5 reps): refused here.
                few = await handle.evaluate(
                    "(el, [k, n]) => { const lo = Number(el.min), hi = Number(el.max);"
                    " let s = Number(el.step);"
                    " if (!(s > 0) || (hi - lo) / s < n + 1) {"
                    "  if (Number.isInteger(s) && s >= 1)"
                    "   return `${Math.floor((hi - lo) / s) + 1} whole values (${lo}..${hi})`;"
                    "  s = (hi - lo) / (n + 1); el.step = 'any'; }"
                    " el.value = hi - k * s;"
                    " el.dispatchEvent(new Event('input', {bubbles: true}));"
                    " el.dispatchEvent(new Event('change', {bubbles: true})); return null; }",
                    [distinct * moves + i, total])
                if few:
                    raise TooFewValues(f"--distinct: the page's first slider ({slider}) has "
                                       f"{few}, fewer than the {total} moves asked "
                                       f"(--viewers x --moves); ask for fewer moves")
            else:
                await page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            try:
                await page.wait_for_function(
                    "old => document.querySelector('.simkit-page .simkit-headline')"
                    ".innerText !== old", arg=before, timeout=timeout_s * 1000, polling=50)
                seen = time.perf_counter() - t0
                out["latency"].append(seen)
                # And the new chart (the room server sends it after the numbers).
                if chart_wait:
                    await page.wait_for_function(
                        "old => { const i = document.querySelector("
                        "'.simkit-page .simkit-chart img'); return i && i.src !== old; }",
                        arg=chart_before, timeout=timeout_s * 1000, polling=50)
                    out["chart"].append(time.perf_counter() - t0)
                if server == "room":
                    b = await page.evaluate("() => window.__simkitBench.read()")
                    if b:
                        b["driver"] = seen * 1000 - (b.get("numbers") or 0)
                        b["move"] = i
                        out["breakdown"].append(b)
            except Exception:
                out["lost_moves"] += 1
            await asyncio.sleep(pause)
    finally:
        await page.close()
        await ctx.close()


async def _run(args) -> dict:
    from playwright.async_api import async_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(args.log), "wb")
    proc = _start(args, port, log)
    result: dict = {}
    try:
        _wait_port(port, proc, timeout=120)
        sampler = Sampler(proc.pid)
        sampler.start()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=ARGS)
            if args.preheat:
                await asyncio.sleep(args.preheat_wait)
            if args.server == "room":
                # Its pages built (it warms them in the background as it starts).
                deadline = time.monotonic() + 180
                while "pages warm" not in Path(args.log).read_text(errors="replace"):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the room server did not warm its pages")
                    await asyncio.sleep(0.2)
            idle_mb, idle_k = sampler.sample()
            result["idle"] = {"mb": _r(idle_mb), "kernels": idle_k}
            sampler.reset()
            t0 = time.perf_counter()
            loads = await _loads(browser, base, args.loads, args.timeout, args.server)
            result["loads"] = {"n": args.loads, **loads, "peak_mb": _r(sampler.peak_mb),
                               "peak_kernels": sampler.peak_kernels,
                               "seconds": _r(time.perf_counter() - t0)}
            await asyncio.sleep(2)
            result["loads"]["kernels_after"] = sampler.sample()[1]
            sampler.reset()
            cpu = CpuSampler(proc.pid)
            cpu.start()
            cpu.reset()
            out = {"outcomes": {"ready": 0, "full": 0, "never": 0}, "load_s": [],
                   "latency": [], "chart": [], "lost_moves": 0, "breakdown": [],
                   "cpu": cpu, "moves_t0": None}
            t_viewers = time.perf_counter()
            url = _url(base, args.server, args.page)
            together = args.start == "together"
            barrier = asyncio.Barrier(args.viewers) if together and args.viewers else None
            delays = random.Random(1).sample(range(1000), args.viewers) if together else []
            await asyncio.gather(*[_viewer(browser, url, args.moves, args.pause, args.timeout,
                                           out, args.server, k if args.distinct else None,
                                           barrier, delays[k] / 1000 * args.pause if together
                                           else 0.0, args.viewers * args.moves,
                                           not args.no_chart_wait)
                                   for k in range(args.viewers)])
            lat = sorted(out["latency"])
            result["viewers"] = {
                "n": args.viewers, "page": args.page, "start": args.start,
                "outcomes": out["outcomes"],
                "load_s_max": _r(max(out["load_s"]) if out["load_s"] else None),
                "moves": len(lat), "lost_moves": out["lost_moves"],
                "slider_s_p50": _r(_pct(lat, 50)), "slider_s_p95": _r(_pct(lat, 95)),
                "slider_s_max": _r(lat[-1] if lat else None),
                "chart_s_p50": _r(_pct(sorted(out["chart"]), 50)),
                "chart_s_p95": _r(_pct(sorted(out["chart"]), 95)),
                "peak_mb": _r(sampler.peak_mb), "peak_kernels": sampler.peak_kernels}
            spent = cpu.spent()
            cpu.stop.set()
            # With --start together: the moves alone (from the first move on); else
            # page loads and moves.
            result["viewers"]["cpu_s"] = {"wall": _r(time.perf_counter()
                                                     - (out["moves_t0"] or t_viewers)),
                                          "total": _r(sum(spent.values())), **spent}
            if out["breakdown"]:
                result["viewers"]["breakdown_ms"] = _breakdown(out["breakdown"], lat)
            await browser.close()
        sampler.stop.set()
    finally:
        stop_app(proc)
        log.close()
    if args.server == "room":
        # The room server logs its work when it stops (simkit/app/room_web.py).
        found = re.findall(r"room: (\d+) computations, (\d+) answers from the cache; (.*)",
                           Path(args.log).read_text(errors="replace"))
        if found:
            result["room"] = {"computations": int(found[-1][0]),
                              "cache_hits": int(found[-1][1]), "server": found[-1][2]}
    result["never_rendered"] = (result.get("loads", {}).get("outcomes", {}).get("never", 0)
                                + result.get("viewers", {}).get("outcomes", {}).get("never", 0))
    return result


def _breakdown(rows: list[dict], lat: list[float]) -> dict:
    """Where a move's time went, in the page (ms): p50 and p95 of each part over all moves,
    and the same parts averaged over the slowest 5% of moves (by numbers latency)."""
    parts = ("event", "request", "response", "apply", "numbers", "driver", "longtask_ms",
             "chart_bytes")
    out = {}
    for p in parts:
        xs = sorted(r[p] for r in rows if r.get(p) is not None)
        out[p] = {"p50": _r(_pct(xs, 50)), "p95": _r(_pct(xs, 95))}
    slow = sorted(rows, key=lambda r: r["driver"] + (r.get("numbers") or 0))
    slow = slow[-max(1, len(slow) // 20):]
    out["slowest_5pct_mean"] = {p: _r(statistics.mean(r[p] for r in slow
                                                      if r.get(p) is not None))
                                for p in parts if any(r.get(p) is not None for r in slow)}
    # The first move of every viewer comes within a second of the others' (--start together).
    out["slowest_5pct_mean"]["first_moves"] = sum(r["move"] == 0 for r in slow)
    out["slowest_5pct_mean"]["n"] = len(slow)
    return out


def _pct(xs, q):
    if not xs:
        return None
    return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]


def _r(x):
    return None if x is None else round(float(x), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=40)
    ap.add_argument("--viewers", type=int, default=30)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between a viewer's moves")
    ap.add_argument("--page", default="06-forecast.ipynb")
    ap.add_argument("--max-kernels", type=int, default=6)
    ap.add_argument("--server", choices=["voila", "room", "solara"], default="room",
                    help="voila: `simkit app --server voila` (a kernel per page); room: "
                         "`simkit app --server room` (one process); solara: one process "
                         "(benchmarks/solara_pages.py, for comparison)")
    ap.add_argument("--start", choices=["together", "staggered"], default="together",
                    help="together: every viewer's page loads, then each makes its first move "
                         "within --pause s (a room told to move the slider); staggered: each "
                         "viewer moves as soon as its own page is loaded, while the others' "
                         "pages are still loading on the same cores")
    ap.add_argument("--distinct", action="store_true",
                    help="room only: every move sets a value no other move used (no cache hits)")
    ap.add_argument("--no-chart-wait", action="store_true",
                    help="a viewer moves again after its numbers (and --pause) without "
                         "waiting for its chart, as a trainee nudging a slider does: the "
                         "page gives the chart's request up (the room's log then counts "
                         "charts drawn and given up)")
    ap.add_argument("--preheat", type=int, default=0,
                    help="Voilà preheated kernels per page (0: off, the default of simkit app)")
    ap.add_argument("--preheat-wait", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--log", default="/tmp/bench_app_load.log")
    args = ap.parse_args()
    for name in ("loads", "viewers", "moves"):
        if not 0 <= getattr(args, name) <= 200:
            ap.error(f"--{name} must be within 0..200")
    if args.distinct and args.server != "room":
        ap.error("--distinct needs --server room")
    pages = {le.filename: le for le in LESSONS}
    if args.page not in pages:
        ap.error(f"--page {args.page!r}: one of " + ", ".join(pages))
    if pages[args.page].dashboard == "coaching_dashboard":
        ap.error(f"--page {args.page}: the coaching page has no slider to move (a rep menu)")
    try:
        result = asyncio.run(_run(args))
    except TooFewValues as exc:
        ap.error(str(exc))
    emit("app_load", server=args.server, max_kernels=args.max_kernels, preheat=args.preheat,
         distinct=args.distinct, **result)


if __name__ == "__main__":
    main()
