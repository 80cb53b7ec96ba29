"""Property tests: whatever the input, validation and the readers answer (clean or errors), they never raise."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rca.importing.readers import ImportFileError, UnreadableRow, read_csv, read_jsonl
from rca.importing.validation import FIELDS, RecordValidator

LABELS = frozenset(["none", "hate_speech", "spam_scam"])
validate_json = RecordValidator(LABELS)
validate_csv = RecordValidator(LABELS, textual=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# Keys mostly from the spec, so that values reach the field checks, plus arbitrary ones.
keys = st.sampled_from(FIELDS) | st.text(max_size=12)
plausible_values = st.sampled_from(
    ["", " ", "none", "hate_speech", "US", "us", "en", "pt-BR", "live_stream", "model", "human", "0.5", "1.5", "nan",
     "2026-11-02T10:00:00+07:00", "2026-11-02T10:00:00", "a;b", ";;", "x" * 200, "\x00", "\ud800"]
)  # fmt: skip


def assert_clean_or_errors(result):
    clean, errors = result
    assert (clean is None) != (errors == {})
    if clean is None:
        assert all(isinstance(field, str) and messages for field, messages in errors.items())
        assert all(isinstance(message, str) for messages in errors.values() for message in messages)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, json_values | plausible_values, max_size=22))
def test_validate_record_json_never_raises(raw):
    assert_clean_or_errors(validate_json(raw))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, st.text(max_size=40) | plausible_values, max_size=22))
def test_validate_record_csv_strings_never_raise(raw):
    assert_clean_or_errors(validate_csv(raw))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_validate_record_any_json_value_never_raises(raw):
    assert_clean_or_errors(validate_json(raw))


VALID_CSV = {
    **dict.fromkeys(FIELDS, ""),
    "external_id": "qa-1",
    "content_id": "c-1",
    "content_type": "live_stream",
    "market": "US",
    "language": "en",
    "decision_source": "model",
    "model_version": "m-1",
    "decision_label": "none",
    "audit_label": "hate_speech",
    "model_score": "0.2",
    "decided_at": "2026-11-02T10:00:00+07:00",
    "audited_at": "2026-11-03T10:00:00+07:00",
    "tags": "a;b",
}
CROSS_FIELD = {"audited_at", "model_version"}  # rules that name a field other than the one changed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), plausible_values | st.text(max_size=20), max_size=3))
def test_validate_record_errors_name_only_the_changed_fields(overrides):
    clean, errors = validate_csv({**VALID_CSV, **overrides})

    assert set(errors) <= set(overrides) | CROSS_FIELD
    if clean is not None:
        assert clean["audited_at"] >= clean["decided_at"]
        assert clean["outcome"] in {"correct", "false_positive", "false_negative", "wrong_policy"}


def read_all(reader, content: bytes):
    try:
        return list(reader(io.BytesIO(content)))
    except ImportFileError as exc:
        assert str(exc)
        return None


bytes_like_files = st.binary(max_size=400) | st.lists(
    st.sampled_from([b"external_id,notes", b"a,b", b'"x\n', b'{"a": 1}', b"\xff\xfe", b",", b'""', b"\r", b"\x00"]),
    max_size=12,
).map(b"\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bytes_like_files)
def test_read_csv_arbitrary_bytes_give_rows_or_a_file_error(content):
    rows = read_all(read_csv, content)

    for line, record in rows or []:
        assert isinstance(line, int) and line >= 2
        assert isinstance(record, UnreadableRow) or all(isinstance(value, str) for value in record.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bytes_like_files)
def test_read_jsonl_arbitrary_bytes_give_rows_or_a_file_error(content):
    rows = read_all(read_jsonl, content)

    for line, record in rows or []:
        assert isinstance(line, int) and line >= 1
        assert isinstance(record, UnreadableRow | dict)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bytes_like_files)
def test_readers_then_validation_never_raise(content):
    for reader, validate in ((read_csv, validate_csv), (read_jsonl, validate_json)):
        for _, record in read_all(reader, content) or []:
            if not isinstance(record, UnreadableRow):
                assert_clean_or_errors(validate(record))
