"""The fields of a moderation sample, in one table (the format is described in docs/sample-format.md).

Everything that lists a sample's fields derives from `SAMPLE_FIELDS`: the names a record may carry (`FIELDS`: the
import's CSV header and JSON keys, the bulk API's body, the sample API's output), the columns the import writes
(`COPY_COLUMNS`, for the COPY and the bulk upsert), the validator's limits, and the benchmarks' loaders. A test
(tests/rca/test_sample_fields.py) fails when `ModerationSample` and this table disagree.

No Django imports: generators and benchmark scripts use it without settings.
"""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a field's value is, and so how the import checks it (see rca/importing/validation.py)."""

    TEXT = "text"  # a string, up to `max_length` characters
    CHOICE = "choice"  # one of a fixed set of values (rca.choices)
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code, upper case
    LANGUAGE = "language"  # a BCP 47 language tag, stored in canonical case
    LABEL = "label"  # the code of an active policy label (stored as a foreign key to it)
    NUMBER = "number"  # a float
    DATETIME = "datetime"  # an ISO 8601 date-time with a UTC offset
    TAGS = "tags"  # a list of short strings (CSV: `;`-separated), stored as ";a;b;"
    WEIGHT = "weight"  # a positive float, `default` when not given (rca/importing/numbers.py)


@dataclass(frozen=True, slots=True)
class SampleField:
    """One field of a sample.

    `required`: a record without it (or with an empty value) is rejected; `model_version`'s condition (required when
    `decision_source` is `model`) is a rule of the validator. `max_length`: the longest value, in characters (of each
    tag, for `tags`; None when the value is looked up in a fixed set). `default`: the value stored when an optional
    field is absent, when it is not empty (a number for the weight). `derived`: computed by the import, never read
    from a record (the outcome).
    """

    name: str
    kind: Kind
    required: bool = False
    max_length: int | None = None
    default: str | float = ""
    derived: bool = False

    @property
    def column(self) -> str:
        """The `ModerationSample` attribute (and database column) that stores it: labels are foreign keys."""
        return f"{self.name}_id" if self.kind == Kind.LABEL else self.name


# In the order of the model's fields (and of the sample API's output); the record's fields are the same without
# `outcome`.
SAMPLE_FIELDS: tuple[SampleField, ...] = (
    SampleField("external_id", Kind.TEXT, required=True, max_length=128),
    SampleField("content_id", Kind.TEXT, required=True, max_length=128),
    SampleField("content_type", Kind.CHOICE, required=True),
    SampleField("surface", Kind.TEXT, max_length=32, default="live"),
    SampleField("market", Kind.COUNTRY, required=True),
    SampleField("language", Kind.LANGUAGE, required=True, max_length=35),
    SampleField("queue", Kind.TEXT, max_length=64),
    SampleField("decision_source", Kind.CHOICE, required=True),
    SampleField("model_version", Kind.TEXT, max_length=64),
    SampleField("moderator_id", Kind.TEXT, max_length=64),
    SampleField("decision_label", Kind.LABEL, required=True, max_length=64),  # a PolicyLabel.code
    SampleField("audit_label", Kind.LABEL, required=True, max_length=64),
    SampleField("outcome", Kind.CHOICE, derived=True),
    SampleField("model_score", Kind.NUMBER),
    SampleField("decided_at", Kind.DATETIME, required=True),
    SampleField("audited_at", Kind.DATETIME, required=True),
    SampleField("auditor_id", Kind.TEXT, max_length=64),
    SampleField("notes", Kind.TEXT, max_length=10_000),
    SampleField("transcript", Kind.TEXT, max_length=10_000),
    SampleField("tags", Kind.TAGS, max_length=64),  # the limit of each tag
    SampleField("weight", Kind.WEIGHT, default=1.0),  # the audit's sampling weight
)

BY_NAME: dict[str, SampleField] = {field.name: field for field in SAMPLE_FIELDS}
# The fields of a record (import, bulk API), in the order of docs/sample-format.md and of the CSV examples.
RECORD_FIELDS: tuple[SampleField, ...] = tuple(field for field in SAMPLE_FIELDS if not field.derived)
FIELDS: tuple[str, ...] = tuple(field.name for field in RECORD_FIELDS)
REQUIRED_FIELDS: tuple[str, ...] = tuple(field.name for field in RECORD_FIELDS if field.required)
# Fields the import computes: the outcome, from the two labels (rca/outcomes.py).
DERIVED_FIELDS: tuple[str, ...] = tuple(field.name for field in SAMPLE_FIELDS if field.derived)
# The columns one import writes for a record (the validator's clean dict, the COPY and the upsert), in model order.
COPY_COLUMNS: tuple[str, ...] = tuple(field.column for field in SAMPLE_FIELDS)
# Columns the writer stamps itself: when a sample was first imported, and last changed.
TIMESTAMP_COLUMNS: tuple[str, ...] = ("imported_at", "updated_at")
# Columns of the audit's state that no import writes (a database default on insert, kept on upsert): whether its
# verdict is in doubt (an open dispute, an audit-driven pattern).
STATE_COLUMNS: tuple[str, ...] = ("verdict_in_doubt",)
# The fields of a sample as the API shows it (model field names: the record's fields, the outcome, the timestamps,
# the state).
OUTPUT_FIELDS: tuple[str, ...] = (*(field.name for field in SAMPLE_FIELDS), *TIMESTAMP_COLUMNS, *STATE_COLUMNS)
# Every concrete column of `ModerationSample`, in model order.
MODEL_COLUMNS: tuple[str, ...] = ("id", *COPY_COLUMNS, *TIMESTAMP_COLUMNS, *STATE_COLUMNS)
