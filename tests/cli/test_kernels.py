"""Kernels over Unix sockets: no TCP port for another process to take first.

The failure this prevents (a kernel whose iopub port was taken stays alive and
never answers) is explained in simkit/cli/kernels.py; here nbval's kernels and
the Voilà app's are shown to use no TCP port.
"""

from __future__ import annotations

import pytest

from simkit.cli.app import voila_command
from simkit.cli.kernels import IPC, fits_ipc, kernel_options, private_runtime_dir
from simkit.cli.workbook import lab_command

pytestmark = pytest.mark.skipif(not IPC, reason="Unix sockets only")


def test_socket_paths_must_fit():
    assert fits_ipc("/tmp/simkit-kernels-abcd1234")
    assert not fits_ipc("/home/" + "x" * 60)
    assert kernel_options("/home/" + "x" * 60) == []
    assert kernel_options("/tmp/k") == ["--KernelManager.transport=ipc"]


def test_voila_kernels_use_unix_sockets_in_the_servers_own_folder(tmp_path):
    runtime = private_runtime_dir()
    try:
        assert fits_ipc(runtime)
        cmd = voila_command(tmp_path, 9999, runtime_dir=runtime)
        assert "--KernelManager.transport=ipc" in cmd
        assert f"--Voila.connection_dir_root={runtime}" in cmd
    finally:
        runtime.rmdir()
    assert not any(a.startswith("--KernelManager") for a in voila_command(tmp_path, 9999))


def test_nbval_starts_its_kernels_on_unix_sockets():
    nbval_kernel = pytest.importorskip("nbval.kernel")
    km, kc = nbval_kernel.start_new_kernel(startup_timeout=60, kernel_name="python3")
    try:
        assert km.transport == "ipc"
        assert km.ip.startswith("/") and "simkit-kernels-" in km.ip
        reply = kc.execute_interactive("1 + 1", timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_workbooks_jupyterlab_uses_unix_sockets_where_they_fit(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", "/tmp/rt")
    assert "--KernelManager.transport=ipc" in lab_command(tmp_path, no_browser=True)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", "/home/" + "x" * 60)
    assert "--KernelManager.transport=ipc" not in lab_command(tmp_path, no_browser=True)
