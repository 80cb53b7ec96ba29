"""One error shape for the API: DRF's for validation errors, `{"detail", "code"}` otherwise, never a bare 500
for something a client sent (Django validation errors and integrity races become 400/409).

A workflow refusal (`cases.workflow.TransitionRefused`) is a 409 with its stable code; the two refusals that are not
about the case's state keep their natural status: `forbidden_role` is a 403 and `unknown_state` a 400.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cases.workflow import TransitionRefused

REFUSAL_STATUS = {"forbidden_role": status.HTTP_403_FORBIDDEN, "unknown_state": status.HTTP_400_BAD_REQUEST}


def exception_handler(exc, context):
    if isinstance(exc, TransitionRefused):
        set_rollback()
        if exc.code == "unknown_state":
            return Response({"to": [exc.detail]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"detail": exc.detail, "code": exc.code}, status=REFUSAL_STATUS.get(exc.code, status.HTTP_409_CONFLICT)
        )
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
