"""`/api/v1/import-jobs/`: quality leads and staff import a file of IMPORT_SOURCE_DIR over the workers; leads,
managers and staff follow the jobs; partners see none; a path outside the directory is a 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rca.choices import ImportJobStatus
from rca.models import ImportChunk, ImportJob, ModerationSample
from tests.factories import UserFactory
from tests.rca.test_import_jobs import write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def source_dir(tmp_path, settings):
    settings.IMPORT_SOURCE_DIR = str(tmp_path / "imports")
    (tmp_path / "imports").mkdir()
    write_jsonl(tmp_path / "imports" / "audits.jsonl", 12)
    (tmp_path / "secret.jsonl").write_text("{}\n")
    return tmp_path / "imports"


def test_a_lead_imports_a_file_of_the_import_directory_and_follows_its_job(
    source_dir, lead_client, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_CHUNK_BYTES = 1000

    with django_capture_on_commit_callbacks(execute=True):  # eager here: the workers' part runs inline
        response = lead_client.post("/api/v1/import-jobs/", {"path": "audits.jsonl"}, format="json")

    assert response.status_code == 202, response.json()
    assert response.json()["status"] == ImportJobStatus.QUEUED
    detail = lead_client.get(f"/api/v1/import-jobs/{response.json()['id']}/").json()
    assert detail["status"] == ImportJobStatus.SUCCEEDED
    assert (detail["total"], detail["processed"], detail["created"], detail["rejected"]) == (12, 12, 12, 0)
    assert detail["chunks_total"] == detail["chunks_done"] == len(detail["chunks"]) > 1
    assert ModerationSample.objects.count() == 12


@pytest.mark.parametrize(
    ("path", "message"),
    [("../secret.jsonl", "leads out of the import directory"), ("missing.jsonl", "No file missing.jsonl")],
)
def test_an_import_path_outside_the_directory_or_missing_is_refused(source_dir, lead_client, path, message):
    response = lead_client.post("/api/v1/import-jobs/", {"path": path}, format="json")

    assert response.status_code == 400
    assert message in response.json()["path"][0]
    assert not ImportJob.objects.exists()


def test_imports_by_path_are_off_without_an_import_directory(lead_client, settings):
    settings.IMPORT_SOURCE_DIR = ""

    response = lead_client.post("/api/v1/import-jobs/", {"path": "audits.jsonl"}, format="json")

    assert response.status_code == 400
    assert "IMPORT_SOURCE_DIR is not set" in response.json()["path"][0]


def test_who_may_start_and_see_import_jobs(source_dir, make_client, manager_client, partner_client, quality_lead):
    staff = UserFactory(username="operator", is_staff=True)
    job = ImportJob.objects.create(
        source_path="/x.jsonl", file_format="jsonl", chunk_bytes=1, requested_by=quality_lead
    )

    assert manager_client.post("/api/v1/import-jobs/", {"path": "audits.jsonl"}, format="json").status_code == 403
    assert partner_client.post("/api/v1/import-jobs/", {"path": "audits.jsonl"}, format="json").status_code == 403
    started = make_client(staff).post("/api/v1/import-jobs/", {"path": "audits.jsonl"}, format="json")
    assert started.status_code == 202
    assert {row["id"] for row in manager_client.get("/api/v1/import-jobs/").json()["results"]} == {
        job.pk,
        started.json()["id"],
    }
    assert partner_client.get("/api/v1/import-jobs/").json()["results"] == []
    assert partner_client.get(f"/api/v1/import-jobs/{job.pk}/").status_code == 404


def test_import_job_list_and_detail_run_a_fixed_number_of_queries(lead_client):
    jobs = [ImportJob.objects.create(source_path=f"/{n}.jsonl", file_format="jsonl", chunk_bytes=1) for n in range(30)]
    for index in range(20):
        ImportChunk.objects.create(job=jobs[0], index=index, start=index, end=index + 1, first_line=index + 1, lines=1)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert lead_client.get(url).status_code == 200
        return len(context.captured_queries)

    # The token and the user's roles (2), then the count and the page; the detail: the job and its chunks.
    assert queries("/api/v1/import-jobs/?page_size=5") == queries("/api/v1/import-jobs/?page_size=30") == 4
    assert queries(f"/api/v1/import-jobs/{jobs[0].pk}/") == queries(f"/api/v1/import-jobs/{jobs[1].pk}/") == 4
