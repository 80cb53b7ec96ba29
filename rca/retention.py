"""Retention: audits older than `SAMPLE_RETENTION_DAYS` are deleted, or archived to JSON Lines first when
`SAMPLE_ARCHIVE_DIR` is set, in batches of short transactions; the samples case work refers to are kept.

Invariants:
- never a long lock: each batch (`SAMPLE_RETENTION_BATCH`, 5,000 rows) is one transaction that locks its own rows
  only, so imports, detection and the pages go on meanwhile; a run stopped half-way (time budget, crash) leaves whole
  batches, and the next run goes on from where the old audits still are;
- kept, whatever their age: the samples `rca.case_port.samples_kept_by_cases` names (linked to a case, evidence of a
  finding, in the pattern of a case). The batch's rows are locked before that check runs again and the rows are
  deleted, so a sample linked meanwhile is either kept, or its link waits for the batch and then finds it gone;
- archived before deleted: a batch's records are written to the archive file (the import format of
  docs/sample-format.md, so `import_samples FILE` brings them back) and flushed to disk before its delete commits.
  A batch rolled back after its write leaves its records in the file and in the table; the next run archives them
  again, which a re-import takes as updates, not duplicates;
- the days of decision a batch deletes are marked for the quality rollups (`rca.quality.rollups`), which the next
  refresh (beat task `refresh-quality-rollups`) rebuilds without them;
- what cascades with a deleted sample: its links to patterns without a case and its reveal log entries (the model's
  `on_delete`). A closed case's fix figures are stored on its `Fix` (cases.fixes), not recomputed from audits.

One run at a time (`rca.locks.exclusive_run`): a second run while one is going returns at once, `skipped`.
"""

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rca.case_port import samples_kept_by_cases
from rca.locks import exclusive_run
from rca.models import ModerationSample
from rca.quality.rollups import decision_day, quality_rollups_mark
from rca.sample_fields import RECORD_FIELDS, Kind

MIN_RETENTION_DAYS = 90  # longer than any detection window and than closed cases' verdict follow-up (90 days)
LOCK_NAME = "rca.retention"
_RECORD_COLUMNS = [field.column for field in RECORD_FIELDS]


@dataclass
class RetentionResult:
    cutoff: datetime
    deleted: int = 0
    batches: int = 0
    archive_path: str = ""  # the file the deleted records went to ("" when not archived)
    complete: bool = True  # False: stopped by the time budget with old audits left (the next run goes on)
    skipped: bool = False  # another run held the lock


def samples_drop_old(
    *, now: datetime | None = None, days: int | None = None, archive_dir: str | Path | None = None,
    batch_size: int | None = None, max_seconds: float | None = None,
) -> RetentionResult:  # fmt: skip
    """Delete (archiving first when `archive_dir`, default `SAMPLE_ARCHIVE_DIR`) the audits made more than `days`
    (default `SAMPLE_RETENTION_DAYS`, at least `MIN_RETENTION_DAYS`) before `now`, except those case work keeps.

    Works in batches of `batch_size` rows, one transaction each, oldest first; stops between batches once
    `max_seconds` have passed (`complete` is then False).
    """
    now = now or timezone.now()
    days = settings.SAMPLE_RETENTION_DAYS if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"The retention must be at least {MIN_RETENTION_DAYS} days (got {days}).")
    batch_size = batch_size or settings.SAMPLE_RETENTION_BATCH
    archive_dir = settings.SAMPLE_ARCHIVE_DIR if archive_dir is None else archive_dir
    result = RetentionResult(cutoff=now - timedelta(days=days))
    archive = None
    if archive_dir:
        archive = Path(archive_dir) / f"samples-before-{result.cutoff:%Y-%m-%d}-{now:%Y%m%dT%H%M%S}.jsonl"
    started = time.monotonic()
    with exclusive_run(LOCK_NAME) as mine:
        if not mine:
            result.skipped, result.complete = True, False
            return result
        oldest: datetime | None = None
        while True:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                result.complete = False
                break
            found, deleted, oldest = _drop_batch(result.cutoff, oldest, batch_size, archive)
            if not found:
                break
            result.deleted += deleted
            result.batches += 1
    if archive is not None and result.deleted:
        result.archive_path = str(archive)
    return result


def _drop_batch(
    cutoff: datetime, oldest: datetime | None, batch_size: int, archive: Path | None
) -> tuple[int, int, datetime | None]:
    """One batch in one transaction: lock the oldest audits before `cutoff` (from `oldest` on) that case work does not
    keep, check again, archive, delete. Returns (rows found, rows deleted, the audit time to go on from)."""
    kept = samples_kept_by_cases()
    candidates = ModerationSample.objects.filter(audited_at__lt=cutoff).exclude(kept)
    if oldest is not None:  # the rows before it are gone or kept: do not walk over the kept ones again
        candidates = candidates.filter(audited_at__gte=oldest)
    with transaction.atomic():
        batch = list(candidates.order_by("audited_at").select_for_update().values_list("pk", "audited_at")[:batch_size])
        if not batch:
            return 0, 0, oldest
        # Checked again now that the rows are locked: a link committed since the statement above started is seen,
        # and no link can be added until this transaction ends.
        doomed = ModerationSample.objects.filter(pk__in=[pk for pk, _ in batch]).exclude(kept)
        if archive is not None:
            rows = list(doomed.order_by("audited_at", "pk").values("pk", *_RECORD_COLUMNS))
            _archive(archive, rows)
            ids = [row["pk"] for row in rows]
        else:
            ids = list(doomed.values_list("pk", flat=True))
        deleted = ModerationSample.objects.filter(pk__in=ids)
        quality_rollups_mark({decision_day(moment) for moment in deleted.values_list("decided_at", flat=True)})
        deleted.only("pk").delete()
    return len(batch), len(ids), batch[-1][1]


def _archive(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append the rows to the archive as import records, and make them durable before the batch deletes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(sample_record(row), ensure_ascii=False) + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def sample_record(values: dict[str, Any]) -> dict[str, Any]:
    """A sample's stored values (by column) as a record of docs/sample-format.md, which the import takes back."""
    record: dict[str, Any] = {}
    for field in RECORD_FIELDS:
        value = values[field.column]
        if field.kind == Kind.DATETIME:
            value = value.isoformat()
        elif field.kind == Kind.TAGS:
            value = [tag for tag in value.split(";") if tag]
        record[field.name] = value
    return record


def old_samples_count(*, now: datetime, days: int) -> tuple[int, int]:
    """(audits older than `days` that retention would delete, those it keeps for case work)."""
    old = ModerationSample.objects.filter(audited_at__lt=now - timedelta(days=days))
    kept = old.filter(samples_kept_by_cases()).count()
    return old.count() - kept, kept
