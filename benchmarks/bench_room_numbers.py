"""The room server's engine in one process, no HTTP and no browser: a move's numbers and chart.

For each ``--pages`` page (default: every lesson the room serves) builds the room's
dashboard (:class:`simkit.app.room.Room`, projector style as `simkit app` draws), then makes
``--moves`` moves to values no other move used (the answers cache cannot help) and times,
per move, :meth:`Room.numbers` (what a viewer waits for before the new numbers: the
dashboard recomputed under its lock) and :meth:`Room.charts` (the chart built, if it is
still a recipe, and drawn, here in this process). Also counts the matplotlib figures
built while the numbers were computed (0 when the page hands its chart over as a
:class:`simkit.workbook._common.Chart`). Prints one JSON line: per page p50/p95/max of
both, in seconds, and the figures built for the numbers.

    .venv/bin/python benchmarks/bench_room_numbers.py [--pages 02-headline 04-gap]
        [--moves 20]

The moves of a page go through its first two number controls' values in turn (a grid
walked from the dashboard's defaults), one at a time, as one viewer after another would.
To measure another commit's code with the same script, run it with
``PYTHONPATH=<that checkout>``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit


def _grid(c) -> list:
    """A number control's values, from its default up then down (within its limits)."""
    step = c.step or 1
    n = int(round((c.hi - c.lo) / step))
    values = [c.lo + k * step for k in range(n + 1)]
    values = [int(v) if c.integer else round(v, 10) for v in values]
    start = min(range(len(values)), key=lambda k: abs(values[k] - c.value))
    return values[start:] + values[:start][::-1]


def _moves(model, n: int) -> list[dict]:
    numbers = [c for c in model.controls.values() if c.kind == "number"][:2]
    if not numbers:  # only choices (the coaching page): its options in turn
        c = next(iter(model.controls.values()))
        return [{c.name: k % len(c.options)} for k in range(1, n + 1)]
    grids = [_grid(c) for c in numbers]
    combos = (dict(zip((c.name for c in numbers), vs)) for vs in itertools.product(*grids))
    next(combos)  # the defaults: the dashboard's first answer
    return list(itertools.islice(combos, n))


def _stats(xs: list[float]) -> dict:
    if not xs:
        return {}
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return {"p50": round(statistics.median(xs), 4), "p95": round(p95, 4),
            "max": round(xs[-1], 4)}


def main() -> None:
    from matplotlib.figure import Figure

    from simkit.app.pages import LESSONS
    from simkit.app.room import Room, page_id

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", nargs="*", default=[page_id(le) for le in LESSONS])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--lang", default="en")
    args = ap.parse_args()

    built = [0]
    init = Figure.__init__

    def counting(self, *a, **kw):
        built[0] += 1
        init(self, *a, **kw)

    Figure.__init__ = counting
    room = Room(projector=True)
    pages = {}
    try:
        for page in args.pages:
            session = 1234 if room.has_session(page) else None
            model = room.model(page, args.lang, session)
            numbers_s, charts_s, figures = [], [], 0
            for values in _moves(model, args.moves):
                before = built[0]
                t0 = time.perf_counter()
                key, _, pending = room.numbers(page, args.lang, values, session)
                t1 = time.perf_counter()
                figures += built[0] - before
                numbers_s.append(t1 - t0)
                if pending is not None:
                    room.charts(key, pending)
                    charts_s.append(time.perf_counter() - t1)
            pages[page] = {"moves": len(numbers_s), "numbers_s": _stats(numbers_s),
                           "charts_s": _stats(charts_s), "figures_built_for_numbers": figures}
    finally:
        Figure.__init__ = init
        room.close()
    emit("room_numbers", lang=args.lang, pages=pages)


if __name__ == "__main__":
    main()
