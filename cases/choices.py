"""The choices of the case app, and the groupings of them that rules use (open and terminal statuses, open and
settled action items): each grouping is defined here once, and every service, selector, filter, report and page
imports it rather than listing the values again."""

from django.db import models


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGE = "triage", "Triage"
    INVESTIGATING = "investigating", "Investigating"
    ROOT_CAUSE_IDENTIFIED = "root_cause_identified", "Root cause identified"
    REMEDIATING = "remediating", "Remediating"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"
    DUPLICATE = "duplicate", "Duplicate"
    WONT_FIX = "wont_fix", "Won't fix"


# A case is resolved once it reaches a terminal status (`resolved_at` is stamped); it is open until then.
TERMINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.DUPLICATE, CaseStatus.WONT_FIX)
OPEN_STATUSES = tuple(status for status in CaseStatus if status not in TERMINAL_STATUSES)


class Severity(models.TextChoices):
    S1 = "S1", "S1 - critical"
    S2 = "S2", "S2 - high"
    S3 = "S3", "S3 - medium"
    S4 = "S4", "S4 - low"


class CaseOrigin(models.TextChoices):
    MANUAL = "manual", "Manual"
    DETECTED = "detected", "Detected"


class RootCauseCategory(models.TextChoices):
    POLICY_GAP = "policy_gap", "Policy gap"
    GUIDELINE_AMBIGUITY = "guideline_ambiguity", "Guideline ambiguity"
    REVIEWER_TRAINING = "reviewer_training", "Reviewer training"
    MODEL_DEFECT = "model_defect", "Model defect"
    TOOLING_ROUTING = "tooling_routing", "Tooling / queue routing"
    LOCALISATION = "localisation", "Localisation / language coverage"
    PROCESS = "process", "Process"
    QA_CALIBRATION = "qa_calibration", "QA calibration (the audit, not the decision)"


class FindingStatus(models.TextChoices):
    HYPOTHESIS = "hypothesis", "Hypothesis"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class ActionItemKind(models.TextChoices):
    POLICY_UPDATE = "policy_update", "Policy update"
    GUIDELINE_CLARIFICATION = "guideline_clarification", "Guideline clarification"
    TRAINING = "training", "Training"
    MODEL_FIX = "model_fix", "Model fix"
    TOOLING_FIX = "tooling_fix", "Tooling fix"
    PROCESS_CHANGE = "process_change", "Process change"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# A settled action item needs no more work (`completed_at` is stamped); the others are open.
SETTLED_ACTION_ITEM_STATUSES = (ActionItemStatus.DONE, ActionItemStatus.CANCELLED)
OPEN_ACTION_ITEM_STATUSES = tuple(status for status in ActionItemStatus if status not in SETTLED_ACTION_ITEM_STATUSES)


class LinkSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    DETECTION = "detection", "Detection"
    MERGE = "merge", "Merged from a duplicate"


class ActivityVerb(models.TextChoices):
    OPENED = "opened", "opened the case"
    TRANSITIONED = "transitioned", "changed the status"
    ASSIGNED = "assigned", "assigned the case"
    UPDATED = "updated", "edited the case"
    SHARED = "shared", "changed the shared teams"
    WATCHED = "watched", "changed the watchers"
    SAMPLES_LINKED = "samples_linked", "linked samples"
    SAMPLES_UNLINKED = "samples_unlinked", "unlinked samples"
    SAMPLES_MERGED = "samples_merged", "received samples from a duplicate"
    FINDING_ADDED = "finding_added", "added a finding"
    FINDING_UPDATED = "finding_updated", "updated a finding"
    ACTION_ITEM_ADDED = "action_item_added", "added an action item"
    ACTION_ITEM_UPDATED = "action_item_updated", "updated an action item"
    COMMENTED = "commented", "commented"
    DETECTION_UPDATE = "detection_update", "detection attached new samples"
    REOPENED = "reopened", "reopened the case"
    FACTOR_ADDED = "factor_added", "added a contributing factor"
    FACTOR_REMOVED = "factor_removed", "removed a contributing factor"
    FIVE_WHYS_UPDATED = "five_whys_updated", "updated the five whys"
    FIX_RECORDED = "fix_recorded", "recorded a fix"
    FIX_VERDICT = "fix_verdict", "the fix verdict changed"
    LATE_AUDITS = "late_audits", "late audits of decisions made before the fix"
    PATTERN_GREW = "pattern_grew", "the pattern grew since it was set aside"
    VERDICT_DISPUTED = "verdict_disputed", "disputed a sample's verdict"
    VERDICT_UPHELD = "verdict_upheld", "a second review upheld a sample's verdict"
    VERDICT_OVERTURNED = "verdict_overturned", "a second review overturned a sample's verdict"


class Role(models.TextChoices):
    QUALITY_LEAD = "quality_lead", "Quality lead"
    PARTNER = "partner", "Partner"
    MANAGER = "manager", "Manager"
