"""Chinese text uses the glossary's terms (domain brief section 12) and nothing else.

Every Chinese string a person reads, wherever it lives (the label catalogue, the
exercises, the trainer's kit, the sandbox, the CRM reports: every string literal
with Chinese in ``simkit/``; the Chinese cells of ``lessons/*.md``, which also
make the app pages' explanations; ``README.zh-CN.md``; the Chinese lines of
``docs/``; the package's static .json/.js/.html/.css files; the Chinese lines of its
.toml files, such as the Chinese scenario template's comments), must not use a second
word for a concept the glossary names. Each variant below was found in the text
once, next to the glossary's term for the same idea.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")

# variant -> the glossary's term (or the course's usual wording) to use instead
VARIANTS = {
    "阶段间转化率": "阶段转化率",
    "累计成功率": "该阶段成功率",
    "赢单率": "成功率",
    "平均单笔": "平均成交额",
    "在手": "在途 (open deals)",
    "未结商机": "在途商机",
    "截尾": "删失 (censored)",
    "管道": "漏斗",
    "线索": "新增项目",
    "新增商机": "新增项目",
    "售前资源池": "弹性人力资源池",
    "共享资源池": "弹性人力资源池",
    "商机停滞": "项目停滞",
    "人员求解": "人数求解",
    "简单成功率": "朴素成功率",
    "配额": "指标",
    "季度任务": "季度指标 (the quota is 指标)",
    "达成率": "完成率",
    "佣金": "提成",
    "离职率": "流失率",
    "销售个人加权绝对误差": "个人加权绝对百分比误差 (the scorecard's name for WAPE)",
    "培训师": "讲师 (the workbook's and the kit's word; the sandbox used to say 培训师)",
}
# 提成加速 is always 提成加速器 (the glossary's 加速器)
VARIANT_PATTERNS = {re.compile(r"提成加速(?!器)"): "提成加速器"}
# Money in Chinese text is written as the workbook writes it: "240 万", not "240万".
DIGIT_WAN = re.compile(r"\d万")
# (where the text is, the text): Chinese-looking by the letter count, but not Chinese text.
DIGIT_WAN_EXCEPTIONS = {
    # The English half of exercise 9.1's answer (English writes 1.68万, as in the lessons'
    # English cells); it has no Latin letter, so it counts as Chinese.
    ("simkit/course/i18n.py", "1.2 + 0.48 = 1.68万."),
}
# A multiplication in Chinese text is ×, not the letter x ("确保收入 × 75%").
ASCII_TIMES = re.compile(r"(?<=[\d%）\u4e00-\u9fff]) ?x (?=[\d（{\u4e00-\u9fff])")


def _python_strings():
    """(where, text) for every string literal with Chinese in the package's modules."""
    for path in sorted((ROOT / "simkit").rglob("*.py")):
        rel = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and CJK.search(node.value):
                yield f"{rel}:{node.lineno}", node.value


def _lesson_cells():
    """(where, text) for every Chinese cell of the lesson sources (markdown and code)."""
    for path in sorted((ROOT / "lessons").glob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        zh, start, cell = False, 0, []
        for i, line in enumerate(lines + ["+++"], 1):
            if line.startswith("+++") or line.startswith("```{code-cell}"):
                if zh and cell:
                    yield f"{path.relative_to(ROOT)}:{start}", "\n".join(cell)
                zh = '"lang": "zh"' in line or (line.startswith("```{code-cell}")
                                                and ":lang: zh" in lines[i:i + 3])
                start, cell = i, []
            elif zh:
                cell.append(line)


def _chinese_texts():
    yield from _python_strings()
    yield from _lesson_cells()
    yield "README.zh-CN.md", (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "docs").glob("*.md")):  # the docs' Chinese sections
        for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if _is_chinese_prose(line):
                yield f"{path.relative_to(ROOT)}:{i}", line
    yield from _static_files()
    yield from _toml_lines()


def _toml_lines():
    """(where, line) for every line with Chinese in the package's .toml files: the
    scenario templates' comments (``simkit scenario template``) and any Chinese value."""
    for path in sorted((ROOT / "simkit").rglob("*.toml")):
        for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if CJK.search(line):
                yield f"{path.relative_to(ROOT)}:{i}", line


#: The package's non-Python files a person reads: the app's explanations, its pages'
#: scripts and styles (room.js, tables.css), any page a later change ships as .html.
STATIC_SUFFIXES = (".json", ".js", ".html", ".css")


def _static_files():
    """(where, text) for the Chinese in the package's static files: every Chinese string
    of a .json file (each value, by its key path), every Chinese line of the others."""
    for path in sorted(p for p in (ROOT / "simkit").rglob("*") if p.suffix in STATIC_SUFFIXES):
        rel, text = path.relative_to(ROOT), path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            yield from _json_strings(str(rel), json.loads(text))
            continue
        for i, line in enumerate(text.split("\n"), 1):
            if CJK.search(line):
                yield f"{rel}:{i}", line


def _json_strings(where: str, value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(f"{where}[{k}]", v)
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _json_strings(f"{where}[{k}]", v)
    elif isinstance(value, str) and CJK.search(value):
        yield where, value


def _is_chinese_prose(text: str) -> bool:
    return len(CJK.findall(text)) > len(re.findall(r"[A-Za-z]", text))


TEXTS = list(_chinese_texts())


def test_the_scan_sees_the_catalogue_the_lessons_and_the_kit():
    where = {w.split(":")[0].split("[")[0] for w, _ in TEXTS}
    for source in ("simkit/course/i18n.py", "simkit/course/kit_script.py",
                   "simkit/course/kit_zh.py", "simkit/sandbox/text.py", "simkit/crm/scoring.py", "lessons/06-forecasting.md",
                   "README.zh-CN.md", "simkit/app/explanations.json",
                   "simkit/model/templates/scenario.zh.toml"):
        assert source in where, source
    assert len(TEXTS) > 500


def test_the_scan_reads_every_static_file_of_the_package():
    """A page's script or markup with Chinese in it is scanned like the Python text."""
    static = {str(p.relative_to(ROOT)) for p in (ROOT / "simkit").rglob("*")
              if p.suffix in STATIC_SUFFIXES}
    assert {"simkit/app/explanations.json", "simkit/app/static/room.js"} <= static
    where = {w.split(":")[0].split("[")[0] for w, _ in TEXTS}
    for rel in static:  # a file with Chinese in it is among the scanned texts
        if CJK.search((ROOT / rel).read_text(encoding="utf-8")):
            assert rel in where, rel


@pytest.mark.parametrize("variant", [*VARIANTS, *VARIANT_PATTERNS], ids=str)
def test_no_second_word_for_a_glossary_term(variant):
    if isinstance(variant, str):
        found = [w for w, text in TEXTS if variant in text]
        use = VARIANTS[variant]
    else:
        found = [w for w, text in TEXTS if variant.search(text)]
        use = VARIANT_PATTERNS[variant]
    assert not found, f"{variant!r} where the course says {use!r}: {found}"


def test_chinese_text_multiplies_with_the_times_sign():
    found = [(w, ASCII_TIMES.search(text).group(0)) for w, text in TEXTS
             if _is_chinese_prose(text) and ASCII_TIMES.search(text)]
    assert not found, f"write × in Chinese text: {found}"


def test_chinese_text_spaces_the_amount_before_wan():
    found = [(w, text[max(0, m.start() - 15):m.end() + 5]) for w, text in TEXTS
             if _is_chinese_prose(text) and (m := DIGIT_WAN.search(text))
             and (w.split(":")[0], text) not in DIGIT_WAN_EXCEPTIONS]
    assert not found, f"write a space between the number and 万 (240 万): {found}"


def test_the_wan_exceptions_are_still_there():
    """An exception whose text has gone (fixed or reworded) is dropped from the list."""
    for where, text in DIGIT_WAN_EXCEPTIONS:
        assert (where, text) in {(w.split(":")[0], t) for w, t in TEXTS}, (where, text)


def test_the_app_explanations_name_the_busy_sign_the_page_shows():
    pytest.importorskip("ipywidgets")
    from simkit.app.webapp import BUSY_TEXT

    shipped = json.loads((ROOT / "simkit" / "app" / "explanations.json").read_text("utf-8"))
    told = [n for n, text in shipped.items() if "*updating*" in text["en"]]
    assert told
    for n in told:
        assert f"“{BUSY_TEXT['zh'].rstrip('…')}”" in shipped[n]["zh"], n


def test_every_crm_rule_and_back_test_method_has_its_chinese_name():
    """Lesson 10's tables translate these keys with t(); a missing key showed the raw
    'crm.rule.bad_amount' and 'seasonal_naive' in the Chinese notebook."""
    from simkit.course.i18n import LABELS, t
    from simkit.crm.backtest import METHODS
    from simkit.crm.quality import RULES
    from simkit.crm.scoring import SCORECARD_LABELS

    for rule in RULES:
        assert f"crm.rule.{rule}" in LABELS, rule
    for method in METHODS:  # one name per method in every table and chart
        assert t(method, "zh") == SCORECARD_LABELS[method][1], method
