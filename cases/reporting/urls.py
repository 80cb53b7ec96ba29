from django.urls import include, path

from cases.reporting import views

urlpatterns = [
    path("reports/", views.reports_dashboard, name="reports"),
    path("", include("cases.notifications.urls")),
]
