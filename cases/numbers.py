"""How the product writes numbers: rates as percentages with a precision that follows their size. No Django here:
the pages (through `cases.templatetags.rca_numbers`), the charts and the Markdown write-up share it.

The reports API and its CSV keep rates as fractions in [0, 1] (`cases/reporting/serializers.py`); only the pages and
the charts' labels write them as percentages, all through `format_percent`, so that a rate reads the same in a tile,
a table, a chart's tooltip and a pattern page:

- 0 is "0%", 1 is "100%";
- at least 1%: one decimal ("12.5%", "3.0%");
- under 1%: two decimals ("0.04%"), and under 0.01% "<0.01%": a rate above zero never reads "0.0%";
- just under 100%: ">99.9%", never a rounded "100.0%".

`format_points` writes a difference of two rates in percentage points, signed with a true minus sign
("\u22122.5 pp", "+0.04 pp").
"""

MISSING = "\u2013"  # an en dash, as the tables write a missing value
MINUS = "\u2212"


def _as_float(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _magnitude(points: float) -> str:
    """A non-negative number of percent (or percentage points), without its unit."""
    if points == 0:
        return "0"
    if points < 0.01:
        return "<0.01"
    if points < 1:
        return f"{points:.2f}"
    text = f"{points:.1f}"
    if points < 100 and text == "100.0":
        return ">99.9"
    return "100" if points == 100 else text


def format_percent(value) -> str:
    """A fraction (0.125) as a percentage ("12.5%"); an en dash for a missing or unreadable value."""
    number = _as_float(value)
    if number is None:
        return MISSING
    sign = MINUS if number < 0 else ""
    return f"{sign}{_magnitude(abs(number) * 100)}%"


def format_points(value) -> str:
    """A difference of two fractions (-0.025) in signed percentage points (minus 2.5 pp)."""
    number = _as_float(value)
    if number is None:
        return MISSING
    sign = MINUS if number < 0 else "+" if number > 0 else ""
    return f"{sign}{_magnitude(abs(number) * 100)} pp"
