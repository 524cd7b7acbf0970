"""``Sandbox``: drive a sandbox session headless (the web app is a shell around it)::

    from simkit.sandbox import Sandbox
    sb = Sandbox.create("room.sqlite", teams=3, rounds=4, regime="saturating", seed=7)
    codes = sb.join_codes()                               # {team name: join code}
    sb.submit(codes["A"], {"hires": 2, "forecast_committed": 120})  # SimkitInputError if bad
    sb.close_round()                                      # simulates the quarter for every team
    sb.leaderboard()                                      # one row per team
    sb = Sandbox.open("room.sqlite")                      # resumes the session
"""

from __future__ import annotations

import hmac
import json
import secrets
import string
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any
from collections.abc import Mapping

import pandas as pd

from simkit.model import Scenario, SimkitInputError, load_scenario, preset

from simkit.sandbox import game
from simkit.sandbox.store import Store, now
from simkit.sandbox.text import both

__all__ = ["CODE_ALPHABET", "Sandbox"]

# No 0/O, 1/I/L: codes are read aloud and typed on phones. 10 characters = 49 bits.
CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "01OIL")
CODE_LENGTH = 10
TEAM_NAMES = "ABCDEFGH"
PUBLIC_KEYS = ("bookings", "bookings_p10", "bookings_p90", "attainment", "wins",
               "share_at_quota", "commission", "cost", "profit", "forecast", "forecast_accuracy",
               "score", "reps", "leavers", "funnel_end", "presales_wait", "overload")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _normalise_code(code: Any) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "") if isinstance(code, str) else ""


class Sandbox:
    """A session: teams, rounds, the hidden market, decisions and results, in one SQLite file."""

    def __init__(self, store: Store):
        self._store = store
        self._cfg = store.config()
        self._base = Scenario.model_validate_json(self._cfg["scenario"])
        self._lock = threading.RLock()
        self._previews: OrderedDict[str, dict] = OrderedDict()
        #: A ``concurrent.futures`` executor (a process pool) to simulate quarters in;
        #: None: in this process. The web server sets one so that a close does not
        #: compete with page requests for one interpreter.
        self.executor = None
        #: The same for previews; kept apart so that a close never queues behind previews.
        self.preview_executor = None
        # A close cut short (the process died while simulating) wrote nothing: reopen it.
        with store.transaction() as db:
            db.execute("UPDATE rounds SET status='open' WHERE status='closing'")

    # ------------------------------------------------------------ create / open

    @classmethod
    def create(cls, path: str | Path, teams: int = 3, rounds: int = 4,
               regime: str = "random", seed: int = 7, scenario: Scenario | str | None = None,
               replications: int = 60, preview_replications: int = 30,
               trainer_key: str | None = None) -> Sandbox:
        """A new session file at ``path`` (which must not exist); round 1 is open.

        ``trainer_key``: the key for trainer actions (default: a new random one)."""
        path = Path(path)
        if path.exists():
            raise SimkitInputError("path", str(path), both("allowed.new_file"))
        if isinstance(teams, bool) or not isinstance(teams, int) or not 2 <= teams <= 8:
            raise SimkitInputError("teams", teams, both("allowed.teams"))
        if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= 12:
            raise SimkitInputError("rounds", rounds, both("allowed.rounds"))
        if regime == "random":
            regime = secrets.choice(game.REGIMES)
        if regime not in game.REGIMES:
            raise SimkitInputError("regime", regime,
                                   both("allowed.regime", choices=", ".join(game.REGIMES)))
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SimkitInputError("seed", seed, both("allowed.seed"))
        for name, n in (("replications", replications),
                        ("preview_replications", preview_replications)):
            if isinstance(n, bool) or not isinstance(n, int) or not 5 <= n <= 2000:
                raise SimkitInputError(name, n, both("allowed.replications"))
        if scenario is None:
            scenario = preset("small-projects")
        elif isinstance(scenario, str):
            scenario = preset(scenario) if not scenario.endswith((".toml", ".yaml", ".yml")) \
                else load_scenario(scenario)
        if not isinstance(scenario, Scenario):
            raise SimkitInputError("scenario", type(scenario).__name__, both("allowed.scenario"))
        cfg = {"teams": [TEAM_NAMES[i] for i in range(teams)], "rounds": rounds,
               "regime": regime, "seed": seed, "replications": replications,
               "preview_replications": preview_replications,
               "scenario": scenario.model_dump_json(), "created_at": now()}
        store = Store(path, create=True)
        state = game.initial_state(scenario)
        codes: set[str] = set()
        while len(codes) < teams:
            codes.add(_new_code())
        with store.transaction() as db:
            db.execute("INSERT INTO meta VALUES ('config', ?)", (json.dumps(cfg),))
            db.execute("INSERT INTO meta VALUES ('trainer_key', ?)",
                       (json.dumps(trainer_key or secrets.token_urlsafe(18)),))
            db.execute("INSERT INTO meta VALUES ('revealed', 'false')")
            for i, (name, code) in enumerate(zip(cfg["teams"], sorted(codes))):
                db.execute("INSERT INTO teams VALUES (?, ?, ?)", (name, code, i))
                db.execute("INSERT INTO states VALUES (?, 1, ?)", (name, json.dumps(state)))
            for r in range(1, rounds + 1):
                db.execute("INSERT INTO rounds (number, status, opened_at) VALUES (?, ?, ?)",
                           (r, "open" if r == 1 else "pending", now() if r == 1 else None))
        return cls(store)

    @classmethod
    def open(cls, path: str | Path) -> Sandbox:
        """Resume the session in ``path``."""
        path = Path(path)
        if not path.is_file():
            raise SimkitInputError("path", str(path), both("allowed.session_file"))
        import sqlite3

        try:
            store = Store(path)
            ok = store.is_session()
        except sqlite3.DatabaseError:  # not an SQLite file at all
            raise SimkitInputError("path", str(path), both("allowed.session_file")) from None
        if not ok:
            store.close()
            raise SimkitInputError("path", str(path), both("allowed.session_file"))
        return cls(store)

    def close(self) -> None:
        self._store.close()

    # ------------------------------------------------------------ who is who

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def trainer_key(self) -> str:
        return self._store.meta("trainer_key")

    def check_trainer(self, key: Any) -> None:
        """Raise unless ``key`` is the trainer's key (compared in constant time)."""
        if not isinstance(key, str) or not hmac.compare_digest(key.encode(),
                                                                self.trainer_key.encode()):
            raise SimkitInputError("key", "***", both("allowed.key"))

    def join_codes(self) -> dict[str, str]:
        """``{team name: join code}`` (for the trainer)."""
        return dict(self._store.teams())

    def team_of(self, code: Any) -> str:
        """The team a join code belongs to; :class:`SimkitInputError` for any other code."""
        given = _normalise_code(code).encode()
        found = None
        for name, c in self._store.teams():  # compare with every code: no early exit
            if hmac.compare_digest(given, c.encode()):
                found = name
        if found is None:
            raise SimkitInputError("code", "***", both("allowed.code"))
        return found

    @property
    def teams(self) -> list[str]:
        return list(self._cfg["teams"])

    @property
    def rounds(self) -> int:
        return int(self._cfg["rounds"])

    @property
    def base(self) -> Scenario:
        return self._base

    @property
    def revealed(self) -> bool:
        return bool(self._store.meta("revealed", False))

    @property
    def regime(self) -> str:
        """The hidden market (for the trainer and the debrief)."""
        return self._cfg["regime"]

    # ------------------------------------------------------------ rounds

    def round_table(self) -> list[dict]:
        return self._store.rounds()

    def current_round(self) -> dict | None:
        """The first round not yet closed (open or pending), or None when the game is over."""
        return next((r for r in self._store.rounds() if r["status"] != "closed"), None)

    def status(self) -> str:
        cur = self.current_round()
        return "finished" if cur is None else cur["status"]

    def _open_round(self) -> dict:
        cur = self.current_round()
        if cur is None or cur["status"] != "open":
            n = cur["number"] if cur else self.rounds
            st = cur["status"] if cur else "finished"
            raise SimkitInputError("round", n, both("allowed.round_open", round=n, status=st))
        return cur

    def open_round(self) -> int:
        """Open the next round (after a close with ``open_next=False``)."""
        with self._lock:
            cur = self.current_round()
            if cur is None or cur["status"] != "pending":
                raise SimkitInputError("round", cur["number"] if cur else None,
                                       both("allowed.round_pending"))
            with self._store.transaction() as db:
                db.execute("UPDATE rounds SET status='open', opened_at=? WHERE number=?",
                           (now(), cur["number"]))
            return cur["number"]

    def schedule_shock(self, round_no: int, shock: str, on: bool = True) -> list[str]:
        """Schedule (or with ``on=False`` cancel) a shock for a round not yet closed."""
        if shock not in game.SHOCKS:
            raise SimkitInputError("shock", shock,
                                   both("allowed.shock", choices=", ".join(game.SHOCKS)))
        with self._lock:
            rows = {r["number"]: r for r in self._store.rounds()}
            lo = min((n for n, r in rows.items() if r["status"] != "closed"), default=None)
            if lo is None or round_no not in rows or rows[round_no]["status"] == "closed":
                raise SimkitInputError("round", round_no, both(
                    "allowed.shock_round", lo=lo, hi=self.rounds))
            shocks = [s for s in rows[round_no]["shocks"] if s != shock] + ([shock] if on else [])
            self._store.set_shocks(round_no, shocks)
            return shocks

    def reveal(self) -> None:
        """Show the market and every team's decisions to everyone."""
        self._store.put_meta("revealed", True)

    # ------------------------------------------------------------ decisions

    def _in_force(self, team: str, round_no: int) -> dict:
        sub = self._store.decision(team, round_no)
        if sub is not None:
            return sub
        if round_no > 1:
            prev = [d for t, r, d in self._store.results() if t == team and r == round_no - 1]
            if prev:
                return game.carry_over(prev[0]["decisions"])
        return game.default_decisions(self._base)

    def decisions(self, code: str) -> dict:
        """The decisions in force for the team's current round (submitted or carried over)."""
        team = self.team_of(code)
        cur = self.current_round()
        return self._in_force(team, cur["number"] if cur else self.rounds)

    def submitted(self, round_no: int) -> dict[str, dict]:
        """Decisions submitted for a round (for the trainer)."""
        return self._store.decisions(round_no)

    def submit(self, code: str, changes: Mapping) -> dict:
        """Validate and store a team's decisions for the open round; returns them in full.

        Fields not given keep their value in force. Raises
        :class:`simkit.SimkitInputError` (bilingual, naming the field) and stores
        nothing when any field is invalid, the budget is overrun or no round is open.
        """
        team = self.team_of(code)
        with self._lock:
            cur = self._open_round()
            r = cur["number"]
            state = self._store.state(team, r)
            full = game.check_decisions(changes, self._in_force(team, r), state)
            self._store.put_decision(team, r, full)
            return full

    def preview(self, code: str, changes: Mapping | None = None) -> dict:
        """Try decisions on a preview quarter (another seed family: not the round's luck)."""
        team = self.team_of(code)
        cur = self._open_round()
        r = cur["number"]
        state = self._store.state(team, r)
        d = game.check_decisions(changes or {}, self._in_force(team, r), state)
        key = json.dumps([team, r, d, cur["shocks"]], sort_keys=True)
        if key in self._previews:  # a quarter is deterministic: the same question, the same answer
            self._previews.move_to_end(key)
            return self._previews[key]
        job = (self._base, d, state, self.regime, r, tuple(cur["shocks"]),
               game.round_seed(self._cfg["seed"], r, 1), self._cfg["preview_replications"])
        pool = self.preview_executor
        res = pool.submit(game.play_job, job).result() if pool is not None else game.play_job(job)
        out = {k: res[k] for k in PUBLIC_KEYS if k in res} | {"seed": res["seed"]}
        self._previews[key] = out
        while len(self._previews) > 256:
            self._previews.popitem(last=False)
        return out

    def close_round(self, open_next: bool = True) -> pd.DataFrame:
        """Simulate the open round for every team and store the results in one transaction.

        Every team's quarter uses the same seed (common random numbers). With
        ``open_next`` the next round opens at once; otherwise it waits for
        :meth:`open_round`. Returns the round's results, one row per team.
        """
        with self._lock:  # from here on no decision is taken for this round
            cur = self._open_round()
            r = cur["number"]
            with self._store.transaction() as db:
                db.execute("UPDATE rounds SET status='closing' WHERE number=?", (r,))
        try:
            t0 = time.perf_counter()
            seed = game.round_seed(self._cfg["seed"], r, 0)
            att_seed = game.round_seed(self._cfg["seed"], r, 2)
            rows, states = [], []
            inputs = [(team, self._store.state(team, r), self._in_force(team, r))
                      for team in self.teams]
            jobs = [(self._base, d, state, self.regime, r, tuple(cur["shocks"]), seed,
                     self._cfg["replications"]) for _, state, d in inputs]
            if self.executor is not None:
                played = list(self.executor.map(game.play_job, jobs))
            else:
                with game.SIM_LOCK:  # previews wait for the close, not the other way round
                    played = [game.play_job(job) for job in jobs]
            for (team, state, d), res in zip(inputs, played):
                nxt = game.next_state(state, d, res, r, att_seed)
                res.update(team=team, decisions=d, state=state, shocks=cur["shocks"],
                           leavers=nxt.pop("leavers"),
                           submitted=self._store.decision(team, r) is not None)
                rows.append(res)
                states.append((team, nxt))
            seconds = time.perf_counter() - t0
            self._write_round(r, rows, states, seconds, open_next)
        except BaseException:
            with self._store.transaction() as db:
                db.execute("UPDATE rounds SET status='open' WHERE number=?", (r,))
            raise
        return self._frame(rows)

    def _write_round(self, r: int, rows: list[dict], states: list, seconds: float,
                     open_next: bool) -> None:
        """Results, next states and the rounds' statuses: one transaction."""
        with self._lock:
            with self._store.transaction() as db:
                for res in rows:
                    res["close_seconds"] = seconds
                    db.execute("INSERT INTO results VALUES (?, ?, ?)",
                               (res["team"], r, json.dumps(res)))
                if r < self.rounds:
                    for team, nxt in states:
                        db.execute("INSERT INTO states VALUES (?, ?, ?)",
                                   (team, r + 1, json.dumps(nxt)))
                    db.execute("UPDATE rounds SET status=?, opened_at=? WHERE number=?",
                               ("open" if open_next else "pending",
                                now() if open_next else None, r + 1))
                db.execute("UPDATE rounds SET status='closed', closed_at=? WHERE number=?",
                           (now(), r))

    # ------------------------------------------------------------ tables

    @staticmethod
    def _frame(rows: list[dict]) -> pd.DataFrame:
        cols = ["team", "round", *PUBLIC_KEYS]
        return pd.DataFrame([{k: row.get(k) for k in cols} for row in rows], columns=cols)

    def results(self) -> pd.DataFrame:
        """Every closed round's results, one row per team and round (trainer, debrief)."""
        return self._frame([d for _, _, d in self._store.results()])

    def history(self, code: str) -> pd.DataFrame:
        """One team's own results by round."""
        team = self.team_of(code)
        return self._frame([d for t, _, d in self._store.results() if t == team])

    def result_details(self) -> list[dict]:
        """The full stored result of every team and round (decisions, state, market)."""
        return [d for _, _, d in self._store.results()]

    def leaderboard(self) -> pd.DataFrame:
        """One row per team over the closed rounds, best score first, with the score's parts."""
        res = self.results()
        cols = ["rank", "team", "rounds", "bookings", "attainment", "share_at_quota", "cost",
                "profit", "forecast_accuracy", "score"]
        if res.empty:
            return pd.DataFrame({"rank": range(1, len(self.teams) + 1), "team": self.teams,
                                 "rounds": 0, **{c: 0.0 for c in cols[3:]}})[cols]
        g = res.groupby("team", sort=False)
        out = pd.DataFrame({
            "rounds": g["round"].count(), "bookings": g["bookings"].sum(),
            "attainment": g["attainment"].mean(), "share_at_quota": g["share_at_quota"].mean(),
            "cost": g["cost"].sum(), "profit": g["profit"].sum(),
            "forecast_accuracy": g["forecast_accuracy"].mean(), "score": g["score"].sum(),
        }).reindex(self.teams).reset_index(names="team")
        out = out.sort_values(["score", "team"], ascending=[False, True], ignore_index=True)
        out.insert(0, "rank", range(1, len(out) + 1))
        return out[cols]
