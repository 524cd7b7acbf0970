"""Import mappings and data-quality rules (tiny fixture exports under data/)."""

from __future__ import annotations

import pandas as pd
import pytest

from simkit.crm import RULES, CRMDataError, get_mapping, read_export
from simkit.model.errors import SimkitInputError


def test_maven_shape_and_every_quality_rule(data_dir):
    imp = read_export(data_dir / "maven_shape.csv", "maven")
    counts = dict(zip(imp.quality.table["rule"], imp.quality.table["rows"]))
    # one planted row per rule, except missing_id (tested separately below)
    for rule in ("close_before_create", "missing_date", "negative_amount", "unknown_stage",
                 "duplicate_id", "missing_owner", "bad_date"):
        assert counts[rule] == 1, rule
    assert imp.quality.rows_in == 67 and imp.quality.rows_kept == 60
    ex = imp.quality.table.set_index("rule").loc["unknown_stage", "examples"]
    assert "BAD4" in ex and "line 65" in ex
    d = imp.deals
    assert set(d["status"]) == {"won", "lost", "open"}
    assert d.loc[d["status"] == "open", "closed"].isna().all()
    assert (d.loc[d["status"] == "won", "amount"] > 0).all()
    assert not d["deal_id"].str.startswith("BAD").any()
    assert imp.mapping.name == "maven"


def test_missing_id_rule():
    from simkit.crm.importers import import_frame

    raw = pd.DataFrame({"opportunity_id": [None, "A"], "sales_agent": ["x", "y"],
                        "deal_stage": ["Won", "Won"], "engage_date": ["2020-01-01"] * 2,
                        "close_date": ["2020-02-01"] * 2, "close_value": ["1", "2"]})
    imp = import_frame(raw, get_mapping("maven"))
    assert imp.quality.table.set_index("rule").loc["missing_id", "rows"] == 1
    assert list(imp.deals["deal_id"]) == ["A"]


def test_strict_mode_refuses_and_names_the_rules(data_dir):
    with pytest.raises(CRMDataError) as exc:
        read_export(data_dir / "maven_shape.csv", "maven", strict=True)
    msg = str(exc.value)
    assert "strict" in msg and "close_before_create 1" in msg and "BAD1" in msg


def test_auto_detects_each_shape(data_dir):
    assert read_export(data_dir / "maven_shape.csv").mapping.name == "maven"
    assert read_export(data_dir / "salesforce_shape.csv").mapping.name == "salesforce"
    assert read_export(data_dir / "hubspot_shape.csv").mapping.name == "hubspot"


def test_salesforce_open_close_date_is_not_a_close(data_dir):
    imp = read_export(data_dir / "salesforce_shape.csv", "salesforce")
    assert imp.quality.ok
    d = imp.deals
    assert d.loc[d["status"] == "open", "closed"].isna().all()
    raw = pd.read_csv(data_dir / "salesforce_shape.csv", dtype=str)
    assert (d["status"] == "won").sum() == (raw["IsWon"] == "true").sum()
    # "13,592.41" CNY -> 1.359241 万
    assert d["amount"].iloc[0] == pytest.approx(1.359241)
    assert set(d["source"]) == {"Web", "Partner"}


def test_hubspot_labels(data_dir):
    imp = read_export(data_dir / "hubspot_shape.csv", "hubspot")
    assert imp.quality.ok
    raw = pd.read_csv(data_dir / "hubspot_shape.csv", dtype=str)
    assert (imp.deals["status"] == "won").sum() == (raw["Deal Stage"] == "Closed Won").sum()
    assert imp.deals["deal_id"].iloc[0] == "0000000"  # ids stay text


def test_lead_level_shape(data_dir):
    imp = read_export(data_dir / "leads_shape.csv", "leads-wins", wins=data_dir / "wins_shape.csv")
    d = imp.deals
    assert len(d) == 40 and (d["status"] == "won").sum() == 8
    assert set(d.loc[d["status"] != "won", "status"]) == {"open"}  # not won, never "lost"
    assert (d["rep"] == "team").all()
    with pytest.raises(SimkitInputError, match="--wins"):
        read_export(data_dir / "leads_shape.csv", "leads-wins")


def test_mapping_file(tmp_path, data_dir):
    f = tmp_path / "mine.toml"
    f.write_text('name = "mine"\nwon_labels = ["Won"]\nlost_labels = ["Lost"]\n'
                 'open_labels = ["Engaging", "Prospecting"]\namount_divisor = 1.0\n'
                 '[columns]\ndeal_id = "opportunity_id"\nrep = "sales_agent"\n'
                 'created = "engage_date"\nclosed = "close_date"\nstage = "deal_stage"\n'
                 'amount = "close_value"\n', "utf-8")
    imp = read_export(data_dir / "maven_shape.csv", str(f))
    ref = read_export(data_dir / "maven_shape.csv", "maven")
    assert imp.mapping.name == "mine"
    assert imp.deals["amount"].sum() == pytest.approx(ref.deals["amount"].sum() * 10_000)
    f.write_text('[columns]\ndeal = "x"\n', "utf-8")
    with pytest.raises(SimkitInputError, match="canonical column"):
        read_export(data_dir / "maven_shape.csv", str(f))


def test_errors_name_the_problem(tmp_path, data_dir):
    with pytest.raises(SimkitInputError, match="export"):
        read_export(tmp_path / "nope.csv")
    with pytest.raises(SimkitInputError, match="--mapping"):
        read_export(data_dir / "maven_shape.csv", "dynamics")
    with pytest.raises(SimkitInputError, match="rep: one of"):
        read_export(data_dir / "leads_shape.csv", "maven")


def test_rules_documented():
    assert {"close_before_create", "missing_date", "negative_amount", "unknown_stage",
            "duplicate_id"} <= set(RULES)


def test_pseudonyms_are_stable_and_hide_names(data_dir):
    a = read_export(data_dir / "maven_shape.csv", pseudonyms=True)
    b = read_export(data_dir / "maven_shape.csv", pseudonyms=True)
    c = read_export(data_dir / "maven_shape.csv", pseudonyms=True, pseudonym_key="other")
    assert list(a.deals["rep"]) == list(b.deals["rep"])
    assert a.deals["rep"].str.startswith("rep-").all()
    assert a.deals["account"].str.startswith("account-").all()
    assert set(a.deals["rep"]) != set(c.deals["rep"])
    assert a.deals["rep"].nunique() == 3
