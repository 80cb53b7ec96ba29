"""The admin writes through the services: a change made there leaves a timeline entry, or the admin refuses it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import ActionItemStatus, ActivityVerb, FindingStatus
from cases.models import ActionItem, Activity, Case, CaseSample, Comment, Finding
from rca.models import ModerationSample, PatternSample, PolicyLabel
from tests.factories import (
    ActionItemFactory,
    ActivityFactory,
    CaseFactory,
    CommentFactory,
    DetectionRunFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    SampleRevealFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _refused(client, app: str, model: str, pk: int, data: dict) -> list[int]:
    """The status codes of the add page, a change and a delete of one row."""
    return [
        client.get(reverse(f"admin:{app}_{model}_add")).status_code,
        client.post(reverse(f"admin:{app}_{model}_change", args=[pk]), data).status_code,
        client.post(reverse(f"admin:{app}_{model}_delete", args=[pk]), {"post": "yes"}).status_code,
    ]


# FINDINGS AND ACTION ITEMS: CHANGED THROUGH THEIR SERVICE
# ------------------------------------------------------------------------------


def test_admin_finding_change_goes_through_finding_update(client, root):
    finding = FindingFactory(statement="Slang misread", status=FindingStatus.HYPOTHESIS)

    response = client.post(
        reverse("admin:cases_finding_change", args=[finding.pk]),
        {"statement": "Slang misread", "status": FindingStatus.CONFIRMED},
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED
    entry = Activity.objects.get(case=finding.case)
    assert (entry.verb, entry.actor, entry.data["finding_id"]) == (ActivityVerb.FINDING_UPDATED, root, finding.pk)
    assert entry.data["changes"] == {"status": {"from": "hypothesis", "to": "confirmed"}}


def test_admin_action_item_change_goes_through_action_item_update(client, root):
    due = timezone.localtime(timezone.now() + timedelta(days=3)).replace(microsecond=0)
    item = ActionItemFactory(title="Retrain reviewers", due_at=due)

    response = client.post(
        reverse("admin:cases_actionitem_change", args=[item.pk]),
        {
            "title": "Retrain reviewers", "description": "", "kind": item.kind, "owner": "", "team": "",
            "due_at_0": due.date().isoformat(), "due_at_1": due.time().isoformat(), "status": ActionItemStatus.DONE,
        },
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE and item.completed_at is not None  # the service's stamp
    entry = Activity.objects.get(case=item.case)
    assert (entry.verb, entry.actor) == (ActivityVerb.ACTION_ITEM_UPDATED, root)
    assert entry.data["changes"] == {"status": {"from": "open", "to": "done"}}


def test_admin_refuses_to_add_or_delete_findings_and_action_items(client, root):
    finding, item = FindingFactory(), ActionItemFactory()

    codes = [
        client.get(reverse("admin:cases_finding_add")).status_code,
        client.get(reverse("admin:cases_actionitem_add")).status_code,
        client.post(reverse("admin:cases_finding_delete", args=[finding.pk]), {"post": "yes"}).status_code,
        client.post(reverse("admin:cases_actionitem_delete", args=[item.pk]), {"post": "yes"}).status_code,
    ]

    assert codes == [403, 403, 403, 403]
    assert Finding.objects.filter(pk=finding.pk).exists() and ActionItem.objects.filter(pk=item.pk).exists()
    assert not Activity.objects.exists()


def test_admin_lets_a_staff_member_who_is_not_a_quality_lead_look_but_not_change(client):
    staff = UserFactory(username="ops-admin", role="manager", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_finding", "change_finding"]))
    finding = FindingFactory(status=FindingStatus.HYPOTHESIS)
    client.force_login(staff)

    page = client.get(reverse("admin:cases_finding_change", args=[finding.pk]))
    change = client.post(
        reverse("admin:cases_finding_change", args=[finding.pk]),
        {"statement": finding.statement, "status": FindingStatus.REJECTED},
    )

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert change.status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.HYPOTHESIS and not Activity.objects.exists()


# READ-ONLY: CASES, LINKS, COMMENTS, TIMELINE
# ------------------------------------------------------------------------------


def test_admin_case_sample_links_are_read_only_so_the_sample_count_stays_right(client, root, quality_lead):
    case = services.case_open(actor=quality_lead, title="Two samples", samples=ModerationSampleFactory.create_batch(2))
    link = CaseSample.objects.filter(case=case).first()
    entries = Activity.objects.filter(case=case).count()

    codes = _refused(client, "cases", "casesample", link.pk, {"case": case.pk, "sample": link.sample_id})

    assert codes == [403, 403, 403]
    case.refresh_from_db()
    assert case.sample_count == CaseSample.objects.filter(case=case).count() == 2
    assert Activity.objects.filter(case=case).count() == entries


def test_admin_comments_are_read_only(client, root):
    comment = CommentFactory(body="Original")

    codes = _refused(client, "cases", "comment", comment.pk, {"case": comment.case_id, "body": "Rewritten"})

    assert codes == [403, 403, 403]
    assert Comment.objects.get(pk=comment.pk).body == "Original"


@pytest.mark.parametrize("model", ["case", "activity"])
def test_admin_cases_and_timeline_are_read_only(client, root, model):
    row = CaseFactory(title="Kept") if model == "case" else ActivityFactory()

    codes = _refused(client, "cases", model, row.pk, {"title": "Changed", "verb": "updated"})

    assert codes == [403, 403, 403]
    assert Case.objects.filter(title="Kept").exists() if model == "case" else Activity.objects.filter(pk=row.pk)


def test_admin_case_page_shows_findings_and_action_items_read_only(client, root):
    case = CaseFactory()
    FindingFactory(case=case, statement="Visible finding")
    ActionItemFactory(case=case, title="Visible item")

    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))

    assert page.status_code == 200
    assert b"Visible finding" in page.content and b"Visible item" in page.content
    assert all(not formset.has_change_permission for formset in page.context["inline_admin_formsets"])


# THE EVIDENCE (rca/admin.py)
# ------------------------------------------------------------------------------


def test_admin_sample_labels_cannot_be_edited(client, root):
    sample = ModerationSampleFactory()
    audit_label = sample.audit_label_id

    codes = _refused(client, "rca", "moderationsample", sample.pk, {"audit_label": "none"})

    assert codes == [403, 403, 403]
    assert ModerationSample.objects.get(pk=sample.pk).audit_label_id == audit_label


@pytest.mark.parametrize("model", ["errorpattern", "patternsample", "detectionrun", "samplereveal"])
def test_admin_detection_output_and_the_reveal_log_are_read_only(client, root, model):
    if model == "patternsample":
        row = PatternSample.objects.create(pattern=ErrorPatternFactory(), sample=ModerationSampleFactory())
    else:
        row = {
            "errorpattern": ErrorPatternFactory,
            "detectionrun": DetectionRunFactory,
            "samplereveal": SampleRevealFactory,
        }[model]()

    codes = _refused(client, "rca", model, row.pk, {"name": "Renamed", "status": "dormant"})

    assert codes == [403, 403, 403]
    assert type(row).objects.filter(pk=row.pk).exists()


def test_admin_policy_label_code_is_fixed_once_created(client, root):
    label = PolicyLabel.objects.get(code="bullying_harassment")

    response = client.post(
        reverse("admin:rca_policylabel_change", args=[label.pk]),
        {
            "code": "renamed", "name": "Bullying", "area": label.area, "severity_weight": label.severity_weight,
            "is_sensitive": "", "is_active": "on",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PolicyLabel.objects.filter(pk=label.pk, code="bullying_harassment", name="Bullying").exists()
