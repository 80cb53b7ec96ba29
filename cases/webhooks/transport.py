"""One HTTP POST to a checked address (`addresses.Target`), with the URL's host name in `Host` and, over TLS, in SNI
and the certificate check: the connection goes to the address that passed the SSRF check, not to a fresh lookup.
No redirects are followed (a redirect could point anywhere). Standard library only."""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from cases.webhooks.addresses import Target

MAX_RESPONSE_BYTES = 4096


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int
    body: str


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.address, target.port, timeout=timeout, context=ssl.create_default_context())
        self._server_name = target.host

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST `body`; returns the status and duration. Raises `OSError` (timeouts included) when no answer came."""
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if ":" not in target.host else f"[{target.host}]"
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host if target.port == default_port else f"{host}:{target.port}"},
        )
        answer = connection.getresponse()
        text = answer.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
        return Response(status=answer.status, duration_ms=round((time.monotonic() - started) * 1000), body=text)
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP answer: {exc!r}") from exc
    finally:
        connection.close()
