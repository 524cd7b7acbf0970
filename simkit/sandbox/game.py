"""The rules of the sales sandbox (销售沙盘): market, decisions, one quarter, the score.

No web code and no storage here: a team's state and decisions go in, a
:class:`simkit.Scenario` and a table of results come out.

How a round is simulated
------------------------
Every round is one quarter (12 selling weeks) of the team's branch, started
from the funnel the team left at the end of its last quarter (round 1: the
starting branch's standard funnel). The team's decisions and the market turn
into scenario parameters:

- **reps**: the team's reps, each with a ramp share (a hire starts at the
  quarter's start and ramps by simkit's default 0/25/50/75/100% monthly curve,
  :class:`simkit.Ramp`: a hire sells 25% in the first quarter, 92% in the
  second, fully from the third) and a kind: the ``large_share`` of the reps
  (the most senior first) work large projects: a quarter of the new projects,
  a win rate x 0.7, deals six times as big, four times the hours per deal and
  three times the pre-sales work;
- **selling time**: a rep has 40 hours a week; a new project costs 2 hours and
  an open deal 1.5 hours a week for as long as it is open. A rep whose
  prospecting and deals need more hours than that skimps on every deal: the
  win rate is multiplied by hours available / hours needed;
- **pre-sales**: each deal reaching the solution stage needs a consultant for
  0.1 week; the shared pool is an M/M/c queue and the mean wait (Erlang C,
  at most 2 weeks; 2 weeks without consultants) is added to the solution
  stage (deals wait there; a waiting deal needs none of the rep's hours), and
  customers walk away: win rate / (1 + 0.1 x weeks waited);
- **training**: each day raises the win rate by 2% (at most 20%) from the
  next quarter on;
- **commission**: three plans; cost is the plan's payout on each rep's won
  amount against the rep's quota (the team quota split by ramp share); the
  plan sets the yearly attrition (accelerators 20%, flat 30%, capped 40%).
  Leavers go at the quarter's end and are not replaced unless the team hires.

The market (hidden until the trainer reveals it), for round r:

- ``growing``: new projects per rep x (1 + 0.05 (r - 1)), win rates
  x (1 + 0.04 (r - 1));
- ``saturating``: the market holds 1.1 x the starting branch's small-project
  prospecting a week; when a team's small-project reps prospect more (S new
  projects a week against M), their win rate is multiplied by (M / S) ^ 1.2,
  so past the market's size more prospecting finds worse leads;
- ``stagnant``: new projects per rep x (1 - 0.05 (r - 1)), win rates
  x (1 - 0.03 (r - 1));
- shocks the trainer schedules for a round: ``price_cut`` (a competitor's
  price cut: win rates x 0.8), ``budget_freeze`` (customers' budget freeze:
  every stage lasts 1.5 times as long).

All these map onto fields the vectorised fast path models (team archetypes'
prospecting, conversion and deal-size multipliers, stage durations, a snapshot
start), so ``simkit.simulate`` runs the fast path: a round for eight teams
takes well under the five seconds a classroom can wait. (The team-dynamics
sections would run the SimPy engine, about ten times slower per replication.)

Common random numbers: every team's quarter in a round uses the same seed, so
two teams that decide the same get the same results, and differences between
teams come from their decisions. A preview uses a seed of another family, so
it cannot show the round's luck.

Score of a round: profit (gross margin 50% of bookings, less the cost of sales:
salaries, hiring, consultants, training and commission) plus 20万 x forecast
accuracy, where the forecast is the course's committed x 75% + possible x 25%
and accuracy = 1 - mean |forecast - bookings| / mean bookings (at least 0).
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from typing import Any
from collections.abc import Mapping

import numpy as np

from simkit.model import Commission, Ramp, Scenario, SimkitInputError, Tier
from simkit.sim.dispatch import simulate

from simkit.sandbox.text import both

__all__ = [
    "FIELDS", "PLANS", "REGIMES", "RULES", "SHOCKS", "Market", "Rules", "build_scenario",
    "check_decisions", "default_decisions", "discretionary_cost", "erlang_c_wait",
    "initial_state", "market_effects", "next_state", "play_quarter", "round_seed",
    "steady_counts",
]

REGIMES = ("growing", "saturating", "stagnant")
#: simkit's fast path keeps its random-number banks in a process-wide cache that is
#: not safe to use from two threads at once: every quarter is simulated under this lock.
SIM_LOCK = threading.RLock()
SHOCKS = ("price_cut", "budget_freeze")


@dataclass(frozen=True)
class Rules:
    """The game's numbers (money in 万 per quarter). Defaults are game design, not facts."""

    weeks: int = 12
    budget: float = 40.0
    hire_cost: float = 6.0
    rep_salary: float = 5.0
    consultant_cost: float = 5.0
    training_cost: float = 2.0
    margin: float = 0.5
    max_reps: int = 30
    hours_per_week: float = 40.0
    hours_per_new_project: float = 2.0
    hours_per_open_deal: float = 1.5
    large_prospecting: float = 0.25
    large_conversion: float = 0.7
    large_deal_size: float = 6.0
    large_hours: float = 4.0
    large_presales: float = 3.0
    presales_weeks: float = 0.1
    presales_max_wait: float = 2.0
    presales_walkaway: float = 0.1
    training_effect: float = 0.02
    training_cap: float = 0.2
    market_headroom: float = 1.1
    saturation_elasticity: float = 1.2
    growing_leads: float = 0.05
    growing_win: float = 0.04
    stagnant_leads: float = 0.05
    stagnant_win: float = 0.03
    price_cut: float = 0.8
    budget_freeze: float = 1.5
    committed_weight: float = 0.75
    possible_weight: float = 0.25
    forecast_bonus: float = 20.0
    max_win_rate: float = 0.95


RULES = Rules()

#: Commission plans: (plan, yearly attrition).
PLANS: dict[str, tuple[Commission, float]] = {
    "flat": (Commission(rate=0.06), 0.30),
    "accelerated": (Commission(rate=0.05, tiers=(
        Tier(name="challenge", attainment=1.0, rate=0.10),
        Tier(name="excellence", attainment=1.5, rate=0.15))), 0.20),
    "capped": (Commission(rate=0.05, cap_attainment=1.2), 0.40),
}

#: Decision fields: kind and allowed range (or choices).
FIELDS: dict[str, tuple] = {
    "hires": ("int", 0, 10),
    "prospecting": ("num", 0.5, 20.0),
    "large_share": ("num", 0.0, 1.0),
    "consultants": ("int", 0, 20),
    "training_days": ("int", 0, 10),
    "commission": ("choice", tuple(PLANS)),
    "forecast_committed": ("num", 0.0, 100_000.0),
    "forecast_possible": ("num", 0.0, 100_000.0),
}
#: Fields that are spent once: a round without a decision does not repeat them.
ONE_OFF = ("hires", "training_days")


# ---------------------------------------------------------------- seeds


def round_seed(seed: int, round_no: int, family: int) -> int:
    """Seed of a round: family 0 the real quarter, 1 the preview, 2 attrition."""
    return int(np.random.SeedSequence([seed, round_no, family]).generate_state(1)[0] & 0x7FFFFFFF)


# ---------------------------------------------------------------- decisions


def default_decisions(base: Scenario) -> dict:
    """Round 1's decisions for a team that submits nothing: the starting branch as it is."""
    rates = _stage_rates(base, 1.0)
    sol = _solution_index(base)
    load = base.team.reps * base.leads.per_rep_per_week * rates[sol] * RULES.presales_weeks
    q = base.quota.team_per_quarter
    return {"hires": 0, "prospecting": float(base.leads.per_rep_per_week), "large_share": 0.0,
            "consultants": int(math.ceil(load)) + 1, "training_days": 0, "commission": "flat",
            "forecast_committed": float(q), "forecast_possible": float(q)}


def carry_over(last: Mapping) -> dict:
    """Decisions a team that does not submit keeps: the last ones, without repeating one-offs."""
    out = dict(last)
    for f in ONE_OFF:
        out[f] = 0
    return out


def _coerce(field: str, value: Any):
    kind = FIELDS[field][0]
    if kind == "choice":
        choices = FIELDS[field][1]
        if isinstance(value, str) and value.strip() in choices:
            return value.strip()
        raise SimkitInputError(field, value, both("allowed.choice", choices=", ".join(choices)))
    lo, hi = FIELDS[field][1], FIELDS[field][2]
    allowed = both("allowed.int" if kind == "int" else "allowed.num", lo=f"{lo:g}", hi=f"{hi:g}")
    x = value
    if isinstance(x, str):
        try:
            x = float(x.strip().replace(",", ""))
        except ValueError:
            raise SimkitInputError(field, value, allowed) from None
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise SimkitInputError(field, value, allowed)
    x = float(x)
    if not math.isfinite(x) or not lo <= x <= hi or (kind == "int" and not x.is_integer()):
        raise SimkitInputError(field, value, allowed)
    return int(x) if kind == "int" else x


def discretionary_cost(d: Mapping, rules: Rules = RULES) -> float:
    """What a round's decisions spend out of the budget: hires, consultants, training."""
    return (d["hires"] * rules.hire_cost + d["consultants"] * rules.consultant_cost
            + d["training_days"] * rules.training_cost)


def check_decisions(changes: Any, current: Mapping, state: Mapping,
                    rules: Rules = RULES) -> dict:
    """``current`` with ``changes`` applied, validated; raises :class:`SimkitInputError`.

    Every message is bilingual and names the field; nothing is changed on error.
    """
    if not isinstance(changes, Mapping):
        raise SimkitInputError("decisions", changes, both("allowed.decisions"))
    out = dict(current)
    for field, value in changes.items():
        if field not in FIELDS:
            raise SimkitInputError(str(field), value,
                                   both("allowed.field", fields=", ".join(FIELDS)))
        out[field] = _coerce(field, value)
    n = headcount(state) + out["hires"]
    if n > rules.max_reps:
        raise SimkitInputError("hires", out["hires"],
                               both("allowed.headcount", max=rules.max_reps, n=n))
    cost = discretionary_cost(out, rules)
    if cost > rules.budget + 1e-9:
        raise SimkitInputError("budget", round(cost, 2), both(
            "allowed.budget", hire=rules.hire_cost, cons=rules.consultant_cost,
            train=rules.training_cost, budget=rules.budget, cost=round(cost, 2)))
    return out


# ---------------------------------------------------------------- team state


def _stage_rates(sc: Scenario, scale: float) -> list[float]:
    """Share of a first-stage deal that reaches each stage (1 for the first)."""
    conv = sc.funnel.conversions
    out, p = [], 1.0
    for c in conv:
        out.append(p)
        p *= c
    return [x * scale for x in out]


def _solution_index(sc: Scenario) -> int:
    names = sc.funnel.names
    return names.index("solution") if "solution" in names else len(names) // 2


def steady_counts(sc: Scenario) -> list[int]:
    """The standard funnel of ``sc``: new projects a week x reach x weeks in the stage."""
    lam = sc.team.reps * sc.leads.per_rep_per_week
    return [int(round(lam * r * s.duration.mean))
            for r, s in zip(_stage_rates(sc, 1.0), sc.funnel.stages)]


def initial_state(base: Scenario) -> dict:
    """A team's state before round 1: the starting branch's reps and standard funnel."""
    return {"veterans": base.team.reps, "cohorts": {},
            "funnel": {"small": steady_counts(base), "large": [0] * len(base.funnel.stages)},
            "training_days": 0}


def headcount(state: Mapping) -> int:
    return int(state["veterans"] + sum(state["cohorts"].values()))


# ---------------------------------------------------------------- market


@dataclass(frozen=True)
class Market:
    """The market's multipliers for one team in one round."""

    leads: float          # new projects per rep
    win: float            # every win rate
    saturation: float     # small projects' win rate (saturating market only, else 1)
    duration: float       # every stage's duration


def market_effects(regime: str, round_no: int, shocks, small_leads: float,
                   market_size: float, rules: Rules = RULES) -> Market:
    """The regime's and the shocks' effects, by the definitions in the module docstring.

    ``small_leads``: the team's small-project new projects a week;
    ``market_size``: what the saturating market holds a week.
    """
    g = round_no - 1
    leads = win = sat = dur = 1.0
    if regime == "growing":
        leads, win = 1 + rules.growing_leads * g, 1 + rules.growing_win * g
    elif regime == "stagnant":
        leads = max(0.1, 1 - rules.stagnant_leads * g)
        win = max(0.1, 1 - rules.stagnant_win * g)
    elif regime == "saturating":
        if small_leads > market_size > 0:
            sat = (market_size / small_leads) ** rules.saturation_elasticity
    else:
        raise SimkitInputError("regime", regime, both("allowed.regime", choices=", ".join(REGIMES)))
    if "price_cut" in shocks:
        win *= rules.price_cut
    if "budget_freeze" in shocks:
        dur *= rules.budget_freeze
    return Market(leads=leads, win=win, saturation=sat, duration=dur)


def erlang_c_wait(lam: float, service: float, servers: int) -> float:
    """Mean wait in an M/M/c queue (arrivals ``lam`` a week, ``service`` weeks); inf if unstable."""
    if lam <= 0:
        return 0.0
    a = lam * service
    if servers <= 0 or a >= servers:
        return math.inf
    b = 1.0
    for k in range(1, servers + 1):  # Erlang B by the stable recursion
        b = a * b / (k + a * b)
    c = servers * b / (servers - a * (1 - b))
    return c * service / (servers - a)


# ---------------------------------------------------------------- scenario


def _seats(state: Mapping, hires: int, round_no: int, rules: Rules) -> list[tuple[str, float]]:
    """(tenure label, ramp share) per rep, most senior first."""
    ramp, w = Ramp(), rules.weeks
    seats = [("veteran", 1.0)] * int(state["veterans"])
    cohorts = sorted((int(h), n) for h, n in state["cohorts"].items()) + [(round_no, hires)]
    for h, n in cohorts:
        k = round_no - h
        seats += [(f"hired-r{h}", ramp.integral(k * w, (k + 1) * w) / w)] * int(n)
    return seats


def _scaled(dist, factor: float, add: float) -> dict:
    d = dist.model_dump(mode="json", by_alias=True)
    for key in ("mean", "value"):
        if key in d:
            d[key] = d[key] * factor + add
            return d
    d["low"], d["high"] = d["low"] * factor + add, d["high"] * factor + add
    return d


def build_scenario(base: Scenario, decisions: Mapping, state: Mapping, regime: str,
                   round_no: int, shocks=(), rules: Rules = RULES) -> tuple[Scenario, dict]:
    """The quarter a team plays: the scenario and what went into it (``info``)."""
    d = decisions
    seats = _seats(state, d["hires"], round_no, rules)
    n = len(seats)
    n_large = int(round(d["large_share"] * n))
    kinds = ["large" if i < n_large else "small" for i in range(n)]
    market_size = rules.market_headroom * base.team.reps * base.leads.per_rep_per_week
    pre = market_effects(regime, round_no, shocks, 0.0, market_size, rules)
    leads = [d["prospecting"] * pre.leads * r * (rules.large_prospecting if k == "large" else 1)
             for (_, r), k in zip(seats, kinds)]
    small = sum(x for x, k in zip(leads, kinds) if k == "small")
    mk = market_effects(regime, round_no, shocks, small, market_size, rules)

    reach = _stage_rates(base, 1.0)
    sol = _solution_index(base)
    lam = sum(x * reach[sol] * (rules.large_presales if k == "large" else 1)
              for x, k in zip(leads, kinds))
    wait = min(rules.presales_max_wait,
               erlang_c_wait(lam, rules.presales_weeks * mk.duration, d["consultants"]))
    walk = 1 / (1 + rules.presales_walkaway * wait)
    open_weeks = sum(r * s.duration.mean for r, s in zip(reach, base.funnel.stages)) * mk.duration
    train = 1 + min(rules.training_cap, rules.training_effect * state["training_days"])

    groups: dict[tuple, int] = {}
    overloads = []
    for (tenure, r), k, x in zip(seats, kinds, leads):
        hours = rules.large_hours if k == "large" else 1.0
        need = x * hours * (rules.hours_per_new_project + rules.hours_per_open_deal * open_weeks)
        over = min(1.0, rules.hours_per_week / need) if need > 0 else 1.0
        overloads.append(over)
        conv = ((rules.large_conversion if k == "large" else mk.saturation)
                * mk.win * train * walk * over)
        conv = min(conv, rules.max_win_rate / base.funnel.win_rate)
        prosp = mk.leads * r * (rules.large_prospecting if k == "large" else 1.0)
        size = rules.large_deal_size if k == "large" else 1.0
        key = (f"{k}-{tenure}", round(prosp, 12), round(conv, 12), size, r)
        groups[key] = groups.get(key, 0) + 1
    archetypes = [{"name": name, "share": c / n, "prospecting": p, "conversion": max(cv, 1e-6),
                   "deal_size": s} for (name, p, cv, s, _), c in groups.items()]
    ramp_of = {name: r for (name, _, _, _, r) in groups}

    stages = []
    for i, s in enumerate(base.funnel.stages):
        sd = s.model_dump(mode="json", by_alias=True)
        sd["duration"] = _scaled(s.duration, mk.duration, wait if i == sol else 0.0)
        stages.append(sd)
    rep_counts = _deal_funnel(state["funnel"], kinds, len(stages))
    sc = base.override({
        "name": f"sandbox-r{round_no}",
        "funnel.stages": stages,
        "leads.per_rep_per_week": float(d["prospecting"]),
        "team.reps": n,
        "team.archetypes": archetypes,
        "quota.split": "equal",
        "horizon.quarters": 1,
        "horizon.start": {"mode": "snapshot", "counts": [sum(c) for c in zip(*rep_counts)],
                          "rep_counts": rep_counts, "week": 0.0, "realised": 0.0},
    })
    seat_names = [f"{k}-{t}" for (t, _), k in zip(seats, kinds)]
    if [a.name for a in sc.team.rep_archetypes()] != seat_names:  # rep i must be seat i
        raise AssertionError("sandbox: rep order differs from seat order")
    info = {"kinds": kinds, "reps": n, "large_reps": n_large, "ramp_of": ramp_of,
            "presales_wait": wait, "overload": float(np.mean(overloads)) if overloads else 1.0,
            "market": asdict(mk), "training_multiplier": train, "leads_per_week": sum(leads)}
    return sc, info


def _deal_funnel(funnel: Mapping, kinds: list[str], n_stages: int) -> list[list[int]]:
    """Open deals per rep and stage: each kind's funnel dealt evenly to that kind's reps
    (to every rep when the team has no rep of that kind any more)."""
    rows = [[0] * n_stages for _ in kinds]
    for kind in ("small", "large"):
        mine = [i for i, k in enumerate(kinds) if k == kind] or list(range(len(kinds)))
        for j, count in enumerate(funnel.get(kind, [0] * n_stages)):
            q, extra = divmod(int(count), len(mine))
            for pos, i in enumerate(mine):
                rows[i][j] += q + (1 if pos < extra else 0)
    return rows


# ---------------------------------------------------------------- one quarter


def play_quarter(base: Scenario, decisions: Mapping, state: Mapping, regime: str,
                 round_no: int, shocks, seed: int, replications: int,
                 rules: Rules = RULES) -> dict:
    """Simulate one team's quarter and score it. Returns a JSON-friendly dict.

    ``seed`` is the round's seed (the same for every team: common random numbers).
    """
    with SIM_LOCK:
        return _play(base, decisions, state, regime, round_no, shocks, seed, replications, rules)


def play_job(job: tuple) -> dict:
    """:func:`play_quarter` on one tuple of its arguments (for a process pool's ``map``)."""
    return play_quarter(*job)


def warm() -> bool:
    """Import and run everything a quarter needs once (a pool worker's first task)."""
    from simkit.model.presets import preset

    base = preset("small-projects")
    play_quarter(base, default_decisions(base), initial_state(base), "growing", 1, (), 1, 5)
    return True


def _play(base, decisions, state, regime, round_no, shocks, seed, replications, rules) -> dict:
    sc, info = build_scenario(base, decisions, state, regime, round_no, shocks, rules)
    res = simulate(sc, replications=replications, seed=seed, progress=False)
    wpq = sc.quota.weeks_per_quarter
    quota = sc.quota.team_per_quarter
    rq = res.rep_quarters
    n_rep = sc.team.reps
    share = np.asarray([info["ramp_of"][a.name] for a in sc.team.rep_archetypes()])
    rep_quota = quota * share / share.sum()
    rep_idx = rq["rep"].to_numpy()
    won_rep = rq["won_amount"].to_numpy()
    q_rep = rep_quota[rep_idx]
    plan, yearly = PLANS[decisions["commission"]]
    pay = np.asarray(plan.payout(won_rep, q_rep), float)
    by_rep = rq["replication"].to_numpy()
    R = res.replications
    payout = np.bincount(by_rep, weights=pay, minlength=R)
    at_quota = np.bincount(by_rep, weights=(won_rep >= q_rep).astype(float), minlength=R) / n_rep
    tq = res.team_quarters
    bookings = tq["won_amount"].to_numpy()
    wins = tq["wins"].to_numpy()
    fixed = (n_rep * rules.rep_salary + decisions["hires"] * rules.hire_cost
             + decisions["consultants"] * rules.consultant_cost
             + decisions["training_days"] * rules.training_cost)
    cost = fixed + payout
    profit = rules.margin * bookings - cost
    forecast = (rules.committed_weight * decisions["forecast_committed"]
                + rules.possible_weight * decisions["forecast_possible"])
    mean_b = float(bookings.mean())
    accuracy = max(0.0, 1 - float(np.abs(forecast - bookings).mean()) / mean_b) if mean_b > 0 \
        else 0.0
    funnel_end = _funnel_end(res, info["kinds"], float(wpq))
    return {
        "round": round_no, "engine": res.engine, "seed": seed, "replications": R,
        "reps": n_rep, "quota": quota,
        "bookings": mean_b,
        "bookings_p10": float(np.quantile(bookings, 0.1)),
        "bookings_p90": float(np.quantile(bookings, 0.9)),
        "bookings_se": float(bookings.std(ddof=1) / math.sqrt(R)) if R > 1 else math.nan,
        "attainment": mean_b / quota,
        "wins": float(wins.mean()),
        "share_at_quota": float(at_quota.mean()),
        "commission": float(payout.mean()),
        "cost": float(cost.mean()),
        "profit": float(profit.mean()),
        "forecast": forecast,
        "forecast_accuracy": accuracy,
        "score": float(profit.mean()) + rules.forecast_bonus * accuracy,
        "funnel_end": [a + b for a, b in zip(funnel_end["small"], funnel_end["large"])],
        "funnel_end_by_kind": funnel_end,
        "stages": list(sc.funnel.names),
        "yearly_attrition": yearly,
        # What went into the quarter (the market's part stays hidden until the reveal).
        "presales_wait": info["presales_wait"], "overload": info["overload"],
        "large_reps": info["large_reps"], "leads_per_week": info["leads_per_week"],
        "training_multiplier": info["training_multiplier"], "market": info["market"],
        # Per-replication figures for tests and the paired comparisons of the debrief.
        "bookings_by_replication": bookings.tolist(),
        "profit_by_replication": profit.tolist(),
    }


def _funnel_end(res, kinds: list[str], week: float) -> dict[str, list[float]]:
    """Mean open deals per stage at ``week``, for the small- and the large-project reps."""
    st = res.stage_times
    live = st[(st["entered"] <= week) & ~(st["left"] <= week)]
    deals = res.deals[["replication", "deal_id", "rep"]]
    live = live.merge(deals, on=["replication", "deal_id"], how="left")
    large = np.asarray([k == "large" for k in kinds])[live["rep"].to_numpy(np.int64)]
    n_st = len(res.scenario.funnel.names)
    codes = live["stage"].cat.codes.to_numpy(np.int64)
    R = res.replications
    return {"small": (np.bincount(codes[~large], minlength=n_st) / R).tolist(),
            "large": (np.bincount(codes[large], minlength=n_st) / R).tolist()}


def next_state(state: Mapping, decisions: Mapping, result: Mapping, round_no: int,
               attrition_seed: int, rules: Rules = RULES) -> dict:
    """The team's state after a round: leavers gone, hires one quarter into their ramp,
    the quarter-end funnel (mean over replications, rounded), training days added.

    Each seat leaves with the plan's quarterly attrition chance, decided by one
    uniform per seat from ``attrition_seed`` (the same for every team), so a plan
    with less attrition never loses a rep another team's plan keeps."""
    seats = _seats(state, decisions["hires"], round_no, rules)
    p = 1 - (1 - PLANS[decisions["commission"]][1]) ** 0.25
    u = np.random.default_rng(attrition_seed).random(max(len(seats), 1))
    veterans, newest, leavers = 0, 0, 0
    for i, (tenure, _) in enumerate(seats):
        if u[i] < p:
            leavers += 1
        elif tenure == f"hired-r{round_no}":
            newest += 1
        else:
            veterans += 1
    if veterans + newest == 0:
        veterans = 1
    cohorts = {str(round_no): newest} if newest else {}
    return {"veterans": veterans, "cohorts": cohorts,
            "funnel": {k: [int(round(x)) for x in v]
                       for k, v in result["funnel_end_by_kind"].items()},
            "training_days": state["training_days"] + decisions["training_days"],
            "leavers": leavers}
