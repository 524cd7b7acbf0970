"""Team dynamics in the SimPy engine: capacity, the pre-sales pool, hiring, ramp, attrition.

:class:`TeamModel` is :class:`~simkit.sim.engine.FunnelModel` with its hooks filled
in; :func:`simkit.simulate` uses it for every scenario whose
:attr:`~simkit.Scenario.uses_dynamics` is true, and the plain engine otherwise.

- Capacity ("queue"): each rep is a ``simpy.Resource`` with one slot per deal
  the rep can work at once; a deal takes a slot when it enters the funnel and
  keeps it until it closes, so a full rep's new deals wait (the wait counts as
  time in their first stage). ("prospect_less"): deals are worked at once and
  the rep's prospecting rate falls with the load instead.
- Pre-sales: one ``simpy.Resource`` per pool; a deal in the pre-sales stage
  queues for a consultant first, then holds them for ``share`` of the stage.
- Hiring: planned hires are reps created up front (inactive) and switched on
  at their week; each new rep, and each backfill, has random streams of its
  own keyed by a stable key ((1, j) for planned hire j, (2, *leaver's key) for
  a backfill), so the team's other reps keep their numbers.
- Ramp: a new rep's prospecting rate is the full rate times the ramp factor,
  done by thinning the full-rate candidate stream (see ``FunnelModel._leads``).
- Attrition: each rep's time to leave is a standard exponential from the
  rep's "people" stream divided by the hazard, so a higher rate makes the
  same reps leave earlier (common random numbers across attrition levels).

Queues start as they would be: a standard start with a capacity queue or a
pre-sales pool begins :func:`queue_warmup_weeks` before week 0, from the
standard funnel, and reports from week 0 (the starting team joins at week 0).

:mod:`simkit.sim.teamfast` runs this same model, event for event, in a compiled
loop; ``simulate(engine="auto")`` uses it, and this class stays the model of
record that it is tested against, bit for bit.

Simplifications, stated so planners can judge them: a reassigned deal keeps
its original rep's conversions and any capacity slot it already holds; a new
hire's seat quota is the team quota divided by the initial ``team.reps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from simkit.model.params import Archetype
from simkit.sim.draws import deal_streams, warmup_streams
from simkit.sim.engine import Deal, DealDraws, FunnelModel, Rep
from simkit.sim.streams import stream

__all__ = ["RepState", "TeamModel", "queue_warmup_weeks"]



def queue_warmup_weeks(sc) -> float:
    """Weeks a standard start runs before week 0 so its queues start as they would be.

    The standard funnel puts each stage's steady-state number of deals in place, but
    not the queues: every deal starts at once, the pre-sales pool and a capacity-capped
    rep start with nobody waiting. So a run with a pre-sales pool or a ``"queue"``
    capacity starts from the standard funnel ``W`` weeks before week 0 and simulates
    the weeks up to it (deals that close before week 0 are not reported, nor pre-sales
    requests made before it; reps join and leave from week 0 on only).

    ``W`` is ``horizon.start.queue_warmup_weeks`` when set; otherwise 4 relaxation
    times of the slowest queue, where a queue of ``c`` servers, mean service ``s``
    and load ``rho`` relaxes in about ``s / (c (1 - sqrt(rho))^2)`` (the gap of
    the M/M/c queue), rounded up to a whole week and at most 4 quarters; an
    overloaded queue (``rho >= 1``) has no steady state and gets one quarter.
    Other start modes and scenarios without such queues: 0.
    """
    start = sc.horizon.start
    cap = sc.capacity
    queue = cap is not None and cap.when_full == "queue"
    if start.mode != "standard" or (sc.presales is None and not queue):
        return 0.0
    if start.queue_warmup_weeks is not None:
        return float(start.queue_warmup_weeks)
    archs = sc.team.rep_archetypes()
    stages = sc.funnel.stages
    sources = [(src.share, sc.entry_index(src)) for src in sc.leads.sources]
    loads = []  # (load, servers, mean service)
    if sc.presales is not None:
        k = sc.funnel.index(sc.presales.stage)
        staff = sc.presales.staff()
        lam = [0.0] * len(staff)
        for i, a in enumerate(archs):
            conv = sc.rep_conversions(a)
            rate = sc.leads.per_rep_per_week * a.prospecting
            lam[i % len(staff)] += sum(rate * share * math.prod(conv[e:k])
                                       for share, e in sources if e <= k)
        s = stages[k].duration.mean * sc.presales.share
        loads += [(x * s / c, c, s) for x, c in zip(lam, staff)]
    if queue:
        for a in archs:
            conv = sc.rep_conversions(a)
            rate = sc.leads.per_rep_per_week * a.prospecting
            s = sum(share * math.prod(conv[e:k]) * stages[k].duration.mean
                    for share, e in sources for k in range(e, len(stages)))
            loads.append((rate * s / cap.deal_slots(rate), cap.deal_slots(rate), s))
    wpq = sc.quota.weeks_per_quarter
    w = 0.0
    for rho, c, s in loads:
        if rho <= 0 or s <= 0:
            continue
        w = max(w, wpq if rho >= 1 else 4 * s / (c * (1 - math.sqrt(rho)) ** 2))
    return float(min(math.ceil(w), 4 * wpq))


@dataclass
class RepState:
    """What the dynamics track about one rep."""

    hired_at: float
    new_hire: bool
    seat_quota: float  # quota per quarter when fully ramped and present all quarter
    left_at: float = math.nan
    open: dict[int, Deal] = field(default_factory=dict)
    slots: simpy.Resource | None = None
    people: np.random.Generator | None = None


class TeamModel(FunnelModel):
    """One replication of a scenario with team dynamics."""

    def __post_init__(self):
        super().__post_init__()
        sc = self.scenario
        self.warmup = queue_warmup_weeks(sc)
        if self.warmup > 0:  # a standard start, queues warmed up (see queue_warmup_weeks)
            self.env = simpy.Environment(initial_time=self.t0 - self.warmup)
        self.t_begin = self.env.now
        self.state: dict[int, RepState] = {}
        self._procs: dict[int, simpy.Process] = {}
        self._slot: dict[int, tuple[simpy.Resource, simpy.Request]] = {}
        self._ps_stage = sc.funnel.index(sc.presales.stage) if sc.presales else -1
        self._pools = ([simpy.Resource(self.env, capacity=c) for c in sc.presales.staff()]
                       if sc.presales else [])
        quotas = sc.rep_quotas()
        for rep in self.reps:
            rep.key = (rep.index,)
            rep.draws.gens["thinning"] = stream(self.seed, self.replication, "thinning",
                                                *rep.key)
            # With a queue warm-up the starting team joins at week 0 (no one leaves before).
            self._setup(rep, self.t0 if self.warmup > 0 else self.t_begin, new_hire=False,
                        seat_quota=quotas[rep.index])
            if self.warmup > 0:
                rep.warm_draws = DealDraws(sc, warmup_streams(self.seed, self.replication,
                                                              *rep.key))

    def _archetype(self, name: str | None) -> Archetype:
        for a in self.scenario.team.archetypes:
            if a.name == (name or "average"):
                return a
        return Archetype(name="average", share=1.0)

    def _new_rep(self, archetype: Archetype, key: tuple[int, ...]) -> Rep:
        sc = self.scenario
        rep = Rep(index=len(self.reps), archetype=archetype, quota=0.0,
                  conversions=sc.rep_conversions(archetype),
                  lead_rate=sc.leads.per_rep_per_week * archetype.prospecting,
                  active=False, key=key)
        rep.draws = DealDraws(sc, deal_streams(self.seed, self.replication, *key, thinning=True))
        self.reps.append(rep)
        return rep

    def _setup(self, rep: Rep, hired_at: float, new_hire: bool, seat_quota: float) -> None:
        sc = self.scenario
        st = RepState(hired_at=hired_at, new_hire=new_hire, seat_quota=seat_quota)
        rep.quota = seat_quota
        if sc.capacity is not None and sc.capacity.when_full == "queue":
            st.slots = simpy.Resource(self.env, capacity=sc.capacity.deal_slots(rep.lead_rate))
        if sc.attrition is not None:
            st.people = stream(self.seed, self.replication, "people", *rep.key)
        self.state[rep.index] = st

    # ------------------------------------------------------------- hooks

    def lead_rate(self, rep: Rep) -> float:
        if not rep.active:
            return 0.0
        sc, st, rate = self.scenario, self.state[rep.index], rep.lead_rate
        if sc.ramp is not None and st.new_hire:
            rate *= sc.ramp.factor(self.env.now - st.hired_at)
        cap = sc.capacity
        if cap is not None and cap.when_full == "prospect_less":
            rate *= cap.prospecting_share(rep.lead_rate, len(st.open))
        return rate

    def accept_lead(self, rep: Rep, rate: float) -> bool:
        return rep.draws.thin_u() * rep.lead_rate < rate

    def work_stage(self, deal: Deal, stage: int, duration: float):
        env = self.env
        if deal.id not in self._procs:
            self._procs[deal.id] = env.active_process
            self.state[deal.rep].open[deal.id] = deal
        try:
            slots = self.state[deal.rep].slots
            if slots is not None and deal.id not in self._slot:
                req = slots.request()
                self._slot[deal.id] = (slots, req)
                yield req
            if stage == self._ps_stage:
                share = self.scenario.presales.share
                pool = self._pools[deal.rep % len(self._pools)]
                asked = env.now
                with pool.request() as req:
                    yield req
                    got = env.now
                    yield env.timeout(duration * share)
                if asked >= self.t0:  # requests before week 0 (a warm-up) are not reported
                    self.recorder.waits.append((deal.id, deal.rep, asked, got, env.now))
                if share < 1.0:
                    yield env.timeout(duration * (1.0 - share))
            else:
                yield env.timeout(duration)
        except simpy.Interrupt:
            deal.dropped = True

    def deal_done(self, deal: Deal) -> None:
        self._procs.pop(deal.id, None)
        self.state[deal.rep].open.pop(deal.id, None)
        held = self._slot.pop(deal.id, None)
        if held is not None:
            res, req = held
            req.cancel()
            res.release(req)

    def start_processes(self) -> None:
        if self.warmup > 0:
            # the engine's processes, the starting team's leads running through the warm-up
            for rep in self.reps:
                if rep.lead_rate > 0:
                    self.env.process(self._warm_leads(rep))
            if self.scenario.leads.weekly_plan:
                self.env.process(self._planned_leads())
        else:
            super().start_processes()  # the starting team's leads (and anything else it runs)
        if self.scenario.attrition is not None:
            for rep in self.reps:
                self.env.process(self._tenure(rep))
        sc = self.scenario
        if sc.hiring is not None:
            # Planned hires are made after the starting funnel is placed (they bring
            # no open deals) and get indexes after the initial team, in plan order.
            seat = sc.quota.team_per_quarter / sc.team.reps
            j = 0
            for h in sorted(sc.hiring.plan, key=lambda h: h.week):
                for _ in range(h.count):
                    rep = self._new_rep(self._archetype(h.archetype), (1, j))
                    self._setup(rep, float(h.week), new_hire=True, seat_quota=seat)
                    if h.week < self.t_end:
                        self.env.process(self._hire_at(rep, float(h.week)))
                    j += 1

    # ------------------------------------------------------------- processes

    def _start(self, rep: Rep) -> None:
        rep.active = True
        if rep.lead_rate > 0:
            self.env.process(self._leads(rep))
        if self.scenario.attrition is not None:
            self.env.process(self._tenure(rep))

    def _warm_leads(self, rep: Rep):
        """The rep's leads before week 0, from the warm-up's own streams, then its leads
        from week 0 on exactly as without a warm-up (FunnelModel._leads)."""
        env, full, draws = self.env, rep.lead_rate, rep.warm_draws
        while rep.active and full > 0:
            dt = float(draws.interarrival()) / full
            if env.now + dt >= self.t0:
                break
            yield env.timeout(dt)
            rate = self.lead_rate(rep)
            if rate < full and not draws.thin_u() * full < rate:
                draws.skip()
                continue
            d = self._new_deal(rep, draws, None, None, initial=True)
            env.process(self._deal(d, rep, None))
        if self.t0 > env.now:
            yield env.timeout(self.t0 - env.now)
        yield from self._leads(rep)

    def _hire_at(self, rep: Rep, week: float):
        if week > self.env.now:
            yield self.env.timeout(week - self.env.now)
        self._start(rep)

    def _tenure(self, rep: Rep):
        sc, env = self.scenario, self.env
        st = self.state[rep.index]
        h = sc.attrition.hazard_per_week(sc.quota.weeks_per_quarter)
        if h <= 0:
            return
        leave = max(st.hired_at, env.now) + st.people.standard_exponential() / h
        if leave >= self.t_end:
            return
        yield env.timeout(leave - env.now)
        self._leave(rep)
        backfill = sc.attrition.backfill_weeks
        if not sc.attrition.backfill or env.now + backfill >= self.t_end:
            return
        yield env.timeout(backfill)
        new = self._new_rep(rep.archetype, (2, *rep.key))
        self._setup(new, env.now, new_hire=True, seat_quota=st.seat_quota)
        self._start(new)

    def _leave(self, rep: Rep) -> None:
        rep.active = False
        st = self.state[rep.index]
        st.left_at = self.env.now
        lost_share = self.scenario.attrition.open_deals_lost
        for d in sorted(st.open.values(), key=lambda d: d.id):
            u = st.people.random()
            others = [r for r in self.reps if r.active]
            if u < lost_share or not others:
                self._procs[d.id].interrupt("rep left")
                continue
            to = min(others, key=lambda r: (len(self.state[r.index].open), r.index))
            del st.open[d.id]
            d.rep = to.index
            self.state[to.index].open[d.id] = d

    def run(self):
        rec = super().run()
        for rep in self.reps:
            st = self.state[rep.index]
            if st.hired_at < self.t_end:
                rec.reps.append((rep.index, rep.archetype.name, st.new_hire, st.hired_at,
                                 st.left_at, st.seat_quota))
        return rec
