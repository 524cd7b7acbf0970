"""Statistical checks: simulated means against closed forms, tolerance z*s/sqrt(n)
from the per-replication values (see tests/conftest.py), over several scenarios."""

from __future__ import annotations

import math

import numpy as np
import pytest

import simkit
from tests.conftest import z_tolerance

SOURCES = [{"name": "new", "share": 0.6},
           {"name": "existing", "share": 0.4, "entry_stage": "solution",
            "deal_size_multiplier": 1.5}]
ARCHETYPES = [{"name": "top", "share": 0.3, "prospecting": 1.4, "conversion": 1.3, "deal_size": 1.2},
              {"name": "average", "share": 0.4},
              {"name": "lagging", "share": 0.3, "prospecting": 0.6, "conversion": 0.7}]

SCENARIOS = {
    "small-projects": (simkit.preset("small-projects"), 40),
    "seven-step": (simkit.preset("seven-step"), 30),
    "large-projects": (simkit.preset("large-projects"), 60),
    "sources": (simkit.preset().override({"leads.sources": SOURCES}), 40),
    "archetypes": (simkit.preset().override({"team.archetypes": ARCHETYPES,
                                             "quota.split": "by_archetype"}), 40),
    "exponential": (simkit.preset().override({
        f"funnel.stages.{i}.duration": {"kind": "exponential", "mean": 1.5} for i in range(3)}), 40),
    "empty+warmup": (simkit.preset().override({
        "horizon.start": {"mode": "empty", "warmup_weeks": 20}}), 40),
}


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def run(request):
    sc, n = SCENARIOS[request.param]
    return sc, simkit.simulate(sc, replications=n, seed=2024)


def test_expected_wins_equal_arrivals_times_conversion_product(run):
    sc, res = run
    wins = res.team_quarters.groupby("replication").wins.mean()
    theory = sc.expected_wins_per_week() * sc.quota.weeks_per_quarter
    assert abs(wins.mean() - theory) <= z_tolerance(wins)


def test_won_amount_and_attainment(run):
    sc, res = run
    tq = res.team_quarters.groupby("replication")
    amount = tq.won_amount.mean()
    assert abs(amount.mean() - sc.expected_won_amount_per_week() * 12) <= z_tolerance(amount)
    att = tq.attainment.mean()
    assert abs(att.mean() - sc.expected_attainment()) <= z_tolerance(att)


def test_deal_size_mean(run):
    sc, res = run
    d = res.deals
    mult = {s.name: s.deal_size_multiplier for s in sc.leads.sources}
    mult["snapshot"] = 1.0
    reps = sc.team.rep_archetypes()
    expected = sc.deal_size.mean * d.source.map(mult).astype(float) * np.array(
        [reps[i].deal_size for i in d.rep])
    ratio = (d.amount / expected).groupby(d.replication).mean()
    assert abs(ratio.mean() - 1.0) <= z_tolerance(ratio)


def test_littles_law_for_open_deals(run):
    """L = lambda W per stage: open deals = arrival rate into the stage x mean time in it."""
    sc, res = run
    snaps = res.snapshots
    for k, stage in enumerate(sc.funnel.stages):
        rate = 0.0
        for a in sc.team.rep_archetypes():
            conv = sc.rep_conversions(a)
            for src in sc.leads.sources:
                e = sc.entry_index(src)
                if e <= k:
                    rate += (sc.leads.per_rep_per_week * a.prospecting * src.share
                             * math.prod(conv[e:k]))
        level = snaps[snaps.stage == stage.name].groupby("replication")["count"].mean()
        theory = rate * stage.duration.mean
        assert abs(level.mean() - theory) <= z_tolerance(level), stage.name


@pytest.mark.parametrize("dist", [
    simkit.Gamma(mean=2.0, cv=0.7), simkit.LogNormal(mean=2.0, cv=1.2),
    simkit.Exponential(mean=1.5), simkit.Uniform(low=0.5, high=3.0),
])
def test_distributions_state_their_mean_variance_and_residual(dist):
    rng = np.random.default_rng(11)
    x = dist.sample(rng, 200_000)
    assert abs(x.mean() - dist.mean) <= z_tolerance(x)
    # Sample variance: its standard error from the fourth central moment.
    dev2 = (x - x.mean()) ** 2
    assert abs(dev2.mean() - dist.var) <= z_tolerance(dev2)
    # Equilibrium residual has mean E[D^2] / (2 E[D]).
    r = dist.sample_residual(rng, 200_000)
    theory = (dist.var + dist.mean**2) / (2 * dist.mean)
    assert abs(r.mean() - theory) <= z_tolerance(r)
