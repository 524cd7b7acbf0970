"""What a scenario is: validated, frozen parameters, team sections, distributions,
overrides, scenario files and the course's presets. The lowest layer: it imports
nothing else from simkit, and everything else imports it."""

from simkit.model.distributions import Deterministic, Exponential, Gamma, LogNormal, Uniform
from simkit.model.errors import ScenarioError, SimkitInputError
from simkit.model.files import load_scenario, scenario_from_dict
from simkit.model.params import (
    Archetype,
    DealSize,
    Funnel,
    Horizon,
    Leads,
    Quota,
    Scenario,
    Source,
    Stage,
    Start,
    Team,
    conversions_from_win_probs,
    win_probs_from_conversions,
)
from simkit.model.presets import DEFAULT_PRESET, as_scenario, preset, preset_names
from simkit.model.team import Attrition, Capacity, Commission, Hire, Hiring, PreSales, Ramp, Tier

__all__ = [
    "Archetype", "Attrition", "Capacity", "Commission", "DEFAULT_PRESET", "DealSize",
    "Deterministic", "Exponential", "Funnel", "Gamma", "Hire", "Hiring", "Horizon", "Leads",
    "LogNormal", "PreSales", "Quota", "Ramp", "Scenario", "ScenarioError", "SimkitInputError",
    "Source", "Stage", "Start", "Team", "Tier", "Uniform", "as_scenario",
    "conversions_from_win_probs", "load_scenario", "preset", "preset_names",
    "scenario_from_dict", "win_probs_from_conversions",
]
