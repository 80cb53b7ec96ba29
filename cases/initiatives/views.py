"""Pages of the quality initiatives: the list, an initiative's page (its measure week by week against the plan, the
fixes of its cases marked, its status), its series as CSV, and the form that defines or edits one (quality leads).

Reads go through `cases.initiatives.selectors` (an initiative the user may not see is a 404); writes through
`cases.initiatives.services`.
"""

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases import permissions
from cases.initiatives import services
from cases.initiatives.forms import CONDITION_LABELS, InitiativeForm
from cases.initiatives.selectors import (
    InitiativePage,
    initiative_list,
    initiative_page,
    visible_initiatives,
    with_visible_cases,
)
from cases.reporting.interval_charts import Marker, Point, Reference, Series, trend_chart

# The list as CSV: the API's (`cases.initiatives.api.views`), the same initiatives as the page.
INITIATIVES_CSV_URL = "/api/v1/initiatives/?format=csv"


def _page_or_404(request: HttpRequest, initiative_id: int) -> InitiativePage:
    page = initiative_page(user=request.user, initiative_id=initiative_id)
    if page is None:
        raise Http404("No such initiative.")
    return page


def _require_lead(request: HttpRequest) -> None:
    if not permissions.is_quality_lead(request.user):
        raise PermissionDenied("Only quality leads define and edit initiatives.")


def measure_conditions(measure: dict) -> list[tuple[str, str]]:
    return [
        (CONDITION_LABELS.get(key, key), " or ".join(value) if isinstance(value, list) else value)
        for key, value in (measure.get("population") or {}).items()
    ]


def progress_chart(page: InitiativePage):
    initiative, plan = page.initiative, page.plan
    points = [  # mid-week, or today for this week
        Point(
            min(week.start + timedelta(days=3), page.today),
            week.rate,
            week.interval,
            f"({week.errors} of {week.audits} audits)",
        )
        for week in page.weeks
    ]
    baseline = [(initiative.baseline_start, plan.baseline_rate), (plan.baseline_end, plan.baseline_rate)]
    references = [
        Reference("Baseline", baseline, colour="#718096", dashed=False),
        Reference("Plan to target", [(plan.baseline_end, plan.baseline_rate), (plan.target_date, plan.target_rate)]),
    ]
    markers = [
        Marker(
            timezone.localdate(fix.effective_at),
            f"Fix {fix.case.key}",
            f"Fix of {fix.case.key} effective {timezone.localtime(fix.effective_at):%Y-%m-%d %H:%M}",
        )
        for fix in page.fixes
    ]
    markers.append(Marker(page.today, "Today", f"Today, {page.today:%Y-%m-%d}"))
    start = page.weeks[0].start if page.weeks else initiative.baseline_start
    return trend_chart(
        [Series("Weekly rate", points)],
        start=start,
        end=max(plan.target_date, page.today),
        references=references,
        markers=markers,
    )


@require_GET
@login_required
def initiatives(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "initiatives/list.html",
        {
            "initiatives": initiative_list(user=request.user),
            "is_lead": permissions.is_quality_lead(request.user),
            "recent_days": settings.INITIATIVE_RECENT_DAYS,
            "csv_url": INITIATIVES_CSV_URL,
        },
    )


@require_GET
@login_required
def initiative_detail(request: HttpRequest, initiative_id: int) -> HttpResponse:
    page = _page_or_404(request, initiative_id)
    return render(
        request,
        "initiatives/detail.html",
        {
            "page": page,
            "initiative": page.initiative,
            "progress": page.progress,
            "conditions": measure_conditions(page.initiative.measure),
            "chart": progress_chart(page),
            "weeks": list(reversed(page.weeks)),
            "is_lead": permissions.is_quality_lead(request.user),
            "recent_days": settings.INITIATIVE_RECENT_DAYS,
        },
    )


@require_GET
@login_required
def initiative_series_csv(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """The weekly series as CSV: rates as fractions, as the API's."""
    page = _page_or_404(request, initiative_id)
    fixes_by_week: dict = {}
    for fix in page.fixes:
        day = timezone.localdate(fix.effective_at)
        fixes_by_week.setdefault(day - timedelta(days=day.weekday()), []).append(fix.case.key)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="initiative-{page.initiative.pk}-weekly.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["week_start", "audits", "errors", "rate", "interval_low", "interval_high", "planned_rate", "fixes_effective"]
    )
    for week in page.weeks:
        low, high = week.interval or ("", "")
        writer.writerow(
            [
                week.start.isoformat(),
                week.audits,
                week.errors,
                "" if week.rate is None else f"{week.rate:.6f}",
                low if low == "" else f"{low:.6f}",
                high if high == "" else f"{high:.6f}",
                f"{week.planned_rate:.6f}",
                " ".join(fixes_by_week.get(week.start, [])),
            ]
        )
    return response


def _form_page(request: HttpRequest, form: InitiativeForm, initiative=None, status: int = 200) -> HttpResponse:
    context = {"form": form, "initiative": initiative, "baseline_days": settings.INITIATIVE_BASELINE_DAYS}
    return render(request, "initiatives/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_create(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    if request.method == "GET":
        return _form_page(request, InitiativeForm(user=request.user))
    form = InitiativeForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            initiative = services.initiative_create(actor=request.user, **form.service_arguments(editing=False))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Initiative “{initiative.name}” defined.")
            return redirect(reverse("initiative-detail", args=[initiative.pk]))
    return _form_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = with_visible_cases(visible_initiatives(request.user), request.user).filter(pk=initiative_id).first()
    if initiative is None:
        raise Http404("No such initiative.")
    _require_lead(request)
    if request.method == "GET":
        return _form_page(request, InitiativeForm.for_initiative(initiative, user=request.user), initiative)
    form = InitiativeForm(
        request.POST, initial=InitiativeForm.for_initiative(initiative, user=request.user).initial, user=request.user
    )
    if form.is_valid():
        try:
            services.initiative_update(
                initiative=initiative, actor=request.user, **form.service_arguments(editing=True)
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Initiative saved.")
            return redirect(reverse("initiative-detail", args=[initiative.pk]))
    return _form_page(request, form, initiative, status=400)
