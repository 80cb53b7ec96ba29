"""Related values as an array column of the same query (PostgreSQL), from a fixed SQL template.

`ARRAY(SELECT <column> FROM <table> WHERE <key> = <outer> ORDER BY <column>)` is what Django's `ArraySubquery` writes
for a one-table subquery, but `ArraySubquery` compiles a whole second query each time it is used: a millisecond or
more on the busiest requests (docs/performance.md, "API"). These compile at the cost of a template. Table and column
names come from the models; nothing a client sends goes into the template.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import F, Field, Func, IntegerField, Model


def column_array(
    model: type[Model], *, column: str, key: str, outer: str, using: str, base_field: Field | None = None
) -> Func:
    """The values of `model.column` in the rows whose `key` column equals the outer query's field `outer`."""
    quote = connections[using].ops.quote_name
    return Func(
        F(outer),
        template="ARRAY(SELECT %(column)s FROM %(table)s WHERE %(key)s = %(expressions)s ORDER BY %(column)s)",
        column=quote(model._meta.get_field(column).column),
        table=quote(model._meta.db_table),
        key=quote(model._meta.get_field(key).column),
        output_field=ArrayField(base_field or IntegerField()),
    )
