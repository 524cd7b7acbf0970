"""The server behind ``simkit app``: Voilà with a Host check, a kernel cap and local-only pages.

Run by :func:`simkit.cli.app.start_app` as ``python -m simkit.app.server
PAGES --port=N ...`` (any Voilà option is accepted). On top of Voilà:

* **Host check**: a request (page, API or websocket upgrade) whose ``Host``
  header names anything but the address the app listens on (and
  ``localhost`` / ``127.0.0.1`` / ``::1`` when it listens on loopback, plus
  any ``--SimkitVoila.allowed_hosts``) is answered 403 and reaches no handler:
  the shape of a DNS-rebinding attack is refused.
* **A cap on kernels**: each page visit costs a kernel (~250-300 MB with the
  dashboards loaded). When ``max_kernels`` kernels are alive or starting, a
  new page visit gets a short bilingual "the room is full, try again in a
  minute" page (HTTP 503, ``Retry-After: 60``) instead of a new kernel. With
  the short culling set by ``simkit app`` (kernels disconnected and idle for
  ``cull_idle_timeout`` seconds are shut down) seats free up when tabs close.
* **A closed page frees its kernel at once**: Voilà's own shutdown request on
  tab close is refused for want of an XSRF token (voila issue #1458), so every
  visit held a kernel until culled. The template sends the shutdown with
  ``navigator.sendBeacon`` when the page is hidden for good (``pagehide``),
  and the shutdown handler accepts it from the app's own origin without the
  token (the kernel id, a random UUID, is only known to that page).
* **Self-contained pages**: the ``simkit`` template is Voilà's ``lab``
  template with the two stylesheet links to a public CDN removed (the icon
  font they load is already in Voilà's own bundle). It is written at start-up
  from the installed Voilà, so it follows Voilà's version; start-up fails if
  the links are not found, rather than serve pages that wait on the internet.
"""

from __future__ import annotations

import contextvars
import os
import re
import sys
import tempfile
from pathlib import Path

import tornado.web
from traitlets import Int, List, Unicode
from voila.app import Voila
from voila.paths import collect_template_paths
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler

__all__ = ["ROOM_FULL_HTML", "SimkitVoila", "TEMPLATE", "main", "write_template"]

TEMPLATE = "simkit"
_CDN_LINK = re.compile(r'^\s*<link[^>]+href="https?://[^"]+"[^>]*>\s*\n', re.MULTILINE)
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

ROOM_FULL_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60">
<title>The room is full · 人数已满</title>
<style>body{font:20px/1.5 system-ui,sans-serif;max-width:40em;margin:12vh auto;padding:0 1em}
h1{font-size:30px}</style></head>
<body class="simkit-room-full">
<h1>The room is full: try again in a minute.</h1>
<p>Every seat of this app is in use ({n} pages open). A seat frees up when someone
closes a page; this page tries again by itself in a minute.</p>
<h1 lang="zh">人数已满，请一分钟后再试。</h1>
<p lang="zh">本应用的所有席位都在使用中（已打开 {n} 个页面）。有人关闭页面后即可进入；本页会在一分钟后自动重试。</p>
</body></html>"""

_CELL_LOOP = "{%- for cell in cell_generator(nb, kernel_id) -%}"
_SHUTDOWN_ON_CLOSE = """<script>
  window.addEventListener("pagehide", function (event) {
    if (!event.persisted && navigator.sendBeacon) {
      navigator.sendBeacon("{{ resources.base_url }}voila/api/shutdown/{{ kernel_id }}");
    }
  });
</script>
"""

WRONG_HOST_TEXT = ("This app only answers requests addressed to its own address. "
                   "/ 本应用只响应发往其自身地址的请求。\n")


def write_template(root: Path) -> Path:
    """Write the ``simkit`` Voilà template (lab without CDN links) under ``root``.

    ``root`` becomes a Jupyter data folder: the template lands in
    ``root/voila/templates/simkit``. Returns that folder.
    """
    lab = next((Path(p) / "index.html.j2" for p in collect_template_paths(["voila"], "lab")
                if (Path(p) / "index.html.j2").is_file() and Path(p).name == "lab"), None)
    if lab is None:
        raise RuntimeError("Voilà's lab template was not found")
    text = lab.read_text(encoding="utf-8")
    local, removed = _CDN_LINK.subn("", text)
    if removed == 0 and "cdn." in text:
        raise RuntimeError(f"could not remove the CDN links from {lab}")
    if _CELL_LOOP not in local:
        raise RuntimeError(f"{lab} has changed: no place for the close-tab shutdown")
    local = local.replace(_CELL_LOOP, _SHUTDOWN_ON_CLOSE + _CELL_LOOP, 1)
    folder = root / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html.j2").write_text(local, encoding="utf-8")
    (folder / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    return folder


class WrongHostHandler(tornado.web.RequestHandler):
    """Every request whose Host is not the app's own, whatever its path or method."""

    def prepare(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(WRONG_HOST_TEXT)


class BeaconShutdownHandler(VoilaShutdownKernelHandler):
    """The page's shutdown beacon: same origin instead of an XSRF token."""

    def check_xsrf_cookie(self):
        from urllib.parse import urlparse

        origin = self.request.headers.get("Origin")
        if origin is None or urlparse(origin).netloc != self.request.host:
            raise tornado.web.HTTPError(403, "shutdown only from the app's own pages")


# The page visit being served, in the coroutine that serves it: the kernel it
# starts is recorded on it (see SimkitVoila._record_kernel_ids).
_VISIT: contextvars.ContextVar[dict | None] = contextvars.ContextVar("simkit_visit",
                                                                     default=None)


class CappedVoilaHandler(TornadoVoilaHandler):
    """A page visit: refused with the room-full page when the kernels are all taken."""

    async def get(self, path=None):
        state = self.settings["simkit_cap"]
        in_use = _in_use(state, self.kernel_manager.list_kernel_ids())
        if in_use >= state["max"]:
            self.log.warning("room full: %d kernels in use, page %s refused", in_use, path)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(ROOM_FULL_HTML.replace("{n}", str(in_use)))
            return
        # A seat is taken from admission until the visit's kernel is gone, so that
        # visits arriving together cannot overshoot the cap.
        visit = {"starting": True, "kernel_id": None}
        state["visits"].append(visit)
        _VISIT.set(visit)
        try:
            async for html in self.get_generator(path=path):
                self.write(html)
                self.flush()
        finally:
            visit["starting"] = False


def _in_use(state: dict, kernel_ids) -> int:
    """Seats taken: visits starting or with a live kernel, plus kernels of no visit.

    A kernel is listed a moment before its visit learns its id: kernels not yet
    claimed are taken to be those of the visits still waiting for theirs.
    """
    alive = set(kernel_ids)
    state["visits"] = [v for v in state["visits"] if v["starting"] or v["kernel_id"] in alive]
    unclaimed = alive - {v["kernel_id"] for v in state["visits"]}
    waiting = sum(v["kernel_id"] is None for v in state["visits"])
    return len(state["visits"]) + max(0, len(unclaimed) - waiting)


class SimkitVoila(Voila):
    """Voilà with a Host check, a cap on kernels and the local-only ``simkit`` template."""

    name = "simkit-voila"
    max_kernels = Int(6, config=True,
                      help="Most kernels (page visits) alive at once; more get the room-full page.")
    allowed_hosts = List(Unicode(), config=True,
                         help="Host names accepted besides the listening address.")

    def initialize(self, argv=None):
        # The first matplotlib import after an install builds its font cache
        # (tens of seconds on a busy machine, under a lock): done here, once,
        # before any page's kernel starts, and not in several kernels at once.
        import subprocess

        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       timeout=600)
        data = Path(tempfile.mkdtemp(prefix="simkit-voila-"))
        write_template(data)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [str(data), *filter(None, [os.environ.get("JUPYTER_PATH")])])
        super().initialize(argv)

    def host_names(self) -> list[str]:
        """Host names (without port) a request may be addressed to."""
        names = [self.ip, *self.allowed_hosts]
        if self.ip in LOOPBACK:
            names += LOOPBACK
        elif self.ip in ("0.0.0.0", "::", ""):
            # Every address of this computer (and its names), never any name at all.
            import socket

            import psutil

            names += [a.address.split("%")[0] for addrs in psutil.net_if_addrs().values()
                      for a in addrs if a.family in (socket.AF_INET, socket.AF_INET6)]
            names += [socket.gethostname(), socket.getfqdn(), *LOOPBACK]
        return list(dict.fromkeys(n.lower() for n in names if n))

    def start(self):
        # Voila.start, with the handlers registered for the app's own host
        # names only and everything else answered by WrongHostHandler.
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        self.app = tornado.web.Application(**settings)
        self.app.settings.update(self.tornado_settings)
        self.app.settings["simkit_cap"] = {"max": self.max_kernels, "visits": []}
        self._record_kernel_ids()
        replace = {TornadoVoilaHandler: CappedVoilaHandler,
                   VoilaShutdownKernelHandler: BeaconShutdownHandler}
        handlers = [(h[0], replace.get(h[1], h[1]), *h[2:]) for h in self.init_handlers()]
        # Any other path on the app's own host: not found (not "wrong host").
        handlers.append((r".*", tornado.web.ErrorHandler, {"status_code": 404}))
        pattern = "^(" + "|".join(re.escape(h.lower()) for h in self.host_names()) + ")$"
        self.app.add_handlers(pattern, handlers)
        self.app.add_handlers(".*$", [(r".*", WrongHostHandler)])
        self.log.info("simkit app: serving on %s only (hosts accepted: %s); at most %d kernels",
                      self.ip, ", ".join(self.host_names()), self.max_kernels)
        self.listen()


    def _record_kernel_ids(self) -> None:
        # The kernel a visit starts is recorded on the visit (in the coroutine
        # serving it), so its seat is freed when that kernel shuts down.
        from jupyter_core.utils import ensure_async

        km = self.kernel_manager
        start = km.start_kernel

        async def start_kernel(*args, **kwargs):
            kernel_id = await ensure_async(start(*args, **kwargs))
            visit = _VISIT.get()
            if visit is not None and visit["kernel_id"] is None:
                visit["kernel_id"] = kernel_id
            return kernel_id

        km.start_kernel = start_kernel


def main(argv: list[str] | None = None) -> None:
    SimkitVoila.launch_instance(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
