"""Jupyter kernels that talk over Unix sockets instead of TCP ports.

Why: jupyter_client chooses a kernel's five TCP ports by binding port 0 and
letting it go; the kernel binds them about a second later, once Python has
started. Any process that takes one of them in between (another kernel's
client connecting from an ephemeral port, a browser, a test server) wins the
race (jupyter/jupyter_client#487). ipykernel 7 then does not exit: with its
iopub port taken it stays alive, waiting in zmq's ``Context.term`` for good, so
the Voilà page or nbval waits for a kernel that never answers ("Kernel didn't
respond in 60 seconds"). With ``transport = "ipc"`` a kernel's sockets are
files named after the kernel's id: there is no port to lose.

Unix socket paths are limited to 104 bytes (macOS; 108 on Linux), so the
sockets live in a short folder under ``/tmp``; Windows keeps TCP.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["IPC", "fits_ipc", "kernel_options", "private_runtime_dir"]

#: Unix sockets exist (Linux, macOS); Windows keeps TCP.
IPC = os.name == "posix"
# jupyter_client names a kernel's sockets <connection folder>/kernel-<uuid>-ipc-<1..5>.
_SOCKET_NAME = len("kernel-") + 36 + len("-ipc-5")
_SUN_PATH = 104  # bytes, with the closing NUL: the smaller of macOS (104) and Linux (108)


def fits_ipc(folder: str | os.PathLike) -> bool:
    """Whether kernel sockets named in ``folder`` fit a Unix socket path."""
    return IPC and len(os.fsencode(os.path.join(folder, ""))) + _SOCKET_NAME < _SUN_PATH


def private_runtime_dir() -> Path:
    """A new, short, private folder for a server's kernel sockets (the caller removes it)."""
    base = "/tmp" if os.path.isdir("/tmp") else None
    return Path(tempfile.mkdtemp(prefix="simkit-kernels-", dir=base))


def kernel_options(folder: str | os.PathLike) -> list[str]:
    """Jupyter server options that put its kernels on Unix sockets (named in ``folder``).

    Empty where Unix sockets are not available or the path would be too long:
    then kernels use TCP, as Jupyter does by default.
    """
    return ["--KernelManager.transport=ipc"] if fits_ipc(folder) else []
