"""Synthetic CRM exports with known truth, for the calibration tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
T0 = pd.Timestamp("2020-01-01")


def synthetic_deals(*, reps=8, rate=4.0, p_win=0.3, p_lost=0.5, win_mean=5.0, win_cv=0.6,
                    lost_mean=3.0, weeks=52, deal_mean=2.0, deal_cv=0.8, seed=0,
                    conversion=None) -> pd.DataFrame:
    """Every deal with its true outcome (stalled deals never close): the 'export at the end
    of time' from which :func:`simkit.crm.as_of` makes what was known at a cutoff."""
    rng = np.random.default_rng(seed)
    rows = []
    sigma = np.sqrt(np.log1p(deal_cv**2))
    for r in range(reps):
        mult = 1.0 if conversion is None else conversion[r]
        n = rng.poisson(rate * weeks)
        created = np.sort(rng.uniform(0, weeks, n))
        u = rng.random(n)
        pw = p_win * mult
        won = u < pw
        lost = (u >= pw) & (u < pw + p_lost)
        k_w = 1 / win_cv**2
        t = np.where(won, rng.gamma(k_w, win_mean / k_w, n), rng.gamma(4.0, lost_mean / 4.0, n))
        amount = rng.lognormal(np.log(deal_mean) - sigma**2 / 2, sigma, n)
        for i in range(n):
            status = "won" if won[i] else "lost" if lost[i] else "open"
            rows.append({
                "deal_id": f"D{r:02d}{i:05d}", "rep": f"Rep {r}",
                "created": T0 + pd.Timedelta(weeks=float(created[i])),
                "closed": T0 + pd.Timedelta(weeks=float(created[i] + t[i]))
                if status != "open" else pd.NaT,
                "status": status, "stage": status, "amount": float(amount[i]),
                "product": "A" if i % 3 else "B", "source": None, "region": None,
                "account": f"Acct {i % 17}"})
    return pd.DataFrame(rows)


@pytest.fixture
def data_dir() -> Path:
    return DATA
