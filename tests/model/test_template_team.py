"""The scenario template documents every team section, commented out."""

from __future__ import annotations

import re
import tomllib

import simkit
from simkit.cli.scenario import template_text

MARK = "# ---------------------------------------------------------------- team dynamics"


def test_template_is_still_the_preset():
    sc = simkit.scenario_from_dict(tomllib.loads(template_text()))
    assert not sc.uses_dynamics and sc.commission is None


def test_uncommented_team_examples_are_a_valid_scenario():
    head, team = template_text().split(MARK)
    toml_line = re.compile(r"^# (\[|[a-z_]+ = |    \{|\])")
    body = "\n".join(line[2:] for line in team.splitlines() if toml_line.match(line))
    sc = simkit.scenario_from_dict(tomllib.loads(head + body))
    for section in ("capacity", "presales", "hiring", "ramp", "attrition", "commission"):
        assert getattr(sc, section) is not None, section
    assert sc.uses_dynamics and len(sc.commission.tiers) == 3
