"""The beat task of verified fixes (autodiscovered: `cases.fixes` is an installed app)."""

from celery import shared_task

from cases.fixes.services import fixes_refresh


@shared_task(name="cases.fixes.tasks.refresh_fix_verdicts", time_limit=1800, soft_time_limit=1700, acks_late=True)
def refresh_fix_verdicts() -> dict[str, int]:
    """Hourly: refresh the fix verdicts due and close the cases whose fix holds (`cases.fixes.services`)."""
    return fixes_refresh()
