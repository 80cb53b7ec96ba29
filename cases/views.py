"""Pages of the case work: my work, the case board, the case room's small posts (watch, unlink samples, reveal a page
of samples, a finding's status; the room itself and its forms are in `cases.room_views`), opening a case from
samples, and the user's settings.

Views translate: they read through `cases.selectors`, write through `cases.services`, and show a refused move, a
validation error or a permission refusal as a message or a form error. A case the user may not see is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases import home_selectors, permissions, selectors, services
from cases.choices import Severity
from cases.evidence.filters import SampleFilter
from cases.forms import SELECT_ALL_CAP, FindingStatusForm, PreferenceForm, SampleSelectionForm
from cases.measure.definition import filters_measure
from cases.models import Finding
from cases.preferences import preference_set
from cases.room_context import case_or_404, error_text, room_url
from rca.reveals import samples_reveal

MAX_REVEALED_AT_ONCE = 100  # a page of the room shows `selectors.LINKED_SAMPLES_PAGE_SIZE`

# MY WORK AND THE BOARD
# ------------------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    work = home_selectors.my_work(user=request.user)
    return render(request, "cases/home.html", {"work": work, "severities": Severity.values})


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    board = selectors.case_board(user=request.user, params=request.GET, page_number=request.GET.get("page"))
    choices = selectors.board_choices()
    selected_statuses = request.GET.getlist("status")
    return render(
        request,
        "cases/case_list.html",
        {
            "board": board,
            "choices": choices,
            "selected_statuses": selected_statuses,
            "selected_severities": request.GET.getlist("severity"),
            "severities": Severity.choices,
            "ordering": request.GET.get("ordering", ""),
            "my_cases_query": urlencode({"owner": request.user.pk}),
        },
        status=200 if board.is_valid else 400,
    )


# THE CASE ROOM: ITS SMALL POSTS
# ------------------------------------------------------------------------------


@require_POST
@login_required
def case_watch(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    watching = request.POST.get("watching") == "1"
    services.case_watch(case=case, user=request.user, watching=watching, actor=request.user)
    messages.success(request, "You are watching this case." if watching else "You stopped watching this case.")
    return redirect(room_url(case))


@require_POST
@login_required
def case_unlink_samples(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    ids = [int(value) for value in request.POST.getlist("sample") if value.isdigit()]
    if not ids:
        messages.error(request, "Tick the samples to unlink first.")
        return redirect(room_url(case, "samples"))
    try:
        removed = services.case_unlink_samples(case=case, samples=case.samples.filter(pk__in=ids), actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Unlinked {removed} sample(s).")
    return redirect(room_url(case, "samples"))


def _bad_reveal(request: HttpRequest, message: str) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@require_POST
@login_required
def case_samples_reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Reveal the blurred text of the visible page of the case's samples in one action (the room's "Reveal this page",
    confirmed once): the posted `sample` ids, among the case's sensitive linked samples, read in one query; a reveal
    recorded for each in one insert (`rca.reveals.samples_reveal`). JSON for the room's script; without it, a page of
    the texts."""
    case = case_or_404(request, case_id)
    if not permissions.can_reveal_sensitive_text(request.user):
        raise PermissionDenied("Your role may not reveal sensitive text.")
    raw = request.POST.getlist("sample")
    if not raw:
        return _bad_reveal(request, "Name the samples to reveal (`sample`, one per id).")
    if any(not value.isdigit() for value in raw):
        return _bad_reveal(request, "Sample ids are whole numbers.")
    if len(raw) > MAX_REVEALED_AT_ONCE:
        return _bad_reveal(request, f"At most {MAX_REVEALED_AT_ONCE} samples at once; got {len(raw)}.")
    samples = selectors.linked_sensitive_samples(case=case, ids=[int(value) for value in raw])
    samples_reveal(user=request.user, sample_ids=[sample.pk for sample in samples])
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"revealed": [{"id": s.pk, "notes": s.notes, "transcript": s.transcript} for s in samples]})
    return render(request, "cases/samples_revealed.html", {"case": case, "samples": samples})


@require_POST
@login_required
def finding_status(request: HttpRequest, case_id: int, finding_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    finding = get_object_or_404(Finding, pk=finding_id, case=case)
    form = FindingStatusForm(request.POST)
    if form.is_valid():
        try:
            services.finding_update(finding=finding, actor=request.user, status=form.cleaned_data["status"])
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Finding updated.")
    else:
        messages.error(request, "Choose a valid finding status.")
    return redirect(room_url(case, f"finding-{finding.pk}"))


# OPENING A CASE FROM THE SAMPLES EXPLORER
# ------------------------------------------------------------------------------


@require_POST
@login_required
def case_from_samples(request: HttpRequest) -> HttpResponse:
    """Open a new case with the chosen samples, or add them to an existing case (quality leads)."""
    form = SampleSelectionForm(request.POST, user=request.user)
    back = reverse("sample-list") + ("?" + request.POST.get("filters", "") if request.POST.get("filters") else "")
    if not permissions.can_drive_case(request.user):
        raise PermissionDenied("Only quality leads may open cases.")
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label or name.title()}: {' '.join(errors)}")
        return redirect(back)
    data = form.cleaned_data
    visible = permissions.visible_samples(request.user)
    measure = None
    if data["scope"] == SampleSelectionForm.SCOPE_ALL:
        sample_filter = SampleFilter(QueryDict(data["filters"]), queryset=visible, request=request)
        if not sample_filter.is_valid():
            messages.error(request, "The filter is not valid any more; apply it again.")
            return redirect(back)
        chosen = list(sample_filter.qs.order_by("-audited_at", "-id")[: SELECT_ALL_CAP + 1])
        measure = filters_measure(sample_filter.form.cleaned_data)
        if len(chosen) > SELECT_ALL_CAP:
            chosen = chosen[:SELECT_ALL_CAP]
            messages.warning(
                request,
                f"More than {SELECT_ALL_CAP:,} samples match the filter: only the {SELECT_ALL_CAP:,} most recently "
                "audited were taken. Narrow the filter to link the rest.",
            )
    else:
        chosen = list(visible.filter(pk__in=data["sample"][:SELECT_ALL_CAP]))
    if not chosen:
        messages.error(request, "No sample matches; nothing was changed.")
        return redirect(back)
    try:
        if data["action"] == "open":
            case = services.case_open(
                actor=request.user,
                title=data["title"],
                samples=chosen,
                severity=data["severity"] or "S3",
                problem_statement=data["problem_statement"],
                measure=measure.as_dict() if measure else None,
            )
            messages.success(request, f"Opened {case.key} with {len(chosen)} sample(s).")
        else:
            case = data["case"]
            added = services.case_link_samples(case=case, samples=chosen, actor=request.user)
            skipped = len(chosen) - len(added)
            note = f" ({skipped} were already linked)" if skipped else ""
            messages.success(request, f"Added {len(added)} sample(s) to {case.key}{note}.")
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
        return redirect(back)
    return redirect(room_url(case))


# SETTINGS
# ------------------------------------------------------------------------------


@login_required
def user_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_set(user=request.user, blur_sensitive=form.cleaned_data["blur_sensitive"])
            messages.success(request, "Settings saved.")
            return redirect("settings")
        return render(request, "cases/settings.html", {"form": form}, status=400)
    form = PreferenceForm(initial={"blur_sensitive": selectors.blur_preference(request.user)})
    return render(request, "cases/settings.html", {"form": form})
