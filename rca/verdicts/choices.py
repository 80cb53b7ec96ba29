"""The kinds of second audit, and the groupings rules use."""

from django.db import models


class ReviewKind(models.TextChoices):
    DISPUTE = "dispute", "Dispute review"  # recorded by a reviewer on a dispute (cases.disputes)
    SECOND_REVIEW = "second_review", "Second review"  # imported (`review_kind` of docs/sample-format.md)
    CALIBRATION = "calibration", "Calibration answer"  # imported; scored against the final label, changes nothing


# A resolution decides the sample's final label (an overturn corrects it); a calibration answer only measures.
RESOLVING_KINDS = (ReviewKind.DISPUTE, ReviewKind.SECOND_REVIEW)
# What an imported record's `review_kind` may say.
IMPORTED_KINDS = (ReviewKind.SECOND_REVIEW, ReviewKind.CALIBRATION)
