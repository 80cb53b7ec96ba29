from django.db import migrations

# code, name, area, severity weight, sensitive (blurred until revealed)
LABELS = [
    ("none", "No violation", "none", 0, False),
    ("bullying_harassment", "Bullying and harassment", "safety_civility", 2, False),
    ("hate_speech", "Hate speech", "safety_civility", 3, False),
    ("minor_safety", "Minor safety", "minor_safety", 5, True),
    ("self_harm", "Suicide and self-harm", "mental_health", 5, True),
    ("violent_extremism", "Violent extremism", "violence", 5, True),
    ("violence_graphic", "Graphic violence", "violence", 3, True),
    ("animal_harm", "Animal harm", "violence", 3, True),
    ("adult_nudity", "Adult nudity and sexual activity", "sensitive_content", 3, True),
    ("dangerous_acts", "Dangerous acts and challenges", "safety_civility", 3, False),
    ("spam_scam", "Spam and scams", "integrity", 1, False),
    ("regulated_goods", "Regulated goods", "integrity", 2, False),
]


def seed(apps, schema_editor):
    PolicyLabel = apps.get_model("rca", "PolicyLabel")
    for code, name, area, weight, sensitive in LABELS:
        PolicyLabel.objects.update_or_create(
            code=code, defaults={"name": name, "area": area, "severity_weight": weight, "is_sensitive": sensitive}
        )


class Migration(migrations.Migration):
    dependencies = [("rca", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
