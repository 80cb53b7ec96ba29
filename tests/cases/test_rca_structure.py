"""Contributing factors and the five whys: the services (who may write, what each change leaves on the timeline),
the case room's forms, and the dashboard's counts of root-cause categories and contributing factors by month."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.choices import ActivityVerb, RootCauseCategory
from cases.models import Activity, ContributingFactor, WhyStep
from cases.reporting.filters import ReportFilters
from cases.reporting.rca_months import CATEGORIES, rca_categories_by_month
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _verbs(case) -> list[str]:
    return list(Activity.objects.filter(case=case).order_by("id").values_list("verb", flat=True))


# SERVICES
# ------------------------------------------------------------------------------


def test_contributing_factor_create_records_the_factor_and_one_timeline_entry(quality_lead):
    case = CaseFactory()

    factor = services.contributing_factor_create(
        case=case,
        actor=quality_lead,
        category=RootCauseCategory.REVIEWER_TRAINING,
        statement="  New hires   lack slang.",
    )

    assert (factor.category, factor.statement, factor.author) == (
        "reviewer_training",
        "New hires lack slang.",
        quality_lead,
    )
    entry = Activity.objects.get(case=case)
    assert entry.verb == ActivityVerb.FACTOR_ADDED
    assert entry.data["statement"] == "New hires lack slang." and entry.actor == quality_lead


@pytest.mark.parametrize("role", ["partner", "manager", "outsider"])
def test_contributing_factor_create_refuses_anyone_but_a_quality_lead(role, request):
    case = CaseFactory()

    with pytest.raises(PermissionDenied):
        services.contributing_factor_create(
            case=case, actor=request.getfixturevalue(role), category="process", statement="x"
        )

    assert not ContributingFactor.objects.exists() and not Activity.objects.exists()


@pytest.mark.parametrize("category, statement", [("not_a_category", "A sentence."), ("process", "   ")])
def test_contributing_factor_create_refuses_bad_input(quality_lead, category, statement):
    with pytest.raises(ValidationError):
        services.contributing_factor_create(
            case=CaseFactory(), actor=quality_lead, category=category, statement=statement
        )

    assert not ContributingFactor.objects.exists()


def test_contributing_factor_delete_removes_it_and_keeps_it_on_the_timeline(quality_lead, partner):
    case = CaseFactory()
    factor = services.contributing_factor_create(case=case, actor=quality_lead, category="process", statement="No QA.")

    with pytest.raises(PermissionDenied):
        services.contributing_factor_delete(factor=factor, actor=partner)
    services.contributing_factor_delete(factor=factor, actor=quality_lead)

    assert not ContributingFactor.objects.exists()
    assert _verbs(case) == [ActivityVerb.FACTOR_ADDED, ActivityVerb.FACTOR_REMOVED]
    assert Activity.objects.get(verb=ActivityVerb.FACTOR_REMOVED).data["statement"] == "No QA."


def test_five_whys_replace_sets_the_chain_and_writes_one_entry_per_change(quality_lead):
    case = CaseFactory()

    services.five_whys_replace(case=case, actor=quality_lead, answers=["Slang is missed.", "No slang list."])
    services.five_whys_replace(case=case, actor=quality_lead, answers=["Slang is missed.", "No slang list."])
    services.five_whys_replace(case=case, actor=quality_lead, answers=["Slang is missed."])

    assert list(case.why_steps.values_list("position", "answer")) == [(1, "Slang is missed.")]
    entries = Activity.objects.filter(case=case, verb=ActivityVerb.FIVE_WHYS_UPDATED).order_by("id")
    assert [entry.data["answers"] for entry in entries] == [
        ["Slang is missed.", "No slang list."],
        ["Slang is missed."],
    ]
    assert entries[1].data["previous"] == ["Slang is missed.", "No slang list."]


def test_five_whys_replace_refuses_more_than_five_answers_and_partners(quality_lead, partner):
    case = CaseFactory()

    with pytest.raises(ValidationError):
        services.five_whys_replace(case=case, actor=quality_lead, answers=["why"] * 6)
    with pytest.raises(PermissionDenied):
        services.five_whys_replace(case=case, actor=partner, answers=["why"])

    assert not WhyStep.objects.exists() and not Activity.objects.exists()


# CASE ROOM
# ------------------------------------------------------------------------------


def test_case_room_lead_adds_a_factor_and_saves_the_five_whys(client, quality_lead):
    case = CaseFactory()
    client.force_login(quality_lead)

    client.post(f"/cases/{case.pk}/contributing-factors/", {"category": "process", "statement": "No second review."})
    client.post(f"/cases/{case.pk}/five-whys/", {"why_1": "Slang missed.", "why_2": "No slang list."})
    page = client.get(f"/cases/{case.pk}/")

    assert b"No second review." in page.content and b"No slang list." in page.content
    assert list(case.why_steps.values_list("answer", flat=True)) == ["Slang missed.", "No slang list."]


def test_case_room_five_whys_with_a_gap_is_refused_with_a_message(client, quality_lead):
    case = CaseFactory()
    client.force_login(quality_lead)

    response = client.post(f"/cases/{case.pk}/five-whys/", {"why_1": "First.", "why_3": "Third."}, follow=True)

    assert b"leave no box empty" in response.content
    assert not WhyStep.objects.exists()


# REPORTS
# ------------------------------------------------------------------------------


def _opened(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime(year, month, 10, 12))


def test_rca_categories_by_month_counts_root_causes_and_factors_in_the_month_opened(quality_lead):
    january = CaseFactory(opened_at=_opened(2025, 1), root_cause_category="model_defect")
    CaseFactory(opened_at=_opened(2025, 1) + timedelta(days=5), root_cause_category="model_defect")
    march = CaseFactory(opened_at=_opened(2025, 3), root_cause_category="process")
    CaseFactory(opened_at=_opened(2025, 3))  # no root cause, no factor: not counted
    for case, category in ((january, "reviewer_training"), (january, "process"), (march, "process")):
        ContributingFactor.objects.create(case=case, category=category, statement="s", author=quality_lead)

    rows = rca_categories_by_month(filters=ReportFilters())

    def by_category(counts):
        return {category.value: n for category, n in zip(CATEGORIES, counts, strict=True) if n}

    assert [row.month for row in rows] == ["2025-01", "2025-03"]
    assert by_category(rows[0].root_causes) == {"model_defect": 2}
    assert by_category(rows[0].factors) == {"reviewer_training": 1, "process": 1}
    assert by_category(rows[1].root_causes) == {"process": 1} and rows[1].factor_total == 1


def test_rca_categories_by_month_applies_the_report_filters(quality_lead):
    CaseFactory(opened_at=_opened(2025, 1), root_cause_category="model_defect", market="ID")
    CaseFactory(opened_at=_opened(2025, 2), root_cause_category="process", market="BR")

    rows = rca_categories_by_month(filters=ReportFilters(market="BR"))

    assert [(row.month, row.root_cause_total) for row in rows] == [("2025-02", 1)]


def test_dashboard_shows_the_rca_counts_by_month(client, manager):
    CaseFactory(opened_at=timezone.now() - timedelta(days=3), root_cause_category="localisation")
    client.force_login(manager)

    response = client.get("/reports/")

    assert response.status_code == 200
    assert b'id="rca-root-causes"' in response.content and b"Localisation / language coverage" in response.content
