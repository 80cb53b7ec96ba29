"""The rows of the case list: what `CaseSerializer` reads, as tuples in the order of `CASE_ROW`, in as few queries
as the database allows.

On PostgreSQL a page is one query. The ORM writes only the two parts that depend on the request: the ids of the page
(the filtered, ordered cases, `LIMIT`/`OFFSET`) and the filtered cases to count. A fixed statement around them joins
the owner's username and the team's name, reads the ids of the shared teams and watchers as arrays, and counts.
Writing the whole statement with the ORM (joins, array subqueries, the count as an annotation) cost 0.7-2 ms of
Python a request, as much as PostgreSQL spends answering it (docs/performance.md, "API"). The statement runs with its
values written in, on a cursor psycopg prepares once the same page has been asked for a few times on a connection
(`config.database.preparable_cursor`): PostgreSQL then skips planning it.

Elsewhere (SQLite) the rows are a `.values_list()` query and the related ids a second one.

Table and column names in the fixed statement come from the models; what a client sends reaches only the ORM's part
(and is quoted by psycopg, as in every query Django sends).
"""

from collections import defaultdict
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, QuerySet, Value

from cases.models import Case, Team
from config.database import preparable_cursor

# The columns of a case that `CaseSerializer` reads, in the order it unpacks them.
CASE_ROW_COLUMNS = (
    "id", "title", "status", "severity", "owner_id", "team_id", "origin", "pattern_id", "sample_count", "due_at",
    "opened_at", "closed_at", "problem_statement", "policy_label", "market", "root_cause_category",
    "root_cause_statement", "resolution_reason", "duplicate_of_id", "reopen_count", "triaged_at", "investigating_at",
    "root_cause_identified_at", "remediating_at", "monitoring_at", "resolved_at", "reopened_at", "updated_at",
)  # fmt: skip
# What a row holds: those columns, then the joined names and the related ids (ascending).
CASE_ROW = (*CASE_ROW_COLUMNS, "owner_username", "team_name", "shared_team_ids", "watcher_ids")


def case_page(cases: QuerySet[Case], bottom: int, size: int) -> tuple[list[tuple], int | None]:
    """The rows (`CASE_ROW`) of `cases[bottom:bottom + size]`, in the order of `cases`, and how many cases `cases`
    holds when that came with them (on PostgreSQL, when the page has rows); `None` when it must be counted apart."""
    if connections[cases.db].vendor == "postgresql":
        return page_in_one_query(cases, bottom, size)
    return page_in_two_queries(cases, bottom, size), None


def page_in_one_query(cases: QuerySet[Case], bottom: int, size: int) -> tuple[list[tuple], int | None]:
    """PostgreSQL: the rows of the page and the count of `cases` (`None` when the page is empty: count apart)."""
    try:
        page_sql, page_params = _sql(cases.values("pk")[bottom : bottom + size])
        counted_sql, counted_params = _sql(cases.order_by().values("pk"))
    except EmptyResultSet:  # a filter that no row can meet (`.none()`, an empty `IN`)
        return [], 0
    connection = connections[cases.db]
    statement = _page_statement(cases.db).format(page=page_sql, counted=counted_sql)
    with preparable_cursor(connection) as cursor:
        cursor.execute(connection.ops.compose_sql(statement, (*counted_params, *page_params)))
        rows = cursor.fetchall()
    return [row[:-1] for row in rows], (rows[0][-1] if rows else None)


def page_in_two_queries(cases: QuerySet[Case], bottom: int, size: int) -> list[tuple]:
    """Any database: the rows of the page with the names joined, then the related ids of the page's cases."""
    rows = list(cases.values_list(*CASE_ROW_COLUMNS, "owner__username", "team__name")[bottom : bottom + size])
    if not rows:
        return rows
    related = relation_ids([row[0] for row in rows])
    return [(*row, *related[row[0]]) for row in rows]


def case_row(case: Case) -> tuple:
    """A case as a row of the list (`CASE_ROW`); `owner` and `team` are read from the case (select them), the ids
    of the shared teams and watchers with one query."""
    shared_team_ids, watcher_ids = relation_ids([case.pk])[case.pk]
    owner_username = case.owner.username if case.owner_id is not None else None
    team_name = case.team.name if case.team_id is not None else None
    return (
        *(getattr(case, name) for name in CASE_ROW_COLUMNS),
        owner_username,
        team_name,
        shared_team_ids,
        watcher_ids,
    )


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


@cache
def _page_statement(using: str) -> str:
    """`SELECT <CASE_ROW>, <count> FROM <the page's ids, in order> JOIN ...` with `{page}` and `{counted}` to fill in
    (`str.format`): the ids as an array keep the page's order (`WITH ORDINALITY`)."""
    quote = connections[using].ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def table(model) -> str:
        return quote(model._meta.db_table)

    owner_model = Case._meta.get_field("owner").related_model
    columns = ", ".join(f"c.{column(Case, name)}" for name in CASE_ROW_COLUMNS)
    related = []
    for through, target in ((Case.shared_teams.through, "team"), (Case.watchers.through, "user")):
        related.append(
            f"ARRAY(SELECT r.{column(through, target)} FROM {table(through)} r"
            f" WHERE r.{column(through, 'case')} = c.{column(Case, 'id')} ORDER BY r.{column(through, target)})"
        )
    return (
        f"SELECT {columns}, o.{column(owner_model, 'username')}, t.{column(Team, 'name')}, {', '.join(related)},"
        " (SELECT COUNT(*) FROM ({counted}) AS counted)"
        " FROM unnest(ARRAY({page})) WITH ORDINALITY AS page(id, position)"
        f" JOIN {table(Case)} c ON c.{column(Case, 'id')} = page.id"
        f" LEFT JOIN {table(owner_model)} o ON o.{column(owner_model, 'id')} = c.{column(Case, 'owner')}"
        f" LEFT JOIN {table(Team)} t ON t.{column(Team, 'id')} = c.{column(Case, 'team')}"
        " ORDER BY page.position"
    )


def relation_ids(case_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """The ids of the shared teams and of the watchers (each ascending) of each case, with one query for all of them
    (two prefetches would cost two queries and a model instance per team and watcher)."""
    kind = CharField()
    shared = Case.shared_teams.through.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "team_id", Value("shared", output_field=kind)
    )
    watching = Case.watchers.through.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "user_id", Value("watcher", output_field=kind)
    )
    relations: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, related_id, relation in shared.union(watching, all=True):
        relations[case_id, relation].append(related_id)
    return {
        case_id: (sorted(relations[case_id, "shared"]), sorted(relations[case_id, "watcher"])) for case_id in case_ids
    }
