"""Tidy tables from the engine's flat records, and the run summary.

Tables (pandas DataFrames, one row per ...):

- ``deals``: deal: replication, deal_id, rep, source, initial, entered, entry_stage,
  stage_reached, outcome (won / lost / open), closed_at, amount.
- ``stage_times``: stage a deal visited: replication, deal_id, stage, entered, left
  (NaN while still in it at the horizon).
- ``snapshots``: week x stage x replication: open deals in the stage at that
  week (after everything that happened at that instant), a point-in-time level.
- ``rep_quarters``: rep x quarter x replication: quota, wins, won_amount, attainment.
- ``team_quarters``: quarter x replication: the team's quota, wins, won_amount,
  attainment and share of reps at or above quota.

Times are weeks from the start of the first quarter; money is 万 CNY.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from simkit.model.params import Scenario
from simkit.sim.engine import OUTCOMES, Recorder

__all__ = ["SUMMARY_KEYS", "Results"]

SUMMARY_KEYS = (
    "scenario", "engine", "replications", "seed", "quarters",
    "team_attainment_mean", "team_attainment_se", "team_attainment_p10",
    "team_attainment_p50", "team_attainment_p90", "p_team_hits_quota",
    "share_of_reps_at_quota_mean", "wins_mean", "won_amount_mean",
    "expected_attainment_steady_state",
)


class Results:
    """The outcome of :func:`simkit.simulate`: tables, a summary, and the inputs that made them."""

    def __init__(self, scenario: Scenario, seed: int, recorders: Sequence[Recorder],
                 engine: str = "simpy"):
        self.scenario = scenario
        self.seed = seed
        self.replications = len(recorders)
        self.engine = engine
        self._recorders = recorders

    # ------------------------------------------------------------ tables

    @cached_property
    def deals(self) -> pd.DataFrame:
        cols = ["deal_id", "rep", "source", "initial", "entered", "entry_stage",
                "stage_reached", "outcome", "closed_at", "amount"]
        frames, reps = [], []
        for rec in self._recorders:
            frames.append(rec.deals)
            reps.append(np.full(len(rec.deals), rec.replication, dtype=np.int64))
        rows = [r for f in frames for r in f]
        df = pd.DataFrame.from_records(rows, columns=cols)
        df.insert(0, "replication", np.concatenate(reps) if reps else np.empty(0, np.int64))
        stages = self.scenario.funnel.names
        sources = [s.name for s in self.scenario.leads.sources] + ["snapshot"]
        df["source"] = pd.Categorical.from_codes(df["source"].to_numpy(np.int64) % len(sources),
                                                 categories=sources)
        for c in ("entry_stage", "stage_reached"):
            df[c] = pd.Categorical.from_codes(df[c].to_numpy(np.int64), categories=stages,
                                              ordered=True)
        df["outcome"] = pd.Categorical(df["outcome"], categories=list(OUTCOMES))
        df["initial"] = df["initial"].astype(bool)
        for c in ("deal_id", "rep"):
            df[c] = df[c].astype(np.int64)
        for c in ("entered", "closed_at", "amount"):
            df[c] = df[c].astype(float)
        return df.sort_values(["replication", "deal_id"], ignore_index=True)

    @cached_property
    def stage_times(self) -> pd.DataFrame:
        rows = [(rec.replication, *r) for rec in self._recorders for r in rec.stage_times]
        df = pd.DataFrame.from_records(
            rows, columns=["replication", "deal_id", "stage", "entered", "left"])
        df["stage"] = pd.Categorical.from_codes(df["stage"].to_numpy(np.int64),
                                                categories=self.scenario.funnel.names,
                                                ordered=True)
        for c in ("entered", "left"):
            df[c] = df[c].astype(float)
        return df.sort_values(["replication", "deal_id", "stage"], ignore_index=True)

    def snapshot_weeks(self) -> np.ndarray:
        start = self.scenario.horizon.start.week
        end = self.scenario.horizon.quarters * self.scenario.quota.weeks_per_quarter
        return np.arange(math.ceil(start), math.floor(end) + 1, dtype=float)

    @cached_property
    def snapshots(self) -> pd.DataFrame:
        st = self.stage_times
        weeks = self.snapshot_weeks()
        n_st = len(self.scenario.funnel.names)
        key = st["replication"].to_numpy(np.int64) * n_st + st["stage"].cat.codes.to_numpy(np.int64)
        lo = min(float(st["entered"].min()) if len(st) else 0.0, weeks[0]) - 1.0
        span = float(weeks[-1]) - lo + 2.0
        # Composite sort keys turn "count intervals covering t" for every
        # (replication, stage, week) into two vectorised searchsorted calls.
        ent = np.sort(key * span + (st["entered"].to_numpy() - lo))
        left = st["left"].to_numpy()
        left = np.where(np.isnan(left), span - 1.0, left - lo)
        lef = np.sort(key * span + left)
        keys = np.arange(self.replications * n_st)
        q = (keys[:, None] * span + (weeks[None, :] - lo)).ravel()
        counts = np.searchsorted(ent, q, side="right") - np.searchsorted(lef, q, side="right")
        rep_idx, stage_idx = np.divmod(np.repeat(keys, len(weeks)), n_st)
        return pd.DataFrame({
            "replication": rep_idx,
            "week": np.tile(weeks, len(keys)),
            "stage": pd.Categorical.from_codes(stage_idx, categories=self.scenario.funnel.names,
                                               ordered=True),
            "count": counts.astype(np.int64),
        })

    @property
    def _team(self) -> bool:
        return self.scenario.uses_dynamics or self.scenario.commission is not None

    @cached_property
    def reps(self) -> pd.DataFrame:
        """Rep x replication: archetype, new_hire, hired_at, left_at, seat_quota."""
        from simkit.sim.results_team import reps_table

        return reps_table(self)

    @cached_property
    def waits(self) -> pd.DataFrame:
        """Pre-sales requests: replication, deal_id, rep, requested, started, released, wait."""
        from simkit.sim.results_team import waits_table

        return waits_table(self)

    def _won_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Wins and won amount per (replication, rep, quarter), flattened in that order
        (the fast path's results override this and skip the deal table)."""
        sc = self.scenario
        wpq = sc.quota.weeks_per_quarter
        n_reps, quarters = sc.team.reps, sc.horizon.quarters
        # Straight from the records (the summary needs no deals table): the won deals in
        # the deals table's order, (replication, deal_id), so the sums are the same bits.
        won = [(rec.replication, d[0], d[1], d[8], d[9]) for rec in self._recorders
               for d in rec.deals if d[7] == "won"]
        arr = np.array(won, dtype=float).reshape(-1, 5)
        arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
        q_idx = np.floor(arr[:, 3] / wpq).astype(np.int64)
        flat = (arr[:, 0].astype(np.int64) * n_reps + arr[:, 2].astype(np.int64)) * quarters + q_idx
        size = self.replications * n_reps * quarters
        wins = np.bincount(flat, minlength=size)[:size]
        amount = np.bincount(flat, weights=arr[:, 4], minlength=size)[:size]
        return wins, amount

    @cached_property
    def rep_quarters(self) -> pd.DataFrame:
        sc = self.scenario
        if self._team:
            from simkit.sim.results_team import team_rep_quarters

            return team_rep_quarters(self)
        n_reps, quarters = sc.team.reps, sc.horizon.quarters
        size = self.replications * n_reps * quarters
        wins, amount = self._won_sums()
        replication, rest = np.divmod(np.arange(size), n_reps * quarters)
        rep, quarter = np.divmod(rest, quarters)
        # Amount already won before the run began counts in the first quarter, split evenly.
        realised = np.where(quarter == 0, sc.horizon.start.realised / n_reps, 0.0)
        quota = np.asarray(sc.rep_quotas())[rep]
        won_amount = amount + realised
        return pd.DataFrame({
            "replication": replication, "rep": rep, "quarter": quarter + 1,
            "archetype": np.asarray([a.name for a in sc.team.rep_archetypes()])[rep],
            "quota": quota, "wins": wins.astype(np.int64), "won_amount": won_amount,
            "attainment": won_amount / quota,
        })

    @cached_property
    def team_quarters(self) -> pd.DataFrame:
        if self._team:
            from simkit.sim.results_team import team_team_quarters

            return team_team_quarters(self)
        rq = self.rep_quarters
        g = rq.groupby(["replication", "quarter"], sort=True)
        out = g.agg(quota=("quota", "sum"), wins=("wins", "sum"), won_amount=("won_amount", "sum"))
        out["attainment"] = out["won_amount"] / out["quota"]
        # A grouped mean of a 0/1 column: the same number as np.mean per group, and
        # far cheaper than a Python lambda per replication.
        at_quota = (rq["attainment"] >= 1.0).astype(float)
        out["share_of_reps_at_quota"] = at_quota.groupby(
            [rq["replication"], rq["quarter"]], sort=True).mean()
        return out.reset_index()

    # ------------------------------------------------------------ summary

    def summary(self) -> dict:
        """Headline numbers, averaged over replications and quarters."""
        tq = self.team_quarters
        att = tq["attainment"].to_numpy()
        n = len(att)
        out = {
            "scenario": self.scenario.name,
            "engine": self.engine,
            "replications": self.replications,
            "seed": self.seed,
            "quarters": self.scenario.horizon.quarters,
            "team_attainment_mean": float(att.mean()),
            "team_attainment_se": float(att.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
            "team_attainment_p10": float(np.quantile(att, 0.10)),
            "team_attainment_p50": float(np.quantile(att, 0.50)),
            "team_attainment_p90": float(np.quantile(att, 0.90)),
            "p_team_hits_quota": float(np.mean(att >= 1.0)),
            "share_of_reps_at_quota_mean": float(tq["share_of_reps_at_quota"].mean()),
            "wins_mean": float(tq["wins"].mean()),
            "won_amount_mean": float(tq["won_amount"].mean()),
            "expected_attainment_steady_state": float(self.scenario.expected_attainment()),
        }
        if self._team:  # keys of simkit.sim.results_team.TEAM_/COMMISSION_SUMMARY_KEYS
            from simkit.sim.results_team import team_summary

            out.update(team_summary(self))
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "deals": self.deals, "stage_times": self.stage_times, "snapshots": self.snapshots,
            "rep_quarters": self.rep_quarters, "team_quarters": self.team_quarters,
        }
        if self.scenario.uses_dynamics:
            out["reps"] = self.reps
            if self.scenario.presales is not None:
                out["waits"] = self.waits
        return out

    def write(self, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
        """Write every table to ``out_dir`` as CSV or Parquet; each file appears whole or not at all."""
        from simkit.sim.io import atomic_write_table

        out = Path(out_dir)
        return [atomic_write_table(df, out / f"{name}.{fmt}") for name, df in self.tables().items()]

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<Results {s['scenario']!r}: {s['replications']} replications, seed {s['seed']}, "
                f"team attainment {s['team_attainment_mean']:.1%}>")
