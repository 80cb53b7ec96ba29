"""The demo's audits: the recent weeks at full volume (what the detection run looks at), and a lighter history
before them with the same planted patterns, from which the demo's older cases take their samples; and more traffic of
the showcase stories' slices over the detection window (`showcase_traffic`), so that their fixes have the verdicts
they are designed to have and detection finds the patterns of the aftermath stories (`cases.demo.aftermath`), however
few audits a day the demo has."""

from datetime import UTC, datetime, timedelta

from django.db.models import Max

from cases.demo.plan import AFTERMATH_STORIES, FIXED_STORIES, SHOWCASE, SHOWCASE_VERDICTS, fixed_at
from cases.demo.stories import STORIES
from cases.fixes.choices import FixVerdict
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import DetectionRun, ModerationSample
from rca.synthetic import generate_audits, generate_slice_audits

HISTORY_SEED_OFFSET = 1000  # the history batch's external ids are `syn-<seed + offset>-<n>`
TRAFFIC_SEED_OFFSET = 2000  # a showcase story's extra traffic: `syn-<seed + offset + its place in SHOWCASE>-<n>`
TRAFFIC_DAYS = 14  # the detection window (`DETECTION_WINDOW_DAYS`)
TRAFFIC_PER_DAY = 50  # audits of the slice a day
# The slices that get more traffic: the fixes whose verdict is not "too early to say".
TRAFFIC_STORIES = tuple(key for key, verdict in SHOWCASE_VERDICTS.items() if verdict != FixVerdict.NOT_ENOUGH_AUDITS)


def traffic_seed(key: str, *, seed: int) -> int:
    return seed + TRAFFIC_SEED_OFFSET + [story for story, _share, _last in SHOWCASE].index(key)


def showcase_traffic(*, seed: int, end: datetime, fixed: dict[str, datetime]) -> list[dict]:
    """`TRAFFIC_STORIES`' extra traffic over the detection window before `end`: the pattern at its rate, at its
    residual for decisions made from `fixed[key]` on (the fixes that work)."""
    records = []
    for key in TRAFFIC_STORIES:
        records += generate_slice_audits(
            seed=traffic_seed(key, seed=seed),
            pattern=next(story.pattern for story in STORIES if story.pattern_key == key),
            days=TRAFFIC_DAYS,
            audits_per_day=TRAFFIC_PER_DAY,
            end=end,
            fixed=fixed.get(key),
        ).records
    return records


def audits_seeded(*, seed: int) -> bool:
    return ModerationSample.objects.filter(external_id__startswith=f"syn-{seed}-").exists()


def seed_audits(*, seed: int, days: int, per_day: int, history_days: int, history_per_day: int) -> str:
    """Import `days` days of audits ending now and `history_days` days before them; return a one-line summary."""
    now = datetime.now(UTC)
    fixed = {key: fixed_at(key, recent_end=now, recent_days=days) for key in (*FIXED_STORIES, *AFTERMATH_STORIES)}
    recent = generate_audits(seed=seed, days=days, audits_per_day=per_day, end=now, fixed=fixed)
    result = import_records(recent.records + showcase_traffic(seed=seed, end=now, fixed=fixed))
    created, updated, rejected = result.created, result.updated, len(result.rejected)
    if history_days and history_per_day:
        older = generate_audits(
            seed=seed + HISTORY_SEED_OFFSET,
            days=history_days,
            audits_per_day=history_per_day,
            end=now - timedelta(days=days),
            decoys=False,
        )
        result = import_records(older.records)
        created, updated, rejected = created + result.created, updated + result.updated, rejected + len(result.rejected)
    return (
        f"Audits: {created} created, {updated} updated, {rejected} rejected "
        f"({len(recent.planted)} planted patterns, {days} + {history_days} days)."
    )


def recent_end(*, seed: int) -> datetime | None:
    """The newest audit of the recent batch (when it was generated: its "now")."""
    return ModerationSample.objects.filter(external_id__startswith=f"syn-{seed}-").aggregate(end=Max("audited_at"))[
        "end"
    ]


def run_detection() -> DetectionRun:
    return detection_run_execute(run=detection_run_create(actor=None))
