"""The calibration set's file formats: CSV (the import's CSV: tags `;`-separated) and JSON Lines, picked with
`?format=csv|jsonl` through DRF's content negotiation, as the reports' CSV is."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.renderers import BaseRenderer

from cases.disputes.calibration import COLUMNS
from cases.reporting.renderers import csv_cell


class CalibrationCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in data:
            cells = {**row, "tags": ";".join(row["tags"]), "redacted": "true" if row["redacted"] else ""}
            writer.writerow([csv_cell(cells[column]) for column in COLUMNS])
        return buffer.getvalue().encode(self.charset)


class JSONLinesRenderer(BaseRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        lines = (json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n" for row in data)
        return "".join(lines).encode(self.charset)
