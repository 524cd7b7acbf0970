"""Stable pseudonyms for rep and account names.

Calibration never needs a person's or a customer's name, only that two rows
belong to the same one. A keyed hash (HMAC-SHA256) gives each name the same
pseudonym in every run and every output made with the same key, without a
lookup table that could be reversed by anyone who has the outputs.
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

__all__ = ["PSEUDONYMISED_COLUMNS", "pseudonym", "pseudonymise"]

PSEUDONYMISED_COLUMNS = {"rep": "rep", "account": "account"}


def pseudonym(name: str, prefix: str, key: str = "simkit") -> str:
    """``prefix-xxxxxxxx``: the same name and key always give the same pseudonym."""
    digest = hmac.new(key.encode(), str(name).encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:8]}"


def pseudonymise(deals: pd.DataFrame, key: str = "simkit") -> pd.DataFrame:
    """A copy of a canonical deal table with rep and account names replaced."""
    out = deals.copy()
    for col, prefix in PSEUDONYMISED_COLUMNS.items():
        if col in out:
            out[col] = out[col].map(lambda v, pre=prefix: v if v is None or pd.isna(v)
                                    else pseudonym(v, pre, key))
    return out
