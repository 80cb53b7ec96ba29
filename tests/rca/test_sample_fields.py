"""`rca.sample_fields` is the one list of a sample's fields: the model, the validator, the examples and the format's
description must agree with it."""

import csv
import json
import re
from pathlib import Path

import pytest
from django.db import models

from rca.importing.validation import REQUIRED, TOO_LONG, RecordValidator
from rca.models import ModerationSample, PolicyLabel
from rca.sample_fields import (
    COPY_COLUMNS,
    DERIVED_FIELDS,
    FIELDS,
    MODEL_COLUMNS,
    OUTPUT_FIELDS,
    RECORD_FIELDS,
    REQUIRED_FIELDS,
    SAMPLE_FIELDS,
    Kind,
    SampleField,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
LABELS = frozenset(["none", "hate_speech"])
MODEL_FIELDS = {field.attname: field for field in ModerationSample._meta.concrete_fields}


def _name(field: SampleField) -> str:
    return field.name


def valid_record(**overrides) -> dict:
    record = {
        "external_id": "qa-1",
        "content_id": "ls-1",
        "content_type": "live_stream",
        "market": "ID",
        "language": "id",
        "decision_source": "human",
        "decision_label": "none",
        "audit_label": "hate_speech",
        "decided_at": "2026-11-02T10:14:00+07:00",
        "audited_at": "2026-11-03T09:00:00+07:00",
    }
    record.update(overrides)
    return record


# ---------------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------------


def test_sample_fields_account_for_every_concrete_field_of_the_model_in_its_order():
    assert list(MODEL_FIELDS) == list(MODEL_COLUMNS)
    assert [field.name for field in MODEL_FIELDS.values() if field.name != "id"] == list(OUTPUT_FIELDS)


def test_sample_fields_columns_are_the_model_attributes_and_labels_are_foreign_keys():
    for field in SAMPLE_FIELDS:
        model_field = MODEL_FIELDS[field.column]
        assert model_field.name == field.name
        assert isinstance(model_field, models.ForeignKey) == (field.kind == Kind.LABEL), field.name


def test_sample_fields_length_limits_match_the_model():
    for field in SAMPLE_FIELDS:
        model_field = MODEL_FIELDS[field.column]
        if field.kind == Kind.LABEL:
            assert field.max_length == PolicyLabel._meta.get_field("code").max_length
        elif isinstance(model_field, models.CharField) and field.kind in (Kind.TEXT, Kind.LANGUAGE):
            assert field.max_length == model_field.max_length, field.name


def test_sample_fields_defaults_and_optional_fields_match_the_model():
    for field in RECORD_FIELDS:
        model_field = MODEL_FIELDS[field.column]
        if field.default:
            assert model_field.default == field.default, field.name
        if not field.required and field.kind == Kind.TEXT and not field.default:
            assert model_field.blank, field.name
        if not field.required and field.kind == Kind.NUMBER:
            assert model_field.null, field.name


def test_sample_fields_record_fields_are_all_fields_but_the_derived_outcome():
    assert DERIVED_FIELDS == ("outcome",)
    assert [field.name for field in SAMPLE_FIELDS if field.name != "outcome"] == list(FIELDS)


# ---------------------------------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("textual", [False, True], ids=["json", "csv"])
def test_validator_clean_record_is_keyed_by_the_copy_columns_in_order(textual):
    record = valid_record() if not textual else {name: valid_record().get(name, "") for name in FIELDS}

    clean, errors = RecordValidator(LABELS, textual=textual)(record)

    assert errors == {}
    assert list(clean) == list(COPY_COLUMNS)


@pytest.mark.parametrize("name", REQUIRED_FIELDS)
def test_validator_rejects_a_record_without_a_required_field(name):
    record = valid_record()
    del record[name]

    clean, errors = RecordValidator(LABELS)(record)

    assert clean is None
    assert errors == {name: [REQUIRED]}


@pytest.mark.parametrize("field", [field for field in RECORD_FIELDS if not field.required], ids=_name)
def test_validator_accepts_a_record_without_an_optional_field_and_stores_its_default(field):
    record = valid_record(model_score=0.5, tags=["a"], surface="feed", queue="q", notes="n", transcript="t")
    record.pop(field.name, None)

    clean, errors = RecordValidator(LABELS)(record)

    assert errors == {}
    assert clean[field.column] == (None if field.kind == Kind.NUMBER else field.default)


@pytest.mark.parametrize("field", [field for field in RECORD_FIELDS if field.kind == Kind.TEXT], ids=_name)
def test_validator_enforces_the_length_limit_of_each_text_field(field):
    validate = RecordValidator(LABELS)
    longest = "x" * field.max_length

    accepted, _ = validate(valid_record(**{field.name: longest}))
    _, errors = validate(valid_record(**{field.name: longest + "x"}))

    assert accepted[field.column] == longest
    assert errors == {field.name: [TOO_LONG.format(limit=field.max_length)]}


def test_validator_enforces_the_length_limit_of_each_tag():
    (tags,) = [field for field in RECORD_FIELDS if field.kind == Kind.TAGS]
    validate = RecordValidator(LABELS)

    accepted, _ = validate(valid_record(tags=["x" * tags.max_length]))
    _, errors = validate(valid_record(tags=["x" * (tags.max_length + 1)]))

    assert accepted is not None
    assert list(errors) == ["tags"]


# ---------------------------------------------------------------------------------------------------------------------
# The examples and the description of the format
# ---------------------------------------------------------------------------------------------------------------------


def test_examples_carry_the_record_fields_only():
    with open(DOCS / "examples" / "samples.csv", newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    keys = set()
    for line in (DOCS / "examples" / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        keys |= json.loads(line).keys()

    assert tuple(header) == FIELDS
    assert keys == set(FIELDS)


def test_sample_format_describes_every_field_and_refers_to_the_examples():
    text = (DOCS / "sample-format.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \|.*\| ([^|]*) \|$", text, flags=re.MULTILINE)
    required = {name: last_column.startswith("yes") for name, last_column in rows if name in FIELDS}

    assert {name for name, _ in rows} >= {field.name for field in SAMPLE_FIELDS}
    assert required == {field.name: field.required for field in RECORD_FIELDS}
    assert "examples/samples.csv" in text and "examples/samples.jsonl" in text
