"""Import jobs (rca/importing/jobs.py): a file cut into chunks on record boundaries, each chunk one transaction, a
failed chunk retried and a stopped job resumed without a row twice, and the same over a real Celery worker."""

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rca.choices import ImportChunkStatus, ImportJobStatus
from rca.importing.chunks import open_chunk, plan_chunks
from rca.importing.jobs import import_job_plan, import_job_request, import_job_resume, spread_order
from rca.importing.readers import open_sample_file
from rca.importing.tasks import import_chunk
from rca.models import ImportChunk, ImportJob, ModerationSample, QualityRollup, QualityRollupMark
from tests.rca.test_import_command import HEADER, good_row
from tests.rca.test_quality_rollups import direct_aggregate, mixed_records, stored_rollups
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def jsonl_record(external_id: str, **overrides) -> str:
    record = {
        "external_id": external_id, "content_id": f"c-{external_id}", "content_type": "live_stream", "market": "US",
        "language": "en", "decision_source": "human", "decision_label": "hate_speech", "audit_label": "none",
        "decided_at": "2026-11-02T10:00:00-05:00", "audited_at": "2026-11-03T10:00:00-05:00",
    }  # fmt: skip
    return json.dumps({**record, **overrides})


def write_jsonl(path, count: int) -> list[str]:
    ids = [f"qa-{i:03d}" for i in range(count)]
    path.write_text("".join(jsonl_record(external_id) + "\n" for external_id in ids), encoding="utf-8")
    return ids


def test_chunks_are_sent_far_apart_in_the_file_for_the_workers_that_take_them_together():
    assert spread_order(8) == [0, 4, 2, 6, 1, 5, 3, 7]
    assert sorted(spread_order(11)) == list(range(11)) and spread_order(1) == [0]


@pytest.mark.parametrize("chunk_bytes", [1, 40, 150, 10_000])
def test_plan_chunks_cuts_on_record_boundaries_and_numbers_rows_by_the_file_lines(tmp_path, chunk_bytes):
    source = tmp_path / "samples.csv"
    quoted = '"A value over\n""two"" lines, with a comma"'
    rows = [good_row("qa-1"), "", good_row("qa-2", notes=quoted), "not,enough,values", good_row("qa-3", notes=quoted)]
    source.write_text("\n".join([HEADER, *rows, good_row("qa-4")]) + "\n", encoding="utf-8")
    with open_sample_file(source, "csv") as whole:
        expected = list(whole)

    plan = plan_chunks(source, "csv", chunk_bytes=chunk_bytes)
    read = []
    for chunk in plan.chunks:
        with open_chunk(source, "csv", header_bytes=plan.header_bytes, chunk=chunk) as chunk_rows:
            read.extend(chunk_rows)

    assert read == expected  # the same records and unreadable rows, at the same lines (2, 4, 6, 7, 9)
    assert [line for line, _ in read] == [2, 4, 6, 7, 9]
    assert plan.lines == 8 and plan.chunks[0].start == plan.header_bytes == len(HEADER) + 1
    assert all(a.end == b.start for a, b in zip(plan.chunks, plan.chunks[1:], strict=False))


def test_a_failed_chunk_is_retried_whole_and_a_stopped_job_resumes_with_every_row_once(
    tmp_path, settings, database_refusal, django_capture_on_commit_callbacks
):
    settings.IMPORT_BATCH_SIZE = 4  # several batches a chunk: a chunk is still one transaction
    settings.IMPORT_CHUNK_MAX_RETRIES = 1
    settings.IMPORT_CHUNK_RETRY_SECONDS = 0
    source = tmp_path / "samples.jsonl"
    ids = write_jsonl(source, 40)
    job = import_job_request(path=source, chunk_bytes=len(jsonl_record("qa-000")) * 10)  # 4 chunks of 10 lines
    import_job_plan(job_id=job.pk)
    first, failing, stopped, waiting = job.chunks.order_by("index").values_list("pk", flat=True)
    database_refusal.refuse("qa-016")  # the second chunk's second batch: its first batch is written, then refused

    import_chunk.apply(args=[first])
    import_chunk.apply(args=[failing])  # attempt, retry, then failed for good
    # A worker that stopped while importing the third chunk leaves it running, with nothing of it committed.
    ImportChunk.objects.filter(pk=stopped).update(status=ImportChunkStatus.RUNNING, attempts=1)

    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == ids[:10]
    chunk = ImportChunk.objects.get(pk=failing)
    assert (chunk.status, chunk.attempts) == (ImportChunkStatus.FAILED, 2)
    assert "test_refuse_external_id" in chunk.error

    connection.check_constraints()  # the rows' deferred checks, before the table can be altered back
    database_refusal.allow()
    with django_capture_on_commit_callbacks(execute=True):
        assert set(import_job_resume(job_id=job.pk)) == {failing, stopped, waiting}
    import_chunk.apply(args=[first])  # a redelivered chunk that is done changes nothing

    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == ids
    job.refresh_from_db()
    assert job.status == ImportJobStatus.SUCCEEDED, job.error
    assert (job.total, job.processed, job.created, job.updated, job.rejected) == (40, 40, 40, 0, 0)
    assert list(job.chunks.values_list("attempts", flat=True)) == [1, 3, 2, 1]


@pytest.mark.django_db(transaction=True)  # the job is sent when its creation commits
def test_import_samples_parallel_reports_counts_and_rejections_by_file_line(tmp_path):
    source = tmp_path / "samples.jsonl"
    write_jsonl(source, 12)
    lines = source.read_text().splitlines()
    lines[8] = jsonl_record("qa-008", market="us")
    source.write_text("\n".join(lines) + "\n")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_samples_parallel", str(source), "--chunk-mb", "0.0005", stdout=out, stderr=err)

    assert out.getvalue().strip() == "created: 11, updated: 0, rejected: 1"
    assert 'line 9: market: "us" must be upper case: US.' in err.getvalue()
    assert ImportJob.objects.get().chunks.count() > 3
    with pytest.raises(CommandError, match="The file is empty"):
        (tmp_path / "empty.jsonl").write_text("")
        call_command("import_samples_parallel", str(tmp_path / "empty.jsonl"), stdout=out, stderr=err)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_import_job_chunks_are_imported_by_a_real_worker(celery_worker, tmp_path):
    require_postgres()
    source = tmp_path / "samples.jsonl"
    ids = write_jsonl(source, 30)

    job = import_job_request(path=source, chunk_bytes=len(jsonl_record("qa-000")) * 7)  # enqueued on commit: now

    deadline = time.monotonic() + 60
    while job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING) and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == ImportJobStatus.SUCCEEDED, job.error
    assert (job.processed, job.created, job.updated) == (30, 30, 0)
    assert set(job.chunks.values_list("status", flat=True)) == {ImportChunkStatus.DONE}
    assert job.chunks.count() == 5
    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == ids


def test_an_import_job_and_its_chunks_are_shown_read_only_in_the_admin(admin_client):
    job = ImportJob.objects.create(source_path="/data/audits.jsonl", file_format="jsonl", chunk_bytes=10)
    ImportChunk.objects.create(job=job, index=0, start=0, end=10, first_line=1, lines=1, error="OperationalError: x")

    listing = admin_client.get("/admin/rca/importjob/")
    page = admin_client.get(f"/admin/rca/importjob/{job.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert "/data/audits.jsonl" in listing.content.decode()
    assert "OperationalError: x" in page.content.decode() and "Save" not in page.content.decode()
    assert admin_client.get("/admin/rca/importjob/add/").status_code == 403


def test_an_import_job_rebuilds_the_quality_rollups_once_when_its_last_chunk_is_done(tmp_path):
    source = tmp_path / "samples.jsonl"
    lines = [json.dumps(record) for record in mixed_records()]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = import_job_request(path=source, chunk_bytes=len(source.read_bytes()) // 3 + 1)
    first, *rest = import_job_plan(job_id=job.pk)

    import_chunk.apply(args=[first])

    assert QualityRollup.objects.count() == 0  # the chunk marked its days and left the rebuild to the job
    assert QualityRollupMark.objects.exists()
    for chunk_id in rest:
        import_chunk.apply(args=[chunk_id])
    job.refresh_from_db()
    assert job.status == ImportJobStatus.SUCCEEDED and job.created == len(lines)
    assert stored_rollups() == direct_aggregate()
    assert not QualityRollupMark.objects.exists()
