"""Team dynamics: the optional scenario sections that turn the funnel into a team.

Each section is off (``None``) unless a scenario sets it, so every existing
scenario file and preset means what it meant before. Units as everywhere in
simkit: weeks, 万 CNY, rates per week.

- :class:`Capacity`: a rep's limited selling time (a cap on open deals, or
  weekly hours split between prospecting and working deals); when a rep is
  full, new work waits or prospecting falls.
- :class:`PreSales`: consultants a deal needs for part of one stage, a shared
  pool or fixed per-team staff; too few and deals queue.
- :class:`Hiring` and :class:`Ramp`: planned hires; new reps' productivity by
  month of tenure, and their ramped quotas.
- :class:`Attrition`: reps leave at a yearly rate, the seat stays vacant for a
  backfill delay, the leaver's open deals are reassigned or partly lost.
- :class:`Commission`: base rate, tiered accelerators, optional cap.

Default figures (5-month 0/25/50/75/100% ramp, 30% yearly attrition) are the
public benchmarks of the domain brief, section 11: starting points for a
planner, not facts about any branch.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DYNAMICS_SECTIONS",
    "Attrition",
    "Capacity",
    "Commission",
    "Hire",
    "Hiring",
    "PreSales",
    "Ramp",
    "Tier",
]

# Sections that change what the engine does (commission only changes the results).
DYNAMICS_SECTIONS = ("capacity", "presales", "hiring", "ramp", "attrition")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              populate_by_name=True)


class Capacity(_Frozen):
    """A rep's limited selling time.

    Give either ``max_open_deals`` (deals a rep works at once) or
    ``hours_per_week`` (selling hours, spent on open deals at
    ``hours_per_deal`` a week each and on prospecting at
    ``hours_per_new_project``). ``when_full``: ``"queue"`` keeps prospecting
    at full rate and makes new deals wait for a free slot (cycle times grow);
    ``"prospect_less"`` works every deal at once and lets prospecting fall
    instead (a full rep opens no new projects; with hours, prospecting gets
    the hours the open deals leave).
    """

    max_open_deals: int | None = Field(None, ge=1, le=100_000,
                                       description="deals a rep works at once")
    hours_per_week: float | None = Field(None, gt=0, le=168, description="selling hours a week")
    hours_per_deal: float = Field(2.0, gt=0, le=168,
                                  description="hours a week one open deal takes")
    hours_per_new_project: float = Field(1.0, ge=0, le=168,
                                         description="prospecting hours per new project")
    when_full: Literal["queue", "prospect_less"] = Field(
        "queue", description="queue: new deals wait for a slot; prospect_less: prospecting falls")

    @model_validator(mode="after")
    def _one_form(self):
        if (self.max_open_deals is None) == (self.hours_per_week is None):
            raise ValueError("give exactly one of max_open_deals or hours_per_week")
        return self

    def deal_slots(self, lead_rate: float) -> int:
        """Deals a rep of this ``lead_rate`` (projects a week) works at once in queue mode."""
        if self.max_open_deals is not None:
            return self.max_open_deals
        free = self.hours_per_week - (lead_rate * self.hours_per_new_project
                                      if self.when_full == "queue" else 0.0)
        return max(1, math.floor(free / self.hours_per_deal + 1e-9))

    def prospecting_share(self, lead_rate: float, open_deals: int) -> float:
        """Share of the full prospecting rate a rep with ``open_deals`` keeps (prospect_less)."""
        if self.max_open_deals is not None:
            return 1.0 if open_deals < self.max_open_deals else 0.0
        need = lead_rate * self.hours_per_new_project
        if need <= 0:
            return 1.0
        left = self.hours_per_week - open_deals * self.hours_per_deal
        return min(1.0, max(0.0, left / need))


class PreSales(_Frozen):
    """Pre-sales consultants a deal needs during one stage (the elastic resource pool).

    A deal reaching ``stage`` waits for a free consultant, keeps them for
    ``share`` of that stage's duration, then spends the rest of the stage
    alone. ``pool = "shared"``: one pool for every rep; ``"per_team"``: the
    consultants are split as evenly as possible over ``teams`` teams (rep i is
    in team i mod teams) and each team's deals use only their own.
    """

    consultants: int = Field(ge=1, le=10_000, description="pre-sales consultants")
    stage: str = Field("solution", description="stage whose deals need a consultant")
    share: float = Field(1.0, gt=0, le=1,
                         description="share of the stage's duration a consultant is needed")
    pool: Literal["shared", "per_team"] = Field("shared", description="shared pool or fixed staff")
    teams: int = Field(1, ge=1, le=1000, description="number of teams (per_team pools)")

    @model_validator(mode="after")
    def _staff(self):
        if self.pool == "per_team" and self.consultants < self.teams:
            raise ValueError(f"per_team pools need at least one consultant per team: "
                             f"{self.consultants} consultants for {self.teams} teams")
        return self

    def staff(self) -> list[int]:
        """Consultants per pool (one pool when shared)."""
        if self.pool == "shared":
            return [self.consultants]
        base, extra = divmod(self.consultants, self.teams)
        return [base + (1 if t < extra else 0) for t in range(self.teams)]


class Hire(_Frozen):
    """One line of the hiring plan."""

    week: float = Field(ge=0, le=520, description="week the new reps start")
    count: int = Field(ge=0, le=10_000, description="reps starting that week")
    archetype: str | None = Field(None, description="archetype name (default: the average rep)")


class Hiring(_Frozen):
    """Planned hires; they ramp per the scenario's ``ramp``."""

    plan: tuple[Hire, ...] = Field((), description="hires by week")

    @property
    def total(self) -> int:
        return sum(h.count for h in self.plan)


class Ramp(_Frozen):
    """Productivity of a new rep by month of tenure (reps present at the start are ramped).

    ``curve[m]`` is the share of the full prospecting rate in tenure month m
    (0-based); after the curve ends its last value holds. Default: the
    5-month 0/25/50/75/100% ramp (domain brief section 11, a default not a
    fact). With ``ramp_quota`` a new rep's quota ramps the same way.
    """

    curve: tuple[float, ...] = Field((0.0, 0.25, 0.5, 0.75, 1.0), min_length=1,
                                     description="productivity share by month of tenure")
    weeks_per_month: float = Field(4.0, gt=0, le=10, description="selling weeks in a month")
    ramp_quota: bool = Field(True, description="new reps' quotas ramp with their productivity")

    @model_validator(mode="after")
    def _curve(self):
        for i, x in enumerate(self.curve):
            if not 0 <= x <= 1:
                raise ValueError(f"curve[{i}] = {x!r}: each value must be in [0, 1]")
        return self

    def factor(self, tenure_weeks: float) -> float:
        """Productivity share at ``tenure_weeks`` after starting."""
        if tenure_weeks < 0:
            return 0.0
        m = int(tenure_weeks // self.weeks_per_month)
        return self.curve[min(m, len(self.curve) - 1)]

    def integral(self, a: float, b: float) -> float:
        """Integral of the factor over tenure weeks [a, b] (0 before the start)."""
        a, b = max(a, 0.0), max(b, 0.0)
        if b <= a:
            return 0.0
        w, n = self.weeks_per_month, len(self.curve)

        def cum(t: float) -> float:
            m = min(int(t // w), n - 1)
            full = sum(self.curve[:m]) * w
            return full + self.curve[m] * (t - m * w)

        return cum(b) - cum(a)


class Attrition(_Frozen):
    """Reps leave at a constant hazard; seats are backfilled after a delay.

    ``yearly_rate`` is the share of reps who leave within a year
    (4 quarters): the weekly hazard is -ln(1 - rate) / weeks per year.
    Default 30% (domain brief section 11: 25-35%, a default not a fact).
    The leaver's open deals: a share ``open_deals_lost`` is lost, the rest go
    to the active rep with the fewest open deals. With ``backfill`` a new rep
    (who ramps) takes the seat after ``backfill_weeks`` (8 by default: an
    assumption, not from the brief).
    """

    yearly_rate: float = Field(0.30, ge=0, lt=1, description="share of reps leaving within a year")
    backfill: bool = Field(True, description="leavers' seats are filled again")
    backfill_weeks: float = Field(8.0, ge=0, le=520, description="weeks a seat stays vacant")
    open_deals_lost: float = Field(0.0, ge=0, le=1,
                                   description="share of a leaver's open deals that are lost")

    def hazard_per_week(self, weeks_per_quarter: int) -> float:
        return -math.log1p(-self.yearly_rate) / (4 * weeks_per_quarter)


class Tier(_Frozen):
    """An accelerator: ``rate`` applies to won amount above ``attainment`` x quota."""

    name: str = Field("tier", min_length=1)
    attainment: float = Field(gt=0, le=100, description="attainment where the tier starts")
    rate: float = Field(ge=0, le=1, description="commission rate above that attainment")


class Commission(_Frozen):
    """Commission plan, per rep per quarter on won amount.

    ``rate`` is paid on won amount up to the first tier; each tier's rate on
    the amount between its attainment level and the next tier's (base /
    challenge / excellence accelerators, so payout grows faster than linearly
    above quota). ``cap_attainment``: won amount above this attainment earns
    nothing. A rep with no quota that quarter is paid the base rate.
    """

    rate: float = Field(0.05, ge=0, le=1, description="base commission rate on won amount")
    tiers: tuple[Tier, ...] = Field((), description="accelerators by attainment level")
    cap_attainment: float | None = Field(None, gt=0, le=100,
                                         description="no commission above this attainment")

    @model_validator(mode="after")
    def _order(self):
        levels = [t.attainment for t in self.tiers]
        if levels != sorted(levels) or len(set(levels)) != len(levels):
            raise ValueError(f"tiers must have increasing attainment levels, got {levels}")
        return self

    def payout(self, won, quota):
        """Payout for won amounts and quotas (numbers or numpy arrays), 万 CNY."""
        import numpy as np

        won = np.asarray(won, dtype=float)
        quota = np.asarray(quota, dtype=float)
        has_q = quota > 0
        q = np.where(has_q, quota, 1.0)
        amount = won if self.cap_attainment is None else np.minimum(won, self.cap_attainment * q)
        amount = np.where(has_q, amount, won)
        bounds = [0.0] + [t.attainment for t in self.tiers]
        rates = [self.rate] + [t.rate for t in self.tiers]
        out = np.zeros(np.broadcast(won, quota).shape)
        for k, r in enumerate(rates):
            lo = bounds[k] * q
            hi = bounds[k + 1] * q if k + 1 < len(bounds) else np.inf
            out = out + r * np.clip(np.minimum(amount, hi) - lo, 0.0, None)
        return np.where(has_q, out, self.rate * won)


def check_team_sections(sc) -> None:
    """Cross-checks between the team sections and the rest of a scenario (raises ValueError)."""
    if sc.presales is not None and sc.presales.stage not in sc.funnel.names:
        from simkit.model.labels import canonical

        if canonical(sc.presales.stage) not in sc.funnel.names:
            raise ValueError(f"presales.stage = {sc.presales.stage!r} is not a stage of the "
                             f"funnel; stages are {', '.join(sc.funnel.names)}")
    if sc.hiring is not None:
        names = [a.name for a in sc.team.archetypes]
        for i, h in enumerate(sc.hiring.plan):
            if h.archetype is not None and h.archetype not in names:
                raise ValueError(f"hiring.plan[{i}].archetype = {h.archetype!r} is not an "
                                 f"archetype of the team; archetypes are {', '.join(names)}")
