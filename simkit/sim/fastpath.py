"""A vectorised fast path for scenarios whose deals are independent.

Without team dynamics a deal never waits for anything: it is born by a rep's
Poisson arrivals (or placed in the starting funnel), spends its drawn duration
in each stage and converts with its drawn uniform. Nothing couples two deals,
so every deal of every replication can be computed with array operations
instead of SimPy events.

It is not an approximation. The fast path and :class:`simkit.sim.engine.FunnelModel`
call the same code for everything random (:mod:`simkit.sim.draws`: which streams,
the block layout, the starting funnel's cells, the snapshot's dealing; the
distributions' ``raw`` / ``from_raw``), so for a scenario it supports it reproduces
the SimPy engine's numbers exactly: same summary, same tables.
``tests/sim/test_fastpath.py`` checks this both exactly and statistically. What
remains written twice is the deal's walk through the stages (a SimPy process
there, :func:`_flow` here): that is the engine itself.

What it does not model it declines (:func:`unsupported_reason`): any team
dynamics section, a custom model class, and anything in the scenario that it
does not know (a new field set away from its default); ``simulate`` then runs
SimPy. Unknown means decline.

Speed for slider moves comes from :mod:`simkit.sim.fastbank`, which keeps the raw
numbers across lever changes; the deal tables are built on first use
(:mod:`simkit.sim.fasttables`).
"""

from __future__ import annotations

import math
import threading
from functools import cached_property

import numpy as np
import pandas as pd

from simkit.model.params import (
    Archetype,
    DealSize,
    Funnel,
    Horizon,
    Leads,
    Quota,
    Scenario,
    Source,
    Stage,
    Start,
    Team,
)
from simkit.sim.draws import BLOCK, draw_start_cell, snapshot_deals, start_cells
from simkit.sim.engine import OUTCOMES, FunnelModel
from simkit.sim.support import first_unknown
from simkit.sim.fastbank import _CACHE_MAX_DEALS, _Bank, _bank, _RepDraws, clear_cache
from simkit.sim.results import Results

_LOCK = threading.RLock()  # see _runs

__all__ = ["FastResults", "clear_cache", "run_fast", "unsupported_reason"]

WON, LOST, OPEN = (OUTCOMES.index(o) for o in ("won", "lost", "open"))

# Fields the fast path models, per class (simkit.sim.support: others must keep
# their defaults, or the fast path declines).
_KNOWN = {
    Scenario: {"name", "description", "funnel", "leads", "deal_size", "team", "quota", "horizon"},
    Funnel: {"stages"},
    Stage: {"name", "label_zh", "win_prob", "duration"},
    Leads: {"per_rep_per_week", "sources"},
    Source: {"name", "share", "entry_stage", "deal_size_multiplier"},
    DealSize: {"kind", "mean", "cv"},
    Team: {"reps", "archetypes"},
    Archetype: {"name", "share", "prospecting", "conversion", "deal_size"},
    Quota: {"team_per_quarter", "split", "weeks_per_quarter"},
    Horizon: {"quarters", "start"},
    Start: {"mode", "warmup_weeks", "counts", "rep_counts", "week", "realised"},
}
_SIZE_KINDS = ("lognormal", "gamma", "exponential", "deterministic")
_MODES = ("standard", "empty", "snapshot")


def unsupported_reason(scenario: Scenario, model: type = FunnelModel) -> str | None:
    """Why the fast path cannot run ``scenario`` exactly, or None when it can."""
    if model is not FunnelModel:
        return f"a custom model class ({getattr(model, '__name__', model)!s})"
    if getattr(scenario, "uses_dynamics", False):
        return "team dynamics (capacity, pre-sales, hiring, ramp or attrition)"
    reason = first_unknown(scenario, _KNOWN)
    if reason:
        return reason
    if scenario.deal_size.kind not in _SIZE_KINDS:
        return f"deal_size.kind {scenario.deal_size.kind!r}"
    if scenario.horizon.start.mode not in _MODES:
        return f"horizon.start.mode {scenario.horizon.start.mode!r}"
    return None


# ---------------------------------------------------------------- the flow


def _flow(t_in, e, dur, u, conv, t_stop, rem=None, detail=False) -> dict:
    """Move deals (1-D arrays) through the stages as FunnelModel._deal does.

    A stage's exit at ``t + duration`` happens only if it is before the stop
    time (SimPy's ``run(until)`` stops before events at that instant); the
    deal is then lost if its uniform is at least the conversion.
    """
    n, S = dur.shape
    t = t_in.copy()
    alive = np.ones(n, bool)
    outcome = np.full(n, OPEN, np.int8)
    reached = e.astype(np.int8)
    closed = np.full(n, np.nan)
    enter = np.full((n, S), np.nan) if detail else None
    left = np.full((n, S), np.nan) if detail else None
    for s in range(S):
        here = alive & (e <= s)
        d = dur[:, s] if rem is None else np.where(e == s, rem, dur[:, s])
        t_exit = t + d
        done = here & (t_exit < t_stop)
        reached[here] = s
        lost = done & (u[:, s] >= conv[s])
        outcome[lost] = LOST
        closed[lost] = t_exit[lost]
        moving = done & ~lost
        if s == S - 1:
            outcome[moving] = WON
            closed[moving] = t_exit[moving]
            moving[:] = False
        if detail:
            enter[here, s] = t[here]
            left[done, s] = t_exit[done]
        alive = (alive & ~here) | moving
        t = np.where(done, t_exit, t)
    out = {"outcome": outcome, "reached": reached, "closed": closed}
    if detail:
        out["enter"], out["left"] = enter, left
    return out


class _Plan:
    """Per-scenario constants, as FunnelModel.__post_init__ computes them."""

    def __init__(self, sc: Scenario):
        start = sc.horizon.start
        self.sc = sc
        self.t0 = float(start.week)
        self.t_end = float(sc.horizon.quarters * sc.quota.weeks_per_quarter)
        self.t_begin = self.t0 - (start.warmup_weeks if start.mode == "empty" else 0.0)
        # SimPy schedules its stop event at now + (until - now).
        self.t_stop = self.t_begin + (self.t_end - self.t_begin)
        self.S = len(sc.funnel.stages)
        sources = sc.leads.sources
        self.src_cum = np.cumsum([s.share for s in sources])
        self.src_entry = np.array([sc.entry_index(s) for s in sources], np.int8)
        self.src_mult = np.array([s.deal_size_multiplier for s in sources])
        self.archetypes = sc.team.rep_archetypes()
        self.n_reps = len(self.archetypes)
        self.conv = [sc.rep_conversions(a) for a in self.archetypes]
        self.rate = [sc.leads.per_rep_per_week * a.prospecting for a in self.archetypes]
        self.snapshot_stages = self._snapshot_stages(start) if start.mode == "snapshot" else None

    def _snapshot_stages(self, start) -> list[list[tuple[int, int]]]:
        """Per rep, (stage, creation order) of its snapshot deals, in creation order."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.n_reps)]
        for order, (i, k) in enumerate(snapshot_deals(start, self.n_reps)):
            out[i].append((k, order))
        return out


def _rep_deals(plan: _Plan, bank: _Bank, i: int, r0: int, r1: int, detail: bool) -> dict:
    """All deals of rep ``i`` in replications r0..r1-1: the starting funnel first
    (in creation order), then arrivals in time order, replication by replication."""
    sc = plan.sc
    base = bank.base
    lo, R = r0 - base, r1 - base  # rows of the bank
    arch: Archetype = plan.archetypes[i]
    conv = plan.conv[i]
    size_dist = bank.size_dist
    parts = []

    # --- the starting funnel (standard or snapshot mode)
    mode = sc.horizon.start.mode
    if mode in ("standard", "snapshot"):
        ini = bank.rep(i, initial=True)
        ini.ensure(R, BLOCK)
        counts, e, src, rem, order = _initial_funnel(plan, bank, ini, i, r0, r1)
        kmax = int(counts.max(initial=0))
        if kmax:
            ini.ensure(R, kmax)
            rr = np.repeat(np.arange(r0, r1), counts)
            jj = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            mult = np.where(src >= 0, plan.src_mult[np.maximum(src, 0)], 1.0)
            loc = rr - base
            size = size_dist.from_raw(ini.Z[loc, jj])
            t_in = np.full(len(e), plan.t_begin)
            f = _flow(t_in, e, ini.D[loc, jj], ini.C[loc, jj], conv, plan.t_stop, rem, detail)
            f.update(r=rr, entered=t_in, entry=e, source=src, amount=size * mult * arch.deal_size,
                     initial=np.ones(len(e), bool), order=order)
            parts.append(f)

    # --- arrivals
    rate = plan.rate[i]
    if rate > 0:
        main = bank.rep(i, initial=False)
        span = plan.t_stop - plan.t_begin
        mean = rate * span
        main.ensure(R, int(mean + 6 * math.sqrt(mean) + 8))
        while True:
            e_raw = main.E[lo:R]
            with np.errstate(over="ignore"):  # a vanishing rate: infinite gaps, no leads
                times = np.cumsum(np.concatenate([np.full((r1 - r0, 1), plan.t_begin),
                                                  e_raw / rate], axis=1), axis=1)[:, 1:]
            if (times[:, -1] >= plan.t_stop).all():
                break
            main.ensure(R, main.K + BLOCK * max(1, main.K // (2 * BLOCK)))
        valid = times < plan.t_stop
        loc, kk = np.nonzero(valid)
        loc = loc + lo
        src = np.minimum(np.searchsorted(plan.src_cum, main.U[loc, kk], side="right"),
                         len(plan.src_cum) - 1)
        e = plan.src_entry[src]
        size = size_dist.from_raw(main.Z[loc, kk])
        t_in = times[valid]
        f = _flow(t_in, e, main.D[loc, kk], main.C[loc, kk], conv, plan.t_stop, None, detail)
        f.update(r=loc + base, entered=t_in, entry=e, source=src,
                 amount=size * plan.src_mult[src] * arch.deal_size,
                 initial=np.zeros(len(e), bool), order=np.zeros(len(e), np.int64))
        parts.append(f)
    return parts



def _initial_funnel(plan: _Plan, bank: _Bank, ini: _RepDraws, i: int, r0: int, r1: int):
    """Rep i's starting deals in replications r0..r1-1, drawn exactly as
    FunnelModel._initial_funnel draws them: (deals per replication, then per deal,
    replication by replication in creation order: stage, source, remaining time,
    creation order).

    Each replication's generator must run from its start, one call after
    another, so the loop over replications only draws (a Poisson count and the
    remaining times per cell); everything else is built from the counts with
    array operations afterwards. Its output is
    kept per rep and per Poisson means, which a deal-size, quota or team-size
    lever leaves unchanged.
    """
    sc = plan.sc
    durs = [s.duration for s in sc.funnel.stages]
    if plan.snapshot_stages is None:
        cells = start_cells(sc, plan.conv[i], plan.rate[i])
        key = ("standard", i, r0, r1, tuple(cells))
    else:
        mine = plan.snapshot_stages[i]
        key = ("snapshot", i, r0, r1, tuple(mine))
    hit = bank.starts.get(key)
    if hit is not None:
        return hit
    base, n_r = bank.base, r1 - r0
    rems: list = []
    if plan.snapshot_stages is None:
        live = [(c, durs[k], mean) for c, (_s, k, mean) in enumerate(cells) if mean > 0]
        n_cell = np.zeros((n_r, len(cells)), np.int64)
        xs: list = []
        us: list = []
        for j in range(n_r):
            g = ini.initial_gen(r0 + j - base)
            row = n_cell[j]
            for c, dist, mean in live:
                n, x, u = draw_start_cell(g, dist, mean)
                if n:
                    xs.append(x)
                    us.append(u)
                    row[c] = n
        counts = n_cell.sum(axis=1)
        flat = n_cell.ravel()
        ks = np.repeat(np.tile(np.array([k for _s, k, _m in cells], np.int8), n_r), flat)
        srcs = np.repeat(np.tile(np.array([s for s, _k, _m in cells], np.int64), n_r), flat)
        order = (np.arange(counts.sum(), dtype=np.int64)
                 - np.repeat(np.cumsum(counts) - counts, counts) + i * 1_000_000_000)
        if xs:
            # the remaining times, stage by stage: the same operations as the engine's
            x, u = np.concatenate(xs), np.concatenate(us)
            rem = np.empty(len(ks))
            for k in np.unique(ks):
                m = ks == k
                rem[m] = durs[k].length_biased_from_raw(x[m]) * u[m]
            rems = [rem]
    else:
        for j in range(n_r):
            g = ini.initial_gen(r0 + j - base)
            rems.append(np.array([float(durs[k].sample_residual(g)) for k, _ in mine], float))
        counts = np.full(n_r, len(mine), np.int64)
        ks = np.tile(np.array([k for k, _ in mine], np.int8), n_r)
        srcs = np.full(len(ks), -1, np.int64)
        order = np.tile(np.array([o for _, o in mine], np.int64), n_r)
    rem = np.concatenate(rems) if rems else np.empty(0)
    out = (counts, ks, srcs, rem, order)
    if len(bank.starts) > 64 * max(1, plan.n_reps):
        bank.starts.clear()
    bank.starts[key] = out
    return out


# ---------------------------------------------------------------- running


def _chunks(plan: _Plan, replications: int, first: int = 0
            ) -> tuple[bool, list[tuple[int, int]]]:
    """Whether to keep the raw numbers, and the chunks of replications
    ``first .. first + replications - 1`` to run."""
    span = plan.t_stop - plan.t_begin
    per_rep = sum(rate * span for rate in plan.rate) + plan.n_reps * 4 * plan.S + 1
    if plan.snapshot_stages is not None:
        per_rep += sum(len(x) for x in plan.snapshot_stages)
    stop = first + replications
    if replications * per_rep <= _CACHE_MAX_DEALS:
        return True, [(first, stop)]
    step = max(1, int(_CACHE_MAX_DEALS // (4 * per_rep)))
    return False, [(r, min(r + step, stop)) for r in range(first, stop, step)]


def _runs(scenario: Scenario, seed: int, replications: int, detail: bool, first: int = 0):
    """(r0, r1, per-rep list of deal parts) for each chunk of replications.

    The kept raw numbers (:mod:`simkit.sim.fastbank`) grow in place, so a chunk is
    computed under a lock: two threads simulating at once (a web server, dask's
    threaded scheduler) take turns instead of corrupting them."""
    plan = _Plan(scenario)
    keep, chunks = _chunks(plan, replications, first)
    for r0, r1 in chunks:
        with _LOCK:
            # A kept bank's row 0 is replication ``first`` (the key includes it).
            bank = _bank(scenario, seed, keep, base=first if keep else r0)
            per_rep = [_rep_deals(plan, bank, i, r0, r1, detail) for i in range(plan.n_reps)]
        yield plan, r0, r1, per_rep


def run_fast(scenario: Scenario, replications: int, seed: int, first: int = 0) -> FastResults:
    """The fast path for a scenario it supports: :func:`simkit.sim.dispatch.plan_run`
    checks that (:func:`unsupported_reason`) once per run before calling this.

    Runs replications ``first .. first + replications - 1`` of ``seed`` (numbered
    0 .. replications - 1 in the results, as :class:`Results` numbers them), so a
    batch of a sweep gets the same numbers as the same replications of a whole run.
    """
    Q = scenario.horizon.quarters
    wpq = scenario.quota.weeks_per_quarter
    n_reps = scenario.team.reps
    wins = np.zeros((replications, n_reps, Q), np.int64)
    amount = np.zeros((replications, n_reps, Q))
    # Won amount by (replication, quarter, week of the quarter it closed in, rounded up):
    # the bookings curves of a chart, without rebuilding the deal tables.
    weekly = np.zeros((replications, Q, wpq + 1))
    for plan, r0, r1, per_rep in _runs(scenario, seed, replications, False, first):
        size = (r1 - r0) * Q
        for i, parts in enumerate(per_rep):
            # Initial deals before arrivals, each in creation order: within a
            # (replication, quarter) the amounts are summed in the engine's
            # deal-id order, so the sums are the same to the last bit.
            r, closed, amt = [], [], []
            for f in parts:
                m = (f["outcome"] == WON) & (f["closed"] >= plan.t0)
                r.append(f["r"][m])
                closed.append(f["closed"][m])
                amt.append(f["amount"][m])
            if not r:
                continue
            r, closed, amt = np.concatenate(r), np.concatenate(closed), np.concatenate(amt)
            q = np.floor(closed / wpq).astype(np.int64)
            flat = (r - r0) * Q + q
            a, b = r0 - first, r1 - first
            wins[a:b, i] = np.bincount(flat, minlength=size)[:size].reshape(r1 - r0, Q)
            amount[a:b, i] = np.bincount(flat, weights=amt, minlength=size)[:size].reshape(
                r1 - r0, Q)
            week = np.clip(np.ceil(closed - q * wpq).astype(np.int64), 0, wpq)
            cells = size * (wpq + 1)
            weekly[a:b] += np.bincount(flat * (wpq + 1) + week, weights=amt,
                                       minlength=cells)[:cells].reshape(r1 - r0, Q, wpq + 1)
    return FastResults(scenario, seed, replications, wins.ravel(), amount.ravel(), first,
                       weekly=weekly)


class FastResults(Results):
    """Results of the fast path: the summary is computed from per-rep quarter sums;
    the deal-level tables are rebuilt on first use (the same numbers again)."""

    def __init__(self, scenario: Scenario, seed: int, replications: int,
                 wins: np.ndarray, amount: np.ndarray, first: int = 0,
                 weekly: np.ndarray | None = None):
        super().__init__(scenario, seed, [], engine="fast")
        self.replications = replications
        self.first = first
        self._sums = (wins, amount)
        #: Won amount by replication, quarter and week of that quarter (the week a deal
        #: closed in, rounded up: 0 .. weeks_per_quarter), the deal tables' numbers.
        self.weekly_won = weekly

    def _won_sums(self) -> tuple[np.ndarray, np.ndarray]:
        return self._sums

    @cached_property
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        from simkit.sim.fasttables import deal_tables

        runs = _runs(self.scenario, self.seed, self.replications, True, self.first)
        return deal_tables(self.scenario, self.replications, self.first, runs)

    @cached_property
    def deals(self) -> pd.DataFrame:
        return self._tables[0]

    @cached_property
    def stage_times(self) -> pd.DataFrame:
        return self._tables[1]
