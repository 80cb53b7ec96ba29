"""The benchmark dataset: a PostgreSQL database with many samples and cases, built once with `COPY` and reused.

`ensure_dataset(url, samples=1_000_000, cases=100_000)` creates the database when missing, migrates it, and fills it
with synthetic audits, users (quality leads, partners, a manager) in teams, cases with owners, teams, shared teams,
watchers, linked samples, a few action items and timeline entries. It is idempotent: when the counts are already
there it does nothing; when they differ (an interrupted or differently sized build) it truncates the dataset's
tables and builds them again. Every benchmark (API, pages, reports) uses it:

    .venv/bin/python -m bench.dataset                       # postgres://postgres@127.0.0.1:5432/rca_bench, full size
    .venv/bin/python -m bench.dataset --samples 20000 --cases 2000 --database-url postgres://.../rca_bench_smoke

Rows are generated deterministically (a seeded PRNG), so two builds of the same size hold the same data.
"""

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter

import psycopg
from psycopg import sql

# open_database and smoke_database_url: the benchmark scripts import them from here too.
from bench.databases import (  # noqa: F401
    DEFAULT_URL,
    conninfo,
    create_database,
    database_name,
    migrate,
    open_database,
    smoke_database_url,
)
from rca.outcomes import derive_outcome
from rca.sample_fields import MODEL_COLUMNS

FULL_SAMPLES = 1_000_000
FULL_CASES = 100_000

LABELS = (
    "bullying_harassment", "hate_speech", "minor_safety", "self_harm", "violent_extremism", "violence_graphic",
    "animal_harm", "adult_nudity", "dangerous_acts", "spam_scam", "regulated_goods",
)  # fmt: skip
MARKETS = ("US", "ID", "BR", "MX", "GB", "DE", "FR", "IN", "PH", "VN", "TH", "TR")
LANGUAGES = {"US": "en", "ID": "id", "BR": "pt-BR", "MX": "es", "GB": "en", "DE": "de", "FR": "fr", "IN": "hi",
             "PH": "tl", "VN": "vi", "TH": "th", "TR": "tr"}  # fmt: skip
CONTENT_TYPES = ("live_stream", "live_comment", "video", "comment", "image", "account")
MODEL_VERSIONS = ("live-clf-3.1", "live-clf-3.2", "live-clf-4.0", "comment-clf-2.7")
TAGS = ("gaming", "minor_present", "guest_battle", "music", "shopping", "late_night", "multi_guest", "")
NOTE_WORDS = (
    "slang", "insult", "missed", "context", "satire", "reclaimed", "term", "borderline", "weapon", "toy", "cartoon",
    "medical", "news", "educational", "dance", "costume", "fake", "giveaway", "crypto", "link", "vape", "knife",
)  # fmt: skip
CASE_STATUSES = (
    "new", "triage", "investigating", "investigating", "root_cause_identified", "remediating", "monitoring", "closed",
    "closed", "closed", "wont_fix",
)  # fmt: skip
SEVERITIES = ("S1", "S2", "S3", "S3", "S4")
SLA_DAYS = {"S1": 2, "S2": 7, "S3": 14, "S4": 30}
LEADS, PARTNERS = 40, 60
TEAM_SLUGS = ("quality", "policy", "product", "operations", "ml", "legal")

# Tables this module fills, children first (TRUNCATE ... CASCADE clears the rest).
DATASET_TABLES = (
    "cases_activity", "cases_comment_mentions", "cases_comment", "cases_actionitem", "cases_finding_evidence",
    "cases_finding", "cases_casesample", "cases_case_watchers", "cases_case_shared_teams", "cases_case",
    "rca_patternsample", "rca_samplereveal", "rca_moderationsample",
)  # fmt: skip


def _counts(conn: psycopg.Connection) -> tuple[int, int]:
    samples = conn.execute("SELECT count(*) FROM rca_moderationsample").fetchone()[0]
    cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    return samples, cases


# ROWS
# ------------------------------------------------------------------------------

# Every column of the samples table (rca.sample_fields): a field added to the model stops the build (KeyError)
# until `_sample_rows` gives it a value.
SAMPLE_COLUMNS = MODEL_COLUMNS


def _sample_rows(count: int, now: datetime, rng: random.Random) -> Iterator[tuple]:
    """`count` samples as rows of `SAMPLE_COLUMNS` (the values are drawn in the same order whatever that order)."""
    window = 90 * 24 * 3600
    row_of = itemgetter(*SAMPLE_COLUMNS)
    for sample_id in range(1, count + 1):
        market = MARKETS[rng.randrange(len(MARKETS))]
        label = LABELS[rng.randrange(len(LABELS))]
        roll = rng.random()
        if roll < 0.80:  # most audits agree with the decision
            decision, audit = (label, label) if rng.random() < 0.5 else ("none", "none")
        elif roll < 0.88:
            decision, audit = "none", label
        elif roll < 0.95:
            decision, audit = label, "none"
        else:
            decision, audit = label, LABELS[(LABELS.index(label) + 1) % len(LABELS)]
        model = rng.random() < 0.6
        audited_at = now - timedelta(seconds=rng.randrange(window))
        words = rng.sample(NOTE_WORDS, 4)
        tag = TAGS[rng.randrange(len(TAGS))]
        sample = {
            "id": sample_id,
            "external_id": f"bench-{sample_id:08d}",
            "content_id": f"content-{rng.randrange(count * 2)}",
            "content_type": CONTENT_TYPES[rng.randrange(len(CONTENT_TYPES))],
            "surface": "live",
            "market": market,
            "language": LANGUAGES[market],
            "queue": f"{market.lower()}_general" if rng.random() < 0.7 else f"{market.lower()}_priority",
            "decision_source": "model" if model else "human",
            "model_version": MODEL_VERSIONS[rng.randrange(len(MODEL_VERSIONS))] if model else "",
            "moderator_id": "" if model else f"mod-{rng.randrange(500)}",
            "decision_label_id": decision,
            "audit_label_id": audit,
            "outcome": str(derive_outcome(decision, audit)),
            "model_score": round(rng.random(), 3) if model else None,
            "decided_at": audited_at - timedelta(seconds=rng.randrange(1, 48 * 3600)),
            "audited_at": audited_at,
            "auditor_id": f"aud-{rng.randrange(80)}",
            "notes": " ".join(words) if decision != audit else "",
            "transcript": f"transcript {' '.join(reversed(words))}",
            "tags": f";{tag};" if tag else "",
            "weight": 1.0,
            "imported_at": now,
            "updated_at": now,
            "verdict_in_doubt": False,
        }
        yield row_of(sample)


CASE_COLUMNS = (
    "id", "title", "problem_statement", "severity", "status", "owner_id", "team_id", "origin", "policy_label",
    "market", "root_cause_category", "root_cause_statement", "resolution_reason", "sample_count", "reopen_count",
    "due_at", "opened_at", "triaged_at", "investigating_at", "closed_at", "resolved_at", "updated_at", "audience",
    "measure", "closed_by_override",
)  # fmt: skip


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    written = 0
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _audience(*, teams: tuple[int, ...], users: tuple[int, ...]) -> str:
    """`Case.audience` as `cases.audience` computes it: the owning and shared teams, the watchers and item owners."""
    keys = sorted({f"t{team_id}" for team_id in teams} | {f"u{user_id}" for user_id in users})
    return json.dumps(dict.fromkeys(keys, True))


def _users(conn: psycopg.Connection, now: datetime) -> tuple[list[int], list[int], dict[str, int]]:
    """Quality leads and partners (`bench_lead_N`, `bench_partner_N`, unusable passwords) spread over the teams."""
    teams = dict(conn.execute("SELECT slug, id FROM cases_team").fetchall())
    groups = dict(conn.execute("SELECT name, id FROM auth_group").fetchall())
    ids: dict[str, list[int]] = {"quality_lead": [], "partner": [], "manager": []}
    specs = (
        [(f"bench_lead_{n}", "quality_lead") for n in range(LEADS)]
        + [(f"bench_partner_{n}", "partner") for n in range(PARTNERS)]
        + [("bench_manager", "manager")]
    )
    for index, (username, role) in enumerate(specs):
        user_id = conn.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) VALUES ('!', false, %s, '', '', %s, false, true, %s) "
            "ON CONFLICT (username) DO UPDATE SET is_active = true RETURNING id",
            [username, f"{username}@example.com", now],
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [user_id, groups[role]],
        )
        team_id = teams[TEAM_SLUGS[0] if role == "quality_lead" else TEAM_SLUGS[1 + index % (len(TEAM_SLUGS) - 1)]]
        conn.execute(
            "INSERT INTO cases_team_members (team_id, user_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [team_id, user_id],
        )
        ids[role].append(user_id)
    return ids["quality_lead"], ids["partner"], teams


def _build(conn: psycopg.Connection, *, samples: int, cases: int, log) -> None:
    rng = random.Random(20261125)
    now = datetime.now(UTC).replace(microsecond=0)
    conn.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(sql.SQL(", ").join(map(sql.Identifier, DATASET_TABLES)))
    )
    leads, partners, teams = _users(conn, now)
    team_ids = [teams[slug] for slug in TEAM_SLUGS[1:]]

    started = time.perf_counter()
    _copy(conn, "rca_moderationsample", SAMPLE_COLUMNS, _sample_rows(samples, now, rng))
    log(f"samples: {samples:,} in {time.perf_counter() - started:.1f}s")

    # Cases: 1-9 linked samples each (about 5 on average), taken in order so that (case, sample) is unique.
    started = time.perf_counter()
    links: list[tuple[int, int]] = []
    case_rows = []
    next_sample = 1
    for case_id in range(1, cases + 1):
        count = 1 + case_id % 9
        if next_sample + count > samples + 1:
            next_sample = 1
        links.extend((case_id, sample_id) for sample_id in range(next_sample, next_sample + count))
        next_sample += count
        severity = SEVERITIES[rng.randrange(len(SEVERITIES))]
        status = CASE_STATUSES[rng.randrange(len(CASE_STATUSES))]
        opened = now - timedelta(seconds=rng.randrange(180 * 24 * 3600))
        closed = opened + timedelta(days=rng.randrange(1, 40)) if status in ("closed", "wont_fix") else None
        label = LABELS[case_id % len(LABELS)]
        root_cause = status not in ("new", "triage", "investigating")
        case_rows.append(
            (
                case_id,
                f"Case {case_id}: {label.replace('_', ' ')} errors in {MARKETS[case_id % len(MARKETS)]}",
                "Recurring misclassifications in this slice.",
                severity,
                status,
                None if status == "new" else leads[case_id % len(leads)],
                teams["quality"],
                "detected" if case_id % 3 == 0 else "manual",
                label,
                MARKETS[case_id % len(MARKETS)],
                "model_defect" if root_cause else "",
                "The model lacks training data for this slang." if root_cause else "",
                "Not worth fixing." if status == "wont_fix" else "",
                count,
                0,
                opened + timedelta(days=SLA_DAYS[severity]),
                opened,
                opened + timedelta(hours=2) if status != "new" else None,
                opened + timedelta(hours=5) if status not in ("new", "triage") else None,
                closed if status == "closed" else None,
                closed,
                now,
                _audience(
                    teams=(teams["quality"], team_ids[case_id % len(team_ids)]),
                    users=(
                        leads[case_id % len(leads)],
                        *((partners[case_id % len(partners)],) if case_id % 3 == 1 else ()),
                    ),
                ),
                "{}",  # measure: derived (cases.measure)
                False,  # closed_by_override
            )
        )
    _copy(conn, "cases_case", CASE_COLUMNS, case_rows)
    _copy(
        conn,
        "cases_casesample",
        ("case_id", "sample_id", "linked_by_id", "linked_at", "source"),
        ((case_id, sample_id, leads[case_id % len(leads)], now, "manual") for case_id, sample_id in links),
    )
    _copy(
        conn,
        "cases_case_shared_teams",
        ("case_id", "team_id"),
        ((case_id, team_ids[case_id % len(team_ids)]) for case_id in range(1, cases + 1)),
    )
    _copy(
        conn,
        "cases_case_watchers",
        ("case_id", "user_id"),
        ((case_id, leads[case_id % len(leads)]) for case_id in range(1, cases + 1)),
    )
    # A few action items (cases 1, 4, 7...), owned by partners of the shared team's rotation.
    items = [
        (
            case_id,
            f"Fix for case {case_id}",
            "",
            "model_fix" if case_id % 2 else "guideline_clarification",
            partners[case_id % len(partners)],
            team_ids[case_id % len(team_ids)],
            case_rows[case_id - 1][16] + timedelta(days=10),
            "done" if case_rows[case_id - 1][4] in ("closed", "monitoring") else "open",
            leads[case_id % len(leads)],
            now,
            now,
        )
        for case_id in range(1, cases + 1, 3)
    ]
    _copy(
        conn,
        "cases_actionitem",
        (
            "case_id", "title", "description", "kind", "owner_id", "team_id", "due_at", "status", "created_by_id",
            "created_at", "updated_at",
        ),
        items,
    )  # fmt: skip
    activities = []
    for row in case_rows:
        case_id, status, opened = row[0], row[4], row[16]
        activities.append((case_id, None, "opened", '{"origin": "manual"}', opened))
        if status != "new":
            activities.append(
                (
                    case_id,
                    row[5],
                    "transitioned",
                    f'{{"source": "new", "target": "{status}"}}',
                    opened + timedelta(hours=2),
                )
            )
    _copy(conn, "cases_activity", ("case_id", "actor_id", "verb", "data", "created_at"), activities)
    for table in ("rca_moderationsample", "cases_case"):
        conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))").format(
                sql.Literal(table), sql.Identifier(table)
            )
        )
    log(f"cases: {cases:,} ({len(links):,} links, {len(items):,} action items) in {time.perf_counter() - started:.1f}s")


def ensure_dataset(database_url: str, *, samples: int, cases: int, verbose: bool = True) -> bool:
    """Make sure `database_url` holds exactly `samples` samples and `cases` cases; returns whether it built them."""

    def log(message: str) -> None:
        if verbose:
            print(f"[dataset] {message}", flush=True)

    if create_database(database_url):
        log(f"created database {database_name(database_url)}")
    migrate(database_url)
    with psycopg.connect(conninfo(database_url)) as conn:
        if _counts(conn) == (samples, cases):
            log(f"already there: {samples:,} samples, {cases:,} cases")
            return False
        log(f"building {samples:,} samples and {cases:,} cases")
        with conn.transaction():
            _build(conn, samples=samples, cases=cases, log=log)
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--samples", type=int, default=FULL_SAMPLES)
    parser.add_argument("--cases", type=int, default=FULL_CASES)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ensure_dataset(args.database_url, samples=args.samples, cases=args.cases)
    print(f"[dataset] ready in {time.perf_counter() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
