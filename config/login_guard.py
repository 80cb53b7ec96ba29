"""Brute-force protection of the two password endpoints (the login page and `POST /api/v1/auth/token/`), with
django-axes: its settings are in `config/settings/base.py` (section LOGIN GUARD); these are the two hooks it calls.

- `client_ip`: the address a failure is counted against. `REMOTE_ADDR`, unless `CLIENT_IP_HEADER` names the header a
  trusted reverse proxy sets; then that header only (its right-most entry: the address the proxy itself saw), so a
  client cannot pick its own address by sending the header.
- `lockout_response`: what a locked-out attempt gets, right password or not. The API answers in its error format
  (429, `code` `locked_out`); the login page is shown again with the message, and what was typed as username kept.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


def client_ip(request: HttpRequest) -> str | None:
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed sign-ins for this account: it is locked for {minutes} minutes. "
        "Try again later, or ask an administrator to unlock it."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=LOCKED_OUT_STATUS)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")},
        status=LOCKED_OUT_STATUS,
    )
