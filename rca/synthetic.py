"""A deterministic generator of audits (docs/sample-format.md records) with planted recurring error patterns.

Traffic is audited decisions over several markets, content types, model versions, human moderators, queues and tags;
about `noise_rate` of it is misclassified at random with generic notes. On top of it, `PLANTED` patterns raise one
error kind inside one slice on every day, with their own note wording (two of them share one slice and differ only
by wording), and `DECOYS` look like patterns but are not: a one-day burst, one stream audited many times, a tiny
slice, and one moderator's bad run. `SyntheticData.truth` tells which planted pattern (or decoy) each error belongs to;
`score_detection` scores a detector's output against it (used by the tests and `bench/bench_detection_quality.py`).

Used by `seed_demo` too: `generate_audits(seed=..., days=..., audits_per_day=...)`.
"""

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

NO_VIOLATION = "none"
VIOLATIONS = (
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
)
MARKETS = {
    "US": "en",
    "ID": "id",
    "BR": "pt-BR",
    "MX": "es",
    "DE": "de",
    "FR": "fr",
    "JP": "ja",
    "TR": "tr",
    "PH": "tl",
    "VN": "vi",
    "TH": "th",
    "GB": "en",
}
CONTENT_TYPES = (
    ("live_stream", 0.40),
    ("live_comment", 0.25),
    ("video", 0.15),
    ("comment", 0.10),
    ("image", 0.05),
    ("account", 0.05),
)
MODEL_VERSIONS = {
    "live_stream": ("live-clf-3.1", "live-clf-3.2"),
    "live_comment": ("live-clf-3.1", "live-clf-3.2"),
    "video": ("vision-2.4",),
    "image": ("vision-2.4",),
    "comment": ("text-clf-1.8",),
    "account": ("text-clf-1.8",),
}
QUEUE_GROUP = {"live_stream": "live", "live_comment": "live", "video": "vod", "image": "vod"}
TAGS = (
    ("gaming", 0.25),
    ("talk", 0.20),
    ("music", 0.15),
    ("shopping", 0.10),
    ("sports", 0.10),
    ("beauty", 0.08),
    ("outdoor", 0.06),
    ("cooking", 0.05),
    ("guest_battle", 0.08),
    ("minor_present", 0.03),
)
MODERATORS_PER_MARKET = 15
HUMAN_SHARE = 0.4
CHITCHAT = (
    "hello everyone welcome back",
    "thanks for the gift",
    "follow for more",
    "let us play another round",
    "what do you think chat",
    "the stream is starting now",
    "see you tomorrow friends",
    "turn up the volume please",
)
NOISE_NOTES = (
    "Decision does not match the guideline for this content, see frame at {ts}.",
    "Borderline judgement call on case {n}, auditor disagrees.",
    "Context was misread; clip {id} needs a second look.",
    "Wrong outcome after checking the full recording at {ts}.",
    "Guidance unclear for this situation, audit overturned decision {n}.",
    "Reviewer overlooked a detail visible around {ts}.",
    "Policy applied too strictly in case {n}.",
    "Label chosen does not fit what is shown, ticket {id}.",
    "Evidence insufficient for the original call, see {url}.",
    "Decision reversed on appeal review {n}.",
)


@dataclass(frozen=True)
class PlantedPattern:
    key: str
    decision_label: str
    audit_label: str
    slice: dict[str, str]
    rate: float  # share of the slice's audits that carry this error, every day
    notes: tuple[str, ...]
    decoy: str = ""  # "" for a real pattern, else the kind of decoy


PLANTED: tuple[PlantedPattern, ...] = (
    PlantedPattern(
        "id_slang_insult_missed",
        NO_VIOLATION,
        "bullying_harassment",
        {"market": "ID", "decision_source": "model", "content_type": "live_stream"},
        0.10,
        (
            "Model missed slang insult aimed at the guest during the battle, score {s}.",
            "Local slang insult against co-host not caught by classifier at {ts}.",
            "Slang insults towards guest ignored, classifier score {s}.",
        ),
    ),
    PlantedPattern(
        "br_casino_promo_missed",
        NO_VIOLATION,
        "regulated_goods",
        {"market": "BR", "tag": "shopping"},
        0.14,
        (
            "Streamer promotes online casino betting site {url}.",
            "Casino betting referral code {id} shown on screen, not actioned.",
            "Betting odds and casino promotion left up, link {url}.",
        ),
    ),
    PlantedPattern(
        "us_adult_athlete_flagged_minor",
        "minor_safety",
        NO_VIOLATION,
        {"market": "US", "tag": "sports"},
        0.16,
        (
            "Adult athlete in gym outfit wrongly flagged as minor, verified age {n}.",
            "Youthful looking adult gymnast removed under minor safety.",
            "Verified adult athlete, gym training session, not a minor.",
        ),
    ),
    PlantedPattern(
        "de_documentary_extremism_fp",
        "violent_extremism",
        NO_VIOLATION,
        {"market": "DE", "content_type": "video"},
        0.12,
        (
            "Historical documentary footage with archive symbols removed as extremism.",
            "Educational history documentary, archive footage {id}, no glorification.",
            "Documentary about wartime history wrongly taken down at {ts}.",
        ),
    ),
    PlantedPattern(
        "tr_crypto_giveaway_missed",
        NO_VIOLATION,
        "spam_scam",
        {"market": "TR", "content_type": "live_comment"},
        0.10,
        (
            "Fake crypto giveaway wallet address {id} spammed in comments.",
            "Crypto doubling scam, send coins to wallet {id}.",
            "Giveaway scam comments with crypto wallet links {url}.",
        ),
    ),
    PlantedPattern(
        "mx_cartel_banner_wrong_policy",
        "violence_graphic",
        "violent_extremism",
        {"market": "MX", "decision_source": "human"},
        0.09,
        (
            "Cartel propaganda banner labelled as gore instead of extremism.",
            "Cartel recruitment message with armed group banner, wrong policy applied.",
            "Armed cartel propaganda video, extremism not graphic violence, case {n}.",
        ),
    ),
    PlantedPattern(
        "jp_cosplay_nudity_fp",
        "adult_nudity",
        NO_VIOLATION,
        {"market": "JP", "tag": "beauty"},
        0.18,
        (
            "Cosplay costume mistaken for nudity, fully covered outfit.",
            "Cosplay makeup tutorial with skin coloured costume removed as nudity.",
            "Anime cosplay outfit within guidelines, nudity removal overturned {n}.",
        ),
    ),
    PlantedPattern(
        "ph_veiled_self_harm_missed",
        NO_VIOLATION,
        "self_harm",
        {"market": "PH", "content_type": "live_stream", "decision_source": "human"},
        0.14,
        (
            "Veiled self harm statements in Tagalog missed by reviewer at {ts}.",
            "Streamer hinting at ending life in Tagalog, reviewer did not escalate.",
            "Coded self harm talk in Tagalog not recognised, stream {id}.",
        ),
    ),
    PlantedPattern(
        "fr_satire_hate_fp",
        "hate_speech",
        NO_VIOLATION,
        {"market": "FR", "content_type": "comment"},
        0.14,
        (
            "Political satire quoting a slur to criticise it, counter speech removed.",
            "Counter speech satire condemning racism removed as hate.",
            "Satirical comment mocking hateful politician, counter speech allowed {n}.",
        ),
    ),
    PlantedPattern(
        "vn_animal_fight_missed",
        NO_VIOLATION,
        "animal_harm",
        {"market": "VN", "model_version": "live-clf-3.1"},
        0.12,
        (
            "Rooster fighting with blades streamed, animal cruelty missed by model.",
            "Cockfight betting stream, roosters injured, model score {s}.",
            "Animal fight between roosters not detected at {ts}.",
        ),
    ),
    PlantedPattern(
        "gb_pile_on_raid_missed",
        NO_VIOLATION,
        "bullying_harassment",
        {"market": "GB", "content_type": "live_comment"},
        0.09,
        (
            "Coordinated pile-on raid repeating the same insult from many accounts.",
            "Raid accounts brigading chat with identical insult, pile-on missed.",
            "Brigade of new accounts spamming insult at streamer, raid {n}.",
        ),
    ),
    PlantedPattern(
        "gb_doxxing_missed",
        NO_VIOLATION,
        "bullying_harassment",
        {"market": "GB", "content_type": "live_comment"},
        0.09,
        (
            "Home address of streamer posted in chat, doxxing missed.",
            "Doxxing: personal phone number and address shared, see {url}.",
            "Private address and school of creator revealed, doxxing not removed.",
        ),
    ),
)

DECOYS: tuple[PlantedPattern, ...] = (
    PlantedPattern(
        "decoy_one_day_burst",
        NO_VIOLATION,
        "hate_speech",
        {"market": "MX", "content_type": "live_stream"},
        0.0,
        ("Hate raid during the derby match night {n}.", "Derby night hate chants streamed, raid {id}."),
        decoy="one_day",
    ),
    PlantedPattern(
        "decoy_one_item_burst",
        NO_VIOLATION,
        "violence_graphic",
        {"market": "BR", "content_type": "live_stream"},
        0.0,
        ("Street fight footage in this stream at {ts}.", "Bloody street fight stream re-audited, frame {n}."),
        decoy="one_item",
    ),
    PlantedPattern(
        "decoy_tiny_slice",
        NO_VIOLATION,
        "dangerous_acts",
        {"market": "TH", "content_type": "account", "queue": "th_account_escalations"},
        0.0,
        ("Fire breathing stunt profile {n}.", "Profile showing fire breathing stunts without warning."),
        decoy="tiny_slice",
    ),
    PlantedPattern(
        "decoy_one_moderator",
        NO_VIOLATION,
        "spam_scam",
        {"market": "FR", "decision_source": "human"},
        0.0,
        ("Phishing link approved by reviewer {url}.", "Reviewer approved fake login page link {id}."),
        decoy="one_moderator",
    ),
)
DECOY_SIZES = {"one_day": 60, "one_item": 80, "tiny_slice": 10, "one_moderator": 45}


@dataclass
class SyntheticData:
    records: list[dict]
    planted: list[PlantedPattern]
    decoys: list[PlantedPattern]
    truth: dict[str, str] = field(default_factory=dict)  # external_id -> planted or decoy key, for their errors


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        n=rng.randint(10, 99999),
        id=f"{rng.choice('abcdefghk')}{rng.randint(1000, 999999)}-{rng.randint(10, 99)}",
        url=f"https://example-{rng.randint(1, 500)}.com/p/{rng.randint(1000, 99999)}",
        ts=f"{rng.randint(0, 2):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        s=f"{rng.random():.2f}",
    )


def _matches(record: dict, slice_: dict[str, str]) -> bool:
    for feature, value in slice_.items():
        if feature == "tag":
            if value not in record["tags"]:
                return False
        elif record[feature] != value:
            return False
    return True


class _Generator:
    def __init__(self, seed: int, end: datetime, days: int, noise_rate: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.end = end
        self.days = days
        self.noise_rate = noise_rate
        self.counter = 0
        self.records: list[dict] = []
        self.truth: dict[str, str] = {}

    def day_start(self, day: int) -> datetime:
        return (self.end - timedelta(days=self.days - day)).replace(microsecond=0)

    def traffic(self, day: int, **forced) -> dict:
        rng = self.rng
        market = forced.get("market") or rng.choice(list(MARKETS))
        content_type = forced.get("content_type") or _weighted(rng, CONTENT_TYPES)
        source = forced.get("decision_source") or ("human" if rng.random() < HUMAN_SHARE else "model")
        version = forced.get("model_version") or (rng.choice(MODEL_VERSIONS[content_type]) if source == "model" else "")
        if version and source != "model":
            source = "model"
        group = QUEUE_GROUP.get(content_type, "text")
        queue = forced.get("queue") or f"{market.lower()}_{group}_{'priority' if rng.random() < 0.1 else 'general'}"
        tags = [tag for tag, share in TAGS if rng.random() < share]
        if "tag" in forced and forced["tag"] not in tags:
            tags.append(forced["tag"])
        label = NO_VIOLATION if rng.random() < 0.75 else rng.choice(VIOLATIONS)
        audited = self.day_start(day) + timedelta(seconds=rng.randint(0, 86399 - 60))
        # Spread away from the window's very end so a run at `end` sees every record of the last day.
        audited = min(audited, self.end - timedelta(seconds=5))
        self.counter += 1
        prefix = {"live_stream": "ls", "live_comment": "lc", "video": "vd", "comment": "cm", "image": "im"}
        return {
            "external_id": f"syn-{self.seed}-{self.counter:08d}",
            "content_id": f"{prefix.get(content_type, 'ac')}-{rng.randint(1, 10**9)}",
            "content_type": content_type,
            "surface": "live" if content_type.startswith("live") else "feed",
            "market": market,
            "language": MARKETS[market],
            "queue": queue,
            "decision_source": source,
            "model_version": version,
            "moderator_id": f"mod-{market.lower()}-{rng.randrange(MODERATORS_PER_MARKET):02d}"
            if source == "human"
            else "",
            "decision_label": label,
            "audit_label": label,
            "model_score": round(rng.random(), 3) if source == "model" else None,
            "decided_at": (audited - timedelta(minutes=rng.randint(5, 48 * 60))).isoformat(),
            "audited_at": audited.isoformat(),
            "auditor_id": f"aud-{rng.randrange(40):02d}",
            "notes": "",
            "transcript": rng.choice(CHITCHAT),
            "tags": tags,
        }

    def make_error(self, record: dict, pattern: PlantedPattern) -> None:
        record["decision_label"] = pattern.decision_label
        record["audit_label"] = pattern.audit_label
        record["notes"] = _fill(self.rng, self.rng.choice(pattern.notes))
        self.truth[record["external_id"]] = pattern.key

    def make_noise(self, record: dict) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            record["decision_label"], record["audit_label"] = rng.choice(VIOLATIONS), NO_VIOLATION
        elif roll < 0.8:
            record["decision_label"], record["audit_label"] = NO_VIOLATION, rng.choice(VIOLATIONS)
        else:
            record["decision_label"], record["audit_label"] = rng.sample(VIOLATIONS, 2)
        record["notes"] = _fill(rng, rng.choice(NOISE_NOTES))

    def decoy(self, pattern: PlantedPattern) -> None:
        rng = self.rng
        size = DECOY_SIZES[pattern.decoy]
        burst_day = self.days // 2
        forced_item = f"ls-burst-{self.seed}"
        for index in range(size):
            day = burst_day if pattern.decoy == "one_day" else rng.randrange(self.days)
            record = self.traffic(day, **pattern.slice)
            if pattern.decoy == "one_item":
                record["content_id"] = forced_item
            if pattern.decoy == "one_moderator":
                record["moderator_id"] = "mod-fr-99"
            if pattern.decoy == "tiny_slice" and index % 5 == 4:
                self.records.append(record)  # the slice's few correct audits
                continue
            self.make_error(record, pattern)
            self.records.append(record)


def generate_audits(
    *,
    seed: int,
    days: int,
    audits_per_day: int,
    end: datetime | None = None,
    noise_rate: float = 0.04,
    decoys: bool = True,
) -> SyntheticData:
    """`days` days of audits ending at `end` (default: now), `audits_per_day` of traffic a day plus the decoys.

    Deterministic for a given seed and end. External ids are `syn-<seed>-<n>`, so batches of different seeds can be
    imported together (a second batch with a later `end` is "more data" for the same planted patterns).
    """
    end = end or datetime.now(UTC)
    generator = _Generator(seed, end, days, noise_rate)
    for day in range(days):
        for _ in range(audits_per_day):
            record = generator.traffic(day)
            pattern = next((p for p in PLANTED if _matches(record, p.slice)), None)
            # The two patterns that share a slice each take their own share of it.
            hit = None
            if pattern is not None:
                roll = generator.rng.random()
                for candidate in PLANTED:
                    if candidate.slice == pattern.slice:
                        if roll < candidate.rate:
                            hit = candidate
                            break
                        roll -= candidate.rate
            if hit is not None:
                generator.make_error(record, hit)
            elif generator.rng.random() < noise_rate:
                generator.make_noise(record)
            generator.records.append(record)
    if decoys:
        for decoy in DECOYS:
            generator.decoy(decoy)
    return SyntheticData(
        records=generator.records,
        planted=list(PLANTED),
        decoys=list(DECOYS) if decoys else [],
        truth=generator.truth,
    )


# SCORING
# ------------------------------------------------------------------------------


def score_detection(found: Iterable[Iterable[str]], data: SyntheticData, *, majority: float = 0.5) -> dict:
    """Score detected patterns (each given as the external ids of its errors) against the planted truth.

    A found pattern matches the planted pattern (or decoy) that owns at least `majority` of its errors. Recall: planted
    patterns matched at least once; precision: found patterns matching a planted pattern; duplicates: found patterns
    beyond the first for the same planted one; decoys: decoys reported.
    """
    planted_keys = {pattern.key for pattern in data.planted}
    decoy_keys = {pattern.key for pattern in data.decoys}
    matches: list[str | None] = []
    for external_ids in found:
        ids = list(external_ids)
        owners = Counter(data.truth.get(external_id) for external_id in ids)
        owner, count = owners.most_common(1)[0] if owners else (None, 0)
        matches.append(owner if ids and count / len(ids) >= majority else None)
    hits = Counter(match for match in matches if match in planted_keys)
    total = len(matches)
    return {
        "found": total,
        "recall": len(hits) / len(planted_keys) if planted_keys else 1.0,
        "precision": sum(hits.values()) / total if total else 1.0,
        "duplicates": sum(count - 1 for count in hits.values()),
        "decoys_reported": sorted({match for match in matches if match in decoy_keys}),
        "missed": sorted(planted_keys - set(hits)),
        "unmatched": sum(1 for match in matches if match is None),
    }


# AS THE DATABASE READER SEES THEM
# ------------------------------------------------------------------------------

# Each label's policy area, as seeded by rca/migrations/0002_seed_policy_labels.py.
LABEL_AREAS = [
    ("bullying_harassment", "safety_civility"), ("hate_speech", "safety_civility"), ("minor_safety", "minor_safety"),
    ("self_harm", "mental_health"), ("violent_extremism", "violence"), ("violence_graphic", "violence"),
    ("animal_harm", "violence"), ("adult_nudity", "sensitive_content"), ("dangerous_acts", "safety_civility"),
    ("spam_scam", "integrity"), ("regulated_goods", "integrity"),
]  # fmt: skip


def reader_rows(records: Iterable[dict]) -> tuple[list[tuple], list[tuple]]:
    """The cube and the error rows the database reader would return for `records`."""
    cube, errors = Counter(), []
    for index, r in enumerate(records):
        key = (r["market"], r["language"], r["decision_source"], r["model_version"], r["queue"], r["content_type"])
        cube[(*key, ";".join(r["tags"]))] += 1
        if r["decision_label"] != r["audit_label"]:
            errors.append(
                (index, datetime.fromisoformat(r["audited_at"]), r["content_id"], r["moderator_id"], *key,
                 r["tags"], r["decision_label"], r["audit_label"], r["notes"], r["transcript"])
            )  # fmt: skip
    return [(*key, count) for key, count in cube.items()], errors
