"""`python manage.py detect_patterns [--window-days N]`: one detection run now, inline, printing its summary."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rca.detection_runs import detection_run_create, detection_run_execute


class Command(BaseCommand):
    help = "Run the error-pattern detection once over the sliding window and print what it found."

    def add_arguments(self, parser):
        parser.add_argument("--window-days", type=int, default=None, help="Window length in days (default: settings).")

    def handle(self, *args, window_days=None, **options):
        try:
            run = detection_run_create(actor=None, window_days=window_days)
        except ValidationError as exc:
            raise CommandError("; ".join(msg for msgs in exc.message_dict.values() for msg in msgs)) from exc
        run = detection_run_execute(run=run)
        self.stdout.write(
            f"Detection run {run.pk}: {run.status}; window {run.window_start:%Y-%m-%d %H:%M} - "
            f"{run.window_end:%Y-%m-%d %H:%M}; {run.samples_read} audits, {run.errors_read} misclassified; "
            f"{run.patterns_found} patterns ({run.patterns_new} new); cases opened {run.cases_opened}, "
            f"updated {run.cases_updated}, reopened {run.cases_reopened}; {run.timings.get('total', 0):.1f}s"
        )
        for pattern in run_patterns(run):
            self.stdout.write(f"  - {pattern}")


def run_patterns(run):
    from rca.models import ErrorPattern

    return [
        f"{p.name} ({p.error_count}/{p.support}, lift {p.lift:.1f})"
        for p in ErrorPattern.objects.filter(last_run=run).order_by("-error_count")
    ]
