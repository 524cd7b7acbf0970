"""Data-quality rules for an imported export.

Each rule flags rows; a flagged row is excluded from calibration and counted
in the report with a few examples, never dropped silently. In strict mode any
flagged row makes the import fail instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError

__all__ = ["RULES", "CRMDataError", "QualityReport", "check_quality", "example_text"]

RULES: dict[str, str] = {
    "missing_id": "no opportunity id",
    "duplicate_id": "id already seen on an earlier row (the first row is kept)",
    "missing_owner": "no owner / rep",
    "unknown_stage": "stage or status label not in the mapping",
    "bad_date": "a date that cannot be read",
    "bad_amount": "an amount that cannot be read (never counted as 0)",
    "missing_date": ("no created date, or a won / lost deal without a close date"),
    "close_before_create": "close date before the created date",
    "negative_amount": "amount below zero",
}


class CRMDataError(SimkitInputError):
    """The export has data-quality problems and strict mode was asked for."""


@dataclass(frozen=True)
class QualityReport:
    """Per-rule counts and examples; ``rows_in`` read, ``rows_kept`` used."""

    table: pd.DataFrame  # rule, description, rows, examples
    rows_in: int
    rows_kept: int
    # rule -> its examples as (line in the file, deal id or None), for other languages
    example_lines: dict = field(default_factory=dict)

    @property
    def rows_excluded(self) -> int:
        return self.rows_in - self.rows_kept

    @property
    def ok(self) -> bool:
        return self.rows_excluded == 0

    def text(self) -> str:
        lines = [(f"{self.rows_in} rows read, {self.rows_kept} kept, "
                  f"{self.rows_excluded} excluded")]
        for r in self.table.itertuples():
            if r.rows:
                lines.append(f"  {r.rule:20s} {r.rows:6d}  {r.description}; e.g. {r.examples}")
        return "\n".join(lines)


def check_quality(raw: pd.DataFrame, parsed: pd.DataFrame, flags: dict[str, np.ndarray],
                  strict: bool, source: str) -> tuple[pd.DataFrame, QualityReport]:
    """Apply the rules; return the kept rows and the report (or raise in strict mode).

    ``raw`` holds the export's text values (for examples), ``parsed`` the
    canonical columns; ``flags`` rules the importer already evaluated (unknown
    labels, unreadable dates), merged with the rules checked here.
    """
    n = len(parsed)
    ids = parsed["deal_id"]
    f = {k: np.zeros(n, bool) for k in RULES}
    for k, v in flags.items():
        f[k] |= v
    f["missing_id"] |= ids.isna().to_numpy()
    f["duplicate_id"] |= (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    f["missing_owner"] |= parsed["rep"].isna().to_numpy()
    closed_status = parsed["status"].isin(["won", "lost"]).to_numpy()
    f["missing_date"] |= (parsed["created"].isna().to_numpy() & ~f["bad_date"])
    f["missing_date"] |= closed_status & parsed["closed"].isna().to_numpy() & ~f["bad_date"]
    f["close_before_create"] |= (parsed["closed"] < parsed["created"]).fillna(False).to_numpy()
    f["negative_amount"] |= (parsed["amount"] < 0).fillna(False).to_numpy()
    bad = np.zeros(n, bool)
    rows, lines = [], {}
    for rule, desc in RULES.items():
        m = f[rule]
        bad |= m
        refs = [_example(parsed, i) for i in np.flatnonzero(m)[:3]]
        lines[rule] = refs
        ex = ", ".join(example_text(r) for r in refs)
        rows.append({"rule": rule, "description": desc, "rows": int(m.sum()), "examples": ex})
    table = pd.DataFrame(rows)
    report = QualityReport(table=table, rows_in=n, rows_kept=int(n - bad.sum()),
                           example_lines=lines)
    if strict and not report.ok:
        found = "; ".join(f"{r.rule} {r.rows} (e.g. {r.examples})"
                          for r in table.itertuples() if r.rows)
        raise CRMDataError("export", source, "no data-quality problems in strict mode",
                           hint=f"Found: {found}. Fix the file, or drop --strict to exclude "
                                "these rows and see them in the report.")
    kept = parsed.loc[~bad].reset_index(drop=True)
    return kept, report


def _example(parsed: pd.DataFrame, i: int) -> tuple[int, str | None]:
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    did = parsed["deal_id"].iloc[i]
    return i + 2, did if isinstance(did, str) else None


def example_text(ref: tuple[int, str | None], lang: str = "en") -> str:
    """One example row as a person reads it: ``line 12 (D-7)`` / ``第 12 行（D-7）``."""
    line, did = ref
    if lang == "zh":
        return f"第 {line} 行" + (f"（{did}）" if did else "")
    return f"line {line}" + (f" ({did})" if did else "")
