"""Where a run keeps its traffic cube between the start step and its partitions, so the window is grouped once per run.

The cube (one row per combination of the categorical columns, with its count) is the denominator of every partition,
and grouping a million audits is the most expensive read of a run. The start step reads and encodes it once
(`frame.encode_cube`: integer codes and a vocabulary, a few hundred KB as compressed numpy arrays) and saves it here;
each partition loads it. With Redis (`REDIS_URL`, the Celery setup: workers on any machine share it) it is stored
compressed under a per-run key with a TTL; without Redis (the eager newcomer setup: one process) it is kept in this
process. `cube_load` returns None when the cube is gone (expired, or another process without Redis): the caller then
reads it from the database again, which is slower but gives the same rows.
"""

from collections import OrderedDict

from django.conf import settings

from rca.detection.frame import EncodedCube

TTL_SECONDS = 2 * 60 * 60
_LOCAL_RUNS = 4
_local: OrderedDict[int, bytes] = OrderedDict()


def _key(run_id: int) -> str:
    return f"rca:detection:cube:{run_id}"


def _client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def cube_save(*, run_id: int, cube: EncodedCube) -> int:
    """Store the encoded cube of run `run_id`; returns the stored size in bytes."""
    payload = cube.to_bytes()
    if settings.REDIS_URL:
        _client().set(_key(run_id), payload, ex=TTL_SECONDS)
    else:
        _local[run_id] = payload
        while len(_local) > _LOCAL_RUNS:
            _local.popitem(last=False)
    return len(payload)


def cube_load(*, run_id: int) -> EncodedCube | None:
    """The cube saved for run `run_id`, or None when it is not there (any more)."""
    payload = _client().get(_key(run_id)) if settings.REDIS_URL else _local.get(run_id)
    return None if payload is None else EncodedCube.from_bytes(payload)


def cube_forget(*, run_id: int) -> None:
    """Drop the cube of a finished run (the TTL would, later)."""
    if settings.REDIS_URL:
        _client().delete(_key(run_id))
    else:
        _local.pop(run_id, None)
