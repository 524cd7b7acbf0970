"""Small inline SVG charts for the projector and the debrief (no plotting library, no network).

Each function returns an ``<svg>`` string; every label is escaped.
"""

from __future__ import annotations

from html import escape

__all__ = ["COLORS", "bars", "grouped_bars", "lines"]

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f")
W, H, PAD_L, PAD_B, PAD_T = 640, 300, 56, 36, 30


def _frame(title: str, body: str, lo: float, hi: float, fmt: str) -> str:
    ticks = []
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        y = _y(v, lo, hi)
        ticks.append(f'<line x1="{PAD_L}" x2="{W - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{escape(format(v, fmt))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
            f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<text x="{W / 2}" y="18" font-size="14" text-anchor="middle">{escape(title)}</text>'
            + "".join(ticks) + body + "</svg>")


def _y(v: float, lo: float, hi: float) -> float:
    span = hi - lo or 1.0
    return H - PAD_B - (v - lo) / span * (H - PAD_B - PAD_T)


def _range(values) -> tuple[float, float]:
    vals = [v for v in values if v == v]
    lo, hi = min(vals + [0.0]), max(vals + [0.0])
    if hi == lo:
        hi = lo + 1.0
    return lo, hi + (hi - lo) * 0.08


def bars(title: str, labels, values, fmt: str = ".0f") -> str:
    """One bar per label."""
    values = [float(v) for v in values]
    lo, hi = _range(values)
    n = max(len(values), 1)
    slot = (W - PAD_L - 10) / n
    body = []
    for i, (lab, v) in enumerate(zip(labels, values)):
        x = PAD_L + i * slot + slot * 0.15
        y0, y1 = _y(0.0, lo, hi), _y(v, lo, hi)
        top, h = min(y0, y1), abs(y1 - y0)
        body.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{COLORS[i % len(COLORS)]}"/>'
                    f'<text x="{x + slot * 0.35:.1f}" y="{top - 4:.1f}" font-size="11" '
                    f'text-anchor="middle">{escape(format(v, fmt))}</text>'
                    f'<text x="{x + slot * 0.35:.1f}" y="{H - PAD_B + 16}" font-size="12" '
                    f'text-anchor="middle">{escape(str(lab))}</text>')
    return _frame(title, "".join(body), lo, hi, fmt)


def grouped_bars(title: str, groups, series: dict[str, list[float]], fmt: str = ".0f") -> str:
    """Bars per group (x) and series (colour), with a legend."""
    names = list(series)
    values = [float(v) for vs in series.values() for v in vs]
    lo, hi = _range(values)
    slot = (W - PAD_L - 10) / max(len(groups), 1)
    width = slot * 0.8 / max(len(names), 1)
    body = []
    for gi, g in enumerate(groups):
        x0 = PAD_L + gi * slot + slot * 0.1
        for si, name in enumerate(names):
            v = float(series[name][gi])
            y0, y1 = _y(0.0, lo, hi), _y(v, lo, hi)
            body.append(f'<rect x="{x0 + si * width:.1f}" y="{min(y0, y1):.1f}" '
                        f'width="{width * 0.9:.1f}" height="{abs(y1 - y0):.1f}" '
                        f'fill="{COLORS[si % len(COLORS)]}"><title>{escape(str(g))} '
                        f'{escape(name)}: {escape(format(v, fmt))}</title></rect>')
        body.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{H - PAD_B + 16}" font-size="12" '
                    f'text-anchor="middle">{escape(str(g))}</text>')
    for si, name in enumerate(names):
        body.append(f'<rect x="{PAD_L + 10 + si * 110}" y="{PAD_T - 4}" width="10" height="10" '
                    f'fill="{COLORS[si % len(COLORS)]}"/><text x="{PAD_L + 24 + si * 110}" '
                    f'y="{PAD_T + 5}" font-size="11">{escape(name)}</text>')
    return _frame(title, "".join(body), lo, hi, fmt)


def lines(title: str, xs, series: dict[str, list[float]], fmt: str = ".0%") -> str:
    """One line per series over the x labels (rounds), with a legend."""
    values = [float(v) for vs in series.values() for v in vs]
    lo, hi = _range(values)
    n = max(len(xs), 1)
    step = (W - PAD_L - 40) / max(n - 1, 1)
    body = []
    for i, x in enumerate(xs):
        body.append(f'<text x="{PAD_L + 15 + i * step:.1f}" y="{H - PAD_B + 16}" font-size="12" '
                    f'text-anchor="middle">{escape(str(x))}</text>')
    for si, (name, vs) in enumerate(series.items()):
        c = COLORS[si % len(COLORS)]
        pts = " ".join(f"{PAD_L + 15 + i * step:.1f},{_y(float(v), lo, hi):.1f}"
                       for i, v in enumerate(vs))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        for i, v in enumerate(vs):
            body.append(f'<circle cx="{PAD_L + 15 + i * step:.1f}" cy="{_y(float(v), lo, hi):.1f}"'
                        f' r="3" fill="{c}"><title>{escape(name)}: '
                        f'{escape(format(float(v), fmt))}</title></circle>')
        body.append(f'<rect x="{PAD_L + 10 + si * 70}" y="{PAD_T - 4}" width="10" height="10" '
                    f'fill="{c}"/><text x="{PAD_L + 24 + si * 70}" y="{PAD_T + 5}" '
                    f'font-size="11">{escape(name)}</text>')
    return _frame(title, "".join(body), lo, hi, fmt)
