"""The case list's rows on PostgreSQL (one hand-assembled query, `page_in_one_query`) are the rows the ORM reads
(`page_in_two_queries`), for every filter, ordering, page and role, and come with the right count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from cases import permissions
from cases.api.rows import CASE_ROW, page_in_one_query, page_in_two_queries
from cases.choices import CaseStatus, Severity
from cases.filters import CaseFilter
from cases.models import Case, Team
from tests.factories import CaseFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-query page is PostgreSQL's"),
]

QUERIES = [
    "",
    "status=investigating&severity=S3",
    "status=investigating&status=new",
    "severity=S1&ordering=-due_at",
    "ordering=severity",
    "ordering=-sample_count",
    "ordering=opened_at",
    "market=br&overdue=true",
    "overdue=false&ordering=due_at",
    "q=slang",
    "q=RCA-{first}",
    "q=100%25_off",
    "origin=detected",
    "opened_after=2026-01-01T00:00:00Z",
]


@pytest.fixture
def varied_cases(quality_lead):
    """Cases that differ in every column the filters read, with and without owner, team, shared teams and
    watchers, several sharing one opening time (so the order leans on the tie-breaker)."""
    teams = list(Team.objects.order_by("id"))
    watcher = UserFactory(role="partner", teams=[teams[0]])
    now = timezone.now()
    statuses = [CaseStatus.NEW, CaseStatus.INVESTIGATING, CaseStatus.CLOSED, CaseStatus.MONITORING]
    severities = [Severity.S1, Severity.S2, Severity.S3]
    cases = []
    for index in range(23):
        opened = now - timedelta(days=index // 3)  # three cases a day: ties on opened_at
        cases.append(
            CaseFactory(
                title=f"Case {index} slang" if index % 2 else f"Case {index} 100% off scam",
                status=statuses[index % len(statuses)],
                severity=severities[index % len(severities)],
                owner=quality_lead if index % 3 else None,
                team=teams[index % len(teams)] if index % 4 else None,
                shared_teams=teams[: index % 3],
                watchers=[watcher, quality_lead][: index % 3],
                market="BR" if index % 5 == 0 else "ID",
                sample_count=index % 7,
                opened_at=opened,
                due_at=opened + timedelta(days=1 if index % 2 else 30),
                closed_at=now if index % len(statuses) == 2 else None,
            )
        )
    return cases


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("role", ["quality_lead", "partner"])
def test_case_page_in_one_query_matches_the_orm(varied_cases, role, query, request):
    user = request.getfixturevalue("quality_lead") if role == "quality_lead" else _partner(varied_cases)
    data = QueryDict(query.format(first=varied_cases[0].pk))
    cases = CaseFilter(data, queryset=permissions.visible_cases(user)).qs
    total = cases.count()

    for bottom in (0, 5, 10, 20, 30):
        rows, count = page_in_one_query(cases, bottom, 5)

        assert rows == page_in_two_queries(cases, bottom, 5)
        assert count == (total if rows else None)
        assert all(len(row) == len(CASE_ROW) for row in rows)


def test_case_page_in_one_query_reads_related_ids_ascending(varied_cases):
    case = varied_cases[5]  # two shared teams, two watchers
    (row,), _ = page_in_one_query(Case.objects.filter(pk=case.pk), 0, 10)

    by_name = dict(zip(CASE_ROW, row, strict=True))
    assert by_name["shared_team_ids"] == sorted(team.pk for team in case.shared_teams.all())
    assert len(by_name["shared_team_ids"]) == 2
    assert by_name["watcher_ids"] == sorted(user.pk for user in case.watchers.all())
    assert by_name["owner_username"] == case.owner.username
    assert by_name["team_name"] == case.team.name


def test_case_page_in_one_query_of_nothing_is_empty_with_a_zero_count(varied_cases):
    assert page_in_one_query(Case.objects.none(), 0, 10) == ([], 0)
    assert page_in_one_query(Case.objects.filter(pk__in=[]), 0, 10) == ([], 0)


def _partner(cases: list[Case]):
    """A partner of the team the first shared cases are shared with: it sees some cases, not all."""
    team = Team.objects.order_by("id").first()
    partner = UserFactory(role="partner", teams=[team])
    assert 0 < permissions.visible_cases(partner).count() < len(cases)
    return partner


def test_case_page_asked_for_again_and_again_is_prepared_by_postgresql(varied_cases):
    """The same page asked for repeatedly on a connection is planned once (`config.database.preparable_cursor`),
    for the values written in it."""
    first = varied_cases[0].pk  # ids are never reused: no other test asked for this page
    cases = Case.objects.filter(pk__gte=first, status=CaseStatus.INVESTIGATING).order_by("-opened_at", "-pk")
    expected = page_in_two_queries(cases, 0, 5)
    assert expected

    for _ in range(connection.connection.prepare_threshold + 1):
        assert page_in_one_query(cases, 0, 5)[0] == expected

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%>= {first}%"])
        (statement,) = cursor.fetchall()
    assert "WITH ORDINALITY" in statement[0]
    assert "'investigating'" in statement[0]
