"""Store a fix's verdict: compute it from the case's measure (`cases.fixes.verdict`) and keep it on the fix; a changed
verdict writes `fix_verdict` on the timeline (its notification goes to the owner and watchers; `not_holding` is the
one that asks them to act: "Fix did not hold").

Its own module so that detection (`cases.services.detection`, which reopens a case on a regression) can refresh a
verdict without importing the fix services, which import the case services.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.fixes.models import Fix
from cases.fixes.verdict import VerdictParams, fix_verdict
from cases.measure.definition import case_measure
from cases.tasks import notify_activity


@transaction.atomic
def fix_verdict_refresh(fix: Fix, *, now: datetime | None = None, params: VerdictParams | None = None) -> Fix:
    """Recompute and store the verdict of `fix` (a fix of a case without a measure keeps no verdict)."""
    now = now or timezone.now()
    fix = Fix.objects.select_for_update(of=("self",)).select_related("case", "case__pattern").get(pk=fix.pk)
    measure = case_measure(fix.case)
    if measure is None:
        return fix
    verdict, figures = fix_verdict(
        measure,
        fix_at=fix.effective_at,
        now=now,
        model_version=fix.model_version,
        params=params or VerdictParams.from_settings(),
    )
    previous = fix.verdict
    fix.verdict, fix.figures, fix.verdict_at = verdict, figures, now
    fix.save(update_fields=["verdict", "figures", "verdict_at"])
    if verdict != previous:
        activity = events.fix_verdict_changed(
            fix.case, fix_id=fix.pk, verdict=verdict, previous=previous, figures=figures
        )
        transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return fix
