"""Pages of the structured RCA: adding and removing contributing factors and saving the five whys from the case room
(quality leads), and the printable write-up of a case (whoever sees the case).

As in `cases.views`, a case the user may not see is a 404, and a refused or invalid change is a message on the case
room (the database unchanged).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.forms import ContributingFactorForm, FiveWhysForm
from cases.models import Case
from cases.writeup import case_writeup


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.visible_case_or_none(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("No such case.")
    return case


def _back(case: Case, anchor: str = "rca-structure") -> HttpResponse:
    return redirect(reverse("case-detail", args=[case.pk]) + f"#{anchor}")


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or "You may not do that."


def _form_errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


@require_POST
@login_required
def contributing_factor_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = ContributingFactorForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The contributing factor was not added: {_form_errors(form)}")
        return _back(case)
    try:
        services.contributing_factor_create(case=case, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Contributing factor added.")
    return _back(case)


@require_POST
@login_required
def contributing_factor_remove(request: HttpRequest, case_id: int, factor_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    factor = case.contributing_factors.filter(pk=factor_id).first()
    if factor is None:
        raise Http404("This case has no such contributing factor.")
    try:
        services.contributing_factor_delete(factor=factor, actor=request.user)
    except PermissionDenied as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Contributing factor removed.")
    return _back(case)


@require_POST
@login_required
def five_whys_save(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = FiveWhysForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The five whys were not saved: {_form_errors(form)}")
        return _back(case, "five-whys")
    try:
        services.five_whys_replace(case=case, actor=request.user, answers=form.cleaned_data["answers"])
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Five whys saved.")
    return _back(case, "five-whys")


@require_GET
@login_required
def case_writeup_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return render(request, "cases/writeup.html", {"case": case, "writeup": case_writeup(case=case, user=request.user)})
