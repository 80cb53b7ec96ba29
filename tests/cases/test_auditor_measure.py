"""The measure of an auditor pattern (audit-driven): its population names the auditor (or the group), and its control
is the same decisions audited by peers, on generated audits read through the real counts (`cases.measure`) and the
fix verdict; initiatives refuse an auditor condition; auditor ids are masked in the measure's words."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.records import FixInput, fix_record
from cases.fixes.services import fix_verdict_refresh
from cases.initiatives.services import clean_measure
from cases.measure.counts import Window, window_counts
from cases.measure.definition import case_measure, measure_from_dict, pattern_measure
from cases.measure.describe import masked_measure_dict, measure_summary
from cases.permissions import mask_personal_id
from cases.story.rows import ErrorRow
from cases.story.unusual import unusual_candidates
from tests.factories import CaseFactory, ErrorPatternFactory, audits_bulk

pytestmark = pytest.mark.django_db
REMOVED = "bullying_harassment"  # the decision label of the removals the auditors overturn
SINGLE = {"audit_label": "none", "auditor_id": "aud-9"}
GROUP = {"audit_label": "none", "market": "MX", "auditor_id": ["aud-8", "aud-9"]}


def _overturns(now, *, auditor: str, market: str, audits: int, errors: int, days: int = 5):
    """Removals audited by `auditor` over the last `days`, `errors` of them overturned (audited `none`)."""
    audits_bulk(
        audits=audits,
        errors=errors,
        start=now - timedelta(days=days),
        end=now - timedelta(hours=2),
        error_label="none",
        decision_label_id=REMOVED,
        decision_source="human",
        auditor_id=auditor,
        market=market,
    )


def test_pattern_measure_of_an_auditor_pattern_carries_the_auditor_or_the_group():
    single = pattern_measure(ErrorPatternFactory(definition=SINGLE))
    group = pattern_measure(ErrorPatternFactory(definition=GROUP))

    assert (single.population, single.audit_label) == ({"auditor_id": "aud-9"}, "none")
    assert single.is_audit_driven and single.comparable == {} and single.has_control
    assert group.population == {"auditor_id": ["aud-8", "aud-9"], "market": "MX"}
    assert group.comparable == {"market": "MX"} and group.has_control
    moderation = pattern_measure(ErrorPatternFactory())
    assert not moderation.is_audit_driven and moderation.comparable == {"decision_label": "none"}


def test_auditor_measure_counts_its_audits_against_peers_on_the_same_decisions():
    now = timezone.now()
    _overturns(now, auditor="aud-9", market="MX", audits=100, errors=40)
    _overturns(now, auditor="aud-8", market="MX", audits=100, errors=30)
    _overturns(now, auditor="aud-9", market="BR", audits=50, errors=20)
    _overturns(now, auditor="aud-1", market="MX", audits=100, errors=5)
    _overturns(now, auditor="aud-2", market="BR", audits=100, errors=10)
    _overturns(now, auditor="", market="MX", audits=60, errors=30)  # no auditor id: nobody's peer
    window = [Window("w", now - timedelta(days=6), now)]

    single = window_counts(pattern_measure(ErrorPatternFactory(definition=SINGLE)), window)["w"]
    group = window_counts(pattern_measure(ErrorPatternFactory(definition=GROUP)), window)["w"]

    # aud-9 everywhere, against every other auditor everywhere.
    assert (single.slice.audits, single.slice.errors) == (150, 60)
    assert (single.control.audits, single.control.errors) == (300, 45)
    # The group in MX, against the other auditors of MX.
    assert (group.slice.audits, group.slice.errors) == (200, 70)
    assert (group.control.audits, group.control.errors) == (100, 5)


def test_fix_verdict_of_an_auditor_case_is_net_of_its_peers(quality_lead):
    """Recalibrated, aud-9 stops overturning correct removals while peers stay at 5%: holding. A shared fall (the
    peers' too) would not hold; audits without an auditor id, whose rate moves the other way, are no control."""
    now = timezone.now()
    fix_at = now - timedelta(days=10)
    for auditor, rates in (("aud-9", (0.40, 0.05)), ("aud-1", (0.05, 0.05)), ("", (0.05, 0.60))):
        for (start, end), rate in zip(((fix_at - timedelta(days=10), fix_at), (fix_at, now)), rates, strict=True):
            audits_bulk(
                audits=200, errors=round(200 * rate), start=start + timedelta(hours=1), end=end - timedelta(hours=1),
                error_label="none", decision_label_id=REMOVED, auditor_id=auditor,
            )  # fmt: skip
    case = CaseFactory(
        detected=True,
        pattern=ErrorPatternFactory(definition=SINGLE),
        status=CaseStatus.MONITORING,
        owner=quality_lead,
        monitoring_at=fix_at,
    )
    fix = fix_record(case=case, fix=FixInput(effective_at=fix_at), actor=quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.HOLDING
    figures = fix.figures
    assert figures["measure"]["population"] == {"auditor_id": "aud-9"}
    assert (figures["before"]["errors"], figures["after"]["errors"]) == (80, 10)
    assert figures["control"]["before"]["audits"] == figures["control"]["after"]["audits"] == 200
    assert figures["control"]["before"]["rate"] == figures["control"]["after"]["rate"] == pytest.approx(0.05)
    assert figures["difference_in_differences"]["p_value"] < 0.05


def test_a_lead_measure_may_name_an_auditor_but_an_initiative_may_not():
    data = {"population": {"auditor_id": ["aud-8", "aud-9"], "market": "MX"}, "audit_label": "none"}

    assert measure_from_dict(data).is_audit_driven
    assert case_measure(CaseFactory(measure=data)).comparable == {"market": "MX"}
    with pytest.raises(ValidationError) as refused:
        clean_measure(data)
    assert "moderation quality" in refused.value.message_dict["measure"][0]


def test_measure_words_and_dict_mask_auditors_for_whoever_may_not_see_them():
    measure = pattern_measure(ErrorPatternFactory(definition=GROUP))

    shown = measure_summary(measure, mask=mask_personal_id)
    masked = masked_measure_dict(measure.as_dict(), mask_personal_id)

    assert ("Auditor", "•••••• or ••••••") in shown.conditions and ("Market", "MX") in shown.conditions
    assert masked["population"] == {"auditor_id": ["••••••", "••••••"], "market": "MX"}
    assert ("Auditor", "aud-8 or aud-9") in measure_summary(measure).conditions
    assert measure.as_dict()["population"]["auditor_id"] == ["aud-8", "aud-9"]  # the measure itself is untouched


def test_story_of_an_auditor_measure_does_not_offer_its_own_auditors_as_unusual():
    """The population fixes the auditors (`auditor_id`): they are no finding about its errors; other values are."""
    now = timezone.now()
    rows = [
        ErrorRow(now, f"c{index}", "", "human", "", "MX", "es", "q", "video", "feed", "", "aud-9") for index in range(5)
    ]
    single = pattern_measure(ErrorPatternFactory(definition=SINGLE))

    found = {(dimension, value) for dimension, value, _errors in unusual_candidates(single, rows)}
    moderation = {
        dimension for dimension, _value, _errors in unusual_candidates(pattern_measure(ErrorPatternFactory()), rows)
    }

    assert ("market", "MX") in found and not any(dimension == "auditor" for dimension, _value in found)
    assert "auditor" in moderation
