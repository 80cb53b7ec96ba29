"""Quality initiatives: the status rule (pure), the services' validation and baseline, and the progress and weekly
series on generated audits with a known truth."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.initiatives.choices import InitiativeStatus
from cases.initiatives.progress import Plan, attach_progress, initiative_status, weekly_series
from cases.initiatives.services import initiative_create, initiative_update
from tests.cases.initiative_data import MEASURE, audits, days_ago
from tests.factories import CaseFactory, UserFactory

PLAN = Plan(baseline_rate=0.08, baseline_end=date(2026, 1, 1), target_rate=0.03, target_date=date(2026, 3, 2))
MID = date(2026, 1, 31)  # half-way: the plan's rate is 5.5%

# THE RULE
# ------------------------------------------------------------------------------


def test_plan_rate_on_is_the_straight_line_then_the_target():
    assert PLAN.rate_on(date(2025, 12, 1)) == pytest.approx(0.08)
    assert PLAN.rate_on(MID) == pytest.approx(0.055)
    assert PLAN.rate_on(date(2026, 6, 1)) == pytest.approx(0.03)


@pytest.mark.parametrize(
    ("errors", "audits", "expected"),
    [
        (0, 0, InitiativeStatus.NO_DATA),
        (3, 100, InitiativeStatus.MET),  # 3% = the target
        (5, 100, InitiativeStatus.ON_TRACK),  # 5% <= 5.5% planned
        (7, 100, InitiativeStatus.AT_RISK),  # 7% > 5.5%, but its interval (3.4%-13.7%) holds 5.5%
        (140, 1000, InitiativeStatus.OFF_TRACK),  # 14%: interval (11.9%-16.3%) all above 5.5%
    ],
)
def test_initiative_status_follows_the_rule(errors, audits, expected):
    assert initiative_status(plan=PLAN, today=MID, errors=errors, audits=audits) == expected


def test_initiative_status_after_the_target_date_compares_with_the_target():
    assert initiative_status(plan=PLAN, today=date(2026, 4, 1), errors=40, audits=1000) == InitiativeStatus.AT_RISK
    assert initiative_status(plan=PLAN, today=date(2026, 4, 1), errors=50, audits=1000) == InitiativeStatus.OFF_TRACK


# SERVICES
# ------------------------------------------------------------------------------


@pytest.fixture
def lead(db):
    return UserFactory(username="ines", role="quality_lead")


def _create(lead, **overrides):
    arguments = {
        "actor": lead,
        "name": "Cut missed bullying in ID",
        "measure": MEASURE,
        "target_rate": 0.03,
        "target_date": timezone.localdate() + timedelta(days=60),
    }
    return initiative_create(**{**arguments, **overrides})


def test_initiative_create_measures_the_baseline_over_the_last_days(lead):
    audits(days_ago(20), total=60, errors=6)
    audits(days_ago(10), total=40, errors=2)
    audits(days_ago(40), total=50, errors=40)  # before the 28 days: not in the baseline
    audits(days_ago(10), total=30, errors=30, market="BR")  # outside the population

    initiative = _create(lead)

    assert (initiative.baseline_audits, initiative.baseline_errors) == (100, 8)
    assert initiative.baseline_rate == pytest.approx(0.08)
    assert (initiative.baseline_start, initiative.baseline_end) == (days_ago(28), days_ago(1))
    assert initiative.owner == lead
    assert initiative.measure["population"] == {"decision_label": "none", "market": "ID"}


def test_initiative_create_keeps_a_given_baseline_with_its_period(lead):
    initiative = _create(lead, baseline_rate=0.08, baseline_start=days_ago(60), baseline_end=days_ago(31))

    assert (initiative.baseline_rate, initiative.baseline_audits) == (0.08, None)
    assert initiative.baseline_end == days_ago(31)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "baseline_rate"),  # no audits to measure: give the rate
        ({"baseline_rate": 0.08}, "baseline_start"),  # a given rate needs its period
        ({"baseline_rate": 0.02, "baseline_start": date(2026, 1, 1), "baseline_end": date(2026, 1, 31)}, "target_rate"),
        ({"baseline_rate": 0.08, "baseline_start": days_ago(9), "baseline_end": days_ago(10)}, "baseline_end"),
        ({"baseline_rate": 1.5, "baseline_start": days_ago(20), "baseline_end": days_ago(10)}, "baseline_rate"),
        ({"measure": {"population": {"planet": "Mars"}}}, "measure"),
        ({"measure": {"audit_label": "no_such_label"}}, "measure"),
        ({"name": "  "}, "name"),
        (
            {"baseline_rate": 0.08, "baseline_start": days_ago(20), "baseline_end": days_ago(10),
             "target_date": days_ago(11)},
            "target_date",
        ),
    ],
)  # fmt: skip
def test_initiative_create_refuses_bad_input_by_field(lead, overrides, field):
    with pytest.raises(ValidationError) as refused:
        _create(lead, **overrides)

    assert field in refused.value.message_dict


def test_initiative_create_refuses_an_owner_who_is_not_a_lead(lead):
    manager = UserFactory(username="mona", role="manager")

    with pytest.raises(ValidationError) as refused:
        _create(lead, owner=manager, baseline_rate=0.08, baseline_start=days_ago(20), baseline_end=days_ago(10))

    assert "owner" in refused.value.message_dict


def test_initiative_create_is_for_quality_leads_only(db):
    manager = UserFactory(username="mona", role="manager")

    with pytest.raises(PermissionDenied):
        _create(manager, baseline_rate=0.08, baseline_start=days_ago(20), baseline_end=days_ago(10))


def test_initiative_update_remeasures_the_baseline_for_a_new_measure_and_replaces_cases(lead):
    audits(days_ago(15), total=50, errors=5)
    audits(days_ago(15), total=50, errors=20, market="BR")
    initiative = _create(lead, cases=[CaseFactory()])
    case = CaseFactory()

    updated = initiative_update(
        initiative=initiative, actor=lead, measure={**MEASURE, "population": {"market": "BR"}}, cases=[case]
    )

    assert updated.baseline_rate == pytest.approx(0.4)
    assert list(updated.cases.all()) == [case]


# PROGRESS AND SERIES ON GENERATED DATA
# ------------------------------------------------------------------------------


def test_progress_reads_met_and_off_track_from_recent_audits_in_one_query(lead, django_assert_num_queries):
    audits(days_ago(20), total=100, errors=10)  # baseline 10%
    falling = _create(lead, name="Falling")
    audits(days_ago(3), total=100, errors=2, market="ID")  # recent ID: 2%, below the 3% target
    stuck = _create(lead, name="Stuck", measure={**MEASURE, "population": {"market": "BR"}},
                    baseline_rate=0.1, baseline_start=days_ago(20), baseline_end=days_ago(1))  # fmt: skip
    audits(days_ago(3), total=300, errors=60, market="BR")  # recent BR: 20%, far above the plan

    with django_assert_num_queries(1):
        attach_progress([falling, stuck])

    assert falling.progress.status == InitiativeStatus.MET
    assert (falling.progress.audits, falling.progress.errors) == (100, 2)
    assert stuck.progress.status == InitiativeStatus.OFF_TRACK
    assert stuck.progress.rate == pytest.approx(0.2)


def test_weekly_series_counts_each_week_of_decision(lead):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    audits(this_monday - timedelta(days=14), total=20, errors=4)
    audits(this_monday - timedelta(days=13), total=20, errors=0)
    initiative = _create(
        lead, baseline_rate=0.1, baseline_start=this_monday - timedelta(days=21), baseline_end=this_monday
    )

    weeks = weekly_series(initiative, today=today)

    assert [week.start for week in weeks] == [this_monday - timedelta(days=7 * n) for n in (3, 2, 1, 0)]
    assert [(week.audits, week.errors) for week in weeks] == [(0, 0), (40, 4), (0, 0), (0, 0)]
    assert weeks[1].rate == pytest.approx(0.1)
    assert weeks[1].interval[0] < 0.1 < weeks[1].interval[1]
    assert weeks[0].rate is None
