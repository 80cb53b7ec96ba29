"""The trend chart's geometry: a pure function from the daily series and the markers to the shapes
`templates/cases/_trend_chart.html` draws in SVG (no JavaScript, no charting library), like the dashboard's charts
(`cases/reporting/charts.py`).

Bars are the audits of each day (left axis), the line is the day's error rate (right axis; broken on days with fewer
than `MIN_RATE_AUDITS` audits, whose rate says little: often the last day, still being audited), vertical dashed
lines mark the case's moments (opened, fixes, closed, reopened) with their labels staggered on two rows when they
would overlap. The chart carries its text alternative: `summary` (the SVG's `aria-label`), a `<title>` on each bar,
dot and marker, and `table`, the series for a visually hidden table.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.numbers import format_percent
from cases.reporting.charts import nice_ceiling, px
from cases.story.trend import marker_day

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 46, 46, 34, 24
LABEL_ROWS = (12, 26)
MIN_RATE_AUDITS = 3
CHAR_WIDTH = 6.0  # of an 11 px label, to keep two labels of a row apart
BAR_COLOUR = "#9ecae1"
LINE_COLOUR = "#c05621"
MARKER_COLOURS = {"opened": "#57606a", "fix": "#2f855a", "closed": "#3b6ea8", "reopened": "#c53030"}


@dataclass
class Shape:
    x: float
    y: float
    width: float = 0
    height: float = 0
    label: str = ""
    title: str = ""
    colour: str = ""
    y2: float = 0
    label_x: float = 0
    label_y: float = 0
    anchor: str = "start"
    kind: str = ""


@dataclass
class TrendChart:
    width: int
    height: int
    summary: str
    empty: bool = False
    bars: list[Shape] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # SVG `points` of each unbroken run of the rate line
    dots: list[Shape] = field(default_factory=list)
    markers: list[Shape] = field(default_factory=list)
    left_ticks: list[Shape] = field(default_factory=list)
    right_ticks: list[Shape] = field(default_factory=list)
    x_labels: list[Shape] = field(default_factory=list)
    table: list[dict] = field(default_factory=list)
    bar_colour: str = BAR_COLOUR
    line_colour: str = LINE_COLOUR
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    left_label_x: int = LEFT - 6
    right_label_x: int = WIDTH - RIGHT + 6


def _day_text(day: date) -> str:
    return f"{day:%b} {day.day}"


def _rate(point: dict) -> float | None:
    return point["errors"] / point["audits"] if point["audits"] else None


def trend_chart(series: list[dict], markers: list[dict], *, subject: str = "the case's measure") -> TrendChart:
    """The chart of `series` (`cases.story.trend.trend_series`) with `markers` (`case_markers`)."""
    chart = TrendChart(width=WIDTH, height=HEIGHT, summary="")
    if not series or not any(point["audits"] for point in series):
        chart.empty, chart.summary = True, "No audit of this slice in the period: nothing to draw."
        return chart
    first = date.fromisoformat(series[0]["day"])
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    slot = plot_width / len(series)
    top_audits = nice_ceiling(max(point["audits"] for point in series))
    drawn = [_rate(point) for point in series if point["audits"] >= MIN_RATE_AUDITS]
    top_rate = min(1.0, nice_ceiling(max(drawn, default=0) * 100) / 100)
    run: list[str] = []
    for index, point in enumerate(series):
        day, rate = date.fromisoformat(point["day"]), _rate(point)
        centre = LEFT + slot * (index + 0.5)
        title = f"{_day_text(day)}: {point['audits']:,} audits, {point['errors']:,} errors ({format_percent(rate)})"
        height = plot_height * point["audits"] / top_audits
        chart.bars.append(
            Shape(
                x=px(centre - slot * 0.4), y=px(bottom - height), width=px(slot * 0.8), height=px(height), title=title
            )
        )
        chart.table.append({**point, "label": _day_text(day), "rate_text": format_percent(rate)})
        if rate is None or point["audits"] < MIN_RATE_AUDITS:
            if run:
                chart.lines.append(" ".join(run))
            run = []
            continue
        y = px(bottom - plot_height * rate / top_rate)
        run.append(f"{px(centre)},{y}")
        chart.dots.append(Shape(x=px(centre), y=y, title=title))
    if run:
        chart.lines.append(" ".join(run))
    for fraction in (0, 0.5, 1):
        y = px(bottom - plot_height * fraction)
        chart.left_ticks.append(Shape(x=LEFT, y=y, width=plot_width, label=f"{top_audits * fraction:,.4g}"))
        chart.right_ticks.append(Shape(x=WIDTH - RIGHT, y=y, label=format_percent(top_rate * fraction)))
    label_every = max(1, round(len(series) / 6))
    for index in range(0, len(series), label_every):
        day = first + timedelta(days=index)
        chart.x_labels.append(Shape(x=px(LEFT + slot * (index + 0.5)), y=HEIGHT - 6, label=_day_text(day)))
    chart.markers = _markers(markers, first=first, days=len(series), slot=slot, bottom=bottom)
    earlier = [f"{mark['label']}: {_day_text(marker_day(mark))}" for mark in markers if marker_day(mark) < first]
    chart.summary = _summary(series, chart.markers, earlier, subject=subject)
    return chart


def _markers(markers: list[dict], *, first: date, days: int, slot: float, bottom: float) -> list[Shape]:
    """Vertical lines at each marker's day, labels staggered over `LABEL_ROWS`. A marker before the first day drawn is
    left out (the summary names it); one after the last day (figures computed before it) is drawn on the last day."""
    shapes: list[Shape] = []
    row_ends = [float("-inf")] * len(LABEL_ROWS)
    for marker in markers:
        day = marker_day(marker)
        if day < first:
            continue
        index = min((day - first).days, days - 1)
        x = px(LEFT + slot * (index + 0.5))
        width = CHAR_WIDTH * len(marker["label"])
        anchor = "end" if x + width > WIDTH - 4 else "start"
        start, end = (x - width - 3, x) if anchor == "end" else (x, x + width + 3)
        row = next((n for n, row_end in enumerate(row_ends) if row_end < start), len(row_ends) - 1)
        row_ends[row] = end
        shapes.append(
            Shape(
                x=x,
                y=LABEL_ROWS[row] + 4,
                y2=bottom,
                label=marker["label"],
                label_x=px(x - 3 if anchor == "end" else x + 3),
                label_y=LABEL_ROWS[row],
                title=f"{marker['label']}: {_day_text(day)}",
                colour=MARKER_COLOURS.get(marker["kind"], MARKER_COLOURS["opened"]),
                anchor=anchor,
                kind=marker["kind"],
            )
        )
    return shapes


def _summary(series: list[dict], markers: list[Shape], earlier: list[str], *, subject: str) -> str:
    audits = sum(point["audits"] for point in series)
    errors = sum(point["errors"] for point in series)
    first, last = date.fromisoformat(series[0]["day"]), date.fromisoformat(series[-1]["day"])
    peak = max((point for point in series if point["audits"]), key=lambda point: (_rate(point), point["day"]))
    text = (
        f"Daily audits and error rate of {subject}, {_day_text(first)} to {_day_text(last)}: {audits:,} audits, "
        f"{errors:,} errors ({format_percent(errors / audits)}); highest daily rate "
        f"{format_percent(_rate(peak))} on {_day_text(date.fromisoformat(peak['day']))}."
    )
    if markers:
        text += " Marked: " + ", ".join(marker.title for marker in markers) + "."
    if earlier:
        text += " Before the days drawn: " + ", ".join(earlier) + "."
    return text
