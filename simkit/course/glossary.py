"""The course's glossary (术语表): every term with its English equivalent and one line of meaning.

The terms are the course's own (simplified Chinese). The label catalogue
(:mod:`simkit.course.i18n`) must use them: each :class:`Term` names the catalogue
keys that show the concept, and a test checks that those labels contain the
term in both languages, so a concept is called the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GLOSSARY", "Term", "glossary_table", "term"]


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    meaning_en: str
    meaning_zh: str
    keys: tuple[str, ...] = ()  # catalogue keys whose labels must use this term


GLOSSARY: tuple[Term, ...] = (
    Term("销售漏斗", "sales funnel", "the ordered stages a deal moves through",
         "项目依次经过的固定阶段"),
    Term("漏斗", "funnel", "short for the sales funnel", "销售漏斗的简称",
         ("funnel_title", "expected_wins", "expected_amount", "expected_total")),
    Term("该阶段成功率", "win probability",
         "cumulative chance that a deal now in the stage is eventually won",
         "处在该阶段的项目最终成交的概率（累计）", ("win_prob",)),
    Term("阶段转化率", "conversion", "share of a stage's deals that reach the next stage: "
         "p(i) / p(i+1)", "进入下一阶段的项目占比：本阶段成功率 / 下一阶段成功率",
         ("conversion", "cli.validate.stage")),
    Term("意向", "intent", "first small-project stage (20%)", "小项目第一阶段（20%）",
         ("stage.intent", "intent_count")),
    Term("方案", "solution", "second small-project stage (35%)", "小项目第二阶段（35%）",
         ("stage.solution", "solution_count")),
    Term("谈判", "negotiation", "last open stage (70%)", "最后一个在途阶段（70%）",
         ("stage.negotiation", "negotiation_count")),
    Term("成交", "won", "the deal is signed", "签约", ("won", "stage.won")),
    Term("潜在客户", "potential", "first large-project stage (10%)", "大项目第一阶段（10%）",
         ("stage.potential",)),
    Term("立项客户", "initiated", "the customer approved the project (30%)",
         "客户已立项（30%）", ("stage.initiated",)),
    Term("认可客户", "accepted", "the customer recognises the solution (50%)",
         "客户认可方案（50%）", ("stage.accepted",)),
    Term("在途", "open", "still in a stage: neither won nor lost yet",
         "还在某个阶段：既未成交，也未丢单", ("open_amount", "open_deals", "cli.fc.open_pipeline")),
    Term("丢单", "lost", "the deal ended without a sale", "项目结束，没有成交",
         ("lost", "crm.param.lost share")),
    Term("小项目", "small projects", "contracts under 20万, about three weeks in all",
         "合同 20 万以下，周期约三周", ("small-projects",)),
    Term("大项目", "large projects", "contracts above 20万, about six months in all",
         "合同 20 万以上，周期约六个月", ("large-projects",)),
    Term("标准漏斗", "standard funnel",
         "the balanced funnel (均衡漏斗) that yields a fixed number of wins per period",
         "即均衡漏斗：每个周期产出固定成交数的稳定漏斗", ("standard_funnel_title",)),
    Term("新增项目", "new projects", "projects entering the first stage (prospecting, 开拓)",
         "进入第一阶段的项目（开拓）", ("new_per_week", "injection", "leads_per_rep")),
    Term("平均成交额", "average deal", "won amount per won deal, in 万",
         "每个成交项目的平均金额（万）", ("avg_deal",)),
    Term("指标", "quota", "the target per quarter unless said otherwise", "默认指季度指标",
         ("quota", "team_quota", "quota_line", "quota_reached", "cli.run.p_quota",
          "cli.validate.team")),
    Term("完成率", "attainment", "won amount / quota", "成交额 / 指标",
         ("attainment_mean", "attainment_axis", "year_attainment", "cli.run.attainment",
          "cli.run.expected", "cli.presets.stages", "cli.sweep.header")),
    Term("项目缺口", "project gap", "new projects that must still enter the funnel",
         "还需要进入漏斗的新项目数", ("project_gap",)),
    Term("金额缺口", "amount gap", "money still missing to the quota", "距离指标还差的金额",
         ("amount_gap",)),
    Term("销售收入预测", "revenue forecast",
         "realised + committed x 75% + possible x 25% + quota x 4% x weeks left",
         "已实现 + 确保收入 × 75% + 可能收入 × 25% + 指标 × 4% × 剩余周数"),
    Term("确保收入", "committed", "projects at least 90% sure to pay this period",
         "本期至少 90% 把握回款的项目", ("committed",)),
    Term("可能收入", "possible", "projects at least 50% likely to pay this period",
         "本期至少 50% 可能回款的项目", ("possible",)),
    Term("预测外收入", "unforecast", "cash from projects on neither list",
         "不在以上两个清单中的项目带来的收入", ("unforecast",)),
    Term("回款", "collection", "cash received", "收到的款项",
         ("collection_forecast", "won_collection")),
    Term("产量", "yield", "does the funnel produce enough wins per period?",
         "每个周期的成交够不够？", ("yield",)),
    Term("平衡", "balance", "are deals spread across stages like the standard funnel?",
         "各阶段的项目分布是否像标准漏斗？", ("balance",)),
    Term("阶段时间", "time in step", "how long deals sit in each stage; stalled deals",
         "项目在各阶段停留多久；停滞的项目", ("time_in_step",)),
    Term("开拓量不够", "not enough prospecting", "too few new projects a week",
         "每周新项目太少", ("not enough prospecting",)),
    Term("成功率不高", "low win rate", "too few of the deals are won", "成交的项目比例太低",
         ("low win rate",)),
    Term("成交价不高", "low deal size", "wins at too small an amount", "成交金额太小",
         ("low deal size",)),
    Term("销售周期", "sales cycle", "weeks from entry to close", "从进入漏斗到关闭的周数"),
    Term("人效", "sales productivity", "output per rep", "每位销售的产出"),
    Term("弹性人力资源池", "shared resource pool",
         "a pre-sales pool shared by all reps instead of fixed per-team staff",
         "所有销售共用的售前资源，而不是每组固定配置", ("presales_shared",)),
    Term("售前", "pre-sales", "consultants a deal needs at one stage", "项目在某阶段需要的顾问",
         ("presales_wait", "presales_per_team")),
    Term("爬坡期", "ramp", "a new rep's months to full productivity", "新人达到满负荷产出所需的月数",
         ("ramp_months",)),
    Term("流失率", "attrition", "share of reps leaving per year", "每年离职的销售占比",
         ("attrition_rate",)),
    Term("提成", "commission", "the rep's payout on won amount", "按成交额给销售的报酬",
         ("payout_title", "payout_axis", "commission_total")),
    Term("加速器", "accelerator", "payout rates rising above targets", "超过目标后提成比例上升"),
    Term("商机", "opportunity", "a deal as the CRM records it: one row of its export",
         "CRM 里记录的一个项目：导出数据中的一行", ("crm.rule.missing_id",)),
    Term("删失", "censored",
         "an open deal at the cutoff: still running, outcome unknown, neither won nor lost",
         "截止日仍在途的项目：还在进行，结果未知，不算成交也不算丢单",
         ("censored_win_rate", "incidence_title")),
    Term("回测", "back-test",
         "forecast from what was known at a past cutoff, then compare with what happened",
         "只用过去某个截止日期当时已知的数据做预测，再和实际结果比较",
         ("backtest_title", "cal.tab_scorecard")),
)


def term(zh_or_en: str) -> Term:
    """The glossary entry for a Chinese or English term."""
    for t in GLOSSARY:
        if zh_or_en in (t.zh, t.en):
            return t
    raise KeyError(zh_or_en)


def glossary_table(lang: str | None = None):
    """The glossary as a table in the language (default: the one set last)."""
    import pandas as pd

    from simkit.course.i18n import get_language

    lang = lang or get_language()
    if lang == "zh":
        rows = [(t.zh, t.en, t.meaning_zh) for t in GLOSSARY]
        cols = ["术语", "英文", "含义"]
    else:
        rows = [(t.en, t.zh, t.meaning_en) for t in GLOSSARY]
        cols = ["term", "中文", "meaning"]
    return pd.DataFrame(rows, columns=cols).set_index(cols[0])
