"""Audit-driven cases opened before titles stopped naming auditors: their title and problem statement name no auditor.

Titles were "Auditor aud-17 overturns correct removals across policies" (or "Auditors a, b and c overturn ...", or
"3 auditors overturn ..."); partners read titles, and auditor ids are personal data. Only a title still in that
generated form, naming exactly the pattern's auditors, is rewritten (a title a lead wrote is theirs); in the problem
statement each of the pattern's auditor ids is masked as the product masks it. The rules are frozen here (migrations
do not import the app's code). The timeline keeps what it recorded (it is append-only).
"""

import re

from django.db import migrations

MASK = "\u2022" * 6
ONE = re.compile(r"^Auditor (?P<ids>\S+) overturns (?P<rest>.+)$")
MANY = re.compile(r"^Auditors (?P<ids>.+) overturn (?P<rest>.+)$")
COUNTED = re.compile(r"^(?P<count>\d+) auditors overturn (?P<rest>.+)$")
WHERE = re.compile(r"^(?P<what>correct (?:removals|approvals|decisions)) (?P<where>in .+|across policies)$")


def _ids(definition: dict) -> list[str]:
    value = definition.get("auditor_id")
    return [value] if isinstance(value, str) else [str(item) for item in value or []]


def _listed(ids_text: str) -> list[str]:
    head, _, last = ids_text.rpartition(" and ")
    return [*(item.strip() for item in head.split(",") if item.strip()), last.strip()] if head else [ids_text]


def new_title(title: str, ids: list[str]) -> str | None:
    """The title in today's words when `title` is the old generated one for these auditors; else None."""
    one, many, counted = ONE.match(title), MANY.match(title), COUNTED.match(title)
    if one and len(ids) == 1 and one["ids"] == ids[0]:
        return f"An auditor overturns {one['rest']}"
    if many and sorted(_listed(many["ids"])) == sorted(ids):
        rest = many["rest"]
    elif counted and int(counted["count"]) == len(ids) > 1:
        rest = counted["rest"]
    else:
        return None
    parts = WHERE.match(rest)
    if parts is None:
        return f"A group of {len(ids)} auditors overturns {rest}"
    if parts["where"] == "across policies":
        return f"A group of {len(ids)} auditors overturns {parts['what']} across policies"
    return f"A group of {len(ids)} auditors {parts['where']} overturns {parts['what']}"


def masked(text: str, ids: list[str]) -> str:
    for auditor in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(auditor)}(?![\w-])", MASK, text)
    return text


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(pattern__definition__has_key="auditor_id").select_related("pattern"):
        ids = _ids(case.pattern.definition or {})
        if not ids:
            continue
        title = new_title(case.title, ids) or case.title
        statement = masked(case.problem_statement, ids)
        if (title, statement) != (case.title, case.problem_statement):
            Case.objects.filter(pk=case.pk).update(title=title[:200], problem_statement=statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_qa_calibration_and_audit_quality_routing"),
        ("rca", "0009_quality_rollup_in_doubt"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
