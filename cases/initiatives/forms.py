"""The initiative form (define and edit, quality leads): rates typed as percentages, the measure as one field per
condition (several values separated by commas mean any of them), the cases by key. The form parses; the rules are
`cases.initiatives.services`' and their errors come back next to the field they name."""

from decimal import Decimal

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from cases import permissions
from cases.filters import KEY_RE
from cases.forms import IdForm, UserChoiceField
from cases.initiatives.models import Initiative
from cases.measure.definition import DECISION_FIELDS
from cases.models import Case
from cases.selectors import quality_lead_choices
from rca.models import PolicyLabel

CONDITION_LABELS = {
    "decision_label": "Decision label",
    "market": "Market",
    "language": "Language",
    "decision_source": "Decided by (human or model)",
    "model_version": "Model version",
    "queue": "Queue",
    "content_type": "Content type",
    "surface": "Surface",
    "tag": "Tag",
}
BASELINE_FIELDS = ("baseline_percent", "baseline_start", "baseline_end", "baseline_days")
MEASURE_FIELDS = (*DECISION_FIELDS, "audit_label", "topic_terms")
# A service's error key -> the form field that shows it.
ERROR_FIELDS = {"target_rate": "target_percent", "baseline_rate": "baseline_percent", "measure": None}


def _words(text: str) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


def _percent(value) -> Decimal | None:
    return None if value is None else round(Decimal(str(value)) * 100, 3).normalize()


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InitiativeForm(IdForm):
    id_prefix = "initiative"

    name = forms.CharField(max_length=200, help_text="The goal, e.g. “Cut missed bullying in ID live streams”.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    owner = UserChoiceField(queryset=User.objects.none(), required=False, empty_label="Me")
    target_percent = forms.DecimalField(
        label="Target rate (%)", min_value=0, max_value=100, decimal_places=3, help_text="Below the baseline."
    )
    target_date = forms.DateField(widget=_date_input())
    audit_label = forms.ChoiceField(required=False, label="Errors counted", help_text="Any label when left empty.")
    topic_terms = forms.CharField(
        required=False, max_length=300, label="Topic words", help_text="Comma-separated: errors whose notes name one."
    )
    baseline_percent = forms.DecimalField(
        label="Baseline rate (%)",
        min_value=0,
        max_value=100,
        decimal_places=3,
        required=False,
        help_text="Leave empty to measure it.",
    )
    baseline_start = forms.DateField(required=False, widget=_date_input(), label="Baseline from")
    baseline_end = forms.DateField(required=False, widget=_date_input(), label="Baseline to")
    baseline_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=366,
        label="Or: the last N days",
        help_text="Without a period: measured over this many days before today (28 by default).",
    )
    cases = forms.CharField(
        required=False,
        max_length=2000,
        label="Cases serving it",
        help_text="Case keys, comma-separated: RCA-12, RCA-40.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = quality_lead_choices()
        labels = PolicyLabel.objects.order_by("code").values_list("code", flat=True)
        self.fields["audit_label"].choices = [("", "Any label"), *((code, code) for code in labels)]
        for key in DECISION_FIELDS:
            self.fields[key] = forms.CharField(
                required=False, max_length=500, label=CONDITION_LABELS.get(key, key), help_text="Any of: a, b"
            )

    @classmethod
    def for_initiative(cls, initiative: Initiative, *, user: User) -> "InitiativeForm":
        measure = initiative.measure or {}
        population = measure.get("population") or {}
        initial = {
            "name": initiative.name,
            "description": initiative.description,
            "owner": initiative.owner_id,
            "target_percent": _percent(initiative.target_rate),
            "target_date": initiative.target_date,
            "audit_label": measure.get("audit_label", ""),
            "topic_terms": ", ".join(measure.get("topic_terms") or []),
            "baseline_percent": _percent(initiative.baseline_rate),
            "baseline_start": initiative.baseline_start,
            "baseline_end": initiative.baseline_end,
            "cases": ", ".join(case.key for case in initiative.visible_case_list),
        }
        for key, value in population.items():
            initial[key] = ", ".join(value) if isinstance(value, list) else value
        return cls(initial=initial, user=user)

    @property
    def condition_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in DECISION_FIELDS]

    def clean_cases(self) -> list[Case]:
        found = []
        for word in _words(self.cleaned_data.get("cases", "")):
            match = KEY_RE.match(word)
            case = None
            if match:
                case = permissions.visible_cases(self.user).filter(pk=int(match.group(1))).first()
            if case is None:
                raise ValidationError(f"There is no case {word} that you can see.")
            found.append(case)
        return list(dict.fromkeys(found))

    def measure(self) -> dict:
        data = self.cleaned_data
        population = {}
        for key in DECISION_FIELDS:
            values = _words(data.get(key, ""))
            if values:
                population[key] = values if len(values) > 1 else values[0]
        return {
            "population": population,
            "audit_label": data.get("audit_label") or "",
            "topic_terms": _words(data.get("topic_terms", "")),
        }

    def service_arguments(self, *, editing: bool) -> dict:
        """The keyword arguments of `initiative_create` (all), or of `initiative_update` (what the lead changed)."""
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "description": data.get("description", ""),
            "target_rate": float(data["target_percent"]) / 100,
            "target_date": data["target_date"],
            "cases": data.get("cases", []),
        }
        if data.get("owner") is not None or not editing:
            values["owner"] = data.get("owner")
        changed = set(self.changed_data)
        if not editing or changed & set(MEASURE_FIELDS):
            values["measure"] = self.measure()
        if not editing or changed & set(BASELINE_FIELDS):
            rate = data.get("baseline_percent")
            days = data.get("baseline_days")
            values["baseline_rate"] = None if rate is None else float(rate) / 100
            values["baseline_days"] = days
            if days is None:
                values["baseline_start"], values["baseline_end"] = data.get("baseline_start"), data.get("baseline_end")
            if editing and "baseline_percent" not in changed:
                values["baseline_rate"] = None  # a new period: measured again
        return values

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = ERROR_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, messages)
