"""No N+1: each list endpoint runs a fixed number of queries, the same for a page of 5 rows and a page of 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Team
from rca.models import PatternSample
from tests.factories import (
    ActionItemFactory,
    ActivityFactory,
    CaseFactory,
    CaseSampleFactory,
    CommentFactory,
    DetectionRunFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ROWS = 100


def _queries(client, url: str, page_size: int) -> int:
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"{url}{separator}page_size={page_size}")
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == page_size
    return len(context.captured_queries)


@pytest.fixture
def many(db, quality_lead, shared_partner, policy_team):
    """ROWS of everything, each with the relations its serializer shows."""
    legal = Team.objects.get(slug="legal")
    owners = [UserFactory(role="quality_lead") for _ in range(3)]
    cases = []
    for n in range(ROWS):
        case = CaseFactory(
            owner=owners[n % 3], team=legal, shared_teams=[policy_team, legal], watchers=[owners[n % 3], quality_lead]
        )
        sample = ModerationSampleFactory()
        CaseSampleFactory(case=case, sample=sample)
        finding = FindingFactory(case=case, author=owners[n % 3])
        finding.evidence.add(sample)
        comment = CommentFactory(case=case, finding=finding, author=shared_partner)
        comment.mentions.add(quality_lead)
        ActionItemFactory(case=case, owner=shared_partner, team=policy_team)
        pattern = ErrorPatternFactory(last_run=DetectionRunFactory())
        PatternSample.objects.create(pattern=pattern, sample=sample)
        case.pattern = pattern
        case.save(update_fields=["pattern"])
        cases.append(case)
    timeline = cases[0]
    for _ in range(ROWS):
        ActivityFactory(case=timeline, actor=owners[0])
    return {"timeline": timeline}


# Queries of a request: the token and the user's roles (2), then the list's own. Cases: count, page, shared teams,
# watchers. Samples: the page (the cursor needs no count). Findings: count, page, evidence. Comments: count, page,
# mentions. Action items, patterns, detection runs: count, page. Activity: looking the case up, then count and page.
# A partner's requests read the user's teams once more (visibility).
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/cases/", 6),
        ("/api/v1/cases/?status=new&ordering=-due_at", 6),
        ("/api/v1/samples/", 3),
        ("/api/v1/samples/?market=ID", 3),
        ("/api/v1/findings/", 5),
        ("/api/v1/action-items/", 4),
        ("/api/v1/comments/", 5),
        ("/api/v1/patterns/", 4),
        ("/api/v1/detection-runs/", 4),
        ("activity", 7),
    ],
)
def test_list_endpoint_query_count_does_not_grow_with_the_page(lead_client, many, url, expected):
    if url == "activity":
        url = f"/api/v1/cases/{many['timeline'].pk}/activity/"

    assert (_queries(lead_client, url, 5), _queries(lead_client, url, ROWS)) == (expected, expected)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/cases/", 7),
        ("/api/v1/samples/", 4),
        ("/api/v1/findings/", 6),
        ("/api/v1/action-items/", 5),
        ("/api/v1/comments/", 6),
    ],
)
def test_list_endpoint_query_count_does_not_grow_for_a_partner(shared_partner_client, many, url, expected):
    assert (_queries(shared_partner_client, url, 5), _queries(shared_partner_client, url, ROWS)) == (expected, expected)


CASE_FILTERED = ["/api/v1/samples/", "/api/v1/findings/", "/api/v1/action-items/", "/api/v1/comments/"]


@pytest.mark.parametrize("path", CASE_FILTERED)
def test_a_case_filter_adds_one_query_the_visibility_check(shared_partner_client, shared_case, path):
    """`?case=` looks the case up among those the partner sees (`cases.filters.VisibleIdFilter`): one query more."""
    finding = FindingFactory(case=shared_case)
    CommentFactory(case=shared_case, finding=finding)
    ActionItemFactory(case=shared_case)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = shared_partner_client.get(url)
        assert response.status_code == 200 and len(response.json()["results"]) == 1, response.content
        return len(context.captured_queries)

    assert queries(f"{path}?case={shared_case.pk}") == queries(path) + 1
