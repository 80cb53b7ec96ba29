"""Pages of audit quality: a sample's verdict (its history, disputes, and the dispute and review forms), the disputes
list of leads and managers, and the agreement table.

A sample or dispute the user may not see is a 404; a refused or invalid change is a message on the sample's page (the
database unchanged), as on the case room. Reads go through `cases.disputes.selectors`, writes through
`cases.disputes.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.disputes import rules, selectors, services
from cases.disputes.choices import AgreementGroup, DisputeStatus
from cases.disputes.forms import AgreementForm, DisputeForm, ReviewForm
from config.api.errors import Refusal

DISPUTE_PAGE_SIZE = 50


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or "You may not do that."


def _form_errors(form) -> str:
    return " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


@require_GET
@login_required
def sample_verdict(request: HttpRequest, sample_id: int) -> HttpResponse:
    page = selectors.sample_verdict_page(user=request.user, sample_id=sample_id)
    if page is None:
        raise Http404("No such sample.")
    return render(
        request,
        "disputes/sample_verdict.html",
        {
            "page": page,
            "sample": page.sample,
            "dispute_form": DisputeForm() if page.can_dispute else None,
            "review_form": ReviewForm(initial={"label": page.sample.audit_label_id}) if page.can_review else None,
        },
    )


@require_POST
@login_required
def sample_dispute(request: HttpRequest, sample_id: int) -> HttpResponse:
    sample = permissions.visible_samples(request.user).filter(pk=sample_id).first()
    if sample is None:
        raise Http404("No such sample.")
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The verdict was not disputed: {_form_errors(form)}")
        return redirect("sample-verdict", sample_id)
    try:
        services.dispute_open(
            sample=sample,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            proposed_label=form.cleaned_data["proposed_label"] or None,
        )
    except (PermissionDenied, ValidationError, Refusal) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Verdict disputed: it is in doubt until a second review settles it.")
    return redirect("sample-verdict", sample_id)


@require_POST
@login_required
def dispute_review(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = selectors.visible_disputes(request.user).filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404("No such dispute.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The review was not recorded: {_form_errors(form)}")
        return redirect("sample-verdict", dispute.sample_id)
    try:
        dispute = services.dispute_review(dispute=dispute, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError, Refusal) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, f"Review recorded: the verdict was {dispute.get_status_display().lower()}.")
    return redirect("sample-verdict", dispute.sample_id)


@require_GET
@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    if not rules.can_list_disputes(request.user):
        raise PermissionDenied("The disputes list is for quality leads and managers.")
    status = request.GET.get("status", DisputeStatus.OPEN)
    disputes = selectors.visible_disputes(request.user)
    if status in DisputeStatus.values:
        disputes = disputes.filter(status=status)
    page = Paginator(disputes, DISPUTE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/dispute_list.html",
        {"page": page, "status": status, "statuses": DisputeStatus.choices},
    )


def _agreement_csv_url(form: AgreementForm) -> str:
    """The API's CSV of the table on the page: its options as the page was given them."""
    options = {name: form.data[name] for name in form.fields if form.data.get(name)}
    return f"{reverse('quality-agreement')}?{urlencode({**options, 'format': 'csv'})}"


@require_GET
@login_required
def agreement(request: HttpRequest) -> HttpResponse:
    if not rules.can_view_agreement(request.user):
        raise PermissionDenied("Agreement figures name auditors: quality leads and managers only.")
    form = AgreementForm(request.GET)
    table = selectors.agreement_table(**form.selector_arguments()) if form.is_valid() else None
    return render(
        request,
        "disputes/agreement.html",
        {"form": form, "table": table, "groupings": AgreementGroup.choices, "csv_url": _agreement_csv_url(form)},
        status=200 if table is not None else 400,
    )
