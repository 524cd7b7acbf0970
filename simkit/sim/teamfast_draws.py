"""The fast team engine's random numbers, kept between runs (a bounded store).

A slider move (hire month, ramp, attrition, capacity, pool size) leaves every
stream's numbers as they were, so each (replication, stream set, rep key)'s
draws are kept in a bounded LRU keyed by what shapes them (seed,
stage-duration and deal-size distributions) and drawn further on demand,
exactly continuing each generator; :mod:`simkit.sim.teamfast` keeps what it
derives from them (a rep's candidate leads, the starting funnel) in the same
store, under the same budget (:data:`KEPT_MAX_FLOATS`). Callers hold
:data:`LOCK` while they run: the store is shared by the threads of a sweep.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from simkit.sim.draws import BLOCK, DEAL_STREAMS, TEAM_STREAMS, stream_addresses
from simkit.sim.streams import stream

__all__ = ["KEPT_MAX_FLOATS", "LOCK", "Draws", "clear_cache", "draws", "kept", "keep", "people"]

_KEPT: OrderedDict = OrderedDict()
LOCK = threading.RLock()
KEPT_MAX_FLOATS = 20_000_000  # 160 MB: lesson 8's year plan at 200 replications keeps 88 MB
_kept_floats = 0


def clear_cache() -> None:
    """Forget the kept random numbers (they are drawn again on demand)."""
    global _kept_floats
    with LOCK:
        _KEPT.clear()
        _kept_floats = 0


def kept(key):
    """What was kept under ``key`` (and now most recently used), or None."""
    hit = _KEPT.get(key)
    if hit is not None:
        _KEPT.move_to_end(key)
        return hit[0]
    return None


def keep(key, value, floats: int):
    """Keep ``value`` (``floats`` numbers' worth) under ``key``, within the budget."""
    global _kept_floats
    _KEPT[key] = (value, floats)
    _kept_floats += floats
    _evict()
    return value


def _evict() -> None:
    global _kept_floats
    while len(_KEPT) > 1 and _kept_floats > KEPT_MAX_FLOATS:
        _kept_floats -= _size(_KEPT.popitem(last=False)[1])


def _grew(floats: int) -> None:
    global _kept_floats
    _kept_floats += floats


def _durations_raw(dists) -> tuple | None:
    """(draw, transforms) when every stage's ``sample`` is one call of the same standard
    draw followed by elementwise arithmetic (gamma of one shape, exponential, lognormal),
    so the block-by-block, stage-by-stage draws of DealDraws are one call; else None."""
    from simkit.model.distributions import Deterministic, Exponential, Gamma, LogNormal

    live = [d for d in dists if not isinstance(d, Deterministic)]
    if not live:
        return None
    kinds = {(type(d), d.shape if isinstance(d, Gamma) else None) for d in live}
    if len(kinds) != 1:
        return None
    cls, shape = kinds.pop()
    if cls is Gamma:
        return ("gamma", shape)
    if cls is Exponential:
        return ("exponential", None)
    if cls is LogNormal:
        return ("normal", None)
    return None


def _durations_from_raw(d, z: np.ndarray) -> np.ndarray:
    """``d.sample``'s arithmetic on its standard draws (simkit.model.distributions)."""
    from simkit.model.distributions import Exponential, Gamma, LogNormal

    if isinstance(d, Gamma):
        return z * (d.mean_ / d.shape)
    if isinstance(d, Exponential):
        return z * d.mean_
    if isinstance(d, LogNormal):
        return np.exp(d.mu + d.sigma * z)
    raise TypeError(type(d).__name__)  # pragma: no cover


class Draws:
    """One DealDraws' numbers in one replication: arrival exponentials and deal rows."""

    def __init__(self, p, names: dict):
        """``p``: the engine's plan (its stage-duration and deal-size distributions)."""
        self.names = names  # stream name -> (stream, *key) arguments after seed, replication
        self.gens: dict | None = None
        self.stage_dists, self.size_dist = p.stage_dists, p.size_dist
        self.S = p.S
        self.E = np.empty(0)
        self.n = 0  # rows drawn
        self.U = self.TH = self.Z = np.empty(0)
        self.C = self.D = np.empty((0, p.S))

    def _g(self, name):
        if self.gens is None:
            self.gens = {k: stream(*v) for k, v in self.names.items()}
        return self.gens[name]

    def exps(self, m: int) -> np.ndarray:
        if len(self.E) < m:
            self._grow(self._g("arrivals").standard_exponential(m - len(self.E)), None)
        return self.E

    def rows(self, n: int):
        if self.n < n:
            nb = -(-(n - self.n) // BLOCK)
            m = nb * BLOCK
            g = self._g
            u = g("sources").random(m) if "sources" in self.names else np.zeros(m)
            c = g("conversion").random((m, self.S))
            dg = g("durations")
            raw = _durations_raw(self.stage_dists)
            if raw is None:
                d = np.concatenate([np.column_stack([x.sample(dg, BLOCK)
                                                     for x in self.stage_dists])
                                    for _ in range(nb)])
            else:
                live = [k for k, x in enumerate(self.stage_dists) if x.kind != "deterministic"]
                size = nb * len(live) * BLOCK
                z = (dg.standard_gamma(raw[1], size) if raw[0] == "gamma" else
                     dg.standard_exponential(size) if raw[0] == "exponential" else
                     dg.standard_normal(size)).reshape(nb, len(live), BLOCK)
                d = np.empty((nb, BLOCK, self.S))
                for k, x in enumerate(self.stage_dists):
                    if k in live:
                        d[:, :, k] = _durations_from_raw(x, z[:, live.index(k), :])
                    else:
                        d[:, :, k] = x.sample(dg, BLOCK)
                d = d.reshape(m, self.S)
            zsize = self.size_dist.sample(g("deal_size"), m)
            th = g("thinning").random(m) if "thinning" in self.names else np.zeros(m)
            self._grow(None, (u, c, d, zsize, th))
        return self.U, self.C, self.D, self.Z, self.TH

    def _grow(self, e, rows) -> None:
        before = self.floats()
        if e is not None:
            self.E = np.concatenate([self.E, e])
        if rows is not None:
            u, c, d, z, th = rows
            self.U, self.C, self.D = (np.concatenate([self.U, u]),
                                      np.concatenate([self.C, c]), np.concatenate([self.D, d]))
            self.Z, self.TH = np.concatenate([self.Z, z]), np.concatenate([self.TH, th])
            self.n += len(u)
        _grew(self.floats() - before)

    def floats(self) -> int:
        return len(self.E) + self.n * (3 + 2 * self.S)


def _size(entry) -> int:
    value, floats = entry
    return value.floats() if isinstance(value, Draws) else floats


def draws(p, seed: int, r: int, kind: str, key: tuple) -> Draws:
    """The kept draws of one stream set: "main" (a rep's own streams), "warm" (its
    warm-up streams) or "initial" (its starting funnel's); ``p`` the engine's plan."""
    k = (seed, r, kind, key, p.shape_id)
    hit = kept(k)
    if hit is not None:
        return hit
    if kind in ("main", "warm"):
        names = stream_addresses(kind, seed, r, *key, names=TEAM_STREAMS)
    else:  # the starting funnel's rows: their source is given, no thinning
        names = stream_addresses("initial", seed, r, *key,
                                 names=tuple(n for n in DEAL_STREAMS
                                             if n not in ("arrivals", "sources")))
    return keep(k, Draws(p, names), 0)  # it counts its numbers as it draws them


def people(seed: int, r: int, key: tuple, n: int) -> tuple[float, np.ndarray]:
    """A rep's "people" stream: the standard exponential of its time to leave, then
    ``n`` uniforms (one per open deal when it leaves: lost or reassigned)."""
    k = (seed, r, "people", key)
    hit = kept(k)
    if hit is None or len(hit[1]) < n:
        g = stream(seed, r, "people", *key)
        hit = keep(k, (float(g.standard_exponential()), g.random(max(n, 256))), max(n, 256) + 1)
    return hit
