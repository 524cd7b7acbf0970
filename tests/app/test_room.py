"""The room server's engine (simkit.app.room): the workbook dashboards computed on request.

No server and no browser: the same numbers as the widget dashboard for the same values,
every kind of refused input, the answers cache (hits, its bound) and the coaching sessions.
"""

from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import simkit.workbook
from simkit.app.pages import LESSONS
from simkit.app.room import (MAX_SESSIONS, Room, RoomInputError, page_id)
from simkit.model.errors import SimkitInputError

# Few replications: these tests compare the room with the widgets, not the statistics.
SMALL = {"planning_dashboard": {"replications": 20}, "headline_dashboard": {"replications": 20},
         "gap_dashboard": {"replications": 20}}


@pytest.fixture(scope="module")
def room():
    return Room(projector=False, dashboard_kwargs=SMALL)


def _widget_values(d, values: dict) -> None:
    """Set controls as a person would in the notebook (each change recomputes)."""
    for name, v in values.items():
        w = d.controls[name]
        if isinstance(w, (simkit.workbook._common.W.Dropdown,)):
            w.index = v
        elif isinstance(w, simkit.workbook._common.W.SelectMultiple):
            w.index = tuple(v)
        else:
            w.value = v


def _plain(values: dict) -> dict:
    return {k: v for k, v in values.items() if isinstance(v, (int, float, str, bool, list))}


@pytest.mark.parametrize("page, values", [
    ("06-forecast", {"quota": 300.0, "committed": 120.0, "weeks_remaining": 6,
                     "possible_weight": 0.3}),
    ("03-headcount", {"annual": 5000.0}),
    ("01-funnel", {"preset": 1, "wins": 20}),
    ("05-large-projects", {"signable": [0, 2], "quota": 800.0}),
    ("08-planning", {"hire_month": 6, "capacity": True, "attrition": 0.2}),
    ("09-commission", {}),
])
def test_the_same_numbers_as_the_widget_dashboard(room, page, values):
    lesson = room.lesson(page)
    outputs = room.render(page, "en", values)
    widget = getattr(simkit.workbook, lesson.dashboard)(lang="en",
                                                        **SMALL.get(lesson.dashboard, {}))
    _widget_values(widget, values)
    ours = room.dashboard(page, "en").values
    assert _plain(ours) and _plain(ours) == _plain(widget.values)
    for name, w in widget.outputs.items():
        if getattr(w, "figure", None) is None:
            assert outputs[name] == w.value, name
        else:
            assert outputs[name].startswith("<img class='simkit-chart-img'"), name


def test_controls_described_from_the_dashboard(room):
    model = room.model("06-forecast", "zh")
    quota = model.controls["quota"]
    assert (quota.kind, quota.lo, quota.hi, quota.step, quota.value) == (
        "number", 0.0, 2000.0, 5.0, 240.0)
    assert re.search(r"[\u4e00-\u9fff]", quota.label)
    assert model.controls["weeks_remaining"].integer
    funnel = room.model("01-funnel", "en").controls["preset"]
    assert funnel.kind == "one" and len(funnel.options) > 1
    assert room.model("08-planning", "en").controls["capacity"].kind == "bool"
    assert room.model("05-large-projects", "en").controls["signable"].kind == "many"
    assert "simkit-chart" in room.model("06-forecast", "en").outputs["chart"]


@pytest.mark.parametrize("page, values", [
    ("06-forecast", {"nope": 1}),                    # unknown control
    ("06-forecast", {"quota": "300"}),               # wrong type
    ("06-forecast", {"quota": True}),                # a bool is not a number
    ("06-forecast", {"quota": None}),
    ("06-forecast", {"quota": 2000.5}),              # out of range
    ("06-forecast", {"quota": -1}),
    ("06-forecast", {"quota": float("nan")}),
    ("06-forecast", {"quota": float("inf")}),
    ("06-forecast", {"weeks_remaining": 2.5}),       # not a whole number
    ("01-funnel", {"preset": 99}),                   # not an option
    ("01-funnel", {"preset": -1}),
    ("01-funnel", {"preset": "small-projects"}),
    ("01-funnel", {"preset": False}),
    ("05-large-projects", {"signable": [0, 0]}),     # the same option twice
    ("05-large-projects", {"signable": [9]}),
    ("05-large-projects", {"signable": 1}),
    ("08-planning", {"capacity": 1}),                # not true/false
    ("06-forecast", [300]),                          # not named values
    ("06-forecast", "quota=300"),
])
def test_refused_values_get_one_line_in_both_languages(room, page, values):
    before = room.computations
    with pytest.raises(RoomInputError) as err:
        room.render(page, "en", values)
    text = err.value.text
    assert isinstance(err.value, SimkitInputError)
    assert " / " in text and re.search(r"[\u4e00-\u9fff]", text), text
    assert len(text) < 200 and "Traceback" not in text and ".py" not in text, text
    assert room.computations == before


@pytest.mark.parametrize("call", [
    lambda r: r.render("99-nothing", "en"),
    lambda r: r.render("../etc/passwd", "en"),
    lambda r: r.render("06-forecast", "fr"),
    lambda r: r.render(page_id(LESSONS[7]), "en", session="abc"),
    lambda r: r.render(page_id(LESSONS[7]), "en", session=0),
    lambda r: r.render(page_id(LESSONS[7]), "en", session=10**9),
])
def test_refused_pages_languages_and_sessions(room, call):
    with pytest.raises(RoomInputError) as err:
        call(room)
    assert " / " in err.value.text and re.search(r"[\u4e00-\u9fff]", err.value.text)


def test_a_refused_value_leaves_the_answers_as_they_were(room):
    good = room.render("06-forecast", "en", {"quota": 500.0})
    with pytest.raises(RoomInputError):
        room.render("06-forecast", "en", {"quota": 500.0, "committed": 5000.0})
    assert room.render("06-forecast", "en", {"quota": 500.0}) == good


def test_a_cache_hit_returns_the_same_answer_without_computing():
    room = Room(projector=False)
    first = room.render("06-forecast", "en", {"quota": 320.0})
    n, hits = room.computations, room.hits
    again = room.render("06-forecast", "en", {"quota": 320.0})
    # Defaults written out are the same request as defaults left out.
    spelled = room.render("06-forecast", "en", {"quota": 320, "realised": 100.0})
    assert again is first and spelled is first
    assert (room.computations, room.hits) == (n, hits + 2)
    # Another language is another answer.
    assert room.render("06-forecast", "zh", {"quota": 320.0}) != first


def test_many_viewers_moving_to_the_same_values_cost_one_computation():
    room = Room(projector=False)
    room.render("06-forecast", "en")  # the dashboard is built
    n = room.computations
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        room.render("06-forecast", "en", {"possible": 400.0}))) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert room.computations == n + 1
    assert len(answers) == 12 and all(a is answers[0] for a in answers)


def test_numbers_come_before_the_charts_and_complete_one_answer():
    room = Room(projector=False)
    key, numbers, pending = room.numbers("06-forecast", "en", {"quota": 410.0})
    assert set(numbers) == {"headline"} and pending is not None
    assert room.cached(key) is None  # not an answer until its chart is drawn
    # A second viewer of the same values meanwhile reuses the numbers: no new computation.
    n = room.computations
    key2, numbers2, pending2 = room.numbers("06-forecast", "en", {"quota": 410.0})
    assert (key2, numbers2, pending2) == (key, numbers, pending) and room.computations == n
    full = room.charts(key, pending)
    assert full["headline"] == numbers["headline"] and full["chart"].startswith("<img")
    assert room.charts(key, pending2) is full and room.render("06-forecast", "en",
                                                               {"quota": 410.0}) is full


def test_the_cache_bound_holds():
    room = Room(projector=False, cache_size=3)
    for quota in (100.0, 200.0, 300.0, 400.0, 500.0):
        room.render("06-forecast", "en", {"quota": quota})
        assert room.cache_len <= 3
    assert room.cache_len == 3
    n = room.computations
    room.render("06-forecast", "en", {"quota": 500.0})  # kept
    assert room.computations == n
    room.render("06-forecast", "en", {"quota": 100.0})  # the oldest went first
    assert room.computations == n + 1


def test_coaching_sessions_keep_their_team_and_are_bounded():
    room = Room(projector=False)
    page = page_id(next(le for le in LESSONS if le.dashboard == "coaching_dashboard"))
    assert room.has_session(page) and not room.has_session("06-forecast")
    en = room.render(page, "en", {"rep": 2}, session=4321)
    zh = room.render(page, "zh", {"rep": 2}, session=4321)
    assert "4321" in en["seed_label"] and "4321" in zh["seed_label"]
    assert room.dashboard(page, "en", 4321).values["team_seed"] == 4321
    assert room.dashboard(page, "en", 4321).values["rep"] == 2
    for seed in range(100, 100 + MAX_SESSIONS + 3):
        room.model(page, "en", seed)
    kept = [k for k in room._entries if k[0] == page and k[1] == "en"]
    assert len(kept) == MAX_SESSIONS


def test_a_failed_computation_is_not_a_traceback(room, caplog):
    from simkit.app.room import RoomComputeError

    d = room.dashboard("06-forecast", "en")
    original = d._compute

    def broken(dash):
        raise RuntimeError("/secret/path.py exploded")

    d._compute = broken
    try:
        with pytest.raises(RoomComputeError) as err:
            room.render("06-forecast", "en", {"quota": 777.0})
        assert "secret" not in str(err.value)
    finally:
        d._compute = original
    assert "exploded" in caplog.text  # logged on the server


CALIBRATION_SMALL = {"calibration_dashboard": {"replications": 20}}


@pytest.mark.parametrize("page, values", [
    ("06-forecast", {"quota": 640.0, "possible": 300.0}),
    # Its chart is built in the worker process too (show_chart), in the server's style.
    ("10-calibration", {"quota_pct": 1.2}),
    # A recipe whose values depend on the style (the open funnel: not drawn on a projector).
    ("02-headline", {"leads": 6.0}),
])
@pytest.mark.parametrize("projector", [False, True])
def test_charts_drawn_in_a_worker_process_are_the_same_pictures(page, values, projector):
    from simkit.workbook import plots

    small = {**SMALL, **CALIBRATION_SMALL}
    here = Room(projector=projector, dashboard_kwargs=small)
    there = Room(projector=projector, chart_processes=1, dashboard_kwargs=small)
    try:
        assert there.render(page, "zh", values) == here.render(page, "zh", values)
    finally:
        there.close()
        plots.projector_style(False)
    assert there._drawers is None


def test_lesson_10s_numbers_do_not_wait_for_its_chart_to_be_built():
    from matplotlib.figure import Figure

    from simkit.workbook._common import Chart

    room = Room(projector=False, dashboard_kwargs=CALIBRATION_SMALL)
    key, numbers, pending = room.numbers("10-calibration", "en", {"quota_pct": 0.8})
    assert set(numbers) == {"headline", "notes", "reps", "scorecard"}
    # The chart is a recipe, not a figure: nothing of it was built for the numbers.
    (chart,) = pending.figures.values()
    assert isinstance(chart, Chart) and not isinstance(chart, Figure)
    assert room.dashboard("10-calibration", "en").chart._figure is None
    assert room.chart_names("10-calibration", "en") == {"chart"}
    full = room.charts(key, pending)
    assert full["chart"].startswith("<img class='simkit-chart-img'")
    # The same picture as the figure the widget shows for the same values.
    from simkit.workbook._common import figure_html

    d = simkit.workbook.calibration_dashboard("en", replications=20)
    d.quota_pct.value = 0.8
    assert figure_html(d.chart.figure) == full["chart"]


def test_charts_nobody_waits_for_any_more_are_not_drawn():
    """A viewer who moved again gave up the request waiting for its chart: when a drawing
    is free, nobody waits for that chart, so it is not drawn (a page load, which always
    shows its chart, or a viewer asking again, has it drawn)."""
    from simkit.app.room import RoomAbandonedError

    room = Room(projector=False)
    key, _, pending = room.numbers("06-forecast", "en", {"quota": 333.0})
    got = {}

    def wait():
        try:
            got["answer"] = room.charts(key, pending, unless_abandoned=True)
        except RoomAbandonedError as exc:
            got["answer"] = exc

    room._drawing.acquire()  # the drawing busy with another viewer's chart
    pending.join()
    waiter = threading.Thread(target=wait)
    waiter.start()
    room.leave(pending)  # the viewer gives up, before or after the thread reached the queue
    assert room.abandoned == 1  # counted when it happens, not when a thread notices
    room._drawing.release()
    waiter.join()
    assert isinstance(got["answer"], RoomAbandonedError)
    assert (room.drawn, room.abandoned) == (0, 1) and room.cached(key) is None
    # Asked again: drawn, and the answer completes as usual.
    pending.join()
    assert not pending.abandoned
    full = room.charts(key, pending, unless_abandoned=True)
    room.leave(pending)  # drawn meanwhile: nothing given up
    assert room.abandoned == 1
    assert full["chart"].startswith("<img") and room.drawn == 1 and room.cached(key) is full
    # A page load (not counted among the waiters) is never refused its chart.
    key2, _, pending2 = room.numbers("06-forecast", "en", {"quota": 334.0})
    pending2.join()
    pending2.leave()
    assert pending2.abandoned and room.charts(key2, pending2)["chart"].startswith("<img")


def _a_move(model) -> dict:
    """A value of the page's first control other than its default."""
    c = next(iter(model.controls.values()))
    if c.kind == "number":
        v = c.value + c.step if c.value + c.step <= c.hi else c.value - c.step
    elif c.kind == "bool":
        v = not c.value
    elif c.kind == "one":
        v = (c.value + 1) % len(c.options)
    else:
        v = tuple(sorted(set(c.value) ^ {0})) or (1,)
    return {c.name: v}


@pytest.fixture(scope="module")
def recipe_room():
    return Room(projector=False, dashboard_kwargs={**SMALL, **CALIBRATION_SMALL})


@pytest.mark.parametrize("page", [page_id(le) for le in LESSONS])
def test_every_pages_numbers_come_without_building_a_figure(recipe_room, page, monkeypatch):
    """Every page hands its chart over as a recipe (show_chart): neither building its
    dashboard nor a move's numbers build a matplotlib figure in the serving process; the
    chart is built where it is drawn, after the numbers have gone."""
    import pickle

    from matplotlib.figure import Figure

    from simkit.workbook._common import Chart

    built = []
    init = Figure.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "__init__", counting)
    room = recipe_room
    session = 4321 if room.has_session(page) else None
    model = room.model(page, "en", session)
    key, numbers, pending = room.numbers(page, "en", _a_move(model), session)
    assert built == []
    assert pending is not None and set(pending.figures) == room.chart_names(page, "en", session)
    assert set(numbers).isdisjoint(pending.figures)
    for chart in pending.figures.values():
        assert isinstance(chart, Chart)
        pickle.loads(pickle.dumps(chart))  # as it goes to the chart process
    assert built == []
    names = set(pending.figures)
    full = room.charts(key, pending)
    assert len(built) == len(names)  # built here, now, to be drawn (no chart process)
    for name in names:
        assert full[name].startswith("<img class='simkit-chart-img'"), name


def test_a_chart_that_does_not_change_with_the_controls_is_drawn_once():
    """The coaching page's chart (the whole team) is one recipe for every answer of a
    session: drawn for the first, its picture reused for the others."""
    room = Room(projector=False)
    page = page_id(next(le for le in LESSONS if le.dashboard == "coaching_dashboard"))
    answers = [room.render(page, "en", {"rep": rep}, session=4321) for rep in (0, 1, 2)]
    assert room.computations == 3 and room.drawn == 1
    assert answers[0]["chart"] == answers[1]["chart"] == answers[2]["chart"]
    assert answers[0]["headline"] != answers[1]["headline"]
    # Another session's team is another chart.
    other = room.render(page, "en", {"rep": 0}, session=4322)
    assert room.drawn == 2 and other["chart"].startswith("<img")


@pytest.mark.parametrize("kw", [{"cache_size": 0}, {"cache_size": 10**9}, {"workers": 0},
                                {"workers": 1000}, {"chart_processes": -1},
                                {"chart_processes": 99}, {"workers": 2.5}, {"workers": True}])
def test_a_room_is_sized_before_it_starts(kw):
    """Out-of-bounds sizes are refused up front, naming the field, the value and the range
    (a thousand chart processes would each be a Python with matplotlib)."""
    (field, value), = kw.items()
    with pytest.raises(SimkitInputError) as err:
        Room(projector=False, **kw)
    assert err.value.field == field and err.value.value == value
    assert "whole number from" in err.value.allowed


def test_the_room_server_command_refuses_a_size_out_of_bounds():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "simkit.app.room_web", "--chart-processes", "99"],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--chart-processes 99: a whole number from 0 to 8" in r.stderr
