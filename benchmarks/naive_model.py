"""A deliberately naive SimPy model of a simkit scenario (the reference for bench_naive).

One SimPy process per deal, a timeout per stage, one numpy call per random
number, no blocks, no named streams: what a first implementation looks like.
It models the base funnel only (Poisson arrivals per rep, stage durations,
conversions, deal sizes, sources, archetypes, standard start approximated by
a warm-up), enough to compare mean results with simkit on the same scenario.
"""

from __future__ import annotations

import numpy as np
import simpy


def run_naive(scenario, replications: int, seed: int) -> list[dict]:
    """Per replication: wins, won_amount and attainment of the first quarter."""
    out = []
    for r in range(replications):
        rng = np.random.default_rng([seed, r])
        out.append(_one(scenario, rng))
    return out


def _one(sc, rng) -> dict:
    stages = sc.funnel.stages
    sources = sc.leads.sources
    warmup = 4.0 * sc.funnel.mean_cycle_weeks  # start empty, run long enough to fill
    t_end = warmup + sc.horizon.quarters * sc.quota.weeks_per_quarter
    env = simpy.Environment()
    tally = {"wins": 0, "won_amount": 0.0}

    def deal(rep_conv, entry, amount):
        for k in range(entry, len(stages)):
            yield env.timeout(float(stages[k].duration.sample(rng)))
            if rng.random() >= rep_conv[k]:
                return
        if env.now >= warmup:
            tally["wins"] += 1
            tally["won_amount"] += amount

    def leads(arch):
        rate = sc.leads.per_rep_per_week * arch.prospecting
        conv = sc.rep_conversions(arch)
        while rate > 0:
            yield env.timeout(float(rng.exponential(1.0 / rate)))
            u = rng.random()
            src = sources[-1]
            acc = 0.0
            for s in sources:
                acc += s.share
                if u < acc:
                    src = s
                    break
            amount = (float(sc.deal_size.distribution.sample(rng)) * src.deal_size_multiplier
                      * arch.deal_size)
            env.process(deal(conv, sc.entry_index(src), amount))

    for arch in sc.team.rep_archetypes():
        env.process(leads(arch))
    env.run(until=t_end)
    quota = sc.quota.team_per_quarter * sc.horizon.quarters
    return {"wins": tally["wins"], "won_amount": tally["won_amount"],
            "attainment": tally["won_amount"] / quota}
