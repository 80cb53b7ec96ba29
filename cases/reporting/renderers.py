"""CSV for the reports: a DRF renderer with `format = "csv"`, so `?format=csv` (DRF's `URL_FORMAT_OVERRIDE`) or
`Accept: text/csv` picks it through the normal content negotiation; the JSON rows and the CSV rows are the same.
`CSVNegotiationMixin` is the plumbing every view offering CSV shares (the reports, the quality metrics, the
initiatives list, the agreement table)."""

import csv
import io
from datetime import datetime

from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer

# A cell starting with one of these is a formula to a spreadsheet: prefix it with a quote (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _joined(value: object) -> object:
    return "|".join(str(item) for item in value) if isinstance(value, list | tuple) else value


def csv_cell(value: object) -> object:
    """One CSV cell: a dict as `key=value; ...` (a list value as `a|b`), a list as `a|b`, a date-time in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = "; ".join(f"{key}={_joined(item)}" for key, item in value.items())
    value = _joined(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return f"'{value}"
    return value


def rows_to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """Renders a list of row dicts; the header is the view's `csv_columns` (so an empty report still has one)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        rows = data if isinstance(data, list) else [data]
        columns = getattr(view, "csv_columns", None) or (tuple(rows[0]) if rows else ())
        return rows_to_csv(rows, columns).encode(self.charset)


class CSVNegotiationMixin:
    """For an API view whose renderers include `CSVRenderer`: `?format=` is `json` or `csv` or a 400 (DRF answers 404
    to an unknown format), errors are JSON whatever was asked for, and a CSV comes as an attachment named
    `csv_filename`. A view that offers CSV on some actions only says which in `offers_csv`."""

    csv_columns: tuple[str, ...] = ()
    csv_filename = "report.csv"

    def offers_csv(self) -> bool:
        return True

    def wants_csv(self, request) -> bool:
        return isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)

    def perform_content_negotiation(self, request, force=False):
        if not force and self.offers_csv() and request.query_params.get("format") not in (None, "", "json", "csv"):
            raise exceptions.ValidationError({"format": ["Choose json or csv."]})
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and isinstance(response.accepted_renderer, CSVRenderer):
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response
