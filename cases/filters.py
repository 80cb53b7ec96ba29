"""Filters of the case lists, shared by the API (`/api/v1/cases/`, action items...) and the pages (case board)."""

import re

import django_filters
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

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
from config.filters import BoundedIsoDateTimeFilter, IdFilter, MarketFilter, StableOrderingFilter, StrictBooleanFilter
from rca.models import PolicyLabel


@extend_schema_field(OpenApiTypes.STR)
class PolicyLabelCodeFilter(django_filters.ModelChoiceFilter):
    """A policy label given by its code (`hate_speech`); an unknown code is a 400."""


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
    case = IdFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)

    class Meta:
        model = Finding
        fields = ["case", "status"]


class ActionItemFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
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
    case = IdFilter(field_name="case_id")
    finding = IdFilter(field_name="finding_id")

    class Meta:
        model = Comment
        fields = ["case", "finding"]
