"""Server-side SVG charts for the scoring pages: pure functions that return SVG markup.

No JavaScript and no external assets: workspaces run on machines without internet access, and
a chart that is plain markup prints, zooms and works with screen readers. Every piece of text
goes through `escape`; every mark carries a <title> (the tooltip and its accessible name) and a
visible text label, so each chart reads without colour.

Several charts share one HTML page, so the markup uses no element ids (they would collide).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hiring.rubric import CATEGORY_CODES, CATEGORY_NAMES

SCORE_MAX = 5
SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK = "#1c2430"
MUTED = "#5b6675"
GRID = "#dde2e8"
BRAND = "#2d5bd7"
WARN = "#b7791f"
LABEL_CHARS = 24
NO_VALUE = "\u2013"  # an en dash where a number would be


@dataclass(frozen=True)
class ScoreBar:
    """One candidate in the score chart."""

    rank: int
    label: str
    value: float  # balanced score, 0-5
    confidence: float  # 0-1
    note: str = ""  # e.g. "below floor": printed after the value


@dataclass(frozen=True)
class FunnelStep:
    """One stage of an agency's funnel: how many submissions ever reached it."""

    label: str
    count: int
    share: float | None  # of all submissions, 0-1; None when there were none


def _text(value: object) -> str:
    return str(escape(str(value)))


def _n(value: float) -> str:
    """A coordinate: one decimal is plenty and keeps the markup small."""
    return f"{value:.1f}"


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(width: float, height: float, title: str, body: list[str], desc: str = "") -> SafeString:
    description = f"<desc>{_text(desc)}</desc>" if desc else ""
    return mark_safe(  # noqa: S308 - every text inside was escaped by _text
        f'<svg xmlns="{SVG_NS}" class="sc-chart" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'font-family="{_text(FONT)}" font-size="12" fill="{INK}">'
        f"<title>{_text(title)}</title>{description}{''.join(body)}</svg>"
    )


def _empty(title: str, message: str, width: float = 320, height: float = 40) -> SafeString:
    return _svg(
        width,
        height,
        title,
        [f'<text x="8" y="{_n(height / 2 + 4)}" fill="{MUTED}">{_text(message)}</text>'],
    )


def score_bars_svg(bars: Sequence[ScoreBar], *, title: str, compact: bool = False) -> SafeString:
    """Horizontal bars of balanced scores on the 0-5 scale, one row per candidate.

    Confidence is the bar's opacity (pale = less certain) and is also printed as a percentage
    next to the score, so it reads without relying on the shade. `compact` is the phone
    layout (350 units wide, so it shows at full size on a 390 px screen): each candidate's
    name on its own line above the bar, the figures after the bar.
    """
    if not bars:
        return _empty(title, "No candidates to show yet.")
    if compact:
        return _score_bars_compact(bars, title=title)
    label_w, bar_w, value_w, row_h, top, legend_h = 180.0, 280.0, 235.0, 30.0, 26.0, 48.0
    width = label_w + bar_w + value_w
    plot_bottom = top + row_h * len(bars)
    height = plot_bottom + legend_h
    body: list[str] = []
    for tick in range(SCORE_MAX + 1):
        x = label_w + bar_w * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(plot_bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(top - 9)}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11">{tick}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + row_h * index
        value = min(max(bar.value, 0.0), float(SCORE_MAX))
        confidence = min(max(bar.confidence, 0.0), 1.0)
        bar_len = max(bar_w * value / SCORE_MAX, 1.5)
        percent = round(confidence * 100)
        value_text = f"{bar.value:.2f} · {percent}% confidence"
        if bar.note:
            value_text += f" · {bar.note}"
        tooltip = (
            f"#{bar.rank} {bar.label}: balanced score {bar.value:.2f} of {SCORE_MAX}, "
            f"confidence {percent}%" + (f", {bar.note}" if bar.note else "")
        )
        body.append(
            f'<g class="sc-bar"><title>{_text(tooltip)}</title>'
            f'<text x="{_n(label_w - 10)}" y="{_n(y + row_h / 2 + 4)}" text-anchor="end">'
            f"{_text(f'#{bar.rank} ' + _short(bar.label))}</text>"
            f'<rect x="{_n(label_w)}" y="{_n(y + 6)}" width="{_n(bar_len)}" '
            f'height="{_n(row_h - 12)}" rx="3" fill="{BRAND}" '
            f'fill-opacity="{0.2 + 0.8 * confidence:.2f}" stroke="{BRAND}" stroke-width="1"/>'
            f'<text x="{_n(label_w + bar_len + 8)}" y="{_n(y + row_h / 2 + 4)}">'
            f"{_text(value_text)}</text></g>"
        )
    for line, text in enumerate(
        (
            "Balanced score from 0 to 5. Paler bars: less confidence",
            "(few scorecards, unscored categories or disagreeing interviewers).",
        )
    ):
        body.append(
            f'<text x="{_n(label_w)}" y="{_n(plot_bottom + 20 + 15 * line)}" fill="{MUTED}" '
            f'font-size="11">{_text(text)}</text>'
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Horizontal bar chart; each bar is a candidate's balanced score, its opacity the "
        "confidence.",
    )


def _score_bars_compact(bars: Sequence[ScoreBar], *, title: str) -> SafeString:
    width, bar_w, row_h, top, left = 350.0, 200.0, 40.0, 22.0, 4.0
    plot_bottom = top + row_h * len(bars)
    height = plot_bottom + 34
    body: list[str] = []
    for tick in range(SCORE_MAX + 1):
        x = left + bar_w * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(plot_bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(top - 8)}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11">{tick}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + row_h * index
        value = min(max(bar.value, 0.0), float(SCORE_MAX))
        confidence = min(max(bar.confidence, 0.0), 1.0)
        bar_len = max(bar_w * value / SCORE_MAX, 1.5)
        percent = round(confidence * 100)
        label = f"#{bar.rank} " + _short(bar.label, 34) + (f" · {bar.note}" if bar.note else "")
        tooltip = (
            f"#{bar.rank} {bar.label}: balanced score {bar.value:.2f} of {SCORE_MAX}, "
            f"confidence {percent}%" + (f", {bar.note}" if bar.note else "")
        )
        body.append(
            f'<g class="sc-bar"><title>{_text(tooltip)}</title>'
            f'<text x="{_n(left)}" y="{_n(y + 12)}" font-size="12">{_text(label)}</text>'
            f'<rect x="{_n(left)}" y="{_n(y + 17)}" width="{_n(bar_len)}" height="14" rx="3" '
            f'fill="{BRAND}" fill-opacity="{0.2 + 0.8 * confidence:.2f}" stroke="{BRAND}" '
            f'stroke-width="1"/>'
            f'<text x="{_n(left + bar_w + 8)}" y="{_n(y + 29)}" font-size="12">'
            f"{_text(f'{bar.value:.2f} · {percent}%')}</text></g>"
        )
    body.append(
        f'<text x="{_n(left)}" y="{_n(plot_bottom + 20)}" fill="{MUTED}" font-size="11">'
        f"{_text('Balanced score 0-5 · confidence. Paler bars: less confidence.')}</text>"
    )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Horizontal bar chart; each bar is a candidate's balanced score, its opacity the "
        "confidence.",
    )


def category_profile_svg(
    means: Mapping[str, float | None],
    floors: Mapping[str, int | float | None] | None = None,
    *,
    title: str,
) -> SafeString:
    """Five bars (categories A-E, 0-5) with each category's floor as a dashed line.

    A category with no score shows a dash instead of a bar. The value is printed above each
    bar and the floor is named in the tooltip, so a bar under its floor reads without colour.
    """
    floors = floors or {}
    width, plot_top, plot_h, left, slot = 290.0, 20.0, 90.0, 26.0, 52.0
    base = plot_top + plot_h
    has_floor = any(floors.get(code) is not None for code in CATEGORY_CODES)
    height = base + (42.0 if has_floor else 26.0)
    body: list[str] = []
    for tick in (0, SCORE_MAX):
        y = base - plot_h * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + slot * 5)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{tick}</text>'
        )
    for index, code in enumerate(CATEGORY_CODES):
        x = left + slot * index
        bar_x, bar_w = x + slot * 0.2, slot * 0.6
        mean = means.get(code)
        floor = floors.get(code)
        name = CATEGORY_NAMES[code]
        parts = ['<g class="sc-cat-bar">']
        if mean is None:
            tooltip = f"{code} {name}: not scored"
            label = NO_VALUE
            label_y = base - 6
        else:
            value = min(max(float(mean), 0.0), float(SCORE_MAX))
            bar_h = plot_h * value / SCORE_MAX
            below = floor is not None and value < float(floor)
            # Under its floor: a paler, warmer bar; the floor line and tooltip say it too.
            shade = f'fill="{WARN}" fill-opacity="0.6"' if below else f'fill="{BRAND}"'
            tooltip = f"{code} {name}: {float(mean):.2f} of {SCORE_MAX}"
            label = f"{float(mean):.2f}"
            label_y = base - bar_h - 5
            parts.append(
                f'<rect x="{_n(bar_x)}" y="{_n(base - bar_h)}" width="{_n(bar_w)}" '
                f'height="{_n(max(bar_h, 1.0))}" rx="2" {shade}/>'
            )
        if floor is not None:
            floor_y = base - plot_h * min(max(float(floor), 0.0), SCORE_MAX) / SCORE_MAX
            tooltip += f"; floor {floor}"
            if mean is not None and float(mean) < float(floor):
                tooltip += " (below the floor)"
            if floor_y < label_y < floor_y + 14:
                # The value would sit on the floor line: lift it above the line.
                label_y = floor_y - 4
            parts.append(
                f'<line x1="{_n(x + 4)}" y1="{_n(floor_y)}" x2="{_n(x + slot - 4)}" '
                f'y2="{_n(floor_y)}" stroke="{INK}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        parts.insert(1, f"<title>{_text(tooltip)}</title>")
        parts.append(
            f'<text x="{_n(x + slot / 2)}" y="{_n(label_y)}" text-anchor="middle" '
            f'font-weight="600">{_text(label)}</text>'
            f'<text x="{_n(x + slot / 2)}" y="{_n(base + 15)}" text-anchor="middle" '
            f'fill="{MUTED}">{code}</text></g>'
        )
        body.append("".join(parts))
    if has_floor:
        legend_y = base + 33
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(legend_y - 4)}" x2="{_n(left + 22)}" '
            f'y2="{_n(legend_y - 4)}" stroke="{INK}" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{_n(left + 28)}" y="{_n(legend_y)}" fill="{MUTED}" font-size="11">'
            f"{_text('floor: the minimum this brief accepts')}</text>"
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Bar chart of the five scorecard category means from 0 to 5: A applied AI "
        "delivery, B data competence, C production readiness, D security and risk thinking, "
        "E communication.",
    )


def funnel_svg(steps: Sequence[FunnelStep], *, title: str) -> SafeString:
    """An agency's pass-through: one bar per stage, the share of its submissions that ever
    reached that stage, with the count and percentage printed next to the bar."""
    if not steps:
        return _empty(title, "No submissions yet.")
    label_w, bar_w, value_w, row_h = 84.0, 150.0, 76.0, 22.0
    width = label_w + bar_w + value_w
    height = row_h * len(steps) + 4
    body: list[str] = []
    for index, step in enumerate(steps):
        y = 2 + row_h * index
        share = min(max(step.share or 0.0, 0.0), 1.0)
        bar_len = max(bar_w * share, 1.5)
        percent = NO_VALUE if step.share is None else f"{round(share * 100)}%"
        tooltip = f"{step.label}: {step.count} reached ({percent} of submissions)"
        body.append(
            f'<g class="sc-funnel-step"><title>{_text(tooltip)}</title>'
            f'<text x="{_n(label_w - 8)}" y="{_n(y + row_h / 2 + 4)}" text-anchor="end">'
            f"{_text(step.label)}</text>"
            f'<rect x="{_n(label_w)}" y="{_n(y + 4)}" width="{_n(bar_w)}" '
            f'height="{_n(row_h - 8)}" rx="2" fill="{GRID}" fill-opacity="0.5"/>'
            f'<rect x="{_n(label_w)}" y="{_n(y + 4)}" width="{_n(bar_len)}" '
            f'height="{_n(row_h - 8)}" rx="2" fill="{BRAND}"/>'
            f'<text x="{_n(label_w + bar_w + 8)}" y="{_n(y + row_h / 2 + 4)}">'
            f"{_text(f'{step.count} · {percent}')}</text></g>"
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Bar chart; each bar is the share of the agency's submissions that reached a stage.",
    )


# Candidates side by side: a shade and a pattern letter per candidate, so that bars read in
# print and without colour (each bar also carries its candidate's number and its value).
COMPARE_SHADES = ("#2d5bd7", "#8a5a12", "#1f7a4a", "#6b3fa0")


@dataclass(frozen=True)
class ComparedCandidate:
    """One candidate in the comparison chart: their number on the page (1-4), name and means."""

    number: int
    label: str
    means: Mapping[str, float | None]


def compare_bars_svg(
    candidates: Sequence[ComparedCandidate],
    floors: Mapping[str, int | float | None] | None = None,
    *,
    title: str,
) -> SafeString:
    """Grouped bars: for each category A-E, one bar per candidate (0-5), with the category's
    floor as a dashed line across the group. Every bar is labelled with its candidate's number
    under it and its value (2 decimals) above it; a legend maps numbers to names."""
    if not candidates:
        return _empty(title, "Pick candidates to compare.")
    floors = floors or {}
    count = len(candidates)
    bar_w, gap, group_gap, left, plot_top, plot_h = 26.0, 4.0, 22.0, 28.0, 22.0, 150.0
    group_w = count * bar_w + (count - 1) * gap
    width = left + 5 * group_w + 4 * group_gap + 12
    base = plot_top + plot_h
    legend_top = base + 44
    height = legend_top + 18 * count + 20
    body: list[str] = []
    for tick in range(SCORE_MAX + 1):
        y = base - plot_h * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - 8)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{tick}</text>'
        )
    for index, code in enumerate(CATEGORY_CODES):
        x0 = left + index * (group_w + group_gap)
        name = CATEGORY_NAMES[code]
        floor = floors.get(code)
        parts = [f'<g class="sc-compare-group"><title>{_text(f"{code} {name}")}</title>']
        for position, candidate in enumerate(candidates):
            x = x0 + position * (bar_w + gap)
            shade = COMPARE_SHADES[position % len(COMPARE_SHADES)]
            mean = candidate.means.get(code)
            tooltip = f"{candidate.number}. {candidate.label}, {code} {name}: " + (
                "not scored" if mean is None else f"{float(mean):.2f} of {SCORE_MAX}"
            )
            if mean is None:
                label, label_y = NO_VALUE, base - 6
                bar = ""
            else:
                value = min(max(float(mean), 0.0), float(SCORE_MAX))
                bar_h = max(plot_h * value / SCORE_MAX, 1.0)
                below = floor is not None and value < float(floor)
                if below:
                    tooltip += f" (below the floor of {floor})"
                bar = (
                    f'<rect x="{_n(x)}" y="{_n(base - bar_h)}" width="{_n(bar_w)}" '
                    f'height="{_n(bar_h)}" rx="2" fill="{shade}"'
                    + (
                        ' fill-opacity="0.55" stroke="#1c2430" stroke-dasharray="3 2"'
                        if below
                        else ""
                    )
                    + "/>"
                )
                label, label_y = f"{float(mean):.2f}", base - bar_h - 4
            parts.append(
                f'<g class="sc-compare-bar"><title>{_text(tooltip)}</title>{bar}'
                f'<text x="{_n(x + bar_w / 2)}" y="{_n(label_y)}" text-anchor="middle" '
                f'font-size="9" font-weight="600">{_text(label)}</text>'
                f'<text x="{_n(x + bar_w / 2)}" y="{_n(base + 12)}" text-anchor="middle" '
                f'font-size="10">{candidate.number}</text></g>'
            )
        if floor is not None:
            floor_y = base - plot_h * min(max(float(floor), 0.0), SCORE_MAX) / SCORE_MAX
            parts.append(
                f'<line x1="{_n(x0 - 3)}" y1="{_n(floor_y)}" x2="{_n(x0 + group_w + 3)}" '
                f'y2="{_n(floor_y)}" stroke="{INK}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        parts.append(
            f'<text x="{_n(x0 + group_w / 2)}" y="{_n(base + 28)}" text-anchor="middle" '
            f'font-weight="600">{code}</text></g>'
        )
        body.append("".join(parts))
    for position, candidate in enumerate(candidates):
        y = legend_top + 18 * position
        shade = COMPARE_SHADES[position % len(COMPARE_SHADES)]
        body.append(
            f'<rect x="{_n(left)}" y="{_n(y - 10)}" width="12" height="12" rx="2" fill="{shade}"/>'
            f'<text x="{_n(left + 18)}" y="{_n(y)}">'
            f"{_text(f'{candidate.number}. ' + _short(candidate.label, 40))}</text>"
        )
    if any(floors.get(code) is not None for code in CATEGORY_CODES):
        y = legend_top + 18 * count + 4
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y - 4)}" x2="{_n(left + 22)}" y2="{_n(y - 4)}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{_n(left + 28)}" y="{_n(y)}" fill="{MUTED}" font-size="11">'
            f"{_text('floor: the minimum this brief accepts; dashed bars are below it')}</text>"
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Grouped bar chart: for each scorecard category A to E, one bar per compared "
        "candidate, numbered as in the legend, with the mean score printed above each bar.",
    )


@dataclass(frozen=True)
class ValuePoint:
    """A candidate in the value-for-money chart: balanced score against rate."""

    rank: int
    label: str
    score: float
    rate: float


def value_for_money_svg(points: Sequence[ValuePoint], *, rate_label: str, title: str) -> SafeString:
    """Balanced score (0-5, up) against rate (right): each candidate a dot labelled with their
    rank, so that the cheaper of two equally strong candidates sits further left. A list
    beside the page gives the same figures as text."""
    if not points:
        return _empty(title, "No candidate on this page has a rate in the brief's currency.")
    left, right, top, plot_h, plot_w = 46.0, 16.0, 16.0, 200.0, 440.0
    width = left + plot_w + right
    base = top + plot_h
    height = base + 46
    rates = [p.rate for p in points]
    low, high = min(rates), max(rates)
    if high - low < 1e-9:
        low, high = low * 0.9, high * 1.1 or 1.0
    span = high - low
    low, high = max(low - span * 0.08, 0.0), high + span * 0.08
    span = high - low

    def x_of(rate: float) -> float:
        return left + plot_w * (rate - low) / span

    body: list[str] = []
    for tick in range(SCORE_MAX + 1):
        y = base - plot_h * tick / SCORE_MAX
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{tick}</text>'
        )
    for step in range(5):
        rate = low + span * step / 4
        x = x_of(rate)
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(base)}" stroke="{GRID}" '
            f'stroke-width="1"/><text x="{_n(x)}" y="{_n(base + 14)}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="10">{rate:,.0f}</text>'
        )
    body.append(
        f'<text x="{_n(left + plot_w / 2)}" y="{_n(base + 32)}" text-anchor="middle" '
        f'fill="{MUTED}" font-size="11">{_text(rate_label)}</text>'
        f'<text x="{_n(12)}" y="{_n(top + plot_h / 2)}" text-anchor="middle" fill="{MUTED}" '
        f'font-size="11" transform="rotate(-90 12 {_n(top + plot_h / 2)})">balanced score</text>'
    )
    for point in points:
        x = x_of(point.rate)
        y = base - plot_h * min(max(point.score, 0.0), SCORE_MAX) / SCORE_MAX
        anchor = "end" if x > left + plot_w - 40 else "start"
        dx = -8 if anchor == "end" else 8
        tooltip = (
            f"#{point.rank} {point.label}: balanced score {point.score:.2f}, rate {point.rate:,.2f}"
        )
        body.append(
            f'<g class="sc-value-point"><title>{_text(tooltip)}</title>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" fill="{BRAND}" stroke="#fff" '
            f'stroke-width="1.5"/><text x="{_n(x + dx)}" y="{_n(y + 4)}" text-anchor="{anchor}" '
            f'font-size="11">{_text(f"#{point.rank}")}</text></g>'
        )
    return _svg(
        width,
        height,
        title,
        body,
        desc="Scatter chart: each candidate's balanced score (vertical, 0 to 5) against their "
        "rate (horizontal); each dot is labelled with the candidate's rank.",
    )
