"""Verdicts in doubt and the quality endpoints: a dispute puts its sample's verdict in doubt, which the figures leave
out with `exclude_in_doubt=true` once the dispute commits, and its second review brings it back; every row counts the
verdicts in doubt (`audits_in_doubt`); a bad value is a 400 naming the parameter."""

import csv
import io

import pytest

from cases.disputes.models import AuditorIdentity
from rca.quality.rollups import decision_day, quality_rollups_rebuild
from tests.factories import ModerationSampleFactory, UserFactory

METRICS = "/api/v1/quality/metrics/"
CHANGES = "/api/v1/quality/changes/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_lead(db):
    lead = UserFactory(username="lead2", role="quality_lead")
    AuditorIdentity.objects.create(user=lead, auditor_id="aud-99")
    return lead


@pytest.fixture
def samples(db):
    """Two model errors (decided none, audited bullying) and a correct decision, rolled up."""
    found = [*ModerationSampleFactory.create_batch(2), ModerationSampleFactory(correct=True)]
    quality_rollups_rebuild()
    return found


def _figures(client, sample, **query) -> tuple[int, int, int]:
    """(audits, errors, audits_in_doubt) of the day of `sample`'s decision."""
    day = decision_day(sample.decided_at).isoformat()
    (row,) = client.get(METRICS, {"start": day, "end": day, **query}).json()
    return row["audits"], row["errors"], row["audits_in_doubt"]


def test_a_dispute_is_left_out_once_it_commits_and_its_review_brings_it_back(
    lead_client, make_client, second_lead, samples, django_capture_on_commit_callbacks
):
    disputed = samples[0]
    exclude = {"exclude_in_doubt": "true"}

    with django_capture_on_commit_callbacks() as callbacks:
        opened = lead_client.post(
            f"/api/v1/samples/{disputed.external_id}/disputes/", {"reason": "Banter, not bullying."}, format="json"
        )
        before_commit = _figures(lead_client, disputed, **exclude)
    for callback in callbacks:
        callback()
    in_doubt = (_figures(lead_client, disputed), _figures(lead_client, disputed, **exclude))
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = make_client(second_lead).post(
            f"/api/v1/disputes/{opened.json()['id']}/review/", {"label": "bullying_harassment"}, format="json"
        )
    settled = _figures(lead_client, disputed, **exclude)

    assert opened.status_code == 201 and reviewed.status_code == 200, reviewed.content
    assert before_commit == (3, 2, 0)
    assert in_doubt == ((3, 2, 1), (2, 1, 1))
    assert settled == (3, 2, 0)  # upheld: no longer in doubt, counted again


def test_metrics_and_changes_csv_leave_verdicts_in_doubt_out(lead_client, samples, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(f"/api/v1/samples/{samples[1].external_id}/disputes/", {"reason": "Unsure."}, format="json")
    day = decision_day(samples[1].decided_at).isoformat()
    periods = {"a_start": day, "a_end": day, "b_start": day, "b_end": day, "dimension": "decision_source"}

    metrics = lead_client.get(METRICS, {"start": day, "end": day, "exclude_in_doubt": "yes", "format": "csv"})
    changes = lead_client.get(CHANGES, {**periods, "exclude_in_doubt": "1"}).json()
    counted = lead_client.get(CHANGES, {**periods, "exclude_in_doubt": "false"}).json()

    (row,) = csv.DictReader(io.StringIO(metrics.content.decode()))
    assert (row["audits"], row["audits_in_doubt"], row["errors"]) == ("2", "1", "1")
    assert (changes["audits_a"], changes["rate_a"]) == (2, 0.5)
    assert (counted["audits_a"], counted["rate_a"]) == (3, pytest.approx(2 / 3))


@pytest.mark.parametrize("endpoint", [METRICS, CHANGES])
@pytest.mark.parametrize("value", ["maybe", "2", "truee"])
def test_a_bad_exclude_in_doubt_is_a_400_naming_it(lead_client, endpoint, value):
    response = lead_client.get(endpoint, {"exclude_in_doubt": value})

    assert response.status_code == 400
    assert response.json() == {"exclude_in_doubt": ["Enter true or false."]}
