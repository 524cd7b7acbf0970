"""A fast engine for team dynamics: TeamModel's events in a compiled loop, same numbers.

:class:`simkit.sim.dynamics.TeamModel` (SimPy) stays the model of record. This
engine runs the same model for scenarios with capacity, a pre-sales pool,
hiring, ramp, attrition or a commission plan, more than ten times faster,
and gives the same tables to the last bit on the scenarios the tests check
(``tests/sim/test_teamfast_*``).

Design (measured against the alternatives, see ``benchmarks/bench_team.py``):

- Everything random is drawn first, in Python, from the very streams
  TeamModel reads (:func:`simkit.sim.streams.stream` keys, the block layout of
  :class:`simkit.sim.engine.DealDraws`): a rep's candidate leads all arrive at
  the full rate whatever happens (thinning decides later), a rep's time to
  leave is the first number of its "people" stream, so the whole roster
  (hires, leavers, backfills and their keys) and every candidate's numbers
  are known before the first event.
- What depends on the order of events (waits for a rep's slot or a
  consultant, which candidates a full or ramping rep keeps, which rep a
  leaver's deals go to) runs in :mod:`simkit.sim.teamfast_kernel`: an event loop
  over arrays, compiled with numba, with no per-deal process: a deal is a row
  and a phase, and only its timeouts and its waits are events.

Why numba and not the alternatives: the very same loop run as plain Python
is no faster than SimPy (lesson 8's year plan, 10 replications: 1.43 s
uncompiled, 1.57 s SimPy, 0.07 s compiled, on this 2-core machine), and
vectorising over replications does not fit FIFO queues whose order depends
on every earlier event. numba compiles the loop to machine code; the
compiled kernel is cached on disk (``cache=True``), so only the first run
on a machine pays the compilation.

It declines (:func:`unsupported_reason`) what it does not model: an
injection plan (``leads.weekly_plan``), a custom model class, a scenario
field it does not know, and any run when numba is not installed.
"""

from __future__ import annotations

import heapq
import math
from functools import cached_property

import numpy as np
import pandas as pd

from simkit.model import team as pt
from simkit.model.distributions import _Dist
from simkit.sim.dynamics import queue_warmup_weeks
from simkit.sim.draws import BLOCK
from simkit.sim.fastpath import _KNOWN as FAST_KNOWN
from simkit.sim.support import first_unknown
from simkit.sim.engine import OUTCOMES, FunnelModel
from simkit.model.params import (
    Archetype,
    Scenario,
    Start,
)
from simkit.sim.results import Results
from simkit.sim.streams import stream
from simkit.sim.teamfast_draws import LOCK, Draws, clear_cache, draws, keep, kept
from simkit.sim.teamfast_draws import people as people_draws
from simkit.sim.teamfast_kernel import HAVE_NUMBA, run_replication

__all__ = ["TeamFastResults", "simulate_team_fast", "unsupported_reason"]

_KNOWN = {  # the fast path's fields, plus the team sections and the queue warm-up
    **FAST_KNOWN,
    Scenario: FAST_KNOWN[Scenario] | {"capacity", "presales", "hiring", "ramp", "attrition",
                                      "commission"},
    Start: FAST_KNOWN[Start] | {"queue_warmup_weeks"},
    pt.Capacity: {"max_open_deals", "hours_per_week", "hours_per_deal", "hours_per_new_project",
                  "when_full"},
    pt.PreSales: {"consultants", "stage", "share", "pool", "teams"},
    pt.Hire: {"week", "count", "archetype"},
    pt.Hiring: {"plan"},
    pt.Ramp: {"curve", "weeks_per_month", "ramp_quota"},
    pt.Attrition: {"yearly_rate", "backfill", "backfill_weeks", "open_deals_lost"},
    pt.Tier: {"name", "attainment", "rate"},
    pt.Commission: {"rate", "tiers", "cap_attainment"},
}


def unsupported_reason(scenario: Scenario, model: type | None = None) -> str | None:
    """Why the fast team engine cannot run ``scenario`` as TeamModel does, or None."""
    from simkit.sim.dynamics import TeamModel

    if model is not None and model not in (FunnelModel, TeamModel):
        return f"a custom model class ({getattr(model, '__name__', model)!s})"
    if not HAVE_NUMBA:
        return "anything without numba installed (pip install numba)"
    # any distribution: the engine calls its own sample methods
    return first_unknown(scenario, _KNOWN, dists=(_Dist,))


# ---------------------------------------------------------------- constants


class _Plan:
    """Per-scenario constants, as FunnelModel / TeamModel compute them."""

    def __init__(self, sc: Scenario):
        start = sc.horizon.start
        self.sc = sc
        self.t0 = float(start.week)
        self.t_end = float(sc.horizon.quarters * sc.quota.weeks_per_quarter)
        self.t_begin = self.t0 - (start.warmup_weeks if start.mode == "empty" else 0.0)
        self.warmup = queue_warmup_weeks(sc)
        if self.warmup > 0:
            self.t_begin = self.t0 - self.warmup
        self.t_stop = self.t_begin + (self.t_end - self.t_begin)  # SimPy: now + (until - now)
        self.S = len(sc.funnel.stages)
        self.stage_dists = [s.duration for s in sc.funnel.stages]
        self.size_dist = sc.deal_size.distribution
        sources = sc.leads.sources
        self.src_cum = np.cumsum([s.share for s in sources])
        self.src_entry = np.array([sc.entry_index(s) for s in sources], np.int64)
        self.src_mult = np.array([s.deal_size_multiplier for s in sources])
        self.archetypes = sc.team.rep_archetypes()
        self.quotas = sc.rep_quotas()
        self._conv: dict = {}
        self.dynamics = sc.uses_dynamics
        cap = sc.capacity
        self.queue = cap is not None and cap.when_full == "queue"
        self.pl_kind = 0
        if cap is not None and cap.when_full == "prospect_less":
            self.pl_kind = 1 if cap.max_open_deals is not None else 2
        ps = sc.presales
        self.ps_stage = sc.funnel.index(ps.stage) if ps else -1
        self.ps_share = ps.share if ps else 1.0
        self.pool_cap = np.array(ps.staff() if ps else [], np.int64)
        self.hazard = (sc.attrition.hazard_per_week(sc.quota.weeks_per_quarter)
                       if sc.attrition is not None else 0.0)
        # small ids for what shapes the kept numbers (hashing the models once, not per look-up)
        self.shape_id = _id((tuple(self.stage_dists), self.size_dist))
        self.sources_id = _id((tuple((s.share, s.deal_size_multiplier) for s in sources),
                               tuple(self.src_entry.tolist())))
        n0 = len(self.archetypes)
        self.start_id = _id((start, tuple(
            (sc.leads.per_rep_per_week * a.prospecting, tuple(self.conv(a)), a.deal_size)
            for a in self.archetypes[:n0]), tuple(
            (s.share, s.deal_size_multiplier) for s in sources), tuple(self.src_entry.tolist()),
            self.shape_id))

    def conv(self, a: Archetype) -> list[float]:
        if a.name not in self._conv:
            self._conv[a.name] = self.sc.rep_conversions(a)
        return self._conv[a.name]

    def archetype(self, name: str | None) -> Archetype:
        for a in self.sc.team.archetypes:
            if a.name == (name or "average"):
                return a
        return Archetype(name="average", share=1.0)


_IDS: dict = {}


def _id(key) -> int:
    if len(_IDS) > 10_000:
        _IDS.clear()
        clear_cache()  # ids are about to be reused: forget what they keyed
    return _IDS.setdefault(key, len(_IDS))


class _Rep:
    __slots__ = ("act", "arch", "backfill", "full", "hired", "initial", "key", "leave", "new",
                 "people", "seat")

    def __init__(self, key, arch, full, new, hired, act, seat, initial):
        self.key, self.arch, self.full, self.new = key, arch, full, new
        self.hired, self.act, self.seat, self.initial = hired, act, seat, initial
        self.leave = math.inf
        self.people = None
        self.backfill = -1  # index of the rep who takes this seat after a leave


def _roster(p: _Plan, seed: int, r: int) -> list[_Rep]:
    """Every rep of replication r in TeamModel's creation order, with hire and leave times."""
    sc = p.sc
    reps: list[_Rep] = []
    for i, a in enumerate(p.archetypes):
        hired = p.t0 if p.warmup > 0 else p.t_begin  # a warm-up: the team joins at week 0
        reps.append(_Rep((i,), a, sc.leads.per_rep_per_week * a.prospecting, False, hired,
                         p.t_begin, p.quotas[i], True))
    if sc.hiring is not None:
        seat = sc.quota.team_per_quarter / sc.team.reps
        j = 0
        for h in sorted(sc.hiring.plan, key=lambda h: h.week):
            a = p.archetype(h.archetype)
            for _ in range(h.count):
                week = float(h.week)
                act = p.t_begin + (week - p.t_begin) if week > p.t_begin else p.t_begin
                reps.append(_Rep((1, j), a, sc.leads.per_rep_per_week * a.prospecting, True,
                                 week, act if week < p.t_end else math.inf, seat, False))
                j += 1
    if sc.attrition is None or p.hazard <= 0:
        return reps
    att = sc.attrition
    backfills: list[tuple[float, int]] = []

    def tenure(idx: int) -> None:
        rp = reps[idx]
        if not rp.act < math.inf:
            return  # hired at or after the horizon: never starts
        s = rp.act
        leave = max(rp.hired, s) + people_draws(seed, r, rp.key, 0)[0] / p.hazard
        if leave >= p.t_end:
            return
        rp.leave = s + (leave - s)
        rp.people = True
        if att.backfill and rp.leave + att.backfill_weeks < p.t_end:
            heapq.heappush(backfills, (rp.leave + att.backfill_weeks, idx))

    for idx in range(len(reps)):
        tenure(idx)
    # Backfills get their indexes in the order they are made (TeamModel._tenure).
    while backfills:
        t, src = heapq.heappop(backfills)
        old = reps[src]
        reps.append(_Rep((2, *old.key), old.arch, old.full, True, t, t, old.seat, False))
        old.backfill = len(reps) - 1
        tenure(len(reps) - 1)
    return reps


def _arrivals(p: _Plan, src: Draws, full: float, start: float, limit: float, initial: bool):
    """Times and numbers of the candidate leads from one set of streams, from ``start``
    until ``limit`` (as FunnelModel._leads meets them: each time the last plus a gap)."""
    S = p.S
    empty = (np.empty(0), np.empty(0), np.empty(0), np.empty((0, S)), np.empty((0, S)),
             np.empty(0), np.empty(0, np.bool_))
    if not full > 0 or not start < limit:
        return empty
    mean = full * (limit - start)
    m = max(BLOCK, int(mean + 6 * math.sqrt(mean) + 8))
    while True:
        e = src.exps(m)
        with np.errstate(over="ignore"):
            t = np.cumsum(np.concatenate([[start], e / full]))[1:]
        if t[-1] >= limit:
            break
        m = 2 * len(e)
    n = int(np.searchsorted(t, limit, side="left"))
    if n == 0:
        return empty
    u, c, d, z, th = src.rows(n)
    return t[:n], th[:n], u[:n], c[:n], d[:n], z[:n], np.full(n, initial)


def _candidates(p: _Plan, seed: int, r: int, rp: _Rep):
    """The rep's candidate leads (a warm-up's first) before it leaves or the run ends
    (kept: a slider move that leaves the rep's times alone finds them ready)."""
    key = (seed, r, "candidates", rp.key, rp.full, rp.act, rp.leave, rp.initial,
           rp.arch.deal_size, p.warmup, p.t0, p.t_stop, p.shape_id, p.sources_id)
    hit = kept(key)
    if hit is not None:
        return hit
    out = _candidates_drawn(p, seed, r, rp)
    return keep(key, out, len(out[0]) * 5)


def _candidates_drawn(p: _Plan, seed: int, r: int, rp: _Rep):
    parts = []
    start = rp.act
    if rp.initial and p.warmup > 0 and rp.full > 0:
        warm = _arrivals(p, draws(p, seed, r, "warm", rp.key), rp.full, start, p.t0, True)
        parts.append(warm)
        last = warm[0][-1] if len(warm[0]) else start
        start = last + (p.t0 - last) if p.t0 > last else last
    if rp.full > 0:
        parts.append(_arrivals(p, draws(p, seed, r, "main", rp.key), rp.full, start,
                               min(p.t_stop, rp.leave), False))
    S = p.S
    if not parts:
        return (np.empty(0), np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64),
                np.empty(0), np.empty((0, S)), np.empty((0, S)), np.empty(0, np.bool_))
    t, th, u, c, d, z, flag = (np.concatenate(x) for x in zip(*parts)) if len(parts) > 1 \
        else parts[0]
    src = np.minimum(np.searchsorted(p.src_cum, u, side="right"), len(p.src_cum) - 1)
    amount = z * p.src_mult[src] * rp.arch.deal_size
    return t, th, src, p.src_entry[src], amount, c, d, flag


def _initial(p: _Plan, seed: int, r: int, reps: list[_Rep]):
    """The starting funnel as FunnelModel._initial_funnel places it (creation order)."""
    sc = p.sc
    start = sc.horizon.start
    n0 = len(p.archetypes)
    key = (seed, r, "starting funnel", p.start_id)
    hit = kept(key)
    if hit is not None:
        return hit
    gens = [stream(seed, r, "initial", 0, i) for i in range(n0)]  # counts and remaining times
    deals: list[tuple[int, int, int, float]] = []  # (rep, source, stage, remaining)
    stages = sc.funnel.stages
    if start.mode == "standard":
        for i in range(n0):
            g = gens[i]
            conv = p.conv(reps[i].arch)
            for s_idx, src in enumerate(sc.leads.sources):
                e = int(p.src_entry[s_idx])
                for k in range(e, p.S):
                    reach = math.prod(conv[e:k])
                    mean = reps[i].full * src.share * reach * stages[k].duration.mean
                    n = int(g.poisson(mean)) if mean > 0 else 0
                    if n:
                        for x in stages[k].duration.sample_residual(g, n):
                            deals.append((i, s_idx, k, float(x)))
    elif start.mode == "snapshot" and start.rep_counts is not None:
        for i, row in enumerate(start.rep_counts):
            g = gens[i]
            for k, count in enumerate(row):
                for _ in range(int(count)):
                    deals.append((i, -1, k, float(stages[k].duration.sample_residual(g))))
    elif start.mode == "snapshot":
        offset = 0
        for k, count in enumerate(start.counts):
            for j in range(int(count)):
                i = (offset + j) % n0
                g = gens[i]
                deals.append((i, -1, k, float(stages[k].duration.sample_residual(g))))
            offset += int(count)
    n = len(deals)
    S = p.S
    out_rep = np.array([x[0] for x in deals], np.int64)
    out_src = np.array([x[1] for x in deals], np.int64)
    out_stage = np.array([x[2] for x in deals], np.int64)
    out_rem = np.array([x[3] for x in deals], float)
    cu = np.empty((n, S))
    du = np.empty((n, S))
    amount = np.empty(n)
    for i in range(n0):
        idx = np.flatnonzero(out_rep == i)
        if not len(idx):
            continue
        _u, c, d, z, _th = draws(p, seed, r, "initial", (i,)).rows(len(idx))
        k = len(idx)
        cu[idx], du[idx] = c[:k], d[:k]
        src = out_src[idx]
        mult = np.where(src >= 0, p.src_mult[np.maximum(src, 0)], 1.0)
        amount[idx] = z[:k] * mult * reps[i].arch.deal_size
    out = (out_rep, out_src, out_stage, out_rem, amount, cu, du)
    return keep(key, out, n * (5 + 2 * S))


def _one(p: _Plan, seed: int, r: int) -> dict:
    sc = p.sc
    reps = _roster(p, seed, r)
    NR, S = len(reps), p.S
    parts = [_candidates(p, seed, r, rp) for rp in reps]
    off = np.zeros(NR + 1, np.int64)
    off[1:] = np.cumsum([len(x[0]) for x in parts])

    def cat(j, shape=()):
        arrs = [x[j] for x in parts if len(x[0])]
        return np.concatenate(arrs) if arrs else np.empty((0, *shape))

    c_t, c_thin = cat(0), cat(1)
    c_src = cat(2).astype(np.int64)
    c_entry = cat(3).astype(np.int64)
    c_amount, c_cu, c_dur = cat(4), cat(5, (S,)), cat(6, (S,))
    c_flag = cat(7).astype(np.bool_)
    ini = _initial(p, seed, r, reps)
    r_full = np.array([x.full for x in reps])
    r_conv = np.array([p.conv(x.arch) for x in reps], float).reshape(NR, S)
    r_new = np.array([x.new for x in reps], np.bool_)
    r_hired = np.array([x.hired for x in reps])
    r_act = np.array([x.act for x in reps])
    r_leave = np.array([x.leave for x in reps])
    r_init = np.array([x.initial for x in reps], np.bool_)
    r_backfill = np.array([x.backfill for x in reps], np.int64)
    cap = sc.capacity
    r_slots = np.array([cap.deal_slots(x.full) if p.queue else 0 for x in reps], np.int64)
    n_people = 256
    while True:
        people = np.zeros((NR, n_people))
        for i, x in enumerate(reps):
            if x.people is not None:
                people[i] = people_draws(seed, r, x.key, n_people)[1]
        ramp = sc.ramp
        out = run_replication(
            p.t_begin, p.t_stop, S, r_full, r_conv, r_new, r_hired, r_act, r_leave, r_slots,
            r_init, r_backfill, people, off, c_t, c_thin, c_src, c_entry, c_amount, c_cu,
            c_dur, c_flag,
            *ini, p.ps_stage, p.ps_share, p.pool_cap, p.pl_kind,
            int(cap.max_open_deals or 0) if cap is not None else 0,
            float(cap.hours_per_week or 0.0) if cap is not None else 0.0,
            float(cap.hours_per_deal) if cap is not None else 0.0,
            float(cap.hours_per_new_project) if cap is not None else 0.0,
            ramp is not None, np.array(ramp.curve if ramp else [1.0], float),
            float(ramp.weeks_per_month) if ramp else 1.0,
            float(sc.attrition.open_deals_lost) if sc.attrition is not None else 0.0)
        if not out[-1]:
            break
        n_people *= 16
    (_n, d_rep, d_src, d_init, d_ent, d_entry, d_stage, d_out, d_closed, d_amount, st_in,
     st_out, w_id, w_rep, w_ask, w_got, w_rel, left_at, _short) = out
    return {"rep": d_rep, "source": d_src, "initial": d_init, "entered": d_ent,
            "entry": d_entry, "reached": d_stage, "outcome": d_out, "closed": d_closed,
            "amount": d_amount, "enter": st_in, "left": st_out,
            "waits": (w_id, w_rep, w_ask, w_got, w_rel),
            "reps": [(i, x.arch.name, x.new, x.hired, left_at[i], x.seat)
                     for i, x in enumerate(reps) if x.hired < p.t_end]}


def simulate_team_fast(scenario: Scenario, replications: int, seed: int,
                       first: int = 0) -> TeamFastResults:
    """Replications ``first .. first + replications - 1`` of ``scenario`` on the fast team
    engine (numbered 0 .. replications - 1 in the results, as :class:`Results` numbers
    them); check :func:`unsupported_reason` first."""
    reason = unsupported_reason(scenario)
    if reason is not None:
        raise ValueError(f"the fast team engine does not model {reason}")
    with LOCK:  # the kept numbers are shared: one run at a time (threads of a sweep)
        p = _Plan(scenario)
        runs = [_one(p, seed, first + i) for i in range(replications)]
    return TeamFastResults(scenario, seed, replications, runs, p)


class TeamFastResults(Results):
    """Results of the fast team engine: the same tables as TeamModel's records give."""

    def __init__(self, scenario: Scenario, seed: int, replications: int, runs: list[dict],
                 plan: _Plan):
        super().__init__(scenario, seed, [], engine="team-fast")
        self.replications = replications
        self._runs = runs
        self._plan = plan

    def _won_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Wins and won amount per (replication, rep, quarter), from the deals table (a
        scenario without team sections: the plain engine's rep_quarters)."""
        sc = self.scenario
        wpq = sc.quota.weeks_per_quarter
        n_reps, quarters = sc.team.reps, sc.horizon.quarters
        d = self.deals
        won = d[d["outcome"] == "won"]
        q_idx = np.floor(won["closed_at"].to_numpy() / wpq).astype(np.int64)
        flat = (won["replication"].to_numpy() * n_reps + won["rep"].to_numpy()) * quarters + q_idx
        size = self.replications * n_reps * quarters
        wins = np.bincount(flat, minlength=size)[:size]
        amount = np.bincount(flat, weights=won["amount"].to_numpy(), minlength=size)[:size]
        return wins, amount

    @cached_property
    def _recorded(self) -> list[np.ndarray]:
        t0 = self._plan.t0
        return [(f["outcome"] == 2) | (f["closed"] >= t0) for f in self._runs]

    def _col(self, name: str) -> np.ndarray:
        parts = [f[name][m] for f, m in zip(self._runs, self._recorded)]
        return np.concatenate(parts) if parts else np.empty(0)

    @cached_property
    def deals(self) -> pd.DataFrame:
        sc = self.scenario
        counts = [int(m.sum()) for m in self._recorded]
        ids = np.concatenate([np.flatnonzero(m) for m in self._recorded]) if counts else \
            np.empty(0, np.int64)
        stages = sc.funnel.names
        sources = [s.name for s in sc.leads.sources] + ["snapshot"]
        return pd.DataFrame({
            "replication": np.repeat(np.arange(self.replications, dtype=np.int64), counts),
            "deal_id": ids.astype(np.int64),
            "rep": self._col("rep").astype(np.int64),
            "source": pd.Categorical.from_codes(self._col("source").astype(np.int64)
                                                % len(sources), categories=sources),
            "initial": self._col("initial").astype(bool),
            "entered": self._col("entered").astype(float),
            "entry_stage": pd.Categorical.from_codes(self._col("entry").astype(np.int64),
                                                     categories=stages, ordered=True),
            "stage_reached": pd.Categorical.from_codes(self._col("reached").astype(np.int64),
                                                       categories=stages, ordered=True),
            "outcome": pd.Categorical.from_codes(self._col("outcome").astype(np.int64),
                                                 categories=list(OUTCOMES)),
            "closed_at": self._col("closed").astype(float),
            "amount": self._col("amount").astype(float),
        })

    @cached_property
    def stage_times(self) -> pd.DataFrame:
        reps, ids, sk, ent, left = [], [], [], [], []
        for r, (f, m) in enumerate(zip(self._runs, self._recorded)):
            idx = np.flatnonzero(m)
            e = f["enter"][idx]
            dk, s = np.nonzero(~np.isnan(e))
            reps.append(np.full(len(dk), r, np.int64))
            ids.append(idx[dk])
            sk.append(s)
            ent.append(e[dk, s])
            left.append(f["left"][idx][dk, s])
        cat = (lambda x, dt: np.concatenate(x).astype(dt) if x else np.empty(0, dt))
        return pd.DataFrame({
            "replication": cat(reps, np.int64),
            "deal_id": cat(ids, np.int64),
            "stage": pd.Categorical.from_codes(cat(sk, np.int64),
                                               categories=self.scenario.funnel.names,
                                               ordered=True),
            "entered": cat(ent, float),
            "left": cat(left, float),
        })

    @cached_property
    def reps(self) -> pd.DataFrame:
        sc = self.scenario
        rows = []
        for r, f in enumerate(self._runs):
            recs = f["reps"]
            if not self._plan.dynamics:  # the plain engine's table: the team, there all along
                t = sc.horizon.start.week
                recs = [(i, a, False, t, math.nan, q) for i, a, _n, _h, _l, q in recs]
            rows.extend((r, *x) for x in recs)
        df = pd.DataFrame.from_records(
            rows, columns=["replication", "rep", "archetype", "new_hire", "hired_at",
                           "left_at", "seat_quota"])
        df["new_hire"] = df["new_hire"].astype(bool)
        for c in ("hired_at", "left_at", "seat_quota"):
            df[c] = df[c].astype(float)
        return df.sort_values(["replication", "rep"], ignore_index=True)

    @cached_property
    def waits(self) -> pd.DataFrame:
        cols = [[], [], [], [], [], []]
        t0 = self._plan.t0
        for r, f in enumerate(self._runs):
            w = f["waits"]
            keep = w[2] >= t0  # requests before week 0 (a warm-up) are not reported
            cols[0].append(np.full(int(keep.sum()), r, np.int64))
            for j in range(5):
                cols[j + 1].append(w[j][keep])
        cat = (lambda x, dt: np.concatenate(x).astype(dt) if x else np.empty(0, dt))
        df = pd.DataFrame({"replication": cat(cols[0], np.int64),
                           "deal_id": cat(cols[1], np.int64), "rep": cat(cols[2], np.int64),
                           "requested": cat(cols[3], float), "started": cat(cols[4], float),
                           "released": cat(cols[5], float)})
        df["wait"] = df["started"] - df["requested"]
        return df.sort_values(["replication", "requested", "deal_id"], ignore_index=True)
