"""Issue 17: output folders are written as a unit, with a manifest and the user's permissions;
blocked or unwritable targets are refused before any work."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import simkit
from simkit.cli import main

SIMKIT = str(Path(sys.executable).parent / "simkit")
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_manifest_records_the_run(tmp_path):
    out = tmp_path / "res"
    r = invoke("run", "-n", "3", "--seed", "5", "--out", str(out))
    assert r.exit_code == 0, r.output
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    assert m["seed"] == 5 and m["replications"] == 3 and m["engine"] in ("fast", "simpy")
    assert m["simkit_version"] == simkit.__version__ and m["created"].endswith("+00:00")
    assert set(m["files"]) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert _hidden(tmp_path) == []


def test_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        r = invoke("run", "-n", "2", "--out", str(tmp_path / "res"))
        f = tmp_path / "f.csv"
        r2 = invoke("sweep", "--grid", "team.reps=3,4", "-n", "2", "--backend", "serial",
                    "--out", str(f))
    finally:
        os.umask(old)
    assert r.exit_code == 0 and r2.exit_code == 0, r.output + r2.output
    assert stat.S_IMODE((tmp_path / "res").stat().st_mode) == 0o755
    for p in (tmp_path / "res").iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name
    assert stat.S_IMODE(f.stat().st_mode) == 0o644


def test_a_rerun_replaces_the_folder_whole(tmp_path):
    out = tmp_path / "res"
    assert invoke("run", "-n", "2", "--seed", "1", "--out", str(out)).exit_code == 0
    (out / "stale.txt").write_text("from before", "utf-8")
    assert invoke("run", "-n", "3", "--seed", "2", "--out", str(out)).exit_code == 0
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert _hidden(tmp_path) == []


def test_interrupt_during_the_second_table_leaves_the_old_folder(tmp_path, monkeypatch):
    out = tmp_path / "res"
    assert invoke("run", "-n", "2", "--seed", "1", "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import simkit.sim.io as sio

    real = sio.atomic_write_table
    calls = []

    def flaky(df, path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(df, path)

    monkeypatch.setattr(sio, "atomic_write_table", flaky)
    r = CliRunner().invoke(main, ["run", "-n", "3", "--seed", "2", "--out", str(out)])
    assert r.exit_code == 130 and "interrupted" in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _hidden(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def _wait_until_it_handles(p, sig, timeout=60.0):
    """Wait until process ``p`` has installed its handler for ``sig`` (Linux: the SigCgt
    mask in /proc), so the signal tests do not depend on how fast the machine starts it."""
    status = Path(f"/proc/{p.pid}/status")
    if not status.exists():
        time.sleep(4)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        caught = next((int(line.split()[1], 16) for line in status.read_text().splitlines()
                       if line.startswith("SigCgt:")), 0)
        if caught >> (int(sig) - 1) & 1:
            return
        time.sleep(0.05)
    raise AssertionError(f"the process never installed a handler for {sig!r}")


def test_sigterm_leaves_no_partial_folder_or_stray_file(tmp_path):
    env = dict(os.environ, SIMKIT_MAX_WORK="inf", SIMKIT_MAX_MEMORY_MB="inf")
    out = tmp_path / "res"
    p = subprocess.Popen([SIMKIT, "run", "-n", "5000", "--engine", "simpy", "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _wait_until_it_handles(p, signal.SIGTERM)
    time.sleep(0.5)  # well into the run
    p.send_signal(signal.SIGTERM)
    _o, err = p.communicate(timeout=20)
    assert p.returncode == 143 and "terminated" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_writing_cleans_up(tmp_path, monkeypatch):
    import simkit.sim.io as sio
    from simkit.cli.group import _Terminated

    real = sio.atomic_write_table
    calls = []

    def flaky(df, path):
        calls.append(path)
        if len(calls) == 3:
            raise _Terminated()
        return real(df, path)

    monkeypatch.setattr(sio, "atomic_write_table", flaky)
    r = CliRunner().invoke(main, ["run", "-n", "2", "--out", str(tmp_path / "res")])
    assert r.exit_code == 143
    assert list(tmp_path.iterdir()) == []


def _blocker(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x", "utf-8")
    return f


@pytest.mark.parametrize("cmd", ["run", "sweep", "calibrate-out", "calibrate-report",
                                 "backtest"])
def test_file_blocked_targets_are_refused_before_any_work(tmp_path, cmd, data_dir_crm):
    blocked = _blocker(tmp_path) / "sub"
    export = str(data_dir_crm / "maven_shape.csv")
    args = {
        "run": ["run", "-n", "2", "--out", str(blocked)],
        "sweep": ["sweep", "--grid", "team.reps=3", "-n", "2", "--out", str(blocked / "x.csv")],
        "calibrate-out": ["calibrate", export, "--cutoff", "2020-05-15", "--out",
                          str(blocked / "x.toml")],
        "calibrate-report": ["calibrate", export, "--cutoff", "2020-05-15", "--out",
                             str(tmp_path / "sc.toml"), "--report", str(blocked)],
        "backtest": ["backtest", export, "--cutoff", "2020-05-15", "--out",
                     str(blocked / "x.csv")],
    }[cmd]
    r = invoke(*args)
    assert r.exit_code == 2 and "afile" in r.output and "is a file" in r.output
    assert "Traceback" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # sc.toml never written


def test_a_folder_where_a_file_should_be(tmp_path):
    r = invoke("sweep", "--grid", "team.reps=3", "-n", "2", "--out", str(tmp_path))
    assert r.exit_code == 2  # the suffix check comes first
    (tmp_path / "d.csv").mkdir()
    r = invoke("sweep", "--grid", "team.reps=3", "-n", "2", "--out", str(tmp_path / "d.csv"))
    assert r.exit_code == 2 and "is a directory" in r.output  # click's own check


def test_a_file_where_the_folder_should_be(tmp_path):
    f = _blocker(tmp_path)
    r = invoke("run", "-n", "2", "--out", str(f))
    assert r.exit_code == 2 and "is a file" in r.output  # click's own check
    assert f.read_text() == "x"


def test_a_folder_with_other_files_is_never_replaced(tmp_path):
    (tmp_path / "mine.txt").write_text("keep", "utf-8")
    r = invoke("run", "-n", "2", "--out", str(tmp_path))
    assert r.exit_code == 2 and "other files" in r.output
    assert (tmp_path / "mine.txt").read_text() == "keep"


@pytest.mark.skipif(ROOT, reason="root writes anywhere")
def test_unwritable_targets_are_refused_before_any_work(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        r = invoke("run", "-n", "2", "--out", str(ro / "res"))
        assert r.exit_code == 2 and "not writable" in r.output
        r = invoke("sweep", "--grid", "team.reps=3", "-n", "2", "--out", str(ro / "x.csv"))
        assert r.exit_code == 2 and "not writable" in r.output
    finally:
        ro.chmod(0o700)


def test_os_errors_while_writing_are_one_line(tmp_path, monkeypatch):
    import simkit.sim.io as sio

    def boom(df, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sio, "atomic_write_table", boom)
    r = CliRunner().invoke(main, ["run", "-n", "2", "--out", str(tmp_path / "res")])
    assert r.exit_code == 2 and "Permission denied" in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def data_dir_crm() -> Path:
    return Path(__file__).parents[1] / "crm" / "data"


def test_unwritable_targets_refused_before_any_work_simulated(tmp_path, monkeypatch):
    """The same check as above, where the tests run as root: access() says no."""
    import simkit.sim.io as sio

    real = os.access
    monkeypatch.setattr(sio.os, "access", lambda p, mode, **k: False if mode & os.W_OK
                        else real(p, mode, **k))
    ran = []
    monkeypatch.setattr("simkit.cli.run.simulate", lambda *a, **k: ran.append(1))
    r = invoke("run", "-n", "2", "--out", str(tmp_path / "res"))
    assert r.exit_code == 2 and "not writable" in r.output and not ran
    r = invoke("calibrate", str(Path(__file__).parents[1] / "crm" / "data" / "maven_shape.csv"),
               "--cutoff", "2020-05-15", "--out", str(tmp_path / "sc.toml"))
    assert r.exit_code == 2 and "not writable" in r.output
    assert list(tmp_path.iterdir()) == []
