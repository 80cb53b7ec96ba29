"""Forms of the audit-quality pages and the agreement API's query string: they validate input (a bad value is a form
error or a 400, never a 500) and hand clean values to one service or selector."""

from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from cases.disputes.choices import AgreementGroup
from cases.disputes.services import NOTES_MAX, REASON_MAX
from config.filters import market_validator
from rca.models import PolicyLabel


def _label_choices(*, blank: str | None) -> list[tuple[str, str]]:
    labels = [(label.code, f"{label.code} ({label.name})") for label in PolicyLabel.objects.filter(is_active=True)]
    return ([("", blank)] if blank is not None else []) + labels


class DisputeForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    proposed_label = forms.ChoiceField(required=False, label="The label you think is right")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_label"].choices = _label_choices(blank="No proposal")


class ReviewForm(forms.Form):
    label = forms.ChoiceField(label="Your label")
    notes = forms.CharField(max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = _label_choices(blank=None)


def _start_of_day(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class AgreementForm(forms.Form):
    """The agreement table's options: grouping, and filters on the verdicts counted (`reviewed_*`: the review's
    date, after inclusive, before exclusive)."""

    group_by = forms.ChoiceField(choices=AgreementGroup.choices, required=False)
    policy = forms.CharField(max_length=64, required=False, help_text="Policy label code (the policy at stake).")
    market = forms.CharField(max_length=2, strip=False, required=False, validators=[market_validator])
    auditor = forms.CharField(max_length=64, required=False, help_text="An auditor id.")
    reviewed_after = forms.DateField(required=False)
    reviewed_before = forms.DateField(required=False)

    def selector_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "group_by": data.get("group_by") or AgreementGroup.AUDITOR,
            "policy": (data.get("policy") or "").strip(),
            "market": (data.get("market") or "").upper(),
            "auditor": (data.get("auditor") or "").strip(),
            "reviewed_after": _start_of_day(data.get("reviewed_after")),
            "reviewed_before": _start_of_day(data.get("reviewed_before")),
        }
