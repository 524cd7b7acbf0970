"""English and simplified-Chinese labels for the workbook's widgets, charts and tables.

One switch for everything: ``set_language("zh")`` (or ``"en"``), then every
dashboard, chart title, axis label and table header built afterwards uses
that language; ``t(key)`` looks a label up. The Chinese wording is the
course's own (意向 / 方案 / 谈判, 项目缺口, 确保收入 ...), so trainees see
the terms they use at work.
"""

from __future__ import annotations

import os

from simkit.model.errors import SimkitInputError
from simkit.model.labels import STAGE_LABELS_ZH, canonical

__all__ = ["LABELS", "LANGUAGES", "LANG_ENV", "get_language", "set_language", "stage_label", "t"]

LANGUAGES = ("en", "zh")
#: Environment variable giving the starting language (``simkit workbook --lang`` and
#: ``simkit app --lang`` set it for their kernels); ``set_language`` still switches.
LANG_ENV = "SIMKIT_LANG"

# key -> (English, 中文). Placeholders in braces are filled by t(key, **values).
LABELS: dict[str, tuple[str, str]] = {
    # generic
    "seed": ("seed {seed}, {replications} replications",
             "随机种子 {seed}，{replications} 次重复模拟"),
    "language": ("Language", "语言"),
    "weeks": ("weeks", "周"),
    "week": ("week", "周"),
    "wan": ("万 CNY", "万元"),
    "stage": ("Stage", "阶段"),
    "won": ("won", "成交"),
    "count": ("deals", "项目数"),
    "win_prob": ("win probability", "该阶段成功率"),
    "conversion": ("conversion to next stage", "阶段转化率"),
    "deals_in_stage": ("deals in the stage", "阶段项目数"),
    "entering_per_week": ("entering per week", "每周进入"),
    "amount": ("amount, wan", "金额（万）"),
    "preset": ("Preset", "预设场景"),
    "small-projects": ("small projects", "小项目"),
    "large-projects": ("large projects", "大项目"),
    "seven-step": ("seven-step process", "七步销售流程"),
    "view": ("Show", "显示"),
    "cumulative": ("cumulative win probability", "累计成功率"),
    "stage_to_stage": ("stage-to-stage conversion", "阶段间转化率"),
    # headline dashboard (lesson 2)
    "leads_per_rep": ("New projects / rep / week", "每人每周新项目"),
    "win_rate": ("Win rate", "成功率"),
    "avg_deal": ("Average deal, 万", "平均单笔（万）"),
    "reps": ("Reps", "销售人数"),
    "team_quota": ("Team quota per quarter, 万", "团队季度指标（万）"),
    "attainment_mean": ("Team attainment (mean)", "团队完成率（均值）"),
    "p_quarter": ("Chance to make the quarter", "完成季度指标的概率"),
    "share_at_quota": ("Reps at quota (mean share)", "达标销售占比（均值）"),
    "wins_quarter": ("Wins per quarter (mean)", "季度成交数（均值）"),
    "expected_attainment": ("Expected attainment (closed form)", "期望完成率（公式）"),
    "vs_baseline": ("vs the preset", "相对预设"),
    "attainment_hist_title": ("Quarterly team attainment", "团队季度完成率分布"),
    "attainment_axis": ("team attainment (won / quota)", "团队完成率（成交额 / 指标）"),
    "replications_axis": ("share of simulated quarters", "模拟季度占比"),
    "quota_line": ("quota", "指标"),
    "funnel_title": ("Open deals by stage", "各阶段项目数"),
    "standard_funnel_title": ("Standard funnel", "标准漏斗"),
    "cumulative_title": ("Cumulative bookings in the quarter", "季度累计成交额"),
    "cumulative_axis": ("won so far, wan (10k CNY)", "累计成交（万）"),
    "week_axis": ("week of the quarter", "季度第几周"),
    "band": ("10%-90% of simulated quarters", "10%-90% 模拟区间"),
    "median": ("median", "中位数"),
    # funnel dashboard (lesson 1)
    "wins_per_week": ("Wins per week", "每周成交数"),
    "new_per_week": ("New projects per week", "每周新项目"),
    # headcount (lesson 3)
    "annual_quota": ("Annual software quota, 万", "年度软件指标（万）"),
    "vat": ("VAT factor", "含税系数"),
    "small_share": ("Small-project share", "小项目占比"),
    "quarter_share": ("Quarter's share of the year", "本季度占全年比例"),
    "new_per_rep": ("New projects a rep opens / week", "每人每周开拓新项目"),
    "weeks_per_stage": ("Weeks per stage", "每阶段周数"),
    "quarter_quota": ("Quarter's small-project quota", "季度小项目指标"),
    "deals_needed": ("Wins needed in the quarter", "季度所需成交数"),
    "reps_needed": ("Reps needed", "所需销售人数"),
    # gap (lesson 4)
    "intent_count": ("Deals in intent (意向)", "意向阶段项目数"),
    "solution_count": ("Deals in solution (方案)", "方案阶段项目数"),
    "negotiation_count": ("Deals in negotiation (谈判)", "谈判阶段项目数"),
    "realised": ("Already won this quarter, 万", "本季度已成交（万）"),
    "quota": ("Quota, 万", "指标（万）"),
    "current_week": ("Current week", "当前周"),
    "injection": ("New projects / week from now", "今后每周新增项目"),
    "expected_wins": ("Expected wins from the funnel", "漏斗预期成交数"),
    "expected_amount": ("Expected amount from the funnel, 万", "漏斗预期成交额（万）"),
    "amount_gap": ("Amount gap, 万", "金额缺口（万）"),
    "deals_gap": ("More wins needed", "还需成交数"),
    "project_gap": ("Project gap (new projects needed)", "项目缺口"),
    "projection_title": ("Weekly projection", "每周推演"),
    "wins": ("wins", "成交"),
    "now": ("now", "现在"),
    # large projects (lesson 5)
    "signable": ("Stages that can still sign this quarter", "本季度可签约阶段"),
    "in_year_share": ("Collected within the year", "当年回款比例"),
    "in_quarter_share": ("... of which in this quarter", "其中本季度回款比例"),
    "software_share": ("Software share of collections", "软件回款占比"),
    "won_collection": ("Expected collection of won projects, 万", "已成交项目预期回款（万）"),
    "expected_total": ("Expected revenue of the funnel, 万", "漏斗预期收入（万）"),
    "collection_forecast": ("Software collection forecast, 万", "软件回款预测（万）"),
    "large_quota": ("Large-project quota, 万", "大项目指标（万）"),
    "expected_revenue_title": ("Expected revenue by stage", "各阶段预期收入"),
    "expected_revenue": ("expected revenue, wan", "预期收入（万）"),
    "open_amount": ("open amount, wan", "在途金额（万）"),
    # forecast (lesson 6)
    "committed": ("Committed (确保), 万", "确保收入（万）"),
    "possible": ("Possible (可能), 万", "可能收入（万）"),
    "unforecast": ("Unforecast (预测外)", "预测外收入"),
    "weeks_remaining": ("Weeks remaining", "剩余周数"),
    "committed_weight": ("Committed weight", "确保收入系数"),
    "possible_weight": ("Possible weight", "可能收入系数"),
    "unforecast_rate": ("Unforecast rate per week", "每周预测外比例"),
    "forecast": ("Forecast, 万", "预测收入（万）"),
    "completion": ("Forecast completion", "预测完成率"),
    "gap": ("Gap, 万", "缺口（万）"),
    "forecast_title": ("Forecast build-up", "收入预测构成"),
    "realised_part": ("realised", "已实现"),
    "committed_part": ("committed", "确保"),
    "possible_part": ("possible", "可能"),
    "unforecast_part": ("unforecast", "预测外"),
    "drill_score": ("Your calls", "你的判断"),
    # coaching (lesson 7)
    "rep": ("Rep", "销售"),
    "problem": ("Problem", "问题"),
    "yield": ("Yield (产量)", "产量"),
    "balance": ("Balance (平衡)", "平衡"),
    "time_in_step": ("Time in step (阶段时间)", "阶段时间"),
    "not enough prospecting": ("not enough prospecting", "开拓量不够"),
    "low win rate": ("low win rate", "成功率不高"),
    "low deal size": ("low deal size", "成交价不高"),
    "on track": ("on track", "正常"),
    "stalled deals": ("stalled deals", "商机停滞"),
    "wins_per_week_rep": ("wins / week", "每周成交"),
    "new_per_week_rep": ("new / week", "每周新项目"),
    "coaching_title": ("Open deals by stage, per rep", "各销售各阶段项目占比"),
    # commissions (lesson 9)
    "base_rate": ("Base commission rate", "基础提成比例"),
    "challenge_rate": ("Rate above quota (challenge)", "超额提成比例（挑战）"),
    "excellence_level": ("Excellence tier starts at", "卓越档起点"),
    "excellence_rate": ("Rate above excellence", "卓越档提成比例"),
    "payout_title": ("Commission per rep and quarter", "每人每季度提成"),
    "payout_axis": ("commission, wan", "提成（万）"),
    "cost_of_sales": ("Cost of sales (commission / won)", "销售成本（提成 / 成交额）"),
    "payout_p50": ("Median payout per rep, 万", "每人提成中位数（万）"),
    "payout_p90": ("90th percentile payout per rep, 万", "每人提成 90 分位（万）"),
    "commission_total": ("Team commission per quarter (mean), 万", "团队季度提成（均值，万）"),
    # sweeps
    "heatmap_title": ("Chance to make the quarter", "完成季度指标的概率"),
    # planning (lesson 8)
    "hire_month": ("Hires start in month (0 = Jan)", "新人入职月份（0 = 一月）"),
    "ramp_months": ("Ramp: months to full productivity", "新人爬坡期（月）"),
    "attrition_rate": ("Yearly attrition", "年流失率"),
    "capacity_toggle": ("Reps' time is limited (max 8 open deals)", "销售时间有限（最多 8 个在途项目）"),
    "quarter": ("Quarter", "季度"),
    "p_at_quota": ("Chance at quota", "达成指标概率"),
    "headcount": ("Headcount (mean)", "平均人数"),
    "year_attainment": ("Year's attainment (mean)", "全年完成率（均值）"),
    "p_year": ("Chance to make the year's quota", "完成全年指标的概率"),
    "hires_total": ("Hires and backfills (mean)", "新招与补员（均值）"),
    "leavers": ("Leavers (mean)", "离职人数（均值）"),
    "quarter_title": ("Team attainment and headcount by quarter", "各季度团队完成率与人数"),
    "headcount_axis": ("headcount", "人数"),
    "starting_reps": ("starting reps", "期初销售人数"),
    "p_quota": ("chance to reach the team quota", "完成团队指标的概率"),
    "solver_title": ("Headcount solver: fewest reps for a {target} chance",
                     "人数求解：达到 {target} 概率所需最少人数"),
    "sweep_reps": ("reps", "销售人数"),
    "sweep_leads": ("new projects / rep / week", "每人每周新项目"),
    "presales_shared": ("shared pool", "共享资源池"),
    "presales_per_team": ("one consultant per team", "每组固定一名售前"),
    "presales_wait": ("Pre-sales wait, weeks", "售前等待（周）"),
    # CRM calibration (lesson 10)
    "lost": ("lost", "丢单"),
    "rows_read": ("rows read", "读取行数"),
    "rows_kept": ("rows kept", "保留行数"),
    "rows_excluded": ("rows excluded", "排除行数"),
    "naive_win_rate": ("Win rate, closed deals only (naive)", "成功率（仅已关闭项目，朴素）"),
    "open_as_lost_win_rate": ("Win rate, open deals counted as lost", "成功率（在途项目计为丢单）"),
    "censored_win_rate": ("Win probability, open deals censored", "成功率（在途项目删失处理）"),
    "stalled_share": ("Stalled share (never closes)", "停滞比例（永不关闭）"),
    "weeks_since_created": ("weeks since created", "创建后周数"),
    "incidence_title": ("Won and lost by age (open deals censored)", "按项目年龄的成交与丢单（删失）"),
    "observed_weeks": ("observed quantile, weeks", "观测分位数（周）"),
    "fitted_weeks": ("fitted quantile, weeks", "拟合分位数（周）"),
    "time_to_win_title": ("Time to win: fitted vs observed", "成交周期：拟合与观测"),
    "model": ("simulation", "模拟"),
    "last_quarter": ("last quarter", "上季度"),
    "mean_two_quarters": ("mean of two quarters", "前两季度均值"),
    "actual": ("actual", "实际"),
    "wins_next_quarter": ("wins in the next 13 weeks", "未来 13 周成交数"),
    "won_next_quarter": ("won amount in the next 13 weeks", "未来 13 周成交额"),
    "backtest_title": ("Back-test: forecast vs what happened", "回测：预测与实际"),
    "cutoff": ("cutoff", "截止日期"),
    "method": ("method", "方法"),
    "bias": ("bias", "偏差"),
    "rep_wape": ("per-rep WAPE", "个人加权绝对百分比误差"),
    "in_80": ("actual inside the 80% interval", "实际落在 80% 区间内"),
    "parameter": ("parameter", "参数"),
    "value": ("value", "数值"),
    "kind": ("estimated or assumed", "估计或假设"),
}

# Stage names come from labels.py so the two never disagree.
for _key, _zh in STAGE_LABELS_ZH.items():
    LABELS.setdefault(f"stage.{_key}", (_key, _zh[0]))

_language = os.environ[LANG_ENV] if os.environ.get(LANG_ENV) in LANGUAGES else "en"


def set_language(lang: str) -> None:
    """Switch every label built from now on to ``"en"`` or ``"zh"`` (simplified Chinese)."""
    global _language
    _language = _check(lang)


def get_language() -> str:
    return _language


def _check(lang) -> str:
    if lang not in LANGUAGES:
        raise SimkitInputError("lang", lang, "'en' (English) or 'zh' (simplified Chinese)")
    return lang


def t(key: str, lang: str | None = None, **values) -> str:
    """The label for ``key`` in ``lang`` (default: the language set last), formatted with ``values``.

    An unknown key is returned as it is, so a missing translation shows up on
    screen instead of breaking a lesson; a test checks that every key used has
    both languages.
    """
    lang = _language if lang is None else _check(lang)
    pair = LABELS.get(key)
    text = key if pair is None else pair[LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def stage_label(name: str, lang: str | None = None) -> str:
    """A stage's name in the language: ``intent`` / ``意向阶段``; unknown stages unchanged."""
    key = canonical(name)
    return t(f"stage.{key}", lang) if f"stage.{key}" in LABELS else key
