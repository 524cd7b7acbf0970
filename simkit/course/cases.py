"""The course's worked cases as ready scenarios, for the workbook's lessons.

- :func:`case_b_scenario`: case B (mid-quarter, week 7 of 12, the branch's
  funnel snapshot) with a steady injection of new projects from now on.
- :func:`coaching_team`: a team with hidden problems (one rep prospects too
  little, one wins too few, one sells small deals) for the coaching lesson.
- :func:`commission_plan`: the base / challenge / excellence accelerator plan of
  lesson 9.
- :func:`open_deals_at`: the deals open at a given week with the stage they
  were in and whether they were won before the quarter ended (the forecast
  drill of lesson 6).
- :func:`planning_scenario`, :func:`presales_pools`, :func:`planning_headcount`:
  lesson 8's year plan (hires, ramp, attrition, capacity), the shared
  against per-team pre-sales staff, and the headcount solver's answer.
- :func:`crm_example`, :func:`crm_backtest`: lesson 10's shipped CRM export
  and its back-test at two cutoffs.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.model.params import Archetype, Scenario
from simkit.model.presets import preset

__all__ = ["CASE_B", "COACHING_PROBLEMS", "CRM_CUTOFFS", "PLAN", "case_b_scenario",
           "coaching_team", "commission_plan", "crm_backtest", "crm_example", "open_deals_at",
           "planning_headcount", "planning_scenario", "presales_pools", "ramp_curve"]

#: Case B of the course: week 7 of 12, funnel snapshot, realised, quota, average deal.
CASE_B = {"week": 7, "counts": (169, 49, 45), "realised": 119.1, "quota": 372.0, "avg_deal": 2.0,
          "reps": 16}


def case_b_scenario(new_per_week: float, *, counts=CASE_B["counts"], week: float = CASE_B["week"],
                    realised: float = CASE_B["realised"], quota: float = CASE_B["quota"],
                    reps: int = CASE_B["reps"]) -> Scenario:
    """Small projects from case B's snapshot, with ``new_per_week`` new projects entering each week.

    The branch's reps share the injection evenly (``leads.per_rep_per_week =
    new_per_week / reps``); reps only spread the quota, the team total is
    what the course's arithmetic uses.
    """
    if not isinstance(new_per_week, (int, float)) or new_per_week < 0:
        raise SimkitInputError("new_per_week", new_per_week, "a number of new projects >= 0")
    return preset("small-projects").override({
        "name": "case-b",
        "team.reps": reps,
        "quota.team_per_quarter": quota,
        "leads.per_rep_per_week": new_per_week / reps,
        "horizon.start": {"mode": "snapshot", "counts": [int(c) for c in counts],
                          "week": week, "realised": realised},
    })


#: Hidden-problem archetypes of the coaching team and the course's diagnosis of each.
COACHING_PROBLEMS = {
    "average": "on track",
    "few-leads": "not enough prospecting",
    "poor-closer": "low win rate",
    "small-deals": "low deal size",
}


def coaching_team(seed: int = 7, reps: int = 8) -> tuple[Scenario, dict[int, str]]:
    """A small-projects team over a year (four quarters) in which three reps each have one problem.

    Returns the scenario and the hidden truth, rep index -> problem key (see
    :data:`COACHING_PROBLEMS`). Which rep has which problem depends on
    ``seed``, so a trainee cannot guess it from the rep numbers.
    """
    if not isinstance(reps, int) or reps < 4:
        raise SimkitInputError("reps", reps, "a whole number of at least 4")
    rng = np.random.default_rng([seed, 2024])
    kinds = ["few-leads", "poor-closer", "small-deals"] + ["average"] * (reps - 3)
    order = [kinds[i] for i in rng.permutation(reps)]
    mult = {"few-leads": {"prospecting": 0.45}, "poor-closer": {"conversion": 0.45},
            "small-deals": {"deal_size": 0.45}, "average": {}}
    # One archetype per rep (share 1/reps each) keeps the rep order = the list order.
    archetypes = [Archetype(name=f"rep{i}", share=1 / reps, **mult[k]).model_dump()
                  for i, k in enumerate(order)]
    sc = preset("small-projects").override({
        "name": "coaching-team",
        "team.reps": reps,
        "team.archetypes": archetypes,
        "quota.team_per_quarter": 24.0 * reps,
        "horizon.quarters": 4,
    })
    return sc, {i: COACHING_PROBLEMS[k] for i, k in enumerate(order)}


def open_deals_at(results, week: float, *, replication: int | None = None) -> pd.DataFrame:
    """Deals open at ``week`` with the stage they were in and whether they were won in the quarter.

    Columns: replication, deal_id, rep, stage, weeks_in_stage, amount,
    won_in_quarter (won before the end of the quarter that contains ``week``).
    """
    wpq = results.scenario.quota.weeks_per_quarter
    end = (np.floor(week / wpq) + 1) * wpq
    st = results.stage_times
    if replication is not None:
        st = st[st["replication"] == replication]
    live = st[(st["entered"] <= week) & ((st["left"] > week) | st["left"].isna())]
    d = results.deals.set_index(["replication", "deal_id"])
    info = d.loc[list(zip(live["replication"], live["deal_id"]))]
    won = (info["outcome"].to_numpy() == "won") & (info["closed_at"].to_numpy() < end)
    return pd.DataFrame({
        "replication": live["replication"].to_numpy(),
        "deal_id": live["deal_id"].to_numpy(),
        "rep": info["rep"].to_numpy(),
        "stage": live["stage"].astype(str).to_numpy(),
        "weeks_in_stage": week - live["entered"].to_numpy(),
        "amount": info["amount"].to_numpy(),
        "won_in_quarter": won,
    }).reset_index(drop=True)


def commission_plan(base: float = 0.05, challenge: float = 0.10, excellence_level: float = 1.5,
                    excellence: float = 0.15):
    """Base rate up to quota, ``challenge`` above it, ``excellence`` above ``excellence_level``
    (attainment, 1.0 = quota): the course's tiered accelerators."""
    from simkit.model.team import Commission, Tier

    return Commission(rate=base, tiers=(Tier(name="challenge", attainment=1.0, rate=challenge),
                                        Tier(name="excellence", attainment=excellence_level,
                                             rate=excellence)))


#: Lesson 8's year plan: the small-projects branch grows its quota from 240万 to 280万 a
#: quarter and hires 4 reps; the capacity cap is what the "limited time" toggle switches on.
PLAN = {"reps": 10, "quota": 280.0, "hires": 4, "hire_month": 3, "ramp_months": 5,
        "attrition": 0.30, "max_open_deals": 8, "quarters": 4}


def ramp_curve(months: int) -> tuple[float, ...]:
    """A straight-line ramp reaching full productivity in month ``months`` (1: no ramp).

    5 gives simkit's default 0 / 25 / 50 / 75 / 100% (domain brief section 11).
    """
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise SimkitInputError("ramp_months", months, "a whole number of months >= 1")
    if months == 1:
        return (1.0,)
    return tuple(i / (months - 1) for i in range(months))


def planning_scenario(hire_month: int = PLAN["hire_month"], ramp_months: int = PLAN["ramp_months"],
                      attrition: float = PLAN["attrition"], capacity: bool = False, *,
                      reps: int = PLAN["reps"], hires: int = PLAN["hires"],
                      quota: float = PLAN["quota"], quarters: int = PLAN["quarters"]) -> Scenario:
    """Lesson 8's plan: ``hires`` reps start in month ``hire_month`` (0 = January, 4-week
    months), ramp over ``ramp_months``, reps leave at ``attrition`` a year (backfilled after
    8 weeks); with ``capacity`` a rep works at most ``PLAN["max_open_deals"]`` deals at once
    and new deals queue. The team quota stays ``quota`` a quarter whatever the headcount."""
    if not isinstance(hire_month, (int, np.integer)) or not 0 <= hire_month <= 12 * quarters:
        raise SimkitInputError("hire_month", hire_month,
                               f"a whole month from 0 to {12 * quarters}")
    changes = {
        "name": "year-plan",
        "horizon.quarters": quarters,
        "team.reps": reps,
        "quota.team_per_quarter": quota,
        "hiring": {"plan": [{"week": 4 * int(hire_month), "count": hires}]},
        "ramp": {"curve": list(ramp_curve(ramp_months))},
        "attrition": {"yearly_rate": attrition},
    }
    if capacity:
        changes["capacity"] = {"max_open_deals": PLAN["max_open_deals"], "when_full": "queue"}
    return preset("small-projects").override(changes)


def presales_pools(consultants: int = 7, share: float = 0.2) -> tuple[Scenario, Scenario]:
    """Small projects with ``consultants`` pre-sales staff for ``share`` of the solution
    stage: one shared pool (弹性人力资源池) against one consultant per team."""
    base = preset("small-projects")
    ps = {"consultants": consultants, "stage": "solution", "share": share}
    return (base.override({"presales": {**ps, "pool": "shared"}}),
            base.override({"presales": {**ps, "pool": "per_team", "teams": consultants}}))


@cache
def planning_headcount(target: float = 0.8, replications: int = 20, seed: int = 1):
    """The headcount solver on the first half of lesson 8's plan (two quarters, attrition,
    no hires): the fewest starting reps that make the half-year's quota with chance
    ``target``. Cached, because the lesson and its exercise ask the same question."""
    from simkit.planning.solvers import solve_headcount

    base = planning_scenario(quarters=2, hires=0)
    return solve_headcount(base, target=target, replications=replications, seed=seed,
                           min_reps=8, max_reps=24)


#: Lesson 10's back-test cutoffs on the shipped example export.
CRM_CUTOFFS = ("2017-07-01", "2017-10-01")


@cache
def crm_example():
    """The shipped example CRM export, imported (:func:`simkit.crm.read_export`)."""
    from simkit.crm import example_export, read_export

    return read_export(example_export())


@cache
def crm_backtest(replications: int = 200, seed: int = 1):
    """Lesson 10's back-test of the shipped example at :data:`CRM_CUTOFFS` (cached: the
    lesson and its exercises read the same table)."""
    from simkit.crm.backtest import backtest

    return backtest(crm_example().deals, list(CRM_CUTOFFS), replications=replications,
                    seed=seed)
