"""The case work: teams, RCA cases, linked samples, findings, action items, comments and the append-only timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.choices import (
    OPEN_STATUSES,
    ActionItemKind,
    ActionItemStatus,
    ActivityVerb,
    CaseOrigin,
    CaseStatus,
    FindingStatus,
    LinkSource,
    RootCauseCategory,
    Severity,
)
from cases.notifications.choices import NotificationKind
from rca.models import ErrorPattern, ModerationSample


class Team(models.Model):
    """A cross-functional team (Policy, Product, Operations, ML, Legal, Quality...)."""

    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    policy_areas = models.JSONField(default=list, blank=True, help_text="Policy areas routed to this team.")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    blur_sensitive = models.BooleanField(default=True, help_text="Blur notes and transcripts of sensitive samples.")

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)


def case_key(pk: int) -> str:
    """A case's human key: `RCA-42`."""
    return f"RCA-{pk}"


class Case(models.Model):
    """An RCA case. Its status only changes through `cases.services.case_transition` (see `cases/workflow.py`)."""

    title = models.CharField(max_length=200)
    problem_statement = models.TextField(blank=True, default="")
    severity = models.CharField(max_length=2, choices=Severity.choices, default=Severity.S3)
    status = models.CharField(max_length=32, choices=CaseStatus.choices, default=CaseStatus.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases")
    shared_teams = models.ManyToManyField(Team, blank=True, related_name="shared_cases")
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="watched_cases")
    origin = models.CharField(max_length=16, choices=CaseOrigin.choices, default=CaseOrigin.MANUAL)
    pattern = models.OneToOneField(ErrorPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="case")
    policy_label = models.CharField(max_length=64, blank=True, default="", help_text="Main policy label at stake.")
    market = models.CharField(max_length=2, blank=True, default="")
    root_cause_category = models.CharField(max_length=32, choices=RootCauseCategory.choices, blank=True, default="")
    root_cause_statement = models.TextField(blank=True, default="")
    resolution_reason = models.TextField(blank=True, default="", help_text="Why it was closed as won't fix.")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    samples = models.ManyToManyField(ModerationSample, through="CaseSample", related_name="cases")
    sample_count = models.PositiveIntegerField(default=0, help_text="Kept by the link services.")
    reopen_count = models.PositiveIntegerField(default=0)
    measure = models.JSONField(default=dict, blank=True, help_text="Set by a lead (cases.measure); empty: derived.")
    closed_by_override = models.BooleanField(default=False, help_text="Closed without a holding fix verdict.")
    set_aside_weekly_errors = models.PositiveIntegerField(
        null=True, blank=True, help_text="Won't fix: the pattern's weekly errors when last noted (cases.fixes.growth)."
    )
    due_at = models.DateTimeField()
    opened_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)
    investigating_at = models.DateTimeField(null=True, blank=True)
    root_cause_identified_at = models.DateTimeField(null=True, blank=True)
    remediating_at = models.DateTimeField(null=True, blank=True)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Closed, duplicate or won't fix.")
    reopened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    audience = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Keys of the teams (t<id>) and people (u<id>) the case is open to; kept by cases.audience.",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="case_status_due_idx"),
            models.Index(fields=["due_at", "id"], name="case_due_idx"),  # board and API sorted by due date
            models.Index(fields=["opened_at"], name="case_opened_idx"),
            # Lists filtered by status (and severity), newest first.
            models.Index(fields=["status", "severity", "opened_at"], name="case_status_severity_idx"),
            # Counts by status (and severity), the lists' and the board's: B-tree deduplication keeps this one about
            # a seventh the size of the index above, so counting thousands of cases reads a few pages (half the time).
            models.Index(fields=["status", "severity"], name="case_status_severity_n_idx"),
            models.Index(fields=["policy_label"], name="case_policy_idx"),
            models.Index(fields=["market"], name="case_market_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="case_duplicate_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return case_key(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseSample(models.Model):
    """A sample linked to a case as evidence, with who linked it and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sample_links")
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, choices=LinkSource.choices, default=LinkSource.MANUAL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "sample"], name="case_sample_unique")]
        indexes = [models.Index(fields=["case", "linked_at"], name="casesample_case_linked_idx")]

    def __str__(self) -> str:
        return f"{self.sample_id} in case {self.case_id}"


class Finding(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    statement = models.TextField()
    status = models.CharField(max_length=16, choices=FindingStatus.choices, default=FindingStatus.HYPOTHESIS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    evidence = models.ManyToManyField(ModerationSample, blank=True, related_name="findings")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.statement[:80]


class ActionItem(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=32, choices=ActionItemKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="actionitem_owner_status_idx"),
            models.Index(fields=["status", "due_at"], name="actionitem_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title


# STRUCTURED RCA: contributing factors and the five whys (written by cases.services.rca_structure)
# ------------------------------------------------------------------------------

MAX_WHYS = 5


class ContributingFactor(models.Model):
    """Something that made the error possible or worse, besides the root cause: a category of the root-cause taxonomy
    and one sentence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contributing_factors")
    category = models.CharField(max_length=32, choices=RootCauseCategory.choices)
    statement = models.CharField(max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.statement[:80]


class WhyStep(models.Model):
    """One answer of a case's five-whys chain: `position` 1 answers "why did the problem happen?", each next one
    "why did that happen?"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="why_steps")
    position = models.PositiveSmallIntegerField()
    answer = models.CharField(max_length=500)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="whystep_case_position_unique"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=MAX_WHYS), name="whystep_position_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Why {self.position} of case {self.case_id}"


class Comment(models.Model):
    """A comment on a case, or on one of its findings. `body_html` is the sanitised rendering of `body`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class ActivityQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Activity is append-only: it cannot be updated.")

    def delete(self):
        raise TypeError("Activity is append-only: it cannot be deleted.")


class Activity(models.Model):
    """The append-only timeline of a case. Rows are only ever inserted (see `cases/events.py`)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=32, choices=ActivityVerb.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["case", "created_at"], name="activity_case_created_idx"),
            models.Index(fields=["created_at"], name="activity_created_idx"),  # the notification outbox sweep
        ]

    def __str__(self) -> str:
        return f"{self.verb} on case {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Activity is append-only: it cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Activity is append-only: it cannot be deleted.")


# NOTIFICATIONS AND REPORT SNAPSHOTS (owned by cases/notifications and cases/reporting)
# ------------------------------------------------------------------------------


class NotifiedActivity(models.Model):
    """A timeline entry whose notifications went out (`cases.tasks.notify_activity` records it last).

    The outbox sweep (`cases.tasks.notify_missed_activities`) notifies the recent entries that have none: their task
    was never sent (the broker was down when the write committed) or never finished."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, primary_key=True, related_name="notified")
    notified_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"activity {self.activity_id} notified"


class NotificationDigest(models.Model):
    """The one reminder digest email of a user for a day: `sent_at` is set once the email has gone out."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    date = models.DateField()
    notification_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "date"], name="digest_recipient_date_unique")]

    def __str__(self) -> str:
        return f"Digest of {self.recipient_id} for {self.date}"


class Notification(models.Model):
    """Something a user should know about. `idempotency_key` is unique, so a retried task never creates it twice;
    `emailed_at` (event kinds) and `digest` (reminder kinds) record that the email went out."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True, default="")
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        NotificationDigest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReportSnapshot(models.Model):
    """The headline report figures of one day, stored so that trends survive later edits to the cases."""

    date = models.DateField(unique=True)
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"Report snapshot {self.date}"
