"""`manage.py seed_demo`: a demo world to click through, safe to run again (it only adds what is missing).

Demo users for each role, teams routed to policy areas, a few weeks of synthetic audits with recurring error patterns
among noise, one detection run over them, and a handful of manual cases in different states with findings, action
items and comments.
"""

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.choices import ActionItemKind, ActionItemStatus, CaseStatus, FindingStatus, Role, RootCauseCategory
from cases.models import Case, Team
from rca.choices import ERROR_OUTCOMES
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import ModerationSample, PolicyLabel
from rca.synthetic import generate_audits

DEMO_PASSWORD = "rca-demo-2026"
DEMO_USERS = [
    # username, full name, role, team slugs
    ("lead", "Lea Quality", Role.QUALITY_LEAD, ["quality"]),
    ("lead2", "Luis Quality", Role.QUALITY_LEAD, ["quality"]),
    ("manager", "Maya Manager", Role.MANAGER, ["quality"]),
    ("policy", "Pat Policy", Role.PARTNER, ["policy"]),
    ("ops", "Olga Operations", Role.PARTNER, ["operations"]),
    ("ml", "Mo Learning", Role.PARTNER, ["ml"]),
]
MANUAL_CASES = [
    # title, severity, final status
    ("Gaming gore actioned as real violence in US live", "S2", CaseStatus.REMEDIATING),
    ("Reclaimed terms over-enforced in BR comments", "S3", CaseStatus.INVESTIGATING),
    ("Slang insults missed by live-clf-3.2 in ID", "S2", CaseStatus.CLOSED),
    ("Self-harm recovery content removed", "S1", CaseStatus.TRIAGE),
    ("Spam links in live comments slipping through", "S4", CaseStatus.NEW),
]


class Command(BaseCommand):
    help = "Create demo users, teams, synthetic audits, one detection run and a few cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=21, help="Days of synthetic audits (default 21).")
        parser.add_argument("--audits-per-day", type=int, default=600, help="Audits per day (default 600).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--skip-detection", action="store_true", help="Do not run the detection pipeline.")
        parser.add_argument(
            "--refresh", action="store_true", help="Generate the audits again (moved to end now) even if they exist."
        )

    def handle(self, *args, **options):
        users = self._users_and_teams()
        seeded = ModerationSample.objects.filter(external_id__startswith=f"syn-{options['seed']}-").exists()
        if seeded and not options["refresh"]:
            self.stdout.write("Audits already seeded (use --refresh to generate them again, ending now).")
        else:
            self._audits(seed=options["seed"], days=options["days"], per_day=options["audits_per_day"])
            if not options["skip_detection"]:
                self._detection()
        self._manual_cases(users)
        self._print_logins()

    # USERS AND TEAMS
    # --------------------------------------------------------------------------

    @transaction.atomic
    def _users_and_teams(self) -> dict[str, User]:
        areas = sorted(set(PolicyLabel.objects.exclude(code="none").values_list("area", flat=True)))
        quality = Team.objects.get(slug="quality")
        if quality.policy_areas != areas:
            quality.policy_areas = areas  # detected cases are routed to the quality team's leads
            quality.save(update_fields=["policy_areas"])
        users = {}
        for username, full_name, role, team_slugs in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            user.teams.add(*Team.objects.filter(slug__in=team_slugs))
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        return users

    # AUDITS AND DETECTION
    # --------------------------------------------------------------------------

    def _audits(self, *, seed: int, days: int, per_day: int) -> None:
        data = generate_audits(seed=seed, days=days, audits_per_day=per_day)
        result = import_records(data.records)
        self.stdout.write(
            f"Audits: {result.created} created, {result.updated} updated, {len(result.rejected)} rejected "
            f"({len(data.planted)} planted patterns)."
        )

    def _detection(self) -> None:
        run = detection_run_execute(run=detection_run_create(actor=None))
        self.stdout.write(
            f"Detection run {run.pk}: {run.status}, {run.patterns_found} patterns, {run.cases_opened} cases opened."
        )

    # MANUAL CASES
    # --------------------------------------------------------------------------

    def _manual_cases(self, users: dict[str, User]) -> None:
        existing = set(
            Case.objects.filter(title__in=[title for title, *_ in MANUAL_CASES]).values_list("title", flat=True)
        )
        errors = ModerationSample.objects.filter(outcome__in=ERROR_OUTCOMES).order_by("-audited_at")
        teams = {team.slug: team for team in Team.objects.all()}
        for index, (title, severity, final_status) in enumerate(MANUAL_CASES):
            if title in existing:
                continue
            samples = list(errors[index * 12 : index * 12 + 12])
            self._one_case(users, teams, title=title, severity=severity, final_status=final_status, samples=samples)
        self.stdout.write(f"Manual demo cases: {len(MANUAL_CASES) - len(existing)} created, {len(existing)} kept.")

    @transaction.atomic
    def _one_case(self, users, teams, *, title, severity, final_status, samples) -> None:
        lead, partner = users["lead"], users["policy"]
        case = services.case_open(
            actor=lead, title=title, samples=samples, severity=severity, shared_teams=[teams["policy"], teams["ml"]]
        )
        path = [CaseStatus.TRIAGE, CaseStatus.INVESTIGATING, CaseStatus.ROOT_CAUSE_IDENTIFIED]
        path += [CaseStatus.REMEDIATING, CaseStatus.MONITORING, CaseStatus.CLOSED]
        targets = [] if final_status == CaseStatus.NEW else path[: path.index(final_status) + 1]
        for target in targets:
            if target == CaseStatus.INVESTIGATING:
                case = services.case_assign(case=case, owner=lead, actor=lead, team=teams["quality"])
                finding = services.finding_create(
                    case=case,
                    actor=lead,
                    statement="The errors share one queue and one model version.",
                    evidence=samples[:3],
                )
                services.comment_create(
                    case=case, actor=partner, finding=finding, body="Policy agrees: the guideline is ambiguous here."
                )
                services.comment_create(case=case, actor=lead, body="@policy can you draft a clarification?")
            if target == CaseStatus.ROOT_CAUSE_IDENTIFIED:
                case = services.case_update(
                    case=case,
                    actor=lead,
                    root_cause_category=RootCauseCategory.GUIDELINE_AMBIGUITY,
                    root_cause_statement="The guideline does not say how to treat this context.",
                )
                services.finding_update(finding=case.findings.first(), actor=lead, status=FindingStatus.CONFIRMED)
                services.action_item_create(
                    case=case,
                    actor=lead,
                    title="Clarify the guideline with examples",
                    kind=ActionItemKind.GUIDELINE_CLARIFICATION,
                    owner=partner,
                    team=teams["policy"],
                    due_at=timezone.now() + timedelta(days=5),
                )
            if target == CaseStatus.CLOSED:
                for item in case.action_items.all():
                    services.action_item_update(item=item, actor=partner, status=ActionItemStatus.DONE)
            case = services.case_transition(case=case, to=target, actor=lead)

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, full_name, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role.label:<13} {full_name}")
        self.stdout.write("  admin    superuser     /admin/")
