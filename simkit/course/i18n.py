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

__all__ = ["EXERCISE_TEXT", "LABELS", "LANGUAGES", "LANG_ENV", "get_language", "localize",
           "set_language", "stage_label", "t"]

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
    "cumulative": ("cumulative win probability", "该阶段成功率（累计）"),
    "stage_to_stage": ("stage-to-stage conversion", "阶段转化率"),
    # headline dashboard (lesson 2)
    "leads_per_rep": ("New projects / rep / week", "每人每周新增项目"),
    "win_rate": ("Win rate", "成功率"),
    "avg_deal": ("Average deal, 万", "平均成交额（万）"),
    "reps": ("Reps", "销售人数"),
    "team_quota": ("Team quota per quarter, 万", "团队季度指标（万）"),
    "attainment_mean": ("Team attainment (mean)", "团队完成率（均值）"),
    "p_quarter": ("Chance to make the quarter", "完成季度指标的概率"),
    "share_at_quota": ("Reps at quota (mean share)", "达标销售占比（均值）"),
    "wins_quarter": ("Wins per quarter (mean)", "季度成交数（均值）"),
    "expected_attainment": ("Expected attainment (closed form)", "期望完成率（公式）"),
    "vs_baseline": ("vs the preset", "相对预设"),
    "delta_pt": ("{delta} points vs the preset", "比预设 {delta} 个百分点"),
    "attainment_hist_title": ("Quarterly team attainment", "团队季度完成率分布"),
    "attainment_axis": ("team attainment (won / quota)", "团队完成率（成交额 / 指标）"),
    "replications_axis": ("share of simulated quarters", "模拟季度占比"),
    "quota_line": ("quota", "指标"),
    "quota_reached": ("{share} reach quota", "达到指标 {share}"),
    "funnel_title": ("Open deals in the funnel, by stage", "漏斗各阶段项目数"),
    "standard_funnel_title": ("Standard funnel", "标准漏斗"),
    "cumulative_title": ("Cumulative bookings in the quarter", "季度累计成交额"),
    "cumulative_axis": ("won so far, wan (10k CNY)", "累计成交（万）"),
    "week_axis": ("week of the quarter", "季度第几周"),
    "band": ("10%-90% of simulated quarters", "10%-90% 模拟区间"),
    "median": ("median", "中位数"),
    # funnel dashboard (lesson 1)
    "wins_per_week": ("Wins per week", "每周成交数"),
    "new_per_week": ("New projects per week", "每周新增项目"),
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
    "gap.tab_projection": ("weekly projection", "每周推演"),
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
    "stalled deals": ("stalled deals", "项目停滞"),
    "wins_per_week_rep": ("wins / week", "每周成交"),
    "new_per_week_rep": ("new / week", "每周新增项目"),
    "coach_right": ("✓ Right", "✓ 答对了"),
    "coach_session": ("Session seed {seed}: open the page with ?seed={seed} to replay this team.",
                      "本次练习的随机种子 {seed}：在地址后加 ?seed={seed} 可重现这支团队。"),
    "coach_intro": ("{reps} reps over a year; {hidden} of them have a hidden problem. Compare each "
                    "rep with the team, pick a rep and the problem you would coach on.",
                    "{reps} 名销售、一年的数据；其中 {hidden} 人各有一个隐藏的问题。把每个人和团队比较，"
                    "选一名销售和你要辅导的问题。"),
    "coach_days": ("days in step (median)", "阶段时间（天，中位数）"),
    "coach.tab_team": ("team", "团队"),
    "coach_wrong": ("✗ Not this one: compare the rep with the team",
                    "✗ 不对：和团队其他人比较一下"),
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
    "hire_month": ("Hires start in month (1 = Jan)", "新人入职月份（1 = 一月）"),
    "ramp_months": ("Ramp: months to full productivity", "新人爬坡期（月）"),
    "attrition_rate": ("Yearly attrition", "年流失率"),
    "capacity_toggle": ("Reps' time is limited (max 8 open deals)", "销售时间有限（最多 8 个在途项目）"),
    "quarter": ("Quarter", "季度"),
    "quarter_n": ("Q{n}", "第 {n} 季度"),
    "p_at_quota": ("Chance at quota", "完成指标的概率"),
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
    "sweep_leads": ("new projects / rep / week", "每人每周新增项目"),
    "presales_shared": ("shared resource pool", "弹性人力资源池"),
    "presales_per_team": ("one pre-sales consultant per team", "每组固定一名售前"),
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
    # the back-test's methods; Chinese as in the scorecard (simkit.crm.scoring)
    "model": ("simulation", "模型（校准模拟）"),
    "scenario_sim": ("one-stage scenario simulation", "单阶段情景模拟"),
    "last_quarter": ("last quarter", "沿用上季度"),
    "mean_two_quarters": ("mean of two quarters", "前两季度均值"),
    "seasonal_naive": ("seasonal naive (same quarter last year)", "季节性朴素（去年同期）"),
    "pipeline_weighted": ("CRM pipeline-weighted", "CRM 漏斗加权预测"),
    "actual": ("actual", "实际"),
    "wins_next_quarter": ("wins in the next 13 weeks", "未来 13 周成交数"),
    "won_next_quarter": ("won amount in the next 13 weeks", "未来 13 周成交额"),
    "backtest_title": ("Back-test: forecast vs what happened", "回测：预测与实际"),
    # lesson 10's page (simkit.workbook.calibration)
    "cal.quota_pct": ("quota, share of last quarter", "指标（占上季度的比例）"),
    "cal.p_quota": ("chance of reaching the quota {quota}", "达到指标 {quota} 的概率"),
    "cal.actual": ("what happened next quarter", "下季度实际结果"),
    "cal.chart_title": ("Per rep: 80% interval vs actual ({cutoff})",
                        "各销售：80% 区间与实际（截止日期 {cutoff}）"),
    "cal.interval": ("80% interval", "80% 区间"),
    "cal.median": ("median", "中位数"),
    "cal.interval_note": ("Numbers: median [P10 – P90] of the simulated quarters.",
                          "数字为模拟季度的中位数 [P10 – P90]。"),
    "cal.scorecard": ("Back-test at this cutoff: the model against the baselines",
                      "本截止日期的回测：模型与各基准方法对比"),
    "cal.beats": (("If the model were exactly right, its chance of beating every baseline at "
                   "this cutoff would be {share}: one cutoff's result is partly luck."),
                  "假如模型完全正确，它在这个截止日期胜过所有基准的机会是 {share}：单个截止日期的输赢有运气成分。"),
    "cal.tab_chart": ("chart", "图表"),  # also lessons 4 and 7's chart tab
    "cal.tab_reps": ("per rep", "各销售"),
    "cal.tab_scorecard": ("back-test", "回测"),
    "cal.reps_caption": ("Per rep at this cutoff: median [P10 – P90] and what happened",
                         "各销售（本截止日期）：中位数 [P10 – P90] 与实际结果"),
    "cal.in_80": ("inside 80%", "在 80% 区间内"),
    "cutoff": ("cutoff", "截止日期"),
    "method": ("method", "方法"),
    "bias": ("bias", "偏差"),
    "rep_wape": ("per-rep WAPE", "个人加权绝对百分比误差"),
    "in_80": ("actual inside the 80% interval", "实际落在 80% 区间内"),
    "parameter": ("parameter", "参数"),
    "value": ("value", "数值"),
    "kind": ("estimated or assumed", "估计或假设"),
    # table headers and row labels of the lessons' printed tables (see localize)
    "step": ("step", "步骤"),
    "start": ("start", "起点"),
    "factor": ("factor", "系数"),
    "label_zh": ("中文", "中文"),
    "part": ("part", "构成"),
    "share_of_quota": ("share of quota", "占指标比例"),
    "size": ("deals", "项目数"),
    "mean": ("mean", "均值"),
    "won_share": ("share won in the quarter", "本季度成交比例"),
    "won_in_quarter": ("won in the quarter", "本季度成交"),
    "open_deals": ("open deals", "在途项目"),
    "stalled_deals": ("stalled deals", "停滞项目"),
    "median_days": ("median days", "中位天数"),
    "forecast_part": ("forecast", "预测收入"),
    "standard": ("standard funnel", "标准漏斗"),
    # CRM calibration report (lesson 10): data-quality rules, parameters, back-test
    "crm.rule.missing_id": ("no opportunity id", "没有商机编号"),
    "crm.rule.duplicate_id": ("id already seen on an earlier row (the first row is kept)",
                              "编号与前面的行重复（保留第一行）"),
    "crm.rule.missing_owner": ("no owner / rep", "没有负责人（销售）"),
    "crm.rule.unknown_stage": ("stage or status label not in the mapping", "阶段或状态名不在映射表里"),
    "crm.rule.bad_date": ("a date that cannot be read", "日期读不出"),
    "crm.rule.bad_amount": ("an amount that cannot be read (never counted as 0)",
                            "金额读不出（不会当作 0）"),
    "crm.rule.missing_date": ("no created date, or a won / lost deal without a close date",
                              "没有创建日期，或成交 / 丢单的商机没有关闭日期"),
    "crm.rule.close_before_create": ("close date before the created date", "关闭日期早于创建日期"),
    "crm.rule.negative_amount": ("amount below zero", "金额为负"),
    "crm.param.leads.per_rep_per_week": ("leads.per_rep_per_week", "每人每周新增项目"),
    "crm.param.funnel win_prob (won)": ("funnel win_prob (won)", "成功率（成交）"),
    "crm.param.lost share": ("lost share", "丢单比例"),
    "crm.param.stalled share": ("stalled share", "停滞比例"),
    "crm.param.time to win, mean weeks": ("time to win, mean weeks", "成交所需时间，平均周数"),
    "crm.param.time to win, cv": ("time to win, cv", "成交所需时间，变异系数"),
    "crm.param.time to lose, mean weeks": ("time to lose, mean weeks", "丢单所需时间，平均周数"),
    "crm.param.deal_size.mean (万)": ("deal_size.mean (万)", "平均成交额（万）"),
    "crm.param.deal_size.cv": ("deal_size.cv", "成交额变异系数"),
    "crm.param.team.reps": ("team.reps", "销售人数"),
    "crm.param.open deals at cutoff": ("open deals at cutoff", "截止日在途商机"),
    "crm.param.snapshot deals": ("snapshot deals", "快照商机数"),
    "crm.param.funnel stages": ("funnel stages", "漏斗阶段数"),
    "crm.param.quota per quarter (万)": ("quota per quarter (万)", "季度指标（万）"),
    "crm.kind.estimated": ("estimated", "估计"),
    "crm.kind.observed": ("observed", "观测"),
    "crm.kind.assumed": ("assumed", "假设"),
    "crm.kind.not available": ("not available", "无数据"),
    "crm.param.quota per quarter (wins)": ("quota per quarter (wins)", "季度指标（成交数）"),
    "rule": ("rule", "规则"),
    "rows": ("rows", "行数"),
    "description": ("description", "说明"),
    "quantile": ("quantile", "分位数"),
    "observed": ("observed", "观测"),
    "fitted": ("fitted", "拟合"),
    "target": ("forecast of", "预测对象"),
    "metric": ("measure", "度量"),
    "won_amount": ("won amount", "成交额"),
    "bt.forecast": ("forecast", "预测值"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "deal_id": ("deal", "项目编号"),
    "weeks_in_stage": ("weeks in the stage", "本阶段已停留周数"),
    "problem_col": ("problem", "问题"),
    "evidence": ("evidence", "依据"),
}

# Exercise feedback (simkit.course.exercises.check and the forecast drill).
LABELS.update({
    "fb.line": ("{mark} (exercise {exercise}): {message}", "{mark}（练习 {exercise}）：{message}"),
    "fb.right": ("✓ Right", "✓ 答对了"),
    "fb.not_yet": ("✗ Not yet", "✗ 还没对"),
    "fb.none": ("… No answer yet", "… 还没有答案"),
    "fb.unknown": ("there is no exercise {exercise}; known: {known}",
                   "没有练习 {exercise}；现有练习：{known}"),
    "fb.no_answer": ("replace None with your answer in the cell above and run both cells again.",
                     "把上面单元格里的 None 换成你的答案，再把两个单元格都运行一次。"),
    "fb.unreadable": ("could not read the answer {answer} ({error}).",
                      "读不出答案 {answer}（{error}）。"),
    "fb.choice_text": ('type the answer as text in quotes, e.g. answer = "..."; got {type}.',
                       '请把答案写成带引号的文字，例如 answer = "..."；现在是 {type}。'),
    "fb.rep_number": ("give the rep's number (a whole number), got {answer}.",
                      "请填销售的编号（整数），现在是 {answer}。"),
    "fb.not_number": ("the answer should be a number, got {answer} ({type}).",
                      "答案应该是一个数，现在是 {answer}（{type}）。"),
    "fb.read_as": ("(read {n} as {pct}) ", "（{n} 按 {pct} 理解）"),
    "fb.well_done": ("well done.", "很好。"),
    "fb.hint": ("hint: {hint}", "提示：{hint}"),
    "fb.drill_calls": ("committed, possible, no", "committed（确保）、possible（可能）、no（不计入）"),
    "fb.drill_make": ("make a list of {n} calls, one per deal, each one of {calls}.",
                      "列出 {n} 个判断，每个项目一个，取 {calls} 之一。"),
    "fb.drill_len": ("give a list of {n} calls, one per deal in the table's order; got {got}.",
                     "请按表格顺序列出 {n} 个判断，每个项目一个；现在是 {got}。"),
    "fb.drill_bad": ("calls must be one of {calls}; got {got}.", "判断只能是 {calls} 之一；现在有 {got}。"),
    "fb.drill_part": ("{call}: {won} of {k} won", "{call}：{k} 个中成交 {won} 个"),
    "fb.drill_sep": ("; ", "；"),
    "fb.drill_rule": (". The course's rule counts committed at 75% and possible at 25%.",
                      "。课程规则：确保收入按 75%、可能收入按 25% 计算。"),
    "fb.drill_hint": (" hint: deals in negotiation close about 7 times in 10; intent deals rarely "
                      "close within four weeks.",
                      "提示：谈判阶段的项目十个里约七个成交；意向阶段的项目很少在四周内成交。"),
    "call.committed": ("committed", "确保"),
    "call.possible": ("possible", "可能"),
    "call.no": ("no", "不计入"),
})

# The simkit command's human-readable output (simkit.cli; --json keeps English keys).
LABELS.update({
    # errors and interruptions (simkit.cli.group); the body after the prefix names the field
    "cli.error": ("error: {message}", "错误：{message}"),
    "cli.interrupted": ("interrupted: stopped, nothing half-written was left",
                        "已中断：已停止，没有留下写了一半的文件"),
    "cli.terminated": ("terminated: stopped, nothing half-written was left",
                       "已终止：已停止，没有留下写了一半的文件"),
    "cli.out_of_memory": ("out of memory; use fewer replications, reps or weeks",
                          "内存不足：请减少重复模拟次数、销售人数或周数"),
    "cli.os_error_at": ("error: {where}: {reason} (nothing was written)",
                        "错误：{where}：{reason}（没有写入任何文件）"),
    "cli.os_error": ("error: {reason} (nothing was written)", "错误：{reason}（没有写入任何文件）"),
    # simkit run
    "cli.run.header": (("scenario {scenario}: {replications} replications, seed {seed}, "
    "{quarters} quarter(s), engine {engine}"),
                       ("场景 {scenario}：{replications} 次重复模拟，随机种子 {seed}，"
                        "{quarters} 个季度，引擎：{engine}")),
    "cli.run.attainment": ("team attainment", "团队完成率"),
    "cli.progress.run": ("simulating {name}", "正在模拟 {name}"),
    "cli.progress.sweep": ("sweep", "参数扫描"),
    "cli.run.mean": ("mean", "均值"),
    "cli.run.ci": ("(± {ci}, 95% CI of the mean)", "（± {ci}，均值的 95% 置信区间）"),
    "cli.run.p_quota": ("P(team hits quota)", "完成团队指标的概率"),
    "cli.run.share_at_quota": ("reps at quota (mean)", "达标销售占比（均值）"),
    "cli.run.wins": ("wins per quarter", "每季度成交数"),
    "cli.run.won_amount": ("won amount per quarter", "每季度成交额"),
    "cli.run.wan": ("{amount} 万", "{amount} 万"),
    "cli.run.expected": ("steady-state expected attainment", "稳态期望完成率"),
    "cli.run.written": ("tables written to {out}/", "结果表已写入 {out}/"),
    "cli.engine.simpy": ("simpy", "SimPy 模型"),
    "cli.engine.fast": ("fast", "快速算法"),
    "cli.engine.team-fast": ("team-fast", "团队快速算法"),
    # simkit presets
    "cli.presets.stages": ("stages: {stages}; expected attainment {attainment}",
                           "阶段：{stages}；期望完成率 {attainment}"),
    "cli.presets.stage_sep": (" > ", " > "),
    "cli.preset.small-projects": (
        ("Case A of the course (小项目): 10 reps each opening 5 new projects a week, a 20% / 35% "
         "/ 70% funnel with about a week per stage, 2万 average deal, 240万 team quota per "
         "12-week quarter. Expected attainment is exactly 100%."),
        ("课程案例 A（小项目）：10 名销售，每人每周开拓 5 个新项目；漏斗 20% / 35% / 70%，"
         "每阶段约一周；平均成交额 2 万，团队季度指标 240 万（一个季度 12 周）。期望完成率正好 100%。")),
    "cli.preset.large-projects": (
        ("Large projects (大项目): contracts above 20万, the course's six stages (five open "
         "stages, then won), about a month per stage and some six months in all. 3 reps, 0.6 new "
         "projects per rep per week, 60万 average deal, 130万 team quota a quarter (expected "
         "attainment 99.7%)."),
        ("大项目：合同 20 万以上，课程的六个阶段（五个在途阶段，然后成交），每阶段约一个月，"
         "全程约六个月。3 名销售，每人每周 0.6 个新项目，平均成交额 60 万，团队季度指标 130 万"
         "（期望完成率 99.7%）。")),
    "cli.preset.seven-step": (
        ("The course's seven-step process used for coaching: target, potential, intent, "
         "initiated, solution, negotiation, then realised (won). The course gives the target "
         "step 0%; a simulation needs a positive chance to let any lead through, so simkit uses "
         "5% there (a default, not a fact). 10 reps, 8 targets per rep per week, two weeks per "
         "step, the branch's whole deal-size mix."),
        ("课程用来辅导销售的七步流程：目标客户、潜在客户、意向客户、立项客户、解决方案、商务谈判，"
         "最后销售实现（成交）。课程给目标客户 0%；但成功率为 0 的阶段不会有项目往下走，"
         "所以模拟里用 5%（默认值，不是课程数据）。10 名销售，每人每周 8 个目标客户，每步两周，"
         "成交额按分公司全年的实际分布。")),
    # simkit scenario template / validate
    "cli.wrote": ("wrote {out}", "已写入 {out}"),
    "cli.validate.ok": ("{file}: valid scenario {name}", "{file}：场景 {name} 有效"),
    "cli.validate.stages": ("  stages: {stages}", "  阶段：{stages}"),
    "cli.validate.stage": ("{stage} {win_prob} (conversion {conversion}, {weeks} wk)",
                           "{stage} {win_prob}（阶段转化率 {conversion}，{weeks} 周）"),
    "cli.validate.stage_sep": (", ", "；"),
    "cli.validate.team": (("  {reps} reps x {leads} new projects a week, mean deal {deal} 万, "
    "quota {quota} 万 per {weeks}-week quarter"),
                          ("  {reps} 名销售 × 每人每周 {leads} 个新增项目，平均成交额 {deal} 万，"
                           "季度指标 {quota} 万（每季度 {weeks} 周）")),
    "cli.validate.expected": ("  steady-state expected attainment {attainment}",
                              "  稳态期望完成率 {attainment}"),
    # simkit sweep
    "cli.sweep.header": (("{scenarios} scenarios x {replications} replications, seed {seed}; "
    "team attainment over the horizon:"),
                         ("{scenarios} 个场景 × 每个 {replications} 次重复模拟，随机种子 {seed}；"
                          "整个模拟期的团队完成率：")),
    "cli.sweep.mean": ("mean", "均值"),
    "cli.sweep.ci_low": ("ci_low", "95% 区间下限"),
    "cli.sweep.ci_high": ("ci_high", "95% 区间上限"),
    # simkit calibrate / backtest
    "cli.na": ("n/a", "无数据"),
    "cli.cal.mapping": ("mapping {mapping}: {quality}", "字段映射 {mapping}：{quality}"),
    "cli.cal.rows": ("{rows_in} rows read, {rows_kept} kept, {rows_excluded} excluded",
                     "读取 {rows_in} 行，保留 {rows_kept} 行，排除 {rows_excluded} 行"),
    "cli.cal.rule": ("{rule} {rows} rows: {description}; e.g. {examples}",
                     "{rule} {rows} 行：{description}；例如{examples}"),
    "cli.cal.note": ("note: {note}", "说明：{note}"),
    "cli.cal.warning": ("warning: {warning}", "提示：{warning}"),
    "cli.cal.scenario_written": ("scenario written to {out}", "场景文件已写入 {out}"),
    "cli.cal.report_written": ("; report in {report}/", "；报告在 {report}/"),
    "cli.cal.report_only": ("report in {report}/", "报告在 {report}/"),
    "cli.cal.scorecard": (("back-test scorecard: horizon 13 weeks, {replications} replications, "
    "seed {seed}; 'all' = over folds (mean |bias|, pooled per-rep coverage)"),
                          ("回测评分：预测期 13 周，{replications} 次重复模拟，随机种子 {seed}；"
                           "'all' 行为各次回测合计（偏差绝对值取均值，个人覆盖率合并计算）")),
    "cli.cal.forecast_heading": ("== {target}: P10 / P50 / P90 ==",
                                 "== {target}：P10 / P50 / P90 =="),
    "cli.cal.p_quota_line": ("{text}: {value}", "{text}：{value}"),
    "cli.fc.part": ("part", "构成"),
    "cli.fc.who": ("team / rep", "团队 / 销售"),
    "cli.fc.mean": ("mean", "均值"),
    "cli.fc.won_so_far": ("won so far", "已成交"),
    "cli.fc.open_pipeline": ("from the open pipeline", "来自在途商机"),
    "cli.fc.new_deals": ("from deals not yet created", "来自尚未创建的商机"),
    "cli.fc.total": ("total", "合计"),
    "cli.fc.team": ("team", "团队"),
    "cli.fc.p_quota": ("chance of making the quota {quota} ({target})",
                       "完成指标 {quota}（{target}）的概率"),
    "cli.fc.wins": ("wins", "成交数"),
    "cli.fc.won_amount": ("won amount, 万", "成交额（万）"),
    "cli.fc.thin": ("thin data", "数据偏少"),
    "cli.bt.header": (("back-test of {export} (mapping {mapping}; {excluded} of {rows} rows "
    "excluded): horizon {weeks} weeks, {replications} replications, seed {seed}"),
                      ("回测 {export}（字段映射 {mapping}；{rows} 行中排除 {excluded} 行）："
                       "预测期 {weeks} 周，{replications} 次重复模拟，随机种子 {seed}")),
    "cli.bt.legend": (("bias = (forecast - actual) / actual; rep_wape = sum|rep error| / actual; "
    "in_80 = actual inside the model's P10-P90"),
                      ("团队偏差 =（预测 - 实际）/ 实际；个人加权绝对百分比误差 = 各销售误差绝对值之和 / 实际；"
                       "团队实际落在 80% 区间 = 实际落在模型的 P10-P90 之间")),
    "cli.bt.scorecard": ("scorecard:", "评分："),
    "cli.bt.rolling": (("back-testing {n} cutoffs, {first} to {last} ({total} possible; at "
                        "most the last {most})"),
                       "回测 {n} 个截止日期：{first} 至 {last}（共可回测 {total} 个；最多取最近 {most} 个）"),
    "cli.bt.record": (("{target}: the model beat every baseline's per-rep WAPE at {won} of "
                       "{folds} cutoffs; a model that is exactly right would at {expected} on "
                       "average (overlapping horizons are not independent checks)"),
                      ("{target}：模型的个人加权绝对百分比误差在 {folds} 个截止日期中有 {won} 个低于"
                       "所有基准；假如模型完全正确，平均会有 {expected} 个（预测期重叠时，"
                       "这些检验并不独立）")),
    "cli.bt.beats": (("if the model were exactly right, its per-rep WAPE would beat every "
                      "baseline's with a chance of {shares}. One cutoff's comparison is partly "
                      "luck: judge over many cutoffs."),
                     ("假如模型完全正确，它的个人加权绝对百分比误差低于所有基准的机会是："
                      "{shares}。单个截止日期的比较有一部分靠运气，请看多个截止日期的结果。")),
    # simkit kit / workbook / app / sandbox
    "cli.kit.wrote": (("simkit kit: wrote {files} files to {out}; open {index} (print the "
    "handouts on A4; keep trainer/ for yourself)"),
                      ("simkit kit：已把 {files} 个文件写入 {out}；请打开 {index}（讲义用 A4 纸打印；"
                       "trainer/ 文件夹留给讲师自己）")),
    "cli.workbook.copied": ("simkit workbook: {copied} lessons copied to {dest}",
                            "simkit workbook：已复制 {copied} 课到 {dest}"),
    "cli.workbook.kept": (" ({kept} already there, kept as they are)", "（{kept} 课已经在，保持原样）"),
    "cli.workbook.opening": ("; opening JupyterLab at {start} (Ctrl-C stops it)",
                             "；正在打开 JupyterLab，从 {start} 开始（按 Ctrl-C 停止）"),
    "cli.app.open": ("simkit app: open {url}  (lessons index; Ctrl-C stops it)",
                     "simkit app：请打开 {url}（课程目录；按 Ctrl-C 停止）"),
    "cli.app.listening_local": (
        "simkit app: listening on {host}:{port}, reachable from this computer only; at most "
        "{max_kernels} pages open at once",
        "simkit app：监听 {host}:{port}，只有本机能打开；最多同时打开 {max_kernels} 个页面"),
    "cli.app.listening_room": (
        "simkit app: listening on {host}:{port}, reachable from every computer that can reach "
        "{host}; at most {max_kernels} pages open at once",
        "simkit app：监听 {host}:{port}，能访问 {host} 的电脑都能打开；最多同时打开 {max_kernels} 个页面"),
    "cli.app.room_local": (
        "simkit app (room server): listening on {host}:{port}, reachable from this computer "
        "only; one server for every viewer, no kernel per page",
        "simkit app（room 服务器）：监听 {host}:{port}，只有本机能打开；一个服务器服务所有观众，每页不需要内核"),
    "cli.app.room_network": (
        "simkit app (room server): listening on {host}:{port}, reachable from every computer "
        "that can reach {host}; one server for every viewer, no kernel per page",
        "simkit app（room 服务器）：监听 {host}:{port}，能访问 {host} 的电脑都能打开；"
        "一个服务器服务所有观众，每页不需要内核"),
    "cli.app.help_server": (
        "room (default): one server (a process and one more that draws the charts) for every "
        "viewer, no kernel per page, memory flat; voila: a Jupyter kernel per page (at most "
        "--max-kernels).",
        "room（默认）：一个服务器（一个进程加一个画图进程）服务所有观众，每页不需要内核，内存不随人数增长；"
        "voila：每个页面一个 Jupyter 内核（最多 --max-kernels 个）。"),
    "cli.app.stopping_room": ("simkit app: stopping the room server ...",
                              "simkit app：正在停止 room 服务器……"),
    "cli.app.exited_room": ("the room server exited with status {status} (is port {port} free?)",
                            "room 服务器已退出，状态码 {status}（端口 {port} 是否被占用？）"),
    "cli.app.stopping": ("simkit app: stopping Voilà and its kernels ...",
                         "simkit app：正在停止 Voilà 和它的内核……"),
    "cli.app.exited": ("Voilà exited with status {status} (is port {port} free?)",
                       "Voilà 已退出，状态码 {status}（端口 {port} 是否被占用？）"),
    "cli.sandbox.created": ("created {db}: {teams} teams, {rounds} rounds, starting branch {name}",
                            "已创建 {db}：{teams} 个队，{rounds} 个回合，起始分公司 {name}"),
    "cli.sandbox.team": ("  team {team}: join code {code}", "  {team} 队：加入码 {code}"),
    "cli.sandbox.key": ("  trainer key: {trainer_key}", "  讲师密钥：{trainer_key}"),
    "cli.sandbox.serving": (("simkit sandbox: serving {db} on {url} (binds {host}: {where}; "
    "Ctrl-C stops it)"),
                            ("simkit sandbox：沙盘 {db} 在 {url} 运行（绑定 {host}：{where}；"
                             "按 Ctrl-C 停止）")),
    "cli.sandbox.local": ("this computer only", "仅限本机"),
    "cli.sandbox.network": ("the network", "局域网可访问"),
    "cli.sandbox.join": ("  teams join at {url}/   projector: {url}/board",
                         "  各队从 {url}/ 加入   投影页：{url}/board"),
    "cli.sandbox.no_session": ("  no session yet: create it at {url}",
                               "  还没有沙盘会话：请在 {url} 创建"),
    "cli.sandbox.trainer": ("  trainer console: {url}", "  讲师控制台：{url}"),
})

# Exercises (simkit.course.exercises): question, hint and explanation of each, by id.
EXERCISE_TEXT: dict[str, tuple[tuple[str, str], tuple[str, str], tuple[str, str]]] = {
    '0.1': (
        ('How many selling weeks does the course count in a quarter?',
         '课程里一个季度按多少个销售周计算？'),
        ("look at the preset's quota: sc.quota.weeks_per_quarter.",
         '看预设场景的指标：sc.quota.weeks_per_quarter。'),
        ('a quarter is 12 selling weeks.',
         '一个季度是 12 个销售周。')),
    '0.2': (
        ('Which English stage key does simkit use for 谈判阶段?',
         '程序里“谈判阶段”用哪个英文阶段名？'),
        ('print the small-projects stages with their Chinese labels.',
         '把小项目的各阶段和中文名打印出来。'),
        ('谈判 is negotiation, the last open stage.',
         '谈判就是 negotiation，最后一个在途阶段。')),
    '1.1': (
        ('What share of intent-stage (意向) deals reach the solution stage (方案)?',
         '意向阶段的项目，有多大比例能进入方案阶段？'),
        ('the conversion is p(intent) / p(solution), not 35% - 20%.',
         '阶段转化率 = 意向的成功率 / 方案的成功率，不是 35% - 20%。'),
        ('0.20 / 0.35 = 57%: the stage percentage is cumulative.',
         '0.20 / 0.35 = 57%：阶段百分比是累计的成功率。')),
    '1.2': (
        ('Small projects, 10 wins a week: how many deals sit in the solution stage of the standard funnel?',
         '小项目，每周成交 10 单：标准漏斗的方案阶段里有多少个项目？'),
        ('each stage holds wins per week / its win probability x weeks in the stage.',
         '每个阶段的项目数 = 每周成交数 / 该阶段成功率 × 该阶段周数。'),
        ('10 / 0.35 = 28.6 deals.',
         '10 / 0.35 = 28.6 个项目。')),
    '2.1': (
        ('A rep opens 5 new customers a week, wins 20% of them at 2万 each: what does the rep sell in a 12-week quarter (万)?',
         '一名销售每周开拓 5 个新客户，成功率 20%，每单 2 万：一个 12 周的季度卖多少（万）？'),
        ('new per week x win rate x deal size x weeks.',
         '每周新增项目 × 成功率 × 平均成交额 × 周数。'),
        ("24万 a quarter, about 100万 a year: the course's argument.",
         '一个季度 24 万，一年约 100 万：这正是课程的论点。')),
    '2.2': (
        ('If the win rate falls from 20% to 16%, how many new projects per rep per week keep expected attainment at 100%?',
         '成功率从 20% 降到 16%，每人每周要开拓多少新项目，期望完成率才能保持 100%？'),
        ('expected wins = new projects x win rate; keep the product the same.',
         '期望成交数 = 新增项目数 × 成功率；保持乘积不变。'),
        ('5 x 20% / 16% = 6.25 a week.',
         '5 × 20% / 16% = 每周 6.25 个。')),
    '3.1': (
        ('Case A: what is the Q2 small-project software quota (万, including VAT)?',
         '案例 A：第二季度小项目软件指标（万，含税）是多少？'),
        ('1045 x 1.17 (VAT) x 70% (small projects) x 28% (Q2 share).',
         '1045 × 1.17（含税）× 70%（小项目占比）× 28%（第二季度占比）。'),
        ('about 239.6万, which the course rounds to 240万.',
         '约 239.6 万，课程取整为 240 万。')),
    '3.2': (
        ('Case A again: how many reps are needed if each opens only 4 new projects a week?',
         '还是案例 A：如果每人每周只开拓 4 个新项目，需要多少名销售？'),
        ('the funnel needs 50 new projects a week; divide by what one rep opens.',
         '漏斗每周需要 50 个新项目；除以一人每周开拓的数量。'),
        ('50 / 4 = 12.5, so 13 reps.',
         '50 / 4 = 12.5，所以要 13 人。')),
    '4.1': (
        ("Case B: how many wins does today's funnel (169 / 49 / 45) still hold?",
         '案例 B：现在的漏斗（169 / 49 / 45）还能带来多少成交？'),
        ('sum of count x win probability (20%, 35%, 70%).',
         '各阶段项目数 × 该阶段成功率（20%、35%、70%）再相加。'),
        ('82.45 expected wins (164.9万).',
         '预期成交 82.45 单（164.9 万）。')),
    '4.2': (
        ('Case B: what is the project gap (项目缺口), the new projects that must enter?',
         '案例 B：项目缺口是多少，即还必须进入漏斗的新项目数？'),
        ('amount gap = quota - realised - expected amount; wins needed = gap / 2万; projects = wins / 20%.',
         '金额缺口 = 指标 - 已成交 - 漏斗预期成交额；还需成交数 = 缺口 / 2 万；项目数 = 成交数 / 20%。'),
        ('88万 -> 44 wins -> 220 new projects.',
         '88 万 -> 44 单 -> 220 个新项目。')),
    '5.1': (
        ('Expected revenue (万) of a 100万 project in the accepted stage (认可客户, 50%)?',
         '一个 100 万的项目处在认可客户阶段（50%），预期收入是多少（万）？'),
        ("amount x the stage's win probability.",
         '金额 × 该阶段成功率。'),
        ('50万: large projects are judged by amount x probability.',
         '50 万：大项目按金额 × 成功率来看。')),
    '5.2': (
        ('Open amounts 600 / 400 / 300 / 250 / 200万, 40万 expected from won projects: what is the software collection forecast if accepted projects can also sign this quarter?',
         '各阶段在途金额 600 / 400 / 300 / 250 / 200 万，已成交项目预期回款 40 万：如果认可客户阶段本季度也能签约，软件回款预测是多少？'),
        ('((250 x 50% + 200 x 70%) x 70% x 50% + 40) x 75%.',
         '((250 x 50% + 200 x 70%) x 70% x 50% + 40) x 75%。'),
        ('about 99.6万.',
         '约 99.6 万。')),
    '6.1': (
        ('Quota 240, realised 100, committed 80, possible 60, 4 weeks left: the forecast (万)?',
         '指标 240，已实现 100，确保收入 80，可能收入 60，剩 4 周：预测收入是多少（万）？'),
        ('realised + committed x 75% + possible x 25% + quota x 4% x weeks remaining.',
         '已实现 + 确保收入 × 75% + 可能收入 × 25% + 指标 × 4% × 剩余周数。'),
        ('213.4万, 89% of quota.',
         '213.4 万，指标的 89%。')),
    '6.2': (
        ('In the simulation, what share of the deals in negotiation at week 8 were won by the end of the quarter?',
         '模拟中，第 8 周处在谈判阶段的项目，到季度末有多大比例成交？'),
        ("use open_deals_at(results, 8) and average won_in_quarter for stage 'negotiation'.",
         '用 open_deals_at(results, 8)，对谈判阶段（negotiation）的 won_in_quarter 求平均。'),
        ("about 70%: close to the course's 75% weight for committed deals, so deals in negotiation behave like the committed list.",
         '约 70%：接近课程给确保收入的 75% 系数，谈判阶段的项目就像确保收入。')),
    '7.1': (
        ('Which rep does not prospect enough (开拓量不够)?',
         '哪位销售开拓量不够？'),
        ('compare new projects per week across reps; the others win what they open.',
         '比较各人每周的新项目数；其他人开拓的项目都能正常成交。'),
        ('few new projects a week, a normal win rate and deal size.',
         '每周新项目少，成功率和成交额正常。')),
    '7.2': (
        ('Which rep has a low win rate (成功率不高)?',
         '哪位销售成功率不高？'),
        ('compare win rates of closed deals; ignore small differences of a few points.',
         '比较已关闭项目的成功率；几个百分点的差别可以忽略。'),
        ('the win rate is far below 20% while prospecting is normal.',
         '开拓正常，成功率却远低于 20%。')),
    '7.3': (
        ("Which rep's deals are too small (成交价不高)?",
         '哪位销售成交价不高？'),
        ("compare the average won deal with the team's 2万.",
         '把各人的平均成交额和团队的 2 万比较。'),
        ('wins as often as the others, at about half the price.',
         '成交次数和别人一样，单价只有一半左右。')),
    '8.1': (
        ("A new rep with simkit's default ramp (0 / 25 / 50 / 75 / 100% by 4-week month) starts on the first day of a 12-week quarter. How many weeks of a fully productive rep's selling does she deliver in that quarter?",
         '新人按默认爬坡期（每 4 周一个月：0 / 25 / 50 / 75 / 100%）在 12 周季度的第一天入职。这个季度她相当于满负荷销售干了几周？'),
        ('add the productivity of each week: 4 weeks at 0%, 4 at 25%, 4 at 50% (Ramp().integral(0, 12)).',
         '把每周的产出比例相加：4 周 0%，4 周 25%，4 周 50%（Ramp().integral(0, 12)）。'),
        ('0 + 1 + 2 = 3 weeks: a hire costs a full quota seat but sells a quarter of one.',
         '0 + 1 + 2 = 3 周：新人占一个完整的指标名额，只卖出四分之一。')),
    '8.2': (
        ("The headcount solver on the half-year plan (quota 280万 a quarter, 30% attrition, 20 replications, seed 1): how many starting reps are needed for an 80% chance of making the half-year's quota?",
         '半年计划的人数求解（每季度指标 280 万，流失率 30%，20 次重复模拟，随机种子 1）：要有 80% 的把握完成半年指标，期初需要多少名销售？'),
        ('run simkit.course.cases.planning_headcount() and read .reps, or read the curve: the first headcount at or above the target line.',
         '运行 simkit.course.cases.planning_headcount()，读 .reps；或看曲线上第一个达到目标线的人数。'),
        ('280万 needs about 11.7 fully productive reps on average (280 / 24); vacant seats, ramping backfills and the wish for an 80% (not 50%) chance add the margin.',
         '280 万平均需要约 11.7 名满负荷销售（280 / 24）；空缺的岗位、爬坡中的补员，以及要 80%（不是 50%）的把握，都要加余量。')),
    '8.3': (
        ('Seven pre-sales consultants, each deal needs one for a fifth of the solution stage: by how much does team attainment change when the shared pool is split into one consultant per team (paired comparison, 20 replications, seed 1)?',
         '7 名售前顾问，每个项目在方案阶段要占用一名顾问五分之一的时间：把弹性人力资源池拆成每组固定一名售前，团队完成率变化多少（配对比较，20 次重复模拟，随机种子 1）？'),
        ('compare(shared, split, 20, 1) from simkit.planning; read diff for attainment (negative: split is worse).',
         '用 simkit.planning 的 compare(shared, split, 20, 1)，读 attainment 的 diff（负数：拆分更差）。'),
        ("about -10 points: a split pool leaves one team's deals queuing while another consultant is idle.",
         '约低 10 个百分点：拆分后，一组的项目在排队，另一组的顾问却闲着。')),
    '9.1': (
        ('Plan: 5% up to quota, 10% above quota, 15% above 150%. A rep with a 24万 quota wins 28.8万 (120%). What is the commission (万)?',
         '提成方案：指标以内 5%，超过指标 10%，超过 150% 为 15%。一名销售指标 24 万，成交 28.8 万（120%），提成是多少（万）？'),
        ('5% of the first 24万, then 10% of the 4.8万 above quota.',
         '前 24 万按 5%，超出指标的 4.8 万按 10%。'),
        ('1.2 + 0.48 = 1.68万.',
         '1.2 + 0.48 = 1.68 万。')),
    '9.2': (
        ('With that plan, what is the cost of sales (commission / won amount) over 100 simulated quarters of the small-projects team (seed 1)?',
         '按这个方案，小项目团队模拟 100 个季度（随机种子 1），销售成本（提成 / 成交额）是多少？'),
        ('read cost of sales from the dashboard, or sum the payouts and divide by won amount.',
         '从仪表盘读销售成本，或者把提成相加再除以成交额。'),
        ('about 6.0%: the accelerators add a point to the 5% base, paid to the lucky quarters.',
         '约 6.0%：加速器在 5% 的基础上多出一个百分点，付给了运气好的季度。')),
    '10.1': (
        ('Shipped example, cutoff 2017-07-01, deals created in the 26 weeks before: what share of them had been won by the cutoff (open deals counted as not won, the naive win rate)?',
         '示例数据，截止日期 2017-07-01，看截止前 26 周内创建的项目：到截止日已成交的占多少（在途项目算作未成交，即朴素成功率）？'),
        ('use simkit.crm.as_of(deals, cutoff), keep deals created in the 26 weeks before it and take the share with status won (open deals stay in the denominator).',
         '用 simkit.crm.as_of(deals, cutoff)，保留截止前 26 周内创建的项目，求状态为 won 的占比（在途项目留在分母里）。'),
        ("about 45%, against 65% with open deals censored: a third of the window's deals are still open at the cutoff and many of them will be won later.",
         '约 45%，删失处理后是 65%：这段时间里三分之一的项目在截止日还在途，其中很多以后会成交。')),
    '10.2': (
        ("Back-test at 2017-07-01: which method has the lowest per-rep WAPE for the won count: 'model', 'last_quarter' or 'mean_two_quarters'?",
         "2017-07-01 的回测：哪种方法按成交数的个人加权绝对百分比误差最低：'model'、'last_quarter' 还是 'mean_two_quarters'？"),
        ('filter the back-test table on cutoff 2017-07-01, target wins, metric rep_wape.',
         '在回测表中筛选 cutoff 2017-07-01、target wins、metric rep_wape。'),
        ("the simulation: it knows each rep's open pipeline, which the baselines ignore.",
         '模型（model）：它知道每位销售的在途项目，朴素方法不知道。')),
    '10.3': (
        ("Back-test at 2017-10-01: which method's team won amount is least biased (smallest |bias|)?",
         '2017-10-01 的回测：哪种方法对团队成交额的偏差最小（偏差的绝对值最小）？'),
        ('filter the back-test table on cutoff 2017-10-01, target won_amount, metric bias; compare absolute values.',
         '在回测表中筛选 cutoff 2017-10-01、target won_amount、metric bias，比较绝对值。'),
        ('a naive baseline: the model over-forecasts in October because recent deals stall more than the older cohorts it was fitted on.',
         '一种朴素方法：模型在十月高估，因为最近的项目比拟合时用的老项目停滞得更多。')),
    '11.1': (
        ('In the sandbox a team plans 3 hires, 2 pre-sales consultants and 4 training days this round. How much of its 40万 budget does the plan spend (万)?',
         '沙盘里，一个队本回合计划新招 3 人、售前顾问 2 人、培训 4 天。这个方案要花掉 40 万预算中的多少（万）？'),
        ('hires cost 6万 each, consultants 5万 each, training 2万 a day; salaries and commission are not part of the budget.',
         '新招每人 6 万，售前顾问每人 5 万，培训每天 2 万；工资和提成不占预算。'),
        ('3 x 6 + 2 x 5 + 4 x 2 = 36万: within the budget, with 4万 left, not enough for one more hire.',
         '3 × 6 + 2 × 5 + 4 × 2 = 36 万：没有超预算，还剩 4 万，不够再招一个人。')),
    '11.2': (
        ('A team forecasts 190万 committed and 250万 possible for the quarter. Which forecast (万) does the sandbox score against its bookings?',
         '一个队本季度预测确保收入 190 万、可能收入 250 万。沙盘拿哪个预测值（万）和实际成交额比？'),
        ("the course's weights: committed x 75% + possible x 25%.",
         '课程的权重：确保收入 × 75% + 可能收入 × 25%。'),
        ('190 x 75% + 250 x 25% = 205万; forecast accuracy = 1 - mean |forecast - bookings| / mean bookings over the simulated quarters (at least 0).',
         '190 × 75% + 250 × 25% = 205 万；预测准确度 = 1 − 平均 |预测 − 成交额| / 平均成交额（按各次模拟季度计算，最低为 0）。')),
}

for _id, (_q, _h, _e) in EXERCISE_TEXT.items():
    LABELS[f"ex.{_id}.question"] = _q
    LABELS[f"ex.{_id}.hint"] = _h
    LABELS[f"ex.{_id}.explanation"] = _e

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


def localize(frame, lang: str | None = None):
    """A copy of a table with its headers and row labels in the language (stage names too).

    Column names, index values and axis names that are catalogue keys are
    translated; stage names become the course's (意向阶段 ...). Under Chinese
    the ``label_zh`` column is dropped: the stage names already say it.
    """
    lang = _language if lang is None else _check(lang)

    def tr(x):
        if not isinstance(x, str):
            return x
        key = canonical(x)
        if f"stage.{key}" in LABELS:
            # A Chinese label already chosen (意向客户 for large projects) stays as it is.
            return x if lang == "zh" and key != x else stage_label(x, lang)
        return t(x, lang) if x in LABELS else x

    out = frame.copy()
    if lang == "zh" and "label_zh" in getattr(out, "columns", ()):
        out = out.drop(columns="label_zh")
    if "stage" in getattr(out, "columns", ()):
        out["stage"] = out["stage"].map(tr)
    for col in getattr(out, "columns", ()):
        if out[col].dtype == bool:
            out[col] = out[col].map({True: t("yes", lang), False: t("no", lang)})
    out = out.rename(index=tr)
    if hasattr(out, "columns"):
        out = out.rename(columns=tr)
        out.columns.names = [tr(n) for n in out.columns.names]
    out.index.names = [tr(n) for n in out.index.names]
    return out


def stage_label(name: str, lang: str | None = None) -> str:
    """A stage's name in the language: ``intent`` / ``意向阶段``; unknown stages unchanged."""
    key = canonical(name)
    return t(f"stage.{key}", lang) if f"stage.{key}" in LABELS else key
