"""The case pages: my work, the case board, the case room and its forms, opening a case from samples, settings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.audience import refresh_audience
from cases.choices import ActionItemStatus, ActivityVerb, CaseStatus, RootCauseCategory
from cases.models import ActionItem, Activity, Case, Comment, Finding, Team, UserPreference
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    CaseSampleFactory,
    CommentFactory,
    FindingFactory,
    ModerationSampleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return len(context.captured_queries), response.status_code


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


@pytest.fixture
def policy_team(db):
    return Team.objects.get(slug="policy")


@pytest.fixture
def partner_in_policy(partner, policy_team):
    partner.teams.add(policy_team)
    return partner


# LOGIN AND PERMISSIONS
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "case-list", "settings"])
def test_pages_redirect_anonymous_users_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_case_detail_redirects_anonymous_users_to_login(client):
    case = CaseFactory()

    response = client.get(reverse("case-detail", args=[case.pk]))

    assert response.status_code == 302


def test_login_page_renders_a_form_with_csrf(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b'name="password"' in response.content


def test_login_redirects_to_my_work(client, quality_lead):
    response = client.post(reverse("login"), {"username": "lead", "password": "pw-for-tests-1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_is_a_post_form_in_the_layout(lead_client):
    response = lead_client.get(reverse("home"))

    assert f'action="{reverse("logout")}"'.encode() in response.content
    assert b'<form method="post" action="/accounts/logout/">' in response.content


# MY WORK
# ------------------------------------------------------------------------------


def test_home_lists_the_partners_own_action_items_first(client, partner):
    case = CaseFactory(title="Slang case")
    ActionItemFactory(case=case, owner=partner, title="Clarify the slang guideline")
    CaseFactory(title="Hidden case")
    client.force_login(partner)

    response = client.get(reverse("home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Clarify the slang guideline") < body.index("Slang case", body.index("Cases shared with me"))
    assert "Hidden case" not in body


def test_home_shows_the_leads_own_watched_and_overdue_cases(lead_client, quality_lead):
    CaseFactory(title="Mine", owner=quality_lead)
    CaseFactory(title="Late one", due_at=timezone.now() - timedelta(days=1), watchers=[quality_lead])
    CaseFactory(title="Someone else's")

    response = lead_client.get(reverse("home"))

    work = response.context["work"]
    assert [case.title for case in work.owned_cases] == ["Mine"]
    assert [case.title for case in work.overdue_cases] == ["Late one"]
    assert (work.open_count, work.overdue_count) == (2, 1)
    assert b"Someone else" not in response.content
    # The open-cases figure links to the board filtered on the open statuses (`cases.choices.OPEN_STATUSES`).
    assert "?status=new&amp;status=triage&amp;status=investigating&amp;status=root_cause_identified&amp;" in (
        response.content.decode()
    )


def test_home_shows_a_manager_every_overdue_case(client, manager):
    CaseFactory(title="Late one", due_at=timezone.now() - timedelta(days=1))
    client.force_login(manager)

    response = client.get(reverse("home"))

    assert [case.title for case in response.context["work"].overdue_cases] == ["Late one"]


def test_home_query_count_does_not_grow_with_rows(lead_client, quality_lead):
    def arrange(n):
        for _ in range(n):
            case = CaseFactory(owner=quality_lead, due_at=timezone.now() - timedelta(days=1))
            case.watchers.add(quality_lead)
            ActionItemFactory(case=case, owner=quality_lead)

    arrange(5)
    few, _ = queries_of(lead_client, reverse("home"))
    arrange(95)
    many, status = queries_of(lead_client, reverse("home"))

    assert status == 200
    assert few == many


# CASE BOARD
# ------------------------------------------------------------------------------


def test_case_list_filters_by_status_and_counts_each_status(lead_client):
    CaseFactory(title="Fresh one")
    CaseFactory(title="Digging one", status=CaseStatus.INVESTIGATING)
    CaseFactory(title="Digging two", status=CaseStatus.INVESTIGATING)

    response = lead_client.get(reverse("case-list"), {"status": "investigating"})

    counts = {value: count for value, _, count in response.context["board"].status_counts}
    assert response.status_code == 200
    assert b"Digging one" in response.content
    assert b"Fresh one" not in response.content
    assert counts[CaseStatus.INVESTIGATING] == 2
    assert counts[CaseStatus.NEW] == 1


def test_case_list_counts_the_open_action_items_of_each_case_on_a_later_page(lead_client):
    busy = CaseFactory(title="Busy one", opened_at=timezone.now() - timedelta(days=30))
    ActionItemFactory.create_batch(2, case=busy)
    ActionItemFactory(case=busy, done=True)
    quiet = CaseFactory(title="Quiet one", opened_at=timezone.now() - timedelta(days=31))
    CaseFactory.create_batch(25)  # newer: the two cases are on page 2

    response = lead_client.get(reverse("case-list"), {"page": 2})

    rows = {case.title: case.open_items for case in response.context["board"].page.object_list}
    assert rows == {busy.title: 2, quiet.title: 0}
    assert b"2 open items" in response.content


def test_case_list_text_search_finds_a_case_by_key(lead_client):
    wanted = CaseFactory(title="Wanted")
    CaseFactory(title="Other")

    response = lead_client.get(reverse("case-list"), {"q": wanted.key})

    assert b"Wanted" in response.content
    assert b"Other" not in response.content


def test_case_list_overdue_shortcut_shows_only_overdue_open_cases(lead_client):
    CaseFactory(title="Late", due_at=timezone.now() - timedelta(hours=1))
    CaseFactory(title="Early", due_at=timezone.now() + timedelta(days=3))

    response = lead_client.get(reverse("case-list"), {"overdue": "true"})

    assert b"Late" in response.content
    assert b"Early" not in response.content


def test_case_list_sorts_by_severity(lead_client):
    CaseFactory(title="Low one", severity="S4")
    CaseFactory(title="Critical one", severity="S1")

    response = lead_client.get(reverse("case-list"), {"ordering": "severity"})

    body = response.content.decode()
    assert body.index("Critical one") < body.index("Low one")


def test_case_list_rejects_a_bad_filter_with_400_and_a_message(lead_client):
    response = lead_client.get(reverse("case-list"), {"severity": "S9"})

    assert response.status_code == 400
    assert b"S9" in response.content


def test_case_list_shows_a_partner_only_its_cases(client, partner_in_policy, policy_team):
    CaseFactory(title="Shared with policy", shared_teams=[policy_team])
    CaseFactory(title="Secret case")
    client.force_login(partner_in_policy)

    response = client.get(reverse("case-list"))

    assert b"Shared with policy" in response.content
    assert b"Secret case" not in response.content
    assert response.context["board"].total == 1


def test_case_list_shows_nothing_to_a_user_without_role(client, outsider):
    CaseFactory(title="Some case")
    client.force_login(outsider)

    response = client.get(reverse("case-list"))

    assert b"Some case" not in response.content
    assert b"No case matches" in response.content


def test_case_list_query_count_does_not_grow_with_rows(lead_client):
    def arrange(n):
        for _ in range(n):
            ActionItemFactory(case=CaseFactory(owner=UserFactory(), team=Team.objects.first()))

    arrange(5)
    queries_of(lead_client, reverse("case-list"))  # warms the cached market/language options
    few, _ = queries_of(lead_client, reverse("case-list"))
    arrange(95)
    many, status = queries_of(lead_client, reverse("case-list"))

    assert status == 200
    assert few == many


def test_case_list_partner_query_count_does_not_grow_with_rows(client, partner_in_policy, policy_team):
    client.force_login(partner_in_policy)

    def arrange(n):
        for _ in range(n):
            CaseFactory(shared_teams=[policy_team])

    arrange(5)
    queries_of(client, reverse("case-list"))  # warms the cached market/language options
    few, _ = queries_of(client, reverse("case-list"))
    arrange(95)
    many, _ = queries_of(client, reverse("case-list"))

    assert few == many


# CASE ROOM
# ------------------------------------------------------------------------------


def _full_case(n: int, lead) -> Case:
    case = CaseFactory(owner=lead, status=CaseStatus.INVESTIGATING)
    for i in range(n):
        CaseSampleFactory(
            case=case, sample=ModerationSampleFactory(audit_label_id="adult_nudity" if i % 2 else "hate_speech")
        )
        finding = FindingFactory(case=case, author=lead)
        CommentFactory(case=case, finding=finding, author=UserFactory())
        ActionItemFactory(case=case, owner=UserFactory(), team=Team.objects.first())
        CommentFactory(case=case, author=UserFactory())
        Activity.objects.create(case=case, actor=UserFactory(), verb=ActivityVerb.COMMENTED)
    case.sample_count = n
    case.save(update_fields=["sample_count"])
    return case


def test_case_detail_query_count_is_the_same_for_5_and_100_rows(lead_client, quality_lead):
    few_case = _full_case(5, quality_lead)
    many_case = _full_case(100, quality_lead)

    few, _ = queries_of(lead_client, reverse("case-detail", args=[few_case.pk]))
    many, status = queries_of(lead_client, reverse("case-detail", args=[many_case.pk]))

    assert status == 200
    assert few == many


def test_case_detail_partner_query_count_is_the_same_for_5_and_100_rows(client, quality_lead, partner):
    few_case = _full_case(5, quality_lead)
    many_case = _full_case(100, quality_lead)
    few_case.watchers.add(partner)
    many_case.watchers.add(partner)
    refresh_audience([few_case.pk, many_case.pk])
    client.force_login(partner)

    few, _ = queries_of(client, reverse("case-detail", args=[few_case.pk]))
    many, status = queries_of(client, reverse("case-detail", args=[many_case.pk]))

    assert status == 200
    assert few == many


def test_case_detail_is_404_for_a_partner_who_may_not_see_it(client, partner):
    case = CaseFactory()
    client.force_login(partner)

    response = client.get(reverse("case-detail", args=[case.pk]))

    assert response.status_code == 404


def test_case_detail_post_endpoints_are_404_for_a_hidden_case(client, partner):
    case = CaseFactory()
    client.force_login(partner)

    response = client.post(reverse("case-detail", args=[case.pk]), {"action": "comment", "body": "hello"})

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_case_detail_shows_header_transitions_and_timeline(lead_client, quality_lead):
    case = CaseFactory(title="Slang insults", owner=quality_lead, severity="S2")
    Activity.objects.create(case=case, actor=quality_lead, verb=ActivityVerb.OPENED, data={"origin": "manual"})

    response = lead_client.get(reverse("case-detail", args=[case.pk]))

    body = response.content.decode()
    assert case.key in body
    assert "badge--status-new" in body
    assert "badge--severity-S2" in body
    assert "Start triage" in body and "Investigate" in body
    assert "opened the case" in body


def test_case_detail_shows_the_reason_of_a_refused_guard(lead_client):
    case = CaseFactory(owner=None)

    response = lead_client.get(reverse("case-detail", args=[case.pk]))

    assert b"Assign an owner before investigating the case." in response.content


def test_case_detail_shows_no_transition_buttons_to_a_partner(client, partner):
    case = CaseFactory(watchers=[partner])
    client.force_login(partner)

    response = client.get(reverse("case-detail", args=[case.pk]))

    assert response.status_code == 200
    assert b'name="action" value="transition"' not in response.content
    assert b'name="action" value="finding"' not in response.content


def test_case_transition_moves_the_case(lead_client):
    case = CaseFactory()

    response = lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "transition", "to": "triage"})

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.status == CaseStatus.TRIAGE


def test_case_transition_refused_by_a_guard_shows_the_reason(lead_client):
    case = CaseFactory(owner=None)

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]), {"action": "transition", "to": "investigating"}, follow=True
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert "Assign an owner before investigating the case." in [str(m) for m in response.context["messages"]]


def test_case_transition_by_a_partner_changes_nothing(client, partner):
    case = CaseFactory(watchers=[partner])
    client.force_login(partner)

    response = client.post(
        reverse("case-detail", args=[case.pk]), {"action": "transition", "to": "triage"}, follow=True
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert any("quality lead" in str(m) for m in response.context["messages"])


def test_case_transition_to_duplicate_needs_a_visible_case_key(lead_client):
    case = CaseFactory()

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {"action": "transition", "to": "duplicate", "duplicate_of": "RCA-999999"},
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert b"There is no case RCA-999999 that you can see." in response.content
    assert case.status == CaseStatus.NEW


def test_case_transition_to_duplicate_points_at_the_survivor(lead_client):
    survivor = CaseFactory()
    case = CaseFactory()

    lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {"action": "transition", "to": "duplicate", "duplicate_of": survivor.key},
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.DUPLICATE
    assert case.duplicate_of == survivor


def test_case_assign_sets_the_owner(lead_client, quality_lead):
    case = CaseFactory(owner=None)

    lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "assign", "owner": quality_lead.pk})

    case.refresh_from_db()
    assert case.owner == quality_lead


def test_case_edit_saves_the_root_cause(lead_client):
    case = CaseFactory()
    data = {
        "title": case.title,
        "severity": "S2",
        "problem_statement": "Slang is missed.",
        "root_cause_category": RootCauseCategory.MODEL_DEFECT,
        "root_cause_statement": "No training data for the slang.",
    }

    lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "edit", **data})

    case.refresh_from_db()
    assert case.root_cause_category == RootCauseCategory.MODEL_DEFECT
    assert case.severity == "S2"


def test_case_edit_rejects_an_empty_title_with_a_form_error(lead_client):
    case = CaseFactory(title="Keep me")

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]), {"action": "edit", "title": "", "severity": "S3"}
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert case.title == "Keep me"


def test_finding_add_creates_a_finding(lead_client):
    case = CaseFactory()

    lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {"action": "finding", "statement": "No slang data.", "status": "hypothesis"},
    )

    assert case.findings.get().statement == "No slang data."


def test_finding_add_by_a_partner_is_refused(client, partner):
    case = CaseFactory(watchers=[partner])
    client.force_login(partner)

    client.post(
        reverse("case-detail", args=[case.pk]), {"action": "finding", "statement": "Mine", "status": "hypothesis"}
    )

    assert not Finding.objects.exists()


def test_action_item_add_requires_an_owner_or_a_team(lead_client):
    case = CaseFactory()

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]), {"action": "action_item", "title": "Fix", "kind": "model_fix"}
    )

    assert response.status_code == 400
    assert b"Give the action item an owner or a team" in response.content
    assert not ActionItem.objects.exists()


def test_action_item_add_hands_an_item_to_a_partner(lead_client, partner):
    case = CaseFactory()
    due = (timezone.localdate() + timedelta(days=5)).isoformat()

    lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {
            "action": "action_item",
            "title": "Clarify guideline",
            "kind": "guideline_clarification",
            "owner": partner.pk,
            "due": due,
        },
    )

    item = case.action_items.get()
    assert item.owner == partner
    assert item.due_at.date().isoformat() == due


def test_action_item_update_lets_the_owning_partner_complete_it(client, partner):
    item = ActionItemFactory(owner=partner)
    client.force_login(partner)

    client.post(reverse("case-detail", args=[item.case_id]), {"action": "item", "item": item.pk, "status": "done"})

    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE


def test_action_item_update_form_offers_a_partner_only_the_partner_editable_fields(partner, quality_lead):
    from cases.forms import ActionItemUpdateForm
    from cases.permissions import PARTNER_EDITABLE_ACTION_ITEM_FIELDS

    partner_form = ActionItemUpdateForm({"status": "done", "owner": quality_lead.pk}, user=partner)
    lead_form = ActionItemUpdateForm({"status": "done", "owner": partner.pk, "due": ""}, user=quality_lead)

    assert partner_form.is_valid() and lead_form.is_valid()
    assert set(partner_form.service_fields()) == {"status"} <= PARTNER_EDITABLE_ACTION_ITEM_FIELDS
    assert lead_form.service_fields() == {"status": "done", "owner": partner, "due_at": None}


def test_action_item_update_by_another_partner_changes_nothing(client, partner, django_user_model):
    other = UserFactory(username="other", role="partner")
    item = ActionItemFactory(owner=other, case=CaseFactory(watchers=[partner]))
    client.force_login(partner)

    response = client.post(
        reverse("case-detail", args=[item.case_id]), {"action": "item", "item": item.pk, "status": "done"}, follow=True
    )

    item.refresh_from_db()
    assert item.status == ActionItemStatus.OPEN
    assert any("may not update" in str(m) for m in response.context["messages"])


def test_comment_add_records_mentions_and_renders_sanitised_html(client, partner, quality_lead):
    case = CaseFactory(watchers=[partner])
    client.force_login(partner)

    client.post(
        reverse("case-detail", args=[case.pk]), {"action": "comment", "body": "@lead see <script>x</script> **this**"}
    )
    response = client.get(reverse("case-detail", args=[case.pk]))

    comment = Comment.objects.get()
    assert list(comment.mentions.all()) == [quality_lead]
    assert b"<strong>this</strong>" in response.content
    assert b"<script>x</script>" not in response.content


def test_comment_add_rejects_an_empty_body(client, partner):
    case = CaseFactory(watchers=[partner])
    client.force_login(partner)

    response = client.post(reverse("case-detail", args=[case.pk]), {"action": "comment", "body": ""})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_case_pages_refuse_posts_without_csrf(quality_lead):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(quality_lead)
    case = CaseFactory()

    response = strict.post(reverse("case-detail", args=[case.pk]), {"action": "transition", "to": "triage"})

    assert response.status_code == 403


def test_unlink_samples_removes_the_links(lead_client):
    link = CaseSampleFactory()
    case = link.case

    lead_client.post(reverse("case-unlink-samples", args=[case.pk]), {"sample": [link.sample_id]})

    case.refresh_from_db()
    assert case.sample_count == 0
    assert not case.samples.exists()


def test_watch_lets_a_partner_follow_a_visible_case(client, partner_in_policy, policy_team):
    case = CaseFactory(shared_teams=[policy_team])
    client.force_login(partner_in_policy)

    client.post(reverse("case-watch", args=[case.pk]), {"watching": "1"})

    assert case.watchers.filter(pk=partner_in_policy.pk).exists()


# OPENING A CASE FROM SAMPLES
# ------------------------------------------------------------------------------


def test_case_from_samples_opens_a_case_with_the_ticked_samples(lead_client):
    samples = ModerationSampleFactory.create_batch(3)

    response = lead_client.post(
        reverse("case-from-samples"),
        {
            "scope": "selected",
            "sample": [s.pk for s in samples[:2]],
            "action": "open",
            "title": "Slang",
            "severity": "S2",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    assert set(case.samples.all()) == set(samples[:2])
    assert case.severity == "S2"


def test_case_from_samples_adds_all_matching_samples_to_an_existing_case(lead_client):
    case = CaseFactory()
    ModerationSampleFactory.create_batch(2, market="BR")
    ModerationSampleFactory(market="US")

    lead_client.post(
        reverse("case-from-samples"), {"scope": "all", "filters": "market=BR", "action": "add", "case": case.key}
    )

    case.refresh_from_db()
    assert case.sample_count == 2
    assert set(case.samples.values_list("market", flat=True)) == {"BR"}


def test_case_from_samples_caps_all_matching_with_a_message(lead_client, monkeypatch):
    from cases import views

    monkeypatch.setattr(views, "SELECT_ALL_CAP", 3)
    ModerationSampleFactory.create_batch(5)

    response = lead_client.post(
        reverse("case-from-samples"), {"scope": "all", "filters": "", "action": "open", "title": "Many"}, follow=True
    )

    assert Case.objects.get().sample_count == 3
    assert any("only the 3 most recently audited" in str(m) for m in response.context["messages"])


def test_case_from_samples_needs_a_title_to_open(lead_client):
    sample = ModerationSampleFactory()

    response = lead_client.post(
        reverse("case-from-samples"), {"scope": "selected", "sample": [sample.pk], "action": "open"}, follow=True
    )

    assert not Case.objects.exists()
    assert any("A new case needs a title." in str(m) for m in response.context["messages"])


def test_case_from_samples_needs_a_selection(lead_client):
    response = lead_client.post(
        reverse("case-from-samples"), {"scope": "selected", "action": "open", "title": "x"}, follow=True
    )

    assert not Case.objects.exists()
    assert any("Tick at least one sample" in str(m) for m in response.context["messages"])


def test_case_from_samples_is_forbidden_to_partners(client, partner):
    sample = ModerationSampleFactory()
    client.force_login(partner)

    response = client.post(
        reverse("case-from-samples"), {"scope": "selected", "sample": [sample.pk], "action": "open", "title": "x"}
    )

    assert response.status_code == 403
    assert not Case.objects.exists()


# SETTINGS
# ------------------------------------------------------------------------------


def test_settings_turns_blurring_off(client, partner):
    client.force_login(partner)

    response = client.post(reverse("settings"), {})

    assert response.status_code == 302
    assert UserPreference.objects.get(user=partner).blur_sensitive is False


def test_settings_shows_blurring_on_by_default(client, partner):
    client.force_login(partner)

    response = client.get(reverse("settings"))

    assert response.context["form"].initial["blur_sensitive"] is True
