"""The no-code app's pages: which lessons it serves, and the notebooks that serve them.

    python -m simkit.app.pages [FOLDER]     (re)write app/*.ipynb from LESSONS

Each lesson page is a Voilà notebook with its title and explanation in English and
Chinese (the explanation comes from the lesson's source, lessons/NN-name.md, its
``app: true`` cells; the page shows the chosen language) and one code cell that calls a workbook
dashboard through :func:`simkit.app.webapp.lesson_page`; ``index.ipynb`` links
them all, in English and in Chinese. The pages are written from
:data:`LESSONS` rather than by hand so they cannot drift apart (a test
compares the committed files with what this module writes).
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LESSONS", "Lesson", "index_notebook", "lesson_notebook", "write_pages"]

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@functools.cache
def _explanations() -> dict[str, dict[str, str]]:
    """The pages' explanations, written from the lesson sources (lessons/*.md, their
    ``app: true`` cells) by ``python3 dev.py notebooks`` and shipped with the package."""
    import json
    from importlib import resources

    text = (resources.files("simkit.app") / "explanations.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    dashboard: str  # name of the function in simkit.workbook
    title_en: str
    title_zh: str

    @property
    def explanation(self) -> str:
        """The page's explanation in English (from the lesson's source, ``app: true`` cells)."""
        return _explanations()[str(self.number)]["en"]

    @property
    def explanation_zh(self) -> str:
        """The same in Chinese."""
        return _explanations()[str(self.number)]["zh"]

    @property
    def filename(self) -> str:
        return f"{self.number:02d}-{self.slug}.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson(0, "plan", "plan_dashboard", "A plan met on average", "平均完成的计划"),
    Lesson(1, "funnel", "funnel_dashboard", "The funnel and its stages", "销售漏斗与阶段"),
    Lesson(2, "headline", "headline_dashboard", "What moves the quarter", "什么决定季度业绩"),
    Lesson(3, "headcount", "headcount_dashboard", "From annual quota to headcount", "从年度指标到人员配置"),
    Lesson(4, "gap", "gap_dashboard", "The mid-quarter gap", "季度中期的缺口"),
    Lesson(5, "large-projects", "large_projects_dashboard", "Large projects: expected revenue", "大项目：预期收入"),
    Lesson(6, "forecast", "forecast_dashboard", "Revenue forecast", "销售收入预测"),
    Lesson(7, "coaching", "coaching_dashboard", "Coaching a rep", "销售辅导"),
    Lesson(8, "planning", "planning_dashboard", "Planning headcount and quota", "人数与指标规划"),
    Lesson(9, "commission", "commission_dashboard", "Commission accelerators", "提成加速器"),
    Lesson(10, "calibration", "calibration_dashboard", "Forecast from a CRM export",
           "用 CRM 数据预测"),
)

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
