"""The query parameters of the quality metrics and of the change explainer, one form each, shared by the API and the
pages: a bad value is a 400 (or a form error) naming the parameter, never a 500, and an empty value means "not given".

Every rule here is also in the schema (`cases.quality.api`): the patterns below are the ones the schema declares, and
the server anchors them (`\\A...\\Z`). What the schema cannot say is a relation between parameters: a period that
ends before it starts, or two rollup dimensions (say market and language) named across `group_by` and the filters
(rollup rows carry one: `rca.quality.dimensions`); those are 400s naming the second parameter.
"""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone

from config.filters import StrictBooleanField, market_validator
from rca.choices import ContentType, DecisionSource
from rca.quality.dimensions import KEY_DIMENSIONS, ROLLUP_DIMENSIONS, Dimension, Period

DEFAULT_DAYS = 90  # the metrics' range when none is given: the last 90 days of decisions, today included
DEFAULT_CHANGE_DAYS = 7  # the change explainer's periods: the last 7 days against the 7 before
MAX_SLICES = 1000

_ANY = "|".join(Dimension.values)
_KEY = "|".join(KEY_DIMENSIONS)
# One dimension, or two of which at least one is a key dimension (policy, decision_source); empty: no grouping.
GROUP_BY_PATTERN = rf"^(?:(?:{_ANY})|(?:{_KEY}),(?:{_ANY})|(?:{_ANY}),(?:{_KEY}))?$"
_GROUP_BY = re.compile(GROUP_BY_PATTERN.replace("^", r"\A").replace("$", r"\Z"))
# No NUL character (PostgreSQL refuses it in text); spaces are kept as sent (no stripping: the schema's maxLength).
FILTER_TEXT_PATTERN = r"^[^\x00]*$"
# The filters: each dimension but `policy` filters the rollups by its value; `policy` keeps that policy's audits.
TEXT_FILTERS = {"policy": 64, "language": 35, "model_version": 64, "queue": 64, "auditor": 64}


def _text_filter(max_length: int) -> forms.CharField:
    return forms.CharField(max_length=max_length, strip=False, required=False)


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, held within the dates Python knows (a far-off date given by a client must not crash)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def _date(**kwargs) -> forms.DateField:
    return forms.DateField(required=False, input_formats=["%Y-%m-%d"], **kwargs)


class QualityFilterForm(forms.Form):
    """The filters both endpoints share, `weighted` (default true) and `exclude_in_doubt` (default false)."""

    decision_source = forms.ChoiceField(choices=DecisionSource.choices, required=False)
    policy = _text_filter(TEXT_FILTERS["policy"])
    market = forms.CharField(max_length=2, strip=False, required=False, validators=[market_validator])
    language = _text_filter(TEXT_FILTERS["language"])
    model_version = _text_filter(TEXT_FILTERS["model_version"])
    queue = _text_filter(TEXT_FILTERS["queue"])
    content_type = forms.ChoiceField(choices=ContentType.choices, required=False)
    auditor = _text_filter(TEXT_FILTERS["auditor"])
    weighted = StrictBooleanField(required=False, help_text="Weigh audits by their sampling weight (default true).")
    exclude_in_doubt = StrictBooleanField(
        required=False, help_text="Leave out the audits whose verdict is in doubt (default false)."
    )

    def quality_filters(self) -> dict[str, str]:
        """The filters given, dimension -> value (markets upper case)."""
        data = self.cleaned_data
        values = {name: data.get(name) or "" for name in ("decision_source", "content_type", *TEXT_FILTERS)}
        values["market"] = (data.get("market") or "").upper()
        return {name: value for name, value in values.items() if value}

    @property
    def use_weights(self) -> bool:
        return self.cleaned_data.get("weighted") is not False

    @property
    def excludes_in_doubt(self) -> bool:
        return self.cleaned_data.get("exclude_in_doubt") is True

    def named_dimensions(self) -> set[str]:
        """Every dimension the query names, grouped or filtered (for the personal-data check)."""
        return set(self.quality_filters())

    def _check_rollup_dimensions(self, grouped: list[str]) -> None:
        """At most one rollup dimension across `grouped` and the filters: the error goes on the second one."""
        named = list(dict.fromkeys(name for name in grouped if name in ROLLUP_DIMENSIONS))
        named += [name for name in self.quality_filters() if name in ROLLUP_DIMENSIONS and name not in named]
        if len(named) > 1:
            self.add_error(
                named[1] if named[1] not in grouped else "group_by",
                f"{named[0]} and {named[1]} cannot be combined: group and filter by at most one of "
                f"{', '.join(ROLLUP_DIMENSIONS)} (policy and decision_source combine with any).",
            )


class QualityMetricsForm(QualityFilterForm):
    group_by = forms.CharField(max_length=64, strip=False, required=False)
    period = forms.ChoiceField(choices=Period.choices, required=False)
    start = _date(help_text="First day of decisions (YYYY-MM-DD); default: 90 days before `end`.")
    end = _date(help_text="Last day of decisions, included (YYYY-MM-DD); default: today.")

    def clean_group_by(self) -> list[str]:
        value = self.cleaned_data.get("group_by") or ""
        if not _GROUP_BY.match(value):
            raise forms.ValidationError(
                "One dimension, or two separated by a comma of which one is policy or decision_source; dimensions: "
                f"{', '.join(Dimension.values)}."
            )
        return list(dict.fromkeys(value.split(","))) if value else []

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or _shift(end, -(DEFAULT_DAYS - 1))
        if "start" not in self.errors and "end" not in self.errors and start > end:
            self.add_error("end", "Must not be before start.")
        cleaned["start"], cleaned["end"] = start, end
        if "group_by" in cleaned:
            self._check_rollup_dimensions(cleaned["group_by"])
        return cleaned

    def named_dimensions(self) -> set[str]:
        return super().named_dimensions() | set(self.cleaned_data.get("group_by") or [])

    def metrics_query(self) -> dict:
        """Keyword arguments of `rca.quality.metrics.quality_metrics`."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "group_by": data["group_by"],
            "period": data.get("period") or None,
            "filters": self.quality_filters(),
            "weighted": self.use_weights,
            "exclude_in_doubt": self.excludes_in_doubt,
        }


class QualityChangeForm(QualityFilterForm):
    dimension = forms.ChoiceField(choices=Dimension.choices, required=False, help_text="Default: policy.")
    a_start = _date(help_text="Period A's first day (default: 7 days before period B).")
    a_end = _date(help_text="Period A's last day, included (default: the day before period B).")
    b_start = _date(help_text="Period B's first day (default: 6 days before `b_end`).")
    b_end = _date(help_text="Period B's last day, included (default: today).")
    limit = forms.IntegerField(min_value=1, max_value=MAX_SLICES, required=False, help_text="Largest contributors.")

    def clean(self):
        cleaned = super().clean()
        cleaned["dimension"] = cleaned.get("dimension") or Dimension.POLICY
        b_end = cleaned.get("b_end") or timezone.localdate()
        b_start = cleaned.get("b_start") or _shift(b_end, -(DEFAULT_CHANGE_DAYS - 1))
        a_end = cleaned.get("a_end") or _shift(b_start, -1)
        a_start = cleaned.get("a_start") or _shift(a_end, -(DEFAULT_CHANGE_DAYS - 1))
        for first, last, name in ((a_start, a_end, "a"), (b_start, b_end, "b")):
            if first > last and not {f"{name}_start", f"{name}_end"} & set(self.errors):
                self.add_error(f"{name}_end", f"Must not be before {name}_start.")
        cleaned.update(a_start=a_start, a_end=a_end, b_start=b_start, b_end=b_end)
        self._check_rollup_dimensions([cleaned["dimension"]])
        return cleaned

    def named_dimensions(self) -> set[str]:
        return super().named_dimensions() | {self.cleaned_data.get("dimension") or Dimension.POLICY}

    def change_query(self) -> dict:
        """Keyword arguments of `rca.quality.decomposition.quality_change`."""
        data = self.cleaned_data
        return {
            "dimension": data["dimension"],
            "period_a": (data["a_start"], data["a_end"]),
            "period_b": (data["b_start"], data["b_end"]),
            "filters": self.quality_filters(),
            "weighted": self.use_weights,
            "exclude_in_doubt": self.excludes_in_doubt,
            "limit": data.get("limit"),
        }
