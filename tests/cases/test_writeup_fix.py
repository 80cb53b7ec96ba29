"""The write-up's "Fix and verdict" and "Measure" sections, on the printable page and in Markdown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import ActivityVerb, CaseOrigin, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.models import Activity
from cases.writeup import case_writeup
from cases.writeup_markdown import writeup_markdown
from tests.factories import CaseFactory, ErrorPatternFactory

pytestmark = pytest.mark.django_db

FIGURES = {
    "alpha": 0.05,
    "audits_needed": 46,
    "audits_more": 0,
    "before": {"start": "2026-11-01T00:00:00+00:00", "end": "2026-11-08T00:00:00+00:00", "audits": 296,
               "errors": 25, "rate": 25 / 296, "interval": [0.0577, 0.1218]},
    "after": {"start": "2026-11-08T00:00:00+00:00", "end": "2026-11-15T00:00:00+00:00", "audits": 310,
              "errors": 4, "rate": 4 / 310, "interval": [0.005, 0.0327]},
    "control": None,
    "test": {"z": 4.1, "p_value": 0.00002},
    "difference_in_differences": None,
}  # fmt: skip


@pytest.fixture
def fixed_case(quality_lead):
    case = CaseFactory(
        status=CaseStatus.CLOSED,
        origin=CaseOrigin.DETECTED,
        pattern=ErrorPatternFactory(),
        closed_by_override=True,
        closed_at=timezone.now(),
    )
    Fix.objects.create(
        case=case,
        effective_at=timezone.now() - timedelta(days=40),
        model_version="live-clf-3.2",
        verdict=FixVerdict.NOT_HOLDING,
        recorded_by=quality_lead,
    )
    Fix.objects.create(
        case=case,
        effective_at=timezone.now() - timedelta(days=7),
        model_version="live-clf-3.3",
        description="Retrained with the slang list.",
        verdict=FixVerdict.HOLDING,
        figures=FIGURES,
        verdict_at=timezone.now(),
        recorded_by=quality_lead,
    )
    Activity.objects.create(
        case=case,
        actor=quality_lead,
        verb=ActivityVerb.TRANSITIONED,
        data={"source": "monitoring", "target": "closed", "reason": "Queue retired", "override": True},
    )
    return case


def test_writeup_markdown_has_the_fix_and_measure_sections(fixed_case, quality_lead):
    text = writeup_markdown(case_writeup(case=fixed_case, user=quality_lead))

    fix = text[text.index("## Fix and verdict") : text.index("## Measure")]
    assert "Verdict: **Holding**" in fix
    assert "- Model version: live-clf-3.3" in fix
    assert "| Before the fix | 2026-11-01 to 2026-11-08 | 296 | 25 | 8.4% | 5.8% to 12.2% |" in fix
    assert "| After the fix | 2026-11-08 to 2026-11-15 | 310 | 4 | 1.3% | 0.50% to 3.3% |" in fix
    assert "The error rate fell from 8.4% to 1.3%, a significant drop" in fix
    assert "### Earlier fixes" in fix and "Not holding; Model version live-clf-3.2" in fix
    measure = text[text.index("## Measure") :]
    assert "- Population: audits of Decision label none, Market ID" in measure
    assert "- Errors counted: Misclassified audits whose audit label is bullying\\_harassment." in measure
    assert "- Source: From the detected pattern" in measure
    assert "closed by override: “Queue retired”" in text


def test_writeup_page_has_the_fix_and_measure_sections(client, fixed_case, quality_lead):
    client.force_login(quality_lead)

    body = client.get(reverse("case-writeup", args=[fixed_case.pk])).content.decode()

    fix = body[body.index('id="fix"') : body.index('id="measure"')]
    assert "Holding" in fix and "live-clf-3.3" in fix and "Retrained with the slang list." in fix
    assert '<td class="num">296</td><td class="num">25</td><td class="num">8.4%</td>' in fix
    assert "Earlier fixes" in fix
    measure = body[body.index('id="measure"') :]
    assert '<span class="tag">Market: ID</span>' in measure
    assert "closed by override: “Queue retired”" in body


def test_writeup_of_a_case_without_a_fix_says_so(client, quality_lead):
    case = CaseFactory()
    client.force_login(quality_lead)

    text = writeup_markdown(case_writeup(case=case, user=quality_lead))

    assert "## Fix and verdict\n\n_No fix recorded._" in text
    assert "## Measure\n\n_Nothing to measure" in text


def test_writeup_names_the_pattern_by_its_title_and_caps_its_lift(quality_lead):
    pattern = ErrorPatternFactory(lift=134759.2)
    case = CaseFactory(origin=CaseOrigin.DETECTED, pattern=pattern)

    writeup = case_writeup(case=case, user=quality_lead)
    markdown = writeup_markdown(writeup)

    assert writeup.pattern.name == "Bullying and harassment missed in Indonesia"
    assert f"- Pattern: {writeup.pattern.name}" in markdown and pattern.name not in markdown
    assert "lift over 100\u00d7" in markdown and "134759" not in markdown
