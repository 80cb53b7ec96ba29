"""Streaming CSV and JSON Lines readers: line numbers, unreadable rows, files that cannot be read at all."""

import io
from pathlib import Path

import pytest

from rca.importing.readers import (
    NOT_UTF8,
    FileFormat,
    ImportFileError,
    UnreadableRow,
    guess_format,
    open_sample_file,
    read_csv,
    read_jsonl,
)

DATA = Path(__file__).resolve().parents[2] / "docs" / "examples"  # the examples of docs/sample-format.md


def rows_of(reader, content: bytes):
    return list(reader(io.BytesIO(content)))


# ---------------------------------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------------------------------


def test_read_csv_spec_example_gives_twelve_rows_numbered_from_line_two():
    with open_sample_file(DATA / "samples.csv") as rows:
        rows = list(rows)

    assert [line for line, _ in rows] == list(range(2, 14))
    assert rows[0][1]["external_id"] == "qa-000001"
    assert rows[0][1]["tags"] == "talk_show;guest_battle"


def test_read_csv_multiline_quoted_value_keeps_the_line_where_the_row_starts():
    content = b'external_id,notes\na,"first\nsecond"\nb,plain\n'

    rows = rows_of(read_csv, content)

    assert rows == [(2, {"external_id": "a", "notes": "first\nsecond"}), (4, {"external_id": "b", "notes": "plain"})]


def test_read_csv_blank_lines_are_skipped_without_shifting_line_numbers():
    rows = rows_of(read_csv, b"external_id\n\na\n\r\nb\n")

    assert rows == [(3, {"external_id": "a"}), (5, {"external_id": "b"})]


def test_read_csv_row_with_wrong_number_of_values_is_unreadable():
    rows = rows_of(read_csv, b"external_id,notes\na,x\nb,x,extra\nc\n")

    assert rows[1] == (3, UnreadableRow("The row has 3 values but the header has 2 columns."))
    assert rows[2] == (4, UnreadableRow("The row has 1 values but the header has 2 columns."))


def test_read_csv_non_utf8_row_is_unreadable_and_the_next_rows_are_read():
    content = "external_id,notes\na,ok\nb,caf\xe9\nc,ok\n".encode("latin-1")

    rows = rows_of(read_csv, content)

    assert rows == [
        (2, {"external_id": "a", "notes": "ok"}),
        (3, UnreadableRow(NOT_UTF8)),
        (4, {"external_id": "c", "notes": "ok"}),
    ]


def test_read_csv_strips_the_byte_order_mark_and_header_spaces():
    rows = rows_of(read_csv, "\ufeffexternal_id , notes\na,b\n".encode())

    assert rows == [(2, {"external_id": "a", "notes": "b"})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: a CSV import needs a header row naming the columns."),
        (b"\n\n\r\n", "The file is empty: a CSV import needs a header row naming the columns."),
        ("external_id,caf\xe9\n".encode("latin-1"), "The header row is not valid UTF-8: save the file as UTF-8."),
        ("external_id\n".encode("utf-16"), "The header row is not valid UTF-8: save the file as UTF-8."),
        (b"external_id,notes,external_id\n", "The header row names a column twice: external_id."),
        (b"external_id,,notes\n", "Column 2 of the header row has no name."),
    ],
)
def test_read_csv_unreadable_file_raises_a_clear_error(content, message):
    with pytest.raises(ImportFileError) as excinfo:
        read_csv(io.BytesIO(content))

    assert str(excinfo.value) == message


def test_read_csv_header_only_gives_no_rows():
    assert rows_of(read_csv, b"external_id,notes\n") == []


# ---------------------------------------------------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------------------------------------------------


def test_read_jsonl_spec_example_gives_twelve_objects_numbered_from_line_one():
    with open_sample_file(DATA / "samples.jsonl") as rows:
        rows = list(rows)

    assert [line for line, _ in rows] == list(range(1, 13))
    assert rows[0][1]["model_score"] == 0.31
    assert rows[0][1]["tags"] == ["talk_show", "guest_battle"]


EXPECTING_NAME = "Expecting property name enclosed in double quotes"


def test_read_jsonl_malformed_line_is_unreadable_and_the_next_lines_are_read():
    rows = rows_of(read_jsonl, b'{"external_id": "a"}\n{"external_id": "b",\n\n{"external_id": "c"}\n')

    assert rows == [
        (1, {"external_id": "a"}),
        (2, UnreadableRow(f"The line is not valid JSON: {EXPECTING_NAME} at column 21.")),
        (4, {"external_id": "c"}),
    ]


@pytest.mark.parametrize(("line", "kind"), [(b"[1, 2]", "array"), (b'"qa-1"', "string"), (b"null", "null")])
def test_read_jsonl_line_that_is_not_an_object_is_unreadable(line, kind):
    rows = rows_of(read_jsonl, line + b"\n")

    assert rows == [(1, UnreadableRow(f"Expected a JSON object with the sample's fields, got {kind}."))]


def test_read_jsonl_non_utf8_line_is_unreadable():
    rows = rows_of(read_jsonl, b'{"notes": "ok"}\n{"notes": "caf\xe9"}\n')

    assert rows == [(1, {"notes": "ok"}), (2, UnreadableRow(NOT_UTF8))]


def test_read_jsonl_strips_the_byte_order_mark():
    assert rows_of(read_jsonl, '\ufeff{"a": 1}\n'.encode()) == [(1, {"a": 1})]


@pytest.mark.parametrize("content", [b"", b"\n  \n\n"])
def test_read_jsonl_empty_file_raises_a_clear_error(content):
    with pytest.raises(ImportFileError, match=r"The file is empty: a JSON Lines import needs one JSON object a line\."):
        read_jsonl(io.BytesIO(content))


# ---------------------------------------------------------------------------------------------------------------------
# Opening files
# ---------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.csv", FileFormat.CSV), ("a.CSV", FileFormat.CSV), ("a.jsonl", FileFormat.JSONL), ("a.ndjson", "jsonl")],
)
def test_guess_format_reads_the_extension(name, expected):
    assert guess_format(name) == expected


def test_guess_format_unknown_extension_asks_for_the_format():
    with pytest.raises(ImportFileError, match="pass --format csv or jsonl"):
        guess_format("samples.txt")


def test_open_sample_file_missing_file_raises_a_clear_error(tmp_path):
    with (
        pytest.raises(ImportFileError, match=r"Cannot open .*nope\.csv: No such file or directory\."),
        open_sample_file(tmp_path / "nope.csv"),
    ):
        pass


def test_open_sample_file_explicit_format_wins_over_the_extension(tmp_path):
    path = tmp_path / "samples.txt"
    path.write_bytes(b'{"external_id": "a"}\n')

    with open_sample_file(path, "jsonl") as rows:
        assert list(rows) == [(1, {"external_id": "a"})]
