"""Database expressions the reports need and Django does not ship: days between two timestamps, and a continuous
percentile aggregate (PostgreSQL's `percentile_cont`), with the pure-Python percentile used where the database has none.
"""

from math import ceil, floor

from django.db import NotSupportedError
from django.db.models import Aggregate, Field, FloatField, Func


class DaysBetween(Func):
    """`end - start` in (fractional) days, as a float; NULL when either is NULL."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"DaysBetween has no SQL for {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        # date_part() is double precision; EXTRACT() is numeric since PostgreSQL 14, and several times slower.
        return super().as_sql(
            compiler,
            connection,
            template="(date_part('epoch', %(expressions)s) / 86400.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"(julianday({end_sql}) - julianday({start_sql}))", [*end_params, *start_params]


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(ARRAY[f1, f2...]) WITHIN GROUP (ORDER BY expression)`: several continuous
    percentiles from one sort, as a list of floats (None for a group without values). NULLs are ignored, and each value
    is interpolated linearly between the two nearest ranks (the same definition as `percentile_cont` below)."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = Field()  # a float8[]: the driver's list, unconverted
    template = "%(function)s(ARRAY[%(fractions)s]::double precision[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, fractions: tuple[float, ...], **extra):
        if not fractions or not all(0 <= fraction <= 1 for fraction in fractions):
            raise ValueError("Percentile fractions are between 0 and 1.")
        super().__init__(expression, fractions=", ".join(repr(float(fraction)) for fraction in fractions), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotSupportedError("percentile_cont is PostgreSQL only; use percentile_cont() on sorted values.")
        return super().as_sql(compiler, connection, **extra_context)


def percentile_cont(sorted_values: list[float], fraction: float) -> float | None:
    """The continuous percentile of already sorted values (None for none), as PostgreSQL's `percentile_cont`."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower, upper = floor(position), ceil(position)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)
