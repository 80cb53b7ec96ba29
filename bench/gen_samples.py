"""Generate realistic moderation samples in the import format (docs/sample-format.md), CSV or JSON Lines.

Deterministic by seed: the same `--seed` and `--rows` give the same file byte for byte. About 85% of the audits agree
with the decision; the errors carry auditor notes, as real QA exports do.

    .venv/bin/python -m bench.gen_samples --rows 1000000 --format csv --out /tmp/samples.csv
"""

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rca.sample_fields import FIELDS

# market, languages, UTC offset in hours, weight
MARKETS = [
    ("US", ["en", "es"], -5, 20),
    ("ID", ["id", "en"], 7, 14),
    ("BR", ["pt-BR"], -3, 12),
    ("GB", ["en"], 0, 6),
    ("MX", ["es"], -6, 8),
    ("DE", ["de"], 1, 5),
    ("FR", ["fr"], 1, 4),
    ("JP", ["ja"], 9, 5),
    ("PH", ["fil", "en"], 8, 7),
    ("VN", ["vi"], 7, 6),
    ("TH", ["th"], 7, 5),
    ("TR", ["tr"], 3, 4),
    ("SA", ["ar"], 3, 3),
    ("EG", ["ar"], 2, 3),
    ("IN", ["hi", "en"], 5, 4),
]
CONTENT_TYPES = [
    ("live_stream", 50),
    ("live_comment", 20),
    ("video", 15),
    ("comment", 10),
    ("image", 3),
    ("account", 2),
]
SURFACES = {"live_stream": "live", "live_comment": "live", "video": "feed", "comment": "feed", "image": "feed"}
LABELS = [
    "bullying_harassment",
    "hate_speech",
    "minor_safety",
    "self_harm",
    "violent_extremism",
    "violence_graphic",
    "animal_harm",
    "adult_nudity",
    "dangerous_acts",
    "spam_scam",
    "regulated_goods",
]
MODEL_VERSIONS = ["live-clf-3.2", "live-clf-3.3", "comment-clf-1.8", "feed-clf-5.0"]
TAGS = ["gaming", "music", "talk_show", "guest_battle", "minor_present", "animals", "cooking", "giveaway", "sports",
        "recovery", "news", "dance", "beauty", "late_night", "pk_battle", "shopping"]  # fmt: skip
NOTE_SUBJECTS = ["Host", "Guest", "Viewer comment", "Caption", "Overlay text", "Background audio", "Stream title"]
NOTE_ERRORS = ["uses local slang the model does not know", "is reclaimed in-group language, not hateful",
               "shows fictional game violence", "is an educational recovery story", "promotes a fake giveaway",
               "shows an apparent minor alone late at night", "depicts animal fighting", "is a dangerous stunt",
               "sells vapes without age gating", "is satire of a public figure"]  # fmt: skip
NOTE_VERDICTS = ["should not be actioned", "was missed", "needs the policy exception", "was labelled under the wrong "
                 "policy", "is over-enforced in this market"]  # fmt: skip
_TRANSCRIPT_TEXT = ("ayo gas terus bang mantap jiwa kamu bego banget sih dasar top gift follow share link bio promo "
                    "win free coins tonight live battle vote now thanks for the rose")  # fmt: skip
TRANSCRIPT_WORDS = _TRANSCRIPT_TEXT.split()
START = datetime(2026, 10, 1, tzinfo=UTC)
WINDOW_MINUTES = 55 * 24 * 60


def sample_records(rows: int, *, seed: int = 1, prefix: str = "bench", revision: int = 0) -> Iterator[dict[str, Any]]:
    """`rows` JSON-typed records (optional fields left out when empty, as real exports do).

    A `revision` above 0 gives the same samples (same ids, labels, times) re-audited: every record's notes differ.
    """
    rng = random.Random(seed)
    markets = [m for m in MARKETS for _ in range(m[3])]
    content_types = [c for c, weight in CONTENT_TYPES for _ in range(weight)]
    zones = {offset: timezone(timedelta(hours=offset)) for _, _, offset, _ in MARKETS}
    for i in range(rows):
        market, languages, offset, _ = rng.choice(markets)
        content_type = rng.choice(content_types)
        by_model = rng.random() < 0.6
        decision = "none" if rng.random() < 0.55 else rng.choice(LABELS)
        roll = rng.random()
        if roll < 0.85:
            audit = decision
        elif roll < 0.93:
            audit = "none" if decision != "none" else rng.choice(LABELS)
        else:
            audit = rng.choice(LABELS)
        decided = (START + timedelta(minutes=rng.randrange(WINDOW_MINUTES))).astimezone(zones[offset])
        audited = decided + timedelta(minutes=rng.randrange(30, 48 * 60))
        record: dict[str, Any] = {
            "external_id": f"{prefix}-{seed}-{i:09d}",
            "content_id": f"{content_type[:2]}-{rng.randrange(10**8)}",
            "content_type": content_type,
            "surface": SURFACES.get(content_type, "profile"),
            "market": market,
            "language": rng.choice(languages),
            "queue": f"{content_type}_{market.lower()}_{rng.choice(('general', 'tier1', 'priority'))}",
            "decision_source": "model" if by_model else "human",
            "decision_label": decision,
            "audit_label": audit,
            "decided_at": decided.isoformat(),
            "audited_at": audited.isoformat(),
            "auditor_id": f"aud-{rng.randrange(200)}",
        }
        # Stratified sampling: model decisions are audited at a fifth of the human rate, so each stands for more.
        record["weight"] = 5 if by_model else 1
        if by_model:
            record["model_version"] = rng.choice(MODEL_VERSIONS)
            record["model_score"] = round(rng.random(), 4)
        else:
            record["moderator_id"] = f"mod-{rng.randrange(2000)}"
        if audit != decision or rng.random() < 0.05:
            record["notes"] = f"{rng.choice(NOTE_SUBJECTS)} {rng.choice(NOTE_ERRORS)}, {rng.choice(NOTE_VERDICTS)}"
        if revision:
            record["notes"] = f"{record.get('notes', 'Re-audited')} [revision {revision}]"
        if content_type.startswith("live") and rng.random() < 0.3:
            record["transcript"] = " ".join(rng.choices(TRANSCRIPT_WORDS, k=rng.randrange(3, 25)))
        if rng.random() < 0.7:
            record["tags"] = rng.sample(TAGS, rng.randrange(1, 4))
        yield record


def write_samples(
    path: str | Path, rows: int, *, file_format: str = "csv", seed: int = 1, prefix: str = "bench", revision: int = 0
) -> None:
    """Write `rows` generated samples to `path` as CSV (with header) or JSON Lines."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        records = sample_records(rows, seed=seed, prefix=prefix, revision=revision)
        if file_format == "jsonl":
            dumps = json.dumps
            stream.writelines(dumps(record, ensure_ascii=False) + "\n" for record in records)
            return
        writer = csv.writer(stream)
        writer.writerow(FIELDS)
        for record in records:
            if "tags" in record:
                record["tags"] = ";".join(record["tags"])
            writer.writerow([record.get(field, "") for field in FIELDS])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="bench", help="external_id prefix")
    parser.add_argument(
        "--revision", type=int, default=0, help="> 0: the same samples with every record's notes changed"
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    write_samples(
        args.out, args.rows, file_format=args.format, seed=args.seed, prefix=args.prefix, revision=args.revision
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
