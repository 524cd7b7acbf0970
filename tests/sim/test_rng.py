"""simkit.sim.streams: the documented derivation, independent of cache state and creation order (exact)."""

from __future__ import annotations

import numpy as np
import pytest

from simkit.sim import streams as rng
from simkit.sim.streams import STREAMS, stream


class _FourWords(np.random.bit_generator.ISeedSequence):
    def __init__(self, w):
        self.w = w

    def generate_state(self, n_words, dtype=np.uint32):
        return self.w


def _by_hand(seed, r, name, *key):
    last = key[-1] if key else 0
    ss = np.random.SeedSequence(seed, spawn_key=(r, STREAMS[name], len(key), *key[:-1]))
    w = ss.generate_state(4 * last + 4, np.uint64)[4 * last:]
    return np.random.Generator(np.random.PCG64(_FourWords(w)))


@pytest.mark.parametrize("key", [(), (0,), (7,), (40,), (1, 3), (2, 1, 5)])
def test_stream_is_the_documented_derivation(key):
    rng.clear_cache()
    assert np.array_equal(stream(5, 3, "arrivals", *key).random(8),
                          _by_hand(5, 3, "arrivals", *key).random(8))


def test_pcg64_seeding_rule_matches_a_seedsequence_built_generator():
    # PCG64 seeds itself from generate_state(4, uint64); four words handed over
    # directly must give the very same generator.
    ss = np.random.SeedSequence(11, spawn_key=(2, 0, 1))
    a = np.random.Generator(np.random.PCG64(ss)).random(5)
    b = np.random.Generator(np.random.PCG64(_FourWords(ss.generate_state(4, np.uint64))))
    assert np.array_equal(a, b.random(5))


def test_numbers_do_not_depend_on_cache_state_or_order():
    rng.clear_cache()
    first = [stream(1, 0, "durations", k).random(3) for k in range(30)]
    rng.clear_cache()
    again = [stream(1, 0, "durations", k).random(3) for k in reversed(range(30))][::-1]
    for a, b in zip(first, again):
        assert np.array_equal(a, b)


def test_keys_and_streams_do_not_share_numbers():
    draws = [stream(1, 0, "arrivals").random(4), stream(1, 0, "arrivals", 0).random(4),
             stream(1, 0, "arrivals", 0, 0).random(4), stream(1, 0, "sources", 0).random(4),
             stream(1, 1, "arrivals", 0).random(4), stream(2, 0, "arrivals", 0).random(4)]
    assert len({tuple(d) for d in draws}) == len(draws)
