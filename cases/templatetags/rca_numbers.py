"""Template filters for numbers (`{% load rca_numbers %}`); the rules are in `cases.numbers`."""

from django import template

from cases.numbers import format_percent, format_points, format_ratio

register = template.Library()


@register.filter
def percent(value) -> str:
    """`{{ row.closure_rate|percent }}`: see the module's docstring."""
    return format_percent(value)


@register.filter
def percent_points(value) -> str:
    """`{{ row.change|percent_points }}`: a change of rate in signed percentage points."""
    return format_points(value)


@register.filter
def ratio(value) -> str:
    """`{{ figures.ratio|ratio }}`: how many times, capped ("over 100\u00d7")."""
    return format_ratio(value)
