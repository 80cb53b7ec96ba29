"""The severity of a detected pattern's case: the label's weight, one step up for a large pattern."""

import pytest

from cases.choices import Severity
from cases.severity import severity_for


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(5, Severity.S2), (4, Severity.S2), (3, Severity.S3), (2, Severity.S3), (1, Severity.S4), (0, Severity.S4)],
)
def test_severity_for_a_small_pattern_follows_the_label_weight(weight, expected):
    assert severity_for(severity_weight=weight, error_count=50, lift=5.0) == expected


@pytest.mark.parametrize(("error_count", "lift"), [(200, 5.0), (50, 20.0)])
def test_severity_for_a_large_pattern_is_one_step_up(error_count, lift):
    assert severity_for(severity_weight=5, error_count=error_count, lift=lift) == Severity.S1
    assert severity_for(severity_weight=3, error_count=error_count, lift=lift) == Severity.S2
    assert severity_for(severity_weight=1, error_count=error_count, lift=lift) == Severity.S3
    assert severity_for(severity_weight=0, error_count=error_count, lift=lift) == Severity.S4


def test_severity_for_just_below_the_large_thresholds_is_not_raised():
    assert severity_for(severity_weight=5, error_count=199, lift=19.99) == Severity.S2
