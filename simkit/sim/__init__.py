"""How one scenario runs: the one dispatcher (:func:`simulate`,
:func:`simulate_progressive`), the SimPy model of record and its team hooks, the
vectorised fast path, the named random streams both engines read, and
:class:`Results` (tidy tables)."""

from simkit.sim.dispatch import DEFAULT_REPLICATIONS, DEFAULT_SEED, simulate
from simkit.sim.progressive import simulate_progressive
from simkit.sim.results import Results

__all__ = ["DEFAULT_REPLICATIONS", "DEFAULT_SEED", "Results", "simulate", "simulate_progressive"]
