from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from cases.choices import CaseOrigin, CaseStatus
from cases.models import Case
from rca.models import DetectionRun, ModerationSample

pytestmark = pytest.mark.django_db


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--days", "10", "--audits-per-day", "300", *extra, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_users_audits_a_detection_run_and_cases_in_several_states():
    output = _seed()

    assert set(User.objects.values_list("username", flat=True)) >= {"lead", "manager", "policy", "ops", "ml", "admin"}
    assert User.objects.get(username="lead").check_password("rca-demo-2026")
    assert "Demo logins" in output and "lead" in output
    assert ModerationSample.objects.count() >= 3000
    assert DetectionRun.objects.get().status == "succeeded"
    manual = Case.objects.filter(origin=CaseOrigin.MANUAL)
    assert set(manual.values_list("status", flat=True)) == {
        CaseStatus.NEW,
        CaseStatus.TRIAGE,
        CaseStatus.INVESTIGATING,
        CaseStatus.REMEDIATING,
        CaseStatus.CLOSED,
    }
    assert all(case.activities.exists() for case in manual)


@pytest.mark.parametrize("again", [(), ("--refresh",)], ids=["plain", "refresh"])
def test_seed_demo_run_twice_adds_no_duplicates(again):
    _seed()
    counts = (User.objects.count(), ModerationSample.objects.count(), Case.objects.count())

    _seed(*again)

    assert User.objects.count() == counts[0]
    assert ModerationSample.objects.count() == counts[1]
    assert Case.objects.count() == counts[2]
    assert Case.objects.filter(origin=CaseOrigin.MANUAL).count() == 5
