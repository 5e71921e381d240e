"""Template filters of the scoring pages."""

import re

from django import template

register = template.Library()

ENGINE_FIGURE = re.compile(r"(?<![\d.])(\d+)\.(\d{3})(?![\d])")


@register.filter
def two_decimals(text: object) -> str:
    """The engine writes its figures with 3 decimals (docs/scoring.md); the pages show every
    score with 2, in reasons as on the charts, so that a reason never says 4.950 beside a bar
    labelled 4.95. Only numbers with exactly 3 decimals change: "v2", "20%" and years stay."""
    return ENGINE_FIGURE.sub(lambda m: f"{float(m.group(0)):.2f}", str(text))
