"""Small presentation helpers of the pages: badges, SLA labels, masked personal ids, timeline text and SVG charts.

Nothing here queries the database: every helper works on values the selectors already loaded.
"""

from datetime import date
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from cases import people, permissions
from cases.choices import OPEN_STATUSES, ActionItemStatus, ActivityVerb, CaseStatus, FindingStatus, Severity
from cases.evidence.selectors import daily_series
from cases.fixes.choices import FixVerdict
from cases.fixes.summary import NOT_COMPUTED, fix_activity_text, override_text
from cases.selectors import SlaState
from rca.choices import Outcome

register = template.Library()

_LABELS = {
    "status": dict(CaseStatus.choices),
    "severity": {value: value for value in Severity.values},
    "item": dict(ActionItemStatus.choices),
    "finding": dict(FindingStatus.choices),
    "outcome": dict(Outcome.choices),
    "sla": SlaState.LABELS,
    "verdict": {**dict(FixVerdict.choices), "": NOT_COMPUTED},
}


@register.simple_tag
def badge(kind: str, value: str, title: str = "") -> str:
    """A coloured badge: `{% badge "status" case.status %}`; the CSS class carries the colour."""
    label = _LABELS.get(kind, {}).get(value, value or "—")
    tooltip = title or (dict(Severity.choices).get(value, "") if kind == "severity" else "")
    return format_html('<span class="badge badge--{}-{}" title="{}">{}</span>', kind, value, tooltip, label)


@register.simple_tag
def open_statuses_query() -> str:
    """The board's query string selecting the open statuses: `?{% open_statuses_query %}`."""
    return urlencode([("status", status.value) for status in OPEN_STATUSES])


@register.filter
def personal_id(value: str, user) -> str:
    """A moderator or auditor id as this user may see it (`cases.permissions.personal_id_for`)."""
    return permissions.personal_id_for(user, value or "")


@register.filter
def display_name(user) -> str:
    """A person as every page names them (`cases.people.display_name`); nobody is the detection pipeline."""
    return "Detection pipeline" if user is None else people.display_name(user)


@register.filter
def display_name_or_dash(user) -> str:
    return "—" if user is None else people.display_name(user)


@register.filter
def choice_label(user) -> str:
    """A person in a picker: "Lea Quality (lead)" (`cases.people.choice_label`)."""
    return people.choice_label(user)


def _status_label(value: str) -> str:
    return dict(CaseStatus.choices).get(value, value)


@register.simple_tag
def activity_text(activity) -> str:
    """One sentence for a timeline entry, from its verb and data."""
    data = activity.data or {}
    verb = activity.verb
    if verb in (ActivityVerb.TRANSITIONED, ActivityVerb.REOPENED):
        text = format_html(
            "{} <b>{}</b> → <b>{}</b>",
            "reopened the case:" if verb == ActivityVerb.REOPENED else "moved the case",
            _status_label(data.get("source", "")),
            _status_label(data.get("target", "")),
        )
        if data.get("duplicate_of"):
            text = format_html("{} (duplicate of {})", text, data["duplicate_of"])
        if data.get("override"):
            return format_html("{}, {}", text, override_text(data))
        if data.get("reason"):
            text = format_html("{}: “{}”", text, data["reason"])
        return text
    if verb == ActivityVerb.ASSIGNED:
        # Entries written before `owner_name` was recorded name the owner by username.
        return format_html("assigned the case to <b>{}</b>", data.get("owner_name") or data.get("owner") or "nobody")
    if verb in (ActivityVerb.SAMPLES_LINKED, ActivityVerb.SAMPLES_UNLINKED, ActivityVerb.SAMPLES_MERGED):
        action = {
            ActivityVerb.SAMPLES_LINKED: "linked",
            ActivityVerb.SAMPLES_UNLINKED: "unlinked",
            ActivityVerb.SAMPLES_MERGED: "merged in",
        }[verb]
        return format_html("{} {} sample(s)", action, data.get("count", 0))
    if verb == ActivityVerb.DETECTION_UPDATE:
        return format_html("attached {} new sample(s) from detection", data.get("count", 0))
    if verb == ActivityVerb.UPDATED:
        measure = (data.get("changes") or {}).get("measure")
        if measure is not None:
            return "set the case's measure" if measure.get("to") else "went back to the case's derived measure"
        fields = ", ".join(name.replace("_", " ") for name in (data.get("changes") or {}))
        return format_html("edited {}", fields or "the case")
    if verb == ActivityVerb.ACTION_ITEM_ADDED:
        return format_html("added the action item “{}”", data.get("title", ""))
    if verb == ActivityVerb.ACTION_ITEM_UPDATED:
        changes = data.get("changes") or {}
        if "status" in changes:
            return format_html(
                "set an action item to <b>{}</b>", dict(ActionItemStatus.choices).get(changes["status"]["to"], "")
            )
        return format_html("updated an action item ({})", ", ".join(changes) or "no change")
    if verb == ActivityVerb.SHARED:
        return format_html("shared the case with {}", ", ".join(data.get("teams") or []) or "no team")
    if verb == ActivityVerb.WATCHED:
        return format_html("{} watching", "started" if data.get("watching") else "stopped")
    if verb == ActivityVerb.OPENED:
        return format_html("opened the case ({})", data.get("origin", "manual"))
    if verb == ActivityVerb.VERDICT_DISPUTED:
        return format_html("disputed the verdict of {} (<b>{}</b>)", data.get("external_id", ""), data.get("label", ""))
    if verb in (ActivityVerb.VERDICT_UPHELD, ActivityVerb.VERDICT_OVERTURNED):
        how = "on an imported second review" if data.get("kind") == "second_review" else "on second review"
        if verb == ActivityVerb.VERDICT_UPHELD:
            return format_html("upheld the verdict of {} {} (<b>{}</b>)", data.get("external_id", ""), how,
                               data.get("label", ""))  # fmt: skip
        return format_html(
            "overturned the verdict of {} {}: {} → <b>{}</b>; the sample now counts with the corrected label",
            data.get("external_id", ""), how, data.get("verdict_label", ""), data.get("label", ""),
        )  # fmt: skip
    fix_text = fix_activity_text(verb, data)
    if fix_text is not None:
        return format_html("{}", fix_text)
    return dict(ActivityVerb.choices).get(verb, verb)


# CHARTS
# ------------------------------------------------------------------------------


def _points(values: list[int], width: float, height: float, pad: float) -> list[tuple[float, float]]:
    top = max(values) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return [(pad + i * step, height - pad - (value / top) * (height - 2 * pad)) for i, value in enumerate(values)]


@register.inclusion_tag("rca/_sparkline.html")
def sparkline(daily_counts: dict, days: int = 30) -> dict:
    """A 100x24 line of the last `days` daily counts, for table rows."""
    series = daily_series(daily_counts, days=days)
    values = [count for _, count in series]
    points = _points(values, 100, 24, 2) if len(values) > 1 else []
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points), "total": sum(values), "days": len(values)}


@register.inclusion_tag("rca/_trend_chart.html")
def trend_chart(series: list[tuple[date, int]], width: int = 720, height: int = 200) -> dict:
    """An SVG line-and-area chart of (day, count) with a y-axis maximum and first/last day labels."""
    if not series:
        return {"empty": True}
    values = [count for _, count in series]
    pad_left, pad = 36.0, 20.0
    inner_width = width - pad_left - pad
    top = max(values) or 1
    step = inner_width / max(len(values) - 1, 1)
    points = [
        (pad_left + i * step, height - pad - (value / top) * (height - 2 * pad)) for i, value in enumerate(values)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"{pad_left:.1f},{height - pad:.1f} {line} {points[-1][0]:.1f},{height - pad:.1f}"
    dots = [
        {"x": f"{x:.1f}", "y": f"{y:.1f}", "day": day.isoformat(), "count": count}
        for (x, y), (day, count) in zip(points, series, strict=True)
    ]
    return {
        "empty": False,
        "width": width,
        "height": height,
        "line": line,
        "area": area,
        "dots": dots,
        "max": top,
        "first_day": series[0][0],
        "last_day": series[-1][0],
        "base_y": height - pad,
        "top_y": pad,
        "pad_left": pad_left,
        "right": width - pad,
        "total": sum(values),
    }
