"""Team sections of a scenario: defaults, validation, closed forms (ramp, commission)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import simkit
from simkit import ScenarioError
from simkit.model.team import Attrition, Capacity, Commission, Ramp, Tier


def test_presets_use_no_dynamics():
    for name in simkit.preset_names():
        sc = simkit.preset(name)
        assert not sc.uses_dynamics and sc.commission is None


def test_defaults_are_the_domain_benchmarks(small):
    sc = small.override({"ramp": {}, "attrition": {}})
    assert sc.uses_dynamics
    assert sc.ramp.curve == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert sc.attrition.yearly_rate == 0.30
    # a commission plan alone changes results, not the engine
    assert not small.override({"commission": {}}).uses_dynamics


@pytest.mark.parametrize("changes, field", [
    ({"capacity": {}}, "capacity"),
    ({"capacity": {"max_open_deals": 3, "hours_per_week": 40}}, "capacity"),
    ({"capacity": {"max_open_deals": 0}}, "capacity.max_open_deals"),
    ({"presales": {"consultants": 2, "stage": "nowhere"}}, "presales.stage"),
    ({"presales": {"consultants": 1, "pool": "per_team", "teams": 2}}, "per_team"),
    ({"ramp": {"curve": [0.5, 1.2]}}, "curve[1]"),
    ({"attrition": {"yearly_rate": 1.0}}, "attrition.yearly_rate"),
    ({"hiring": {"plan": [{"week": 4, "count": 2, "archetype": "star"}]}}, "archetype"),
    ({"commission": {"tiers": [{"attainment": 1.5, "rate": 0.1},
                               {"attainment": 1.0, "rate": 0.08}]}}, "increasing"),
    ({"commision": {}}, "unknown"),
])
def test_bad_team_sections_name_the_field(small, changes, field):
    with pytest.raises(ScenarioError) as exc:
        small.override(changes)
    assert field in str(exc.value)


def test_team_sections_round_trip_through_toml(small, tmp_path):
    sc = small.override({"capacity": {"hours_per_week": 40}, "presales": {"consultants": 3},
                         "hiring": {"plan": [{"week": 12, "count": 4}]}, "ramp": {},
                         "attrition": {"backfill": False}, "commission": {
                             "tiers": [{"name": "base", "attainment": 1.0, "rate": 0.08}]}})
    path = tmp_path / "s.toml"
    path.write_text(sc.to_toml(), "utf-8")
    assert simkit.load_scenario(path) == sc


def test_ramp_factor_and_integral():
    r = Ramp()
    assert [r.factor(w) for w in (0, 3.9, 4, 8, 12, 16, 100)] == [0, 0, .25, .5, .75, 1, 1]
    assert r.integral(0, 20) == pytest.approx(4 * (0 + .25 + .5 + .75) + 4)
    assert r.integral(-5, 2) == 0.0
    assert r.integral(6, 10) == pytest.approx(2 * .25 + 2 * .5)


def test_capacity_hours_form():
    c = Capacity(hours_per_week=40, hours_per_deal=2, hours_per_new_project=1)
    assert c.deal_slots(lead_rate=5) == 17  # (40 - 5 h prospecting) / 2 h a deal
    p = Capacity(hours_per_week=40, hours_per_deal=2, hours_per_new_project=1,
                 when_full="prospect_less")
    assert p.prospecting_share(5, open_deals=10) == 1.0
    assert p.prospecting_share(5, open_deals=18) == pytest.approx(0.8)
    assert p.prospecting_share(5, open_deals=25) == 0.0


def test_attrition_hazard():
    a = Attrition(yearly_rate=0.3)
    assert 1 - math.exp(-a.hazard_per_week(12) * 48) == pytest.approx(0.3)


def test_commission_payout_tiers_and_cap():
    c = Commission(rate=0.05, tiers=(Tier(name="base", attainment=1.0, rate=0.08),
                                     Tier(name="challenge", attainment=1.2, rate=0.12)),
                   cap_attainment=2.0)
    q = 100.0
    assert c.payout(50, q) == pytest.approx(2.5)
    assert c.payout(110, q) == pytest.approx(5 + 0.8)
    assert c.payout(150, q) == pytest.approx(5 + 1.6 + 3.6)
    assert c.payout(400, q) == c.payout(200, q)  # capped
    assert c.payout(10, 0.0) == pytest.approx(0.5)  # no quota: base rate
    won = np.linspace(0, 250, 26)
    pay = c.payout(won, q)
    assert np.all(np.diff(pay) >= 0)
    assert np.all(np.diff(pay[:21], 2) >= -1e-12)  # convex up to the cap: accelerators
