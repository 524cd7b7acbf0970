"""The trainer's kit: scripts, printable handouts and a separate answer key, as HTML.

    write_kit("kit", lang="both")      # or: simkit kit --out kit --lang zh

writes, per language (``en``, ``zh``)::

    kit/index.html                       what is where, how to print
    kit/trainer/script.<lang>.html       the 90-minute and the half-day scripts
    kit/trainer/answer-key.<lang>.html   every answer (keep it away from the room)
    kit/handouts/case-a.<lang>.html      case A worksheet  } questions only,
    kit/handouts/case-b.<lang>.html      case B worksheet  } to print and
    kit/handouts/exercises.<lang>.html   exercise sheet    } hand out

Every page is self-contained print-ready HTML (A4, ``@media print``, system
fonts only: no web font, no external host, no script). Every number comes
from :mod:`simkit.course.kit_facts` or the exercises' checks. The folder is
built in a temporary folder beside the target and renamed into place, so a
kit is there whole or not at all; a previous kit (it holds ``.simkit-kit``) is
replaced, any other non-empty folder is refused.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from simkit.course.i18n import LANGUAGES
from simkit.course.kit_facts import KIT_REPLICATIONS, kit_facts
from simkit.course.kit_script import SESSIONS, render_session
from simkit.course.kit_sheets import answer_key, handouts
from simkit.model.errors import SimkitInputError
from simkit.sim import DEFAULT_SEED

__all__ = ["HANDOUTS", "MARKER", "kit_files", "render_kit", "write_kit"]

MARKER = ".simkit-kit"
HANDOUTS = ("case-a", "case-b", "exercises")

CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
       "Microsoft YaHei", "PingFang SC", "Helvetica Neue", Arial, sans-serif;
       font-size: 11pt; line-height: 1.45; color: #111; }
body { max-width: 182mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 13.5pt; margin: 7mm 0 2mm; break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
h4 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; }
p.meta { color: #444; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 0.3mm solid #999; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { break-inside: avoid; }
table.script { table-layout: fixed; }
table.script th:nth-child(1) { width: 13mm; }
table.script th:nth-child(2) { width: 27mm; }
table.script th:nth-child(3) { width: 26%; }
table.script th:nth-child(4) { width: 22%; }
table.script th:nth-child(5) { width: 32%; }
td.when { white-space: nowrap; font-weight: bold; }
td.page { font-size: 9.5pt; overflow-wrap: anywhere; }
td.num { text-align: right; white-space: nowrap; }
td.blank { min-width: 16mm; height: 8mm; }
td.given { color: #111; background: #f6f6f6; }
.q { break-inside: avoid; margin: 0 0 3mm; }
.q .line { border-bottom: 0.3mm solid #333; height: 8mm; }
.answer { font-weight: bold; }
.how { color: #333; font-size: 9.5pt; }
.name { margin: 0 0 5mm; }
@media print {
  body { padding: 0; max-width: none; }
  .noprint { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

TEXT = {  # the kit's own words, (English, 中文)
    "kit": ("Trainer's kit", "讲师手册"),
    "script": ("Session scripts", "课程脚本"),
    "answer_key": ("Answer key (trainer only, do not hand out)", "答案卷（仅供讲师，请勿分发）"),
    "handouts": ("Handouts for the room", "学员讲义"),
    "case-a": ("Case A worksheet", "案例 A 练习单"),
    "case-b": ("Case B worksheet", "案例 B 练习单"),
    "exercises": ("Exercise sheet", "练习题"),
    "meta": (("Numbers computed by simkit {version} (seed {seed}, {replications} replications, "
             "the app's defaults). Regenerate with: simkit kit --out DIR"),
             ("数字由 simkit {version} 计算（随机种子 {seed}，{replications} 次重复模拟，与应用默认一致）。"
             "重新生成：simkit kit --out DIR")),
    "length": (" ({minutes} minutes)", "（{minutes} 分钟）"),
    "when": ("min", "分钟"),
    "page": ("app page / notebook", "应用页面 / 练习册"),
    "do": ("do", "操作"),
    "ask": ("ask the room", "提问"),
    "see": ("the room sees", "学员看到"),
    "optional": ("Optional block", "选讲"),
    "lesson": ("lesson {n}", "第 {n} 课"),
    "given": ("Given", "已知"),
    "questions": ("Questions", "问题"),
    "answers": ("Answers", "答案"),
    "projection": (("Weekly projection with {injection} new projects entering each week: fill in "
                   "the blanks (each stage lasts a week; deals move on by the stage-to-stage "
                   "conversion, the rest drop out)."),
                   ("每周推演，每周进入 {injection} 个新增项目：填空（每个阶段一周；项目按阶段转化率"
                   "进入下一阶段，其余流失）。")),
    "name": ("Name: ____________________   Team: ____________",
             "姓名：____________________   小组：____________"),
    "print": (("To print: open a page in a browser, Print, paper A4, scale 100%, headers and "
              "footers off. Print the handouts for the room; keep the script and the answer key "
              "for yourself."),
              ("打印：用浏览器打开页面，选择打印，纸张 A4，缩放 100%，关闭页眉页脚。讲义发给学员；"
              "脚本和答案卷讲师自留。")),
    "answer": ("answer", "答案"),
    "colon": (": ", "："),
    "how": ("how", "方法"),
}


def _t(key: str, lang: str, **values) -> str:
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str, lang: str) -> str:
    code = "zh-CN" if lang == "zh" else "en"
    return (f"<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f"</body>\n</html>\n")


def _meta(lang: str) -> str:
    try:
        v = version("simkit")
    except PackageNotFoundError:  # running from a checkout that is not installed
        v = "(source)"
    text = _t("meta", lang, version=v, seed=DEFAULT_SEED, replications=KIT_REPLICATIONS)
    return f"<p class=\"meta\">{_e(text)}</p>"


def _script_html(facts, lang: str) -> str:
    title = _t("kit", lang) + _t("colon", lang) + _t("script", lang)
    parts = [f"<h1>{_e(title)}</h1>", _meta(lang)]
    head = "".join(f"<th>{_e(_t(k, lang))}</th>" for k in ("when", "page", "do", "ask", "see"))
    lesson = _t("lesson", lang)
    for key in SESSIONS:
        s = render_session(key, facts, lang)
        length = _t("length", lang, minutes=s["minutes"])
        parts.append(f"<h2 id=\"{key}\">{_e(s['title'])}{_e(length)}</h2>")
        for note in s["notes"]:
            parts.append(f"<p>{_e(note)}</p>")
        for block in s["blocks"]:
            parts.append(_block_html(block, head, lesson))
        for block in s["optional"]:
            parts.append(_block_html(block, head, lesson, optional=_t("optional", lang)))
    return _page(title, "\n".join(parts), lang)


def _block_html(block: dict, head: str, lesson: str, optional: str = "") -> str:
    rows = []
    for st in block["steps"]:
        page = ""
        if st["lesson"] is not None:
            page = (f"{_e(lesson.format(n=st['lesson']))}<br>app: {_e(st['page'])}<br>"
                    f"{_e(st['notebook'])}")
        rows.append(f"<tr><td class=\"when\">{_e(st['when'])}</td><td class=\"page\">{page}</td>"
                    f"<td>{_e(st['do'])}</td><td>{_e(st['ask'])}</td><td>{_e(st['see'])}</td></tr>")
    title = f"{optional}: {block['title']}" if optional else block["title"]
    return (f"<h3>{_e(title)}</h3>\n<table class=\"script\"><tr>{head}</tr>\n"
            + "\n".join(rows) + "</table>")


def _sheet_html(sheet: dict, lang: str, *, key: bool) -> str:
    parts = [f"<h2>{_e(sheet['title'])}</h2>"]
    if sheet["intro"]:
        parts.append(f"<p>{_e(sheet['intro'])}</p>")
    if sheet["givens"]:
        rows = "".join(f"<tr><td>{_e(k)}</td><td class=\"num\">{_e(v)}</td></tr>"
                       for k, v in sheet["givens"])
        parts.append(f"<h3>{_e(_t('given', lang))}</h3><table class=\"givens\">{rows}</table>")
    parts.append(f"<h3>{_e(_t('answers' if key else 'questions', lang))}</h3>")
    lesson = None
    for qid, text, answer, how in sheet["questions"]:
        if sheet.get("by_lesson") and qid.split(".")[0] != lesson:
            lesson = qid.split(".")[0]
            parts.append(f"<h4>{_e(_t('lesson', lang, n=lesson))}</h4>")
        if key:
            colon = _t("colon", lang)
            extra = f"<div class=\"answer\">{_e(_t('answer', lang))}{colon}{_e(answer)}</div>"
            if how:
                extra += f"<div class=\"how\">{_e(_t('how', lang))}{colon}{_e(how)}</div>"
        else:
            extra = "<div class=\"line\"></div>"
        parts.append(f"<div class=\"q\"><b>{_e(qid)}.</b> {_e(text)}{extra}</div>")
    proj = sheet["projection"]
    if proj:
        parts.append(f"<p>{_e(_t('projection', lang, injection=proj['injection']))}</p>")
        head = "".join(f"<th>{_e(h)}</th>" for h in proj["header"])
        body = []
        for label, cells in proj["rows"]:
            tds = "".join(
                "<td class=\"blank\"></td>" if v is None else
                f"<td class=\"num{' given' if given else ' answer'}\">{_e(v)}</td>"
                for v, given in cells)
            body.append(f"<tr><td>{_e(label)}</td>{tds}</tr>")
        parts.append(f"<table class=\"projection\"><tr>{head}</tr>{''.join(body)}</table>")
    return "\n".join(parts)


def render_kit(lang: str, facts=None) -> dict[str, str]:
    """Every file of the kit in ``lang``: relative path -> HTML text."""
    if lang not in LANGUAGES:
        raise SimkitInputError("lang", lang, "one of " + ", ".join(LANGUAGES))
    facts = kit_facts() if facts is None else facts
    files = {f"trainer/script.{lang}.html": _script_html(facts, lang)}
    sheets = handouts(facts, lang)
    for name in HANDOUTS:
        body = (f"<p class=\"name\">{_e(_t('name', lang))}</p>"
                + _sheet_html(sheets[name], lang, key=False))
        files[f"handouts/{name}.{lang}.html"] = _page(sheets[name]["title"], body, lang)
    keyed = answer_key(facts, lang)
    body = [f"<h1>{_e(_t('answer_key', lang))}</h1>", _meta(lang)]
    body += [_sheet_html(keyed[name], lang, key=True) for name in HANDOUTS]
    files[f"trainer/answer-key.{lang}.html"] = _page(_t("answer_key", lang), "\n".join(body),
                                                     lang)
    return files


def _index(langs: tuple[str, ...]) -> str:
    parts = []
    for lang in langs:
        links = [("trainer/script", "script"), ("trainer/answer-key", "answer_key")]
        items = "".join(f"<li><a href=\"{p}.{lang}.html\">{_e(_t(k, lang))}</a></li>"
                        for p, k in links)
        hand = "".join(f"<li><a href=\"handouts/{n}.{lang}.html\">{_e(_t(n, lang))}</a></li>"
                       for n in HANDOUTS)
        parts.append(f"<h2>{_e(_t('kit', lang))} ({lang})</h2><ul>{items}</ul>"
                     f"<h3>{_e(_t('handouts', lang))}</h3><ul>{hand}</ul>"
                     f"<p>{_e(_t('print', lang))}</p>")
    return _page("simkit: " + " / ".join(_t("kit", la) for la in langs), "\n".join(parts),
                 langs[0])


def kit_files(lang: str = "both") -> dict[str, str]:
    """The whole kit for ``lang`` ("en", "zh" or "both"): relative path -> text."""
    langs = LANGUAGES if lang == "both" else (lang,)
    if any(la not in LANGUAGES for la in langs):
        raise SimkitInputError("lang", lang, "one of " + ", ".join((*LANGUAGES, "both")))
    files = {}
    for la in langs:
        files.update(render_kit(la))
    files["index.html"] = _index(langs)
    files[MARKER] = "made by simkit kit; this folder is replaced when the kit is rebuilt\n"
    return files


def write_kit(out: str | os.PathLike, lang: str = "both") -> list[Path]:
    """Write the kit to ``out`` (see the module docstring); returns the files written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SimkitInputError("--out", str(out), "a folder (this is a file)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SimkitInputError("--out", str(out), "a new or empty folder, or an earlier kit "
                               f"(this one is not empty and has no {MARKER})")
    files = kit_files(lang)  # compute everything before touching the disk
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for rel, text in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out / rel for rel in files)
