"""The closure report and the ageing of open cases, computed on a small hand-built set of cases with known answers.

The data set (NOW = 2026-06-30 12:00 UTC), team A / owner alice / S3 / bullying_harassment / ID:
  1 closed after 2 days, in time          2 closed after 4 days, in time
  3 closed after 10 days, due at 7, reopened once (breach)
  4 closed after 20 days, due at 14 (breach)
  5 investigating, opened 05-05, due 05-19 (breach, open overdue; one overdue action item, one done, one not yet due)
  6 new, opened 06-25, due 07-09            7 won't fix, resolved in time
team B / owner bob / S1 / hate_speech / BR:
  8 closed after 1 day, in time             9 triage, opened 06-02, due 06-04 (breach, open overdue)
"""

from datetime import UTC, datetime, timedelta

import pytest

from cases.choices import ActionItemStatus, CaseStatus, Severity
from cases.reporting.choices import GroupBy
from cases.reporting.expressions import percentile_cont
from cases.reporting.filters import ReportFilterForm, ReportFilters
from cases.reporting.selectors import AGE_BUCKETS, closure_report, headline_figures, open_case_ageing
from tests.factories import ActionItemFactory, CaseFactory, TeamFactory, UserFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 0, 0, tzinfo=UTC)


def _case(number, *, team, owner, opened, due_days, status=CaseStatus.NEW, closed_after=None, **extra):
    opened_at = opened
    closed_at = opened_at + timedelta(days=closed_after) if closed_after is not None else None
    terminal = status in (CaseStatus.CLOSED, CaseStatus.WONT_FIX)
    return CaseFactory(
        title=f"Case {number}",
        team=team,
        owner=owner,
        status=status,
        opened_at=opened_at,
        due_at=opened_at + timedelta(days=due_days),
        closed_at=closed_at if status == CaseStatus.CLOSED else None,
        resolved_at=(closed_at or opened_at + timedelta(days=2)) if terminal else None,
        **extra,
    )


def build_closure_dataset():
    """The nine cases of the module docstring; returns (team A, team B, alice, bob)."""
    team_a, team_b = TeamFactory(name="Team A", slug="team-a"), TeamFactory(name="Team B", slug="team-b")
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a = {"team": team_a, "owner": alice, "severity": Severity.S3, "policy_label": "bullying_harassment", "market": "ID"}
    b = {"team": team_b, "owner": bob, "severity": Severity.S1, "policy_label": "hate_speech", "market": "BR"}
    _case(1, opened=_day(5, 1), due_days=14, status=CaseStatus.CLOSED, closed_after=2, **a)
    _case(2, opened=_day(5, 2), due_days=14, status=CaseStatus.CLOSED, closed_after=4, **a)
    _case(3, opened=_day(5, 3), due_days=7, status=CaseStatus.CLOSED, closed_after=10, reopen_count=1, **a)
    _case(4, opened=_day(5, 4), due_days=14, status=CaseStatus.CLOSED, closed_after=20, **a)
    late = _case(5, opened=_day(5, 5), due_days=14, status=CaseStatus.INVESTIGATING, **a)
    _case(6, opened=_day(6, 25), due_days=14, status=CaseStatus.NEW, **a)
    _case(7, opened=_day(5, 10), due_days=14, status=CaseStatus.WONT_FIX, **a)
    _case(8, opened=_day(6, 1), due_days=2, status=CaseStatus.CLOSED, closed_after=1, **b)
    _case(9, opened=_day(6, 2), due_days=2, status=CaseStatus.TRIAGE, **b)
    ActionItemFactory(case=late, due_at=_day(6, 1), status=ActionItemStatus.OPEN)
    ActionItemFactory(case=late, due_at=_day(6, 1), status=ActionItemStatus.DONE)
    ActionItemFactory(case=late, due_at=_day(7, 15), status=ActionItemStatus.IN_PROGRESS)
    return team_a, team_b, alice, bob


TEAM_A_ROW = {
    "opened": 7,
    "closed": 4,
    "closure_rate": 0.5714,
    "median_days_to_close": 7.0,  # of 2, 4, 10, 20
    "p90_days_to_close": 17.0,  # rank 2.7: 10 + 0.7 * (20 - 10)
    "sla_breach_rate": 0.4286,  # cases 3, 4, 5
    "reopen_rate": 0.1429,
    "open_overdue": 1,
    "action_items_overdue": 1,
}
TEAM_B_ROW = {
    "opened": 2,
    "closed": 1,
    "closure_rate": 0.5,
    "median_days_to_close": 1.0,
    "p90_days_to_close": 1.0,
    "sla_breach_rate": 0.5,
    "reopen_rate": 0.0,
    "open_overdue": 1,
    "action_items_overdue": 0,
}


def _figures(row: dict) -> dict:
    return {name: row[name] for name in TEAM_A_ROW}


@pytest.mark.django_db
def test_closure_report_by_team_matches_hand_computed_figures():
    team_a, team_b, _alice, _bob = build_closure_dataset()

    rows = closure_report(filters=ReportFilters(), group_by=GroupBy.TEAM, now=NOW)

    assert [(row["group"], row["key"]) for row in rows] == [("Team A", team_a.pk), ("Team B", team_b.pk)]
    assert _figures(rows[0]) == TEAM_A_ROW
    assert _figures(rows[1]) == TEAM_B_ROW


@pytest.mark.django_db
def test_closure_report_by_owner_severity_and_policy_give_the_same_split():
    build_closure_dataset()

    by_owner = closure_report(filters=ReportFilters(), group_by=GroupBy.OWNER, now=NOW)
    by_severity = closure_report(filters=ReportFilters(), group_by=GroupBy.SEVERITY, now=NOW)
    by_policy = closure_report(filters=ReportFilters(), group_by=GroupBy.POLICY, now=NOW)

    assert [row["group"] for row in by_owner] == ["alice", "bob"]
    assert [row["group"] for row in by_severity] == ["S1", "S3"]
    assert [row["group"] for row in by_policy] == ["bullying_harassment", "hate_speech"]
    assert [_figures(row) for row in by_owner] == [TEAM_A_ROW, TEAM_B_ROW]
    assert [_figures(row) for row in by_severity] == [TEAM_B_ROW, TEAM_A_ROW]
    assert [_figures(row) for row in by_policy] == [TEAM_A_ROW, TEAM_B_ROW]


@pytest.mark.django_db
def test_closure_report_by_month_groups_cases_by_month_opened():
    build_closure_dataset()

    rows = closure_report(filters=ReportFilters(), group_by=GroupBy.MONTH, now=NOW)

    assert [row["group"] for row in rows] == ["2026-05", "2026-06"]
    may, june = rows
    assert _figures(may) == {
        "opened": 6,  # cases 1-5 and 7
        "closed": 4,
        "closure_rate": 0.6667,
        "median_days_to_close": 7.0,
        "p90_days_to_close": 17.0,
        "sla_breach_rate": 0.5,
        "reopen_rate": 0.1667,
        "open_overdue": 1,
        "action_items_overdue": 1,
    }
    assert _figures(june) == {
        "opened": 3,  # cases 6, 8, 9
        "closed": 1,
        "closure_rate": 0.3333,
        "median_days_to_close": 1.0,
        "p90_days_to_close": 1.0,
        "sla_breach_rate": 0.3333,
        "reopen_rate": 0.0,
        "open_overdue": 1,
        "action_items_overdue": 0,
    }


@pytest.mark.django_db
def test_closure_report_without_grouping_is_one_row_of_all_cases():
    build_closure_dataset()

    (row,) = closure_report(filters=ReportFilters(), group_by=None, now=NOW)

    assert row["group"] == "All"
    assert row["opened"] == 9
    assert row["closed"] == 5
    assert row["median_days_to_close"] == 4.0  # of 1, 2, 4, 10, 20
    assert row["p90_days_to_close"] == 16.0  # rank 3.6: 10 + 0.6 * 10
    assert row["sla_breach_rate"] == round(4 / 9, 4)


@pytest.mark.django_db
def test_closure_report_applies_period_team_market_and_policy_filters():
    team_a, _team_b, _alice, _bob = build_closure_dataset()

    june = closure_report(filters=ReportFilters(opened_after=_day(6, 1)), group_by=GroupBy.TEAM, now=NOW)
    team_only = closure_report(filters=ReportFilters(team_id=team_a.pk), group_by=GroupBy.TEAM, now=NOW)
    brazil = closure_report(filters=ReportFilters(market="BR", policy="hate_speech"), group_by=None, now=NOW)
    before_may_3 = closure_report(filters=ReportFilters(opened_before=_day(5, 3)), group_by=None, now=NOW)

    assert [(row["group"], row["opened"]) for row in june] == [("Team A", 1), ("Team B", 2)]
    assert [row["group"] for row in team_only] == ["Team A"]
    assert brazil[0]["opened"] == 2
    assert before_may_3[0]["opened"] == 2


@pytest.mark.django_db
def test_closure_report_unassigned_cases_form_a_none_group():
    CaseFactory(owner=None, team=None, opened_at=_day(6, 1), due_at=_day(6, 15))

    rows = closure_report(filters=ReportFilters(), group_by=GroupBy.OWNER, now=NOW)

    assert [(row["group"], row["key"], row["opened"]) for row in rows] == [("(none)", None, 1)]
    assert rows[0]["median_days_to_close"] is None
    assert rows[0]["closure_rate"] == 0.0


@pytest.mark.django_db
def test_closure_report_is_empty_when_no_case_matches():
    assert closure_report(filters=ReportFilters(market="ZZ"), group_by=GroupBy.TEAM, now=NOW) == []
    assert closure_report(filters=ReportFilters(market="ZZ"), group_by=None, now=NOW) == []


def test_closure_report_rejects_an_unknown_grouping():
    with pytest.raises(ValueError, match="not one of"):
        closure_report(filters=ReportFilters(), group_by="planet", now=NOW)


@pytest.mark.django_db
def test_open_case_ageing_counts_open_cases_by_state_and_age_bucket():
    build_closure_dataset()

    rows = {row.status: row.counts for row in open_case_ageing(filters=ReportFilters(), now=NOW)}

    assert [label for label, _low, _high in AGE_BUCKETS] == [
        "0-7 days",
        "7-14 days",
        "14-30 days",
        "30-60 days",
        "60+ days",
    ]
    assert rows[CaseStatus.NEW] == (1, 0, 0, 0, 0)  # case 6, 5 days old
    assert rows[CaseStatus.TRIAGE] == (0, 0, 1, 0, 0)  # case 9, 28 days old
    assert rows[CaseStatus.INVESTIGATING] == (0, 0, 0, 1, 0)  # case 5, 56 days old
    assert rows[CaseStatus.MONITORING] == (0, 0, 0, 0, 0)
    assert CaseStatus.CLOSED not in rows


@pytest.mark.django_db
def test_headline_figures_hold_overall_figures_and_open_cases_per_severity():
    build_closure_dataset()

    figures = headline_figures(filters=ReportFilters(), now=NOW)

    assert figures["opened"] == 9
    assert figures["closed"] == 5
    assert figures["open"] == 3
    assert figures["open_by_severity"] == {"S1": 1, "S2": 0, "S3": 2, "S4": 0}


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([3.0], 0.9, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([2.0, 4.0, 10.0, 20.0], 0.9, 17.0),
        ([1.0, 2.0, 4.0, 10.0, 20.0], 0.5, 4.0),
    ],
)
def test_percentile_cont_interpolates_between_nearest_ranks(values, fraction, expected):
    result = percentile_cont(values, fraction)

    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.django_db
def test_report_filter_form_turns_a_period_into_opened_after():
    form = ReportFilterForm({"period": "30", "market": "id", "group_by": "owner"})

    assert form.is_valid(), form.errors
    filters = form.report_filters(today=_day(6, 30).date())

    assert filters.opened_after == _day(5, 31)
    assert filters.market == "ID"
    assert form.grouping == GroupBy.OWNER


@pytest.mark.django_db
def test_report_filter_form_rejects_bad_values():
    form = ReportFilterForm(
        {"group_by": "planet", "opened_after": "2026-13-01", "market": "IDN", "team": "999", "policy": "nope"}
    )

    assert not form.is_valid()
    assert set(form.errors) == {"group_by", "opened_after", "market", "team", "policy"}


@pytest.mark.django_db
def test_report_filter_form_rejects_an_empty_period():
    form = ReportFilterForm({"opened_after": "2026-06-01", "opened_before": "2026-05-01"})

    assert not form.is_valid()
    assert "opened_before" in form.errors
