from django.db import migrations

ROLES = ["quality_lead", "partner", "manager"]
TEAMS = [
    ("Quality", "quality", []),
    ("Policy", "policy", []),
    ("Product", "product", []),
    ("Operations", "operations", []),
    ("ML", "ml", []),
    ("Legal", "legal", []),
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("cases", "Team")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for name, slug, areas in TEAMS:
        Team.objects.get_or_create(slug=slug, defaults={"name": name, "policy_areas": areas})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
