"""Load test of the sandbox web app on loopback: 8 teams x 4 clients, a projector, a trainer.

Starts ``simkit sandbox serve`` on a free 127.0.0.1 port with a new 8-team
session, then 32 team clients (4 per team, each joined with its code) loop over
the team page, the status poll, a decision submit and now and then a preview,
a projector client reloads the leaderboard every 2 s, and the trainer closes
round 1 when half the team requests are done and opens round 2. Bounded: each client makes at most
``--requests`` requests and stops after ``--seconds``.

Reports p50 / p95 / max response time by request kind, the round-close time (the
trainer's request, and the server's own figure stored with the results) and the
server's peak resident memory (sampled every 0.1 s). Targets from issue 14:
round close <= 5 s, memory <= 1 GB.

    .venv/bin/python benchmarks/bench_sandbox.py            # ~30 s
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teams", type=int, default=8)
    ap.add_argument("--clients-per-team", type=int, default=4)
    ap.add_argument("--requests", type=int, default=60, help="at most this many per client")
    ap.add_argument("--seconds", type=float, default=30.0, help="each client stops after this")
    ap.add_argument("--replications", type=int, default=60)
    ap.add_argument("--preview-share", type=float, default=0.25,
                    help="share of a client's 4th requests that are previews")
    ap.add_argument("--workers", type=int, default=2, help="simulation processes of the server")
    args = ap.parse_args()

    cli = str(Path(sys.executable).parent / "simkit")
    db = Path(tempfile.mkdtemp(prefix="bench-sandbox-")) / "room.sqlite"
    out = subprocess.run([cli, "sandbox", "create", "--db", str(db), "--teams", str(args.teams),
                          "--replications", str(args.replications), "--regime", "saturating"],
                         capture_output=True, text=True, check=True).stdout
    codes = re.findall(r"join code (\w+)", out)
    key = re.search(r"trainer key: (\S+)", out).group(1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(db.with_suffix(".log"), "w")  # the server's errors, if any  # noqa: SIM115
    server = subprocess.Popen([cli, "sandbox", "serve", "--db", str(db), "--port", str(port),
                               "--lang", "en", "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    peak = {"rss": 0}
    stop = threading.Event()

    def sample():
        p = psutil.Process(server.pid)
        while not stop.is_set():
            try:
                procs = [p] + p.children(recursive=True)  # the simulation workers too
                rss = sum(q.memory_info().rss for q in procs)
            except psutil.NoSuchProcess:
                return
            peak["rss"] = max(peak["rss"], rss)
            time.sleep(0.1)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
        threading.Thread(target=sample, daemon=True).start()
        times: dict[str, list[float]] = defaultdict(list)
        statuses: dict[int, int] = defaultdict(int)
        lock = threading.Lock()

        def timed(kind: str, fn):
            t0 = time.perf_counter()
            r = fn()
            dt = time.perf_counter() - t0
            with lock:
                times[kind].append(dt)
                statuses[r.status_code] += 1
            return r

        t_start = time.monotonic()

        def team_client(i: int):
            rng = random.Random(i)
            code = codes[i % len(codes)]
            with httpx.Client(base_url=base, timeout=30) as c:
                timed("join", lambda: c.post("/join", data={"code": code}))
                for n in range(args.requests):
                    if time.monotonic() - t_start > args.seconds:
                        break
                    pick = n % 4
                    if pick == 0:
                        timed("team page", lambda: c.get("/team"))
                    elif pick == 1:
                        timed("status poll", lambda: c.get("/team/status.json"))
                    elif pick == 2:
                        data = {"hires": str(rng.randint(0, 2)),
                                "prospecting": f"{rng.uniform(4, 7):.1f}",
                                "consultants": str(rng.randint(3, 4)),
                                "forecast_committed": str(rng.randint(150, 250))}
                        timed("submit", lambda: c.post("/team/decisions", data=data))
                    elif rng.random() < args.preview_share:
                        timed("preview", lambda: c.post("/team/preview", data={}))
                    else:
                        timed("status poll", lambda: c.get("/team/status.json"))
                    time.sleep(rng.uniform(0.05, 0.3))

        def projector():
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() - t_start < args.seconds and not stop.is_set():
                    timed("leaderboard", lambda: c.get("/board"))
                    time.sleep(2)

        close = {}

        def trainer():
            with httpx.Client(base_url=base, timeout=60) as c:
                c.get(f"/trainer?key={key}")
                # Close while the teams are busiest: when half their requests are done.
                half = args.teams * args.clients_per_team * args.requests / 2
                while (sum(len(v) for v in times.values()) < half
                       and time.monotonic() - t_start < args.seconds / 2):
                    time.sleep(0.05)
                t0 = time.perf_counter()
                r = c.post("/trainer/close")
                close["http"] = time.perf_counter() - t0
                close["status"] = r.status_code
                c.post("/trainer/open")

        threads = [threading.Thread(target=team_client, args=(i,))
                   for i in range(args.teams * args.clients_per_team)]
        threads += [threading.Thread(target=projector), threading.Thread(target=trainer)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.monotonic() - t_start
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        log.close()

    from simkit.sandbox import Sandbox

    sb = Sandbox.open(db)
    server_close = sb.result_details()[0]["close_seconds"]
    engine = sb.result_details()[0]["engine"]
    sb.close()
    total = sum(len(v) for v in times.values())
    allt = np.concatenate([np.asarray(v) for v in times.values()])
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{args.teams} teams x {args.clients_per_team} clients + projector + trainer, "
          f"{total} requests in {wall:.1f} s; statuses {dict(sorted(statuses.items()))}")
    print(f"{'kind':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, v in sorted(times.items()):
        a = np.asarray(v) * 1000
        print(f"{kind:<12} {len(a):>5} {np.percentile(a, 50):>8.0f} {np.percentile(a, 95):>8.0f} "
              f"{a.max():>8.0f}")
    print(f"{'all':<12} {len(allt):>5} {np.percentile(allt, 50) * 1000:>8.0f} "
          f"{np.percentile(allt, 95) * 1000:>8.0f} {allt.max() * 1000:>8.0f}")
    print(f"round close, {args.teams} teams x {args.replications} replications ({engine} engine): "
          f"server {server_close:.2f} s, trainer's request {close.get('http', float('nan')):.2f} s"
          f" (target <= 5 s)")
    extra = " + 1 preview worker" if args.workers else ""
    print(f"server peak RSS with its {args.workers} simulation workers{extra}: "
          f"{peak['rss'] / 2**20:.0f} MB (target <= 1024 MB)")


if __name__ == "__main__":
    main()
