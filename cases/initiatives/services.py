"""Every write of the quality initiatives: defining one, changing it, and the cases that serve it.

Invariants (the model's constraints hold them in the database too):
- only quality leads write; the owner is a quality lead who may own cases (`permissions.can_own_case`);
- the measure is valid (`cases.measure.definition.measure_from_dict`) and names existing policy labels; it is stored
  as `Measure.as_dict()`. It names no auditor (`auditor_id`): an initiative is about moderation quality, and an
  auditor's audits are a calibration matter (`AUDITOR_REFUSED`);
- the baseline is a rate over a period of decision days [start, end], end not after today: given by the lead (rate
  and period), or measured from the measure over a given period, or over the `INITIATIVE_BASELINE_DAYS` whole days
  before today; a measured baseline needs at least one audit;
- rates are fractions in [0, 1]; the target is below the baseline (an initiative cuts an error rate); the target
  date is after the baseline's end.
A refused input raises `ValidationError` naming the field; a user who may not write, `PermissionDenied`.
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import permissions
from cases.initiatives.models import Initiative
from cases.initiatives.progress import start_of_day
from cases.measure.counts import Window, window_counts
from cases.measure.definition import Measure, measure_from_dict
from cases.models import Case
from rca.models import PolicyLabel

# Bounds that keep an initiative's chart and counts of a sensible size.
MAX_BASELINE_DAYS = 366
MAX_BASELINE_AGE_DAYS = 3 * 366
MAX_HORIZON_DAYS = 3 * 366
AUDITOR_REFUSED = (
    "An initiative measures moderation quality: it cannot name an auditor (`auditor_id`). An auditor out of line "
    "with peers is a QA calibration case."
)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # "leave as it is" for `initiative_update`


def require_lead(user: User) -> None:
    if not permissions.is_quality_lead(user):
        raise PermissionDenied("Only quality leads define and change initiatives.")


# VALIDATION
# ------------------------------------------------------------------------------


def clean_measure(data: dict) -> Measure:
    """A valid measure whose policy labels exist, its market codes in capitals (as samples store them);
    `ValidationError` under `measure` otherwise."""
    try:
        measure = measure_from_dict(data)
    except ValidationError as error:
        messages = [f"{key}: {' '.join(text)}" for key, text in error.message_dict.items()]
        raise ValidationError({"measure": messages}) from error
    if measure.is_audit_driven:
        raise ValidationError({"measure": [f"population: {AUDITOR_REFUSED}"]})
    market = measure.population.get("market")
    if market:
        upper = [value.upper() for value in market] if isinstance(market, list) else market.upper()
        measure = replace(measure, population={**measure.population, "market": upper})
    decision = measure.population.get("decision_label")
    codes = {measure.audit_label} - {""}
    codes |= set(decision if isinstance(decision, list) else [decision] if decision else [])
    unknown = sorted(codes - set(PolicyLabel.objects.filter(code__in=codes).values_list("code", flat=True)))
    if unknown:
        raise ValidationError({"measure": [f"Unknown policy label(s): {', '.join(unknown)}."]})
    return measure


def _check_rate(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValidationError({name: "A rate is a fraction from 0 to 1 (0.03 for 3%)."})


def _check_owner(owner: User | None) -> None:
    if owner is None or not permissions.can_own_case(owner):
        raise ValidationError({"owner": "The owner must be an active quality lead."})


def measured_baseline(measure: Measure, *, start: date, end: date) -> tuple[float, int, int]:
    """(rate, audits, errors) of the measure over the decisions of days [start, end]; refuses a period with no
    audit."""
    window = Window("baseline", start_of_day(start), start_of_day(end + timedelta(days=1)))
    tally = window_counts(measure, [window])["baseline"].slice
    if not tally.audits:
        raise ValidationError(
            {"baseline_rate": f"No audit of this measure's decisions from {start} to {end}: give the baseline rate."}
        )
    return tally.rate, tally.audits, tally.errors


def _apply_baseline(
    initiative: Initiative,
    measure: Measure,
    *,
    rate: float | None,
    start: date | None,
    end: date | None,
    days: int | None,
    today: date,
) -> None:
    """Set the baseline fields from what the lead gave (see the module docstring)."""
    if days is not None and (start is not None or end is not None):
        raise ValidationError({"baseline_days": "Give either the number of days or the baseline's period, not both."})
    if days is not None and rate is not None:
        raise ValidationError({"baseline_days": "A given baseline rate needs its period (start and end), not days."})
    if days is not None or (rate is None and start is None and end is None and initiative.baseline_start is None):
        days = days or settings.INITIATIVE_BASELINE_DAYS
        if not 1 <= days <= MAX_BASELINE_DAYS:
            raise ValidationError({"baseline_days": f"From 1 to {MAX_BASELINE_DAYS} days."})
        start, end = today - timedelta(days=days), today - timedelta(days=1)
    start = start if start is not None else initiative.baseline_start
    end = end if end is not None else initiative.baseline_end
    if start is None or end is None:
        raise ValidationError({"baseline_start": "Give the baseline's period whole: baseline_start and baseline_end."})
    if start > end:
        raise ValidationError({"baseline_end": "The baseline period ends on or after its start."})
    if end > today:
        raise ValidationError({"baseline_end": "The baseline period cannot end in the future."})
    if (end - start).days >= MAX_BASELINE_DAYS:
        raise ValidationError({"baseline_start": f"A baseline period is at most {MAX_BASELINE_DAYS} days."})
    if (today - end).days > MAX_BASELINE_AGE_DAYS:
        raise ValidationError({"baseline_end": "The baseline period must end within the last three years."})
    initiative.baseline_start, initiative.baseline_end = start, end
    if rate is not None:
        _check_rate("baseline_rate", rate)
        initiative.baseline_rate, initiative.baseline_audits, initiative.baseline_errors = rate, None, None
    else:
        measured = measured_baseline(measure, start=start, end=end)
        initiative.baseline_rate, initiative.baseline_audits, initiative.baseline_errors = measured


def _check_target(initiative: Initiative) -> None:
    _check_rate("target_rate", initiative.target_rate)
    if initiative.target_rate >= initiative.baseline_rate:
        raise ValidationError(
            {
                "target_rate": f"The target must be below the baseline ({initiative.baseline_rate:.2%} from "
                f"{initiative.baseline_start} to {initiative.baseline_end})."
            }
        )
    if initiative.target_date <= initiative.baseline_end:
        raise ValidationError(
            {"target_date": f"The target date must be after the baseline's end ({initiative.baseline_end})."}
        )
    if (initiative.target_date - initiative.baseline_end).days > MAX_HORIZON_DAYS:
        raise ValidationError({"target_date": "The target date must be within three years of the baseline's end."})


def _check_name(name: str) -> str:
    if not name.strip():
        raise ValidationError({"name": "An initiative needs a name."})
    return name.strip()[:200]


# WRITES
# ------------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    actor: User,
    name: str,
    measure: dict,
    target_rate: float,
    target_date: date,
    owner: User | None = None,
    description: str = "",
    baseline_rate: float | None = None,
    baseline_start: date | None = None,
    baseline_end: date | None = None,
    baseline_days: int | None = None,
    cases: Iterable[Case] = (),
) -> Initiative:
    """Define an initiative (a quality lead); its owner is the actor unless named. Without a baseline rate, the
    baseline is measured (one query). Writes nothing else."""
    require_lead(actor)
    owner = owner or actor
    _check_owner(owner)
    clean = clean_measure(measure)
    initiative = Initiative(
        name=_check_name(name),
        description=description.strip(),
        measure=clean.as_dict(),
        target_rate=target_rate,
        target_date=target_date,
        owner=owner,
        created_by=actor,
    )
    _apply_baseline(
        initiative,
        clean,
        rate=baseline_rate,
        start=baseline_start,
        end=baseline_end,
        days=baseline_days,
        today=timezone.localdate(),
    )
    _check_target(initiative)
    initiative.save()
    initiative.cases.set(list(cases))
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    actor: User,
    name: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    owner: User | _Unset = UNSET,
    measure: dict | _Unset = UNSET,
    target_rate: float | _Unset = UNSET,
    target_date: date | _Unset = UNSET,
    baseline_rate: float | _Unset = UNSET,
    baseline_start: date | _Unset = UNSET,
    baseline_end: date | _Unset = UNSET,
    baseline_days: int | _Unset = UNSET,
    cases: Iterable[Case] | _Unset = UNSET,
) -> Initiative:
    """Change what is given (a quality lead). A new measure or baseline period re-measures the baseline unless a rate
    is given with it; `cases` replaces the set of cases that serve it."""
    require_lead(actor)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if name is not UNSET:
        initiative.name = _check_name(name)
    if description is not UNSET:
        initiative.description = description.strip()
    if owner is not UNSET:
        _check_owner(owner)
        initiative.owner = owner
    clean = clean_measure(initiative.measure if measure is UNSET else measure)
    initiative.measure = clean.as_dict()
    given = {
        "rate": None if baseline_rate is UNSET else baseline_rate,
        "start": None if baseline_start is UNSET else baseline_start,
        "end": None if baseline_end is UNSET else baseline_end,
        "days": None if baseline_days is UNSET else baseline_days,
    }
    if measure is not UNSET or any(value is not None for value in given.values()):
        _apply_baseline(initiative, clean, **given, today=timezone.localdate())
    if target_rate is not UNSET:
        initiative.target_rate = target_rate
    if target_date is not UNSET:
        initiative.target_date = target_date
    _check_target(initiative)
    initiative.save()
    if cases is not UNSET:
        initiative.cases.set(list(cases))
    return initiative
