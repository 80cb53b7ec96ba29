"""The case room: one page, `/cases/<id>/`, and the one address its forms post to.

Every form of the room (transition, edit, owner, sharing, finding, action item, comment) posts to the room's own URL
with an `action` field naming it, and with the form's anchor as the fragment of its `action` attribute
(`/cases/7/#comment-form`). That is the Post/Redirect/Get pattern with the plain Django treatment of errors:

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
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases import permissions, selectors, services
from cases.audience import audience_members
from cases.choices import ActionItemStatus, FindingStatus
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
from cases.models import ActionItem, Case, Finding, Team
from cases.services.comments import MENTION_NOT_VISIBLE
from cases.titles import pattern_words
from cases.workflow import TransitionRefused

COMMENT_DRAFT_SESSION_KEY = "case_room_comment_draft"

# HELPERS
# ------------------------------------------------------------------------------


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.visible_case_or_none(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("No such case.")
    return case


def error_text(error: Exception) -> str:
    if isinstance(error, TransitionRefused):
        return error.detail
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or "You may not do that."


def room_url(case: Case, anchor: str = "") -> str:
    return reverse("case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _add_service_error(form: Form, error: ValidationError) -> None:
    """Put a service's `ValidationError` on the form: on its field when the form has one, else on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _focus_first_error(form: Form) -> None:
    """Autofocus the first field in error (or the first visible field, for an error of the whole form)."""
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    in_error = [name for name in visible if name in form.errors]
    target = (in_error or visible or [None])[0]
    if target is not None:
        form.fields[target].widget.attrs["autofocus"] = True


def _mention_shares(case: Case, form: CommentForm) -> list[dict]:
    """For each mentioned partner who cannot see the case: the teams to share it with, and the sharing that results
    (the current teams plus theirs), for the room's "Share with …" buttons (quality leads)."""
    shares = []
    for error in form.errors.as_data().get("body", []):
        if error.code != MENTION_NOT_VISIBLE or not error.params.get("team_ids"):
            continue
        teams = list(Team.objects.filter(pk__in=error.params["team_ids"]).order_by("name"))
        current = set(case.shared_teams.values_list("pk", flat=True))
        shares.append(
            {"username": error.params["username"], "teams": teams, "team_ids": sorted(current | {t.pk for t in teams})}
        )
    return shares


def _comment_target(form: CommentForm) -> int | None:
    finding = (form.data if form.is_bound else form.initial).get("finding")
    return int(finding) if str(finding or "").isdigit() else None


def _render_room(request: HttpRequest, case: Case, *, status: int = 200, form_name: str = "", **forms) -> HttpResponse:
    """The room, with the bound form `form_name` (if any) in place of its empty twin."""
    room = selectors.case_room(case=case, request=request, sample_page=request.GET.get("page"))
    is_lead = permissions.can_drive_case(request.user)
    comment_form = forms.get("comment_form")
    if comment_form is None:
        draft = request.session.pop(COMMENT_DRAFT_SESSION_KEY, None)
        initial = draft if draft and draft.get("case") == case.pk else {}
        comment_form = CommentForm(initial={"body": initial.get("body", ""), "finding": initial.get("finding")})
    bound = forms.get(f"{form_name}_form")
    if bound is not None and bound.errors:
        _focus_first_error(bound)
    context = {
        "room": room,
        "case": case,
        "pattern_words": pattern_words(case.pattern) if case.pattern_id else None,
        "is_lead": is_lead,
        "comment_form": comment_form,
        "error_form": form_name,
        "finding_statuses": FindingStatus.choices,
        "item_statuses": ActionItemStatus.choices,
        "mention_people": [
            {"username": person.username, "name": person.get_full_name()}
            for person in selectors.case_mention_candidates(case=case)
        ],
        "mention_shares": _mention_shares(case, comment_form) if is_lead and comment_form.is_bound else [],
        # Where the comment form being shown belongs (a finding's id, or None for the discussion) and its text.
        "comment_on": _comment_target(comment_form),
        "comment_text": (comment_form.data if comment_form.is_bound else comment_form.initial).get("body") or "",
        "item_form": forms.get("item_form"),
        "audience": audience_members(case=case),
        "error_item": forms.get("error_item"),
    }
    if is_lead:
        context.update(
            edit_form=forms.get("edit_form") or CaseEditForm.for_case(case),
            assign_form=forms.get("assign_form") or AssignForm(initial={"owner": case.owner_id}),
            share_form=forms.get("share_form") or ShareForm(initial={"teams": [t.pk for t in room.shared_teams]}),
            finding_form=forms.get("finding_form") or FindingForm(case=case),
            action_item_form=forms.get("action_item_form") or ActionItemForm(),
            transition_form=forms.get("transition_form"),
            item_owner_choices=list(selectors.action_item_owner_choices()),
        )
    return render(request, "cases/case_detail.html", context, status=status)


# THE FORMS
# ------------------------------------------------------------------------------
# Each takes the request and the (visible) case, and answers a redirect (done, or refused with a message) or the room
# rendered with the bound form in error (status 400).


def _transition(request: HttpRequest, case: Case) -> HttpResponse:
    form = TransitionForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_room(request, case, status=400, form_name="transition", transition_form=form)
    try:
        case = services.case_transition(
            case=case,
            to=form.cleaned_data["to"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            duplicate_of=form.cleaned_data["duplicate_of"],
        )
    except (TransitionRefused, PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{case.key} is now {case.get_status_display().lower()}.")
    return redirect(room_url(case))


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
                _add_service_error(form, error)
            else:
                messages.success(request, message)
                return redirect(room_url(case, anchor))
        return _render_room(request, case, status=400, form_name=name, **{f"{name}_form": form})

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
            _add_service_error(form, error)
        else:
            cited = len(form.cleaned_data["evidence_samples"])
            messages.success(request, f"Finding added{f' with {cited} evidence sample(s)' if cited else ''}.")
            return redirect(room_url(case, f"finding-{finding.pk}"))
    return _render_room(request, case, status=400, form_name="finding", finding_form=form)


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
            _add_service_error(form, error)
        else:
            messages.success(request, f"Action item “{item.title}” updated.")
            return redirect(room_url(case, f"item-{item.pk}"))
    return _render_room(request, case, status=400, form_name="item", item_form=form, error_item=item.pk)


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
                _add_service_error(form, error)
            else:
                messages.success(request, "Comment posted.")
                return redirect(room_url(case, f"comment-{comment.pk}"))
    return _render_room(request, case, status=400, form_name="comment", comment_form=form)


ROOM_FORMS: dict[str, Callable[[HttpRequest, Case], HttpResponse]] = {
    "transition": _transition,
    "edit": _simple_form(CaseEditForm, "edit", "problem", _save_edit),
    "assign": _simple_form(AssignForm, "assign", "assign-form", _save_assign),
    "share": _simple_form(ShareForm, "share", "share-form", _save_share),
    "finding": _finding,
    "action_item": _simple_form(ActionItemForm, "action_item", "action-items", _save_action_item),
    "item": _action_item_update,
    "comment": _comment,
}


# THE PAGE
# ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case room (GET), and its forms (POST, `action` names the form: see the module's docstring)."""
    case = case_or_404(request, case_id)
    if request.method != "POST":
        return _render_room(request, case)
    handle = ROOM_FORMS.get(request.POST.get("action", ""))
    if handle is None:
        messages.error(request, "That form is unknown; reload the page and try again.")
        return _render_room(request, case, status=400)
    return handle(request, case)
