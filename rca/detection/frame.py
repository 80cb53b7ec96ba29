"""Encode the window's plain rows into integer arrays the slice search works on.

Two inputs, both plain tuples:

- the *traffic cube*: one row per distinct combination of the categorical features in the window, with how many audits
  (correct ones included) it holds: `(market, language, decision_source, model_version, queue, content_type, tags,
  count)`. It is the denominator of every error rate, and it is small (thousands of rows for millions of audits),
  because the database groups it.
- the *errors* of one partition: `ErrorRow`s, the misclassified samples with the columns the analysis needs.

`tags` are a list of strings or the stored `";a;b;"` form.
"""

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

CATEGORICAL: tuple[str, ...] = ("market", "language", "decision_source", "model_version", "queue", "content_type")
FEATURES: tuple[str, ...] = (*CATEGORICAL, "tag")
HUMAN = "human"


class CubeRow(NamedTuple):
    market: str
    language: str
    decision_source: str
    model_version: str
    queue: str
    content_type: str
    tags: object
    count: int


class ErrorRow(NamedTuple):
    sample_id: int
    audited_at: datetime
    content_id: str
    moderator_id: str
    market: str
    language: str
    decision_source: str
    model_version: str
    queue: str
    content_type: str
    tags: object
    decision_label: str
    audit_label: str
    notes: str
    transcript: str


def split_tags(tags: object) -> list[str]:
    if not tags:
        return []
    if isinstance(tags, str):
        return [tag for tag in tags.split(";") if tag]
    return [str(tag) for tag in tags if tag]


class _Vocabulary:
    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[str] = []

    @classmethod
    def of(cls, values: list[str]) -> "_Vocabulary":
        vocabulary = cls()
        vocabulary.values = list(values)
        vocabulary.codes = {value: code for code, value in enumerate(values)}
        return vocabulary

    def code(self, value: str) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.values)
            self.values.append(value)
        return code


@dataclass
class Frame:
    """The encoded window of one partition. Codes index `vocab[feature]`; tags are (row, tag code) pairs."""

    vocab: dict[str, list[str]]
    cube_codes: np.ndarray  # (cube rows, len(CATEGORICAL)) int64
    cube_weights: np.ndarray  # audits per cube row
    cube_tag_rows: np.ndarray
    cube_tag_codes: np.ndarray
    err_codes: np.ndarray  # (errors, len(CATEGORICAL)) int64
    err_tag_rows: np.ndarray
    err_tag_codes: np.ndarray
    kinds: list[tuple[str, str]]  # (decision_label, audit_label) per kind code
    err_kind: np.ndarray
    err_ids: np.ndarray
    err_ts: np.ndarray  # epoch seconds
    err_day: np.ndarray  # proleptic ordinal of the UTC day
    err_item: np.ndarray
    err_moderator: np.ndarray  # -1 when no moderator
    err_human: np.ndarray
    texts: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return int(self.cube_weights.sum())

    @property
    def n_errors(self) -> int:
        return len(self.err_ids)


def _epoch(value: datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


@dataclass
class EncodedCube:
    """The traffic cube as integer codes, encoded once per run and shared by its partitions (see `cube_store`)."""

    vocab: dict[str, list[str]]  # per feature (tag included), the value of each code
    codes: np.ndarray  # (rows, len(CATEGORICAL)) int64
    weights: np.ndarray  # audits per row
    tag_rows: np.ndarray
    tag_codes: np.ndarray

    @property
    def total(self) -> int:
        return int(self.weights.sum())

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        arrays = {name: getattr(self, name) for name in ("codes", "weights", "tag_rows", "tag_codes")}
        np.savez_compressed(buffer, vocab=np.array(json.dumps(self.vocab)), **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> "EncodedCube":
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            return cls(
                vocab=json.loads(str(data["vocab"])), codes=data["codes"], weights=data["weights"],
                tag_rows=data["tag_rows"], tag_codes=data["tag_codes"],
            )  # fmt: skip


def encode_cube(cube: Iterable[Sequence]) -> EncodedCube:
    """Encode cube rows (`CubeRow`s or plain tuples); vectorised per column, no per-cell method call."""
    rows = list(cube)
    vocab: dict[str, list[str]] = {}
    columns = []
    for index, feature in enumerate(CATEGORICAL):
        lookup: dict[str, int] = {}
        columns.append([lookup.setdefault(row[index] or "", len(lookup)) for row in rows])
        vocab[feature] = list(lookup)
    tags: dict[str, int] = {}
    tag_rows, tag_codes = [], []
    for index, row in enumerate(rows):
        for tag in split_tags(row[6]):
            tag_rows.append(index)
            tag_codes.append(tags.setdefault(tag, len(tags)))
    vocab["tag"] = list(tags)
    return EncodedCube(
        vocab=vocab,
        codes=np.asarray(columns, dtype=np.int64).T.reshape(-1, len(CATEGORICAL)).copy(),
        weights=np.fromiter((int(row[7]) for row in rows), dtype=np.int64, count=len(rows)),
        tag_rows=np.asarray(tag_rows, dtype=np.int64),
        tag_codes=np.asarray(tag_codes, dtype=np.int64),
    )


def build_frame(cube: "EncodedCube | Iterable[Sequence]", errors: Iterable[Sequence]) -> Frame:
    """Encode the partition's errors with the cube's vocabulary (extended by values the cube lacks)."""
    if not isinstance(cube, EncodedCube):
        cube = encode_cube(cube)
    vocab = {feature: _Vocabulary.of(cube.vocab[feature]) for feature in FEATURES}
    cats = [vocab[feature] for feature in CATEGORICAL]
    tag_vocab = vocab["tag"]

    kinds_vocab: dict[tuple[str, str], int] = {}
    items, moderators = _Vocabulary(), _Vocabulary()
    err_codes, err_tag_rows, err_tag_codes, err_kind, ids, ts, days, item, moderator, human, texts = (
        [] for _ in range(11)
    )
    for index, row in enumerate(errors):
        row = ErrorRow(*row)
        err_codes.append([cats[i].code(row[4 + i] or "") for i in range(len(CATEGORICAL))])
        for tag in split_tags(row.tags):
            err_tag_rows.append(index)
            err_tag_codes.append(tag_vocab.code(tag))
        err_kind.append(kinds_vocab.setdefault((row.decision_label, row.audit_label), len(kinds_vocab)))
        ids.append(row.sample_id)
        stamp = _epoch(row.audited_at)
        ts.append(stamp)
        days.append(datetime.fromtimestamp(stamp, UTC).toordinal())
        item.append(items.code(row.content_id))
        moderator.append(moderators.code(row.moderator_id) if row.moderator_id else -1)
        human.append(row.decision_source == HUMAN)
        texts.append(f"{row.notes or ''}\n{row.notes or ''}\n{row.transcript or ''}".strip())

    width = len(CATEGORICAL)
    return Frame(
        vocab={feature: vocab[feature].values for feature in FEATURES},
        cube_codes=cube.codes,
        cube_weights=cube.weights,
        cube_tag_rows=cube.tag_rows,
        cube_tag_codes=cube.tag_codes,
        err_codes=np.asarray(err_codes, dtype=np.int64).reshape(-1, width),
        err_tag_rows=np.asarray(err_tag_rows, dtype=np.int64),
        err_tag_codes=np.asarray(err_tag_codes, dtype=np.int64),
        kinds=list(kinds_vocab),
        err_kind=np.asarray(err_kind, dtype=np.int64),
        err_ids=np.asarray(ids, dtype=np.int64),
        err_ts=np.asarray(ts, dtype=np.float64),
        err_day=np.asarray(days, dtype=np.int64),
        err_item=np.asarray(item, dtype=np.int64),
        err_moderator=np.asarray(moderator, dtype=np.int64),
        err_human=np.asarray(human, dtype=bool),
        texts=texts,
    )
