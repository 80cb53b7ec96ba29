"""Pages of the evidence: the samples explorer (and its reveal endpoint), the patterns list and a pattern's page.

Reads go through `cases.evidence.selectors` (which applies `cases.permissions`); the one write here, recording a
reveal of sensitive text, goes through `rca.reveals`.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.evidence import selectors
from cases.forms import SampleSelectionForm
from cases.selectors import open_case_choices, recent_visible_cases
from cases.titles import pattern_words
from rca.choices import ContentType, DecisionSource, Outcome, PatternStatus
from rca.reveals import sample_reveal


@require_GET
@login_required
def sample_list(request: HttpRequest) -> HttpResponse:
    explorer = selectors.sample_explorer(request=request)
    is_lead = permissions.can_drive_case(request.user)
    filters = explorer.params.copy()
    filters.pop("page", None)
    return render(
        request,
        "rca/sample_list.html",
        {
            "explorer": explorer,
            "is_lead": is_lead,
            "can_see_personal": permissions.can_see_personal_data(request.user),
            "filters_query": filters.urlencode(),
            "selected_outcomes": explorer.params.getlist("outcome"),
            "outcomes": Outcome.choices,
            "sources": DecisionSource.choices,
            "content_types": ContentType.choices,
            "open_cases": open_case_choices(user=request.user) if is_lead else [],
            "my_cases": [] if permissions.sees_all_cases(request.user) else recent_visible_cases(user=request.user),
            "selection_form": SampleSelectionForm(user=request.user) if is_lead else None,
        },
        status=200 if explorer.is_valid else 400,
    )


@require_POST
@login_required
def sample_reveal_view(request: HttpRequest, sample_id: int) -> HttpResponse:
    """Show the notes and transcript of one sample and record that this user chose to see them."""
    sample = selectors.visible_sample_or_none(user=request.user, sample_id=sample_id)
    if sample is None:
        raise Http404("No such sample.")
    if not permissions.can_reveal_sensitive_text(request.user):
        raise PermissionDenied("Your role may not reveal sensitive text.")
    sample_reveal(user=request.user, sample=sample)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": sample.pk, "notes": sample.notes, "transcript": sample.transcript})
    return render(request, "rca/sample_reveal.html", {"sample": sample})


def _require_patterns(request: HttpRequest) -> None:
    if not permissions.can_view_patterns(request.user):
        raise PermissionDenied("Patterns are for quality leads and managers.")


@require_GET
@login_required
def pattern_list(request: HttpRequest) -> HttpResponse:
    _require_patterns(request)
    listing = selectors.pattern_list(request=request, page_number=request.GET.get("page"))
    return render(
        request,
        "rca/pattern_list.html",
        {"listing": listing, "statuses": PatternStatus.choices},
        status=200 if listing.is_valid else 400,
    )


@require_GET
@login_required
def pattern_detail(request: HttpRequest, pattern_id: int) -> HttpResponse:
    _require_patterns(request)
    page = selectors.pattern_page(user=request.user, pattern_id=pattern_id)
    if page is None:
        raise Http404("No such pattern.")
    return render(
        request,
        "rca/pattern_detail.html",
        {
            "page": page,
            "pattern": page.pattern,
            "words": pattern_words(page.pattern, mask=permissions.personal_id_masker(request.user)),
            "can_see_personal": permissions.can_see_personal_data(request.user),
        },
    )
