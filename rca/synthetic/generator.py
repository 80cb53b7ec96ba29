"""`generate_audits`: deterministic audited traffic with the planted patterns and decoys of `rca.synthetic.catalog`."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rca.synthetic.catalog import (
    AUDITOR_DECOY_SIZES,
    AUDITOR_DECOYS,
    AUDITOR_PLANTED,
    CHITCHAT,
    CONTENT_TYPES,
    DECOY_SIZES,
    DECOYS,
    HUMAN_SHARE,
    MARKETS,
    MODEL_VERSIONS,
    MODERATORS_PER_MARKET,
    NO_VIOLATION,
    NOISE_NOTES,
    PLANTED,
    QUEUE_GROUP,
    TAGS,
    VIOLATIONS,
    AuditorPlant,
    PlantedPattern,
)


@dataclass
class SyntheticData:
    records: list[dict]
    planted: list[PlantedPattern]
    decoys: list[PlantedPattern]
    truth: dict[str, str] = field(default_factory=dict)  # external_id -> planted or decoy key, for their errors
    auditor_planted: list[AuditorPlant] = field(default_factory=list)
    auditor_decoys: list[AuditorPlant] = field(default_factory=list)


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

    def overturn(self, record: dict, plant: AuditorPlant) -> None:
        """The auditor overturns a removal: the decision cited a violation, the audit says there is none."""
        if record["decision_label"] == NO_VIOLATION:
            record["decision_label"] = self.rng.choice(VIOLATIONS)
        record["audit_label"] = NO_VIOLATION
        record["notes"] = _fill(self.rng, self.rng.choice(plant.notes))
        self.truth[record["external_id"]] = plant.key

    def auditor_assign(self, plant: AuditorPlant) -> None:
        """A group's auditors take `share` of their market's audits (a team working for one market)."""
        for record in self.records:
            if plant.share and record["market"] == plant.market and self.rng.random() < plant.share:
                record["auditor_id"] = self.rng.choice(plant.auditors)

    def auditor_plant(self, plant: AuditorPlant) -> None:
        """The plant's auditors overturn `rate` of the correct removals they audit (in their market, if it has one),
        on every day and under every policy."""
        for record in self.records:
            if record["auditor_id"] not in plant.auditors or (plant.market and record["market"] != plant.market):
                continue
            correct_removal = record["decision_label"] == record["audit_label"] != NO_VIOLATION
            if correct_removal and self.rng.random() < plant.rate:
                self.overturn(record, plant)

    def auditor_decoy(self, plant: AuditorPlant) -> None:
        size = AUDITOR_DECOY_SIZES[plant.decoy]
        for index in range(size):
            if plant.decoy == "new_auditor":  # the last three days; two audits in five overturned
                record = self.traffic(self.rng.randrange(max(0, self.days - 3), self.days))
                overturned = index % 5 < 2
            else:  # bad_day: one day, every audit an overturn
                record = self.traffic(self.days // 3, market=plant.market)
                overturned = True
            record["auditor_id"] = plant.auditors[0]
            if overturned:
                self.overturn(record, plant)
            self.records.append(record)


FIXED_RESIDUAL = 0.1  # after a fix, a planted pattern keeps this share of its rate


def generate_audits(
    *,
    seed: int,
    days: int,
    audits_per_day: int,
    end: datetime | None = None,
    noise_rate: float = 0.04,
    decoys: bool = True,
    fixed: dict[str, datetime] | None = None,
    auditors: bool = True,
) -> SyntheticData:
    """`days` days of audits ending at `end` (default: now), `audits_per_day` of traffic a day plus the decoys.

    Deterministic for a given seed and end. External ids are `syn-<seed>-<n>`, so batches of different seeds can be
    imported together (a second batch with a later `end` is "more data" for the same planted patterns).

    `fixed` maps planted pattern keys to the moment a fix took effect: decisions made from then on carry the pattern's
    error at `FIXED_RESIDUAL` of its rate (the demo's fixes that work).

    `auditors` adds the auditor-driven patterns (`AUDITOR_PLANTED`: overturns of correct removals by one auditor
    across policies, and by a group in one market) and, with `decoys`, the auditor decoys. They come after the rest,
    so the traffic, its planted patterns and its decoys are the same with or without them.
    """
    fixed = fixed or {}
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
            if hit is not None and hit.key in fixed and datetime.fromisoformat(record["decided_at"]) >= fixed[hit.key]:
                hit = hit if generator.rng.random() < FIXED_RESIDUAL else None
            if hit is not None:
                generator.make_error(record, hit)
            elif generator.rng.random() < noise_rate:
                generator.make_noise(record)
            generator.records.append(record)
    if decoys:
        for decoy in DECOYS:
            generator.decoy(decoy)
    if auditors:
        for plant in AUDITOR_PLANTED:
            generator.auditor_assign(plant)
        for plant in AUDITOR_PLANTED:
            generator.auditor_plant(plant)
        for plant in AUDITOR_DECOYS if decoys else ():
            generator.auditor_decoy(plant)
    return SyntheticData(
        records=generator.records,
        planted=list(PLANTED),
        decoys=list(DECOYS) if decoys else [],
        truth=generator.truth,
        auditor_planted=list(AUDITOR_PLANTED) if auditors else [],
        auditor_decoys=list(AUDITOR_DECOYS) if auditors and decoys else [],
    )


def generate_slice_audits(
    *,
    seed: int,
    pattern: PlantedPattern,
    days: int,
    audits_per_day: int,
    end: datetime,
    fixed: datetime | None = None,
    audited_between: tuple[datetime, datetime] | None = None,
    noise_rate: float = 0.04,
) -> SyntheticData:
    """`days` days of audits ending at `end` in `pattern`'s slice only (more traffic of one slice): the pattern's error
    at its rate, at `FIXED_RESIDUAL` of it for decisions made from `fixed` on, noise among the rest.

    `audited_between`: the decisions were audited later than usual, each at a moment between the two (a late batch of
    QA, never before its decision). Deterministic for a given seed and times; external ids are `syn-<seed>-<n>`.
    """
    generator = _Generator(seed, end, days, noise_rate)
    for day in range(days):
        for _ in range(audits_per_day):
            record = generator.traffic(day, **pattern.slice)
            decided = datetime.fromisoformat(record["decided_at"])
            rate = pattern.rate * (FIXED_RESIDUAL if fixed is not None and decided >= fixed else 1)
            if generator.rng.random() < rate:
                generator.make_error(record, pattern)
            elif generator.rng.random() < noise_rate:
                generator.make_noise(record)
            if audited_between is not None:
                first, last = audited_between
                late = first + (last - first) * generator.rng.random()
                record["audited_at"] = max(late, decided).isoformat()
            generator.records.append(record)
    return SyntheticData(records=generator.records, planted=[pattern], decoys=[], truth=generator.truth)
