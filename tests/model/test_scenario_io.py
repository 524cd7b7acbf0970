"""Scenario files: round trips, the template, and clear errors for bad files."""

from __future__ import annotations

import tomllib

import pytest

import simkit
from simkit import ScenarioError, load_scenario
from simkit.cli.scenario import template_text


@pytest.mark.parametrize("name", simkit.preset_names())
def test_presets_round_trip_through_toml(name, tmp_path):
    sc = simkit.preset(name)
    path = tmp_path / "s.toml"
    path.write_text(sc.to_toml(), encoding="utf-8")
    assert load_scenario(path) == sc


def test_template_is_the_default_preset_with_comments():
    data = tomllib.loads(template_text())
    sc = simkit.scenario_from_dict(data)
    default = simkit.preset(simkit.DEFAULT_PRESET)
    assert sc.model_copy(update={"name": default.name, "description": default.description}) == default
    assert template_text().count("#") > 40  # it explains itself


BAD_FILES = {
    "not toml": ("[funnel\nstages = 1", "TOML syntax", "line 1"),
    "unknown field": ('name = "x"\ncolour = "red"\n', "colour", "unknown field"),
    "probability": (None, "funnel.stages[1].win_prob", "less than or equal to 1"),
    "negative rate": (None, "leads.per_rep_per_week", "greater than or equal to 0"),
    "empty funnel": (None, "funnel.stages", "at least 1"),
    "not increasing": (None, "funnel", "must increase"),
    "missing section": ('name = "x"\n', "team", "missing"),
}


def _edit(text: str, case: str) -> str:
    if case == "probability":
        return text.replace("win_prob = 0.35", "win_prob = 1.35")
    if case == "negative rate":
        return text.replace("per_rep_per_week = 5.0", "per_rep_per_week = -2")
    if case == "empty funnel":
        data = text.split("[[funnel.stages]]")
        rest = data[-1].split("[leads]", 1)[1]
        return data[0] + "funnel = { stages = [] }\n[leads]" + rest
    if case == "not increasing":
        return text.replace("win_prob = 0.35", "win_prob = 0.10")
    raise AssertionError(case)


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenario_files_give_clear_errors(case, tmp_path):
    text, field, fragment = BAD_FILES[case]
    if text is None:
        text = _edit(template_text(), case)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg and field in msg and fragment in msg


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.toml")


def test_unknown_distribution_kind_lists_the_choices(tmp_path):
    text = template_text().replace('duration = { kind = "gamma"', 'duration = { kind = "weibull"', 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "weibull" in str(info.value) and "lognormal" in str(info.value)
