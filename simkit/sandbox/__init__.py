"""销售沙盘 / the sales sandbox: a classroom game on simkit's simulation.

Teams run copies of the same branch for several quarters in a hidden market,
decide each round within a budget, and compete on profit and forecast
accuracy. :mod:`.game` holds the rules (no web code), :mod:`.store` the
session's SQLite file, :mod:`.api` the :class:`Sandbox` that drives a session
headless, :mod:`.text` every text in English and Chinese, :mod:`.pages` and :mod:`.svg` the HTML and
charts (no web framework). The web app is :mod:`.web` (needs the ``sandbox``
extra).
"""

from simkit.sandbox.api import Sandbox
from simkit.sandbox.game import FIELDS, PLANS, REGIMES, RULES, SHOCKS

__all__ = ["FIELDS", "PLANS", "REGIMES", "RULES", "SHOCKS", "Sandbox"]
