"""The case room's forms about the fix and the measure (the room's docstring, `cases.room_views`, says how its forms
work): the lead's measure of the case (`action=measure`), and "Recompute" of the latest fix's verdict
(`action=fix_refresh`). Both are for quality leads: a partner's or a manager's post is refused with a message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cases import permissions, services
from cases.fixes.records import latest_fix
from cases.fixes.services import fix_verdict_refresh
from cases.fixes.summary import fix_summary
from cases.measure_form import MeasureForm
from cases.models import Case
from cases.room_context import add_service_error, error_text, render_room, room_url

ONLY_LEADS = "Only quality leads may change the case's measure or its fix verdict."


def measure_set(request: HttpRequest, case: Case) -> HttpResponse:
    """Set the case's measure (or, with `reset`, go back to the measure derived from its pattern or samples)."""
    if not permissions.can_drive_case(request.user):
        messages.error(request, ONLY_LEADS)
        return redirect(room_url(case, "measure"))
    form = MeasureForm(request.POST, rows=MeasureForm.rows_posted(request.POST))
    reset = bool(request.POST.get("reset"))
    if reset or form.is_valid():
        try:
            data = None if reset else form.cleaned_data["measure"]
            services.case_measure_set(case=case, actor=request.user, data=data)
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(room_url(case, "measure"))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            done = "The measure is derived again." if reset else "Measure saved."
            messages.success(request, f"{done} The fix verdict follows it at its next computation.")
            return redirect(room_url(case, "measure"))
    return render_room(request, case, status=400, form_name="measure", measure_form=form)


def fix_refresh(request: HttpRequest, case: Case) -> HttpResponse:
    """Compute the latest fix's verdict now (the beat task does it hourly)."""
    if not permissions.can_drive_case(request.user):
        messages.error(request, ONLY_LEADS)
        return redirect(room_url(case, "fix"))
    fix = latest_fix(case)
    if fix is None:
        messages.error(request, "No fix is recorded on this case: it is recorded when the case moves to monitoring.")
        return redirect(room_url(case, "fix"))
    fix = fix_verdict_refresh(fix)
    if not fix.verdict:
        messages.error(request, "This case has nothing to measure yet: set its measure first.")
        return redirect(room_url(case, "measure"))
    messages.success(request, f"Fix verdict recomputed: {fix_summary(fix).verdict_text}.")
    return redirect(room_url(case, "fix"))
