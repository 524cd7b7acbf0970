"""The no-code app's pages: which lessons it serves, and the notebooks that serve them.

    python -m simkit.app.pages [FOLDER]     (re)write app/*.ipynb from LESSONS

Each lesson page is a Voilà notebook with an explanation (markdown, English
with the course's Chinese terms) and one code cell that calls a workbook
dashboard through :func:`simkit.app.webapp.lesson_page`; ``index.ipynb`` links
them all, in English and in Chinese. The pages are written from
:data:`LESSONS` rather than by hand so they cannot drift apart (a test
compares the committed files with what this module writes).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LESSONS", "Lesson", "index_notebook", "lesson_notebook", "write_pages"]

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    dashboard: str  # name of the function in simkit.workbook
    title_en: str
    title_zh: str
    explanation: str  # markdown, English with the course's Chinese terms
    explanation_zh: str = ""  # the same in Chinese (filled from EXPLANATIONS_ZH below)

    @property
    def filename(self) -> str:
        return f"{self.number:02d}-{self.slug}.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson(0, "plan", "plan_dashboard", "A plan met on average", "平均达成的计划",
           "A quota set at what the team sells **on average** (平均业绩) is missed in a large "
           "share of quarters, because quarters vary: some are above the average, some below. "
           "The team is simulated over many quarters on one seed; move the quota against the "
           "average and read how often it is missed (未完成指标的季度). The sentence under the "
           "numbers is written from the probability the page computes."),
    Lesson(1, "funnel", "funnel_dashboard", "The funnel and its stages", "销售漏斗与阶段",
           "Each stage of the funnel (销售漏斗) carries a **cumulative win probability** "
           "(该阶段成功率): the chance that a deal now in the stage is eventually won. "
           "The **stage-to-stage conversion** (阶段转化率) follows from it. Pick a preset "
           "and the number of wins a week you need: the **standard funnel** (标准漏斗) shows "
           "how many deals must sit in each stage to keep that pace."),
    Lesson(2, "headline", "headline_dashboard", "What moves the quarter", "什么决定季度业绩",
           "Four levers: **new projects per rep per week** (每人每周新项目), **win rate** "
           "(成功率), **average deal** (平均单笔) and **reps** (销售人数). Each setting is "
           "simulated 100 times on the same seed (common random numbers), so the change "
           "against the preset shows the lever, not noise. The chart shows the spread of "
           "team attainment (团队完成率) over simulated quarters. A simulation takes a "
           "second or two: watch for the *updating* sign."),
    Lesson(3, "headcount", "headcount_dashboard", "From annual quota to headcount",
           "从年度指标到人员配置",
           "Case A of the course: the annual software quota (年度软件指标) is cut down to "
           "this quarter's small-project quota (季度小项目指标), then to the wins needed, "
           "the new projects needed each week, and the **reps needed** (所需销售人数) at a "
           "given prospecting pace (每人每周开拓新项目)."),
    Lesson(4, "gap", "gap_dashboard", "The mid-quarter gap", "季度中期的缺口",
           "Case B of the course: it is mid-quarter and the funnel holds deals in intent "
           "(意向), solution (方案) and negotiation (谈判). The **project gap** (项目缺口) "
           "says how many new projects are still needed; the weekly projection (每周推演) "
           "shows the funnel filling with the **injection** of new projects you set, and "
           "the simulation gives the chance to make the quarter (完成季度指标的概率). "
           "A simulation takes a second or two: watch for the *updating* sign."),
    Lesson(5, "large-projects", "large_projects_dashboard", "Large projects: expected revenue",
           "大项目：预期收入",
           "For large projects, each stage's open amount (在途金额) times its win probability "
           "gives the **expected revenue** (预期收入) of the funnel. Only the stages that can "
           "still sign this quarter (本季度可签约阶段) count toward the quarter; the "
           "**amount gap** (金额缺口) is what is still missing against the quota."),
    Lesson(6, "forecast", "forecast_dashboard", "Revenue forecast", "收入预测",
           "The course's forecast: realised (已实现) + **committed** (确保收入) x 75% + "
           "**possible** (可能收入) x 25% + an allowance for **unforecast** revenue "
           "(预测外收入) of 4% of the quota for each week remaining (剩余周数). "
           "Move the parts and see the forecast completion (预测完成率) and the gap (缺口)."),
    Lesson(7, "coaching", "coaching_dashboard", "Coaching a rep", "销售辅导",
           "The whole team at once: each rep's **yield** (产量: wins and new projects a "
           "week), win rate, average deal, **balance** (平衡: how their open deals spread "
           "over the stages) and **time in each step** (每步停留时间), in a chart and a "
           "table. Some reps have a hidden problem, different in every session (the page "
           "shows how many and the session's seed). Pick a rep (销售) and the problem (问题) "
           "you would coach on: the feedback line says whether you found it."),
    Lesson(8, "planning", "planning_dashboard", "Planning headcount and quota",
           "人员与指标规划",
           "*For planners.* A real year has **hires who ramp** (新人爬坡), **reps who leave** "
           "(人员流失) and seats that stay empty until backfilled. Choose when the new hires "
           "start, how long they take to ramp and the yearly attrition: the simulation of the "
           "year shows whether the plan still makes the quota. Each move simulates the team "
           "again: watch for the *updating* sign."),
    Lesson(9, "commission", "commission_dashboard", "Commission accelerators", "提成加速",
           "A tiered plan pays a **base rate** (基础提成比例) up to quota, a higher "
           "**challenge** rate (挑战) above quota and an **excellence** rate (卓越档) above, "
           "say, 150%. The team's quarters are simulated once; moving a rate re-prices them, "
           "so you see what the plan costs as a share of sales (销售成本) across the spread "
           "of outcomes a real team produces."),
)

# The Chinese explanation of each page, beside the English one above (a test checks that
# every page has both).
EXPLANATIONS_ZH: dict[int, str] = {
    0: (
        "指标如果按团队的**平均业绩**来定，会有相当多的季度完不成，因为每个季度有高有低。页面用同一个随机种子模拟团队的很多个季度：拖动指标和平均业绩的比例，看有多少季度**未完成指标**。数字下面那句话，是根据页面算出的概率写出来的。"),
    1: (
        "漏斗的每个阶段都有一个**该阶段成功率**：现在处于这个阶段的项目，最终成交的概率。**阶段转化率**由它推出。选一个预设场景和每周需要的成交数：**标准漏斗**告诉你，要保持这个节奏，每个阶段应该有多少个项目。"),
    2: (
        "四个杠杆：**每人每周新项目**、**成功率**、**平均单笔**和**销售人数**。每种设置在同一个随机种子上模拟 100 次（共同随机数），所以和预设场景的差别来自杠杆本身，而不是运气。图表显示团队完成率在各个模拟季度中的分布。每次模拟需要一两秒：请留意“更新中”提示。"),
    3: (
        "课程案例 A：把**年度软件指标**拆到本季度的**小项目指标**，再算出需要的成交数、每周需要的新项目，以及在给定开拓速度（每人每周开拓新项目）下的**所需销售人数**。"),
    4: (
        "课程案例 B：季度过半，漏斗里有意向、方案、谈判三个阶段的项目。**项目缺口**告诉你还需要多少个新项目；**每周推演**显示按你设定的每周新增项目，漏斗怎样被填满；模拟给出**完成季度指标的概率**。每次模拟需要一两秒：请留意“更新中”提示。"),
    5: (
        "大项目按金额分析：每个阶段的在途金额乘以该阶段成功率，就是漏斗的**预期收入**。只有本季度还能签约的阶段计入本季度；**金额缺口**是和指标相比还差的部分。"),
    6: (
        "课程的收入预测：已实现 + **确保收入** x 75% + **可能收入** x 25% + **预测外收入**（剩余每周按指标的 4% 计）。调整各部分，看预测完成率和缺口。"),
    7: (
        "一次看全队：每名销售的**产量**（每周成交数和新项目）、成功率、平均单笔、**平衡**（在途项目在各阶段的分布）和**阶段时间**，有图有表。有几名销售各有一个隐藏的问题，每次练习都不一样（页面会写出有几个人，以及本次练习的随机种子）。选一名销售和你要辅导的问题，反馈会告诉你找得对不对。"),
    8: (
        "*给规划人员。* 真实的一年里有**新人爬坡**、**人员流失**，空出的位置要等补员。选择新人入职的月份、爬坡时间和年流失率：模拟这一年，看计划还能不能完成指标。每次调整都会重新模拟团队：请留意“更新中”提示。"),
    9: (
        "分档提成：指标以内按**基础提成比例**，超过指标按更高的**挑战档**，超过例如 150% 再按**卓越档**。团队的各个季度只模拟一次，调整比例就是重新计算它们的提成，所以你能看到这套方案在真实团队的各种结果下，提成占销售额的比例（销售成本）。"),
}
LESSONS = tuple(dataclasses.replace(le, explanation_zh=EXPLANATIONS_ZH[le.number]) for le in LESSONS)

_CODE = """import simkit.workbook
from simkit.app.webapp import lesson_page

lesson_page(simkit.workbook.{dashboard})"""


def _notebook(cells):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    # Stable cell ids, so rewriting the pages gives byte-identical files.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def lesson_notebook(lesson: Lesson):
    import nbformat

    # The title stays on screen; the explanation folds away (a projector has 720 px).
    # Both languages are on the page; the page widget (simkit.app.webapp) hides the one
    # not chosen, and the English / 中文 switch swaps them with the dashboard.
    head = (f"# <span class=\"simkit-lang-en\">Lesson {lesson.number} · {lesson.title_en}</span>"
            f"<span class=\"simkit-lang-zh\">第 {lesson.number} 课 · {lesson.title_zh}</span>\n\n"
            "<details class=\"simkit-about\"><summary>"
            "<span class=\"simkit-lang-en\">About this lesson · "
            "<a href=\"index.ipynb\">all lessons</a></span>"
            "<span class=\"simkit-lang-zh\">课程说明 · <a href=\"index.ipynb\">全部课程</a></span>"
            "</summary>\n\n"
            f"<div class=\"simkit-lang-en\">\n\n{lesson.explanation}\n\n"
            "Use the **English / 中文** switch to change the page's language.\n\n</div>\n\n"
            f"<div class=\"simkit-lang-zh\">\n\n{lesson.explanation_zh}\n\n"
            "用 **English / 中文** 按钮切换页面语言。\n\n</div>\n\n"
            "</details>")
    return _notebook([nbformat.v4.new_markdown_cell(head),
                      nbformat.v4.new_code_cell(_CODE.format(dashboard=lesson.dashboard))])


def index_notebook(lessons=LESSONS):
    import nbformat

    rows = "\n".join(
        f"| {le.number} | [{le.title_en}]({le.filename}?lang=en) "
        f"| [{le.title_zh}]({le.filename}?lang=zh) |"
        for le in lessons)
    text = ("# simkit: sales-funnel lessons (销售漏斗课程)\n\n"
            "Pick a lesson. Every page has sliders to move and an **English / 中文** switch; "
            "no code is shown and nothing needs installing in the browser.\n\n"
            "选择一节课程：每页都有可拖动的滑块和 **English / 中文** 语言切换。\n\n"
            "| Lesson 课 | English | 中文 |\n|---|---|---|\n" + rows)
    return _notebook([nbformat.v4.new_markdown_cell(text)])


def write_pages(folder: Path = APP_DIR, lessons=LESSONS) -> list[Path]:
    """Write index.ipynb and one page per lesson into ``folder``; return the paths."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, nb in [("index.ipynb", index_notebook(lessons)),
                     *[(le.filename, lesson_notebook(le)) for le in lessons]]:
        path = folder / name
        nbformat.write(nb, path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simkit.app.pages")
    parser.add_argument("folder", nargs="?", type=Path, default=APP_DIR)
    args = parser.parse_args(argv)
    for path in write_pages(args.folder):
        sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
