"""The structure of a case's root-cause analysis, besides its root cause: contributing factors (a category of the
root-cause taxonomy and a sentence each) and an optional five-whys chain.

Quality leads write them (`PermissionDenied` otherwise); each change writes one timeline entry through `cases.events`.
Writes lock the case row, so that two leads editing the same case at once apply one after the other.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from cases import events
from cases.choices import RootCauseCategory
from cases.models import MAX_WHYS, Case, ContributingFactor, WhyStep
from cases.services.case import require_driver

MAX_FACTORS = 20
MAX_SENTENCE = 500


def _sentence(value: str, field: str, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError({field: f"{what} needs a sentence."})
    if len(text) > MAX_SENTENCE:
        raise ValidationError({field: f"Keep {what.lower()} to {MAX_SENTENCE} characters (it has {len(text)})."})
    return text


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def contributing_factor_create(*, case: Case, actor: User, category: str, statement: str) -> ContributingFactor:
    """Add a contributing factor to `case`: `category` from the root-cause taxonomy, `statement` one sentence (its
    whitespace collapsed). At most `MAX_FACTORS` a case. Writes a `factor_added` timeline entry."""
    require_driver(actor)
    if category not in RootCauseCategory.values:
        raise ValidationError({"category": f"'{category}' is not one of {', '.join(RootCauseCategory.values)}."})
    statement = _sentence(statement, "statement", "A contributing factor")
    case = _lock(case)
    if case.contributing_factors.count() >= MAX_FACTORS:
        raise ValidationError({"statement": f"A case holds at most {MAX_FACTORS} contributing factors."})
    factor = ContributingFactor.objects.create(case=case, category=category, statement=statement, author=actor)
    events.factor_added(factor, actor)
    return factor


@transaction.atomic
def contributing_factor_delete(*, factor: ContributingFactor, actor: User) -> None:
    """Remove a contributing factor. The timeline entry (`factor_removed`) keeps its category and sentence."""
    require_driver(actor)
    case = _lock(factor.case)
    factor_id, category, statement = factor.pk, factor.category, factor.statement
    deleted, _ = ContributingFactor.objects.filter(pk=factor_id, case=case).delete()
    if deleted:
        events.factor_removed(case, actor, factor_id=factor_id, category=category, statement=statement)


@transaction.atomic
def five_whys_replace(*, case: Case, actor: User, answers: list[str]) -> list[WhyStep]:
    """Set the case's five-whys chain to `answers` (the answer to the first "why?" first; 0 to `MAX_WHYS` of them; an
    empty list clears the chain). Writes one `five_whys_updated` entry, with the chain before and after, when the
    chain changes, none otherwise."""
    require_driver(actor)
    if len(answers) > MAX_WHYS:
        raise ValidationError({"answers": f"A five-whys chain has at most {MAX_WHYS} answers."})
    cleaned = [_sentence(answer, "answers", f"Why {index}") for index, answer in enumerate(answers, start=1)]
    case = _lock(case)
    previous = list(case.why_steps.order_by("position").values_list("answer", flat=True))
    if previous == cleaned:
        return list(case.why_steps.order_by("position"))
    case.why_steps.all().delete()
    steps = WhyStep.objects.bulk_create(
        WhyStep(case=case, position=position, answer=answer) for position, answer in enumerate(cleaned, start=1)
    )
    events.five_whys_updated(case, actor, previous=previous, answers=cleaned)
    return steps
