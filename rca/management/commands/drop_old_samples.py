"""`manage.py drop_old_samples`: retention now (what the beat task `drop-old-samples` does), see `rca.retention`.

Deletes the audits older than `--days` (default `SAMPLE_RETENTION_DAYS`), archiving them first to a JSON Lines file in
`--archive-dir` (default `SAMPLE_ARCHIVE_DIR`; none when both are empty), in batches of short transactions, and keeps
the samples case work refers to. `--dry-run` only counts.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rca.retention import MIN_RETENTION_DAYS, old_samples_count, samples_drop_old


class Command(BaseCommand):
    help = "Delete (or archive, then delete) the audits older than the retention, keeping those cases refer to."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, help=f"default: SAMPLE_RETENTION_DAYS, {settings.SAMPLE_RETENTION_DAYS}"
        )
        parser.add_argument("--archive-dir", metavar="DIR", help="archive to a JSON Lines file here before deleting")
        parser.add_argument("--batch-size", type=int, metavar="N", help="rows a transaction (SAMPLE_RETENTION_BATCH)")
        parser.add_argument("--dry-run", action="store_true", help="count what would go and what stays; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.SAMPLE_RETENTION_DAYS
        if days < MIN_RETENTION_DAYS:
            raise CommandError(f"--days must be at least {MIN_RETENTION_DAYS}.")
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["dry_run"]:
            dropped, kept = old_samples_count(now=timezone.now(), days=days)
            self.stdout.write(f"would delete: {dropped}, kept for cases: {kept} (audits older than {days} days)")
            return
        result = samples_drop_old(days=days, archive_dir=options["archive_dir"], batch_size=options["batch_size"])
        if result.skipped:
            raise CommandError("Another retention run is going on; nothing was done.")
        where = f", archived to {result.archive_path}" if result.archive_path else ""
        self.stdout.write(f"deleted: {result.deleted} audits older than {result.cutoff:%Y-%m-%d %H:%M}{where}")
