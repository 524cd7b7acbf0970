"""The kit's printed sheets: case A and case B worksheets, the exercise sheet, the answer key.

Each worksheet is a list of givens (the case's data, printed) and questions
(printed with a blank); the answer key fills the blanks from
:func:`simkit.course.kit_facts.kit_facts` and the exercises' own checks
(:data:`simkit.course.exercises.EXERCISES`), so the handouts and the key come
from one list and cannot disagree. Handouts never see an answer: they are
built by :func:`handouts`, which reads only givens and questions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from simkit.analysis import weekly_projection
from simkit.course.cases import CASE_B
from simkit.course.exercises import EXERCISES
from simkit.course.i18n import LANGUAGES, stage_label
from simkit.course.kit_facts import INJECTIONS, Fact, fact_text
from simkit.course.kit_zh import EXERCISES_ZH
from simkit.model.presets import preset

__all__ = ["SHEETS", "Question", "Sheet", "answer_key", "exercise_answer", "handouts",
           "projection_table"]

Text = tuple[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    answer: str  # template over the kit's facts, e.g. "{a_quota}"


@dataclass(frozen=True)
class Sheet:
    key: str
    title: Text
    intro: Text
    givens: tuple[tuple[Text, str], ...]  # (label, template)
    questions: tuple[Question, ...]
    projection: bool = False  # case B's weekly projection table, blanks to fill


CASE_A = Sheet(
    "case-a", ("Case A: from annual quota to headcount (small projects)",
               "案例 A：从年度指标到人员配置（小项目）"),
    (("A branch plans its second quarter. Work from the annual software quota down to the "
     "number of reps the small-project funnel needs."),
     "某分公司制定第二季度计划。请从年度软件指标一步步推算小项目漏斗需要多少名销售。"),
    (
        (("Annual software quota", "年度软件指标"), "{a_annual}"),
        (("VAT factor", "含税系数"), "{a_vat}"),
        (("Small-project share of software", "小项目占比"), "{a_small_share}"),
        (("Second quarter's share of the year", "第二季度占全年比例"), "{a_quarter_share}"),
        (("Average deal", "平均成交额"), "{avg_deal}"),
        (("Stage win probability: intent / solution / negotiation",
          "该阶段成功率：意向 / 方案 / 谈判"), "{p_intent} / {p_solution} / {p_negotiation}"),
        (("Weeks per stage; weeks in a quarter", "每阶段周数；每季度周数"),
         "{weeks_per_stage}; {weeks_per_quarter}"),
        (("New projects one rep opens a week", "每人每周开拓新项目"), "{leads}"),
    ),
    (
        Question("A1", ("The quarter's small-project quota (万, including VAT)",
                        "本季度小项目指标（万，含税）"), "{a_quota}"),
        Question("A2", ("Wins needed in the quarter", "本季度所需成交数"), "{a_deals}"),
        Question("A3", ("Wins needed each week", "每周所需成交数"), "{a_wins_per_week}"),
        Question("A4", ("Deals the standard funnel always holds: intent / solution / negotiation",
                        "标准漏斗各阶段始终要有的项目数：意向 / 方案 / 谈判"),
                 "{a_intent} / {a_solution} / {a_negotiation}"),
        Question("A5", ("New projects that must enter each week", "每周必须进入的新增项目"),
                 "{a_new_per_week}"),
        Question("A6", ("Reps needed", "所需销售人数"), "{a_reps}"),
        Question("A7", ("Reps needed if each opens only {a_new_per_rep_low} new projects a week",
                        "如果每人每周只开拓 {a_new_per_rep_low} 个新项目，所需销售人数"),
                 "{a_reps_low}"),
    ),
)

CASE_B_SHEET = Sheet(
    "case-b", ("Case B: the mid-quarter gap (small projects)", "案例 B：季度中期的缺口分析（小项目）"),
    (("It is week {b_week} of a {weeks_per_quarter}-week quarter. From today's funnel, find what "
     "it still holds, the gap and the new projects that must enter."),
     ("现在是第 {b_week} 周（一个季度 {weeks_per_quarter} 周）。根据现在的漏斗，算出还能成交多少、"
     "缺口是多少、还需要进入多少新增项目。")),
    (
        (("Deals now in intent / solution / negotiation", "现有项目数：意向 / 方案 / 谈判"),
         "{b_intent} / {b_solution} / {b_negotiation}"),
        (("Stage win probability: intent / solution / negotiation",
          "该阶段成功率：意向 / 方案 / 谈判"), "{p_intent} / {p_solution} / {p_negotiation}"),
        (("Won so far this quarter", "本季度已成交"), "{b_realised}"),
        (("The quarter's small-project quota", "本季度小项目指标"), "{b_quota}"),
        (("Average deal", "平均成交额"), "{b_avg_deal}"),
    ),
    (
        Question("B1", ("Expected wins in today's funnel", "现有漏斗的预期成交数"),
                 "{b_expected_wins}"),
        Question("B2", ("Their expected amount (万)", "预期成交额（万）"), "{b_expected_amount}"),
        Question("B3", ("Amount gap (金额缺口, 万)", "金额缺口（万）"), "{b_amount_gap}"),
        Question("B4", ("Further wins needed", "还需要的成交数"), "{b_deals_gap}"),
        Question("B5", ("Project gap (项目缺口): new projects that must enter",
                        "项目缺口：还需要进入的新增项目"), "{b_project_gap}"),
        Question("B6", ("The standard funnel for this quota: wins a quarter; wins a week",
                        "按这个指标的标准漏斗：每季度成交数；每周成交数"),
                 "{b_std_deals}; {b_std_wins_per_week}"),
        Question("B7", ("Amount a branch on the standard pace has won after {b_week} weeks (万)",
                        "按标准节奏，{b_week} 周后应完成的成交额（万）"), "{b_on_track}"),
    ),
    projection=True,
)

#: How each case question is worked out, for the answer key (words only: the numbers are
#: the givens and the answers).
CASE_HOW: dict[str, Text] = {
    "A1": ("annual software quota x VAT factor x small-project share x the quarter's share",
           "年度软件指标 × 含税系数 × 小项目占比 × 本季度占全年比例"),
    "A2": ("the quarter's quota / average deal", "季度指标 ÷ 平均成交额"),
    "A3": ("wins needed / weeks in the quarter", "所需成交数 ÷ 季度周数"),
    "A4": ("wins a week / the stage's win probability x weeks in the stage",
           "每周成交数 ÷ 该阶段成功率 × 每阶段周数"),
    "A5": ("wins a week / the intent stage's win probability", "每周成交数 ÷ 意向阶段成功率"),
    "A6": ("new projects needed a week / new projects one rep opens a week",
           "每周所需新增项目 ÷ 每人每周开拓新项目"),
    "A7": ("the same, at the lower prospecting pace", "同上，按较低的开拓量计算"),
    "B1": ("sum of count x stage win probability", "各阶段项目数 × 该阶段成功率之和"),
    "B2": ("expected wins x average deal", "预期成交数 × 平均成交额"),
    "B3": ("quota - won so far - expected amount", "指标 − 已成交 − 预期成交额"),
    "B4": ("amount gap / average deal", "金额缺口 ÷ 平均成交额"),
    "B5": ("further wins / the intent stage's win probability",
           "还需要的成交数 ÷ 意向阶段成功率"),
    "B6": ("quota / average deal; that / weeks in the quarter",
           "指标 ÷ 平均成交额；再 ÷ 季度周数"),
    "B7": ("wins a week x average deal x weeks elapsed", "每周成交数 × 平均成交额 × 已过周数"),
}

#: The exercise sheet is built from EXERCISES; its key is only a title here.
EXERCISE_SHEET_TITLE: Text = ("Exercises: questions", "练习题")
EXERCISE_SHEET_INTRO: Text = (
    ("The workbook's exercises, by lesson. Write the answer here, or type it in the lesson's "
    "answer cell and run the check below it."),
    "练习册的练习题，按课程排列。答案写在这里，或填入该课的答案单元格，再运行下面的检查。")

SHEETS = {"case-a": CASE_A, "case-b": CASE_B_SHEET}


def _values(facts: dict[str, Fact], lang: str) -> dict[str, str]:
    values = fact_text(facts, lang)
    values["weeks_per_stage"] = Fact(preset("small-projects").funnel.stages[0].duration.mean,
                                     "int").text()
    return values


@cache
def projection_table(weeks: int | None = None, injection: float = float(INJECTIONS[0])):
    """Case B's weekly projection with ``injection`` new projects a week (the page's default)."""
    sc = preset("small-projects")
    if weeks is None:
        weeks = sc.quota.weeks_per_quarter - CASE_B["week"]
    return weekly_projection(CASE_B["counts"], sc.funnel, [injection] * int(weeks))


def _projection(lang: str, filled: bool) -> dict:
    """The projection as rows of cells: the snapshot column and each new week's intent
    (the injection) are given; the rest are blanks on the handout and numbers in the key."""
    proj = projection_table()
    i = LANGUAGES.index(lang)
    header = [("stage", "阶段")[i], ("now", "现在")[i], *proj.columns[1:]]
    rows = []
    for r, name in enumerate(proj.index):
        label = ("wins", "成交")[i] if name == "wins" else stage_label(name, lang)
        cells = []
        for c, col in enumerate(proj.columns):
            v = proj.iloc[r, c]
            given = col == "now" or (r == 0)
            if math.isnan(v):  # wins "now" is not a number (a flow, not a snapshot)
                cells.append(("", True))
            elif given or filled:
                cells.append((f"{v:.0f}" if given else f"{v:.1f}", given))
            else:
                cells.append((None, False))
        rows.append((label, cells))
    return {"header": header, "rows": rows, "injection": f"{INJECTIONS[0]}"}


def handouts(facts: dict[str, Fact], lang: str) -> dict[str, dict]:
    """The printed sheets for the room, in ``lang``: givens and questions, no answer.

    Each sheet: title, intro, givens [(label, value)], questions [(id, text, answer,
    how)] with answer and how None, and case B's projection table (None elsewhere)."""
    i = LANGUAGES.index(lang)
    values = _values(facts, lang)
    out = {}
    for key, sh in SHEETS.items():
        out[key] = {
            "title": sh.title[i], "intro": sh.intro[i].format_map(values),
            "givens": [(label[i], tmpl.format_map(values)) for label, tmpl in sh.givens],
            "questions": [(q.id, q.text[i].format_map(values), None, None)
                          for q in sh.questions],
            "projection": _projection(lang, filled=False) if sh.projection else None,
        }
    out["exercises"] = {"title": EXERCISE_SHEET_TITLE[i], "intro": EXERCISE_SHEET_INTRO[i],
                        "givens": [], "projection": None, "by_lesson": True,
                        "questions": [(e.id, _question(e, lang), None, None)
                                      for e in EXERCISES.values()]}
    return out


def _question(ex, lang: str) -> str:
    return ex.question if lang == "en" else EXERCISES_ZH[ex.id][0]


def exercise_answer(ex) -> str:
    """An exercise's answer as its check accepts it, from the check's own expected value."""
    return _answer(ex.id)


@cache
def _answer(exercise_id: str) -> str:
    # Cached: a few answers run simulations, and the key is written once per language.
    ex = EXERCISES[exercise_id]
    v = ex.expected()
    if ex.kind != "number":
        return str(v)
    if ex.percent:
        return f"{v:.1%}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def answer_key(facts: dict[str, Fact], lang: str) -> dict[str, dict]:
    """The same sheets with every blank filled, plus each exercise's answer and method."""
    i = LANGUAGES.index(lang)
    values = _values(facts, lang)
    out = handouts(facts, lang)
    for key, sh in SHEETS.items():
        out[key]["questions"] = [(q.id, q.text[i].format_map(values),
                                  q.answer.format_map(values), CASE_HOW[q.id][i])
                                 for q in sh.questions]
        if sh.projection:
            out[key]["projection"] = _projection(lang, filled=True)
    out["exercises"]["questions"] = [
        (e.id, _question(e, lang), exercise_answer(e),
         e.hint if lang == "en" else EXERCISES_ZH[e.id][1])
        for e in EXERCISES.values()]
    return out
