"""Writes of case stories: compute a case's figures and store them (one row per case, rewritten whole).

`case_story_refresh` is called by the task `refresh_case_story` (enqueued on commit when detection opens, feeds or
reopens a case, and daily by beat for the open cases whose story is a day old) and by the selector `case_story` on
the first view of a case without one (or whose stored figures no longer match it: `story_source_key`).
"""

import hashlib
import json
from datetime import datetime

from django.utils import timezone

from cases.models import Case
from cases.story.compute import FORMAT_VERSION, case_story_compute
from cases.story.models import CaseStory


def story_source_key(case: Case) -> str:
    """What a case's figures are computed from: the format, the lead's measure, the pattern and, for a measure
    derived from the linked samples, how many there are. Stored figures with another key are out of date."""
    derived = not case.measure and case.pattern_id is None
    source = {
        "version": FORMAT_VERSION,
        "measure": case.measure or None,
        "pattern": case.pattern_id,
        "samples": case.sample_count if derived else None,
    }
    return hashlib.sha1(json.dumps(source, sort_keys=True).encode()).hexdigest()


def case_story_refresh(*, case: Case, now: datetime | None = None) -> CaseStory:
    """Compute the case's figures now and store them (creating or replacing its `CaseStory`). Reads many audits (see
    `cases.story.compute`); writes one row."""
    now = now or timezone.now()
    figures = case_story_compute(case, now=now)
    story, _created = CaseStory.objects.update_or_create(
        case=case, defaults={"figures": figures, "source_key": story_source_key(case), "computed_at": now}
    )
    return story
