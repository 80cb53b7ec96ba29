"""Severity sorts most severe first: ascending is S1, S2, S3, S4 on the board and through the API (the codes are
stored as text and sort as their ranks do; see the comment on `CaseFilter.ordering`), and the board's Severity header
sorts ascending on its first click."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.choices import Severity
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
RANKS = ["S1", "S2", "S3", "S4"]


@pytest.fixture
def spread():
    """One case per severity, created least severe first so that neither the id nor the date gives the rank order."""
    return [CaseFactory(title=f"Sev case {code}", severity=code) for code in reversed(RANKS)]


def test_the_stored_codes_sort_as_the_ranks_do():
    assert sorted(Severity.values) == list(Severity.values) == RANKS


def _board_titles(client, ordering: str) -> list[str]:
    page = client.get(reverse("case-list"), {"ordering": ordering}).content.decode()
    return re.findall(r"Sev case (S\d)", page)


def test_the_board_sorted_by_severity_puts_s1_first(client, quality_lead, spread):
    client.force_login(quality_lead)

    assert _board_titles(client, "severity") == RANKS
    assert _board_titles(client, "-severity") == RANKS[::-1]


def test_the_board_severity_header_sorts_ascending_first_then_toggles(client, quality_lead, spread):
    client.force_login(quality_lead)

    unsorted = client.get(reverse("case-list")).content.decode()
    assert '<a class="sort" href="?ordering=severity">Severity</a>' in unsorted
    ascending = client.get(reverse("case-list"), {"ordering": "severity"}).content.decode()
    assert re.search(r'<a class="sort is-asc" href="\?ordering=-severity">Severity <span[^>]*>▲</span></a>', ascending)


def test_the_api_ordering_by_severity_puts_s1_first(quality_lead, spread):
    api = APIClient()
    api.force_authenticate(quality_lead)

    ascending = api.get("/api/v1/cases/", {"ordering": "severity"}).json()["results"]
    descending = api.get("/api/v1/cases/", {"ordering": "-severity"}).json()["results"]

    assert [row["severity"] for row in ascending] == RANKS
    assert [row["severity"] for row in descending] == RANKS[::-1]
