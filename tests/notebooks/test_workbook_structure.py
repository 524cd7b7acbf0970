"""Structural tests of the workbook: exercises, student versions, bilingual labels.

(nbval checks the instructor notebooks' outputs; these tests check what nbval
cannot: that student versions give nothing away and stay in step.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simkit.course.exercises import EXERCISES, Feedback, check, exercises_for, score_drill
from simkit.course.i18n import LABELS, t
from simkit.workbook.notebook_tools import BEGIN, student_problems, student_version

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
STUDENT = ROOT / "notebooks" / "student"
LESSONS = sorted(int(p.name[:2]) for p in NOTEBOOKS)


def _read(path):
    return nbformat.read(path, as_version=4)


def test_the_workbook_starts_at_notebook_0():
    assert (ROOT / "notebooks" / "00-start-here.ipynb") in NOTEBOOKS
    assert LESSONS[:8] == list(range(8))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_lesson_has_two_checked_exercises(path):
    lesson = int(path.name[:2])
    ids = re.findall(r'check\("(\d+\.\d+)"', "".join(c.source for c in _read(path).cells))
    assert len(ids) >= 2, f"{path.name} has {len(ids)} checked exercises"
    assert len(exercises_for(lesson)) >= 2
    assert all(i in EXERCISES and i.split(".")[0] == str(lesson) for i in ids)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_notebooks_have_outputs_and_marked_solutions(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.outputs for c in code), f"{path.name} was saved without outputs"
    for c in code:
        if "solution" in c.metadata.get("tags", []):
            assert BEGIN in c.source
    assert "widgets" not in nb.metadata  # widget state is stripped


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_version_is_committed_current_and_has_no_solutions(path):
    target = STUDENT / path.name
    assert target.exists(), "run: python -m simkit.workbook.notebook_tools student"
    student = _read(target)
    assert student_problems(student) == []
    text = "".join(c.source for c in student.cells)
    assert "# BEGIN SOLUTION" not in text and "✓ Right" not in text
    expected = student_version(_read(path))
    assert [c.source for c in student.cells] == [c.source for c in expected.cells], \
        "student version is stale; run: python -m simkit.workbook.notebook_tools student"
    # Each answer cell is left blank for the trainee.
    for c in student.cells:
        if "solution" in c.metadata.get("tags", []):
            assert re.search(r"^(answer|calls) = None", c.source, re.MULTILINE)


def test_student_problems_notices_a_leak():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = None\n# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION",
                                  metadata={"tags": ["solution"]})])
    assert student_problems(nb)
    clean = student_version(nb)
    assert student_problems(clean) == [] and clean.cells[0].source == "answer = None"


@pytest.mark.parametrize("ex", list(EXERCISES), ids=str)
def test_checks_give_feedback_for_any_answer(ex):
    for answer in (None, "not a number", [1, 2], {"a": 1}, float("nan"), True, -1e9):
        fb = check(ex, answer)
        assert isinstance(fb, Feedback) and fb.correct in (None, False)
        assert repr(fb).startswith(("✗", "…"))
    from simkit.course.exercises import _expected

    assert check(ex, _expected(ex)).correct is True


def test_percent_answers_and_unknown_exercises():
    assert check("1.1", 57.1).correct is True
    assert check("1.1", "57%").correct is True
    assert check("1.1", 0.35).correct is False and "hint" in check("1.1", 0.35).message
    assert check("99.1", 1).correct is False


def test_forecast_drill_scoring():
    assert score_drill(None).correct is None
    assert score_drill("committed").correct is False
    assert score_drill(["maybe"] * 10).correct is False


def test_every_label_in_both_languages():
    for key, (en, zh) in LABELS.items():
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), key


def test_every_label_used_in_the_package_exists():
    src = ""
    for p in (ROOT / "simkit").rglob("*.py"):
        if p.parent.name == "widgets" or p.name in ("plots.py",):
            src += p.read_text(encoding="utf-8")
    used = set(re.findall(r"""\bt\(\s*["']([\w.\- ]+)["']""", src))
    missing = sorted(k for k in used if k not in LABELS)
    assert not missing
    assert t("project_gap", "zh") == "项目缺口"
    assert t("stage.intent", "zh") == "意向阶段"
