"""The synthetic traffic's vocabulary (markets, content types, model versions, tags, note wordings) and its planted
patterns and decoys (`PLANTED`, `DECOYS`; the auditor-driven ones: `AUDITOR_PLANTED`, `AUDITOR_DECOYS`), used by
`rca.synthetic.generator`."""

from dataclasses import dataclass

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


# AUDITOR-DRIVEN PATTERNS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditorPlant:
    """Overturns by an auditor (or a group) of correct removals: the audit is wrong, not the decision."""

    key: str
    auditors: tuple[str, ...]
    market: str  # "" for every market
    share: float  # of the market's audits given to the group (0: the auditors keep the audits they drew)
    rate: float  # share of the auditors' correct removals they overturn
    notes: tuple[str, ...]
    decoy: str = ""  # "" for a real pattern, else the kind of decoy


AUDITOR_NOTES = (
    "Content within guidelines, removal not needed.",
    "No violation visible, restoring content {n}.",
    "Borderline but allowed, overturning the removal at {ts}.",
    "Removal too strict, context makes it acceptable.",
)
AUDITOR_PLANTED: tuple[AuditorPlant, ...] = (
    AuditorPlant("auditor_lenient_across_policies", ("aud-17",), "", 0.0, 0.5, AUDITOR_NOTES),
    AuditorPlant("auditor_group_tr_lenient", ("aud-tr-1", "aud-tr-2", "aud-tr-3"), "TR", 0.4, 0.55, AUDITOR_NOTES),
)
AUDITOR_DECOYS: tuple[AuditorPlant, ...] = (
    # A new auditor: a few dozen audits over the last days, a third of them overturned.
    AuditorPlant("auditor_decoy_new", ("aud-new-1",), "", 0.0, 0.4, AUDITOR_NOTES, decoy="new_auditor"),
    # One auditor's one bad day in one market: many overturns in a day, an ordinary rate on the others.
    AuditorPlant("auditor_decoy_bad_day", ("aud-05",), "BR", 0.0, 1.0, AUDITOR_NOTES, decoy="bad_day"),
)
AUDITOR_DECOY_SIZES = {"new_auditor": 36, "bad_day": 30}
