"""The random numbers of a run, in one place for both engines.

The SimPy engine (:mod:`simkit.sim.engine`, :mod:`simkit.sim.dynamics`) and the
vectorised fast path (:mod:`simkit.sim.fastpath`) reproduce each other exactly
because they read the same numbers in the same order. Everything that fixes
that order lives here, and both call it:

- which named streams a rep's deals read (:func:`deal_streams`,
  :func:`initial_streams`, :func:`plan_streams`), on top of
  :func:`simkit.sim.streams.stream`;
- the block layout of a rep's deal numbers (:func:`draw_deal_block`: source
  uniform, conversion uniforms, stage durations, raw deal size, ``BLOCK`` deals
  at a time);
- the standard (steady-state) starting funnel: its Poisson cells
  (:func:`start_cells`) and what each cell draws (:func:`draw_start_cell`);
- the order in which a snapshot's deals are dealt to reps (:func:`snapshot_deals`).

Sampling itself is the distributions' ``raw`` / ``from_raw`` (see
:mod:`simkit.model.distributions`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from simkit.sim.streams import stream

__all__ = ["BLOCK", "DEAL_STREAMS", "TEAM_STREAMS", "WARM_KEY", "deal_streams", "stream_addresses",
           "warmup_streams", "draw_deal_block", "draw_start_cell",
           "initial_streams", "plan_streams", "snapshot_deals", "start_cells"]

BLOCK = 64  # deals' numbers are drawn this many at a time
DEAL_STREAMS = ("arrivals", "sources", "conversion", "durations", "deal_size")


TEAM_STREAMS = DEAL_STREAMS + ("thinning",)  # team dynamics thin candidate leads
WARM_KEY = 10  # a queue warm-up's leads: ("initial", WARM_KEY + j, *key)


def stream_addresses(kind: str, seed: int, replication: int, *key: int,
                     names: tuple[str, ...] = DEAL_STREAMS) -> dict[str, tuple]:
    """The :func:`~simkit.sim.streams.stream` address of each of ``names`` for a rep
    (``key`` is its index, or a hire's key), by ``kind``:

    - ``"main"``: its own streams, ``(seed, r, name, *key)``;
    - ``"initial"``: its starting funnel's, ``(seed, r, "initial", j, *key)``;
    - ``"warm"``: its candidate leads during a queue warm-up, ``(seed, r, "initial",
      WARM_KEY + j, *key)``, so leads from week 0 on keep their numbers whatever the
      warm-up's length;
    - ``"plan"``: the injection plan's projects, ``(seed, r, "plan", j, *key)``.

    ``j`` is the name's position in ``TEAM_STREAMS`` (whose first five are
    ``DEAL_STREAMS``). The rep comes last in every key: keys that differ only in their
    last element share one SeedSequence (simkit.sim.streams), so all reps are cheap.
    """
    if kind == "main":
        return {n: (seed, replication, n, *key) for n in names}
    offset = {"initial": 0, "warm": WARM_KEY, "plan": 0}[kind]
    label = "plan" if kind == "plan" else "initial"
    return {n: (seed, replication, label, offset + TEAM_STREAMS.index(n), *key) for n in names}


def _gens(addresses: dict[str, tuple]) -> dict:
    return {n: stream(*a) for n, a in addresses.items()}


def deal_streams(seed: int, replication: int, *key: int, thinning: bool = False) -> dict:
    """A rep's own streams; with ``thinning`` also the stream team dynamics use to thin
    candidate leads."""
    names = TEAM_STREAMS if thinning else DEAL_STREAMS
    return _gens(stream_addresses("main", seed, replication, *key, names=names))


def initial_streams(seed: int, replication: int, *key: int, sources: bool = True) -> dict:
    """The streams of a rep's starting-funnel deals. The starting deals are given their
    source, so the fast path asks for ``sources=False`` and does not make a generator it
    never reads."""
    names = tuple(n for n in DEAL_STREAMS if sources or n != "sources")
    return _gens(stream_addresses("initial", seed, replication, *key, names=names))


def warmup_streams(seed: int, replication: int, *key: int) -> dict:
    """The streams of a rep's candidate leads during a queue warm-up (before week 0)."""
    return _gens(stream_addresses("warm", seed, replication, *key, names=TEAM_STREAMS))


def plan_streams(seed: int, replication: int, *key: int) -> dict:
    """The streams of the projects a rep gets from the injection plan ``leads.weekly_plan``."""
    return _gens(stream_addresses("plan", seed, replication, *key))


def draw_deal_block(gens: dict, stage_dists: Sequence, size_dist, blocks: int = 1):
    """Numbers for ``blocks * BLOCK`` deals of one rep: (source uniforms or None when
    there is no "sources" stream, conversion uniforms (n, stages), durations
    (n, stages), raw deal sizes). Durations are drawn stage by stage within each
    block, which is what fixes the order of the "durations" stream."""
    n = blocks * BLOCK
    src = gens["sources"].random(n) if "sources" in gens else None
    conv = gens["conversion"].random((n, len(stage_dists)))
    g = gens["durations"]
    dur = np.concatenate([np.column_stack([d.sample(g, BLOCK) for d in stage_dists])
                          for _ in range(blocks)]) if blocks else np.empty((0, len(stage_dists)))
    size = size_dist.raw(gens["deal_size"], n)
    return src, conv, dur, size


def start_cells(scenario, conversions: Sequence[float], lead_rate: float
                ) -> list[tuple[int, int, float]]:
    """The standard starting funnel of one rep as (source, stage, Poisson mean) cells, in
    the order they are drawn: the expected number of that source's deals in the stage in
    steady state (rate x share x reach x mean stage time; Little's law)."""
    stages = scenario.funnel.stages
    cells = []
    for s_idx, src in enumerate(scenario.leads.sources):
        e = scenario.entry_index(src)
        for k in range(e, len(stages)):
            reach = math.prod(conversions[e:k])
            cells.append((s_idx, k, lead_rate * src.share * reach * stages[k].duration.mean))
    return cells


def draw_start_cell(g: np.random.Generator, dist, mean: float):
    """One cell's draws: the Poisson count ``n``, then the raw length-biased times and
    the uniforms whose product (``dist.length_biased_from_raw(x) * u``) is each deal's
    remaining time in the stage (``dist.sample_residual``). ``x`` and ``u`` are None
    when ``n`` is 0."""
    n = int(g.poisson(mean)) if mean > 0 else 0
    if not n:
        return 0, None, None
    return n, dist.length_biased_raw(g, n), g.random(n)


def snapshot_deals(start, n_reps: int) -> list[tuple[int, int]]:
    """A snapshot start's deals as (rep, stage) in creation order: per rep when the
    snapshot gives ``rep_counts``, else stage by stage, dealt to the reps in turn."""
    out = []
    if start.rep_counts is not None:
        for i, row in enumerate(start.rep_counts):
            for k, count in enumerate(row):
                out.extend([(i, k)] * int(count))
        return out
    offset = 0
    for k, count in enumerate(start.counts):
        out.extend(((offset + j) % n_reps, k) for j in range(int(count)))
        offset += int(count)
    return out
