"""The glossary (术语表) and the label catalogue use the same words for the same concepts."""

from __future__ import annotations

import pytest

from simkit.course.glossary import GLOSSARY, glossary_table, term
from simkit.course.i18n import LABELS, t


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e.en)
def test_the_catalogue_uses_the_glossary_term(entry):
    for key in entry.keys:
        assert key in LABELS, f"{key} (for {entry.zh}) is not in the catalogue"
        assert entry.zh in t(key, "zh"), f"{key}: {t(key, 'zh')!r} should say {entry.zh}"
        assert entry.en.lower() in t(key, "en").lower(), \
            f"{key}: {t(key, 'en')!r} should say {entry.en}"


def test_every_course_term_of_the_brief_is_in_the_glossary():
    for zh in ("漏斗", "标准漏斗", "该阶段成功率", "项目缺口", "确保收入", "可能收入", "预测外收入",
               "产量", "平衡", "阶段时间", "人效", "弹性人力资源池", "意向", "方案", "谈判", "成交",
               "潜在客户", "立项客户", "认可客户"):
        assert term(zh).en and term(zh).meaning_zh and term(zh).meaning_en


def test_each_term_is_defined_once_and_shown_in_both_languages():
    assert len({e.zh for e in GLOSSARY}) == len(GLOSSARY)
    assert len({e.en for e in GLOSSARY}) == len(GLOSSARY)
    zh, en = glossary_table("zh"), glossary_table("en")
    assert list(zh.columns) == ["英文", "含义"] and len(zh) == len(en) == len(GLOSSARY)


def test_the_catalogue_defines_each_key_once():
    """A key written twice in i18n.py would silently replace the first label."""
    import ast
    from pathlib import Path

    import simkit.course.i18n

    keys = []
    for node in ast.walk(ast.parse(Path(simkit.course.i18n.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keys += [k.value for k in node.keys
                     if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    twice = sorted({k for k in keys if keys.count(k) > 1} - {"en", "zh"})
    assert not twice
