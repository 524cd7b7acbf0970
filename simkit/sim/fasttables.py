"""The fast path's deal-level tables, rebuilt on first use from the same numbers.

Same rows, ids, order and dtypes as :class:`simkit.sim.results.Results` builds from
the SimPy engine's records (``tests/sim/test_fastpath.py`` compares them exactly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simkit.model.params import Scenario
from simkit.sim.engine import OUTCOMES

OPEN = OUTCOMES.index("open")


def deal_tables(sc: Scenario, replications: int, first: int, runs):
    """The ``deals`` and ``stage_times`` tables from ``runs`` (the fast path's chunks,
    with deal detail), as :class:`Results` builds them from
    the engine's records (same rows, ids, order and dtypes)."""
    cols: dict[str, list] = {k: [] for k in (
        "r", "rep", "initial", "order", "entered", "entry", "source", "reached", "outcome",
        "closed", "amount", "enter", "left")}
    t0 = None
    for plan, _r0, _r1, per_rep in runs:
        t0 = plan.t0
        for i, parts in enumerate(per_rep):
            for f in parts:
                n = len(f["r"])
                cols["rep"].append(np.full(n, i, np.int64))
                for k, src in (("r", "r"), ("initial", "initial"), ("order", "order"),
                               ("entered", "entered"), ("entry", "entry"), ("source", "source"),
                               ("reached", "reached"), ("outcome", "outcome"),
                               ("closed", "closed"), ("amount", "amount"), ("enter", "enter"),
                               ("left", "left")):
                    cols[k].append(f[src])
    S = len(sc.funnel.stages)
    if not cols["r"]:
        c = {k: np.empty(0) for k in cols}
        c["enter"] = c["left"] = np.empty((0, S))
    else:
        c = {k: np.concatenate(v) for k, v in cols.items()}
    r = c["r"].astype(np.int64) - first
    n = len(r)
    # Deal ids: the starting funnel in creation order, then arrivals in time order.
    ids = np.empty(n, np.int64)
    ini = c["initial"].astype(bool)
    n_ini = np.bincount(r[ini], minlength=replications)
    for mask, key, offset in ((ini, c["order"], np.zeros(replications, np.int64)),
                              (~ini, c["entered"], n_ini)):
        idx = np.flatnonzero(mask)
        o = idx[np.lexsort((key[idx], r[idx]))]
        counts = np.bincount(r[o], minlength=replications)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ids[o] = np.arange(len(o)) - np.repeat(starts, counts) + offset[r[o]]
    keep = (c["outcome"] == OPEN) | (c["closed"] >= t0) if n else np.zeros(0, bool)
    stages = sc.funnel.names
    sources = [s.name for s in sc.leads.sources] + ["snapshot"]
    deals = pd.DataFrame({
        "replication": r[keep],
        "deal_id": ids[keep],
        "rep": c["rep"][keep].astype(np.int64),
        "source": pd.Categorical.from_codes(c["source"][keep].astype(np.int64) % len(sources),
                                            categories=sources),
        "initial": ini[keep],
        "entered": c["entered"][keep].astype(float),
        "entry_stage": pd.Categorical.from_codes(c["entry"][keep].astype(np.int64),
                                                 categories=stages, ordered=True),
        "stage_reached": pd.Categorical.from_codes(c["reached"][keep].astype(np.int64),
                                                   categories=stages, ordered=True),
        "outcome": pd.Categorical.from_codes(c["outcome"][keep].astype(np.int64),
                                             categories=list(OUTCOMES)),
        "closed_at": c["closed"][keep].astype(float),
        "amount": c["amount"][keep].astype(float),
    }).sort_values(["replication", "deal_id"], ignore_index=True)
    enter, left = c["enter"][keep], c["left"][keep]
    dk, sk = np.nonzero(~np.isnan(enter))
    st = pd.DataFrame({
        "replication": r[keep][dk],
        "deal_id": ids[keep][dk],
        "stage": pd.Categorical.from_codes(sk.astype(np.int64), categories=stages, ordered=True),
        "entered": enter[dk, sk],
        "left": left[dk, sk],
    }).sort_values(["replication", "deal_id", "stage"], ignore_index=True)
    return deals, st
