"""The stories the demo cases tell: one per planted pattern of the synthetic audits (`rca.synthetic.catalog`), so a
case's title, policy label and market always match the samples it is opened with (they are the pattern's errors).

Each story names who the work goes to (the partner team and person), the root cause found and the fix handed out.
"""

from dataclasses import dataclass

from cases.choices import ActionItemKind, RootCauseCategory
from rca.synthetic.catalog import PLANTED, PlantedPattern


@dataclass(frozen=True)
class Story:
    pattern_key: str
    titles: tuple[str, ...]
    team: str  # slug of the team that owns the case and gets the action item
    partner: str  # username of the partner who owns the action item
    root_cause: str
    root_cause_statement: str
    finding: str
    action_kind: str
    action_title: str

    @property
    def pattern(self) -> PlantedPattern:
        return next(pattern for pattern in PLANTED if pattern.key == self.pattern_key)

    @property
    def market(self) -> str:
        return self.pattern.slice["market"]

    @property
    def decision_label(self) -> str:
        return self.pattern.decision_label

    @property
    def audit_label(self) -> str:
        return self.pattern.audit_label

    @property
    def measure(self) -> dict:
        """The slice the lead opens the case from (the explorer's filters): the pattern's conditions and labels."""
        return {
            "population": {"decision_label": self.decision_label, **self.pattern.slice},
            "audit_label": self.audit_label,
        }


STORIES: tuple[Story, ...] = (
    Story(
        "id_slang_insult_missed",
        ("Slang insults missed by the live model in ID", "ID live battles: slang insults at guests not caught"),
        "ml",
        "ml",
        RootCauseCategory.LOCALISATION,
        "The live classifier has no Indonesian slang in its training data.",
        "The misses are all model decisions on ID live streams, insults in local slang.",
        ActionItemKind.MODEL_FIX,
        "Add Indonesian slang insults to the live classifier's training set",
    ),
    Story(
        "br_casino_promo_missed",
        ("Casino promotions left up in BR shopping streams", "BR shopping lives: betting site referrals missed"),
        "policy",
        "policy",
        RootCauseCategory.POLICY_GAP,
        "The regulated goods policy does not name online casino referrals.",
        "The missed promotions are betting referral codes and links shown on screen.",
        ActionItemKind.POLICY_UPDATE,
        "Name casino and betting referrals in the regulated goods policy",
    ),
    Story(
        "us_adult_athlete_flagged_minor",
        (
            "Adult athletes removed as minors in US sports",
            "US sports lives: verified adults flagged under minor safety",
        ),
        "operations",
        "ops",
        RootCauseCategory.REVIEWER_TRAINING,
        "Reviewers judge age from the outfit rather than the account's verified age.",
        "Every overturned removal is a verified adult in training clothes.",
        ActionItemKind.TRAINING,
        "Refresher on age signals for the US sports queue",
    ),
    Story(
        "de_documentary_extremism_fp",
        ("History documentaries removed as extremism in DE", "DE videos: archive footage taken down as extremism"),
        "policy",
        "policy",
        RootCauseCategory.GUIDELINE_AMBIGUITY,
        "The guideline does not say how to treat archive footage in an educational context.",
        "The removed videos are documentaries showing archive symbols without glorification.",
        ActionItemKind.GUIDELINE_CLARIFICATION,
        "Add documentary and educational examples to the extremism guideline",
    ),
    Story(
        "tr_crypto_giveaway_missed",
        (
            "Crypto giveaway scams missed in TR live comments",
            "TR live comments: wallet doubling scams slip through",
        ),
        "ml",
        "ml",
        RootCauseCategory.MODEL_DEFECT,
        "The comment model does not read wallet addresses as a scam signal.",
        "The missed comments all carry a wallet address and a giveaway promise.",
        ActionItemKind.MODEL_FIX,
        "Teach the comment model the wallet-address scam signal",
    ),
    Story(
        "mx_cartel_banner_wrong_policy",
        ("Cartel propaganda actioned as graphic violence in MX", "MX reviewers: cartel videos under the wrong policy"),
        "operations",
        "ops",
        RootCauseCategory.REVIEWER_TRAINING,
        "Reviewers pick graphic violence for armed propaganda instead of extremism.",
        "The wrong label is chosen by human reviewers only, on armed group propaganda.",
        ActionItemKind.TRAINING,
        "Calibration session on extremism versus graphic violence for MX",
    ),
    Story(
        "jp_cosplay_nudity_fp",
        ("Cosplay removed as nudity in JP beauty streams", "JP beauty lives: cosplay outfits over-enforced as nudity"),
        "policy",
        "policy",
        RootCauseCategory.GUIDELINE_AMBIGUITY,
        "The nudity guideline has no examples of costume and cosplay outfits.",
        "The overturned removals are cosplay outfits within the guideline.",
        ActionItemKind.GUIDELINE_CLARIFICATION,
        "Add cosplay examples to the adult nudity guideline",
    ),
    Story(
        "ph_veiled_self_harm_missed",
        (
            "Veiled self-harm talk missed in PH live streams",
            "PH reviewers: coded self-harm talk in Tagalog missed",
        ),
        "operations",
        "ops",
        RootCauseCategory.LOCALISATION,
        "The self-harm guideline lists no Tagalog coded expressions.",
        "The misses are coded statements in Tagalog that reviewers did not recognise.",
        ActionItemKind.GUIDELINE_CLARIFICATION,
        "Add a Tagalog glossary of coded self-harm expressions",
    ),
    Story(
        "fr_satire_hate_fp",
        ("Satire removed as hate speech in FR comments", "FR comments: counter-speech over-enforced as hate"),
        "policy",
        "policy",
        RootCauseCategory.POLICY_GAP,
        "The hate speech policy has no exception for satire and counter-speech.",
        "The removed comments mock hateful speech rather than endorse it.",
        ActionItemKind.POLICY_UPDATE,
        "Write the satire and counter-speech exception into the hate policy",
    ),
    Story(
        "vn_animal_fight_missed",
        ("Animal fights missed by live-clf-3.1 in VN", "VN live streams: cockfight betting not detected"),
        "ml",
        "ml",
        RootCauseCategory.MODEL_DEFECT,
        "live-clf-3.1 has no animal fighting class; 3.2 has it but VN still runs 3.1.",
        "Every miss is a live-clf-3.1 decision on an animal fight stream.",
        ActionItemKind.MODEL_FIX,
        "Move VN live streams to live-clf-3.2",
    ),
    Story(
        "gb_pile_on_raid_missed",
        ("Pile-on raids missed in GB live comments", "GB live comments: brigading and doxxing not actioned"),
        "operations",
        "ops",
        RootCauseCategory.TOOLING_ROUTING,
        "Raid comments are reviewed one by one in the general queue, never as a burst.",
        "The missed comments come in bursts from new accounts against one streamer.",
        ActionItemKind.TOOLING_FIX,
        "Route comment bursts on one stream to the priority queue as a group",
    ),
)
