"""The statistics of a fix verdict (`cases.measure.stats`) against values worked out by hand, and which model versions
count as "that version or later" (`cases.fixes.verdict.later_versions`)."""

import pytest

from cases.fixes.verdict import later_versions
from cases.measure.stats import audits_needed, difference_in_differences, two_proportion_test, wilson_interval


def test_wilson_interval_of_10_in_100():
    # z = 1.95996; centre = (0.1 + z²/200) / (1 + z²/100) = 0.114797;
    # half = z * sqrt(0.1 * 0.9 / 100 + z² / 40000) / (1 + z²/100) = 0.059569.
    low, high = wilson_interval(10, 100)

    assert (low, high) == (pytest.approx(0.055229, abs=1e-6), pytest.approx(0.174366, abs=1e-6))


def test_wilson_interval_stays_above_zero_with_no_error_and_is_none_without_audits():
    low, high = wilson_interval(0, 50)

    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.071348, abs=1e-6)  # z² / (50 + z²)
    assert wilson_interval(0, 0) is None


def test_two_proportion_test_of_30_in_100_against_15_in_100():
    # Pooled rate 0.225; SE = sqrt(0.225 * 0.775 * (1/100 + 1/100)) = 0.059055; z = 0.15 / SE = 2.5400.
    test = two_proportion_test(30, 100, 15, 100)

    assert test.z == pytest.approx(2.5400, abs=1e-4)
    assert test.p_value == pytest.approx(0.005543, abs=1e-5)  # one-sided


def test_two_proportion_test_of_small_counts_is_fishers_exact_test():
    # 2 errors in 2 audits before, 0 in 1 after: the z-test says z = 1.73, p = 0.042; the smallest expected cell is
    # 2/3 * 1 < 5, so the exact test decides: of the C(3, 2) = 3 ways to place the 2 errors among the 3 audits, one
    # puts both before: p = 1/3.
    test = two_proportion_test(2, 2, 0, 1)

    assert test.method == "fisher"
    assert test.p_value == pytest.approx(1 / 3)
    assert test.z == pytest.approx(1.7321, abs=1e-4)
    # 5 in 9 against 0 in 3: C(9, 5) / C(12, 5) = 126 / 792.
    assert two_proportion_test(5, 9, 0, 3).p_value == pytest.approx(126 / 792)
    # Large enough (smallest expected cell 0.225 * 100 = 22.5): the z-test.
    assert two_proportion_test(30, 100, 15, 100).method == "z"


def test_two_proportion_test_rise_is_a_negative_z_and_edge_cases():
    assert two_proportion_test(15, 100, 30, 100).z == pytest.approx(-2.5400, abs=1e-4)
    assert two_proportion_test(0, 100, 0, 100).z == 0.0
    assert two_proportion_test(3, 10, 0, 0) is None


def test_difference_in_differences_of_a_drop_the_control_does_not_share():
    # Drop 0.2 -> 0.1 in the slice, 0.2 -> 0.2 in the control: 0.1 over
    # SE = sqrt(0.16/100 + 0.09/100 + 0.16/100 + 0.16/100) = 0.075498; z = 1.3245.
    test = difference_in_differences((20, 100), (10, 100), (20, 100), (20, 100))

    assert test.z == pytest.approx(1.3245, abs=1e-4)
    assert test.p_value == pytest.approx(0.09267, abs=1e-4)


def test_difference_in_differences_of_a_shared_drop_is_zero_and_needs_every_window():
    assert difference_in_differences((20, 100), (10, 100), (20, 100), (10, 100)).z == 0.0
    assert difference_in_differences((20, 100), (10, 100), (20, 100), (0, 0)) is None


def test_audits_needed_for_a_halving_of_20_percent():
    # (1.6449 * sqrt(2 * 0.15 * 0.85) + 0.8416 * sqrt(0.2 * 0.8 + 0.1 * 0.9))² / 0.1² = 156.6
    assert audits_needed(0.2, relative_drop=0.5, alpha=0.05, power=0.8) == 157
    assert audits_needed(0.0, relative_drop=0.5, alpha=0.05, power=0.8) is None


def test_later_versions_compare_numbers_as_numbers_within_the_line():
    seen = ["live-clf-3.2", "live-clf-3.9", "live-clf-3.10", "live-clf-3.11", "live-clf-4.0", "img-clf-5.0", ""]

    assert later_versions("live-clf-3.10", seen) == ["live-clf-3.10", "live-clf-3.11", "live-clf-4.0"]
    assert later_versions("live-clf-3.9", seen) == ["live-clf-3.10", "live-clf-3.11", "live-clf-3.9", "live-clf-4.0"]
    assert later_versions("other-1", seen) == []
