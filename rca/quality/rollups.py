"""The daily quality rollups (`rca.models.QualityRollup`): kept current by the import, rebuilt from the samples.

How they stay current: every import batch marks, in its own transaction, the days of decision it changed
(`quality_rollups_mark`: the new day of each created or changed sample, and the former day of a changed sample whose
decision moved; an unchanged record marks nothing). At the end of the import (`rca.importing.services.import_rows`,
shared by `import_samples` and the bulk API), `quality_rollups_refresh` takes the marks and rebuilds those days from
the samples table. Rebuilding a day rather than adding deltas is what makes a re-import of changed rows right without
knowing what each row held before. An import that stops half-way leaves its marks behind; the next import, the beat
task `refresh-quality-rollups` or `manage.py rebuild_quality_rollups` finishes the job. Writers of a few samples
(a dispute opened, a second review, detection marking the samples of an audit-driven pattern: anything that changes a
label or `verdict_in_doubt`, which rollup rows keep apart as `in_doubt`) mark the sample's day in their transaction
and refresh once it commits (`quality_rollups_mark_and_refresh`).

A rebuild deletes the days' rows and inserts them again from the samples, one aggregate statement per half of the
row sets (`HALVES`) and per run of days (at most `DAYS_PER_STATEMENT` days, split where the marked days leave a gap
of more than `GAP_DAYS`), under a lock (PostgreSQL: an advisory lock; SQLite serialises writers itself), so two
rebuilds never interleave, and readers see a half's old rows or its new ones. On PostgreSQL a statement is one scan
with `GROUPING SETS` (one set per rollup dimension, and `all`), and the two halves run side by side on two
connections (the rebuild is CPU-bound, and the end of an import leaves a core idle); elsewhere each is a `UNION ALL`
of one `GROUP BY` per set, one after the other. Figures in docs/performance.md.
"""

import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

from django.db import connection, connections, transaction
from django.db.models import Max, Min
from django.utils import timezone

from rca.models import ModerationSample, QualityRollup, QualityRollupMark
from rca.quality.dimensions import ALL, ROLLUP_COLUMNS, Dimension

DAYS_PER_STATEMENT = 92
GAP_DAYS = 7
LOCK_KEY = zlib.crc32(b"rca.quality.rollups")
# Memory for the rebuild's hash aggregates (PostgreSQL, this transaction only): a quarter of a million audits a
# statement aggregates in memory instead of spilling to disk.
WORK_MEM = "256MB"

# The rollup rows come in two halves of about equal cost, rebuilt side by side on PostgreSQL: each set costs about
# the same to aggregate (a hash look-up per audit), and its rows to insert (on the benchmark dataset: auditor 44% of
# the rows, queue 21%, market 13%, language 12%, content type 7%, model version 3%, all 1%).
HALVES: tuple[tuple[str, ...], tuple[str, ...]] = (
    (ALL, Dimension.MARKET, Dimension.LANGUAGE, Dimension.QUEUE),
    (Dimension.AUDITOR, Dimension.CONTENT_TYPE, Dimension.MODEL_VERSION),
)

_ROLLUP_COLUMNS = (
    "day", "dimension", "value", "decision_source", "decision_label", "audit_label", "in_doubt", "audits", "weight",
    "weight_squared",
)  # fmt: skip
# The sample columns of every rollup row's key, in `_ROLLUP_COLUMNS`' order (after the dimension's value).
_KEY_COLUMNS = ("decision_source", "decision_label_id", "audit_label_id", "verdict_in_doubt")


# ---------------------------------------------------------------------------------------------------------------------
# Days
# ---------------------------------------------------------------------------------------------------------------------


def decision_day(moment: datetime) -> date:
    """The rollup day of a decision made at `moment`: its date in `settings.TIME_ZONE`."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_sql(column_sql: str) -> tuple[str, list]:
    """SQL for the rollup day of a `timestamptz` column (its date in `settings.TIME_ZONE`), with its parameters."""
    sql, params = connection.ops.datetime_cast_date_sql(column_sql, [], timezone.get_default_timezone_name())
    return sql, list(params)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as `(first, last)` runs: a new run where two days are more than `GAP_DAYS` apart or the run would
    exceed `DAYS_PER_STATEMENT` days. Days inside a run but not in `days` are rebuilt too (harmless, and cheaper than a
    statement each)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][1]).days <= GAP_DAYS and (day - runs[-1][0]).days < DAYS_PER_STATEMENT:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# ---------------------------------------------------------------------------------------------------------------------
# The aggregate statement
# ---------------------------------------------------------------------------------------------------------------------


def _insert_statement(first: date, last: date, sets: Sequence[str]) -> tuple[str, list]:
    """`INSERT INTO rollups SELECT ...` of the rows of `sets` (rollup dimensions, and `ALL`) for the decisions of days
    `first`..`last`."""
    quote = connection.ops.quote_name
    samples = quote(ModerationSample._meta.db_table)
    day, day_params = day_sql(quote("decided_at"))
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    # Every audit follows its decision (a constraint): the start also bounds `audited_at`, whose index then serves a
    # rebuild of recent days.
    where = f"{quote('decided_at')} >= %s AND {quote('decided_at')} < %s AND {quote('audited_at')} >= %s"
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares date-times as text, in its own format
    where_params = [adapt(start), adapt(end), adapt(start)]
    keys = ", ".join(quote(column) for column in _KEY_COLUMNS)
    weight = quote("weight")
    sums = f"COUNT(*), SUM({weight}), SUM({weight} * {weight})"
    target = f"INSERT INTO {quote(QualityRollup._meta.db_table)} ({', '.join(map(quote, _ROLLUP_COLUMNS))}) "
    dimensions = [(name, quote(ROLLUP_COLUMNS[name])) for name in sets if name != ALL]
    if connection.vendor == "postgresql":
        columns = [column for _, column in dimensions]
        which = " ".join(f"WHEN GROUPING({column}) = 0 THEN '{name}'" for name, column in dimensions)
        grouping_sets = [f"(day, {keys}, {column})" for column in columns]
        if ALL in sets:
            grouping_sets.insert(0, f"(day, {keys})")
        sql = (
            f"{target}SELECT day, {f'CASE {which} ELSE {ALL!r} END' if which else repr(ALL)},"
            f" COALESCE({', '.join([*columns, repr('')])}), {keys}, {sums}"
            f" FROM (SELECT {', '.join([f'{day} AS day', keys, *columns, weight])} FROM {samples} WHERE {where})"
            f" AS samples GROUP BY GROUPING SETS ({', '.join(grouping_sets)})"
        )
        return sql, [*day_params, *where_params]
    # Elsewhere (SQLite): one GROUP BY per set, by the result's columns (the day's function runs once a row).
    selects, params = [], []
    by_keys = ", ".join(str(position) for position in range(4, 4 + len(_KEY_COLUMNS)))
    for name, column in [*([(ALL, "''")] if ALL in sets else []), *dimensions]:
        selects.append(
            f"SELECT {day}, '{name}', {column}, {keys}, {sums} FROM {samples} WHERE {where} GROUP BY 1, 3, {by_keys}"
        )
        params += [*day_params, *where_params]
    return target + " UNION ALL ".join(selects), params


def _tune() -> None:
    """PostgreSQL settings of the rebuild's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            # JIT compiling the aggregate costs a second and saves nothing measurable here.
            cursor.execute("SET LOCAL jit = off")


def _lock() -> None:
    """Serialise rebuilds (call inside the rebuild's transaction): two rebuilds of one day would both insert it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    _tune()


def _rebuild_half(runs: list[tuple[date, date]], sets: Sequence[str]) -> int:
    """Replace the rows of `sets` on the days of `runs`, on this thread's connection and in its transaction."""
    written = 0
    with connection.cursor() as cursor:
        for first, last in runs:
            QualityRollup.objects.filter(dimension__in=sets, day__gte=first, day__lte=last).delete()
            cursor.execute(*_insert_statement(first, last, sets))
            written += max(cursor.rowcount, 0)
    return written


def _rebuild_on_another_connection(runs: list[tuple[date, date]], sets: Sequence[str]) -> int:
    try:
        with transaction.atomic():
            _tune()
            return _rebuild_half(runs, sets)
    finally:
        connections.close_all()


def _analyze() -> None:
    """Fresh planner statistics after a full rebuild (PostgreSQL): without them the first reads of a refilled table
    sort where they should hash (300 ms instead of 40 on the benchmark). After an import, autovacuum's analyze comes
    by within a minute; a full rebuild is the moment to do it at once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(QualityRollup._meta.db_table)}")


def _rebuild_runs(runs: list[tuple[date, date]], *, side_by_side: bool) -> int:
    """Rebuild the rows of every set on the days of `runs` (inside the caller's transaction, which holds the lock).

    `side_by_side` (PostgreSQL, and no transaction around the rebuild's own): the second half of the sets is rebuilt
    at the same time on a connection of its own, in its own transaction that commits before the caller's. The two
    halves share no row, and should the caller's transaction fail, the marks it took come back and the next refresh
    does both halves again. (Inside an outer transaction, such as a test's, another connection would not see what it
    wrote.)
    """
    if not runs:
        return 0
    first_half, second_half = HALVES
    if not side_by_side:
        return _rebuild_half(runs, first_half) + _rebuild_half(runs, second_half)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="quality-rollups") as pool:
        other = pool.submit(_rebuild_on_another_connection, runs, second_half)
        written = _rebuild_half(runs, first_half)
        return written + other.result()


def _side_by_side() -> bool:
    """Whether a rebuild about to open its transaction may use a second connection (see `_rebuild_runs`)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


# ---------------------------------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------------------------------


def quality_rollups_mark(days: Iterable[date]) -> None:
    """Mark days of decision whose samples changed, for the next refresh. Call it in the transaction that changes
    them (the import's writer does; so must any other writer of samples, e.g. a dispute that overturns an audit:
    the sample's day before and after, or anything that sets or clears `verdict_in_doubt`)."""
    marks = [QualityRollupMark(day=day) for day in sorted(set(days))]
    if marks:
        QualityRollupMark.objects.bulk_create(marks)


def quality_rollups_mark_and_refresh(days: Iterable[date]) -> None:
    """Mark `days` (`quality_rollups_mark`) and rebuild them once the caller's transaction commits: for a writer of a
    few samples (a dispute, a review, detection marking verdicts in doubt), whose change the figures show at once."""
    days = set(days)
    if days:
        quality_rollups_mark(days)
        transaction.on_commit(quality_rollups_refresh, robust=True)


def quality_rollups_refresh() -> int:
    """Rebuild the rollups of the marked days and clear their marks, in one transaction; returns the days rebuilt.

    The marks are taken (deleted) under the lock before the rebuild reads the samples: a batch that commits a mark
    meanwhile leaves it for the next refresh, so no committed change is ever left out.
    """
    table = connection.ops.quote_name(QualityRollupMark._meta.db_table)
    side_by_side = _side_by_side()
    with transaction.atomic():
        _lock()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} RETURNING day")
            days = {_as_date(day) for (day,) in cursor.fetchall()}
        _rebuild_runs(day_runs(days), side_by_side=side_by_side)
    return len(days)


def quality_rollups_rebuild(*, days: Iterable[date] | None = None) -> int:
    """Rebuild the rollups of `days` from the samples, or of every day when `days` is None (which also drops rows of
    days that no longer have audits, and clears every mark); returns the rollup rows written."""
    side_by_side = _side_by_side()
    with transaction.atomic():
        _lock()
        if days is not None:
            return _rebuild_runs(day_runs(days), side_by_side=side_by_side)
        QualityRollupMark.objects.all().delete()
        bounds = ModerationSample.objects.aggregate(first=Min("decided_at"), last=Max("decided_at"))
        if bounds["first"] is None:
            QualityRollup.objects.all().delete()
            return 0
        runs, day, end = [], decision_day(bounds["first"]), decision_day(bounds["last"])
        # Rows of days outside the samples' span go here; each half replaces its own rows inside it (deleting them
        # here would make the other connection wait for this transaction, which waits for it).
        QualityRollup.objects.exclude(day__gte=day, day__lte=end).delete()
        while day <= end:
            runs.append((day, min(end, day + timedelta(days=DAYS_PER_STATEMENT - 1))))
            day = runs[-1][1] + timedelta(days=1)
        written = _rebuild_runs(runs, side_by_side=side_by_side)
        _analyze()
        return written


def _as_date(value: date | str) -> date:
    """SQLite returns a `RETURNING` date as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
