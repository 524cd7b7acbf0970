"""Reading the amounts and dates of a CRM export the way people write them.

Chinese exports write amounts as ``￥12,000.00``, ``12000元``, ``RMB 12,000``,
``1.2万`` or in full-width digits (``１２０００．５０``); European ones as
``3.796,96``. Dates come as ``2024-03-05``, ``2024年3月5日``, ``05/03/2024``
(day first) or ``03/05/2024`` (month first).

Both readers work **per column**, never per value: the decimal mark and the
day/month order are decided once from every value of the column and applied
to all of them, and a column that fits both readings is refused with a
message that says how to decide (a column is never read half one way and
half the other). A value that cannot be read becomes NaN / NaT and is flagged
for the quality report (with its line number); it is never read as 0.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError

__all__ = ["decide_dayfirst", "decide_decimal", "normalise", "parse_amounts", "parse_dates"]

# Currency words and signs removed around the number (after NFKC, so ￥ is ¥).
_CURRENCY = re.compile(r"^(?:RMB|CNY|USD|EUR|人民币|[¥$€£])\s*|\s*(?:RMB|CNY|元|人民币|块)$",
                       re.IGNORECASE)
_UNITS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6}
_UNIT_RE = re.compile(r"(百万|万|亿|千)$")
# The numeric core once one sign, currency and unit are taken off: digits with
# separators (a second sign, as in "--5", makes the value unreadable).
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d{1,3}$")
_NUMBER = re.compile(r"^(?:\d[\d,.' ]*)?\d$|^\d*[.,]\d+$")


def normalise(value) -> str | None:
    """Text of a cell with full-width digits and punctuation made ASCII (NFKC), trimmed;
    None for an empty cell."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    t = unicodedata.normalize("NFKC", str(value)).replace("\u00a0", " ").strip()
    return t or None


def _strip_amount(text: str) -> tuple[str, float, bool]:
    """(numeric core, unit multiplier, negative) of an amount's text."""
    t = text
    neg = False
    if t.startswith("(") and t.endswith(")"):  # accounting negative
        t, neg = t[1:-1].strip(), True
    for _ in range(3):  # a sign and a unit may be on both sides: ¥1.2万元
        new = _CURRENCY.sub("", t).strip()
        if new == t:
            break
        t = new
    mult = 1.0
    m = _UNIT_RE.search(t)
    if m:
        mult = _UNITS[m.group(1)]
        t = t[: m.start()].strip()
        t = _CURRENCY.sub("", t).strip()
    if t.startswith("-"):
        t, neg = t[1:].strip(), not neg
    elif t.startswith("+"):
        t = t[1:].strip()
    return t, mult, neg


def _amount_vote(core: str) -> str | None:
    """'.' or ',' when this value alone shows the decimal mark; 'ambiguous-.'/'ambiguous-,'
    when one separator is followed by exactly three digits; None when it says nothing."""
    has_dot, has_comma = "." in core, "," in core
    if has_dot and has_comma:
        return "." if core.rfind(".") > core.rfind(",") else ","
    for sep in (".", ","):
        if sep in core:
            parts = core.split(sep)
            if len(parts) > 2:  # 1,234,567 or 1.234.567: a thousands separator
                return "," if sep == "." else "."
            if len(parts[1]) == 3 and parts[0] not in ("", "0", "-0"):
                return f"ambiguous-{sep}"
            return sep
    return None


def decide_decimal(cores: list[str], column: str, decimal: str | None = None) -> str:
    """The decimal mark of a column of numeric texts: ``"."`` or ``","``.

    ``decimal`` given wins. Otherwise values such as ``12.50`` or ``3.796,96``
    decide; a column whose values disagree is refused; a column where every
    separator is a lone ``.`` followed by three digits (``3.796``: three point
    something, or three thousand?) is refused too. A lone comma before three
    digits (``12,000``) is read as a thousands separator.
    """
    if decimal is not None:
        if decimal not in (".", ","):
            raise SimkitInputError("--decimal", decimal, "'.' or ','")
        return decimal
    votes = {v for v in map(_amount_vote, cores) if v is not None}
    firm = {v for v in votes if not v.startswith("ambiguous")}
    if len(firm) > 1:
        dot = next(c for c in cores if _amount_vote(c) == ".")
        comma = next(c for c in cores if _amount_vote(c) == ",")
        raise SimkitInputError(
            f"amount column {column!r}", f"{dot} and {comma}",
            "one decimal mark for the whole column (some values use '.', others ',')",
            hint="Fix the column, or say which with --decimal . or --decimal , "
                 "(金额列的小数点不一致：请统一，或用 --decimal 指定).")
    if firm:
        return firm.pop()
    if "ambiguous-." in votes:
        ex = next(c for c in cores if _amount_vote(c) == "ambiguous-.")
        raise SimkitInputError(
            f"amount column {column!r}", ex,
            "a column whose decimal mark can be told (every '.' here is followed by three "
            "digits: a decimal point or a thousands separator?)",
            hint="Say which with --decimal . or --decimal , "
                 "(无法判断 '.' 是小数点还是千位分隔符，请用 --decimal 指定).")
    return "."


def parse_amounts(values: pd.Series, column: str = "amount",
                  decimal: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """(amounts as floats, unreadable flags) of a text column.

    Empty cells are NaN and not flagged (an open deal may have no amount); a
    cell with text that is not an amount is NaN and flagged.
    """
    texts = [normalise(v) for v in values]
    parts = [None if t is None else _strip_amount(t) for t in texts]
    ok_shape = [p is not None and bool(_NUMBER.match(p[0])) for p in parts]
    mark = decide_decimal([p[0] for p, ok in zip(parts, ok_shape) if ok], column, decimal)
    thousands = "," if mark == "." else "."
    out = np.full(len(texts), np.nan)
    bad = np.zeros(len(texts), bool)
    for i, (t, p, ok) in enumerate(zip(texts, parts, ok_shape)):
        if t is None:
            continue
        if not ok and p is not None and _SCIENTIFIC.match(p[0]):
            # Excel writes big numbers as 1.2E+05 in a CSV
            x = float(p[0]) * p[1]
            if np.isfinite(x):
                out[i] = -x if p[2] else x
                continue
        if not ok:
            bad[i] = True
            continue
        core, mult, neg = p
        core = core.replace(thousands, "").replace(" ", "").replace("'", "")
        if mark == ",":
            core = core.replace(",", ".")
        try:
            x = float(core) * mult
        except ValueError:
            bad[i] = True
            continue
        if not np.isfinite(x):
            bad[i] = True
            continue
        out[i] = -x if neg else x
    return pd.Series(out, index=values.index), bad


# ------------------------------------------------------------------- dates

_ZH_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*(.*)$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[ T]+)(.*))?$")
_XYY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:(?:[ T]+)(.*))?$")


def _zh_time(rest: str) -> str:
    # 10时30分 / 10点30分 / 下午... : keep digits of hour and minute when written so
    m = re.match(r"^(\d{1,2})\s*[时点:]\s*(\d{1,2})?\s*分?\s*(?:(\d{1,2})\s*秒?)?$", rest)
    if not m:
        return rest
    h, mi, s = m.group(1), m.group(2) or "0", m.group(3) or "0"
    return f"{int(h):02d}:{int(mi):02d}:{int(s):02d}"


def decide_dayfirst(texts: list[str | None], column: str, dayfirst: bool | None = None) -> bool:
    """Whether a column's ``a/b/yyyy`` dates are day first.

    ``dayfirst`` given wins. Otherwise a value whose first field is above 12
    makes the column day first, one whose second field is above 12 month
    first; a column with both is refused, and so is one where every such date
    fits both readings (``05/03/2024``) unless ``dayfirst`` says which.
    """
    if dayfirst is not None:
        return bool(dayfirst)
    day_ex = month_ex = both_ex = None
    for t in texts:
        if t is None:
            continue
        m = _XYY.match(t)
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 and day_ex is None:
            day_ex = t
        elif b > 12 and month_ex is None:
            month_ex = t
        elif a <= 12 and b <= 12 and a != b and both_ex is None:
            both_ex = t
    if day_ex and month_ex:
        raise SimkitInputError(
            f"date column {column!r}", f"{day_ex} and {month_ex}",
            "one day/month order for the whole column (the first is day first, the second "
            "month first)",
            hint="Fix the column (日期列中日/月顺序不一致，请统一).")
    if day_ex:
        return True
    if month_ex:
        return False
    if both_ex:
        raise SimkitInputError(
            f"date column {column!r}", both_ex,
            "dates whose day/month order can be told: every date here fits both "
            "day first and month first",
            hint="Say which with --dayfirst or --monthfirst "
                 "(无法判断日/月顺序，请用 --dayfirst 或 --monthfirst 指定).")
    return False


def parse_dates(values: pd.Series, column: str = "date",
                dayfirst: bool | None = None) -> tuple[pd.Series, np.ndarray]:
    """(timestamps, unreadable flags) of a text column, day/month order decided per column."""
    texts = [normalise(v) for v in values]
    first = decide_dayfirst(texts, column, dayfirst)
    iso: list[str | None] = []
    for t in texts:
        if t is None:
            iso.append(None)
            continue
        m = _ZH_DATE.match(t)
        if m:
            y, mo, d, rest = m.groups()
            rest = _zh_time(rest.strip())
            iso.append(f"{y}-{int(mo):02d}-{int(d):02d}" + (f" {rest}" if rest else ""))
            continue
        m = _YMD.match(t)
        if m:
            y, mo, d, rest = m.groups()
            iso.append(f"{y}-{int(mo):02d}-{int(d):02d}" + (f" {rest}" if rest else ""))
            continue
        m = _XYY.match(t)
        if m:
            a, b, y, rest = m.groups()
            d, mo = (a, b) if first else (b, a)
            year = int(y) + (2000 if int(y) < 70 else 1900) if len(y) == 2 else int(y)
            iso.append(f"{year:04d}-{int(mo):02d}-{int(d):02d}" + (f" {rest}" if rest else ""))
            continue
        iso.append(t)
    s = pd.Series(iso, index=values.index, dtype=object)
    parsed = _to_datetime(s)
    bad = (s.notna() & parsed.isna()).to_numpy()
    return parsed, bad


def _to_datetime(s: pd.Series) -> pd.Series:
    def one(v):
        if v is None:
            return pd.NaT
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            return pd.NaT
        if ts is pd.NaT:
            return pd.NaT
        if ts.tzinfo is not None:
            ts = ts.tz_convert(None)
        return ts

    try:
        parsed = pd.to_datetime(s, errors="coerce", format="mixed", dayfirst=False)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
        return parsed
    except (ValueError, TypeError, OverflowError):
        # mixed time zones, or naive and aware together: one value at a time
        return pd.to_datetime(s.map(one), errors="coerce")
