"""The figures of a case's story (`cases.story`) on small generated audits: the complement and its ratio, capped
ratios, rates never written "0.0%", the noise test without the busiest day, and the unusual values."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cases.measure.definition import Measure
from cases.numbers import format_percent, format_ratio
from cases.story.compute import story_compute
from cases.story.display import header_texts, story_view
from cases.story.noise import noise_figures, noise_sentence
from cases.story.rows import ErrorRow
from rca.choices import DecisionSource
from rca.detection.params import DetectionParams
from tests.factories import ModerationSampleFactory

pytestmark = pytest.mark.django_db

MEASURE = Measure(population={"decision_label": "none", "market": "ID"}, audit_label="bullying_harassment")


def _audits(count: int, *, days_ago: float = 2, **fields) -> None:
    decided = timezone.now() - timedelta(days=days_ago)
    ModerationSampleFactory.create_batch(count, decided_at=decided, audited_at=decided + timedelta(hours=1), **fields)


def _compute(measure: Measure = MEASURE) -> dict:
    now = timezone.now()
    return story_compute(measure, now=now, first_error=now - timedelta(days=5), params=DetectionParams())


# THE HEADER
# ------------------------------------------------------------------------------


def test_header_complement_and_ratio_are_computed_over_comparable_traffic():
    # The slice (decision "none" in ID): 10 audits, 4 bullying errors, 1 error of another kind.
    _audits(4)
    _audits(1, audit_label_id="hate_speech")
    _audits(5, audit_label_id="none")
    # Comparable traffic outside it (decision "none" elsewhere): 20 audits, 2 bullying errors.
    _audits(2, market="BR")
    _audits(18, market="BR", audit_label_id="none")
    # Not comparable (another decision label): counts in the overall rate only.
    _audits(5, market="BR", decision_label_id="hate_speech", audit_label_id="bullying_harassment")
    _audits(5, market="BR", decision_label_id="hate_speech", audit_label_id="hate_speech")
    # Decided before the window: left out.
    _audits(3, days_ago=30)

    header = _compute()["header"]

    assert header["slice"] == {"audits": 10, "errors": 4, "rate": 0.4}
    assert header["complement"] == {"audits": 20, "errors": 2, "rate": 0.1}
    assert header["ratio"] == pytest.approx(4.0)
    assert header["any_errors"] == {"audits": 10, "errors": 5, "rate": 0.5}
    assert header["overall"] == {"audits": 40, "errors": 12, "rate": 0.3}
    texts = header_texts(header)
    assert (texts["rate"], texts["complement_rate"], texts["ratio"]) == ("40.0%", "10.0%", "4.0\u00d7")


def test_header_ratio_against_a_zero_complement_rate_is_capped():
    _audits(3)
    _audits(7, audit_label_id="none")
    _audits(50, market="BR", audit_label_id="none")  # comparable traffic, no error of the kind

    figures = _compute()
    view = story_view(figures, [])

    assert figures["header"]["ratio"] is None and figures["header"]["ratio_over_cap"] is True
    assert view.texts["ratio"] == "over 100\u00d7"
    assert "same error elsewhere: 0% (over 100\u00d7)" in [fact.detail for fact in view.facts]


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(None, "\u2013"), (0, "0\u00d7"), (0.456, "0.46\u00d7"), (5.14, "5.1\u00d7"), (9.97, "10\u00d7"),
     (34.4, "34\u00d7"), (100, "100\u00d7"), (134759.2, "over 100\u00d7"), (float("inf"), "over 100\u00d7")],
)  # fmt: skip
def test_format_ratio_adapts_its_precision_and_caps_huge_ratios(ratio, text):
    assert format_ratio(ratio) == text


def test_no_rate_of_the_story_renders_as_zero_above_zero():
    header = {
        "slice": {"audits": 200_000, "errors": 1, "rate": 1 / 200_000},
        "complement": {"audits": 900_000, "errors": 1, "rate": 1 / 900_000},
        "ratio": 4.5,
        "ratio_over_cap": False,
        "any_errors": {"audits": 200_000, "errors": 3, "rate": 3 / 200_000},
        "overall": {"audits": 1_000_000, "errors": 49, "rate": 0.000049},
        "any_ratio": 0.31,
        "any_ratio_over_cap": False,
        "items": 1, "moderators": 0, "model_versions": 1, "human_errors": 0,
        "first_seen": "2026-11-02", "last_seen": "2026-11-02", "days_seen": 1,
    }  # fmt: skip

    texts = header_texts(header)

    rates = [texts[key] for key in ("rate", "complement_rate", "any_rate", "overall_rate")]
    assert rates == ["<0.01%", "<0.01%", "<0.01%", "<0.01%"]
    for fraction in (1e-9, 0.00004, 0.0004, 0.004, 0.0099):
        assert format_percent(fraction) not in ("0.0%", "0%", "0.00%")


# WHY NOT NOISE
# ------------------------------------------------------------------------------


def _row(moment: datetime, item: str, moderator: str) -> ErrorRow:
    return ErrorRow(moment, item, moderator, DecisionSource.HUMAN, "", "ID", "id", "q", "live_stream", "live", "", "a")


def test_noise_sentence_gives_the_rate_without_its_busiest_day_item_and_moderator():
    start = datetime.combine(timezone.localdate() - timedelta(days=10), time(1), tzinfo=timezone.get_current_timezone())
    burst = [_row(start + timedelta(minutes=n), "burst-item", "mod-burst") for n in range(8)]
    spread = [_row(start + timedelta(days=2 + n // 2, minutes=n), f"item-{n}", f"mod-{n % 3}") for n in range(12)]

    noise = noise_figures(burst + spread, audits=100, control_rate=0.02, params=DetectionParams())

    assert noise["robust"]["removed"] == {"day": 8, "item": 8, "moderator": 8}
    assert noise["robust"]["errors"] == 12 and noise["robust"]["lift"] == pytest.approx(6.0)
    assert noise["passed"] is True
    assert noise["robust"]["lower"] == pytest.approx(0.0490, abs=1e-4)  # Wilson, 12 of 100 at z = 3.29
    assert noise_sentence(noise) == (
        "20 errors on 7 different days across 13 items and 4 moderators; without its busiest day, item and moderator "
        "it is still 6.0\u00d7 the rate elsewhere (Wilson lower bound 4.9% > 2.0%)."
    )


def test_noise_sentence_says_what_fails_for_a_one_day_burst():
    # 01:00: its 20 minutes stay on one day whatever the time the test runs (from now, they crossed midnight at 23:40)
    start = datetime.combine(timezone.localdate() - timedelta(days=3), time(1), tzinfo=timezone.get_current_timezone())
    burst = [_row(start + timedelta(minutes=n), f"item-{n}", f"mod-{n % 4}") for n in range(20)]

    noise = noise_figures(burst, audits=100, control_rate=0.02, params=DetectionParams())

    assert noise["passed"] is False
    assert noise["tests"]["days"] is False and noise["tests"]["robust"] is False
    sentence = noise_sentence(noise)
    assert "It is 10\u00d7 the rate elsewhere" in sentence
    assert "its errors fall on only 1 day (a pattern needs 3)" in sentence
    assert "without its busiest day, item and moderator only 0 errors remain (a pattern needs 12)" in sentence


# WHAT ELSE IS UNUSUAL
# ------------------------------------------------------------------------------


def test_unusual_values_put_a_planted_dimension_first():
    # Inside the slice: 9 of its 10 errors are guest battles, against 10 of its 30 audits.
    _audits(9, tags=";guest_battle;")
    _audits(1, tags=";duet;")
    _audits(1, tags=";guest_battle;", audit_label_id="none")
    _audits(19, tags=";duet;", audit_label_id="none")
    # Comparable traffic outside: 2 guest battles in 20 audits.
    _audits(2, market="BR", language="pt-BR", tags=";guest_battle;", audit_label_id="none")
    _audits(18, market="BR", language="pt-BR", tags=";duet;", audit_label_id="none")

    unusual = story_view(_compute(), []).unusual

    assert (unusual[0]["dimension"], unusual[0]["value"]) == ("tag", "guest_battle")
    assert unusual[0]["text"] == "90.0% are tagged guest battle, against 10.0% of comparable traffic"
    assert "language" not in [item["dimension"] for item in unusual]  # every audit of the slice is in Indonesian


def test_a_measure_without_traffic_outside_it_says_the_rate_cannot_be_compared():
    _audits(14, tags=";guest_battle;")
    _audits(6, tags=";duet;", audit_label_id="none")
    measure = Measure(population={}, audit_label="bullying_harassment")  # every decision, one error kind

    view = story_view(_compute(measure), [])

    assert view.figures["header"]["complement"] is None and view.texts["ratio"] == "\u2013"
    assert view.figures["noise"]["tests"]["lift"] is None and view.noise_passed is False
    assert "There is no comparable traffic outside this slice to compare its rate with" in view.noise_sentence
    assert view.unusual[0]["text"] == "100% are tagged guest battle, against 70.0% of the slice's audits"


def test_noise_size_test_counts_the_slice_support_over_every_decision_label_as_detection_does():
    # The slice's decision label ("none" in ID): 27 audits, 14 errors on 7 days. Detection counts the slice's support
    # over every decision of ID (the error kind names the decision label): 27 + 270 = 297 audits.
    for day in range(7):
        _audits(2, days_ago=day + 1)
    _audits(13, audit_label_id="none")
    _audits(270, decision_label_id="hate_speech", audit_label_id="hate_speech")
    _audits(200, market="BR", language="pt-BR", audit_label_id="none")  # comparable traffic outside, no error

    noise = _compute()["noise"]

    assert (noise["audits"], noise["support"]) == (27, 297)
    assert noise["tests"]["support"] is True
    assert "27 audits" not in noise_sentence(noise) and "a pattern needs 40" not in noise_sentence(noise)


def test_noise_sentence_names_the_slice_support_when_it_is_too_small():
    for day in range(7):
        _audits(2, days_ago=day + 1)
    _audits(13, audit_label_id="none")
    _audits(200, market="BR", language="pt-BR", audit_label_id="none")

    noise = _compute()["noise"]

    assert noise["support"] == 27 and noise["tests"]["support"] is False
    assert "the slice holds only 27 audits (a pattern needs 40)" in noise_sentence(noise)
