"""Filters of the sample and pattern lists, shared by the API and the pages (samples explorer, patterns list)."""

import copy
from datetime import UTC, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django_filters.constants import EMPTY_VALUES

from rca.choices import ContentType, DecisionSource, Outcome, PatternStatus
from rca.models import ErrorPattern, ModerationSample, PolicyLabel


class InstanceFilters(dict):
    """A filter set class's filters (its `base_filters`), which each filter set instance copies for itself.

    django-filter deep-copies them for every instance, querysets and choices included: about 0.3 ms of every list
    request. A filter's own attributes are what an instance changes (`parent`, `model`), so a shallow copy of each is
    enough; a filter with a `method` gets its method proxy re-bound to the copy (as django-filter's setter does)."""

    def __deepcopy__(self, memo):
        filters = {}
        for name, base in self.items():
            filter_ = copy.copy(base)
            if base.method is not None:
                filter_.method = base.method
            filters[name] = filter_
        return filters


class InstanceFields(dict):
    """A filter form class's fields (its `base_fields`), which each form copies for itself: shallowly, as nothing in
    a filter form changes a field or its widget once built (Django deep-copies them, widgets, choices and querysets
    included, for every form: another 0.3 ms of each list request)."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, cheaper to make for each request:
    - its form class is built once per filter set class: django-filter builds a new one (a form field per filter,
      then a class) for every request, a millisecond or two of each list. `get_form_class` is the documented hook
      for this; none of our filters' form fields depends on the request;
    - its filters and its form's fields are copied shallowly for each instance (`InstanceFilters`, `InstanceFields`);
    - each filter's form field (which a filter reads too: `MultipleChoiceFilter` looks up `to_field_name` on it for
      every value) is the one the form class was built from, kept on the class's filters so that every copy has it,
      instead of a new field per filter per request.
    """

    @classmethod
    def get_filters(cls):
        return InstanceFilters(super().get_filters())

    def get_form_class(self):
        owner = type(self)
        form_class = owner.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = InstanceFields(form_class.base_fields)
            for name, filter_ in self.filters.items():
                self.base_filters[name]._field = filter_.field
            owner._form_class = form_class
        return form_class


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's `OrderingFilter`, with the primary key as the last sort key (in the direction of the last one
    asked for, so an index such as `(due_at, id)` still serves it). Without it, rows that tie on the sort field (cases
    of one severity, of equal sample counts) have no fixed order: PostgreSQL's top-N sort may order them differently
    for each `LIMIT`/`OFFSET`, and paging through them shows some rows twice and others never."""

    def filter(self, qs, value):
        fields = [self.get_ordering_value(param) for param in value or () if param not in EMPTY_VALUES]
        if not fields:
            return qs
        if fields[-1].lstrip("-") not in ("pk", "id"):
            fields.append("-pk" if fields[-1].startswith("-") else "pk")
        return qs.order_by(*fields)


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the range of a bigint (a decimal or a 30-digit number is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return None


class StrictBooleanField(forms.Field):
    """`true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); empty means "no filter"; anything else is an error."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Enter true or false.", code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that refuses a value it does not understand (django-filter's ignores it)."""

    field_class = StrictBooleanField


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time within what databases store: years 1900-2999 and a UTC offset of at most 14 hours
    (Python accepts offsets up to 24 hours, which PostgreSQL rejects with an error), converted to UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > timedelta(hours=14):
            raise forms.ValidationError("The UTC offset must be between -14:00 and +14:00.", code="invalid")
        if not 1900 <= parsed.year <= 2999:
            raise forms.ValidationError("The year must be between 1900 and 2999.", code="invalid")
        return parsed.astimezone(UTC) if offset is not None else parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class SampleFilter(FilterSet):
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, distinct=False)
    market = django_filters.CharFilter(method="filter_market", max_length=2)
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


class PatternFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=PatternStatus.choices)
    policy = django_filters.CharFilter(field_name="policy_label", max_length=64)
    market = django_filters.CharFilter(method="filter_market", max_length=2)
    case = IdFilter(field_name="case__id")

    class Meta:
        model = ErrorPattern
        fields = ["status", "policy", "market", "case"]

    def filter_market(self, queryset, name, value):
        return queryset.filter(market=value.upper()) if value else queryset
