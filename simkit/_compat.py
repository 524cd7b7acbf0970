"""Old import paths, kept for one release.

simkit's modules moved into layer folders (``simkit.model``, ``simkit.sim``,
``simkit.planning``, ``simkit.course``, ``simkit.workbook``, ``simkit.app``).
``import simkit.plots`` and the other old paths keep working: a finder on
``sys.meta_path`` answers them with a thin module that forwards every attribute
to the new module(s) and warns once with :class:`DeprecationWarning`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

__all__ = ["MOVED", "install"]

# old module -> the module(s) that now hold its names, first match wins
MOVED: dict[str, tuple[str, ...]] = {
    "simkit.errors": ("simkit.model.errors",),
    "simkit.distributions": ("simkit.model.distributions",),
    "simkit.labels": ("simkit.model.labels",),
    "simkit.params": ("simkit.model.params", "simkit.model.funnel"),
    "simkit.params_team": ("simkit.model.team",),
    "simkit.scenario_io": ("simkit.model.files", "simkit.model.overrides"),
    "simkit.presets": ("simkit.model.presets",),
    "simkit.rng": ("simkit.sim.streams",),
    "simkit.engine": ("simkit.sim.engine",),
    "simkit.dynamics": ("simkit.sim.dynamics",),
    "simkit.fastpath": ("simkit.sim.fastpath",),
    "simkit.results": ("simkit.sim.results",),
    "simkit.results_team": ("simkit.sim.results_team",),
    "simkit.simulation": ("simkit.sim.dispatch",),
    "simkit.progressive": ("simkit.sim.progressive",),
    "simkit.io": ("simkit.sim.io",),
    "simkit.sweep": ("simkit.planning.sweep",),
    "simkit.search": ("simkit.planning.search",),
    "simkit.analysis.against_sim": ("simkit.planning.course_rules",),
    "simkit.analysis.forecast_check": ("simkit.planning.forecast_check",),
    "simkit.cases": ("simkit.course.cases",),
    "simkit.exercises": ("simkit.course.exercises",),
    "simkit.dealsize": ("simkit.course.dealsize",),
    "simkit.i18n": ("simkit.course.i18n",),
    "simkit.plots": ("simkit.workbook.plots",),
    "simkit.notebook_tools": ("simkit.workbook.notebook_tools",),
    "simkit.widgets": ("simkit.workbook",),
    "simkit.webapp": ("simkit.app.webapp",),
    "simkit.app_pages": ("simkit.app.pages",),
}


def _caller_level() -> int:
    """A stacklevel that points at the code doing the import (past importlib's frames)."""
    f, level = sys._getframe(1), 1
    while f is not None and (f.f_code.co_filename.startswith("<frozen importlib")
                             or f.f_globals.get("__name__") == __name__):
        f, level = f.f_back, level + 1
    return level


class _Forward(types.ModuleType):
    def __getattr__(self, name: str):
        for target in self.__simkit_targets__:
            mod = importlib.import_module(target)
            if hasattr(mod, name):
                return getattr(mod, name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self):
        names = set()
        for target in self.__simkit_targets__:
            names.update(dir(importlib.import_module(target)))
        return sorted(names)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        targets = MOVED[spec.name]
        mod = _Forward(spec.name, f"Moved to {', '.join(targets)}.")
        mod.__simkit_targets__ = targets
        mod.__path__ = []  # old packages (simkit.widgets) keep their submodules importable
        return mod

    def exec_module(self, module):
        new = " / ".join(module.__simkit_targets__)
        warnings.warn(f"{module.__name__} moved to {new}; the old path works for one more "
                      "release", DeprecationWarning, stacklevel=_caller_level())


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, _Loader())
        parent, _, leaf = fullname.rpartition(".")
        if parent in MOVED and len(MOVED[parent]) == 1:  # simkit.widgets.headline
            new = f"{MOVED[parent][0]}.{leaf}"
            if importlib.util.find_spec(new) is not None:
                MOVED[fullname] = (new,)
                return importlib.util.spec_from_loader(fullname, _Loader())
        return None


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
