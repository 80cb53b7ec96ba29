"""Signing of webhook bodies (pure: no Django, no I/O), the same function the receiver's recipe in docs/webhooks.md
uses.

The signature is HMAC-SHA256, keyed with the endpoint's secret, over `<timestamp>.<raw body>` (the timestamp in Unix
seconds, as sent in `X-RCA-Timestamp`), hex-encoded and sent as `X-RCA-Signature: sha256=<hex>`. Signing the timestamp
with the body lets a receiver refuse a replayed delivery whose timestamp is too old.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-RCA-Signature"
TIMESTAMP_HEADER = "X-RCA-Timestamp"
EVENT_HEADER = "X-RCA-Event"
DELIVERY_HEADER = "X-RCA-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-RCA-Signature` value of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, received: str, *, now: float, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """True when `received` is the signature of `body` at `timestamp` and the timestamp is within `tolerance`
    seconds of `now` (compared in constant time)."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent_at, body), received or "")


def signed_headers(secret: str, timestamp: int, body: bytes, *, event: str, delivery_id: str) -> dict[str, str]:
    """Every header of a webhook delivery but the transport ones."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "rca-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
