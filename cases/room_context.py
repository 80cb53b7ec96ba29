"""What the case room renders: the room's context (`render_room`) and the helpers its form handlers share
(`cases.room_views` and `cases.room_fix_forms`; the room's docstring says how its forms work).
"""

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from cases import permissions, selectors
from cases.audience import audience_members
from cases.choices import ActionItemStatus, CaseStatus, FindingStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.records import closure_evidence
from cases.fixes.summary import case_fix_summaries
from cases.forms import ActionItemForm, AssignForm, CaseEditForm, CommentForm, FindingForm, ShareForm, TransitionForm
from cases.measure.definition import Measure, case_measure
from cases.measure.describe import measure_summary
from cases.measure_form import MeasureForm
from cases.models import Case, Team
from cases.room_samples import SampleOrder
from cases.services.comments import MENTION_NOT_VISIBLE
from cases.story.selectors import case_story
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


def add_service_error(form: Form, error: ValidationError) -> None:
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


def _fix_context(request: HttpRequest, case: Case, room, is_lead: bool, forms: dict, measure: Measure | None) -> dict:
    """The Fix and verdict panel, the Measure panel, and the lead's fix, close and measure forms."""
    fixes = case_fix_summaries(case)
    latest = fixes[0] if fixes else None
    context = {
        "fix": latest,
        "earlier_fixes": fixes[1:],
        "fix_not_holding": bool(
            latest and latest.verdict == FixVerdict.NOT_HOLDING and case.status == CaseStatus.MONITORING
        ),
        "measure_panel": (
            measure_summary(measure, mask=permissions.personal_id_masker(request.user)) if measure is not None else None
        ),
    }
    if is_lead:
        typed = forms.get("transition_form")
        monitoring_typed = typed is not None and typed.data.get("to") == CaseStatus.MONITORING
        may_close = any(move.target == CaseStatus.CLOSED for move in room.transitions)
        context.update(
            fix_form=typed if monitoring_typed else TransitionForm.for_fix(user=request.user),
            closure_why_not=closure_evidence(case) if may_close else None,
            measure_form=forms.get("measure_form") or MeasureForm.for_measure(measure),
        )
    return context


def render_room(request: HttpRequest, case: Case, *, status: int = 200, form_name: str = "", **forms) -> HttpResponse:
    """The room, with the bound form `form_name` (if any) in place of its empty twin.

    On top, the case's story (`cases.story`: its figures, trend, why it is not noise, what else is unusual; stored,
    computed on the first view) and its evidence, the linked samples best first for its measure; then the work."""
    measure = case_measure(case)
    room = selectors.case_room(
        case=case,
        request=request,
        sample_page=request.GET.get("page"),
        measure=measure,
        sample_order=request.GET.get("order") or SampleOrder.TYPICAL,
    )
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
        "story": case_story(case, user=request.user),
        "sample_orders": SampleOrder.CHOICES,
        "can_reveal": permissions.can_reveal_sensitive_text(request.user),
        "pattern_words": (
            pattern_words(case.pattern, mask=permissions.personal_id_masker(request.user)) if case.pattern_id else None
        ),
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
    context.update(_fix_context(request, case, room, is_lead, forms, measure))
    return render(request, "cases/case_detail.html", context, status=status)
