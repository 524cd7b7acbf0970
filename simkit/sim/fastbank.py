"""The fast path's raw random numbers, kept across slider moves.

Each rep's streams (arrival exponentials, source and conversion uniforms, stage
durations, raw deal-size variates) do not depend on the levers, so they are kept
(a small LRU keyed by seed, the stage-duration distributions and the deal-size
``raw_key``) and only the cheap arithmetic is redone after a change. The numbers are
drawn by :func:`simkit.sim.draws.draw_deal_block`, as the SimPy engine draws them.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from simkit.model.params import Scenario
from simkit.sim.draws import BLOCK, deal_streams, draw_deal_block, initial_streams

__all__ = ["clear_cache"]



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
            return initial_streams(self.seed, r, self.rep, sources=False)
        return deal_streams(self.seed, r, self.rep)

    def _draw(self, g: dict, blocks: int):
        e = None if self.initial else g["arrivals"].standard_exponential(blocks * BLOCK)
        return (e, *draw_deal_block(g, self.stage_dists, self.size_dist, blocks))

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
    key = (seed, base, stage_dists, size_dist.raw_key)
    bank = _CACHE.get(key)
    if bank is None:
        bank = _CACHE[key] = _Bank(seed, stage_dists, size_dist, base)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    bank.size_dist = size_dist  # same standard variates, this scenario's mean
    return bank
