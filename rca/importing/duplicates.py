"""Which external_ids an import has already written, so that a later duplicate in the same input is reported.

The last record of an external_id wins (batches are written in input order, and a later batch updates what an earlier
one wrote); the earlier record is reported as superseded. Remembering every id of a multi-million-row file as Python
strings would cost ~100 bytes an id, so this keeps a 128-bit BLAKE2b digest and the record's position in sorted numpy
runs: 24 bytes an id, merged like a binary counter (O(log n) runs, each look-up a binary search). Two different ids
share a digest with a probability of about n^2 / 2^129: never, in practice.
"""

from collections.abc import Sequence
from hashlib import blake2b

import numpy as np

_DIGEST = np.dtype("S16")


def _digests(external_ids: Sequence[str]) -> np.ndarray:
    return np.array(
        [
            blake2b(external_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for external_id in external_ids
        ],
        dtype=_DIGEST,
    )


class SeenExternalIds:
    """external_id -> position (index or line) of the latest record with it, over the batches written so far."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def add(self, external_ids: Sequence[str], positions: Sequence[int]) -> list[tuple[int, int]]:
        """Remember one batch (its ids are distinct) and return `(i, earlier_position)` for each id seen before."""
        if not external_ids:
            return []
        keys = _digests(external_ids)
        batch_order = np.argsort(keys, kind="stable")
        keys = keys[batch_order]
        latest = np.asarray(positions, dtype=np.int64)[batch_order]
        earlier = np.full(len(keys), -1, dtype=np.int64)
        for run_keys, run_positions in reversed(self._runs):  # newest run first: it holds the latest position
            slots = np.minimum(np.searchsorted(run_keys, keys), len(run_keys) - 1)
            found = (run_keys[slots] == keys) & (earlier < 0)
            earlier[found] = run_positions[slots[found]]
        self._runs.append((keys, latest))
        self._compact()
        return [(int(batch_order[i]), int(earlier[i])) for i in np.flatnonzero(earlier >= 0)]

    def _compact(self) -> None:
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (old_keys, old_positions), (new_keys, new_positions) = self._runs[-2], self._runs[-1]
            keys = np.concatenate([old_keys, new_keys])
            positions = np.concatenate([old_positions, new_positions])
            order = np.argsort(keys, kind="stable")  # equal keys keep old-then-new order
            keys, positions = keys[order], positions[order]
            keep = np.ones(len(keys), dtype=bool)
            keep[:-1] = keys[:-1] != keys[1:]  # of equal keys keep the last one, the newer position
            self._runs[-2:] = [(keys[keep], positions[keep])]
