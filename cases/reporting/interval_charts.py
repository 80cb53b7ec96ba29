"""Chart geometry for rates with their intervals: pure functions from rows to the shapes an SVG template draws, like
`cases.reporting.charts` (no JavaScript, no charting library; a text alternative and a `<title>` per mark).

- `trend_chart`: rates over time, each series a line with its interval as a shaded band (gaps where a period has no
  audit), reference lines (a plan, a baseline) and vertical markers (fixes);
- `interval_chart`: one row per group, one dot per series with its interval as a whisker (human vs model per policy);
- `waterfall_chart`: a change split into contributions, from the first period's value to the second's.
"""

from dataclasses import dataclass, field
from datetime import date

from cases.numbers import format_percent, format_points
from cases.reporting.charts import WIDTH, Mark, nice_ceiling, px

SERIES_COLOURS = ("#3b6ea8", "#d9822b", "#2f855a", "#805ad5", "#c53030", "#718096")
TARGET_COLOUR = "#2f855a"
MARKER_COLOUR = "#805ad5"
UP_COLOUR = "#c53030"  # an error rate that rises
DOWN_COLOUR = "#2f855a"
TOTAL_COLOUR = "#3b6ea8"


@dataclass
class Point:
    day: date
    rate: float | None
    interval: tuple[float, float] | None = None
    title: str = ""


@dataclass
class Series:
    name: str
    points: list[Point]
    colour: str = ""


@dataclass
class Reference:
    name: str
    points: list[tuple[date, float]]
    colour: str = TARGET_COLOUR
    dashed: bool = True


@dataclass
class Marker:
    day: date
    label: str
    title: str = ""


@dataclass
class IntervalChart:
    width: int
    height: int
    summary: str
    bands: list[dict] = field(default_factory=list)  # points, colour
    lines: list[dict] = field(default_factory=list)  # points, colour, dashed, title
    dots: list[Mark] = field(default_factory=list)
    whiskers: list[dict] = field(default_factory=list)  # x1, y1, x2, y2, colour, title
    bars: list[Mark] = field(default_factory=list)
    markers: list[dict] = field(default_factory=list)  # x, y1, y2, label, title
    y_ticks: list[Mark] = field(default_factory=list)
    x_ticks: list[Mark] = field(default_factory=list)
    legend: list[Mark] = field(default_factory=list)
    empty: bool = False


def _percent_axis(top_value: float, left: float, top: float, plot_width: float, plot_height: float) -> list[Mark]:
    return [
        Mark(
            x=left,
            y=px(top + plot_height * (1 - fraction)),
            width=plot_width,
            label=format_percent(top_value * fraction),
        )
        for fraction in (0, 0.5, 1)
    ]


def _interval_text(interval: tuple[float, float] | None) -> str:
    return f" (95% interval {format_percent(interval[0])}\u2013{format_percent(interval[1])})" if interval else ""


# TREND
# ------------------------------------------------------------------------------


def trend_chart(
    series: list[Series],
    *,
    start: date,
    end: date,
    references: list[Reference] = (),
    markers: list[Marker] = (),
    height: int = 260,
) -> IntervalChart:
    """Rates over [start, end], each series with its interval band."""
    chart = IntervalChart(width=WIDTH, height=height, summary="")
    drawn = [point for line in series for point in line.points if point.rate is not None]
    if not drawn and not references:
        chart.empty, chart.summary = True, "No audits in this period."
        return chart
    left, right, top, bottom = 48, 12, 24, 30
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    highest = max(
        [point.interval[1] if point.interval else point.rate for point in drawn]
        + [rate for reference in references for _day, rate in reference.points]
        + [0.0]
    )
    top_value = min(1.0, nice_ceiling(highest * 1.05))
    span = max(1, (end - start).days)

    def x_of(day: date) -> float:
        return px(left + plot_width * min(1.0, max(0.0, (day - start).days / span)))

    def y_of(rate: float) -> float:
        return px(top + plot_height * (1 - min(rate, top_value) / top_value))

    chart.y_ticks = _percent_axis(top_value, left, top, plot_width, plot_height)
    chart.x_ticks = [Mark(x=x_of(day), y=height - 8, label=f"{day:%b %-d}") for day in (start, end)]
    for index, line in enumerate(series):
        colour = line.colour or SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.legend.append(Mark(x=left + index * 150, y=10, width=10, height=10, colour=colour, label=line.name))
        runs: list[list[Point]] = [[]]
        for point in line.points:
            if point.rate is None:
                runs.append([])
            else:
                runs[-1].append(point)
        for run in filter(None, runs):
            with_band = [point for point in run if point.interval]
            if with_band:
                upper = [f"{x_of(p.day)},{y_of(p.interval[1])}" for p in with_band]
                lower = [f"{x_of(p.day)},{y_of(p.interval[0])}" for p in reversed(with_band)]
                chart.bands.append({"points": " ".join(upper + lower), "colour": colour})
            chart.lines.append(
                {"points": " ".join(f"{x_of(p.day)},{y_of(p.rate)}" for p in run), "colour": colour, "dashed": False}
            )
            for point in run:
                title = f"{line.name}, {point.day:%Y-%m-%d}: {format_percent(point.rate)}"
                title += _interval_text(point.interval) + (f" {point.title}" if point.title else "")
                chart.dots.append(Mark(x=x_of(point.day), y=y_of(point.rate), colour=colour, title=title))
    for offset, reference in enumerate(references, start=len(series)):
        chart.legend.append(
            Mark(x=left + offset * 150, y=10, width=10, height=2, colour=reference.colour, label=reference.name)
        )
        chart.lines.append(
            {
                "points": " ".join(f"{x_of(day)},{y_of(rate)}" for day, rate in reference.points),
                "colour": reference.colour,
                "dashed": reference.dashed,
                "title": reference.name
                + ": "
                + ", ".join(f"{day:%Y-%m-%d} {format_percent(rate)}" for day, rate in reference.points),
            }
        )
    for index, marker in enumerate(markers):
        chart.markers.append(
            {
                "x": x_of(marker.day),
                "y1": top,
                "y2": top + plot_height,
                "label": marker.label,
                "label_y": top + 10 + (index % 3) * 11,  # staggered, so that nearby labels do not overlap
                "title": marker.title or marker.label,
            }
        )
    described = "; ".join(
        f"{line.name}: "
        + ", ".join(f"{p.day:%b %-d} {format_percent(p.rate)}" for p in line.points if p.rate is not None)
        for line in series
    )
    targets = "; ".join(
        f"{ref.name} " + " → ".join(f"{format_percent(rate)} on {day:%b %-d}" for day, rate in ref.points)
        for ref in references
    )
    chart.summary = " ".join(
        part
        for part in (
            f"Rates from {start:%b %-d, %Y} to {end:%b %-d, %Y} with 95% intervals. {described}.",
            f"{targets}." if targets else "",
            f"Marked: {', '.join(marker.label for marker in markers)}." if markers else "",
        )
        if part
    )
    return chart


# INTERVALS PER GROUP
# ------------------------------------------------------------------------------


def interval_chart(rows: list[tuple[str, list[Point | None]]], series: list[str]) -> IntervalChart:
    """One row per `(group, points)`, `points[i]` the figure of `series[i]` in that group (None: no audits): a dot at
    the rate and a whisker over its interval, the series side by side."""
    band, gap, left, right, top = 14, 10, 150, 24, 30
    row_height = band * max(1, len(series)) + gap
    height = top + len(rows) * row_height + 24
    chart = IntervalChart(width=WIDTH, height=height, summary="")
    figures = [point for _group, points in rows for point in points if point is not None and point.rate is not None]
    if not figures:
        chart.empty, chart.summary = True, "No audits for these filters."
        return chart
    top_value = min(1.0, nice_ceiling(max(point.interval[1] if point.interval else point.rate for point in figures)))
    plot_width = WIDTH - left - right
    scale = plot_width / top_value
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.legend.append(Mark(x=left + index * 120, y=10, width=10, height=10, colour=colour, label=name))
    for row_index, (group, points) in enumerate(rows):
        y0 = top + row_index * row_height
        chart.y_ticks.append(Mark(x=left - 8, y=px(y0 + (row_height - gap) / 2), label=group))
        for index, point in enumerate(points):
            if point is None or point.rate is None:
                continue
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            y = px(y0 + band * index + band / 2)
            title = f"{group}, {series[index]}: {format_percent(point.rate)}{_interval_text(point.interval)}"
            title += f" {point.title}" if point.title else ""
            if point.interval:
                chart.whiskers.append(
                    {
                        "x1": px(left + point.interval[0] * scale),
                        "x2": px(left + point.interval[1] * scale),
                        "y1": y,
                        "y2": y,
                        "colour": colour,
                        "title": title,
                    }
                )
            chart.dots.append(Mark(x=px(left + point.rate * scale), y=y, colour=colour, title=title))
    axis_y = top + len(rows) * row_height + 8
    chart.x_ticks = [
        Mark(x=px(left + plot_width * fraction), y=axis_y, label=format_percent(top_value * fraction))
        for fraction in (0, 0.5, 1)
    ]
    described = "; ".join(
        f"{group}: "
        + ", ".join(
            f"{series[i]} {format_percent(p.rate)}{_interval_text(p.interval)}"
            for i, p in enumerate(points)
            if p is not None and p.rate is not None
        )
        for group, points in rows
    )
    chart.summary = f"Rates with 95% intervals by group. {described}."
    return chart


# WATERFALL
# ------------------------------------------------------------------------------


def waterfall_chart(
    *, start: tuple[str, float], steps: list[tuple[str, float, str]], end: tuple[str, float], height: int = 260
) -> IntervalChart:
    """Columns from `start` (label, rate) through each step `(label, change, title)` (a floating bar, red when it
    raises the rate, green when it lowers it) to `end` (label, rate). The steps are expected to add up to
    end - start; the chart draws them as given."""
    chart = IntervalChart(width=WIDTH, height=height, summary="")
    left, right, top, bottom = 48, 8, 16, 44
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    levels, running = [start[1]], start[1]
    for _label, change, _title in steps:
        running += change
        levels.append(running)
    levels.append(end[1])
    top_value = min(1.0, nice_ceiling(max(levels) * 1.05)) if max(levels) > 0 else 1.0
    slot = plot_width / (len(steps) + 2)
    bar_width = max(4.0, min(56.0, slot * 0.7))

    def y_of(rate: float) -> float:
        return px(top + plot_height * (1 - max(0.0, min(rate, top_value)) / top_value))

    def column(index: int, low: float, high: float, colour: str, label: str, title: str) -> None:
        x = left + slot * index + (slot - bar_width) / 2
        y_top, y_bottom = y_of(max(low, high)), y_of(min(low, high))
        chart.bars.append(
            Mark(
                x=px(x),
                y=y_top,
                width=px(bar_width),
                height=px(max(1.0, y_bottom - y_top)),
                colour=colour,
                title=title,
                label=label,
            )
        )

    column(0, 0.0, start[1], TOTAL_COLOUR, start[0], f"{start[0]}: {format_percent(start[1])}")
    level = start[1]
    for index, (label, change, title) in enumerate(steps, start=1):
        colour = UP_COLOUR if change > 0 else DOWN_COLOUR
        text = f"{label}: {format_points(change)}"
        column(index, level, level + change, colour, label, f"{text} {title}".strip())
        level += change
    column(len(steps) + 1, 0.0, end[1], TOTAL_COLOUR, end[0], f"{end[0]}: {format_percent(end[1])}")
    chart.y_ticks = _percent_axis(top_value, left, top, plot_width, plot_height)
    described = ", ".join(f"{label} {format_points(change)}" for label, change, _title in steps)
    chart.summary = f"From {format_percent(start[1])} ({start[0]}) to {format_percent(end[1])} ({end[0]}): {described}."
    return chart
