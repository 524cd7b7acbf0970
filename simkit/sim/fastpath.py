"""A vectorised fast path for scenarios whose deals are independent.

Without team dynamics a deal never waits for anything: it is born by a rep's
Poisson arrivals (or placed in the starting funnel), spends its drawn duration
in each stage and converts with its drawn uniform. Nothing couples two deals,
so every deal of every replication can be computed with array operations
instead of SimPy events.

It is not an approximation. The fast path reads the very same named streams
as :class:`simkit.sim.engine.FunnelModel` (same :func:`simkit.sim.streams.stream` keys,
same block layout of :class:`simkit.sim.engine.DealDraws`, the same floating-point
operations in the same order), so for a scenario it supports it reproduces the
SimPy engine's numbers exactly: same summary, same tables. ``tests/sim/test_fastpath.py``
checks this both exactly and statistically.

What it does not model it declines ((:func:`unsupported_reason`): any team
dynamics section, a custom model class, and anything in the scenario that it
does not know (a new field set away from its default); ``simulate`` then runs
SimPy. Unknown means decline.

Speed for slider moves comes from :class:`_Bank`: the raw random numbers of
each rep's streams (arrival exponentials, source and conversion uniforms,
stage durations, standard deal-size variates) do not depend on the levers, so
they are kept (a small LRU keyed by seed and the stage-duration and deal-size
shapes) and only the cheap arithmetic is redone after a change.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import cached_property

import numpy as np
import pandas as pd
from pydantic import BaseModel

from simkit.model.distributions import Deterministic, Exponential, Gamma, LogNormal, Uniform
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
from simkit.sim.engine import OUTCOMES, DealDraws, FunnelModel
from simkit.sim.results import Results
from simkit.sim.streams import stream

__all__ = ["FastResults", "clear_cache", "run_fast", "unsupported_reason"]

BLOCK = DealDraws.BLOCK
_DEAL_STREAMS = ("arrivals", "sources", "conversion", "durations", "deal_size")
WON, LOST, OPEN = (OUTCOMES.index(o) for o in ("won", "lost", "open"))

# Fields the fast path models, per class. A field outside these sets (added by
# a later feature) must keep its default, or the fast path declines.
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
_DISTS = (Deterministic, Exponential, Gamma, LogNormal, Uniform)
_SIZE_KINDS = ("lognormal", "gamma", "exponential", "deterministic")
_MODES = ("standard", "empty", "snapshot")


def unsupported_reason(scenario: Scenario, model: type = FunnelModel) -> str | None:
    """Why the fast path cannot run ``scenario`` exactly, or None when it can."""
    if model is not FunnelModel:
        return f"a custom model class ({getattr(model, '__name__', model)!s})"
    if getattr(scenario, "uses_dynamics", False):
        return "team dynamics (capacity, pre-sales, hiring, ramp or attrition)"
    reason = _unknown(scenario, "scenario")
    if reason:
        return reason
    if scenario.deal_size.kind not in _SIZE_KINDS:
        return f"deal_size.kind {scenario.deal_size.kind!r}"
    if scenario.horizon.start.mode not in _MODES:
        return f"horizon.start.mode {scenario.horizon.start.mode!r}"
    return None


def _unknown(obj: BaseModel, path: str) -> str | None:
    cls = type(obj)
    if isinstance(obj, _DISTS):
        return None if cls in _DISTS else f"{path} ({cls.__name__})"
    known = _KNOWN.get(cls)
    if known is None:
        return f"{path} ({cls.__name__})"
    for name, field in cls.model_fields.items():
        value = getattr(obj, name)
        if name not in known:
            if value != field.get_default(call_default_factory=True):
                return f"{path}.{name}"
            continue
        items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for i, v in items:
            if isinstance(v, BaseModel):
                sub = f"{path}.{name}" if i is None else f"{path}.{name}[{i}]"
                reason = _unknown(v, sub)
                if reason:
                    return reason
    return None


# ---------------------------------------------------------------- deal sizes
# Deal sizes are kept as the standard variates the distribution transforms, so
# a deal-size lever reuses them; each transform repeats the arithmetic of the
# distribution's own ``sample`` (simkit.model.distributions) operation for operation.


def _size_key(d) -> tuple:
    if isinstance(d, Gamma):
        return ("gamma", d.shape)
    return (type(d).__name__,)


def _size_raw(d, g: np.random.Generator, n: int) -> np.ndarray:
    if isinstance(d, LogNormal):
        return g.standard_normal(n)
    if isinstance(d, Gamma):
        return g.standard_gamma(d.shape, n)
    if isinstance(d, Exponential):
        return g.standard_exponential(n)
    return np.zeros(n)  # deterministic: draws nothing


def _size_values(d, z: np.ndarray) -> np.ndarray:
    if isinstance(d, LogNormal):
        return np.exp(d.mu + d.sigma * z)
    if isinstance(d, Gamma):
        return z * (d.mean_ / d.shape)
    if isinstance(d, Exponential):
        return z * d.mean_
    return np.full(z.shape, float(d.value))


# ---------------------------------------------------------------- raw numbers


class _RepDraws:
    """One rep's deal streams over replications 0..R-1, grown on demand.

    Arrays are (R, K) or (R, K, stages) with K a whole number of the engine's
    blocks, so the durations stream (drawn stage by stage within a block) is
    consumed in exactly the engine's order.
    """

    def __init__(self, seed: int, rep: int, stage_dists, size_dist, initial: bool, base: int):
        self.seed, self.rep, self.initial, self.base = seed, rep, initial, base
        self.stage_dists, self.size_dist = stage_dists, size_dist
        self.gens: list[dict] = []
        self.init_states: list[dict] = []
        self.K = 0
        s = len(stage_dists)
        self.E = np.empty((0, 0))
        self.U = np.empty((0, 0))
        self.C = np.empty((0, 0, s))
        self.D = np.empty((0, 0, s))
        self.Z = np.empty((0, 0))

    @property
    def R(self) -> int:
        return len(self.gens)

    def _gens(self, r: int) -> dict:
        r += self.base
        if self.initial:
            # The starting funnel's deals are given their source, so their source
            # uniforms are never read: that generator is not made (nor drawn from).
            return {k: stream(self.seed, r, "initial", j, self.rep)
                    for j, k in enumerate(_DEAL_STREAMS) if k != "sources"}
        return {k: stream(self.seed, r, k, self.rep) for k in _DEAL_STREAMS}

    def _draw(self, g: dict, blocks: int):
        n = blocks * BLOCK
        e = None if self.initial else g["arrivals"].standard_exponential(n)
        u = None if self.initial else g["sources"].random(n)
        c = g["conversion"].random((n, len(self.stage_dists)))
        d = np.concatenate([np.column_stack([x.sample(g["durations"], BLOCK)
                                             for x in self.stage_dists])
                            for _ in range(blocks)])
        z = _size_raw(self.size_dist, g["deal_size"], n)
        return e, u, c, d, z

    def ensure(self, R: int, K: int) -> None:
        K = max(BLOCK, -(-K // BLOCK) * BLOCK)
        parts = []
        if K > self.K and self.R:
            new = [self._draw(g, (K - self.K) // BLOCK) for g in self.gens]
            parts.append(("cols", new))
        self.K = max(self.K, K)
        if R > self.R:
            rows = []
            for r in range(self.R, R):
                g = self._gens(r)
                if self.initial:
                    self.init_states.append(g["arrivals"].bit_generator.state)
                self.gens.append(g)
                rows.append(self._draw(g, self.K // BLOCK))
            parts.append(("rows", rows))
        for how, new in parts:
            for j, name in enumerate("EUCDZ"):
                if name in "EU" and self.initial:
                    continue
                add = np.stack([x[j] for x in new])
                old = getattr(self, name)
                if how == "cols":
                    setattr(self, name, np.concatenate([old, add], axis=1))
                else:
                    setattr(self, name, add if old.size == 0 and old.shape[0] == 0
                            else np.concatenate([old, add], axis=0))

    def initial_gen(self, r: int) -> np.random.Generator:
        """Replication r's "initial arrivals" generator, rewound to its start."""
        g = self.gens[r]["arrivals"]
        g.bit_generator.state = self.init_states[r]
        return g


class _Bank:
    """Raw numbers of every rep (main and initial streams) for one seed and shape."""

    def __init__(self, seed, stage_dists, size_dist, base: int = 0):
        self.seed, self.stage_dists, self.size_dist = seed, stage_dists, size_dist
        self.base = base  # replication of row 0
        self.starts: dict = {}  # starting-funnel draws, see _initial_funnel
        self.main: dict[int, _RepDraws] = {}
        self.init: dict[int, _RepDraws] = {}

    def rep(self, i: int, initial: bool) -> _RepDraws:
        table = self.init if initial else self.main
        if i not in table:
            table[i] = _RepDraws(self.seed, i, self.stage_dists, self.size_dist, initial,
                                 self.base)
        return table[i]


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 4
# Above this many expected deals (replications x reps x deals per rep) the raw
# numbers are drawn chunk by chunk and not kept, to bound memory.
_CACHE_MAX_DEALS = 2_000_000


def clear_cache() -> None:
    """Forget the raw numbers kept for slider moves (and simkit.sim.streams's seed words)."""
    from simkit.sim import streams as rng

    _CACHE.clear()
    rng.clear_cache()


def _bank(scenario: Scenario, seed: int, keep: bool, base: int = 0) -> _Bank:
    stage_dists = tuple(s.duration for s in scenario.funnel.stages)
    size_dist = scenario.deal_size.distribution
    if not keep:
        return _Bank(seed, stage_dists, size_dist, base)
    key = (seed, base, stage_dists, _size_key(size_dist))
    bank = _CACHE.get(key)
    if bank is None:
        bank = _CACHE[key] = _Bank(seed, stage_dists, size_dist, base)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    bank.size_dist = size_dist  # same standard variates, this scenario's mean
    return bank


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
        order = 0
        rep_counts = getattr(start, "rep_counts", None)
        if rep_counts is not None:
            for i, row in enumerate(rep_counts):
                for k, count in enumerate(row):
                    for _ in range(int(count)):
                        out[i].append((k, order))
                        order += 1
            return out
        offset = 0
        for k, count in enumerate(start.counts):
            for j in range(int(count)):
                out[(offset + j) % self.n_reps].append((k, order))
                order += 1
            offset += int(count)
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
            size = _size_values(size_dist, ini.Z[loc, jj])
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
        size = _size_values(size_dist, main.Z[loc, kk])
        t_in = times[valid]
        f = _flow(t_in, e, main.D[loc, kk], main.C[loc, kk], conv, plan.t_stop, None, detail)
        f.update(r=loc + base, entered=t_in, entry=e, source=src,
                 amount=size * plan.src_mult[src] * arch.deal_size,
                 initial=np.zeros(len(e), bool), order=np.zeros(len(e), np.int64))
        parts.append(f)
    return parts



def _residual_sampler(dist):
    """``dist.sample_residual`` with its constants worked out once (the same
    operations in the same order), for the per-replication loop of the start."""
    if isinstance(dist, Gamma):
        a, scale = dist.shape + 1.0, dist.mean_ / dist.shape
        return lambda g, n=None: g.standard_gamma(a, n) * scale * g.random(n)
    if isinstance(dist, Exponential):
        m = dist.mean_
        return lambda g, n=None: g.standard_gamma(2.0, n) * m * g.random(n)
    return dist.sample_residual


def _residual_raw(dist) -> tuple[float, float] | None:
    """(a, scale) when ``dist.sample_residual(g, n)`` is ``standard_gamma(a, n) * scale *
    random(n)`` (gamma, exponential), so the loop can draw the two arrays and leave
    the arithmetic, the same operations in the same order, to one array expression."""
    if isinstance(dist, Gamma):
        return dist.shape + 1.0, dist.mean_ / dist.shape
    if isinstance(dist, Exponential):
        return 2.0, dist.mean_
    return None


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
    sc, S = plan.sc, plan.S
    durs = [s.duration for s in sc.funnel.stages]
    samplers = [_residual_sampler(d) for d in durs]
    conv = plan.conv[i]
    if plan.snapshot_stages is None:
        cells = []  # (source, stage, Poisson mean) in the engine's loop order
        for s_idx, src in enumerate(sc.leads.sources):
            e = int(plan.src_entry[s_idx])
            for k in range(e, S):
                reach = math.prod(conv[e:k])
                cells.append((s_idx, k, plan.rate[i] * src.share * reach * durs[k].mean))
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
        raw = [_residual_raw(d) for d in durs]
        live = [(c, samplers[k], mean, raw[k]) for c, (_s, k, mean) in enumerate(cells)
                if mean > 0]
        n_cell = np.zeros((n_r, len(cells)), np.int64)
        xs: list = []
        us: list = []
        for j in range(n_r):
            g = ini.initial_gen(r0 + j - base)
            poisson, gamma, uniform = g.poisson, g.standard_gamma, g.random
            row = n_cell[j]
            for c, sampler, mean, ab in live:
                n = int(poisson(mean))
                if n:
                    if ab is None:
                        rems.append(sampler(g, n))
                    else:
                        xs.append(gamma(ab[0], n))
                        us.append(uniform(n))
                    row[c] = n
        counts = n_cell.sum(axis=1)
        flat = n_cell.ravel()
        ks = np.repeat(np.tile(np.array([k for _s, k, _m in cells], np.int8), n_r), flat)
        srcs = np.repeat(np.tile(np.array([s for s, _k, _m in cells], np.int64), n_r), flat)
        order = (np.arange(counts.sum(), dtype=np.int64)
                 - np.repeat(np.cumsum(counts) - counts, counts) + i * 1_000_000_000)
        if xs:
            is_raw = np.array([ab is not None for ab in raw])[ks]
            scale = np.array([ab[1] if ab else 0.0 for ab in raw])[ks[is_raw]]
            rem = np.empty(len(ks))
            rem[is_raw] = np.concatenate(xs) * scale * np.concatenate(us)
            rem[~is_raw] = np.concatenate(rems) if rems else np.empty(0)
            rems = [rem]
    else:
        for j in range(n_r):
            g = ini.initial_gen(r0 + j - base)
            rems.append(np.array([float(samplers[k](g)) for k, _ in mine], float))
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
    """(r0, r1, per-rep list of deal parts) for each chunk of replications."""
    plan = _Plan(scenario)
    keep, chunks = _chunks(plan, replications, first)
    for r0, r1 in chunks:
        # A kept bank's row 0 is replication ``first`` (the key includes it).
        bank = _bank(scenario, seed, keep, base=first if keep else r0)
        yield plan, r0, r1, [_rep_deals(plan, bank, i, r0, r1, detail)
                             for i in range(plan.n_reps)]


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
    return FastResults(scenario, seed, replications, wins.ravel(), amount.ravel(), first)


class FastResults(Results):
    """Results of the fast path: the summary is computed from per-rep quarter sums;
    the deal-level tables are rebuilt on first use (the same numbers again)."""

    def __init__(self, scenario: Scenario, seed: int, replications: int,
                 wins: np.ndarray, amount: np.ndarray, first: int = 0):
        super().__init__(scenario, seed, [], engine="fast")
        self.replications = replications
        self.first = first
        self._sums = (wins, amount)

    def _won_sums(self) -> tuple[np.ndarray, np.ndarray]:
        return self._sums

    @cached_property
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return _deal_tables(self.scenario, self.seed, self.replications, self.first)

    @cached_property
    def deals(self) -> pd.DataFrame:
        return self._tables[0]

    @cached_property
    def stage_times(self) -> pd.DataFrame:
        return self._tables[1]


def _deal_tables(sc: Scenario, seed: int, replications: int, first: int = 0):
    """The ``deals`` and ``stage_times`` tables, as :class:`Results` builds them from
    the engine's records (same rows, ids, order and dtypes)."""
    cols: dict[str, list] = {k: [] for k in (
        "r", "rep", "initial", "order", "entered", "entry", "source", "reached", "outcome",
        "closed", "amount", "enter", "left")}
    t0 = None
    for plan, _r0, _r1, per_rep in _runs(sc, seed, replications, True, first):
        t0 = plan.t0
        for i, parts in enumerate(per_rep):
            for f in parts:
                n = len(f["r"])
                cols["rep"].append(np.full(n, i, np.int64))
                for k, src in (("r", "r"), ("initial", "initial"), ("order", "order"),
                               ("entered", "entered"), ("entry", "entry"), ("source", "source"),
                               ("reached", "reached"), ("outcome", "outcome"),
                               ("closed", "closed"), ("amount", "amount"), ("enter", "enter"),
                               ("left", "left")):
                    cols[k].append(f[src])
    S = len(sc.funnel.stages)
    if not cols["r"]:
        c = {k: np.empty(0) for k in cols}
        c["enter"] = c["left"] = np.empty((0, S))
    else:
        c = {k: np.concatenate(v) for k, v in cols.items()}
    r = c["r"].astype(np.int64) - first
    n = len(r)
    # Deal ids: the starting funnel in creation order, then arrivals in time order.
    ids = np.empty(n, np.int64)
    ini = c["initial"].astype(bool)
    n_ini = np.bincount(r[ini], minlength=replications)
    for mask, key, offset in ((ini, c["order"], np.zeros(replications, np.int64)),
                              (~ini, c["entered"], n_ini)):
        idx = np.flatnonzero(mask)
        o = idx[np.lexsort((key[idx], r[idx]))]
        counts = np.bincount(r[o], minlength=replications)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ids[o] = np.arange(len(o)) - np.repeat(starts, counts) + offset[r[o]]
    keep = (c["outcome"] == OPEN) | (c["closed"] >= t0) if n else np.zeros(0, bool)
    stages = sc.funnel.names
    sources = [s.name for s in sc.leads.sources] + ["snapshot"]
    deals = pd.DataFrame({
        "replication": r[keep],
        "deal_id": ids[keep],
        "rep": c["rep"][keep].astype(np.int64),
        "source": pd.Categorical.from_codes(c["source"][keep].astype(np.int64) % len(sources),
                                            categories=sources),
        "initial": ini[keep],
        "entered": c["entered"][keep].astype(float),
        "entry_stage": pd.Categorical.from_codes(c["entry"][keep].astype(np.int64),
                                                 categories=stages, ordered=True),
        "stage_reached": pd.Categorical.from_codes(c["reached"][keep].astype(np.int64),
                                                   categories=stages, ordered=True),
        "outcome": pd.Categorical.from_codes(c["outcome"][keep].astype(np.int64),
                                             categories=list(OUTCOMES)),
        "closed_at": c["closed"][keep].astype(float),
        "amount": c["amount"][keep].astype(float),
    }).sort_values(["replication", "deal_id"], ignore_index=True)
    enter, left = c["enter"][keep], c["left"][keep]
    dk, sk = np.nonzero(~np.isnan(enter))
    st = pd.DataFrame({
        "replication": r[keep][dk],
        "deal_id": ids[keep][dk],
        "stage": pd.Categorical.from_codes(sk.astype(np.int64), categories=stages, ordered=True),
        "entered": enter[dk, sk],
        "left": left[dk, sk],
    }).sort_values(["replication", "deal_id", "stage"], ignore_index=True)
    return deals, st
