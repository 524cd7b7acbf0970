"""The scenario model: immutable, validated parameters.

Units, everywhere in simkit: time in **weeks** (selling weeks), money in
**万 CNY** (wan, 10,000 CNY), rates **per week**. A stage's ``win_prob`` is the
course's cumulative meaning: the probability that a deal now in this stage is
eventually won (该阶段成功率), not the stage-to-stage conversion. The
conversion from stage i to i+1 is ``win_prob[i] / win_prob[i+1]`` and the last
stage converts to a win with its own ``win_prob``;
:func:`conversions_from_win_probs` and :func:`win_probs_from_conversions` turn
one form into the other.

Scenarios derive from each other with :meth:`Scenario.override` (dotted paths,
the same the CLI's ``--set`` takes), never by mutation.
"""

from __future__ import annotations

import math
from typing import Literal

import tomli_w
from pydantic import Field, field_validator, model_validator

from simkit.model.distributions import GAMMA_CV, Deterministic, Exponential, Gamma, LogNormal
from simkit.model.funnel import (
    Funnel,
    Stage,
    _Frozen,
    conversions_from_win_probs,
    rescale_conversions,
    win_probs_from_conversions,
)
from simkit.model.labels import canonical
from simkit.model.overrides import override_data
from simkit.model.team import (
    DYNAMICS_SECTIONS,
    Attrition,
    Capacity,
    Commission,
    Hiring,
    PreSales,
    Ramp,
    check_team_sections,
)
from simkit.model.validation import validate

__all__ = [
    "Archetype",
    "DealSize",
    "Funnel",
    "Horizon",
    "Leads",
    "Quota",
    "Scenario",
    "Source",
    "Stage",
    "Start",
    "Team",
    "conversions_from_win_probs",
    "win_probs_from_conversions",
]


class Source(_Frozen):
    """Where leads come from (e.g. new vs existing customers)."""

    name: str = Field(min_length=1)
    share: float = Field(ge=0, le=1, description="share of a rep's new projects from this source")
    entry_stage: str | None = Field(
        None, description="stage the deal enters at (default: the first stage)"
    )
    deal_size_multiplier: float = Field(1.0, gt=0, description="multiplies the deal-size draw")


class Leads(_Frozen):
    """Lead generation: Poisson arrivals of new projects per rep, plus an optional
    team-level weekly injection plan (the course's "new projects in week i" table)."""

    per_rep_per_week: float = Field(ge=0, le=1000, description="new projects per rep per week")
    sources: tuple[Source, ...] = Field(
        default_factory=lambda: (Source(name="new", share=1.0),), min_length=1
    )
    weekly_plan: tuple[float, ...] = Field(
        (),
        description=(
            "optional injection plan: team-level new projects entering the first stage in "
            "each coming week (week i+1 of the run gets weekly_plan[i]), on top of the "
            "Poisson leads; exact whole counts, spread evenly over the week and dealt to "
            "reps in turn"
        ),
    )

    @field_validator("weekly_plan")
    @classmethod
    def _plan(cls, v):
        for i, c in enumerate(v):
            if not (c >= 0 and c == int(c)):
                raise ValueError(
                    f"weekly_plan[{i}] = {c!r}: new projects per week must be whole numbers >= 0")
        return v

    @model_validator(mode="after")
    def _shares(self):
        total = sum(s.share for s in self.sources)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                "source shares must add up to 1, got "
                + " + ".join(f"{s.name} {s.share:g}" for s in self.sources)
                + f" = {total:g}"
            )
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"source names must be unique, got {names}")
        return self


class DealSize(_Frozen):
    """Deal size distribution, 万 CNY, by its family, mean and coefficient of variation."""

    kind: Literal["lognormal", "gamma", "exponential", "deterministic"] = "lognormal"
    mean: float = Field(gt=0, le=1e6, description="mean deal size, 万 CNY")
    cv: float = Field(1.0, ge=0, le=50, description="coefficient of variation (sd / mean)")

    @model_validator(mode="after")
    def _cv(self):
        if self.kind in ("lognormal", "gamma") and self.cv <= 0:
            raise ValueError(f"cv must be above 0 for a {self.kind} deal size")
        low, high = GAMMA_CV
        if self.kind == "gamma" and not low <= self.cv <= high:
            raise ValueError(f"cv = {self.cv:g} is outside {low:g} to {high:g}, the range "
                             "of a gamma deal size (use lognormal for a wider spread, "
                             "deterministic for none)")
        return self

    @property
    def distribution(self):
        if self.kind == "lognormal":
            return LogNormal(mean=self.mean, cv=self.cv)
        if self.kind == "gamma":
            return Gamma(mean=self.mean, cv=self.cv)
        if self.kind == "exponential":
            return Exponential(mean=self.mean)
        return Deterministic(value=self.mean)


class Archetype(_Frozen):
    """A kind of rep and its multipliers against the scenario's average rep."""

    name: str = Field(min_length=1)
    share: float = Field(gt=0, le=1, description="share of the team")
    prospecting: float = Field(1.0, ge=0, le=100, description="multiplies new projects per week")
    conversion: float = Field(1.0, gt=0, le=100, description="multiplies the overall win rate")
    deal_size: float = Field(1.0, gt=0, le=100, description="multiplies deal size")


class Team(_Frozen):
    """The sales team: number of reps and their archetypes."""

    reps: int = Field(ge=1, le=100_000, description="number of reps")
    archetypes: tuple[Archetype, ...] = Field(
        default_factory=lambda: (Archetype(name="average", share=1.0),), min_length=1
    )

    @model_validator(mode="after")
    def _shares(self):
        total = sum(a.share for a in self.archetypes)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"archetype shares must add up to 1, got {total:g}")
        return self

    def rep_archetypes(self) -> list[Archetype]:
        """Archetype of each rep, by largest remainder (deterministic, in listed order)."""
        raw = [a.share * self.reps for a in self.archetypes]
        counts = [math.floor(x) for x in raw]
        order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
        for i in order[: self.reps - sum(counts)]:
            counts[i] += 1
        return [a for a, n in zip(self.archetypes, counts) for _ in range(n)]


class Quota(_Frozen):
    """Quota: the team's per quarter and how it splits between reps."""

    team_per_quarter: float = Field(gt=0, le=1e9, description="team quota per quarter, 万 CNY")
    split: Literal["equal", "by_archetype"] = Field(
        "equal",
        description="equal shares, or in proportion to each archetype's expected sales",
    )
    weeks_per_quarter: int = Field(12, ge=1, le=26, description="selling weeks in a quarter")


class Start(_Frozen):
    """How the run starts."""

    mode: Literal["standard", "empty", "snapshot"] = Field(
        "standard",
        description=(
            "standard: the steady-state funnel; empty: no open deals, after warmup_weeks; "
            "snapshot: the given counts per stage"
        ),
    )
    warmup_weeks: float = Field(0.0, ge=0, le=520, description="empty mode: weeks run before week 0")
    counts: tuple[float, ...] | None = Field(
        None, description="snapshot mode: open deals per stage, team total"
    )
    rep_counts: tuple[tuple[float, ...], ...] | None = Field(
        None,
        description=(
            "snapshot mode, optional: open deals per rep (one row per rep, in rep order) and "
            "stage; counts must then be the column totals. Without it the team counts are "
            "dealt to reps in turn"
        ),
    )
    queue_warmup_weeks: float | None = Field(
        None, ge=0, le=520,
        description=(
            "standard mode with a capacity queue or a pre-sales pool: weeks run from the "
            "standard funnel before week 0 so the queues start as they would be (None: chosen "
            "from the queues' loads, see simkit.sim.dynamics.queue_warmup_weeks; 0: none)"
        ),
    )
    week: float = Field(0.0, ge=0, description="weeks of the first quarter already past")
    realised: float = Field(0.0, ge=0, description="amount already won this quarter, 万 CNY")

    @field_validator("counts")
    @classmethod
    def _counts(cls, v):
        if v is not None:
            for i, c in enumerate(v):
                if c < 0 or c != int(c):
                    raise ValueError(f"counts[{i}] = {c!r}: counts must be whole numbers >= 0")
        return v

    @field_validator("rep_counts")
    @classmethod
    def _rep_counts(cls, v):
        if v is not None:
            for r, row in enumerate(v):
                for i, c in enumerate(row):
                    if c < 0 or c != int(c):
                        raise ValueError(
                            f"rep_counts[{r}][{i}] = {c!r}: counts must be whole numbers >= 0")
        return v

    @model_validator(mode="after")
    def _mode(self):
        if self.mode == "snapshot" and self.counts is None:
            raise ValueError("mode 'snapshot' needs counts (open deals per stage)")
        if self.mode != "standard" and self.queue_warmup_weeks is not None:
            raise ValueError(f"queue_warmup_weeks is only used with mode 'standard', "
                             f"not {self.mode!r}")
        if self.mode != "snapshot" and self.counts is not None:
            raise ValueError(f"counts are only used with mode 'snapshot', not {self.mode!r}")
        if self.rep_counts is not None:
            if self.mode != "snapshot":
                raise ValueError(
                    f"rep_counts are only used with mode 'snapshot', not {self.mode!r}")
            widths = {len(row) for row in self.rep_counts}
            if widths != {len(self.counts)}:
                raise ValueError(
                    f"every rep_counts row must have {len(self.counts)} values (one per stage), "
                    f"got row lengths {sorted(widths)}")
            totals = tuple(float(sum(col)) for col in zip(*self.rep_counts))
            if totals != tuple(float(c) for c in self.counts):
                raise ValueError(
                    f"counts {list(self.counts)} must equal the column totals of rep_counts "
                    f"{list(totals)}")
        return self


class Horizon(_Frozen):
    """How long to simulate and from what state."""

    quarters: int = Field(1, ge=1, le=40, description="number of quarters simulated")
    start: Start = Field(default_factory=Start)


class Scenario(_Frozen):
    """A complete, validated simkit scenario. Build it from a preset, a TOML
    file (:func:`simkit.load_scenario`) or a dict; derive variants with
    :meth:`override`."""

    name: str = "custom"
    description: str = ""
    funnel: Funnel
    leads: Leads
    deal_size: DealSize
    team: Team
    quota: Quota
    horizon: Horizon = Field(default_factory=Horizon)
    # Team dynamics (simkit.model.team): each off unless set.
    capacity: Capacity | None = None
    presales: PreSales | None = None
    hiring: Hiring | None = None
    ramp: Ramp | None = None
    attrition: Attrition | None = None
    commission: Commission | None = None

    @property
    def uses_dynamics(self) -> bool:
        """True when a team section changes what the engine does (capacity, pre-sales,
        hiring, ramp, attrition); such scenarios run on :class:`simkit.sim.dynamics.TeamModel`.
        A commission plan alone only changes the results."""
        return any(getattr(self, name) is not None for name in DYNAMICS_SECTIONS)

    @model_validator(mode="after")
    def _cross(self):
        check_team_sections(self)
        names = self.funnel.names
        for i, src in enumerate(self.leads.sources):
            if src.entry_stage is not None and canonical(src.entry_stage) not in names:
                raise ValueError(
                    f"leads.sources[{i}].entry_stage = {src.entry_stage!r} is not a stage "
                    f"of the funnel; stages are {', '.join(names)}"
                )
        for i, a in enumerate(self.team.archetypes):
            if a.conversion * self.funnel.win_rate > 1 + 1e-12:
                raise ValueError(
                    f"team.archetypes[{i}].conversion = {a.conversion:g} makes that rep's win rate "
                    f"{a.conversion * self.funnel.win_rate:g}, above 1 (funnel win rate "
                    f"{self.funnel.win_rate:g}); at most {1 / self.funnel.win_rate:g} is allowed"
                )
        start = self.horizon.start
        if start.counts is not None and len(start.counts) != len(names):
            raise ValueError(
                f"horizon.start.counts has {len(start.counts)} values but the funnel has "
                f"{len(names)} stages ({', '.join(names)})"
            )
        if start.rep_counts is not None and len(start.rep_counts) != self.team.reps:
            raise ValueError(
                f"horizon.start.rep_counts has {len(start.rep_counts)} rows but team.reps is "
                f"{self.team.reps} (one row per rep)"
            )
        if start.week >= self.quota.weeks_per_quarter:
            raise ValueError(
                f"horizon.start.week = {start.week:g} must be below quota.weeks_per_quarter "
                f"= {self.quota.weeks_per_quarter}"
            )
        return self

    # -- derived numbers (closed forms the tests and views compare against) --

    @property
    def weeks(self) -> float:
        """Simulated weeks, from the start week to the end of the last quarter."""
        return self.horizon.quarters * self.quota.weeks_per_quarter - self.horizon.start.week

    def entry_index(self, source: Source) -> int:
        return 0 if source.entry_stage is None else self.funnel.index(source.entry_stage)

    def rep_conversions(self, archetype: Archetype) -> list[float]:
        """Stage-to-stage conversions for a rep of this archetype."""
        conv = self.funnel.conversions
        if archetype.conversion == 1.0:
            return conv
        wr = self.funnel.win_rate
        return rescale_conversions(conv, wr, min(1.0, wr * archetype.conversion))

    def _win_flows(self):
        """(wins per week, mean amount of a win) for every rep and lead source, steady state."""
        for a in self.team.rep_archetypes():
            conv = self.rep_conversions(a)
            rate = self.leads.per_rep_per_week * a.prospecting
            for src in self.leads.sources:
                wins = rate * src.share * math.prod(conv[self.entry_index(src) :])
                yield wins, self.deal_size.mean * src.deal_size_multiplier * a.deal_size

    def expected_wins_per_week(self) -> float:
        """Steady-state team wins per week: sum over reps and sources of arrivals x win chance."""
        return sum(wins for wins, _ in self._win_flows())

    def expected_won_amount_per_week(self) -> float:
        """Steady-state team won amount per week, 万 CNY."""
        return sum(wins * amount for wins, amount in self._win_flows())

    def expected_attainment(self) -> float:
        """Steady-state expected team attainment per quarter (won amount / quota)."""
        return (
            self.expected_won_amount_per_week() * self.quota.weeks_per_quarter
            / self.quota.team_per_quarter
        )

    def rep_quotas(self) -> list[float]:
        """Each rep's quota per quarter, 万 CNY."""
        reps = self.team.rep_archetypes()
        if self.quota.split == "equal":
            weights = [1.0] * len(reps)
        else:
            weights = []
            for a in reps:
                conv = self.rep_conversions(a)
                w = sum(
                    s.share * math.prod(conv[self.entry_index(s) :]) * s.deal_size_multiplier
                    for s in self.leads.sources
                )
                weights.append(a.prospecting * a.deal_size * w)
        total = sum(weights)
        if total <= 0:
            weights, total = [1.0] * len(reps), float(len(reps))
        return [self.quota.team_per_quarter * w / total for w in weights]

    # -- deriving and saving --

    def override(self, changes: dict) -> Scenario:
        """A new scenario with ``{"dotted.path": value}`` changes applied and validated.

        Paths are those of the scenario file (``team.reps``,
        ``leads.per_rep_per_week``, ``deal_size.mean``,
        ``quota.team_per_quarter``, ``funnel.stages.intent.win_prob``, ...)
        plus ``funnel.win_rate``, which rescales every conversion (see
        :meth:`Funnel.with_win_rate`). Raises :class:`simkit.ScenarioError`.
        """
        data = override_data(self.model_dump(mode="json", by_alias=True), changes)
        return validate(Scenario, data, "override")

    def to_toml(self) -> str:
        """The scenario as TOML text that :func:`simkit.load_scenario` reads back equal."""
        return tomli_w.dumps(self.model_dump(mode="json", by_alias=True, exclude_none=True))
