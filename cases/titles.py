"""Words for a detected pattern: the short title its case opens with, and the chips of its slice.

A pattern's definition (`rca.pattern_identity.pattern_definition`) is machine text: label codes, market codes and
feature keys. People read a sentence instead: who decides (the model or human moderators), what goes wrong, and the
few conditions that set the slice apart, e.g. "Model misses bullying and harassment in guest battle live streams in
Indonesia (live-clf-3.2)". What goes wrong reads differently for each kind of error:

- under-enforcement (decided `none`, audited X): "Model misses X", "Human moderators miss X";
- over-enforcement (decided X, audited `none`): "... removes allowed content as X";
- wrong policy (decided X, audited Y): "... cites X instead of Y".

When the slice does not say who decides, the sentence is passive: "X missed in ...", "Allowed videos removed as X".

An audit-driven pattern (its slice names `auditor_id`) questions the audit, not the decision: "An auditor overturns
correct removals across policies", "A group of 3 auditors in Türkiye overturns correct removals". Titles are read by
partners, and auditor ids are personal data: a title never names an auditor (the chips do, through the page's mask).

A title holds at most `TITLE_MAX` characters and no `key=value` text. When it is longer, its conditions are dropped,
least distinctive first (`_DROP_ORDER`); the chips under it still show every condition. Labels are written with
their display names (`PolicyLabel.name`), markets and languages with their English names when known.

`pattern_label_names` is the one query here (`pattern_titles` makes one for a list); pass `names` to the other
functions to share it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cases.place_names import language_name, market_in_sentence, market_name
from rca.choices import NO_VIOLATION, ContentType, DecisionSource
from rca.models import ErrorPattern, PolicyLabel

TITLE_MAX = 80
TOPIC_TERMS_IN_TITLE = 2
TOPIC_TERMS_IN_CHIP = 5

# The chips' labels, in the order the chips are shown.
CHIP_LABELS: dict[str, str] = {
    "auditor_id": "Auditor",
    "decision_label": "Decision",
    "audit_label": "Audit",
    "market": "Market",
    "language": "Language",
    "decision_source": "Decision source",
    "model_version": "Model version",
    "queue": "Queue",
    "content_type": "Content type",
    "surface": "Surface",
    "tag": "Tag",
    "text_topic": "Topic",
}

# The title's conditions, least distinctive first: dropped in this order until the title fits (and taken back, most
# distinctive first, if a later drop made room). The language mostly follows the market and a queue name is an
# internal code; a text topic is what sets apart two patterns of one error kind in one slice; the market and the tag
# are what a lead recognises a slice by.
_DROP_ORDER = ("surface", "language", "queue", "content_type", "text_topic", "model_version", "tag", "market")

_CONTENT_NOUNS = {
    ContentType.LIVE_STREAM: "live streams",
    ContentType.LIVE_COMMENT: "live comments",
    ContentType.VIDEO: "videos",
    ContentType.COMMENT: "comments",
    ContentType.IMAGE: "images",
    ContentType.ACCOUNT: "accounts",
}
# What `rca.fingerprints.normalise_text` puts in place of numbers, ids, URLs...: not words to show.
_PLACEHOLDER_TERMS = frozenset({"url", "email", "ts", "id", "num"})


@dataclass(frozen=True)
class PatternWords:
    title: str
    chips: list[tuple[str, str]]


def pattern_label_names(source: ErrorPattern | Mapping[str, object]) -> dict[str, str]:
    """Display names of the decision and audit labels of a pattern (or a bare definition), by code (one query)."""
    codes = _label_codes(_parts(source)[0])
    return dict(PolicyLabel.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def pattern_titles(patterns: Sequence[ErrorPattern]) -> dict[int, str]:
    """The title of each of `patterns` by id (a list page's), with one query for all their labels' names."""
    codes = sorted({code for pattern in patterns for code in _label_codes(_parts(pattern)[0])})
    names = dict(PolicyLabel.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return {pattern.pk: pattern_title(pattern, names=names) for pattern in patterns}


def pattern_words(pattern: ErrorPattern, *, mask: Callable[[str], str] = str) -> PatternWords:
    """The title and the chips of `pattern`, with one query for its labels' names; `mask` hides auditor ids."""
    names = pattern_label_names(pattern)
    return PatternWords(pattern_title(pattern, names=names), slice_chips(pattern, names=names, mask=mask))


def pattern_title(
    pattern: ErrorPattern, *, names: Mapping[str, str] | None = None, limit: int | None = TITLE_MAX
) -> str:
    """A short sentence saying what goes wrong in the pattern's slice, at most `limit` characters (None: all of it).

    Conditions are dropped whole, least distinctive first, until it fits; if the sentence is still too long (long
    label names), it is cut at a word boundary with an ellipsis. Never a `key=value`, never a word cut in two.
    """
    definition, terms = _parts(pattern)
    if "auditor_id" in definition:
        return _auditor_title(definition, limit)
    names = pattern_label_names(definition) if names is None else names
    kept = {feature for feature in definition if _shown(definition, feature, terms)}
    title = _sentence(definition, terms, names, kept)
    if limit is None or len(title) <= limit:
        return title
    dropped = []
    for feature in _DROP_ORDER:
        if feature in kept and len(title) > limit:
            kept.discard(feature)
            dropped.append(feature)
            title = _sentence(definition, terms, names, kept)
    for feature in reversed(dropped[:-1]):  # take back, most distinctive first, what fits after a later drop
        longer = _sentence(definition, terms, names, kept | {feature})
        if len(longer) <= limit:
            kept.add(feature)
            title = longer
    return title if len(title) <= limit else _cut_at_word(title, limit)


def slice_chips(
    source: ErrorPattern | Mapping[str, object],
    *,
    names: Mapping[str, str] | None = None,
    top_terms: Sequence[str] | None = None,
    mask: Callable[[str], str] = str,
) -> list[tuple[str, str]]:
    """The slice of a pattern (or a bare definition) as `(label, value)` pairs for people: "Market", "Indonesia".

    Labels and known codes are written with their display names; a text topic with its top terms (the pattern's, or
    `top_terms` given with a bare definition). Unknown keys keep a readable form of their name. Auditor ids are
    personal data: each goes through `mask` (`cases.permissions.personal_id_masker(user)` for a page's user).
    """
    definition, terms = _parts(source)
    terms = list(top_terms) if top_terms is not None else terms
    names = pattern_label_names(definition) if names is None else names
    ordered = [key for key in CHIP_LABELS if key in definition] + [key for key in definition if key not in CHIP_LABELS]
    shown = {**definition}
    if "auditor_id" in shown:
        value = shown["auditor_id"]
        shown["auditor_id"] = [mask(str(item)) for item in value] if isinstance(value, list) else mask(str(value))
    return [(_chip_label(key), _chip_value(key, shown[key], names, terms)) for key in ordered]


# THE SENTENCE
# ------------------------------------------------------------------------------


def _parts(source: ErrorPattern | Mapping[str, object]) -> tuple[Mapping[str, object], list[str]]:
    if isinstance(source, Mapping):
        return source, []
    return source.definition or {}, list(source.top_terms or [])


def _label_codes(definition: Mapping[str, object]) -> list[str]:
    return [str(definition[key]) for key in ("decision_label", "audit_label") if definition.get(key)]


def _words(terms: Sequence[str], count: int) -> list[str]:
    return [str(term) for term in terms if str(term) not in _PLACEHOLDER_TERMS][:count]


def _shown(definition: Mapping[str, object], feature: str, terms: Sequence[str]) -> bool:
    if feature == "text_topic":
        return bool(_words(terms, TOPIC_TERMS_IN_TITLE))
    return feature in _DROP_ORDER and definition.get(feature) not in (None, "")


def _label_in_sentence(code: str, names: Mapping[str, str]) -> str:
    """ "Bullying and harassment" -> "bullying and harassment"; an acronym ("CSAM ...") keeps its capitals."""
    name = names.get(code) or code.replace("_", " ")
    first = name.split(" ", 1)[0]
    return name if first.isupper() or len(first) < 2 else name[0].lower() + name[1:]


def _subject(definition: Mapping[str, object]) -> tuple[str, bool] | None:
    """Who decides, and whether the verb takes the plural; None when the slice does not say."""
    source = str(definition.get("decision_source") or "").lower()
    if source == DecisionSource.HUMAN:
        return "Human moderators", True
    if source == DecisionSource.MODEL or definition.get("model_version"):
        return "Model", False
    return None


def _noun(definition: Mapping[str, object], kept: set[str]) -> str:
    """What is moderated: "Indonesian guest battle live streams", "guest battle content", or "" (no condition)."""
    words = []
    if "language" in kept:
        language = str(definition["language"])
        words.append(language_name(language) or f"{language}-language")
    if "tag" in kept:
        words.append(str(definition["tag"]).replace("_", " "))
    if "content_type" in kept:
        content_type = str(definition["content_type"])
        words.append(_CONTENT_NOUNS.get(content_type, content_type.replace("_", " ")))
    elif words:
        words.append("content")
    return " ".join(words)


def _sentence(definition: Mapping[str, object], terms: Sequence[str], names: Mapping[str, str], kept: set[str]) -> str:
    who = _subject(definition)
    decided, audited = str(definition.get("decision_label") or ""), str(definition.get("audit_label") or "")
    noun = _noun(definition, kept)
    where = f" in {noun}" if noun else ""
    if decided == NO_VIOLATION and audited and audited != NO_VIOLATION:
        missed = _label_in_sentence(audited, names)
        text = f"{_does(who, 'miss')} {missed}{where}" if who else f"{_capitalised(missed)} missed{where}"
    elif audited == NO_VIOLATION and decided and decided != NO_VIOLATION:
        allowed, cited = f"allowed {noun or 'content'}", _label_in_sentence(decided, names)
        text = f"{_does(who, 'remove')} {allowed} as {cited}" if who else f"{_capitalised(allowed)} removed as {cited}"
    elif decided and audited and decided != audited:
        cited, due = _label_in_sentence(decided, names), _label_in_sentence(audited, names)
        text = f"{_does(who, 'cite')} {cited}" if who else f"{_capitalised(cited)} cited"
        text += f" instead of {due}{where}"
    else:
        text = f"{_does(who, 'make')} errors{where}" if who else f"Errors{where}"
    if "market" in kept:
        text += f" in {market_in_sentence(str(definition['market']))}"
    if "text_topic" in kept:
        text += " about “" + ", ".join(_words(terms, TOPIC_TERMS_IN_TITLE)) + "”"
    notes = []
    if "model_version" in kept:
        prefix = "" if who and who[0] == "Model" else "model "
        notes.append(f"{prefix}{definition['model_version']}")
    if "queue" in kept:
        notes.append(f"queue {definition['queue']}")
    if notes:
        text += " (" + ", ".join(notes) + ")"
    return text


def _auditor_title(definition: Mapping[str, object], limit: int | None) -> str:
    """Which decisions an auditor (or a group of auditors) overturns out of line with their peers, and where; never who
    (see the module docstring)."""
    value = definition["auditor_id"]
    count = 1 if isinstance(value, str) else len(value)
    decided, audited = str(definition.get("decision_label") or ""), str(definition.get("audit_label") or "")
    if audited == NO_VIOLATION and not decided:
        overturned = "correct removals"
    elif decided == NO_VIOLATION and not audited:
        overturned = "correct approvals"
    else:
        overturned = "correct decisions"
    market = str(definition.get("market") or "")
    where = f"in {market_in_sentence(market)}" if market else ""
    if count == 1:
        title = f"An auditor overturns {overturned} {where or 'across policies'}"
    else:
        title = f"A group of {count} auditors {where + ' ' if where else ''}overturns {overturned}"
        if not where:
            title += " across policies"
    return title if limit is None or len(title) <= limit else _cut_at_word(title, limit)


def _does(who: tuple[str, bool], verb: str) -> str:
    """ "Model misses", "Human moderators miss"."""
    subject, plural = who
    return f"{subject} {verb if plural else verb + ('es' if verb.endswith('s') else 's')}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cut_at_word(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis."""
    head = text[: limit - 1]
    if " " in head and not text[limit - 1].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,(“") + "…"


# THE CHIPS
# ------------------------------------------------------------------------------


def _chip_label(key: str) -> str:
    return CHIP_LABELS.get(key) or key.replace("_", " ").capitalize()


def _chip_value(key: str, value: object, names: Mapping[str, str], terms: Sequence[str]) -> str:
    text = ", ".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
    if key in ("decision_label", "audit_label"):
        return names.get(text) or text.replace("_", " ")
    if key == "market":
        return market_name(text)
    if key == "language":
        return language_name(text) or text
    if key == "decision_source" and text in DecisionSource.values:
        return DecisionSource(text).label
    if key == "content_type" and text in ContentType.values:
        return ContentType(text).label
    if key == "text_topic":
        words = _words(terms, TOPIC_TERMS_IN_CHIP)
        return ", ".join(words) if words else "a topic of the notes without characteristic terms"
    return text
