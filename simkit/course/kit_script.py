"""The trainer's minute-by-minute scripts: the 90-minute session and the half day.

A script is a list of blocks (one per lesson, plus break and close); a block is
a list of steps, each with its length in minutes, the lesson, what to click,
what to ask the room and what the room will see. The texts are templates:
every number in them is a ``{placeholder}`` filled from
:func:`simkit.course.kit_facts.kit_facts` (and every control's name from the
label catalogue the pages use, ``{lbl_<key>}``), so a template holds no digit
of its own and a test checks it. Minutes are added up from the steps, so a
session's plan always sums to its length.
"""

from __future__ import annotations

from dataclasses import dataclass

from simkit.course.exercises import exercises_for
from simkit.course.i18n import LABELS, LANGUAGES
from simkit.course.kit_facts import Fact, fact_text
from simkit.model.errors import SimkitInputError

__all__ = ["PAGES", "SESSIONS", "Session", "Step", "render_session", "template_values"]

#: lesson -> (app page, workbook notebook). Lesson 0 has no app page of its own yet:
#: the app's index page and the workbook's lesson 0 carry its message.
PAGES = {
    0: ("index", "00-start-here"),
    1: ("01-funnel", "01-the-funnel"),
    2: ("02-headline", "02-prospecting-win-rate-deal-size"),
    3: ("03-headcount", "03-quota-to-headcount"),
    4: ("04-gap", "04-mid-quarter-gap"),
    5: ("05-large-projects", "05-large-projects"),
    6: ("06-forecast", "06-forecasting"),
    7: ("07-coaching", "07-coaching"),
}

COACHING_LESSON = 7

Text = tuple[str, str]  # (English, 中文)
NONE: Text = ("", "")


@dataclass(frozen=True)
class Step:
    """One step: ``minutes`` long, in ``lesson`` (None: no page), three bilingual texts."""

    minutes: int
    lesson: int | None
    do: Text
    ask: Text = NONE
    see: Text = NONE


@dataclass(frozen=True)
class Session:
    key: str
    title: Text
    minutes: int
    blocks: tuple[tuple[Text, tuple[Step, ...]], ...]  # (block title, steps)
    notes: tuple[Text, ...] = ()


# ------------------------------------------------------------------ the blocks

L0 = (("Why funnels: a plan met on average", "为什么要管漏斗：平均完成的计划"), (
    Step(3, 0,
         (("Open the app's lesson list (simkit app) or the workbook's lesson {lesson}. Show the "
          "starting scenario: small projects."),
          "打开应用的课程目录（simkit app）或练习册第 {lesson} 课，介绍起始场景：小项目。"),
         NONE,
         (("{reps} reps, {leads} new projects per rep a week, win rate {win_rate}, average deal "
          "{avg_deal}, team quota {quota} a quarter ({weeks_per_quarter} selling weeks)."),
          ("{reps} 名销售，每人每周 {leads} 个新增项目，成功率 {win_rate}，平均成交额 {avg_deal}，"
          "团队季度指标 {quota}（一个季度 {weeks_per_quarter} 个销售周）。"))),
    Step(4, 0,
         ("Collect guesses before running anything.", "先让大家猜，再运行。"),
         (("The plan's expected attainment is {expected_attainment}. Out of ten quarters, how "
          "many does this team make its quota?"),
          "这个计划的期望完成率是 {expected_attainment}。十个季度里，团队能完成指标几次？")),
    Step(3, 0,
         (("Run the simulation (the seed is shown under the chart: the same seed always gives "
          "the same numbers)."),
          "运行模拟（图下显示随机种子：同一个种子总是得到同样的数字）。"),
         NONE,
         (("{replications} simulated quarters, seed {seed}: mean attainment {base_attainment}, "
          "{band_lo}-{band_hi} range {base_p10} to {base_p90}, chance to make the quarter {base_p_quarter}. "
          "A plan met on average is missed in {base_p_miss} of the quarters."),
          ("模拟 {replications} 个季度，随机种子 {seed}：平均完成率 {base_attainment}，"
          "{band_lo}-{band_hi} 区间 {base_p10} 到 {base_p90}，完成季度指标的概率 {base_p_quarter}。"
          "平均能完成的计划，有 {base_p_miss} 的季度完不成。"))),
))

L1 = (("The funnel: stage win probability and conversion", "销售漏斗：该阶段成功率与阶段转化率"), (
    Step(5, 1,
         (("Open page {lesson}; preset: {lbl_small-projects}. Point at the table's columns "
          "“{lbl_win_prob}” and “{lbl_conversion}”."),
          ("打开第 {lesson} 页，预设场景选“{lbl_small-projects}”。指出表中“{lbl_win_prob}”和"
          "“{lbl_conversion}”两列。")),
         NONE,
         (("Stage win probability: intent {p_intent}, solution {p_solution}, negotiation "
          "{p_negotiation}. Conversion to the next stage: {conv_intent}, {conv_solution}, "
          "{conv_negotiation}."),
          ("该阶段成功率：意向 {p_intent}，方案 {p_solution}，谈判 {p_negotiation}。"
          "阶段转化率：{conv_intent}、{conv_solution}、{conv_negotiation}。"))),
    Step(5, 1,
         ("Let two or three people answer before you explain.", "先请两三位回答，再讲解。"),
         ("“Your rep says a deal is at {p_negotiation}. What does that number mean?”",
          "“销售说某个项目到了 {p_negotiation}，这个数字是什么意思？”"),
         (("It is the chance that a deal now in negotiation is eventually won (cumulative), not "
          "the step to the next stage: of the intent-stage deals only {conv_intent} reach "
          "solution."),
          ("这是谈判阶段的项目最终成交的概率（累计），不是到下一阶段的转化率：意向阶段的项目只有 "
          "{conv_intent} 能进入方案阶段。"))),
    Step(7, 1,
         ("Set “{lbl_wins_per_week}” to {std_wins_per_week} and read the standard funnel.",
          "把“{lbl_wins_per_week}”设为 {std_wins_per_week}，看标准漏斗。"),
         NONE,
         (("To win {std_wins_per_week} deals a week the funnel must always hold {std_intent} / "
          "{std_solution} / {std_negotiation} deals in intent / solution / negotiation, and "
          "{std_new_per_week} new projects must enter every week: the course's shape "
          "{shape_1} : {shape_2} : {shape_3} : {shape_4}."),
          ("每周成交 {std_wins_per_week} 单，漏斗里要始终有意向 {std_intent}、方案 "
          "{std_solution}、谈判 {std_negotiation} 个项目，每周要有 {std_new_per_week} 个新增项目"
          "进入：课程里的 {shape_1} : {shape_2} : {shape_3} : {shape_4}。"))),
    Step(3, 1,
         ("Managers sketch their own funnel's counts next to the standard one.",
          "请每位经理在旁边写下自己漏斗各阶段的项目数。"),
         ("“Where is your funnel thinner than the standard funnel: early or late?”",
          "“和标准漏斗比，你的漏斗哪里偏薄：前端还是后端？”")),
))

L2 = (("What moves the quarter: prospecting, win rate, deal size", "什么决定季度业绩：开拓、成功率、成交额"), (
    Step(5, 2,
         ("Open page {lesson}. Leave the sliders as they are and read the headline numbers.",
          "打开第 {lesson} 页，滑块保持不动，读出主要数字。"),
         NONE,
         (("{lbl_attainment_mean} {base_attainment}, {lbl_p_quarter} {base_p_quarter}, "
          "{lbl_share_at_quota} {base_reps_at_quota}. One rep: {leads} new projects a week x "
          "{win_rate} x {avg_deal} x {weeks_per_quarter} weeks = {rep_quarter} a quarter, about "
          "{rep_year} a year."),
          ("{lbl_attainment_mean} {base_attainment}，{lbl_p_quarter} {base_p_quarter}，"
          "{lbl_share_at_quota} {base_reps_at_quota}。一名销售：每周 {leads} 个新增项目 × "
          "{win_rate} × {avg_deal} × {weeks_per_quarter} 周 = 每季度 {rep_quarter}，"
          "一年约 {rep_year}。"))),
    Step(5, 2,
         ("Take a show of hands for each lever.", "每个选项请大家举手表决。"),
         (("“Which would you rather have: new projects {leads} to {lever_leads} a rep a week, "
          "win rate {win_rate} to {lever_win_rate}, or average deal {avg_deal} to "
          "{lever_deal_size}?”"),
          ("“你更想要哪一个：每人每周新增项目从 {leads} 到 {lever_leads}，成功率从 {win_rate} 到 "
          "{lever_win_rate}，还是平均成交额从 {avg_deal} 到 {lever_deal_size}？”"))),
    Step(10, 2,
         (("Move one slider at a time, release it, read the numbers, then put it back: "
          "“{lbl_leads_per_rep}”, “{lbl_win_rate}”, “{lbl_avg_deal}”."),
          ("每次只动一个滑块，松开后读数字，再拨回原值：“{lbl_leads_per_rep}”、“{lbl_win_rate}”、"
          "“{lbl_avg_deal}”。")),
         NONE,
         (("New projects {lever_leads}: attainment {leads_attainment}, chance {leads_p_quarter}. "
          "Win rate {lever_win_rate}: {win_rate_attainment}, chance {win_rate_p_quarter}. "
          "Average deal {lever_deal_size}: {deal_size_attainment}, chance "
          "{deal_size_p_quarter}. Same seed each time, so the difference is the lever."),
          ("新增项目 {lever_leads}：完成率 {leads_attainment}，完成概率 {leads_p_quarter}。"
          "成功率 {lever_win_rate}：{win_rate_attainment}，完成概率 {win_rate_p_quarter}。"
          "平均成交额 {lever_deal_size}：{deal_size_attainment}，完成概率 {deal_size_p_quarter}。"
          "每次用同一个随机种子，所以差别来自滑块本身。"))),
    Step(5, 2,
         ("Discuss; write the three costs on the flip chart.", "讨论，把三项的代价写在白板上。"),
         ("“What does each of these cost you to get, and which can you get by Monday?”",
          "“每一项要付出什么代价？哪一项下周一就能开始做？”")),
))

_L3_STEPS = (
    Step(5, 3,
         ("Hand out the case A worksheet. Open page {lesson}; leave its sliders at the case's values.",
          "发下案例 A 练习单。打开第 {lesson} 页，滑块保持案例的数值。"),
         NONE,
         (("Case A: annual software quota {a_annual}, VAT factor {a_vat}, small-project share "
          "{a_small_share}, the quarter's share {a_quarter_share}."),
          ("案例 A：年度软件指标 {a_annual}，含税系数 {a_vat}，小项目占比 {a_small_share}，"
          "本季度占全年 {a_quarter_share}。"))),
    Step(8, 3,
         ("Pairs fill in the worksheet; walk around.", "两人一组填写练习单，讲师巡视。"),
         ("“How many reps does this quarter need?”", "“这个季度需要多少名销售？”")),
    Step(7, 3,
         ("Show the page's answers line by line.", "在页面上逐行对答案。"),
         NONE,
         (("{lbl_quarter_quota} {a_quota}; {lbl_deals_needed} {a_deals}; {lbl_wins_per_week} "
          "{a_wins_per_week}; {lbl_new_per_week} {a_new_per_week}; {lbl_reps_needed} {a_reps}. "
          "Standard funnel: {a_intent} / {a_solution} / {a_negotiation}."),
          ("{lbl_quarter_quota} {a_quota}；{lbl_deals_needed} {a_deals}；{lbl_wins_per_week} "
          "{a_wins_per_week}；{lbl_new_per_week} {a_new_per_week}；{lbl_reps_needed} {a_reps}。"
          "标准漏斗：{a_intent} / {a_solution} / {a_negotiation}。"))),
    Step(5, 3,
         ("Move “{lbl_new_per_rep}” to {a_new_per_rep_low}.",
          "把“{lbl_new_per_rep}”调到 {a_new_per_rep_low}。"),
         ("“Cheaper: more reps, or more prospecting per rep?”",
          "“哪个更划算：多招人，还是每人多开拓？”"),
         ("{lbl_reps_needed}: {a_reps_low}.", "{lbl_reps_needed}：{a_reps_low}。")),
)
L3 = (("Case A: from annual quota to headcount", "案例 A：从年度指标到人员配置"), _L3_STEPS)


def _l4(worksheet: bool):
    first = Step(5, 4,
                 ("Open page {lesson} (case B){hand}. Read the snapshot aloud.",
                  "打开第 {lesson} 页（案例 B）{hand_zh}，念出漏斗现状。"),
                 NONE,
                 (("Week {b_week} of {weeks_per_quarter}: intent {b_intent}, solution {b_solution}, "
                  "negotiation {b_negotiation} deals; won so far {b_realised}; quota {b_quota}; "
                  "average deal {b_avg_deal}."),
                  ("第 {b_week} 周（共 {weeks_per_quarter} 周）：意向 {b_intent}、方案 {b_solution}、"
                  "谈判 {b_negotiation} 个项目；已成交 {b_realised}；指标 {b_quota}；"
                  "平均成交额 {b_avg_deal}。")))
    hand = ", hand out the case B worksheet" if worksheet else ""
    hand_zh = "，发下案例 B 练习单" if worksheet else ""
    first = Step(first.minutes, first.lesson,
                 (first.do[0].replace("{hand}", hand), first.do[1].replace("{hand_zh}", hand_zh)),
                 first.ask, first.see)
    steps = [
        first,
        Step(5 + (5 if worksheet else 0), 4,
             ("Let the room work it out{alone}.".replace(
                 "{alone}", " on the worksheet" if worksheet else ""),
              "请大家自己算{alone}。".replace("{alone}", "（写在练习单上）" if worksheet else "")),
             (("“How many wins does this funnel still hold, and how many new projects must still "
              "enter?”"),
              "“这个漏斗里还有多少单能成交？还需要多少个新增项目？”")),
        Step(7, 4,
             ("Read the page's headline table.", "读页面上的结果表。"),
             NONE,
             (("Expected wins {b_expected_wins} ({b_expected_amount}); amount gap (金额缺口) "
              "{b_amount_gap}, that is {b_deals_gap} more wins; project gap (项目缺口) "
              "{b_project_gap} new projects. The standard funnel for this quota wins "
              "{b_std_deals} deals a quarter, {b_std_wins_per_week} a week: after {b_week} weeks "
              "the branch should have {b_on_track}, not {b_realised}."),
              ("预期成交 {b_expected_wins} 单（{b_expected_amount}）；金额缺口 {b_amount_gap}，"
              "即还需 {b_deals_gap} 单；项目缺口 {b_project_gap} 个新增项目。按这个指标，标准漏斗"
              "每季度成交 {b_std_deals} 单，每周 {b_std_wins_per_week} 单：{b_week} 周后应完成 "
              "{b_on_track}，而不是 {b_realised}。"))),
        Step(8, 4,
             (("Set “{lbl_injection}” to {b_inj_page}, then to {b_inj_course}; wait for the update each "
              "time."),
              "把“{lbl_injection}”设为 {b_inj_page}，再设为 {b_inj_course}；每次等结果更新。"),
             (("“It is week {b_week}. How many new projects must enter this week, and in which "
              "week do they pay?”"),
              "“现在是第 {b_week} 周。这周要进多少个新增项目？它们哪一周才能成交？”"),
             (("{b_inj_page} a week: the projection wins {b_inj_page_projected_wins} more, mean "
              "attainment {b_inj_page_attainment}, chance to make the quarter {b_inj_page_p_quarter}. "
              "{b_inj_course} a week: {b_inj_course_projected_wins} more wins, {b_inj_course_attainment}, "
              "chance {b_inj_course_p_quarter}."),
              ("每周 {b_inj_page} 个：推演再成交 {b_inj_page_projected_wins} 单，平均完成率 "
              "{b_inj_page_attainment}，完成季度指标的概率 {b_inj_page_p_quarter}。每周 {b_inj_course} 个："
              "再成交 {b_inj_course_projected_wins} 单，{b_inj_course_attainment}，概率 "
              "{b_inj_course_p_quarter}。"))),
    ]
    return (("Case B: the mid-quarter gap", "案例 B：季度中期的缺口分析"), tuple(steps))


L6 = (("Revenue forecast: committed and possible", "销售收入预测：确保收入与可能收入"), (
    Step(8, 6,
         ("Open page {lesson} and read its defaults.", "打开第 {lesson} 页，读默认数值。"),
         NONE,
         (("Quota {f_quota}, realised {f_realised}, committed {f_committed}, possible "
          "{f_possible}, {f_weeks_remaining} weeks left: forecast {f_forecast}, forecast "
          "completion {f_completion}, gap {f_gap}."),
          ("指标 {f_quota}，已实现 {f_realised}，确保收入 {f_committed}，可能收入 {f_possible}，"
          "剩余 {f_weeks_remaining} 周：预测 {f_forecast}，预测完成率 {f_completion}，缺口 {f_gap}。"))),
    Step(7, 6,
         ("Ask, then show lesson {lesson}'s simulated answer.", "先提问，再展示第 {lesson} 课的模拟结果。"),
         ("“Of the deals your reps call committed, how many really pay this quarter?”",
          "“销售报为确保收入的项目，本季度真正回款的有多少？”"),
         (("In the simulation, {f_negotiation_won} of the deals in negotiation at week "
          "{f_drill_week} are won by the quarter's end."),
          "模拟中，第 {f_drill_week} 周处于谈判阶段的项目，到季末有 {f_negotiation_won} 成交。")),
    Step(15, 6,
         (("Workbook lesson {lesson}, the drill: each participant calls the deals committed / possible / "
          "no and the check scores the calls."),
          "练习册第 {lesson} 课的练习：每人把项目判断为确保 / 可能 / 不计入，系统给判断打分。"),
         ("“Whose committed calls would pass the course's {target_lo}-{target_hi}?”",
          "“谁的确保判断能达到课程要求的 {target_lo}-{target_hi}？”")),
))

L7 = (("Coaching with the funnel: yield, balance, time in step", "用漏斗辅导：产量、平衡、阶段时间"), (
    Step(10, 7,
         (("Open page {lesson}: a team of {coach_reps} reps with {coach_problems} hidden problems "
          "(team seed {coach_seed}). Walk through the three views."),
          ("打开第 {lesson} 页：{coach_reps} 名销售的团队，其中 {coach_problems} 人各有一个隐藏问题"
          "（团队随机种子 {coach_seed}）。依次讲解三个视图。")),
         NONE,
         (("产量 yield (wins and new projects a week), 平衡 balance (spread over the stages), "
          "阶段时间 time in step (stalled deals)."),
          "产量（每周成交与新增项目）、平衡（项目在各阶段的分布）、阶段时间（停滞的项目）。")),
    Step(15, 7,
         (("Groups of three name the rep behind each problem (workbook exercises {coach_exercises}); "
          "the answers are in the answer key."),
          "三人一组找出每个问题对应的销售（练习册 {coach_exercises} 题），答案见答案卷。"),
         (("“Which rep lacks prospecting (开拓量不够), which has a low win rate (成功率不高), "
          "whose deals are too small (成交价不高)? What evidence would you ask for?”"),
          "“谁开拓量不够？谁成功率不高？谁成交价不高？你会要他拿出什么证据？”")),
    Step(10, 7,
         ("Role-play the four questions on one of that rep's deals.",
          "就这名销售的一个项目，演练四个问题。"),
         (("“Which step did you just finish? Show me the evidence. What is the next step? Let's "
          "plan it together.”"),
          "“你刚完成了哪一步？证据是什么？下一步是什么？我们一起来计划。”")),
))

L5 = (("Optional: large projects (for branches that sell them)", "选讲：大项目（有大项目的分公司）"), (
    Step(10, 5,
         (("Open page {lesson} and read its defaults; then add accepted (认可客户) to the stages that can "
          "still sign this quarter."),
          "打开第 {lesson} 页读默认结果；再把认可客户加入本季度可签约阶段。"),
         ("“Which of your large projects can really sign this quarter?”",
          "“你的大项目里，哪些本季度真的能签？”"),
         (("Expected revenue {l_expected_total}; collection forecast {l_collection}, amount gap "
          "{l_gap}. With accepted counted: {l_collection_accepted}, gap {l_gap_accepted}."),
          ("预期收入 {l_expected_total}；回款预测 {l_collection}，金额缺口 {l_gap}。"
          "计入认可客户后：{l_collection_accepted}，缺口 {l_gap_accepted}。"))),
))

BREAK = (("Break", "休息"), (Step(15, None, ("Break.", "休息。")),))

SHEET = (("The exercise sheet", "练习题"), (
    Step(10, None,
         (("Hand out the exercise sheet; each participant answers the questions of today's "
          "lessons alone, then compares with a neighbour. Answers: the answer key."),
          "发下练习题，每人先独立回答今天讲过的课程的题目，再和邻座对照。答案见答案卷。"),
         ("“Which answer surprised you most?”", "“哪一题的答案最出乎你的意料？”")),
))


def _close(minutes: int):
    return (("Close: Monday's check", "总结：下周一要检查什么"), (
        Step(minutes, None,
             ("Each manager writes down three things to check in their own funnel on Monday.",
              "每位经理写下下周一要在自己漏斗里检查的三件事。"),
             (("“Your funnel's shape against the standard funnel, your project gap, and the new "
              "projects entering each week: who owns each?”"),
              "“漏斗形状和标准漏斗比、项目缺口、每周新增项目：各由谁负责？”")),
    ))


SESSIONS: dict[str, Session] = {
    "90min": Session("90min", ("The 90-minute session", "90 分钟课程"), 90,
                     (L0, L1, L2, _l4(worksheet=False), _close(10))),
    "halfday": Session("halfday", ("The half-day session", "半天课程"), 210,
                       (L0, L1, L2, L3, _l4(worksheet=True), BREAK, L6, L7, SHEET, _close(10)),
                       notes=((("For a branch with large projects, replace the coaching block with "
                               "the optional large-projects block below (or add it after the "
                               "forecast)."),
                               "有大项目的分公司：用下面的大项目选讲替换辅导部分（或放在收入预测之后）。"),)),
}
OPTIONAL = {"halfday": (L5,)}


def template_values(facts: dict[str, Fact], lang: str) -> dict[str, str]:
    """What the templates' placeholders are filled with: the facts, then the page labels."""
    i = LANGUAGES.index(lang)
    values = {f"lbl_{k}": v[i] for k, v in LABELS.items()}
    values.update(fact_text(facts, lang))
    values["coach_exercises"] = ", ".join(e.id for e in exercises_for(COACHING_LESSON))
    return values


def render_session(key: str, facts: dict[str, Fact], lang: str) -> dict:
    """A session's plan in one language: title, blocks, and per step its minute range
    ("0-3"), lesson, app page, notebook and the three filled-in texts."""
    if key not in SESSIONS:
        raise SimkitInputError("session", key, "one of " + ", ".join(SESSIONS))
    if lang not in LANGUAGES:
        raise SimkitInputError("lang", lang, "one of " + ", ".join(LANGUAGES))
    s = SESSIONS[key]
    i = LANGUAGES.index(lang)
    values = template_values(facts, lang)
    blocks, t0 = [], 0
    for title, steps in s.blocks:
        blocks.append(_render_block(title, steps, i, values, t0))
        t0 += sum(st.minutes for st in steps)
    optional = []
    for title, steps in OPTIONAL.get(key, ()):
        optional.append(_render_block(title, steps, i, values, None))
    return {"key": key, "title": s.title[i], "minutes": t0, "blocks": blocks,
            "optional": optional, "notes": [n[i] for n in s.notes]}


def _render_block(title: Text, steps, i: int, values: dict, t0: int | None) -> dict:
    rows = []
    t = 0 if t0 is None else t0
    for st in steps:
        page, notebook = PAGES.get(st.lesson, ("", "")) if st.lesson is not None else ("", "")
        rows.append({
            "start": t, "end": t + st.minutes,
            "when": f"{t}-{t + st.minutes}" if t0 is not None else f"{st.minutes}",
            "lesson": st.lesson, "page": page, "notebook": notebook,
            **{k: getattr(st, k)[i].format_map({**values, "lesson": str(st.lesson)})
               for k in ("do", "ask", "see")},
        })
        t += st.minutes
    return {"title": title[i], "steps": rows}
