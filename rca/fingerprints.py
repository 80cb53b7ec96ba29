"""Pure helpers that give text and slices a stable shape: text normalisation, slice normalisation, fingerprints.

No database access: plain data in, plain data out. Like Sentry's parameterisation, numbers, URLs, e-mail addresses,
hex ids and timestamps are replaced by placeholders before anything is vectorised or hashed, so that "stream 8812"
and "stream 9913" read as the same wording.
"""

import hashlib
import json
import re
from collections.abc import Mapping

FINGERPRINT_VERSION = "v1"

# Order matters: URLs and e-mails before the generic id/number rules that would eat their parts.
_PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE), " url "),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), " email "),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:?\d{2})?)?", re.I), " ts "),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"), " ts "),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE), " id "),
    (re.compile(r"\b(?=[a-z_-]*\d)(?=\w*[a-z])[a-z0-9]+(?:[_-][a-z0-9]+)+\b", re.IGNORECASE), " id "),
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.IGNORECASE), " id "),
    (re.compile(r"\b\d+(?:[.,]\d+)*\b"), " num "),
)
_SPACES = re.compile(r"\s+")

# Slice features, in the canonical order used by names and fingerprints. `auditor_id` (one id, or a group's list) is
# the condition of audit-driven patterns (`rca.detection.auditors`); a pattern without it hashes as it always did.
SLICE_FEATURES: tuple[str, ...] = (
    "decision_label",
    "audit_label",
    "market",
    "language",
    "decision_source",
    "model_version",
    "queue",
    "content_type",
    "tag",
    "text_topic",
    "auditor_id",
)


# Per rule above, what a text must hold for it to match (substrings of the lower-cased text, and a digit or not):
# cheap tests that skip most regex passes over the text.
_NEEDS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("http", "www."), False),
    (("@",), False),
    ((), True),
    ((":",), True),
    (("-",), False),
    ((), True),
    ((), False),
    ((), True),
)
_DIGIT = re.compile(r"\d")


def normalise_text(text: str) -> str:
    """Lower-case `text` with URLs, e-mails, timestamps, ids and numbers replaced by placeholders."""
    if not text:
        return ""
    out = text
    lower = text.lower()
    digits = _DIGIT.search(text) is not None
    for (pattern, placeholder), (marks, needs_digit) in zip(_PLACEHOLDERS, _NEEDS, strict=True):
        if (needs_digit and not digits) or (marks and not any(mark in lower for mark in marks)):
            continue
        out = pattern.sub(placeholder, out)
    return _SPACES.sub(" ", out).strip().lower()


def _normalise_value(feature: str, value) -> str | int | list[str]:
    if feature == "text_topic":
        return int(value)
    if feature == "auditor_id" and isinstance(value, list | tuple):
        return sorted(str(item).strip() for item in value)
    value = str(value).strip()
    if feature == "market":
        return value.upper()
    if feature == "language":
        return value
    return value.lower() if feature in ("decision_source", "content_type", "decision_label", "audit_label") else value


def normalise_slice(definition: Mapping[str, object]) -> dict[str, str | int | list[str]]:
    """The slice with known features only, values in canonical case, keys in canonical order; unknown keys raise."""
    unknown = set(definition) - set(SLICE_FEATURES)
    if unknown:
        raise ValueError(f"Unknown slice feature(s): {', '.join(sorted(unknown))}.")
    return {
        feature: _normalise_value(feature, definition[feature]) for feature in SLICE_FEATURES if feature in definition
    }


def pattern_fingerprint(definition: Mapping[str, object], *, version: str = FINGERPRINT_VERSION) -> str:
    """A versioned hash of the normalised slice (text topic included): `v1:` + 60 hex digits, 63 characters."""
    canonical = json.dumps(normalise_slice(definition), sort_keys=False, separators=(",", ":"))
    digest = hashlib.sha256(f"{version}|{canonical}".encode()).hexdigest()[:60]
    return f"{version}:{digest}"


def pattern_name(definition: Mapping[str, object], top_terms: list[str], *, max_terms: int = 3) -> str:
    """A readable name from the slice and the top terms, e.g. `none → bullying_harassment · ID · model · "slang"`; an
    audit-driven pattern's labels may be any (`*`): `* → none · auditor_id=aud-17`."""
    slice_ = normalise_slice(definition)
    any_label = "*" if "auditor_id" in slice_ else "?"
    head = f"{slice_.get('decision_label', any_label)} → {slice_.get('audit_label', any_label)}"
    parts = [head] + [
        f"{feature}={','.join(value) if isinstance(value, list) else value}"
        for feature, value in slice_.items()
        if feature not in ("decision_label", "audit_label", "text_topic")
    ]
    name = " · ".join(parts)
    if top_terms:
        name += " · “" + ", ".join(top_terms[:max_terms]) + "”"
    return name[:255]
