"""Generated audits with a known truth for the initiative tests: `audits(day, total=, errors=)` writes `total` audits
of ID live streams decided on `day` (noon), `errors` of them bullying the decision missed, the rest correct. And an
initiative factory (for arranging: real code defines initiatives with `cases.initiatives.services`)."""

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.initiatives.models import Initiative
from rca.models import ModerationSample
from tests.factories import ModerationSampleFactory, UserFactory

MEASURE = {"population": {"market": "ID", "decision_label": "none"}, "audit_label": "bullying_harassment"}


def audits(day: date, *, total: int, errors: int, market: str = "ID") -> None:
    decided = timezone.make_aware(datetime.combine(day, time(12)))
    ModerationSample.objects.bulk_create(
        ModerationSampleFactory.build(
            market=market,
            decision_label_id="none",
            audit_label_id="bullying_harassment" if index < errors else "none",
            decided_at=decided,
            audited_at=decided + timedelta(hours=2),
        )
        for index in range(total)
    )


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Initiative {n}: cut missed bullying in ID")
    measure = factory.LazyFunction(lambda: {**MEASURE, "topic_terms": [], "source": "case"})
    baseline_rate = 0.08
    baseline_start = factory.LazyFunction(lambda: days_ago(28))
    baseline_end = factory.LazyFunction(lambda: days_ago(1))
    target_rate = 0.03
    target_date = factory.LazyFunction(lambda: days_ago(-90))
    owner = factory.SubFactory(UserFactory, role="quality_lead")

    @factory.post_generation
    def cases(self, create, extracted, **kwargs):
        if create and extracted:
            self.cases.add(*extracted)
