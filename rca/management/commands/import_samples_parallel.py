"""`manage.py import_samples_parallel FILE`: import a large sample file over the Celery workers, chunk by chunk.

Creates an import job (`rca.importing.jobs`): the file is cut into chunks of about `--chunk-mb` (default
`IMPORT_CHUNK_BYTES`), and each running worker imports chunks in parallel, each in one transaction, upserting by
`external_id`. The workers read FILE by the path given, made absolute: they must see the same file system. The command
waits and shows the progress (tqdm, on stderr, when it is a terminal), then prints `created: N, updated: N,
rejected: N` and the first rejected records with their lines; `--no-wait` returns once the job is queued. It exits
non-zero when the job fails (`--resume JOB` sends its unfinished chunks again). Without Redis (eager mode) the chunks
run one after the other in this process. Small files: `import_samples` (one process, no worker needed).
"""

import sys
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rca.choices import FileFormat, ImportJobStatus
from rca.importing.jobs import import_job_request, import_job_resume
from rca.management.commands.import_samples import SHOWN_REJECTS, format_errors
from rca.models import ImportChunk, ImportJob

POLL_SECONDS = 0.5
IDLE_HINT_SECONDS = 30


class Command(BaseCommand):
    help = "Import a large CSV or JSON Lines file of samples over the Celery workers, in parallel chunks."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the file to import (a path the workers can read)")
        parser.add_argument("--format", choices=FileFormat.values, help="csv or jsonl (default: from the extension)")
        parser.add_argument("--chunk-mb", type=float, metavar="MB", help="chunk size (default: IMPORT_CHUNK_BYTES)")
        parser.add_argument("--resume", type=int, metavar="JOB", help="send the unfinished chunks of job JOB again")
        parser.add_argument("--no-wait", action="store_true", help="return once the job is queued")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()  # without Redis, the job runs inline in the request below
        if options["resume"] is not None:
            if not ImportJob.objects.filter(pk=options["resume"]).exists():
                raise CommandError(f"No import job {options['resume']}.")
            sent = import_job_resume(job_id=options["resume"])
            job = ImportJob.objects.get(pk=options["resume"])
            self.stderr.write(f"import job {job.pk}: {len(sent)} chunk(s) sent again")
        elif options["file"]:
            chunk_bytes = None
            if options["chunk_mb"] is not None:
                if options["chunk_mb"] <= 0:
                    raise CommandError("--chunk-mb must be more than 0.")
                chunk_bytes = max(1, int(options["chunk_mb"] * 1024 * 1024))
            try:
                job = import_job_request(path=options["file"], file_format=options["format"], chunk_bytes=chunk_bytes)
            except ValidationError as exc:
                messages = [message for messages in exc.message_dict.values() for message in messages]
                raise CommandError(" ".join(messages)) from exc
            self.stderr.write(f"import job {job.pk} queued: {job.source_path} ({job.file_size:,} bytes)")
        else:
            raise CommandError("Give a FILE to import, or --resume JOB.")
        if options["no_wait"]:
            self.stdout.write(f"job: {job.pk}")
            return
        job = self._wait(job.pk, started)
        self.stdout.write(f"created: {job.created}, updated: {job.updated}, rejected: {job.rejected}")
        self._show_rejections(job)
        if job.status != ImportJobStatus.SUCCEEDED:
            raise CommandError(f"Import job {job.pk} {job.status}: {job.error}")

    def _wait(self, job_id: int, started: float) -> ImportJob:
        hinted = False
        with tqdm(unit=" lines", file=sys.stderr, disable=None, mininterval=0.5) as progress:
            while True:
                job = ImportJob.objects.get(pk=job_id)
                progress.total = job.total or None
                progress.update(job.processed - progress.n)
                progress.set_postfix(created=job.created, updated=job.updated, rejected=job.rejected)
                if job.status in (ImportJobStatus.SUCCEEDED, ImportJobStatus.FAILED):
                    break
                if (
                    not hinted
                    and job.status == ImportJobStatus.QUEUED
                    and time.monotonic() - started > IDLE_HINT_SECONDS
                ):
                    hinted = True
                    self.stderr.write("no worker has taken the job yet: is a Celery worker running (make worker)?")
                time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - started
        rate = f", {job.processed / seconds:,.0f} lines/s" if seconds > 0 else ""
        self.stderr.write(f"import job {job.pk} {job.status} in {seconds:.1f}s{rate}")
        return job

    def _show_rejections(self, job: ImportJob) -> None:
        shown = 0
        for rejections in ImportChunk.objects.filter(job=job, rejected__gt=0).values_list("rejections", flat=True):
            for rejection in rejections:
                if shown == SHOWN_REJECTS:
                    break
                shown += 1
                self.stderr.write(f"line {rejection['line']}: {format_errors(rejection['errors'])}")
        if job.rejected > shown:
            self.stderr.write(f"({job.rejected - shown} more rejected rows: see import job {job.pk}, admin or API)")
