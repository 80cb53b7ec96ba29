"""The rows of the case list: what `CaseSerializer` reads, in as few queries as the database allows."""

from collections import defaultdict

from django.db import connections
from django.db.models import CharField, F, QuerySet, Value

from cases.api.serializers import CASE_ROW_COLUMNS
from cases.arrays import column_array
from cases.models import Case


def case_rows(queryset: QuerySet[Case]) -> QuerySet:
    """The cases as `.values()` rows holding what `CaseSerializer` reads: the owner's username and the team's name
    joined, and on PostgreSQL the ids of the shared teams and watchers as arrays, all in one query (elsewhere
    `with_relation_ids` adds them with a second query)."""
    joined = {"owner_username": F("owner__username"), "team_name": F("team__name")}
    if connections[queryset.db].vendor == "postgresql":
        through = {"key": "case", "outer": "pk", "using": queryset.db}
        joined["shared_team_ids"] = column_array(Case.shared_teams.through, column="team", **through)
        joined["watcher_ids"] = column_array(Case.watchers.through, column="user", **through)
    return queryset.values(*CASE_ROW_COLUMNS, **joined)


def with_relation_ids(cases: list[Case] | list[dict]) -> list[Case] | list[dict]:
    """Set `shared_team_ids` and `watcher_ids` on each case (a model instance or a row) that lacks them, with one
    query for the whole page (two prefetches would cost two queries and a model instance per team and watcher)."""
    fields = [case if isinstance(case, dict) else case.__dict__ for case in cases]
    missing = {row["id"]: row for row in fields if "shared_team_ids" not in row}
    if not missing:
        return cases
    kind = CharField()
    shared = Case.shared_teams.through.objects.filter(case_id__in=missing).values_list(
        "case_id", "team_id", Value("shared", output_field=kind)
    )
    watching = Case.watchers.through.objects.filter(case_id__in=missing).values_list(
        "case_id", "user_id", Value("watcher", output_field=kind)
    )
    relations: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, related_id, relation in shared.union(watching, all=True):
        relations[case_id, relation].append(related_id)
    for case_id, row in missing.items():
        row["shared_team_ids"] = sorted(relations[case_id, "shared"])
        row["watcher_ids"] = sorted(relations[case_id, "watcher"])
    return cases
