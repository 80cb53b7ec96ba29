"""Filters of the sample and pattern lists, shared by the API and the pages (samples explorer, patterns list)."""

import django_filters
from django.db.models import Q, QuerySet

from cases import permissions
from cases.filters import VisibleIdFilter, case_filter
from config.filters import BoundedIsoDateTimeFilter, MarketFilter, StrictBooleanFilter
from rca.choices import ContentType, DecisionSource, Outcome, PatternStatus
from rca.models import ErrorPattern, ModerationSample, PolicyLabel


def visible_patterns(request) -> QuerySet[ErrorPattern]:
    """Patterns are for quality leads and managers: for anyone else no pattern id is a valid choice."""
    if request is None or not permissions.can_view_patterns(request.user):
        return ErrorPattern.objects.none()
    return ErrorPattern.objects.all()


class SampleFilter(django_filters.FilterSet):
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, distinct=False)
    market = MarketFilter(method="filter_market")
    language = django_filters.CharFilter(max_length=35)
    decision_source = django_filters.ChoiceFilter(choices=DecisionSource.choices)
    model_version = django_filters.CharFilter(max_length=64)
    decision_label = django_filters.ModelChoiceFilter(queryset=PolicyLabel.objects.all(), to_field_name="code")
    audit_label = django_filters.ModelChoiceFilter(queryset=PolicyLabel.objects.all(), to_field_name="code")
    queue = django_filters.CharFilter(max_length=64)
    content_type = django_filters.ChoiceFilter(choices=ContentType.choices)
    tag = django_filters.CharFilter(method="filter_tag", max_length=64)
    audited_after = BoundedIsoDateTimeFilter(field_name="audited_at", lookup_expr="gte")
    audited_before = BoundedIsoDateTimeFilter(field_name="audited_at", lookup_expr="lt")
    verdict_in_doubt = StrictBooleanFilter(label="Verdict in doubt (an open dispute, an audit-driven pattern)")
    # A sample is linked to a case (or a pattern) at most once, so these joins never duplicate rows. Both accept only
    # what the user sees (`cases.filters.VisibleIdFilter`): the filter set must be built with the request.
    case = case_filter(field_name="case_links__case")
    pattern = VisibleIdFilter(queryset=visible_patterns, noun="pattern", field_name="patternsample__pattern")
    q = django_filters.CharFilter(method="filter_q", max_length=200, label="Text in notes or transcript")

    class Meta:
        model = ModerationSample
        fields = [
            "outcome", "market", "language", "decision_source", "model_version", "decision_label", "audit_label",
            "queue", "content_type", "tag", "audited_after", "audited_before", "verdict_in_doubt", "case", "pattern",
            "q",
        ]  # fmt: skip

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=f";{value.strip()};") if value.strip() else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(notes__icontains=value) | Q(transcript__icontains=value)) if value else queryset


class PatternFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PatternStatus.choices)
    policy = django_filters.CharFilter(field_name="policy_label", max_length=64)
    market = MarketFilter(method="filter_market")
    case = case_filter()

    class Meta:
        model = ErrorPattern
        fields = ["status", "policy", "market", "case"]

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset
