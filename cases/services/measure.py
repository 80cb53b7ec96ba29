"""The case's measure as a lead sets it (`Case.measure`): the population's conditions, the audit label counted as the
error, and the topic words. Without one, a case's measure is derived (`cases.measure.definition.case_measure`: its
pattern's, else what its samples share).

The stored form is `Measure.as_dict()` without its `source`; the latest fix's verdict is computed again from the new
measure by its next refresh (`cases.fixes.services.fix_verdict_refresh`, hourly, or "Recompute" in the case room).
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from cases import events
from cases.measure.definition import measure_from_dict
from cases.models import Case
from cases.services.case import require_driver
from rca.models import PolicyLabel


def _stored(data: dict | None) -> dict:
    if not data:
        return {}
    measure = measure_from_dict(data)
    stored = measure.as_dict()
    stored.pop("source")
    errors = _unknown_labels(stored)
    if errors:
        raise ValidationError(errors)
    return stored


def _unknown_labels(stored: dict) -> dict[str, str]:
    decision = stored["population"].get("decision_label")
    named = {"population": decision if isinstance(decision, list) else [decision] if decision else []}
    named["audit_label"] = [stored["audit_label"]] if stored["audit_label"] else []
    codes = {code for values in named.values() for code in values}
    known = set(PolicyLabel.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
    errors = {}
    for key, values in named.items():
        unknown = [code for code in values if code not in known]
        if unknown:
            errors[key] = f"No policy label {', '.join(repr(code) for code in unknown)}."
    return errors


@transaction.atomic
def case_measure_set(*, case: Case, actor: User, data: dict | None) -> Case:
    """Set the case's measure from `data` (`{"population": {condition: value or [values]}, "audit_label": code,
    "topic_terms": [words]}`, validated by `measure_from_dict`: `ValidationError` naming the bad key), or clear it
    with `data` None or empty (the measure is derived again). Quality leads only (`PermissionDenied`).

    Locks the case row; a change writes one `updated` entry (`changes.measure` from / to); no change writes nothing.
    """
    require_driver(actor)
    if actor is None:
        raise ValidationError("A measure is set by a person.")
    stored = _stored(data)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if stored == (case.measure or {}):
        return case
    previous = case.measure or {}
    case.measure = stored
    case.save(update_fields=["measure", "updated_at"])
    events.case_updated(case, actor, changes={"measure": {"from": previous, "to": stored}})
    return case
