"""The vendor scorecard over time: a server-rendered SVG in the style of scoring.charts.

One point per vendor scorecard, oldest on the left: a line through the mean of the five
categories, and above each point the five category scores as letters (A-E) at their height,
so the chart reads without colour and in print. Each point's tooltip gives all six numbers.
"""

from collections.abc import Sequence

from django.utils.safestring import SafeString

from hiring.rubric import CATEGORY_CODES
from scoring.charts import BRAND, GRID, MUTED, SCORE_MAX, _empty, _n, _short, _svg, _text
from scoring.selectors import VendorPoint

# At most this many reviews are drawn (the newest); the list below the chart has them all.
VENDOR_TREND_MAX_POINTS = 12


def vendor_trend_svg(points: Sequence[VendorPoint], *, title: str) -> SafeString:
    if not points:
        return _empty(title, "No vendor scorecards yet.")
    points = list(points)[-VENDOR_TREND_MAX_POINTS:]
    # A slot wide enough for the five letters apart and a period label under the point.
    left, top, plot_h, slot = 30.0, 14.0, 120.0, 120.0
    width = left + slot * max(len(points), 2) + 10
    base = top + plot_h
    height = base + 34
    body: list[str] = []
    for tick in range(0, SCORE_MAX + 1):
        y = base - plot_h * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - 10)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{tick}</text>'
        )
    coords = []
    for index, point in enumerate(points):
        x = left + slot * index + slot / 2
        y = base - plot_h * min(max(point.overall, 0.0), SCORE_MAX) / SCORE_MAX
        coords.append((x, y))
        scores = ", ".join(f"{code} {point.scores.get(code)}" for code in CATEGORY_CODES)
        tooltip = f"{point.label} ({point.on:%d %b %Y}): mean {point.overall:.1f}; {scores}"
        letters = []
        for offset, code in enumerate(CATEGORY_CODES):
            score = point.scores.get(code)
            if score is None:
                continue
            letter_y = base - plot_h * score / SCORE_MAX + 4
            letter_x = x - 26 + offset * 13
            letters.append(
                f'<text x="{_n(letter_x)}" y="{_n(letter_y)}" text-anchor="middle" '
                f'fill="{MUTED}" font-size="10">{code}</text>'
            )
        body.append(
            f'<g class="sc-vendor-point"><title>{_text(tooltip)}</title>{"".join(letters)}'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{BRAND}"/>'
            f'<text x="{_n(x)}" y="{_n(base + 16)}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="10">{_text(f"{point.on:%d %b %y}")}</text>'
            f'<text x="{_n(x)}" y="{_n(base + 28)}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="9">{_text(_short(point.label, 22))}</text></g>'
        )
    if len(coords) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        body.insert(
            6,
            f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2"/>',
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Line chart of the mean vendor score (0 to 5) per review over time; the letters "
        "A to E above each point are that review's category scores.",
    )
