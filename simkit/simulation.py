"""``simulate``: run replications of a scenario and collect the results."""

from __future__ import annotations

import sys

from .budget import check_work
from .engine import FunnelModel, run_replication
from .errors import SimkitInputError
from .params import Scenario
from .presets import preset
from .results import Results

__all__ = ["DEFAULT_REPLICATIONS", "DEFAULT_SEED", "simulate"]

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
    max_work: float | None = None,
) -> Results:
    """Run ``replications`` independent replications of ``scenario`` with the SimPy engine.

    ``engine``: ``"simpy"`` always runs the SimPy model of record; ``"fast"``
    runs the vectorised fast path (:mod:`simkit.fastpath`), which gives the
    same numbers for scenarios without team dynamics and refuses the others;
    ``"auto"`` (default) takes the fast path when it supports the scenario and
    SimPy otherwise. ``Results.engine`` records which one ran.

    ``scenario`` is a :class:`Scenario` or a preset name. The same scenario and
    seed give identical results on every run; two scenarios run on the same
    seed share random numbers (see :mod:`simkit.rng`). ``progress`` shows a
    progress bar (default: only when stderr is a terminal and the run is long).

    Before anything runs, the run's size is checked against the work budget
    (:mod:`simkit.budget`: 20 million simulated deals and 4 GB of tables by
    default; ``max_work`` or the environment variable ``SIMKIT_MAX_WORK``
    raises it): a bigger run raises :class:`~simkit.SimkitInputError` with the
    estimate.
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
    if engine not in ("auto", "simpy", "fast"):
        raise SimkitInputError("engine", engine, "'auto', 'simpy' or 'fast'")
    check_work(scenario, replications, max_work=max_work)
    if engine != "simpy":
        from .fastpath import simulate_fast, unsupported_reason

        reason = unsupported_reason(scenario, model)
        if reason is None:
            return simulate_fast(scenario, replications, seed)
        if engine == "fast":
            raise SimkitInputError(
                "engine", engine,
                f"'auto' or 'simpy' for this scenario (the fast path does not model {reason})")
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
