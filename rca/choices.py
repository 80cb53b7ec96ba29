"""The rca app's choice values. `NO_VIOLATION` and `AUDIT_QUALITY` are defined by the pure detection code and
re-exported here."""

from django.db import models

from rca.detection.partitions import AUDIT_QUALITY as AUDIT_QUALITY
from rca.detection.partitions import NO_VIOLATION as NO_VIOLATION


class Outcome(models.TextChoices):
    CORRECT = "correct", "Correct"
    FALSE_POSITIVE = "false_positive", "False positive"
    FALSE_NEGATIVE = "false_negative", "False negative"
    WRONG_POLICY = "wrong_policy", "Wrong policy"


ERROR_OUTCOMES = (Outcome.FALSE_POSITIVE, Outcome.FALSE_NEGATIVE, Outcome.WRONG_POLICY)


class ContentType(models.TextChoices):
    LIVE_STREAM = "live_stream", "Live stream"
    LIVE_COMMENT = "live_comment", "Live comment"
    VIDEO = "video", "Video"
    COMMENT = "comment", "Comment"
    IMAGE = "image", "Image"
    ACCOUNT = "account", "Account"


class DecisionSource(models.TextChoices):
    HUMAN = "human", "Human"
    MODEL = "model", "Model"


class PatternStatus(models.TextChoices):
    ACTIVE = "active", "Active"  # seen in the latest run's window
    DORMANT = "dormant", "Dormant"  # not significant in the latest run
    MERGED = "merged", "Merged"  # absorbed by another pattern (see its aliases)


class DetectionRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # another run held the lock


class FileFormat(models.TextChoices):
    """The formats of a sample file (docs/sample-format.md)."""

    CSV = "csv", "CSV with a header row"
    JSONL = "jsonl", "JSON Lines"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # created; the file is not split yet
    RUNNING = "running", "Running"  # split into chunks, which workers import
    SUCCEEDED = "succeeded", "Succeeded"  # every chunk imported (rows may have been rejected)
    FAILED = "failed", "Failed"  # the file could not be read, or a chunk failed after its retries


class ImportChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for a worker (again, after a failed attempt: see `attempts`, `error`)
    RUNNING = "running", "Running"
    DONE = "done", "Done"  # committed, with its counts
    FAILED = "failed", "Failed"  # failed on every attempt; `import_samples_parallel --resume` tries it again
