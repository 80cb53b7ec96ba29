"""`manage.py rebuild_quality_rollups`: rebuild the daily quality rollups from the samples (rca/quality/rollups.py).

Every day by default (after a bulk load with `import_samples --no-rollups`, or to repair anything); `--since` and
`--until` limit it to a range of decision days. Imports keep the rollups current by themselves.
"""

import time
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rca.quality.rollups import quality_rollups_rebuild


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Rebuild the daily quality rollups from the samples (every day, or the decision days given)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="first decision day to rebuild")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="last decision day to rebuild (inclusive)")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = options["since"], options["until"]
        days = None
        if since or until:
            if not (since and until):
                raise CommandError("Give both --since and --until, or neither (every day).")
            first, last = _day(since), _day(until)
            if last < first:
                raise CommandError("--until must not be before --since.")
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        started = time.perf_counter()
        rows = quality_rollups_rebuild(days=days)
        scope = "every day" if days is None else f"{len(days)} days"
        self.stdout.write(f"quality rollups: {rows} rows for {scope} in {time.perf_counter() - started:.1f}s")
