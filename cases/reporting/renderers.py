"""CSV for the reports: a DRF renderer with `format = "csv"`, so `?format=csv` (DRF's `URL_FORMAT_OVERRIDE`) or
`Accept: text/csv` picks it through the normal content negotiation; the JSON rows and the CSV rows are the same."""

import csv
import io
from datetime import datetime

from rest_framework.renderers import BaseRenderer

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
