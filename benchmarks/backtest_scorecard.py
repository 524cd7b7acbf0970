"""The back-test scorecard on the shipped Maven export and on synthetic exports made with simkit.

    .venv/bin/python benchmarks/backtest_scorecard.py [--histories 20] [--replications 200]
        [--maven-replications 1000]
        [--part maven|monthly|synthetic|synthetic-bursts|short|arrivals|bursts|thin|all]
        [--set key=value ...]
        [--olist DIR]

Maven: rolling origin at 2017-04-01 / 07-01 / 10-01 (judged on 07-01 and
10-01; at 04-01 the baselines see the export's empty quarter). Synthetic:
``--histories`` exports from :func:`simkit.crm.synthetic.synthetic_history`
(trend + seasonality in arrivals, a growing stalled share, losses not
recorded after a date, reps of different skill), written in the Salesforce
shape, imported, and back-tested at two cutoffs each (26 and 13 weeks
before the end). ``--set`` overrides a forecast setting
(:data:`simkit.crm.forecast.DEFAULTS`) to compare choices.

``--part monthly``: Maven with an origin at every month's first day from
2017-04-01 to 2017-10-01 (the model against the baselines; a check that the
quarter-start result is not a property of the three cutoffs the settings
were chosen on).

``--part synthetic-bursts``: synthetic exports cut right after four weeks
of twice the planned new deals, a one-off or a lasting change, with and
without ``burst_mix``. ``--part short``: synthetic exports whose closes are recorded only from a
date (left-truncated, as Maven's), cut 6 and 9 weeks after it (a close
history shorter than the horizon). ``--part arrivals`` compares the
damped-trend arrival projection with a flat mean; ``--part bursts`` scores the 13-week arrival total on simulated
series where a burst (or drop) of new deals right before the cutoff is a
one-off or a real level shift: the one-step fit, the huberised one-off
reading, and the two mixed when a burst is seen (``burst_mix``); ``--part thin`` measures what the thin-data widening buys on
small synthetic histories.

``--olist DIR`` is the held-out check on the real Olist funnel (leads-wins
shape, non-commercial data: read from DIR, nothing is written). Run it once,
with the settings fixed.

Prints the scorecard tables (every fold, every method) and the target checks.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import command

from simkit.crm import example_export, read_export
from simkit.crm.backtest import backtest, scenario_forecaster, simulation_forecaster
from simkit.crm.forecast import DEFAULTS
from simkit.crm.scoring import label, pooled_coverage_draws

MAVEN_CUTOFFS = ("2017-04-01", "2017-07-01", "2017-10-01")
# Every month's first day a 13-week horizon fits in: the quarter starts above and the
# months between them (overlapping horizons: 7 origins, not 7 independent checks).
MAVEN_MONTHS = tuple(f"2017-{m:02d}-01" for m in range(4, 11))
BASE = ("last_quarter", "mean_two_quarters", "seasonal_naive", "pipeline_weighted")


def models(settings: dict):
    def model(deals, cutoff, **kw):
        return simulation_forecaster(deals, cutoff, **kw, **settings)
    return {"model": model, "scenario_sim": scenario_forecaster}


def show(table: pd.DataFrame, title: str) -> None:
    from simkit.crm.scoring import scorecard_table

    for target in ("wins", "won_amount"):
        print(f"\n### {title}: {label(target, 'both')}")
        sc = scorecard_table(table, target, "en")
        print(sc.to_string(index=False, na_rep="n/a", float_format=lambda v: f"{v:.3f}"))


def value(t: pd.DataFrame, cutoff, method, target, metric) -> float:
    v = t[(t["cutoff"] == cutoff) & (t["method"] == method) & (t["target"] == target)
          & (t["metric"] == metric)]["value"]
    return float(v.iloc[0]) if len(v) else math.nan


def wape_difference(reps: pd.DataFrame, cutoff, target, a: str, b: str) -> tuple[float, float]:
    """WAPE(a) - WAPE(b) at one fold, and its standard error over the reps (paired)."""
    r = reps[(reps["cutoff"] == cutoff) & (reps["target"] == target)]
    err = {m: r[r["method"] == m].set_index("rep") for m in (a, b)}
    tot = float(err[a]["actual"].sum())
    d = ((err[a]["forecast"] - err[a]["actual"]).abs()
         - (err[b]["forecast"] - err[b]["actual"]).abs()) / tot
    n = len(d)
    return float(d.sum()), float(d.std(ddof=1) * n / math.sqrt(n))


def maven(args, settings) -> None:
    imp = read_export(example_export())
    t0 = time.time()
    res = backtest(imp.deals, list(MAVEN_CUTOFFS), replications=args.maven_replications,
                   seed=args.seed, models=models(settings), progress=False)
    t = res.table
    show(t, "Maven (maven_crm_central.csv)")
    print(f"\n[maven: {time.time() - t0:.1f} s]  target checks (07-01 and 10-01):")
    shares, cov_chances = [], []
    for target in ("wins", "won_amount"):
        for c in MAVEN_CUTOFFS[1:]:
            m_w = value(t, c, "model", target, "rep_wape")
            b_w = np.nanmin([value(t, c, b, target, "rep_wape") for b in BASE])
            best = BASE[int(np.nanargmin([value(t, c, b, target, "rep_wape") for b in BASE]))]
            d, se = wape_difference(res.reps, c, target, "model", best)
            p_b = value(t, c, "model", target, "p_beats_baselines")
            shares.append(p_b)
            print(f"  {target:10s} {c} per-rep WAPE model {m_w:.3f} vs best baseline "
                  f"{b_w:.3f}: {'OK' if m_w < b_w else 'NOT MET'} (difference {d:+.3f}, "
                  f"se over reps {se:.3f}; a model that is exactly right wins this "
                  f"comparison in {p_b:.0%} of its replications)")
        m_b = np.mean([value(t, c, "model", target, "abs_bias") for c in MAVEN_CUTOFFS[1:]])
        b_b = min(np.nanmean([value(t, c, b, target, "abs_bias") for c in MAVEN_CUTOFFS[1:]])
                  for b in BASE if not all(math.isnan(value(t, c, b, target, "abs_bias"))
                                           for c in MAVEN_CUTOFFS[1:]))
        print(f"  {target:10s} mean |team bias| (07-01, 10-01) model {m_b:.3f} vs best "
              f"baseline {b_b:.3f}: {'OK' if m_b < b_b else 'NOT MET'}")
        cov = value(t, "all", "model", target, "rep_coverage_80")
        n = value(t, "all", "model", target, "rep_count")
        team = value(t, "all", "model", target, "in_80")
        print(f"  {target:10s} per-rep 80% coverage pooled over 3 cutoffs {cov:.3f} "
              f"(n = {n:.0f}; target 0.70-0.90: {'OK' if 0.7 <= cov <= 0.9 else 'NOT MET'}); "
              f"team coverage {team:.2f} of 3 cutoffs")
        lo, hi = (value(t, "all", "model", target, f"rep_coverage_80_{k}") for k in ("lo", "hi"))
        pooled = pooled_coverage_draws([c for c, _ in res.covered[("model", target)]],
                                       [n for _, n in res.covered[("model", target)]],
                                       seed=args.seed)
        in_target = float(np.mean((pooled >= 0.7) & (pooled <= 0.9)))
        cov_chances.append(in_target)
        print(f"  {target:10s}   a calibrated model would score {lo:.3f}-{hi:.3f} (P5-P95) on "
              f"these folds: {cov:.3f} is {'inside' if lo <= cov <= hi else 'OUTSIDE'}; it "
              f"lands in 0.70-0.90 with chance {in_target:.0%}")
    # The folds' forecasts are drawn independently; a fold's two targets share their
    # replications (more wins, more amount), so their joint chance lies between the
    # product and the smaller of the two.
    per_fold = [(shares[i], shares[i + 2]) for i in range(2)]
    lo_all = math.prod(shares)
    hi_all = math.prod(min(w, a) for w, a in per_fold)
    print(f"  all four WAPE comparisons: a model that is exactly right wins them all with "
          f"chance {lo_all:.0%}-{hi_all:.0%} (product of the shares; a fold's two targets "
          f"are positively related, so the joint chance is at most the smaller share)")


def monthly(args, settings) -> None:
    """Maven at every month's first day: is the quarter-start result a property of the
    model or of the three quarter-start cutoffs its settings were chosen on?"""
    imp = read_export(example_export())
    res = backtest(imp.deals, list(MAVEN_MONTHS), replications=args.replications,
                   seed=args.seed, models={"model": models(settings)["model"]}, progress=False)
    t = res.table
    methods = ("model", "last_quarter", "mean_two_quarters", "pipeline_weighted")
    for target in ("wins", "won_amount"):
        print(f"\n### Maven, origin at each month's first day: {label(target, 'both')}")
        rows = []
        for c in MAVEN_MONTHS:
            row = {"cutoff": c}
            for m in methods:
                row[f"{m} bias"] = value(t, c, m, target, "bias")
            row["model team CRPS"] = value(t, c, "model", target, "crps")
            best = np.nanmin([value(t, c, b, target, "rep_wape") for b in BASE])
            row["model beats best WAPE"] = ("yes" if value(t, c, "model", target, "rep_wape")
                                            < best else "no")
            row["exactly right model would"] = (
                f"{value(t, c, 'model', target, 'p_beats_baselines'):.0%}")
            row["model reps covered"] = (f"{value(t, c, 'model', target, 'rep_covered'):.0f} of "
                                         f"{value(t, c, 'model', target, 'rep_count'):.0f}")
            rows.append(row)
        f = pd.DataFrame(rows)
        print(f.to_string(index=False, float_format=lambda v: f"{v:+.3f}"))
        summary = {m: (value(t, "all", m, target, "abs_bias"), value(t, "all", m, target,
                                                                      "rep_wape"),
                       value(t, "all", m, target, "crps")) for m in methods}
        for m, (b, w, cr) in summary.items():
            print(f"  {m:18s} mean |team bias| {b:.3f}  per-rep WAPE {w:.3f}  "
                  f"team CRPS / actual {cr:.3f}")
        cov = value(t, "all", "model", target, "rep_coverage_80")
        lo, hi = (value(t, "all", "model", target, f"rep_coverage_80_{k}") for k in ("lo", "hi"))
        print(f"  model per-rep 80% coverage pooled {cov:.3f} (a calibrated model: "
              f"{lo:.3f}-{hi:.3f}); team {value(t, 'all', 'model', target, 'in_80'):.2f}")
        won = int((f["model beats best WAPE"] == "yes").sum())
        expected = sum(value(t, c, "model", target, "p_beats_baselines") for c in MAVEN_MONTHS)
        print(f"  model beats the best baseline's per-rep WAPE at {won} of {len(f)} origins; a "
              f"model that is exactly right would at {expected:.1f} "
              f"on average (overlapping horizons: not independent checks)")


def synthetic(args, settings) -> None:
    from simkit.crm.synthetic import T0, synthetic_history

    tables = []
    t0 = time.time()
    for k in range(args.histories):
        seed = 1000 + k
        weeks = 156
        stop = 156 - 30 + (k % 3) * 8  # 126, 134, 142: before, between, after the cutoffs
        export, _truth = synthetic_history(seed, weeks=weeks, loss_stop_week=stop)
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "opportunities.csv"
            export.to_csv(f, index=False)
            imp = read_export(f, "salesforce")
        cuts = [T0 + pd.Timedelta(weeks=weeks - 26), T0 + pd.Timedelta(weeks=weeks - 13)]
        res = backtest(imp.deals, cuts, replications=args.replications, seed=args.seed + k,
                       models=models(settings), progress=False)
        t = res.table[res.table["cutoff"] != "all"].copy()
        t["cutoff"] = [f"h{k:02d}@{c}" for c in t["cutoff"]]
        tables.append(t)
    t = pd.concat(tables, ignore_index=True)
    print(f"\n[synthetic: {args.histories} histories x 2 cutoffs, {time.time() - t0:.1f} s]")
    s = _summary(t)
    print(s.to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.3f}"))
    for target in ("wins", "won_amount"):
        r = s[(s["method"] == "model") & (s["target"] == target)].iloc[0]
        print(f"  {target:10s} model mean bias {r['mean bias']:+.3f} (se {r['se']:.3f}; target "
              f"within +-0.05: {'OK' if abs(r['mean bias']) <= 0.05 else 'NOT MET'}); "
              f"team coverage {r['team cov 80']:.3f}, per-rep {r['per-rep cov 80']:.3f} "
              f"(target 0.75-0.85: "
              f"{'OK' if 0.75 <= r['per-rep cov 80'] <= 0.85 else 'NOT MET'} per rep, "
              f"{'OK' if 0.75 <= r['team cov 80'] <= 0.85 else 'NOT MET'} team)")
    if args.verbose:
        show(t, "synthetic")


def _summary(t: pd.DataFrame) -> pd.DataFrame:
    """Over folds, per (method, target): bias, its se, WAPE, coverage and the CRPS."""
    rows = []
    for (m, target), g in t.groupby(["method", "target"], sort=False):
        v = g.pivot_table(index="cutoff", columns="metric", values="value", dropna=False)
        if v["forecast"].isna().all():
            rows.append({"method": m, "target": target})
            continue
        b = v["bias"].dropna()
        cov = v["rep_covered"].sum() / v["rep_count"].sum() if v["rep_covered"].notna().any() \
            else math.nan
        rows.append({"method": m, "target": target, "folds": len(b),
                     "mean bias": b.mean(), "se": b.std(ddof=1) / math.sqrt(len(b)),
                     "mean |bias|": b.abs().mean(), "per-rep WAPE": v["rep_wape"].mean(),
                     "team cov 80": v["in_80"].mean(), "per-rep cov 80": cov,
                     "team CRPS/actual": v["crps"].mean(),
                     "per-rep CRPS/actual": v["rep_crps"].mean()})
    return pd.DataFrame(rows)


def synthetic_bursts(args, settings) -> None:
    """Synthetic exports with new deals at twice the plan over the 4 weeks before the
    cutoff: a one-off (back to plan after it) or a lasting change (twice the plan on)."""
    from simkit.crm.synthetic import T0, synthetic_history

    weeks, cut = 143, 130
    rows = []
    t0 = time.time()
    for case, stop in (("one-off", cut), ("lasting", weeks)):
        for mix in (False, True):
            tables = []
            for k in range(args.histories):
                export, _truth = synthetic_history(4000 + k, weeks=weeks,
                                                   burst=(cut - 4, stop, 2.0))
                with tempfile.TemporaryDirectory() as tmp:
                    f = Path(tmp) / "opportunities.csv"
                    export.to_csv(f, index=False)
                    d = read_export(f, "salesforce").deals
                res = backtest(d, [T0 + pd.Timedelta(weeks=cut)], replications=args.replications,
                               seed=args.seed + k, progress=False,
                               models={"model": models(settings | {"burst_mix": mix})["model"]})
                t = res.table[(res.table["cutoff"] != "all") & (res.table["method"] == "model")]
                tables.append(t.assign(cutoff=f"h{k:02d}"))
            s = _summary(pd.concat(tables, ignore_index=True))
            rows += [{"burst": case, "burst_mix": mix, **r} for r in s.to_dict("records")]
    print(f"\n[synthetic bursts: {args.histories} histories a case, cut right after 4 weeks of "
          f"twice the planned new deals, {time.time() - t0:.1f} s]")
    cols = ["burst", "burst_mix", "target", "mean bias", "se", "mean |bias|", "per-rep WAPE",
            "team cov 80", "per-rep cov 80", "team CRPS/actual"]
    print(pd.DataFrame(rows)[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def short(args, settings) -> None:
    """Synthetic exports whose closes are recorded only from a date (as Maven's, from
    2017-03-01), cut 6 and 9 weeks later: the close history is shorter than the horizon."""
    from simkit.crm.synthetic import T0, synthetic_history

    tables = []
    t0 = time.time()
    weeks, start = 130, 104
    for k in range(args.histories):
        export, _truth = synthetic_history(3000 + k, weeks=weeks)
        closed = pd.to_datetime(export["CloseDate"], format="%m/%d/%Y")
        # deals closed before the start are not in the export at all (left truncation)
        export = export[~((export["IsClosed"] == "true")
                          & (closed < T0 + pd.Timedelta(weeks=start)))]
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "opportunities.csv"
            export.to_csv(f, index=False)
            imp = read_export(f, "salesforce")
        cuts = [T0 + pd.Timedelta(weeks=start + 6), T0 + pd.Timedelta(weeks=start + 9)]
        res = backtest(imp.deals, cuts, replications=args.replications, seed=args.seed + k,
                       models={"model": models(settings)["model"]}, progress=False)
        t = res.table[res.table["cutoff"] != "all"].copy()
        t["cutoff"] = [f"h{k:02d}@{c}" for c in t["cutoff"]]
        tables.append(t)
    t = pd.concat(tables, ignore_index=True)
    print(f"\n[short close history: {args.histories} histories x 2 cutoffs (6 and 9 weeks after "
          f"the first recorded close), {time.time() - t0:.1f} s]")
    print(_summary(t).to_string(index=False, na_rep="n/a", float_format=lambda x: f"{x:.3f}"))


def arrivals(args, settings) -> None:
    """The 13-week arrival total: damped trend against a flat mean, Maven and synthetic."""
    from simkit.crm import as_of
    from simkit.crm.arrivals import fit_arrivals
    from simkit.crm.synthetic import T0, synthetic_history

    week = pd.Timedelta(weeks=1)

    def err(deals, c):
        c = pd.Timestamp(c)
        k = as_of(deals, c)
        n = max(int(np.ceil((c - k["created"].min()) / week)), 1)
        age = ((c - k["created"]) / week).to_numpy(float)
        idx = n - 1 - np.floor(age).astype(int)
        counts = np.bincount(idx[(idx >= 0) & (idx < n)], minlength=n)
        woy = np.asarray(pd.DatetimeIndex(c - week * np.arange(n, 0, -1)).isocalendar().week,
                         float)
        fwoy = np.asarray(pd.DatetimeIndex(c + week * np.arange(13)).isocalendar().week, float)
        truth = int(((deals["created"] >= c) & (deals["created"] < c + 13 * week)).sum())
        return [(fit_arrivals(counts, woy, fwoy, window=int(settings.get("arrival_window", 26)),
                              damped=dmp).mean_path(13).sum() - truth) / truth
                for dmp in (True, False)]

    mv = read_export(example_export()).deals
    rows = [("maven", *err(mv, c)) for c in MAVEN_CUTOFFS]
    for k in range(args.histories):
        export, _ = synthetic_history(1000 + k, loss_stop_week=126 + (k % 3) * 8)
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "opportunities.csv"
            export.to_csv(f, index=False)
            d = read_export(f, "salesforce").deals
        rows += [("synthetic", *err(d, T0 + w * week)) for w in (130, 143)]
    r = pd.DataFrame(rows, columns=["data", "damped", "flat"])
    print("\n### arrivals: (forecast - actual) / actual of the 13-week total")
    print(r.groupby("data").agg(damped_abs=("damped", lambda x: x.abs().mean()),
                                damped_bias=("damped", "mean"),
                                flat_abs=("flat", lambda x: x.abs().mean()),
                                flat_bias=("flat", "mean"), n=("flat", "size"))
          .to_string(float_format=lambda v: f"{v:.3f}"))


def bursts(args, settings) -> None:
    """The 13-week arrival total after a burst or drop: one-off or a real level shift?"""
    from simkit.crm.arrivals import BURST_WEEKS, burst, fit_arrivals
    from simkit.crm.scoring import crps_sample

    rng = np.random.default_rng(args.seed)
    usual, weeks, h, n_series, n_paths = 60.0, 52, 13, args.series, 400
    # (name, weeks before the cutoff the change began, its rate, rate over the horizon)
    b = BURST_WEEKS
    cases = [("steady", b, usual, usual), ("burst, one-off", b, 2 * usual, usual),
             ("burst, level shift", b, 2 * usual, 2 * usual),
             ("level shift 8 weeks before", 8, 2 * usual, 2 * usual),
             ("drop, one-off", b, usual / 2, usual), ("drop, level shift", b, usual / 2, usual / 2)]
    readings = {"one-step fit (default)": {},
                "one-off reading (Huber 2 + trace)": {"huber": 2.0, "horizon": h}}
    rows = []
    for name, since, recent, future in cases:
        rate = np.r_[np.full(weeks - since, usual), np.full(since, recent)]
        res = {k: [] for k in (*readings, "mixed when a burst is seen")}
        seen = 0
        for _ in range(n_series):
            y = rng.poisson(rate)
            truth = float(rng.poisson(future, h).sum())
            paths = {k: fit_arrivals(y, robust=True, **kw).sample_paths(rng, n_paths, h)
                     .sum(axis=1) for k, kw in readings.items()}
            hit = burst(y) is not None
            seen += hit
            one, off = paths.values()
            paths["mixed when a burst is seen"] = (np.r_[one[: n_paths // 2],
                                                         off[n_paths // 2:]] if hit else one)
            for k, x in paths.items():
                lo, hi = np.quantile(x, [0.1, 0.9])
                res[k].append((x.mean() / truth - 1, lo <= truth <= hi,
                               crps_sample(x, truth) / (future * h)))
        for k, v in res.items():
            v = np.array(v, float)
            rows.append({"case": name, "burst seen": f"{seen / n_series:.0%}", "forecast": k,
                         "mean bias": v[:, 0].mean(), "80% coverage": v[:, 1].mean(),
                         "CRPS / mean": v[:, 2].mean()})
    print(f"\n### 13-week arrival total, {n_series} simulated series per case "
          f"({weeks} weeks at {usual:.0f} a week, then the case's rate; the detector reads the "
          f"last {BURST_WEEKS} weeks)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:+.3f}"))
    print(f"  coverage se at 80%: {math.sqrt(0.16 / n_series):.3f} per row")


def thin(args, settings) -> None:
    """Thin synthetic histories (few deals): coverage with and without the thin-data widening."""
    from simkit.crm.synthetic import T0, synthetic_history

    n = max(args.histories * 3 // 4, 1)
    print(f"\n### thin data: {n} small synthetic histories x 2 cutoffs, won count")
    for widen in (True, False):
        team, covered, count = [], 0.0, 0.0
        for k in range(n):
            export, _ = synthetic_history(2000 + k, weeks=104, base=2.0, per_rep_per_week=0.15)
            with tempfile.TemporaryDirectory() as tmp:
                f = Path(tmp) / "opportunities.csv"
                export.to_csv(f, index=False)
                d = read_export(f, "salesforce").deals
            cuts = [T0 + pd.Timedelta(weeks=76), T0 + pd.Timedelta(weeks=89)]
            res = backtest(d, cuts, replications=args.replications, seed=k,
                           models={"model": models(settings | {"thin_widen": widen})["model"]},
                           progress=False)
            t = res.table
            t = t[(t["cutoff"] != "all") & (t["method"] == "model") & (t["target"] == "wins")]
            v = t.pivot_table(index="cutoff", columns="metric", values="value")
            team += list(v["in_80"])
            covered += v["rep_covered"].sum()
            count += v["rep_count"].sum()
        print(f"  thin_widen={widen}: team 80% coverage {np.mean(team):.3f} (n = {len(team)}), "
              f"per-rep {covered / count:.3f} (n = {count:.0f})")


def olist(args, settings) -> None:
    d = Path(args.olist)
    imp = read_export(d / "olist_marketing_qualified_leads_dataset.csv", "leads-wins",
                      wins=d / "olist_closed_deals_dataset.csv")
    deals = imp.deals
    print(f"\n[olist: {len(deals)} leads, {int((deals['status'] == 'won').sum())} won; "
          f"created {deals['created'].min().date()} to {deals['created'].max().date()}, "
          f"won {deals['closed'].min().date()} to {deals['closed'].max().date()}]")
    last = deals[["created", "closed"]].max().max()
    cuts = [c for c in args.olist_cutoffs if pd.Timestamp(c) + pd.Timedelta(weeks=13) <= last]
    res = backtest(deals, cuts, replications=args.replications, seed=args.seed,
                   models=models(settings), progress=False)
    show(res.table, "Olist (held out)")
    from simkit.crm.forecast import forecast

    for c in cuts:
        fc = forecast(deals, c, replications=50, seed=args.seed, **settings)
        for en, _zh in fc.warnings:
            print(f"  {c} warning: {en}")


# --part NAME runs one of these; "all" runs them in this order, "none" only --olist.
PARTS = {"maven": maven, "monthly": monthly, "synthetic": synthetic, "arrivals": arrivals,
         "synthetic-bursts": synthetic_bursts, "short": short, "bursts": bursts, "thin": thin}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--histories", type=int, default=20)
    ap.add_argument("--series", type=int, default=200, help="simulated series per case (bursts)")
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--maven-replications", type=int, default=1000,
                    help="more than --replications: Maven has only three folds, so its "
                         "Monte Carlo noise should not decide a comparison")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--part", choices=[*PARTS, "all", "none"],
                    default="all")
    ap.add_argument("--set", dest="sets", action="append", default=[])
    ap.add_argument("--olist", default=None)
    ap.add_argument("--olist-cutoffs", nargs="*",
                    default=["2018-03-01", "2018-06-01"])
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    settings = {}
    for s in args.sets:
        k, v = s.split("=", 1)
        settings[k] = type(DEFAULTS[k])(eval(v)) if k in DEFAULTS else v
    print(f"# {command()}\n# settings: {DEFAULTS | settings}")
    for name, part in PARTS.items():
        if args.part in (name, "all"):
            part(args, settings)
    if args.olist:
        olist(args, settings)


if __name__ == "__main__":
    main()
