"""One error shape for the API: DRF's for validation errors, `{"detail", "code"}` otherwise, never a bare 500
for something a client sent (Django validation errors and integrity races become 400/409).

A domain rule's refusal (`Refusal`, e.g. `cases.workflow.TransitionRefused`) is answered with the status it names,
409 unless it says otherwise, and its stable code; a refusal tied to one input field is a field error of that field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class Refusal(Exception):
    """A rule refused what was asked. `code` is stable, for programs; `detail` is for people; `http_status` is the
    answer's status (409: the state of the data does not allow it); `field`, when set, names the input at fault (the
    answer is then a field error, `{field: [detail]}`)."""

    http_status = status.HTTP_409_CONFLICT
    field: str | None = None

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def exception_handler(exc, context):
    if isinstance(exc, Refusal):
        set_rollback()
        if exc.field:
            return Response({exc.field: [exc.detail]}, status=exc.http_status)
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        set_rollback()
        return Response(
            {"detail": "The request conflicts with the current state of the data.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data.setdefault("code", getattr(detail, "code", None) or getattr(exc, "default_code", "error"))
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """The last route under /api/v1/: a path no endpoint matches is a JSON 404 (not the pages' HTML 404)."""
    return JsonResponse({"detail": f"No API endpoint at {request.path}.", "code": "not_found"}, status=404)
