"""Fuzz: CRM exports with odd encodings, amount and date formats and missing columns.

Every generated export either gives a clean SimkitInputError or is read
*correctly*: each kept row's amount and dates equal the values the export was
written from, and a row whose amount is junk is excluded (never read as 0).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from simkit import SimkitInputError
from simkit.crm import read_export

FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _dot(x: float, cents: bool, sep: bool) -> str:
    s = f"{x:,.2f}" if cents else f"{x:,.0f}"
    return s if sep else s.replace(",", "")


AMOUNT_STYLES = {
    "plain": lambda x, c: _dot(x, c, False),
    "thousands": lambda x, c: _dot(x, c, True),
    "yen": lambda x, c: "￥" + _dot(x, c, True),
    "yuan": lambda x, c: _dot(x, c, False) + "元",
    "rmb": lambda x, c: "RMB " + _dot(x, c, True),
    "wan": lambda x, c: f"{x / 1e4:.6f}".rstrip("0").rstrip(".") + "万",
    "fullwidth": lambda x, c: _dot(x, c, False).translate(FULL),
    "fullwidth_comma": lambda x, c: _dot(x, c, True).translate(FULL),
}


def _european(x: float, cents: bool) -> str:
    s = _dot(x, cents, True)
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


DATE_STYLES = {
    "iso": lambda d: d.strftime("%Y-%m-%d"),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dmy": lambda d: d.strftime("%d/%m/%Y"),
    "mdy": lambda d: d.strftime("%m/%d/%Y"),
    "dmy_dot": lambda d: d.strftime("%d.%m.%Y"),
    "iso_time": lambda d: d.strftime("%Y-%m-%d 10:30:00"),
}
JUNK = ["n/a", "—", "abc", "12abc", "1.2.3,4,5", "万", "￥", "--5"]
REPS = ["张伟", "王芳", "李娜", "Rep A", "刘洋"]


@st.composite
def exports(draw):
    n = draw(st.integers(3, 25))
    european = draw(st.booleans())
    styles = draw(st.lists(st.sampled_from(sorted(AMOUNT_STYLES)), min_size=1, max_size=3,
                           unique=True))
    created_style = draw(st.sampled_from(sorted(DATE_STYLES)))
    closed_style = draw(st.sampled_from(sorted(DATE_STYLES)))
    rows, truth = [], []
    for i in range(n):
        cents = draw(st.booleans())
        x = draw(st.integers(1, 10**7)) / (100 if cents else 1)
        junk = draw(st.integers(0, 9)) == 0
        if junk:
            text = draw(st.sampled_from(JUNK))
        elif european:
            text = _european(x, cents)
        else:
            style = draw(st.sampled_from(styles))
            if style == "wan":
                x = round(x / 100) * 100.0  # 万 with at most 2 decimals, as people write it
            text = AMOUNT_STYLES[style](x, cents)
        created = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 1500)))
        closed = created + dt.timedelta(days=draw(st.integers(0, 200)))
        rows.append({"opportunity_id": f"D{i}", "sales_agent": draw(st.sampled_from(REPS)),
                     "deal_stage": "Won", "engage_date": DATE_STYLES[created_style](created),
                     "close_date": DATE_STYLES[closed_style](closed), "close_value": text})
        truth.append((None if junk else x, pd.Timestamp(created), pd.Timestamp(closed)))
    df = pd.DataFrame(rows)
    drop = draw(st.one_of(st.none(), st.sampled_from(list(df.columns))))
    if drop:
        df = df.drop(columns=drop)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
    return df, truth, encoding, drop


@settings(max_examples=150)
@given(case=exports())
def test_crm_exports_are_read_correctly_or_refused(tmp_path_factory, case):
    df, truth, encoding, drop = case
    path = tmp_path_factory.mktemp("crm") / "export.csv"
    df.to_csv(path, index=False, encoding=encoding)
    try:
        imp = read_export(path, "maven")
    except SimkitInputError as exc:
        event("clean error: " + ("missing column" if drop else str(exc).split(" = ")[0][:30]))
        return
    assert drop in (None, "product", "account", "close_value", "close_date"), drop
    event("read" + (f" without {drop}" if drop else ""))
    q = imp.quality
    assert q.rows_in == len(truth)
    kept = imp.deals.set_index("deal_id")
    for i, (amount, created, closed) in enumerate(truth):
        did = f"D{i}"
        if drop is None and amount is None:
            assert did not in kept.index  # junk amount: excluded, never 0
            continue
        if did not in kept.index:
            continue
        row = kept.loc[did]
        if drop != "close_value":
            assert row["amount"] == pytest.approx(amount / 1e4, rel=1e-9), (did, df.iloc[i])
        assert row["created"].normalize() == created, (did, df.iloc[i])
        if drop != "close_date":
            assert row["closed"].normalize() == closed, (did, df.iloc[i])
    if drop is None:
        junk = sum(a is None for a, _, _ in truth)
        assert q.table.set_index("rule").loc["bad_amount", "rows"] == junk
