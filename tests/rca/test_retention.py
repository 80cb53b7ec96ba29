"""Retention (rca/retention.py): audits older than the retention go, in batches, while what case work refers to stays:
a closed case's linked samples and the fix figures on its page and in the API; archived first, re-importable."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.records import FixInput, fix_record
from cases.fixes.services import fix_verdict_refresh
from cases.models import Case, CaseSample
from cases.numbers import format_percent
from rca.models import ModerationSample, PatternSample
from rca.retention import samples_drop_old
from tests.factories import CaseFactory, ErrorPatternFactory, FindingFactory, audits_bulk

pytestmark = pytest.mark.django_db


def test_retention_drops_an_old_month_but_a_closed_case_keeps_its_samples_and_figures(client, quality_lead):
    now = timezone.now()
    fix_at = now - timedelta(days=430)  # the case was worked on and closed more than a year ago
    verdict_at = fix_at + timedelta(days=10)
    for market, before, after in (("ID", 40, 38), ("TH", 4, 4)):
        audits_bulk(audits=200, errors=before, start=fix_at - timedelta(days=10), end=fix_at, market=market)
        audits_bulk(audits=200, errors=after, start=fix_at, end=verdict_at - timedelta(hours=2), market=market)
    recent = audits_bulk(audits=30, errors=3, start=now - timedelta(days=20), end=now - timedelta(days=1))
    definition = {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}
    case = CaseFactory(
        detected=True, pattern=ErrorPatternFactory(definition=definition), status=CaseStatus.MONITORING,
        owner=quality_lead, monitoring_at=fix_at,
    )  # fmt: skip
    fix = fix_record(case=case, fix=FixInput(effective_at=fix_at), actor=quality_lead, now=verdict_at)
    stored = fix_verdict_refresh(fix, now=verdict_at).figures
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=verdict_at)
    old = ModerationSample.objects.filter(audited_at__lt=now - timedelta(days=400))
    errors = list(old.filter(market="ID").exclude(outcome="correct"))
    CaseSample.objects.bulk_create(CaseSample(case=case, sample=sample) for sample in errors)
    evidence = old.filter(market="ID", outcome="correct").first()
    FindingFactory(case=case).evidence.add(evidence)
    in_pattern, in_stray_pattern = old.filter(market="TH")[:2]
    PatternSample.objects.create(pattern=case.pattern, sample=in_pattern)
    PatternSample.objects.create(pattern=ErrorPatternFactory(), sample=in_stray_pattern)  # a pattern of no case

    result = samples_drop_old(now=now, batch_size=50)

    kept = {sample.pk for sample in errors} | {evidence.pk, in_pattern.pk}
    assert set(old.values_list("pk", flat=True)) == kept
    assert result.deleted == 800 - len(kept) and result.batches > 5 and result.complete
    assert ModerationSample.objects.filter(audited_at__gte=now - timedelta(days=400)).count() == recent
    assert not PatternSample.objects.filter(sample_id=in_stray_pattern.pk).exists()

    client.force_login(quality_lead)
    api = client.get(f"/api/v1/cases/{case.pk}/").json()["latest_fix"]["figures"]
    room = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    for side in ("before", "after"):
        audits, count, rate = stored[side]["audits"], stored[side]["errors"], stored[side]["rate"]
        assert (api[side]["audits"], api[side]["errors"]) == (audits, count) == (200, 40 if side == "before" else 38)
        assert (
            f'<td class="num">{audits}</td><td class="num">{count}</td><td class="num">{format_percent(rate)}' in room
        )
    linked = client.get("/api/v1/samples/", {"case": case.pk, "page_size": 200}).json()["results"]
    assert {sample["external_id"] for sample in linked} == {sample.external_id for sample in errors}


def test_retention_archives_what_it_deletes_in_the_import_format(tmp_path):
    now = timezone.now()
    audits_bulk(audits=12, errors=3, start=now - timedelta(days=460), end=now - timedelta(days=450), notes="a;b")
    fields = ["external_id", "market", "outcome", "audit_label_id", "audited_at", "tags", "notes", "model_score"]
    before = list(ModerationSample.objects.order_by("external_id").values(*fields))

    result = samples_drop_old(now=now, archive_dir=tmp_path, batch_size=5)

    assert result.deleted == 12 and not ModerationSample.objects.exists()
    lines = Path(result.archive_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and json.loads(lines[0])["tags"] == ["guest_battle"]
    out = io.StringIO()
    call_command("import_samples", result.archive_path, stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[0] == "created: 12, updated: 0, rejected: 0"
    assert list(ModerationSample.objects.order_by("external_id").values(*fields)) == before


def test_retention_never_goes_below_its_minimum():
    with pytest.raises(ValueError, match="at least 90 days"):
        samples_drop_old(days=30)
