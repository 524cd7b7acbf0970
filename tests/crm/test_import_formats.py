"""Issue 17: amounts, dates, encodings and mapping files as Chinese and European exports write
them. Each test reproduces a reported silent or crashing failure."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import T0, synthetic_deals

from simkit.cli import main
from simkit.crm import CRMDataError, get_mapping, load_mapping, read_export
from simkit.crm.importers import import_frame
from simkit.crm.parse import parse_amounts, parse_dates
from simkit.model.errors import SimkitInputError


def _maven(n=40, amount=None, created=None, closed=None):
    """A maven-shaped raw export (text columns): every deal won, a week long."""
    days = pd.date_range("2024-01-02", periods=n, freq="D")
    return pd.DataFrame({
        "opportunity_id": [f"D{i}" for i in range(n)],
        "sales_agent": [f"Rep {i % 3}" for i in range(n)],
        "deal_stage": ["Won"] * n,
        "engage_date": created if created is not None else days.strftime("%Y-%m-%d"),
        "close_date": closed if closed is not None else
        (days + pd.Timedelta(days=7)).strftime("%Y-%m-%d"),
        "close_value": amount if amount is not None else ["12000"] * n,
    })


CHINESE = ["￥12,000.00", "1.2万", "12000元", "RMB 12,000", "１２０００．００", "¥12000",
           "12，000", "1.2万元", "人民币12000", "CNY12000.00", "12000 元"]


@pytest.mark.parametrize("text", CHINESE)
def test_chinese_amounts_are_read_not_zeroed(text):
    got, bad = parse_amounts(pd.Series([text]))
    assert not bad.any() and got.iloc[0] == pytest.approx(12000.0)


def test_full_width_decimal_amount():
    got, bad = parse_amounts(pd.Series(["１２０００．５０", "12000．50"]))
    assert list(got) == [12000.5, 12000.5] and not bad.any()


def test_import_of_chinese_amounts_keeps_every_row_and_the_value():
    raw = _maven(len(CHINESE), amount=CHINESE)
    imp = import_frame(raw, get_mapping("maven"), strict=True)
    assert imp.quality.ok
    assert np.allclose(imp.deals["amount"], 1.2)  # 万 CNY


def test_scientific_notation_as_excel_writes_it():
    got, bad = parse_amounts(pd.Series(["1.2E+05", "3e4", "1e999"]))
    assert got.iloc[:2].tolist() == [120000.0, 30000.0] and bad.tolist() == [False, False, True]


def test_european_amounts_detected_per_column():
    got, bad = parse_amounts(pd.Series(["3.796,96", "1.200,00", "15,5", "", "7"]))
    assert not bad.any()
    assert got.iloc[:3].tolist() == [3796.96, 1200.0, 15.5] and math.isnan(got.iloc[3])
    assert got.iloc[4] == 7.0


def test_mixed_decimal_marks_are_refused_naming_the_column():
    with pytest.raises(SimkitInputError, match="close_value.*--decimal"):
        import_frame(_maven(2, amount=["3.796,96", "12.50"]), get_mapping("maven"))


def test_ambiguous_decimal_column_refused_unless_told():
    raw = _maven(2, amount=["3.796", "1.200"])
    with pytest.raises(SimkitInputError, match="--decimal"):
        import_frame(raw, get_mapping("maven"))
    imp = import_frame(raw, get_mapping("maven"), decimal=",", amount_divisor=1)
    assert imp.deals["amount"].tolist() == [3796.0, 1200.0]
    imp = import_frame(raw, get_mapping("maven"), decimal=".", amount_divisor=1)
    assert imp.deals["amount"].tolist() == [3.796, 1.2]


def test_unreadable_amount_is_an_excluded_row_with_its_line_never_zero():
    raw = _maven(4, amount=["12000", "twelve", "12000", "1.2.3,4,5"])
    imp = import_frame(raw, get_mapping("maven"))
    t = imp.quality.table.set_index("rule")
    assert t.loc["bad_amount", "rows"] == 2
    assert "line 3 (D1)" in t.loc["bad_amount", "examples"]
    assert imp.quality.rows_kept == 2 and (imp.deals["amount"] > 0).all()
    with pytest.raises(CRMDataError, match="bad_amount"):
        import_frame(raw, get_mapping("maven"), strict=True)


def test_chinese_dates():
    got, bad = parse_dates(pd.Series(["2024年3月5日", "２０２４年１２月３１日", "2024年3月5日 10:30"]))
    assert not bad.any()
    assert list(got) == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-12-31"),
                         pd.Timestamp("2024-03-05 10:30")]


def test_day_first_is_decided_for_the_whole_column():
    # The reported failure: 05/03/2024 read month-first, 25/03/2024 day-first in one column.
    got, bad = parse_dates(pd.Series(["05/03/2024", "25/03/2024", "05.03.2024", "01/02/24"]))
    assert not bad.any()
    assert list(got) == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-25"),
                         pd.Timestamp("2024-03-05"), pd.Timestamp("2024-02-01")]
    got, _ = parse_dates(pd.Series(["03/05/2024", "03/25/2024"]))
    assert list(got) == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-25")]


def test_ambiguous_and_inconsistent_date_columns_are_refused_unless_told():
    with pytest.raises(SimkitInputError, match="--dayfirst or --monthfirst"):
        parse_dates(pd.Series(["05/03/2024", "04/03/2024"]), "engage_date")
    got, _ = parse_dates(pd.Series(["05/03/2024"]), dayfirst=True)
    assert got.iloc[0] == pd.Timestamp("2024-03-05")
    got, _ = parse_dates(pd.Series(["05/03/2024"]), dayfirst=False)
    assert got.iloc[0] == pd.Timestamp("2024-05-03")
    with pytest.raises(SimkitInputError, match="one day/month order"):
        parse_dates(pd.Series(["25/03/2024", "03/25/2024"]), "engage_date")


def test_day_first_export_gives_the_same_win_probability_as_iso(tmp_path):
    d = synthetic_deals(reps=4, rate=3.0, weeks=60, seed=6)
    from test_backtest import _export_csv

    iso = _export_csv(d, tmp_path / "iso.csv", T0 + pd.Timedelta(weeks=60))
    raw = pd.read_csv(iso, dtype=str)
    for c in ("engage_date", "close_date"):
        raw[c] = pd.to_datetime(raw[c]).dt.strftime("%d/%m/%Y")
    raw.to_csv(tmp_path / "dmy.csv", index=False)
    a, b = read_export(iso, "maven"), read_export(tmp_path / "dmy.csv", "maven")
    pd.testing.assert_frame_equal(a.deals, b.deals)


def test_unreadable_date_column_blames_the_column_not_cutoff(tmp_path):
    raw = _maven(30, created=["三月五日"] * 30)
    raw.to_csv(tmp_path / "x.csv", index=False)
    r = CliRunner().invoke(main, ["calibrate", str(tmp_path / "x.csv"), "--cutoff", "2024-06-01",
                                  "--out", str(tmp_path / "sc.toml")])
    assert r.exit_code == 2
    assert "engage_date" in r.output and "--cutoff" not in r.output
    assert not (tmp_path / "sc.toml").exists()


@pytest.mark.parametrize("enc", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_chinese_encodings_are_detected(tmp_path, enc):
    raw = _maven(5)
    raw["sales_agent"] = ["张伟", "王芳", "李娜", "张伟", "王芳"]
    raw["close_value"] = ["１２０００", "1.2万", "12000元", "￥12,000", "12000"]
    raw.to_csv(tmp_path / "x.csv", index=False, encoding=enc)
    imp = read_export(tmp_path / "x.csv", "maven", strict=True)
    assert set(imp.deals["rep"]) == {"张伟", "王芳", "李娜"}
    assert np.allclose(imp.deals["amount"], 1.2)


def test_encoding_option(tmp_path):
    raw = _maven(3)
    raw["sales_agent"] = ["陳大文", "陳大文", "黃小明"]
    raw.to_csv(tmp_path / "x.csv", index=False, encoding="big5")
    imp = read_export(tmp_path / "x.csv", "maven", encoding="big5")
    assert set(imp.deals["rep"]) == {"陳大文", "黃小明"}
    with pytest.raises(SimkitInputError, match="--encoding"):
        read_export(tmp_path / "x.csv", "maven", encoding="no-such-codec")
    (tmp_path / "bad.csv").write_bytes(b"opportunity_id\n\xff\xfe\xff\x00\x81\n")
    with pytest.raises(SimkitInputError, match="--encoding"):
        read_export(tmp_path / "bad.csv", "maven")


def test_encoding_on_the_calibrate_cli():
    r = CliRunner().invoke(main, ["calibrate", "--help"])
    assert "--encoding" in r.output and "--dayfirst" in r.output and "--decimal" in r.output


def test_xls_without_its_reader_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(SimkitInputError, match="python-calamine"):
        read_export(tmp_path / "x.xls", "maven")


def test_xls_is_read(data_dir):
    pytest.importorskip("python_calamine")
    imp = read_export(data_dir / "maven_shape.xls", "maven")
    csv = read_export(data_dir / "maven_shape.csv", "maven")
    pd.testing.assert_frame_equal(imp.deals, csv.deals)


def test_junk_xls_is_a_clear_error(tmp_path):
    pytest.importorskip("python_calamine")
    (tmp_path / "x.xls").write_bytes(b"this is not a spreadsheet")
    with pytest.raises(SimkitInputError, match="readable"):
        read_export(tmp_path / "x.xls", "maven")


@pytest.mark.parametrize("body,key", [
    ('won_labels = 5\n[columns]\ndeal_id = "id"\n', "won_labels"),
    ('[columns]\ndeal_id = 5\n', "columns.deal_id"),
    ('columns = 5\n', "columns"),
    ('amount_divisor = inf\n', "amount_divisor"),
    ('dayfirst = "yes"\n', "dayfirst"),
    ('name = 3\n', "name"),
    ('decimal = ";"\n', "decimal"),
])
def test_mapping_file_values_of_the_wrong_type_name_the_key(tmp_path, body, key):
    p = tmp_path / "m.toml"
    p.write_text(body, "utf-8")
    with pytest.raises(SimkitInputError) as exc:
        load_mapping(p)
    assert key in str(exc.value)


@pytest.mark.parametrize("div", [math.inf, math.nan, 0, -1])
def test_amount_divisor_must_be_finite_and_positive(div):
    with pytest.raises(SimkitInputError, match="amount-divisor"):
        import_frame(_maven(2), get_mapping("maven"), amount_divisor=div)


@pytest.mark.parametrize("div", ["inf", "nan", "0", "-inf"])
def test_amount_divisor_cli(tmp_path, data_dir, div):
    r = CliRunner().invoke(main, ["calibrate", str(data_dir / "maven_shape.csv"), "--cutoff",
                                  "2020-05-15", "--out", str(tmp_path / "x.toml"),
                                  "--amount-divisor", div])
    assert r.exit_code == 2 and "amount-divisor" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "x.toml").exists()


def test_lookback_nan_is_called_not_a_number(tmp_path, data_dir):
    r = CliRunner().invoke(main, ["calibrate", str(data_dir / "maven_shape.csv"), "--cutoff",
                                  "2020-05-15", "--out", str(tmp_path / "x.toml"),
                                  "--lookback", "nan"])
    assert r.exit_code == 2 and "not a finite number" in r.output


def test_mapping_file_that_is_not_a_regular_file_or_too_big(tmp_path):
    if Path("/dev/zero").exists():
        with pytest.raises(SimkitInputError, match="not a regular file"):
            load_mapping("/dev/zero")
    big = tmp_path / "m.toml"
    big.write_text("# " + "x" * 2_000_000, "utf-8")
    with pytest.raises(SimkitInputError, match="at most 1 MB"):
        load_mapping(big)


def test_latin1_export_is_not_read_as_chinese(tmp_path):
    # A cp1252 file also decodes in GB18030, as rare Chinese characters: refused, not garbled.
    raw = _maven(3)
    raw["sales_agent"] = ["Société Générale", "José Müller", "Zoë"]
    raw.to_csv(tmp_path / "x.csv", index=False, encoding="cp1252")
    with pytest.raises(SimkitInputError, match="--encoding"):
        read_export(tmp_path / "x.csv", "maven")
    imp = read_export(tmp_path / "x.csv", "maven", encoding="cp1252")
    assert set(imp.deals["rep"]) == {"Société Générale", "José Müller", "Zoë"}
