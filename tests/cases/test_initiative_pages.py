"""The initiative pages: the list with statuses and its CSV link, an initiative's chart against its plan with its
cases' fixes marked, its weekly CSV, the form that defines and edits one (quality leads), and the dashboard's
initiatives section."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cases.fixes.models import Fix
from cases.initiatives.models import Initiative
from tests.cases.initiative_data import InitiativeFactory, audits, days_ago
from tests.factories import CaseFactory, UserFactory


@pytest.fixture
def lead_page(client, quality_lead):
    client.force_login(quality_lead)
    return client


@pytest.fixture
def served(db):
    """An initiative over the last four weeks of ID audits, served by a case with a fix ten days ago."""
    for day, errors in ((25, 8), (18, 7), (11, 4), (4, 2)):
        audits(days_ago(day), total=100, errors=errors)
    case = CaseFactory(title="Slang insults missed")
    Fix.objects.create(case=case, effective_at=timezone.make_aware(datetime.combine(days_ago(10), time(9))))
    return InitiativeFactory(name="Cut missed bullying", baseline_start=days_ago(30), cases=[case])


def test_initiative_page_draws_the_measure_against_the_plan_with_fixes_marked(lead_page, served):
    response = lead_page.get(f"/initiatives/{served.pk}/")

    assert response.status_code == 200
    chart = response.context["chart"]
    page = response.content.decode()
    assert len(chart.bands) >= 1 and "chart-band" in page  # the weekly rate's interval band
    assert [line["dashed"] for line in chart.lines].count(True) == 1  # the plan to target
    assert "Plan to target: " in page
    assert "Plan to target 8.0% on" in chart.summary and "3.0% on" in chart.summary
    fix = served.cases.get().fixes.get()
    assert f"Fix of {served.cases.get().key} effective {fix.effective_at:%Y-%m-%d}" in page
    assert response.context["progress"].status == "met"  # 6 errors in 200 audits in the last 14 days: the 3% target
    assert 'id="status-rule"' in page


def test_initiative_weekly_csv_holds_each_week_with_its_interval(lead_page, served):
    response = lead_page.get(f"/initiatives/{served.pk}/weekly.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    counted = [row for row in rows if row["audits"] != "0"]
    assert sum(int(row["audits"]) for row in counted) == 400
    assert sum(int(row["errors"]) for row in counted) == 21
    assert all(float(row["interval_low"]) <= float(row["rate"]) <= float(row["interval_high"]) for row in counted)
    assert sum(1 for row in rows if row["fixes_effective"]) == 1


def test_initiative_list_shows_status_and_the_define_button_to_leads(lead_page, served):
    response = lead_page.get("/initiatives/")

    page = response.content.decode()
    assert "Cut missed bullying" in page and "badge--initiative-met" in page
    assert "Define an initiative" in page


def test_initiative_list_links_its_csv_which_holds_the_rows_of_the_page(client, served, shared_partner_setup):
    partner, shared = shared_partner_setup
    mine = InitiativeFactory(name="Served by a shared case", cases=[shared])
    client.force_login(partner)

    listed = client.get("/initiatives/")
    link = listed.context["csv_url"]
    sheet = client.get(link)  # signed in to the site: the API takes the session

    assert f'href="{link}" download' in listed.content.decode()
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode())))
    assert [(row["id"], row["name"], row["cases"]) for row in rows] == [(str(mine.pk), mine.name, shared.key)]
    assert [row["status"] for row in rows] == [item.progress.status for item in listed.context["initiatives"]]


def test_initiative_list_without_initiatives_links_no_csv(client, outsider):
    client.force_login(outsider)

    response = client.get("/initiatives/")

    assert response.status_code == 200 and "Download CSV" not in response.content.decode()


def test_lead_defines_an_initiative_through_the_form(lead_page, quality_lead):
    audits(days_ago(12), total=50, errors=5)
    case = CaseFactory()

    response = lead_page.post(
        "/initiatives/new/",
        {
            "name": "Halve missed bullying",
            "market": "id",
            "decision_label": "none",
            "audit_label": "bullying_harassment",
            "target_percent": "5",
            "target_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "cases": case.key,
        },
    )

    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/initiatives/{initiative.pk}/"
    assert initiative.baseline_rate == pytest.approx(0.1) and initiative.target_rate == pytest.approx(0.05)
    assert list(initiative.cases.all()) == [case] and initiative.owner == quality_lead


def test_initiative_form_shows_the_services_refusal_on_its_field(lead_page):
    audits(days_ago(12), total=50, errors=1)

    response = lead_page.post(
        "/initiatives/new/",
        {"name": "Too late", "market": "ID", "target_percent": "5", "target_date": "2030-01-01"},
    )

    assert response.status_code == 400
    assert "target_percent" in response.context["form"].errors  # 5% is not below the 2% baseline
    assert Initiative.objects.count() == 0


def test_lead_edits_an_initiative_keeping_its_given_baseline(lead_page, served):
    form = lead_page.get(f"/initiatives/{served.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Renamed", target_percent="2", target_date=data["target_date"].isoformat())
    data.update(baseline_start=data["baseline_start"].isoformat(), baseline_end=data["baseline_end"].isoformat())

    response = lead_page.post(f"/initiatives/{served.pk}/edit/", data)

    served.refresh_from_db()
    assert response.status_code == 302
    assert (served.name, served.target_rate, served.baseline_rate) == ("Renamed", 0.02, 0.08)


def test_partner_sees_only_initiatives_of_its_cases_and_no_form(client, served, shared_partner_setup):
    partner, shared = shared_partner_setup
    mine = InitiativeFactory(name="Served by a shared case", cases=[shared])
    client.force_login(partner)

    listed = client.get("/initiatives/")

    assert [item.pk for item in listed.context["initiatives"]] == [mine.pk]
    assert client.get(f"/initiatives/{served.pk}/").status_code == 404
    assert client.get("/initiatives/new/").status_code == 403
    assert client.get(f"/initiatives/{mine.pk}/edit/").status_code == 403


@pytest.fixture
def shared_partner_setup(db):
    from cases.models import Team

    policy = Team.objects.get(slug="policy")
    return UserFactory(username="pia", role="partner", teams=[policy]), CaseFactory(shared_teams=[policy])


def test_dashboard_lists_the_initiatives_for_managers(client, manager, served):
    client.force_login(manager)

    response = client.get("/reports/")

    page = response.content.decode()
    assert 'id="dashboard-initiatives"' in page
    assert f'href="/initiatives/{served.pk}/"' in page
