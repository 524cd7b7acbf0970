"""The workbook's dashboards: one function per lesson, each returning a :class:`Dashboard`.

Every dashboard takes ``lang="en"`` or ``"zh"`` (default: the language set
with :func:`simkit.course.i18n.set_language`), returns an object whose ``widget`` is
the container to display, whose controls and outputs are attributes
(``d.leads``, ``d.headline``) and whose ``values`` holds the numbers shown.
Key widgets carry stable CSS classes (``simkit-slider-leads``,
``simkit-headline``, ...) for browser tests. Needs the ``notebooks`` extra.
"""

from simkit.workbook._common import Dashboard
from simkit.workbook.calibration import calibration_dashboard
from simkit.workbook.calculators import (
    forecast_dashboard,
    funnel_dashboard,
    headcount_dashboard,
    large_projects_dashboard,
)
from simkit.workbook.commission import commission_dashboard
from simkit.workbook.headline import headline_dashboard
from simkit.workbook.language import language_picker
from simkit.workbook.lesson0 import plan_dashboard
from simkit.workbook.planning import planning_dashboard
from simkit.workbook.simulated import coaching_dashboard, gap_dashboard

__all__ = [
    "Dashboard",
    "calibration_dashboard",
    "coaching_dashboard",
    "commission_dashboard",
    "forecast_dashboard",
    "funnel_dashboard",
    "gap_dashboard",
    "headcount_dashboard",
    "headline_dashboard",
    "language_picker",
    "large_projects_dashboard",
    "plan_dashboard",
    "planning_dashboard",
]
