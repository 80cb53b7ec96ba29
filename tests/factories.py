"""factory-boy factories for every model, with traits for the common states."""

from datetime import datetime, timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone
from factory import Trait
from factory.django import DjangoModelFactory

from cases.audience import refresh_audience
from cases.choices import ActionItemKind, ActionItemStatus, CaseOrigin, CaseStatus, FindingStatus, Severity
from cases.markdown import render_markdown
from cases.models import ActionItem, Activity, Case, CaseSample, Comment, Finding, Team, UserPreference
from rca.choices import ContentType, DecisionSource, DetectionRunStatus
from rca.models import DetectionRun, ErrorPattern, ModerationSample, PatternFingerprint, PolicyLabel, SampleReveal
from rca.outcomes import derive_outcome


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.add(*extracted)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class UserPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = UserPreference

    user = factory.SubFactory(UserFactory)


class PolicyLabelFactory(DjangoModelFactory):
    class Meta:
        model = PolicyLabel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"label_{n}")
    name = factory.LazyAttribute(lambda label: label.code.replace("_", " ").title())
    area = "custom"


class ModerationSampleFactory(DjangoModelFactory):
    """An audited decision; by default a model's false negative on bullying in Indonesia. Traits pick the outcome."""

    class Meta:
        model = ModerationSample

    class Params:
        correct = Trait(decision_label_id="bullying_harassment", audit_label_id="bullying_harassment")
        false_positive = Trait(decision_label_id="violence_graphic", audit_label_id="none")
        wrong_policy = Trait(decision_label_id="hate_speech", audit_label_id="bullying_harassment")
        human = Trait(decision_source=DecisionSource.HUMAN, model_version="", moderator_id="mod-311")

    external_id = factory.Sequence(lambda n: f"qa-{n:07d}")
    content_id = factory.Sequence(lambda n: f"ls-{n}")
    content_type = ContentType.LIVE_STREAM
    surface = "live"
    market = "ID"
    language = "id"
    queue = "live_id_general"
    decision_source = DecisionSource.MODEL
    model_version = "live-clf-3.2"
    moderator_id = ""
    decision_label_id = "none"
    audit_label_id = "bullying_harassment"
    outcome = factory.LazyAttribute(lambda sample: derive_outcome(sample.decision_label_id, sample.audit_label_id))
    model_score = 0.3
    audited_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    decided_at = factory.LazyAttribute(lambda sample: sample.audited_at - timedelta(hours=6))
    auditor_id = "aud-17"
    notes = "Slang insult missed by the model"
    transcript = "dasar bego"
    tags = ";guest_battle;"


def audits_bulk(
    *, audits: int, errors: int, start: datetime, end: datetime, error_label: str = "bullying_harassment", **fields
) -> int:
    """`audits` audited decisions made evenly over [start, end) (each audited an hour after its decision), `errors` of
    them misclassified (audit label `error_label`) and spread evenly among the others; `fields` as for
    `ModerationSampleFactory` (by default a model's decision `none` in market ID). One `bulk_create`; returns the count.
    """
    fields.setdefault("decision_label_id", "none")
    step = (end - start) / audits
    rows = []
    for index in range(audits):
        decided_at = start + step * index
        is_error = (index + 1) * errors // audits > index * errors // audits
        audit_label = error_label if is_error else fields["decision_label_id"]
        rows.append(
            ModerationSampleFactory.build(
                **fields, audit_label_id=audit_label, decided_at=decided_at, audited_at=decided_at + timedelta(hours=1)
            )
        )
    ModerationSample.objects.bulk_create(rows, batch_size=1000)
    return audits


class DetectionRunFactory(DjangoModelFactory):
    class Meta:
        model = DetectionRun

    status = DetectionRunStatus.SUCCEEDED


class ErrorPatternFactory(DjangoModelFactory):
    class Meta:
        model = ErrorPattern

    fingerprint = factory.Sequence(lambda n: f"v1:{n:060x}")
    name = factory.Sequence(lambda n: f"Pattern {n}: none -> bullying_harassment in ID")
    definition = factory.LazyFunction(
        lambda: {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}
    )
    top_terms = factory.LazyFunction(lambda: ["slang", "insult", "battle"])
    policy_area = "safety_civility"
    policy_label = "bullying_harassment"
    market = "ID"
    support = 400
    error_count = 120
    error_rate = 0.3
    baseline_rate = 0.05
    lift = 6.0
    days_seen = 5
    first_seen = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    last_seen = factory.LazyFunction(timezone.now)


class PatternFingerprintFactory(DjangoModelFactory):
    class Meta:
        model = PatternFingerprint

    fingerprint = factory.Sequence(lambda n: f"v1:alias{n:055x}")
    pattern = factory.SubFactory(ErrorPatternFactory)


class CaseFactory(DjangoModelFactory):
    """A case written directly (for arranging tests); real code opens cases with `cases.services.case_open`."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        investigating = Trait(status=CaseStatus.INVESTIGATING)
        closed = Trait(status=CaseStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now))
        detected = Trait(origin=CaseOrigin.DETECTED, pattern=factory.SubFactory(ErrorPatternFactory))

    title = factory.Sequence(lambda n: f"Case {n}: slang insults missed in ID live")
    problem_statement = "The model misses local slang insults."
    severity = Severity.S3
    status = CaseStatus.NEW
    origin = CaseOrigin.MANUAL
    policy_label = "bullying_harassment"
    market = "ID"
    opened_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda case: case.opened_at + timedelta(days=14))

    @factory.post_generation
    def shared_teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.shared_teams.add(*extracted)

    @factory.post_generation
    def watchers(self, create, extracted, **kwargs):
        if create and extracted:
            self.watchers.add(*extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:  # as the services do: who may see the case (cases.audience)
            refresh_audience([instance.pk])
            instance.refresh_from_db(fields=["audience"])


class CaseSampleFactory(DjangoModelFactory):
    class Meta:
        model = CaseSample

    case = factory.SubFactory(CaseFactory)
    sample = factory.SubFactory(ModerationSampleFactory)


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = Finding

    case = factory.SubFactory(CaseFactory)
    statement = "The classifier has no training data for this slang."
    status = FindingStatus.HYPOTHESIS


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    class Params:
        done = Trait(status=ActionItemStatus.DONE, completed_at=factory.LazyFunction(timezone.now))

    case = factory.SubFactory(CaseFactory)
    title = "Add slang terms to the training set"
    kind = ActionItemKind.MODEL_FIX
    status = ActionItemStatus.OPEN
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:  # its owner may see the case (cases.audience)
            refresh_audience([instance.case_id])


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    case = factory.SubFactory(CaseFactory)
    body = "Looks like a **coverage** gap."
    body_html = factory.LazyAttribute(lambda comment: render_markdown(comment.body))


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    case = factory.SubFactory(CaseFactory)
    verb = "commented"


class SampleRevealFactory(DjangoModelFactory):
    class Meta:
        model = SampleReveal

    user = factory.SubFactory(UserFactory)
    sample = factory.SubFactory(ModerationSampleFactory)


def audits_by_day(*, first_day, days: int, per_day: int, errors_per_day: int, **fields) -> list[ModerationSample]:
    """Audited decisions, bulk-created: `per_day` on each of `days` days from `first_day` (a minute apart), the first
    `errors_per_day` of each day missed bullying (the default sample's error), the others correct. `fields` override
    the sample's fields (e.g. `market`)."""
    samples = []
    for day in range(days):
        for index in range(per_day):
            decided = first_day + timedelta(days=day, minutes=index)
            audit_label = "bullying_harassment" if index < errors_per_day else fields.get("decision_label_id", "none")
            samples.append(
                ModerationSampleFactory.build(
                    decided_at=decided, audited_at=decided + timedelta(hours=1), audit_label_id=audit_label, **fields
                )
            )
    return ModerationSample.objects.bulk_create(samples)
