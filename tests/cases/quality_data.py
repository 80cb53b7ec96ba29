"""Generated audits with a known truth for the quality page: `plant(day, ...)` writes `total` audits of one policy,
market and decision source decided on `day`, `errors` of them the policy missed (decided `none`), the rest correct;
`planted_change()` lays out two periods where one market's error rate jumps; `rebuild()` brings the rollups up to
date (bulk-created samples bypass the import that maintains them)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from rca.choices import DecisionSource
from rca.models import ModerationSample
from rca.quality.rollups import quality_rollups_rebuild
from tests.factories import ModerationSampleFactory


def plant(
    day: date,
    *,
    total: int,
    errors: int,
    policy: str = "bullying_harassment",
    market: str = "ID",
    source: str = "model",
) -> None:
    decided = timezone.make_aware(datetime.combine(day, time(12)))
    human = source == DecisionSource.HUMAN
    ModerationSample.objects.bulk_create(
        ModerationSampleFactory.build(
            decision_source=source,
            model_version="" if human else "live-clf-3.2",
            moderator_id="mod-7" if human else "",
            market=market,
            decision_label_id="none" if index < errors else policy,
            audit_label_id=policy,
            decided_at=decided,
            audited_at=decided + timedelta(hours=2),
        )
        for index in range(total)
    )


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def planted_change() -> None:
    """Period A (the page's default: 55 to 28 days ago) and period B (the last 28 days): BR steady at 5%, ID from 5% to
    30% (a rate jump), and a little more traffic in US at a steady 10% (a small mix shift)."""
    for day, id_errors, us_total in ((40, 5, 40), (10, 30, 60)):
        plant(days_ago(day), total=100, errors=id_errors, market="ID")
        plant(days_ago(day), total=100, errors=5, market="BR")
        plant(days_ago(day), total=us_total, errors=us_total // 10, market="US")


def rebuild() -> None:
    quality_rollups_rebuild()
