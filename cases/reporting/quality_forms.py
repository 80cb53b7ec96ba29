"""The quality page's selectors (GET): the figures' dates, grouping, time bucket, filters, weighting and whether
verdicts in doubt count, and the
change explainer's two periods and dimension; and the "open a case for this slice" form (POST). Forms parse; the
engine (`rca.quality`) refuses impossible combinations with a message on the parameter at fault."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from cases.forms import IdForm
from rca.quality.dimensions import Dimension, Period

# The filters of the figures, each a dimension (`auditor` is not offered: personal data is not a page filter).
FILTERS = (
    Dimension.POLICY,
    Dimension.DECISION_SOURCE,
    Dimension.MARKET,
    Dimension.LANGUAGE,
    Dimension.MODEL_VERSION,
    Dimension.QUEUE,
    Dimension.CONTENT_TYPE,
)
DEFAULT_WEEKS = 12
DEFAULT_CHANGE_DAYS = 28
MAX_DAYS = 3 * 366


def defaults(today: date) -> dict[str, str]:
    """The selection when nothing is chosen, as query values (so the form shows what the page computes)."""
    values = {name: day.isoformat() for name, day in default_dates(today).items()}
    return {**values, "period": Period.WEEK, "group_by": Dimension.POLICY, "dimension": Dimension.MARKET,
            "weighted": "true"}  # fmt: skip


def default_dates(today: date) -> dict:
    b_start = today - timedelta(days=DEFAULT_CHANGE_DAYS - 1)
    return {
        "start": today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1),
        "end": today,
        "a_start": b_start - timedelta(days=DEFAULT_CHANGE_DAYS),
        "a_end": b_start - timedelta(days=1),
        "b_start": b_start,
        "b_end": today,
    }


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class QualityForm(IdForm):
    id_prefix = "quality"

    start = _date_field("From")
    end = _date_field("To")
    period = forms.ChoiceField(choices=Period.choices, required=False, label="By")
    group_by = forms.ChoiceField(choices=(), required=False, label="Human vs model, per")
    weighted = forms.ChoiceField(
        choices=[("true", "Weighted"), ("false", "Unweighted")], required=False, label="Sampling weights"
    )
    exclude_in_doubt = forms.BooleanField(required=False, label="Exclude verdicts in doubt")
    a_start = _date_field("Period A from")
    a_end = _date_field("Period A to")
    b_start = _date_field("Period B from")
    b_end = _date_field("Period B to")
    dimension = forms.ChoiceField(choices=(), required=False, label="Explain by")

    def __init__(self, *args, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, label) for value, label in Dimension.choices if personal or value != Dimension.AUDITOR]
        self.fields["group_by"].choices = [c for c in choices if c[0] != Dimension.DECISION_SOURCE]
        self.fields["dimension"].choices = choices
        for name in FILTERS:
            self.fields[name] = forms.CharField(required=False, max_length=64, label=Dimension(name).label)

    def clean(self):
        cleaned = super().clean()
        defaults = default_dates(timezone.localdate())
        for name, value in defaults.items():
            if cleaned.get(name) is None:
                cleaned[name] = value
        cleaned["period"] = cleaned.get("period") or Period.WEEK
        cleaned["group_by"] = cleaned.get("group_by") or Dimension.POLICY
        cleaned["dimension"] = cleaned.get("dimension") or Dimension.MARKET
        cleaned["weighted"] = cleaned.get("weighted") != "false"
        for first, last in (("start", "end"), ("a_start", "a_end"), ("b_start", "b_end")):
            if cleaned[first] > cleaned[last]:
                self.add_error(last, "The end must be on or after the start.")
            elif (cleaned[last] - cleaned[first]).days > MAX_DAYS:
                self.add_error(first, "At most three years at a time.")
        return cleaned

    @property
    def filters(self) -> dict[str, str]:
        return {name: self.cleaned_data[name].strip() for name in FILTERS if self.cleaned_data.get(name, "").strip()}


class SliceCaseForm(IdForm):
    """A slice of the change explainer (a dimension's value, with the page's filters) to open a case for."""

    id_prefix = "slice"
    dimension = forms.ChoiceField(choices=())
    value = forms.CharField(max_length=128)
    title = forms.CharField(max_length=200)
    problem_statement = forms.CharField(max_length=5000, required=False)
    back = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [c for c in Dimension.choices if c[0] != Dimension.AUDITOR]
        for name in FILTERS:
            self.fields[name] = forms.CharField(required=False, max_length=64)

    @property
    def filters(self) -> dict[str, str]:
        return {name: self.cleaned_data[name].strip() for name in FILTERS if self.cleaned_data.get(name, "").strip()}
