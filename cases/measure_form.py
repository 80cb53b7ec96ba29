"""The case room's Measure form: the population's conditions (a condition and its value a row; several values of one
condition separated by commas mean any of them), the audit label counted as the error, and the topic words.

The form checks the rows; `cases.measure.definition.measure_from_dict` checks the measure (the service,
`cases.services.case_measure_set`, runs it again), and its errors come back next to the field they name.
"""

from django import forms
from django.core.exceptions import ValidationError

from cases.forms import IdForm
from cases.measure.definition import POPULATION_FIELDS, Measure, measure_from_dict
from cases.measure.describe import CONDITION_LABELS
from rca.models import PolicyLabel

MIN_ROWS = 3
MAX_ROWS = len(POPULATION_FIELDS)
# `measure_from_dict`'s error keys, and the field of this form that shows each.
ERROR_FIELDS = {"population": None, "measure": None, "audit_label": "audit_label", "topic_terms": "topic_terms"}


def _words(text: str) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


class MeasureForm(IdForm):
    id_prefix = "measure"

    audit_label = forms.ChoiceField(
        required=False, label="Errors counted", help_text="The audit label of the errors; any label when left empty."
    )
    topic_terms = forms.CharField(
        required=False,
        max_length=300,
        label="Topic words",
        help_text="Comma-separated: an error counts only when its notes name one of them.",
    )

    def __init__(self, *args, rows: int = MIN_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = max(MIN_ROWS, min(rows, MAX_ROWS))
        conditions = [("", "—"), *((key, CONDITION_LABELS.get(key, key)) for key in POPULATION_FIELDS)]
        for index in range(self.rows):
            self.fields[f"cond_{index}"] = forms.ChoiceField(
                choices=conditions,
                required=False,
                label="Condition",
                widget=forms.Select(attrs={"aria-label": f"Condition {index + 1}"}),
            )
            self.fields[f"value_{index}"] = forms.CharField(
                required=False,
                max_length=200,
                label="Value",
                widget=forms.TextInput(attrs={"aria-label": f"Value {index + 1}"}),
            )
        labels = PolicyLabel.objects.order_by("code").values_list("code", flat=True)
        self.fields["audit_label"].choices = [("", "Any label"), *((code, code) for code in labels)]

    @classmethod
    def for_measure(cls, measure: Measure | None) -> "MeasureForm":
        population = measure.population if measure else {}
        initial = {
            "audit_label": measure.audit_label if measure else "",
            "topic_terms": ", ".join(measure.topic_terms) if measure else "",
        }
        for index, (key, value) in enumerate(population.items()):
            initial[f"cond_{index}"] = key
            initial[f"value_{index}"] = ", ".join(value) if isinstance(value, list) else value
        return cls(initial=initial, rows=len(population) + 2)

    @classmethod
    def rows_posted(cls, data) -> int:
        """How many condition rows a posted form had (its highest row number, plus one)."""
        posted = [int(name.split("_")[1]) for name in data if name.startswith("cond_") and name[5:].isdigit()]
        return max(posted, default=0) + 1

    @property
    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"cond_{index}"], self[f"value_{index}"]) for index in range(self.rows)]

    def clean(self):
        cleaned = super().clean()
        population: dict = {}
        for index in range(self.rows):
            key, values = cleaned.get(f"cond_{index}"), _words(cleaned.get(f"value_{index}", ""))
            if key and not values:
                self.add_error(f"value_{index}", f"Give {CONDITION_LABELS.get(key, key).lower()} a value.")
            elif values and not key:
                self.add_error(f"cond_{index}", "Pick the condition this value is for.")
            elif key in population:
                self.add_error(f"cond_{index}", f"{CONDITION_LABELS.get(key, key)} is named twice.")
            elif key:
                population[key] = values if len(values) > 1 else values[0]
        if self.errors:
            return cleaned
        data = {
            "population": population,
            "audit_label": cleaned.get("audit_label") or "",
            "topic_terms": _words(cleaned.get("topic_terms", "")),
        }
        try:
            measure_from_dict(data)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                self.add_error(ERROR_FIELDS.get(key), messages)
        cleaned["measure"] = data
        return cleaned
