"""`GET /api/v1/quality/agreement/`: kappa and overturn rate against the resolution, on a hand-checked example, for
quality leads and managers only."""

from django.db import transaction

from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.factories import ModerationSampleFactory


def _resolved(*, first: str, final: str, auditor: str = "aud-1", market: str = "ID") -> None:
    sample = ModerationSampleFactory(decision_label_id="none", audit_label_id=first, auditor_id=auditor, market=market)
    with transaction.atomic():
        review_record(sample=sample, kind=ReviewKind.SECOND_REVIEW, label=final, reviewer_auditor_id="aud-lead")


def test_agreement_per_auditor_matches_the_hand_checked_example(lead_client):
    # aud-1's first audits -> final labels: hate/hate, hate/none (overturned), none/none, none/none.
    # p_o = 3/4; auditor: hate 1/2, none 1/2; final: hate 1/4, none 3/4; p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2;
    # kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5; overturn rate 1/4.
    _resolved(first="hate_speech", final="hate_speech")
    _resolved(first="hate_speech", final="none")
    _resolved(first="none", final="none")
    _resolved(first="none", final="none")
    _resolved(first="hate_speech", final="none", auditor="aud-2", market="BR")

    response = lead_client.get("/api/v1/quality/agreement/", {"market": "ID"})

    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert row["group"] == "aud-1"
    assert (row["reviewed"], row["overturned"], row["agreed"]) == (4, 1, 3)
    assert (row["agreement_rate"], row["kappa"], row["overturn_rate"]) == (0.75, 0.5, 0.25)


def test_agreement_groups_by_market(lead_client):
    _resolved(first="hate_speech", final="none", market="BR")
    _resolved(first="hate_speech", final="hate_speech", market="ID")

    rows = lead_client.get("/api/v1/quality/agreement/", {"group_by": "market"}).json()["rows"]

    assert {row["group"]: row["overturned"] for row in rows} == {"BR": 1, "ID": 0}


def test_agreement_is_refused_to_partners(partner_client, client, partner):
    client.force_login(partner)

    assert partner_client.get("/api/v1/quality/agreement/").status_code == 403
    assert client.get("/quality/agreement/").status_code == 403
