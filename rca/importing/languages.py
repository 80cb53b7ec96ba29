"""BCP 47 language tags, the values a sample's `language` may take (docs/sample-format.md)."""

import re

# language[-Script][-REGION][-variant]*: the BCP 47 subtags that moderation data uses (no extlang, extensions or
# private use). Matched case-insensitively and stored in canonical case (`pt-BR`, `zh-Hant-TW`).
_LANGUAGE_TAG = re.compile(
    r"(?P<language>[a-z]{2,3})(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)",
    re.IGNORECASE,
)


def canonical_language(text: str) -> str | None:
    """`text` in the canonical case of a language tag (`PT-br` -> `pt-BR`), or None when it is not one."""
    match = _LANGUAGE_TAG.fullmatch(text)
    if match is None:
        return None
    parts = [match["language"].lower()]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    if match["variants"]:
        parts.append(match["variants"][1:].lower())
    return "-".join(parts)
