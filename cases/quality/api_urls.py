from django.urls import path

from cases.quality.api import QualityChangesView, QualityMetricsView

urlpatterns = [
    path("quality/metrics/", QualityMetricsView.as_view(), name="quality-metrics"),
    path("quality/changes/", QualityChangesView.as_view(), name="quality-changes"),
]
