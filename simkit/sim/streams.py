"""Random streams: one root seed, a child per replication, named streams per rep.

Replication ``r`` of a run with seed ``s`` is the child
``SeedSequence(s).spawn(r + 1)[r]`` (its spawn key is ``(r,)``). Inside it each
named stream (arrivals, conversion, durations, ...) is addressed by its name
and a key (a rep's index, a hire's number, ...): ``stream(s, r, name, *key)``.
Because a stream is addressed by name and key rather than by the order in
which it is created, adding a rep or a stage, or changing any parameter,
leaves every other stream's numbers untouched: two scenarios run on the same
seed share random numbers (common random numbers), and their difference shows
the lever, not noise. No global random state is used anywhere.

How a key becomes a generator, cheaply: all keys that differ only in their
last element share one ``SeedSequence(s, spawn_key=(r, STREAMS[name],
len(key), *key[:-1]))``; its ``generate_state`` output, read as 64-bit words,
gives the stream with last element ``k`` the four words ``4k .. 4k+3``, and
those seed a PCG64 exactly as PCG64 seeds itself from a SeedSequence (two
words of initial state, two of increment). ``generate_state`` is
prefix-stable (the first words do not depend on how many are asked for), so
stream ``k``'s numbers never depend on how many reps there are. Building a
SeedSequence costs about 25 microseconds and a PCG64 from four words about 3,
so one SeedSequence per (replication, stream name) instead of one per rep
makes a 200-replication, 10-rep run need 2,000 SeedSequences rather than
20,000. The words are kept in a small bounded cache, so a later run on the
same seed (a slider move adding a rep) reuses them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from numpy.random.bit_generator import ISeedSequence

__all__ = ["STREAMS", "clear_cache", "replication_seed", "stream"]

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

# (seed, spawn key) -> generate_state words; bounded by entries and by words,
# the oldest dropped first.
_WORDS: OrderedDict[tuple, np.ndarray] = OrderedDict()
_WORDS_MAX_ENTRIES = 20_000
_WORDS_MAX_WORDS = 8_000_000  # 64 MB
_words_total = 0
_lock = threading.Lock()  # sweeps may draw from threads (dask's threaded scheduler)


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The child seed of one replication (equal to ``SeedSequence(seed).spawn(...)[replication]``)."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


class _Words(ISeedSequence):
    """Four precomputed words handed to PCG64, which seeds itself from them with its
    own rule (as it would from a SeedSequence's ``generate_state(4, uint64)``)."""

    __slots__ = ("w",)

    def __init__(self, w: np.ndarray):
        self.w = w

    def generate_state(self, n_words, dtype=np.uint32):
        assert n_words == 4 and np.dtype(dtype) == np.uint64  # what PCG64 asks for
        return self.w


def _words(seed: int, spawn_key: tuple, n: int) -> np.ndarray:
    """At least ``n`` words of ``SeedSequence(seed, spawn_key).generate_state``."""
    global _words_total
    key = (seed, spawn_key)
    with _lock:
        w = _WORDS.get(key)
        if w is not None and len(w) >= n:
            return w
    # Ask for room for 16 streams at least, doubling, so growing a team by one
    # rep does not redo the SeedSequence each time.
    size = max(n, 64, 2 * len(w) if w is not None else 0)
    new = np.random.SeedSequence(seed, spawn_key=spawn_key).generate_state(size, np.uint64)
    with _lock:
        old = _WORDS.pop(key, None)
        _words_total -= 0 if old is None else len(old)
        _WORDS[key] = new
        _words_total += len(new)
        while len(_WORDS) > 1 and (len(_WORDS) > _WORDS_MAX_ENTRIES
                                   or _words_total > _WORDS_MAX_WORDS):
            _words_total -= len(_WORDS.popitem(last=False)[1])
    return new


def stream(seed: int, replication: int, name: str, *key: int) -> np.random.Generator:
    """A generator for the named stream of one replication, further keyed by ``key`` (e.g. rep).

    Keys of different lengths never share numbers; keys that differ only in the
    last element are cheap to make together (see the module docstring).
    """
    last = int(key[-1]) if key else 0
    spawn_key = (int(replication), STREAMS[name], len(key), *map(int, key[:-1]))
    # A hit is a plain dict read (no lock, no reordering: the cache drops the
    # oldest entries first); a miss or a too-short entry goes through _words.
    w = _WORDS.get((seed, spawn_key))
    end = 4 * last + 4
    if w is None or len(w) < end:
        w = _words(seed, spawn_key, end)
    return np.random.Generator(np.random.PCG64(_Words(w[end - 4: end])))


def clear_cache() -> None:
    """Forget the cached SeedSequence words (they are recomputed on demand)."""
    global _words_total
    with _lock:
        _WORDS.clear()
        _words_total = 0
