"""The Chinese scenario template: the English one's scenario, with Chinese comments.

``simkit scenario template`` prints ``templates/scenario.zh.toml`` when the command's
language is Chinese. The two files set the same keys to the same values; only the
comments and the free-text ``description`` are translated (a person reads both).
"""

from __future__ import annotations

import re
import tomllib

import pytest

import simkit
from simkit.cli.scenario import TEMPLATES, template_text

CJK = re.compile(r"[\u4e00-\u9fff]")
# A commented-out TOML line of an example ("# [capacity]", "# share = 0.2", "#     { name ...").
TOML_EXAMPLE = re.compile(r"^# (\[|[a-z_]+ = |    \{|\])")

# English that may stand in the Chinese comments, besides the keys and string values
# the template itself sets (with its examples uncommented), reviewed:
ALLOWED = {
    # commands, their arguments and the file format
    "simkit", "scenario", "validate", "run", "FILE", "replications", "TOML",
    # keys that appear only inside comments (distributions, starts, options, the plan)
    "value", "low", "high", "mode", "warmup_weeks", "counts", "week", "realised",
    "weekly_plan", "hours_per_week", "hours_per_deal", "hours_per_new_project",
    # literal values named in the text: kinds, modes, options, the last stage, the preset
    "deterministic", "exponential", "gamma", "lognormal", "uniform", "standard", "empty",
    "snapshot", "by_archetype", "prospect_less", "per_team", "won", "small", "projects",
    "true",
}


def _uncommented(text: str) -> dict:
    """The template with every commented-out example switched on (sources, archetypes,
    the weekly plan, every team-dynamics section)."""
    return tomllib.loads("\n".join(line[2:] if TOML_EXAMPLE.match(line) else line
                                   for line in text.splitlines()))


def _words(value) -> set[str]:
    """Every key and every word of a string value in a parsed TOML document."""
    if isinstance(value, dict):
        return set(value).union(*(_words(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_words(v) for v in value))
    return set(re.findall(r"[A-Za-z_]{2,}", value)) if isinstance(value, str) else set()


def _comments(text: str) -> list[str]:
    """The comment of every line (from its '#'; no '#' appears inside a string value)."""
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


def test_both_languages_ship_a_template():
    assert set(TEMPLATES) == {"en", "zh"}
    assert template_text("fr") == template_text("en") == template_text()


def test_both_templates_are_the_same_scenario_but_for_the_description():
    en = simkit.scenario_from_dict(tomllib.loads(template_text("en")))
    zh = simkit.scenario_from_dict(tomllib.loads(template_text("zh")))
    assert zh.description != en.description and CJK.search(zh.description)
    assert zh.model_copy(update={"description": en.description}) == en


def test_both_templates_load_from_a_file_to_the_same_scenario(tmp_path):
    loaded = {}
    for lang in ("en", "zh"):
        path = tmp_path / f"{lang}.toml"
        path.write_text(template_text(lang), encoding="utf-8")
        loaded[lang] = simkit.load_scenario(path)
    assert loaded["zh"].model_copy(update={"description": loaded["en"].description}) \
        == loaded["en"]


def test_their_examples_are_the_same_scenario_too():
    """Every commented-out section says the same in both files."""
    en, zh = _uncommented(template_text("en")), _uncommented(template_text("zh"))
    zh["description"] = en["description"]
    assert zh == en
    sc = simkit.scenario_from_dict(zh)
    assert sc.uses_dynamics and len(sc.commission.tiers) == 3
    assert len(sc.leads.sources) == len(sc.team.archetypes) - 1 == 2 and sc.leads.weekly_plan


def test_the_chinese_comments_are_chinese():
    text = template_text("zh")
    prose = [c for c in _comments(text)
             if not TOML_EXAMPLE.match(c) and c.strip("# -").strip()
             and not c.startswith("#   {")]
    assert len(prose) > 40
    assert not [c for c in prose if not CJK.search(c)]


def test_the_chinese_comments_use_no_other_english_words():
    text = template_text("zh")
    allowed = ALLOWED | _words(_uncommented(text))
    found = {w: c for c in _comments(text) for w in re.findall(r"[A-Za-z_]{2,}", c)
             if w not in allowed}
    assert not found, found


def test_the_english_template_has_no_chinese_beyond_the_course_terms():
    """The English comments quote the course's Chinese terms (该阶段成功率, 万) only."""
    prose = [c for c in _comments(template_text("en")) if CJK.search(c)]
    assert prose and all(len(CJK.findall(c)) <= 12 for c in prose)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_uncommented_team_examples_are_a_valid_scenario(lang):
    sc = simkit.scenario_from_dict(_uncommented(template_text(lang)))
    for section in ("capacity", "presales", "hiring", "ramp", "attrition", "commission"):
        assert getattr(sc, section) is not None, section
