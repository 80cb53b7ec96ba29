"""The slice search: which conjunctions of feature values hold an error kind (and note topic) well above the rate of
the surrounding traffic, then a greedy explain-away cover that keeps one slice per problem.

A *target* is one error kind (decision label -> audit label) with one note topic, so two different mistakes inside
one slice are two targets and become two patterns. A slice is kept only when all three hold: enough support and
errors, a lift over the surrounding rate, and a Wilson lower bound above that rate (significance). On a million rows
significance alone flags huge meaningless slices, and lift alone flags tiny ones.

The cover takes the best slice, removes its traffic and errors from every other slice of the same target and rescores
those (lazily: scores only go down), and accepts a slice only if it recurs: several days, several content items,
several moderators for human decisions, and still significant without its busiest day, item and moderator (so a
one-day burst or one stream audited a hundred times is not a pattern, even inside a larger slice).
"""

import heapq
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from rca.detection.frame import CATEGORICAL, FEATURES, Frame
from rca.detection.params import DetectionParams

TAG = FEATURES.index("tag")
DAY_SECONDS = 86400.0
SLICE_OVERLAP = 0.8  # share of the smaller slice's traffic inside the other for two slices to be one


@dataclass
class SliceStats:
    errors: int
    support: int
    rate: float
    baseline: float
    lift: float
    lower: float
    score: float


@dataclass
class Candidate:
    target: int
    conditions: tuple[tuple[int, int], ...]  # (feature index in FEATURES, value code), by feature index
    stats: SliceStats
    version: int = 0  # the target's removal version the stats were computed at


@dataclass
class Accepted:
    target: int
    conditions: tuple[tuple[int, int], ...]
    stats: SliceStats
    error_rows: np.ndarray  # indices into the frame's errors
    merged_targets: list[int] = field(default_factory=list)


# STATISTICS
# ------------------------------------------------------------------------------


def wilson_lower(errors, support, z: float):
    """Lower bound of the Wilson score interval of `errors / support` (vectorised)."""
    n = np.maximum(np.asarray(support, dtype=np.float64), 1.0)
    p = np.asarray(errors, dtype=np.float64) / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return np.maximum(0.0, (centre - margin) / (1 + z2 / n))


def slice_stats(errors, support, target_errors, total, params: DetectionParams):
    """Rate, surrounding rate, lift, Wilson bound, score and pass/fail for arrays of slices (vectorised)."""
    x = np.asarray(errors, dtype=np.float64)
    n = np.maximum(np.asarray(support, dtype=np.float64), x)
    rate = x / np.maximum(n, 1.0)
    # The surrounding traffic: the rest of the window. Half an error of smoothing keeps the lift finite.
    baseline = (np.asarray(target_errors, dtype=np.float64) - x + 0.5) / np.maximum(total - n + 1.0, 1.0)
    baseline = np.clip(baseline, 1e-12, 1 - 1e-9)
    lift = rate / baseline
    lower = wilson_lower(x, n, params.z)
    passed = (n >= params.min_support) & (x >= params.min_errors) & (lift >= params.min_lift) & (lower > baseline)
    safe_lower = np.clip(lower, 1e-12, 1 - 1e-9)
    # Log-likelihood ratio of the slice's (conservative) rate against the surrounding rate.
    score = x * np.log(safe_lower / baseline) + (n - x) * np.log((1 - safe_lower) / (1 - baseline))
    return rate, baseline, lift, lower, np.where(passed, score, -np.inf), passed


# SEARCH
# ------------------------------------------------------------------------------


def _columns(frame: Frame, combo: tuple[int, ...], *, cube: bool):
    """The code columns of `combo` for the cube or the errors, exploding rows by tag when the combo has one."""
    codes = frame.cube_codes if cube else frame.err_codes
    if TAG in combo:
        rows = frame.cube_tag_rows if cube else frame.err_tag_rows
        tag_codes = frame.cube_tag_codes if cube else frame.err_tag_codes
        return rows, [tag_codes if feature == TAG else codes[rows, feature] for feature in combo]
    return None, [codes[:, feature] for feature in combo]


def _blank_codes(frame: Frame) -> list[int]:
    """Per categorical feature, the code of the empty value ('not applicable', never a condition), or -1."""
    return [frame.vocab[feature].index("") if "" in frame.vocab[feature] else -1 for feature in CATEGORICAL]


def search_candidates(frame: Frame, targets: np.ndarray, n_targets: int, params: DetectionParams) -> list[Candidate]:
    """Every slice of up to `max_conditions` features that passes the three thresholds for some target."""
    total = frame.total
    target_totals = np.bincount(targets, minlength=n_targets)
    cardinality = [max(1, len(frame.vocab[feature])) for feature in FEATURES]
    blanks = _blank_codes(frame)
    found: list[Candidate] = []
    for size in range(1, params.max_conditions + 1):
        for combo in combinations(range(len(FEATURES)), size):
            err_rows, err_cols = _columns(frame, combo, cube=False)
            if err_cols[0].size == 0:
                continue
            err_targets = targets if err_rows is None else targets[err_rows]
            valid = np.ones(err_cols[0].size, dtype=bool)
            key = np.zeros(err_cols[0].size, dtype=np.int64)
            for feature, column in zip(combo, err_cols, strict=True):
                if feature != TAG and blanks[feature] >= 0:
                    valid &= column != blanks[feature]
                key = key * cardinality[feature] + column
            pair = key[valid] * n_targets + err_targets[valid]
            if pair.size == 0:
                continue
            unique, counts = np.unique(pair, return_counts=True)
            keep = counts >= params.min_errors
            if not keep.any():
                continue
            slice_keys, slice_targets, errors = unique[keep] // n_targets, unique[keep] % n_targets, counts[keep]

            cube_rows, cube_cols = _columns(frame, combo, cube=True)
            weights = frame.cube_weights if cube_rows is None else frame.cube_weights[cube_rows]
            cube_key = np.zeros(weights.size, dtype=np.int64)
            for feature, column in zip(combo, cube_cols, strict=True):
                cube_key = cube_key * cardinality[feature] + column
            cube_unique, inverse = np.unique(cube_key, return_inverse=True)
            sums = np.bincount(inverse, weights=weights)
            position = np.clip(np.searchsorted(cube_unique, slice_keys), 0, max(0, cube_unique.size - 1))
            support = np.where(
                (cube_unique.size > 0) & (cube_unique[position] == slice_keys), sums[position], errors
            ).astype(np.int64)

            rate, baseline, lift, lower, score, passed = slice_stats(
                errors, support, target_totals[slice_targets], total, params
            )
            for index in np.flatnonzero(passed):
                values, rest = [], int(slice_keys[index])
                for feature in reversed(combo):
                    values.append(rest % cardinality[feature])
                    rest //= cardinality[feature]
                conditions = tuple(zip(combo, reversed(values), strict=True))
                stats = SliceStats(
                    int(errors[index]), int(support[index]), float(rate[index]), float(baseline[index]),
                    float(lift[index]), float(lower[index]), float(score[index]),
                )  # fmt: skip
                found.append(Candidate(int(slice_targets[index]), conditions, stats))
    return _drop_dominated(found, params)


def _drop_dominated(candidates: list[Candidate], params: DetectionParams) -> list[Candidate]:
    """A longer slice survives only if it scores clearly better than every shorter slice it refines."""
    best = {(c.target, c.conditions): c.stats.score for c in candidates}
    kept = []
    for candidate in candidates:
        conditions = candidate.conditions
        parents = (
            best.get((candidate.target, sub))
            for size in range(1, len(conditions))
            for sub in combinations(conditions, size)
        )
        threshold = candidate.stats.score / (1 + params.dominance)
        if not any(parent is not None and parent >= threshold for parent in parents):
            kept.append(candidate)
    return kept


# COVER
# ------------------------------------------------------------------------------


class _Masks:
    """Slice membership over cube rows and error rows, with per-tag lookups built once."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self._cube_tags: dict[int, np.ndarray] = {}
        self._err_tags: dict[int, np.ndarray] = {}

    def _tag(self, code: int, *, cube: bool) -> np.ndarray:
        cache = self._cube_tags if cube else self._err_tags
        if code not in cache:
            size = self.frame.cube_weights.size if cube else self.frame.n_errors
            rows = self.frame.cube_tag_rows if cube else self.frame.err_tag_rows
            codes = self.frame.cube_tag_codes if cube else self.frame.err_tag_codes
            mask = np.zeros(size, dtype=bool)
            mask[rows[codes == code]] = True
            cache[code] = mask
        return cache[code]

    def cube(self, conditions) -> np.ndarray:
        mask = np.ones(self.frame.cube_weights.size, dtype=bool)
        for feature, code in conditions:
            mask &= self._tag(code, cube=True) if feature == TAG else self.frame.cube_codes[:, feature] == code
        return mask

    def errors(self, conditions, rows: np.ndarray) -> np.ndarray:
        """The subset of error `rows` inside the slice."""
        keep = np.ones(rows.size, dtype=bool)
        for feature, code in conditions:
            keep &= self._tag(code, cube=False)[rows] if feature == TAG else self.frame.err_codes[rows, feature] == code
        return rows[keep]


def _recurs(frame: Frame, rows: np.ndarray, params: DetectionParams) -> bool:
    if np.unique(frame.err_day[rows]).size < params.min_days:
        return False
    if np.unique(frame.err_item[rows]).size < params.min_items:
        return False
    human = rows[frame.err_human[rows]]
    if human.size * 2 >= rows.size:
        moderators = frame.err_moderator[human]
        if np.unique(moderators[moderators >= 0]).size < params.min_moderators:
            return False
    return True


def _without_busiest(frame: Frame, rows: np.ndarray) -> np.ndarray:
    """`rows` without their busiest 24 hours, busiest content item and, for human decisions, busiest moderator.

    The busiest 24 hours are a sliding window, not a calendar day, so a burst across midnight is still one burst.
    """
    stamps = frame.err_ts[rows]
    order = np.sort(stamps)
    ends = np.searchsorted(order, order + DAY_SECONDS, side="left")
    start = order[int(np.argmax(ends - np.arange(order.size)))]
    keep = (stamps < start) | (stamps >= start + DAY_SECONDS)
    columns = [frame.err_item[rows]]
    human = frame.err_human[rows]
    if human.sum() * 2 >= rows.size:
        columns.append(np.where(human, frame.err_moderator[rows], -2))
    for column in columns:
        values, counts = np.unique(column, return_counts=True)
        keep &= column != values[np.argmax(counts)]
    return rows[keep]


def explain_away(
    frame: Frame, targets: np.ndarray, candidates: list[Candidate], params: DetectionParams
) -> list[Accepted]:
    """Greedy cover: accept the best recurring slice, remove it from its target's other slices, rescore, repeat."""
    masks = _Masks(frame)
    total = frame.total
    order = np.argsort(targets, kind="stable")
    bounds = np.searchsorted(targets[order], np.arange(int(targets.max(initial=-1)) + 2))
    target_rows = {t: order[bounds[t] : bounds[t + 1]] for t in {c.target for c in candidates}}
    removed_cube: dict[int, np.ndarray] = {}
    removed_errors = np.zeros(frame.n_errors, dtype=bool)
    removed_traffic: dict[int, int] = {}
    removed_count: dict[int, int] = {}
    version: dict[int, int] = {}

    heap = [(-c.stats.score, i) for i, c in enumerate(candidates)]
    heapq.heapify(heap)
    accepted: list[Accepted] = []
    while heap:
        _, index = heapq.heappop(heap)
        candidate = candidates[index]
        target = candidate.target
        rows = masks.errors(candidate.conditions, target_rows[target])
        rows = rows[~removed_errors[rows]]
        if candidate.version != version.get(target, 0):
            cube_mask = masks.cube(candidate.conditions)
            if target in removed_cube:
                cube_mask &= ~removed_cube[target]
            support = int(frame.cube_weights[cube_mask].sum())
            remaining_total = total - removed_traffic.get(target, 0)
            remaining_errors = target_rows[target].size - removed_count.get(target, 0)
            *_, passed = _stats_one(rows.size, support, remaining_errors, remaining_total, params)
            if not passed:
                continue
            candidate.stats = _stats_object(rows.size, support, remaining_errors, remaining_total, params)
            candidate.version = version.get(target, 0)
            if heap and -heap[0][0] > candidate.stats.score:
                heapq.heappush(heap, (-candidate.stats.score, index))
                continue
        if not _recurs(frame, rows, params):
            continue
        robust = _without_busiest(frame, rows)
        remaining_total = total - removed_traffic.get(target, 0)
        remaining_errors = target_rows[target].size - removed_count.get(target, 0)
        *_, robust_passed = _stats_one(robust.size, candidate.stats.support, remaining_errors, remaining_total, params)
        if not robust_passed:
            continue
        cube_mask = masks.cube(candidate.conditions)
        previous = removed_cube.get(target)
        fresh = cube_mask if previous is None else cube_mask & ~previous
        removed_traffic[target] = removed_traffic.get(target, 0) + int(frame.cube_weights[fresh].sum())
        removed_cube[target] = cube_mask if previous is None else previous | cube_mask
        removed_errors[rows] = True
        removed_count[target] = removed_count.get(target, 0) + rows.size
        version[target] = version.get(target, 0) + 1
        accepted.append(Accepted(target, candidate.conditions, candidate.stats, rows))
    return accepted


def _stats_one(errors: int, support: int, target_errors: int, total: int, params: DetectionParams):
    values = slice_stats(np.array([errors]), np.array([support]), np.array([target_errors]), total, params)
    return tuple(value[0] for value in values)


def _stats_object(errors: int, support: int, target_errors: int, total: int, params: DetectionParams) -> SliceStats:
    rate, baseline, lift, lower, score, _ = _stats_one(errors, support, target_errors, total, params)
    support = max(support, errors)
    return SliceStats(errors, support, float(rate), float(baseline), float(lift), float(lower), float(score))


# MERGE
# ------------------------------------------------------------------------------


def merge_split_topics(
    frame: Frame, accepted: list[Accepted], target_kind, similarity, params: DetectionParams
) -> list[Accepted]:
    """Collapse hits of one error kind whose slices overlap and whose topics share their top terms.

    Slices overlap when most of the smaller one's traffic lies in the other (parent / child, or the same traffic
    named two ways, such as a market and its queue). `target_kind(target)` gives a target's error kind,
    `similarity(a, b)` the term similarity of two targets' topics. The merged hit keeps the wider slice and the union
    of the errors.
    """
    masks = _Masks(frame)

    def _nested(left, right) -> bool:
        a, b = masks.cube(left), masks.cube(right)
        smaller = min(frame.cube_weights[a].sum(), frame.cube_weights[b].sum())
        return smaller > 0 and frame.cube_weights[a & b].sum() >= SLICE_OVERLAP * smaller

    def _likeness(host: Accepted, hit: Accepted) -> float:
        if target_kind(host.target) != target_kind(hit.target) or host.target == hit.target:
            return -1.0
        if not _nested(host.conditions, hit.conditions):
            return -1.0
        return max(similarity(t, hit.target) for t in [host.target, *host.merged_targets])

    ordered = sorted(accepted, key=lambda hit: -hit.stats.score)
    kept: list[Accepted] = []
    for hit in ordered:
        # The most alike host, not the first one above the threshold: a split topic joins its own problem.
        scored = [(_likeness(other, hit), index) for index, other in enumerate(kept)]
        best, index = max(scored, default=(-1.0, -1), key=lambda pair: (pair[0], -pair[1]))
        host = kept[index] if best >= params.hit_merge_similarity else None
        if host is None:
            kept.append(hit)
            continue
        if hit.stats.support > host.stats.support:
            host.conditions = hit.conditions
            host.stats = SliceStats(
                host.stats.errors, hit.stats.support, host.stats.rate, host.stats.baseline,
                host.stats.lift, host.stats.lower, host.stats.score,
            )  # fmt: skip
        host.error_rows = np.union1d(host.error_rows, hit.error_rows)
        host.merged_targets.append(hit.target)
        errors = host.error_rows.size
        support = max(host.stats.support, errors)
        rate = errors / support
        host.stats = SliceStats(
            errors, support, rate, host.stats.baseline, rate / host.stats.baseline, host.stats.lower, host.stats.score
        )
    return kept
