"""Helpers for the team-dynamics and sweep tests."""

Z = 3.29  # two-sided 99.9%: a correct model fails a statistical test about 1 run in 1000


def det(value: float) -> dict:
    return {"kind": "deterministic", "value": value}


def exp(mean: float) -> dict:
    return {"kind": "exponential", "mean": mean}
