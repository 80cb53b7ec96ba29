from django.urls import include, path

from cases.reporting import quality_views, views

urlpatterns = [
    path("reports/", views.reports_dashboard, name="reports"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("quality/open-case/", quality_views.quality_slice_case, name="quality-slice-case"),
    path("", include("cases.notifications.urls")),
]
