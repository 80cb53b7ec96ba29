"""Chart geometry for the dashboard: pure functions from report rows to the shapes an SVG template draws (no JavaScript,
no charting library). Every chart keeps a text alternative (`summary`) and a `<title>` per mark."""

from dataclasses import dataclass, field

from cases.fixes.choices import FixVerdict
from cases.numbers import format_percent

WIDTH = 640
# Colour-blind-safe sequential palette for the age buckets (young -> old), and the two before/after colours.
AGE_COLOURS = ("#9ecae1", "#6baed6", "#fdae6b", "#f16913", "#a63603")
BAR_COLOUR = "#3b6ea8"
P90_COLOUR = "#a63603"
BETTER_COLOUR = "#2f855a"
WORSE_COLOUR = "#c53030"
NEUTRAL_COLOUR = "#718096"


@dataclass
class Mark:
    x: float
    y: float
    width: float = 0
    height: float = 0
    colour: str = BAR_COLOUR
    title: str = ""
    label: str = ""


@dataclass
class Chart:
    width: int
    height: int
    summary: str
    marks: list[Mark] = field(default_factory=list)
    ticks: list[Mark] = field(default_factory=list)  # axis labels and grid lines
    lines: list[dict] = field(default_factory=list)  # x1, y1, x2, y2, colour, title
    legend: list[Mark] = field(default_factory=list)
    empty: bool = False


def px(value: float) -> float:
    """A coordinate, rounded to a tenth of a pixel (shorter SVG)."""
    return round(value, 1)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^n at or above `value` (readable axis ticks); 1 for nothing."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value * (1 - 1e-9))


def column_chart(points: list[tuple[str, float | None, str]], *, height: int = 220, percent: bool = True) -> Chart:
    """Vertical bars, one per `(label, value, title)`; values are rates in [0, 1] when `percent`."""
    chart = Chart(width=WIDTH, height=height, summary="")
    if not points:
        chart.empty, chart.summary = True, "No data for these filters."
        return chart
    left, right, top, bottom = 44, 8, 12, 28
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    top_value = 1.0 if percent else nice_ceiling(max((value or 0) for _label, value, _title in points))
    slot = plot_width / len(points)
    bar_width = max(2.0, min(48.0, slot * 0.7))
    label_every = max(1, round(len(points) / 12))
    for index, (label, value, title) in enumerate(points):
        bar_height = plot_height * (value or 0) / top_value
        x = left + slot * index + (slot - bar_width) / 2
        text = format_percent(value) if percent else ("-" if value is None else f"{value:g}")
        chart.marks.append(
            Mark(
                x=px(x),
                y=px(top + plot_height - bar_height),
                width=px(bar_width),
                height=px(bar_height),
                title=f"{label}: {text} {title}".strip(),
                label=label if index % label_every == 0 else "",
            )
        )
    for fraction in (0, 0.5, 1):
        chart.ticks.append(
            Mark(
                x=left,
                y=px(top + plot_height * (1 - fraction)),
                width=plot_width,
                label=format_percent(fraction) if percent else f"{top_value * fraction:g}",
            )
        )
    described = ", ".join(f"{label} {format_percent(value) if percent else value}" for label, value, _ in points)
    chart.summary = f"{len(points)} bars: {described}."
    return chart


def stacked_bar_chart(rows: list[tuple[str, tuple[int, ...]]], series: list[str]) -> Chart:
    """Horizontal stacked bars: one row per `(label, counts)`, one segment per series (age bucket)."""
    row_height, gap, left, right, top = 22, 8, 150, 40, 30
    height = top + len(rows) * (row_height + gap) + 8
    chart = Chart(width=WIDTH, height=height, summary="")
    total_max = max((sum(counts) for _label, counts in rows), default=0)
    if total_max == 0:
        chart.empty, chart.summary = True, "No open cases for these filters."
        return chart
    scale = (WIDTH - left - right) / total_max
    for index, name in enumerate(series):
        chart.legend.append(Mark(x=left + index * 96, y=8, width=10, height=10, colour=AGE_COLOURS[index], label=name))
    for row_index, (label, counts) in enumerate(rows):
        y = top + row_index * (row_height + gap)
        x = float(left)
        chart.ticks.append(Mark(x=left - 8, y=px(y + row_height / 2), label=label))
        for index, count in enumerate(counts):
            if count:
                width = count * scale
                chart.marks.append(
                    Mark(
                        x=px(x),
                        y=y,
                        width=px(width),
                        height=row_height,
                        colour=AGE_COLOURS[index % len(AGE_COLOURS)],
                        title=f"{label}, {series[index]}: {count}",
                    )
                )
                x += width
        chart.lines.append({"x": px(x + 6), "y": px(y + row_height / 2), "label": str(sum(counts))})
    described = "; ".join(
        f"{label}: " + ", ".join(f"{count} {series[i]}" for i, count in enumerate(counts) if count)
        for label, counts in rows
        if sum(counts)
    )
    chart.summary = f"Open cases by state and age. {described}."
    return chart


def range_chart(rows: list[tuple[str, float | None, float | None]]) -> Chart:
    """Horizontal bars to the median, with a tick at the 90th percentile: one row per `(label, median, p90)`."""
    row_height, gap, left, right, top = 20, 12, 60, 70, 26
    height = top + len(rows) * (row_height + gap) + 20
    chart = Chart(width=WIDTH, height=height, summary="")
    highest = max((value or 0) for _label, median, p90 in rows for value in (median, p90)) if rows else 0
    top_value = nice_ceiling(highest)
    if not rows or all(median is None for _label, median, _p90 in rows):
        chart.empty, chart.summary = True, "No closed cases for these filters."
        return chart
    scale = (WIDTH - left - right) / top_value
    chart.legend = [
        Mark(x=left, y=6, width=10, height=10, colour=BAR_COLOUR, label="median"),
        Mark(x=left + 90, y=6, width=3, height=10, colour=P90_COLOUR, label="90th percentile"),
    ]
    for index, (label, median, p90) in enumerate(rows):
        y = top + index * (row_height + gap)
        chart.ticks.append(Mark(x=left - 8, y=px(y + row_height / 2), label=label))
        if median is not None:
            chart.marks.append(
                Mark(
                    x=left,
                    y=y,
                    width=px(median * scale),
                    height=row_height,
                    title=f"{label}: median {median:g} days, p90 {p90:g} days",
                    label=f"{median:g} / {p90:g} d",
                )
            )
        if p90 is not None:
            x = px(left + p90 * scale)
            chart.lines.append(
                {"x1": x, "y1": y - 3, "x2": x, "y2": y + row_height + 3, "colour": P90_COLOUR, "title": f"p90 {p90:g}"}
            )
    axis_y = top + len(rows) * (row_height + gap)
    for fraction in (0, 0.5, 1):
        chart.ticks.append(
            Mark(x=px(left + (WIDTH - left - right) * fraction), y=axis_y + 10, label=f"{top_value * fraction:g} d")
        )
    described = "; ".join(f"{label} median {m} days, p90 {p} days" for label, m, p in rows if m is not None)
    chart.summary = f"Days to close by severity: {described}."
    return chart


def before_after_chart(rows: list[tuple[str, float | None, float | None, str | None]]) -> Chart:
    """A dumbbell per `(label, before rate, after rate, fix verdict)`: hollow dot before, filled dot after, green when
    the fix holds, red when it did not hold, grey otherwise (not enough audits, or not computed)."""
    row_height, left, right, top = 24, 90, 50, 26
    drawable = [row for row in rows if row[1] is not None and row[2] is not None]
    height = top + len(drawable) * row_height + 24
    chart = Chart(width=WIDTH, height=height, summary="")
    if not drawable:
        chart.empty, chart.summary = True, "No fix with audits before and after it."
        return chart
    top_value = min(1.0, nice_ceiling(max(max(before, after) for _l, before, after, _v in drawable)))
    scale = (WIDTH - left - right) / top_value
    colours = {FixVerdict.HOLDING: BETTER_COLOUR, FixVerdict.NOT_HOLDING: WORSE_COLOUR}
    chart.legend = [
        Mark(x=left, y=8, colour=NEUTRAL_COLOUR, label="before (hollow) → after (filled)"),
        Mark(x=left + 230, y=8, colour=BETTER_COLOUR, label="holding"),
        Mark(x=left + 320, y=8, colour=WORSE_COLOUR, label="not holding"),
    ]
    for index, (label, before, after, verdict) in enumerate(drawable):
        y = px(top + index * row_height + row_height / 2)
        colour = colours.get(verdict, NEUTRAL_COLOUR)
        x_before, x_after = px(left + before * scale), px(left + after * scale)
        said = FixVerdict(verdict).label.lower() if verdict else "not computed"
        title = f"{label}: {format_percent(before)} before, {format_percent(after)} after ({said})"
        chart.ticks.append(Mark(x=left - 8, y=y, label=label))
        chart.lines.append({"x1": x_before, "y1": y, "x2": x_after, "y2": y, "colour": colour, "title": title})
        chart.marks.append(Mark(x=x_before, y=y, colour=colour, title=title, label="before"))
        chart.marks.append(Mark(x=x_after, y=y, colour=colour, title=title, label="after"))
    axis_y = top + len(drawable) * row_height + 12
    for fraction in (0, 0.5, 1):
        chart.ticks.append(
            Mark(x=px(left + (WIDTH - left - right) * fraction), y=axis_y, label=format_percent(top_value * fraction))
        )
    described = "; ".join(
        f"{label} {format_percent(before)} → {format_percent(after)}" for label, before, after, _v in drawable
    )
    chart.summary = f"Error rate before and after each fix: {described}."
    return chart
