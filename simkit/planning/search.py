"""One search for "the smallest whole number that is enough", used by the
headcount solver and the new-projects solver."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["smallest_reaching"]


def smallest_reaching(p: Callable[[int], float], target: float, low: int, high: int,
                      start: int | None = None) -> int | None:
    """The smallest whole ``n`` in [low, high] with ``p(n) >= target``, or None.

    ``p`` must be non-decreasing in ``n`` (simulated curves on common random
    numbers are, or nearly are) and should remember its values: each point is
    asked for at most twice. The search brackets the answer by doubling up
    from ``start`` (default ``low``), or by halving down towards ``low`` when
    ``start`` is already enough, then bisects: about 2 log2(answer / start)
    evaluations plus the bisection's log2 of the bracket.
    """
    if p(low) >= target:
        return low
    lo = hi = low if start is None else min(max(start, low), high)
    if hi > low and p(hi) >= target:
        lo = low
        while True:
            mid = low + (hi - low) // 2
            if mid == low:
                break
            if p(mid) >= target:
                hi = mid
            else:
                lo = mid
                break
    else:
        while p(hi) < target:
            if hi >= high:
                return None
            lo, hi = hi, min(high, max(2 * hi, hi + 1))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if p(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi
