"""The language switch as a widget."""

from __future__ import annotations

import ipywidgets as W

from simkit.course.i18n import get_language, set_language, t

__all__ = ["language_picker"]


def language_picker() -> W.ToggleButtons:
    """English / 中文 buttons that call :func:`simkit.course.i18n.set_language`; dashboards built
    afterwards use the chosen language."""
    w = W.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=get_language(),
                        description=t("language"))
    w.add_class("simkit-language")
    w.observe(lambda change: set_language(change["new"]), names="value")
    return w
