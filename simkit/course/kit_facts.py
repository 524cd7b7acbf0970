"""The numbers the trainer's kit quotes, computed by simkit (never typed in).

:func:`kit_facts` runs the same calculators and simulations the app pages and
lessons run, with their default settings (the small-projects preset, the
default seed, 100 replications as on the headline and gap pages), and returns
one flat dict ``key -> Fact``. The script, the worksheets and the answer key
are filled from this dict, so a change in the model changes the kit with it,
and a test recomputes the numbers independently and compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from simkit.analysis import (
    funnel_gap,
    large_project_forecast,
    revenue_forecast,
    standard_funnel,
    target_decomposition,
    weekly_projection,
)
from simkit.course.cases import CASE_B, COACHING_PROBLEMS, case_b_scenario, coaching_team
from simkit.course.exercises import EXERCISES
from simkit.model.presets import preset
from simkit.sim import DEFAULT_SEED, simulate

__all__ = ["CASE_A", "FORECAST", "KIT_REPLICATIONS", "LARGE", "Fact", "fact_text", "kit_facts"]

#: Replications of every simulated number in the kit: what the headline and gap pages run.
KIT_REPLICATIONS = 100

#: Case A of the course (domain brief section 2): the inputs the worksheet gives.
CASE_A = {"annual_software": 1045.0, "vat": 1.17, "small_share": 0.70, "quarter_share": 0.28,
          "new_per_rep_low": 4.0}

#: Lesson 5's page defaults: open amount per large-project stage, expected collection of
#: won projects, large-project quota (万).
LARGE = {"amounts": (600.0, 400.0, 300.0, 250.0, 200.0), "won_collection": 40.0, "quota": 130.0}

#: Lesson 6's page defaults (万, weeks).
FORECAST = {"quota": 240.0, "realised": 100.0, "committed": 80.0, "possible": 60.0,
            "weeks_remaining": 4}

#: Lesson 2's lever moves the script asks the room to compare.
LEVERS = {"leads": 1.0, "win_rate": 0.05, "deal_size": 0.5}

#: Lesson 4: injections of new projects per week the script tries (the page's default
#: and the course's "about 110 in each of the next weeks").
INJECTIONS = (78, 110)

#: The quantiles the pages' "10%-90%" band shows (Results.summary's p10 and p90).
BAND = (0.10, 0.90)
#: Lesson 6: the drill's week (exercise 6.2) and the course's coaching target for the share
#: of committed deals that really pay (domain brief section 6).
DRILL_WEEK = 8
COMMITTED_TARGET = (0.80, 0.85)
#: The coaching page's team seed (coaching_team's default).
COACHING_SEED = 7


@dataclass(frozen=True)
class Fact:
    """One number of the kit and how it is written (``kind``: pct, wan, int, n1, n2)."""

    value: float
    kind: str

    def text(self, lang: str = "en") -> str:
        v = self.value
        if self.kind == "pct":
            return f"{v:.0%}"
        if self.kind == "wan":  # the course's way: 240万, 119.1万; Chinese text spaces it,
            # as the workbook does ("240 万")
            return f"{v:.1f}".removesuffix(".0") + (" 万" if lang == "zh" else "万")
        if self.kind == "int":
            return f"{v:.0f}"
        if self.kind == "n1":  # 28.6, 50
            return f"{v:.1f}".removesuffix(".0")
        if self.kind == "n2":
            return f"{v:.2f}"
        return str(v)


def fact_text(facts: dict[str, Fact], lang: str = "en") -> dict[str, str]:
    """Every fact written the way the kit prints it in ``lang``, for ``str.format_map``."""
    return {k: f.text(lang) for k, f in facts.items()}


def _sim(scenario, seed):
    return simulate(scenario, replications=KIT_REPLICATIONS, seed=seed).summary()


@cache
def kit_facts(seed: int = DEFAULT_SEED) -> dict[str, Fact]:
    """All numbers of the trainer's kit, keyed by name (see the module docstring)."""
    f: dict[str, Fact] = {}

    def put(key, value, kind):
        f[key] = Fact(float(value), kind)

    sc = preset("small-projects")
    weeks = sc.quota.weeks_per_quarter
    put("seed", seed, "int")
    put("replications", KIT_REPLICATIONS, "int")
    put("weeks_per_quarter", weeks, "int")
    put("band_lo", BAND[0], "pct")
    put("band_hi", BAND[1], "pct")

    # Lesson 0 and the headline page's starting point: the preset as it ships.
    s = _sim(sc, seed)
    put("base_attainment", s["team_attainment_mean"], "pct")
    put("base_p10", s["team_attainment_p10"], "pct")
    put("base_p90", s["team_attainment_p90"], "pct")
    put("base_p_quarter", s["p_team_hits_quota"], "pct")
    put("base_p_miss", 1 - s["p_team_hits_quota"], "pct")
    put("base_reps_at_quota", s["share_of_reps_at_quota_mean"], "pct")
    put("base_wins", s["wins_mean"], "n1")
    put("expected_attainment", sc.expected_attainment(), "pct")
    put("reps", sc.team.reps, "int")
    put("leads", sc.leads.per_rep_per_week, "n1")
    put("win_rate", sc.funnel.win_rate, "pct")
    put("avg_deal", sc.deal_size.mean, "wan")
    put("quota", sc.quota.team_per_quarter, "wan")

    # Lesson 1: cumulative win probability against stage-to-stage conversion.
    for st in sc.funnel.stages:
        put(f"p_{st.name}", st.win_prob, "pct")
    for name, c in zip(sc.funnel.names, sc.funnel.conversions):
        put(f"conv_{name}", c, "pct")
    wins10 = 10.0
    sf = standard_funnel(wins10 * weeks * sc.deal_size.mean, sc.deal_size.mean, sc.funnel,
                         weeks_per_stage=sc.funnel.stages[0].duration.mean, weeks=weeks)
    put("std_wins_per_week", wins10, "int")
    for name, c in zip(sf.stages, sf.stage_counts):
        put(f"std_{name}", c, "n1")
    put("std_new_per_week", sf.new_per_week, "n1")
    # The course's 10 : 6 : 3 : 2 is the shape (1/p per stage, 1 for won) scaled to 2 wins.
    shape = [2 * x for x in sf.shape]
    for i, x in enumerate(shape):
        put(f"shape_{i + 1}", round(x), "int")

    # Lesson 2: "5 a week x 20% x 2万" and the three levers, each on the same seed.
    put("rep_quarter", sc.leads.per_rep_per_week * sc.funnel.win_rate * sc.deal_size.mean * weeks,
        "wan")
    put("rep_year", 4 * f["rep_quarter"].value, "wan")
    moves = {
        "leads": {"leads.per_rep_per_week": sc.leads.per_rep_per_week + LEVERS["leads"]},
        "win_rate": {"funnel.win_rate": sc.funnel.win_rate + LEVERS["win_rate"]},
        "deal_size": {"deal_size.mean": sc.deal_size.mean + LEVERS["deal_size"]},
    }
    put("lever_leads", sc.leads.per_rep_per_week + LEVERS["leads"], "n1")
    put("lever_win_rate", sc.funnel.win_rate + LEVERS["win_rate"], "pct")
    put("lever_deal_size", sc.deal_size.mean + LEVERS["deal_size"], "wan")
    for key, change in moves.items():
        m = _sim(sc.override(change), seed)
        put(f"{key}_attainment", m["team_attainment_mean"], "pct")
        put(f"{key}_p_quarter", m["p_team_hits_quota"], "pct")

    # Lesson 3, case A: annual quota -> quarter -> wins -> new projects -> reps.
    put("a_annual", CASE_A["annual_software"], "wan")
    put("a_vat", CASE_A["vat"], "n2")
    put("a_small_share", CASE_A["small_share"], "pct")
    put("a_quarter_share", CASE_A["quarter_share"], "pct")
    dec = target_decomposition(CASE_A["annual_software"], {
        "vat": CASE_A["vat"], "small_share": CASE_A["small_share"],
        "quarter_share": CASE_A["quarter_share"]})
    q2 = float(dec["value"].iloc[-1])
    put("a_quota", q2, "wan")
    a = standard_funnel(q2, sc.deal_size.mean, sc.funnel, weeks=weeks,
                        new_per_rep_per_week=sc.leads.per_rep_per_week)
    put("a_deals", a.deals_needed, "n1")
    put("a_wins_per_week", a.wins_per_week, "n1")
    put("a_new_per_week", a.new_per_week, "n1")
    put("a_reps", a.reps_needed, "n1")
    for name, c in zip(a.stages, a.stage_counts):
        put(f"a_{name}", c, "n1")
    put("a_new_per_rep_low", CASE_A["new_per_rep_low"], "int")
    low = standard_funnel(q2, sc.deal_size.mean, sc.funnel, weeks=weeks,
                          new_per_rep_per_week=CASE_A["new_per_rep_low"])
    put("a_reps_low", low.reps_needed, "n1")

    # Lesson 4, case B: the snapshot, its gap, the standard pace and the simulated quarter.
    for name, c in zip(sc.funnel.names, CASE_B["counts"]):
        put(f"b_{name}", c, "int")
    put("b_week", CASE_B["week"], "int")
    put("b_weeks_left", weeks - CASE_B["week"], "int")
    put("b_realised", CASE_B["realised"], "wan")
    put("b_quota", CASE_B["quota"], "wan")
    put("b_avg_deal", CASE_B["avg_deal"], "wan")
    g = funnel_gap(CASE_B["counts"], sc.funnel, CASE_B["realised"], CASE_B["quota"],
                   CASE_B["avg_deal"])
    put("b_expected_wins", g.expected_wins, "n2")
    put("b_expected_amount", g.expected_amount, "wan")
    put("b_amount_gap", g.amount_gap, "wan")
    put("b_deals_gap", g.deals_gap, "int")
    put("b_project_gap", g.project_gap, "int")
    b = standard_funnel(CASE_B["quota"], CASE_B["avg_deal"], sc.funnel, weeks=weeks)
    put("b_std_deals", b.deals_needed, "int")
    put("b_std_wins_per_week", b.wins_per_week, "n1")
    for name, c in zip(b.stages, b.stage_counts):
        put(f"b_std_{name}", c, "n1")
    put("b_on_track", b.on_track_amount(CASE_B["week"]), "wan")
    for name, inj in zip(("page", "course"), INJECTIONS):
        proj = weekly_projection(CASE_B["counts"], sc.funnel,
                                 [float(inj)] * (weeks - CASE_B["week"]))
        m = _sim(case_b_scenario(float(inj)), seed)
        put(f"b_inj_{name}", inj, "int")
        put(f"b_inj_{name}_projected_wins", proj.loc["wins"].iloc[1:].sum(), "n1")
        put(f"b_inj_{name}_attainment", m["team_attainment_mean"], "pct")
        put(f"b_inj_{name}_p_quarter", m["p_team_hits_quota"], "pct")

    # Lesson 5: large projects on the page's defaults.
    large = preset("large-projects")
    lf = large_project_forecast(LARGE["amounts"], large.funnel,
                                won_expected_collection=LARGE["won_collection"],
                                quota=LARGE["quota"])
    put("l_expected_total", lf.expected_total, "wan")
    put("l_collection", lf.collection_forecast, "wan")
    put("l_gap", lf.gap, "wan")
    la = large_project_forecast(LARGE["amounts"], large.funnel,
                                won_expected_collection=LARGE["won_collection"],
                                signable_stages=("accepted", "negotiation"), quota=LARGE["quota"])
    put("l_collection_accepted", la.collection_forecast, "wan")
    put("l_gap_accepted", la.gap, "wan")

    # Lesson 6: the forecast page's defaults.
    rf = revenue_forecast(FORECAST["quota"], FORECAST["realised"], FORECAST["committed"],
                          FORECAST["possible"], FORECAST["weeks_remaining"])
    for k in ("quota", "realised", "committed", "possible"):
        put(f"f_{k}", FORECAST[k], "wan")
    put("f_weeks_remaining", FORECAST["weeks_remaining"], "int")
    put("f_forecast", rf.forecast, "wan")
    put("f_completion", rf.completion, "pct")
    put("f_gap", rf.gap, "wan")
    put("f_drill_week", DRILL_WEEK, "int")
    put("f_negotiation_won", EXERCISES["6.2"].expected(), "pct")
    put("target_lo", COMMITTED_TARGET[0], "pct")
    put("target_hi", COMMITTED_TARGET[1], "pct")

    # Lesson 7: the coaching team (which rep has which problem is the answer key's).
    team, truth = coaching_team(COACHING_SEED)
    put("coach_seed", COACHING_SEED, "int")
    put("coach_reps", team.team.reps, "int")
    put("coach_problems", sum(p != COACHING_PROBLEMS["average"] for p in truth.values()), "int")
    return f
