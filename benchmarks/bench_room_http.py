"""The room server alone, without browsers: 30 clients moving a slider over plain HTTP.

bench_app_load.py drives real pages, but its 30 headless chromium pages share the
machine's cores with the server; this one measures what the server itself does
when the viewers' browsers are elsewhere (a trainee's laptop each), as in a room.
Starts `simkit app --server room` on a free 127.0.0.1 port; ``--viewers`` clients
each load ``--page``, then post ``--moves`` slider moves (pause ``--pause`` s),
timing request -> new numbers (the answer's first line) and -> new chart (its
last). ``--distinct``: every move asks for values no other move asked for (the
cache cannot help); otherwise moves go back and forth between two values, as a
person nudging a slider does. Prints one JSON line: p50/p95/max, refused or
failed answers, peak RSS of the server and its chart process, the computations
it ran and its cache hits and how long requests took inside it (from its log),
the command and the machine's load.

    .venv/bin/python benchmarks/bench_room_http.py [--viewers 30] [--moves 5]
        [--page 06-forecast] [--control realised] [--distinct]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

import httpx
import psutil

from simkit.cli.app import start_app, stop_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_warm(log: Path, deadline: float) -> None:
    """Until the room server logs that its pages are built (simkit/app/room_web.py warm)."""
    while "pages warm" not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError("the room server did not warm its pages")
        time.sleep(0.2)


def _pct(xs, q):
    return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))] if xs else None


async def _viewer(client, args, k: int, out: dict) -> None:
    r = await client.get(f"/{args.page}?lang=en")
    if r.status_code != 200:
        out["failed"] += 1
        return
    for i in range(args.moves):
        if args.distinct:
            value = args.top - args.step * (k * args.moves + i)
        else:
            value = args.top - args.step * (i % 2)
        t0 = time.perf_counter()
        numbers = None
        async with client.stream("POST", f"/api/{args.page}",
                                 json={"lang": "en", "values": {args.control: value}}) as r:
            if r.status_code != 200:
                out["failed"] += 1
                continue
            # One line with the numbers, then (unless cached) one with the chart.
            async for line in r.aiter_lines():
                if not line.strip():
                    continue
                if numbers is None:
                    numbers = time.perf_counter() - t0
                if json.loads(line).get("done"):
                    out["latency"].append(numbers)
                    out["chart"].append(time.perf_counter() - t0)
        await asyncio.sleep(args.pause)


async def _run(args, base: str) -> dict:
    out = {"latency": [], "chart": [], "failed": 0}
    limits = httpx.Limits(max_connections=args.viewers + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(*[_viewer(client, args, k, out) for k in range(args.viewers)])
    lat, chart = sorted(out["latency"]), sorted(out["chart"])
    return {"moves": len(lat), "failed": out["failed"], "slider_s_p50": _r(_pct(lat, 50)),
            "slider_s_p95": _r(_pct(lat, 95)), "slider_s_max": _r(lat[-1] if lat else None),
            "chart_s_p50": _r(_pct(chart, 50)), "chart_s_p95": _r(_pct(chart, 95)),
            "chart_s_max": _r(chart[-1] if chart else None)}


def _r(x):
    return None if x is None else round(float(x), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--viewers", type=int, default=30)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--page", default="06-forecast")
    ap.add_argument("--control", default="realised")
    ap.add_argument("--top", type=float, default=1000.0, help="the control's highest value")
    ap.add_argument("--step", type=float, default=5.0, help="the control's step")
    ap.add_argument("--distinct", action="store_true")
    ap.add_argument("--log", default="/tmp/bench_room_http.log")
    args = ap.parse_args()
    for name in ("viewers", "moves"):
        if not 1 <= getattr(args, name) <= 200:
            ap.error(f"--{name} must be within 1..200")
    port = _free_port()
    log = open(args.log, "wb")
    proc = start_app(None, port, server="room", stdout=log, stderr=log)
    peak = {"mb": 0.0}
    stop = threading.Event()

    def sample():
        # The server and its chart-drawing process.
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                total = sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])
                peak["mb"] = max(peak["mb"], total / 1e6)
            except psutil.Error:
                pass
            time.sleep(0.2)

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the room server did not start")
                time.sleep(0.2)
        # Let it warm its pages (as it does before a session starts).
        _wait_warm(Path(args.log), deadline)
        threading.Thread(target=sample, daemon=True).start()
        t0 = time.perf_counter()
        result = asyncio.run(_run(args, f"http://127.0.0.1:{port}"))
        result["seconds"] = _r(time.perf_counter() - t0)
    finally:
        stop.set()
        stop_app(proc)
        log.close()
    found = re.findall(r"room: (\d+) computations, (\d+) answers from the cache; (.*)",
                       Path(args.log).read_text(errors="replace"))
    room = ({"computations": int(found[-1][0]), "cache_hits": int(found[-1][1]),
             "server": found[-1][2]} if found else {})
    emit("room_http", viewers=args.viewers, page=args.page, distinct=args.distinct,
         peak_mb=_r(peak["mb"]), **result, room=room)


if __name__ == "__main__":
    main()
