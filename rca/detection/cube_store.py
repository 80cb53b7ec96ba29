"""Where a run keeps its traffic cube between the start step and its partitions, so the window is grouped once per run;
and the result of its auditor pass, which the partitions need (the errors it claims) and the write step writes.

The cube (one row per combination of the categorical columns, with its count) is the denominator of every partition,
and grouping a million audits is the most expensive read of a run. The start step reads and encodes it once
(`frame.encode_cube`: integer codes and a vocabulary, a few hundred KB as compressed numpy arrays) and saves it here;
each partition loads it. With Redis (`REDIS_URL`, the Celery setup: workers on any machine share it) it is stored
compressed under a per-run key with a TTL; without Redis (the eager newcomer setup: one process) it is kept in this
process. `cube_load` returns None when the cube is gone (expired, or another process without Redis): the caller then
reads it from the database again, which is slower but gives the same rows. The auditor pass's result is kept the same
way, as JSON (`auditor_result_save` / `auditor_result_load`); when it is gone, the caller runs the pass again.
"""

import json
from collections import OrderedDict

from django.conf import settings

from rca.detection.frame import EncodedCube
from rca.detection.results import PartitionResult

TTL_SECONDS = 2 * 60 * 60
_LOCAL_RUNS = 4
_local: OrderedDict[str, bytes] = OrderedDict()


def _key(run_id: int, kind: str = "cube") -> str:
    return f"rca:detection:{kind}:{run_id}"


def _client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _save(key: str, payload: bytes) -> int:
    if settings.REDIS_URL:
        _client().set(key, payload, ex=TTL_SECONDS)
    else:
        _local[key] = payload
        while len(_local) > 2 * _LOCAL_RUNS:
            _local.popitem(last=False)
    return len(payload)


def _load(key: str) -> bytes | None:
    return _client().get(key) if settings.REDIS_URL else _local.get(key)


def cube_save(*, run_id: int, cube: EncodedCube) -> int:
    """Store the encoded cube of run `run_id`; returns the stored size in bytes."""
    return _save(_key(run_id), cube.to_bytes())


def cube_load(*, run_id: int) -> EncodedCube | None:
    """The cube saved for run `run_id`, or None when it is not there (any more)."""
    payload = _load(_key(run_id))
    return None if payload is None else EncodedCube.from_bytes(payload)


def auditor_result_save(*, run_id: int, result: PartitionResult) -> int:
    """Store the result of run `run_id`'s auditor pass; returns the stored size in bytes."""
    return _save(_key(run_id, "auditors"), json.dumps(result.to_dict()).encode())


def auditor_result_load(*, run_id: int) -> PartitionResult | None:
    """The auditor pass's result saved for run `run_id`, or None when it is not there (any more)."""
    payload = _load(_key(run_id, "auditors"))
    return None if payload is None else PartitionResult.from_dict(json.loads(payload))


def cube_forget(*, run_id: int) -> None:
    """Drop the cube and the auditor result of a finished run (the TTL would, later)."""
    keys = [_key(run_id), _key(run_id, "auditors")]
    if settings.REDIS_URL:
        _client().delete(*keys)
    else:
        for key in keys:
            _local.pop(key, None)
