"""The command's printed output follows --lang (default SIMKIT_LANG, else the locale); JSON does not.

Behavioural tests: every text comes from the one catalogue (simkit.course.i18n,
keys ``cli.*``), the Chinese output holds no English word outside a short
allow-list, both languages carry the same lines and numbers, and ``--json`` is
byte-identical whatever the language.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkit.cli import main
from simkit.cli.lang import default_language
from simkit.course.i18n import LABELS

ROOT = Path(__file__).resolve().parents[2]
LOCALE = {"SIMKIT_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}

# English that may stand in Chinese output, reviewed: the SimPy engine's name, scenario
# names (small-projects, my-branch ...) and the scenario path a sweep's grid names (team.reps).
ALLOWED = {"SimPy", "small", "projects", "large", "seven", "step", "branch", "team", "reps"}


def invoke(*args, env=None):
    """Run the command in a neutral locale plus ``env`` (None unsets a variable)."""
    return CliRunner().invoke(main, [str(a) for a in args], env={**LOCALE, **(env or {})})


def english_words(text: str, *allowed_text: str) -> set[str]:
    for a in allowed_text:  # file paths and the like, shown as given
        text = text.replace(str(a), " ")
    return {w for w in re.findall(r"[A-Za-z]{3,}", text)} - ALLOWED


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?%?", text)


# --- the language is chosen once: option, else SIMKIT_LANG, else locale, else English ---

@pytest.mark.parametrize("env, expected", [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is not set
    ({"SIMKIT_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ({"SIMKIT_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"SIMKIT_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),  # not a language: the locale decides
])
def test_default_language(env, expected):
    assert default_language(env) == expected


@pytest.mark.parametrize("args, env, chinese", [
    ((), {}, False),
    (("--lang", "zh"), {}, True),
    ((), {"SIMKIT_LANG": "zh"}, True),
    ((), {"LANG": "zh_CN.UTF-8"}, True),
    ((), {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, True),
    (("--lang", "en"), {"SIMKIT_LANG": "zh"}, False),  # the option beats the environment
    (("--lang", "zh"), {"LANG": "en_US.UTF-8"}, True),
])
def test_the_summary_follows_option_environment_and_locale(args, env, chinese):
    r = invoke(*args, "run", "-n", "2", env=env)
    assert r.exit_code == 0, r.output
    assert ("团队完成率" in r.output) is chinese
    assert ("team attainment" in r.output) is not chinese


def test_an_unknown_language_is_refused():
    r = invoke("--lang", "fr", "presets")
    assert r.exit_code == 2 and "--lang" in r.output


# --- Chinese output is Chinese ---

@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_the_chinese_run_summary_has_no_english_words(tmp_path, engine):
    out = tmp_path / "res"
    r = invoke("--lang", "zh", "run", "-n", "3", "--engine", engine, "--out", out)
    assert r.exit_code == 0, r.output
    assert not english_words(r.output, out), r.output
    for term in ("团队完成率", "达标销售占比", "成交额", "季度", "万", "结果表已写入"):
        assert term in r.output


def test_chinese_presets_validate_template_and_sweep(tmp_path):
    r = invoke("--lang", "zh", "presets")
    assert r.exit_code == 0 and not english_words(r.output), r.output
    assert "意向阶段 > 方案阶段 > 谈判阶段" in r.output and "期望完成率" in r.output
    path = tmp_path / "s.toml"
    r = invoke("--lang", "zh", "scenario", "template", "--out", path)
    assert r.exit_code == 0 and r.output.strip() == f"已写入 {path}"
    r = invoke("--lang", "zh", "scenario", "validate", path)
    assert r.exit_code == 0 and not english_words(r.output, path), r.output
    assert "阶段转化率 57%" in r.output
    table = tmp_path / "grid.csv"
    r = invoke("--lang", "zh", "sweep", "--grid", "team.reps=3,4", "-n", "2",
               "--backend", "serial", "--out", table)
    assert r.exit_code == 0 and not english_words(r.output, table), r.output
    assert "团队完成率" in r.output and "均值" in r.output and "%" in r.output


@pytest.mark.parametrize("args, env, lang", [
    (["--lang", "zh"], {}, "zh"),
    (["--lang", "en"], {"SIMKIT_LANG": "zh"}, "en"),  # the option wins
    ([], {"SIMKIT_LANG": "zh"}, "zh"),
    ([], {"LANG": "zh_CN.UTF-8"}, "zh"),
    ([], {}, "en"),
])
def test_the_scenario_template_follows_the_language(tmp_path, args, env, lang):
    from simkit.cli.scenario import template_text

    r = invoke(*args, "scenario", "template", env=env)
    assert r.exit_code == 0 and r.output == template_text(lang)
    assert ("单位：时间以周计" in r.output) == (lang == "zh")
    path = tmp_path / "s.toml"  # --out writes the same text
    r = invoke(*args, "scenario", "template", "--out", path, env=env)
    assert r.exit_code == 0 and path.read_text(encoding="utf-8") == template_text(lang)


def test_errors_keep_their_body_and_translate_the_prefix():
    en = invoke("--lang", "en", "run", "--preset", "huge-projects")
    zh = invoke("--lang", "zh", "run", "--preset", "huge-projects")
    assert en.exit_code == zh.exit_code == 2
    assert en.output.startswith("error: ") and zh.output.startswith("错误：")
    assert en.output.removeprefix("error: ") == zh.output.removeprefix("错误：")


def test_an_interrupted_run_says_so_in_the_language(monkeypatch):
    import simkit.cli.run

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(simkit.cli.run, "simulate", stop)
    r = invoke("--lang", "zh", "run", "-n", "2")
    assert r.exit_code == 130 and "已中断" in r.output and "interrupted" not in r.output
    r = invoke("--lang", "en", "run", "-n", "2")
    assert r.exit_code == 130 and "interrupted" in r.output and "已中断" not in r.output


def test_calibrate_and_backtest_print_in_chinese(tmp_path):
    export = ROOT / "tests" / "crm" / "data" / "maven_shape.csv"
    r = invoke("--lang", "zh", "calibrate", export, "--cutoff", "2020-05-15", "-n", "20",
               "--out", tmp_path / "sc.toml")
    assert r.exit_code == 0, r.output
    for text in ("字段映射 maven：读取 67 行", "参数", "每人每周新增项目", "估计", "已成交",
                 "完成指标", "场景文件已写入"):
        assert text in r.output
    en = invoke("calibrate", export, "--cutoff", "2020-05-15", "-n", "20")
    assert en.exit_code == 2 and en.output.startswith("error: ")


def test_calibration_summary_reads_as_a_person_writes_it(tmp_path):
    """An excluded row is named in the reader's language (第 3 行, not "line 3") and the
    parameters show 67 rows as 67 and a rate as 0.1234, not 67.000000 / 0.123412."""
    lines = (ROOT / "tests" / "crm" / "data" / "maven_shape.csv").read_text().splitlines()
    bad = lines[1].rsplit(",", 1)[0] + ",twelve"  # an amount nobody can read
    export = tmp_path / "export.csv"
    export.write_text("\n".join([lines[0], bad, *lines[2:]]) + "\n")
    zh = invoke("--lang", "zh", "calibrate", export, "--cutoff", "2020-05-15", "-n", "5",
                "--out", tmp_path / "a.toml")
    en = invoke("--lang", "en", "calibrate", export, "--cutoff", "2020-05-15", "-n", "5",
                "--out", tmp_path / "b.toml")
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    assert "例如第 2 行（D0000000）" in zh.output and "line " not in zh.output
    assert "e.g. line 2 (D0000000)" in en.output
    assert "数据偏少：团队、Rep 0、" in zh.output  # a Chinese list is joined with 、
    for out in (zh.output, en.output):
        assert not re.search(r"\d\.\d{5,}", out.split("==")[0]), out  # the parameters


# --- both languages say the same things ---

def test_both_summaries_have_the_same_lines_and_numbers(tmp_path):
    en = invoke("--lang", "en", "run", "-n", "3", "--seed", "4").output
    zh = invoke("--lang", "zh", "run", "-n", "3", "--seed", "4").output
    assert len(en.splitlines()) == len(zh.splitlines())
    assert numbers(en) == numbers(zh)


def test_every_cli_text_is_in_the_catalogue_in_both_languages():
    cli_keys = {k for k in LABELS if k.startswith("cli.")}
    for key in cli_keys:
        en, zh = LABELS[key]
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), key
    src = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "simkit" / "cli").glob("*.py"))
    used = set(re.findall(r"""\bmsg\(\s*["'](cli\.[\w.\-]+)["']""", src))
    assert used and used <= cli_keys, used - cli_keys
    for engine in ("simpy", "fast", "team-fast"):  # the summary names the engine
        assert f"cli.engine.{engine}" in LABELS
    for name in ("small-projects", "large-projects", "seven-step"):  # presets' descriptions
        assert f"cli.preset.{name}" in LABELS


# --- JSON is for programs: the same whatever the language ---

def test_json_is_identical_in_every_language():
    outputs = [invoke(*args, "run", "-n", "2", "--seed", "5", "--json", env=env).output
               for args, env in [((), {}), (("--lang", "zh"), {}), ((), {"SIMKIT_LANG": "zh"}),
                                 ((), {"LANG": "zh_CN.UTF-8"}), (("--lang", "en"), {})]]
    assert len(set(outputs)) == 1
    s = json.loads(outputs[0], parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert "team_attainment_mean" in s and s["seed"] == 5


# --- the commands that start a workbook or the app open in the same language ---

@pytest.mark.parametrize("args, env, notebooks, printed", [
    ((), {}, "en", "en"),
    (("--lang", "zh"), {}, "zh", "zh"),
    ((), {"LANG": "zh_CN.UTF-8"}, "zh", "zh"),
    # the command's own option chooses the notebooks; simkit's the printed line
    (("--lang", "zh", "workbook", "--lang", "en"), {}, "en", "zh"),
])
def test_the_workbook_opens_in_the_chosen_language(tmp_path, monkeypatch, args, env, notebooks,
                                                   printed):
    import simkit.cli.workbook as wb

    started = []
    monkeypatch.setattr(wb, "_exec", lambda cmd, cwd, environ: started.append(environ))
    if "workbook" not in args:
        args = (*args, "workbook")
    r = invoke(*args, "--dir", tmp_path / "wb", "--no-browser", env=env)
    assert r.exit_code == 0, r.output
    assert started[0]["SIMKIT_LANG"] == notebooks
    assert ("已复制" in r.output) is (printed == "zh")


@pytest.mark.parametrize("lang, words", [("zh", "正在模拟 small-projects"),
                                         ("en", "simulating small-projects")])
def test_progress_bar_speaks_the_commands_language(lang, words):
    r = invoke("--lang", lang, "run", "-n", "3", "--engine", "simpy", "--progress")
    assert r.exit_code == 0, r.output
    assert words in r.stderr


def test_sweep_progress_bar_speaks_the_commands_language(tmp_path):
    r = invoke("--lang", "zh", "sweep", "-n", "2", "--grid", "team.reps=4,5", "--progress",
               "--out", tmp_path / "s.csv")
    assert r.exit_code == 0, r.output
    assert "参数扫描" in r.stderr and "sweep" not in r.stderr.replace("s.csv", "")
