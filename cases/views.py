"""Pages of the case work: my work, the case board, the case room (and its forms), opening a case from samples,
and the user's settings.

Views translate: they read through `cases.selectors`, write through `cases.services`, and show a refused move, a
validation error or a permission refusal as a message or a form error. A case the user may not see is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, selectors, services
from cases.choices import ActionItemStatus, FindingStatus, Severity
from cases.evidence.filters import SampleFilter
from cases.forms import (
    SELECT_ALL_CAP,
    ActionItemForm,
    ActionItemUpdateForm,
    AssignForm,
    CaseEditForm,
    CommentForm,
    FindingForm,
    FindingStatusForm,
    PreferenceForm,
    SampleSelectionForm,
    ShareForm,
    TransitionForm,
)
from cases.models import ActionItem, Case, Finding
from cases.preferences import preference_set
from cases.workflow import TransitionRefused

# HELPERS
# ------------------------------------------------------------------------------


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.visible_case_or_none(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("No such case.")
    return case


def _error_text(error: Exception) -> str:
    if isinstance(error, TransitionRefused):
        return error.detail
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or "You may not do that."


def _room_url(case: Case, anchor: str = "") -> str:
    return reverse("case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _render_room(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    room = selectors.case_room(
        case=case, user=request.user, sample_params=request.GET, sample_page=request.GET.get("page")
    )
    is_lead = permissions.can_drive_case(request.user)
    context = {
        "room": room,
        "case": case,
        "is_lead": is_lead,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "error_form": forms.get("error_form_name", ""),
        "finding_statuses": FindingStatus.choices,
        "item_statuses": ActionItemStatus.choices,
    }
    if is_lead:
        context.update(
            edit_form=forms.get("edit_form") or CaseEditForm.for_case(case),
            assign_form=forms.get("assign_form") or AssignForm(initial={"owner": case.owner_id}),
            share_form=forms.get("share_form") or ShareForm(initial={"teams": [t.pk for t in room.shared_teams]}),
            finding_form=forms.get("finding_form") or FindingForm(),
            action_item_form=forms.get("action_item_form") or ActionItemForm(),
            transition_form=forms.get("transition_form"),
            item_owner_choices=list(selectors.action_item_owner_choices()),
        )
    return render(request, "cases/case_detail.html", context, status=status)


# MY WORK AND THE BOARD
# ------------------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    work = selectors.my_work(user=request.user)
    return render(request, "cases/home.html", {"work": work})


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


# THE CASE ROOM
# ------------------------------------------------------------------------------


@require_GET
@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_room(request, _case_or_404(request, case_id))


@require_POST
@login_required
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = TransitionForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_room(request, case, status=400, transition_form=form, error_form_name="transition")
    try:
        case = services.case_transition(
            case=case,
            to=form.cleaned_data["to"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            duplicate_of=form.cleaned_data["duplicate_of"],
        )
    except (TransitionRefused, PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"{case.key} is now {case.get_status_display().lower()}.")
    return redirect(_room_url(case))


@require_POST
@login_required
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseEditForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, edit_form=form, error_form_name="edit")
    try:
        services.case_update(case=case, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Case saved.")
    return redirect(_room_url(case, "problem"))


@require_POST
@login_required
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, assign_form=form, error_form_name="assign")
    try:
        owner = form.cleaned_data["owner"]
        services.case_assign(case=case, owner=owner, actor=request.user, team=form.cleaned_data["team"])
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Assigned to {owner.get_username()}." if owner else "The case has no owner now.")
    return redirect(_room_url(case))


@require_POST
@login_required
def case_share(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, share_form=form, error_form_name="share")
    try:
        services.case_share(case=case, teams=form.cleaned_data["teams"], actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Sharing updated.")
    return redirect(_room_url(case))


@require_POST
@login_required
def case_watch(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    watching = request.POST.get("watching") == "1"
    services.case_watch(case=case, user=request.user, watching=watching, actor=request.user)
    messages.success(request, "You are watching this case." if watching else "You stopped watching this case.")
    return redirect(_room_url(case))


@require_POST
@login_required
def case_unlink_samples(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    ids = [int(value) for value in request.POST.getlist("sample") if value.isdigit()]
    if not ids:
        messages.error(request, "Tick the samples to unlink first.")
        return redirect(_room_url(case, "samples"))
    try:
        removed = services.case_unlink_samples(case=case, samples=case.samples.filter(pk__in=ids), actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Unlinked {removed} sample(s).")
    return redirect(_room_url(case, "samples"))


@require_POST
@login_required
def finding_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = FindingForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, finding_form=form, error_form_name="finding")
    try:
        services.finding_create(case=case, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Finding added.")
    return redirect(_room_url(case, "findings"))


@require_POST
@login_required
def finding_status(request: HttpRequest, case_id: int, finding_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    finding = get_object_or_404(Finding, pk=finding_id, case=case)
    form = FindingStatusForm(request.POST)
    if form.is_valid():
        try:
            services.finding_update(finding=finding, actor=request.user, status=form.cleaned_data["status"])
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, "Finding updated.")
    else:
        messages.error(request, "Choose a valid finding status.")
    return redirect(_room_url(case, f"finding-{finding.pk}"))


@require_POST
@login_required
def action_item_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = ActionItemForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, action_item_form=form, error_form_name="action_item")
    try:
        services.action_item_create(case=case, actor=request.user, **form.service_fields())
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Action item added.")
    return redirect(_room_url(case, "action-items"))


@require_POST
@login_required
def action_item_update(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    item = get_object_or_404(ActionItem, pk=item_id, case=case)
    form = ActionItemUpdateForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.action_item_update(item=item, actor=request.user, **form.service_fields())
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Action item “{item.title}” updated.")
    else:
        messages.error(request, " ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items()))
    return redirect(_room_url(case, f"item-{item.pk}"))


@require_POST
@login_required
def comment_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_room(request, case, status=400, comment_form=form, error_form_name="comment")
    finding = None
    if form.cleaned_data["finding"]:
        finding = Finding.objects.filter(pk=form.cleaned_data["finding"], case=case).first()
        if finding is None:
            form.add_error("finding", "This finding belongs to another case.")
            return _render_room(request, case, status=400, comment_form=form, error_form_name="comment")
    try:
        comment = services.comment_create(
            case=case, actor=request.user, body=form.cleaned_data["body"], finding=finding
        )
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect(_room_url(case, "comments"))
    messages.success(request, "Comment posted.")
    return redirect(_room_url(case, f"comment-{comment.pk}"))


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
    if data["scope"] == SampleSelectionForm.SCOPE_ALL:
        sample_filter = SampleFilter(QueryDict(data["filters"]), queryset=visible)
        if not sample_filter.is_valid():
            messages.error(request, "The filter is not valid any more; apply it again.")
            return redirect(back)
        chosen = list(sample_filter.qs.order_by("-audited_at", "-id")[: SELECT_ALL_CAP + 1])
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
            )
            messages.success(request, f"Opened {case.key} with {len(chosen)} sample(s).")
        else:
            case = data["case"]
            added = services.case_link_samples(case=case, samples=chosen, actor=request.user)
            skipped = len(chosen) - len(added)
            note = f" ({skipped} were already linked)" if skipped else ""
            messages.success(request, f"Added {len(added)} sample(s) to {case.key}{note}.")
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect(back)
    return redirect(_room_url(case))


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
