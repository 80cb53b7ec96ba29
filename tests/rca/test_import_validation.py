"""Every rule of docs/sample-format.md, for JSON-typed records (bulk API, JSON Lines) and CSV strings alike."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import call_command

from rca.importing.validation import RecordValidator, validate_record
from rca.models import ModerationSample

LABELS = frozenset(
    ["none", "bullying_harassment", "hate_speech", "minor_safety", "violence_graphic", "spam_scam", "animal_harm"]
)


def json_record(**overrides):
    record = {
        "external_id": "qa-1",
        "content_id": "ls-1",
        "content_type": "live_stream",
        "surface": "live",
        "market": "ID",
        "language": "id",
        "queue": "live_id_general",
        "decision_source": "model",
        "model_version": "live-clf-3.2",
        "decision_label": "none",
        "audit_label": "bullying_harassment",
        "model_score": 0.31,
        "decided_at": "2026-11-02T10:14:00+07:00",
        "audited_at": "2026-11-03T09:00:00+07:00",
        "auditor_id": "aud-17",
        "notes": "Slang insult missed",
        "transcript": "kamu bego",
        "tags": ["talk_show", "guest_battle"],
    }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not ...}


def csv_record(**overrides):
    record = dict.fromkeys(RECORD_FIELDS, "")
    record.update({key: str(value) for key, value in json_record().items() if key not in ("tags", "model_score")})
    record.update(model_score="0.31", tags="talk_show;guest_battle", moderator_id="")
    record.update(overrides)
    return record


RECORD_FIELDS = [*json_record().keys(), "moderator_id"]
validate_json = RecordValidator(LABELS)
validate_csv = RecordValidator(LABELS, textual=True)


def errors_of(validate, record):
    clean, errors = validate(record)
    assert clean is None
    return errors


# ---------------------------------------------------------------------------------------------------------------------
# Valid records
# ---------------------------------------------------------------------------------------------------------------------


def test_validate_record_json_record_gives_model_columns():
    clean, errors = validate_json(json_record())

    assert errors == {}
    assert clean["decision_label_id"] == "none"
    assert clean["audit_label_id"] == "bullying_harassment"
    assert clean["outcome"] == "false_negative"
    assert clean["tags"] == ";talk_show;guest_battle;"
    assert clean["model_score"] == 0.31
    assert clean["decided_at"] == datetime(2026, 11, 2, 3, 14, tzinfo=UTC)
    assert clean["decided_at"].utcoffset() == timedelta(hours=7)


def test_validate_record_csv_strings_give_the_same_clean_record_as_json():
    clean_csv, errors = validate_csv(csv_record())

    assert errors == {}
    assert clean_csv == validate_json(json_record(moderator_id=""))[0]


def test_validate_record_optional_fields_default_when_absent_null_or_blank():
    minimal = json_record(
        surface=..., queue=None, model_score=None, auditor_id=..., notes=..., transcript=None, tags=None
    )
    clean, errors = validate_json(minimal)
    clean_csv, csv_errors = validate_csv(csv_record(surface="", queue="", model_score="", notes="", tags=""))

    assert errors == {} and csv_errors == {}
    assert (clean["surface"], clean["queue"], clean["model_score"], clean["tags"]) == ("live", "", None, "")
    assert (clean_csv["surface"], clean_csv["model_score"], clean_csv["tags"]) == ("live", None, "")


@pytest.mark.parametrize(
    ("decision", "audit", "outcome"),
    [
        ("hate_speech", "hate_speech", "correct"),
        ("hate_speech", "none", "false_positive"),
        ("none", "minor_safety", "false_negative"),
        ("spam_scam", "animal_harm", "wrong_policy"),
    ],
)
def test_validate_record_derives_the_outcome(decision, audit, outcome):
    clean, _ = validate_json(json_record(decision_label=decision, audit_label=audit))

    assert clean["outcome"] == outcome


def test_validate_record_language_tags_are_stored_in_canonical_case():
    assert validate_json(json_record(language="PT-br"))[0]["language"] == "pt-BR"
    assert validate_json(json_record(language="zh-hant-tw"))[0]["language"] == "zh-Hant-TW"
    assert validate_json(json_record(language="es-419"))[0]["language"] == "es-419"


def test_validate_record_csv_tags_ignore_empty_pieces_and_repeats():
    clean, _ = validate_csv(csv_record(tags="gaming;; music ;gaming;"))

    assert clean["tags"] == ";gaming;music;"


def test_validate_record_accepts_z_and_equal_times():
    clean, errors = validate_json(json_record(decided_at="2026-11-02T10:00:00Z", audited_at="2026-11-02T10:00:00Z"))

    assert errors == {}
    assert clean["audited_at"] == clean["decided_at"]


def test_validate_record_human_decision_needs_no_model_version():
    clean, errors = validate_json(json_record(decision_source="human", model_version=..., model_score=...))

    assert errors == {}
    assert clean["model_version"] == ""


@pytest.mark.django_db
def test_validate_record_loads_active_labels_when_none_given():
    from rca.models import PolicyLabel

    PolicyLabel.objects.filter(code="spam_scam").update(is_active=False)

    assert validate_record(json_record(decision_label="hate_speech"))[1] == {}
    assert "decision_label" in validate_record(json_record(decision_label="spam_scam"))[1]


# ---------------------------------------------------------------------------------------------------------------------
# Rejected records: one test a rule
# ---------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["external_id", "content_id", "content_type", "market", "language", "decision_source", "decision_label"]
)
def test_validate_record_missing_required_field_is_rejected(field):
    assert errors_of(validate_json, json_record(**{field: ...})) == {field: ["This field is required."]}
    assert errors_of(validate_json, json_record(**{field: None})) == {field: ["This field is required."]}
    assert errors_of(validate_csv, csv_record(**{field: ""})) == {field: ["This field is required."]}


@pytest.mark.parametrize("field", ["decided_at", "audited_at", "audit_label"])
def test_validate_record_missing_required_date_or_label_is_rejected(field):
    assert errors_of(validate_json, json_record(**{field: ...}))[field] == ["This field is required."]
    assert errors_of(validate_csv, csv_record(**{field: "  "}))[field] == ["This field is required."]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("external_id", 128), ("content_id", 128), ("surface", 32), ("queue", 64), ("model_version", 64),
     ("moderator_id", 64), ("auditor_id", 64), ("notes", 10_000), ("transcript", 10_000)],
)  # fmt: skip
def test_validate_record_oversized_text_is_rejected(field, limit):
    assert validate_json(json_record(**{field: "x" * limit}))[1] == {}
    assert errors_of(validate_json, json_record(**{field: "x" * (limit + 1)})) == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }


def test_validate_record_unknown_content_type_is_rejected():
    errors = errors_of(validate_json, json_record(content_type="podcast"))

    assert errors["content_type"][0].startswith('"podcast" is not a valid choice; expected one of: account, comment')


def test_validate_record_unknown_decision_source_is_rejected():
    assert "decision_source" in errors_of(validate_csv, csv_record(decision_source="robot"))


@pytest.mark.parametrize(
    ("market", "message"),
    [
        ("us", '"us" must be upper case: US.'),
        ("USA", '"USA" is not an ISO 3166-1 alpha-2 country code (e.g. US, ID, BR).'),
        ("ZZ", '"ZZ" is not an ISO 3166-1 alpha-2 country code (e.g. US, ID, BR).'),
    ],
)
def test_validate_record_market_must_be_iso_3166_alpha_2_upper_case(market, message):
    assert errors_of(validate_json, json_record(market=market)) == {"market": [message]}


@pytest.mark.parametrize("language", ["english", "en_US", "e", "en-", "123", "en-US-"])
def test_validate_record_language_must_be_a_bcp47_tag(language):
    errors = errors_of(validate_json, json_record(language=language))

    assert errors == {"language": [f'"{language}" is not a BCP 47 language tag (e.g. en, id, pt-BR).']}


@pytest.mark.parametrize("field", ["decision_label", "audit_label"])
def test_validate_record_unknown_label_is_rejected(field):
    errors = errors_of(validate_json, json_record(**{field: "jaywalking"}))

    assert errors == {field: ['"jaywalking" is not a known policy label.']}


def test_validate_record_model_decision_needs_a_model_version():
    assert errors_of(validate_json, json_record(model_version=...)) == {
        "model_version": ["This field is required when decision_source is model."]
    }
    assert "model_version" in errors_of(validate_csv, csv_record(model_version=""))


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan"), float("inf"), 10**400])
def test_validate_record_model_score_outside_unit_interval_is_rejected(score):
    assert errors_of(validate_json, json_record(model_score=score)) == {
        "model_score": ["Ensure this value is between 0 and 1."]
    }


def test_validate_record_csv_model_score_must_be_numeric():
    assert errors_of(validate_csv, csv_record(model_score="high")) == {"model_score": ['"high" is not a number.']}
    assert errors_of(validate_csv, csv_record(model_score="1.5")) == {
        "model_score": ["Ensure this value is between 0 and 1."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("external_id", 12345, "Expected a string, got number."),
        ("content_id", 1.5, "Expected a string, got number."),
        ("market", ["US"], "Expected a string, got array."),
        ("notes", {"text": "x"}, "Expected a string, got object."),
        ("queue", True, "Expected a string, got boolean."),
        ("model_score", "0.5", "Expected a number, got string."),
        ("model_score", True, "Expected a number, got boolean."),
        ("decided_at", 1762000000, "Expected a string, got number."),
        ("tags", "gaming;music", "Expected a list of strings, got string."),
        ("tags", ["gaming", 3], "Each tag must be a string, got number."),
    ],
)
def test_validate_record_wrong_json_types_are_rejected(field, value, message):
    assert errors_of(validate_json, json_record(**{field: value}))[field] == [message]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-02 10:14", '"2026-11-02 10:14" has no UTC offset: add one (e.g. +07:00, or Z for UTC).'),
        ("2026-11-02T10:14:00", '"2026-11-02T10:14:00" has no UTC offset: add one (e.g. +07:00, or Z for UTC).'),
        ("2026-11-02", '"2026-11-02" has no UTC offset: add one (e.g. +07:00, or Z for UTC).'),
        ("02/11/2026 10:14", '"02/11/2026 10:14" is not an ISO 8601 date-time (e.g. 2026-11-02T10:14:00+07:00).'),
        ("2026-13-02T10:14:00+07:00", '"2026-13-02T10:14:00+07:00" is not an ISO 8601 date-time (e.g. '
         "2026-11-02T10:14:00+07:00)."),
        ("yesterday", '"yesterday" is not an ISO 8601 date-time (e.g. 2026-11-02T10:14:00+07:00).'),
        ("0001-01-01T00:00:00+05:00", '"0001-01-01T00:00:00+05:00" is out of the supported range (years 1000-9998).'),
    ],
)  # fmt: skip
def test_validate_record_bad_or_naive_dates_are_rejected(value, message):
    assert errors_of(validate_json, json_record(decided_at=value)) == {"decided_at": [message]}


def test_validate_record_audit_before_decision_is_rejected():
    errors = errors_of(
        validate_json, json_record(decided_at="2026-11-03T10:00:00+07:00", audited_at="2026-11-03T02:59:00Z")
    )

    assert errors == {"audited_at": ["audited_at must not be before decided_at."]}


def test_validate_record_offsets_are_compared_as_instants():
    later_in_utc = datetime(2026, 11, 3, 4, 0, tzinfo=timezone(timedelta(hours=7))).isoformat()  # 21:00Z the day before

    assert validate_json(json_record(decided_at="2026-11-02T20:00:00Z", audited_at=later_in_utc))[1] == {}


# Audits dated in the future (beyond IMPORT_MAX_CLOCK_SKEW_MINUTES, 60 by default)
# A fresh validator in each test: a validator takes the time once, when it is built (once per import).


def future_message(value: str, skew: int = 60) -> str:
    return f'"{value}" is in the future (more than {skew} minutes after the import started).'


def from_now(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


@pytest.mark.parametrize("textual", [False, True])
@pytest.mark.parametrize("field", ["decided_at", "audited_at"])
def test_validate_record_a_date_beyond_the_clock_skew_is_rejected(field, textual):
    later = from_now(minutes=61)
    record = csv_record(**{field: later}) if textual else json_record(**{field: later})

    assert errors_of(RecordValidator(LABELS, textual=textual), record) == {field: [future_message(later)]}


def test_validate_record_an_audit_dated_in_the_year_3026_is_rejected_on_both_dates():
    decided, audited = "3026-01-05T10:00:00+07:00", "3026-01-06T10:00:00+07:00"

    errors = errors_of(RecordValidator(LABELS), json_record(decided_at=decided, audited_at=audited))

    assert errors == {"decided_at": [future_message(decided)], "audited_at": [future_message(audited)]}


def test_validate_record_dates_within_the_clock_skew_are_accepted():
    decided, audited = from_now(minutes=30), from_now(minutes=59)

    clean, errors = RecordValidator(LABELS)(json_record(decided_at=decided, audited_at=audited))

    assert errors == {}
    assert clean["audited_at"] == datetime.fromisoformat(audited)


def test_validate_record_the_future_is_judged_on_the_instant_not_the_wall_clock():
    # Now, written in UTC+14: its wall-clock reading is hours ahead of UTC, the instant is not in the future.
    now_in_kiribati = datetime.now(timezone(timedelta(hours=14))).isoformat()

    assert RecordValidator(LABELS)(json_record(audited_at=now_in_kiribati))[1] == {}


def test_validate_record_the_clock_skew_is_a_setting(settings):
    settings.IMPORT_MAX_CLOCK_SKEW_MINUTES = 0
    soon = from_now(minutes=5)
    assert errors_of(RecordValidator(LABELS), json_record(audited_at=soon)) == {
        "audited_at": [future_message(soon, skew=0)]
    }

    settings.IMPORT_MAX_CLOCK_SKEW_MINUTES = 180
    assert RecordValidator(LABELS)(json_record(audited_at=from_now(hours=2)))[1] == {}


@pytest.mark.django_db
def test_import_samples_rejects_a_future_audit_with_its_line_and_reason(tmp_path):
    later = from_now(days=3)
    source = tmp_path / "audits.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(json_record(external_id=external_id, audited_at=audited))
            for external_id, audited in (("qa-past", "2026-11-03T09:00:00+07:00"), ("qa-future", later))
        )
        + "\n"
    )
    rejects = tmp_path / "rejects.csv"
    out = io.StringIO()

    call_command("import_samples", str(source), "--rejects", str(rejects), stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines()[0] == "created: 1, updated: 0, rejected: 1"
    with open(rejects, newline="", encoding="utf-8") as stream:
        assert list(csv.DictReader(stream)) == [
            {"line": "2", "external_id": "qa-future", "reasons": f"audited_at: {future_message(later)}"}
        ]
    assert list(ModerationSample.objects.values_list("external_id", flat=True)) == ["qa-past"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["x" * 65], "Each tag must be 1-64 characters: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'."),
        (["ok", ""], "Each tag must be 1-64 characters: ''."),
        (["a;b"], "A tag may not contain ';': 'a;b'."),
    ],
)
def test_validate_record_bad_tags_are_rejected(tags, message):
    assert errors_of(validate_json, json_record(tags=tags)) == {"tags": [message]}


def test_validate_record_csv_tag_too_long_is_rejected():
    assert "tags" in errors_of(validate_csv, csv_record(tags="gaming;" + "y" * 65))


def test_validate_record_unknown_fields_are_rejected_with_their_name():
    errors = errors_of(validate_json, json_record(severity="high", Market="US"))

    assert errors == {
        "severity": ["Unknown field (the fields are those of docs/sample-format.md)."],
        "Market": ["Unknown field (the fields are those of docs/sample-format.md)."],
    }


def test_validate_record_text_that_postgresql_cannot_store_is_rejected():
    assert errors_of(validate_json, json_record(notes="a\x00b")) == {"notes": ["Null characters are not allowed."]}
    assert errors_of(validate_json, json_record(transcript="\ud800")) == {
        "transcript": ["Contains characters that cannot be encoded as UTF-8 (lone surrogates)."]
    }


@pytest.mark.parametrize(("raw", "kind"), [(None, "null"), ([], "array"), ("qa-1", "string"), (42, "number")])
def test_validate_record_non_object_is_rejected(raw, kind):
    assert errors_of(validate_json, raw) == {
        "non_field_errors": [f"Expected an object with the sample's fields, got {kind}."]
    }


def test_validate_record_reports_every_bad_field_at_once():
    errors = errors_of(validate_json, json_record(market="usa", audit_label="nope", model_score=2, external_id=...))

    assert set(errors) == {"market", "audit_label", "model_score", "external_id"}
