"""Agreement of auditors with the resolution: Cohen's kappa, its standard error, and the test that flags the auditors
whose kappa is significantly below their peers'. Pure: plain pairs in, plain figures out (docs/audit-quality.md).

- A *pair* is one verdict of an auditor and the final label of the same decision: a first audit that a resolution
  reviewed (overturned when the two differ), or an answer of a calibration round.
- Observed agreement `p_o` = agreed / n; chance agreement `p_e` = the sum, over labels, of the product of the share of
  the auditor's verdicts and the share of the final labels that carry it; `kappa = (p_o - p_e) / (1 - p_e)`, undefined
  (None) when `p_e` is 1 (both sides used one and the same label throughout).
- Standard error: Cohen's (1960) large-sample approximation, `sqrt(p_o (1 - p_o) / (n (1 - p_e)^2))`.
- Below peers: for an auditor with at least `min_verdicts` pairs, the peers are the pairs of every other auditor (the
  same filters), `z = (kappa_peers - kappa) / sqrt(se^2 + se_peers^2)`; flagged when `z` exceeds the one-sided normal
  quantile at `alpha / m` (Bonferroni over the `m` auditors tested), i.e. a 5% family-wise error rate by default.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from statistics import NormalDist

ALPHA = 0.05
MIN_VERDICTS = 20


@dataclass(frozen=True, slots=True)
class VerdictPair:
    auditor_id: str
    auditor_label: str
    final_label: str
    policy: str
    market: str
    first_audit: bool  # a first audit a resolution reviewed; False: a calibration answer


@dataclass(frozen=True, slots=True)
class Kappa:
    n: int
    agreed: int
    p_observed: float | None
    p_expected: float | None
    kappa: float | None
    se: float | None


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> Kappa:
    """Cohen's kappa of (rater A, rater B) label pairs, with its standard error (see the module docstring)."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return Kappa(0, 0, None, None, None, None)
    agreed = sum(1 for a, b in pairs if a == b)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_o = agreed / n
    p_e = sum(first[label] * second[label] for label in first) / (n * n)
    if p_e >= 1.0:
        return Kappa(n, agreed, p_o, p_e, None, None)
    kappa = (p_o - p_e) / (1 - p_e)
    se = math.sqrt(p_o * (1 - p_o) / (n * (1 - p_e) ** 2))
    return Kappa(n, agreed, p_o, p_e, kappa, se)


def below_peers_z(own: Kappa, peers: Kappa) -> float | None:
    """How many standard errors the auditor's kappa lies below the peers' (None when either is undefined)."""
    if own.kappa is None or peers.kappa is None or own.se is None or peers.se is None:
        return None
    spread = math.hypot(own.se, peers.se)
    if spread == 0:
        return None
    return (peers.kappa - own.kappa) / spread


def critical_z(*, alpha: float, tests: int) -> float:
    """The one-sided normal quantile at `alpha / tests` (Bonferroni)."""
    return NormalDist().inv_cdf(1 - alpha / max(tests, 1))


@dataclass
class AgreementRow:
    group: str
    reviewed: int  # first audits that a resolution reviewed
    overturned: int
    overturn_rate: float | None
    calibration_answers: int
    compared: int  # every pair: reviewed first audits and calibration answers
    agreed: int
    agreement_rate: float | None
    kappa: float | None
    kappa_se: float | None
    peer_kappa: float | None = None
    z: float | None = None
    below_peers: bool = False

    def as_dict(self) -> dict:
        return {key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()}


GROUPINGS: dict[str, Callable[[VerdictPair], str]] = {
    "auditor": lambda pair: pair.auditor_id,
    "policy": lambda pair: pair.policy,
    "market": lambda pair: pair.market,
}


def _row(group: str, pairs: Sequence[VerdictPair]) -> AgreementRow:
    first_audits = [pair for pair in pairs if pair.first_audit]
    overturned = sum(1 for pair in first_audits if pair.auditor_label != pair.final_label)
    figures = cohen_kappa((pair.auditor_label, pair.final_label) for pair in pairs)
    return AgreementRow(
        group=group,
        reviewed=len(first_audits),
        overturned=overturned,
        overturn_rate=overturned / len(first_audits) if first_audits else None,
        calibration_answers=len(pairs) - len(first_audits),
        compared=figures.n,
        agreed=figures.agreed,
        agreement_rate=figures.p_observed,
        kappa=figures.kappa,
        kappa_se=figures.se,
    )


def agreement_rows(
    pairs: Iterable[VerdictPair], *, group_by: str = "auditor", alpha: float = ALPHA, min_verdicts: int = MIN_VERDICTS
) -> tuple[AgreementRow, list[AgreementRow]]:
    """The overall row and one row per group (most pairs first). Grouped by auditor, each auditor with at least
    `min_verdicts` pairs is tested against its peers (see the module docstring)."""
    pairs = list(pairs)
    overall = _row("all", pairs)
    if group_by == "auditor":  # a verdict without an auditor id counts overall, but belongs to no auditor
        pairs = [pair for pair in pairs if pair.auditor_id]
    key = GROUPINGS[group_by]
    groups: dict[str, list[VerdictPair]] = defaultdict(list)
    for pair in pairs:
        groups[key(pair)].append(pair)
    rows = [_row(group, members) for group, members in groups.items()]
    rows.sort(key=lambda row: (-row.compared, row.group))
    if group_by == "auditor":
        tested = [row for row in rows if row.compared >= min_verdicts]
        threshold = critical_z(alpha=alpha, tests=len(tested))
        for row in tested:
            peers = cohen_kappa((p.auditor_label, p.final_label) for p in pairs if p.auditor_id != row.group)
            own = Kappa(row.compared, row.agreed, row.agreement_rate, None, row.kappa, row.kappa_se)
            row.peer_kappa = peers.kappa
            row.z = below_peers_z(own, peers)
            row.below_peers = row.z is not None and row.z > threshold
    return overall, rows
