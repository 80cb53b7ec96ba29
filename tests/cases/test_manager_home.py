"""A manager's home: every open case counted by status and severity, the overdue cases and action items of all teams,
and a way to the reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.choices import CaseStatus
from tests.factories import ActionItemFactory, CaseFactory, TeamFactory, UserFactory


@pytest.mark.django_db
def test_manager_home_counts_open_cases_by_status_and_severity(client, manager):
    CaseFactory(status=CaseStatus.NEW, severity="S1")
    CaseFactory(status=CaseStatus.NEW, severity="S1")
    CaseFactory(status=CaseStatus.INVESTIGATING, severity="S3")
    CaseFactory(closed=True, severity="S1")
    client.force_login(manager)

    response = client.get("/")

    work = response.context["work"]
    matrix = {status: dict(row) for status, _, row, _ in work.open_matrix}
    assert matrix["new"]["S1"] == 2
    assert matrix["investigating"]["S3"] == 1
    assert work.severity_totals == [2, 0, 1, 0]
    html = response.content.decode()
    assert 'id="open-matrix"' in html
    assert 'href="/cases/?status=new&amp;severity=S1">2</a>' in html
    assert 'id="reports-link"' in html


@pytest.mark.django_db
def test_manager_home_lists_overdue_action_items_of_every_team(client, manager):
    past = timezone.now() - timedelta(days=3)
    owner = UserFactory(username="pat", first_name="Pat", last_name="Policy", role="partner")
    late = ActionItemFactory(
        title="Retrain the slang model", due_at=past, owner=owner, team=TeamFactory(name="Late fixers")
    )
    ActionItemFactory(title="Done long ago", due_at=past, done=True)
    ActionItemFactory(title="Not due yet")
    client.force_login(manager)

    response = client.get("/")

    work = response.context["work"]
    assert [item.pk for item in work.overdue_items] == [late.pk]
    assert work.overdue_item_count == 1
    html = response.content.decode()
    assert "Retrain the slang model" in html and "Pat Policy" in html
    assert f'href="/cases/{late.case_id}/#item-{late.pk}"' in html


@pytest.mark.django_db
def test_quality_lead_home_has_no_manager_overview(client, quality_lead):
    CaseFactory(owner=quality_lead)
    client.force_login(quality_lead)

    response = client.get("/")

    assert response.context["work"].is_overview is False
    assert 'id="open-matrix"' not in response.content.decode()
    assert "Cases I own" in response.content.decode()
