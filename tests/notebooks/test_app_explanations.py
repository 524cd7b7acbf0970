"""The app pages' explanations come from the lesson sources (their ``app: true`` cells),
through simkit/app/explanations.json, which the app reads (no checkout, no jupytext)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("jupytext")

from simkit.app.pages import LESSONS  # noqa: E402
from simkit.workbook.notebook_tools import APP_EXPLANATIONS, app_explanations  # noqa: E402


def test_the_shipped_explanations_are_the_lesson_sources():
    shipped = json.loads(APP_EXPLANATIONS.read_text(encoding="utf-8"))
    assert shipped == app_explanations(), "stale: run python3 dev.py notebooks"


def test_every_app_page_has_its_lessons_explanation_in_both_languages():
    sources = app_explanations()
    for le in LESSONS:
        assert set(sources[str(le.number)]) == {"en", "zh"}, le.slug
        assert le.explanation == sources[str(le.number)]["en"]
        assert le.explanation_zh == sources[str(le.number)]["zh"]
