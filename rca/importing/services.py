"""The sample import: validate records one by one, upsert the valid ones in batches, report the rest.

`import_rows` is the streaming core shared by the `import_samples` command (rows of a file, rejects streamed to a
callback) and `import_records` (the bulk API: a list of JSON records, rejects collected in the result).

Invariants:
- a rejected record is never written, and every valid record is written even when others are rejected;
- each batch is one transaction (writer.py): an interrupted import leaves whole batches only, and re-running it
  completes without duplicates, since every write is an upsert by `external_id`;
- duplicates inside one input: the last record of an external_id wins; each earlier one is reported as rejected
  with a "superseded" message on `external_id`, so that `created + updated + rejected == records read`;
- a record with `review_of` is a second audit of that sample (reviews.py): written after the samples read before it,
  and counted as created, updated or rejected like a sample.
- the quality rollups follow: each batch marks the days it changed, and the import rebuilds them once its batches
  are written (`rca.quality.rollups`), so the metrics include it when the import returns.
"""

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from rca.importing.background import BackgroundBatchWriter, can_write_in_background
from rca.importing.duplicates import SeenExternalIds
from rca.importing.readers import Row, UnreadableRow
from rca.importing.reviews import ReviewValidator, classify, write_reviews
from rca.importing.validation import NON_FIELD_ERRORS, Errors, RecordValidator, active_label_codes
from rca.importing.writer import write_batch
from rca.quality.rollups import quality_rollups_refresh

SUPERSEDED = "Superseded by a later record with the same external_id ({where} {position}), which was imported instead."


@dataclass
class ImportResult:
    """What `import_records` did. `rejected` items: `{"index", "external_id", "errors": {field: [messages]}}`."""

    created: int = 0
    updated: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejection:
    """One record not imported: its position (0-based index, or file line number), external_id if any, and why."""

    position: int
    external_id: str | None
    errors: Errors


@dataclass
class ImportCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    rollup_days: int = 0  # days of decision whose quality rollups the import rebuilt
    rollup_seconds: float = 0.0  # the time that took


def import_records(records: Iterable[Any], *, batch_size: int | None = None, actor: User | None = None) -> ImportResult:
    """Validate and upsert JSON-typed sample records (the bulk API's body), by `external_id`; `actor` (who imports)
    is named on the case timelines that a second audit of a linked sample writes.

    Returns the counts of created and updated samples and the rejected records (sorted by index), each with its
    0-based `index` in `records`, its `external_id` (a string, or None when it has none) and `errors`.
    """
    rejected: list[Rejection] = []
    counts = import_rows(
        enumerate(records),
        textual=False,
        batch_size=batch_size,
        on_reject=rejected.append,
        position_name="index",
        actor=actor,
    )
    rejected.sort(key=lambda rejection: rejection.position)
    return ImportResult(
        created=counts.created,
        updated=counts.updated,
        rejected=[
            {"index": item.position, "external_id": item.external_id, "errors": item.errors} for item in rejected
        ],
    )


def import_rows(
    rows: Iterable[Row],
    *,
    textual: bool,
    on_reject: Callable[[Rejection], None],
    batch_size: int | None = None,
    position_name: str = "line",
    on_batch: Callable[[ImportCounts], None] | None = None,
    background_writes: bool = False,
    actor: User | None = None,
    rollups: bool = True,
    refresh_rollups: bool = True,
) -> ImportCounts:
    """Import `(position, record)` rows in batches of `batch_size` (default `settings.IMPORT_BATCH_SIZE`).

    `textual` says the values are CSV strings. Each rejected row goes to `on_reject` as it is found (superseded
    duplicates when their successor is written), so memory stays flat; `on_batch` is called after each written batch.
    `background_writes` lets the database write a batch while the next one is validated (PostgreSQL, outside a
    transaction; see `BackgroundBatchWriter`). Only database errors propagate: a failed batch is rolled back whole,
    the batches written before stay. `rollups=False` leaves the quality rollups alone (neither marked nor rebuilt:
    for a bulk load followed by `manage.py rebuild_quality_rollups`); `refresh_rollups=False` marks the days but leaves
    their rebuild to the caller (a chunk of an import job: the job rebuilds them once, when its last chunk is done).
    """
    batch_size = batch_size or settings.IMPORT_BATCH_SIZE
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    labels = active_label_codes()
    validate = RecordValidator(labels, textual=textual)
    validate_review = ReviewValidator(labels, latest=validate.latest)
    pending_reviews: list[tuple[int, dict[str, Any]]] = []
    seen = SeenExternalIds()
    counts = ImportCounts()
    pending: dict[str, tuple[int, dict[str, Any]]] = {}

    def reject(position: int, external_id: str | None, errors: Errors) -> None:
        counts.rejected += 1

        # Echoed to the API client and the rejects file: lone surrogates (valid JSON escapes, not UTF-8)
        # are written as backslash escapes such as \ud800.
        def safe(text: str) -> str:
            return text.encode("utf-8", "backslashreplace").decode()

        safe_id = safe(external_id) if isinstance(external_id, str) else None
        safe_errors = {safe(key): [safe(str(message)) for message in messages] for key, messages in errors.items()}
        on_reject(Rejection(position, safe_id, safe_errors))

    def superseded(later_position: int) -> Errors:
        return {"external_id": [SUPERSEDED.format(where=position_name, position=later_position)]}

    def written(result: tuple[int, int]) -> None:
        counts.created += result[0]
        counts.updated += result[1]
        if on_batch is not None:
            on_batch(counts)

    background = (
        BackgroundBatchWriter(written, mark_rollups=rollups)
        if background_writes and can_write_in_background()
        else None
    )

    def flush() -> None:
        external_ids = list(pending)
        entries = list(pending.values())
        pending.clear()
        records = [record for _, record in entries]
        repeated = seen.add(external_ids, [position for position, _ in entries])
        # A repeat of an id this import already wrote updates the import's own row: it replaces the earlier record,
        # which is reported as superseded, instead of counting twice.
        counts.updated -= len(repeated)
        for i, earlier_position in repeated:
            reject(earlier_position, external_ids[i], superseded(entries[i][0]))
        if background is not None:
            background.submit(records, after_in_flight=bool(repeated))
        else:
            written(write_batch(records, mark_rollups=rollups))

    def flush_reviews() -> None:
        if pending:  # the samples read before the reviews are written first
            flush()
        if background is not None:
            background.finish()
        created, updated, rejections = write_reviews(pending_reviews, actor=actor)
        pending_reviews.clear()
        counts.created += created
        counts.updated += updated
        for position, external_id, errors in rejections:
            reject(position, external_id, errors)
        if on_batch is not None:
            on_batch(counts)

    try:
        for position, raw in rows:
            counts.read += 1
            if isinstance(raw, UnreadableRow):
                reject(position, None, {NON_FIELD_ERRORS: [raw.message]})
                continue
            is_review, raw = classify(raw)
            if is_review:
                clean, errors = validate_review(raw)
                if clean is None:
                    reject(position, _external_id_of(raw), errors)
                    continue
                pending_reviews.append((position, clean))
                if len(pending_reviews) >= batch_size:
                    flush_reviews()
                continue
            clean, errors = validate(raw)
            if clean is None:
                reject(position, _external_id_of(raw), errors)
                continue
            external_id = clean["external_id"]
            earlier = pending.pop(external_id, None)
            if earlier is not None:
                reject(earlier[0], external_id, superseded(position))
            pending[external_id] = (position, clean)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
        if pending_reviews:
            flush_reviews()
        if background is not None:
            background.finish()
    finally:
        if background is not None:
            background.close()
    if rollups and refresh_rollups:
        started = time.perf_counter()
        counts.rollup_days = quality_rollups_refresh()
        counts.rollup_seconds = time.perf_counter() - started
    if on_batch is not None:
        on_batch(counts)
    return counts


def _external_id_of(raw: Any) -> str | None:
    value = raw.get("external_id") if isinstance(raw, Mapping) else None
    return value.strip() if isinstance(value, str) else None
