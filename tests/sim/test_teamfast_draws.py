"""The fast team engine's kept random numbers stay within their budget."""

from __future__ import annotations

import numpy as np

from simkit.sim import teamfast_draws as td


def test_kept_numbers_stay_within_the_budget_oldest_first(monkeypatch):
    td.clear_cache()
    monkeypatch.setattr(td, "KEPT_MAX_FLOATS", 1000)
    for i in range(5):
        td.keep(("x", i), np.zeros(400), 400)
    # 5 x 400 > 1000: the oldest went first, the newest stay
    assert td.kept(("x", 0)) is None and td.kept(("x", 1)) is None and td.kept(("x", 2)) is None
    assert td.kept(("x", 3)) is not None and td.kept(("x", 4)) is not None
    assert td._kept_floats == 800
    td.clear_cache()
    assert td._kept_floats == 0 and td.kept(("x", 4)) is None


def test_a_rep_s_people_stream_is_the_same_when_asked_again_for_more():
    td.clear_cache()
    e1, u1 = td.people(7, 0, (0,), 10)
    e2, u2 = td.people(7, 0, (0,), 1000)  # more numbers than kept: drawn again, same start
    assert e1 == e2 and np.array_equal(u1, u2[: len(u1)])
    td.clear_cache()
