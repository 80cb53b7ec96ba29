"""The change decomposition (rca/quality/decomposition.py): the parts add up to the total change, a planted mix shift
lands in the mix part and a planted rate jump in the rate part, top contributors first."""

import random
from datetime import date

import pytest

from rca.importing import import_records
from rca.quality.decomposition import SliceTotals, decompose, quality_change

A = (date(2026, 11, 2), date(2026, 11, 8))
B = (date(2026, 11, 9), date(2026, 11, 15))


def totals(audits: int, errors: int, weight: float | None = None, error_weight: float | None = None) -> SliceTotals:
    return SliceTotals(
        audits, errors, audits if weight is None else weight, errors if error_weight is None else error_weight
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("weighted", [True, False])
def test_decompose_parts_add_up_to_the_total_change(seed, weighted):
    rng = random.Random(seed)
    values = [f"s{i}" for i in range(rng.randrange(2, 12))]

    def period():
        slices = {}
        for value in rng.sample(values, rng.randrange(1, len(values) + 1)):  # some slices only in one period
            audits = rng.randrange(1, 500)
            errors = rng.randrange(0, audits + 1)
            slices[value] = totals(audits, errors, audits * rng.uniform(0.5, 9), errors * rng.uniform(0.5, 9))
        return slices

    a, b = period(), period()
    rate_a, rate_b, slices = decompose(a, b, weighted=weighted)

    assert sum(item.mix + item.rate for item in slices) == pytest.approx(rate_b - rate_a, abs=1e-12)
    assert all(item.total == item.mix + item.rate for item in slices)
    assert [abs(item.total) for item in slices] == sorted((abs(item.total) for item in slices), reverse=True)


def test_decompose_puts_a_planted_mix_shift_in_the_mix_part():
    # Same rates in both periods (bad 20%, good 2%); the traffic moves from 50/50 to 80/20 towards the bad slice.
    a = {"bad": totals(500, 100), "good": totals(500, 10)}
    b = {"bad": totals(800, 160), "good": totals(200, 4)}

    rate_a, rate_b, slices = decompose(a, b)

    assert (rate_a, rate_b) == pytest.approx((0.11, 0.164))
    assert [item.value for item in slices] == ["bad", "good"]
    assert sum(item.mix for item in slices) == pytest.approx(rate_b - rate_a)
    assert all(item.rate == 0 for item in slices)


def test_decompose_puts_a_planted_rate_jump_in_the_rate_part():
    # Same shares; the small slice's rate jumps from 5% to 45%, the large one's stays at 5%.
    a = {"jump": totals(100, 5), "steady": totals(900, 45)}
    b = {"jump": totals(100, 45), "steady": totals(900, 45)}

    _, _, slices = decompose(a, b)

    jump, steady = slices
    assert jump.value == "jump"
    assert jump.rate == pytest.approx(0.04) and jump.mix == 0
    assert steady.total == 0


def test_decompose_counts_a_slice_seen_in_one_period_only_as_mix():
    _, _, slices = decompose({"old": totals(100, 10)}, {"old": totals(100, 10), "new": totals(100, 50)})

    new = next(item for item in slices if item.value == "new")
    assert new.rate_a is None and new.rate == 0 and new.mix == pytest.approx(0.25)


def sample(external_id: str, market: str, error: bool, day: int) -> dict:
    return {
        "external_id": external_id,
        "content_id": f"c-{external_id}",
        "content_type": "video",
        "market": market,
        "language": "en",
        "decision_source": "human",
        "decision_label": "none",
        "audit_label": "hate_speech" if error else "none",
        "decided_at": f"2026-11-{day:02d}T12:00:00+00:00",
        "audited_at": "2026-11-16T12:00:00+00:00",
    }


@pytest.mark.django_db
def test_quality_change_lists_the_planted_slice_first_with_its_figures():
    # Period A: US and ID at 10%, BR at 10%. Period B: ID jumps to 50%, the others stay.
    records = []
    for period, day in (("a", 3), ("b", 10)):
        for market in ("US", "ID", "BR"):
            for i in range(20):
                bad_rate = 10 if market == "ID" and period == "b" else 2
                records.append(sample(f"{period}-{market}-{i}", market, i < bad_rate, day))
    import_records(records)

    change = quality_change(dimension="market", period_a=A, period_b=B)

    assert change.change == pytest.approx(8 / 60)
    assert change.mix + change.rate == pytest.approx(change.change, abs=1e-12)
    top = change.slices[0]
    assert (top.value, top.audits_a, top.audits_b, top.errors_a, top.errors_b) == ("ID", 20, 20, 2, 10)
    assert top.rate == pytest.approx(8 / 60) and top.mix == 0
