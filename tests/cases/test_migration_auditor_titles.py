"""The data migration that takes auditor ids out of the titles and problem statements of older audit-driven cases
(`cases/migrations/0018_audit_driven_titles_name_no_auditor.py`)."""

from importlib import import_module

import pytest
from django.apps import apps

from cases.titles import pattern_title
from tests.factories import CaseFactory, ErrorPatternFactory

migration = import_module("cases.migrations.0018_audit_driven_titles_name_no_auditor")
MASK = "\u2022" * 6


@pytest.mark.parametrize(
    ("title", "ids", "expected"),
    [
        (
            "Auditor aud-17 overturns correct removals across policies",
            ["aud-17"],
            "An auditor overturns correct removals across policies",
        ),
        (
            "Auditors aud-3, aud-4 and aud-5 overturn correct removals in Türkiye",
            ["aud-5", "aud-3", "aud-4"],
            "A group of 3 auditors in Türkiye overturns correct removals",
        ),
        (
            "3 auditors overturn correct approvals across policies",
            ["a", "b", "c"],
            "A group of 3 auditors overturns correct approvals across policies",
        ),
        ("Auditor aud-18 overturns correct removals across policies", ["aud-17"], None),  # another auditor's title
        ("Lenient QA on ID removals", ["aud-17"], None),  # a lead's own title
    ],
)
def test_new_title_rewrites_only_the_old_generated_titles_of_the_patterns_auditors(title, ids, expected):
    assert migration.new_title(title, ids) == expected


def test_masked_replaces_whole_auditor_ids_only():
    text = "Overturns by aud-17 (aud-170 is someone else); auditor_id = aud-17."

    assert migration.masked(text, ["aud-17"]) == f"Overturns by {MASK} (aud-170 is someone else); auditor_id = {MASK}."


@pytest.mark.django_db
def test_forwards_rewrites_old_audit_driven_cases_and_leaves_renamed_and_other_cases_alone():
    definition = {"auditor_id": "aud-17", "audit_label": "none"}
    old = CaseFactory(
        detected=True,
        pattern=ErrorPatternFactory(definition=definition),
        title="Auditor aud-17 overturns correct removals across policies",
        problem_statement="Detected: auditor_id = aud-17, 42 overturns.",
    )
    renamed = CaseFactory(
        detected=True,
        pattern=ErrorPatternFactory(definition=definition),
        title="Lenient QA: aud-17's removals",
        problem_statement="",
    )
    moderation = CaseFactory(detected=True, title="Auditor aud-17 overturns correct removals across policies")

    migration.forwards(apps, None)

    old.refresh_from_db()
    renamed.refresh_from_db()
    moderation.refresh_from_db()
    assert old.title == "An auditor overturns correct removals across policies" == pattern_title(old.pattern)
    assert old.problem_statement == f"Detected: auditor_id = {MASK}, 42 overturns."
    assert renamed.title == "Lenient QA: aud-17's removals"  # a lead's title is theirs
    assert moderation.title == "Auditor aud-17 overturns correct removals across policies"  # not audit-driven
