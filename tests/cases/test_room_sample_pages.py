"""The case room of a case with more linked samples than a page holds: the samples page, the most typical first on
page one and the next ones on the following pages (`cases.room_samples`), and the figures header shows the values
the story code computes for the case (`cases.story`), which are the audits planted here."""

import re
from datetime import timedelta
from html import unescape
from itertools import chain, zip_longest

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.numbers import format_percent, format_ratio
from cases.selectors import LINKED_SAMPLES_PAGE_SIZE
from cases.story.compute import case_story_compute
from cases.story.display import header_texts
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db

TERMS = ("slang", "insult", "battle")
MEASURE = {
    "population": {"decision_label": "none", "market": "ID"},
    "audit_label": "bullying_harassment",
    "topic_terms": list(TERMS),
}
# Linked samples, all in the measure's slice (decision "none" in ID), by how many topic terms their note names:
# (notes, audit label, how many). Errors of the measure: the bullying ones naming a term as a whole word (8).
LINKED = (
    ("Slang insult in a guest battle", "bullying_harassment", 3),
    ("Slang insult against the host", "bullying_harassment", 5),
    ("A battle clip, nothing wrong with it", "none", 5),
    ("Mocking the host's family", "bullying_harassment", 4),  # an error of the policy, not of the topic
    ("Cooking stream", "none", 8),
)
MEASURE_ERRORS = 3 + 5
SLICE_AUDITS = 25 + 10  # the linked ones and 10 unlinked correct audits of the slice
OUTSIDE_AUDITS, OUTSIDE_ERRORS = 40, 4  # comparable traffic outside the slice: decision "none" in BR


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


@pytest.fixture
def busy_case():
    """A case measuring slang insults in ID, with 25 linked samples audited seven hours apart over the last days (so
    each has its own place in the order), and the traffic around it."""
    case = CaseFactory(measure=MEASURE, opened_at=timezone.now() - timedelta(days=3))
    now = timezone.now()
    # Audited in turns, the least typical first: the latest samples are not the most typical ones.
    turns = [[(notes, label)] * count for notes, label, count in reversed(LINKED)]
    for hours, (notes, label) in enumerate(filter(None, chain.from_iterable(zip_longest(*turns))), start=1):
        sample = ModerationSampleFactory(notes=notes, audit_label_id=label, audited_at=now - timedelta(hours=7 * hours))
        CaseSampleFactory(case=case, sample=sample)
    ModerationSampleFactory.create_batch(10, audit_label_id="none", notes="Cooking stream")
    ModerationSampleFactory.create_batch(OUTSIDE_ERRORS, market="BR", notes="Slang insult in Portuguese")
    ModerationSampleFactory.create_batch(OUTSIDE_AUDITS - OUTSIDE_ERRORS, market="BR", audit_label_id="none")
    old = now - timedelta(days=60)  # before the story's window and the trend: counted nowhere
    ModerationSampleFactory.create_batch(3, notes="Slang insult", audited_at=old)
    return case


def _room(case, query: str = "") -> str:
    return reverse("case-detail", args=[case.pk]) + query


def _listed(body: str) -> list[int]:
    """The ids of the samples listed on the page, in order (a lead's rows each have a checkbox to unlink them)."""
    return [int(pk) for pk in re.findall(r'name="sample" value="(\d+)" form="unlink-form"', body)]


def _next_href(body: str) -> str:
    return unescape(re.search(r'<a class="btn btn--small" href="([^"]+)">Next', body).group(1))


def _facts(body: str) -> dict[str, tuple[str, str]]:
    """The figures header: each fact's key -> (value, detail), as the reader sees them."""
    facts = re.findall(
        r'class="story-fact story-fact--(\w+)"><dt>[^<]*</dt><dd><b>([^<]*)</b>'
        r'(?: <span class="small muted">([^<]*)</span>)?</dd>',
        body,
    )
    return {key: (unescape(value), unescape(detail)) for key, value, detail in facts}


def _expected_order(case) -> list[int]:
    """The most typical first: the most topic terms named in the note (case-insensitive), then the latest audit."""
    samples = [link.sample for link in case.sample_links.select_related("sample")]
    named = {sample.pk: sum(term in sample.notes.lower() for term in TERMS) for sample in samples}
    samples.sort(key=lambda sample: (named[sample.pk], sample.audited_at, sample.pk), reverse=True)
    return [sample.pk for sample in samples]


def test_room_pages_its_samples_the_most_typical_on_the_first_page(lead_client, busy_case):
    expected = _expected_order(busy_case)

    first = lead_client.get(_room(busy_case)).content.decode()
    second_url = _room(busy_case, _next_href(first))
    second = lead_client.get(second_url).content.decode()
    third = lead_client.get(_room(busy_case, _next_href(second))).content.decode()

    assert LINKED_SAMPLES_PAGE_SIZE == 10 and len(expected) == 25
    assert _listed(first) == expected[:10]
    assert _listed(second) == expected[10:20]
    assert _listed(third) == expected[20:]
    assert "page=2" in second_url and "Page 2 of 3" in second
    # The three naming every term open the first page, the five naming two follow; the notes naming none come last.
    first_samples = {link.sample_id: link.sample for link in busy_case.sample_links.select_related("sample")}
    assert [first_samples[pk].notes for pk in _listed(first)[:8]] == [LINKED[0][0]] * 3 + [LINKED[1][0]] * 5
    assert {first_samples[pk].notes for pk in _listed(third)} <= {LINKED[3][0], LINKED[4][0]}


def test_room_keeps_the_chosen_order_from_page_to_page(lead_client, busy_case):
    latest = list(
        busy_case.sample_links.order_by("-sample__audited_at", "-sample_id").values_list("sample_id", flat=True)
    )

    first = lead_client.get(_room(busy_case, "?order=latest")).content.decode()
    second = lead_client.get(_room(busy_case, _next_href(first))).content.decode()

    assert _listed(first) == latest[:10]
    assert _listed(second) == latest[10:20]


def test_room_figures_header_shows_the_story_values_of_the_case(lead_client, busy_case):
    body = lead_client.get(_room(busy_case)).content.decode()
    header = case_story_compute(busy_case)["header"]
    texts = header_texts(header)
    facts = _facts(body)

    # The story code counts what was planted...
    assert (header["slice"]["errors"], header["slice"]["audits"]) == (MEASURE_ERRORS, SLICE_AUDITS)
    assert (header["complement"]["errors"], header["complement"]["audits"]) == (OUTSIDE_ERRORS, OUTSIDE_AUDITS)
    slice_rate, outside_rate = MEASURE_ERRORS / SLICE_AUDITS, OUTSIDE_ERRORS / OUTSIDE_AUDITS
    assert header["ratio"] == pytest.approx(slice_rate / outside_rate, rel=0.01)
    errors = [link.sample for link in busy_case.sample_links.select_related("sample") if "nsult" in link.sample.notes]
    days = sorted(timezone.localdate(sample.decided_at) for sample in errors)
    assert (header["first_seen"], header["last_seen"]) == (days[0].isoformat(), days[-1].isoformat())
    # ...and the page shows those values.
    assert facts["errors"][0] == f"{MEASURE_ERRORS} / {SLICE_AUDITS}" == f"{texts['errors']} / {texts['audits']}"
    assert facts["rate"][0] == format_percent(slice_rate) == texts["rate"]
    complement = f"same error elsewhere: {format_percent(outside_rate)} ({format_ratio(header['ratio'])})"
    assert facts["rate"][1] == complement == f"same error elsewhere: {texts['complement_rate']} ({texts['ratio']})"
    assert facts["any_rate"] == (texts["any_rate"], f"against {texts['overall_rate']} of all audits")
    assert facts["seen"][0] == texts["seen"]
    assert f"{days[-1]:%b} {days[-1].day}, {days[-1].year}" in facts["seen"][0]
    assert f"{days[0]:%b} {days[0].day}" in facts["seen"][0]
    assert facts["seen"][1] == f"errors on {len(set(days))} day{'' if len(set(days)) == 1 else 's'}"
