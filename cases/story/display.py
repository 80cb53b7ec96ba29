"""The story as people read it: texts from the stored figures (`cases.story.compute`), the markers and the chart.

Pure: no database access. Numbers are written by `cases.numbers` (rates whose precision follows their size, never
"0.0%" above zero; ratios capped at "over 100\u00d7"). Personal values (auditor ids: of the unusual values, and of an
audit-driven measure's population) go through the `mask` the face gives (`cases.permissions.personal_id_masker(user)`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from cases.measure.describe import masked_measure_dict
from cases.numbers import MISSING, format_percent, format_ratio
from cases.place_names import language_name, market_in_sentence
from cases.story.chart import TrendChart, trend_chart
from cases.story.noise import noise_sentence
from cases.story.window import WindowBasis
from rca.choices import ContentType, DecisionSource

BASIS_TEXT = {"outside": "of comparable traffic", "inside": "of the slice's audits"}


@dataclass
class Fact:
    key: str
    label: str
    value: str
    detail: str = ""


@dataclass
class StoryView:
    """What a page shows of a story; `figures` and `markers` are the raw data (the API's)."""

    figures: dict
    markers: list[dict]
    has_measure: bool
    computed_at: datetime | None = None
    window_label: str = ""
    facts: list[Fact] = field(default_factory=list)
    texts: dict = field(default_factory=dict)
    noise_sentence: str = ""
    noise_passed: bool = False
    unusual: list[dict] = field(default_factory=list)
    chart: TrendChart | None = None

    def as_dict(self) -> dict:
        """Figures, markers and texts, JSON-ready (the chart's geometry is the template's; clients draw the series)."""
        return {
            "figures": self.figures,
            "markers": self.markers,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "window_label": self.window_label,
            "facts": [fact.__dict__ for fact in self.facts],
            "texts": self.texts,
            "noise_sentence": self.noise_sentence,
            "noise_passed": self.noise_passed,
            "unusual": self.unusual,
        }


def _day(iso: str | None, *, year: bool = True) -> str:
    if not iso:
        return MISSING
    day = date.fromisoformat(iso[:10])
    return f"{day:%b} {day.day}, {day.year}" if year else f"{day:%b} {day.day}"


def seen_text(header: dict) -> str:
    """First to last day seen, e.g. "Oct 24 - Dec 5, 2026" with an en dash (the first day's year written only when it
    differs); "on or before" when the chart's span cut the first day."""
    first, last = header["first_seen"], header["last_seen"]
    if not first:
        return "No error in the period"
    text = f"{_day(first, year=first[:4] != last[:4])} {MISSING} {_day(last)}"
    return f"on or before {text}" if header.get("first_seen_capped") else text


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def window_label(window: dict) -> str:
    if window["basis"] == WindowBasis.SINCE_FIRST_SEEN:
        return f"since {_day(window['start'])} (first seen)"
    return f"last {window['days']} days"


def header_texts(header: dict) -> dict:
    """Each header figure as text."""
    complement = header["complement"]
    first = _day(header["first_seen"])
    if header.get("first_seen_capped"):
        first = f"on or before {first}"
    involved = [_n(header["items"], "item")]
    if header["moderators"]:
        involved.append(_n(header["moderators"], "moderator"))
    if header["model_versions"]:
        involved.append(_n(header["model_versions"], "model version"))
    return {
        "errors": f"{header['slice']['errors']:,}",
        "audits": f"{header['slice']['audits']:,}",
        "rate": format_percent(header["slice"]["rate"]),
        "complement_rate": format_percent(complement["rate"]) if complement else MISSING,
        "ratio": format_ratio(header["ratio"], over_cap=header["ratio_over_cap"]),
        "any_rate": format_percent(header["any_errors"]["rate"]),
        "overall_rate": format_percent(header["overall"]["rate"]),
        "any_ratio": format_ratio(header["any_ratio"], over_cap=header["any_ratio_over_cap"]),
        "first_seen": first,
        "last_seen": _day(header["last_seen"]),
        "days_seen": _n(header["days_seen"], "day"),
        "seen": seen_text(header),
        "involved": ", ".join(involved),
    }


def header_facts(texts: dict, header: dict, window: str) -> list[Fact]:
    complement = (
        f"same error elsewhere: {texts['complement_rate']} ({texts['ratio']})"
        if header["complement"]
        else "no comparable traffic outside the slice"
    )
    return [
        Fact("errors", "Errors / audits", f"{texts['errors']} / {texts['audits']}", window),
        Fact("rate", "Error rate", texts["rate"], complement),
        Fact("any_rate", "All errors", texts["any_rate"], f"against {texts['overall_rate']} of all audits"),
        Fact("seen", "Seen", texts["seen"], f"errors on {texts['days_seen']}"),
        Fact("involved", "Involved", texts["involved"]),
    ]


def _value_phrase(dimension: str, value: str) -> tuple[str, str]:
    """`(label, phrase)`: how a sentence says an error has `value`, e.g. ("market", "are in Indonesia")."""
    if dimension == "market":
        return "market", f"are in {market_in_sentence(value)}"
    if dimension == "language":
        return "language", f"are in {language_name(value) or value}"
    if dimension == "tag":
        return "tag", f"are tagged {value.replace('_', ' ')}"
    if dimension == "decision_source":
        label = DecisionSource(value).label if value in DecisionSource.values else value
        return "decision source", f"are {label.lower()} decisions"
    if dimension == "content_type":
        label = ContentType(value).label if value in ContentType.values else value
        return "content type", f"are {label.lower()}s"
    if dimension == "model_version":
        return "model version", f"are decisions of {value}"
    if dimension == "queue":
        return "queue", f"are in the {value} queue"
    if dimension == "auditor":
        return "auditor", f"were audited by {value}"
    return dimension.replace("_", " "), f"are on {value}"


def unusual_texts(items: list[dict], *, mask: Callable[[str], str] = str) -> list[dict]:
    """Each unusual value with its dimension's `label`, its (masked) `value` and sentence (`text`), e.g. "92.0% are
    tagged guest battle, against 8.0% of comparable traffic"."""
    shown = []
    for item in items:
        value = mask(item["value"]) if item.get("personal") else item["value"]
        label, phrase = _value_phrase(item["dimension"], value)
        text = (
            f"{format_percent(item['error_share'])} {phrase}, against {format_percent(item['base_share'])} "
            f"{BASIS_TEXT[item['basis']]}"
        )
        shown.append({**item, "value": value, "label": label, "text": text})
    return shown


def story_view(figures: dict, markers: list[dict], *, mask: Callable[[str], str] = str, subject: str = "") -> StoryView:
    """The page's view of stored `figures` with fresh `markers`."""
    computed_at = datetime.fromisoformat(figures["computed_at"]) if figures.get("computed_at") else None
    if not figures.get("measure"):
        return StoryView(figures=figures, markers=markers, has_measure=False, computed_at=computed_at)
    shown_measure = masked_measure_dict(figures["measure"], mask)
    if shown_measure is not figures["measure"]:
        figures = {**figures, "measure": shown_measure}  # the auditor condition of an audit-driven measure
    window = window_label(figures["window"])
    texts = header_texts(figures["header"])
    unusual = unusual_texts(figures["unusual"], mask=mask)
    if any(item.get("personal") for item in figures["unusual"]):
        figures = {**figures, "unusual": [{**raw, "value": shown["value"]} for raw, shown in zip(
            figures["unusual"], unusual, strict=True)]}  # fmt: skip
    return StoryView(
        figures=figures,
        markers=markers,
        has_measure=True,
        computed_at=computed_at,
        window_label=window,
        facts=header_facts(texts, figures["header"], window),
        texts=texts,
        noise_sentence=noise_sentence(figures["noise"], window_days=figures["window"]["days"]),
        noise_passed=bool(figures["noise"]["passed"]),
        unusual=unusual,
        chart=trend_chart(figures["trend"]["series"], markers, subject=subject or "the case's measure"),
    )
