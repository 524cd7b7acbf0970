"""The headless API and its SQLite file: validation stores nothing, resume after reopening."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from simkit import SimkitInputError
from simkit.sandbox import Sandbox
from simkit.sandbox.api import CODE_ALPHABET, CODE_LENGTH


@pytest.fixture
def sb(tmp_path):
    s = Sandbox.create(tmp_path / "room.sqlite", teams=3, rounds=3, regime="saturating", seed=7,
                       replications=10, preview_replications=8)
    yield s
    s.close()


def test_codes_are_random_distinct_and_well_formed(sb, tmp_path):
    codes = sb.join_codes()
    assert list(codes) == ["A", "B", "C"]
    assert len(set(codes.values())) == 3
    for c in codes.values():
        assert len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET)
    other = Sandbox.create(tmp_path / "other.sqlite", teams=3, seed=7)
    assert set(other.join_codes().values()).isdisjoint(codes.values())
    assert other.trainer_key != sb.trainer_key
    other.close()


def test_a_code_is_accepted_in_any_case_and_a_wrong_one_is_refused(sb):
    code = sb.join_codes()["B"]
    assert sb.team_of(code.lower()) == "B"
    with pytest.raises(SimkitInputError) as e:
        sb.team_of("WRONGCODE1")
    assert e.value.field == "code"


@pytest.mark.parametrize("changes,field", [
    ({"hires": -1}, "hires"), ({"hires": 2.5}, "hires"), ({"hires": True}, "hires"),
    ({"forecast_committed": "abc"}, "forecast_committed"),
    ({"forecast_possible": float("nan")}, "forecast_possible"),
    ({"prospecting": 0}, "prospecting"), ({"large_share": 1.5}, "large_share"),
    ({"commission": "generous"}, "commission"), ({"salary": 3}, "salary"),
    ({"hires": 5, "training_days": 10}, "budget"), ("hires=2", "decisions"),
])
def test_invalid_decisions_are_refused_bilingually_and_nothing_is_stored(sb, changes, field):
    code = sb.join_codes()["A"]
    before = sb.decisions(code)
    with pytest.raises(SimkitInputError) as e:
        sb.submit(code, changes)
    assert e.value.field == field
    msg = str(e.value)
    assert field in msg and " / " in msg and any("\u4e00" <= ch <= "\u9fff" for ch in msg)
    assert sb.submitted(1) == {}
    assert sb.decisions(code) == before


def test_a_submit_keeps_unsent_fields_and_strings_from_forms_are_numbers(sb):
    code = sb.join_codes()["A"]
    out = sb.submit(code, {"hires": "2", "forecast_committed": "200"})
    assert out["hires"] == 2 and out["forecast_committed"] == 200.0
    assert out["prospecting"] == 5.0
    assert sb.submitted(1) == {"A": out}


def test_close_round_scores_every_team_and_opens_the_next(sb):
    codes = sb.join_codes()
    sb.submit(codes["A"], {"hires": 1})
    df = sb.close_round()
    assert list(df["team"]) == ["A", "B", "C"]
    assert (df["round"] == 1).all()
    # B and C decided nothing: same defaults, same random numbers, same results.
    b, c = df.set_index("team").loc["B"], df.set_index("team").loc["C"]
    pd.testing.assert_series_equal(b, c, check_names=False)
    assert sb.current_round()["number"] == 2 and sb.status() == "open"
    # Hires are one-offs: not repeated when a team submits nothing in round 2.
    assert sb.decisions(codes["A"])["hires"] == 0
    lb = sb.leaderboard()
    assert list(lb["rank"]) == [1, 2, 3] and set(lb["team"]) == {"A", "B", "C"}
    assert lb["score"].is_monotonic_decreasing


def test_no_submit_when_no_round_is_open(sb):
    code = sb.join_codes()["A"]
    sb.close_round(open_next=False)
    assert sb.status() == "pending"
    with pytest.raises(SimkitInputError) as e:
        sb.submit(code, {"hires": 1})
    assert e.value.field == "round"
    assert sb.submitted(2) == {}
    sb.open_round()
    sb.submit(code, {"hires": 1})
    for _ in range(2):
        sb.close_round()
    assert sb.status() == "finished"
    with pytest.raises(SimkitInputError):
        sb.submit(code, {"hires": 1})


def test_preview_uses_other_random_numbers_than_the_round(sb):
    code = sb.join_codes()["A"]
    prev = sb.preview(code)
    real = sb.close_round().set_index("team").loc["A"]
    assert prev["seed"] != sb.result_details()[0]["seed"]
    assert prev["bookings"] != real["bookings"]


def test_shocks_are_scheduled_for_rounds_not_yet_closed(sb):
    assert sb.schedule_shock(2, "price_cut") == ["price_cut"]
    sb.close_round()
    with pytest.raises(SimkitInputError):
        sb.schedule_shock(1, "budget_freeze")
    with pytest.raises(SimkitInputError):
        sb.schedule_shock(2, "earthquake")
    sb.close_round()
    assert sb.result_details()[-1]["shocks"] == ["price_cut"]


def test_resume_after_reopening_the_file(tmp_path):
    path = tmp_path / "room.sqlite"
    sb = Sandbox.create(path, teams=2, rounds=3, regime="growing", seed=3, replications=10)
    codes, key = sb.join_codes(), sb.trainer_key
    sb.submit(codes["A"], {"hires": 1, "forecast_committed": 150})
    sb.close_round()
    sb.submit(codes["B"], {"consultants": 6})
    board = sb.leaderboard()
    del sb  # no close: as if the process died
    again = Sandbox.open(path)
    assert again.join_codes() == codes and again.trainer_key == key
    assert again.current_round()["number"] == 2
    assert again.submitted(2)["B"]["consultants"] == 6
    pd.testing.assert_frame_equal(again.leaderboard(), board)
    again.close_round()
    assert len(again.results()) == 4
    again.close()


def test_a_round_is_written_in_one_transaction(tmp_path, monkeypatch):
    path = tmp_path / "room.sqlite"
    sb = Sandbox.create(path, teams=2, rounds=2, regime="stagnant", seed=3, replications=10)
    from simkit.sandbox import store as store_mod

    real_now = store_mod.now
    calls = {"n": 0}

    def failing_now():  # fails inside the close's transaction, after the results rows
        calls["n"] += 1
        raise RuntimeError("power cut")

    import simkit.sandbox.api as api_mod

    monkeypatch.setattr(api_mod, "now", failing_now)
    with pytest.raises(RuntimeError):
        sb.close_round()
    monkeypatch.setattr(api_mod, "now", real_now)
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM states WHERE round = 2").fetchone()[0] == 0
    con.close()
    assert sb.status() == "open"
    sb.close_round()
    assert len(sb.results()) == 2


def test_create_refuses_bad_settings_and_an_existing_file(tmp_path):
    for kw, field in [({"teams": 1}, "teams"), ({"teams": 9}, "teams"), ({"rounds": 0}, "rounds"),
                      ({"regime": "boom"}, "regime"), ({"seed": -1}, "seed")]:
        with pytest.raises(SimkitInputError) as e:
            Sandbox.create(tmp_path / f"{field}.sqlite", **kw)
        assert e.value.field == field
    (tmp_path / "x.sqlite").write_text("not a session")
    with pytest.raises(SimkitInputError):
        Sandbox.create(tmp_path / "x.sqlite")
    with pytest.raises(SimkitInputError):
        Sandbox.open(tmp_path / "x.sqlite")


def test_random_regime_is_one_of_the_three(tmp_path):
    sb = Sandbox.create(tmp_path / "r.sqlite", regime="random")
    assert sb.regime in ("growing", "saturating", "stagnant")
    sb.close()


def test_worker_processes_give_the_same_round_as_in_process(tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    frames = []
    for name, pool in (("inproc", None), ("pool", ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn")))):
        sb = Sandbox.create(tmp_path / f"{name}.sqlite", teams=2, rounds=1, regime="growing",
                            seed=9, replications=8)
        sb.executor = sb.preview_executor = pool
        codes = sb.join_codes()
        sb.submit(codes["A"], {"hires": 1, "prospecting": 6})
        sb.join_codes()
        frames.append((sb.preview(codes["B"]), sb.close_round()))
        sb.close()
        if pool is not None:
            pool.shutdown()
    assert frames[0][0] == frames[1][0]
    pd.testing.assert_frame_equal(frames[0][1], frames[1][1])


def test_previews_from_many_threads_match_one_at_a_time(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    sb = Sandbox.create(tmp_path / "t.sqlite", teams=4, rounds=1, regime="stagnant", seed=2,
                        replications=8, preview_replications=8)
    codes = list(sb.join_codes().values())
    asks = [(codes[i % 4], {"prospecting": 4 + i % 3, "hires": i % 2}) for i in range(12)]
    with ThreadPoolExecutor(6) as ex:
        together = list(ex.map(lambda a: sb.preview(*a), asks))
    sb._previews.clear()
    alone = [sb.preview(*a) for a in asks]
    assert together == alone
    sb.close()
