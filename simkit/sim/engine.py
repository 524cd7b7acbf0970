"""The SimPy model of record.

Leads arrive per rep as a Poisson process; each deal is a SimPy process that
moves stage by stage, spending the stage's duration in it and then converting
to the next stage with the stage-to-stage conversion (or dropping out as
lost); a deal that leaves the last stage converted is won. Deals still in the
funnel at the horizon are open.

Everything the model does is written as flat records through a
:class:`Recorder` it is handed; turning records into tables is
:mod:`simkit.sim.results`' job.

Extending it: capacity limits, a shared pre-sales pool, hiring, ramp and
attrition are further processes and resources. The places to hook them are
:meth:`FunnelModel.work_stage` (how a deal spends its time in a stage: a
plain timeout here; a capacity-limited rep or a pre-sales resource would
request and hold a SimPy resource there), :meth:`FunnelModel.lead_rate` (a
rep's prospecting rate at a time: ramp, saturation) and
:meth:`FunnelModel.start_processes` (add hiring or attrition processes). Reps
are :class:`Rep` objects whose ``active`` flag such processes may switch.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
import simpy

from simkit.model.params import Archetype, Scenario
from simkit.sim.draws import (
    BLOCK,
    deal_streams,
    draw_deal_block,
    draw_start_cell,
    initial_streams,
    plan_streams,
    snapshot_deals,
    start_cells,
)

__all__ = ["Deal", "FunnelModel", "Recorder", "Rep", "run_replication"]

OUTCOMES = ("won", "lost", "open")


@dataclass
class Rep:
    """A rep in one replication."""

    index: int
    archetype: Archetype
    quota: float  # 万 CNY per quarter
    conversions: list[float]
    lead_rate: float  # new projects per week when fully productive
    active: bool = True
    draws: DealDraws | None = None
    initial_draws: DealDraws | None = None
    key: tuple[int, ...] = ()  # random-stream key (default: (index,)); hires get their own


@dataclass(slots=True)
class Deal:
    id: int
    rep: int
    source: int  # index into the scenario's sources; -1 for a snapshot deal
    entered: float
    entry_stage: int
    amount: float
    conv_u: np.ndarray
    durations: np.ndarray
    initial: bool = False
    stage: int = 0
    stage_entered: float = 0.0
    dropped: bool = False  # set by team dynamics (a leaver's deal lost): closes as lost


class DealDraws:
    """Random numbers for a rep's deals, drawn in fixed blocks.

    Each deal takes exactly one source uniform, one uniform and one duration
    per stage, and one deal size, from streams of their own. The k-th deal of
    a rep therefore gets the same numbers in every scenario run on the same
    seed, whatever happened to earlier deals (common random numbers), and
    drawing a block at a time keeps numpy's per-call cost off the hot path.
    """

    BLOCK = BLOCK

    def __init__(self, scenario: Scenario, gens: dict[str, np.random.Generator]):
        self.gens = gens
        self.stage_dists = [s.duration for s in scenario.funnel.stages]
        self.size_dist = scenario.deal_size.distribution
        self._i = self.BLOCK
        self._arr: np.ndarray = np.empty(0)
        self._ai = 0

    def _refill(self) -> None:
        g = self.gens
        self._src, self._conv, self._dur, z = draw_deal_block(g, self.stage_dists, self.size_dist)
        self._size = self.size_dist.from_raw(z)
        # The thinning uniform of candidate lead k sits in row k, so it stays the
        # same whichever earlier candidates were kept (only team dynamics use it).
        self._thin = g["thinning"].random(self.BLOCK) if "thinning" in g else None
        self._i = 0

    def deal(self) -> tuple[float, np.ndarray, np.ndarray, float]:
        """(source uniform, conversion uniforms, durations, base deal size) of the next deal."""
        if self._i >= self.BLOCK:
            self._refill()
        i = self._i
        self._i += 1
        return self._src[i], self._conv[i], self._dur[i], self._size[i]

    def thin_u(self) -> float:
        """The thinning uniform of the next candidate lead (needs a "thinning" stream)."""
        if self._i >= self.BLOCK:
            self._refill()
        return self._thin[self._i]

    def skip(self) -> None:
        """Use up the next deal's numbers without making a deal (a thinned-out lead), so
        the deal after it gets the same numbers whichever leads were thinned out."""
        if self._i >= self.BLOCK:
            self._refill()
        self._i += 1

    def interarrival(self) -> float:
        """A standard exponential; divided by the rate it is the time to the next lead."""
        if self._ai >= len(self._arr):
            self._arr = self.gens["arrivals"].standard_exponential(self.BLOCK)
            self._ai = 0
        self._ai += 1
        return self._arr[self._ai - 1]


class Recorder:
    """Collects one replication's flat records.

    ``deals``: (deal_id, rep, source, initial, entered, entry_stage, stage_reached,
    outcome, closed_at, amount); ``stage_times``: (deal_id, stage, entered, left),
    ``left`` NaN while still in the stage at the horizon. Deals that closed
    before the report window opened (during a warm-up) are not recorded.
    """

    def __init__(self, replication: int, t0: float):
        self.replication = replication
        self.t0 = t0
        self.deals: list[tuple] = []
        self.stage_times: list[tuple] = []
        # Team dynamics (simkit.sim.dynamics) fill these; the plain engine leaves them empty.
        self.reps: list[tuple] = []
        self.waits: list[tuple] = []
        self._open: dict[int, tuple[Deal, list]] = {}

    def deal_started(self, deal: Deal) -> None:
        self._open[deal.id] = (deal, [])

    def stage_done(self, deal: Deal, stage: int, entered: float, left: float) -> None:
        self._open[deal.id][1].append((deal.id, stage, entered, left))

    def deal_closed(self, deal: Deal, stage: int, outcome: str, t: float) -> None:
        _, times = self._open.pop(deal.id)
        if t < self.t0:
            return
        self.stage_times.extend(times)
        self.deals.append(
            (deal.id, deal.rep, deal.source, deal.initial, deal.entered, deal.entry_stage,
             stage, outcome, t, deal.amount)
        )

    def finish(self, t_end: float) -> None:
        """Record every deal still in the funnel as open."""
        for deal, times in self._open.values():
            self.stage_times.extend(times)
            self.stage_times.append((deal.id, deal.stage, deal.stage_entered, math.nan))
            self.deals.append(
                (deal.id, deal.rep, deal.source, deal.initial, deal.entered, deal.entry_stage,
                 deal.stage, "open", math.nan, deal.amount)
            )
        self._open.clear()


@dataclass
class FunnelModel:
    """One replication of a scenario."""

    scenario: Scenario
    seed: int
    replication: int
    recorder: Recorder = field(init=False)
    env: simpy.Environment = field(init=False)
    reps: list[Rep] = field(init=False)

    def __post_init__(self):
        sc = self.scenario
        start = sc.horizon.start
        self.t0 = float(start.week)
        self.t_end = float(sc.horizon.quarters * sc.quota.weeks_per_quarter)
        t_begin = self.t0 - (start.warmup_weeks if start.mode == "empty" else 0.0)
        self.env = simpy.Environment(initial_time=t_begin)
        # SimPy's run(until) stops at now + (until - now), before events at that instant.
        self._t_stop = t_begin + (self.t_end - t_begin)
        # A deal that waits for nothing (no hook overridden) needs no events: its path is
        # drawn at entry (see _deal_now). Subclasses with resources keep the process.
        cls = type(self)
        self._direct = (cls.work_stage is FunnelModel.work_stage
                        and cls.deal_done is FunnelModel.deal_done)
        self.recorder = Recorder(self.replication, self.t0)
        self.n_stages = len(sc.funnel.stages)
        self._next_id = 0
        sources = sc.leads.sources
        self._src_cum = np.cumsum([s.share for s in sources])
        self._src_cum_list = self._src_cum.tolist()
        self._src_entry = [sc.entry_index(s) for s in sources]
        self._src_mult = [s.deal_size_multiplier for s in sources]
        quotas = sc.rep_quotas()
        self.reps = []
        for i, a in enumerate(sc.team.rep_archetypes()):
            rep = Rep(
                index=i, archetype=a, quota=quotas[i], conversions=sc.rep_conversions(a),
                lead_rate=sc.leads.per_rep_per_week * a.prospecting,
            )
            rep.draws = DealDraws(sc, deal_streams(self.seed, self.replication, i))
            rep.initial_draws = DealDraws(sc, initial_streams(self.seed, self.replication, i))
            self.reps.append(rep)

    # ------------------------------------------------------------- hooks

    def lead_rate(self, rep: Rep) -> float:
        """New projects per week for ``rep`` now (hook for ramp and saturation); at most
        ``rep.lead_rate``: candidates come at that full rate and are thinned down to this."""
        return rep.lead_rate if rep.active else 0.0

    def work_stage(self, deal: Deal, stage: int, duration: float):
        """How a deal spends its time in a stage (hook for capacity and shared resources)."""
        yield self.env.timeout(duration)

    def accept_lead(self, rep: Rep, rate: float) -> bool:
        """Thinning: keep a candidate lead with probability ``rate / rep.lead_rate``
        (hook; only called when the rate is below the full rate)."""
        return False

    def deal_done(self, deal: Deal) -> None:
        """Called once when a deal closes as won or lost (hook for releasing resources)."""

    def start_processes(self) -> None:
        """Start the scenario's processes (hook for hiring and attrition)."""
        for rep in self.reps:
            if rep.lead_rate > 0:
                self.env.process(self._leads(rep))
        if self.scenario.leads.weekly_plan:
            self.env.process(self._planned_leads())

    # ------------------------------------------------------------- processes

    def _new_deal(self, rep: Rep, draws: DealDraws, source: int | None, stage: int | None,
                  initial: bool) -> Deal:
        u_src, conv_u, durs, size = draws.deal()
        if source is None:  # bisect_right is numpy's searchsorted(side="right"), for a scalar
            source = min(bisect_right(self._src_cum_list, u_src), len(self._src_cum_list) - 1)
        if stage is None:
            stage = self._src_entry[source]
        mult = self._src_mult[source] if source >= 0 else 1.0
        now = self.env.now
        d = Deal(self._next_id, rep.index, source, now, stage,
                 float(size) * mult * rep.archetype.deal_size, conv_u, durs, initial, stage,
                 now)
        self._next_id += 1
        self.recorder.deal_started(d)
        return d

    def _leads(self, rep: Rep):
        # Candidate leads arrive at the full rate and a slower rate (ramp, a full
        # rep) thins them out, so a rep's candidate stream, and the numbers of
        # its k-th candidate, are common to every scenario on the same seed.
        env, full = self.env, rep.lead_rate
        while rep.active and full > 0:
            # A vanishing rate gives an infinite gap: the rep never gets another lead.
            yield env.timeout(float(rep.draws.interarrival()) / full)
            if not rep.active:
                return
            rate = self.lead_rate(rep)
            if rate < full and not self.accept_lead(rep, rate):
                rep.draws.skip()
                continue
            d = self._new_deal(rep, rep.draws, None, None, initial=False)
            self._start_deal(d, rep, None)

    def _planned_leads(self):
        """The injection plan ``leads.weekly_plan``: week i+1 of the run gets exactly
        ``plan[i]`` new projects in the first stage.

        They enter at evenly spread times ``t0 + i + (j + 0.5) / n``, never on a week
        boundary, so the snapshot that closes week i+1 finds them all still in the first
        stage, as the course's projection table has it. They are dealt to the active
        reps in turn; a rep's k-th planned project takes its numbers from that rep's own
        "plan" stream, so the other streams are untouched, and a plan with more projects
        a week only brings every project in earlier (common random numbers).
        """
        env = self.env
        draws: dict[int, DealDraws] = {}
        turn = 0
        for week, n in enumerate(self.scenario.leads.weekly_plan):
            n = int(n)
            for j in range(n):
                t = self.t0 + week + (j + 0.5) / n
                if t >= self.t_end:
                    return
                if t > env.now:
                    yield env.timeout(t - env.now)
                active = [r for r in self.reps if r.active]
                if not active:
                    continue
                rep = active[turn % len(active)]
                turn += 1
                if rep.index not in draws:
                    key = getattr(rep, "key", ()) or (rep.index,)
                    draws[rep.index] = DealDraws(self.scenario, plan_streams(
                        self.seed, self.replication, *key))
                d = self._new_deal(rep, draws[rep.index], 0, 0, initial=False)
                self._start_deal(d, rep, None)

    def _start_deal(self, d: Deal, rep: Rep, first_remaining: float | None) -> None:
        if self._direct:
            self._deal_now(d, rep, first_remaining)
        else:
            self.env.process(self._deal(d, rep, first_remaining))

    def _deal_now(self, d: Deal, rep: Rep, first_remaining: float | None) -> None:
        """:meth:`_deal` for a deal that waits for nothing, without a process: each stage
        ends at the same ``t + duration`` SimPy's timeout would end it, and a stage that
        would end at or after the stop leaves the deal open there (recorded at finish)."""
        rec, conv, last = self.recorder, rep.conversions, self.n_stages - 1
        stage, t, remaining = d.stage, self.env.now, first_remaining
        while True:
            d.stage, d.stage_entered = stage, t
            t_next = t + (d.durations[stage] if remaining is None else remaining)
            remaining = None
            if not t_next < self._t_stop:
                return
            rec.stage_done(d, stage, t, t_next)
            t = t_next
            if d.conv_u[stage] >= conv[stage]:
                rec.deal_closed(d, stage, "lost", t)
                return
            if stage == last:
                rec.deal_closed(d, stage, "won", t)
                return
            stage += 1

    def _deal(self, d: Deal, rep: Rep, first_remaining: float | None):
        env, rec = self.env, self.recorder
        conv = rep.conversions
        stage = d.stage
        remaining = first_remaining
        while True:
            d.stage, d.stage_entered = stage, env.now
            dur = d.durations[stage] if remaining is None else remaining
            remaining = None
            yield from self.work_stage(d, stage, dur)
            rec.stage_done(d, stage, d.stage_entered, env.now)
            if d.dropped or d.conv_u[stage] >= conv[stage]:
                rec.deal_closed(d, stage, "lost", env.now)
                self.deal_done(d)
                return
            if stage == self.n_stages - 1:
                rec.deal_closed(d, stage, "won", env.now)
                self.deal_done(d)
                return
            stage += 1

    def _initial_funnel(self) -> None:
        """Place the deals open at the start (standard or snapshot mode)."""
        sc = self.scenario
        start = sc.horizon.start
        stages = sc.funnel.stages
        if start.mode == "standard":
            for rep in self.reps:
                g = rep.initial_draws.gens["arrivals"]
                for s_idx, k, mean in start_cells(sc, rep.conversions, rep.lead_rate):
                    dist = stages[k].duration
                    n, x, u = draw_start_cell(g, dist, mean)
                    if not n:
                        continue
                    for r in dist.length_biased_from_raw(x) * u:
                        d = self._new_deal(rep, rep.initial_draws, s_idx, k, initial=True)
                        self._start_deal(d, rep, float(r))
        elif start.mode == "snapshot":
            for i, k in snapshot_deals(start, len(self.reps)):
                rep = self.reps[i]
                r = float(stages[k].duration.sample_residual(rep.initial_draws.gens["arrivals"]))
                d = self._new_deal(rep, rep.initial_draws, -1, k, initial=True)
                self._start_deal(d, rep, r)

    def run(self) -> Recorder:
        self._initial_funnel()
        self.start_processes()
        self.env.run(until=self.t_end)
        self.recorder.finish(self.t_end)
        return self.recorder


def run_replication(scenario: Scenario, seed: int, replication: int,
                    model_cls: type[FunnelModel] = FunnelModel) -> Recorder:
    """Run one replication and return its records (picklable, for process pools)."""
    return model_cls(scenario, seed, replication).run()
