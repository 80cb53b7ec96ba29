"""Audits and errors of many (slice, time window) pairs at once, for the remediation report.

The pairs travel as a `VALUES` list that is joined to the samples table on the slice's columns and the window, and
grouped by case: one statement per slice shape (the set of keys, e.g. audit label + market) and batch of
`JOIN_BATCH` pairs. The database walks each slice's window once through the `(column, audited_at)` indexes instead of
testing every sample against every case. The SQL is plain enough for PostgreSQL and SQLite alike (typed casts on
PostgreSQL only). A list value means any of its values: the pair is expanded into one row per value (the values are
disjoint, so the sums add up), except for tags, which a sample can hold several of: such a pair is counted with the
ORM's conditional aggregates instead.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from itertools import product
from operator import or_

from django.db import connection
from django.db.models import Count, Q

from rca.choices import Outcome
from rca.models import ModerationSample

JOIN_BATCH = 500

# Keys of a slice and the sample field each one filters (the same as `remediation.SLICE_FIELDS`).
SAMPLE_FIELDS: dict[str, str] = {
    "decision_label": "decision_label_id",
    "audit_label": "audit_label_id",
    "market": "market",
    "language": "language",
    "decision_source": "decision_source",
    "model_version": "model_version",
    "queue": "queue",
    "content_type": "content_type",
    "surface": "surface",
    "tag": "tags",
}

Counts = tuple[int, int, int, int]  # audits before, errors before, audits after, errors after


@dataclass(frozen=True)
class WindowSpec:
    """One case's slice and windows: before = [start, remediated_at), after = [remediated_at, now)."""

    case_id: int
    slice: dict
    start: datetime
    remediated_at: datetime


def slice_q(slice_definition: dict) -> Q:
    """The slice as a `Q` on ModerationSample; a list value means any of them."""
    condition = Q()
    for key, value in slice_definition.items():
        field = SAMPLE_FIELDS[key]
        if key == "tag":
            tags = value if isinstance(value, list) else [value]
            condition &= reduce(or_, [Q(tags__contains=f";{tag};") for tag in tags])
        elif isinstance(value, list):
            condition &= Q(**{f"{field}__in": [str(item) for item in value]})
        else:
            condition &= Q(**{field: str(value)})
    return condition


def _like_tag(tag: str) -> str:
    escaped = str(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%;{escaped};%"


def _expanded(spec: WindowSpec) -> list[dict]:
    """The spec's slice as scalar-valued slices (one per combination of list values)."""
    keys = sorted(spec.slice)
    choices = [value if isinstance(value, list) else [value] for value in (spec.slice[key] for key in keys)]
    return [dict(zip(keys, combination, strict=True)) for combination in product(*choices)]


def _join_counts(keys: tuple[str, ...], rows: list[tuple[int, dict, WindowSpec]], now: datetime) -> dict[int, Counts]:
    """One statement: the VALUES list of (case, slice values, window) joined to the samples and grouped by case."""
    postgres = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    meta = ModerationSample._meta
    adapt = connection.ops.adapt_datetimefield_value

    def cast(placeholder: str, sql_type: str) -> str:
        return f"CAST({placeholder} AS {sql_type})" if postgres else placeholder

    spec_columns = ["case_id", *[f"k_{key}" for key in keys], "start_at", "fixed_at"]
    row_sql = "({})".format(
        ", ".join(
            [cast("%s", "bigint")]
            + [cast("%s", "text") for _key in keys]
            + [cast("%s", "timestamp with time zone")] * 2
        )
    )
    params: list[object] = []
    for case_id, values, spec in rows:
        params.append(case_id)
        params.extend(_like_tag(values[key]) if key == "tag" else str(values[key]) for key in keys)
        params.extend([adapt(spec.start), adapt(spec.remediated_at)])
    joins = []
    for key in keys:
        column = f"m.{quote(meta.get_field(SAMPLE_FIELDS[key]).column)}"
        joins.append(f"{column} LIKE specs.k_{key} ESCAPE '\\'" if key == "tag" else f"{column} = specs.k_{key}")
    audited, outcome = f"m.{quote(meta.get_field('audited_at').column)}", f"m.{quote(meta.get_field('outcome').column)}"
    sql = (
        f"WITH specs ({', '.join(spec_columns)}) AS (VALUES {', '.join([row_sql] * len(rows))}) "
        f"SELECT specs.case_id, "
        f"SUM(CASE WHEN {audited} < specs.fixed_at THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {audited} < specs.fixed_at AND {outcome} <> %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {audited} >= specs.fixed_at THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {audited} >= specs.fixed_at AND {outcome} <> %s THEN 1 ELSE 0 END) "
        f"FROM specs JOIN {quote(meta.db_table)} m ON {' AND '.join(joins) or '1 = 1'} "
        f"AND {audited} >= specs.start_at AND {audited} < %s "
        f"GROUP BY specs.case_id"
    )
    params.extend([Outcome.CORRECT.value, Outcome.CORRECT.value, adapt(now)])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {case_id: (int(a), int(b), int(c), int(d)) for case_id, a, b, c, d in cursor.fetchall()}


def _orm_counts(specs: list[WindowSpec], now: datetime) -> dict[int, Counts]:
    """Conditional counts with the ORM, one query for all `specs` (for the rare slices with a list of tags)."""
    error = ~Q(outcome=Outcome.CORRECT)
    aggregates, windows = {}, []
    for index, spec in enumerate(specs):
        condition = slice_q(spec.slice)
        before = condition & Q(audited_at__gte=spec.start, audited_at__lt=spec.remediated_at)
        after = condition & Q(audited_at__gte=spec.remediated_at, audited_at__lt=now)
        aggregates[f"n_before_{index}"] = Count("id", filter=before)
        aggregates[f"e_before_{index}"] = Count("id", filter=before & error)
        aggregates[f"n_after_{index}"] = Count("id", filter=after)
        aggregates[f"e_after_{index}"] = Count("id", filter=after & error)
        windows.append(condition & Q(audited_at__gte=spec.start, audited_at__lt=now))
    totals = ModerationSample.objects.filter(reduce(or_, windows)).order_by().aggregate(**aggregates)
    return {
        spec.case_id: tuple(totals[f"{name}_{index}"] for name in ("n_before", "e_before", "n_after", "e_after"))
        for index, spec in enumerate(specs)
    }


def window_counts(specs: list[WindowSpec], now: datetime) -> dict[int, Counts]:
    """(audits before, errors before, audits after, errors after) per case; cases without audits are absent."""
    counts: dict[int, Counts] = {}
    by_shape: dict[tuple[str, ...], list[tuple[int, dict, WindowSpec]]] = defaultdict(list)
    tag_lists = []
    for spec in specs:
        if isinstance(spec.slice.get("tag"), list):
            tag_lists.append(spec)
            continue
        for values in _expanded(spec):
            by_shape[tuple(sorted(values))].append((spec.case_id, values, spec))
    batches = [
        _join_counts(keys, rows[offset : offset + JOIN_BATCH], now)
        for keys, rows in by_shape.items()
        for offset in range(0, len(rows), JOIN_BATCH)
    ]
    batches += [
        _orm_counts(tag_lists[offset : offset + JOIN_BATCH // 10], now)
        for offset in range(0, len(tag_lists), JOIN_BATCH // 10)
    ]
    for batch in batches:  # a case expanded into several rows may span batches: add up
        for case_id, values in batch.items():
            previous = counts.get(case_id, (0, 0, 0, 0))
            counts[case_id] = tuple(a + b for a, b in zip(previous, values, strict=True))
    return counts
