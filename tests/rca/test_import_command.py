"""`manage.py import_samples FILE`: counts, rejects file with line numbers, files that cannot be read, crashes."""

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from rca.importing.readers import NOT_UTF8
from rca.models import ModerationSample

DATA = Path(__file__).resolve().parents[2] / "docs" / "examples"  # the examples of docs/sample-format.md
HEADER = (
    "external_id,content_id,content_type,surface,market,language,queue,decision_source,model_version,moderator_id,"
    "decision_label,audit_label,model_score,decided_at,audited_at,auditor_id,notes,transcript,tags"
)
GOOD_ROW = "{id},c-1,live_stream,live,US,en,q,human,,mod-1,hate_speech,none,,{decided},{audited},aud-1,{notes},,gaming"
DECIDED, AUDITED = "2026-11-02T10:00:00-05:00", "2026-11-03T10:00:00-05:00"

pytestmark = pytest.mark.django_db


def good_row(external_id: str, notes: str = "", decided: str = DECIDED, audited: str = AUDITED) -> str:
    return GOOD_ROW.format(id=external_id, notes=notes, decided=decided, audited=audited)


def run(*args: str) -> str:
    """The command's counts (its first line; the second says what it did to the quality rollups)."""
    out = io.StringIO()
    call_command("import_samples", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[0]


def read_rejects(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize("name", ["samples.csv", "samples.jsonl"])
def test_import_samples_spec_example_creates_twelve_then_updates_twelve(name):
    assert run(str(DATA / name)) == "created: 12, updated: 0, rejected: 0"
    assert run(str(DATA / name)) == "created: 0, updated: 12, rejected: 0"
    assert ModerationSample.objects.count() == 12
    assert ModerationSample.objects.filter(outcome="wrong_policy").get().external_id == "qa-000009"


def test_import_samples_csv_and_jsonl_examples_store_the_same_samples():
    fields = ["external_id", "outcome", "market", "language", "tags", "model_score", "decided_at", "notes"]
    run(str(DATA / "samples.csv"))
    from_csv = list(ModerationSample.objects.order_by("external_id").values(*fields))
    ModerationSample.objects.all().delete()

    run(str(DATA / "samples.jsonl"))

    assert list(ModerationSample.objects.order_by("external_id").values(*fields)) == from_csv


def test_import_samples_bad_csv_rows_go_to_the_rejects_file_with_line_and_reason(tmp_path):
    source = tmp_path / "samples.csv"
    lines = [
        HEADER,
        good_row("ok-1"),  # line 2
        good_row("bad-date", decided="2026-11-02 10:00"),  # 3
        good_row("bad-order", audited="2026-11-01T10:00:00-05:00"),  # 4
        good_row("ok-2", notes='"multi\nline"'),  # 5-6
        good_row("bad-size", notes="x" * 10_001),  # 7
        good_row("dup", notes="first"),  # 8
        good_row("bad-label").replace("hate_speech", "jaywalking"),  # 9
        "short,row",  # 10
        good_row("dup", notes="second"),  # 11
        good_row("").replace(",c-1,", ",,"),  # 12: no external_id, no content_id
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"

    output = run(str(source), "--rejects", str(rejects))

    assert output == "created: 3, updated: 0, rejected: 7"
    assert set(ModerationSample.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-2", "dup"}
    assert ModerationSample.objects.get(external_id="dup").notes == "second"
    assert ModerationSample.objects.get(external_id="ok-2").notes == "multi\nline"
    superseded = "Superseded by a later record with the same external_id (line 11), which was imported instead."
    assert sorted((int(row["line"]), row["external_id"], row["reasons"]) for row in read_rejects(rejects)) == [
        (3, "bad-date", 'decided_at: "2026-11-02 10:00" has no UTC offset: add one (e.g. +07:00, or Z for UTC).'),
        (4, "bad-order", "audited_at: audited_at must not be before decided_at."),
        (7, "bad-size", "notes: Ensure this field has no more than 10000 characters."),
        (8, "dup", f"external_id: {superseded}"),
        (9, "bad-label", 'decision_label: "jaywalking" is not a known policy label.'),
        (10, "", "non_field_errors: The row has 2 values but the header has 19 columns."),
        (12, "", "external_id: This field is required.; content_id: This field is required."),
    ]


def test_import_samples_bad_jsonl_lines_are_reported_with_their_line(tmp_path):
    source = tmp_path / "samples.jsonl"
    good = '{"external_id": "%s", "content_id": "c", "content_type": "video", "market": "BR", "language": "pt-BR", ' \
        '"decision_source": "model", "model_version": "m", "decision_label": "none", "audit_label": "none", ' \
        '"decided_at": "2026-11-02T10:00:00Z", "audited_at": "2026-11-02T11:00:00Z"%s}'  # fmt: skip
    source.write_bytes(
        b"\n".join(
            [
                (good % ("ok-1", "")).encode(),  # 1
                b'{"external_id": "broken", ',  # 2
                b"[1, 2, 3]",  # 3
                (good % ("latin", ', "notes": "caf\xe9"')).encode("latin-1"),  # 4
                b"",  # 5
                (good % ("number-score", ', "model_score": "0.5"')).encode(),  # 6
                (good % ("extra", ', "priority": 1')).encode(),  # 7
                (good % ("ok-2", ', "model_score": 0.5')).encode(),  # 8
            ]
        )
    )
    rejects = tmp_path / "rejects.csv"

    output = run(str(source), "--rejects", str(rejects))

    assert output == "created: 2, updated: 0, rejected: 5"
    assert [(int(row["line"]), row["external_id"], row["reasons"]) for row in read_rejects(rejects)] == [
        (2, "", "non_field_errors: The line is not valid JSON: Expecting property name enclosed in double quotes at "
         "column 26."),
        (3, "", "non_field_errors: Expected a JSON object with the sample's fields, got array."),
        (4, "", "non_field_errors: The line is not valid UTF-8: save the file as UTF-8."),
        (6, "number-score", "model_score: Expected a number, got string."),
        (7, "extra", "priority: Unknown field (the fields are those of docs/sample-format.md)."),
    ]  # fmt: skip


def test_import_samples_non_utf8_csv_rows_are_rejected_and_the_rest_imported(tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes("\n".join([HEADER, good_row("ok-1"), good_row("cafe", notes="caf\xe9"), ""]).encode("latin-1"))
    rejects = tmp_path / "rejects.csv"

    output = run(str(source), "--rejects", str(rejects))

    assert output == "created: 1, updated: 0, rejected: 1"
    assert read_rejects(rejects) == [
        {"line": "3", "external_id": "", "reasons": f"non_field_errors: {NOT_UTF8}"},
    ]


def test_import_samples_without_rejects_file_shows_the_first_rejects_on_stderr(tmp_path):
    source = tmp_path / "samples.csv"
    source.write_text("\n".join([HEADER, good_row("bad", decided="nope")]) + "\n", encoding="utf-8")
    err = io.StringIO()

    call_command("import_samples", str(source), stdout=io.StringIO(), stderr=err)

    assert 'line 2: decided_at: "nope" is not an ISO 8601 date-time' in err.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty: a CSV import needs a header row naming the columns."),
        ("empty.jsonl", b"\n\n", "The file is empty: a JSON Lines import needs one JSON object a line."),
        ("utf16.csv", HEADER.encode("utf-16"), "The header row is not valid UTF-8: save the file as UTF-8."),
        ("samples.txt", b"x", "Cannot tell the format of"),
    ],
)
def test_import_samples_unreadable_file_fails_with_a_clear_message(tmp_path, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        run(str(source))

    assert ModerationSample.objects.count() == 0


def test_import_samples_missing_file_fails_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot open .*missing\.csv: No such file or directory"):
        run(str(tmp_path / "missing.csv"))


def test_import_samples_format_option_overrides_the_extension(tmp_path):
    source = tmp_path / "export.txt"
    shutil.copy(DATA / "samples.jsonl", source)

    assert run(str(source), "--format", "jsonl") == "created: 12, updated: 0, rejected: 0"


def test_import_samples_small_batches_give_the_same_result(tmp_path):
    assert run(str(DATA / "samples.csv"), "--batch-size", "5") == "created: 12, updated: 0, rejected: 0"
    assert ModerationSample.objects.count() == 12


def test_import_samples_exit_code_is_non_zero_only_when_the_file_cannot_be_read(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_samples", str(empty)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "The file is empty" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_import_samples_database_error_keeps_whole_batches_and_rerun_completes(tmp_path, database_refusal):
    ids = [f"qa-{i:02d}" for i in range(17)]
    batches = [set(ids[start : start + 5]) for start in range(0, len(ids), 5)]
    source = tmp_path / "samples.csv"
    source.write_text("\n".join([HEADER, *(good_row(external_id) for external_id in ids)]) + "\n", encoding="utf-8")
    database_refusal.refuse("qa-06")  # in the second batch of five

    with pytest.raises(CommandError, match=r"The database refused a batch .* That batch was rolled back whole"):
        run(str(source), "--batch-size", "5")

    saved = set(ModerationSample.objects.values_list("external_id", flat=True))
    assert all(batch <= saved or not batch & saved for batch in batches)  # whole batches only
    assert batches[0] <= saved and not batches[1] & saved

    database_refusal.allow()
    output = run(str(source), "--batch-size", "5")

    assert output == f"created: {17 - len(saved)}, updated: {len(saved)}, rejected: 0"
    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == ids
