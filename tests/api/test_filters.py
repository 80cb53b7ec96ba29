"""Every filter of every list endpoint: it keeps what matches and drops what does not; a bad value is a 400."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.evidence.filters import PatternFilter, SampleFilter
from cases.filters import ActionItemFilter, CaseFilter, CommentFilter, FindingFilter
from cases.models import Team
from rca.models import PatternSample
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    CaseSampleFactory,
    CommentFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The filter names of spec/api.md: a filter added to a FilterSet without a test here (or removed) fails this file.
SPEC_FILTERS = {
    SampleFilter: {
        "outcome", "market", "language", "decision_source", "model_version", "decision_label", "audit_label", "queue",
        "content_type", "tag", "audited_after", "audited_before", "verdict_in_doubt", "case", "pattern", "q",
    },
    CaseFilter: {
        "status", "severity", "owner", "team", "origin", "policy", "market", "opened_after", "opened_before",
        "overdue", "q", "ordering",
    },
    ActionItemFilter: {"case", "owner", "team", "status", "overdue"},
    FindingFilter: {"case", "status"},
    CommentFilter: {"case", "finding"},
    PatternFilter: {"status", "policy", "market", "case"},
}  # fmt: skip


@pytest.mark.parametrize("filterset", list(SPEC_FILTERS), ids=lambda f: f.__name__)
def test_filterset_has_exactly_the_documented_filters(filterset):
    assert set(filterset.base_filters) == SPEC_FILTERS[filterset]


def _ids(response) -> list:
    assert response.status_code == 200, response.content
    return [row.get("external_id", row.get("id")) for row in response.json()["results"]]


# SAMPLES
# ------------------------------------------------------------------------------

HOUR = timedelta(hours=1)
SAMPLE_CASES = {
    # filter: (query value, overrides of the matching sample); the other sample has the factory's defaults
    "outcome": (lambda: "false_positive", lambda: {"false_positive": True}),
    "market": (lambda: "br", lambda: {"market": "BR"}),
    "language": (lambda: "pt-BR", lambda: {"language": "pt-BR"}),
    "decision_source": (lambda: "human", lambda: {"human": True}),
    "model_version": (lambda: "live-clf-4.0", lambda: {"model_version": "live-clf-4.0"}),
    "decision_label": (lambda: "hate_speech", lambda: {"wrong_policy": True}),
    "audit_label": (lambda: "hate_speech", lambda: {"audit_label_id": "hate_speech"}),
    "queue": (lambda: "br_priority", lambda: {"queue": "br_priority"}),
    "content_type": (lambda: "video", lambda: {"content_type": "video"}),
    "tag": (lambda: "minor_present", lambda: {"tags": ";gaming;minor_present;"}),
    "audited_after": (
        lambda: (timezone.now() - HOUR).isoformat(),
        lambda: {"audited_at": timezone.now()},
    ),
    "audited_before": (
        lambda: (timezone.now() - 48 * HOUR).isoformat(),
        lambda: {"audited_at": timezone.now() - 72 * HOUR},
    ),
    "q": (lambda: "toy weapon", lambda: {"notes": "A toy weapon, not a real one"}),
    "verdict_in_doubt": (lambda: "true", lambda: {"verdict_in_doubt": True}),
}


@pytest.mark.parametrize("name", list(SAMPLE_CASES))
def test_sample_filter_keeps_only_matching_samples(lead_client, name):
    value, overrides = SAMPLE_CASES[name]
    ModerationSampleFactory(external_id="qa-hit", **overrides())
    ModerationSampleFactory(external_id="qa-miss")

    response = lead_client.get("/api/v1/samples/", {name: value()})

    assert _ids(response) == ["qa-hit"]


def test_sample_filter_outcome_is_repeatable(lead_client):
    ModerationSampleFactory(external_id="qa-fp", false_positive=True)
    ModerationSampleFactory(external_id="qa-fn")
    ModerationSampleFactory(external_id="qa-ok", correct=True)

    response = lead_client.get("/api/v1/samples/?outcome=false_positive&outcome=false_negative")

    assert sorted(_ids(response)) == ["qa-fn", "qa-fp"]


def test_sample_filter_case_and_pattern(lead_client):
    case, pattern = CaseFactory(), ErrorPatternFactory()
    CaseSampleFactory(case=case, sample=ModerationSampleFactory(external_id="qa-case"))
    PatternSample.objects.create(pattern=pattern, sample=ModerationSampleFactory(external_id="qa-pattern"))
    ModerationSampleFactory(external_id="qa-none")

    assert _ids(lead_client.get(f"/api/v1/samples/?case={case.pk}")) == ["qa-case"]
    assert _ids(lead_client.get(f"/api/v1/samples/?pattern={pattern.pk}")) == ["qa-pattern"]


@pytest.mark.parametrize(
    "query",
    [
        "outcome=mostly_right",
        "market=IDN",
        "decision_source=robot",
        "decision_label=no_such_label",
        "audit_label=",
        "content_type=gif",
        "audited_after=yesterday",
        "audited_before=2026-13-45",
        "verdict_in_doubt=perhaps",
        "case=abc",
        "case=1.5",
        "case=0",
        "case=99999999999999999999999",
        "pattern=-1",
        "q=" + "x" * 201,
    ],
)
def test_sample_filter_refuses_bad_values_with_400(lead_client, query):
    ModerationSampleFactory()

    response = lead_client.get(f"/api/v1/samples/?{query}")

    if query == "audit_label=":  # an empty value means "no filter", as in every HTML form
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()


# CASES
# ------------------------------------------------------------------------------


def test_case_filter_status_is_repeatable(lead_client):
    new, triage, closed = CaseFactory(), CaseFactory(status="triage"), CaseFactory(closed=True)

    response = lead_client.get("/api/v1/cases/?status=new&status=triage")

    assert sorted(_ids(response)) == sorted([new.pk, triage.pk])
    assert closed.pk not in _ids(response)


@pytest.mark.parametrize(
    ("name", "value", "hit", "miss"),
    [
        ("severity", lambda: "S1", {"severity": "S1"}, {"severity": "S3"}),
        ("origin", lambda: "detected", {"origin": "detected"}, {}),
        ("policy", lambda: "hate_speech", {"policy_label": "hate_speech"}, {}),
        ("market", lambda: "br", {"market": "BR"}, {}),
        ("opened_after", lambda: (timezone.now() - HOUR).isoformat(), {}, {"opened_at": timezone.now() - 48 * HOUR}),
        ("opened_before", lambda: (timezone.now() - HOUR).isoformat(), {"opened_at": timezone.now() - 48 * HOUR}, {}),
        ("overdue", lambda: "true", {"due_at": timezone.now() - HOUR}, {}),
        ("overdue", lambda: "false", {}, {"due_at": timezone.now() - HOUR}),
        ("q", lambda: "minors", {"title": "Minors in live battles"}, {}),
        ("q", lambda: "problem words", {"problem_statement": "These problem words"}, {}),
    ],
)
def test_case_filter_keeps_only_matching_cases(lead_client, name, value, hit, miss):
    hit_case = CaseFactory(**hit)
    CaseFactory(**miss)

    response = lead_client.get("/api/v1/cases/", {name: value()})

    assert _ids(response) == [hit_case.pk]


def test_case_filter_q_finds_a_case_by_its_key(lead_client):
    wanted = CaseFactory()
    CaseFactory()

    assert _ids(lead_client.get("/api/v1/cases/", {"q": f"rca-{wanted.pk}"})) == [wanted.pk]


def test_case_filter_owner_and_team(lead_client, quality_lead, policy_team):
    mine = CaseFactory(owner=quality_lead, team=policy_team)
    CaseFactory(owner=UserFactory(role="quality_lead"), team=Team.objects.get(slug="legal"))

    assert _ids(lead_client.get(f"/api/v1/cases/?owner={quality_lead.pk}")) == [mine.pk]
    assert _ids(lead_client.get(f"/api/v1/cases/?team={policy_team.pk}")) == [mine.pk]


def test_the_form_class_built_once_still_sees_users_added_after_it(lead_client, quality_lead):
    """The filter form class is built once per filter set (config.filters); its choice fields must still
    read their querysets afresh for every request."""
    assert lead_client.get(f"/api/v1/cases/?owner={quality_lead.pk}").status_code == 200
    newcomer = UserFactory(role="quality_lead")
    theirs = CaseFactory(owner=newcomer)

    response = lead_client.get(f"/api/v1/cases/?owner={newcomer.pk}")

    assert response.status_code == 200, response.json()
    assert _ids(response) == [theirs.pk]
    assert lead_client.get("/api/v1/cases/?owner=999999").status_code == 400


@pytest.mark.parametrize("field", ["opened_at", "due_at", "severity", "sample_count"])
def test_case_filter_orders_both_ways(lead_client, field):
    now = timezone.now()
    first = CaseFactory(opened_at=now - 2 * HOUR, due_at=now + HOUR, severity="S1", sample_count=1)
    second = CaseFactory(opened_at=now - HOUR, due_at=now + 2 * HOUR, severity="S2", sample_count=5)

    assert _ids(lead_client.get(f"/api/v1/cases/?ordering={field}")) == [first.pk, second.pk]
    assert _ids(lead_client.get(f"/api/v1/cases/?ordering=-{field}")) == [second.pk, first.pk]


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "severity=S0", "origin=alien", "policy=nope", "ordering=title", "overdue=perhaps", "owner=abc",
     "team=987654", "opened_after=tomorrow"],
)  # fmt: skip
def test_case_filter_refuses_bad_values_with_400(lead_client, query):
    response = lead_client.get(f"/api/v1/cases/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_case_list_serves_up_to_200_a_page(lead_client):
    CaseFactory.create_batch(201)

    response = lead_client.get("/api/v1/cases/?page_size=200")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 200
    assert response.json()["count"] == 201


@pytest.mark.parametrize("value", ["5000", "201", "0", "-1", "null", "1.5", "٣"])
def test_case_list_refuses_a_page_size_outside_1_to_200_with_400(lead_client, value):
    response = lead_client.get(f"/api/v1/cases/?page_size={value}")

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Enter a whole number from 1 to 200."]}


def test_case_list_pages_carry_the_count_and_their_links(lead_client):
    """The count comes back with the page (one query); every page number, `last`, and a page past the end or not a
    number behave as page-number pagination does."""
    cases = sorted(CaseFactory.create_batch(7), key=lambda case: (case.opened_at, case.pk), reverse=True)
    url = "/api/v1/cases/?page_size=3&ordering=-opened_at"

    pages = [lead_client.get(f"{url}&page={number}").json() for number in (1, 2, 3)]
    last = lead_client.get(f"{url}&page=last").json()

    assert [page["count"] for page in pages] == [7, 7, 7]
    assert [row["id"] for page in pages for row in page["results"]] == [case.pk for case in cases]
    assert pages[0]["previous"] is None and "page=2" in pages[0]["next"]
    assert "page=2" in pages[2]["previous"] and pages[2]["next"] is None
    assert last == pages[2]
    for page in ("4", "0", "-1", "two", "1.5", "²"):
        response = lead_client.get(f"{url}&page={page}")
        assert response.status_code == 404, page
        assert response.json()["detail"].startswith("Invalid page"), page


@pytest.mark.parametrize("ordering", ["sample_count", "-sample_count", "severity", "-severity", "due_at", "-due_at"])
def test_case_list_pages_through_cases_that_tie_on_the_sort_field(lead_client, ordering):
    """Every case exactly once across the pages, even when all of them tie on the field sorted by (PostgreSQL's top-N
    sort orders ties differently for each LIMIT / OFFSET unless the primary key settles them)."""
    cases = CaseFactory.create_batch(60, severity="S3", sample_count=2)
    seen = []
    for page in range(1, 10):
        response = lead_client.get(f"/api/v1/cases/?ordering={ordering}&page_size=7&page={page}")
        assert response.status_code == 200
        seen += [row["id"] for row in response.json()["results"]]
        if response.json()["next"] is None:
            break

    assert sorted(seen) == sorted(case.pk for case in cases)


def test_case_list_of_nothing_is_an_empty_first_page(lead_client):
    CaseFactory(status="new")

    response = lead_client.get("/api/v1/cases/?status=closed")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


# ACTION ITEMS, FINDINGS, COMMENTS, PATTERNS
# ------------------------------------------------------------------------------


def test_action_item_filters(lead_client, quality_lead, policy_team):
    case = CaseFactory()
    mine = ActionItemFactory(case=case, owner=quality_lead, team=policy_team, due_at=timezone.now() - HOUR)
    done = ActionItemFactory(done=True)

    assert _ids(lead_client.get(f"/api/v1/action-items/?case={case.pk}")) == [mine.pk]
    assert _ids(lead_client.get(f"/api/v1/action-items/?owner={quality_lead.pk}")) == [mine.pk]
    assert _ids(lead_client.get(f"/api/v1/action-items/?team={policy_team.pk}")) == [mine.pk]
    assert _ids(lead_client.get("/api/v1/action-items/?status=done")) == [done.pk]
    assert sorted(_ids(lead_client.get("/api/v1/action-items/?status=done&status=open"))) == [mine.pk, done.pk]
    assert _ids(lead_client.get("/api/v1/action-items/?overdue=true")) == [mine.pk]
    assert _ids(lead_client.get("/api/v1/action-items/?overdue=false")) == [done.pk]
    assert lead_client.get("/api/v1/action-items/?status=late").status_code == 400


def test_finding_filters(lead_client):
    finding = FindingFactory(status="confirmed")
    FindingFactory()

    assert _ids(lead_client.get(f"/api/v1/findings/?case={finding.case_id}")) == [finding.pk]
    assert _ids(lead_client.get("/api/v1/findings/?status=confirmed")) == [finding.pk]
    assert lead_client.get("/api/v1/findings/?case=x").status_code == 400


def test_comment_filters(lead_client):
    finding = FindingFactory()
    on_finding = CommentFactory(case=finding.case, finding=finding)
    on_case = CommentFactory(case=finding.case)
    CommentFactory()

    assert sorted(_ids(lead_client.get(f"/api/v1/comments/?case={finding.case_id}"))) == [on_finding.pk, on_case.pk]
    assert _ids(lead_client.get(f"/api/v1/comments/?finding={finding.pk}")) == [on_finding.pk]
    assert lead_client.get("/api/v1/comments/?finding=-3").status_code == 400


def test_pattern_filters(lead_client):
    hit = ErrorPatternFactory(policy_label="hate_speech", market="BR", status="dormant")
    ErrorPatternFactory()
    case = CaseFactory(pattern=hit)

    for query in ("status=dormant", "policy=hate_speech", "market=br", f"case={case.pk}"):
        assert _ids(lead_client.get(f"/api/v1/patterns/?{query}")) == [hit.pk], query
    assert lead_client.get("/api/v1/patterns/?status=gone").status_code == 400


@pytest.mark.parametrize(
    "value",
    ["0104-01-16T15:23:19.410407+16:16", "2026-01-01T00:00:00-23:59", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
)
@pytest.mark.parametrize(("path", "name"), [("/api/v1/cases/", "opened_after"), ("/api/v1/samples/", "audited_before")])
def test_filters_out_of_range_datetimes_are_a_400_not_a_500(lead_client, path, name, value):
    response = lead_client.get(path, {name: value})

    assert response.status_code == 400
    assert name in response.json()


# FILTERS THAT NAME A CASE, FINDING OR PATTERN: ONLY WHAT THE USER SEES
# ------------------------------------------------------------------------------


@pytest.fixture
def hidden_case(shared_case):
    """A case not shared with the Policy team, holding the sample the Policy partner sees through `shared_case`, and a
    finding, a comment on it and an action item: what a filter by this case would give away."""
    case = CaseFactory()
    CaseSampleFactory(case=case, sample=shared_case.samples.get())
    finding = FindingFactory(case=case)
    CommentFactory(case=case, finding=finding)
    ActionItemFactory(case=case)
    return case


def _unknown_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


NAMED_FILTERS = [
    ("/api/v1/samples/", "case"),
    ("/api/v1/findings/", "case"),
    ("/api/v1/action-items/", "case"),
    ("/api/v1/comments/", "case"),
    ("/api/v1/comments/", "finding"),
]


@pytest.mark.parametrize(("path", "name"), NAMED_FILTERS)
def test_a_record_the_partner_may_not_see_is_answered_as_one_that_does_not_exist(
    shared_partner_client, hidden_case, path, name
):
    hidden = hidden_case if name == "case" else hidden_case.findings.get()
    unknown = _unknown_id(type(hidden))

    invisible = shared_partner_client.get(path, {name: hidden.pk})
    nonexistent = shared_partner_client.get(path, {name: unknown})

    assert (invisible.status_code, invisible.json()) == (400, {name: [f"No such {name}."]})
    assert (nonexistent.status_code, nonexistent.json()) == (invisible.status_code, invisible.json())


@pytest.mark.parametrize(("path", "name"), NAMED_FILTERS)
def test_a_record_the_partner_sees_still_filters(shared_partner_client, shared_case, hidden_case, path, name):
    finding = FindingFactory(case=shared_case)
    rows = {
        "/api/v1/samples/": ["qa-shared-1"],
        "/api/v1/findings/": [finding.pk],
        "/api/v1/action-items/": [ActionItemFactory(case=shared_case).pk],
        "/api/v1/comments/": [CommentFactory(case=shared_case, finding=finding).pk],
    }[path]

    response = shared_partner_client.get(path, {name: shared_case.pk if name == "case" else finding.pk})

    assert _ids(response) == rows


def test_a_lead_filters_by_any_case(lead_client, hidden_case):
    assert _ids(lead_client.get("/api/v1/samples/", {"case": hidden_case.pk})) == ["qa-shared-1"]
    assert len(_ids(lead_client.get("/api/v1/findings/", {"case": hidden_case.pk}))) == 1


def test_a_pattern_is_a_valid_choice_only_for_those_who_see_patterns(lead_client, shared_partner_client, shared_case):
    pattern = ErrorPatternFactory()
    PatternSample.objects.create(pattern=pattern, sample=shared_case.samples.get())

    invisible = shared_partner_client.get("/api/v1/samples/", {"pattern": pattern.pk})
    nonexistent = shared_partner_client.get("/api/v1/samples/", {"pattern": _unknown_id(type(pattern))})

    assert _ids(lead_client.get("/api/v1/samples/", {"pattern": pattern.pk})) == ["qa-shared-1"]
    assert (invisible.status_code, invisible.json()) == (400, {"pattern": ["No such pattern."]})
    assert (nonexistent.status_code, nonexistent.json()) == (invisible.status_code, invisible.json())


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "Enter a whole number."), ("1.5", "Enter a whole number."), ("0", "No such case."),
     ("99999999999999999999999", "No such case.")],
)  # fmt: skip
def test_a_case_filter_that_is_no_id_says_so(lead_client, value, message):
    response = lead_client.get("/api/v1/findings/", {"case": value})

    assert (response.status_code, response.json()) == (400, {"case": [message]})


# The pages build the same filter sets with the request: the samples explorer and the case room's linked samples.


@pytest.fixture
def partner_page(client, shared_partner):
    client.force_login(shared_partner)
    return client


def test_the_samples_explorer_answers_an_invisible_case_as_an_unknown_one(partner_page, shared_case, hidden_case):
    invisible = partner_page.get("/samples/", {"case": hidden_case.pk})
    nonexistent = partner_page.get("/samples/", {"case": _unknown_id(type(hidden_case))})

    for response in (invisible, nonexistent):
        assert response.status_code == 400
        assert response.context["explorer"].rows == []
        assert response.context["explorer"].filterset.errors == {"case": ["No such case."]}
        assert b"qa-shared-1" not in response.content
    assert partner_page.get("/samples/", {"case": shared_case.pk}).context["explorer"].rows  # its own case still works


@pytest.mark.parametrize("name", ["case", "pattern"])
def test_the_case_room_sample_filter_answers_an_invisible_record_as_an_unknown_one(
    partner_page, shared_case, hidden_case, name
):
    hidden = hidden_case
    if name == "pattern":
        hidden = ErrorPatternFactory()
        PatternSample.objects.create(pattern=hidden, sample=shared_case.samples.get())

    rooms = [
        partner_page.get(f"/cases/{shared_case.pk}/", {name: value}).context["room"]
        for value in (hidden.pk, _unknown_id(type(hidden)))
    ]

    for room in rooms:
        assert list(room.samples.object_list) == []
        assert room.sample_filter.errors == {name: [f"No such {name}."]}


def test_a_field_built_without_a_request_is_not_reused_for_a_request(lead_client, hidden_case):
    """The schema generator builds the form fields of the filter sets' class-level filters, with no request (so no
    visible case); a request's filter set must still build its own, for its user."""
    for filterset in (SampleFilter, FindingFilter, ActionItemFilter, CommentFilter, PatternFilter):
        assert list(filterset.base_filters["case"].field.queryset) == []

    assert _ids(lead_client.get("/api/v1/findings/", {"case": hidden_case.pk})) == [hidden_case.findings.get().pk]
