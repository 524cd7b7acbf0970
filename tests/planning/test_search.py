"""The shared "smallest whole number that is enough" search (unit and property tests)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simkit.planning.search import smallest_reaching


def counted(threshold):
    calls: list[int] = []

    def p(n):
        calls.append(n)
        return 1.0 if n >= threshold else 0.0

    return p, calls


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 50), st.none() | st.integers(0, 400))
def test_finds_the_threshold_or_none(threshold, high_extra, low, start):
    high = low + high_extra
    p, calls = counted(threshold)
    got = smallest_reaching(p, 0.5, low, high, start=start)
    if threshold <= low:
        assert got == low
    elif threshold > high:
        assert got is None
    else:
        assert got == threshold
    # Doubling, halving and bisection: logarithmic in the range, never a scan.
    assert len(set(calls)) <= 3 * (high - low + 2).bit_length() + 3


def test_a_good_start_costs_few_evaluations():
    p, calls = counted(147)
    assert smallest_reaching(p, 0.5, 0, 10_000, start=110) == 147
    assert len(set(calls)) <= 12  # a scan from 0 would take 148
