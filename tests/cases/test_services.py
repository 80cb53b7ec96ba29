"""The write services: what each one changes, what it records on the timeline, and whom it refuses."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.choices import ActionItemStatus, ActivityVerb, CaseOrigin, CaseStatus, FindingStatus, LinkSource
from cases.models import Activity, CaseSample
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    FindingFactory,
    ModerationSampleFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _verbs(case):
    return list(Activity.objects.filter(case=case).values_list("verb", flat=True))


def test_case_open_links_samples_and_sets_the_sla_due_date(quality_lead, settings):
    samples = [ModerationSampleFactory(market="BR"), ModerationSampleFactory(market="BR"), ModerationSampleFactory()]

    case = services.case_open(
        actor=quality_lead, title="  Reclaimed terms over-enforced ", samples=samples, severity="S2"
    )

    assert case.title == "Reclaimed terms over-enforced"
    assert case.status == CaseStatus.NEW and case.origin == CaseOrigin.MANUAL
    assert case.due_at - case.opened_at == timedelta(days=settings.CASE_SLA_DAYS["S2"])
    assert case.sample_count == 3
    assert (case.policy_label, case.market) == ("bullying_harassment", "BR")
    assert set(CaseSample.objects.filter(case=case).values_list("linked_by", "source")) == {
        (quality_lead.pk, LinkSource.MANUAL)
    }
    assert list(case.watchers.all()) == [quality_lead]
    assert _verbs(case) == [ActivityVerb.OPENED, ActivityVerb.ASSIGNED, ActivityVerb.SAMPLES_LINKED]


def test_case_open_breaks_a_market_tie_by_the_value(quality_lead):
    samples = [ModerationSampleFactory(market=market) for market in ("FR", "DE", "FR", "DE")]

    case = services.case_open(actor=quality_lead, title="Tied markets", samples=samples)

    assert case.market == "DE"  # the alphabetical first of the tied values


def test_case_open_with_an_owner_records_and_notifies_the_assignment(
    quality_lead, mailoutbox, django_capture_on_commit_callbacks
):
    from cases.models import Notification

    owner = UserFactory(username="lead2", role="quality_lead", email="lead2@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(actor=None, title="Detected pattern", owner=owner)

    assert _verbs(case) == [ActivityVerb.OPENED, ActivityVerb.ASSIGNED]
    assert owner in case.watchers.all()
    assert Notification.objects.filter(recipient=owner, case=case).count() == 1
    assert [message.to for message in mailoutbox] == [["lead2@example.com"]]


@pytest.mark.parametrize("role", ["partner", "manager", "outsider"])
def test_case_open_refused_for_non_quality_leads(role, request):
    with pytest.raises(PermissionDenied):
        services.case_open(actor=request.getfixturevalue(role), title="Nope")


def test_case_open_rejects_an_unknown_severity_and_an_empty_title(quality_lead):
    with pytest.raises(ValidationError, match="severity"):
        services.case_open(actor=quality_lead, title="x", severity="S9")
    with pytest.raises(ValidationError, match="title"):
        services.case_open(actor=quality_lead, title="   ")


def test_case_link_samples_skips_already_linked_and_keeps_the_count(quality_lead):
    case = services.case_open(actor=quality_lead, title="Case", samples=[first := ModerationSampleFactory()])
    second = ModerationSampleFactory()

    linked = services.case_link_samples(case=case, samples=[first, second], actor=quality_lead)
    again = services.case_link_samples(case=case, samples=[first, second], actor=quality_lead)

    assert linked == [second]
    assert again == []
    case.refresh_from_db()
    assert case.sample_count == 2
    assert _verbs(case).count(ActivityVerb.SAMPLES_LINKED) == 2  # the opening link and the one new sample


def test_case_unlink_samples_removes_links_and_records_it(quality_lead):
    samples = [ModerationSampleFactory(), ModerationSampleFactory()]
    case = services.case_open(actor=quality_lead, title="Case", samples=samples)

    removed = services.case_unlink_samples(case=case, samples=[samples[0]], actor=quality_lead)

    case.refresh_from_db()
    assert removed == 1 and case.sample_count == 1
    entry = Activity.objects.filter(case=case, verb=ActivityVerb.SAMPLES_UNLINKED).get()
    assert entry.data["external_ids"] == [samples[0].external_id]


def test_case_update_severity_recomputes_the_due_date_and_records_changes(quality_lead, settings):
    case = services.case_open(actor=quality_lead, title="Case", severity="S4")

    case = services.case_update(case=case, actor=quality_lead, severity="S1", title="Urgent case")

    assert case.due_at - case.opened_at == timedelta(days=settings.CASE_SLA_DAYS["S1"])
    entry = Activity.objects.get(case=case, verb=ActivityVerb.UPDATED)
    assert entry.data["changes"] == {
        "severity": {"from": "S4", "to": "S1"},
        "title": {"from": "Case", "to": "Urgent case"},
    }


def test_case_update_refuses_status_and_unknown_fields(quality_lead):
    case = CaseFactory()

    with pytest.raises(ValidationError, match="status"):
        services.case_update(case=case, actor=quality_lead, status=CaseStatus.CLOSED)

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_case_assign_requires_a_quality_lead_owner_who_then_watches(quality_lead, partner):
    case = CaseFactory()
    other_lead = UserFactory(username="lead2", role="quality_lead")

    with pytest.raises(ValidationError, match="not a quality lead"):
        services.case_assign(case=case, owner=partner, actor=quality_lead)
    services.case_assign(case=case, owner=other_lead, actor=quality_lead)

    case.refresh_from_db()
    assert case.owner == other_lead
    assert other_lead in case.watchers.all()
    assert Activity.objects.get(case=case, verb=ActivityVerb.ASSIGNED).data["owner"] == "lead2"


def test_case_open_refuses_an_owner_who_may_not_own_a_case(quality_lead, partner):
    retired = UserFactory(username="retired", role="quality_lead", is_active=False)

    with pytest.raises(ValidationError, match="not a quality lead"):
        services.case_open(actor=quality_lead, title="Owned by a partner", owner=partner)
    with pytest.raises(ValidationError, match="no longer active"):
        services.case_open(actor=quality_lead, title="Owned by a former lead", owner=retired)

    assert not Activity.objects.exists()


def test_case_assign_refuses_an_inactive_quality_lead(quality_lead):
    case = CaseFactory()
    retired = UserFactory(username="retired", role="quality_lead", is_active=False)

    with pytest.raises(ValidationError, match="no longer active"):
        services.case_assign(case=case, owner=retired, actor=quality_lead)

    case.refresh_from_db()
    assert case.owner is None


def test_action_item_update_partner_may_change_only_the_partner_editable_fields(partner):
    item = ActionItemFactory(owner=partner, title="Retrain reviewers")

    services.action_item_update(item=item, actor=partner, status=ActionItemStatus.IN_PROGRESS, description="Booked")
    with pytest.raises(PermissionDenied, match="description and status"):
        services.action_item_update(item=item, actor=partner, title="Something else")

    item.refresh_from_db()
    assert (item.status, item.description, item.title) == (ActionItemStatus.IN_PROGRESS, "Booked", "Retrain reviewers")


def test_case_record_pattern_routes_to_a_superuser_lead_of_the_team():
    from tests.factories import ErrorPatternFactory

    team = TeamFactory(name="Safety", slug="safety", policy_areas=["safety_civility"])
    root = UserFactory(username="root", is_superuser=True, teams=[team])
    busy = UserFactory(username="busy", role="quality_lead", teams=[team])
    CaseFactory(owner=busy)

    case, _ = services.case_record_pattern(pattern=ErrorPatternFactory(policy_area="safety_civility"), samples=[])

    assert (case.team, case.owner) == (team, root)


def test_case_share_sets_teams_so_their_partners_see_the_case(quality_lead):
    from cases.permissions import can_view_case

    legal = TeamFactory(name="Legal", slug="legal")
    lawyer = UserFactory(username="lawyer", role="partner", teams=[legal])
    case = CaseFactory()

    services.case_share(case=case, teams=[legal], actor=quality_lead)

    assert can_view_case(lawyer, case)
    assert Activity.objects.get(case=case, verb=ActivityVerb.SHARED).data == {"teams": ["Legal"]}


def test_finding_create_and_update_record_each_change(quality_lead):
    case = CaseFactory()
    evidence = [ModerationSampleFactory()]

    finding = services.finding_create(
        case=case, actor=quality_lead, statement="Slang not in lexicon", evidence=evidence
    )
    services.finding_update(finding=finding, actor=quality_lead, status=FindingStatus.CONFIRMED)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED
    assert list(finding.evidence.all()) == evidence
    assert _verbs(case) == [ActivityVerb.FINDING_ADDED, ActivityVerb.FINDING_UPDATED]


def test_action_item_update_partner_may_change_status_of_own_item_only(partner, quality_lead):
    item = ActionItemFactory(owner=partner)
    others = ActionItemFactory()

    services.action_item_update(item=item, actor=partner, status=ActionItemStatus.DONE)
    with pytest.raises(PermissionDenied):
        services.action_item_update(item=item, actor=partner, title="Renamed")
    with pytest.raises(PermissionDenied):
        services.action_item_update(item=others, actor=partner, status=ActionItemStatus.DONE)

    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE and item.completed_at is not None
    assert item.title != "Renamed"
    assert ActionItemFactory._meta.model.objects.get(pk=others.pk).status == ActionItemStatus.OPEN


def test_action_item_update_reopening_clears_completed_at(quality_lead):
    item = ActionItemFactory(done=True)

    services.action_item_update(item=item, actor=quality_lead, status=ActionItemStatus.IN_PROGRESS)

    item.refresh_from_db()
    assert item.completed_at is None


def test_action_item_create_validates_kind_and_records(quality_lead, partner):
    case = CaseFactory()

    with pytest.raises(ValidationError, match="kind"):
        services.action_item_create(case=case, actor=quality_lead, title="x", kind="magic")
    item = services.action_item_create(case=case, actor=quality_lead, title="Retrain", kind="model_fix", owner=partner)

    assert item.created_by == quality_lead
    assert _verbs(case) == [ActivityVerb.ACTION_ITEM_ADDED]


def test_comment_create_renders_safe_markdown_and_records_mentions(quality_lead):
    ana = UserFactory(username="ana", role="partner")
    case = CaseFactory(watchers=[ana])
    body = "**Agreed** @ana and @Ana. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"

    comment = services.comment_create(case=case, actor=quality_lead, body=body)

    assert "<strong>Agreed</strong>" in comment.body_html
    assert "<script" not in comment.body_html and "onerror" not in comment.body_html
    assert "javascript:" not in comment.body_html
    assert list(comment.mentions.all()) == [ana]
    assert _verbs(case) == [ActivityVerb.COMMENTED]


def test_comment_create_refused_for_users_who_cannot_see_the_case(partner):
    case = CaseFactory()

    with pytest.raises(PermissionDenied):
        services.comment_create(case=case, actor=partner, body="hello")


def test_comment_create_on_a_finding_of_another_case_is_rejected(quality_lead):
    with pytest.raises(ValidationError, match="another case"):
        services.comment_create(case=CaseFactory(), actor=quality_lead, body="hi", finding=FindingFactory())
