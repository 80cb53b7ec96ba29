"""The auditor pass's input rows (`rca.detection.auditors`), as the reader returns them, and its overturns as arrays.

- `AuditorCubeRow`: the window's audits of one auditor in one stratum (decision label x market x decision source),
  with their overturns by outcome;
- `AuditorErrorRow`: one overturn of a candidate auditor.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

from rca.detection.partitions import NO_VIOLATION

# Directions of an overturn: a removal overturned (audited "no violation"), a decision of "no violation" overturned,
# or any.
FALSE_POSITIVE, FALSE_NEGATIVE, ANY = "false_positive", "false_negative", "any"


class AuditorCubeRow(NamedTuple):
    auditor_id: str
    decision_label: str
    market: str
    decision_source: str
    count: int  # audits
    false_positive: int  # overturns by outcome
    false_negative: int
    wrong_policy: int


class AuditorErrorRow(NamedTuple):
    sample_id: int
    audited_at: datetime
    content_id: str
    auditor_id: str
    decision_label: str
    audit_label: str
    market: str
    decision_source: str


class ErrorArrays:
    """The overturns as arrays, coded with the auditor cube's auditors, markets and strata (-1: not in the cube)."""

    def __init__(
        self,
        errors: Iterable[Sequence],
        *,
        auditors: list[str],
        markets: list[str],
        strata: dict[tuple[str, str, str], int],
    ) -> None:
        auditor_codes = {name: code for code, name in enumerate(auditors)}
        market_codes = {name: code for code, name in enumerate(markets)}
        items: dict[str, int] = {}
        columns: list[list] = [[] for _ in range(9)]
        for row in errors:
            row = AuditorErrorRow(*row)
            stamp = (row.audited_at if row.audited_at.tzinfo else row.audited_at.replace(tzinfo=UTC)).timestamp()
            columns[0].append(row.sample_id)
            columns[1].append(stamp)
            columns[2].append(datetime.fromtimestamp(stamp, UTC).toordinal())
            columns[3].append(items.setdefault(row.content_id, len(items)))
            columns[4].append(auditor_codes.get(row.auditor_id or "", -1))
            columns[5].append(market_codes.get(row.market, -1))
            columns[6].append(strata.get((row.decision_label, row.market, row.decision_source), -1))
            columns[7].append(row.decision_label == NO_VIOLATION)
            columns[8].append(row.audit_label == NO_VIOLATION)
        self.ids = np.asarray(columns[0], dtype=np.int64)
        self.ts = np.asarray(columns[1], dtype=np.float64)
        self.day, self.item, self.auditor, self.market, self.stratum = (
            np.asarray(column, dtype=np.int64) for column in columns[2:7]
        )
        approved, overturned_to_none = np.asarray(columns[7], dtype=bool), np.asarray(columns[8], dtype=bool)
        self.direction = {
            FALSE_POSITIVE: overturned_to_none & ~approved,
            FALSE_NEGATIVE: approved & ~overturned_to_none,
            ANY: np.ones(self.ids.size, dtype=bool),
        }
