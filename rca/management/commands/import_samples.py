"""`manage.py import_samples FILE`: stream a CSV or JSON Lines file of moderation samples into the database.

Rows are validated one by one and upserted by `external_id` in batches (one transaction each); a bad row is reported
and skipped, never fatal. Rejected rows go to `--rejects FILE` (CSV: line, external_id, reasons). An external_id
that appears twice in the file: the last row wins, the earlier one is listed as superseded. The exit code is non-zero
only when the file cannot be read at all (or the database refuses a batch: that batch is rolled back whole). The
progress bar (tqdm, on stderr) shows when stderr is a terminal.
"""

import csv
import sys
from contextlib import ExitStack
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from rca.importing.readers import FileFormat, ImportFileError, guess_format, open_sample_file
from rca.importing.services import ImportCounts, Rejection, import_rows

SHOWN_REJECTS = 10


def format_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


class Command(BaseCommand):
    help = "Import moderation samples from a CSV (with header) or JSON Lines file; upserts by external_id."
    # The system checks load every URLconf (and the analysis stack behind the report pages): seconds and ~100 MB
    # that a data import does not need.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file to import")
        parser.add_argument(
            "--format", choices=FileFormat.values, help="csv or jsonl (default: from the file's extension)"
        )
        parser.add_argument(
            "--rejects", metavar="FILE", help="write rejected rows here (CSV: line, external_id, reasons)"
        )
        parser.add_argument(
            "--batch-size", type=int, metavar="N", help="rows a transaction (default: IMPORT_BATCH_SIZE)"
        )
        parser.add_argument(
            "--no-rollups",
            action="store_true",
            help="leave the quality rollups stale (a bulk load): run rebuild_quality_rollups afterwards",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        shown = 0

        with ExitStack() as stack:
            rejects_writer = None
            if options["rejects"]:
                try:
                    rejects_file = stack.enter_context(open(options["rejects"], "w", newline="", encoding="utf-8"))
                except OSError as exc:
                    raise CommandError(f"Cannot write the rejects file {options['rejects']}: {exc.strerror}.") from exc
                rejects_writer = csv.writer(rejects_file)
                rejects_writer.writerow(["line", "external_id", "reasons"])

            def on_reject(rejection: Rejection) -> None:
                nonlocal shown
                reasons = format_errors(rejection.errors)
                if rejects_writer is not None:
                    rejects_writer.writerow([rejection.position, rejection.external_id or "", reasons])
                elif shown < SHOWN_REJECTS:
                    shown += 1
                    self.stderr.write(f"line {rejection.position}: {reasons}")

            progress = stack.enter_context(tqdm(unit=" rows", file=sys.stderr, disable=None, mininterval=0.5))

            saved = ImportCounts()

            def on_batch(counts: ImportCounts) -> None:
                saved.created, saved.updated = counts.created, counts.updated
                progress.update(counts.read - progress.n)
                progress.set_postfix(created=counts.created, updated=counts.updated, rejected=counts.rejected)

            try:
                file_format = FileFormat(options["format"]) if options["format"] else guess_format(options["file"])
                rows = stack.enter_context(open_sample_file(options["file"], file_format))
                counts = import_rows(
                    rows,
                    textual=file_format == FileFormat.CSV,
                    batch_size=batch_size,
                    on_reject=on_reject,
                    on_batch=on_batch,
                    background_writes=True,
                    rollups=not options["no_rollups"],
                )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
            except DatabaseError as exc:
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise CommandError(
                    f"The database refused a batch ({reason}). That batch was rolled back whole; the other batches "
                    f"written so far are saved ({saved.created} created, {saved.updated} updated). Run the import "
                    "again once the cause is fixed: it will finish the job without duplicates."
                ) from exc

        self.stdout.write(f"created: {counts.created}, updated: {counts.updated}, rejected: {counts.rejected}")
        if options["no_rollups"]:
            self.stdout.write("quality rollups: not updated (--no-rollups): run manage.py rebuild_quality_rollups")
        else:
            self.stdout.write(
                f"quality rollups: {counts.rollup_days} days of decisions rebuilt in {counts.rollup_seconds:.1f}s"
            )
        if counts.rejected and not options["rejects"] and counts.rejected > shown:
            self.stderr.write(f"({counts.rejected - shown} more rejected rows: pass --rejects FILE to keep them all)")
