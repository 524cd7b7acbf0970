"""Read a CRM export (CSV or Excel) into the canonical deal table.

>>> imp = read_export("sales_pipeline.csv", mapping="maven")    # doctest: +SKIP
>>> imp.deals.head(); print(imp.quality.text())                   # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simkit.crm.mappings import CANONICAL, Mapping, detect_mapping, get_mapping
from simkit.crm.privacy import pseudonymise
from simkit.crm.quality import QualityReport, check_quality
from simkit.model.errors import SimkitInputError

__all__ = ["CRMImport", "import_frame", "read_export", "read_table"]

_TRUE = {"true", "1", "yes", "y", "t", "wahr", "是"}
_FALSE = {"false", "0", "no", "n", "f", "falsch", "否", ""}


@dataclass(frozen=True)
class CRMImport:
    """An imported export: the canonical ``deals`` table, the mapping used and the quality report."""

    deals: pd.DataFrame
    mapping: Mapping
    quality: QualityReport
    source: str
    pseudonymised: bool = False


def read_table(path: str | os.PathLike, field: str = "export") -> pd.DataFrame:
    """A CSV or Excel file as text columns (nothing is guessed until the mapping says so)."""
    p = Path(path)
    if not p.is_file():
        raise SimkitInputError(field, str(p), "an existing CSV or Excel (.xlsx) file")
    ext = p.suffix.lower()
    try:
        if ext in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, dtype=str)
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""],
                             encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise SimkitInputError(field, str(p), f"a readable CSV or Excel file ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_export(path: str | os.PathLike, mapping: str | Mapping = "auto", *,
                wins: str | os.PathLike | None = None, strict: bool = False,
                amount_divisor: float | None = None, pseudonyms: bool = False,
                pseudonym_key: str = "simkit") -> CRMImport:
    """Import an export with a mapping (a built-in name, ``auto``, a mapping file or object).

    ``wins`` is the file of won deals for the lead-level shape. ``strict``
    refuses a file with any data-quality problem. ``amount_divisor`` turns
    the export's amounts into 万 CNY (default: the mapping's, 10,000).
    ``pseudonyms`` replaces rep and account names with stable pseudonyms.
    """
    raw = read_table(path)
    if isinstance(mapping, str) and mapping == "auto":
        m = detect_mapping(list(raw.columns))
    elif isinstance(mapping, Mapping):
        m = mapping
    else:
        m = get_mapping(mapping)
    wins_raw = None
    if m.lead_level:
        if wins is None:
            raise SimkitInputError("--wins", None,
                                   f"a file of won deals: mapping {m.name!r} is lead-level")
        wins_raw = read_table(wins, "--wins")
    elif wins is not None:
        raise SimkitInputError("--wins", str(wins),
                               f"only with a lead-level mapping, not {m.name!r}")
    return import_frame(raw, m, wins_raw=wins_raw, strict=strict,
                        amount_divisor=amount_divisor, source=str(path),
                        pseudonyms=pseudonyms, pseudonym_key=pseudonym_key)


def import_frame(raw: pd.DataFrame, mapping: Mapping, *, wins_raw: pd.DataFrame | None = None,
                 strict: bool = False, amount_divisor: float | None = None,
                 source: str = "export", pseudonyms: bool = False,
                 pseudonym_key: str = "simkit") -> CRMImport:
    """:func:`read_export` for a table already in memory (text columns)."""
    m = mapping
    present = list(raw.columns)
    missing = m.missing_required(present)
    if missing:
        raise SimkitInputError(
            "export", source,
            f"columns for {', '.join(missing)} as mapping {m.name!r} expects "
            + "; ".join(f"{c}: one of {', '.join(m.columns.get(c, (c,)))}" for c in missing),
            hint=f"Columns found: {', '.join(present[:15])}.")
    divisor = m.amount_divisor if amount_divisor is None else float(amount_divisor)
    if not divisor > 0:
        raise SimkitInputError("amount_divisor", amount_divisor, "a number above 0")
    cols = m.resolve(present)
    n = len(raw)

    def col(name: str) -> pd.Series:
        return raw[cols[name]] if name in cols else pd.Series([None] * n, dtype=object)

    def text(s: pd.Series) -> pd.Series:
        s = s.astype(object).where(s.notna(), None)
        return s.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())

    flags = {"bad_date": np.zeros(n, bool), "unknown_stage": np.zeros(n, bool)}
    out = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in CANONICAL})
    for c in ("deal_id", "rep", "stage", "product", "source", "region", "account"):
        out[c] = text(col(c))

    if m.lead_level:
        out, flags = _join_wins(out, raw_wins=wins_raw, mapping=m, flags=flags,
                                created=col("created"), divisor=divisor)
    else:
        out["created"] = _dates(col("created"), m.dayfirst, flags)
        closed = _dates(col("closed"), m.dayfirst, flags)
        out["status"] = _status(raw, m, out["stage"], flags)
        # An open deal's close date is the expected one in Salesforce and HubSpot exports.
        out["closed"] = closed.where(out["status"].isin(["won", "lost"]))
        out["amount"] = _amounts(col("amount"), divisor, flags)
    kept, report = check_quality(raw, out, flags, strict, source)
    kept["created"] = pd.to_datetime(kept["created"])
    kept["closed"] = pd.to_datetime(kept["closed"])
    kept["amount"] = kept["amount"].astype(float)
    if pseudonyms:
        kept = pseudonymise(kept, key=pseudonym_key)
    return CRMImport(deals=kept, mapping=m, quality=report, source=source,
                     pseudonymised=pseudonyms)


def _dates(s: pd.Series, dayfirst: bool, flags: dict) -> pd.Series:
    txt = s.astype(object).where(s.notna(), None)
    txt = txt.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
    parsed = pd.to_datetime(txt, errors="coerce", dayfirst=dayfirst, format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    flags["bad_date"] |= (txt.notna() & parsed.isna()).to_numpy()
    return parsed


def _amounts(s: pd.Series, divisor: float, flags: dict) -> pd.Series:
    txt = s.astype(object).where(s.notna(), None)
    # Thousands separators and currency signs are common in report exports.
    cleaned = txt.map(lambda v: None if v is None else
                      str(v).replace(",", "").replace("$", "").replace("¥", "").strip() or None)
    num = pd.to_numeric(cleaned, errors="coerce")
    return num / divisor


def _status(raw: pd.DataFrame, m: Mapping, stage: pd.Series, flags: dict) -> pd.Series:
    n = len(raw)
    if m.is_closed_column:
        c_col = next(c for c in m.is_closed_column if c in raw.columns)
        w_col = next(c for c in m.is_won_column if c in raw.columns)

        def flag(v):
            t = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().lower()
            return True if t in _TRUE else False if t in _FALSE else None

        is_closed = raw[c_col].map(flag)
        is_won = raw[w_col].map(flag)
        bad = (is_closed.isna() | is_won.isna()).to_numpy()
        flags["unknown_stage"] |= bad
        status = np.where(is_closed.fillna(False).astype(bool),
                          np.where(is_won.fillna(False).astype(bool), "won", "lost"), "open")
        return pd.Series(np.where(bad, None, status), dtype=object)
    lut = {lab.lower(): "won" for lab in m.won_labels}
    lut |= {lab.lower(): "lost" for lab in m.lost_labels}
    lut |= {lab.lower(): "open" for lab in m.open_labels}
    status = stage.map(lambda v: None if v is None else lut.get(v.lower()))
    flags["unknown_stage"] |= status.isna().to_numpy()
    return status.astype(object) if n else pd.Series([], dtype=object)


def _join_wins(out: pd.DataFrame, raw_wins: pd.DataFrame, mapping: Mapping, flags: dict,
               created: pd.Series, divisor: float):
    wcols = mapping.resolve(list(raw_wins.columns), "wins_columns")
    for need in ("deal_id", "closed"):
        if need not in wcols:
            raise SimkitInputError(
                "--wins", "(columns)",
                f"a {need} column, one of {', '.join(mapping.wins_columns[need])}",
                hint=f"Columns found: {', '.join(list(raw_wins.columns)[:15])}.")
    w = pd.DataFrame({k: raw_wins[v].astype(object) for k, v in wcols.items()})
    w["deal_id"] = w["deal_id"].map(lambda v: None if pd.isna(v) else str(v).strip())
    wflags = {"bad_date": np.zeros(len(w), bool)}
    w["closed"] = _dates(w["closed"], mapping.dayfirst, wflags)
    # A lead won twice in the wins file keeps its first win.
    w = w[~w["deal_id"].duplicated(keep="first")].set_index("deal_id")
    out["created"] = _dates(created, mapping.dayfirst, flags)
    hit = out["deal_id"].map(lambda i: i in w.index if i is not None else False).to_numpy(bool)
    ids = out["deal_id"][hit]
    out["status"] = np.where(hit, "won", "open")
    out["stage"] = np.where(hit, "won", "lead")
    out["closed"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    out.loc[hit, "closed"] = w.loc[ids, "closed"].to_numpy()
    # Unwon leads carry no owner in this shape, so reps can only be told apart
    # when the lead list itself has an owner column; otherwise the whole list is
    # one team (per-rep differences cannot be estimated from it).
    out["rep"] = out["rep"].where(out["rep"].notna(), "team")
    out["amount"] = np.nan
    if "amount" in wcols:
        out.loc[hit, "amount"] = _amounts(w.loc[ids, "amount"].reset_index(drop=True),
                                          divisor, flags).to_numpy()
    if "product" in wcols:
        out.loc[hit, "product"] = w.loc[ids, "product"].to_numpy()
    return out, flags
