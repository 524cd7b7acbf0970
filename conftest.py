"""nbval's kernels over Unix sockets (for every notebook nbval runs, from any folder).

nbval starts each notebook's kernel on five TCP ports that jupyter_client chose
and let go; a process that takes one before the kernel binds it leaves the
kernel hung for good, and the notebook fails with "Kernel didn't respond in 60
seconds" (seen in CI; the cause is explained in :mod:`simkit.cli.kernels`).
Here those kernels use Unix sockets in a folder of this test run's own.
"""

from __future__ import annotations

import shutil
import uuid

from simkit.cli.kernels import IPC, private_runtime_dir

_sockets = None


def pytest_configure(config):
    global _sockets
    if not IPC:
        return
    try:
        import nbval.kernel
    except ImportError:
        return
    _sockets = private_runtime_dir()
    base = nbval.kernel.KernelManager

    class UnixSocketKernelManager(base):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(_sockets / uuid.uuid4().hex[:12]), **kwargs)

    nbval.kernel.KernelManager = UnixSocketKernelManager


def pytest_unconfigure(config):
    if _sockets is not None:
        shutil.rmtree(_sockets, ignore_errors=True)
