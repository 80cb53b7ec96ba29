"""Note topics: hashed TF-IDF over normalised notes and transcripts, k-means per error kind (over-splitting on purpose)
fitted on the distinct texts of a sample and assigned to every text, clusters merged most-alike pair first while
their words overlap, and each topic described by its characteristic terms (a small term -> weight vector; words
lightly stemmed, shown in their most frequent form).

The term vector is what gives a topic its identity across runs: a run's clusters are matched to known topics by the
cosine of these vectors (`term_similarity`), never by the cluster's number.
"""

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from rca.fingerprints import normalise_text

NO_TEXT = -1
PLACEHOLDER_WORDS = frozenset({"url", "email", "ts", "id", "num"})
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | PLACEHOLDER_WORDS
TOP_TERMS = 8
VECTOR_TERMS = 20
_TERM_SAMPLE = 400
LSA_DIMENSIONS = 64


@dataclass
class Topics:
    labels: np.ndarray  # cluster per text, NO_TEXT for texts without words
    terms: list[dict[str, float]]  # per cluster: characteristic term -> weight (unit norm)
    top_terms: list[list[str]]


def _vectoriser() -> HashingVectorizer:
    return HashingVectorizer(
        n_features=2**18,
        alternate_sign=False,
        norm=None,
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
        stop_words=sorted(STOP_WORDS),
        dtype=np.float32,
    )


def _word_analyser():
    """Single words (no bigrams) describe a topic: wordings of one problem share words more than word pairs."""
    return HashingVectorizer(token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b", stop_words=sorted(STOP_WORDS)).build_analyzer()


def stem(word: str) -> str:
    """A light suffix strip, so that "roosters" / "rooster" and "fighting" / "fight" count as one word."""
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def term_similarity(left: dict[str, float], right: dict[str, float]) -> float:
    """Cosine of two term -> weight vectors (0 when either is empty)."""
    if not left or not right:
        return 0.0
    dot = sum(weight * right.get(term, 0.0) for term, weight in left.items())
    norm = math.sqrt(sum(w * w for w in left.values())) * math.sqrt(sum(w * w for w in right.values()))
    return dot / norm if norm else 0.0


def cluster_texts(*args, **kwargs) -> Topics:
    # One BLAS/OpenMP thread: the matrices are small, thread start-up costs more than it saves, and a run scales by
    # running partitions on more Celery workers instead.
    with threadpool_limits(limits=1):
        return _cluster_texts(*args, **kwargs)


def _cluster_texts(
    texts: list[str],
    *,
    groups: np.ndarray | None = None,
    n_clusters: int,
    sample_size: int,
    min_cluster_texts: int,
    merge_similarity: float,
    seed: int,
) -> Topics:
    """Cluster `texts` within each group (the error kind); deterministic for a given seed.

    One vectoriser serves every group: hashed TF-IDF, reduced to a few dozen LSA dimensions fitted on a sample. Each
    group gets its own k-means (`k` = its texts / `min_cluster_texts`, at most `n_clusters`) fitted on a sample
    and assigned to all its texts; k-means over-splits on purpose, and clusters of one group whose characteristic
    terms overlap (cosine >= `merge_similarity`) are then merged, so one problem worded three ways is one topic while
    two problems with their own words stay two. Cluster numbers are global; texts with no word get `NO_TEXT`.
    """
    labels = np.full(len(texts), NO_TEXT, dtype=np.int64)
    if not texts:
        return Topics(labels=labels, terms=[], top_terms=[])
    groups = np.zeros(len(texts), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    normalised = _normalise_all(texts)
    # Notes are often templated: once numbers and ids are placeholders many texts are identical. Vectorise each
    # distinct text once; `inverse` maps every text to its distinct one (fits still see every text, duplicates too).
    distinct: dict[str, int] = {}
    inverse = np.fromiter((distinct.setdefault(text, len(distinct)) for text in normalised), np.int64, len(normalised))
    counts = _vectoriser().transform(list(distinct))
    rows = np.flatnonzero(np.asarray(counts.getnnz(axis=1) > 0)[inverse])
    if rows.size == 0:
        return Topics(labels=labels, terms=[], top_terms=[])
    counts = counts[:, np.unique(counts.indices)]  # the hashed space is wide and almost empty: keep used columns
    rng = np.random.default_rng(seed)
    sample = rows if rows.size <= sample_size else np.sort(rng.choice(rows, size=sample_size, replace=False))
    weighted = TfidfTransformer(sublinear_tf=True).fit(counts[inverse[sample]]).transform(counts)
    dims = min(LSA_DIMENSIONS, weighted.shape[1] - 1, sample.size - 1)
    if dims >= 2:
        with np.errstate(invalid="ignore", divide="ignore"):  # identical texts have no variance to explain
            svd = TruncatedSVD(n_components=dims, random_state=seed).fit(weighted[inverse[sample]])
        points = normalize(svd.transform(weighted))
    else:
        points = normalize(weighted).toarray()
    # k-means runs on the distinct texts, each weighted by how often it occurs: the same objective as on every text.
    next_label = 0
    for group in np.unique(groups[rows]):
        members = rows[groups[rows] == group]
        fit_rows = members if members.size <= sample_size else rng.choice(members, sample_size, replace=False)
        fit_points, weights = np.unique(inverse[fit_rows], return_counts=True)
        k = max(1, min(n_clusters, members.size // max(1, min_cluster_texts), fit_points.size))
        if k == 1:
            labels[members] = next_label
        else:
            model = KMeans(n_clusters=k, random_state=seed, n_init=3)
            model.fit(points[fit_points], sample_weight=weights)
            used = np.unique(inverse[members])
            assigned = np.zeros(len(distinct), dtype=np.int64)
            assigned[used] = model.predict(points[used])
            labels[members] = next_label + assigned[inverse[members]]
        next_label += k
    labels = _compact(labels)
    labels = _merge_similar(labels, _word_statistics(normalised, labels, seed=seed), groups, merge_similarity)
    terms = describe_clusters(normalised, labels, seed=seed)
    return Topics(labels=labels, terms=terms, top_terms=[list(vector)[:TOP_TERMS] for vector in terms])


def _normalise_all(texts: list[str]) -> list[str]:
    """`normalise_text` line by line, each distinct line once (a text repeats its notes, transcripts repeat)."""
    cache: dict[str, str] = {}

    def line(value: str) -> str:
        out = cache.get(value)
        if out is None:
            out = cache[value] = normalise_text(value)
        return out

    return [" ".join(filter(None, (line(value) for value in text.split("\n")))) for text in texts]


def _merge_similar(labels: np.ndarray, words: "_WordStatistics", groups: np.ndarray, threshold: float) -> np.ndarray:
    """Merge clusters of the same group, most similar pair first, while the best pair's term vectors are alike.

    Agglomerative with recomputed vectors: a merged cluster's words are the sum of its parts', so once two wordings
    of one problem are one cluster, their shared core words weigh more and the third wording joins them rather than
    another problem's wording that shares a few incidental words (like "chat" or "missed") with it. Order-independent:
    the strongest link always goes first, never the largest cluster that happens to clear the threshold.
    """
    n_clusters = len(words.counts)
    group_of = np.full(n_clusters, -1, dtype=np.int64)
    present = labels != NO_TEXT
    group_of[labels[present]] = groups[present]
    target = list(range(n_clusters))
    for group in np.unique(group_of[group_of >= 0]):
        for gone, keep in _agglomerate(np.flatnonzero(group_of == group).tolist(), words, threshold):
            target = [keep if head == gone else head for head in target]
    out = labels.copy()
    out[present] = np.asarray(target)[out[present]]
    return _compact(out)


def _agglomerate(clusters: list[int], words: "_WordStatistics", threshold: float) -> list[tuple[int, int]]:
    """The merges `(gone, kept)` of one group's clusters, most similar pair first, down to `threshold`."""
    counts = {cluster: Counter(words.counts[cluster]) for cluster in clusters}
    sizes = {cluster: words.sizes[cluster] for cluster in clusters}
    vectors = {cluster: words.vector(counts[cluster], sizes[cluster]) for cluster in clusters}
    pairs = {(a, b): term_similarity(vectors[a], vectors[b]) for i, a in enumerate(clusters) for b in clusters[i + 1 :]}
    merges = []
    while pairs:
        (keep, gone), best = max(pairs.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))
        if best < threshold:
            break
        merges.append((gone, keep))
        counts[keep].update(counts.pop(gone))
        sizes[keep] += sizes.pop(gone)
        vectors[keep] = words.vector(counts[keep], sizes[keep])
        del vectors[gone]
        pairs = {pair: score for pair, score in pairs.items() if gone not in pair and keep not in pair}
        for other in vectors:
            if other != keep:
                pairs[(min(keep, other), max(keep, other))] = term_similarity(vectors[keep], vectors[other])
    return merges


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..n-1 (k-means may leave a cluster empty), keeping NO_TEXT."""
    used = np.unique(labels[labels != NO_TEXT])
    out = labels.copy()
    out[labels != NO_TEXT] = np.searchsorted(used, labels[labels != NO_TEXT])
    return out


@dataclass
class _WordStatistics:
    """Per cluster, in how many of its texts each word occurs (scaled from a sample to the cluster's size), and each
    word's IDF over a sample of all texts: enough to describe any union of clusters without reading texts again."""

    counts: list[dict[str, float]]
    sizes: list[int]
    idf: dict[str, float]
    default_idf: float
    shown: dict[str, str]

    def vector(self, counts: dict[str, float], size: int) -> dict[str, float]:
        """The characteristic words of texts with these word counts: share of texts with the word x its IDF."""
        size = max(1, size)
        scored = {
            term: (count / size) * self.idf.get(term, self.default_idf)
            for term, count in counts.items()
            if count / size >= 0.1
        }
        top = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:VECTOR_TERMS]
        norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
        return {self.shown.get(term, term): round(weight / norm, 6) for term, weight in top}


def _word_statistics(normalised: list[str], labels: np.ndarray, *, seed: int) -> _WordStatistics:
    analyse = _word_analyser()
    known: dict[str, tuple[frozenset[str], tuple[tuple[str, str], ...]]] = {}
    forms: Counter = Counter()  # (stem, word) -> texts of the IDF sample
    first_form: dict[str, str] = {}

    def stems(text: str, *, count_forms: bool = False) -> frozenset[str]:
        entry = known.get(text)
        if entry is None:
            pairs = tuple((stem(word), word) for word in set(analyse(text)))
            entry = known[text] = (frozenset(root for root, _ in pairs), pairs)
            for root, word in pairs:
                first_form.setdefault(root, word)
        if count_forms:
            forms.update(entry[1])
        return entry[0]

    rng = np.random.default_rng(seed)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    texts = np.flatnonzero(labels != NO_TEXT)
    if texts.size > 4 * _TERM_SAMPLE:
        texts = rng.choice(texts, size=4 * _TERM_SAMPLE, replace=False)
    document_frequency: Counter = Counter()
    for index in texts:
        document_frequency.update(stems(normalised[index], count_forms=True))
    idf = {term: math.log((1 + texts.size) / (1 + count)) for term, count in document_frequency.items()}
    counts, sizes = [], []
    for cluster in range(n_clusters):
        members = np.flatnonzero(labels == cluster)
        size = int(members.size)
        if members.size > _TERM_SAMPLE:
            members = rng.choice(members, size=_TERM_SAMPLE, replace=False)
        counter: Counter = Counter()
        for index in members:
            counter.update(stems(normalised[index]))
        scale = size / max(1, members.size)
        counts.append({term: count * scale for term, count in counter.items()})
        sizes.append(size)
    # A stem is shown (and stored) as its most frequent surface form: "roosters", not "rooster" or "roost".
    best: dict[str, tuple[int, str]] = {}
    for (root, word), count in forms.items():
        if root not in best or (-count, word) < (-best[root][0], best[root][1]):
            best[root] = (count, word)
    shown = {**first_form, **{root: word for root, (_, word) in best.items()}}
    return _WordStatistics(counts, sizes, idf, math.log(1 + texts.size), shown)


def describe_clusters(normalised: list[str], labels: np.ndarray, *, seed: int) -> list[dict[str, float]]:
    """Per cluster, its characteristic words: share of its texts containing the word x the word's global IDF."""
    words = _word_statistics(normalised, labels, seed=seed)
    return [words.vector(counts, size) for counts, size in zip(words.counts, words.sizes, strict=True)]
