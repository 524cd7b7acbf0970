"""Every text the sandbox shows a person, in English and simplified Chinese, in one place.

``TEXT[key] = {"en": ..., "zh": ...}``; :func:`t` picks a language and fills
``{placeholders}``. A test checks that every key has both languages and the
same placeholders in each.
"""

from __future__ import annotations

__all__ = ["LANGS", "TEXT", "both", "t"]

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    # ---- decisions (field labels)
    "field.hires": {"en": "New hires this quarter (they ramp up over 5 months)",
                    "zh": "本季度新招销售（5 个月爬坡）"},
    "field.prospecting": {"en": "Prospecting target: new projects per rep per week",
                          "zh": "开拓目标：每人每周新增项目数"},
    "field.large_share": {"en": "Share of reps on large projects (0 to 1)",
                          "zh": "做大项目的销售占比（0 到 1）"},
    "field.consultants": {"en": "Pre-sales consultants (shared pool)",
                          "zh": "售前顾问人数（弹性人力资源池）"},
    "field.training_days": {"en": "Training days this quarter (win rate rises from next quarter)",
                            "zh": "本季度培训天数（下季度起提高成功率）"},
    "field.commission": {"en": "Commission plan", "zh": "提成方案"},
    "field.forecast_committed": {"en": "Forecast: committed (确保收入), 万",
                                 "zh": "预测：确保收入（万）"},
    "field.forecast_possible": {"en": "Forecast: possible (可能收入), 万",
                                "zh": "预测：可能收入（万）"},
    "short.hires": {"en": "hires", "zh": "新招"},
    "short.prospecting": {"en": "prospecting", "zh": "开拓目标"},
    "short.large_share": {"en": "large share", "zh": "大项目占比"},
    "short.consultants": {"en": "consultants", "zh": "售前顾问"},
    "short.training_days": {"en": "training days", "zh": "培训天数"},
    "short.commission": {"en": "commission", "zh": "提成方案"},
    "short.forecast_committed": {"en": "committed", "zh": "确保收入"},
    "short.forecast_possible": {"en": "possible", "zh": "可能收入"},
    "plan.flat": {"en": "flat 6%", "zh": "固定 6%"},
    "plan.accelerated": {"en": "accelerators 5% / 10% above quota / 15% above 150%",
                         "zh": "加速：5%，超额部分 10%，150% 以上 15%"},
    "plan.capped": {"en": "5%, nothing above 120% of quota", "zh": "5%，超过 120% 不再提成"},
    # ---- validation (allowed values)
    "allowed.int": {"en": "a whole number from {lo} to {hi}",
                    "zh": "{lo} 到 {hi} 之间的整数"},
    "allowed.num": {"en": "a number from {lo} to {hi}", "zh": "{lo} 到 {hi} 之间的数字"},
    "allowed.choice": {"en": "one of {choices}", "zh": "以下之一：{choices}"},
    "allowed.field": {"en": "a decision field: {fields}", "zh": "决策项：{fields}"},
    "allowed.budget": {
        "en": "hires x {hire} + consultants x {cons} + training days x {train} at most {budget} 万 "
              "(this plan costs {cost} 万)",
        "zh": "新招人数 × {hire} + 售前顾问 × {cons} + 培训天数 × {train} 不超过 {budget} 万"
              "（本方案需 {cost} 万）"},
    "allowed.headcount": {"en": "at most {max} reps in the team (you would have {n})",
                          "zh": "团队最多 {max} 名销售（本方案为 {n} 名）"},
    "allowed.code": {"en": "a join code the trainer gave your team",
                     "zh": "讲师发给本队的加入码"},
    "allowed.key": {"en": "the trainer's key", "zh": "讲师密钥"},
    "allowed.decisions": {"en": "a table of decisions (field: value)",
                          "zh": "决策表（决策项：数值）"},
    "allowed.round_open": {"en": "a round that is open (round {round} is {status})",
                           "zh": "正在进行的回合（第 {round} 回合状态：{status}）"},
    "allowed.round_pending": {"en": "a round waiting to be opened (none is)",
                              "zh": "等待开始的回合（目前没有）"},
    "allowed.teams": {"en": "a whole number of teams from 2 to 8", "zh": "2 到 8 个队"},
    "allowed.rounds": {"en": "a whole number of rounds from 1 to 12", "zh": "1 到 12 个回合"},
    "allowed.regime": {"en": "one of {choices}, or random", "zh": "以下之一：{choices}，或 random"},
    "allowed.shock": {"en": "one of {choices}", "zh": "以下之一：{choices}"},
    "allowed.shock_round": {"en": "a round not yet closed ({lo} to {hi})",
                            "zh": "尚未结束的回合（{lo} 到 {hi}）"},
    "allowed.seed": {"en": "a whole number of at least 0", "zh": "不小于 0 的整数"},
    "allowed.new_file": {"en": "a path where no file exists yet", "zh": "尚不存在的文件路径"},
    "allowed.session_file": {"en": "a sandbox session file", "zh": "沙盘会话文件"},
    "allowed.scenario": {"en": "a simkit Scenario (a preset or a scenario file)",
                         "zh": "simkit 场景（预设或场景文件）"},
    "allowed.replications": {"en": "a whole number from 5 to 2000", "zh": "5 到 2000 之间的整数"},
    # ---- states
    "status.open": {"en": "open", "zh": "进行中"},
    "status.pending": {"en": "waiting to open", "zh": "等待开始"},
    "status.closed": {"en": "closed", "zh": "已结束"},
    "status.closing": {"en": "being simulated", "zh": "正在模拟"},
    "status.finished": {"en": "the game is over", "zh": "比赛已结束"},
    # ---- regimes and shocks
    "regime.growing": {"en": "growing market: leads and win rates rise each quarter",
                       "zh": "增长市场：新增项目和成功率逐季上升"},
    "regime.saturating": {"en": "saturating market: prospecting beyond the market's size finds "
                                "worse small-project leads",
                          "zh": "饱和市场：开拓量超过市场容量后，小项目成功率下降"},
    "regime.stagnant": {"en": "stagnant market: leads and win rates fall each quarter",
                        "zh": "停滞市场：新增项目和成功率逐季下降"},
    "shock.price_cut": {"en": "a competitor's price cut: win rates fall by a fifth",
                        "zh": "竞争对手降价：成功率下降五分之一"},
    "shock.budget_freeze": {"en": "customers' budget freeze: every stage takes half as long again",
                            "zh": "客户预算冻结：每个阶段时间延长一半"},
    # ---- results (leaderboard and history columns)
    "col.team": {"en": "team", "zh": "队"},
    "col.round": {"en": "round", "zh": "回合"},
    "col.bookings": {"en": "bookings 万", "zh": "成交额（万）"},
    "col.attainment": {"en": "attainment", "zh": "完成率"},
    "col.share_at_quota": {"en": "reps at quota", "zh": "达标销售占比"},
    "col.cost": {"en": "cost of sales 万", "zh": "销售成本（万）"},
    "col.profit": {"en": "profit 万", "zh": "利润（万）"},
    "col.forecast_accuracy": {"en": "forecast accuracy", "zh": "预测准确度"},
    "col.score": {"en": "score", "zh": "得分"},
    "col.reps": {"en": "reps", "zh": "销售人数"},
    "col.leavers": {"en": "leavers", "zh": "离职"},
    "col.forecast": {"en": "forecast 万", "zh": "预测（万）"},
    "col.funnel_end": {"en": "funnel at quarter end", "zh": "季末漏斗"},
    # ---- web pages
    "web.title": {"en": "Sales sandbox", "zh": "销售沙盘"},
    "web.join": {"en": "Join your team", "zh": "加入本队"},
    "web.join_code": {"en": "Join code", "zh": "加入码"},
    "web.enter": {"en": "Enter", "zh": "进入"},
    "web.bad_code": {"en": "This join code is not valid.", "zh": "加入码无效。"},
    "web.bad_key": {"en": "This trainer key is not valid.", "zh": "讲师密钥无效。"},
    "web.team_page": {"en": "Team {team}", "zh": "{team} 队"},
    "web.round": {"en": "Round {round} of {rounds}: {status}",
                  "zh": "第 {round} / {rounds} 回合：{status}"},
    "web.decisions": {"en": "Your decisions", "zh": "本队决策"},
    "web.save": {"en": "Submit decisions", "zh": "提交决策"},
    "web.preview": {"en": "Try on a preview quarter", "zh": "试算（预演季度）"},
    "web.saved": {"en": "Saved.", "zh": "已保存。"},
    "web.cost": {"en": "Discretionary cost: {cost} 万 of {budget} 万",
                 "zh": "可支配支出：{cost} 万 / 预算 {budget} 万"},
    "web.preview_result": {
        "en": "Preview (other random numbers than the real quarter): bookings {bookings} 万, "
              "attainment {attainment}, profit {profit} 万",
        "zh": "试算结果（随机数与正式季度不同）：成交额 {bookings} 万，完成率 {attainment}，"
              "利润 {profit} 万"},
    "web.history": {"en": "Your results", "zh": "本队历史结果"},
    "web.no_results": {"en": "No results yet.", "zh": "还没有结果。"},
    "web.leaderboard": {"en": "Leaderboard", "zh": "排行榜"},
    "web.trainer": {"en": "Trainer console", "zh": "讲师控制台"},
    "web.create": {"en": "Create the session", "zh": "创建会话"},
    "web.teams": {"en": "teams", "zh": "队数"},
    "web.rounds": {"en": "rounds", "zh": "回合数"},
    "web.regime": {"en": "market", "zh": "市场类型"},
    "web.seed": {"en": "seed", "zh": "随机种子"},
    "web.open_round": {"en": "Open the next round", "zh": "开始下一回合"},
    "web.close_round": {"en": "Close the round and simulate", "zh": "结束本回合并模拟"},
    "web.schedule_shock": {"en": "Schedule a shock", "zh": "安排冲击事件"},
    "web.reveal": {"en": "Reveal the market and every team's decisions",
                   "zh": "公布市场类型和各队决策"},
    "web.regime_hidden": {"en": "Market: hidden until the trainer reveals it",
                          "zh": "市场类型：讲师公布前保密"},
    "web.regime_is": {"en": "Market: {regime}", "zh": "市场类型：{regime}"},
    "web.submitted": {"en": "submitted", "zh": "已提交"},
    "web.not_submitted": {"en": "not submitted (keeps last values)",
                          "zh": "未提交（沿用上回合）"},
    "web.codes": {"en": "Join codes", "zh": "加入码"},
    "web.debrief": {"en": "Debrief", "zh": "复盘"},
    "web.chart_attainment": {"en": "Attainment by round", "zh": "各回合完成率"},
    "web.chart_funnel": {"en": "Funnel at quarter end (last round)",
                         "zh": "季末漏斗（最近一回合）"},
    "web.chart_forecast": {"en": "Forecast against bookings (last round)",
                           "zh": "预测与实际成交（最近一回合）"},
    "web.closed_round": {"en": "Round {round} closed in {seconds} s.",
                         "zh": "第 {round} 回合已结束，用时 {seconds} 秒。"},
    "web.done_opened": {"en": "The round is open: teams can decide.",
                        "zh": "回合已开始，各队可以提交决策。"},
    "web.done_shock": {"en": "Shocks updated.", "zh": "冲击事件已更新。"},
    "web.done_revealed": {"en": "Market and decisions revealed on the leaderboard.",
                          "zh": "市场类型和各队决策已在排行榜公布。"},
    "web.done_created": {"en": "Session created: give each team its join code.",
                         "zh": "会话已创建，请把加入码发给各队。"},
    "web.busy": {"en": "Many previews are running: try again in a moment.",
                 "zh": "试算的队比较多，请稍后再试。"},
    "web.error": {"en": "Something went wrong; the trainer can see the server log.",
                  "zh": "出错了，讲师可查看服务器日志。"},
    "web.not_found": {"en": "Page not found.", "zh": "页面不存在。"},
    "web.forbidden": {"en": "Not allowed.", "zh": "无权访问。"},
    "web.bad_host": {"en": "Unknown host.", "zh": "主机名不正确。"},
    "web.no_session": {"en": "No session yet: the trainer creates it.",
                       "zh": "会话尚未创建，请等待讲师。"},
    "web.language": {"en": "中文", "zh": "English"},
    "web.decisions_of_all": {"en": "Decisions of every team", "zh": "各队决策"},
    "web.shocks": {"en": "Shocks: {shocks}", "zh": "冲击事件：{shocks}"},
    "web.none": {"en": "none", "zh": "无"},
    "web.random": {"en": "random", "zh": "随机"},
}


def t(key: str, lang: str = "en", **fmt) -> str:
    """The text for ``key`` in ``lang`` ("en" or "zh"), with ``fmt`` filled in."""
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fmt)


def both(key: str, **fmt) -> str:
    """``English / 中文``: for error messages, which go to both audiences at once."""
    return f"{t(key, 'en', **fmt)} / {t(key, 'zh', **fmt)}"
