"""Auditor-driven patterns: overturns that concentrate on one auditor, or on a small group of auditors of one market,
far above the overturn rate of their peers auditing comparable decisions. The error is then in the audit, not in the
decision.

A lenient auditor who overturns correct removals does it under every policy, so the moderation search (one error kind
at a time, `rca.detection.slices`) sees a little of it in many kinds and never the whole. This pass pools the error
kinds instead, in three *directions*: `false_positive` (removals overturned: audited "no violation"),
`false_negative` (decisions of "no violation" overturned) and `any` (every overturn). It tests each auditor over all
markets, and the auditors of each market as a group: those whose own rate there stands out (and not elsewhere: an
auditor out of line everywhere is a pattern on their own), by decreasing excess, at most `auditor_max_group` of them;
every prefix of that order is a candidate.

**Comparable decisions.** Audits fall in strata of decision label x market x decision source. A candidate's expected
overturns are, stratum by stratum, its audits times the rate of its peers (the stratum's other auditors, its members
excluded), shrunk toward the rate of the decision label and source in every market by `PEER_PRIOR_AUDITS` audits (a
stratum of a few peer audits says little on its own; a stratum of many says it all). A candidate
passes as a slice does: enough audits (`min_support`; and `auditor_min_audits` for each member in the scope: no verdict
on a new auditor's first audits), enough overturns (`auditor_min_errors`), a lift of `min_lift` over the peers' rate
and a Wilson lower bound above it. Then it must recur (`min_days` days, `min_items` content items) and stay significant
without its busiest 24 hours, its busiest item and, for a group, its busiest member (with that member's audits): one
bad day, one item audited many times or one auditor carrying the others is not a pattern.

**Explain-away.** Candidates are accepted greedily, best score first (rescored lazily, as the moderation cover does);
an auditor is in one pattern at most, and accepted auditors leave the peers of later candidates. An accepted pattern
*claims* its errors (its members' overturns of its direction, in its market): the run removes them from the
partitions' errors before the moderation search (`rca.detection_runs`), so no error is claimed twice, and an auditor
pattern wins over a moderation pattern. Why that order: an audit out of line with peers on the same decisions is no
evidence of a moderation mistake, and a group of auditors of one market would otherwise surface as a moderation
pattern per policy in that market. A real moderation pattern loses only the auditor's share of its errors: they are
spread over every auditor of its slice, so they raise the peers' rate as much as the auditor's.

Input, as plain tuples (`rca.detection.auditor_rows`): the window's audits grouped by auditor and stratum with their
overturns by outcome (`AuditorCubeRow`), and the overturns of the auditors the cube makes candidates
(`AuditorPass.auditors`) as `AuditorErrorRow`s. Output: a `PartitionResult` of the `AUDIT_QUALITY` partition, whose
hits carry `auditor_id` (one id, or the sorted ids of a group) and, for a group, `market` in their conditions.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from time import perf_counter

import numpy as np

from rca.detection.auditor_rows import ANY, FALSE_NEGATIVE, FALSE_POSITIVE, AuditorCubeRow, ErrorArrays
from rca.detection.params import DetectionParams
from rca.detection.partitions import AUDIT_QUALITY, NO_VIOLATION
from rca.detection.results import PartitionResult, PatternHit
from rca.detection.slices import DAY_SECONDS, wilson_lower

DIRECTIONS = (FALSE_POSITIVE, FALSE_NEGATIVE, ANY)
PEER_PRIOR_AUDITS = 10
ALL_MARKETS = -1


@dataclass
class _Stats:
    audits: int  # in the eligible strata of the direction
    errors: int
    expected: float  # overturns at the peers' rates
    rate: float
    baseline: float
    lift: float
    score: float
    passed: bool


@dataclass
class _Candidate:
    members: tuple[int, ...]  # auditor codes, by decreasing excess
    market: int  # market code, or ALL_MARKETS
    direction: str
    stats: _Stats
    version: int = 0


def judge(errors, audits, expected, params: DetectionParams):
    """Rate, peers' rate, lift, score and pass/fail of candidates (vectorised), as `slices.slice_stats` does."""
    x = np.asarray(errors, dtype=np.float64)
    n = np.maximum(np.asarray(audits, dtype=np.float64), x)
    rate = x / np.maximum(n, 1.0)
    # Half an overturn of smoothing keeps the lift finite when the peers have none.
    baseline = np.clip((np.asarray(expected, dtype=np.float64) + 0.5) / np.maximum(n, 1.0), 1e-12, 1 - 1e-9)
    lift = rate / baseline
    lower = wilson_lower(x, n, params.z)
    passed = (n >= params.min_support) & (x >= params.auditor_min_errors) & (lift >= params.min_lift)
    passed &= lower > baseline
    safe = np.clip(lower, 1e-12, 1 - 1e-9)
    score = x * np.log(safe / baseline) + (n - x) * np.log((1 - safe) / (1 - baseline))
    return rate, baseline, lift, np.where(passed, score, -np.inf), passed


class AuditorPass:
    """The auditor pass of one run: candidates from the cube (`auditors`: whose overturns to read), then `find`."""

    def __init__(self, cube: Iterable[Sequence], params: DetectionParams) -> None:
        started = perf_counter()
        self.params = params
        auditors: dict[str, int] = {}
        markets: dict[str, int] = {}
        strata: dict[tuple[str, str, str], int] = {}
        columns: list[list[int]] = [[] for _ in range(8)]
        for row in cube:
            row = AuditorCubeRow(*row)
            columns[0].append(auditors.setdefault(row.auditor_id or "", len(auditors)))
            columns[1].append(markets.setdefault(row.market, len(markets)))
            columns[2].append(strata.setdefault((row.decision_label, row.market, row.decision_source), len(strata)))
            columns[3].append(int(row.decision_label == NO_VIOLATION))
            for index, value in enumerate(row[4:8]):
                columns[4 + index].append(int(value))
        self.auditor_ids, self.markets = list(auditors), list(markets)
        self.strata_codes = strata
        auditor, market, stratum, approved, audits, fp, fn, wp = (np.asarray(c, dtype=np.int64) for c in columns)
        self.auditor, self.market, self.stratum, self.audits = auditor, market, stratum, audits
        self.n_strata = len(strata)
        # Per stratum, its decision label and source in every market: where a stratum's thin peer rate is shrunk to.
        wide: dict[tuple[str, str], int] = {}
        self.stratum_wide = np.asarray(
            [wide.setdefault((label, source), len(wide)) for label, _, source in strata], dtype=np.int64
        )
        self.errors = {FALSE_POSITIVE: fp, FALSE_NEGATIVE: fn, ANY: fp + fn + wp}
        self.eligible = {FALSE_POSITIVE: approved == 0, FALSE_NEGATIVE: approved == 1, ANY: np.ones_like(audits, bool)}
        self.real = np.array([bool(name) for name in self.auditor_ids], dtype=bool)  # "" is no auditor
        self._scopes: dict[tuple[int, str], tuple[np.ndarray, ...]] = {}
        self._priors: dict[str, np.ndarray] = {}
        self.candidates = self._candidates()
        self.timings = {"auditors": perf_counter() - started}

    @property
    def auditors(self) -> list[str]:
        """The auditors of some candidate: the pass needs their overturns only."""
        return sorted({self.auditor_ids[code] for candidate in self.candidates for code in candidate.members})

    @property
    def total(self) -> int:
        return int(self.audits.sum())

    # STATISTICS
    # --------------------------------------------------------------------------

    def _evaluate(self, members, market: int, direction: str, excluded: np.ndarray) -> _Stats:
        """A candidate's figures against its peers: the stratum's auditors outside `members` and `excluded`."""
        auditor, stratum, audits, errors = self._scope(market, direction)
        is_member = np.isin(auditor, np.asarray(members, dtype=np.int64))
        peers = ~is_member & ~excluded[auditor]
        peer_n = np.bincount(stratum[peers], weights=audits[peers], minlength=self.n_strata)
        peer_x = np.bincount(stratum[peers], weights=errors[peers], minlength=self.n_strata)
        rate = self._peer_rate(peer_n, peer_x, direction)
        n, x = int(audits[is_member].sum()), int(errors[is_member].sum())
        return self._stats(x, n, float((audits[is_member] * rate[stratum[is_member]]).sum()))

    def _peer_rate(self, peer_n: np.ndarray, peer_x: np.ndarray, direction: str) -> np.ndarray:
        """Per stratum, the peers' rate shrunk toward the rate of its decision label and source in every market."""
        return (peer_x + PEER_PRIOR_AUDITS * self._prior(direction)) / (peer_n + PEER_PRIOR_AUDITS)

    def _prior(self, direction: str) -> np.ndarray:
        """Per stratum, the rate of its decision label and source in every market (every auditor's audits)."""
        if direction not in self._priors:
            rows = self.eligible[direction]
            wide = self.stratum_wide[self.stratum[rows]]
            size = int(self.stratum_wide.max(initial=0)) + 1
            wide_n = np.bincount(wide, weights=self.audits[rows], minlength=size)
            wide_x = np.bincount(wide, weights=self.errors[direction][rows], minlength=size)
            self._priors[direction] = (wide_x / np.maximum(wide_n, 1.0))[self.stratum_wide]
        return self._priors[direction]

    def _scope(self, market: int, direction: str) -> tuple[np.ndarray, ...]:
        """(auditor, stratum, audits, overturns) of the cube rows of a market (or all) eligible for a direction."""
        key = (market, direction)
        if key not in self._scopes:
            rows = self.eligible[direction] & ((self.market == market) if market != ALL_MARKETS else True)
            self._scopes[key] = (
                self.auditor[rows],
                self.stratum[rows],
                self.audits[rows],
                self.errors[direction][rows],
            )
        return self._scopes[key]

    def _stats(self, x: int, n: int, expected: float) -> _Stats:
        rate, baseline, lift, score, passed = (float(v[0]) for v in judge([x], [n], [expected], self.params))
        return _Stats(n, x, expected, rate, baseline, lift, score, bool(passed))

    def _by_auditor_and_market(self, direction: str):
        """(audits, overturns, expected, volume) per auditor x market, each auditor against every other one."""
        rows = self.eligible[direction]
        errors = self.errors[direction]
        audits_in, errors_in = np.where(rows, self.audits, 0), np.where(rows, errors, 0)
        stratum_n = np.bincount(self.stratum, weights=audits_in, minlength=self.n_strata)
        stratum_x = np.bincount(self.stratum, weights=errors_in, minlength=self.n_strata)
        peer_n, peer_x = stratum_n[self.stratum] - audits_in, stratum_x[self.stratum] - errors_in
        peer_rate = (peer_x + PEER_PRIOR_AUDITS * self._prior(direction)[self.stratum]) / (peer_n + PEER_PRIOR_AUDITS)
        expected = audits_in * peer_rate
        shape = (len(self.auditor_ids), len(self.markets))
        key = self.auditor * shape[1] + self.market

        def per_cell(values):
            return np.bincount(key, weights=values, minlength=shape[0] * shape[1]).reshape(shape)

        return per_cell(audits_in), per_cell(errors_in), per_cell(expected), per_cell(self.audits)

    # CANDIDATES
    # --------------------------------------------------------------------------

    def _candidates(self) -> list[_Candidate]:
        params, found = self.params, []
        nobody = np.zeros(len(self.auditor_ids), dtype=bool)
        for direction in DIRECTIONS:
            n, x, expected, volume = self._by_auditor_and_market(direction)
            total_n, total_x, total_e, total_volume = n.sum(1), x.sum(1), expected.sum(1), volume.sum(1)
            # One auditor, every market.
            *_, passed = judge(total_x, total_n, total_e, params)
            for code in np.flatnonzero(passed & (total_volume >= params.auditor_min_audits) & self.real):
                stats = self._evaluate((int(code),), ALL_MARKETS, direction, nobody)
                if stats.passed:
                    found.append(_Candidate((int(code),), ALL_MARKETS, direction, stats))
            # The auditors of one market: above their peers there (against every other auditor, members of the same
            # group included, so only a first sort), and not out of line elsewhere.
            *_, elsewhere = judge(total_x[:, None] - x, total_n[:, None] - n, total_e[:, None] - expected, params)
            excess = x / (expected + 0.5)
            eligible = (volume >= params.auditor_min_audits) & (excess > 1.0) & ~elsewhere & self.real[:, None]
            for market in np.flatnonzero(eligible.any(axis=0)):
                codes = np.flatnonzero(eligible[:, market])
                order = codes[np.lexsort((codes, -excess[codes, market]))][: params.auditor_max_group]
                if x[order, market].sum() >= params.auditor_min_errors:  # else no prefix has enough overturns
                    found += self._groups(tuple(int(code) for code in order), int(market), direction)
        return found

    def _groups(self, order: tuple[int, ...], market: int, direction: str) -> list[_Candidate]:
        """The passing prefixes of `order` in which every member is, on their own, `min_lift` times above the peers
        outside the prefix (a member looks ordinary while the other members count among its peers)."""
        found = []
        for size in range(1, len(order) + 1):
            members = order[:size]
            outside = np.zeros(len(self.auditor_ids), dtype=bool)
            outside[list(members)] = True
            lifts = []
            for member in members:
                outside[member] = False
                lifts.append(self._evaluate((member,), market, direction, outside).lift)
                outside[member] = True
            if min(lifts) < self.params.min_lift:
                continue
            stats = self._evaluate(members, market, direction, np.zeros_like(outside))
            if stats.passed:
                found.append(_Candidate(members, market, direction, stats))
        return found

    # COVER
    # --------------------------------------------------------------------------

    def find(self, errors: Iterable[Sequence]) -> PartitionResult:
        """The auditor patterns, given the overturns of (at least) `auditors`; see the module docstring."""
        started = perf_counter()
        rows = ErrorArrays(errors, auditors=self.auditor_ids, markets=self.markets, strata=self.strata_codes)
        excluded = np.zeros(len(self.auditor_ids), dtype=bool)
        heap = [(-candidate.stats.score, index) for index, candidate in enumerate(self.candidates)]
        heapq.heapify(heap)
        version, hits = 0, []
        while heap:
            _, index = heapq.heappop(heap)
            candidate = self.candidates[index]
            if excluded[list(candidate.members)].any():
                continue
            if candidate.version != version:
                candidate.stats = self._evaluate(candidate.members, candidate.market, candidate.direction, excluded)
                candidate.version = version
                if not candidate.stats.passed:
                    continue
                if heap and -heap[0][0] > candidate.stats.score:
                    heapq.heappush(heap, (-candidate.stats.score, index))
                    continue
            claimed = self._claimed(rows, candidate)
            if not self._recurs(rows, claimed) or not self._robust(rows, claimed, candidate, excluded):
                continue
            hits.append(self._describe(rows, claimed, candidate))
            excluded[list(candidate.members)] = True
            version += 1
        timings = {"auditors": self.timings["auditors"] + perf_counter() - started}
        return PartitionResult(
            hits=tuple(hits), timings=timings, candidates=len(self.candidates), partition=AUDIT_QUALITY,
            samples=self.total,
        )  # fmt: skip

    @staticmethod
    def _claimed(rows: ErrorArrays, candidate: _Candidate) -> np.ndarray:
        """Indices of the candidate's overturns: its members', of its direction, in its market (if it has one)."""
        keep = (
            np.isin(rows.auditor, np.asarray(candidate.members, dtype=np.int64)) & rows.direction[candidate.direction]
        )
        if candidate.market != ALL_MARKETS:
            keep &= rows.market == candidate.market
        keep &= rows.stratum >= 0
        return np.flatnonzero(keep)

    def _recurs(self, rows: ErrorArrays, claimed: np.ndarray) -> bool:
        days = np.unique(rows.day[claimed]).size
        return days >= self.params.min_days and np.unique(rows.item[claimed]).size >= self.params.min_items

    def _robust(self, rows: ErrorArrays, claimed: np.ndarray, candidate: _Candidate, excluded: np.ndarray) -> bool:
        """Still significant without the busiest 24 hours, the busiest item and, for a group, the busiest member."""
        stamps = rows.ts[claimed]
        order = np.sort(stamps)
        ends = np.searchsorted(order, order + DAY_SECONDS, side="left")
        start = order[int(np.argmax(ends - np.arange(order.size)))]
        keep = (stamps < start) | (stamps >= start + DAY_SECONDS)
        items, counts = np.unique(rows.item[claimed], return_counts=True)
        keep &= rows.item[claimed] != items[np.argmax(counts)]
        stats = candidate.stats
        if len(candidate.members) > 1:
            codes, counts = np.unique(rows.auditor[claimed], return_counts=True)
            busiest = int(codes[np.argmax(counts)])
            keep &= rows.auditor[claimed] != busiest
            others = tuple(code for code in candidate.members if code != busiest)
            without = excluded.copy()
            without[busiest] = True
            stats = self._evaluate(others, candidate.market, candidate.direction, without)
        return self._stats(int(keep.sum()), stats.audits, stats.expected).passed

    def _describe(self, rows: ErrorArrays, claimed: np.ndarray, candidate: _Candidate) -> PatternHit:
        stats = candidate.stats
        conditions: dict[str, str | list[str]] = {}
        if candidate.market != ALL_MARKETS:
            conditions["market"] = self.markets[candidate.market]
        ids = sorted(self.auditor_ids[code] for code in candidate.members)
        conditions["auditor_id"] = ids[0] if len(ids) == 1 else ids
        days = Counter(int(day) for day in rows.day[claimed])
        stamps = rows.ts[claimed]
        return PatternHit(
            decision_label=NO_VIOLATION if candidate.direction == FALSE_NEGATIVE else "",
            audit_label=NO_VIOLATION if candidate.direction == FALSE_POSITIVE else "",
            conditions=conditions,
            topic=None,
            merged_topics=(),
            support=stats.audits,
            error_count=int(claimed.size),
            error_rate=stats.rate,
            baseline_rate=stats.baseline,
            lift=stats.lift,
            score=stats.score,
            sample_ids=tuple(sorted(int(sample_id) for sample_id in rows.ids[claimed])),
            daily_counts={date.fromordinal(day).isoformat(): count for day, count in sorted(days.items())},
            first_seen=datetime.fromtimestamp(float(stamps.min()), UTC),
            last_seen=datetime.fromtimestamp(float(stamps.max()), UTC),
            days_seen=len(days),
            content_items=int(np.unique(rows.item[claimed]).size),
            moderators=0,
        )


def find_auditor_patterns(cube: Iterable[Sequence], errors: Iterable[Sequence], params: DetectionParams):
    """The auditor pass on plain rows (every overturn of the window, or those of `AuditorPass.auditors`)."""
    return AuditorPass(cube, params).find(errors)


def claimed_ids(result: PartitionResult) -> frozenset[int]:
    """The sample ids the auditor patterns claim: the partitions leave them out of the moderation search."""
    return frozenset(sample_id for hit in result.hits for sample_id in hit.sample_ids)
