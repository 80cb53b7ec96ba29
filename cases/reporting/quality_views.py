"""The quality page (`/quality/`, quality leads and managers): how accurate human and model decisions are, per policy
(or another grouping) with intervals, over time, and what changed between two periods and why (the decomposition as
a waterfall, its top contributors with a link to their samples and a one-click case); and the POST that opens that
case (quality leads). Figures come from `rca.quality`; `cases.reporting.quality` arranges them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases import permissions, services
from cases.reporting import quality
from cases.reporting.quality_forms import QualityForm, SliceCaseForm, defaults
from rca.quality.decomposition import quality_change
from rca.quality.dimensions import Dimension
from rca.quality.metrics import QualityQueryError, quality_metrics


def _require_viewer(request: HttpRequest) -> None:
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied("The quality page is for quality leads and managers.")


def _figures(form: QualityForm) -> dict:
    """Everything the page shows, from five engine calls; `QualityQueryError` on an impossible combination."""
    data, filters = form.cleaned_data, form.filters
    group_by, weighted, exclude_in_doubt = data["group_by"], data["weighted"], data["exclude_in_doubt"]
    common = {"filters": filters, "weighted": weighted, "exclude_in_doubt": exclude_in_doubt}
    # The verdicts in doubt of the figures' range, counted or not (the rows of a group left out leave with them).
    every = quality_metrics(start=data["start"], end=data["end"], filters=filters, weighted=weighted)
    rows = quality_metrics(
        start=data["start"], end=data["end"], group_by=(group_by, Dimension.DECISION_SOURCE), **common
    )
    lines = quality.side_by_side(rows, group_by)
    trend_rows = quality_metrics(
        start=data["start"], end=data["end"], group_by=(Dimension.DECISION_SOURCE,), period=data["period"], **common
    )
    change = quality_change(
        dimension=data["dimension"],
        period_a=(data["a_start"], data["a_end"]),
        period_b=(data["b_start"], data["b_end"]),
        **common,
    )
    a_label = quality.period_label(data["a_start"], data["a_end"])
    b_label = quality.period_label(data["b_start"], data["b_end"])
    base = {**filters, "weighted": str(weighted).lower()}
    if exclude_in_doubt:
        base["exclude_in_doubt"] = "true"
    dates = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    periods = {name: data[name].isoformat() for name in ("a_start", "a_end", "b_start", "b_end")}
    return {
        "group_label": Dimension(group_by).label,
        "dimension_label": Dimension(data["dimension"]).label,
        "in_doubt": sum(row.audits_in_doubt for row in every),
        "exclude_in_doubt": exclude_in_doubt,
        "lines": lines,
        "with_precision": group_by == Dimension.POLICY,
        "trend_rows": trend_rows,
        "change": change,
        "a_label": a_label,
        "b_label": b_label,
        "contributors": quality.contributors(
            change, filters, since=data["b_start"], a_label=a_label, b_label=b_label, exclude_in_doubt=exclude_in_doubt
        ),
        "charts": {
            "side_by_side": quality.side_by_side_chart(lines),
            "trend": quality.trend_of_sources(trend_rows, start=data["start"], end=data["end"]),
            "change": quality.change_chart(change, a_label=a_label, b_label=b_label),
        },
        "csv": {
            "side_by_side": quality.api_csv_url(
                "metrics", {**base, **dates, "group_by": f"{group_by},{Dimension.DECISION_SOURCE}"}
            ),
            "trend": quality.api_csv_url(
                "metrics", {**base, **dates, "group_by": Dimension.DECISION_SOURCE, "period": data["period"]}
            ),
            "change": quality.api_csv_url("changes", {**base, **periods, "dimension": data["dimension"]}),
        },
    }


@login_required
@require_GET
def quality_page(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    query = request.GET.copy()
    for name, value in defaults(timezone.localdate()).items():
        if not query.get(name):
            query[name] = value
    form = QualityForm(query, personal=permissions.can_see_personal_data(request.user))
    context = {"form": form, "is_lead": permissions.can_drive_case(request.user), "query": request.GET.urlencode()}
    if not form.is_valid():
        return render(request, "reports/quality.html", {**context, "invalid": True}, status=400)
    try:
        context.update(_figures(form))
    except QualityQueryError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, "reports/quality.html", {**context, "invalid": True}, status=400)
    return render(request, "reports/quality.html", context)


@login_required
@require_POST
def quality_slice_case(request: HttpRequest) -> HttpResponse:
    """Open a case for a slice of the change explainer, carrying its measure (quality leads)."""
    if not permissions.can_drive_case(request.user):
        raise PermissionDenied("Only quality leads open cases.")
    form = SliceCaseForm(request.POST)
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("quality")
    if not form.is_valid():
        messages.error(request, "That slice could not be read; nothing was opened.")
        return redirect(back)
    data = form.cleaned_data
    measure = quality.slice_measure(data["dimension"], data["value"], form.filters)
    if measure is None:
        messages.error(request, "This slice cannot be measured as a case (an auditor, or no violation).")
        return redirect(back)
    try:
        case = services.case_open(
            actor=request.user,
            title=data["title"],
            problem_statement=data.get("problem_statement", ""),
            measure=measure,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, f"Opened {case.key} for {data['value']}, measuring its slice.")
    return redirect(reverse("case-detail", args=[case.pk]))
