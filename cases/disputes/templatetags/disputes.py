"""The case room's calibration panel, as an inclusion tag so that the room needs one line to show it:
`{% load disputes %}{% calibration_panel case %}` (its figures come from `cases.disputes.selectors`)."""

from django import template

from cases.disputes import rules, selectors

register = template.Library()


@register.inclusion_tag("disputes/_calibration_panel.html", takes_context=True)
def calibration_panel(context, case) -> dict:
    user = context["request"].user
    return {
        "panel": selectors.calibration_panel(case=case),
        "can_export": rules.can_export_calibration(user),
        "redacted_for_user": not rules.export_includes_sensitive_text(user),
    }
