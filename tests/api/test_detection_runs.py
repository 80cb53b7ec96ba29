"""`/api/v1/detection-runs/`: quality leads queue a run (202 with its id); the list shows runs, newest first."""

import pytest

from rca.models import DetectionRun
from tests.factories import DetectionRunFactory

pytestmark = pytest.mark.django_db


def test_detection_run_create_queues_a_run_and_answers_202(lead_client, quality_lead):
    response = lead_client.post("/api/v1/detection-runs/", {"window_days": 7}, format="json")

    assert response.status_code == 202
    run = DetectionRun.objects.get(pk=response.json()["id"])
    assert run.requested_by == quality_lead
    assert run.parameters["window_days"] == 7
    assert response.json()["status"] == run.status


def test_detection_run_create_uses_the_default_window(lead_client, settings):
    response = lead_client.post("/api/v1/detection-runs/", {}, format="json")

    assert response.status_code == 202
    assert DetectionRun.objects.get().parameters["window_days"] == settings.DETECTION_WINDOW_DAYS


@pytest.mark.parametrize(
    ("body", "field"), [({"window_days": 0}, "window_days"), ({"window_days": "two"}, "window_days"), ({"x": 1}, "x")]
)
def test_detection_run_create_refuses_bad_input(lead_client, body, field):
    response = lead_client.post("/api/v1/detection-runs/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not DetectionRun.objects.exists()


def test_detection_run_create_is_for_quality_leads_only(manager_client):
    response = manager_client.post("/api/v1/detection-runs/", {}, format="json")

    assert response.status_code == 403
    assert not DetectionRun.objects.exists()


def test_detection_run_list_is_newest_first(manager_client):
    older, newer = DetectionRunFactory(), DetectionRunFactory()

    response = manager_client.get("/api/v1/detection-runs/")

    assert [run["id"] for run in response.json()["results"]] == [newer.pk, older.pk]
