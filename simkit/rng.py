"""Random streams: one root seed, a child per replication, named streams per rep.

Replication ``r`` of a run with seed ``s`` is the child
``SeedSequence(s).spawn(r + 1)[r]`` (its spawn key is ``(r,)``); inside it each
named stream (arrivals, conversion, durations, ...) and each rep has its own
grandchild ``SeedSequence(s, spawn_key=(r, stream, rep, ...))``. Because a
stream is addressed by name and rep rather than by the order in which it is
created, adding a rep or a stage, or changing any parameter, leaves every
other stream's numbers untouched: two scenarios run on the same seed share
random numbers (common random numbers), and their difference shows the lever,
not noise. No global random state is used anywhere.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "stream", "replication_seed"]

STREAMS: dict[str, int] = {
    "arrivals": 0,
    "sources": 1,
    "conversion": 2,
    "durations": 3,
    "deal_size": 4,
    "initial": 5,
    "people": 6,
    "resources": 7,
    "thinning": 8,
    "plan": 9,
}


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The child seed of one replication (equal to ``SeedSequence(seed).spawn(...)[replication]``)."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def stream(seed: int, replication: int, name: str, *key: int) -> np.random.Generator:
    """A generator for the named stream of one replication, further keyed by ``key`` (e.g. rep)."""
    ss = np.random.SeedSequence(seed, spawn_key=(replication, STREAMS[name], *key))
    return np.random.Generator(np.random.PCG64(ss))
