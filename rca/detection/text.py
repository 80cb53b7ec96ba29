"""Note topics: hashed TF-IDF over normalised notes and transcripts, MiniBatchKMeans fitted on a sample and assigned
to every text, and each cluster described by its characteristic terms (a small term -> weight vector).

The term vector is what gives a topic its identity across runs: a run's clusters are matched to known topics by the
cosine of these vectors (`term_similarity`), never by the cluster's number.
"""

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import MiniBatchKMeans
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
    group gets its own MiniBatchKMeans (`k` = its texts / `min_cluster_texts`, at most `n_clusters`) fitted on a sample
    and assigned to all its texts; k-means over-splits on purpose, and clusters of one group whose characteristic
    terms overlap (cosine >= `merge_similarity`) are then merged, so one problem worded three ways is one topic while
    two problems with their own words stay two. Cluster numbers are global; texts with no word get `NO_TEXT`.
    """
    labels = np.full(len(texts), NO_TEXT, dtype=np.int64)
    if not texts:
        return Topics(labels=labels, terms=[], top_terms=[])
    groups = np.zeros(len(texts), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    normalised = [normalise_text(text) for text in texts]
    counts = _vectoriser().transform(normalised)
    rows = np.flatnonzero(np.asarray(counts.getnnz(axis=1) > 0))
    if rows.size == 0:
        return Topics(labels=labels, terms=[], top_terms=[])
    counts = counts[:, np.unique(counts.indices)]  # the hashed space is wide and almost empty: keep used columns
    rng = np.random.default_rng(seed)
    sample = rows if rows.size <= sample_size else np.sort(rng.choice(rows, size=sample_size, replace=False))
    weighted = TfidfTransformer(sublinear_tf=True).fit(counts[sample]).transform(counts)
    dims = min(LSA_DIMENSIONS, weighted.shape[1] - 1, sample.size - 1)
    if dims >= 2:
        with np.errstate(invalid="ignore", divide="ignore"):  # identical texts have no variance to explain
            svd = TruncatedSVD(n_components=dims, random_state=seed).fit(weighted[sample])
        points = normalize(svd.transform(weighted))
    else:
        points = normalize(weighted).toarray()
    next_label = 0
    for group in np.unique(groups[rows]):
        members = rows[groups[rows] == group]
        k = max(1, min(n_clusters, members.size // max(1, min_cluster_texts)))
        if k == 1:
            labels[members] = next_label
        else:
            fit_rows = members if members.size <= sample_size else rng.choice(members, sample_size, replace=False)
            model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=2048)
            model.fit(points[fit_rows])
            labels[members] = next_label + model.predict(points[members])
        next_label += k
    labels = _compact(labels)
    terms = describe_clusters(normalised, labels, seed=seed)
    labels = _merge_similar(labels, terms, groups, merge_similarity)
    terms = describe_clusters(normalised, labels, seed=seed)
    return Topics(labels=labels, terms=terms, top_terms=[list(vector)[:TOP_TERMS] for vector in terms])


def _merge_similar(labels: np.ndarray, terms: list[dict[str, float]], groups: np.ndarray, threshold: float):
    """Merge clusters of the same group whose term vectors are alike (greedy, largest first)."""
    sizes = np.bincount(labels[labels != NO_TEXT], minlength=len(terms))
    group_of = {}
    for cluster in range(len(terms)):
        members = np.flatnonzero(labels == cluster)
        group_of[cluster] = int(groups[members[0]]) if members.size else -1
    target = list(range(len(terms)))
    heads: list[tuple[int, dict[str, float]]] = []
    for cluster in sorted(range(len(terms)), key=lambda c: (-sizes[c], c)):
        head = next(
            (
                h
                for h, vector in heads
                if group_of[h] == group_of[cluster] and term_similarity(vector, terms[cluster]) >= threshold
            ),
            None,
        )
        if head is None:
            heads.append((cluster, dict(terms[cluster])))
        else:
            target[cluster] = head
    out = labels.copy()
    mapped = out != NO_TEXT
    out[mapped] = np.asarray(target)[out[mapped]]
    return _compact(out)


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..n-1 (k-means may leave a cluster empty), keeping NO_TEXT."""
    used = np.unique(labels[labels != NO_TEXT])
    out = labels.copy()
    out[labels != NO_TEXT] = np.searchsorted(used, labels[labels != NO_TEXT])
    return out


def describe_clusters(normalised: list[str], labels: np.ndarray, *, seed: int) -> list[dict[str, float]]:
    """Per cluster, its characteristic words: share of its texts containing the word x the word's global IDF."""
    analyse = _word_analyser()
    rng = np.random.default_rng(seed)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    texts = np.flatnonzero(labels != NO_TEXT)
    if texts.size > 4 * _TERM_SAMPLE:
        texts = rng.choice(texts, size=4 * _TERM_SAMPLE, replace=False)
    document_frequency: Counter = Counter()
    for index in texts:
        document_frequency.update(set(analyse(normalised[index])))
    vectors = []
    for cluster in range(n_clusters):
        members = np.flatnonzero(labels == cluster)
        if members.size > _TERM_SAMPLE:
            members = rng.choice(members, size=_TERM_SAMPLE, replace=False)
        counter: Counter = Counter()
        for index in members:
            counter.update(set(analyse(normalised[index])))
        size = max(1, members.size)
        scored = {
            term: (count / size) * math.log((1 + texts.size) / (1 + document_frequency.get(term, 0)))
            for term, count in counter.items()
            if count / size >= 0.1
        }
        top = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:VECTOR_TERMS]
        norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
        vectors.append({term: round(weight / norm, 6) for term, weight in top})
    return vectors
