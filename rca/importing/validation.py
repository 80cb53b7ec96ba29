"""Validation of one moderation-sample record against its format (docs/sample-format.md).

One validator serves every way in: JSON-typed records (the bulk API, JSON Lines files: numbers are numbers, tags a
list, null allowed for optional fields) and textual records (CSV: every value a string, `""` for absent, tags
`;`-separated, the score and the weight decimal strings). The result is either a clean dict keyed by `COPY_COLUMNS`
(labels as `*_label_id`, tags encoded as ";a;b;", datetimes aware, the derived `outcome`) and no errors, or `None`
and `{field: [messages]}`. The field names, which fields are required and the length limits come from
`rca.sample_fields`; tests/rca/test_sample_fields.py checks this module against that table.

This is the import's hot path (a million rows a run): each field's check is written out (no loop over the table), as
plain comparisons, set look-ups and `datetime.fromisoformat`; the one regex (languages.py) runs once per distinct value.
The numeric fields (the model's score, the sampling weight) are checked in numbers.py.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from rca.choices import ContentType, DecisionSource
from rca.importing.countries import ISO_3166_ALPHA_2
from rca.importing.languages import canonical_language
from rca.importing.numbers import clean_score, clean_weight
from rca.importing.values import json_kind
from rca.importing.values import shown as _shown
from rca.models import PolicyLabel, encode_tags
from rca.outcomes import derive_outcome
from rca.sample_fields import BY_NAME, FIELDS, RECORD_FIELDS

# ---------------------------------------------------------------------------------------------------------------------
# The format's limits (rca.sample_fields)
# ---------------------------------------------------------------------------------------------------------------------

KNOWN_FIELDS = frozenset(FIELDS)
NON_FIELD_ERRORS = "non_field_errors"
# The longest value of each field, in characters (of each tag, for `tags`).
MAX_LENGTH: dict[str, int] = {field.name: field.max_length for field in RECORD_FIELDS if field.max_length is not None}
# A choice or a market longer than this is reported as too long rather than quoted in a "not a valid choice" message.
CODE_MAX = 64
DEFAULT_SURFACE = BY_NAME["surface"].default
MIN_YEAR, MAX_YEAR = 1000, 9998

CONTENT_TYPES = frozenset(ContentType.values)
DECISION_SOURCES = frozenset(DecisionSource.values)
MODEL_SOURCE = DecisionSource.MODEL.value

_LANGUAGE_CACHE_MAX = 10_000

# ---------------------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------------------

REQUIRED = "This field is required."
UNKNOWN_FIELD = "Unknown field (the fields are those of docs/sample-format.md)."
NOT_AN_OBJECT = "Expected an object with the sample's fields, got {kind}."
NUL_CHARACTER = "Null characters are not allowed."
UNENCODABLE = "Contains characters that cannot be encoded as UTF-8 (lone surrogates)."
TOO_LONG = "Ensure this field has no more than {limit} characters."
NOT_A_STRING = "Expected a string, got {kind}."
NOT_A_CHOICE = '"{value}" is not a valid choice; expected one of: {choices}.'
MARKET_CASE = '"{value}" must be upper case: {upper}.'
NOT_A_MARKET = '"{value}" is not an ISO 3166-1 alpha-2 country code (e.g. US, ID, BR).'
NOT_A_LANGUAGE = '"{value}" is not a BCP 47 language tag (e.g. en, id, pt-BR).'
UNKNOWN_LABEL = '"{value}" is not a known policy label.'
MODEL_VERSION_REQUIRED = "This field is required when decision_source is model."
NOT_A_DATETIME = '"{value}" is not an ISO 8601 date-time (e.g. 2026-11-02T10:14:00+07:00).'
NO_OFFSET = '"{value}" has no UTC offset: add one (e.g. +07:00, or Z for UTC).'
DATETIME_RANGE = '"{value}" is out of the supported range (years 1000-9998).'
IN_THE_FUTURE = '"{value}" is in the future (more than {skew} minutes after the import started).'
AUDIT_BEFORE_DECISION = "audited_at must not be before decided_at."
NOT_A_TAG_LIST = "Expected a list of strings, got {kind}."
TAG_NOT_A_STRING = "Each tag must be a string, got {kind}."
TAG_LENGTH = "Each tag must be 1-{limit} characters: {value!r}."
TAG_SEPARATOR = "A tag may not contain ';': {value!r}."

Errors = dict[str, list[str]]


def active_label_codes() -> frozenset[str]:
    """Codes of the active policy labels: what `decision_label` / `audit_label` may say (one query)."""
    return frozenset(PolicyLabel.objects.filter(is_active=True).values_list("code", flat=True))


# ---------------------------------------------------------------------------------------------------------------------
# Field checks (each records its message in `errors` and returns the clean value, or a neutral one on error)
# ---------------------------------------------------------------------------------------------------------------------


def _text(value: Any, errors: Errors, field: str, limit: int, *, required: bool = False, strip: bool = True) -> str:
    if value.__class__ is str:  # the common case in a few C-level tests (isascii is O(1) in CPython)
        if strip:
            value = value.strip()
        if len(value) <= limit and value.isascii() and "\x00" not in value and (value or not required):
            return value
    return _text_checked(value, errors, field, limit, required=required, strip=strip)


def _text_checked(value: Any, errors: Errors, field: str, limit: int, *, required: bool, strip: bool) -> str:
    if value is None:
        if required:
            errors[field] = [REQUIRED]
        return ""
    if not isinstance(value, str):
        errors[field] = [NOT_A_STRING.format(kind=json_kind(value))]
        return ""
    if strip:
        value = value.strip()
    if not value:
        if required:
            errors[field] = [REQUIRED]
        return ""
    if len(value) > limit:
        errors[field] = [TOO_LONG.format(limit=limit)]
        return ""
    if "\x00" in value:
        errors[field] = [NUL_CHARACTER]
        return ""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors[field] = [UNENCODABLE]
            return ""
    return value


def _datetime(value: Any, errors: Errors, field: str, latest: datetime) -> datetime | None:
    if isinstance(value, str):
        value = value.strip()
    elif value is not None:
        errors[field] = [NOT_A_STRING.format(kind=json_kind(value))]
        return None
    if not value:
        errors[field] = [REQUIRED]
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors[field] = [NOT_A_DATETIME.format(value=_shown(value))]
        return None
    if moment.tzinfo is None:
        errors[field] = [NO_OFFSET.format(value=_shown(value))]
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # beyond, the UTC value may not be a Python datetime any more
        errors[field] = [DATETIME_RANGE.format(value=_shown(value))]
        return None
    if moment > latest:
        errors[field] = [IN_THE_FUTURE.format(value=_shown(value), skew=settings.IMPORT_MAX_CLOCK_SKEW_MINUTES)]
        return None
    return moment


def _tags(value: Any, errors: Errors, *, textual: bool) -> str:
    if value is None:
        return ""
    if textual and isinstance(value, str):
        # CSV: `a;b`; empty pieces (`a;;b`, a trailing `;`) are separators, not tags.
        if not value:
            return ""
        tags = [piece.strip() for piece in value.split(";")]
        if "" in tags:
            tags = [tag for tag in tags if tag]
    elif isinstance(value, list | tuple):
        tags = []
        for tag in value:
            if not isinstance(tag, str):
                errors["tags"] = [TAG_NOT_A_STRING.format(kind=json_kind(tag))]
                return ""
            tag = tag.strip()
            if ";" in tag:
                errors["tags"] = [TAG_SEPARATOR.format(value=_shown(tag))]
                return ""
            tags.append(tag)
    else:
        errors["tags"] = [NOT_A_TAG_LIST.format(kind=json_kind(value))]
        return ""
    for tag in tags:
        if not tag or len(tag) > MAX_LENGTH["tags"]:
            errors["tags"] = [TAG_LENGTH.format(limit=MAX_LENGTH["tags"], value=_shown(tag))]
            return ""
    if not tags:
        return ""
    if len(tags) > 1 and len(set(tags)) < len(tags):
        tags = list(dict.fromkeys(tags))
    encoded = encode_tags(tags)
    if "\x00" in encoded:
        errors["tags"] = [NUL_CHARACTER]
        return ""
    if not encoded.isascii():
        try:
            encoded.encode("utf-8")
        except UnicodeEncodeError:
            errors["tags"] = [UNENCODABLE]
            return ""
    return encoded


# ---------------------------------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------------------------------


class RecordValidator:
    """Validates records against one snapshot of the active policy labels and of the clock (build it once per import,
    not per row): a `decided_at` or `audited_at` later than that time plus `IMPORT_MAX_CLOCK_SKEW_MINUTES` is refused.

    `textual=True` reads CSV values (strings only); otherwise values are JSON-typed. Calling it never raises, whatever
    the input: it returns `(clean, {})` or `(None, errors)`.
    """

    def __init__(self, labels: Iterable[str], *, textual: bool = False) -> None:
        self.labels = frozenset(labels)
        self.textual = textual
        self._languages: dict[str, str | None] = {}
        self._outcomes: dict[tuple[str, str], str] = {}
        self.latest = datetime.now(UTC) + timedelta(minutes=settings.IMPORT_MAX_CLOCK_SKEW_MINUTES)

    def __call__(self, raw: Any) -> tuple[dict[str, Any] | None, Errors]:
        if not isinstance(raw, Mapping):
            return None, {NON_FIELD_ERRORS: [NOT_AN_OBJECT.format(kind=json_kind(raw))]}
        errors: Errors = {}
        if not raw.keys() <= KNOWN_FIELDS:
            for key in raw:
                if key not in KNOWN_FIELDS:
                    errors[str(key)] = [UNKNOWN_FIELD]
        get = raw.get
        textual = self.textual

        labels = self.labels
        # Enumerations and codes: one class check and one set look-up in the common case, the full check otherwise.
        external_id = _text(get("external_id"), errors, "external_id", MAX_LENGTH["external_id"], required=True)
        content_id = _text(get("content_id"), errors, "content_id", MAX_LENGTH["content_id"], required=True)
        content_type = get("content_type")
        if content_type.__class__ is not str or content_type not in CONTENT_TYPES:
            content_type = _choice(content_type, errors, "content_type", CONTENT_TYPES)
        surface = _text(get("surface"), errors, "surface", MAX_LENGTH["surface"]) or DEFAULT_SURFACE
        market = get("market")
        if market.__class__ is not str or market not in ISO_3166_ALPHA_2:
            market = _market(market, errors)
        language = get("language")
        language = (language.__class__ is str and self._languages.get(language)) or self._language(language, errors)
        queue = _text(get("queue"), errors, "queue", MAX_LENGTH["queue"])
        decision_source = get("decision_source")
        if decision_source.__class__ is not str or decision_source not in DECISION_SOURCES:
            decision_source = _choice(decision_source, errors, "decision_source", DECISION_SOURCES)
        model_version = _text(get("model_version"), errors, "model_version", MAX_LENGTH["model_version"])
        if decision_source == MODEL_SOURCE and not model_version and "model_version" not in errors:
            errors["model_version"] = [MODEL_VERSION_REQUIRED]
        moderator_id = _text(get("moderator_id"), errors, "moderator_id", MAX_LENGTH["moderator_id"])
        decision_label = get("decision_label")
        if decision_label.__class__ is not str or decision_label not in labels:
            decision_label = _label(decision_label, errors, "decision_label", labels)
        audit_label = get("audit_label")
        if audit_label.__class__ is not str or audit_label not in labels:
            audit_label = _label(audit_label, errors, "audit_label", labels)
        model_score = clean_score(get("model_score"), errors, textual=textual)
        decided_at = _datetime(get("decided_at"), errors, "decided_at", self.latest)
        audited_at = _datetime(get("audited_at"), errors, "audited_at", self.latest)
        if decided_at is not None and audited_at is not None and audited_at < decided_at:
            errors["audited_at"] = [AUDIT_BEFORE_DECISION]
        auditor_id = _text(get("auditor_id"), errors, "auditor_id", MAX_LENGTH["auditor_id"])
        notes = _text(get("notes"), errors, "notes", MAX_LENGTH["notes"], strip=False)
        transcript = _text(get("transcript"), errors, "transcript", MAX_LENGTH["transcript"], strip=False)
        tags = _tags(get("tags"), errors, textual=textual)
        weight = clean_weight(get("weight"), errors, textual=textual)

        if errors:
            return None, errors
        outcome = self._outcomes.get((decision_label, audit_label))
        if outcome is None:
            outcome = self._outcomes[decision_label, audit_label] = str(derive_outcome(decision_label, audit_label))
        # Keyed by COPY_COLUMNS, in their order (tests/rca/test_sample_fields.py holds the two together).
        return {
            "external_id": external_id,
            "content_id": content_id,
            "content_type": content_type,
            "surface": surface,
            "market": market,
            "language": language,
            "queue": queue,
            "decision_source": decision_source,
            "model_version": model_version,
            "moderator_id": moderator_id,
            "decision_label_id": decision_label,
            "audit_label_id": audit_label,
            "outcome": outcome,
            "model_score": model_score,
            "decided_at": decided_at,
            "audited_at": audited_at,
            "auditor_id": auditor_id,
            "notes": notes,
            "transcript": transcript,
            "tags": tags,
            "weight": weight,
        }, {}

    # -- language tags (validated once per distinct value) ----------------------------------------------------------

    def _language(self, value: Any, errors: Errors) -> str:
        text = _text(value, errors, "language", MAX_LENGTH["language"], required=True)
        if "language" in errors:
            return ""
        canonical = canonical_language(text)
        if len(self._languages) < _LANGUAGE_CACHE_MAX:
            self._languages[value] = canonical
        if canonical is None:
            errors["language"] = [NOT_A_LANGUAGE.format(value=_shown(text))]
            return ""
        return canonical


def _choice(value: Any, errors: Errors, field: str, choices: frozenset[str]) -> str:
    value = _text(value, errors, field, CODE_MAX, required=True)
    if field in errors:
        return ""
    if value not in choices:
        errors[field] = [NOT_A_CHOICE.format(value=_shown(value), choices=", ".join(sorted(choices)))]
        return ""
    return value


def _market(value: Any, errors: Errors) -> str:
    value = _text(value, errors, "market", CODE_MAX, required=True)
    if "market" in errors:
        return ""
    if value in ISO_3166_ALPHA_2:
        return value
    if value.upper() in ISO_3166_ALPHA_2:
        errors["market"] = [MARKET_CASE.format(value=value, upper=value.upper())]
    else:
        errors["market"] = [NOT_A_MARKET.format(value=_shown(value))]
    return ""


def _label(value: Any, errors: Errors, field: str, labels: frozenset[str]) -> str:
    value = _text(value, errors, field, CODE_MAX, required=True)
    if field in errors:
        return ""
    if value not in labels:
        errors[field] = [UNKNOWN_LABEL.format(value=_shown(value))]
        return ""
    return value


def validate_record(
    raw: Any, *, labels: Iterable[str] | None = None, textual: bool = False
) -> tuple[dict[str, Any] | None, Errors]:
    """Validate one record; returns `(clean, {})` or `(None, {field: [messages]})` and never raises.

    `labels` defaults to the active policy labels read from the database (one query): an import validating many
    records builds one `RecordValidator` instead.
    """
    return RecordValidator(active_label_codes() if labels is None else labels, textual=textual)(raw)
