from rest_framework.throttling import SimpleRateThrottle


class TokenClientRateThrottle(SimpleRateThrottle):
    """Rate-limits programs that authenticate with a token (per user); browser sessions are not throttled."""

    scope = "token_client"

    def get_cache_key(self, request, view):
        if request.auth is None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
