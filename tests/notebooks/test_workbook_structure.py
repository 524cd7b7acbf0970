"""Structural tests of the workbook: one bilingual source per lesson, the generated notebooks,
student versions, exercises and the sentences that quote numbers.

(nbval checks the instructor notebooks' outputs; these tests check what nbval
cannot: that both languages say the same things, that the generated notebooks
and student versions are current, and that student versions give nothing away.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simkit.course.exercises import EXERCISES, Feedback, _expected, check, exercises_for, score_drill
from simkit.course.i18n import LABELS, set_language, t
from simkit.workbook.notebook_tools import BEGIN, student_problems, student_version

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupytext")

from simkit.workbook.lesson_source import (  # noqa: E402
    cjk_share,
    lesson_paths,
    markdown_prose,
    notebook_for,
    pairing_problems,
    read_lesson,
)

ROOT = Path(__file__).resolve().parents[2]
LESSONS = lesson_paths(ROOT / "lessons")
LANGS = ("en", "zh")
NOTEBOOKS = [(lang, ROOT / "notebooks" / lang / (p.stem + ".ipynb")) for p in LESSONS
             for lang in LANGS]
REBUILD = "run: python3 dev.py notebooks"


def _read(path):
    return nbformat.read(path, as_version=4)


def _ids(item):
    lang, path = item
    return f"{lang}/{path.stem[:2]}"


def _outputs_text(cell) -> str:
    text = []
    for out in cell.get("outputs", []):
        if "text" in out:
            text.append(out["text"])
        text.append(out.get("data", {}).get("text/plain", ""))
    return "".join(text)


def test_the_workbook_starts_at_lesson_0_in_both_languages():
    assert [p.name[:2] for p in LESSONS][:11] == [f"{i:02d}" for i in range(11)]
    for lang in LANGS:
        assert (ROOT / "notebooks" / lang / "00-start-here.ipynb").exists()
        assert (ROOT / "notebooks" / "student" / lang / "00-start-here.ipynb").exists()


def test_no_test_files_in_the_trainees_folders():
    for folder in [ROOT / "notebooks" / "student" / lang for lang in LANGS]:
        assert sorted(p.suffix for p in folder.iterdir()) == [".ipynb"] * len(LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem[:2])
def test_every_paragraph_exists_in_both_languages(path):
    assert pairing_problems(read_lesson(path), path.name) == []


def test_pairing_notices_a_missing_translation():
    v4 = nbformat.v4
    src = v4.new_notebook(cells=[
        v4.new_markdown_cell("## Title\n\nOne.\n\nTwo.", metadata={"lang": "en"}),
        v4.new_markdown_cell("## 标题\n\n一。", metadata={"lang": "zh"}),
        v4.new_code_cell("x = 1"),
        v4.new_markdown_cell("Only English.", metadata={"lang": "en"}),
        v4.new_markdown_cell("No language."),
    ])
    problems = pairing_problems(src)
    assert len(problems) == 3, problems
    assert any("paragraphs" in p for p in problems)
    assert any("1 English cell(s) against 0" in p for p in problems)
    assert any("no lang" in p for p in problems)


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_generated_notebooks_are_current(item):
    lang, path = item
    assert path.exists(), REBUILD
    expected = notebook_for(read_lesson(ROOT / "lessons" / (path.stem + ".md")), lang)
    got = _read(path)
    assert [(c.cell_type, c.source) for c in got.cells] == \
        [(c.cell_type, c.source) for c in expected.cells], f"{path} is stale; {REBUILD}"


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_the_first_code_cell_sets_the_notebooks_language(item):
    lang, path = item
    first = next(c for c in _read(path).cells if c.cell_type == "code")
    assert f'set_language("{lang}")' in first.source


@pytest.mark.parametrize("path", [p for lang, p in NOTEBOOKS if lang == "zh"], ids=lambda p: p.stem)
def test_chinese_notebooks_read_in_chinese(path):
    prose = markdown_prose(_read(path))
    assert cjk_share(prose) >= 0.90, \
        f"{path.name}: {cjk_share(prose):.0%} of the letters are Chinese"


def test_cjk_share_counts_letters_only():
    assert cjk_share("漏斗 20%") == 1.0
    assert cjk_share("漏斗 ab") == 0.5
    assert markdown_prose(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("看 `set_language`")])).strip() == "看"


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_every_lesson_has_two_checked_exercises(item):
    lang, path = item
    lesson = int(path.name[:2])
    ids = re.findall(r'check\("(\d+\.\d+)"', "".join(c.source for c in _read(path).cells))
    assert len(ids) >= 2, f"{path.name} has {len(ids)} checked exercises"
    assert len(exercises_for(lesson)) >= 2
    assert all(i in EXERCISES and i.split(".")[0] == str(lesson) for i in ids)


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_instructor_notebooks_have_outputs_and_marked_solutions(item):
    lang, path = item
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.outputs for c in code), f"{path.name} was saved without outputs; {REBUILD}"
    for c in code:
        if "solution" in c.metadata.get("tags", []):
            assert BEGIN in c.source
    assert "widgets" not in nb.metadata  # widget state is stripped


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_student_version_is_committed_current_and_has_no_solutions(item):
    lang, path = item
    target = ROOT / "notebooks" / "student" / lang / path.name
    assert target.exists(), REBUILD
    student = _read(target)
    assert student_problems(student) == []
    text = "".join(c.source for c in student.cells)
    assert "# BEGIN SOLUTION" not in text and "✓" not in text
    expected = student_version(_read(path))
    assert [c.source for c in student.cells] == [c.source for c in expected.cells], \
        f"student version is stale; {REBUILD}"
    # Each answer cell is left blank for the trainee.
    for c in student.cells:
        if "solution" in c.metadata.get("tags", []):
            assert re.search(r"^(answer|calls) = None", c.source, re.MULTILINE)


def _numbers(text: str) -> list[tuple[float, bool]]:
    """The numbers in ``text``, each with whether it is written as a percentage."""
    return [(float(x.replace(",", "")), pct == "%")
            for x, pct in re.findall(r"(-?\d[\d,]*\.?\d*)\s?(%?)", text)]


# Exercises whose answer is meant to be looked up in an output above them.
LOOK_UP = {"0.1": "reading the scenario is the exercise",
           "0.2": "the stage list printed above is the tool to answer with",
           "7.1": "reading the team's table is the exercise",
           "7.2": "reading the team's table is the exercise",
           "7.3": "reading the team's table is the exercise"}


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_no_answer_is_printed_above_its_exercise(item):
    """A trainee running the lesson top to bottom meets each question before its answer."""
    lang, path = item
    shown = ""
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        m = re.search(r'check\("(\d+\.\d+)"', cell.source)
        if m and m.group(1) not in LOOK_UP:
            ex = EXERCISES[m.group(1)]
            expected = _expected(ex.id)
            if isinstance(expected, (int, float)) and expected not in (0, 1):
                tol = max(ex.tolerance, 1e-9)
                # A share is answered as 0.57 or 57%; an amount or count is not a percentage.
                hits = [(x, pct) for x, pct in _numbers(shown)
                        if (not pct and abs(x - expected) <= tol)
                        or (pct and ex.percent and abs(x / 100 - expected) <= tol)]
                assert not hits, f"{path.name}: the answer to {ex.id} ({expected}) is " \
                                 f"printed above it: {hits}"
        if "solution" not in cell.metadata.get("tags", []) and not m:
            shown += _outputs_text(cell)
        elif m:
            shown = ""  # after a check, earlier outputs belong to the answered exercise


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_sentences_quote_the_numbers_printed_above_them(item):
    """A markdown cell tagged numbers-from-output only quotes percentages printed above it."""
    lang, path = item
    printed = ""
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            printed += _outputs_text(cell)
        elif "numbers-from-output" in cell.metadata.get("tags", []):
            for pct in re.findall(r"\d+%", cell.source):
                assert pct in printed, f"{path.name}: the text says {pct}, not printed above it"


def test_student_problems_notices_a_leak():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = None\n# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION",
                                  metadata={"tags": ["solution"]})])
    assert student_problems(nb)
    clean = student_version(nb)
    assert student_problems(clean) == [] and clean.cells[0].source == "answer = None"


@pytest.mark.parametrize("ex", list(EXERCISES), ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_checks_give_feedback_for_any_answer_in_both_languages(ex, lang):
    set_language(lang)
    try:
        for answer in (None, "not a number", [1, 2], {"a": 1}, float("nan"), True, -1e9):
            fb = check(ex, answer)
            assert isinstance(fb, Feedback) and fb.correct in (None, False)
            assert repr(fb).startswith(("✗", "…"))
        right = repr(check(ex, _expected(ex)))
        assert check(ex, _expected(ex)).correct is True
        if lang == "zh":
            assert right.startswith("✓ 答对了（练习") and cjk_share(right) > 0.5, right
            assert EXERCISES[ex].question != t(f"ex.{ex}.question", "en")
    finally:
        set_language("en")


def test_percent_answers_and_unknown_exercises():
    assert check("1.1", 57.1).correct is True
    assert check("1.1", "57%").correct is True
    assert check("1.1", 0.35).correct is False and "hint" in check("1.1", 0.35).message
    assert check("99.1", 1).correct is False


def test_forecast_drill_scoring():
    assert score_drill(None).correct is None
    assert score_drill("committed").correct is False
    assert score_drill(["maybe"] * 10).correct is False
    calls = ["no"] * 4 + ["possible"] * 3 + ["committed"] * 3
    zh = ["不"] * 4 + ["可能"] * 3 + ["确保"] * 3
    assert score_drill(calls).correct == score_drill(zh).correct


def test_every_label_in_both_languages():
    for key, (en, zh) in LABELS.items():
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), key


def test_every_label_used_in_the_package_exists():
    from simkit.sandbox.text import TEXT as SANDBOX_TEXT

    missing = []
    for p in (ROOT / "simkit").rglob("*.py"):
        # The sandbox has its own catalogue (simkit.sandbox.text) and its own ``t``.
        catalogue = SANDBOX_TEXT if "sandbox" in p.relative_to(ROOT).parts else LABELS
        used = set(re.findall(r"""\bt\(\s*["']([\w.\- ]+)["']""", p.read_text(encoding="utf-8")))
        # ``t("col." + name)``: a prefix must start at least one key.
        missing += [f"{p.name}: {k}" for k in sorted(used) if k not in catalogue
                    and not (k.endswith(".") and any(c.startswith(k) for c in catalogue))]
    assert not missing
    assert t("project_gap", "zh") == "项目缺口"
    assert t("stage.intent", "zh") == "意向阶段"


@pytest.mark.parametrize("item", NOTEBOOKS, ids=_ids)
def test_exercise_questions_are_the_catalogues(item):
    """The question a lesson prints is the one check() knows, in the notebook's language."""
    lang, path = item
    pattern = r"\*\*Exercise (\d+\.\d+)\.\*\* (.*)" if lang == "en" else r"\*\*练习 (\d+\.\d+)\*\* (.*)"
    found = []
    for cell in _read(path).cells:
        if cell.cell_type == "markdown":
            for m in re.finditer(pattern, cell.source):
                found.append(m.group(1))
                assert m.group(2).startswith(t(f"ex.{m.group(1)}.question", lang)), m.group(1)
    assert len(found) >= 2
