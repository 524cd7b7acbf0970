"""What the sandbox's server and the lesson room's server share.

:class:`LocalAddress` (the address a server is bound to, the Host headers and the
clients it answers), :class:`Guard` (the ASGI middleware that enforces them, refuses
cross-origin POSTs and adds the security headers) and the simulation workers' watch
on their parent process.
"""

from __future__ import annotations

import ipaddress
import os
import time
from urllib.parse import urlparse

from simkit.sandbox.text import t

__all__ = ["Guard", "LocalAddress"]


def _watch_parent(parent: int) -> None:
    """In a simulation worker: exit when the server is gone (even killed with SIGKILL)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class LocalAddress:
    """The address a server is bound to, and the Host headers and clients it answers.

    Shared by the sandbox and the app's room server (:mod:`simkit.app.room_web`):
    :class:`Guard` asks it whether a request may be served."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8000):
        self.host, self.port = host, int(port)

    # -- addresses
    def allowed_hosts(self) -> set[str] | None:
        """Host headers accepted; None: any IP literal (serving on every interface)."""
        if self.host in ("0.0.0.0", "::"):
            return None
        names = {self.host, f"[{self.host}]" if ":" in self.host else self.host}
        if _is_loopback(self.host):
            names |= {"localhost", "127.0.0.1"}
        out = set()
        for n in names:
            out |= {f"{n}:{self.port}"} | ({n} if self.port == 80 else set())
        return out

    def host_ok(self, host: str) -> bool:
        allowed = self.allowed_hosts()
        if allowed is not None:
            return host in allowed
        name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") <= 1 or host.startswith("[") \
            else host
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name == "localhost"

    @property
    def loopback_only(self) -> bool:
        return _is_loopback(self.host)


# ---------------------------------------------------------------- guard middleware


class Guard:
    """Host header, loopback-only clients, same-origin POSTs; security headers on every answer."""

    HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"), (b"cache-control", b"no-store"),
               (b"content-security-policy",
                b"default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                b"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                b"frame-ancestors 'none'; base-uri 'none'")]

    def __init__(self, app, server: LocalAddress):
        self.app, self.server = app, server

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        client = (scope.get("client") or ("", 0))[0]
        refuse = None
        if not self.server.host_ok(host):
            refuse = (400, "web.bad_host")
        elif self.server.loopback_only and client and not _is_loopback(client) \
                and client != "testclient":
            refuse = (403, "web.forbidden")
        elif scope["method"] == "POST" and "origin" in headers \
                and urlparse(headers["origin"]).netloc != host:
            refuse = (403, "web.forbidden")
        if refuse:
            code, key = refuse
            body = f"{t(key, 'en')} / {t(key, 'zh')}".encode()
            await send({"type": "http.response.start", "status": code,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    *self.HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + self.HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
