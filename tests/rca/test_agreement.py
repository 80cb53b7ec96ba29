"""Cohen's kappa and the below-peers test (`rca.verdicts.agreement`), on hand-checked examples."""

import pytest

from rca.verdicts.agreement import VerdictPair, agreement_rows, cohen_kappa


def test_cohen_kappa_matches_the_hand_checked_two_by_two_example():
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15 (Wikipedia's "Cohen's kappa" example).
    # p_o = 35/50 = 0.70; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50; kappa = 0.20 / 0.50 = 0.40;
    # se = sqrt(0.70 * 0.30 / (50 * 0.25)) = sqrt(0.0168) = 0.1296.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15

    figures = cohen_kappa(pairs)

    assert (figures.n, figures.agreed) == (50, 35)
    assert figures.p_observed == pytest.approx(0.70)
    assert figures.p_expected == pytest.approx(0.50)
    assert figures.kappa == pytest.approx(0.40)
    assert figures.se == pytest.approx(0.1296, abs=1e-4)


def test_cohen_kappa_is_undefined_when_one_label_is_used_throughout():
    assert cohen_kappa([("none", "none")] * 5).kappa is None


def _pairs(auditor: str, agreed: int, disagreed: int) -> list[VerdictPair]:
    """Half the verdicts say `hate_speech`, half `none`; the disagreements flip the auditor's label."""
    pairs = []
    for index in range(agreed + disagreed):
        final = "hate_speech" if index % 2 else "none"
        own = final if index < agreed else ("none" if final == "hate_speech" else "hate_speech")
        pairs.append(VerdictPair(auditor, own, final, "hate_speech", "ID", first_audit=True))
    return pairs


def test_agreement_rows_flag_an_auditor_whose_kappa_is_significantly_below_the_peers():
    pairs = _pairs("lenient", 24, 16) + _pairs("aud-1", 39, 1) + _pairs("aud-2", 38, 2) + _pairs("aud-3", 39, 1)

    overall, rows = agreement_rows(pairs, group_by="auditor")

    flagged = {row.group: row.below_peers for row in rows}
    assert flagged == {"lenient": True, "aud-1": False, "aud-2": False, "aud-3": False}
    lenient = next(row for row in rows if row.group == "lenient")
    assert (lenient.reviewed, lenient.overturned, lenient.overturn_rate) == (40, 16, 0.4)
    assert overall.compared == 160


def test_agreement_rows_do_not_test_an_auditor_with_few_verdicts():
    pairs = _pairs("newcomer", 3, 5) + _pairs("aud-1", 39, 1) + _pairs("aud-2", 38, 2)

    _, rows = agreement_rows(pairs, group_by="auditor", min_verdicts=20)

    newcomer = next(row for row in rows if row.group == "newcomer")
    assert (newcomer.below_peers, newcomer.z) == (False, None)
