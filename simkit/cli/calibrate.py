"""``simkit calibrate`` and ``simkit backtest``: a scenario from a CRM export, and its back-test."""

from __future__ import annotations

from pathlib import Path

import click

from simkit.sim.io import (
    atomic_folder,
    atomic_write,
    check_output_dir,
    check_output_file,
    json_text,
    write_manifest,
)
from simkit.sim.dispatch import DEFAULT_SEED
from simkit.cli.group import main
from simkit.cli.common import FINITE_FLOAT, FiniteFloatRange, readable
from simkit.cli.lang import cli_language, msg, text_both
from simkit.course.i18n import LABELS
from simkit.model.errors import SimkitInputError


def _export_options(f):
    f = click.option("--pseudonymise", "pseudonyms", is_flag=True,
                     help="Replace rep and account names with stable pseudonyms in every output.")(f)
    f = click.option("--pseudonym-key", default="simkit", show_default=True,
                     help="Key for the pseudonyms (the same key gives the same pseudonyms).")(f)
    f = click.option("--lookback", "lookback", type=FiniteFloatRange(4, 520), default=26,
                     show_default=True,
                     help="Weeks before the cutoff whose deals calibrate the scenario file "
                          "(the forecast's own windows: simkit.crm.forecast.DEFAULTS).")(f)
    f = click.option("--amount-divisor", type=FINITE_FLOAT, default=None,
                     help="Divide the export's amounts by this to get 万 CNY (default 10000).")(f)
    f = click.option("--encoding", default=None, metavar="NAME",
                     help="The CSV's text encoding, e.g. gbk (default: UTF-8, else GB18030).")(f)
    f = click.option("--dayfirst/--monthfirst", "dayfirst", default=None,
                     help="Read dates such as 05/03/2024 day first or month first (default: "
                          "decided from each date column; a column that fits both is refused).")(f)
    f = click.option("--decimal", type=click.Choice([".", ","]), default=None,
                     help="The amounts' decimal mark (default: decided from the column).")(f)
    f = click.option("--strict", is_flag=True,
                     help="Refuse the file if any row breaks a data-quality rule.")(f)
    f = click.option("--wins", "wins", type=click.Path(dir_okay=False, path_type=Path),
                     help="File of won deals, for the lead-level mapping.")(f)
    f = click.option("--mapping", default="auto", show_default=True,
                     help="maven, salesforce, hubspot, leads-wins, auto, or a mapping .toml file.")(f)
    f = click.argument("export", type=click.Path(dir_okay=False, path_type=Path))(f)
    return f


def _import(export, mapping, wins, strict, amount_divisor, pseudonyms, pseudonym_key,
            encoding=None, dayfirst=None, decimal=None):
    from simkit.crm import read_export

    return read_export(export, mapping, wins=wins, strict=strict, amount_divisor=amount_divisor,
                       pseudonyms=pseudonyms, pseudonym_key=pseudonym_key, encoding=encoding,
                       dayfirst=dayfirst, decimal=decimal)


def _t(key: str, lang: str) -> str:
    """The forecast split's label (catalogue keys ``cli.fc.*``) in en, zh or both."""
    return text_both(f"cli.fc.{key}", lang) if f"cli.fc.{key}" in LABELS else key


def _print_forecast(rep: dict, lang: str) -> None:
    import pandas as pd

    for target in ("wins", "won_amount"):
        t = rep[f"forecast_{target}"].copy()
        t["part"] = t["part"].map(lambda v: _t(v, lang))
        t["who"] = t["who"].map(lambda v: _t(v, lang) if v == "team" else v)
        t.columns = [_t(c, lang) for c in t.columns]
        click.echo("\n" + msg("cli.cal.forecast_heading", "en" if lang == "both" else lang,
                               target=_t(target, lang)))
        with pd.option_context("display.unicode.east_asian_width", lang != "en"):
            click.echo(t.to_string(index=False, na_rep=_na(lang),
                                   float_format=lambda v: f"{v:.1f}"))
    if "p_quota" in rep:
        q = rep["p_quota"].iloc[0]
        p = q["p_make_quota"]
        for lg in (("en", "zh") if lang == "both" else (lang,)):
            val = msg("cli.na", lg) if p != p else f"{p:.0%}"
            text = msg("cli.fc.p_quota", lg, quota=f"{q['quota']:.1f}",
                       target=msg(f"cli.fc.{q['target']}", lg))
            click.echo(msg("cli.cal.p_quota_line", lg, text=text, value=val))
    for r in rep["warnings"].itertuples():
        for lg in (("en", "zh") if lang == "both" else (lang,)):
            click.echo(msg("cli.cal.warning", lg, warning=r.zh if lg == "zh" else r.en))
    thin = rep["thin_data"]
    if thin["thin"].any():
        who = ("、" if lang == "zh" else ", ").join(_t(w, lang) if w == "team" else str(w)
                                                   for w in thin.loc[thin["thin"], "who"])
        click.echo(f"{_t('thin', lang)}{'：' if lang == 'zh' else ': '}{who}")


def _na(lang: str) -> str:
    return msg("cli.na", "en" if lang == "both" else lang)


def _quality_text(quality, lang: str) -> str:
    """The import's data-quality summary; under zh the rules' names come from the catalogue."""
    from simkit.crm.quality import example_text

    if lang != "zh":
        return quality.text()
    lines = [msg("cli.cal.rows", lang, rows_in=quality.rows_in, rows_kept=quality.rows_kept,
                 rows_excluded=quality.rows_excluded)]
    for r in quality.table.itertuples():
        if r.rows:
            rule = f"crm.rule.{r.rule}"
            lines.append("  " + msg("cli.cal.rule", lang, rule=r.rule, rows=r.rows,
                                    description=msg(rule, lang) if rule in LABELS
                                    else r.description,
                                    examples="，".join(example_text(x, lang) for x in
                                                      quality.example_lines.get(r.rule, ()))
                                    or r.examples))
    return "\n".join(lines)


def _parameters_text(params, lang: str) -> str:
    """The calibrated parameters; under zh the course's names (sample and note, English, stay in
    the report's parameters.csv)."""
    import math

    import pandas as pd

    def value(v) -> str:  # 746 deals, 10 reps, 6.95 a week, 0.195万: no 746.000000
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return _na(lang)
        return readable(v)

    if lang != "zh":
        return params.to_string(index=False, na_rep="n/a", formatters={"value": value})

    def tr(prefix, v):
        return msg(f"{prefix}.{v}", lang) if f"{prefix}.{v}" in LABELS else v

    shown = pd.DataFrame({
        msg("parameter", lang): params["parameter"].map(lambda v: tr("crm.param", v)),
        msg("value", lang): params["value"].map(value),
        msg("kind", lang): params["kind"].map(lambda v: tr("crm.kind", v))})
    with pd.option_context("display.unicode.east_asian_width", True):
        return shown.to_string(index=False, na_rep=_na(lang))


def _print_scorecard(res, lang: str) -> None:
    import pandas as pd

    from simkit.crm.scoring import label

    for target in ("wins", "won_amount"):
        sc = res.scorecard(target, lang)
        click.echo(f"\n== {label(target, lang)} ==")
        with pd.option_context("display.unicode.east_asian_width", lang != "en"):
            click.echo(sc.to_string(index=False, na_rep=label("n/a", lang),
                                    float_format=lambda v: f"{v:.3f}"))
        t = res.table
        p = t[(t["method"] == "model") & (t["target"] == target)
              & (t["metric"] == "p_beats_baselines")].dropna(subset=["value"])
        for lg in (("en", "zh") if lang == "both" else (lang,)) if len(p) else ():
            shares = ("，".join(f"{c} 为 {v:.0%}" for c, v in zip(p["cutoff"], p["value"]))
                      if lg == "zh" else
                      ", ".join(f"{v:.0%} at {c}" for c, v in zip(p["cutoff"], p["value"])))
            click.echo(msg("cli.bt.beats", lg, shares=shares))


@main.command()
@_export_options
@click.option("--cutoff", "cutoffs", required=True, multiple=True,
              help="Use only what was known on this date (YYYY-MM-DD); with --backtest "
                   "repeat it for a rolling origin (the scenario uses the last one).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Scenario file to write (TOML); required unless --backtest.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the calibration report tables (CSV) and report.md here.")
@click.option("--backtest", "with_backtest", is_flag=True,
              help="Also back-test at every --cutoff and print the scorecard: mean |team bias|, "
                   "per-rep WAPE, 80% coverage and CRPS for the model and the baselines.")
@click.option("--replications", "-n", type=click.IntRange(min=1), default=200, show_default=True,
              help="Replications per cutoff for --backtest.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh", "both"]), default=None,
              help="Language of the printed report: en, zh or both (default: simkit's --lang).")
@click.option("--period-start", default=None,
              help="Start of the period being forecast (YYYY-MM-DD, default: the cutoff): "
                   "wins since then are 'won so far'.")
def calibrate(export, mapping, wins, strict, amount_divisor, lookback, pseudonym_key, pseudonyms,
              encoding, dayfirst, decimal, cutoffs, out, report_dir, with_backtest, replications,
              seed, lang, period_start):
    """Build a scenario from a CRM EXPORT (CSV or Excel) as known at --cutoff."""
    from simkit.crm import estimate
    from simkit.crm.report import calibration_report, write_report

    lang = lang or cli_language()
    one = "en" if lang == "both" else lang  # running text: one language

    if out is None and not with_backtest:
        raise SimkitInputError("--out", None, "a scenario file to write (or give --backtest)")
    if len(cutoffs) > 1 and not with_backtest:
        raise SimkitInputError("--cutoff", ", ".join(cutoffs), "one date (several need --backtest)")
    # Both targets are checked before anything is read or written, and the report is
    # written before the scenario: a failure never leaves one without the other.
    if out is not None:
        check_output_file(out)
    if report_dir is not None:
        check_output_dir(report_dir, "--report")
    imp = _import(export, mapping, wins, strict, amount_divisor, pseudonyms, pseudonym_key,
                  encoding, dayfirst, decimal)
    click.echo(msg("cli.cal.mapping", one, mapping=imp.mapping.name,
                   quality=_quality_text(imp.quality, one)))
    if out is not None or report_dir is not None:
        cutoff = sorted(cutoffs)[-1]
        from simkit.crm.forecast import forecast

        est = estimate(imp.deals, cutoff, lookback_weeks=lookback, source=Path(export).name)
        fc = forecast(imp.deals, cutoff, replications=replications, seed=seed,
                      period_start=period_start)
        rep = calibration_report(est, imp.quality, forecast=fc)
        if report_dir is not None:
            with atomic_folder(report_dir, "--report") as tmp:
                write_report(rep, tmp)
                write_manifest(tmp, command="simkit calibrate", export=Path(export).name,
                               mapping=imp.mapping.name, cutoff=str(cutoff),
                               lookback_weeks=lookback, replications=replications, seed=seed)
        if out is not None:
            sc = est.scenario()
            atomic_write(out, lambda p: p.write_text(sc.to_toml(), "utf-8"))
        click.echo("")
        click.echo(_parameters_text(rep["parameters"], one))
        for en, zh in zip(est.notes, est.notes_zh):
            for lg in (("en", "zh") if lang == "both" else (lang,)):
                click.echo(msg("cli.cal.note", lg, note=zh if lg == "zh" else en))
        _print_forecast(rep, lang)
        written = [msg("cli.cal.scenario_written", one, out=out)] if out else []
        if report_dir:
            written.append(msg("cli.cal.report_written" if out else "cli.cal.report_only", one,
                               report=report_dir))
        click.echo("\n" + "".join(written))
    if with_backtest:
        from simkit.crm.backtest import backtest as run_backtest

        res = run_backtest(imp.deals, list(cutoffs), replications=replications, seed=seed,
                           lookback_weeks=lookback, source=Path(export).name, progress=False)
        click.echo("\n" + msg("cli.cal.scorecard", one, replications=replications, seed=seed))
        _print_scorecard(res, lang)


@main.command()
@_export_options
@click.option("--cutoff", "cutoffs", multiple=True,
              help="Forecast from this date (YYYY-MM-DD); repeat for a rolling origin.")
@click.option("--every", type=click.Choice(["month", "quarter"]), default=None,
              help="Instead of --cutoff: every month's (or quarter's) first day the export can "
                   "be back-tested from (at most the last 24).")
@click.option("--horizon", default="quarter", show_default=True,
              help="'quarter' (13 weeks) or a number of weeks (1-26).")
@click.option("--replications", "-n", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print the table as JSON records (cutoff, method, target, metric, value).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the long table (csv, parquet or xlsx by extension).")
def backtest(export, mapping, wins, strict, amount_divisor, lookback, pseudonym_key, pseudonyms,
             encoding, dayfirst, decimal, cutoffs, every, horizon, replications, seed, as_json,
             out):
    """Calibrate at each --cutoff, simulate forward, and score against what happened."""
    from simkit.crm.backtest import MAX_ROLLING, rolling_cutoffs, wape_record
    from simkit.crm.backtest import backtest as run_backtest
    from simkit.crm.backtest import parse_horizon
    from simkit.sim.io import atomic_write_table

    if bool(cutoffs) == bool(every):
        raise SimkitInputError("--cutoff / --every", " ".join(cutoffs) or None,
                               "one or more --cutoff dates, or --every month|quarter")
    weeks = parse_horizon(horizon)
    if out is not None:
        check_output_file(out)
    imp = _import(export, mapping, wins, strict, amount_divisor, pseudonyms, pseudonym_key,
                  encoding, dayfirst, decimal)
    if every:
        cutoffs, total = rolling_cutoffs(imp.deals, every, weeks, lookback_weeks=lookback)
        if not cutoffs:
            raise SimkitInputError("--every", every, "an export with a horizon of history, 20 "
                                   "deals created and 5 won in the lookback, and a horizon "
                                   "left after some month's first day")
        click.echo(msg("cli.bt.rolling", cli_language(), n=len(cutoffs), total=total,
                       first=cutoffs[0].date(), last=cutoffs[-1].date(), most=MAX_ROLLING),
                   err=True)
    res = run_backtest(imp.deals, list(cutoffs), horizon_weeks=weeks, replications=replications,
                       seed=seed, lookback_weeks=lookback, source=Path(export).name,
                       progress=False)
    if out is not None:
        atomic_write_table(res.table, out)
    if as_json:
        click.echo(json_text(res.records()))
        return
    lang = cli_language()
    click.echo(msg("cli.bt.header", lang, export=Path(export).name, mapping=imp.mapping.name,
                   excluded=imp.quality.rows_excluded, rows=imp.quality.rows_in, weeks=weeks,
                   replications=replications, seed=seed))
    click.echo(msg("cli.bt.legend", lang) + "\n")
    w = res.wide()
    w = w[w["metric"].isin(["forecast", "actual", "bias", "abs_bias", "rep_wape", "in_80",
                            "rep_coverage_80", "crps", "rep_crps"])]
    if lang != "en":  # the metrics and methods by the scorecard's names (simkit.crm.scoring)
        import pandas as pd

        from simkit.crm.scoring import label

        w = w.assign(target=w["target"].map(lambda v: label(v, lang)),
                     metric=w["metric"].map(lambda v: label(v, lang)),
                     cutoff=w["cutoff"].map(lambda v: label(v, lang) if v == "all" else v))
        w.columns = [msg(c, lang) if c == "metric" else label(c, lang) for c in w.columns]
        with pd.option_context("display.unicode.east_asian_width", True):
            text = w.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=_na(lang))
    else:
        text = w.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=_na(lang))
    click.echo(text)
    click.echo("\n" + msg("cli.bt.scorecard", lang))
    _print_scorecard(res, lang)
    for target in ("wins", "won_amount"):
        r = wape_record(res.table, target)
        if r["folds"] >= 2:
            click.echo(msg("cli.bt.record", lang, target=msg(f"cli.fc.{target}", lang),
                           won=r["won"], folds=r["folds"], expected=f"{r['expected']:.1f}"))
