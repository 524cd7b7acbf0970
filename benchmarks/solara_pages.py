"""Benchmark-only: the app's lesson pages served by Solara from one process.

Not part of the package: `bench_app_load.py --server solara` runs it to compare
one process serving every visitor (Solara) with a kernel per visitor (Voilà).
Needs `pip install "solara==1.58.2" "solara-assets==1.58.2"` (solara-assets
carries the browser files offline; newer Solara releases ask a CDN for files
that solara-assets 1.58.2 does not hold, and the page stays blank offline).

    solara run benchmarks/solara_pages.py --host 127.0.0.1 --port 8765 --production
"""

import solara

import simkit.workbook
from simkit.app.pages import LESSONS
from simkit.app.webapp import LessonPage


def _page(dashboard: str):
    @solara.component
    def Page():
        page = solara.use_memo(lambda: LessonPage(getattr(simkit.workbook, dashboard)), [])
        solara.display(page.widget)

    return Page


routes = [solara.Route(path="/", component=_page("forecast_dashboard"))] + [
    solara.Route(path=le.filename.removesuffix(".ipynb"), component=_page(le.dashboard))
    for le in LESSONS]


@solara.component
def Layout(children=()):
    # A bare layout: Solara's default app layout (navigation tabs) fails with the
    # ipyvuetify this Solara release installs alongside, and the page stays blank.
    solara.Column(children=list(children))
