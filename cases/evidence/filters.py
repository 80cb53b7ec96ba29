"""Filters of the sample and pattern lists, shared by the API and the pages (samples explorer, patterns list)."""

import django_filters
from django.db.models import Q

from config.filters import BoundedIsoDateTimeFilter, IdFilter, MarketFilter
from rca.choices import ContentType, DecisionSource, Outcome, PatternStatus
from rca.models import ErrorPattern, ModerationSample, PolicyLabel


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
    case = IdFilter(method="filter_case")
    pattern = IdFilter(method="filter_pattern")
    q = django_filters.CharFilter(method="filter_q", max_length=200, label="Text in notes or transcript")

    class Meta:
        model = ModerationSample
        fields = [
            "outcome", "market", "language", "decision_source", "model_version", "decision_label", "audit_label",
            "queue", "content_type", "tag", "audited_after", "audited_before", "case", "pattern", "q",
        ]  # fmt: skip

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=f";{value.strip()};") if value.strip() else queryset

    # A sample is linked to a case (or a pattern) at most once, so these joins never duplicate rows.
    def filter_case(self, queryset, name, value):
        return queryset.filter(case_links__case_id=value)

    def filter_pattern(self, queryset, name, value):
        return queryset.filter(patternsample__pattern_id=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(notes__icontains=value) | Q(transcript__icontains=value)) if value else queryset


class PatternFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PatternStatus.choices)
    policy = django_filters.CharFilter(field_name="policy_label", max_length=64)
    market = MarketFilter(method="filter_market")
    case = IdFilter(field_name="case__id")

    class Meta:
        model = ErrorPattern
        fields = ["status", "policy", "market", "case"]

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset
