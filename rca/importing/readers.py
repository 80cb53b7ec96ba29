"""Streaming readers for sample files: CSV with a header row, and JSON Lines.

A reader yields `(line_number, record)` one row at a time, so memory stays flat whatever the file's size. `record` is
the raw dict (CSV: strings by header column; JSON Lines: the parsed object), or an `UnreadableRow` when the row itself
cannot be read (bytes that are not UTF-8, a line that is not JSON, a CSV row with the wrong number of values): the
import reports it with its line and goes on. Only a file that cannot be read at all (missing, empty, no usable CSV
header) raises `ImportFileError`, and it does so when the reader is opened, before any row is imported.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from rca.choices import FileFormat
from rca.importing.validation import json_kind

NOT_UTF8 = "The line is not valid UTF-8: save the file as UTF-8."
_BOM = "\ufeff"


_EXTENSIONS = {".csv": FileFormat.CSV, ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL}


class ImportFileError(Exception):
    """The file cannot be read at all: nothing of it was imported."""


@dataclass(frozen=True, slots=True)
class UnreadableRow:
    """A row whose bytes could not be turned into a record; `message` says why."""

    message: str


Row = tuple[int, dict[str, Any] | UnreadableRow]


def guess_format(path: str | Path) -> FileFormat:
    """The format named by the file's extension (`.csv`, `.jsonl` / `.ndjson`)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise ImportFileError(f"Cannot tell the format of {path} from its extension: pass --format csv or jsonl.")
    return _EXTENSIONS[suffix]


@contextmanager
def open_sample_file(path: str | Path, file_format: FileFormat | str | None = None) -> Iterator[Iterator[Row]]:
    """Open a sample file and yield its rows; raises `ImportFileError` when it cannot be read at all."""
    file_format = FileFormat(file_format) if file_format else guess_format(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed by the `with` below, after the caller's loop)
    except OSError as exc:
        raise ImportFileError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    with stream:
        yield read_csv(stream) if file_format == FileFormat.CSV else read_jsonl(stream)


# ---------------------------------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------------------------------


def read_csv(stream: BinaryIO | Iterable[bytes]) -> Iterator[Row]:
    """Rows of a UTF-8 CSV file with a header row; the header is read (and checked) now, the rows lazily."""
    undecodable: set[int] = set()
    reader = csv.reader(_decoded_lines(stream, undecodable))
    header: list[str] = []
    while not header:
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFileError("The file is empty: a CSV import needs a header row naming the columns.") from None
        except csv.Error as exc:
            raise ImportFileError(f"The header row is not readable CSV ({exc}).") from exc
    if undecodable:
        raise ImportFileError("The header row is not valid UTF-8: save the file as UTF-8.")
    header = [name.strip() for name in header]
    if "" in header:
        raise ImportFileError(f"Column {header.index('') + 1} of the header row has no name.")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ImportFileError(f"The header row names a column twice: {', '.join(duplicates)}.")
    return _csv_rows(reader, header, undecodable)


def _decoded_lines(stream: Iterable[bytes], undecodable: set[int]) -> Iterator[str]:
    """Lines decoded one by one, so that a bad byte spoils its own line only (whose number goes to `undecodable`)."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.add(number)
            line = raw.decode("utf-8", "replace")
        if number == 1 and line.startswith(_BOM):
            line = line[1:]
        yield line


def _csv_rows(reader: Any, header: list[str], undecodable: set[int]) -> Iterator[Row]:
    width = len(header)
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, UnreadableRow(f"The row is not readable CSV ({exc}).")
            if reader.line_num < start:  # nothing was consumed: stop rather than loop
                return
            continue
        if undecodable:
            spoiled = {number for number in undecodable if number <= reader.line_num}
            undecodable -= spoiled
            if spoiled:
                yield start, UnreadableRow(NOT_UTF8)
                continue
        if not values:
            continue  # a blank line
        if len(values) != width:
            yield start, UnreadableRow(f"The row has {len(values)} values but the header has {width} columns.")
            continue
        yield start, dict(zip(header, values, strict=True))


# ---------------------------------------------------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------------------------------------------------


def read_jsonl(stream: BinaryIO | Iterable[bytes]) -> Iterator[Row]:
    """Rows of a JSON Lines file (one object a line; blank lines skipped); emptiness is checked now."""
    lines = enumerate(stream, 1)
    for number, raw in lines:
        if raw.strip():
            return _jsonl_rows(chain([(number, raw)], lines))
    raise ImportFileError("The file is empty: a JSON Lines import needs one JSON object a line.")


def _jsonl_rows(lines: Iterable[tuple[int, bytes]]) -> Iterator[Row]:
    for number, raw in lines:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, UnreadableRow(NOT_UTF8)
            continue
        if number == 1 and text.startswith(_BOM):
            text = text[1:]
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            column = min(exc.pos, len(text.rstrip())) + 1  # 1-based, the line's end when the JSON stops short
            yield number, UnreadableRow(f"The line is not valid JSON: {exc.msg} at column {column}.")
            continue
        except (ValueError, RecursionError) as exc:
            yield number, UnreadableRow(f"The line is not valid JSON: {exc}.")
            continue
        if not isinstance(record, dict):
            yield number, UnreadableRow(f"Expected a JSON object with the sample's fields, got {json_kind(record)}.")
            continue
        yield number, record
