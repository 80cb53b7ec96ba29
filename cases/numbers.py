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

`format_ratio` writes how many times one rate is another ("5.1\u00d7"), capped: a ratio over `RATIO_CAP`, or of a
rate above zero against a zero rate, reads "over 100\u00d7", never a huge number that says nothing:

- under 0.01: "<0.01\u00d7"; under 1: two decimals ("0.45\u00d7"); under 10: one decimal ("5.1\u00d7");
- 10 to 100: a whole number ("34\u00d7"); above 100 (or infinite): "over 100\u00d7".
"""

MISSING = "\u2013"  # an en dash, as the tables write a missing value
MINUS = "\u2212"
TIMES = "\u00d7"
RATIO_CAP = 100


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


def capped_ratio(numerator, denominator) -> tuple[float | None, bool]:
    """`(ratio, over_cap)` of two rates: `(None, True)` when the ratio is over `RATIO_CAP` or the denominator is 0
    with a numerator above 0; `(None, False)` when it is undefined (a missing rate, or 0 against 0)."""
    top, bottom = _as_float(numerator), _as_float(denominator)
    if top is None or bottom is None or (top == 0 and bottom == 0):
        return None, False
    if bottom == 0 or top / bottom > RATIO_CAP:
        return None, True
    return top / bottom, False


def format_ratio(value, *, over_cap: bool = False) -> str:
    """How many times (`5.1` -> "5.1\u00d7"); "over 100\u00d7" above the cap or when `over_cap`; an en dash for a
    missing value."""
    if over_cap:
        return f"over {RATIO_CAP}{TIMES}"
    number = _as_float(value)
    if number is None or number < 0:
        return MISSING
    if number > RATIO_CAP:
        return f"over {RATIO_CAP}{TIMES}"
    if number == 0:
        return f"0{TIMES}"
    if number < 0.01:
        return f"<0.01{TIMES}"
    if number < 1:
        return f"{number:.2f}{TIMES}"
    if number < 10 and f"{number:.1f}" != "10.0":
        return f"{number:.1f}{TIMES}"
    return f"{round(number):d}{TIMES}"
