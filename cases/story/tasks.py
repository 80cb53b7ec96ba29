"""Tasks of case stories (autodiscovered: `cases.story` is an installed app): thin, by id, idempotent (a refresh
rewrites the whole row)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from cases.models import Case
from cases.story.selectors import stories_due
from cases.story.services import case_story_refresh


@shared_task(
    name="cases.story.tasks.refresh_case_story",
    time_limit=600,
    soft_time_limit=540,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def refresh_case_story(case_id: int) -> bool:
    """Compute and store the story of one case; False when the case is gone."""
    case = Case.objects.select_related("pattern").filter(pk=case_id).first()
    if case is None:
        return False
    case_story_refresh(case=case)
    return True


@shared_task(name="cases.story.tasks.refresh_open_case_stories", time_limit=300, soft_time_limit=270)
def refresh_open_case_stories() -> int:
    """Daily (beat `refresh-case-stories-daily`): one `refresh_case_story` per open case whose story is a day old."""
    due = stories_due(now=timezone.now())
    for case_id in due:
        refresh_case_story.delay(case_id)
    return len(due)
