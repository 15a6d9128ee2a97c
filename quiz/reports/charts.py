"""Inline SVG charts for the HTML report: no JavaScript, no external files, valid XML.

Functions:
    bar_chart(items)     horizontal bars, one per (label, value 0..100, css class)
    line_chart(series)   one polyline per named series of (date, value 0..100) points

Every label is escaped; the output is a single ``<svg>`` element that prints as drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

__all__ = ["bar_chart", "line_chart"]

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")


def _text(value: str) -> str:
    return escape(value, quote=True)


def bar_chart(items: Sequence[tuple[str, float, str]], *, width: int = 640, title: str = "Mastery by topic") -> str:
    """Horizontal bars (0..100); ``items`` are (label, value, css class such as the mastery status)."""
    label_w, row_h, top = 210, 24, 28
    plot_w = width - label_w - 50
    height = top + row_h * max(1, len(items)) + 24
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{_text(title)}</title>'
        )
    ]
    for tick in (0, 50, 70, 85, 100):
        x = label_w + plot_w * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 20}" class="grid"/>'
            f'<text x="{x:.1f}" y="{height - 6}" class="tick" text-anchor="middle">{tick}</text>'
        )
    for i, (label, value, css) in enumerate(items):
        y = top + i * row_h
        bar = plot_w * max(0.0, min(100.0, value)) / 100
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="label">{_text(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" class="bar {_text(css)}">'
            f"<title>{_text(label)}: {value:.1f}</title></rect>"
            f'<text x="{label_w + bar + 4:.1f}" y="{y + 15}" class="value">{value:.0f}</text>'
        )
    if not items:
        parts.append(f'<text x="{label_w}" y="{top + 15}" class="label">No scored topics yet</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Mapping[str, Sequence[tuple[date, float]]],
    *,
    width: int = 640,
    height: int = 260,
    title: str = "Mean score over time",
) -> str:
    """One line per series over a shared date axis (0..100 on the y axis), with a legend."""
    left, right, top, bottom = 40, 160, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    dates = sorted({d for points in series.values() for d, _ in points})
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{_text(title)}</title>'
        )
    ]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{tick}</text>'
        )
    if not dates:
        parts.append(f'<text x="{left + 10}" y="{top + plot_h / 2:.1f}" class="label">No scored attempts yet</text>')
        parts.append("</svg>")
        return "".join(parts)
    first, span = dates[0], max(1, (dates[-1] - dates[0]).days)

    def x_of(day: date) -> float:
        if len(dates) == 1:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    for day in (dates[0], dates[-1]) if len(dates) > 1 else (dates[0],):
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{height - 14}" text-anchor="middle" class="tick">{day.isoformat()}</text>'
        )
    for i, (name, points) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        coords = [(x_of(d), top + plot_h * (1 - max(0.0, min(100.0, v)) / 100)) for d, v in sorted(points)]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y), (d, v) in zip(coords, sorted(points), strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{_text(name)} {d.isoformat()}: {v:.1f}</title></circle>"
            )
        legend_y = top + 14 + i * 18
        short = name if len(name) <= 20 else name[:19] + "…"
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + plot_w + 26}" y="{legend_y}" class="label">{_text(short)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
