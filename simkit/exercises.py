"""The workbook's exercises and their checks.

In a lesson: a question, a cell where the trainee sets ``answer = ...``, and
``check("2.1", answer)``, which returns a :class:`Feedback` that shows as
"✓ Right ..." or "✗ Not yet ... hint: ..." in the notebook. Whatever the
answer is (None, text, a list, a number in percent), the check gives
feedback, never a traceback.

The expected values are computed with simkit's own calculators and
simulation, so the exercises stay true when the model changes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .labels import canonical

__all__ = ["EXERCISES", "Exercise", "Feedback", "check", "exercises_for", "forecast_drill",
           "score_drill"]


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``correct`` is None while there is no answer yet."""

    exercise: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "✓ Right", False: "✗ Not yet", None: "… No answer yet"}[self.correct]
        return f"{mark} (exercise {self.exercise}): {self.message}"


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``kind`` is "number", "choice" or "rep"; ``expected`` computes the answer."""

    id: str
    question: str
    kind: str
    expected: Callable[[], Any]
    hint: str
    explanation: str = ""
    tolerance: float = 0.01  # absolute, for numbers
    percent: bool = False  # the answer is a share: 0.57 and 57 (percent) are both read


def _number(x) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, str):
        try:
            return float(x.strip().rstrip("%").replace(",", ""))
        except ValueError:
            return None
    return None


def check(exercise: str, answer: Any) -> Feedback:
    """Check ``answer`` to ``exercise`` (e.g. ``"2.1"``) and say right or wrong with a hint."""
    ex = EXERCISES.get(str(exercise))
    if ex is None:
        return Feedback(str(exercise), False,
                        f"there is no exercise {exercise!r}; known: {', '.join(EXERCISES)}")
    if answer is None or answer is ...:
        return Feedback(ex.id, None, "replace None with your answer in the cell above and run "
                                     "both cells again.")
    try:
        return _check(ex, answer)
    except Exception as exc:  # noqa: BLE001 -- a check must never end a lesson in a traceback
        return Feedback(ex.id, False, f"could not read the answer {answer!r} ({exc}).")


def _check(ex: Exercise, answer: Any) -> Feedback:
    expected = _expected(ex.id)
    if ex.kind == "choice":
        if not isinstance(answer, str):
            return Feedback(ex.id, False, f"type the answer as text in quotes, e.g. "
                                          f"answer = \"...\"; got {type(answer).__name__}.")
        ok = canonical(answer).strip().lower() == str(expected).lower()
        return _verdict(ex, ok, "")
    if ex.kind == "rep":
        n = _number(answer)
        if n is None or n != int(n):
            return Feedback(ex.id, False, f"give the rep's number (a whole number), got {answer!r}.")
        return _verdict(ex, int(n) == expected, "")
    n = _number(answer)
    if n is None or math.isnan(n):
        return Feedback(ex.id, False, f"the answer should be a number, got {answer!r} "
                                      f"({type(answer).__name__}).")
    if abs(n - expected) <= ex.tolerance:
        return _verdict(ex, True, "")
    if ex.percent and abs(n / 100 - expected) <= ex.tolerance:
        return _verdict(ex, True, f"(read {n:g} as {n / 100:.1%}) ")
    return _verdict(ex, False, "")


def _verdict(ex: Exercise, ok: bool, note: str) -> Feedback:
    if ok:
        return Feedback(ex.id, True, note + (ex.explanation or "well done."))
    return Feedback(ex.id, False, "hint: " + ex.hint)


@cache
def _expected(exercise_id: str):
    return EXERCISES[exercise_id].expected()


def exercises_for(lesson: int) -> list[Exercise]:
    """The exercises of one lesson notebook, in order."""
    return [e for e in EXERCISES.values() if e.id.split(".")[0] == str(lesson)]


# ------------------------------------------------------------------ the forecast drill

CALLS = ("committed", "possible", "no")


@cache
def _drill(n: int, seed: int, week: float):
    import numpy as np
    import pandas as pd

    from .cases import open_deals_at
    from .simulation import simulate

    deals = open_deals_at(simulate(_small(), replications=1, seed=seed), week)
    rng = np.random.default_rng([seed, n])
    # About a third from each stage, so every kind of call comes up.
    stages = list(_small().funnel.names)
    frames = []
    for i, stage in enumerate(stages):
        pool = deals[deals["stage"] == stage]
        k = min(len(pool), n // len(stages) + (1 if i < n % len(stages) else 0))
        frames.append(pool.iloc[np.sort(rng.choice(len(pool), size=k, replace=False))])
    out = pd.concat(frames).drop(columns=["replication"])
    return out.reset_index(drop=True)


def forecast_drill(n: int = 10, seed: int = 1, week: float = 8):
    """``n`` deals open at ``week`` in one simulated small-projects branch (outcome hidden).

    Columns: deal_id, rep, stage, weeks_in_stage, amount. Call each one
    "committed" (确保, >= 90% sure to pay this quarter), "possible" (可能,
    >= 50%) or "no", and score the calls with :func:`score_drill`.
    """
    return _drill(n, seed, week).drop(columns=["won_in_quarter"])


def score_drill(calls: Any, n: int = 10, seed: int = 1, week: float = 8) -> Feedback:
    """Score forecast calls against what the simulation then did.

    Right when at least one deal is called committed, at least 70% of the
    committed calls were won in the quarter (the course coaches 80-85%) and
    no more than half of the possible calls were.
    """
    deals = _drill(n, seed, week)
    if calls is None:
        return Feedback("6.3", None, f"make a list of {len(deals)} calls, one per deal, each "
                                     f"one of {', '.join(CALLS)}.")
    if isinstance(calls, str) or not hasattr(calls, "__len__") or len(calls) != len(deals):
        return Feedback("6.3", False, f"give a list of {len(deals)} calls, one per deal in the "
                                      f"table's order; got {calls!r}.")
    calls = [str(c).strip().lower() for c in calls]
    bad = sorted({c for c in calls if c not in CALLS})
    if bad:
        return Feedback("6.3", False, f"calls must be one of {', '.join(CALLS)}; got {bad}.")
    won = deals["won_in_quarter"].to_numpy()
    parts = []
    share = {}
    for c in CALLS:
        mask = [x == c for x in calls]
        k = sum(mask)
        w = int(won[mask].sum()) if k else 0
        share[c] = w / k if k else float("nan")
        parts.append(f"{c}: {w} of {k} won" + (f" ({w / k:.0%})" if k else ""))
    ok = (sum(x == "committed" for x in calls) > 0 and share["committed"] >= 0.7
          and not share.get("possible", 0) > 0.5)
    msg = "; ".join(parts) + ". The course's rule counts committed at 75% and possible at 25%."
    if not ok:
        msg += " hint: deals in negotiation close about 3 times in 4; intent deals rarely close " \
               "within four weeks."
    return Feedback("6.3", ok, msg)


# ------------------------------------------------------------------ the answers


def _small():
    from .presets import preset

    return preset("small-projects")


def _conv_intent_solution():
    f = _small().funnel
    return f.conversions[0]


def _solution_count_10_wins():
    from .analysis import standard_funnel

    sc = _small()
    sf = standard_funnel(10 * 12 * sc.deal_size.mean, sc.deal_size.mean, sc.funnel, weeks=12)
    return sf.stage_counts[1]


def _q2_quota():
    from .analysis import target_decomposition

    dec = target_decomposition(1045, {"vat": 1.17, "small_share": 0.70, "quarter_share": 0.28})
    return float(dec["value"].iloc[-1])


def _reps_at_4():
    from .analysis import standard_funnel

    sc = _small()
    return standard_funnel(240, 2.0, sc.funnel, new_per_rep_per_week=4).reps_needed


def _case_b_gap():
    from .analysis import funnel_gap
    from .cases import CASE_B

    return funnel_gap(CASE_B["counts"], _small().funnel, CASE_B["realised"], CASE_B["quota"],
                      CASE_B["avg_deal"])


def _leads_for_16pct():
    # Expected wins = leads x win rate: keep the product at the preset's.
    sc = _small()
    return sc.leads.per_rep_per_week * sc.funnel.win_rate / 0.16


def _large_accepted_signable():
    from .analysis import large_project_forecast
    from .presets import preset

    f = large_project_forecast((600, 400, 300, 250, 200), preset("large-projects").funnel,
                               won_expected_collection=40,
                               signable_stages=("accepted", "negotiation"))
    return f.collection_forecast


def _negotiation_share_won():
    from .cases import open_deals_at
    from .simulation import simulate

    deals = open_deals_at(simulate(_small(), replications=20, seed=1), week=8)
    return float(deals.loc[deals["stage"] == "negotiation", "won_in_quarter"].mean())


def _coaching_rep(problem: str):
    def find():
        from .cases import coaching_team

        _, truth = coaching_team(7)
        return next(r for r, p in truth.items() if p == problem)

    return find


def _payout_at_120():
    from .cases import commission_plan

    return float(commission_plan().payout(28.8, 24))


def _cost_of_sales():
    from .cases import commission_plan
    from .simulation import simulate

    rq = simulate(_small(), replications=100, seed=1).rep_quarters
    pay = commission_plan().payout(rq["won_amount"].to_numpy(), rq["quota"].to_numpy())
    return float(pay.sum() / rq["won_amount"].sum())


def _ramp_weeks_first_quarter():
    from .params_team import Ramp

    return Ramp().integral(0, 12)


def _solver_reps():
    from .cases import planning_headcount

    return planning_headcount().reps


def _presales_split_cost():
    from .cases import presales_pools
    from .planning import compare

    shared, split = presales_pools()
    df = compare(shared, split, replications=20, seed=1).set_index("metric")
    return float(df.loc["attainment", "diff"])


def _crm_naive_win_rate():
    from .cases import CRM_CUTOFFS, crm_example
    from .crm import DEFAULT_LOOKBACK_WEEKS, as_of

    import pandas as pd

    c = pd.Timestamp(CRM_CUTOFFS[0])
    known = as_of(crm_example().deals, c)
    window = known[known["created"] >= c - pd.Timedelta(weeks=DEFAULT_LOOKBACK_WEEKS)]
    return float((window["status"] == "won").mean())


def _crm_best(cutoff_index: int, target: str, metric: str):
    def best():
        from .cases import CRM_CUTOFFS, crm_backtest

        tab = crm_backtest().table
        rows = tab[(tab["cutoff"] == CRM_CUTOFFS[cutoff_index]) & (tab["target"] == target)
                   & (tab["metric"] == metric)
                   & tab["method"].isin(["model", "last_quarter", "mean_two_quarters"])]
        return rows.loc[rows["value"].abs().idxmin(), "method"]

    return best


def _ex(*args, **kw) -> Exercise:
    return Exercise(*args, **kw)


EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    _ex("0.1", "How many selling weeks does the course count in a quarter?", "number",
        lambda: _small().quota.weeks_per_quarter,
        "look at the preset's quota: sc.quota.weeks_per_quarter.", "a quarter is 12 selling weeks.",
        tolerance=0),
    _ex("0.2", "Which English stage key does simkit use for 谈判阶段?", "choice",
        lambda: "negotiation", "print the small-projects stages with their Chinese labels.",
        "谈判 is negotiation, the last open stage."),
    _ex("1.1", "What share of intent-stage (意向) deals reach the solution stage (方案)?", "number",
        _conv_intent_solution, "the conversion is p(intent) / p(solution), not 35% - 20%.",
        "0.20 / 0.35 = 57%: the stage percentage is cumulative.", tolerance=0.005, percent=True),
    _ex("1.2", "Small projects, 10 wins a week: how many deals sit in the solution stage of the "
        "standard funnel?", "number", _solution_count_10_wins,
        "each stage holds wins per week / its win probability x weeks in the stage.",
        "10 / 0.35 = 28.6 deals.", tolerance=0.5),
    _ex("2.1", "A rep opens 5 new customers a week, wins 20% of them at 2万 each: what does the rep "
        "sell in a 12-week quarter (万)?", "number", lambda: 5 * 0.20 * 2.0 * 12,
        "new per week x win rate x deal size x weeks.",
        "24万 a quarter, about 100万 a year: the course's argument.", tolerance=0.5),
    _ex("2.2", "If the win rate falls from 20% to 16%, how many new projects per rep per week keep "
        "expected attainment at 100%?", "number", _leads_for_16pct,
        "expected wins = new projects x win rate; keep the product the same.",
        "5 x 20% / 16% = 6.25 a week.", tolerance=0.05),
    _ex("3.1", "Case A: what is the Q2 small-project software quota (万, including VAT)?", "number",
        _q2_quota, "1045 x 1.17 (VAT) x 70% (small projects) x 28% (Q2 share).",
        "about 239.6万, which the course rounds to 240万.", tolerance=1.0),
    _ex("3.2", "Case A again: how many reps are needed if each opens only 4 new projects a week?",
        "number", _reps_at_4, "the funnel needs 50 new projects a week; divide by what one rep "
        "opens.", "50 / 4 = 12.5, so 13 reps.", tolerance=0.5),
    _ex("4.1", "Case B: how many wins does today's funnel (169 / 49 / 45) still hold?", "number",
        lambda: _case_b_gap().expected_wins,
        "sum of count x win probability (20%, 35%, 70%).", "82.45 expected wins (164.9万).",
        tolerance=0.1),
    _ex("4.2", "Case B: what is the project gap (项目缺口), the new projects that must enter?",
        "number", lambda: _case_b_gap().project_gap,
        "amount gap = quota - realised - expected amount; wins needed = gap / 2万; projects "
        "= wins / 20%.", "88万 -> 44 wins -> 220 new projects.", tolerance=1.0),
    _ex("5.1", "Expected revenue (万) of a 100万 project in the accepted stage (认可客户, 50%)?",
        "number", lambda: 100 * 0.5, "amount x the stage's win probability.",
        "50万: large projects are judged by amount x probability.", tolerance=0.5),
    _ex("5.2", "Open amounts 600 / 400 / 300 / 250 / 200万, 40万 expected from won projects: "
        "what is the software collection forecast if accepted projects can also sign this "
        "quarter?", "number", _large_accepted_signable,
        "((250 x 50% + 200 x 70%) x 70% x 50% + 40) x 75%.", "about 99.6万.", tolerance=0.5),
    _ex("6.1", "Quota 240, realised 100, committed 80, possible 60, 4 weeks left: the forecast "
        "(万)?", "number", lambda: 100 + 80 * 0.75 + 60 * 0.25 + 240 * 0.04 * 4,
        "realised + committed x 75% + possible x 25% + quota x 4% x weeks remaining.",
        "213.4万, 89% of quota.", tolerance=0.5),
    _ex("6.2", "In the simulation, what share of the deals in negotiation at week 8 were won by "
        "the end of the quarter?", "number", _negotiation_share_won,
        "use open_deals_at(results, 8) and average won_in_quarter for stage 'negotiation'.",
        "about 75%: the course's weight for committed deals fits deals in negotiation.",
        tolerance=0.02, percent=True),
    _ex("7.1", "Which rep does not prospect enough (开拓量不够)?", "rep",
        _coaching_rep("not enough prospecting"),
        "compare new projects per week across reps; the others win what they open.",
        "few new projects a week, a normal win rate and deal size."),
    _ex("7.2", "Which rep has a low win rate (成功率不高)?", "rep", _coaching_rep("low win rate"),
        "compare win rates of closed deals; ignore small differences of a few points.",
        "the win rate is far below 20% while prospecting is normal."),
    _ex("7.3", "Which rep's deals are too small (成交价不高)?", "rep", _coaching_rep("low deal size"),
        "compare the average won deal with the team's 2万.",
        "wins as often as the others, at about half the price."),
    _ex("8.1", "A new rep with simkit's default ramp (0 / 25 / 50 / 75 / 100% by 4-week month) "
        "starts on the first day of a 12-week quarter. How many weeks of a fully productive "
        "rep's selling does she deliver in that quarter?", "number", _ramp_weeks_first_quarter,
        "add the productivity of each week: 4 weeks at 0%, 4 at 25%, 4 at 50% "
        "(Ramp().integral(0, 12)).",
        "0 + 1 + 2 = 3 weeks: a hire costs a full quota seat but sells a quarter of one.",
        tolerance=0.05),
    _ex("8.2", "The headcount solver on the half-year plan (quota 280万 a quarter, 30% attrition, "
        "20 replications, seed 1): how many starting reps are needed for an 80% chance of "
        "making the half-year's quota?", "number", _solver_reps,
        "run simkit.cases.planning_headcount() and read .reps, or read the curve: the first "
        "headcount at or above the target line.",
        "280万 needs about 11.7 fully productive reps on average (280 / 24); vacant seats, "
        "ramping backfills and the wish for an 80% (not 50%) chance add the margin.",
        tolerance=0),
    _ex("8.3", "Seven pre-sales consultants, each deal needs one for a fifth of the solution "
        "stage: by how much does team attainment change when the shared pool is split into one "
        "consultant per team (paired comparison, 20 replications, seed 1)?", "number",
        _presales_split_cost,
        "compare(shared, split, 20, 1) from simkit.planning; read diff for attainment "
        "(negative: split is worse).",
        "about -10 points: a split pool leaves one team's deals queuing while another "
        "consultant is idle.", tolerance=0.01, percent=True),
    _ex("9.1", "Plan: 5% up to quota, 10% above quota, 15% above 150%. A rep with a 24万 quota "
        "wins 28.8万 (120%). What is the commission (万)?", "number",
        _payout_at_120,
        "5% of the first 24万, then 10% of the 4.8万 above quota.",
        "1.2 + 0.48 = 1.68万.", tolerance=0.01),
    _ex("9.2", "With that plan, what is the cost of sales (commission / won amount) over 100 "
        "simulated quarters of the small-projects team (seed 1)?", "number", _cost_of_sales,
        "read cost of sales from the dashboard, or sum the payouts and divide by won amount.",
        "about 6.0%: the accelerators add a point to the 5% base, paid to the lucky quarters.",
        tolerance=0.002, percent=True),
    _ex("10.1", "Shipped example, cutoff 2017-07-01, deals created in the 26 weeks before: what "
        "share of them had been won by the cutoff (open deals counted as not won, the naive "
        "win rate)?", "number", _crm_naive_win_rate,
        "use simkit.crm.as_of(deals, cutoff), keep deals created in the 26 weeks before it and "
        "take the share with status won (open deals stay in the denominator).",
        "about 45%, against 65% with open deals censored: a third of the window's deals are "
        "still open at the cutoff and many of them will be won later.", tolerance=0.005,
        percent=True),
    _ex("10.2", "Back-test at 2017-07-01: which method has the lowest per-rep WAPE for the won "
        "count: 'model', 'last_quarter' or 'mean_two_quarters'?", "choice",
        _crm_best(0, "wins", "rep_wape"),
        "filter the back-test table on cutoff 2017-07-01, target wins, metric rep_wape.",
        "the simulation: it knows each rep's open pipeline, which the baselines ignore."),
    _ex("10.3", "Back-test at 2017-10-01: which method's team won amount is least biased "
        "(smallest |bias|)?", "choice", _crm_best(1, "won_amount", "bias"),
        "filter the back-test table on cutoff 2017-10-01, target won_amount, metric bias; "
        "compare absolute values.",
        "a naive baseline: the model over-forecasts in October because recent deals stall "
        "more than the older cohorts it was fitted on."),
]}
