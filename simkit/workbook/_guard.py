"""Server-side checks of what a browser sends to a dashboard's widgets.

A widget's bounds (a slider's ``min`` / ``max``, a dropdown's options) are
enforced only by the browser's view: a tampered page can send any state over
the widget's comm, including a new ``max`` together with a value beyond the
old one, or a value of the wrong type (whose ``TraitError`` ipywidgets would
show as a traceback in the page). :func:`guard` replaces a widget's
``set_state`` (what ipywidgets calls with the state a browser sends) with one
that first checks the message against the control's own limits, recorded when
the dashboard was built:

* only the keys a person can change are accepted (``value`` for sliders and
  check boxes, ``index`` for dropdowns, toggle buttons and multiple selects);
  anything else (``min``, ``max``, ``step``, ``options``, ``description``,
  ``disabled``, ...) is refused;
* a value must have the control's type, be finite and lie within the recorded
  bounds; an index must name one of the recorded options.

A refused message changes nothing, simulates nothing, and the browser is sent
the control's true state again (so the control springs back). It is logged on
the server (logger ``simkit.app``, never with the browser's text beyond a
short excerpt) and ``on_refused`` callbacks get a short bilingual notice.
Output widgets (charts, tables) accept nothing from the browser at all.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import ipywidgets as W
from traitlets import TraitError

__all__ = ["REFUSED_TEXT", "ERROR_TEXT", "ControlSpec", "guard", "guard_outputs", "spec_of"]

log = logging.getLogger("simkit.app")

#: What a person sees when a value from the browser is refused.
REFUSED_TEXT = ("That value is outside this control's range and was ignored. "
                "/ 该数值超出此控件的允许范围，已忽略。")
#: What a person sees when recomputing failed (the details are in the server log).
ERROR_TEXT = ("Something went wrong while recomputing; the numbers shown are the last good ones. "
              "/ 重新计算时出错，显示的是上一次的结果。")

_SLIDERS = (W.IntSlider, W.FloatSlider, W.BoundedIntText, W.BoundedFloatText)
_BOOLEANS = (W.Checkbox, W.ToggleButton)
_ONE_OF = (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.Select)
_MANY_OF = (W.SelectMultiple,)


class ControlSpec:
    """The limits of one control as the kernel built it (never taken from the browser)."""

    def __init__(self, kind: str, lo=None, hi=None, integer: bool = False, n_options: int = 0):
        self.kind, self.lo, self.hi, self.integer, self.n_options = kind, lo, hi, integer, n_options

    @property
    def keys(self) -> frozenset[str]:
        if self.kind == "tab":
            return frozenset({"selected_index"})
        return frozenset({"index"} if self.kind in ("one", "many") else {"value"})

    def check(self, key: str, value) -> str | None:
        """None if ``value`` is acceptable for ``key``, else why not (for the log)."""
        if key not in self.keys:
            return f"{key!r} cannot be changed from the browser"
        if self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"value {_short(value)} is not a number"
            if self.integer and not float(value).is_integer():
                return f"value {_short(value)} is not a whole number"
            if not math.isfinite(value) or not (self.lo <= value <= self.hi):
                return f"value {_short(value)} is outside {self.lo}..{self.hi}"
            return None
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"value {_short(value)} is not true/false"
        if self.kind == "one":
            ok = _index(value, self.n_options)
            return None if ok else f"index {_short(value)} is not one of 0..{self.n_options - 1}"
        if self.kind == "tab":  # which tab (or accordion section) is open
            ok = value is None or _index(value, self.n_options)
            return None if ok else f"tab {_short(value)} is not one of 0..{self.n_options - 1}"
        if self.kind == "many":
            if not isinstance(value, (list, tuple)) or len(set(map(repr, value))) != len(value):
                return f"index {_short(value)} is not a list of distinct options"
            bad = [v for v in value if not _index(v, self.n_options)]
            return f"index {_short(bad)} is not among 0..{self.n_options - 1}" if bad else None
        return "this widget accepts nothing from the browser"


def _index(value, n: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def spec_of(widget: W.Widget) -> ControlSpec:
    """The limits of ``widget`` now (call when the dashboard is built)."""
    if isinstance(widget, _SLIDERS):
        return ControlSpec("number", widget.min, widget.max,
                           integer=isinstance(widget, (W.IntSlider, W.BoundedIntText)))
    if isinstance(widget, _BOOLEANS):
        return ControlSpec("bool")
    if isinstance(widget, _MANY_OF):
        return ControlSpec("many", n_options=len(widget.options))
    if isinstance(widget, _ONE_OF):
        return ControlSpec("one", n_options=len(widget.options))
    return ControlSpec("none")


def guard(widget: W.Widget, spec: ControlSpec | None = None, *, name: str = "",
          on_refused: Callable[[str], None] | None = None) -> ControlSpec:
    """Check every state message from the browser to ``widget`` against ``spec``.

    ``spec`` defaults to the widget's limits now. Idempotent: guarding again
    replaces the previous spec. Returns the spec in force.
    """
    spec = spec_of(widget) if spec is None else spec
    original = type(widget).set_state
    label = name or type(widget).__name__

    def set_state(sync_data):
        text = REFUSED_TEXT
        try:
            if not isinstance(sync_data, dict):
                reasons = ["the message is not a set of fields"]
            else:
                reasons = [r for k, v in sync_data.items() if (r := spec.check(k, v))]
            if not reasons:
                original(widget, sync_data)
                return
        except TraitError:  # a value the widget's own validation refuses
            log.warning("refused a browser update of %s (%s)", label, _short(sync_data),
                        exc_info=True)
        except Exception:  # an observer failed on an accepted value (never a traceback)
            log.exception("updating %s from the browser failed", label)
            text = ERROR_TEXT
        else:
            log.warning("refused a browser update of %s: %s", label, "; ".join(reasons))
        _reset(widget)
        if on_refused is not None:
            on_refused(text)

    widget.set_state = set_state
    widget._simkit_spec = spec
    return spec


def _reset(widget: W.Widget) -> None:
    # The browser's view may show the refused value: send the kernel's state back.
    try:
        widget.send_state()
    except Exception:  # no comm (outside a kernel) or a closed one
        log.debug("could not resend the state of %s", type(widget).__name__, exc_info=True)


def guard_outputs(root: W.Widget, skip=()) -> None:
    """Refuse every browser update to the widgets under ``root`` not in ``skip``.

    For a page's containers, HTML and Layout widgets: a person changes none of
    them, so a message that tries is refused (never a traceback). Tabs and
    accordions accept which of their own sections is open, nothing else.
    """
    skip_ids = {id(w) for w in skip}
    seen: set[int] = set()

    def walk(w):
        if not isinstance(w, W.Widget) or id(w) in seen:
            return
        seen.add(id(w))
        # An Output widget's browser view reports the outputs it captured back
        # to the kernel (nothing reads them there): left as it is.
        if (id(w) not in skip_ids and not hasattr(w, "_simkit_spec")
                and not isinstance(w, W.Output)):
            if isinstance(w, (W.Tab, W.Accordion)):
                guard(w, ControlSpec("tab", n_options=len(w.children)))
            else:
                guard(w, ControlSpec("none"))
        for child in getattr(w, "children", ()):
            walk(child)
        for trait in ("layout", "style"):
            sub = getattr(w, trait, None)
            if isinstance(sub, W.Widget):
                walk(sub)

    walk(root)
