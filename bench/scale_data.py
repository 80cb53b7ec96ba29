"""The scale benchmark's data (`bench.bench_scale`): N synthetic audits over 21 days written as a file of JSON Lines
with their planted truth beside it, the same traffic 21 days earlier copied into the table as the older audits (kept in
`bench_history`, to put the table back before each import), and the score of the patterns found against the truth."""

import json
import math
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_detection_speed import NOISE_RATE, SAMPLE_COLUMNS, _row
from bench.databases import conninfo


def _shifted(record: dict, days: int) -> dict:
    """The record as an older audit: `days` earlier, its id prefixed with `h`."""
    shift = timedelta(days=days)
    return {
        **record,
        "external_id": f"h{record['external_id']}",
        "decided_at": datetime.fromisoformat(record["decided_at"]) - shift,
        "audited_at": datetime.fromisoformat(record["audited_at"]) - shift,
    }


def build(url: str, path: Path, rows: int, days: int) -> float:
    """Write the file of `rows` audits (a day at a time) and COPY the same traffic `days` earlier into the table;
    keep a copy of that table in `bench_history`, and the planted truth beside the file (`truth_path`). Returns the
    seconds it took."""
    import psycopg

    started = time.perf_counter()
    truth: dict[str, str] = {}
    now = datetime.now(UTC)
    with psycopg.connect(conninfo(url), autocommit=True) as conn, open(path, "w", encoding="utf-8") as out:
        for day, data in enumerate(_days(rows, days, now)):
            out.writelines(json.dumps(record) + "\n" for record in data.records)
            truth.update(data.truth)
            with conn.cursor().copy(f"COPY rca_moderationsample ({', '.join(SAMPLE_COLUMNS)}) FROM STDIN") as copy:
                for record in data.records:
                    copy.write_row(_row(_shifted(record, days), now))
            print(f"  day {day + 1}/{days}: {len(data.records):,} audits", flush=True)
        conn.execute("VACUUM ANALYZE rca_moderationsample")
        conn.execute("DROP TABLE IF EXISTS bench_history")
        conn.execute("CREATE TABLE bench_history AS SELECT * FROM rca_moderationsample")
    truth_path(path).write_text(json.dumps(truth))
    return time.perf_counter() - started


def _days(rows: int, days: int, end: datetime):
    """The synthetic audits of each day in turn (`rca.synthetic.generate_audits`, one seed a day, the decoys on the
    middle day)."""
    from rca.synthetic import generate_audits

    per_day = math.ceil(rows / days)
    for day in range(days):
        yield generate_audits(
            seed=2000 + day, days=1, audits_per_day=per_day, end=end - timedelta(days=days - 1 - day),
            noise_rate=NOISE_RATE, decoys=day == days // 2,
        )  # fmt: skip


def write_truth(path: Path, rows: int, days: int) -> None:
    """The planted truth of a file built before `build` kept it: the same days generated again (the truth depends on
    the seeds only, not on the day the file was built)."""
    truth: dict[str, str] = {}
    for day, data in enumerate(_days(rows, days, datetime.now(UTC))):
        truth.update(data.truth)
        print(f"  truth of day {day + 1}/{days}: {len(data.truth):,} planted errors", flush=True)
    truth_path(path).write_text(json.dumps(truth))


def truth_path(path: Path) -> Path:
    """Where `build` keeps the planted truth of the file at `path` (external id -> planted or decoy key)."""
    return path.with_name(f"{path.stem}.truth.json")


def read_truth(path: Path) -> dict[str, str] | None:
    """The planted truth `build` kept beside the file at `path`; None for a file built before it was kept."""
    return json.loads(truth_path(path).read_text()) if truth_path(path).exists() else None


def scored_detection(truth: dict[str, str] | None) -> dict | None:
    """The patterns in the database scored against the file's planted truth (`rca.synthetic.score_detection`, as
    `bench.bench_detection_quality` does at 105,000 audits): moderation patterns, and audit-driven ones apart. None
    without a truth."""
    from rca.detection.partitions import AUDIT_QUALITY
    from rca.models import PatternSample
    from rca.synthetic import AUDITOR_DECOYS, AUDITOR_PLANTED, DECOYS, PLANTED, SyntheticData, score_detection

    if truth is None:
        return None
    truth = {**truth, **{f"h{external_id}": key for external_id, key in truth.items()}}  # the older audits: the same
    data = SyntheticData(
        records=[], planted=list(PLANTED), decoys=list(DECOYS), truth=truth,
        auditor_planted=list(AUDITOR_PLANTED), auditor_decoys=list(AUDITOR_DECOYS),
    )  # fmt: skip
    found: dict[tuple[bool, int], list[str]] = {}
    links = PatternSample.objects.values_list("pattern__policy_area", "pattern_id", "sample__external_id")
    for area, pattern, external_id in links.iterator(chunk_size=20_000):
        found.setdefault((area == AUDIT_QUALITY, pattern), []).append(external_id)
    return {
        "moderation": score_detection([ids for (audit, _), ids in found.items() if not audit], data),
        "audit-driven": score_detection([ids for (audit, _), ids in found.items() if audit], data, auditors=True),
    }


def reset_table(url: str) -> None:
    """Back to the older audits only: the table as an import finds it."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("TRUNCATE rca_moderationsample CASCADE")
        conn.execute("TRUNCATE rca_qualityrollupmark")  # an interrupted import's marks: not this import's work
        conn.execute("INSERT INTO rca_moderationsample SELECT * FROM bench_history")
        conn.execute("VACUUM ANALYZE rca_moderationsample")


def count_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        return conn.execute("SELECT count(*) FROM rca_moderationsample").fetchone()[0]
