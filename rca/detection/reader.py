"""Read a run's window: the traffic cube (grouped by the database) and one partition's errors, needed columns only;
and for the auditor pass, the auditor cube and the overturns of its candidate auditors.

The cube is one `GROUP BY` over the window's categorical columns: the database reduces millions of audits to a few
thousand combinations with their counts. Errors are one indexed query (`outcome`, `audited_at`) per partition. The
auditor cube is one more `GROUP BY` (auditor x decision label x market x decision source, with the overturns by
outcome): about as many rows as the traffic cube, read in a third of its time.
"""

from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Q

from rca.choices import NO_VIOLATION, Outcome
from rca.detection.auditor_rows import AuditorCubeRow, AuditorErrorRow
from rca.detection.frame import CubeRow, ErrorRow
from rca.models import ModerationSample, PolicyLabel

READ_WORK_MEM = "64MB"
MISCLASSIFIED = [outcome for outcome in Outcome.values if outcome != Outcome.CORRECT]
CUBE_COLUMNS = ("market", "language", "decision_source", "model_version", "queue", "content_type", "tags")
ERROR_COLUMNS = (
    "id",
    "audited_at",
    "content_id",
    "moderator_id",
    "market",
    "language",
    "decision_source",
    "model_version",
    "queue",
    "content_type",
    "tags",
    "decision_label_id",
    "audit_label_id",
    "notes",
    "transcript",
)


def _window(start: datetime, end: datetime):
    return ModerationSample.objects.filter(audited_at__gte=start, audited_at__lt=end)


def read_label_areas() -> list[tuple[str, str]]:
    return list(PolicyLabel.objects.order_by("code").values_list("code", "area"))


@contextmanager
def _tuned_read():
    """A transaction and a cursor with a detection read's settings (PostgreSQL): enough memory to group by hashing and
    to sort a partition's errors in memory (with the default 4 MB PostgreSQL sorts a million rows on disk, 3x slower,
    and plans a partition's errors as a scan of the whole table, 2x slower at 20M audits), and no JIT compilation
    (these statements run once a run; compiling them took 0.3-0.7 s each at 20M audits, more than it saved)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{READ_WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        yield cursor


def read_cube(start: datetime, end: datetime) -> list[CubeRow]:
    rows = _window(start, end).values_list(*CUBE_COLUMNS).annotate(count=Count("id")).order_by()
    if connection.vendor != "postgresql":
        return [CubeRow(*row) for row in rows]
    with _tuned_read():
        return [CubeRow(*row) for row in rows]


AUDITOR_CUBE_COLUMNS = ("auditor_id", "decision_label_id", "market", "decision_source")
AUDITOR_ERROR_COLUMNS = (
    "id", "audited_at", "content_id", "auditor_id", "decision_label_id", "audit_label_id", "market", "decision_source",
)  # fmt: skip


def read_auditor_cube(start: datetime, end: datetime) -> list[AuditorCubeRow]:
    """The window's audits by auditor and stratum, with their overturns by outcome (`rca.detection.auditors`)."""
    rows = (
        _window(start, end)
        .values_list(*AUDITOR_CUBE_COLUMNS)
        .annotate(
            count=Count("id"),
            false_positive=Count("id", filter=Q(outcome=Outcome.FALSE_POSITIVE)),
            false_negative=Count("id", filter=Q(outcome=Outcome.FALSE_NEGATIVE)),
            wrong_policy=Count("id", filter=Q(outcome=Outcome.WRONG_POLICY)),
        )
        .order_by()
    )
    if connection.vendor != "postgresql":
        return [AuditorCubeRow(*row) for row in rows]
    with _tuned_read():
        return [AuditorCubeRow(*row) for row in rows]


def read_auditor_errors(start: datetime, end: datetime, auditors: list[str]) -> list[AuditorErrorRow]:
    """The overturns of `auditors` in the window, in id order."""
    if not auditors:
        return []
    rows = (
        _window(start, end)
        .filter(outcome__in=MISCLASSIFIED, auditor_id__in=auditors)
        .order_by("id")
        .values_list(*AUDITOR_ERROR_COLUMNS)
    )
    if connection.vendor == "postgresql":  # as `read_errors`: psycopg's aware datetimes, no per-row conversion
        sql, params = rows.query.sql_with_params()
        with _tuned_read() as cursor:
            cursor.execute(sql, params)
            return [AuditorErrorRow._make(row) for row in cursor.fetchall()]
    return [AuditorErrorRow._make(row) for row in rows]


def read_errors(start: datetime, end: datetime, labels: list[str]) -> list[ErrorRow]:
    at_stake = Q(audit_label_id__in=labels) | Q(audit_label_id=NO_VIOLATION, decision_label_id__in=labels)
    rows = (
        _window(start, end)
        .filter(outcome__in=MISCLASSIFIED)  # not `exclude(correct)`: an IN list can use the (outcome, audited_at) index
        .filter(at_stake)
        .order_by("id")  # a stable order: the text sample, hence the topics, do not depend on the query plan
        .values_list(*ERROR_COLUMNS)
    )
    if connection.vendor == "postgresql":
        # The ORM's compiled query on a plain cursor: psycopg already gives aware datetimes, so Django's per-row
        # conversion (and a server-side cursor's round trips) only halve the speed of the biggest read of a partition.
        sql, params = rows.query.sql_with_params()
        with _tuned_read() as cursor:
            cursor.execute(sql, params)
            return [ErrorRow._make(row) for row in cursor.fetchall()]
    return [ErrorRow._make(row) for row in rows.iterator(chunk_size=20000)]
