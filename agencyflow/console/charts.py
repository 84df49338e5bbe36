"""Charts drawn on the server as inline SVG: nothing to load, nothing fetched, and they
print and zoom as sharply as the text around them."""

from html import escape

from markupsafe import Markup

BAR = 22
"""Height of one bar, in SVG units."""
COLOURS = ("#1d4f91", "#d9822b", "#b3261e")


def bars(rows: list[tuple[str, list[float]]], legend: list[str], *, width: int = 900) -> Markup:
    """Horizontal grouped bars: one group per label, one bar per series."""
    series = len(legend)
    top = max((value for _, values in rows for value in values), default=0) or 1
    label_width, group = 130, BAR * series + 10
    height = group * len(rows) + 30
    scale = (width - label_width - 50) / top
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(" / ".join(legend))}">'
    ]
    for i, (label, values) in enumerate(rows):
        y = i * group
        parts.append(
            f'<text x="{label_width - 8}" y="{y + group / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        for j, value in enumerate(values):
            w = value * scale
            by = y + j * BAR
            parts.append(
                f'<rect x="{label_width}" y="{by}" width="{w:.1f}" height="{BAR - 4}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(legend[j])}: {value:g}'
                f"</title></rect>"
                f'<text x="{label_width + w + 4:.1f}" y="{by + (BAR - 4) / 2}" '
                f'dominant-baseline="middle" class="value">{value:g}</text>'
            )
    parts.append(_legend(legend, height - 16))
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(labels: list[str], values: list[list[float]], legend: list[str]) -> Markup:
    """Vertical grouped columns, one group per label (months), for a trend."""
    width, height, bottom, left = 640, 240, 40, 30
    top = max((v for group in values for v in group), default=0) or 1
    slot = (width - left) / max(len(labels), 1)
    bar = (slot - 6) / max(len(legend), 1)
    scale = (height - bottom - 20) / top
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="趋势">']
    for i, label in enumerate(labels):
        x = left + i * slot
        for j, value in enumerate(values[i]):
            h = value * scale
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(label)} '
                f"{escape(legend[j])}: {value:g}</title></rect>"
            )
        parts.append(
            f'<text x="{x + slot / 2 - 3:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'class="axis">{escape(label[2:])}</text>'
        )
    parts.append(_legend(legend, height - 8))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(legend: list[str], y: float) -> str:
    return "".join(
        f'<rect x="{10 + i * 150}" y="{y - 9}" width="10" height="10" '
        f'fill="{COLOURS[i % len(COLOURS)]}"/>'
        f'<text x="{24 + i * 150}" y="{y}">{escape(name)}</text>'
        for i, name in enumerate(legend)
    )
