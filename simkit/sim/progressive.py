"""``simulate_progressive``: a coarse answer at once, refined as more replications finish.

A scenario with team dynamics (capacity, a pre-sales pool, hiring, ramp,
attrition) runs on the SimPy engine, tens of milliseconds per replication, so
200 replications take seconds. A dashboard should not wait for them: it draws
the Results of the first few replications (a fraction of a second) and redraws
as the count grows.

Each step's Results are exactly ``simulate(scenario, k, seed)`` for its count
``k``: replication ``r`` always uses the same seeds, so the refined answer
contains the coarse one and the last step is the full run. Replications
already run are kept, never redone. Scenarios on the fast path are quick
enough at full size, so they yield the full run only.
"""

from __future__ import annotations

from collections.abc import Iterator

from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.sim.budget import check_work
from simkit.sim.dispatch import DEFAULT_REPLICATIONS, DEFAULT_SEED, check_count, plan_run, run_range
from simkit.sim.engine import FunnelModel
from simkit.sim.results import Results

__all__ = ["progressive_counts", "simulate_progressive"]


def progressive_counts(replications: int, first: int, growth: float) -> list[int]:
    """The replication counts of the steps: ``first``, then times ``growth``, up to
    ``replications`` (always the last)."""
    counts, k = [], first
    while k < replications:
        counts.append(k)
        k = max(k + 1, round(k * growth))
    return counts + [replications]


def simulate_progressive(
    scenario: Scenario | str,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    *,
    first: int = 4,
    growth: float = 4.0,
    model: type[FunnelModel] = FunnelModel,
    engine: str = "auto",
) -> Iterator[Results]:
    """Yield :class:`Results` for growing replication counts, ending with ``replications``.

    ``first`` replications come first (4 take 0.15-0.35 CPU seconds, summary
    included, for the capacity + pre-sales example), then ``growth`` times as
    many, and so on;
    each step equals ``simulate(scenario, count, seed)``. When the fast path or the
    fast team engine runs the scenario (``engine`` "auto", "fast" or "team-fast",
    see :func:`simulate`) there is one step, the full run. A dashboard redraws on every step::

        for res in simkit.simulate_progressive(sc, 200, seed=1):
            chart.update(res.summary())   # the last one is the full answer
    """
    scenario = as_scenario(scenario)
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise SimkitInputError("first", first, "a whole number of at least 1")
    if isinstance(growth, bool) or not isinstance(growth, (int, float)) or not growth > 1:
        raise SimkitInputError("growth", growth, "a number above 1")
    check_count("replications", replications, 1)
    check_count("seed", seed, 0)
    check_work(scenario, replications)
    plan = plan_run(scenario, model=model, engine=engine)
    if plan.engine != "simpy":  # the fast path or the fast team engine: one full step
        yield run_range(plan, seed, 0, replications)
        return
    recorders: list = []
    for k in progressive_counts(replications, first, growth):
        recorders += run_range(plan, seed, len(recorders), k)._recorders
        for i, rec in enumerate(recorders):
            rec.replication = i
        yield Results(scenario, seed, list(recorders))
