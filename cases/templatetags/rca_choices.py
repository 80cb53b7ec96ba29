"""The options of the pages' market and language selects: the codes seen in the samples (`rca.sample_values`, cached
for a few minutes), plus the value being filtered on when it is not among them (a bookmarked filter stays visible)."""

from django import template

from rca.sample_values import known_sample_values

register = template.Library()


@register.inclusion_tag("rca/_value_select.html")
def value_select(field: str, current: str = "", empty_label: str = "Any", label: str = "") -> dict:
    """`{% value_select "market" request.GET.market "Any market" "Market" %}`: a `<select name="market">` of the
    known codes; markets compare without case (the filters upper-case them), languages exactly."""
    current = (current or "").strip()
    if field == "market":
        current = current.upper()
    codes = list(known_sample_values().get(field, []))
    if current and current not in codes:
        codes = sorted([*codes, current])
    return {"name": field, "codes": codes, "current": current, "empty_label": empty_label, "label": label}
