"""`manage.py seed_demo`: a demo world to click through, safe to run again (it only adds what is missing).

Demo users for each role and their teams (`cases.demo.people`); three weeks of synthetic audits with recurring error
patterns among noise, after half a year of lighter audit history (`cases.demo.audits`); one detection run over them;
and about six months of case work played through the services, as the demo's people would have done it, dated by
`cases.demo.history` (`cases.demo.plan` says what happened to each case and when, `cases.demo.play` does it); the
aftermath of two closed showcase cases whose patterns detection meets again, late audits that leave one closed and a
regression that reopens the other (`cases.demo.aftermath`: a second detection run); then three quality initiatives on
the measures of those cases, two on track and one off track (`cases.demo.initiatives`).
"""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand

from cases.demo.aftermath import play_aftermath
from cases.demo.audits import audits_seeded, recent_end, run_detection, seed_audits
from cases.demo.history import read_old_notifications
from cases.demo.initiatives import seed_initiatives
from cases.demo.people import DEMO_PASSWORD, DEMO_USERS, users_and_teams
from cases.demo.plan import plan_cases, showcase_plans
from cases.demo.play import play_history
from cases.demo.stories import STORIES
from cases.models import Case, Team

MAX_HISTORY_DAYS = 186  # about six months


class Command(BaseCommand):
    help = (
        "Create demo users, teams, synthetic audits, a detection run, six months of case work and quality initiatives "
        "(idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=21, help="Days of recent audits at full volume (default 21).")
        parser.add_argument("--audits-per-day", type=int, default=600, help="Recent audits per day (default 600).")
        parser.add_argument("--history-days", type=int, default=165, help="Days of audit history before those.")
        parser.add_argument("--history-audits-per-day", type=int, default=120, help="History audits per day.")
        parser.add_argument("--cases", type=int, default=150, help="Cases of the case-work history (default 150).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--skip-detection", action="store_true", help="Do not run the detection pipeline.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Generate the audits again, ending now, even if they exist (the case history is kept).",
        )

    def handle(self, *args, **options):
        users = users_and_teams()
        seed = options["seed"]
        if audits_seeded(seed=seed) and not options["refresh"]:
            self.stdout.write("Audits already seeded (use --refresh to generate them again, ending now).")
        else:
            self.stdout.write(
                seed_audits(
                    seed=seed,
                    days=options["days"],
                    per_day=options["audits_per_day"],
                    history_days=options["history_days"],
                    history_per_day=options["history_audits_per_day"],
                )
            )
            if not options["skip_detection"]:
                run = run_detection()
                self.stdout.write(
                    f"Detection run {run.pk}: {run.status}, {run.patterns_found} patterns, {run.cases_opened} cases "
                    "opened."
                )
        self._history(
            users, seed=seed, count=options["cases"], days=options["days"], history_days=options["history_days"]
        )
        for line in seed_initiatives(users):
            self.stdout.write(line)
        self._print_logins()

    def _history(self, users, *, seed: int, count: int, days: int, history_days: int) -> None:
        titles = {title for story in STORIES for title in story.titles}
        kept = Case.objects.filter(title__in=titles).count()
        if kept:
            self.stdout.write(f"Case history already played ({kept} cases kept).")
            return
        now = datetime.now(UTC)
        # The cases open from two weeks after the first audits, so each has errors audited before it to start from.
        span = max(14, min(days + history_days, MAX_HISTORY_DAYS) - 14)
        plans = plan_cases(seed=seed, count=count, now=now, days=span)
        first_showcase = len(plans)
        end = recent_end(seed=seed)
        if end is not None:  # the fixes whose verdicts the demo shows, on the recent audits
            plans += showcase_plans(now=now, recent_end=end, recent_days=days, first_index=first_showcase)
        teams = {team.slug: team for team in Team.objects.all()}
        cases = play_history(plans, users=users, teams=teams)
        read_old_notifications(now=now)
        self.stdout.write(f"Case history: {len(cases)} cases over the last {span} days.")
        played = zip(plans[first_showcase:], cases[first_showcase:], strict=True)  # in the order of the plans
        showcase = {plan.story.pattern_key: case for plan, case in played}
        for line in play_aftermath(showcase, seed=seed):
            self.stdout.write(line)

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, full_name, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role.label:<13} {full_name}")
        self.stdout.write("  admin    superuser     /admin/")
