"""Titles people write: a detected pattern's short title and slice chips (`cases.titles`), the case detection opens
with them, and the case room and pattern page that show them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.models import Case
from cases.services import case_record_pattern, case_update
from cases.titles import TITLE_MAX, pattern_title, slice_chips
from rca.fingerprints import pattern_name
from rca.models import ErrorPattern
from tests.factories import CaseFactory, ErrorPatternFactory, ModerationSampleFactory

NAMES = {
    "none": "No violation",
    "bullying_harassment": "Bullying and harassment",
    "hate_speech": "Hate speech",
    "violence_graphic": "Graphic violence",
    "violent_extremism": "Violent extremism",
    "adult_nudity": "Adult nudity and sexual activity",
    "dangerous_acts": "Dangerous acts and challenges",
}
WIDE = {
    "decision_label": "none",
    "audit_label": "bullying_harassment",
    "market": "ID",
    "language": "id",
    "decision_source": "model",
    "model_version": "live-clf-3.2",
    "queue": "live_id_priority",
    "content_type": "live_stream",
    "tag": "guest_battle",
    "text_topic": 7,
}


def _pattern(definition: dict, terms: tuple[str, ...] = ()) -> ErrorPattern:
    return ErrorPattern(definition=definition, top_terms=list(terms))


# THE TITLE
# ------------------------------------------------------------------------------


def test_pattern_title_under_enforcement_says_what_the_model_misses():
    pattern = _pattern(
        {
            "decision_label": "none",
            "audit_label": "bullying_harassment",
            "market": "ID",
            "model_version": "live-clf-3.2",
        }
    )

    assert pattern_title(pattern, names=NAMES) == "Model misses bullying and harassment in Indonesia (live-clf-3.2)"


def test_pattern_title_over_enforcement_says_allowed_content_is_removed():
    pattern = _pattern(
        {"decision_label": "hate_speech", "audit_label": "none", "market": "BR", "decision_source": "human"}
    )

    assert pattern_title(pattern, names=NAMES) == "Human moderators remove allowed content as hate speech in Brazil"


def test_pattern_title_wrong_policy_names_the_label_cited_and_the_one_due():
    pattern = _pattern(
        {
            "decision_label": "violence_graphic",
            "audit_label": "violent_extremism",
            "market": "MX",
            "decision_source": "human",
        }
    )

    assert pattern_title(pattern, names=NAMES) == (
        "Human moderators cite graphic violence instead of violent extremism in Mexico"
    )


def test_pattern_title_of_an_auditor_group_counts_them_and_never_names_them():
    three = _pattern({"audit_label": "none", "market": "TR", "auditor_id": ["aud-tr-1", "aud-tr-2", "aud-tr-3"]})
    five = _pattern({"decision_label": "none", "market": "TR", "auditor_id": [f"auditor-{n}" for n in range(5)]})
    anywhere = _pattern({"auditor_id": ["aud-1", "aud-2"]})

    assert pattern_title(three) == "A group of 3 auditors in Türkiye overturns correct removals"
    assert pattern_title(five) == "A group of 5 auditors in Türkiye overturns correct approvals"
    assert pattern_title(anywhere) == "A group of 2 auditors overturns correct decisions across policies"


def test_pattern_title_of_one_auditor_never_names_them_but_the_chips_do_through_the_mask():
    """Titles are read by partners (the case's title, its problem statement); auditor ids are personal data."""
    everywhere = _pattern({"audit_label": "none", "auditor_id": "aud-17"})
    in_market = _pattern({"decision_label": "none", "market": "MX", "auditor_id": "aud-17"})

    assert pattern_title(everywhere) == "An auditor overturns correct removals across policies"
    assert pattern_title(in_market, limit=None) == "An auditor overturns correct approvals in Mexico"
    assert all(len(pattern_title(pattern)) <= TITLE_MAX for pattern in (everywhere, in_market))
    assert ("Auditor", "aud-17") in slice_chips(everywhere, names=NAMES)
    assert ("Auditor", "••••••") in slice_chips(everywhere, names=NAMES, mask=lambda value: "••••••")


def test_pattern_title_drops_the_least_distinctive_conditions_to_fit():
    pattern = _pattern(WIDE, ("slang", "num", "insult"))
    full = pattern_title(pattern, names=NAMES, limit=None)

    title = pattern_title(pattern, names=NAMES)

    assert len(full) > TITLE_MAX >= len(title)
    assert "=" not in title and "_" not in title
    assert title == "Model misses bullying and harassment in guest battle live streams in Indonesia"
    assert "live_id_priority" in full and "“slang, insult”" in full  # placeholders ("num") are not words


def test_pattern_title_cuts_a_long_sentence_between_words():
    pattern = _pattern({"decision_label": "dangerous_acts", "audit_label": "adult_nudity", "market": "GB"})
    names = {**NAMES, "adult_nudity": "Adult nudity, sexual activity and sexually suggestive content in livestreams"}
    full_words = pattern_title(pattern, names=names, limit=None).split()

    title = pattern_title(pattern, names=names)

    assert len(title) <= TITLE_MAX and title.endswith("…")
    assert title[:-1].split() == full_words[: len(title[:-1].split())]


def test_pattern_title_reads_label_names_from_the_policy_labels(db):
    pattern = ErrorPatternFactory(definition={"decision_label": "none", "audit_label": "self_harm", "market": "JP"})

    assert pattern_title(pattern) == "Suicide and self-harm missed in Japan"


# THE CHIPS
# ------------------------------------------------------------------------------


def test_slice_chips_label_every_condition_with_display_names():
    chips = slice_chips(_pattern(WIDE, ("slang", "num", "insult")), names=NAMES)

    assert chips == [
        ("Decision", "No violation"),
        ("Audit", "Bullying and harassment"),
        ("Market", "Indonesia"),
        ("Language", "Indonesian"),
        ("Decision source", "Model"),
        ("Model version", "live-clf-3.2"),
        ("Queue", "live_id_priority"),
        ("Content type", "Live stream"),
        ("Tag", "guest_battle"),
        ("Topic", "slang, insult"),
    ]


def test_slice_chips_of_a_definition_keep_an_unknown_market_code():
    chips = slice_chips({"audit_label": "hate_speech", "market": "XQ"}, names=NAMES)

    assert chips == [("Audit", "Hate speech"), ("Market", "XQ")]


# DETECTION OPENS THE CASE WITH IT
# ------------------------------------------------------------------------------


def test_case_record_pattern_opens_the_case_with_the_pattern_title_and_a_plain_statement(db):
    pattern = ErrorPatternFactory(definition=WIDE, top_terms=["slang", "insult"], days_seen=5)
    pattern.name = pattern_name(pattern.definition, pattern.top_terms)

    case, action = case_record_pattern(pattern=pattern, samples=[ModerationSampleFactory()])

    assert action == "opened"
    assert case.title == "Model misses bullying and harassment in guest battle live streams in Indonesia"
    statement = case.problem_statement
    assert "120 errors in 400 audits (30.0%), seen on 5 days." in statement
    assert "Market: Indonesia" in statement and "Topic: slang, insult" in statement
    assert "=" not in statement and "baseline" not in statement


def test_case_record_pattern_keeps_a_renamed_title_when_the_pattern_recurs(db, quality_lead):
    pattern = ErrorPatternFactory()
    case, _ = case_record_pattern(pattern=pattern, samples=[ModerationSampleFactory()])
    case_update(case=case, actor=quality_lead, title="Slang insults slip past the live classifier")
    updated = case_record_pattern(pattern=pattern, samples=[ModerationSampleFactory()])
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=1))

    fed_closed = case_record_pattern(pattern=pattern, samples=[ModerationSampleFactory()])

    assert (updated[1], fed_closed[1]) == ("updated", "updated")  # a late audit on the closed case: no regression
    case.refresh_from_db()
    assert case.title == "Slang insults slip past the live classifier"


# THE PAGES SHOW IT
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["case-detail", "pattern-detail"])
def test_pages_show_the_slice_as_chips_not_key_value_text(client, quality_lead, page):
    definition = {"decision_label": "none", "audit_label": "hate_speech", "market": "BR", "decision_source": "human"}
    pattern = ErrorPatternFactory(definition=definition, name=pattern_name(definition, ["slur"]))
    case = CaseFactory(title="Hate speech missed in BR", pattern=pattern)
    client.force_login(quality_lead)

    response = client.get(reverse(page, args=[case.pk if page == "case-detail" else pattern.pk]))

    content = response.content.decode()
    assert '<span class="chip__label">Market</span> Brazil' in content
    assert '<span class="chip__label">Audit</span> Hate speech' in content
    assert "Human moderators miss hate speech in Brazil" in content
    assert "market=BR" not in content
