"""The one dispatcher: which engine runs a scenario, and running it.

:func:`plan_run` inspects a scenario once and decides: the vectorised fast path
(:mod:`simkit.sim.fastpath`) when it models the scenario exactly, then the fast team
engine (:mod:`simkit.sim.teamfast`) for team dynamics, else the SimPy
model of record (:class:`~simkit.sim.engine.FunnelModel`, or
:class:`~simkit.sim.dynamics.TeamModel` when the scenario has team dynamics).
:func:`simulate`, :func:`simkit.simulate_progressive` and the sweeps of
:mod:`simkit.planning` all go through it, so they always agree on the engine.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.sim.budget import check_work
from simkit.sim.engine import FunnelModel, run_replication
from simkit.sim.results import Results

__all__ = ["DEFAULT_REPLICATIONS", "DEFAULT_SEED", "ENGINES", "RunPlan", "plan_run",
           "run_range", "simulate"]

DEFAULT_SEED = 1
DEFAULT_REPLICATIONS = 200
ENGINES = ("auto", "simpy", "fast", "team-fast")


@dataclass(frozen=True)
class RunPlan:
    """How a scenario runs: ``engine`` is ``"fast"``, ``"team-fast"`` or ``"simpy"``;
    ``model`` the SimPy class (used when ``engine`` is ``"simpy"``); ``reason`` why the
    fast engines declined (None when one runs, or when SimPy was asked for)."""

    scenario: Scenario
    engine: str
    model: type[FunnelModel]
    reason: str | None = None


def plan_run(scenario: Scenario | str, *, model: type[FunnelModel] = FunnelModel,
             engine: str = "auto") -> RunPlan:
    """Decide the engine for ``scenario`` (a Scenario or a preset name), checking it once."""
    scenario = as_scenario(scenario)
    if engine not in ENGINES:
        raise SimkitInputError("engine", engine, "'auto', 'simpy', 'fast' or 'team-fast'")
    reason = None
    if engine in ("auto", "fast"):
        from simkit.sim.fastpath import unsupported_reason

        reason = unsupported_reason(scenario, model)
        if reason is None:
            return RunPlan(scenario, "fast", model)
        if engine == "fast":
            raise SimkitInputError(
                "engine", engine,
                f"'auto' or 'simpy' for this scenario (the fast path does not model {reason})")
    if engine in ("auto", "team-fast"):
        # Team dynamics (or a commission plan): the compiled event loop (simkit.sim.teamfast).
        from simkit.sim.teamfast import unsupported_reason as team_reason

        team = team_reason(scenario, model)
        if team is None:
            return RunPlan(scenario, "team-fast", model)
        if engine == "team-fast":
            raise SimkitInputError(
                "engine", engine,
                f"'auto' or 'simpy' for this scenario (the fast team engine does not model "
                f"{team})")
        reason = f"{reason}; fast team engine: {team}" if reason else team
    if model is FunnelModel and scenario.uses_dynamics:
        from simkit.sim.dynamics import TeamModel

        model = TeamModel
    return RunPlan(scenario, "simpy", model, reason)


def run_range(plan: RunPlan, seed: int, first: int, stop: int, *,
              progress: bool | str = False) -> Results:
    """Replications ``first`` .. ``stop - 1`` of ``seed`` on the planned engine, numbered
    0 .. stop - first - 1 in the Results (a batch of a sweep gets the same numbers as the
    same replications of a whole run)."""
    if plan.engine == "fast":
        from simkit.sim.fastpath import run_fast

        return run_fast(plan.scenario, stop - first, seed, first=first)
    if plan.engine == "team-fast":
        from simkit.sim.teamfast import simulate_team_fast

        return simulate_team_fast(plan.scenario, stop - first, seed, first=first)
    reps = range(first, stop)
    if progress:
        from tqdm.auto import tqdm

        label = progress if isinstance(progress, str) else f"simulating {plan.scenario.name}"
        reps = tqdm(reps, desc=label, unit="rep", leave=False)
    recorders = []
    for i, r in enumerate(reps):
        rec = run_replication(plan.scenario, seed, r, plan.model)
        rec.replication = i  # Results numbers replications 0..n-1; the seed used r
        recorders.append(rec)
    return Results(plan.scenario, seed, recorders)


def check_count(name: str, value, low: int) -> int:
    """``value`` as an int, refused unless it is a whole number of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SimkitInputError(name, value, f"a whole number of at least {low}")
    return value


def simulate(
    scenario: Scenario | str,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    *,
    progress: bool | str | None = None,
    model: type[FunnelModel] = FunnelModel,
    engine: str = "auto",
    max_work: float | None = None,
) -> Results:
    """Run ``replications`` independent replications of ``scenario``.

    ``engine``: ``"simpy"`` always runs the SimPy model of record; ``"fast"``
    runs the vectorised fast path (:mod:`simkit.sim.fastpath`), which gives the
    same numbers for scenarios without team dynamics and refuses the others;
    ``"team-fast"`` runs the fast team engine (:mod:`simkit.sim.teamfast`), the same
    numbers as SimPy for scenarios with team dynamics or a commission plan;
    ``"auto"`` (default) takes the fast path when it supports the scenario, then
    the fast team engine, and SimPy otherwise. ``Results.engine`` records which one ran.

    ``scenario`` is a :class:`Scenario` or a preset name. The same scenario and
    seed give identical results on every run; two scenarios run on the same
    seed share random numbers (see :mod:`simkit.sim.streams`). ``progress`` shows a
    progress bar (default: only when stderr is a terminal and the run is long); a string
    turns it on with that label (the command line passes its own language's words).

    Before anything runs, the run's size is checked against the work budget
    (:mod:`simkit.sim.budget`: 20 million simulated deals and 4 GB of tables by
    default; ``max_work`` or the environment variable ``SIMKIT_MAX_WORK``
    raises it): a bigger run raises :class:`~simkit.SimkitInputError` with the
    estimate.
    """
    scenario = as_scenario(scenario)
    check_count("replications", replications, 1)
    check_count("seed", seed, 0)
    check_work(scenario, replications, max_work=max_work)
    plan = plan_run(scenario, model=model, engine=engine)
    if progress is None:
        progress = plan.engine == "simpy" and replications >= 50 and sys.stderr.isatty()
    return run_range(plan, seed, 0, replications, progress=progress)
