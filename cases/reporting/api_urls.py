from django.urls import path

from cases.reporting.api import ClosureReportView, RemediationReportView

urlpatterns = [
    path("reports/closure/", ClosureReportView.as_view(), name="report-closure"),
    path("reports/remediation/", RemediationReportView.as_view(), name="report-remediation"),
]
