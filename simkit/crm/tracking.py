"""Detect where an export stops tracking outcomes, from the data alone.

Three artefacts are common in real exports and are reported, never learned
as behaviour:

- **closes recorded only from a date**: deals were created well before the
  first recorded close, and at the later close rate a few weeks without any
  close would be very unlikely (Maven: nothing closes before 2017-03-01).
  Deals created earlier then enter follow-up at that date (delayed entry),
  so their late closes are not read as long cycles;
- **closes not recorded after a date** (wins, losses, or both): the export
  runs on but the last win (or loss) is long before its end. Follow-up of
  every open deal stops at that date (censored there), so the deals whose
  outcomes were never recorded are not counted as lost or stalled;
- **losses never recorded** (a lead list with a file of wins): every deal
  not won stays open, so the stalled share includes the lost ones.

A gap counts when the export's own close rate makes it implausible: the
expected number of closes in the gap is at least ``min_expected`` (10 by
default: a Poisson probability of seeing none below 5e-5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Tracking", "detect_tracking", "follow_up"]

WEEK = pd.Timedelta(days=7)
_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Tracking:
    """What the export records; dates are ``None`` when no artefact was found."""

    closes_from: pd.Timestamp | None
    wins_until: pd.Timestamp | None
    losses_until: pd.Timestamp | None
    losses_recorded: bool
    export_end: pd.Timestamp

    @property
    def outcomes_until(self) -> pd.Timestamp | None:
        """Follow-up of open deals ends here (the earlier of the two stops)."""
        ds = [d for d in (self.wins_until, self.losses_until) if d is not None]
        return min(ds) if ds else None

    def ends(self, cutoff: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp | None]:
        """Until when wins and losses are recorded, seen at ``cutoff`` (losses: None if never)."""
        won_end = cutoff if self.wins_until is None else min(cutoff, self.wins_until + _DAY)
        if not self.losses_recorded:
            return won_end, None
        lost_end = cutoff if self.losses_until is None else min(cutoff, self.losses_until + _DAY)
        return won_end, lost_end

    def notes(self) -> list[tuple[str, str]]:
        """(English, 中文) sentences for the report."""
        out = []
        if self.closes_from is not None:
            d = self.closes_from.date()
            out.append((f"closes are recorded only from {d}: deals created earlier enter "
                        f"follow-up on that date (delayed entry), not as long cycles",
                        f"{d} 之前没有成交或丢单记录：更早创建的商机从该日起计入观察"))
        for what, zh, d in (("wins", "成交", self.wins_until),
                            ("losses", "丢单", self.losses_until)):
            if d is not None:
                out.append((f"no {what} recorded after {d.date()} although the export runs to "
                            f"{self.export_end.date()}: open deals are censored at {d.date()}, "
                            f"not learned as lost",
                            f"{d.date()} 之后没有{zh}记录（数据截至 {self.export_end.date()}）："
                            f"在途商机在该日删失，不算作丢单"))
        if not self.losses_recorded:
            out.append(("losses are not recorded: a deal not won stays open, so the stalled "
                        "share includes lost deals",
                        "数据中没有丢单记录：未成交的商机一直算作在跟进，停滞比例包含丢单"))
        return out


def _rate_per_week(dates: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    span = max((hi - lo) / WEEK, 1.0)
    return float(((dates >= lo) & (dates < hi)).sum()) / span


def detect_tracking(known: pd.DataFrame, export_end, min_expected: float = 10.0) -> Tracking:
    """Tracking artefacts in ``known`` (a deal table as of ``export_end``)."""
    end = pd.Timestamp(export_end)
    closed = known["closed"].dropna()
    won = known.loc[known["status"] == "won", "closed"].dropna()
    lost = known.loc[known["status"] == "lost", "closed"].dropna()
    losses_recorded = len(lost) > 0
    closes_from = None
    if len(closed) >= 20:
        first = closed.min()
        start = known["created"].min()
        # closes a deal makes in its first weeks: from cohorts created after `first`
        later = known[known["created"] >= first]
        if len(later) >= 20 and first - start > 2 * WEEK:
            quick = later[(later["closed"] - later["created"]) < 4 * WEEK]
            # weekly rate of quick closes per deal created, times the deals created before
            early = known[(known["created"] < first - WEEK)]
            rate = len(quick) / len(later)
            weeks_in = ((first - early["created"]) / WEEK).clip(upper=4.0) / 4.0
            expected = rate * float(weeks_in.sum())
            if expected >= min_expected:
                closes_from = first

    def stop(dates: pd.Series) -> pd.Timestamp | None:
        if len(dates) < 20:
            return None
        last = dates.max()
        lo = max(dates.min(), last - 26 * WEEK)
        rate = _rate_per_week(dates, lo, last)
        gap = (end - last) / WEEK
        return last if rate * gap >= min_expected and gap >= 2 else None

    return Tracking(closes_from=closes_from, wins_until=stop(won),
                    losses_until=stop(lost) if losses_recorded else None,
                    losses_recorded=losses_recorded, export_end=end)


def follow_up(known: pd.DataFrame, cutoff: pd.Timestamp, tracking: Tracking):
    """(time, event status, entry) in weeks for each deal in ``known``, tracking-aware."""
    obs_end = cutoff
    if tracking.outcomes_until is not None:
        obs_end = min(cutoff, tracking.outcomes_until + pd.Timedelta(days=1))
    status = known["status"].to_numpy(object).copy()
    closed = known["closed"]
    late = closed.notna() & (closed >= obs_end)
    status[late.to_numpy()] = "open"
    end = closed.where(~late & closed.notna(), obs_end)
    t = ((end - known["created"]) / WEEK).to_numpy(float)
    entry = np.zeros(len(known))
    if tracking.closes_from is not None:
        entry = ((tracking.closes_from - known["created"]) / WEEK).clip(lower=0).to_numpy(float)
    return np.maximum(t, 0.0), status, entry
