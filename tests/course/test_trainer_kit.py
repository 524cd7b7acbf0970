"""The trainer's kit: its numbers are simkit's, both languages match, handouts hold no
answer, and every page prints without the network."""

from __future__ import annotations

import itertools
import re
import string
from pathlib import Path

import pytest

import simkit
from simkit.analysis import funnel_gap, large_project_forecast, revenue_forecast, standard_funnel
from simkit.app.pages import LESSONS
from simkit.course.cases import CASE_B, case_b_scenario
from simkit.course.exercises import EXERCISES
from simkit.course.kit import HANDOUTS, MARKER, kit_files, write_kit
from simkit.course.kit_facts import Fact, kit_facts
from simkit.course.kit_script import OPTIONAL, PAGES, SESSIONS, render_session
from simkit.course.kit_sheets import SHEETS, answer_key, exercise_answer, handouts
from simkit.course.kit_zh import EXERCISES_ZH

ROOT = Path(__file__).resolve().parents[2]
# 240万 in English, 240 万 in Chinese (the workbook's way): one number either way
NUMBER = re.compile(r"\d+(?:\.\d+)?%?(?: ?万)?")
LANGS = ("en", "zh")


@pytest.fixture(scope="module")
def facts():
    return kit_facts()


@pytest.fixture(scope="module")
def files():
    return kit_files("both")


def _text(html: str) -> str:
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)


def _steps(key, facts, lang):
    s = render_session(key, facts, lang)
    return [st for b in s["blocks"] + s["optional"] for st in b["steps"]]


# ------------------------------------------------------------------ the numbers are simkit's


def test_templates_quote_no_number_of_their_own():
    """Every digit a trainer reads in the script comes through a placeholder."""
    for s in SESSIONS.values():
        blocks = s.blocks + OPTIONAL.get(s.key, ())
        for title, steps in blocks:
            for text in (*title, *(t for st in steps for t in (*st.do, *st.ask, *st.see))):
                fields = [f for _, f, _, _ in string.Formatter().parse(text) if f]
                bare = "".join(lit for lit, *_ in string.Formatter().parse(text))
                assert not re.search(r"\d", bare), (text, fields)


def test_every_number_in_the_script_is_a_computed_fact(facts):
    """Parse the rendered script back: each number is one of the facts as the kit writes
    them, or the lesson (page) number of its step."""
    for key in SESSIONS:
        for lang in LANGS:
            quoted = {f.text(lang) for f in facts.values()}
            for st in _steps(key, facts, lang):
                allowed = quoted | {str(st["lesson"])} | {e.id for e in EXERCISES.values()}
                for field in ("do", "ask", "see"):
                    for n in NUMBER.findall(st[field]):
                        assert n in allowed, (key, lang, st["when"], n, st[field])


def _pct(x):
    return f"{x:.0%}"


def test_the_facts_equal_what_the_package_computes(facts):
    """Independent calls to the calculators and the simulation give the kit's numbers."""
    sc = simkit.preset("small-projects")
    s = simkit.simulate(sc, replications=100, seed=simkit.DEFAULT_SEED).summary()
    assert facts["base_p_quarter"].text() == _pct(s["p_team_hits_quota"])
    assert facts["base_attainment"].text() == _pct(s["team_attainment_mean"])
    lever = simkit.simulate(sc.override({"funnel.win_rate": sc.funnel.win_rate + 0.05}),
                            replications=100, seed=simkit.DEFAULT_SEED).summary()
    assert facts["win_rate_p_quarter"].value == lever["p_team_hits_quota"]
    g = funnel_gap(CASE_B["counts"], sc.funnel, CASE_B["realised"], CASE_B["quota"],
                   CASE_B["avg_deal"])
    assert (facts["b_expected_wins"].value, facts["b_project_gap"].value,
            facts["b_amount_gap"].value) == (g.expected_wins, g.project_gap, g.amount_gap)
    inj = simkit.simulate(case_b_scenario(float(facts["b_inj_page"].value)), replications=100,
                          seed=simkit.DEFAULT_SEED).summary()
    assert facts["b_inj_page_p_quarter"].value == inj["p_team_hits_quota"]
    a = standard_funnel(facts["a_quota"].value, 2.0, sc.funnel, new_per_rep_per_week=5)
    assert facts["a_reps"].value == pytest.approx(a.reps_needed)
    f = revenue_forecast(240, 100, 80, 60, 4)
    assert facts["f_forecast"].value == pytest.approx(f.forecast)
    lf = large_project_forecast((600, 400, 300, 250, 200), simkit.preset("large-projects").funnel,
                                won_expected_collection=40, quota=130)
    assert facts["l_collection"].value == pytest.approx(lf.collection_forecast)
    # What the course states in its own words, as the kit writes it.
    assert [facts[k].text() for k in ("b_expected_wins", "b_project_gap", "b_amount_gap",
                                      "b_on_track", "a_quota", "f_forecast")] == \
        ["82.45", "220", "88万", "217万", "239.6万", "213.4万"]


def test_fact_formats():
    assert Fact(0.4123, "pct").text() == "41%"
    assert Fact(240.0, "wan").text() == "240万" and Fact(119.1, "wan").text() == "119.1万"
    assert Fact(240.0, "wan").text("zh") == "240 万" and Fact(119.1, "wan").text("zh") == "119.1 万"
    assert Fact(0.4123, "pct").text("zh") == "41%"
    assert Fact(28.571, "n1").text() == "28.6" and Fact(50.0, "n1").text() == "50"


def test_answer_key_answers_are_the_checks_answers():
    for ex in EXERCISES.values():
        assert simkit.course.exercises.check(ex.id, exercise_answer(ex)).correct, ex.id


# ------------------------------------------------------------------ sessions and languages


@pytest.mark.parametrize("key", list(SESSIONS))
def test_minutes_add_up_and_steps_follow_each_other(key, facts):
    s = render_session(key, facts, "en")
    steps = [st for b in s["blocks"] for st in b["steps"]]
    assert s["minutes"] == SESSIONS[key].minutes == steps[-1]["end"]
    assert steps[0]["start"] == 0
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(steps))


@pytest.mark.parametrize("key", list(SESSIONS))
def test_both_languages_have_the_same_sections_and_numbers(key, facts):
    en, zh = (render_session(key, facts, lang) for lang in LANGS)
    assert [len(b["steps"]) for b in en["blocks"] + en["optional"]] == \
        [len(b["steps"]) for b in zh["blocks"] + zh["optional"]]
    for a, b in zip(_steps(key, facts, "en"), _steps(key, facts, "zh")):
        assert (a["when"], a["lesson"], a["page"]) == (b["when"], b["lesson"], b["page"])
        for field in ("do", "ask", "see"):
            assert bool(a[field]) == bool(b[field]), (a["when"], field)
            assert sorted(n.replace(" ", "") for n in NUMBER.findall(a[field])) == \
                sorted(n.replace(" ", "") for n in NUMBER.findall(b[field])), \
                (key, a["when"], field, a[field], b[field])


def test_both_languages_have_the_same_files_and_headings(files):
    for rel in files:
        if rel.endswith(".en.html"):
            other = rel.replace(".en.html", ".zh.html")
            assert other in files
            for tag in ("h1", "h2", "h3", "h4", "tr", "div class=\"q\""):
                assert files[rel].count(f"<{tag}") == files[other].count(f"<{tag}"), (rel, tag)


def test_chinese_pages_space_the_amounts_like_the_workbook(files):
    """The workbook writes 240 万; the Chinese script, handouts and key do the same."""
    for rel, html in files.items():
        if rel.endswith(".zh.html"):
            text = _text(html)
            assert not re.search(r"\d万", text), (rel, re.findall(r".{0,20}\d万", text))


def test_chinese_uses_the_course_terms(files):
    script = _text(files["trainer/script.zh.html"])
    for term in ("该阶段成功率", "阶段转化率", "项目缺口", "金额缺口", "标准漏斗", "新增项目",
                 "确保收入", "可能收入", "产量", "平衡", "阶段时间", "开拓量不够", "成功率不高",
                 "成交价不高"):
        assert term in script, term


def test_every_exercise_has_chinese_wording():
    assert set(EXERCISES_ZH) == set(EXERCISES)
    for q, how in EXERCISES_ZH.values():
        assert re.search(r"[\u4e00-\u9fff]", q) and how


def test_the_script_names_real_pages_and_notebooks():
    pages = {le.filename.removesuffix(".ipynb") for le in LESSONS} | {"index"}
    for (page, notebook) in PAGES.values():
        assert page in pages, page
        for lang in ("en", "zh"):
            assert (ROOT / "notebooks" / lang / f"{notebook}.ipynb").exists(), notebook


# ------------------------------------------------------------------ handouts and the key


def test_handouts_hold_no_answer(facts, files):
    for lang in LANGS:
        key = answer_key(facts, lang)
        hand = handouts(facts, lang)
        for name in SHEETS:
            text = _text(files[f"handouts/{name}.{lang}.html"])
            for qid, _, answer, _ in key[name]["questions"]:
                for part in re.split(r"\s*[/;]\s*", answer):
                    assert not re.search(rf"(?<![\d.]){re.escape(part)}(?![\d.])", text), \
                        (lang, name, qid, part)
            blanks = [c for _, cells in hand[name]["projection"]["rows"] for c, _ in cells
                      if c is None] if hand[name]["projection"] else []
            filled = [c for _, cells in key[name]["projection"]["rows"] for c, g in cells
                      if not g] if key[name]["projection"] else []
            assert len(blanks) == len(filled)
            for v in filled:
                assert v not in text.split(), (lang, name, v)
        sheet = _text(files[f"handouts/exercises.{lang}.html"])
        for qid, question, answer, how in key["exercises"]["questions"]:
            assert how not in sheet, (lang, qid)
            # a choice question names its options; a number's answer must not be in it
            assert EXERCISES[qid].kind != "number" or not re.search(rf"(?<![\d.]){re.escape(answer)}(?![\d.%])", question), \
                (lang, qid, answer)
        for name in HANDOUTS:
            html = files[f"handouts/{name}.{lang}.html"]
            assert 'class="answer"' not in html and 'class="how"' not in html
            assert "answer-key" not in html
    assert 'class="answer"' in files["trainer/answer-key.en.html"]


def test_the_answer_key_is_a_separate_file(files):
    assert "trainer/answer-key.en.html" in files and "trainer/answer-key.zh.html" in files
    for name in HANDOUTS:
        for lang in LANGS:
            assert f"handouts/{name}.{lang}.html" in files
    assert not any(k.startswith("handouts/") and "answer" in k for k in files)


def test_pages_are_self_contained_and_print_ready(files):
    for rel, html in files.items():
        if not rel.endswith(".html"):
            continue
        assert not re.search(r"https?:|//[\w.-]+\.\w", html, re.IGNORECASE), rel
        for bad in ("<script", "<link", "@import", "url(", "<img", "@font-face"):
            assert bad not in html.lower(), (rel, bad)
        assert '<meta charset="utf-8">' in html
        if rel != "index.html":
            assert "@media print" in html and "size: A4" in html, rel


# ------------------------------------------------------------------ writing the folder


def test_write_kit_writes_atomically_and_replaces_only_a_kit(tmp_path):
    out = tmp_path / "kit"
    written = write_kit(out, "en")
    assert (out / MARKER).exists() and all(p.exists() for p in written)
    assert not any(p.name.endswith(".zh.html") for p in out.rglob("*"))
    write_kit(out, "zh")  # an earlier kit is replaced whole
    assert sorted(p.name for p in (out / "handouts").iterdir()) == \
        ["case-a.zh.html", "case-b.zh.html", "exercises.zh.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["kit"]  # no temp folder left behind
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("x")
    with pytest.raises(simkit.SimkitInputError, match="--out"):
        write_kit(other, "en")
    assert [p.name for p in other.iterdir()] == ["mine.txt"]


def test_the_room_sees_the_kits_numbers_on_the_dashboards(facts):
    """Drive the lesson dashboards the app pages show, as the script says, and read them."""
    pytest.importorskip("ipywidgets", reason="the notebooks extra")
    import simkit.workbook as w

    h = w.headline_dashboard("en", chart=False)
    assert h.values["summary"]["p_team_hits_quota"] == facts["base_p_quarter"].value
    for key, start in (("leads", "leads"), ("win_rate", "win_rate"), ("deal_size", "avg_deal")):
        slider = getattr(h, key)
        slider.value = facts[f"lever_{key}"].value  # one lever at a time, then back
        s = h.values["summary"]
        assert s["p_team_hits_quota"] == pytest.approx(facts[f"{key}_p_quarter"].value)
        assert s["team_attainment_mean"] == pytest.approx(facts[f"{key}_attainment"].value)
        slider.value = facts[start].value
    g = w.gap_dashboard("en", chart=False)
    assert g.values["expected_wins"] == facts["b_expected_wins"].value
    assert g.values["project_gap"] == facts["b_project_gap"].value
    for name in ("page", "course"):
        g.injection.value = facts[f"b_inj_{name}"].value
        assert g.values["p_make_quarter"] == facts[f"b_inj_{name}_p_quarter"].value
        assert g.values["projected_wins"] == pytest.approx(
            facts[f"b_inj_{name}_projected_wins"].value)
    c = w.headcount_dashboard("en", chart=False)
    assert c.values["quarter_quota"] == pytest.approx(facts["a_quota"].value)
    assert c.values["reps_needed"] == pytest.approx(facts["a_reps"].value)
    c.new_per_rep.value = facts["a_new_per_rep_low"].value
    assert c.values["reps_needed"] == pytest.approx(facts["a_reps_low"].value)
    f = w.forecast_dashboard("en", chart=False)
    assert f.values["forecast"] == pytest.approx(facts["f_forecast"].value)
    lp = w.large_projects_dashboard("en", chart=False)
    assert lp.values["collection_forecast"] == pytest.approx(facts["l_collection"].value)
    lp.signable.value = ("accepted", "negotiation")
    assert lp.values["collection_forecast"] == pytest.approx(facts["l_collection_accepted"].value)
    fu = w.funnel_dashboard("en", chart=False)
    assert fu.values["stage_counts"] == pytest.approx(
        [facts[f"std_{s}"].value for s in ("intent", "solution", "negotiation")])
