"""Read a CRM export (CSV or Excel) into the canonical deal table.

>>> imp = read_export("sales_pipeline.csv", mapping="maven")    # doctest: +SKIP
>>> imp.deals.head(); print(imp.quality.text())                   # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.crm.mappings import CANONICAL, Mapping, detect_mapping, get_mapping
from simkit.crm.parse import parse_amounts, parse_dates
from simkit.crm.privacy import pseudonymise
from simkit.crm.quality import QualityReport, check_quality

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


#: Largest export read (bytes); a bigger file is refused before it is read.
MAX_EXPORT_BYTES = 512 * 1024 * 1024
#: Encodings tried in turn when none is given: UTF-8 (with or without a BOM), then
#: GB18030, which covers GBK and GB2312 (Chinese Excel and CRM exports).
AUTO_ENCODINGS = ("utf-8-sig", "gb18030")


def read_table(path: str | os.PathLike, field: str = "export",
               encoding: str | None = None) -> pd.DataFrame:
    """A CSV or Excel file as text columns (nothing is guessed until the mapping says so).

    ``encoding`` names the CSV's text encoding (e.g. ``gbk``); without it UTF-8
    (with or without a byte-order mark) is tried, then GB18030. ``.xls`` files
    are read with ``python-calamine`` (a dependency of simkit; pandas' engine
    for the old Excel format now that its xlrd engine is deprecated).
    """
    p = Path(path)
    if not p.is_file():
        raise SimkitInputError(field, str(p), "an existing CSV or Excel (.xlsx, .xls) file")
    size = p.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise SimkitInputError(field, str(p),
                               f"a file of at most {MAX_EXPORT_BYTES // 2**20} MB "
                               f"(this one is {size / 2**20:.0f} MB)")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SimkitInputError("--encoding", encoding,
                                   "a text encoding such as utf-8, gbk or gb18030") from None
    ext = p.suffix.lower()
    try:
        if ext in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=str, engine="openpyxl")
        elif ext == ".xls":
            try:
                import python_calamine  # noqa: F401
            except ImportError:
                raise SimkitInputError(
                    field, str(p),
                    "an .xlsx or CSV file: reading .xls needs the python-calamine package",
                    hint="Install it (pip install python-calamine) or save the file as .xlsx "
                         "(读取 .xls 需要 python-calamine；或另存为 .xlsx).") from None
            df = pd.read_excel(p, dtype=str, engine="calamine")
        else:
            df = _read_csv(p, field, encoding)
    except SimkitInputError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, ImportError, KeyError, IndexError,
            pd.errors.ParserError) as exc:
        raise SimkitInputError(field, str(p), f"a readable CSV or Excel file ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - xlrd / openpyxl raise their own errors on junk
        raise SimkitInputError(field, str(p),
                               f"a readable CSV or Excel file ({type(exc).__name__}: {exc})"
                               ) from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


def _read_csv(p: Path, field: str, encoding: str | None) -> pd.DataFrame:
    tries = (encoding,) if encoding else AUTO_ENCODINGS
    errors = []
    for enc in tries:
        if enc == "gb18030" and encoding is None and not _looks_chinese(p):
            errors.append("gb18030: decodes only as rare characters, so probably another "
                          "encoding (Latin-1 / cp1252?)")
            continue
        try:
            return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""],
                               encoding=enc)
        except UnicodeDecodeError as exc:
            errors.append(f"{enc}: {exc.reason} at byte {exc.start}")
    raise SimkitInputError(
        field, str(p), "text in " + (f"the encoding {encoding}" if encoding else
                                     "UTF-8 or GB18030/GBK") + f" ({'; '.join(errors)})",
        hint="Give its encoding with --encoding, e.g. --encoding big5 "
             "(用 --encoding 指定文件编码).")


def _looks_chinese(p: Path, sample: int = 1 << 20) -> bool:
    """Whether a file that is not UTF-8 reads as Chinese in GB18030: most of its
    double-byte characters in the GB2312 block of common characters (lead byte
    0xA1-0xF7, trail 0xA1-0xFE). A Latin-1 / cp1252 file (``Société``) also decodes
    in GB18030, but only as rare characters (a high byte followed by an ASCII one)."""
    with open(p, "rb") as fh:
        data = fh.read(sample)
    common = rare = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        nxt = data[i + 1] if i + 1 < n else 0
        if 0xA1 <= b <= 0xF7 and 0xA1 <= nxt <= 0xFE:
            common += 1
        else:
            rare += 1
        i += 4 if 0x30 <= nxt <= 0x39 else 2
    return common > 0 and common >= 4 * rare


def read_export(path: str | os.PathLike, mapping: str | Mapping = "auto", *,
                wins: str | os.PathLike | None = None, strict: bool = False,
                amount_divisor: float | None = None, pseudonyms: bool = False,
                pseudonym_key: str = "simkit", encoding: str | None = None,
                dayfirst: bool | None = None, decimal: str | None = None) -> CRMImport:
    """Import an export with a mapping (a built-in name, ``auto``, a mapping file or object).

    ``wins`` is the file of won deals for the lead-level shape. ``strict``
    refuses a file with any data-quality problem. ``amount_divisor`` turns
    the export's amounts into 万 CNY (default: the mapping's, 10,000).
    ``pseudonyms`` replaces rep and account names with stable pseudonyms.
    ``encoding`` is the CSV's text encoding (default: UTF-8, else GB18030).
    ``dayfirst`` and ``decimal`` override what is decided from each date
    column and from the amount column (see :mod:`simkit.crm.parse`).
    """
    raw = read_table(path, encoding=encoding)
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
        wins_raw = read_table(wins, "--wins", encoding=encoding)
    elif wins is not None:
        raise SimkitInputError("--wins", str(wins),
                               f"only with a lead-level mapping, not {m.name!r}")
    return import_frame(raw, m, wins_raw=wins_raw, strict=strict,
                        amount_divisor=amount_divisor, source=str(path),
                        pseudonyms=pseudonyms, pseudonym_key=pseudonym_key,
                        dayfirst=dayfirst, decimal=decimal)


def import_frame(raw: pd.DataFrame, mapping: Mapping, *, wins_raw: pd.DataFrame | None = None,
                 strict: bool = False, amount_divisor: float | None = None,
                 source: str = "export", pseudonyms: bool = False,
                 pseudonym_key: str = "simkit", dayfirst: bool | None = None,
                 decimal: str | None = None) -> CRMImport:
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
    divisor = m.amount_divisor if amount_divisor is None else amount_divisor
    if isinstance(divisor, bool) or not isinstance(divisor, (int, float)) or not (
            math.isfinite(divisor) and divisor > 0):
        raise SimkitInputError("--amount-divisor", amount_divisor, "a finite number above 0")
    divisor = float(divisor)
    dayfirst = m.dayfirst if dayfirst is None else dayfirst
    decimal = m.decimal if decimal is None else decimal
    cols = m.resolve(present)
    n = len(raw)

    def col(name: str) -> pd.Series:
        return raw[cols[name]] if name in cols else pd.Series([None] * n, dtype=object)

    def text(s: pd.Series) -> pd.Series:
        s = s.astype(object).where(s.notna(), None)
        return s.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())

    flags = {"bad_date": np.zeros(n, bool), "unknown_stage": np.zeros(n, bool),
             "bad_amount": np.zeros(n, bool)}
    out = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in CANONICAL})
    for c in ("deal_id", "rep", "stage", "product", "source", "region", "account"):
        out[c] = text(col(c))

    if m.lead_level:
        out, flags = _join_wins(out, raw_wins=wins_raw, mapping=m, flags=flags,
                                created=col("created"), divisor=divisor, dayfirst=dayfirst,
                                decimal=decimal, created_name=cols.get("created", "created"))
    else:
        out["created"] = _dates(col("created"), dayfirst, flags, cols.get("created", "created"))
        closed = _dates(col("closed"), dayfirst, flags, cols.get("closed", "closed"))
        out["status"] = _status(raw, m, out["stage"], flags)
        # An open deal's close date is the expected one in Salesforce and HubSpot exports.
        out["closed"] = closed.where(out["status"].isin(["won", "lost"]))
        out["amount"] = _amounts(col("amount"), divisor, flags, cols.get("amount", "amount"),
                                 decimal)
    kept, report = check_quality(raw, out, flags, strict, source)
    kept["created"] = pd.to_datetime(kept["created"])
    kept["closed"] = pd.to_datetime(kept["closed"])
    kept["amount"] = kept["amount"].astype(float)
    if pseudonyms:
        kept = pseudonymise(kept, key=pseudonym_key)
    return CRMImport(deals=kept, mapping=m, quality=report, source=source,
                     pseudonymised=pseudonyms)


def _dates(s: pd.Series, dayfirst: bool | None, flags: dict, column: str = "date"
           ) -> pd.Series:
    parsed, bad = parse_dates(s, column, dayfirst)
    filled = int(s.notna().sum() - (s.astype(str).str.strip() == "").sum()) if len(s) else 0
    if filled and bad.sum() * 2 > filled:
        ex = next(str(v) for v, b in zip(s, bad) if b)
        raise SimkitInputError(
            f"date column {column!r}", ex,
            f"dates such as 2024-03-05, 2024/3/5, 2024年3月5日 or 05/03/2024 "
            f"({int(bad.sum())} of {filled} values cannot be read)",
            hint="Fix the column or map another one (日期列无法读取).")
    flags["bad_date"] |= bad
    return parsed


def _amounts(s: pd.Series, divisor: float, flags: dict, column: str = "amount",
             decimal: str | None = None) -> pd.Series:
    # Currency signs and words, 万 / 亿 units, full-width digits and thousands
    # separators are read by parse_amounts; an unreadable amount is flagged, never 0.
    num, bad = parse_amounts(s, column, decimal)
    flags["bad_amount"] |= bad
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
               created: pd.Series, divisor: float, dayfirst: bool | None = None,
               decimal: str | None = None, created_name: str = "created"):
    wcols = mapping.resolve(list(raw_wins.columns), "wins_columns")
    for need in ("deal_id", "closed"):
        if need not in wcols:
            raise SimkitInputError(
                "--wins", "(columns)",
                f"a {need} column, one of {', '.join(mapping.wins_columns[need])}",
                hint=f"Columns found: {', '.join(list(raw_wins.columns)[:15])}.")
    w = pd.DataFrame({k: raw_wins[v].astype(object) for k, v in wcols.items()})
    w["deal_id"] = w["deal_id"].map(lambda v: None if pd.isna(v) else str(v).strip())
    wflags = {"bad_date": np.zeros(len(w), bool), "bad_amount": np.zeros(len(w), bool)}
    w["closed"] = _dates(w["closed"], dayfirst, wflags, f"--wins {wcols['closed']}")
    if "amount" in wcols:
        w["amount"] = _amounts(w["amount"], 1.0, wflags, f"--wins {wcols['amount']}", decimal)
    w["_bad_amount"] = wflags["bad_amount"]
    # A lead won twice in the wins file keeps its first win.
    w = w[~w["deal_id"].duplicated(keep="first")].set_index("deal_id")
    out["created"] = _dates(created, dayfirst, flags, created_name)
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
        out.loc[hit, "amount"] = w.loc[ids, "amount"].to_numpy(float) / divisor
        flags["bad_amount"][np.flatnonzero(hit)] |= w.loc[ids, "_bad_amount"].to_numpy(bool)
    if "product" in wcols:
        out.loc[hit, "product"] = w.loc[ids, "product"].to_numpy()
    return out, flags
