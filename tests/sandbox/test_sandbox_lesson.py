"""Lesson 11's exercises quote the sandbox's rules: they must follow the rules if these change.

(The course layer cannot import the sandbox, so the exercises' answers are written from the
rules' numbers; this test compares them with :data:`simkit.sandbox.game.RULES`.)
"""

from __future__ import annotations

from simkit.course.exercises import _expected
from simkit.sandbox import game


def test_the_budget_exercise_follows_the_rules():
    plan = {"hires": 3, "consultants": 2, "training_days": 4}
    assert _expected("11.1") == game.discretionary_cost(plan)
    assert _expected("11.1") <= game.RULES.budget


def test_the_forecast_exercise_follows_the_rules():
    r = game.RULES
    assert _expected("11.2") == 190 * r.committed_weight + 250 * r.possible_weight
