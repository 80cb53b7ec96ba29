"""The case room's structured-RCA card: the empty forms a quality lead fills in (the data comes from the room)."""

from django import template

from cases.forms import ContributingFactorForm, FiveWhysForm

register = template.Library()


@register.simple_tag
def rca_structure_forms(why_steps) -> dict:
    """`{"factor": ..., "whys": ...}`: a blank contributing-factor form, and the five-whys form holding the chain."""
    return {"factor": ContributingFactorForm(), "whys": FiveWhysForm.for_steps(why_steps)}
