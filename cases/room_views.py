"""The case room: one page, `/cases/<id>/`, and the one address its forms post to.

Every form of the room (transition, edit, owner, sharing, finding, action item, comment, and the measure and fix
verdict of `cases.room_fix_forms`) posts to the room's own URL with an `action` field naming it, and with the form's
anchor as the fragment of its `action` attribute (`/cases/7/#comment-form`). That is the Post/Redirect/Get pattern
with the plain Django treatment of errors:

- a valid post calls its service and redirects to the room, at the anchor of what changed;
- a rejected post (the form's validation, or the service's `ValidationError`, e.g. a mention of someone who cannot
  see the case) renders the room again, status 400, with the bound form (what was typed is kept), its errors next
  to it and its first field in error autofocused. The browser shows the room's own URL with the form's anchor, so
  the page opens scrolled to the error, and a link copied from it is the room.

Why not redirect the errors too (the bound form kept in the session and rebuilt on the next GET)? Its errors, the
service's included, would have to be carried and restored by hand; rendering at the same URL needs nothing of the
kind. Its only price is that reloading an error page offers to post the form again.

Refusals that are not about what was typed (a guard of the workflow, a partner trying a lead's move) are shown as a
message after the redirect, as elsewhere. A case the user may not see is a 404.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from cases import services
from cases.choices import CaseStatus
from cases.forms import (
    ActionItemForm,
    ActionItemUpdateForm,
    AssignForm,
    CaseEditForm,
    CommentForm,
    FindingForm,
    ShareForm,
    TransitionForm,
)
from cases.models import ActionItem, Case, Finding
from cases.room_context import (
    COMMENT_DRAFT_SESSION_KEY,
    add_service_error,
    case_or_404,
    error_text,
    render_room,
    room_url,
)
from cases.room_fix_forms import fix_refresh, measure_set
from cases.workflow import TransitionRefused

# THE FORMS
# ------------------------------------------------------------------------------
# Each takes the request and the (visible) case, and answers a redirect (done, or refused with a message) or the room
# rendered with the bound form in error (status 400).


def _transition(request: HttpRequest, case: Case) -> HttpResponse:
    """A move; entering monitoring records the fix typed with it, closing without evidence needs an override reason
    (the form says why). What was typed stays in the form when it is refused (the fix's own checks included)."""
    form = TransitionForm(request.POST, user=request.user, case=case)
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            case = services.case_transition(
                case=case,
                to=to,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                duplicate_of=form.cleaned_data["duplicate_of"],
                fix=form.fix_input() if to == CaseStatus.MONITORING else None,
            )
        except (TransitionRefused, PermissionDenied) as error:
            messages.error(request, error_text(error))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            override = " by override" if case.closed_by_override and to == CaseStatus.CLOSED else ""
            messages.success(request, f"{case.key} is now {case.get_status_display().lower()}{override}.")
        if not form.errors:
            return redirect(room_url(case))
    return render_room(request, case, status=400, form_name="transition", transition_form=form)


def _simple_form(
    form_class: type[Form],
    name: str,
    anchor: str,
    save: Callable[[HttpRequest, Case, Form], str],
) -> Callable[[HttpRequest, Case], HttpResponse]:
    """A room form that validates, calls one service through `save` (which answers the success message) and shows a
    service's `ValidationError` on the form."""

    def handle(request: HttpRequest, case: Case) -> HttpResponse:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                message = save(request, case, form)
            except PermissionDenied as error:
                messages.error(request, error_text(error))
                return redirect(room_url(case, anchor))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, message)
                return redirect(room_url(case, anchor))
        return render_room(request, case, status=400, form_name=name, **{f"{name}_form": form})

    return handle


def _save_edit(request: HttpRequest, case: Case, form: Form) -> str:
    services.case_update(case=case, actor=request.user, **form.cleaned_data)
    return "Case saved."


def _save_assign(request: HttpRequest, case: Case, form: Form) -> str:
    owner = form.cleaned_data["owner"]
    services.case_assign(case=case, owner=owner, actor=request.user, team=form.cleaned_data["team"])
    return f"Assigned to {owner.get_full_name() or owner.get_username()}." if owner else "The case has no owner now."


def _save_share(request: HttpRequest, case: Case, form: Form) -> str:
    """Sharing; from the "Share with …" button of a refused mention, the comment typed comes back as a draft."""
    services.case_share(case=case, teams=form.cleaned_data["teams"], actor=request.user)
    if request.POST.get("draft_body"):
        finding = request.POST.get("draft_finding", "")
        request.session[COMMENT_DRAFT_SESSION_KEY] = {
            "case": case.pk,
            "body": request.POST["draft_body"][:20_000],
            "finding": int(finding) if finding.isdigit() else None,
        }
        return "Sharing updated: post the comment now."
    return "Sharing updated."


def _finding(request: HttpRequest, case: Case) -> HttpResponse:
    """A finding with its evidence: the form offers the case's linked samples and resolves the typed ids among them."""
    form = FindingForm(request.POST, case=case)
    if form.is_valid():
        try:
            finding = services.finding_create(case=case, actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(room_url(case, "findings"))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            cited = len(form.cleaned_data["evidence_samples"])
            messages.success(request, f"Finding added{f' with {cited} evidence sample(s)' if cited else ''}.")
            return redirect(room_url(case, f"finding-{finding.pk}"))
    return render_room(request, case, status=400, form_name="finding", finding_form=form)


def _save_action_item(request: HttpRequest, case: Case, form: Form) -> str:
    services.action_item_create(case=case, actor=request.user, **form.service_fields())
    return "Action item added."


def _action_item_update(request: HttpRequest, case: Case) -> HttpResponse:
    item_id = request.POST.get("item", "")
    item = ActionItem.objects.filter(pk=int(item_id), case=case).first() if item_id.isdigit() else None
    if item is None:
        raise Http404("No such action item.")
    form = ActionItemUpdateForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.action_item_update(item=item, actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(room_url(case, f"item-{item.pk}"))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Action item “{item.title}” updated.")
            return redirect(room_url(case, f"item-{item.pk}"))
    return render_room(request, case, status=400, form_name="item", item_form=form, error_item=item.pk)


def _comment(request: HttpRequest, case: Case) -> HttpResponse:
    form = CommentForm(request.POST)
    if form.is_valid():
        finding = None
        if form.cleaned_data["finding"]:
            finding = Finding.objects.filter(pk=form.cleaned_data["finding"], case=case).first()
            if finding is None:
                form.add_error("finding", "This finding belongs to another case.")
        if not form.errors:
            try:
                comment = services.comment_create(
                    case=case, actor=request.user, body=form.cleaned_data["body"], finding=finding
                )
            except PermissionDenied as error:
                messages.error(request, error_text(error))
                return redirect(room_url(case, "comments"))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Comment posted.")
                return redirect(room_url(case, f"comment-{comment.pk}"))
    return render_room(request, case, status=400, form_name="comment", comment_form=form)


ROOM_FORMS: dict[str, Callable[[HttpRequest, Case], HttpResponse]] = {
    "transition": _transition,
    "edit": _simple_form(CaseEditForm, "edit", "problem", _save_edit),
    "assign": _simple_form(AssignForm, "assign", "assign-form", _save_assign),
    "share": _simple_form(ShareForm, "share", "share-form", _save_share),
    "finding": _finding,
    "action_item": _simple_form(ActionItemForm, "action_item", "action-items", _save_action_item),
    "item": _action_item_update,
    "comment": _comment,
    "measure": measure_set,
    "fix_refresh": fix_refresh,
}


# THE PAGE
# ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case room (GET), and its forms (POST, `action` names the form: see the module's docstring)."""
    case = case_or_404(request, case_id)
    if request.method != "POST":
        return render_room(request, case)
    handle = ROOM_FORMS.get(request.POST.get("action", ""))
    if handle is None:
        messages.error(request, "That form is unknown; reload the page and try again.")
        return render_room(request, case, status=400)
    return handle(request, case)
