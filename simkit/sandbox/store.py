"""A sandbox session's state in one SQLite file (stdlib ``sqlite3``, WAL journal).

Tables: ``meta`` (the session's settings as JSON), ``teams`` (name, join code),
``rounds`` (number, status, shocks), ``decisions`` (team x round), ``states``
(a team's state at the start of a round), ``results`` (team x round). A
submitted decision is committed before ``submit`` returns; a round's results,
the next states and the round's status change are written in one transaction,
so a server killed at any moment reopens either before the close or after it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, UTC
from pathlib import Path

__all__ = ["Store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (name TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,
                                  position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (number INTEGER PRIMARY KEY, status TEXT NOT NULL,
                                   shocks TEXT NOT NULL DEFAULT '[]', opened_at TEXT,
                                   closed_at TEXT);
CREATE TABLE IF NOT EXISTS decisions (team TEXT NOT NULL, round INTEGER NOT NULL,
                                      data TEXT NOT NULL, submitted_at TEXT NOT NULL,
                                      PRIMARY KEY (team, round));
CREATE TABLE IF NOT EXISTS states (team TEXT NOT NULL, round INTEGER NOT NULL,
                                   data TEXT NOT NULL, PRIMARY KEY (team, round));
CREATE TABLE IF NOT EXISTS results (team TEXT NOT NULL, round INTEGER NOT NULL,
                                    data TEXT NOT NULL, PRIMARY KEY (team, round));
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """One connection to a session file, safe to share between threads (one lock)."""

    def __init__(self, path: str | Path, create: bool = False):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False,
                                   isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        if create:
            with self.transaction() as db:
                for stmt in SCHEMA.strip().split(";"):
                    if stmt.strip():
                        db.execute(stmt)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self):
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, sql: str, args=()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- reads
    def is_session(self) -> bool:
        rows = self._all("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'")
        return bool(rows) and bool(self._all("SELECT 1 FROM meta WHERE key='config'"))

    def config(self) -> dict:
        return json.loads(self._all("SELECT value FROM meta WHERE key='config'")[0][0])

    def meta(self, key: str, default=None):
        rows = self._all("SELECT value FROM meta WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def teams(self) -> list[tuple[str, str]]:
        return self._all("SELECT name, code FROM teams ORDER BY position")

    def rounds(self) -> list[dict]:
        return [{"number": n, "status": s, "shocks": json.loads(sh), "opened_at": o,
                 "closed_at": c}
                for n, s, sh, o, c in self._all(
                    "SELECT number, status, shocks, opened_at, closed_at FROM rounds "
                    "ORDER BY number")]

    def decision(self, team: str, round_no: int) -> dict | None:
        rows = self._all("SELECT data FROM decisions WHERE team=? AND round=?", (team, round_no))
        return json.loads(rows[0][0]) if rows else None

    def decisions(self, round_no: int) -> dict[str, dict]:
        return {t: json.loads(d) for t, d in self._all(
            "SELECT team, data FROM decisions WHERE round=?", (round_no,))}

    def state(self, team: str, round_no: int) -> dict | None:
        rows = self._all("SELECT data FROM states WHERE team=? AND round=?", (team, round_no))
        return json.loads(rows[0][0]) if rows else None

    def results(self) -> list[tuple[str, int, dict]]:
        return [(t, r, json.loads(d)) for t, r, d in self._all(
            "SELECT team, round, data FROM results ORDER BY round, team")]

    # -- writes (each one transaction)
    def put_meta(self, key: str, value) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def put_decision(self, team: str, round_no: int, data: dict) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?)",
                       (team, round_no, json.dumps(data), now()))

    def set_shocks(self, round_no: int, shocks: list[str]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE rounds SET shocks=? WHERE number=?", (json.dumps(shocks), round_no))
