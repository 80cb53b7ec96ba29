"""Fault drill: Redis (the Celery broker) goes down while the web app serves.

The app runs under gunicorn in a subprocess on a private, persistent Redis (append-only file, as production should
run it). A detection run is requested (queued on the broker, no worker yet), then Redis is stopped: pages and API
reads answer, writes that need no broker are stored, `/healthz` says 503. A worker started during the outage waits;
when Redis returns, the run queued before the outage is carried out and `/healthz` is 200 again.
"""

import time

import pytest
import requests
from django.conf import settings
from django.test import Client

from cases.models import Comment
from config.api.authentication import token_for
from rca.choices import DetectionRunStatus
from rca.models import DetectionRun, ModerationSample
from tests.factories import CaseFactory, ModerationSampleFactory, UserFactory
from tests.hardening.services import WebProcess, WorkerProcess, drill_database_url, eventually
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ANSWER_WITHIN = 10.0  # seconds: a request during the outage must not hang on the broker


def _record(external_id: str) -> dict:
    return {
        "external_id": external_id, "content_id": "ls-1", "content_type": "live_stream", "market": "ID",
        "language": "id", "decision_source": "model", "model_version": "live-clf-3.2", "decision_label": "none",
        "audit_label": "bullying_harassment", "decided_at": "2026-11-02T10:14:00+07:00",
        "audited_at": "2026-11-03T09:00:00+07:00", "notes": "during the outage",
    }  # fmt: skip


def test_redis_down_pages_and_api_answer_healthz_503_and_queued_work_resumes(seeded, persistent_redis, tmp_path):
    require_postgres()
    lead = UserFactory(username="outage_lead", role="quality_lead")
    case = CaseFactory(title="Outage case")
    ModerationSampleFactory(external_id="qa-outage-1")
    token, _ = token_for(lead)
    browser = Client()
    browser.force_login(lead)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, browser.cookies[settings.SESSION_COOKIE_NAME].value)
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token.key}"
    database_url = drill_database_url()
    web = WebProcess(database_url=database_url, redis_url=persistent_redis.url, log=tmp_path / "web.log")
    worker = WorkerProcess(database_url=database_url, redis_url=persistent_redis.url, log=tmp_path / "worker.log")
    web.start()
    try:
        healthy_before = requests.get(f"{web.base}/healthz", timeout=ANSWER_WITHIN).status_code
        queued = api.post(f"{web.base}/api/v1/detection-runs/", json={}, timeout=ANSWER_WITHIN)

        persistent_redis.stop()
        started = time.monotonic()
        during = {
            "healthz": requests.get(f"{web.base}/healthz", timeout=ANSWER_WITHIN),
            "board": session.get(f"{web.base}/cases/", timeout=ANSWER_WITHIN),
            "room": session.get(f"{web.base}/cases/{case.pk}/", timeout=ANSWER_WITHIN),
            "samples page": session.get(f"{web.base}/samples/", timeout=ANSWER_WITHIN),
            "api cases": api.get(f"{web.base}/api/v1/cases/", timeout=ANSWER_WITHIN),
            "api samples": api.get(f"{web.base}/api/v1/samples/", timeout=ANSWER_WITHIN),
            "api comment": api.post(
                f"{web.base}/api/v1/comments/",
                json={"case": case.pk, "body": "Written while Redis is down"},
                timeout=ANSWER_WITHIN,
            ),
            "api bulk": api.post(
                f"{web.base}/api/v1/samples/bulk/", json=[_record("qa-outage-2")], timeout=ANSWER_WITHIN
            ),
        }
        outage_seconds = time.monotonic() - started
        worker.start()  # during the outage: it must wait for the broker, not crash
        time.sleep(3)
        worker_alive_in_outage = worker.process.poll() is None

        persistent_redis.start()
        run = DetectionRun.objects.get(pk=queued.json()["id"])
        resumed = eventually(
            lambda: (
                DetectionRun.objects.get(pk=run.pk).status
                not in (DetectionRunStatus.QUEUED, DetectionRunStatus.RUNNING)
            ),
            timeout=120,
        )
        healthy_after = requests.get(f"{web.base}/healthz", timeout=ANSWER_WITHIN).status_code
    finally:
        worker.stop()
        web.stop()

    assert healthy_before == 200 and queued.status_code == 202
    assert during["healthz"].status_code == 503
    assert during["healthz"].json()["broker"]["ok"] is False and during["healthz"].json()["database"]["ok"] is True
    for name in ("board", "room", "samples page", "api cases", "api samples", "api bulk"):
        assert during[name].status_code == 200, (name, during[name].status_code, during[name].text[:300])
    assert during["api comment"].status_code == 201, during["api comment"].text[:300]
    assert Comment.objects.filter(body="Written while Redis is down").exists()
    assert ModerationSample.objects.filter(external_id="qa-outage-2").exists()
    assert outage_seconds < 5 * ANSWER_WITHIN
    assert worker_alive_in_outage, worker.output()[-2000:]
    assert resumed, worker.output()[-3000:]
    assert DetectionRun.objects.get(pk=run.pk).status == DetectionRunStatus.SUCCEEDED
    assert healthy_after == 200
