"""Split a sample file into chunks (byte ranges on record boundaries) and read one chunk's rows; no database access.

`plan_chunks` reads the file once, a block at a time (memory stays flat whatever its size), counting line breaks
(and, in a CSV file, quotes): a chunk ends at the first line break after `chunk_bytes` that is not inside a quoted CSV
value. A CSV value may span lines, and RFC 4180 quoting (the format's: docs/sample-format.md) doubles every quote
inside a quoted value, so a line break is inside a value exactly when the quotes before it are odd in number. The CSV
header is its own range (`header_bytes`): every chunk's rows are read after it, so each chunk knows its columns.

`open_chunk` yields a chunk's rows as `rca.importing.readers` yields a whole file's, numbered by the file's lines, so
a rejected row is reported with its line in the file whatever chunk it is in.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from rca.choices import FileFormat
from rca.importing.readers import ImportFileError, Row, read_csv, read_jsonl

BLOCK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    start: int  # offset of the chunk's first byte (the start of a line)
    end: int  # offset after its last byte (after a line break, or the end of the file)
    first_line: int  # the file's line number of its first line (1-based)
    lines: int


@dataclass(frozen=True, slots=True)
class FilePlan:
    size: int
    header_bytes: int  # CSV: the header row's length with its line break; 0 for JSON Lines
    chunks: tuple[ChunkPlan, ...]

    @property
    def lines(self) -> int:
        """Lines after the header: one record each, but for blank lines and CSV values spanning lines."""
        return sum(chunk.lines for chunk in self.chunks)


def plan_chunks(path: str | Path, file_format: FileFormat | str, *, chunk_bytes: int) -> FilePlan:
    """Cut the file into chunks of about `chunk_bytes` (at least 1); raises `ImportFileError` when it cannot be read.
    (Whether a CSV header is usable is the reader's check: `rca.importing.readers.open_sample_file`.)"""
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be at least 1")
    csv_file = FileFormat(file_format) == FileFormat.CSV
    try:
        with open(path, "rb") as stream:
            cuts, line_breaks, size, ends_with_break = _scan(stream, csv_file=csv_file, chunk_bytes=chunk_bytes)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    total_lines = line_breaks + (0 if ends_with_break or size == 0 else 1)
    header_bytes = 0
    starts = [(0, 1), *cuts]
    if csv_file:  # the first cut ends the header row (a file of a header alone may not end with a line break)
        header_bytes = cuts[0][0] if cuts else size
        starts = cuts or [(size, total_lines + 1)]
    chunks = []
    for (start, first_line), (end, next_line) in zip(starts, [*starts[1:], (size, total_lines + 1)], strict=True):
        if end > start:
            chunks.append(ChunkPlan(start=start, end=end, first_line=first_line, lines=next_line - first_line))
    return FilePlan(size=size, header_bytes=header_bytes, chunks=tuple(chunks))


def _scan(stream: BinaryIO, *, csv_file: bool, chunk_bytes: int) -> tuple[list[tuple[int, int]], int, int, bool]:
    """One pass over the file: the cut points `(offset, line number there)`, the line breaks, the size and whether
    the last byte is a line break. A CSV file's first cut ends its header row (searched from offset 0)."""
    cuts: list[tuple[int, int]] = []
    position = 0  # the offset of the block's first byte
    line_breaks = 0  # before the part of the block accounted for
    odd_quotes = False  # before the part of the block accounted for (CSV)
    target = 0 if csv_file else chunk_bytes  # the next cut is the first record boundary at or after this offset
    last = b""
    while block := stream.read(BLOCK_BYTES):
        done = 0  # bytes of the block accounted for
        while target < position + len(block):
            # Account for the bytes up to the target, then look for a line break outside quotes from there.
            upto = max(target - position, done)
            line_breaks += block.count(b"\n", done, upto)
            if csv_file:
                odd_quotes ^= bool(block.count(b'"', done, upto) & 1)
            done = upto
            cut = None
            while (newline := block.find(b"\n", done)) >= 0:
                if csv_file:
                    odd_quotes ^= bool(block.count(b'"', done, newline) & 1)
                line_breaks += 1
                done = newline + 1
                if not odd_quotes:
                    cut = position + done
                    break
            if cut is None:
                target = position + len(block)  # go on in the next block, from its start
                break
            cuts.append((cut, line_breaks + 1))
            target = cut + chunk_bytes
        line_breaks += block.count(b"\n", done)
        if csv_file:
            odd_quotes ^= bool(block.count(b'"', done) & 1)
        position += len(block)
        last = block[-1:]
    return cuts, line_breaks, position, last == b"\n"


# ---------------------------------------------------------------------------------------------------------------------
# Reading one chunk
# ---------------------------------------------------------------------------------------------------------------------


def _range_lines(stream: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The lines of bytes [start, end): `start` is the start of a line and `end` the end of one."""
    stream.seek(start)
    remaining = end - start
    while remaining > 0:
        line = stream.readline(remaining)
        if not line:
            return
        remaining -= len(line)
        yield line


@contextmanager
def open_chunk(
    path: str | Path, file_format: FileFormat | str, *, header_bytes: int, chunk: ChunkPlan
) -> Iterator[Iterator[Row]]:
    """The rows of one chunk, as `(line in the file, record)`; a chunk of blank lines only has none."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed by the `with` below, after the caller's loop)
    except OSError as exc:
        raise ImportFileError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    with stream:
        if FileFormat(file_format) == FileFormat.CSV:
            header = stream.read(header_bytes)
            # The header is the reader's line 1, so the chunk's first line is its line 2.
            rows = read_csv(chain([header], _range_lines(stream, chunk.start, chunk.end)))
            shift = chunk.first_line - 2
        else:
            try:
                rows = read_jsonl(_range_lines(stream, chunk.start, chunk.end))
            except ImportFileError:  # blank lines only
                rows = iter(())
            shift = chunk.first_line - 1
        yield ((position + shift, record) for position, record in rows)
