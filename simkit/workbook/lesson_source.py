"""One source per lesson, two languages: ``lessons/NN-name.md`` -> an English and a Chinese notebook.

A lesson is a jupytext MyST markdown file (``lessons/*.md``). Jupytext was chosen
because it is the well-kept, widely used tool for notebooks as text (Jupyter
project ecosystem, regular releases): a lesson diffs and reviews like any text
file, and jupytext reads it back into an nbformat notebook with every cell's
metadata. Each cell of the source is one of

* shared: a code cell without ``lang`` metadata goes into both notebooks;
* English: a cell with ``lang: en`` goes only into the English notebook;
* Chinese: a cell with ``lang: zh`` goes only into the Chinese notebook;
* app: a markdown pair with ``app: true`` is the lesson's explanation on its app page
  (``simkit/app/explanations.json``, written by ``build``); it goes into no notebook.

Language cells come in pairs: a run of consecutive language cells holds the
English cells and their Chinese counterparts, in the same order, with the same
cell types and tags, and paired markdown cells have the same paragraphs and
headings. :func:`pairing_problems` says where a source breaks that rule (the
tests call it), so a paragraph cannot exist in one language only. Every
markdown cell is prose and must carry ``lang``.

In a MyST source a language cell looks like::

    +++ {"lang": "en"}

    ## The standard funnel

    +++ {"lang": "zh"}

    ## 标准漏斗

and a language-specific code cell (for a cell whose output is a sentence)::

    ```{code-cell} ipython3
    :lang: zh

    f"团队完成率：均值 {mean:.0%}"
    ```

``python -m simkit.workbook.notebook_tools build`` (``python3 dev.py notebooks``)
writes ``notebooks/<lang>/`` (instructor notebooks with stored outputs) and
``notebooks/student/<lang>/`` (no solutions, no outputs) from these sources.
Needs the ``notebooks`` extra (jupytext, nbformat).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "LESSON_DIR",
    "cjk_share",
    "lesson_paths",
    "markdown_prose",
    "notebook_for",
    "pairing_problems",
    "read_lesson",
]

LANGUAGES = ("en", "zh")
LESSON_DIR = Path(__file__).resolve().parents[2] / "lessons"

# Metadata a generated notebook keeps (the rest is jupytext's own bookkeeping).
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def lesson_paths(folder: Path = LESSON_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]-*.md"))


def read_lesson(path: Path):
    import jupytext

    return jupytext.read(path, fmt="md:myst")


def _lang(cell) -> str | None:
    return cell.metadata.get("lang")


def notebook_for(source, lang: str):
    """The notebook of one language: shared cells plus that language's cells, in source order."""
    import copy

    import nbformat

    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    cells = []
    for cell in source.cells:
        if _lang(cell) not in (None, lang) or cell.metadata.get("app"):
            continue  # the other language's cells; the app page's explanation
        c = copy.deepcopy(cell)
        c.metadata.pop("lang", None)
        if c.cell_type == "code":
            new = nbformat.v4.new_code_cell(c.source, metadata=dict(c.metadata))
        else:
            new = nbformat.v4.new_markdown_cell(c.source, metadata=dict(c.metadata))
        new["id"] = f"cell-{len(cells):02d}"  # fixed ids: a rebuild gives the same file
        cells.append(new)
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": dict(_KERNELSPEC)})


def app_explanation(source) -> dict[str, str]:
    """The lesson's app-page explanation (markdown cells with ``app: true``), by language;
    empty when the lesson has no app page. These cells go into no notebook."""
    return {c.metadata["lang"]: c.source.strip() for c in source.cells
            if c.cell_type == "markdown" and c.metadata.get("app") and _lang(c) in LANGUAGES}


def _blocks(markdown: str) -> list[str]:
    """The paragraphs of a markdown cell: blank-line separated blocks, each named by its kind."""
    kinds = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        first = block.lstrip()
        if not first:
            continue
        m = re.match(r"(#+)\s", first)
        if m:
            kinds.append("h" + str(len(m.group(1))))
        elif first.startswith("|"):
            kinds.append("table:" + str(sum(1 for line in block.splitlines() if line.strip())))
        elif re.match(r"([*-]|\d+\.)\s", first):
            kinds.append("list:" + str(len(re.findall(r"^\s{0,1}([*-]|\d+\.)\s", block, re.M))))
        else:
            kinds.append("p")
    return kinds


def pairing_problems(source, name: str = "lesson") -> list[str]:
    """Where the source has a cell or paragraph in one language and not the other (empty: none)."""
    problems = []
    runs: list[list[tuple[int, object]]] = []
    previous_was_lang = False
    for i, cell in enumerate(source.cells):
        lang = _lang(cell)
        if lang is None:
            if cell.cell_type == "markdown":
                problems.append(f"{name}: markdown cell {i} has no lang (every text is en or zh)")
            previous_was_lang = False
            continue
        if lang not in LANGUAGES:
            problems.append(f"{name}: cell {i} has lang {lang!r}; allowed: en, zh")
            continue
        if not previous_was_lang:
            runs.append([])
        runs[-1].append((i, cell))
        previous_was_lang = True
    for run in runs:
        en = [(i, c) for i, c in run if _lang(c) == "en"]
        zh = [(i, c) for i, c in run if _lang(c) == "zh"]
        where = f"{name}: cells {run[0][0]}-{run[-1][0]}"
        if len(en) != len(zh):
            problems.append(f"{where}: {len(en)} English cell(s) against {len(zh)} Chinese")
            continue
        for (i, a), (j, b) in zip(en, zh):
            if a.cell_type != b.cell_type:
                problems.append(f"{name}: cell {i} ({a.cell_type}) is paired with cell {j} "
                                f"({b.cell_type})")
            if a.metadata.get("tags", []) != b.metadata.get("tags", []):
                problems.append(f"{name}: cells {i} and {j} have different tags")
            if a.cell_type == "markdown" and _blocks(a.source) != _blocks(b.source):
                problems.append(f"{name}: cells {i} and {j} differ in paragraphs: "
                                f"{_blocks(a.source)} vs {_blocks(b.source)}")
            if not b.source.strip() or not a.source.strip():
                problems.append(f"{name}: cell {i} or {j} is empty")
    return problems


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def markdown_prose(nb) -> str:
    """The markdown text a person reads, without code (fenced blocks, inline code) or links' targets."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return text


def cjk_share(text: str) -> float:
    """Share of CJK characters among the letters of ``text`` (1.0 when it has no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for ch in letters if _CJK.match(ch)) / len(letters)
