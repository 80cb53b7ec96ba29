"""The demo's people: a user per role (password `DEMO_PASSWORD`), their teams, and the admin."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from cases.choices import Role
from cases.models import Team
from rca.choices import AUDIT_QUALITY
from rca.models import PolicyLabel

DEMO_PASSWORD = "rca-demo-2026"
DEMO_USERS = [
    # username, full name, role, team slugs
    ("lead", "Lea Quality", Role.QUALITY_LEAD, ["quality"]),
    ("lead2", "Luis Quality", Role.QUALITY_LEAD, ["quality"]),
    ("lead3", "Lina Quality", Role.QUALITY_LEAD, ["quality"]),
    ("manager", "Maya Manager", Role.MANAGER, ["quality"]),
    ("policy", "Pat Policy", Role.PARTNER, ["policy"]),
    ("ops", "Olga Operations", Role.PARTNER, ["operations"]),
    ("ml", "Mo Learning", Role.PARTNER, ["ml"]),
]


@transaction.atomic
def users_and_teams() -> dict[str, User]:
    """Create the demo users (keeping existing ones and their passwords) and route every policy area to the quality
    team (the audit-driven patterns' `AUDIT_QUALITY` too), whose leads then own the detected cases. Returns the users
    by username."""
    areas = sorted({*PolicyLabel.objects.exclude(code="none").values_list("area", flat=True), AUDIT_QUALITY})
    quality = Team.objects.get(slug="quality")
    if quality.policy_areas != areas:
        quality.policy_areas = areas
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
