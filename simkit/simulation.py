"""``simulate``: run replications of a scenario and collect the results."""

from __future__ import annotations

import sys

from .engine import FunnelModel, run_replication
from .errors import SimkitInputError
from .params import Scenario
from .presets import preset
from .results import Results

__all__ = ["simulate", "DEFAULT_SEED", "DEFAULT_REPLICATIONS"]

DEFAULT_SEED = 1
DEFAULT_REPLICATIONS = 200


def simulate(
    scenario: Scenario | str,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    *,
    progress: bool | None = None,
    model: type[FunnelModel] = FunnelModel,
    engine: str = "auto",
) -> Results:
    """Run ``replications`` independent replications of ``scenario`` with the SimPy engine.

    ``engine``: ``"simpy"`` always runs the SimPy model of record; ``"fast"``
    runs the vectorised fast path (:mod:`simkit.fastpath`), which gives the
    same numbers for scenarios without team dynamics and refuses the others;
    ``"team-fast"`` runs the fast team engine (:mod:`simkit.teamfast`), the same
    numbers as SimPy for scenarios with team dynamics or a commission plan;
    ``"auto"`` (default) takes the fast path when it supports the scenario, then
    the fast team engine, and SimPy otherwise. ``Results.engine`` records which one ran.

    ``scenario`` is a :class:`Scenario` or a preset name. The same scenario and
    seed give identical results on every run; two scenarios run on the same
    seed share random numbers (see :mod:`simkit.rng`). ``progress`` shows a
    progress bar (default: only when stderr is a terminal and the run is long).
    """
    if isinstance(scenario, str):
        scenario = preset(scenario)
    if not isinstance(scenario, Scenario):
        raise SimkitInputError("scenario", type(scenario).__name__,
                               "a simkit Scenario or a preset name")
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise SimkitInputError("replications", replications, "a whole number of at least 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimkitInputError("seed", seed, "a whole number of at least 0")
    if engine not in ("auto", "simpy", "fast", "team-fast"):
        raise SimkitInputError("engine", engine, "'auto', 'simpy', 'fast' or 'team-fast'")
    if engine in ("auto", "fast"):
        from .fastpath import simulate_fast, unsupported_reason

        reason = unsupported_reason(scenario, model)
        if reason is None:
            return simulate_fast(scenario, replications, seed)
        if engine == "fast":
            raise SimkitInputError(
                "engine", engine,
                f"'auto' or 'simpy' for this scenario (the fast path does not model {reason})")
    if engine in ("auto", "team-fast"):
        # Team dynamics (or a commission plan): the compiled event loop (simkit.teamfast).
        from .teamfast import simulate_team_fast
        from .teamfast import unsupported_reason as team_reason

        reason = team_reason(scenario, model)
        if reason is None:
            return simulate_team_fast(scenario, replications, seed)
        if engine == "team-fast":
            raise SimkitInputError(
                "engine", engine,
                f"'auto' or 'simpy' for this scenario (the fast team engine does not model "
                f"{reason})")
    if progress is None:
        progress = replications >= 50 and sys.stderr.isatty()
    reps = range(replications)
    if progress:
        from tqdm.auto import tqdm

        reps = tqdm(reps, desc=f"simulating {scenario.name}", unit="rep", leave=False)
    if model is FunnelModel and scenario.uses_dynamics:
        from .dynamics import TeamModel

        model = TeamModel
    recorders = [run_replication(scenario, seed, r, model) for r in reps]
    return Results(scenario, seed, recorders)
