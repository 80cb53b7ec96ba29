"""The demo's audits: the recent weeks at full volume (what the detection run looks at), and a lighter history
before them with the same planted patterns, from which the demo's older cases take their samples."""

from datetime import UTC, datetime, timedelta

from django.db.models import Max

from cases.demo.plan import FIXED_STORIES, fixed_at
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import DetectionRun, ModerationSample
from rca.synthetic import generate_audits

HISTORY_SEED_OFFSET = 1000  # the history batch's external ids are `syn-<seed + offset>-<n>`


def audits_seeded(*, seed: int) -> bool:
    return ModerationSample.objects.filter(external_id__startswith=f"syn-{seed}-").exists()


def seed_audits(*, seed: int, days: int, per_day: int, history_days: int, history_per_day: int) -> str:
    """Import `days` days of audits ending now and `history_days` days before them; return a one-line summary."""
    now = datetime.now(UTC)
    fixed = {key: fixed_at(key, recent_end=now, recent_days=days) for key in FIXED_STORIES}
    recent = generate_audits(seed=seed, days=days, audits_per_day=per_day, end=now, fixed=fixed)
    result = import_records(recent.records)
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
