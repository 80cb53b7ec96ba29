"""The case room's linked samples, best first: the most typical samples of the case's problem open the first page,
the full list follows, paged (`cases.selectors.case_room`).

What "typical" means follows the case's measure (`cases.measure`):

- a measure with a text topic: how many of the topic's terms a sample's note contains (case-insensitive; a plain
  containment rather than the measure's whole words, `cases.measure.counts.topic_q`: "insulting" is as typical as
  "insult", and PostgreSQL tests it about three times faster than a regular expression), then the latest;
- a measure without one: the measure's errors first (its population and error kind), then the latest;
- no measure: the latest.

The rank is an annotation of the one paged query (a `CASE` a term), so a page costs the same queries however many
samples the case holds. `?order=latest` asks for the latest first whatever the measure.
"""

from dataclasses import dataclass
from functools import reduce
from operator import add

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, QuerySet, Value, When

from cases.measure.counts import error_q, population_q
from cases.measure.definition import Measure
from rca.models import ModerationSample


class SampleOrder:
    TYPICAL = "typical"
    LATEST = "latest"

    CHOICES = ((TYPICAL, "Most typical first"), (LATEST, "Latest first"))


@dataclass(frozen=True)
class SampleRanking:
    order: str
    terms: tuple[str, ...] = ()
    by_errors: bool = False

    @property
    def ranked(self) -> bool:
        return self.order == SampleOrder.TYPICAL and (bool(self.terms) or self.by_errors)

    @property
    def text(self) -> str:
        """How the page says the list is ordered."""
        if self.order == SampleOrder.TYPICAL and self.terms:
            terms = ", ".join(self.terms)
            return f"Most typical first: the most of the topic's terms ({terms}) in their notes, then the latest."
        if self.order == SampleOrder.TYPICAL and self.by_errors:
            return "Errors of the case's measure first, then the latest."
        return "Latest first."


def _one_if(condition) -> SqlCase:
    return SqlCase(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def rank_samples(
    queryset: QuerySet[ModerationSample], measure: Measure | None, *, order: str = SampleOrder.TYPICAL
) -> tuple[QuerySet[ModerationSample], SampleRanking]:
    """`queryset` ordered best first (see the module docstring), with `typicality` annotated on each row when
    ranked (terms named, or 1 for an error of the measure), and how it is ordered."""
    order = order if order in dict(SampleOrder.CHOICES) else SampleOrder.TYPICAL
    latest = ("-audited_at", "-id")
    if order == SampleOrder.LATEST or measure is None:
        return queryset.order_by(*latest), SampleRanking(order=SampleOrder.LATEST if measure is None else order)
    if measure.topic_terms:
        score = reduce(add, [_one_if(Q(notes__icontains=term)) for term in measure.topic_terms])
        ranking = SampleRanking(order=order, terms=measure.topic_terms)
    else:
        score = _one_if(population_q(measure.population) & error_q(measure))
        ranking = SampleRanking(order=order, by_errors=True)
    return queryset.annotate(typicality=score).order_by("-typicality", *latest), ranking
