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

from simkit.course.i18n import get_language, t
from simkit.model.labels import canonical

__all__ = ["EXERCISES", "Exercise", "Feedback", "check", "exercises_for", "forecast_drill",
           "score_drill"]


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``correct`` is None while there is no answer yet."""

    exercise: str
    correct: bool | None
    message: str
    lang: str = "en"  # the language the message is in (the one set when checking)

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "fb.right", False: "fb.not_yet", None: "fb.none"}[self.correct]
        return t("fb.line", self.lang, mark=t(mark, self.lang), exercise=self.exercise,
                 message=self.message)


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``kind`` is "number", "choice" or "rep"; ``expected`` computes the answer.

    Its question, hint and explanation live in the label catalogue
    (``simkit.course.i18n.EXERCISE_TEXT``) in both languages and follow the language set.
    """

    id: str
    kind: str
    expected: Callable[[], Any]
    tolerance: float = 0.01  # absolute, for numbers
    percent: bool = False  # the answer is a share: 0.57 and 57 (percent) are both read

    @property
    def question(self) -> str:
        return t(f"ex.{self.id}.question")

    @property
    def hint(self) -> str:
        return t(f"ex.{self.id}.hint")

    @property
    def explanation(self) -> str:
        return t(f"ex.{self.id}.explanation")


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
    lang = get_language()
    if ex is None:
        return Feedback(str(exercise), False, t("fb.unknown", exercise=repr(exercise),
                                                known=", ".join(EXERCISES)), lang)
    if answer is None or answer is ...:
        return Feedback(ex.id, None, t("fb.no_answer"), lang)
    try:
        return _check(ex, answer)
    except Exception as exc:  # noqa: BLE001 -- a check must never end a lesson in a traceback
        return Feedback(ex.id, False, t("fb.unreadable", answer=repr(answer), error=exc), lang)


def _check(ex: Exercise, answer: Any) -> Feedback:
    expected = _expected(ex.id)
    lang = get_language()
    if ex.kind == "choice":
        if not isinstance(answer, str):
            return Feedback(ex.id, False, t("fb.choice_text", type=type(answer).__name__), lang)
        ok = canonical(answer).strip().lower() == str(expected).lower()
        return _verdict(ex, ok, "")
    if ex.kind == "rep":
        n = _number(answer)
        if n is None or n != int(n):
            return Feedback(ex.id, False, t("fb.rep_number", answer=repr(answer)), lang)
        return _verdict(ex, int(n) == expected, "")
    n = _number(answer)
    if n is None or math.isnan(n):
        return Feedback(ex.id, False, t("fb.not_number", answer=repr(answer),
                                        type=type(answer).__name__), lang)
    if abs(n - expected) <= ex.tolerance:
        return _verdict(ex, True, "")
    if ex.percent and abs(n / 100 - expected) <= ex.tolerance:
        return _verdict(ex, True, t("fb.read_as", n=f"{n:g}", pct=f"{n / 100:.1%}"))
    return _verdict(ex, False, "")


def _verdict(ex: Exercise, ok: bool, note: str) -> Feedback:
    lang = get_language()
    if ok:
        return Feedback(ex.id, True, note + (ex.explanation or t("fb.well_done")), lang)
    return Feedback(ex.id, False, t("fb.hint", hint=ex.hint), lang)


@cache
def _expected(exercise_id: str):
    return EXERCISES[exercise_id].expected()


def exercises_for(lesson: int) -> list[Exercise]:
    """The exercises of one lesson notebook, in order."""
    return [e for e in EXERCISES.values() if e.id.split(".")[0] == str(lesson)]


# ------------------------------------------------------------------ the forecast drill

CALLS = ("committed", "possible", "no")
# The calls may also be given in the course's Chinese words.
_CALL_SYNONYMS = {"确保": "committed", "确保收入": "committed", "可能": "possible",
                  "可能收入": "possible", "不": "no", "否": "no", "不计入": "no"}


@cache
def _drill(n: int, seed: int, week: float):
    import numpy as np
    import pandas as pd

    from simkit.course.cases import open_deals_at
    from simkit.sim.dispatch import simulate

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

    Columns: deal_id, rep (counted from 1, as on screen), stage, weeks_in_stage,
    amount. Call each one "committed" (确保, >= 90% sure to pay this quarter),
    "possible" (可能, >= 50%) or "no", and score the calls with :func:`score_drill`.
    """
    out = _drill(n, seed, week).drop(columns=["won_in_quarter"])
    return out.assign(rep=out["rep"] + 1)


def score_drill(calls: Any, n: int = 10, seed: int = 1, week: float = 8) -> Feedback:
    """Score forecast calls against what the simulation then did.

    Right when at least one deal is called committed, at least 70% of the
    committed calls were won in the quarter (the course coaches 80-85%) and
    no more than half of the possible calls were.
    """
    deals = _drill(n, seed, week)
    lang = get_language()
    names = t("fb.drill_calls")
    if calls is None:
        return Feedback("6.3", None, t("fb.drill_make", n=len(deals), calls=names), lang)
    if isinstance(calls, str) or not hasattr(calls, "__len__") or len(calls) != len(deals):
        return Feedback("6.3", False, t("fb.drill_len", n=len(deals), got=repr(calls)), lang)
    calls = [_CALL_SYNONYMS.get(str(c).strip().lower(), str(c).strip().lower()) for c in calls]
    bad = sorted({c for c in calls if c not in CALLS})
    if bad:
        return Feedback("6.3", False, t("fb.drill_bad", calls=names, got=bad), lang)
    won = deals["won_in_quarter"].to_numpy()
    parts = []
    share = {}
    for c in CALLS:
        mask = [x == c for x in calls]
        k = sum(mask)
        w = int(won[mask].sum()) if k else 0
        share[c] = w / k if k else float("nan")
        parts.append(t("fb.drill_part", call=t(f"call.{c}"), won=w, k=k)
                     + (f" ({w / k:.0%})" if k else ""))
    ok = (sum(x == "committed" for x in calls) > 0 and share["committed"] >= 0.7
          and not share.get("possible", 0) > 0.5)
    msg = t("fb.drill_sep").join(parts) + t("fb.drill_rule")
    if not ok:
        msg += t("fb.drill_hint")
    return Feedback("6.3", ok, msg, lang)


# ------------------------------------------------------------------ the answers


def _small():
    from simkit.model.presets import preset

    return preset("small-projects")


def _conv_intent_solution():
    f = _small().funnel
    return f.conversions[0]


def _solution_count_10_wins():
    from simkit.analysis import standard_funnel

    sc = _small()
    sf = standard_funnel(10 * 12 * sc.deal_size.mean, sc.deal_size.mean, sc.funnel, weeks=12)
    return sf.stage_counts[1]


def _q2_quota():
    from simkit.analysis import target_decomposition

    dec = target_decomposition(1045, {"vat": 1.17, "small_share": 0.70, "quarter_share": 0.28})
    return float(dec["value"].iloc[-1])


def _reps_at_4():
    from simkit.analysis import standard_funnel

    sc = _small()
    return standard_funnel(240, 2.0, sc.funnel, new_per_rep_per_week=4).reps_needed


def _case_b_gap():
    from simkit.analysis import funnel_gap
    from simkit.course.cases import CASE_B

    return funnel_gap(CASE_B["counts"], _small().funnel, CASE_B["realised"], CASE_B["quota"],
                      CASE_B["avg_deal"])


def _leads_for_16pct():
    # Expected wins = leads x win rate: keep the product at the preset's.
    sc = _small()
    return sc.leads.per_rep_per_week * sc.funnel.win_rate / 0.16


def _large_accepted_signable():
    from simkit.analysis import large_project_forecast
    from simkit.model.presets import preset

    f = large_project_forecast((600, 400, 300, 250, 200), preset("large-projects").funnel,
                               won_expected_collection=40,
                               signable_stages=("accepted", "negotiation"))
    return f.collection_forecast


def _negotiation_share_won():
    from simkit.course.cases import open_deals_at
    from simkit.sim.dispatch import simulate

    deals = open_deals_at(simulate(_small(), replications=20, seed=1), week=8)
    return float(deals.loc[deals["stage"] == "negotiation", "won_in_quarter"].mean())


def _coaching_rep(problem: str):
    def find():
        from simkit.course.cases import coaching_team

        _, truth = coaching_team(7)
        # The answer is the rep's number as shown on screen, counted from 1.
        return next(r for r, p in truth.items() if p == problem) + 1

    return find


def _payout_at_120():
    from simkit.course.cases import commission_plan

    return float(commission_plan().payout(28.8, 24))


def _cost_of_sales():
    from simkit.course.cases import commission_plan
    from simkit.sim.dispatch import simulate

    rq = simulate(_small(), replications=100, seed=1).rep_quarters
    pay = commission_plan().payout(rq["won_amount"].to_numpy(), rq["quota"].to_numpy())
    return float(pay.sum() / rq["won_amount"].sum())


def _ramp_weeks_first_quarter():
    from simkit.model.team import Ramp

    return Ramp().integral(0, 12)


def _solver_reps():
    from simkit.course.cases import planning_headcount

    return planning_headcount().reps


def _presales_split_cost():
    from simkit.course.cases import presales_pools
    from simkit.planning.solvers import compare

    shared, split = presales_pools()
    df = compare(shared, split, replications=20, seed=1).set_index("metric")
    return float(df.loc["attainment", "diff"])


def _crm_naive_win_rate():
    import pandas as pd

    from simkit.course.cases import CRM_CUTOFFS, crm_example
    from simkit.crm import DEFAULT_LOOKBACK_WEEKS, as_of

    c = pd.Timestamp(CRM_CUTOFFS[0])
    known = as_of(crm_example().deals, c)
    window = known[known["created"] >= c - pd.Timedelta(weeks=DEFAULT_LOOKBACK_WEEKS)]
    return float((window["status"] == "won").mean())


def _crm_best(cutoff_index: int, target: str, metric: str):
    def best():
        from simkit.course.cases import CRM_CUTOFFS, crm_backtest

        tab = crm_backtest().table
        rows = tab[(tab["cutoff"] == CRM_CUTOFFS[cutoff_index]) & (tab["target"] == target)
                   & (tab["metric"] == metric)
                   & tab["method"].isin(["model", "last_quarter", "mean_two_quarters"])]
        return rows.loc[rows["value"].abs().idxmin(), "method"]

    return best


def _ex(*args, **kw) -> Exercise:
    return Exercise(*args, **kw)


EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    _ex("0.1", "number", lambda: _small().quota.weeks_per_quarter, tolerance=0),
    _ex("0.2", "choice", lambda: "negotiation"),
    _ex("1.1", "number", _conv_intent_solution, tolerance=0.005, percent=True),
    _ex("1.2", "number", _solution_count_10_wins, tolerance=0.5),
    _ex("2.1", "number", lambda: 5 * 0.20 * 2.0 * 12, tolerance=0.5),
    _ex("2.2", "number", _leads_for_16pct, tolerance=0.05),
    _ex("3.1", "number", _q2_quota, tolerance=1.0),
    _ex("3.2", "number", _reps_at_4, tolerance=0.5),
    _ex("4.1", "number", lambda: _case_b_gap().expected_wins, tolerance=0.1),
    _ex("4.2", "number", lambda: _case_b_gap().project_gap, tolerance=1.0),
    _ex("5.1", "number", lambda: 100 * 0.5, tolerance=0.5),
    _ex("5.2", "number", _large_accepted_signable, tolerance=0.5),
    _ex("6.1", "number", lambda: 100 + 80 * 0.75 + 60 * 0.25 + 240 * 0.04 * 4, tolerance=0.5),
    _ex("6.2", "number", _negotiation_share_won, tolerance=0.02, percent=True),
    _ex("7.1", "rep", _coaching_rep("not enough prospecting")),
    _ex("7.2", "rep", _coaching_rep("low win rate")),
    _ex("7.3", "rep", _coaching_rep("low deal size")),
    _ex("8.1", "number", _ramp_weeks_first_quarter, tolerance=0.05),
    _ex("8.2", "number", _solver_reps, tolerance=0),
    _ex("8.3", "number", _presales_split_cost, tolerance=0.01, percent=True),
    _ex("9.1", "number", _payout_at_120, tolerance=0.01),
    _ex("9.2", "number", _cost_of_sales, tolerance=0.002, percent=True),
    _ex("10.1", "number", _crm_naive_win_rate, tolerance=0.005, percent=True),
    _ex("10.2", "choice", _crm_best(0, "wins", "rep_wape")),
    _ex("10.3", "choice", _crm_best(1, "won_amount", "bias")),
    # The sandbox's rules (simkit.sandbox.game.RULES; course cannot import the sandbox layer,
    # tests/sandbox/test_sandbox_lesson.py keeps these in step).
    _ex("11.1", "number", lambda: 3 * 6.0 + 2 * 5.0 + 4 * 2.0, tolerance=0.01),
    _ex("11.2", "number", lambda: 190 * 0.75 + 250 * 0.25, tolerance=0.5),
]}
