"""Filters of the case lists, shared by the API (`/api/v1/cases/`, action items...) and the pages (case board)."""

import re

import django_filters
from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.fields import ModelChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases import permissions
from cases.choices import (
    OPEN_ACTION_ITEM_STATUSES,
    OPEN_STATUSES,
    ActionItemStatus,
    CaseOrigin,
    CaseStatus,
    FindingStatus,
    Severity,
)
from cases.models import ActionItem, Case, Comment, Finding, Team
from config.api.schema import MAX_ID
from config.filters import BoundedIsoDateTimeFilter, MarketFilter, StableOrderingFilter, StrictBooleanFilter
from rca.models import PolicyLabel


@extend_schema_field(OpenApiTypes.STR)
class PolicyLabelCodeFilter(django_filters.ModelChoiceFilter):
    """A policy label given by its code (`hate_speech`); an unknown code is a 400."""


# FILTERS THAT NAME A RECORD THE USER MUST BE ABLE TO SEE
# ------------------------------------------------------------------------------


class VisibleIdField(ModelChoiceField):
    """A record given by its id, among the queryset's: not a whole number is "Enter a whole number."; an id outside
    the queryset (unknown, or not visible to the user: the same words, so the answer tells nothing) the
    `invalid_choice` message. An id out of a bigint's range is refused without a query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            key = int(str(value).strip())
        except ValueError:
            raise forms.ValidationError("Enter a whole number.", code="invalid") from None
        if not 1 <= key <= MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(key)


@extend_schema_field(OpenApiTypes.INT)
class VisibleIdFilter(django_filters.ModelChoiceFilter):
    """A filter naming a case, finding or pattern by id. `queryset` is a callable given the request (django-filter
    calls it when the filter set is built with `request=`), returning what that user may see; so a partner asking
    for the samples of a case not shared with it gets the same 400 as for a case that does not exist, rather than
    the case's samples filtered (which would tell which samples belong to it). Without a request nothing is visible:
    a filter set built outside a request must be given one. The schema declares an id (`config.api.schema` adds its
    bounds)."""

    field_class = VisibleIdField

    def __init__(self, *args, noun: str, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": f"No such {noun}."})
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        # django-filter caches the form field on the filter, with the queryset it was built for, and a filter set's
        # filters are deep copies of its class's: a field once built on the class's filter (the schema generator
        # builds them, with no request, so with no visible record) would otherwise be reused by every request.
        if self.get_request() is not None and not getattr(self, "_field_built_for_request", False):
            self.__dict__.pop("_field", None)
            self._field_built_for_request = True
        return super().field


def visible_cases(request) -> QuerySet[Case]:
    return permissions.visible_cases(request.user) if request is not None else Case.objects.none()


def visible_findings(request) -> QuerySet[Finding]:
    return permissions.visible_findings(request.user) if request is not None else Finding.objects.none()


def case_filter(**kwargs) -> VisibleIdFilter:
    """The `case` filter of every list: a case the user sees."""
    return VisibleIdFilter(queryset=visible_cases, noun="case", **kwargs)


# CASES
# ------------------------------------------------------------------------------

KEY_RE = re.compile(r"^\s*(?:RCA-)?(\d{1,12})\s*$", re.IGNORECASE)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, distinct=False)
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), field_name="team")
    origin = django_filters.ChoiceFilter(choices=CaseOrigin.choices)
    policy = PolicyLabelCodeFilter(
        queryset=PolicyLabel.objects.all(), to_field_name="code", method="filter_policy", label="Policy label"
    )
    market = MarketFilter(method="filter_market")
    opened_after = BoundedIsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = BoundedIsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    overdue = StrictBooleanFilter(method="filter_overdue")
    q = django_filters.CharFilter(method="filter_q", max_length=200, label="Text (title, problem, RCA key)")
    ordering = StableOrderingFilter(
        fields=(
            ("opened_at", "opened_at"),
            ("due_at", "due_at"),
            # Severity is stored as its code, "S1" (critical) to "S4" (low), and the codes sort as the ranks do, so
            # ascending is S1 first with a plain ORDER BY: no `Case`/`When` rank (which no index could serve) and no
            # ordinal column, and the `(status, severity)` indexes stay usable. The board's header sorts ascending
            # first (most severe on top); tests/cases/test_severity_ordering.py pins the codes' order.
            ("severity", "severity"),
            ("sample_count", "sample_count"),
        )
    )

    class Meta:
        model = Case
        fields = ["status", "severity", "owner", "team", "origin", "policy", "market", "opened_after", "opened_before"]

    def filter_policy(self, queryset, name, value):
        return queryset.filter(policy_label=value.code) if value else queryset

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        key = KEY_RE.match(value)
        if key:
            return queryset.filter(pk=int(key.group(1)))
        return queryset.filter(Q(title__icontains=value) | Q(problem_statement__icontains=value))


class FindingFilter(django_filters.FilterSet):
    case = case_filter()
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)

    class Meta:
        model = Finding
        fields = ["case", "status"]


class ActionItemFilter(django_filters.FilterSet):
    case = case_filter()
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    status = django_filters.MultipleChoiceFilter(choices=ActionItemStatus.choices)
    overdue = StrictBooleanFilter(method="filter_overdue")

    class Meta:
        model = ActionItem
        fields = ["case", "owner", "team", "status"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_ACTION_ITEM_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class CommentFilter(django_filters.FilterSet):
    case = case_filter()
    finding = VisibleIdFilter(queryset=visible_findings, noun="finding")

    class Meta:
        model = Comment
        fields = ["case", "finding"]
