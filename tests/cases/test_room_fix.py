"""The case room's fix: the "Monitor the fix" form, closing on evidence or by override, the Fix and verdict panel,
"Recompute", and the timeline's fix entries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.audience import refresh_audience
from cases.choices import ActionItemStatus, ActivityVerb, CaseOrigin, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.fixes.summary import WindowFigures
from cases.models import Activity, Team
from rca.models import ModerationSample
from tests.factories import ActionItemFactory, CaseFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def _room(case) -> str:
    return reverse("case-detail", args=[case.pk])


def _case(status: str, lead, **extra):
    """A detected case (measure: decision none, audit bullying_harassment, market ID) with its action item done."""
    case = CaseFactory(status=status, owner=lead, origin=CaseOrigin.DETECTED, pattern=ErrorPatternFactory(), **extra)
    ActionItemFactory(case=case, status=ActionItemStatus.DONE, completed_at=timezone.now())
    return case


def _audits(count: int, errors: int, *, market: str, decided_at, model_version: str = "live-clf-3.2") -> None:
    """`count` audits of decisions labelled none at `decided_at`, `errors` of them missed bullying."""
    samples = [
        ModerationSampleFactory.build(
            market=market,
            model_version=model_version,
            audit_label_id="bullying_harassment" if index < errors else "none",
            decided_at=decided_at,
            audited_at=decided_at + timedelta(hours=1),
        )
        for index in range(count)
    ]
    ModerationSample.objects.bulk_create(samples)


def _monitored(lead, *, after_errors: int, effective_days_ago: int = 5) -> Fix:
    """A case in monitoring whose fix (model version live-clf-3.3) took effect `effective_days_ago`: 60 audits before
    it (30 errors), 60 after it by the new version (`after_errors`), and a control in BR at 10% both times."""
    case = _case(CaseStatus.MONITORING, lead, monitoring_at=timezone.now() - timedelta(days=effective_days_ago))
    fix_at = timezone.now() - timedelta(days=effective_days_ago)
    fix = Fix.objects.create(case=case, effective_at=fix_at, model_version="live-clf-3.3", recorded_by=lead)
    _audits(60, 30, market="ID", decided_at=fix_at - timedelta(days=2))
    _audits(60, after_errors, market="ID", decided_at=fix_at + timedelta(days=2), model_version="live-clf-3.3")
    _audits(60, 6, market="BR", decided_at=fix_at - timedelta(days=2))
    _audits(60, 6, market="BR", decided_at=fix_at + timedelta(days=2), model_version="live-clf-3.3")
    return fix_verdict_refresh(fix)


# MONITOR THE FIX
# ------------------------------------------------------------------------------


def test_room_monitor_form_asks_for_the_fix_effective_now_by_default(lead_client, quality_lead):
    case = _case(CaseStatus.REMEDIATING, quality_lead)

    body = lead_client.get(_room(case)).content.decode()

    now = timezone.localtime().replace(second=0, microsecond=0)
    assert 'type="datetime-local" name="effective_at"' in body
    assert f'value="{now:%Y-%m-%dT%H:%M}"' in body or f'value="{now - timedelta(minutes=1):%Y-%m-%dT%H:%M}"' in body
    for name in ("model_version", "guideline_version", "process_change", "description"):
        assert f'name="{name}"' in body


def test_room_monitor_move_records_the_fix_typed_with_it(lead_client, quality_lead):
    case = _case(CaseStatus.REMEDIATING, quality_lead)
    earlier = timezone.localtime() - timedelta(days=2)

    response = lead_client.post(
        _room(case),
        {
            "action": "transition",
            "to": "monitoring",
            "effective_at": f"{earlier:%Y-%m-%dT%H:%M}",
            "model_version": "live-clf-3.3",
            "guideline_version": "bullying-v7",
            "process_change": "Slang queue routed to ID specialists",
            "description": "Retrained with the slang list.",
        },
    )

    case.refresh_from_db()
    fix = Fix.objects.get(case=case)
    assert response.status_code == 302
    assert case.status == CaseStatus.MONITORING
    assert fix.effective_at == earlier.replace(second=0, microsecond=0)
    assert (fix.model_version, fix.guideline_version) == ("live-clf-3.3", "bullying-v7")
    assert fix.process_change == "Slang queue routed to ID specialists"
    assert fix.recorded_by == quality_lead
    assert Activity.objects.filter(case=case, verb=ActivityVerb.FIX_RECORDED).exists()


def test_room_monitor_move_refuses_a_fix_in_the_future_next_to_the_field_keeping_the_text(lead_client, quality_lead):
    case = _case(CaseStatus.REMEDIATING, quality_lead)
    later = timezone.localtime() + timedelta(days=1)

    response = lead_client.post(
        _room(case),
        {
            "action": "transition",
            "to": "monitoring",
            "effective_at": f"{later:%Y-%m-%dT%H:%M}",
            "model_version": "live-clf-3.3",
        },
    )

    body = response.content.decode()
    case.refresh_from_db()
    assert response.status_code == 400
    assert case.status == CaseStatus.REMEDIATING
    assert not Fix.objects.exists()
    field = body[body.index('name="effective_at"') :]
    assert "A fix cannot take effect in the future" in field[: field.index("</div>")]
    assert f'value="{later:%Y-%m-%dT%H:%M}"' in body
    assert 'value="live-clf-3.3"' in body
    assert "transition--needs" in body and " open>" in body


# CLOSE
# ------------------------------------------------------------------------------


def test_room_close_without_evidence_says_why_and_asks_for_an_override_reason(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)
    Fix.objects.create(
        case=case,
        effective_at=timezone.now(),
        verdict=FixVerdict.NOT_ENOUGH_AUDITS,
        figures={"audits_more": 120},
    )

    body = lead_client.get(_room(case)).content.decode()

    assert "The fix verdict is not enough audits, 120 more audits needed." in body
    assert "Override reason" in body
    assert "Close by override" in body


def test_room_close_without_evidence_nor_reason_is_refused_next_to_the_form(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)

    response = lead_client.post(_room(case), {"action": "transition", "to": "closed", "reason": " "})

    case.refresh_from_db()
    assert response.status_code == 400
    assert case.status == CaseStatus.MONITORING
    assert "No fix is recorded. Give an override reason to close anyway." in response.content.decode()


def test_room_close_with_an_override_reason_closes_by_override_and_the_timeline_says_so(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)

    response = lead_client.post(
        _room(case), {"action": "transition", "to": "closed", "reason": "Queue retired"}, follow=True
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by_override
    assert "closed by override: “Queue retired”" in response.content.decode()


def test_room_close_on_evidence_needs_no_reason(lead_client, quality_lead, settings):
    settings.FIX_MIN_MONITORING_DAYS = 1
    fix = _monitored(quality_lead, after_errors=3)

    body = lead_client.get(_room(fix.case)).content.decode()
    response = lead_client.post(_room(fix.case), {"action": "transition", "to": "closed", "reason": ""})

    fix.case.refresh_from_db()
    assert "Closing on evidence: the fix holds" in body
    assert response.status_code == 302
    assert fix.case.status == CaseStatus.CLOSED and not fix.case.closed_by_override


# FIX AND VERDICT PANEL
# ------------------------------------------------------------------------------


def test_room_fix_panel_shows_the_verdict_before_after_control_and_tests(lead_client, quality_lead):
    fix = _monitored(quality_lead, after_errors=3)

    body = lead_client.get(_room(fix.case)).content.decode()

    assert fix.verdict == FixVerdict.HOLDING
    panel = body[body.index('id="fix"') : body.index('id="measure"')]
    assert "badge--verdict-holding" in panel
    assert "Model version" in panel and "live-clf-3.3" in panel
    assert '<th scope="row">Before the fix</th>' in panel
    assert '<td class="num">60</td><td class="num">30</td><td class="num">50.0%</td>' in panel
    assert '<td class="num">60</td><td class="num">3</td><td class="num">5.0%</td>' in panel
    assert "Control, before" in panel and '<td class="num">10.0%</td>' in panel
    assert "37.7% to 62.3%" in panel  # Wilson 95% interval of 30/60
    assert "The error rate fell from 50.0% to 5.0%, a significant drop at the 5% level" in panel
    assert "net of them the drop is significant (difference-in-differences, p &lt; 0.001)" in panel
    assert 'name="action" value="fix_refresh"' in panel


def test_room_fix_panel_says_how_many_more_audits_are_needed(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)
    Fix.objects.create(
        case=case,
        effective_at=timezone.now(),
        verdict=FixVerdict.NOT_ENOUGH_AUDITS,
        figures={"audits_more": 120, "audits_needed": 150},
    )

    body = lead_client.get(_room(case)).content.decode()

    assert "badge--verdict-not_enough_audits" in body
    assert "Not enough audits: 120 more needed" in body


def test_room_fix_not_holding_highlights_the_fix_did_not_hold_move(lead_client, quality_lead):
    fix = _monitored(quality_lead, after_errors=28)

    body = lead_client.get(_room(fix.case)).content.decode()

    assert fix.verdict == FixVerdict.NOT_HOLDING
    assert "badge--verdict-not_holding" in body
    move = body[body.index("transition--suggested") :]
    assert "Fix did not hold" in move[: move.index("</summary>")]


def test_room_fix_panel_lists_earlier_fixes(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)
    Fix.objects.create(case=case, effective_at=timezone.now() - timedelta(days=30), model_version="live-clf-3.1")
    Fix.objects.create(case=case, effective_at=timezone.now() - timedelta(days=1), model_version="live-clf-3.3")

    body = lead_client.get(_room(case)).content.decode()

    earlier = body[body.index("Earlier fixes") :]
    assert "live-clf-3.1" in earlier[: earlier.index("</ul>")]
    assert "live-clf-3.3" not in earlier[: earlier.index("</ul>")]


def test_window_figures_never_write_a_small_rate_as_zero():
    window = WindowFigures(start=None, end=None, audits=10_000, errors=4, rate=0.0004, interval=(0.0001, 0.001))

    assert window.rate_text == "0.04%"
    assert window.interval_text == "0.01% to 0.10%"


def test_room_recompute_refreshes_the_verdict(lead_client, quality_lead):
    fix = _monitored(quality_lead, after_errors=3)
    Fix.objects.filter(pk=fix.pk).update(verdict="", figures={})

    response = lead_client.post(_room(fix.case), {"action": "fix_refresh"}, follow=True)

    fix.refresh_from_db()
    assert fix.verdict == FixVerdict.HOLDING
    assert "Fix verdict recomputed: Holding." in [str(message) for message in response.context["messages"]]


def test_room_recompute_without_a_fix_says_so(lead_client, quality_lead):
    case = _case(CaseStatus.REMEDIATING, quality_lead)

    response = lead_client.post(_room(case), {"action": "fix_refresh"}, follow=True)

    assert any("No fix is recorded" in str(message) for message in response.context["messages"])


def test_room_partner_sees_the_fix_panel_but_no_lead_form(client, quality_lead, partner):
    fix = _monitored(quality_lead, after_errors=3)
    policy = Team.objects.get(slug="policy")
    partner.teams.add(policy)
    fix.case.shared_teams.add(policy)
    refresh_audience([fix.case.pk])
    client.force_login(partner)

    body = client.get(_room(fix.case)).content.decode()

    assert "Fix and verdict" in body and "badge--verdict-holding" in body
    assert "Measure" in body and "Market: ID" in body
    assert 'value="fix_refresh"' not in body
    assert 'value="measure"' not in body
    assert 'name="effective_at"' not in body


def test_room_partner_recompute_is_refused(client, quality_lead, partner):
    fix = _monitored(quality_lead, after_errors=3)
    Fix.objects.filter(pk=fix.pk).update(verdict="", figures={})
    fix.case.watchers.add(partner)
    refresh_audience([fix.case.pk])
    client.force_login(partner)

    response = client.post(_room(fix.case), {"action": "fix_refresh"})

    fix.refresh_from_db()
    assert response.status_code == 302
    assert fix.verdict == ""


# TIMELINE
# ------------------------------------------------------------------------------


def test_room_timeline_words_the_fix_events(lead_client, quality_lead):
    case = _case(CaseStatus.MONITORING, quality_lead)
    entries = [
        (ActivityVerb.FIX_RECORDED, {"effective_at": "2026-11-20T10:00:00+00:00", "changes": {"Model version": "v9"}}),
        (
            ActivityVerb.FIX_VERDICT,
            {
                "verdict": "not_enough_audits",
                "previous": "",
                "before": {"audits": 100, "errors": 8, "rate": 0.08},
                "after": {"audits": 10, "errors": 0, "rate": 0.0},
                "audits_more": 120,
            },
        ),
        (ActivityVerb.LATE_AUDITS, {"count": 12, "since": "2026-11-20T10:00:00+00:00"}),
        (ActivityVerb.PATTERN_GREW, {"weekly_errors": 40, "previous_weekly_errors": 18}),
    ]
    for verb, data in entries:
        Activity.objects.create(case=case, verb=verb, data=data, actor=None)

    body = lead_client.get(_room(case)).content.decode()

    assert "recorded the fix, effective 2026-11-20 10:00 (Model version v9)" in body
    assert "computed the fix verdict: Not enough audits; error rate 8.0% before, 0% after; 120 more audits" in body
    assert "attached 12 late audit(s) of decisions made before 2026-11-20 10:00; they do not reopen the case" in body
    assert "noted that the pattern grew to 40 errors a week (from 18 when it was set aside)" in body
